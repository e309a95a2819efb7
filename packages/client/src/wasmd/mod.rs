//! The wasmd chain: [`Chain`] over a real CosmWasm node (CometBFT RPC), with cosmrs.
//!
//! * [`config`]: chain settings — a named [`ChainProfile`] (chain id, RPC, bech32 prefix, fee
//!   denom, gas price, gas adjustment) from the built-in localnet or a profiles file, overridden
//!   by `ACN_*` variables and flags; the [`WasmdConfig`] built from it.
//! * [`keys`]: secp256k1 keys from BIP-39 mnemonics, named accounts, and where the mnemonics come
//!   from ([`KeySource`]: the localnet's TEST-ONLY accounts file, an environment variable, the OS
//!   keyring).
//! * [`tx`]: sign, simulate for gas, broadcast, poll until in a block; error classification and
//!   [`contract_message`], which cuts the contract's error out of the node's log.
//! * [`query`]: smart queries, contract info, accounts, the latest block.
//! * [`wasm`]: store, instantiate, execute, migrate, update admin, bank send.
//!
//! The [`Chain`] trait is synchronous: the chain owns a small tokio runtime and blocks on it, so
//! its methods must not be called from inside an async runtime.

pub mod config;
pub mod keys;
mod query;
pub mod tx;
mod wasm;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use cosmrs::rpc::client::CompatMode;
use cosmrs::rpc::{Client, HttpClient};
use cosmrs::tendermint::chain::Id as ChainId;
use cosmrs::AccountId;

pub use config::{ChainProfile, ChainProfiles, GasPrice, ProfileOverrides, WasmdConfig, LOCALNET};
pub use keys::{
    address_of, delete_os_key, derive_key, store_os_key, AccountEntry, AccountsFile, KeyKind,
    KeySource, COSMOS_HD_PATH, ENV_MNEMONIC, KEYRING_SERVICE, LOCALNET_ACCOUNTS,
};
pub use query::{BlockLoad, ContractVersion};
pub use tx::contract_message;

use crate::deploy::DeploymentRecord;
use crate::{Block, Call, Chain, ChainError, Deployment, TxResult};
use keys::Signer;

/// A [`Chain`] on a wasmd node.
pub struct WasmdChain {
    rt: tokio::runtime::Runtime,
    client: HttpClient,
    config: WasmdConfig,
    chain_id: ChainId,
    accounts: RwLock<BTreeMap<String, Arc<Signer>>>,
    deployment: Deployment,
}

impl std::fmt::Debug for WasmdChain {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WasmdChain")
            .field("rpc_url", &self.config.rpc_url)
            .field("chain_id", &self.chain_id.as_str())
            .field("deployment", &self.deployment)
            .finish_non_exhaustive()
    }
}

fn transient(what: &str, e: impl std::fmt::Display) -> ChainError {
    ChainError::Transient(format!("{what}: {e}"))
}

impl WasmdChain {
    /// Connect to the node (reads its chain id from `/status`, which must be the configured one
    /// when there is one); no accounts, no deployment yet.
    pub fn new(config: WasmdConfig) -> Result<Self, ChainError> {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("wasmd-client")
            .enable_all()
            .build()
            .map_err(|e| transient("cannot start the tokio runtime", e))?;
        let url = config.rpc_url.parse().map_err(|e| {
            ChainError::Config(format!(
                "bad RPC URL {:?}: {e} (expected e.g. http://127.0.0.1:26657)",
                config.rpc_url
            ))
        })?;
        let client = HttpClient::builder(url)
            .compat_mode(CompatMode::V0_38)
            .timeout(config.request_timeout)
            .build()
            .map_err(|e| ChainError::Config(format!("RPC client for {}: {e}", config.rpc_url)))?;
        let status = rt
            .block_on(client.status())
            .map_err(|e| transient(&format!("node {} unreachable", config.rpc_url), e))?;
        let chain_id = status.node_info.network;
        if let Some(expected) = &config.chain_id {
            if chain_id.as_str() != expected {
                return Err(ChainError::Config(format!(
                    "node {} is on chain {chain_id}, expected {expected}",
                    config.rpc_url
                )));
            }
        }
        let deployment = Deployment {
            chain_id: chain_id.to_string(),
            ..Deployment::default()
        };
        Ok(WasmdChain {
            rt,
            client,
            config,
            chain_id,
            accounts: RwLock::new(BTreeMap::new()),
            deployment,
        })
    }

    /// Connect with a chain profile's settings.
    pub fn from_profile(profile: &ChainProfile) -> Result<Self, ChainError> {
        Self::new(WasmdConfig::from_profile(profile))
    }

    /// Connect with the localnet defaults, load the accounts file and the deployment file.
    pub fn connect(
        rpc_url: &str,
        accounts_file: impl AsRef<Path>,
        deployment_file: impl AsRef<Path>,
    ) -> Result<Self, ChainError> {
        Self::connect_with(WasmdConfig::new(rpc_url), accounts_file, deployment_file)
    }

    /// [`WasmdChain::connect`] with a given configuration.
    pub fn connect_with(
        config: WasmdConfig,
        accounts_file: impl AsRef<Path>,
        deployment_file: impl AsRef<Path>,
    ) -> Result<Self, ChainError> {
        let mut chain = WasmdChain::new(config)?;
        chain.load_accounts(accounts_file)?;
        let deployment = DeploymentRecord::load(deployment_file)?;
        chain.set_deployment(deployment.deployment)?;
        Ok(chain)
    }

    /// Use these contracts (the chain id must be the node's).
    pub fn set_deployment(&mut self, deployment: Deployment) -> Result<(), ChainError> {
        if deployment.chain_id != self.chain_id.as_str() {
            return Err(ChainError::Config(format!(
                "the deployment is for chain {}, the node is on {}",
                deployment.chain_id, self.chain_id
            )));
        }
        self.deployment = deployment;
        Ok(())
    }

    /// [`Self::set_deployment`], by value.
    pub fn with_deployment(mut self, deployment: Deployment) -> Result<Self, ChainError> {
        self.set_deployment(deployment)?;
        Ok(self)
    }

    /// The configuration.
    pub fn config(&self) -> &WasmdConfig {
        &self.config
    }

    /// The node's chain id.
    pub fn chain_id(&self) -> &str {
        self.chain_id.as_str()
    }

    fn signer(&self, name: &str) -> Result<Arc<Signer>, ChainError> {
        self.accounts
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(name)
            .cloned()
            .ok_or_else(|| ChainError::UnknownAccount(name.to_string()))
    }

    /// The address of a named account, or `name` itself when it is already a bech32 address
    /// of this chain's prefix.
    pub fn resolve(&self, name: &str) -> Result<String, ChainError> {
        match self.signer(name) {
            Ok(s) => Ok(s.address.to_string()),
            Err(e) => match name.parse::<AccountId>() {
                Ok(id) if id.prefix() == self.config.prefix => Ok(name.to_string()),
                _ => Err(e),
            },
        }
    }

    fn account_id(&self, address: &str) -> Result<AccountId, ChainError> {
        address.parse().map_err(|e| {
            ChainError::Config(format!(
                "bad address {address:?}: {e} (expected a bech32 address with prefix {})",
                self.config.prefix
            ))
        })
    }
}

/// First value of `key` in events of type `event`.
pub fn event_attr<'a>(tx: &'a TxResult, event: &str, key: &str) -> Option<&'a str> {
    tx.attributes
        .iter()
        .find(|a| a.event == event && a.key == key)
        .map(|a| a.value.as_str())
}

impl Chain for WasmdChain {
    fn deployment(&self) -> &Deployment {
        &self.deployment
    }

    fn address(&self, account: &str) -> Result<String, ChainError> {
        Ok(self.signer(account)?.address.to_string())
    }

    fn query_json(&self, contract: &str, msg: &[u8]) -> Result<Vec<u8>, ChainError> {
        self.smart_query(contract, msg)
    }

    fn execute_json_with_funds(
        &self,
        account: &str,
        contract: &str,
        msg: &[u8],
        funds: &[(String, u128)],
    ) -> Result<TxResult, ChainError> {
        self.execute_raw_with_funds(account, contract, msg, funds)
    }

    fn execute_batch(&self, account: &str, calls: &[Call]) -> Result<TxResult, ChainError> {
        self.execute_calls(account, calls)
    }

    fn bank_balance(&self, address: &str, denom: &str) -> Result<u128, ChainError> {
        self.rt.block_on(self.query_bank_balance(address, denom))
    }

    fn block(&self) -> Result<Block, ChainError> {
        self.rt.block_on(self.latest_block())
    }

    fn wait_blocks(&self, blocks: u64) -> Result<Block, ChainError> {
        self.rt.block_on(async {
            let target = self.latest_block().await?.height + blocks;
            let timeout = self.config.tx_timeout + Duration::from_secs(10 * blocks);
            self.wait_until("waiting for blocks", timeout, |b| b.height >= target)
                .await
        })
    }

    fn wait_seconds(&self, seconds: u64) -> Result<Block, ChainError> {
        self.rt.block_on(async {
            let target = self.latest_block().await?.time + seconds;
            let timeout = self.config.tx_timeout + Duration::from_secs(2 * seconds);
            self.wait_until("waiting for block time", timeout, |b| b.time >= target)
                .await
        })
    }
}

//! The wasmd chain: [`Chain`] over a real CosmWasm node (CometBFT RPC), with cosmrs.
//!
//! * Keys: secp256k1 keys derived from BIP-39 mnemonics on `m/44'/118'/0'/0/0`, bech32 prefix
//!   `wasm`; accounts are named and come from an accounts file (the format of
//!   `scripts/localnet-accounts.json`) or [`WasmdChain::add_account`].
//! * Queries: ABCI queries of `/cosmwasm.wasm.v1.Query/SmartContractState`.
//! * Transactions: account number and sequence from the auth module (cached per account),
//!   gas from `/cosmos.tx.v1beta1.Service/Simulate` × a margin, fee = gas × gas price,
//!   SIGN_MODE_DIRECT, `broadcast_tx_sync`, then the tx is polled by hash until it is in a block.
//!   Transactions of one account are serialized (one mutex per account), so threads sharing a
//!   [`WasmdChain`] never race on sequences.
//! * Errors: a contract error (in simulation or in the block) is [`ChainError::Rejected`] with the
//!   contract's message; sequence mismatches, a full mempool, connection failures and timeouts
//!   are [`ChainError::Transient`].
//!
//! The [`Chain`] trait is synchronous: the chain owns a small tokio runtime and blocks on it, so
//! its methods must not be called from inside an async runtime.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use bip32::{DerivationPath, Language, Mnemonic};
use cosmrs::cosmwasm::{
    MsgExecuteContract, MsgInstantiateContract, MsgMigrateContract, MsgStoreCode, MsgUpdateAdmin,
};
use cosmrs::crypto::secp256k1::SigningKey;
use cosmrs::crypto::PublicKey;
use cosmrs::proto::cosmos::auth::v1beta1::{
    BaseAccount, QueryAccountRequest, QueryAccountResponse,
};
use cosmrs::proto::cosmos::tx::v1beta1::{SimulateRequest, SimulateResponse};
use cosmrs::proto::cosmwasm::wasm::v1::{
    QuerySmartContractStateRequest, QuerySmartContractStateResponse,
};
use cosmrs::proto::prost::Message;
use cosmrs::rpc::client::CompatMode;
use cosmrs::rpc::{Client, HttpClient};
use cosmrs::tendermint::chain::Id as ChainId;
use cosmrs::tendermint::Hash;
use cosmrs::tx::{Body, Fee, Msg, SignDoc, SignerInfo};
use cosmrs::{AccountId, Any, Coin};
use serde::{Deserialize, Serialize};

use crate::deploy::DeploymentRecord;
use crate::{Attribute, Block, Chain, ChainError, Deployment, TxResult};

/// The Cosmos HD path the localnet's keys live on.
pub const COSMOS_HD_PATH: &str = "m/44'/118'/0'/0/0";
/// Bech32 prefix of wasmd addresses.
pub const WASM_PREFIX: &str = "wasm";

const SMART_QUERY_PATH: &str = "/cosmwasm.wasm.v1.Query/SmartContractState";
const ACCOUNT_QUERY_PATH: &str = "/cosmos.auth.v1beta1.Query/Account";
const CONTRACT_INFO_PATH: &str = "/cosmwasm.wasm.v1.Query/ContractInfo";
/// Gas added to every limit on top of `simulated × gas_adjustment`: wasmd 0.70 simulates a
/// `MsgUpdateAdmin` at ~40 000 gas and delivers it at ~52 000, more than a 1.3 adjustment
/// covers on such a small transaction.
const GAS_MARGIN: u64 = 20_000;
const SIMULATE_PATH: &str = "/cosmos.tx.v1beta1.Service/Simulate";
const BASE_ACCOUNT_TYPE_URL: &str = "/cosmos.auth.v1beta1.BaseAccount";

// Cosmos SDK error codes (codespace `sdk`) that are worth retrying.
const SDK_OUT_OF_GAS: u32 = 11;
const SDK_TX_IN_MEMPOOL_CACHE: u32 = 19;
const SDK_MEMPOOL_IS_FULL: u32 = 20;
const SDK_WRONG_SEQUENCE: u32 = 32;

/// How a [`WasmdChain`] talks to its node and pays for transactions.
#[derive(Clone, Debug)]
pub struct WasmdConfig {
    /// CometBFT RPC endpoint, e.g. `http://127.0.0.1:26657`.
    pub rpc_url: String,
    /// Expected chain id; `None` takes the node's.
    pub chain_id: Option<String>,
    /// Bech32 account prefix.
    pub prefix: String,
    /// Fee denom.
    pub denom: String,
    /// Fee per unit of gas, in `denom`.
    pub gas_price: f64,
    /// Simulated gas is multiplied by this to get the gas limit.
    pub gas_adjustment: f64,
    /// How long to wait for a broadcast transaction to be in a block.
    pub tx_timeout: Duration,
    /// How often to poll for a transaction or a new block.
    pub poll_interval: Duration,
    /// Timeout of one RPC request.
    pub request_timeout: Duration,
}

impl WasmdConfig {
    /// The localnet's defaults (`scripts/localnet.sh`): prefix `wasm`, 0.025ustake per gas,
    /// gas × 1.3, 60 s for inclusion, 200 ms polls.
    pub fn new(rpc_url: impl Into<String>) -> Self {
        WasmdConfig {
            rpc_url: rpc_url.into(),
            chain_id: None,
            prefix: WASM_PREFIX.into(),
            denom: "ustake".into(),
            gas_price: 0.025,
            gas_adjustment: 1.3,
            tx_timeout: Duration::from_secs(60),
            poll_interval: Duration::from_millis(200),
            request_timeout: Duration::from_secs(30),
        }
    }
}

/// One account of an accounts file.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct AccountEntry {
    /// Name the account is used by.
    pub name: String,
    /// Its address (checked against the derived key when present).
    #[serde(default)]
    pub address: Option<String>,
    /// BIP-39 mnemonic.
    pub mnemonic: String,
}

/// An accounts file (`scripts/localnet-accounts.json`).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct AccountsFile {
    /// HD derivation path (defaults to [`COSMOS_HD_PATH`]).
    #[serde(default = "default_hd_path")]
    pub hd_path: String,
    /// Bech32 prefix (defaults to [`WASM_PREFIX`]).
    #[serde(default = "default_prefix")]
    pub bech32_prefix: String,
    /// The accounts.
    pub accounts: Vec<AccountEntry>,
}

fn default_hd_path() -> String {
    COSMOS_HD_PATH.into()
}

fn default_prefix() -> String {
    WASM_PREFIX.into()
}

impl AccountsFile {
    /// Read and parse an accounts file.
    pub fn load(path: impl AsRef<Path>) -> Result<Self, ChainError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path)
            .map_err(|e| ChainError::Rejected(format!("cannot read {}: {e}", path.display())))?;
        serde_json::from_str(&text)
            .map_err(|e| ChainError::Serde(format!("accounts file {}: {e}", path.display())))
    }
}

/// A signing account.
struct Signer {
    key: SigningKey,
    public_key: PublicKey,
    address: AccountId,
    /// Account number and next sequence; the lock is held for a whole transaction.
    state: Mutex<SeqState>,
}

#[derive(Default)]
struct SeqState {
    account_number: Option<u64>,
    sequence: Option<u64>,
}

/// Why one attempt at a transaction failed.
enum TxFail {
    /// Wrong sequence; `expected` when the node said which one it wants.
    Sequence { expected: Option<u64>, log: String },
    /// Anything else, already classified.
    Other(ChainError),
}

impl From<ChainError> for TxFail {
    fn from(e: ChainError) -> Self {
        TxFail::Other(e)
    }
}

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
    /// Connect to the node (reads its chain id from `/status`); no accounts, no deployment yet.
    pub fn new(config: WasmdConfig) -> Result<Self, ChainError> {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("wasmd-client")
            .enable_all()
            .build()
            .map_err(|e| transient("cannot start the tokio runtime", e))?;
        let url = config
            .rpc_url
            .parse()
            .map_err(|e| ChainError::Rejected(format!("bad RPC url {}: {e}", config.rpc_url)))?;
        let client = HttpClient::builder(url)
            .compat_mode(CompatMode::V0_38)
            .timeout(config.request_timeout)
            .build()
            .map_err(|e| ChainError::Rejected(format!("RPC client: {e}")))?;
        let status = rt
            .block_on(client.status())
            .map_err(|e| transient(&format!("node {} unreachable", config.rpc_url), e))?;
        let chain_id = status.node_info.network;
        if let Some(expected) = &config.chain_id {
            if chain_id.as_str() != expected {
                return Err(ChainError::Rejected(format!(
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
            return Err(ChainError::Rejected(format!(
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

    /// Add a named account from a BIP-39 mnemonic on [`COSMOS_HD_PATH`]; returns its address.
    pub fn add_account(&self, name: &str, mnemonic: &str) -> Result<String, ChainError> {
        self.add_account_at(name, mnemonic, COSMOS_HD_PATH)
    }

    /// Add a named account from a mnemonic on an HD path; returns its address.
    pub fn add_account_at(
        &self,
        name: &str,
        mnemonic: &str,
        hd_path: &str,
    ) -> Result<String, ChainError> {
        let key = derive_key(mnemonic, hd_path)
            .map_err(|e| ChainError::Rejected(format!("account {name}: {e}")))?;
        let public_key = key.public_key();
        let address = public_key
            .account_id(&self.config.prefix)
            .map_err(|e| ChainError::Rejected(format!("account {name}: {e}")))?;
        let bech32 = address.to_string();
        let signer = Arc::new(Signer {
            key,
            public_key,
            address,
            state: Mutex::new(SeqState::default()),
        });
        self.accounts
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(name.to_string(), signer);
        Ok(bech32)
    }

    /// Add every account of an accounts file; each derived address must equal the listed one.
    /// Returns the names added.
    pub fn load_accounts(&self, path: impl AsRef<Path>) -> Result<Vec<String>, ChainError> {
        let file = AccountsFile::load(path.as_ref())?;
        if file.bech32_prefix != self.config.prefix {
            return Err(ChainError::Rejected(format!(
                "accounts file {} uses prefix {}, the client {}",
                path.as_ref().display(),
                file.bech32_prefix,
                self.config.prefix
            )));
        }
        let mut names = Vec::with_capacity(file.accounts.len());
        for entry in &file.accounts {
            let address = self.add_account_at(&entry.name, &entry.mnemonic, &file.hd_path)?;
            if let Some(listed) = &entry.address {
                if *listed != address {
                    return Err(ChainError::Rejected(format!(
                        "account {}: the mnemonic derives {address}, the file lists {listed}",
                        entry.name
                    )));
                }
            }
            names.push(entry.name.clone());
        }
        Ok(names)
    }

    /// Names of the accounts this client can sign for.
    pub fn account_names(&self) -> Vec<String> {
        self.accounts
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .keys()
            .cloned()
            .collect()
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
        address
            .parse()
            .map_err(|e| ChainError::Rejected(format!("bad address {address}: {e}")))
    }

    // ---- transactions ----------------------------------------------------------------------

    /// Sign and broadcast `msgs` (protobuf `Any`s) as `account` in one transaction; wait for it
    /// to be in a block.
    pub fn execute_msgs(&self, account: &str, msgs: Vec<Any>) -> Result<TxResult, ChainError> {
        let signer = self.signer(account)?;
        // The lock serializes this account's transactions (threads and sequences).
        let mut state = signer.state.lock().unwrap_or_else(|e| e.into_inner());
        self.rt.block_on(self.send_tx(&signer, &mut state, &msgs))
    }

    /// Store wasm code (gzipped on the way unless it already is); returns the code id.
    pub fn store_code(&self, account: &str, wasm: &[u8]) -> Result<(u64, TxResult), ChainError> {
        let signer = self.signer(account)?;
        let wasm_byte_code = if wasm.starts_with(&[0x1f, 0x8b]) {
            wasm.to_vec()
        } else {
            gzip(wasm)?
        };
        let msg = MsgStoreCode {
            sender: signer.address.clone(),
            wasm_byte_code,
            instantiate_permission: None,
        };
        let tx = self.execute_msgs(account, vec![to_any(&msg)?])?;
        let code_id = event_attr(&tx, "store_code", "code_id")
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| {
                ChainError::Rejected(format!("no code_id in store tx {}", tx.tx_hash))
            })?;
        Ok((code_id, tx))
    }

    /// Store the wasm file at `path`.
    pub fn store_code_file(
        &self,
        account: &str,
        path: impl AsRef<Path>,
    ) -> Result<(u64, TxResult), ChainError> {
        let path = path.as_ref();
        let wasm = std::fs::read(path)
            .map_err(|e| ChainError::Rejected(format!("cannot read {}: {e}", path.display())))?;
        self.store_code(account, &wasm)
    }

    /// Instantiate `code_id` with a JSON message; returns the contract address.
    pub fn instantiate<M: Serialize>(
        &self,
        account: &str,
        code_id: u64,
        msg: &M,
        label: &str,
        admin: Option<&str>,
    ) -> Result<(String, TxResult), ChainError> {
        let signer = self.signer(account)?;
        let admin = admin
            .map(|a| self.resolve(a).and_then(|a| self.account_id(&a)))
            .transpose()?;
        let msg = MsgInstantiateContract {
            sender: signer.address.clone(),
            admin,
            code_id,
            label: Some(label.to_string()),
            msg: json(msg)?,
            funds: vec![],
        };
        let tx = self.execute_msgs(account, vec![to_any(&msg)?])?;
        let address = event_attr(&tx, "instantiate", "_contract_address")
            .map(str::to_string)
            .ok_or_else(|| {
                ChainError::Rejected(format!(
                    "no contract address in instantiate tx {}",
                    tx.tx_hash
                ))
            })?;
        Ok((address, tx))
    }

    /// Migrate `contract` to `code_id` (the account must be its admin).
    pub fn migrate<M: Serialize>(
        &self,
        account: &str,
        contract: &str,
        code_id: u64,
        msg: &M,
    ) -> Result<TxResult, ChainError> {
        let signer = self.signer(account)?;
        let msg = MsgMigrateContract {
            sender: signer.address.clone(),
            contract: self.account_id(contract)?,
            code_id,
            msg: json(msg)?,
        };
        self.execute_msgs(account, vec![to_any(&msg)?])
    }

    /// Make `new_admin` the wasm admin of `contract` (the account must be its admin).
    pub fn update_admin(
        &self,
        account: &str,
        contract: &str,
        new_admin: &str,
    ) -> Result<TxResult, ChainError> {
        let signer = self.signer(account)?;
        let msg = MsgUpdateAdmin {
            sender: signer.address.clone(),
            new_admin: self.account_id(&self.resolve(new_admin)?)?,
            contract: self.account_id(contract)?,
        };
        self.execute_msgs(account, vec![to_any(&msg)?])
    }

    /// Wasm admin (empty when none) and code id of `contract`.
    pub fn contract_info(&self, contract: &str) -> Result<(String, u64), ChainError> {
        use cosmrs::proto::cosmwasm::wasm::v1::{
            QueryContractInfoRequest, QueryContractInfoResponse,
        };
        let req = QueryContractInfoRequest {
            address: contract.to_string(),
        };
        let bytes = self
            .rt
            .block_on(self.abci_query(CONTRACT_INFO_PATH, req.encode_to_vec()))
            .map_err(|e| match e {
                AbciFail::Rpc(e) => transient("query", e),
                AbciFail::Code { log, .. } => ChainError::Query(contract_message(&log)),
            })?;
        let res = QueryContractInfoResponse::decode(bytes.as_slice())
            .map_err(|e| ChainError::Serde(format!("contract info response: {e}")))?;
        let info = res
            .contract_info
            .ok_or_else(|| ChainError::Query(format!("no contract info for {contract}")))?;
        Ok((info.admin, info.code_id))
    }

    /// Account number and sequence of `address` (the auth module's view).
    pub fn account_info(&self, address: &str) -> Result<(u64, u64), ChainError> {
        self.rt.block_on(self.query_account(address))
    }

    // ---- async internals ------------------------------------------------------------------

    async fn abci_query(&self, path: &str, data: Vec<u8>) -> Result<Vec<u8>, AbciFail> {
        let res = self
            .client
            .abci_query(Some(path.to_string()), data, None, false)
            .await
            .map_err(|e| AbciFail::Rpc(e.to_string()))?;
        if res.code.is_err() {
            return Err(AbciFail::Code {
                code: res.code.value(),
                codespace: res.codespace,
                log: res.log,
            });
        }
        Ok(res.value)
    }

    async fn query_account(&self, address: &str) -> Result<(u64, u64), ChainError> {
        let req = QueryAccountRequest {
            address: address.to_string(),
        };
        let bytes = self
            .abci_query(ACCOUNT_QUERY_PATH, req.encode_to_vec())
            .await
            .map_err(|e| match e {
                AbciFail::Rpc(e) => transient("account query", e),
                AbciFail::Code { log, .. } => {
                    ChainError::Rejected(format!("account {address}: {log}"))
                }
            })?;
        let res = QueryAccountResponse::decode(bytes.as_slice())
            .map_err(|e| ChainError::Serde(format!("account response: {e}")))?;
        let any = res
            .account
            .ok_or_else(|| ChainError::Rejected(format!("account {address} not found")))?;
        if any.type_url != BASE_ACCOUNT_TYPE_URL {
            return Err(ChainError::Rejected(format!(
                "account {address} is a {}, not a base account",
                any.type_url
            )));
        }
        let acc = BaseAccount::decode(any.value.as_slice())
            .map_err(|e| ChainError::Serde(format!("base account: {e}")))?;
        Ok((acc.account_number, acc.sequence))
    }

    /// Build and sign a transaction; `None` gas = a simulation transaction (no fee).
    fn sign_tx(
        &self,
        signer: &Signer,
        account_number: u64,
        sequence: u64,
        msgs: &[Any],
        gas: Option<u64>,
    ) -> Result<Vec<u8>, ChainError> {
        let body = Body::new(msgs.to_vec(), "", 0u32);
        let fee = match gas {
            Some(gas) => {
                let amount = (gas as f64 * self.config.gas_price).ceil() as u128;
                let coin = Coin::new(amount, &self.config.denom)
                    .map_err(|e| ChainError::Rejected(format!("fee: {e}")))?;
                Fee::from_amount_and_gas(coin, gas)
            }
            None => Fee {
                amount: vec![],
                gas_limit: 0,
                payer: None,
                granter: None,
            },
        };
        let auth_info = SignerInfo::single_direct(Some(signer.public_key), sequence).auth_info(fee);
        let sign_doc = SignDoc::new(&body, &auth_info, &self.chain_id, account_number)
            .map_err(|e| ChainError::Rejected(format!("sign doc: {e}")))?;
        let raw = sign_doc
            .sign(&signer.key)
            .map_err(|e| ChainError::Rejected(format!("signing: {e}")))?;
        raw.to_bytes()
            .map_err(|e| ChainError::Serde(format!("tx encoding: {e}")))
    }

    async fn send_tx(
        &self,
        signer: &Signer,
        state: &mut SeqState,
        msgs: &[Any],
    ) -> Result<TxResult, ChainError> {
        const ATTEMPTS: u32 = 4;
        let mut last = String::new();
        for attempt in 0..ATTEMPTS {
            if state.account_number.is_none() || state.sequence.is_none() {
                let (number, sequence) = self.query_account(signer.address.as_ref()).await?;
                state.account_number = Some(number);
                state.sequence = Some(sequence);
            }
            match self.try_tx(signer, state, msgs).await {
                Ok(res) => return Ok(res),
                Err(TxFail::Other(e)) => return Err(e),
                Err(TxFail::Sequence { expected, log }) => {
                    tracing::debug!(account = %signer.address, attempt, ?expected, "sequence mismatch: {log}");
                    // Nothing was accepted: try again with the sequence the node wants.
                    state.sequence = expected;
                    last = log;
                    if attempt + 1 < ATTEMPTS && expected.is_none() {
                        tokio::time::sleep(self.config.poll_interval).await;
                    }
                }
            }
        }
        Err(ChainError::Transient(format!(
            "account sequence mismatch after {ATTEMPTS} attempts: {last}"
        )))
    }

    async fn try_tx(
        &self,
        signer: &Signer,
        state: &mut SeqState,
        msgs: &[Any],
    ) -> Result<TxResult, TxFail> {
        let (Some(account_number), Some(sequence)) = (state.account_number, state.sequence) else {
            return Err(TxFail::Sequence {
                expected: None,
                log: "unknown sequence".into(),
            });
        };

        // 1. simulate for gas
        let sim_tx = self.sign_tx(signer, account_number, sequence, msgs, None)?;
        #[allow(deprecated)]
        let req = SimulateRequest {
            tx: None,
            tx_bytes: sim_tx,
        };
        let bytes = match self.abci_query(SIMULATE_PATH, req.encode_to_vec()).await {
            Ok(b) => b,
            Err(AbciFail::Rpc(e)) => return Err(transient("simulation", e).into()),
            Err(AbciFail::Code {
                code,
                codespace,
                log,
            }) => return Err(classify(code, &codespace, &log, "simulation")),
        };
        let sim = SimulateResponse::decode(bytes.as_slice())
            .map_err(|e| ChainError::Serde(format!("simulate response: {e}")))?;
        let simulated = sim.gas_info.map(|g| g.gas_used).unwrap_or_default();
        let gas = ((simulated as f64) * self.config.gas_adjustment).ceil() as u64 + GAS_MARGIN;

        // 2. sign and broadcast
        let tx_bytes = self.sign_tx(signer, account_number, sequence, msgs, Some(gas))?;
        let res = self
            .client
            .broadcast_tx_sync(tx_bytes)
            .await
            .map_err(|e| transient("broadcast", e))?;
        if res.code.is_err() {
            return Err(classify(
                res.code.value(),
                &res.codespace,
                &res.log,
                "check",
            ));
        }
        state.sequence = Some(sequence + 1);

        // 3. wait for the block
        self.wait_tx(res.hash).await.map_err(TxFail::Other)
    }

    async fn wait_tx(&self, hash: Hash) -> Result<TxResult, ChainError> {
        let start = Instant::now();
        let mut last_err;
        loop {
            match self.client.tx(hash, false).await {
                Ok(res) => {
                    let r = res.tx_result;
                    if r.code.is_err() {
                        let code = r.code.value();
                        return Err(match classify(code, &r.codespace, &r.log, "delivery") {
                            // A failed delivery still used the sequence; only out-of-gas is
                            // worth retrying.
                            TxFail::Sequence { log, .. } => ChainError::Transient(log),
                            TxFail::Other(e) => e,
                        });
                    }
                    let attributes = r
                        .events
                        .iter()
                        .flat_map(|e| {
                            e.attributes.iter().map(|a| Attribute {
                                event: e.kind.clone(),
                                key: String::from_utf8_lossy(a.key_bytes()).into_owned(),
                                value: String::from_utf8_lossy(a.value_bytes()).into_owned(),
                            })
                        })
                        .collect();
                    return Ok(TxResult {
                        height: res.height.value(),
                        gas_used: u64::try_from(r.gas_used).unwrap_or_default(),
                        tx_hash: hash.to_string(),
                        attributes,
                    });
                }
                Err(e) => last_err = e.to_string(),
            }
            if start.elapsed() >= self.config.tx_timeout {
                return Err(ChainError::Transient(format!(
                    "tx {hash} not in a block after {:?} (last: {last_err})",
                    self.config.tx_timeout
                )));
            }
            tokio::time::sleep(self.config.poll_interval).await;
        }
    }

    async fn latest_block(&self) -> Result<Block, ChainError> {
        let status = self
            .client
            .status()
            .await
            .map_err(|e| transient("status", e))?;
        Ok(Block {
            height: status.sync_info.latest_block_height.value(),
            time: u64::try_from(status.sync_info.latest_block_time.unix_timestamp())
                .unwrap_or_default(),
        })
    }

    async fn wait_until(
        &self,
        what: &str,
        timeout: Duration,
        done: impl Fn(&Block) -> bool,
    ) -> Result<Block, ChainError> {
        let start = Instant::now();
        loop {
            let block = self.latest_block().await?;
            if done(&block) {
                return Ok(block);
            }
            if start.elapsed() >= timeout {
                return Err(ChainError::Transient(format!(
                    "{what}: still at height {} after {timeout:?}",
                    block.height
                )));
            }
            tokio::time::sleep(self.config.poll_interval).await;
        }
    }
}

enum AbciFail {
    Rpc(String),
    Code {
        code: u32,
        codespace: String,
        log: String,
    },
}

/// Classify a failed check/simulation/delivery.
fn classify(code: u32, codespace: &str, log: &str, stage: &str) -> TxFail {
    let sdk = codespace == "sdk" || codespace.is_empty();
    if (sdk && code == SDK_WRONG_SEQUENCE) || log.contains("account sequence mismatch") {
        return TxFail::Sequence {
            expected: expected_sequence(log),
            log: log.to_string(),
        };
    }
    if sdk
        && matches!(
            code,
            SDK_MEMPOOL_IS_FULL | SDK_TX_IN_MEMPOOL_CACHE | SDK_OUT_OF_GAS
        )
    {
        return TxFail::Other(ChainError::Transient(format!(
            "{stage} failed (code {code}): {log}"
        )));
    }
    TxFail::Other(ChainError::Rejected(contract_message(log)))
}

/// `account sequence mismatch, expected 7, got 6: …` → 7.
fn expected_sequence(log: &str) -> Option<u64> {
    let rest = &log[log.find("expected ")? + "expected ".len()..];
    let digits: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
    digits.parse().ok()
}

/// The contract's own message out of an SDK log, e.g. `rpc error: code = Unknown desc = failed
/// to execute message; message index: 0: job 42 not found: execute wasm contract failed
/// [CosmWasm/wasmd/x/wasm/keeper/keeper.go:452] with gas used: '111588': unknown request` →
/// `job 42 not found`. Logs of another shape come back trimmed but otherwise whole.
pub fn contract_message(log: &str) -> String {
    let mut s = log.trim();
    if let Some(i) = s.find(" desc = ") {
        s = &s[i + " desc = ".len()..];
    }
    if let Some(i) = s.find("message index: ") {
        let rest = &s[i + "message index: ".len()..];
        if let Some(j) = rest.find(": ") {
            s = &rest[j + 2..];
        }
    }
    // The source location, gas report and gRPC status the node appends.
    for cut in [
        " [CosmWasm/",
        " [cosmos/",
        " with gas used",
        " With gas wanted",
        ": unknown request",
    ] {
        if let Some(i) = s.find(cut) {
            s = &s[..i];
        }
    }
    for suffix in [
        ": execute wasm contract failed",
        ": query wasm contract failed",
        ": instantiate wasm contract failed",
        ": migrate wasm contract failed",
    ] {
        if let Some(rest) = s.strip_suffix(suffix) {
            s = rest;
        }
    }
    s.trim().to_string()
}

fn derive_key(mnemonic: &str, hd_path: &str) -> Result<SigningKey, String> {
    let phrase = Mnemonic::new(mnemonic.trim(), Language::English)
        .map_err(|e| format!("bad mnemonic: {e}"))?;
    let path: DerivationPath = hd_path
        .parse()
        .map_err(|e| format!("bad HD path {hd_path}: {e}"))?;
    let seed = phrase.to_seed("");
    SigningKey::derive_from_path(seed.as_bytes(), &path).map_err(|e| format!("derivation: {e}"))
}

fn to_any<M: Msg>(msg: &M) -> Result<Any, ChainError> {
    msg.to_any()
        .map_err(|e| ChainError::Serde(format!("message encoding: {e}")))
}

fn json<M: Serialize>(msg: &M) -> Result<Vec<u8>, ChainError> {
    serde_json::to_vec(msg).map_err(|e| ChainError::Serde(e.to_string()))
}

fn gzip(bytes: &[u8]) -> Result<Vec<u8>, ChainError> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    enc.write_all(bytes)
        .and_then(|_| enc.finish())
        .map_err(|e| ChainError::Serde(format!("gzip: {e}")))
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
        let req = QuerySmartContractStateRequest {
            address: contract.to_string(),
            query_data: msg.to_vec(),
        };
        let bytes = self
            .rt
            .block_on(self.abci_query(SMART_QUERY_PATH, req.encode_to_vec()))
            .map_err(|e| match e {
                AbciFail::Rpc(e) => transient("query", e),
                AbciFail::Code { log, .. } => ChainError::Query(contract_message(&log)),
            })?;
        let res = QuerySmartContractStateResponse::decode(bytes.as_slice())
            .map_err(|e| ChainError::Serde(format!("smart query response: {e}")))?;
        Ok(res.data)
    }

    fn execute_json(
        &self,
        account: &str,
        contract: &str,
        msg: &[u8],
    ) -> Result<TxResult, ChainError> {
        let signer = self.signer(account)?;
        let msg = MsgExecuteContract {
            sender: signer.address.clone(),
            contract: self.account_id(contract)?,
            msg: msg.to_vec(),
            funds: vec![],
        };
        self.execute_msgs(account, vec![to_any(&msg)?])
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

impl WasmdChain {
    /// A contract execution by `account` as a protobuf `Any`, to batch several in one
    /// transaction with [`WasmdChain::execute_msgs`].
    pub fn execute_any<M: Serialize>(
        &self,
        account: &str,
        contract: &str,
        msg: &M,
    ) -> Result<Any, ChainError> {
        let signer = self.signer(account)?;
        to_any(&MsgExecuteContract {
            sender: signer.address.clone(),
            contract: self.account_id(contract)?,
            msg: json(msg)?,
            funds: vec![],
        })
    }

    /// A bank send of `amount` of the fee denom from `account` to `to` as a protobuf `Any`.
    pub fn bank_send_any(&self, account: &str, to: &str, amount: u128) -> Result<Any, ChainError> {
        let signer = self.signer(account)?;
        let coin = Coin {
            denom: self
                .config
                .denom
                .parse()
                .map_err(|e| ChainError::Serde(format!("denom: {e}")))?,
            amount,
        };
        to_any(&cosmrs::bank::MsgSend {
            from_address: signer.address.clone(),
            to_address: self.account_id(to)?,
            amount: vec![coin],
        })
    }

    /// Execute a typed message (what [`crate::ChainExt::execute`] does, usable before a
    /// deployment is set).
    pub fn execute_typed<M: Serialize>(
        &self,
        account: &str,
        contract: &str,
        msg: &M,
    ) -> Result<TxResult, ChainError> {
        self.execute_json(account, contract, &json(msg)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contract_messages_are_cut_out_of_sdk_logs() {
        let log = "rpc error: code = Unknown desc = failed to execute message; message index: 0: \
                   job 42 not found: execute wasm contract failed \
                   [CosmWasm/wasmd/x/wasm/keeper/keeper.go:452] with gas used: '111588': \
                   unknown request";
        assert_eq!(contract_message(log), "job 42 not found");
        let log = "job 4242 not found: query wasm contract failed: unknown request";
        assert_eq!(contract_message(log), "job 4242 not found");
        let log = "failed to execute message; message index: 0: Unauthorized: execute wasm \
                   contract failed";
        assert_eq!(contract_message(log), "Unauthorized");
        assert_eq!(contract_message(" plain "), "plain");
    }

    #[test]
    fn the_expected_sequence_is_read_from_the_log() {
        let log = "account sequence mismatch, expected 7, got 6: incorrect account sequence";
        assert_eq!(expected_sequence(log), Some(7));
        assert_eq!(expected_sequence("nothing"), None);
    }

    #[test]
    fn localnet_mnemonics_derive_the_listed_addresses() {
        let path =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/localnet-accounts.json");
        let file = AccountsFile::load(&path).unwrap();
        assert!(!file.accounts.is_empty());
        for a in &file.accounts {
            let key = derive_key(&a.mnemonic, &file.hd_path).unwrap();
            let addr = key.public_key().account_id(&file.bech32_prefix).unwrap();
            assert_eq!(Some(addr.to_string()), a.address, "{}", a.name);
        }
    }
}

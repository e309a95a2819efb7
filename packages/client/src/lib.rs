//! The chain client: one small trait — query a contract, execute a message as a named account,
//! read the block, wait — and its wasmd implementation, [`WasmdChain`], which signs and broadcasts
//! to a real node. The embedded chain (the real contracts in-process on cw-multi-test) implements
//! the same trait in its own crate, `acn-embedded`, so that production binaries do not link it.
//! Scenario code written against [`Chain`] runs on both, and so does the one deployment routine,
//! [`deploy::deploy`], over the [`deploy::Deployer`] extension of the trait.

pub mod amount;
pub mod codec;
pub mod deploy;
pub mod genesis;
pub mod governance;
pub mod wasmd;

pub use deploy::{CodeIds, DeployPlan, DeployStep, Deployer, DeploymentRecord};
pub use wasmd::{ChainProfile, KeySource, WasmdChain, WasmdConfig};

use cosmwasm_std::{to_json_binary, Uint128};
use serde::{de::DeserializeOwned, Serialize};

use acn_interface::{market, staking, token, treasury};

/// Errors a chain reports.
#[derive(Debug, thiserror::Error)]
pub enum ChainError {
    /// The contract (or the chain) refused the message; retrying the same message will not help.
    #[error("rejected: {0}")]
    Rejected(String),
    /// A transient failure (sequence mismatch, mempool full, connection); retry with backoff.
    #[error("transient: {0}")]
    Transient(String),
    /// A query failed.
    #[error("query failed: {0}")]
    Query(String),
    /// JSON (de)serialization failed.
    #[error("serialization: {0}")]
    Serde(String),
    /// No such account is known to this chain client.
    #[error("unknown account {0}")]
    UnknownAccount(String),
    /// A local file could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: std::path::PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// The client's own settings are wrong or incomplete (chain profile, keys, RPC URL, an
    /// address typed by a person); nothing was sent.
    #[error("configuration: {0}")]
    Config(String),
}

impl ChainError {
    /// True when the same call may succeed if tried again later.
    pub fn is_transient(&self) -> bool {
        matches!(self, ChainError::Transient(_))
    }
}

/// An event attribute emitted by a transaction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attribute {
    /// Event type (e.g. `wasm`).
    pub event: String,
    /// Key.
    pub key: String,
    /// Value.
    pub value: String,
}

/// What a committed transaction returned.
#[derive(Clone, Debug, Default)]
pub struct TxResult {
    /// Height of inclusion.
    pub height: u64,
    /// Gas used (0 on the embedded chain, which does not meter gas).
    pub gas_used: u64,
    /// Transaction hash (empty on the embedded chain).
    pub tx_hash: String,
    /// Every event attribute.
    pub attributes: Vec<Attribute>,
}

impl TxResult {
    /// First value of an attribute key, across events.
    pub fn attr(&self, key: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|a| a.key == key)
            .map(|a| a.value.as_str())
    }
}

/// The current block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Block {
    /// Height.
    pub height: u64,
    /// Block time, unix seconds.
    pub time: u64,
}

/// Addresses of the deployed ACN contracts.
#[derive(Clone, Debug, Default, Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct Deployment {
    /// Chain id (or `embedded`).
    pub chain_id: String,
    /// CW20 token.
    pub token: String,
    /// Staking.
    pub staking: String,
    /// Treasury.
    pub treasury: String,
    /// Market (empty when the deployment has none).
    pub market: String,
    /// Emissions (the token's minter for useful work), when deployed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub emissions: Option<String>,
    /// The ACN / stable pool (Astroport pair interface), when deployed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pool: Option<String>,
    /// The TWAP oracle of ACN in the stable asset, when deployed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oracle: Option<String>,
    /// The buyback vault, when deployed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub buyback: Option<String>,
    /// The agent registry (Agent Forge) and its runs, when deployed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agents: Option<String>,
    /// Subscriptions (recurring market jobs from a prepaid stable balance), when deployed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subscriptions: Option<String>,
    /// The moderation example (a consumer of result callbacks), when the plan asked for it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub moderation: Option<String>,
}

/// One contract call of a batch ([`Chain::execute_batch`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Call {
    /// The contract's address.
    pub contract: String,
    /// The JSON execute message.
    pub msg: Vec<u8>,
    /// Bank coins attached, `(denom, amount)`.
    pub funds: Vec<(String, u128)>,
}

impl Call {
    /// A call of `msg` on `contract` without funds.
    pub fn new<M: Serialize>(contract: &str, msg: &M) -> Result<Call, ChainError> {
        Ok(Call {
            contract: contract.to_string(),
            msg: ser(msg)?,
            funds: vec![],
        })
    }
}

/// A chain the ACN contracts live on. Handles shared across threads are
/// `Arc<dyn Chain + Send + Sync>`; the trait itself does not require it, so a deployment can run
/// over a borrowed, single-threaded embedded chain.
pub trait Chain {
    /// The deployed contracts.
    fn deployment(&self) -> &Deployment;
    /// Bech32 address of a named account this client can sign for.
    fn address(&self, account: &str) -> Result<String, ChainError>;
    /// Smart-query `contract` with a JSON message; JSON response bytes.
    fn query_json(&self, contract: &str, msg: &[u8]) -> Result<Vec<u8>, ChainError>;
    /// Execute a JSON message on `contract` as `account` with bank coins `funds`
    /// (`(denom, amount)`) attached, wait for inclusion.
    fn execute_json_with_funds(
        &self,
        account: &str,
        contract: &str,
        msg: &[u8],
        funds: &[(String, u128)],
    ) -> Result<TxResult, ChainError>;
    /// Execute a JSON message on `contract` as `account`, wait for inclusion.
    fn execute_json(
        &self,
        account: &str,
        contract: &str,
        msg: &[u8],
    ) -> Result<TxResult, ChainError> {
        self.execute_json_with_funds(account, contract, msg, &[])
    }
    /// Execute several contract calls as `account` in one transaction, in order, all or
    /// nothing (one refusal reverts every call), wait for inclusion. The attributes of every
    /// call are in the one [`TxResult`].
    fn execute_batch(&self, account: &str, calls: &[Call]) -> Result<TxResult, ChainError>;
    /// Bank balance of `address` in `denom` (base units).
    fn bank_balance(&self, address: &str, denom: &str) -> Result<u128, ChainError>;
    /// The latest block.
    fn block(&self) -> Result<Block, ChainError>;
    /// Let `blocks` blocks pass (the embedded chain produces them; a node is waited for).
    fn wait_blocks(&self, blocks: u64) -> Result<Block, ChainError>;
    /// Let at least `seconds` of chain time pass.
    fn wait_seconds(&self, seconds: u64) -> Result<Block, ChainError>;
}

fn ser<T: Serialize>(v: &T) -> Result<Vec<u8>, ChainError> {
    serde_json::to_vec(v).map_err(|e| ChainError::Serde(e.to_string()))
}

/// Typed helpers over any [`Chain`].
pub trait ChainExt: Chain {
    /// Typed smart query.
    fn query<Q: Serialize, R: DeserializeOwned>(
        &self,
        contract: &str,
        msg: &Q,
    ) -> Result<R, ChainError> {
        let bytes = self.query_json(contract, &ser(msg)?)?;
        serde_json::from_slice(&bytes).map_err(|e| ChainError::Serde(e.to_string()))
    }

    /// Typed execute.
    fn execute<M: Serialize>(
        &self,
        account: &str,
        contract: &str,
        msg: &M,
    ) -> Result<TxResult, ChainError> {
        self.execute_json(account, contract, &ser(msg)?)
    }

    /// CW20 `Send` of the ACN token with a hook message.
    fn send_tokens<M: Serialize>(
        &self,
        account: &str,
        contract: &str,
        amount: u128,
        hook: &M,
    ) -> Result<TxResult, ChainError> {
        let msg = token::ExecuteMsg::Send {
            contract: contract.to_string(),
            amount: Uint128::new(amount),
            msg: to_json_binary(hook).map_err(|e| ChainError::Serde(e.to_string()))?,
        };
        let token = self.deployment().token.clone();
        self.execute(account, &token, &msg)
    }

    /// Token balance of an address.
    fn balance(&self, address: &str) -> Result<u128, ChainError> {
        let token = self.deployment().token.clone();
        let r: token::BalanceResponse = self.query(
            &token,
            &token::QueryMsg::Balance {
                address: address.to_string(),
            },
        )?;
        Ok(r.balance.u128())
    }

    /// Total token supply.
    fn total_supply(&self) -> Result<u128, ChainError> {
        let token = self.deployment().token.clone();
        let r: token::TokenInfoResponse = self.query(&token, &token::QueryMsg::TokenInfo {})?;
        Ok(r.total_supply.u128())
    }

    /// A market query.
    fn market<R: DeserializeOwned>(&self, msg: &market::QueryMsg) -> Result<R, ChainError> {
        let market = self.deployment().market.clone();
        self.query(&market, msg)
    }

    /// A market execute.
    fn market_exec(&self, account: &str, msg: &market::ExecuteMsg) -> Result<TxResult, ChainError> {
        let market = self.deployment().market.clone();
        self.execute(account, &market, msg)
    }

    /// Staking stake of an address.
    fn stake(&self, address: &str) -> Result<staking::StakeResponse, ChainError> {
        let staking = self.deployment().staking.clone();
        self.query(
            &staking,
            &staking::QueryMsg::Stake {
                address: address.to_string(),
            },
        )
    }

    /// Treasury totals.
    fn treasury_totals(&self) -> Result<treasury::TotalsResponse, ChainError> {
        let t = self.deployment().treasury.clone();
        self.query(&t, &treasury::QueryMsg::Totals {})
    }
}

impl<T: Chain + ?Sized> ChainExt for T {}

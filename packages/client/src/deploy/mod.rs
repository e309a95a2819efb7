//! The one deployment routine of ACN, written once over a small trait both chains implement.
//!
//! * [`Deployer`]: what a deployment needs beyond [`Chain`] — store a contract's code,
//!   instantiate, hand the wasm admin over. The wasmd chain implements it through
//!   [`WasmdDeployer`] (code from the release artifacts); the embedded chain (crate
//!   `acn-embedded`) over cw-multi-test.
//! * [`DeployPlan`]: what to deploy — token, staking, treasury, market, emissions, DAO — built
//!   from the genesis file ([`DeployPlan::from_genesis`]) by the CLI and the simulator, or by the
//!   test suite's builder.
//! * [`deploy`]: runs a plan step by step and records every address and code id in a
//!   [`DeploymentRecord`] (the deployment file), saved after each step: re-running it with the
//!   record of an interrupted or finished deployment skips what is done.

mod plan;
mod record;
mod routine;
mod wasmd;

pub use plan::{
    AgentsPlan, DeployPlan, EmissionsPlan, MarketPlan, ModerationPlan, PoolPlan, StakingPlan,
    SubscriptionsPlan, TokenPlan, TreasuryPlan, VestingPlan,
};
pub use record::{CodeIds, DeploymentRecord};
pub use routine::{deploy, DeployStep};
pub use wasmd::WasmdDeployer;

use std::path::Path;

use crate::{Chain, ChainError, TxResult, WasmdChain};

/// Deploy `plan` afresh on a wasmd node with the release artifacts in `artifacts` (no
/// deployment file: tests and benchmarks; `acn deploy` keeps one and resumes from it).
pub fn deploy_wasmd(
    chain: &WasmdChain,
    artifacts: impl AsRef<Path>,
    plan: &DeployPlan,
) -> Result<(DeploymentRecord, Vec<DeployStep>), ChainError> {
    deploy(
        &WasmdDeployer::new(chain, artifacts.as_ref()),
        plan,
        None,
        &mut |_| Ok(()),
    )
}

/// The ACN contracts a deployment stores.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Contract {
    /// The CW20 token (cw20-base with a lifetime mint cap).
    Token,
    /// Staking.
    Staking,
    /// Treasury.
    Treasury,
    /// Market.
    Market,
    /// Emissions (rewards for useful work, the token's minter).
    Emissions,
    /// DAO (cw3-flex-multisig over staking weights, with timing).
    Dao,
    /// The ACN / stable constant-product pool (Astroport pair interface).
    Pool,
    /// The TWAP oracle of ACN in the stable asset.
    Oracle,
    /// The buyback vault.
    Buyback,
    /// The agent registry (Agent Forge) and its runs.
    Agents,
    /// Subscriptions: recurring market jobs paid from a prepaid stable balance.
    Subscriptions,
    /// The moderation example: classifies texts by market jobs with a result callback (an
    /// optional example, deployed when the plan asks for it).
    Moderation,
}

impl Contract {
    /// Every contract, in deployment order.
    pub const ALL: [Contract; 12] = [
        Contract::Token,
        Contract::Staking,
        Contract::Treasury,
        Contract::Market,
        Contract::Emissions,
        Contract::Pool,
        Contract::Oracle,
        Contract::Buyback,
        Contract::Agents,
        Contract::Subscriptions,
        Contract::Moderation,
        Contract::Dao,
    ];

    /// Short name (`token`, `staking`, …), as in labels and the deployment file.
    pub fn name(self) -> &'static str {
        match self {
            Contract::Token => "token",
            Contract::Staking => "staking",
            Contract::Treasury => "treasury",
            Contract::Market => "market",
            Contract::Emissions => "emissions",
            Contract::Dao => "dao",
            Contract::Pool => "pool",
            Contract::Oracle => "oracle",
            Contract::Buyback => "buyback",
            Contract::Agents => "agents",
            Contract::Subscriptions => "subscriptions",
            Contract::Moderation => "moderation",
        }
    }

    /// File name of its release artifact (`acn_token.wasm`, …).
    pub fn artifact(self) -> String {
        format!("acn_{}.wasm", self.name())
    }
}

/// What a deployment needs beyond [`Chain`]: store code, instantiate, move the wasm admin.
pub trait Deployer: Chain {
    /// Store `contract`'s code as `account`; its code id.
    fn store_code(&self, account: &str, contract: Contract) -> Result<(u64, TxResult), ChainError>;
    /// Instantiate `code_id` with a JSON message as `account`; the new contract's address.
    fn instantiate_json(
        &self,
        account: &str,
        code_id: u64,
        msg: &[u8],
        label: &str,
        admin: Option<&str>,
    ) -> Result<(String, TxResult), ChainError>;
    /// Make `new_admin` the wasm admin of `contract` (as its current admin `account`).
    fn update_admin(
        &self,
        account: &str,
        contract: &str,
        new_admin: &str,
    ) -> Result<TxResult, ChainError>;
    /// The address of a named account, or `name` itself when it is already an address.
    fn resolve(&self, name: &str) -> Result<String, ChainError>;
    /// Whether a contract exists at `address` (checked before resuming from a record).
    fn contract_exists(&self, address: &str) -> Result<bool, ChainError>;
}

//! Emissions for useful work ("compute mining"), paid from a pool inside the fixed supply.
//!
//! **Funding.** The pool is not minted: it is moved into this contract at genesis from the
//! community treasury's allocation (a CW20 `Send` with [`ReceiveMsg::Fund`]), so the token's
//! supply never grows past its genesis 10 B. The contract pays by transfer what it holds.
//!
//! **Useful work only.** The market reports, per settled job, the protocol fee each agreeing
//! provider's slot paid — only for work verified by the agreement of at least two providers (a
//! redundancy-1 job counts only when it was drawn for audit and the second provider agreed), and
//! never for a provider that is the job's buyer. A provider's share of an epoch's release is its
//! share of the epoch's reported fees (not units, not stake).
//!
//! **Capped by fees.** An epoch's release is `min(budget, fee_cap_bps × fees)`: its budget is
//! `budget_rate` of the pool not yet released (fixed when its first work is reported), and the
//! cap makes buying your own jobs cost more than it earns (a self-dealer pays the whole fee and
//! gets back at most `fee_cap_bps` of it, plus whatever share of the fee it recovers as a staker).
//! What an epoch does not release stays in the pool for later epochs; an idle epoch releases
//! nothing, and a tiny job earns at most `fee_cap_bps` of its tiny fee.
//!
//! **O(1).** A provider's record holds only its *open* epoch (its fees in it) and what it accrued
//! from closed epochs; an epoch's fees are final once it is over, so touching a provider later
//! closes its open epoch with one lookup. The contract closes at most one epoch per message (the
//! last started one), sending the stakers' part of its release to staking.

use cosmwasm_schema::{cw_serde, QueryResponses};
use cosmwasm_std::{Addr, Decimal, Timestamp, Uint128};
use cw_ownable::{cw_ownable_execute, cw_ownable_query};

use crate::common::Bps;

pub use cw20::Cw20ReceiveMsg;

/// Shortest epoch: one hour.
pub const MIN_EPOCH_SECONDS: u64 = 3_600;
/// Longest epoch: 30 days.
pub const MAX_EPOCH_SECONDS: u64 = 30 * 86_400;
/// Largest budget rate: an epoch may release at most 1 % of the unreleased pool.
pub const MAX_BUDGET_RATE: Decimal = Decimal::percent(1);
/// Largest fee cap, in bps of the reported fees (70 %). With the default treasury split (70 %
/// burned, 20 % to stakers, 9 % kept, 1 % to the executor) a self-dealer that owns every staked
/// token and calls every `Distribute` recovers at most 21 % of its fee: at this bound it still
/// loses 9 % of every fee it pays.
pub const MAX_FEE_CAP_BPS: Bps = 7_000;
/// Largest staker share of an epoch's release, in bps.
pub const MAX_STAKER_SHARE_BPS: Bps = 5_000;
/// Most work records in one `RecordWork` (the market sends one per agreeing slot).
pub const MAX_WORK_RECORDS: usize = 32;

/// Owner-changeable emission parameters (checked against the bounds above). A change applies to
/// epochs that start after it; a started epoch keeps the values it started with.
#[cw_serde]
pub struct EmissionParams {
    /// An epoch's budget as a share of the pool not yet released, in `(0, MAX_BUDGET_RATE]`. With
    /// every budget used the pool decays exponentially: `1 − 2^(−1/h)` gives a half-life of `h`
    /// epochs.
    pub budget_rate: Decimal,
    /// Cap on an epoch's release in bps of the protocol fees its reported work paid
    /// (`1..=MAX_FEE_CAP_BPS`).
    pub fee_cap_bps: Bps,
    /// Share of each epoch's release sent to stakers as a reward round (0 = off; at most
    /// `MAX_STAKER_SHARE_BPS`; needs a staking contract).
    pub staker_share_bps: Bps,
}

/// Creates the emissions contract.
#[cw_serde]
pub struct InstantiateMsg {
    /// Owner (cw-ownable, later the DAO). Defaults to the instantiator.
    pub owner: Option<String>,
    /// The CW20 minted (this contract must be its minter).
    pub token: String,
    /// The market allowed to report work (may be set later with `UpdateConfig`).
    pub market: Option<String>,
    /// Staking contract receiving the stakers' share (required if `staker_share_bps` > 0).
    pub staking: Option<String>,
    /// Epoch length in seconds (`MIN_EPOCH_SECONDS..=MAX_EPOCH_SECONDS`), fixed for life.
    pub epoch_seconds: u64,
    /// Start of epoch 0; defaults to the current block time.
    pub genesis_time: Option<Timestamp>,
    /// Schedule and shares.
    pub params: EmissionParams,
}

/// The protocol fee one agreeing provider's slot of a settled, verified job paid.
#[cw_serde]
pub struct WorkFee {
    /// The provider.
    pub provider: String,
    /// Its slot's part of the job's protocol fee, in base units (> 0).
    pub fee: Uint128,
}

/// The CW20 hook of the emissions contract (the `msg` of a token `Send` to it).
#[cw_serde]
pub enum ReceiveMsg {
    /// Add the tokens sent to the pool (only the configured token is accepted).
    Fund {},
}

/// Execute messages of the emissions contract.
#[cw_ownable_execute]
#[cw_serde]
pub enum ExecuteMsg {
    /// Market only: credit the fees of settled, verified work to providers in the current epoch
    /// (at most `MAX_WORK_RECORDS` entries). The first report of an epoch fixes its budget.
    RecordWork {
        /// One entry per agreeing provider.
        work: Vec<WorkFee>,
    },
    /// The token's `Send` hook: [`ReceiveMsg::Fund`] adds to the pool.
    Receive(Cw20ReceiveMsg),
    /// Provider: transfer everything accrued from closed epochs to the sender.
    Claim {},
    /// Owner only: replace the emission parameters (applies to epochs not yet started).
    UpdateParams {
        /// New parameters.
        params: EmissionParams,
    },
    /// Owner only: change the market and/or the staking contract; `None` keeps the value.
    UpdateConfig {
        /// New market.
        market: Option<String>,
        /// New staking contract.
        staking: Option<String>,
    },
}

/// Query messages of the emissions contract.
#[cw_ownable_query]
#[cw_serde]
#[derive(QueryResponses)]
pub enum QueryMsg {
    /// Addresses, epoch length and parameters.
    #[returns(ConfigResponse)]
    Config {},
    /// One epoch's totals (default: the current epoch).
    #[returns(EpochResponse)]
    Epoch {
        /// Epoch index.
        epoch: Option<u64>,
    },
    /// One provider's units and rewards.
    #[returns(ProviderResponse)]
    Provider {
        /// Provider address.
        address: String,
    },
    /// Lifetime totals.
    #[returns(TotalsResponse)]
    Totals {},
}

/// Configuration.
#[cw_serde]
pub struct ConfigResponse {
    /// Minted CW20.
    pub token: Addr,
    /// Market allowed to report work.
    pub market: Option<Addr>,
    /// Staking contract of the stakers' share.
    pub staking: Option<Addr>,
    /// Epoch length in seconds.
    pub epoch_seconds: u64,
    /// Start of epoch 0.
    pub genesis_time: Timestamp,
    /// Current parameters.
    pub params: EmissionParams,
}

/// One epoch.
#[cw_serde]
pub struct EpochResponse {
    /// Epoch index.
    pub epoch: u64,
    /// Start time of the epoch.
    pub start: Timestamp,
    /// Whether work was reported in it (only then is its budget fixed).
    pub started: bool,
    /// Whether it is over and its release was counted (and the stakers' part sent).
    pub closed: bool,
    /// Its budget: `budget_rate` of the unreleased pool when it started (for an epoch not
    /// started yet: what it would get if it started now).
    pub budget: Uint128,
    /// Protocol fees of the work reported in it so far.
    pub fees: Uint128,
    /// Its release so far: `min(budget, fee_cap_bps × fees)` (final once it is over).
    pub release: Uint128,
    /// Part of the release shared by providers.
    pub provider_release: Uint128,
    /// Part of the release sent to stakers.
    pub staker_release: Uint128,
}

/// One provider.
#[cw_serde]
pub struct ProviderResponse {
    /// Provider address.
    pub address: Addr,
    /// Its open epoch (the last one it had work reported in).
    pub epoch: u64,
    /// Fees of its work in its open epoch.
    pub fees: Uint128,
    /// Claimable now (accrued plus its open epoch if that epoch is over).
    pub claimable: Uint128,
    /// Paid to it so far.
    pub claimed: Uint128,
}

/// Lifetime totals. Invariants: `paid ≤ released ≤ funded`, and the contract's token balance is
/// `funded − paid`.
#[cw_serde]
pub struct TotalsResponse {
    /// Everything received into the pool (`Fund`).
    pub funded: Uint128,
    /// Releases of closed epochs, and of the last started one once it is over.
    pub released: Uint128,
    /// Paid to providers.
    pub paid_to_providers: Uint128,
    /// Sent to stakers (an epoch's part is sent when it is closed: by the next report or claim).
    pub paid_to_stakers: Uint128,
    /// Protocol fees reported over all epochs.
    pub fees: Uint128,
    /// The last started epoch while it runs (once over, it is closed by the next report or
    /// claim).
    pub open_epoch: Option<u64>,
    /// The current epoch.
    pub current_epoch: u64,
}

impl TotalsResponse {
    /// Everything paid out.
    pub fn paid(&self) -> Uint128 {
        self.paid_to_providers + self.paid_to_stakers
    }

    /// The pool not yet released.
    pub fn unreleased(&self) -> Uint128 {
        self.funded.saturating_sub(self.released)
    }
}

/// Migration parameters (none yet).
#[cw_serde]
pub struct MigrateMsg {}

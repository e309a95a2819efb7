//! Emissions for useful work ("compute mining"): a provider reward pool released per epoch on a
//! decaying schedule and shared in proportion to the compute units each provider had settled and
//! agreed in that epoch (reported by the market), with an optional share for stakers.
//!
//! The emissions contract is the token's minter. It mints only what it owes, never more than its
//! `pool`, and the token's cap (genesis supply + pool) bounds it a second time.
//!
//! O(1) accounting: a provider's record holds only its *open* epoch (units in it) and what it has
//! accrued from closed epochs. An epoch's totals (release, units) are final once the epoch is over,
//! so when a provider is touched in a later epoch its open epoch is closed with one lookup:
//! `release × units / epoch units`. `RecordWork` and `Claim` therefore do constant work, however many
//! epochs or providers exist.

use cosmwasm_schema::{cw_serde, QueryResponses};
use cosmwasm_std::{Addr, Decimal, Timestamp, Uint128};
use cw_ownable::{cw_ownable_execute, cw_ownable_query};

use crate::common::Bps;

/// Shortest epoch: one hour.
pub const MIN_EPOCH_SECONDS: u64 = 3_600;
/// Longest epoch: 30 days.
pub const MAX_EPOCH_SECONDS: u64 = 30 * 86_400;
/// Largest release of one epoch, in bps of the pool (1 %): the pool cannot be spent in a hurry.
pub const MAX_EPOCH_RELEASE_BPS_OF_POOL: Bps = 100;
/// Shortest halving interval, in epochs.
pub const MIN_HALVING_INTERVAL: u64 = 7;
/// Longest halving interval, in epochs.
pub const MAX_HALVING_INTERVAL: u64 = 100_000;
/// Smallest per-epoch retention factor of the exponential decay (a half-life of one epoch).
pub const MIN_RETAIN: Decimal = Decimal::percent(50);
/// Largest staker share of an epoch's release, in bps.
pub const MAX_STAKER_SHARE_BPS: Bps = 5_000;
/// Most work records in one `RecordWork` (the market sends one per agreeing slot).
pub const MAX_WORK_RECORDS: usize = 32;

/// How the per-epoch release decays with the epoch index `e` (epoch 0 starts at genesis).
#[cw_serde]
pub enum Decay {
    /// Step schedule: `release(e) = initial >> (e / interval_epochs)` (halves every interval).
    Halving {
        /// Epochs between halvings (`MIN_HALVING_INTERVAL..=MAX_HALVING_INTERVAL`).
        interval_epochs: u64,
    },
    /// Smooth schedule: `release(e) = initial × retain^e`; a half-life of `h` epochs is
    /// `retain = 2^(−1/h)`.
    Exponential {
        /// Per-epoch retention factor, in `[MIN_RETAIN, 1)` (strictly below one, so the
        /// schedule's sum is finite).
        retain: Decimal,
    },
}

/// Owner-changeable emission parameters (checked against the bounds above).
#[cw_serde]
pub struct EmissionParams {
    /// Release of epoch 0 in base units (> 0, ≤ `MAX_EPOCH_RELEASE_BPS_OF_POOL` of the pool).
    pub initial_epoch_release: Uint128,
    /// Decay of the release from epoch to epoch.
    pub decay: Decay,
    /// Share of each epoch's release minted to stakers as a reward round (0 = off, the default;
    /// at most `MAX_STAKER_SHARE_BPS`; needs a staking contract).
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
    /// Total base units this contract may ever mint (the token's cap − genesis supply).
    pub pool: Uint128,
    /// Epoch length in seconds (`MIN_EPOCH_SECONDS..=MAX_EPOCH_SECONDS`), fixed for life.
    pub epoch_seconds: u64,
    /// Start of epoch 0; defaults to the current block time.
    pub genesis_time: Option<Timestamp>,
    /// Schedule and shares.
    pub params: EmissionParams,
}

/// Compute units one provider had settled and agreed in one job.
#[cw_serde]
pub struct WorkUnits {
    /// The provider.
    pub provider: String,
    /// Units credited (the job's units: batch × cost units per item).
    pub units: u64,
}

/// Execute messages of the emissions contract.
#[cw_ownable_execute]
#[cw_serde]
pub enum ExecuteMsg {
    /// Market only: credit settled and agreed compute units to providers in the current epoch
    /// (at most `MAX_WORK_RECORDS` entries). The first report of an epoch fixes its release.
    RecordWork {
        /// One entry per agreeing provider.
        work: Vec<WorkUnits>,
    },
    /// Provider: mint everything accrued from closed epochs to the sender.
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
    /// Addresses, pool, epoch length and parameters.
    #[returns(ConfigResponse)]
    Config {},
    /// One epoch's totals (default: the current epoch).
    #[returns(EpochResponse)]
    Epoch {
        /// Epoch index.
        epoch: Option<u64>,
    },
    /// What the current parameters schedule for an epoch, before the pool bound.
    #[returns(ScheduleResponse)]
    Schedule {
        /// Epoch index.
        epoch: u64,
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
    /// Most this contract may ever mint.
    pub pool: Uint128,
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
    /// Whether work was recorded in it (only then is its release fixed and allocated).
    pub started: bool,
    /// Part of the release shared by providers (0 until started).
    pub provider_release: Uint128,
    /// Part of the release minted to stakers (0 until started).
    pub staker_release: Uint128,
    /// Units recorded so far.
    pub units: Uint128,
}

/// A scheduled release.
#[cw_serde]
pub struct ScheduleResponse {
    /// Epoch index.
    pub epoch: u64,
    /// `release(epoch)` under the current parameters, before the pool bound.
    pub release: Uint128,
}

/// One provider.
#[cw_serde]
pub struct ProviderResponse {
    /// Provider address.
    pub address: Addr,
    /// Its open epoch (the last one it recorded work in).
    pub epoch: u64,
    /// Units in its open epoch.
    pub units: u64,
    /// Claimable now (accrued plus its open epoch if that epoch is over).
    pub claimable: Uint128,
    /// Minted to it so far.
    pub claimed: Uint128,
}

/// Lifetime totals. Invariant: `minted ≤ allocated ≤ pool`.
#[cw_serde]
pub struct TotalsResponse {
    /// Most that may ever be minted.
    pub pool: Uint128,
    /// Sum of the releases of started epochs (providers' and stakers' parts).
    pub allocated: Uint128,
    /// Minted to providers.
    pub minted_to_providers: Uint128,
    /// Minted to stakers.
    pub minted_to_stakers: Uint128,
    /// Units recorded over all epochs.
    pub units: Uint128,
    /// The current epoch.
    pub current_epoch: u64,
}

impl TotalsResponse {
    /// Everything minted.
    pub fn minted(&self) -> Uint128 {
        self.minted_to_providers + self.minted_to_stakers
    }
}

/// Migration parameters (none yet).
#[cw_serde]
pub struct MigrateMsg {}

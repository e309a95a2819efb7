//! Storage layout of the staking contract.

use cosmwasm_schema::cw_serde;
use cosmwasm_std::{Addr, Uint128, Uint256};
use cw_controllers::{Claim, Claims, Hooks};
use cw_storage_plus::{Item, Map, SnapshotItem, SnapshotMap, Strategy};
use cw_utils::Duration;

use crate::msg::SlashDestination;

/// Scale of the reward-per-token index: rewards per bonded base unit × 10^18.
pub const REWARD_SCALE: u128 = 1_000_000_000_000_000_000;

/// Storage namespace of the unbonding claims (shared by [`CLAIMS`] and [`CLAIMS_EDIT`]).
pub const CLAIMS_KEY: &str = "claims";

/// Validated configuration.
#[cw_serde]
pub struct Config {
    /// The only CW20 accepted for bonding and reward rounds.
    pub token: Addr,
    /// Cooldown between `Unbond` and a claim maturing (never zero).
    pub unbonding_period: Duration,
    /// Cap on open unbonding claims per address (1..=`MAX_CLAIMS_LIMIT`).
    pub max_claims: u32,
    /// Base units of bonded stake per unit of cw4 voting weight (never zero).
    pub tokens_per_weight: Uint128,
    /// Smallest amount accepted by a single bond.
    pub min_bond: Uint128,
    /// Addresses besides the owner allowed to slash.
    pub slashers: Vec<Addr>,
    /// Where slashed tokens go (a treasury address here is already validated).
    pub slash_destination: SlashDestination,
}

pub use acn_interface::staking::Stake;

/// Reward bookkeeping of one address.
#[cw_serde]
pub struct RewardInfo {
    /// Global index at the address's last settlement.
    pub index: Uint256,
    /// Rewards settled and not yet claimed.
    pub accrued: Uint128,
}

/// Contract-wide totals and the reward index.
#[cw_serde]
#[derive(Default)]
pub struct Totals {
    /// Sum of bonded stake.
    pub bonded: Uint128,
    /// Sum of open claims.
    pub unbonding: Uint128,
    /// Everything ever slashed.
    pub slashed: Uint128,
    /// Everything ever received as rewards.
    pub rewards_funded: Uint128,
    /// Everything ever paid out as rewards.
    pub rewards_claimed: Uint128,
    /// Rewards not yet in the index: the reward stream's unreleased part (rounds still being
    /// released, and everything funded while nothing was bonded) plus the rounding remainders
    /// of earlier releases. See [`RewardStream`].
    pub rewards_carried: Uint128,
    /// Global reward index: rewards per unit of reward weight, scaled by [`REWARD_SCALE`].
    pub reward_per_token: Uint256,
    /// Sum of the reward weights of bonded stake (bonded × each stake's tier weight): what the
    /// index pays on. State written before lock tiers had none: the migration sets it to
    /// `bonded` (every stake then was 1×).
    #[serde(default)]
    pub reward_weight: Uint128,
}

/// The reward stream: [`Totals::rewards_carried`] is released into the index linearly between
/// `last_update` and `end`, only while stake is bonded (with nothing bonded the stream pauses:
/// `end` moves later by the time that passed).
#[cw_serde]
pub struct RewardStream {
    /// Seconds over which a newly funded round is released (governed).
    pub duration: u64,
    /// When everything carried will have been released (unix seconds).
    pub end: u64,
    /// Up to when the index has been brought (unix seconds).
    pub last_update: u64,
}

/// Validated configuration.
pub const CONFIG: Item<Config> = Item::new("config");

/// The governed lock tiers 1, 2, … (tier 0, "no lock, 1×", is implicit). Kept apart from
/// [`CONFIG`] so that state written before lock tiers existed loads (absent = no tiers).
pub const LOCK_TIERS: Item<Vec<acn_interface::staking::LockTier>> = Item::new("lock_tiers");

/// The reward stream and its duration. Kept apart from [`TOTALS`] and [`CONFIG`] so that state
/// written before streaming existed loads (a missing stream is an ended one, see
/// `rewards::load_stream`).
pub const REWARD_STREAM: Item<RewardStream> = Item::new("reward_stream");

/// The linked market whose `max_job_lifetime` the unbonding period may not undercut (absent =
/// not linked). Kept apart from [`CONFIG`] so that state written before the link existed loads.
pub const MARKET: Item<Addr> = Item::new("market");

/// Contract-wide totals and the reward index.
pub const TOTALS: Item<Totals> = Item::new("totals");

/// Stake per address; an entry exists while the address has bonded or unbonding stake. The map
/// and its namespace are defined in the interface: other contracts read it by raw query.
pub use acn_interface::staking::STAKES;

/// Reward index snapshot and accrued rewards per address; removed once nothing is bonded and
/// nothing is owed (a missing entry means "settled at the current index, nothing owed").
pub const REWARDS: Map<&Addr, RewardInfo> = Map::new("rewards");

/// Unbonding claims per address, managed through `cw_controllers::Claims`.
pub const CLAIMS: Claims = Claims::new(CLAIMS_KEY);

/// The very same storage as [`CLAIMS`] (same namespace, same `Vec<Claim>` values), opened as a
/// plain map: `Claims` has no API to shrink a claim, which slashing needs, nor to count claims.
/// Every write here must keep [`Stake::unbonding`] and [`Totals::unbonding`] in step.
pub const CLAIMS_EDIT: Map<&Addr, Vec<Claim>> = Map::new(CLAIMS_KEY);

/// cw4 member weights, snapshotted every block so past heights can be read (cw4 raw layout).
pub const MEMBERS: SnapshotMap<&Addr, u64> = SnapshotMap::new(
    cw4::MEMBERS_KEY,
    cw4::MEMBERS_CHECKPOINTS,
    cw4::MEMBERS_CHANGELOG,
    Strategy::EveryBlock,
);

/// cw4 total weight, snapshotted every block (cw4 raw layout).
pub const TOTAL_WEIGHT: SnapshotItem<u64> = SnapshotItem::new(
    cw4::TOTAL_KEY,
    cw4::TOTAL_KEY_CHECKPOINTS,
    cw4::TOTAL_KEY_CHANGELOG,
    Strategy::EveryBlock,
);

/// cw4 `MemberChangedHook` listeners.
pub const HOOKS: Hooks = Hooks::new("cw4-hooks");

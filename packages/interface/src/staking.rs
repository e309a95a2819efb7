//! Staking: bond the ACN token, unbond through a cooldown into claims, get slashed for misbehaviour,
//! earn reward rounds through an O(1) reward-per-token index, and vote with bonded weight through
//! the cw4 group interface (so a cw3-flex-multisig can use this contract as its group).
//!
//! Reward rounds are streamed (Synthetix `StakingRewards`): a round joins a stream released
//! linearly over `reward_duration` seconds, and the index grows with the time that passes while
//! stake is bonded. A staker earns in proportion to stake × time, so bonding just before a round
//! and leaving just after earns only the few seconds it was bonded, and rounds that arrive while
//! nothing is bonded wait in the stream (paused) instead of going to the first one-unit staker.

use cosmwasm_schema::{cw_serde, QueryResponses};
use cosmwasm_std::{from_json, Addr, Decimal, QuerierWrapper, StdResult, Uint128, Uint256};
use cw20::Cw20ReceiveMsg;
use cw_ownable::{cw_ownable_execute, cw_ownable_query};
use cw_utils::Duration;

use crate::common::{Bps, BPS_DENOMINATOR};

pub use cw4::{
    AdminResponse, HooksResponse, Member, MemberChangedHookMsg, MemberDiff, MemberListResponse,
    MemberResponse, TotalWeightResponse,
};
pub use cw_controllers::{Claim, ClaimsResponse};

/// Storage namespace of the staking contract's per-address [`Stake`] map. It is part of the
/// staking contract's interface, like cw4's `members` key: another contract reads a stake with
/// a raw query ([`query_stake_raw`]), a store read instead of a contract call (on wasmd that is
/// about 60 000 gas less: no contract instance is loaded).
pub const STAKES_KEY: &str = "stakes";

/// Stake held by one address, exactly as the staking contract stores it under [`STAKES_KEY`]
/// (the entry exists while the address has bonded or unbonding stake).
#[cw_serde]
pub struct Stake {
    /// Bonded stake: earns rewards, carries weight, can be slashed.
    pub bonded: Uint128,
    /// Sum of the address's open claims.
    pub unbonding: Uint128,
    /// Lock tier of the bonded stake (0: no lock beyond the unbonding period).
    #[serde(default)]
    pub tier: u8,
    /// Reward weight of the bonded stake in bps (10 000 = 1×), fixed when it was bonded at
    /// its tier.
    #[serde(default = "base_reward_bps")]
    pub reward_bps: Bps,
    /// Notice of the bonded stake's lock: an unbonded claim matures after the longer of this and
    /// the unbonding period.
    #[serde(default)]
    pub lock_seconds: u64,
}

/// The reward weight of unlocked stake: 1×.
pub fn base_reward_bps() -> Bps {
    BPS_DENOMINATOR
}

impl Default for Stake {
    fn default() -> Self {
        Stake {
            bonded: Uint128::zero(),
            unbonding: Uint128::zero(),
            tier: 0,
            reward_bps: base_reward_bps(),
            lock_seconds: 0,
        }
    }
}

impl Stake {
    /// True when the address holds nothing at all (its entry can be removed).
    pub fn is_empty(&self) -> bool {
        self.bonded.is_zero() && self.unbonding.is_zero()
    }

    /// Reward weight of `bonded` at this stake's reward bps (what the reward index pays on).
    pub fn weight_of(&self, bonded: Uint128) -> Uint128 {
        bonded.multiply_ratio(self.reward_bps, BPS_DENOMINATOR)
    }

    /// Reward weight of the bonded stake.
    pub fn reward_weight(&self) -> Uint128 {
        self.weight_of(self.bonded)
    }
}

/// A lock tier: stake bonded at it earns rewards with weight `reward_bps` and, once unbonded,
/// matures only after `lock_seconds` (or the unbonding period, if longer). Longer locks earn a
/// larger share; tier 0 is always "no lock, 1×".
#[cw_serde]
pub struct LockTier {
    /// Notice in seconds (≤ `MAX_LOCK_SECONDS`).
    pub lock_seconds: u64,
    /// Reward weight in bps (`BPS_DENOMINATOR..=MAX_TIER_REWARD_BPS`).
    pub reward_bps: Bps,
}

/// Most lock tiers besides tier 0.
pub const MAX_LOCK_TIERS: usize = 8;
/// Longest lock: four years.
pub const MAX_LOCK_SECONDS: u64 = 4 * 365 * 24 * 60 * 60;
/// Largest reward weight of a tier: 3×.
pub const MAX_TIER_REWARD_BPS: Bps = 30_000;

/// The default lock tiers (tiers 1–3): 90 days at 1.25×, 180 days at 1.5×, a year at 2×.
pub fn default_lock_tiers() -> Vec<LockTier> {
    const DAY: u64 = 24 * 60 * 60;
    vec![
        LockTier {
            lock_seconds: 90 * DAY,
            reward_bps: 12_500,
        },
        LockTier {
            lock_seconds: 180 * DAY,
            reward_bps: 15_000,
        },
        LockTier {
            lock_seconds: 365 * DAY,
            reward_bps: 20_000,
        },
    ]
}

/// The stake map as stored (the staking contract's state uses this very map).
pub const STAKES: cw_storage_plus::Map<&Addr, Stake> = cw_storage_plus::Map::new(STAKES_KEY);

/// Read `address`'s stake from the staking contract at `staking` by a raw query of its
/// [`STAKES_KEY`] map; an address without an entry has no stake.
pub fn query_stake_raw(
    querier: &QuerierWrapper,
    staking: &Addr,
    address: &Addr,
) -> StdResult<Stake> {
    let key = STAKES.key(address);
    match querier.query_wasm_raw(staking, key.to_vec())? {
        Some(bytes) => from_json(bytes),
        None => Ok(Stake::default()),
    }
}

/// Default unbonding cooldown: 14 days.
pub const DEFAULT_UNBONDING_PERIOD: Duration = Duration::Time(14 * 24 * 60 * 60);
/// Default cap on open unbonding claims per address.
pub const DEFAULT_MAX_CLAIMS: u32 = 32;
/// Largest allowed cap on open unbonding claims per address.
pub const MAX_CLAIMS_LIMIT: u32 = 100;
/// Default time over which a reward round is released: 7 days.
pub const DEFAULT_REWARD_DURATION: u64 = 7 * 24 * 60 * 60;
/// Shortest allowed reward duration: 1 day (shorter brings just-in-time staking back).
pub const MIN_REWARD_DURATION: u64 = 24 * 60 * 60;
/// Longest allowed reward duration: 365 days.
pub const MAX_REWARD_DURATION: u64 = 365 * 24 * 60 * 60;

/// Where slashed tokens go.
#[cw_serde]
pub enum SlashDestination {
    /// Destroy them with `Cw20ExecuteMsg::Burn`.
    Burn,
    /// Send them to the treasury as a fee deposit (`Send` with the treasury's `Deposit {}` hook).
    Treasury {
        /// The treasury contract.
        address: String,
    },
}

/// How much of an address's stake a `Slash` takes.
#[cw_serde]
pub enum SlashAmount {
    /// A fixed number of base units (capped at what the address has at stake).
    Absolute {
        /// Base units to take.
        amount: Uint128,
    },
    /// A fraction (0 < f ≤ 1) of bonded + unbonding stake.
    Fraction {
        /// The fraction to take.
        fraction: Decimal,
    },
}

/// Creates the staking contract.
#[cw_serde]
pub struct InstantiateMsg {
    /// Owner (cw-ownable, later the DAO). Defaults to the instantiator.
    pub owner: Option<String>,
    /// The only CW20 accepted for bonding and reward rounds.
    pub token: String,
    /// Cooldown between `Unbond` and a claim maturing. Defaults to 14 days.
    pub unbonding_period: Option<Duration>,
    /// Cap on open unbonding claims per address. Defaults to 32.
    pub max_claims: Option<u32>,
    /// Base units of bonded stake per unit of cw4 voting weight (e.g. 1 000 000 = one token).
    pub tokens_per_weight: Uint128,
    /// Smallest amount accepted by a single bond.
    pub min_bond: Uint128,
    /// Addresses besides the owner allowed to `Slash` (the market).
    pub slashers: Vec<String>,
    /// Where slashed tokens go.
    pub slash_destination: SlashDestination,
    /// Lock tiers 1, 2, … (default: [`default_lock_tiers`]; an empty list: no tiers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lock_tiers: Option<Vec<LockTier>>,
}

/// The hook messages accepted inside a CW20 `Send` to the staking contract.
#[cw_serde]
pub enum ReceiveMsg {
    /// Bond the sent tokens for the `Send`'s sender, at lock tier `tier` (default: the sender's
    /// current tier, 0 for a new staker). A higher tier relocks everything bonded at it; a lower
    /// one is refused (leave a lock by unbonding).
    Bond {
        /// Lock tier (index into the tiers; 0 = no lock).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        tier: Option<u8>,
    },
    /// Fund a reward round: the sent tokens join the reward stream and are released linearly
    /// over `reward_duration` to whoever is bonded while they are released (the stream's end
    /// moves to the amount-weighted mean of what was left and the new round's full duration).
    DistributeRewards {},
}

/// Execute messages of the staking contract.
#[cw_ownable_execute]
#[cw_serde]
pub enum ExecuteMsg {
    /// CW20 receive hook (`Bond {}` or `DistributeRewards {}`); only from the configured token.
    Receive(Cw20ReceiveMsg),
    /// Move `amount` of bonded stake into a claim maturing after the unbonding period.
    Unbond {
        /// Base units to unbond.
        amount: Uint128,
    },
    /// Pay out every matured claim of the sender.
    Claim {},
    /// Move the sender's whole bonded stake to a higher lock tier (never a lower one).
    Relock {
        /// The new tier.
        tier: u8,
    },
    /// Owner only: replace the lock tiers 1.. (tier 0 stays "no lock, 1×"): locks strictly
    /// longer and weights not lower from tier to tier, within the bounds. Stakes keep the tier
    /// terms they bonded at until they bond or relock again.
    UpdateLockTiers {
        /// Tiers 1, 2, …
        tiers: Vec<LockTier>,
    },
    /// Pay out the sender's accrued rewards.
    ClaimRewards {},
    /// Slashers and owner only: take stake from `address` (bonded first, then unbonding claims).
    Slash {
        /// The address to slash.
        address: String,
        /// How much to take.
        amount: SlashAmount,
        /// Why (recorded in the event).
        reason: String,
    },
    /// Owner only: change parameters; `None` keeps the current value.
    UpdateConfig {
        /// New unbonding cooldown (applies to claims created afterwards).
        unbonding_period: Option<Duration>,
        /// New cap on open claims per address.
        max_claims: Option<u32>,
        /// New minimum bond.
        min_bond: Option<Uint128>,
        /// New slash destination.
        slash_destination: Option<SlashDestination>,
    },
    /// Owner only: set the time over which reward rounds funded from now on are released
    /// (`MIN_REWARD_DURATION..=MAX_REWARD_DURATION`); the stream already running keeps its end.
    UpdateRewardDuration {
        /// Seconds.
        reward_duration: u64,
    },
    /// Owner only: add and remove slashers.
    UpdateSlashers {
        /// Addresses to allow.
        add: Vec<String>,
        /// Addresses to disallow.
        remove: Vec<String>,
    },
    /// Owner only: link the market whose longest job lifetime bounds the unbonding period from
    /// below (`None` unlinks). While linked, the unbonding period must be in seconds and at least
    /// the market's `max_job_lifetime`, so a provider cannot unbond and withdraw before a slash
    /// for a job it holds can land; the market checks the same rule when its parameters change.
    SetMarket {
        /// The market contract, or `None` to unlink.
        address: Option<String>,
    },
    /// Owner only: register a cw4 `MemberChangedHook` listener.
    AddHook {
        /// Contract to notify on weight changes.
        addr: String,
    },
    /// Owner only: remove a cw4 hook listener.
    RemoveHook {
        /// Contract to stop notifying.
        addr: String,
    },
}

/// Query messages of the staking contract (the cw4 group queries included).
#[cw_ownable_query]
#[cw_serde]
#[derive(QueryResponses)]
pub enum QueryMsg {
    /// Current configuration.
    #[returns(ConfigResponse)]
    Config {},
    /// Bonded and unbonding stake and current weight of one address.
    #[returns(StakeResponse)]
    Stake {
        /// Staker address.
        address: String,
    },
    /// Open unbonding claims of one address.
    #[returns(ClaimsResponse)]
    Claims {
        /// Staker address.
        address: String,
    },
    /// Contract-wide totals, the reward index and stream brought up to the block time.
    #[returns(TotalsResponse)]
    Totals {},
    /// Rewards accrued up to the block time and not yet claimed by `address`.
    #[returns(PendingRewardsResponse)]
    PendingRewards {
        /// Staker address.
        address: String,
    },
    /// Every address with bonded or unbonding stake (paginated by address).
    #[returns(StakersResponse)]
    ListStakers {
        /// Exclusive start.
        start_after: Option<String>,
        /// Page size (max 100).
        limit: Option<u32>,
    },
    /// cw4: the group admin (the owner).
    #[returns(AdminResponse)]
    Admin {},
    /// cw4: total voting weight, now or at the end of a past height.
    #[returns(TotalWeightResponse)]
    TotalWeight {
        /// Height to read at; `None` = now.
        at_height: Option<u64>,
    },
    /// cw4: members with weight (paginated by address).
    #[returns(MemberListResponse)]
    ListMembers {
        /// Exclusive start.
        start_after: Option<String>,
        /// Page size (max 100).
        limit: Option<u32>,
    },
    /// cw4: one member's weight, now or at a past height.
    #[returns(MemberResponse)]
    Member {
        /// Member address.
        addr: String,
        /// Height to read at; `None` = now.
        at_height: Option<u64>,
    },
    /// cw4: registered hook listeners.
    #[returns(HooksResponse)]
    Hooks {},
}

/// Staking configuration.
#[cw_serde]
pub struct ConfigResponse {
    /// Accepted CW20.
    pub token: Addr,
    /// Unbonding cooldown.
    pub unbonding_period: Duration,
    /// Cap on open claims per address.
    pub max_claims: u32,
    /// Base units per unit of voting weight.
    pub tokens_per_weight: Uint128,
    /// Smallest single bond.
    pub min_bond: Uint128,
    /// Addresses allowed to slash besides the owner.
    pub slashers: Vec<Addr>,
    /// Where slashed tokens go.
    pub slash_destination: SlashDestination,
    /// The linked market whose `max_job_lifetime` the unbonding period may not undercut.
    pub market: Option<Addr>,
    /// Seconds over which a reward round is released.
    pub reward_duration: u64,
    /// Lock tiers: index 0 is "no lock, 1×", then the governed tiers.
    pub lock_tiers: Vec<LockTier>,
}

/// One address's stake.
#[cw_serde]
pub struct StakeResponse {
    /// The staker.
    pub address: Addr,
    /// Bonded stake (earns rewards, carries weight, can be slashed).
    pub bonded: Uint128,
    /// Stake in open claims, matured or not (can still be slashed until claimed).
    pub unbonding: Uint128,
    /// cw4 voting weight = bonded / tokens_per_weight.
    pub weight: u64,
    /// Lock tier of the bonded stake.
    pub tier: u8,
    /// Reward weight of the bonded stake in bps (10 000 = 1×).
    pub reward_bps: Bps,
    /// Notice of the lock: an unbonded claim matures after the longer of this and the
    /// unbonding period.
    pub lock_seconds: u64,
}

/// Contract-wide totals.
#[cw_serde]
pub struct TotalsResponse {
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
    /// Rewards funded and not yet in the index: the part of the stream not released yet, plus
    /// the rounding remainders of earlier releases.
    pub rewards_carried: Uint128,
    /// Sum of the reward weights of bonded stake (bonded × each stake's tier weight).
    pub reward_weight: Uint128,
    /// Global reward index (rewards per unit of reward weight, scaled by 10^18).
    pub reward_per_token: Uint256,
    /// When the stream will have released everything it holds (unix seconds); it moves later
    /// while nothing is bonded (the stream pauses) and when a round is funded.
    pub reward_stream_end: u64,
}

/// Rewards accrued by one address.
#[cw_serde]
pub struct PendingRewardsResponse {
    /// The staker.
    pub address: Addr,
    /// Base units claimable with `ClaimRewards {}`.
    pub pending: Uint128,
}

/// A page of stakers.
#[cw_serde]
pub struct StakersResponse {
    /// Stakers in address order.
    pub stakers: Vec<StakeResponse>,
}

/// Migration parameters (none yet).
#[cw_serde]
pub struct MigrateMsg {}

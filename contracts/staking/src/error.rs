use cosmwasm_std::{
    CheckedMultiplyFractionError, ConversionOverflowError, Decimal, DivideByZeroError,
    OverflowError, StdError, Uint128,
};
use cw_controllers::HookError;
use thiserror::Error;

/// Errors of the staking contract.
#[derive(Error, Debug, PartialEq)]
pub enum ContractError {
    /// A storage or serialization error.
    #[error(transparent)]
    Std(#[from] StdError),

    /// An ownership error (not the owner, no pending transfer, …).
    #[error(transparent)]
    Ownership(#[from] cw_ownable::OwnershipError),

    /// An arithmetic overflow or underflow.
    #[error(transparent)]
    Overflow(#[from] OverflowError),

    /// A division by zero.
    #[error(transparent)]
    DivideByZero(#[from] DivideByZeroError),

    /// A value too large for its target type.
    #[error(transparent)]
    ConversionOverflow(#[from] ConversionOverflowError),

    /// A fraction multiplication that overflowed or divided by zero.
    #[error(transparent)]
    MultiplyFraction(#[from] CheckedMultiplyFractionError),

    /// A cw4 hook registration error (already registered, not registered).
    #[error(transparent)]
    Hook(#[from] HookError),

    /// A CW20 `Send` arrived from a token other than the configured one.
    #[error("unknown token {received}: only the configured token {expected} is accepted")]
    UnknownToken {
        /// The CW20 contract that sent the tokens.
        received: String,
        /// The configured token.
        expected: String,
    },

    /// An amount of zero was given where a positive amount is required.
    #[error("amount must be greater than zero")]
    ZeroAmount {},

    /// A bond smaller than the configured minimum.
    #[error("bond of {amount} is below the minimum bond of {min_bond}")]
    BelowMinBond {
        /// The amount offered.
        amount: Uint128,
        /// The configured minimum.
        min_bond: Uint128,
    },

    /// An unbond larger than the bonded stake.
    #[error("cannot unbond {requested}: only {bonded} is bonded")]
    InsufficientBonded {
        /// Bonded stake of the sender.
        bonded: Uint128,
        /// Amount asked for.
        requested: Uint128,
    },

    /// The unbond would leave less bonded than the stake the linked market holds at risk for the
    /// address's unfinished jobs.
    #[error("cannot unbond {requested} of {bonded} bonded: {locked} is locked at risk in unfinished market jobs")]
    StakeLocked {
        /// Bonded stake of the sender.
        bonded: Uint128,
        /// Stake the market holds at risk (its `Exposure`).
        locked: Uint128,
        /// Amount asked for.
        requested: Uint128,
    },

    /// The address already holds the maximum number of open claims.
    #[error("too many open unbonding claims (max {max}): claim matured ones first")]
    TooManyClaims {
        /// The configured cap.
        max: u32,
    },

    /// `Claim` with no matured claim.
    #[error("no matured unbonding claim to pay out")]
    NothingToClaim {},

    /// `ClaimRewards` with nothing accrued.
    #[error("no rewards to claim")]
    NoRewards {},

    /// The sender is neither a slasher nor the owner.
    #[error("only a slasher or the owner may slash")]
    NotSlasher {},

    /// A slash fraction outside (0, 1].
    #[error("slash fraction {fraction} must be greater than 0 and at most 1")]
    InvalidFraction {
        /// The fraction given.
        fraction: Decimal,
    },

    /// A claims cap outside 1..=MAX_CLAIMS_LIMIT.
    #[error("max_claims {max_claims} must be between 1 and {limit}")]
    InvalidMaxClaims {
        /// The value given.
        max_claims: u32,
        /// The largest allowed value.
        limit: u32,
    },

    /// A reward duration outside `MIN_REWARD_DURATION..=MAX_REWARD_DURATION`.
    #[error("reward_duration {reward_duration} s must be between {min} s and {max} s")]
    InvalidRewardDuration {
        /// The value given.
        reward_duration: u64,
        /// The shortest allowed duration.
        min: u64,
        /// The longest allowed duration.
        max: u64,
    },

    /// An unbonding period of zero.
    #[error("unbonding period must not be zero")]
    ZeroUnbondingPeriod {},

    /// `tokens_per_weight` of zero.
    #[error("tokens_per_weight must not be zero")]
    ZeroTokensPerWeight {},

    /// An unbonding period shorter than the linked market's longest job lifetime.
    #[error("unbonding period of {unbonding_period} s is shorter than the market's max job lifetime of {max_job_lifetime} s: a provider could withdraw before a slash lands")]
    UnbondingShorterThanJobs {
        /// The unbonding period asked for, in seconds.
        unbonding_period: u64,
        /// The market's `max_job_lifetime`, in seconds.
        max_job_lifetime: u64,
    },

    /// An unbonding period in blocks while a market is linked (job lifetimes are in seconds).
    #[error("unbonding period must be in seconds while a market is linked: job lifetimes are in seconds")]
    UnbondingPeriodInBlocks {},

    /// A bond or relock names a tier that does not exist.
    #[error("tier {tier} does not exist: tiers are 0..={max}")]
    UnknownTier {
        /// Requested tier.
        tier: u8,
        /// Highest tier.
        max: u8,
    },

    /// A bond or relock would lower (or not raise) the stake's tier.
    #[error("tier {requested} is not above the stake's tier {current}: unbond to leave a lock")]
    TierDowngrade {
        /// The stake's tier.
        current: u8,
        /// Requested tier.
        requested: u8,
    },

    /// Lock tiers outside their bounds.
    #[error("invalid lock_tiers: {reason}")]
    InvalidLockTiers {
        /// What is wrong.
        reason: String,
    },
}

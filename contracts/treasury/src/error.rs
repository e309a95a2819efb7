use cosmwasm_std::{OverflowError, StdError, Uint128};
use cw_utils::PaymentError;
use thiserror::Error;

/// Errors of the treasury contract.
#[derive(Error, Debug, PartialEq)]
pub enum ContractError {
    /// A storage, serialization or address-validation error.
    #[error(transparent)]
    Std(#[from] StdError),

    /// An ownership error (not the owner, no pending transfer, …).
    #[error(transparent)]
    Ownership(#[from] cw_ownable::OwnershipError),

    /// Checked arithmetic overflowed or underflowed.
    #[error(transparent)]
    Overflow(#[from] OverflowError),

    /// Native funds were attached to a message; the treasury only holds its CW20.
    #[error(transparent)]
    Payment(#[from] PaymentError),

    /// A CW20 `Send` came from a token other than the configured one.
    #[error("unknown token {token}: the treasury only accepts its configured CW20")]
    UnknownToken {
        /// The contract that called the receive hook.
        token: String,
    },

    /// An amount of zero was given where a positive amount is required.
    #[error("amount must be greater than zero")]
    ZeroAmount,

    /// The split's basis points do not sum to 10 000.
    #[error("invalid split: parts sum to {total} bps, must be exactly 10000")]
    InvalidSplit {
        /// The actual sum of the four parts.
        total: u32,
    },

    /// The split gives stakers a share but no staking contract is configured.
    #[error("stakers_bps is {stakers_bps} but no staking contract is configured")]
    StakingRequired {
        /// The stakers' share of the split.
        stakers_bps: u16,
    },

    /// `Distribute` was called with no pending deposits.
    #[error("nothing to distribute: no deposits are pending")]
    NothingToDistribute,

    /// The request needs more than the spendable reserve.
    #[error("insufficient spendable reserve: needed {needed}, available {available}")]
    InsufficientSpendable {
        /// Base units requested.
        needed: Uint128,
        /// Base units spendable (balance − pending − vesting_locked).
        available: Uint128,
    },

    /// A vesting schedule with a duration of zero.
    #[error("vesting duration must be greater than zero")]
    ZeroDuration,

    /// A vesting schedule whose cliff is after its end.
    #[error("vesting cliff ({cliff}s) must not exceed its duration ({duration}s)")]
    CliffAfterEnd {
        /// Requested cliff in seconds.
        cliff: u64,
        /// Requested duration in seconds.
        duration: u64,
    },

    /// The beneficiary already has the maximum number of vesting schedules.
    #[error("beneficiary {beneficiary} already has the maximum of {max} vesting schedules")]
    TooManyVestings {
        /// The beneficiary.
        beneficiary: String,
        /// The cap on schedules per beneficiary.
        max: u32,
    },

    /// `ClaimVested` found nothing vested and unclaimed for the sender.
    #[error("nothing to claim: no vested tokens are unclaimed for {address}")]
    NothingToClaim {
        /// The sender.
        address: String,
    },
}

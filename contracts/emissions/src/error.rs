use cosmwasm_std::{Decimal, OverflowError, StdError, Uint128};
use cw_utils::PaymentError;
use thiserror::Error;

/// Errors of the emissions contract.
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

    /// Native funds were attached to a message; the contract takes none.
    #[error(transparent)]
    Payment(#[from] PaymentError),

    /// `RecordWork` came from someone other than the configured market.
    #[error("unauthorized: only the configured market may report work, not {sender}")]
    NotMarket {
        /// The caller.
        sender: String,
    },

    /// The epoch length is outside the allowed range.
    #[error("epoch length {epoch_seconds} s is outside [{min}, {max}] s")]
    InvalidEpochSeconds {
        /// Requested length.
        epoch_seconds: u64,
        /// Shortest allowed.
        min: u64,
        /// Longest allowed.
        max: u64,
    },

    /// The pool is zero.
    #[error("the emission pool must be greater than zero")]
    ZeroPool,

    /// The initial release is zero or above the per-epoch bound.
    #[error("initial epoch release {release} must be in [1, {max}] (1 % of the pool)")]
    InvalidInitialRelease {
        /// Requested release.
        release: Uint128,
        /// Largest allowed.
        max: Uint128,
    },

    /// The halving interval is outside the allowed range.
    #[error("halving interval {interval} epochs is outside [{min}, {max}]")]
    InvalidHalvingInterval {
        /// Requested interval.
        interval: u64,
        /// Shortest allowed.
        min: u64,
        /// Longest allowed.
        max: u64,
    },

    /// The exponential retention factor is outside `[min, 1)`.
    #[error("retention factor {retain} is outside [{min}, 1)")]
    InvalidRetain {
        /// Requested factor.
        retain: Decimal,
        /// Smallest allowed.
        min: Decimal,
    },

    /// The stakers' share is above the bound.
    #[error("staker share {bps} bps is above the maximum {max} bps")]
    InvalidStakerShare {
        /// Requested share.
        bps: u16,
        /// Largest allowed.
        max: u16,
    },

    /// A stakers' share needs a staking contract.
    #[error("a staker share of {bps} bps needs a staking contract")]
    StakingRequired {
        /// The requested share.
        bps: u16,
    },

    /// `RecordWork` with no entries.
    #[error("no work to record")]
    EmptyWork,

    /// `RecordWork` with more entries than allowed.
    #[error("{count} work records in one message, at most {max}")]
    TooManyWorkRecords {
        /// Entries sent.
        count: usize,
        /// Most allowed.
        max: usize,
    },

    /// A work record of zero units.
    #[error("work record for {provider} has zero units")]
    ZeroUnits {
        /// The provider of the record.
        provider: String,
    },

    /// The caller has nothing to claim.
    #[error("nothing to claim for {address}")]
    NothingToClaim {
        /// The caller.
        address: String,
    },

    /// A mint would exceed what was allocated from the pool (never expected; a guard).
    #[error(
        "minting {amount} would exceed the allocated emissions ({minted} of {allocated} minted)"
    )]
    PoolExceeded {
        /// The mint refused.
        amount: Uint128,
        /// Already minted.
        minted: Uint128,
        /// Allocated so far.
        allocated: Uint128,
    },
}

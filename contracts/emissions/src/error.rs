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

    /// The budget rate is zero or above its bound.
    #[error("params.budget_rate {rate} must be in (0, {max}]")]
    InvalidBudgetRate {
        /// Requested rate.
        rate: Decimal,
        /// Largest allowed.
        max: Decimal,
    },

    /// The fee cap is zero or above its bound.
    #[error("params.fee_cap_bps {bps} must be in [1, {max}]")]
    InvalidFeeCap {
        /// Requested cap.
        bps: u16,
        /// Largest allowed.
        max: u16,
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

    /// A work record of zero fee.
    #[error("work record for {provider} has a zero fee")]
    ZeroFee {
        /// The provider of the record.
        provider: String,
    },

    /// The caller has nothing to claim.
    #[error("nothing to claim for {address}")]
    NothingToClaim {
        /// The caller.
        address: String,
    },

    /// A payment would exceed what closed epochs released (never expected; a guard).
    #[error("paying {amount} would exceed the released emissions ({paid} of {released} paid)")]
    ReleaseExceeded {
        /// The payment refused.
        amount: Uint128,
        /// Already paid.
        paid: Uint128,
        /// Released so far.
        released: Uint128,
    },

    /// A CW20 other than the configured token called `Receive`.
    #[error("only the token {token} can fund the pool, not {sender}")]
    WrongToken {
        /// The configured token.
        token: String,
        /// The caller.
        sender: String,
    },

    /// `Fund` with nothing sent.
    #[error("nothing sent to fund the pool")]
    EmptyFunding,
}

use cosmwasm_std::{Decimal, OverflowError, StdError, Uint128};
use thiserror::Error;

/// Errors of the buyback vault.
#[derive(Error, Debug, PartialEq)]
pub enum ContractError {
    /// A storage, serialization or address-validation error.
    #[error(transparent)]
    Std(#[from] StdError),

    /// An ownership error.
    #[error(transparent)]
    Ownership(#[from] cw_ownable::OwnershipError),

    /// Checked arithmetic overflowed.
    #[error(transparent)]
    Overflow(#[from] OverflowError),

    /// Funds attached to a message that takes none.
    #[error(transparent)]
    Payment(#[from] cw_utils::PaymentError),

    /// A CW20 `Send` from a token other than ACN.
    #[error("unknown token {token}: the vault accepts only ACN ({expected})")]
    UnknownToken {
        /// The caller of the hook.
        token: String,
        /// The ACN token.
        expected: String,
    },

    /// A deposit of another denom.
    #[error("funds: unexpected denom {denom}; the vault accepts only {expected}")]
    UnexpectedDenom {
        /// The denom attached.
        denom: String,
        /// The stable denom.
        expected: String,
    },

    /// A deposit of nothing.
    #[error("{field}: amount must be greater than zero")]
    ZeroAmount {
        /// The field.
        field: String,
    },

    /// The split does not sum to 10 000 bps.
    #[error("params.split: parts sum to {total} bps, must be exactly 10000")]
    InvalidSplit {
        /// The sum.
        total: u32,
    },

    /// A parameter out of its bounds.
    #[error("params.{field}: {value} is out of bounds, expected {expected}")]
    InvalidParam {
        /// The field.
        field: String,
        /// The value.
        value: String,
        /// The bounds.
        expected: String,
    },

    /// The vault holds neither stable nor ACN.
    #[error("nothing to buy: the vault holds no {denom} and no ACN")]
    NothingToBuy {
        /// The stable denom.
        denom: String,
    },

    /// Stable is waiting but today's cap is spent (and there is no ACN to split).
    #[error("daily cap reached: {spent} of {cap} spent today; buying resumes at {resumes_at}")]
    DailyCapReached {
        /// The cap.
        cap: Uint128,
        /// Spent today.
        spent: Uint128,
        /// Start of the next UTC day (seconds).
        resumes_at: u64,
    },

    /// Stable is waiting but the last buy is too recent (and there is no ACN to split).
    #[error("too soon: the last buy was at {last}, the next is allowed at {next_at}")]
    TooSoon {
        /// Time of the last buy.
        last: u64,
        /// When the next buy is allowed.
        next_at: u64,
    },

    /// The oracle gave no price (stale, not ready, thin pool).
    #[error("oracle: {reason}")]
    Oracle {
        /// The oracle's error.
        reason: String,
    },

    /// The buy would execute too far from the TWAP (a manipulated pool).
    #[error("price off the TWAP: the buy would pay {price} per ACN, the TWAP is {twap}, at most {max_deviation_bps} bps apart allowed")]
    PriceOffTwap {
        /// Execution price (stable per ACN).
        price: Decimal,
        /// The TWAP.
        twap: Decimal,
        /// The bound.
        max_deviation_bps: u16,
    },

    /// The buy would pay too much over the spot price.
    #[error("slippage too high: the buy would pay {price} per ACN against a spot price of {spot}, at most {max_slippage_bps} bps over allowed")]
    SlippageTooHigh {
        /// Execution price.
        price: Decimal,
        /// Spot price before the buy.
        spot: Decimal,
        /// The bound.
        max_slippage_bps: u16,
    },

    /// The buy's size rounds to nothing (a pool too small).
    #[error("the buy is too small: {stable_in} {denom} would return no ACN")]
    BuyTooSmall {
        /// Stable offered.
        stable_in: Uint128,
        /// The stable denom.
        denom: String,
    },

    /// A reply with an unknown id.
    #[error("unknown reply id {id}")]
    UnknownReply {
        /// The id.
        id: u64,
    },
}

use cosmwasm_std::{StdError, Uint128};
use thiserror::Error;

/// Errors of the oracle.
#[derive(Error, Debug, PartialEq)]
pub enum ContractError {
    /// A storage, serialization, query or address-validation error.
    #[error(transparent)]
    Std(#[from] StdError),

    /// An ownership error.
    #[error(transparent)]
    Ownership(#[from] cw_ownable::OwnershipError),

    /// Funds attached to the oracle.
    #[error(transparent)]
    Payment(#[from] cw_utils::PaymentError),

    /// A parameter out of its bounds.
    #[error("params.{field}: {value} is out of bounds, expected {expected}")]
    InvalidParam {
        /// The field.
        field: String,
        /// The value given.
        value: String,
        /// The bounds.
        expected: String,
    },

    /// The pair does not trade the configured assets.
    #[error("the pair {pair} has no cumulative price of {base} in {quote}")]
    PairMismatch {
        /// The pair.
        pair: String,
        /// Base asset.
        base: String,
        /// Quote asset.
        quote: String,
    },

    /// A reserve below its minimum (an empty, one-sided or thin pool).
    #[error("pool too thin: {asset} reserve is {reserve}, the oracle needs at least {min}")]
    PoolTooThin {
        /// Which asset.
        asset: String,
        /// Its reserve.
        reserve: Uint128,
        /// The minimum.
        min: Uint128,
    },

    /// No observation is a whole window old yet.
    #[error("TWAP not ready: no observation is {window} s old yet (oldest: {oldest_age} s); call Update and wait")]
    TwapNotReady {
        /// The window.
        window: u64,
        /// Age of the oldest observation (0 without any).
        oldest_age: u64,
    },

    /// The newest observation older than the window is too old: nobody updated.
    #[error("stale TWAP: the newest observation older than the {window} s window is {age} s old, at most {max_age} s allowed")]
    StaleTwap {
        /// The window.
        window: u64,
        /// The observation's age.
        age: u64,
        /// window + max_staleness.
        max_age: u64,
    },
}

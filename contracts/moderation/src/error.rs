use cosmwasm_std::{StdError, Uint128};
use thiserror::Error;

/// Errors of the moderation contract.
#[derive(Error, Debug, PartialEq)]
pub enum ContractError {
    /// A storage, serialization, query or address-validation error.
    #[error(transparent)]
    Std(#[from] StdError),

    /// The funds attached to `Moderate` are not one coin of the stable denom.
    #[error("funds: {0}")]
    Payment(#[from] cw_utils::PaymentError),

    /// The configured model cannot be used.
    #[error("model_id: {reason}")]
    InvalidModel {
        /// Why.
        reason: String,
    },

    /// A configuration field out of its bounds.
    #[error("{field}: {reason}")]
    InvalidConfig {
        /// The field.
        field: String,
        /// Why.
        reason: String,
    },

    /// Less attached than the market's quote.
    #[error("funds: {paid} attached, the job costs {required}")]
    InsufficientFunds {
        /// The market's quote.
        required: Uint128,
        /// Attached.
        paid: Uint128,
    },

    /// `ReceiveResult` from anyone but the market.
    #[error("receive_result: only the market {market} delivers results, not {sender}")]
    NotTheMarket {
        /// The market.
        market: String,
        /// The sender.
        sender: String,
    },

    /// `ReceiveResult` for a job this contract did not submit.
    #[error("receive_result: job {job_id} was not submitted by this contract")]
    UnknownJob {
        /// The job id.
        job_id: u64,
    },

    /// A second `ReceiveResult` for a job already decided.
    #[error("receive_result: job {job_id} already has its verdict")]
    AlreadyDecided {
        /// The job id.
        job_id: u64,
    },

    /// A result whose output is not a class label.
    #[error("receive_result: job {job_id}'s output is not one little-endian u32 label")]
    BadOutput {
        /// The job id.
        job_id: u64,
    },

    /// The market's submission reply carried no job id.
    #[error("the market's submission reported no job_id")]
    NoJobId {},

    /// A reply to a submessage this contract never sent.
    #[error("unknown reply id {id}")]
    UnknownReply {
        /// The reply id.
        id: u64,
    },
}

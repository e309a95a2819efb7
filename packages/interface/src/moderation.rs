//! Moderation: the example consumer of the market's result callbacks. Anyone pays (in the
//! market's stable asset) to have a text classified by a registered text classifier; the
//! contract submits the job as its buyer with a callback, and on
//! [`crate::market::CallbackMsg::ReceiveResult`] it records the verdict — the label, its name,
//! whether it is one of the flagged labels — or, when the job ended without a result, forwards
//! the market's refund to whoever asked.

use cosmwasm_schema::{cw_serde, QueryResponses};
use cosmwasm_std::{Addr, Uint128};

use crate::market::{JobResult, JobStatus};

/// Creates a moderation contract.
#[cw_serde]
pub struct InstantiateMsg {
    /// The market (it must take a stable asset as payment).
    pub market: String,
    /// A registered classifier with a text (`utf8`) input and class-label output.
    pub model_id: String,
    /// The labels (class indexes) that flag a text.
    pub flagged_labels: Vec<u32>,
    /// Provider slots per job (within the model's and the market's bounds).
    pub redundancy: u8,
    /// Gas the market gives the callback (at most the market's `max_callback_gas`).
    pub callback_gas: u64,
    /// Seconds from a submission to its job's deadline (at least the market's commit + reveal
    /// windows, at most its `max_job_lifetime`).
    pub job_lifetime: u64,
}

/// Execute messages of the moderation contract.
#[cw_serde]
pub enum ExecuteMsg {
    /// Classify `text`, paying with the market's stable asset attached: the market's quote for
    /// one item is paid (this contract is the job's buyer), the rest returned at once.
    Moderate {
        /// The text (at most the model's `max_bytes`).
        text: String,
    },
    /// The market's callback: only the market may send it, for a job this contract submitted.
    ReceiveResult(JobResult),
}

/// Query messages of the moderation contract.
#[cw_serde]
#[derive(QueryResponses)]
pub enum QueryMsg {
    /// The configuration.
    #[returns(ConfigResponse)]
    Config {},
    /// One request, by its market job id.
    #[returns(RequestResponse)]
    Request {
        /// The market job id.
        job_id: u64,
    },
    /// Requests, by job id (ascending).
    #[returns(RequestsResponse)]
    Requests {
        /// Exclusive start (job id).
        start_after: Option<u64>,
        /// Page size (at most 100, default 30).
        limit: Option<u32>,
    },
}

/// The configuration.
#[cw_serde]
pub struct ConfigResponse {
    /// The market.
    pub market: Addr,
    /// The classifier.
    pub model_id: String,
    /// The classifier's label names (may be empty).
    pub labels: Vec<String>,
    /// The labels that flag a text.
    pub flagged_labels: Vec<u32>,
    /// Slots per job.
    pub redundancy: u8,
    /// Gas given to the callback.
    pub callback_gas: u64,
    /// Seconds from a submission to its job's deadline.
    pub job_lifetime: u64,
    /// The stable denom paid in.
    pub denom: String,
}

/// What became of a request.
#[cw_serde]
pub enum Verdict {
    /// Its job is not final yet.
    Pending,
    /// The providers agreed (or a dispute's resolution accepted an output).
    Decided {
        /// The class label.
        label: u32,
        /// Its name (empty when the model names no labels).
        name: String,
        /// Whether the label is a flagged one.
        flagged: bool,
    },
    /// The job ended without a result; its refund (if any) went to the requester.
    NoResult {
        /// `Expired`, or `Resolved` without an output.
        status: JobStatus,
        /// Stable forwarded to the requester.
        refunded: Uint128,
    },
}

/// One request.
#[cw_serde]
pub struct RequestResponse {
    /// The market job id.
    pub job_id: u64,
    /// Who asked (and paid).
    pub requester: Addr,
    /// The text.
    pub text: String,
    /// What became of it.
    pub verdict: Verdict,
}

/// A page of requests.
#[cw_serde]
pub struct RequestsResponse {
    /// Requests by job id.
    pub requests: Vec<RequestResponse>,
}

/// Migration parameters (none yet).
#[cw_serde]
pub struct MigrateMsg {}

use cosmwasm_std::{OverflowError, StdError, Timestamp, Uint128};
use thiserror::Error;

use acn_interface::subscriptions::SubscriptionStatus;

/// Errors of the subscriptions contract.
#[derive(Error, Debug, PartialEq)]
pub enum ContractError {
    /// A storage, serialization, query or address-validation error.
    #[error(transparent)]
    Std(#[from] StdError),

    /// Checked arithmetic overflowed.
    #[error(transparent)]
    Overflow(#[from] OverflowError),

    /// An ownership error (`UpdateParams`, `UpdateOwnership`).
    #[error(transparent)]
    Ownership(#[from] cw_ownable::OwnershipError),

    /// The funds attached are not one coin of the stable denom (or funds where none are taken).
    #[error("funds: {0}")]
    Payment(#[from] cw_utils::PaymentError),

    /// The market cannot fund subscriptions.
    #[error("market: {reason}")]
    InvalidMarket {
        /// Why.
        reason: String,
    },

    /// A field of the target, settings or parameters out of its bounds.
    #[error("{field}: {reason}")]
    InvalidField {
        /// The field (`target.model_id`, `settings.interval`, `params.keeper_reward`, …).
        field: String,
        /// Why, with the expected bounds.
        reason: String,
    },

    /// Less attached to `Create` than one run plus the keeper reward.
    #[error("funds: {paid} attached, one run costs {required} (the market's quote {price} + the keeper reward {reward})")]
    InsufficientFunds {
        /// Quote + reward.
        required: Uint128,
        /// The market's quote for one run.
        price: Uint128,
        /// The keeper reward.
        reward: Uint128,
        /// Attached.
        paid: Uint128,
    },

    /// No subscription with this id.
    #[error("subscription {id} does not exist")]
    UnknownSubscription {
        /// The id.
        id: u64,
    },

    /// `Cancel` by someone other than the owner.
    #[error("subscription {id} belongs to {owner}, not {sender}")]
    NotOwner {
        /// The id.
        id: u64,
        /// The owner.
        owner: String,
        /// The sender.
        sender: String,
    },

    /// `TopUp` or `Cancel` of a cancelled subscription.
    #[error("subscription {id} is cancelled")]
    Cancelled {
        /// The id.
        id: u64,
    },

    /// `Trigger` of a subscription that is not active.
    #[error("subscription {id} is {status:?}, not Active")]
    NotActive {
        /// The id.
        id: u64,
        /// Its status.
        status: SubscriptionStatus,
    },

    /// `Trigger` of a subscription with a run in flight.
    #[error("subscription {id} has run {run} in flight ({what})")]
    RunInFlight {
        /// The id.
        id: u64,
        /// The run.
        run: u64,
        /// Its market job (`job 7`) or agent run (`agent run 3`).
        what: String,
    },

    /// `Trigger` before the subscription is due.
    #[error("subscription {id} is due at {due_at}, it is {now}")]
    NotDue {
        /// The id.
        id: u64,
        /// When it is due.
        due_at: Timestamp,
        /// Block time.
        now: Timestamp,
    },

    /// `ReceiveResult` from anyone but the market.
    #[error("receive_result: only the market {market} delivers results, not {sender}")]
    NotTheMarket {
        /// The market.
        market: String,
        /// The sender.
        sender: String,
    },

    /// `ReceiveResult` for a job that is not a run in flight (never submitted here, or its
    /// result already received).
    #[error("receive_result: job {job_id} is not a run in flight")]
    UnknownJob {
        /// The job id.
        job_id: u64,
    },

    /// `ReceiveRunResult` from anyone but the configured agent registry.
    #[error(
        "receive_run_result: only the agent registry {registry} delivers run results, not {sender}"
    )]
    NotTheAgentRegistry {
        /// The configured registry (`none` when there is none).
        registry: String,
        /// The sender.
        sender: String,
    },

    /// `ReceiveRunResult` for an agent run that is not in flight here (never started here, or
    /// its result already received).
    #[error("receive_run_result: agent run {run_id} is not a run in flight")]
    UnknownAgentRun {
        /// The registry's run id.
        run_id: u64,
    },

    /// An `Agent` target with no agent registry configured.
    #[error(
        "target: no agent registry is configured (the owner sets one with update_agent_registry)"
    )]
    NoAgentRegistry {},

    /// The registry's run reply carried no run id or escrow.
    #[error("the agent registry's run reported no {attribute}")]
    NoRunAttribute {
        /// The missing attribute (`run_id`, `escrow`).
        attribute: String,
    },

    /// `Sync` of a subscription with no run in flight.
    #[error("sync: subscription {id} has no run in flight")]
    NothingInFlight {
        /// Subscription id.
        id: u64,
    },

    /// `Sync` while the job or run in flight is still going.
    #[error("sync: subscription {id}'s {what} is still going ({status})")]
    StillGoing {
        /// Subscription id.
        id: u64,
        /// `job 7` or `agent run 3`.
        what: String,
        /// Its status.
        status: String,
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

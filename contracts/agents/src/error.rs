use cosmwasm_std::{StdError, Uint128};
use thiserror::Error;

/// Errors of the agent registry.
#[derive(Error, Debug, PartialEq)]
pub enum ContractError {
    /// A storage, serialization, query or address-validation error.
    #[error(transparent)]
    Std(#[from] StdError),

    /// An ownership error.
    #[error(transparent)]
    Ownership(#[from] cw_ownable::OwnershipError),

    /// Funds attached to the registry.
    #[error(transparent)]
    Payment(#[from] cw_utils::PaymentError),

    /// A parameter out of its bounds.
    #[error("params.{field}: {reason}")]
    InvalidParams {
        /// The field.
        field: String,
        /// Why.
        reason: String,
    },

    /// A malformed field of the agent.
    #[error("agent.{field}: {reason}")]
    InvalidAgent {
        /// The field.
        field: String,
        /// Why.
        reason: String,
    },

    /// A step names a model the market does not know.
    #[error("agent.steps[{step}].model_id: {model_id} is not registered in the market")]
    ModelNotFound {
        /// Step index (from 0).
        step: usize,
        /// The model.
        model_id: String,
    },

    /// A step names a model the market does not take jobs for.
    #[error("agent.steps[{step}].model_id: {model_id} is inactive in the market")]
    ModelInactive {
        /// Step index (from 0).
        step: usize,
        /// The model.
        model_id: String,
    },

    /// The first step has an adapter, or a later step has none.
    #[error("agent.steps[{step}].adapter: {reason}")]
    BadAdapter {
        /// Step index (from 0).
        step: usize,
        /// Why.
        reason: String,
    },

    /// A step's adapter does not turn the previous step's output into this step's input.
    #[error("agent.steps[{step}] ({model_id}) does not fit the output of steps[{prev}] ({prev_model_id}): {reason}")]
    StepMismatch {
        /// Step index (from 0).
        step: usize,
        /// Its model.
        model_id: String,
        /// The previous step's index.
        prev: usize,
        /// Its model.
        prev_model_id: String,
        /// What does not fit.
        reason: String,
    },

    /// The developer fee is above the registry's bound.
    #[error("agent.fee: {fee} is above the registry's max_run_fee {max}")]
    FeeAboveMax {
        /// The fee asked.
        fee: Uint128,
        /// `max_run_fee`.
        max: Uint128,
    },

    /// A new version of an agent published by someone other than its developer.
    #[error("agent.id: {id} belongs to {developer}; only its developer publishes new versions")]
    NotDeveloper {
        /// The agent id.
        id: String,
        /// Its developer.
        developer: String,
    },

    /// No such agent (or version).
    #[error("agent {id} version {version:?} not found")]
    AgentNotFound {
        /// The agent id.
        id: String,
        /// The version asked (`None`: the latest).
        version: Option<u32>,
    },
}

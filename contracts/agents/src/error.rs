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

    /// A checked sum or difference out of range.
    #[error(transparent)]
    Overflow(#[from] cosmwasm_std::OverflowError),

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

    /// `Run` with funds in a market priced in ACN.
    #[error("run: the market is priced in ACN; pay the run through the token: `send` the escrow to the registry with a `run` hook message")]
    NoStableAsset {},

    /// A `run` hook paid in ACN in a market priced in its stable asset.
    #[error("receive: the market is priced in {denom}; attach the escrow in {denom} to `run`")]
    StableMarket {
        /// The market's stable denom.
        denom: String,
    },

    /// A CW20 receive hook from a contract other than the market's token.
    #[error("receive: only the market's token {token} pays runs, not {sender}")]
    NotTheToken {
        /// The market's token.
        token: String,
        /// The sender of the hook.
        sender: String,
    },

    /// A malformed field of a `Run`.
    #[error("run.{field}: {reason}")]
    InvalidRun {
        /// The field.
        field: String,
        /// Why.
        reason: String,
    },

    /// The run's escrow overflows.
    #[error("run.max_unit_price: {max_unit_price} makes the run's escrow (Σ units × redundancy × max_unit_price + fee) overflow")]
    EscrowOverflow {
        /// The unit price asked.
        max_unit_price: Uint128,
    },

    /// Less than the run's escrow was attached.
    #[error("funds: {paid}{denom} attached, the run's escrow is {required}{denom}")]
    InsufficientFunds {
        /// The escrow.
        required: Uint128,
        /// What was attached.
        paid: Uint128,
        /// The asset (the stable denom, or `cw20:<token>`).
        denom: String,
    },

    /// The market's unit price is above the run's `max_unit_price`.
    #[error("run {run_id} step {step}: the unit price {unit_price} is above the run's max_unit_price {max_unit_price}")]
    PriceAboveMax {
        /// Run id.
        run_id: u64,
        /// Step index.
        step: u32,
        /// The market's unit price now.
        unit_price: Uint128,
        /// The run's bound.
        max_unit_price: Uint128,
    },

    /// No such run.
    #[error("run {id} not found")]
    RunNotFound {
        /// Run id.
        id: u64,
    },

    /// A `ReceiveResult` from someone other than the market.
    #[error("receive_result: sent by {sender}, only the market {market} delivers results")]
    NotTheMarket {
        /// The market.
        market: String,
        /// The sender.
        sender: String,
    },

    /// A result for a job the registry did not buy.
    #[error("receive_result: job {job_id} is not a step of any run")]
    UnknownJob {
        /// Job id.
        job_id: u64,
    },

    /// A second result for a step (a replayed callback).
    #[error("receive_result: run {run_id} step {step} (job {job_id}) already has its outcome")]
    StepAlreadyRecorded {
        /// Run id.
        run_id: u64,
        /// Step index.
        step: u32,
        /// Job id.
        job_id: u64,
    },

    /// `Advance` while the step's job has no outcome yet.
    #[error("advance: run {run_id} step {step} (job {job_id}) is still in flight")]
    StepInFlight {
        /// Run id.
        run_id: u64,
        /// Step index.
        step: u32,
        /// Job id.
        job_id: u64,
    },

    /// The run is over (or, cancelled, has nothing left to return).
    #[error("run {run_id} is {status:?}: nothing to do")]
    RunEnded {
        /// Run id.
        run_id: u64,
        /// Its status.
        status: acn_interface::agents::RunStatus,
    },

    /// Someone other than the buyer tried to cancel a run.
    #[error("cancel: run {run_id} belongs to {buyer}; only its buyer cancels it")]
    NotBuyer {
        /// Run id.
        run_id: u64,
        /// Its buyer.
        buyer: String,
    },

    /// A run callback asked for while callbacks are disabled, or with a gas limit out of bounds.
    #[error("run.callback.gas_limit: {gas_limit} outside 1..={max} (max_callback_gas; 0 disables run callbacks)")]
    InvalidCallbackGas {
        /// The gas limit asked.
        gas_limit: u64,
        /// `max_callback_gas`.
        max: u64,
    },

    /// A run callback asked for by an account that is not a contract.
    #[error("run.callback: the buyer {address} is not a contract and cannot receive a callback")]
    CallbackReceiverNotContract {
        /// The buyer.
        address: String,
    },

    /// The market's submission reply named no job id.
    #[error("the market's submission reported no job_id")]
    NoJobId {},

    /// A reply to a submessage this contract never sent.
    #[error("unknown reply id {id}")]
    UnknownReply {
        /// The id.
        id: u64,
    },
}

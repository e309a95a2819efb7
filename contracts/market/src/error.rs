use cosmwasm_std::{OverflowError, StdError, Uint128};
use thiserror::Error;

use acn_interface::market::JobStatus;

/// Errors of the market contract.
#[derive(Error, Debug, PartialEq)]
pub enum ContractError {
    /// A storage, serialization or query error.
    #[error(transparent)]
    Std(#[from] StdError),

    /// Checked arithmetic overflowed.
    #[error(transparent)]
    Overflow(#[from] OverflowError),

    /// The sender is not the owner, or another ownership error.
    #[error(transparent)]
    Ownership(#[from] cw_ownable::OwnershipError),

    /// A CW20 `Send` came from a token other than the configured one.
    #[error("unknown token {token}: the market only accepts its configured CW20")]
    UnknownToken {
        /// The contract that called `Receive`.
        token: String,
    },

    /// Parameters break a guard rail.
    #[error("invalid market parameters: {reason}")]
    InvalidParams {
        /// What is wrong.
        reason: String,
    },

    /// A model spec is malformed.
    #[error("invalid model: {reason}")]
    InvalidModel {
        /// What is wrong.
        reason: String,
    },

    /// No model with that id.
    #[error("model {id} not found")]
    ModelNotFound {
        /// Model id.
        id: String,
    },

    /// A model with that id is already registered.
    #[error("model {id} already registered")]
    ModelExists {
        /// Model id.
        id: String,
    },

    /// The model no longer accepts jobs.
    #[error("model {id} is inactive")]
    ModelInactive {
        /// Model id.
        id: String,
    },

    /// The sender is not a registered provider.
    #[error("{address} is not a registered provider")]
    ProviderNotFound {
        /// Address.
        address: String,
    },

    /// The sender is already an active provider.
    #[error("{address} is already a registered provider")]
    ProviderExists {
        /// Address.
        address: String,
    },

    /// The provider deregistered.
    #[error("provider {address} is inactive")]
    ProviderInactive {
        /// Address.
        address: String,
    },

    /// Declared hardware is malformed.
    #[error("invalid hardware: {reason}")]
    InvalidHardware {
        /// What is wrong.
        reason: String,
    },

    /// A provider's `models` list is empty or longer than `MAX_MODELS_PER_PROVIDER`.
    #[error("invalid models: {reason}")]
    InvalidModels {
        /// What is wrong.
        reason: String,
    },

    /// Not enough bonded stake to provide.
    #[error("insufficient stake: {bonded} bonded, {required} required")]
    InsufficientStake {
        /// Needed.
        required: Uint128,
        /// Bonded now.
        bonded: Uint128,
    },

    /// The provider does not serve the job's model.
    #[error("provider does not serve model {model_id}")]
    ModelNotServed {
        /// Model id.
        model_id: String,
    },

    /// The provider missed a job recently.
    #[error("provider is cooling down after a missed job until {until} (unix seconds)")]
    ProviderCoolingDown {
        /// When claims are allowed again.
        until: u64,
    },

    /// The provider holds as many unfinished jobs as allowed.
    #[error("provider already holds {max} unfinished jobs")]
    TooManyActiveJobs {
        /// The limit.
        max: u32,
    },

    /// The provider cannot leave with unfinished jobs.
    #[error("provider has {count} unfinished jobs")]
    ProviderHasActiveJobs {
        /// Unfinished jobs.
        count: u32,
    },

    /// The job pays less per unit than the provider accepts.
    #[error("job unit price {job_price} is below the provider's minimum {provider_min}")]
    PriceBelowProviderMinimum {
        /// The job's unit price.
        job_price: Uint128,
        /// The provider's minimum.
        provider_min: Uint128,
    },

    /// Batch outside 1..=max_batch.
    #[error("batch {batch} outside 1..={max}")]
    InvalidBatch {
        /// Requested.
        batch: u32,
        /// Model's max batch.
        max: u32,
    },

    /// Redundancy outside the allowed range.
    #[error("redundancy {redundancy} outside {min}..={max}")]
    InvalidRedundancy {
        /// Requested.
        redundancy: u8,
        /// Smallest allowed.
        min: u8,
        /// Largest allowed.
        max: u8,
    },

    /// Input bigger than the size limit.
    #[error("input of {size} bytes exceeds the limit of {max} bytes")]
    InputTooLarge {
        /// Input size.
        size: u64,
        /// Limit.
        max: u64,
    },

    /// Input length does not match batch × item size.
    #[error("input is {actual} bytes but the model's spec needs {expected} for this batch")]
    InputSizeMismatch {
        /// Expected bytes.
        expected: u64,
        /// Actual bytes.
        actual: u64,
    },

    /// Input values are not acceptable (e.g. a non-finite float).
    #[error("invalid input: {reason}")]
    InvalidInput {
        /// What is wrong.
        reason: String,
    },

    /// Deadline too soon or too far.
    #[error("deadline {got} outside [{earliest}, {latest}] (unix seconds)")]
    InvalidDeadline {
        /// Earliest allowed.
        earliest: u64,
        /// Latest allowed.
        latest: u64,
        /// Requested.
        got: u64,
    },

    /// The current unit price is above the buyer's limit.
    #[error("unit price {unit_price} is above the buyer's maximum {max_unit_price}")]
    PriceAboveMax {
        /// Current unit price.
        unit_price: Uint128,
        /// Buyer's maximum.
        max_unit_price: Uint128,
    },

    /// The `Send` carried less than the price.
    #[error("insufficient payment: {paid} sent, {required} required")]
    InsufficientPayment {
        /// Price.
        required: Uint128,
        /// Sent.
        paid: Uint128,
    },

    /// An ACN payment in a stable-priced market carried less than the job's price at the TWAP.
    #[error("ACN payment too low: the job costs {required} ACN base units at the TWAP of {acn_price} (stable per ACN), {sent} sent (the amount sent is the most a buyer pays)")]
    AcnPaymentTooLow {
        /// The job's price in ACN at the TWAP.
        required: Uint128,
        /// Sent.
        sent: Uint128,
        /// The TWAP used.
        acn_price: cosmwasm_std::Decimal,
    },

    /// A stable payment to a market created without stable payments.
    #[error("this market takes payment in ACN only (no stable asset configured): send ACN with a CW20 Send of SubmitJob")]
    StablePaymentsDisabled {},

    /// The funds attached to a stable `SubmitJob` are not exactly one coin of the stable denom.
    #[error("funds: {0}")]
    Payment(#[from] cw_utils::PaymentError),

    /// A stable `SubmitJob` paid in another denom.
    #[error("funds: {denom} is not this market's stable asset {expected}")]
    WrongDenom {
        /// The denom sent.
        denom: String,
        /// The stable denom.
        expected: String,
    },

    /// The oracle has no ACN price now: stable-priced jobs cannot be priced in ACN or have
    /// their stake at risk sized.
    #[error("no ACN price from the oracle: {reason}")]
    NoAcnPrice {
        /// The oracle's error.
        reason: String,
    },

    /// A stable-priced market's setting refused on a market without a stable asset.
    #[error("{field}: this market has no stable asset")]
    NotStablePriced {
        /// The field.
        field: String,
    },

    /// No job with that id.
    #[error("job {id} not found")]
    JobNotFound {
        /// Job id.
        id: u64,
    },

    /// Too few eligible providers serve the model to fill the job's slots: the submission is
    /// refused and nothing moves.
    #[error("not enough eligible providers for model {model_id}: {needed} needed, {found} found")]
    NotEnoughEligibleProviders {
        /// Model id.
        model_id: String,
        /// Slots asked for (the redundancy).
        needed: u8,
        /// Eligible providers drawn before the tree or the draw budget ran out.
        found: u8,
    },

    /// A redundancy-1 submission without an audit commitment.
    #[error("a redundancy-1 job needs an audit commitment (sha256 of a secret the buyer keeps)")]
    AuditCommitmentRequired {},

    /// An audit commitment that is malformed or not allowed.
    #[error("invalid audit commitment: {reason}")]
    InvalidAuditCommitment {
        /// What is wrong.
        reason: String,
    },

    /// A redundancy-1 job paying more than its audit makes unprofitable to cheat.
    #[error(
        "a redundancy-1 job may pay at most {max} (above it, cheating pays despite the audit: \
         audit_bps × slash < (1 − audit_bps) × pay), this one {price}: ask for redundancy 2 or \
         more"
    )]
    PayAboveAuditBound {
        /// The job's price.
        price: Uint128,
        /// The largest price a redundancy-1 job may have.
        max: Uint128,
    },

    /// Only the buyer reveals its audit secret.
    #[error("only the buyer of job {id} may reveal its audit secret")]
    NotBuyer {
        /// Job id.
        id: u64,
    },

    /// The job's audit secret cannot be revealed now.
    #[error("job {id} cannot take its audit secret: {reason}")]
    AuditNotOpen {
        /// Job id.
        id: u64,
        /// Why.
        reason: String,
    },

    /// sha256(secret) differs from the job's audit commitment.
    #[error("the secret does not match the job's audit commitment")]
    AuditSecretMismatch {},

    /// The buyer of a job cannot serve it.
    #[error("{address} is the buyer of the job and cannot serve it")]
    BuyerCannotServe {
        /// The buyer.
        address: String,
    },

    /// Every slot index of a model's selection tree is in use.
    #[error("the selection tree of model {model_id} is full ({max} providers)")]
    SelectionFull {
        /// Model id.
        model_id: String,
        /// Leaves per tree.
        max: u32,
    },

    /// The sender holds no slot in the job.
    #[error("sender holds no slot in job {id}")]
    NotAssigned {
        /// Job id.
        id: u64,
    },

    /// The commit window is over.
    #[error("the commit window of job {id} is closed")]
    CommitWindowClosed {
        /// Job id.
        id: u64,
    },

    /// The provider already committed.
    #[error("already committed to job {id}")]
    AlreadyCommitted {
        /// Job id.
        id: u64,
    },

    /// A commitment must be 32 bytes.
    #[error("commitment must be 32 bytes, got {len}")]
    InvalidCommitment {
        /// Length given.
        len: usize,
    },

    /// Reveals open once every slot committed or the commit window closed.
    #[error("job {id} is not in its reveal phase yet")]
    RevealNotOpen {
        /// Job id.
        id: u64,
    },

    /// The reveal window is over.
    #[error("the reveal window of job {id} is closed")]
    RevealWindowClosed {
        /// Job id.
        id: u64,
    },

    /// The sender never committed, so it has nothing to reveal.
    #[error("no commitment from sender in job {id}")]
    NoCommitment {
        /// Job id.
        id: u64,
    },

    /// The provider already revealed.
    #[error("already revealed in job {id}")]
    AlreadyRevealed {
        /// Job id.
        id: u64,
    },

    /// Salt length out of range.
    #[error("salt must be 16–64 bytes, got {len}")]
    InvalidSalt {
        /// Length given.
        len: usize,
    },

    /// The output does not fit the model's output spec.
    #[error("invalid output: {reason}")]
    InvalidOutput {
        /// What is wrong.
        reason: String,
    },

    /// sha256(output ‖ salt ‖ sender) differs from the commitment.
    #[error("revealed output and salt do not match the commitment")]
    CommitmentMismatch {},

    /// Settlement needs every committed slot revealed or the reveal window closed.
    #[error("job {id} cannot be settled yet")]
    SettleTooEarly {
        /// Job id.
        id: u64,
    },

    /// The job is already final.
    #[error("job {id} is already final ({status:?})")]
    JobFinal {
        /// Job id.
        id: u64,
        /// Its status.
        status: JobStatus,
    },

    /// `Expire` before the job's deadline.
    #[error("job {id} cannot expire before its deadline {deadline} (unix seconds)")]
    DeadlineNotReached {
        /// Job id.
        id: u64,
        /// The deadline.
        deadline: u64,
    },

    /// Only disputed jobs can be resolved.
    #[error("job {id} is not disputed")]
    NotDisputed {
        /// Job id.
        id: u64,
    },

    /// The named provider revealed no output in the job.
    #[error("{provider} revealed no output in job {id}")]
    NoOutputFrom {
        /// Job id.
        id: u64,
        /// Provider.
        provider: String,
    },

    /// A jailed provider takes no new work until its jail ends.
    #[error("provider is jailed until {until} (repeat offences)")]
    ProviderJailed {
        /// End of the jail, in seconds since the epoch.
        until: u64,
    },

    /// Taking the slot would put more stake at risk than the provider has bonded.
    #[error(
        "stake at risk {locked} locked + {at_risk} for this slot exceeds the bonded stake {bonded}"
    )]
    ExposureAboveStake {
        /// Stake already locked by the provider's unfinished slots.
        locked: Uint128,
        /// Stake the new slot would lock.
        at_risk: Uint128,
        /// Bonded stake.
        bonded: Uint128,
    },

    /// `CloseDispute` before the dispute timeout: the owner may still resolve the dispute.
    #[error("dispute of job {id} can be closed from {closes_at}")]
    DisputeStillOpen {
        /// Job id.
        id: u64,
        /// First time at which anyone may close it, in seconds since the epoch.
        closes_at: u64,
    },

    /// A `SubmitJob` asked for a result callback while `max_callback_gas` is 0.
    #[error("callback: result callbacks are turned off (max_callback_gas is 0)")]
    CallbacksDisabled {},

    /// A callback's gas limit is 0 or above `max_callback_gas`.
    #[error(
        "callback.gas_limit: {gas_limit} is outside 1..={max} (the market's max_callback_gas)"
    )]
    InvalidCallbackGas {
        /// The gas limit asked for.
        gas_limit: u64,
        /// `max_callback_gas`.
        max: u64,
    },

    /// A callback was asked for by a buyer that is not a contract (the result is delivered to
    /// the buyer, and only a contract can receive it).
    #[error("callback: the buyer {address} is not a contract; results are delivered to the buyer, which must be a contract")]
    CallbackReceiverNotContract {
        /// The buyer.
        address: String,
    },

    /// A reply to a submessage this contract never sent.
    #[error("unknown reply id {id}")]
    UnknownReply {
        /// The reply id.
        id: u64,
    },
}

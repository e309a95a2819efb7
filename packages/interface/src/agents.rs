//! Agent registry (Agent Forge): developers publish agents — ordered pipelines of market models,
//! each step's output turned into the next step's input by a declared adapter — with a per-run
//! fee paid to the developer. Every version is immutable: publishing under an existing id (only
//! by its developer) adds the next version.
//!
//! **Validation at publish time.** Each step's model must be registered and active in the
//! market; each adapter must turn the previous step's output spec into exactly the next step's
//! input spec (see [`Adapter`]); the fee must be within the registry's `max_run_fee`. A refused
//! publication names the step and what does not fit.
//!
//! **Runs, settled per step.** A buyer (an address or a contract) pays one escrow in the market's
//! stable asset for a [`ExecuteMsg::Run`] (in a market priced in ACN: in ACN, through the token's
//! `Send` with [`ReceiveMsg::Run`]): per step, `cost_units_per_item × batch × redundancy ×
//! max_unit_price` (the step's budget), plus the developer's fee. Each step is a market job the
//! registry buys (as the job's buyer, with a result callback to itself), under the market's
//! assignment, commit–reveal, agreement, slashing and fee rules; the market pays the step's
//! providers. The run's first step is submitted by `Run` itself; the market's
//! [`crate::market::CallbackMsg::ReceiveResult`] only records a step's outcome (a bounded,
//! cheap callback: the finalizer of a job pays its gas), and [`ExecuteMsg::Advance`], which
//! anyone may send, passes the output through the next step's adapter and submits the next
//! step, or ends the run: on completion the developer is paid the fee and the buyer everything
//! not spent (each step's budget minus its price, plus what the market refunded); when a step
//! fails or expires the buyer gets back every remaining step's budget, the failed step's market
//! refund and the fee. A run can ask for [`RunCallbackMsg::ReceiveRunResult`] when it ends.

use cosmwasm_schema::{cw_serde, QueryResponses};
use cosmwasm_std::{Addr, Binary, Timestamp, Uint128};
use cw20::Cw20ReceiveMsg;
use cw_ownable::{cw_ownable_execute, cw_ownable_query};

use crate::market::{Callback, JobCallback, JobResult, JobStatus};

/// Largest number of steps a pipeline may have (the guard rail for `max_steps`).
pub const MAX_STEPS_LIMIT: u32 = 16;
/// Longest agent name and description, in bytes.
pub const MAX_AGENT_TEXT_LEN: usize = 256;

/// How one step's output becomes the next step's input, item by item (the batch is kept).
#[cw_serde]
pub enum Adapter {
    /// The output bytes are the input bytes: a fixed-point output (`i32` per element) feeds an
    /// `i32` input of the same shape; a class-label output (one `u32` below 2^31 per item)
    /// feeds an `i32` input of shape `[1]`.
    Direct {},
    /// A fixed-point output feeds an `f32` input with the same number of elements, each value
    /// divided by the output's scale.
    Dequantize {},
    /// A class-label output feeds a text input: label `i` becomes `texts[i]` (one text per
    /// class, each within the next model's `max_bytes`).
    LabelText {
        /// The text of each class, in label order.
        texts: Vec<String>,
    },
}

/// One step of a pipeline.
#[cw_serde]
pub struct Step {
    /// A model registered in the market.
    pub model_id: String,
    /// How the previous step's output becomes this step's input (`None` for the first step,
    /// which takes the run's input; required for every later step).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub adapter: Option<Adapter>,
}

/// An agent as a developer publishes it.
#[cw_serde]
pub struct AgentSpec {
    /// Id (1–64 chars of `[a-z0-9._-]`), shared by all its versions.
    pub id: String,
    /// Display name (at most 256 bytes).
    pub name: String,
    /// What it does (at most 256 bytes).
    pub description: String,
    /// The pipeline, in order (1..=`max_steps` steps).
    pub steps: Vec<Step>,
    /// Paid to the developer per completed run, in the market's unit (its stable asset, or ACN
    /// in a market without one); at most `max_run_fee`.
    pub fee: Uint128,
}

/// Creates the registry.
#[cw_serde]
pub struct InstantiateMsg {
    /// Owner (cw-ownable, later the DAO). Defaults to the instantiator.
    pub owner: Option<String>,
    /// The market whose models the steps name.
    pub market: String,
    /// The registry's parameters.
    pub params: AgentParams,
}

/// Owner-changeable parameters.
#[cw_serde]
pub struct AgentParams {
    /// Most steps per pipeline (1..=[`MAX_STEPS_LIMIT`]).
    pub max_steps: u32,
    /// Highest per-run developer fee, in the market's unit.
    pub max_run_fee: Uint128,
    /// Most gas a run's own result callback may be given (`Run { callback }`), at most
    /// [`crate::market::MAX_CALLBACK_GAS_LIMIT`]; 0 disables run callbacks.
    #[serde(default = "default_run_callback_gas")]
    pub max_callback_gas: u64,
}

/// Default `AgentParams::max_callback_gas`: the market's default for job callbacks.
pub const DEFAULT_RUN_CALLBACK_GAS: u64 = crate::market::DEFAULT_MAX_CALLBACK_GAS;

fn default_run_callback_gas() -> u64 {
    DEFAULT_RUN_CALLBACK_GAS
}

/// Gas limit the registry gives the market for each step's result callback (`ReceiveResult`
/// only records the outcome: one job query, two storage writes; measured well below it).
pub const STEP_CALLBACK_GAS: u64 = 200_000;

/// Execute messages of the registry.
#[cw_ownable_execute]
#[cw_serde]
pub enum ExecuteMsg {
    /// Publish an agent: its first version under a new id (the sender becomes its developer),
    /// or the next version of the sender's own agent.
    Publish {
        /// The agent.
        agent: AgentSpec,
    },
    /// Owner only: new parameters.
    UpdateParams {
        /// The parameters.
        params: AgentParams,
    },
    /// Start a run of an agent, paying its escrow in the market's stable asset (exactly one
    /// coin of that denom, at least `Σ step budgets + fee`; any excess is sent back at once).
    /// Submits the first step in the same transaction. In a market priced in ACN, a run is
    /// paid through the token instead: [`ExecuteMsg::Receive`] with [`ReceiveMsg::Run`].
    Run(RunMsg),
    /// CW20 receive hook, only from the market's token and only in a market priced in ACN:
    /// [`ReceiveMsg::Run`] paid by the tokens sent (the sender of the tokens is the buyer).
    Receive(Cw20ReceiveMsg),
    /// Market only: a step's job reached its outcome (the market's result callback). Records
    /// it; nothing is paid or submitted here.
    ReceiveResult(JobResult),
    /// Anyone (buyer, worker, keeper): move a run on. When the step in flight has an outcome
    /// (delivered by the callback, or read from the market if the callback failed): submit the
    /// next step with the previous output passed through its adapter, or end the run (paying
    /// the developer on completion, refunding the buyer).
    Advance {
        /// Run id.
        run_id: u64,
    },
    /// The run's buyer: stop a running run. Every budget not sent to the market and the fee
    /// come back at once; a step already in flight runs to its end in the market, and its
    /// market refund (if any) comes back to the buyer with the `Advance` that records it.
    Cancel {
        /// Run id.
        run_id: u64,
    },
}

/// What a run asks for: the fields of [`ExecuteMsg::Run`] and [`ReceiveMsg::Run`].
#[cw_serde]
pub struct RunMsg {
    /// Agent id.
    pub agent_id: String,
    /// Version (the latest when `None`).
    pub version: Option<u32>,
    /// The first step's input: `batch` items per its model's input spec.
    pub input: Binary,
    /// Items (kept through every step; at most every model's `max_batch`).
    pub batch: u32,
    /// Provider slots of every step's job (2..=the market's `max_redundancy`, and at least
    /// each model's `min_redundancy`).
    pub redundancy: u8,
    /// The most each step may pay per unit (base units of the market's unit: its stable asset,
    /// or ACN); sizes the escrow.
    pub max_unit_price: Uint128,
    /// Each step's job deadline is its submission time plus this (seconds; at least the
    /// market's commit + reveal windows, at most its `max_job_lifetime`).
    pub step_lifetime: u64,
    /// Tell the buyer (which must then be a contract) when the run ends, by
    /// [`RunCallbackMsg::ReceiveRunResult`] with this gas limit (at most `max_callback_gas`),
    /// a reply-on-error submessage: a failing receiver changes nothing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub callback: Option<Callback>,
}

/// Messages of the CW20 receive hook (`Cw20ReceiveMsg.msg`).
#[cw_serde]
pub enum ReceiveMsg {
    /// Start a run paid in ACN (a market priced in ACN): the tokens sent are the escrow (at
    /// least `Σ step budgets + fee`, any excess sent back at once); each step is bought from
    /// the market with the token's `Send`, and every refund and the developer's fee are paid
    /// in ACN.
    Run(RunMsg),
}

/// What the registry sends a run's buyer contract when the run ends (its JSON is
/// `{"receive_run_result":{"run_id":…,"status":…,"output":…}}`); the receiver checks that the
/// sender is the registry.
#[cw_serde]
pub enum RunCallbackMsg {
    /// The run ended.
    ReceiveRunResult(RunResult),
}

/// A run's outcome, as delivered by [`RunCallbackMsg::ReceiveRunResult`].
#[cw_serde]
pub struct RunResult {
    /// Run id.
    pub run_id: u64,
    /// `Completed`, `Failed` or `Cancelled`.
    pub status: RunStatus,
    /// The last step's output, when the run completed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output: Option<Binary>,
    /// What the buyer was refunded in all.
    pub refunded: Uint128,
}

/// Where a run is.
#[cw_serde]
#[derive(Copy)]
pub enum RunStatus {
    /// A step is in flight, or waits for `Advance`.
    Running,
    /// Every step settled; the developer was paid.
    Completed,
    /// A step ended without an output (expired, voided) or its output did not adapt.
    Failed,
    /// The buyer cancelled it.
    Cancelled,
}

/// Where a step of a run is.
#[cw_serde]
pub enum StepStatus {
    /// Not submitted yet.
    Waiting,
    /// Its market job is in flight.
    InFlight,
    /// Its job settled with an output.
    Done,
    /// Its job ended without an output, or the output did not pass the next adapter.
    Failed {
        /// The job's final status in the market (`None`: the job settled but its output did
        /// not pass the next step's adapter).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        job_status: Option<JobStatus>,
        /// Why the step failed.
        reason: String,
    },
    /// Never submitted: the run ended before it.
    Skipped,
}

/// One step of a run.
#[cw_serde]
pub struct RunStep {
    /// The step's model.
    pub model_id: String,
    /// Escrowed for it: `cost_units_per_item × batch × redundancy × max_unit_price`.
    pub budget: Uint128,
    /// Its market job, once submitted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job_id: Option<u64>,
    /// Sent to the market for it (the quoted price at submission).
    pub price: Uint128,
    /// What the market refunded of it (an expired job's escrow, a no-show's share).
    pub market_refund: Uint128,
    /// Where it is.
    pub status: StepStatus,
    /// Its agreed output, once done.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output: Option<Binary>,
}

/// A run and its steps.
#[cw_serde]
pub struct RunResponse {
    /// Run id (from 1).
    pub id: u64,
    /// Who paid (and gets the refunds).
    pub buyer: Addr,
    /// The agent.
    pub agent_id: String,
    /// Its version.
    pub version: u32,
    /// Its developer (paid `fee` on completion).
    pub developer: Addr,
    /// The developer's fee, escrowed.
    pub fee: Uint128,
    /// The asset of the escrow: the market's stable denom, or `cw20:<token address>` for a run
    /// paid in ACN (see [`RunResponse::token`]).
    pub denom: String,
    /// The first step's input.
    pub input: Binary,
    /// Items per step.
    pub batch: u32,
    /// Slots per step.
    pub redundancy: u8,
    /// Most paid per unit.
    pub max_unit_price: Uint128,
    /// Each step's job lifetime (seconds).
    pub step_lifetime: u64,
    /// Escrow taken: Σ step budgets + fee.
    pub escrow: Uint128,
    /// Where the run is.
    pub status: RunStatus,
    /// Index of the step in flight (or the next to submit; `steps.len()` once all are done).
    pub current: u32,
    /// The steps.
    pub steps: Vec<RunStep>,
    /// Refunded to the buyer so far.
    pub refunded: Uint128,
    /// Paid to the developer (the fee, once completed).
    pub developer_paid: Uint128,
    /// Started at.
    pub created_at: Timestamp,
    /// Ended at.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<Timestamp>,
    /// The run's own result callback and what became of it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub callback: Option<JobCallback>,
}

/// Prefix of [`RunResponse::denom`] for a run paid in a CW20 token (ACN).
pub const CW20_DENOM_PREFIX: &str = "cw20:";

impl RunResponse {
    /// Whether the run has ended (completed, failed or cancelled).
    pub fn is_over(&self) -> bool {
        self.status != RunStatus::Running
    }

    /// The CW20 token the run is paid in (ACN), or `None` for a run paid in a bank denom.
    pub fn token(&self) -> Option<&str> {
        self.denom.strip_prefix(CW20_DENOM_PREFIX)
    }
}

/// A page of runs.
#[cw_serde]
pub struct RunsResponse {
    /// The runs, by id.
    pub runs: Vec<RunResponse>,
}

/// Query messages of the registry.
#[cw_ownable_query]
#[cw_serde]
#[derive(QueryResponses)]
pub enum QueryMsg {
    /// The market and the parameters.
    #[returns(ConfigResponse)]
    Config {},
    /// One version of an agent (the latest when `version` is `None`).
    #[returns(AgentResponse)]
    Agent {
        /// Agent id.
        id: String,
        /// Version (from 1).
        version: Option<u32>,
    },
    /// The versions of an agent (ascending).
    #[returns(AgentsResponse)]
    Versions {
        /// Agent id.
        id: String,
        /// Exclusive start.
        start_after: Option<u32>,
        /// Page size (at most 100, default 30).
        limit: Option<u32>,
    },
    /// The latest version of every agent, by id.
    #[returns(AgentsResponse)]
    Agents {
        /// Exclusive start (agent id).
        start_after: Option<String>,
        /// Page size (at most 100, default 30).
        limit: Option<u32>,
    },
    /// One run (named apart from the `Run` execute message, so generated clients can have both).
    #[returns(RunResponse)]
    RunInfo {
        /// Run id.
        id: u64,
    },
    /// Runs by id, all or one buyer's.
    #[returns(RunsResponse)]
    Runs {
        /// Only this buyer's runs.
        buyer: Option<String>,
        /// Exclusive start (run id).
        start_after: Option<u64>,
        /// Page size (at most 100, default 30).
        limit: Option<u32>,
    },
}

/// The registry's configuration.
#[cw_serde]
pub struct ConfigResponse {
    /// The market.
    pub market: Addr,
    /// The parameters.
    pub params: AgentParams,
}

/// One published version of an agent.
#[cw_serde]
pub struct AgentResponse {
    /// Agent id.
    pub id: String,
    /// Version (from 1).
    pub version: u32,
    /// Who published it (and is paid its fee).
    pub developer: Addr,
    /// The agent as published.
    pub spec: AgentSpec,
    /// When it was published.
    pub published_at: Timestamp,
}

/// A page of agent versions.
#[cw_serde]
pub struct AgentsResponse {
    /// The versions.
    pub agents: Vec<AgentResponse>,
}

/// Migration parameters (none yet).
#[cw_serde]
pub struct MigrateMsg {}

/// Whether `adapter` turns a step's output (`output`) into exactly the next step's input
/// (`input`); the reason when it does not. Shared by the registry (at publish time) and the
/// worker (which applies the adapters).
pub fn check_adapter(
    output: &crate::market::OutputSpec,
    adapter: &Adapter,
    input: &crate::market::InputSpec,
) -> Result<(), String> {
    use crate::market::{DType, OutputSpec};
    let elements = |shape: &[u32]| shape.iter().map(|d| *d as u64).product::<u64>();
    match (adapter, output) {
        (Adapter::Direct {}, OutputSpec::FixedPoint { shape, .. }) => {
            if input.dtype == DType::I32 && &input.shape == shape {
                Ok(())
            } else {
                Err(format!(
                    "direct: a fixed-point output of shape {shape:?} needs an i32 input of that \
                     shape, the model takes {:?} {:?}",
                    input.dtype, input.shape
                ))
            }
        }
        (Adapter::Direct {}, OutputSpec::ClassLabels { .. }) => {
            if input.dtype == DType::I32 && input.shape == [1] {
                Ok(())
            } else {
                Err(format!(
                    "direct: a class label needs an i32 input of shape [1], the model takes \
                     {:?} {:?}",
                    input.dtype, input.shape
                ))
            }
        }
        (Adapter::Dequantize {}, OutputSpec::FixedPoint { shape, .. }) => {
            if input.dtype == DType::F32 && elements(&input.shape) == elements(shape) {
                Ok(())
            } else {
                Err(format!(
                    "dequantize: {} fixed-point values need an f32 input of {} elements, the \
                     model takes {:?} {:?}",
                    elements(shape),
                    elements(shape),
                    input.dtype,
                    input.shape
                ))
            }
        }
        (Adapter::Dequantize {}, OutputSpec::ClassLabels { .. }) => {
            Err("dequantize: the previous step outputs class labels, not fixed-point values".into())
        }
        (Adapter::LabelText { texts }, OutputSpec::ClassLabels { num_classes, .. }) => {
            let Some((max_bytes, _)) = input.text_limits() else {
                return Err(format!(
                    "label_text: the model takes {:?} {:?}, not text",
                    input.dtype, input.shape
                ));
            };
            if texts.len() as u64 != *num_classes as u64 {
                return Err(format!(
                    "label_text: {} texts for {num_classes} classes",
                    texts.len()
                ));
            }
            match texts.iter().position(|t| t.len() as u64 > max_bytes as u64) {
                Some(i) => Err(format!(
                    "label_text: text {i} is {} bytes, the model takes at most {max_bytes}",
                    texts[i].len()
                )),
                None => Ok(()),
            }
        }
        (Adapter::LabelText { .. }, OutputSpec::FixedPoint { .. }) => {
            Err("label_text: the previous step outputs fixed-point values, not class labels".into())
        }
        (_, OutputSpec::Trained { .. }) => {
            Err("a training step's output (a weights hash and metrics) feeds no model".into())
        }
    }
}

/// Turn a step's output (`batch` items per `output`) into the next step's input through
/// `adapter` (which [`check_adapter`] accepted at publish time); the reason when the bytes do
/// not have the announced shape or a label has no text. Run on-chain by the registry between
/// steps.
pub fn apply_adapter(
    output: &crate::market::OutputSpec,
    adapter: &Adapter,
    batch: u32,
    bytes: &[u8],
) -> Result<Vec<u8>, String> {
    use crate::market::OutputSpec;
    let expected = (batch as u64)
        .saturating_mul(output.item_words())
        .saturating_mul(4);
    if bytes.len() as u64 != expected {
        return Err(format!(
            "the output is {} bytes, {batch} items need {expected}",
            bytes.len()
        ));
    }
    let words = bytes.chunks_exact(4).map(|w| [w[0], w[1], w[2], w[3]]);
    match (adapter, output) {
        (Adapter::Direct {}, _) => Ok(bytes.to_vec()),
        (Adapter::Dequantize {}, OutputSpec::FixedPoint { scale, .. }) => {
            let scale = (*scale).max(1) as f64;
            Ok(words
                .flat_map(|w| ((i32::from_le_bytes(w) as f64 / scale) as f32).to_le_bytes())
                .collect())
        }
        (Adapter::LabelText { texts }, OutputSpec::ClassLabels { .. }) => {
            let mut out = Vec::new();
            for w in words {
                let label = u32::from_le_bytes(w);
                let text = texts
                    .get(label as usize)
                    .ok_or_else(|| format!("label {label} has no text"))?;
                out.extend_from_slice(&crate::market::encode_text_items(&[text]));
            }
            Ok(out)
        }
        (adapter, _) => Err(format!("{adapter:?} does not take this output")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::market::OutputSpec;

    fn words(v: &[i32]) -> Vec<u8> {
        v.iter().flat_map(|x| x.to_le_bytes()).collect()
    }

    #[test]
    fn each_adapter_turns_an_output_into_the_next_input_item_by_item() {
        let labels = OutputSpec::ClassLabels {
            num_classes: 3,
            labels: vec![],
        };
        let fixed = OutputSpec::FixedPoint {
            shape: vec![2],
            scale: 10_000,
        };
        // Direct: the same bytes.
        let out = words(&[2, 0]);
        assert_eq!(
            apply_adapter(&labels, &Adapter::Direct {}, 2, &out),
            Ok(out)
        );
        // Dequantize: value / scale as f32.
        let out = words(&[15_000, -2_500]);
        let f: Vec<u8> = [1.5f32, -0.25]
            .iter()
            .flat_map(|x| x.to_le_bytes())
            .collect();
        assert_eq!(
            apply_adapter(&fixed, &Adapter::Dequantize {}, 1, &out),
            Ok(f)
        );
        // LabelText: each label becomes its text, length-prefixed.
        let texts = Adapter::LabelText {
            texts: vec!["a".into(), "bb".into(), "ccc".into()],
        };
        assert_eq!(
            apply_adapter(&labels, &texts, 2, &words(&[2, 1])),
            Ok(crate::market::encode_text_items(&["ccc", "bb"]))
        );
        // Wrong lengths and labels without a text are reasons, not panics.
        assert_eq!(
            apply_adapter(&labels, &Adapter::Direct {}, 2, &words(&[1])),
            Err("the output is 4 bytes, 2 items need 8".into())
        );
        assert_eq!(
            apply_adapter(&labels, &texts, 1, &words(&[7])),
            Err("label 7 has no text".into())
        );
    }
}

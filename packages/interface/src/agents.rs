//! Agent registry (Agent Forge): developers publish agents — ordered pipelines of market models,
//! each step's output turned into the next step's input by a declared adapter — with a per-run
//! fee paid to the developer. Every version is immutable: publishing under an existing id (only
//! by its developer) adds the next version.
//!
//! **Validation at publish time.** Each step's model must be registered and active in the
//! market; each adapter must turn the previous step's output spec into exactly the next step's
//! input spec (see [`Adapter`]); the fee must be within the registry's `max_run_fee`. A refused
//! publication names the step and what does not fit.

use cosmwasm_schema::{cw_serde, QueryResponses};
use cosmwasm_std::{Addr, Timestamp, Uint128};
use cw_ownable::{cw_ownable_execute, cw_ownable_query};

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
}

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
    }
}

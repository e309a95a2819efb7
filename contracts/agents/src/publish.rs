//! `Publish`: the checks of an agent against the registry's bounds and the market's models,
//! and the immutable version it becomes.

use cosmwasm_std::{Deps, DepsMut, Env, MessageInfo, Response};

use acn_interface::agents::{
    check_adapter, AgentParams, AgentResponse, AgentSpec, MAX_AGENT_TEXT_LEN,
};
use acn_interface::market;

use crate::error::ContractError;
use crate::state::{LATEST, MARKET, PARAMS, VERSIONS};

fn agent_err(field: &str, reason: impl Into<String>) -> ContractError {
    ContractError::InvalidAgent {
        field: field.into(),
        reason: reason.into(),
    }
}

/// Check the registry's parameters against their guard rails.
pub fn validate_params(p: &AgentParams) -> Result<(), ContractError> {
    use acn_interface::agents::MAX_STEPS_LIMIT;
    if p.max_steps == 0 || p.max_steps > MAX_STEPS_LIMIT {
        return Err(ContractError::InvalidParams {
            field: "max_steps".into(),
            reason: format!("{} outside 1..={MAX_STEPS_LIMIT}", p.max_steps),
        });
    }
    let ceiling = acn_interface::market::MAX_CALLBACK_GAS_LIMIT;
    if p.max_callback_gas > ceiling {
        return Err(ContractError::InvalidParams {
            field: "max_callback_gas".into(),
            reason: format!("{} above {ceiling}", p.max_callback_gas),
        });
    }
    Ok(())
}

/// Check an agent: id, texts, fee, step count, adapters (none on the first step, one on every
/// later step), every model registered and active, every adapter fitting its two models.
pub fn check(deps: Deps, params: &AgentParams, agent: &AgentSpec) -> Result<(), ContractError> {
    let id_ok = (1..=64).contains(&agent.id.len())
        && agent
            .id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c));
    if !id_ok {
        return Err(agent_err(
            "id",
            format!("{:?} is not 1–64 chars of [a-z0-9._-]", agent.id),
        ));
    }
    for (field, text) in [("name", &agent.name), ("description", &agent.description)] {
        if text.len() > MAX_AGENT_TEXT_LEN {
            return Err(agent_err(
                field,
                format!("{} bytes, at most {MAX_AGENT_TEXT_LEN}", text.len()),
            ));
        }
    }
    if agent.name.is_empty() {
        return Err(agent_err("name", "empty"));
    }
    if agent.fee > params.max_run_fee {
        return Err(ContractError::FeeAboveMax {
            fee: agent.fee,
            max: params.max_run_fee,
        });
    }
    let n = agent.steps.len();
    if n == 0 || n > params.max_steps as usize {
        return Err(agent_err(
            "steps",
            format!("{n} steps, expected 1..={}", params.max_steps),
        ));
    }
    let market = MARKET.load(deps.storage)?;
    let mut prev: Option<market::ModelSpec> = None;
    for (i, step) in agent.steps.iter().enumerate() {
        let model: market::ModelResponse = deps
            .querier
            .query_wasm_smart(
                &market,
                &market::QueryMsg::Model {
                    id: step.model_id.clone(),
                },
            )
            .map_err(|_| ContractError::ModelNotFound {
                step: i,
                model_id: step.model_id.clone(),
            })?;
        if !model.active {
            return Err(ContractError::ModelInactive {
                step: i,
                model_id: step.model_id.clone(),
            });
        }
        match (&prev, &step.adapter) {
            (None, Some(_)) => {
                return Err(ContractError::BadAdapter {
                    step: i,
                    reason: "the first step takes the run's input and has no adapter".into(),
                })
            }
            (Some(_), None) => {
                return Err(ContractError::BadAdapter {
                    step: i,
                    reason: "every step after the first needs an adapter".into(),
                })
            }
            (Some(p), Some(adapter)) => check_adapter(&p.output, adapter, &model.spec.input)
                .map_err(|reason| ContractError::StepMismatch {
                    step: i,
                    model_id: step.model_id.clone(),
                    prev: i - 1,
                    prev_model_id: p.id.clone(),
                    reason,
                })?,
            (None, None) => {}
        }
        prev = Some(model.spec);
    }
    Ok(())
}

/// `Publish`: a new agent (the sender its developer) or the next version of the sender's own.
pub fn publish(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    agent: AgentSpec,
) -> Result<Response, ContractError> {
    let params = PARAMS.load(deps.storage)?;
    check(deps.as_ref(), &params, &agent)?;
    let latest = LATEST.may_load(deps.storage, &agent.id)?;
    if latest.is_some() {
        let first = VERSIONS.load(deps.storage, (&agent.id, 1))?;
        if first.developer != info.sender {
            return Err(ContractError::NotDeveloper {
                id: agent.id,
                developer: first.developer.into_string(),
            });
        }
    }
    let version = latest.unwrap_or(0) + 1;
    let id = agent.id.clone();
    VERSIONS.save(
        deps.storage,
        (&id, version),
        &AgentResponse {
            id: id.clone(),
            version,
            developer: info.sender.clone(),
            spec: agent,
            published_at: env.block.time,
        },
    )?;
    LATEST.save(deps.storage, &id, &version)?;
    Ok(Response::new()
        .add_attribute("action", "publish")
        .add_attribute("agent_id", id)
        .add_attribute("version", version.to_string())
        .add_attribute("developer", info.sender))
}

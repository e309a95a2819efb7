//! `Agent` targets: checking one at `Create` (its version pinned), a run's escrow by the
//! registry's rule, the registry's `Run` a `Trigger` sends, the reply that files the run, and
//! the registry's `ReceiveRunResult`.

use cosmwasm_std::{
    coins, wasm_execute, Addr, Binary, Deps, DepsMut, MessageInfo, Response, SubMsgResponse,
    Uint128,
};
use serde::Deserialize;

use acn_interface::agents::{self, RunResult, RunStatus};
use acn_interface::market::{self, Callback};
use acn_interface::market_view::MarketConfigView;
use acn_interface::subscriptions::{RunSettings, SubscriptionCallbackMsg, Target, MAX_INPUT_BYTES};

use crate::contract::field_err;
use crate::error::ContractError;
use crate::run::{finish, Outcome};
use crate::state::{Config, AGENT_RUNS};

/// Reply id of a run's `Run` to the agent registry (always replied: a refused run is skipped).
pub const RUN_REPLY: u64 = 3;

/// The part of the registry's `AgentResponse` a subscription reads.
#[derive(Deserialize)]
struct AgentView {
    version: u32,
    spec: AgentSpecView,
}

#[derive(Deserialize)]
struct AgentSpecView {
    steps: Vec<StepView>,
    fee: Uint128,
}

#[derive(Deserialize)]
struct StepView {
    model_id: String,
}

/// The part of the registry's `ConfigResponse` a subscription reads.
#[derive(Deserialize)]
struct RegistryView {
    market: Addr,
    params: RegistryParamsView,
}

#[derive(Deserialize)]
struct RegistryParamsView {
    max_callback_gas: u64,
}

/// The configured registry.
pub fn registry(config: &Config) -> Result<&Addr, ContractError> {
    config
        .agents
        .as_ref()
        .ok_or(ContractError::NoAgentRegistry {})
}

/// `agents` must be an agent registry running agents on `market`.
pub fn check_registry(deps: Deps, market: &Addr, agents: &Addr) -> Result<(), ContractError> {
    let r: RegistryView = deps
        .querier
        .query_wasm_smart(agents, &agents::QueryMsg::Config {})
        .map_err(|e| field_err("agents", format!("{agents} is not an agent registry: {e}")))?;
    if r.market != *market {
        return Err(field_err(
            "agents",
            format!(
                "{agents} runs agents on the market {}, not on {market}",
                r.market
            ),
        ));
    }
    Ok(())
}

fn load_agent(
    deps: Deps,
    agents: &Addr,
    agent_id: &str,
    version: Option<u32>,
) -> Result<AgentView, ContractError> {
    deps.querier
        .query_wasm_smart(
            agents,
            &agents::QueryMsg::Agent {
                id: agent_id.into(),
                version,
            },
        )
        .map_err(|e| {
            let what = version.map_or("its latest version".to_string(), |v| format!("version {v}"));
            field_err(
                "target.agent_id",
                format!("{agent_id} ({what}) is not published in {agents}: {e}"),
            )
        })
}

fn load_model(
    deps: Deps,
    config: &Config,
    model_id: &str,
) -> Result<market::ModelResponse, ContractError> {
    Ok(deps.querier.query_wasm_smart(
        &config.market,
        &market::QueryMsg::Model {
            id: model_id.into(),
        },
    )?)
}

/// A run's escrow by the registry's rule: `Σ cost_units_per_item × batch × redundancy ×
/// max_unit_price` over the steps, plus the developer's fee.
pub fn escrow(deps: Deps, config: &Config, target: &Target) -> Result<Uint128, ContractError> {
    let Target::Agent {
        agent_id,
        version,
        batch,
        redundancy,
        max_unit_price,
        ..
    } = target
    else {
        unreachable!("escrow takes an agent target");
    };
    let agent = load_agent(deps, registry(config)?, agent_id, *version)?;
    let mut sum = agent.spec.fee;
    for step in &agent.spec.steps {
        let model = load_model(deps, config, &step.model_id)?;
        let budget = Uint128::from(model.spec.cost_units_per_item)
            .checked_mul(Uint128::from(*batch))?
            .checked_mul(Uint128::from(*redundancy))?
            .checked_mul(*max_unit_price)?;
        sum = sum.checked_add(budget)?;
    }
    Ok(sum)
}

/// `Create` of an `Agent` target: the registry is configured, the agent version exists (the
/// latest when `None`, pinned in the returned target), every step's model is active and takes
/// the batch and redundancy, the input fits the first step's model, the step lifetime fits the
/// market's windows and the callback gas the registry's bound.
pub fn check(
    deps: Deps,
    config: &Config,
    target: Target,
    settings: &RunSettings,
) -> Result<Target, ContractError> {
    let Target::Agent {
        agent_id,
        version,
        input,
        batch,
        redundancy,
        max_unit_price,
        step_lifetime,
    } = target
    else {
        unreachable!("agent::check takes an agent target");
    };
    let agents = registry(config)?;
    let agent = load_agent(deps, agents, &agent_id, version)?;
    let m: MarketConfigView = deps
        .querier
        .query_wasm_smart(&config.market, &market::QueryMsg::Config {})?;
    let p = &m.params;
    if batch == 0 {
        return Err(field_err("target.batch", "0 items, at least 1"));
    }
    let mut min_redundancy = 2;
    for (i, step) in agent.spec.steps.iter().enumerate() {
        let model = load_model(deps, config, &step.model_id).map_err(|e| {
            field_err(
                "target.agent_id",
                format!(
                    "step {i} names {}, which is not registered: {e}",
                    step.model_id
                ),
            )
        })?;
        if !model.active {
            return Err(field_err(
                "target.agent_id",
                format!("step {i} ({}) is not active", step.model_id),
            ));
        }
        if batch > model.spec.input.max_batch {
            return Err(field_err(
                "target.batch",
                format!(
                    "{batch} items, step {i} ({}) takes at most {}",
                    step.model_id, model.spec.input.max_batch
                ),
            ));
        }
        if i == 0 {
            let max_input = MAX_INPUT_BYTES.min(p.max_input_bytes);
            model
                .spec
                .validate_input(input.as_slice(), batch, max_input)
                .map_err(|e| field_err("target.input", e.to_string()))?;
        }
        min_redundancy = min_redundancy.max(model.spec.min_redundancy);
    }
    if redundancy < min_redundancy || redundancy > p.max_redundancy {
        return Err(field_err(
            "target.redundancy",
            format!(
                "{redundancy} outside {min_redundancy}..={} (every step's model's minimum, and \
                 at least 2: a contract cannot keep a redundancy-1 job's audit secret)",
                p.max_redundancy
            ),
        ));
    }
    crate::manage::check_lifetime(p, "target.step_lifetime", step_lifetime)?;
    let r: RegistryView = deps
        .querier
        .query_wasm_smart(agents, &agents::QueryMsg::Config {})?;
    let max_gas = r.params.max_callback_gas;
    if settings.callback_gas == 0 || settings.callback_gas > max_gas {
        return Err(field_err(
            "settings.callback_gas",
            format!(
                "{} outside 1..={max_gas} (the agent registry's max_callback_gas)",
                settings.callback_gas
            ),
        ));
    }
    Ok(Target::Agent {
        agent_id,
        version: Some(agent.version),
        input,
        batch,
        redundancy,
        max_unit_price,
        step_lifetime,
    })
}

/// The registry's `Run` for one run of `target`, paying `escrow`, with the run callback to this
/// contract.
pub fn run_msg(
    config: &Config,
    target: &Target,
    settings: &RunSettings,
    escrow: Uint128,
) -> Result<cosmwasm_std::WasmMsg, ContractError> {
    let Target::Agent {
        agent_id,
        version,
        input,
        batch,
        redundancy,
        max_unit_price,
        step_lifetime,
    } = target
    else {
        unreachable!("run_msg takes an agent target");
    };
    Ok(wasm_execute(
        registry(config)?,
        &agents::ExecuteMsg::Run(agents::RunMsg {
            agent_id: agent_id.clone(),
            version: *version,
            input: input.clone(),
            batch: *batch,
            redundancy: *redundancy,
            max_unit_price: *max_unit_price,
            step_lifetime: *step_lifetime,
            callback: Some(Callback {
                gas_limit: settings.callback_gas,
            }),
        }),
        coins(escrow.u128(), &config.denom),
    )?)
}

/// The registry's answer to a `Run`: the run id and the escrow it kept (from its `run` event).
pub fn started(
    config: &Config,
    response: &SubMsgResponse,
) -> Result<(u64, Uint128), ContractError> {
    let registry = registry(config)?;
    let event = response
        .events
        .iter()
        .find(|e| {
            e.ty == "wasm"
                && e.attributes
                    .iter()
                    .any(|a| a.key == "_contract_address" && a.value == registry.as_str())
                && e.attributes
                    .iter()
                    .any(|a| a.key == "action" && a.value == "run")
        })
        .ok_or(ContractError::NoRunAttribute {
            attribute: "run_id".into(),
        })?;
    let attr = |key: &str| {
        event
            .attributes
            .iter()
            .find(|a| a.key == key)
            .map(|a| a.value.clone())
            .ok_or(ContractError::NoRunAttribute {
                attribute: key.into(),
            })
    };
    let run_id = attr("run_id")?
        .parse::<u64>()
        .map_err(|_| ContractError::NoRunAttribute {
            attribute: "run_id".into(),
        })?;
    let escrow = attr("escrow")?
        .parse::<u128>()
        .map_err(|_| ContractError::NoRunAttribute {
            attribute: "escrow".into(),
        })?;
    Ok((run_id, Uint128::new(escrow)))
}

/// The part of the registry's `RunResponse` a `Sync` reads.
#[derive(Deserialize)]
struct RunOutcomeView {
    status: RunStatus,
    refunded: Uint128,
    steps: Vec<RunStepView>,
}

#[derive(Deserialize)]
struct RunStepView {
    #[serde(default)]
    output: Option<Binary>,
}

/// `Sync` of an agent run in flight: once the registry has ended it, apply what its callback
/// would have delivered (the last output of a completed run, the refund in all).
pub fn sync_run(
    deps: DepsMut,
    config: &Config,
    id: u64,
    run_id: u64,
) -> Result<Response, ContractError> {
    let run: RunOutcomeView = deps
        .querier
        .query_wasm_smart(registry(config)?, &agents::QueryMsg::RunInfo { id: run_id })?;
    if run.status == RunStatus::Running {
        return Err(ContractError::StillGoing {
            id,
            what: format!("agent run {run_id}"),
            status: "Running".into(),
        });
    }
    let output = match run.status {
        RunStatus::Completed => run.steps.last().and_then(|s| s.output.clone()),
        _ => None,
    };
    let result = RunResult {
        run_id,
        status: run.status,
        output,
        refunded: run.refunded,
    };
    run_finished(deps, config, id, result).map(|res| {
        res.add_attribute("action", "sync_run")
            .add_attribute("agent_run_id", run_id.to_string())
    })
}

/// Agent run `result.run_id` of subscription `id` ended: take it off the flight and [`finish`]
/// its run with what the registry refunded (the registry's callback, or `Sync`).
fn run_finished(
    deps: DepsMut,
    config: &Config,
    id: u64,
    result: RunResult,
) -> Result<Response, ContractError> {
    let run_id = result.run_id;
    AGENT_RUNS.remove(deps.storage, run_id);
    let outcome = Outcome {
        job_status: None,
        run_status: Some(result.status),
        output: result.output.clone(),
        refunded: result.refunded,
    };
    finish(
        deps,
        config,
        id,
        |f| f.agent_run_id == Some(run_id),
        ContractError::UnknownAgentRun { run_id },
        outcome,
        |id, run| SubscriptionCallbackMsg::SubscriptionRunResult { id, run, result },
    )
}

/// `ReceiveRunResult`: from the configured registry only, for an agent run in flight, once.
/// Records the outcome and credits what the registry refunded (to the owner of a cancelled
/// subscription), as a job's result does.
pub fn receive_run_result(
    deps: DepsMut,
    info: MessageInfo,
    result: RunResult,
) -> Result<Response, ContractError> {
    cw_utils::nonpayable(&info)?;
    let config = crate::state::CONFIG.load(deps.storage)?;
    if config.agents.as_ref() != Some(&info.sender) {
        return Err(ContractError::NotTheAgentRegistry {
            registry: config.agents.map_or("none".to_string(), Addr::into_string),
            sender: info.sender.into_string(),
        });
    }
    let run_id = result.run_id;
    let status = format!("{:?}", result.status);
    let id = AGENT_RUNS
        .may_load(deps.storage, run_id)?
        .ok_or(ContractError::UnknownAgentRun { run_id })?;
    run_finished(deps, &config, id, result).map(|res| {
        res.add_attribute("action", "receive_run_result")
            .add_attribute("agent_run_id", run_id.to_string())
            .add_attribute("status", status)
    })
}

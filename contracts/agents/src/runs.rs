//! Agent runs, settled per step: `Run` (escrow, first step), the market's `ReceiveResult`
//! (records a step's outcome, nothing else), `Advance` (next step or the run's end), `Cancel`.
//!
//! Money: a run holds `escrow = Σ budgets + fee` in the market's unit (its stable denom, or ACN
//! in a market priced in ACN, paid and refunded by CW20 transfers). A step sends its quoted
//! price to the market; the market pays the step's providers and refunds the registry what it
//! does not pay out (recorded as the step's `market_refund`). Whatever the run still owes its
//! buyer is always `escrow − Σ (price − market_refund) − developer_paid − refunded`, paid out
//! when the run ends, and again for a cancelled run's in-flight step once its refund is known.

use cosmwasm_std::{
    coins, from_json, to_json_binary, wasm_execute, Addr, BankMsg, Binary, CosmosMsg, Deps,
    DepsMut, Env, MessageInfo, Reply, Response, StdError, SubMsg, SubMsgResult, Uint128,
};
use cw20::{Cw20ExecuteMsg, Cw20ReceiveMsg};
use serde::Deserialize;

use acn_interface::agents::{
    apply_adapter, AgentResponse, ReceiveMsg, RunCallbackMsg, RunMsg, RunResponse, RunResult,
    RunStatus, RunStep, StepStatus, CW20_DENOM_PREFIX, STEP_CALLBACK_GAS,
};
use acn_interface::market::{
    self, Callback, CallbackStatus, JobCallback, JobResult, JobStatus, MAX_CALLBACK_ERROR_LEN,
};

use crate::error::ContractError;
use crate::state::{BUYER_RUNS, JOB_STEPS, MARKET, PARAMS, RUNS, RUN_SEQ};

/// Reply id of a step's `SubmitJob` (payload: the run id, big-endian).
pub const SUBMIT_REPLY: u64 = 1;
/// Reply id of a run's own result callback (payload: the run id, big-endian).
pub const RUN_CALLBACK_REPLY: u64 = 2;

/// The part of the market's `ConfigResponse` the registry reads: read without its large
/// parameters, whose deserializer (inlined into `instantiate`) had more locals than wasmd's VM
/// accepts (100).
#[derive(Deserialize)]
pub struct MarketStable {
    /// The market's payment CW20 (present in every ACN market's config).
    pub token: Addr,
    /// Its staking contract.
    pub staking: Addr,
    /// The stable payment asset, if any.
    #[serde(default)]
    stable: Option<StableDenom>,
}

#[derive(Deserialize)]
struct StableDenom {
    denom: String,
}

/// The part of a market `ModelResponse` a run needs.
#[derive(Deserialize)]
struct ModelView {
    spec: ModelSpecView,
    active: bool,
}

#[derive(Deserialize)]
struct ModelSpecView {
    input: market::InputSpec,
    output: market::OutputSpec,
    cost_units_per_item: u64,
    min_redundancy: u8,
}

/// The part of a market `JobResponse` a step's outcome needs.
#[derive(Deserialize)]
struct JobView {
    status: JobStatus,
    #[serde(default)]
    result: Option<Binary>,
    refunded: Uint128,
}

/// The part of a market `QuoteResponse` a submission needs.
#[derive(Deserialize)]
struct QuoteView {
    price: Uint128,
    unit_price: Uint128,
}

fn invalid(field: &str, reason: impl Into<String>) -> ContractError {
    ContractError::InvalidRun {
        field: field.into(),
        reason: reason.into(),
    }
}

#[inline(never)]
fn query_model(
    deps: Deps,
    market: &Addr,
    step: usize,
    id: &str,
) -> Result<ModelView, ContractError> {
    deps.querier
        .query_wasm_smart(market, &market::QueryMsg::Model { id: id.into() })
        .map_err(|_| ContractError::ModelNotFound {
            step,
            model_id: id.into(),
        })
}

/// The market's configuration, as far as the registry reads it.
#[inline(never)]
pub fn market_config(deps: Deps, market: &Addr) -> cosmwasm_std::StdResult<MarketStable> {
    deps.querier
        .query_wasm_smart(market, &market::QueryMsg::Config {})
}

/// Each step's budget: `cost_units_per_item × batch × redundancy × max_unit_price`, checked
/// against every model (active, batch, redundancy).
#[inline(never)]
fn budgets(
    deps: Deps,
    market: &Addr,
    agent: &AgentResponse,
    req: &RunMsg,
) -> Result<Vec<RunStep>, ContractError> {
    let overflow = || ContractError::EscrowOverflow {
        max_unit_price: req.max_unit_price,
    };
    let mut steps = Vec::with_capacity(agent.spec.steps.len());
    for (i, step) in agent.spec.steps.iter().enumerate() {
        let model = query_model(deps, market, i, &step.model_id)?;
        if !model.active {
            return Err(ContractError::ModelInactive {
                step: i,
                model_id: step.model_id.clone(),
            });
        }
        if req.batch > model.spec.input.max_batch {
            return Err(invalid(
                "batch",
                format!(
                    "{} items, step {i} ({}) takes at most {}",
                    req.batch, step.model_id, model.spec.input.max_batch
                ),
            ));
        }
        if req.redundancy < model.spec.min_redundancy {
            return Err(invalid(
                "redundancy",
                format!(
                    "{}, step {i} ({}) needs at least {}",
                    req.redundancy, step.model_id, model.spec.min_redundancy
                ),
            ));
        }
        let units = Uint128::from(model.spec.cost_units_per_item)
            .checked_mul(Uint128::from(req.batch))
            .and_then(|u| u.checked_mul(Uint128::from(req.redundancy)))
            .and_then(|u| u.checked_mul(req.max_unit_price))
            .map_err(|_| overflow())?;
        steps.push(RunStep {
            model_id: step.model_id.clone(),
            budget: units,
            job_id: None,
            price: Uint128::zero(),
            market_refund: Uint128::zero(),
            status: StepStatus::Waiting,
            output: None,
        });
    }
    Ok(steps)
}

/// What pays for a run: who, how much, in which asset (a bank denom, or `cw20:<token>`).
struct Payment {
    buyer: Addr,
    amount: Uint128,
    denom: String,
}

/// `Run` with the escrow attached in the market's stable asset.
pub fn run_stable(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    req: RunMsg,
) -> Result<Response, ContractError> {
    let market = MARKET.load(deps.storage)?;
    let denom = market_config(deps.as_ref(), &market)?
        .stable
        .map(|s| s.denom)
        .ok_or(ContractError::NoStableAsset {})?;
    let amount = cw_utils::must_pay(&info, &denom)?;
    let payment = Payment {
        buyer: info.sender,
        amount,
        denom,
    };
    run(deps, env, payment, req)
}

/// The `run` hook: a run paid in ACN by the market's token, in a market priced in ACN.
pub fn run_acn(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    hook: Cw20ReceiveMsg,
) -> Result<Response, ContractError> {
    let market = MARKET.load(deps.storage)?;
    let config = market_config(deps.as_ref(), &market)?;
    if info.sender != config.token {
        return Err(ContractError::NotTheToken {
            token: config.token.into_string(),
            sender: info.sender.into_string(),
        });
    }
    if let Some(stable) = config.stable {
        return Err(ContractError::StableMarket {
            denom: stable.denom,
        });
    }
    let ReceiveMsg::Run(req) = from_json(&hook.msg)?;
    let payment = Payment {
        buyer: deps.api.addr_validate(&hook.sender)?,
        amount: hook.amount,
        denom: format!("{CW20_DENOM_PREFIX}{}", config.token),
    };
    run(deps, env, payment, req)
}

/// Check, escrow, submit the first step.
fn run(deps: DepsMut, env: Env, payment: Payment, req: RunMsg) -> Result<Response, ContractError> {
    let market = MARKET.load(deps.storage)?;
    let params = PARAMS.load(deps.storage)?;
    let agent = crate::contract::load_version(deps.as_ref(), req.agent_id.clone(), req.version)?;
    if req.batch == 0 {
        return Err(invalid("batch", "at least 1 item"));
    }
    if req.redundancy < 2 {
        return Err(invalid(
            "redundancy",
            format!(
                "{}, at least 2 (a redundancy-1 job is verified by its buyer's audit secret)",
                req.redundancy
            ),
        ));
    }
    let Payment {
        buyer,
        amount: paid,
        denom,
    } = payment;
    let steps = budgets(deps.as_ref(), &market, &agent, &req)?;
    let escrow = steps
        .iter()
        .try_fold(agent.spec.fee, |sum, s| sum.checked_add(s.budget))
        .map_err(|_| ContractError::EscrowOverflow {
            max_unit_price: req.max_unit_price,
        })?;
    let callback = check_callback(deps.as_ref(), params.max_callback_gas, &buyer, req.callback)?;
    if paid < escrow {
        return Err(ContractError::InsufficientFunds {
            required: escrow,
            paid,
            denom,
        });
    }
    let id = RUN_SEQ.may_load(deps.storage)?.unwrap_or(0) + 1;
    RUN_SEQ.save(deps.storage, &id)?;
    let mut run = RunResponse {
        id,
        buyer: buyer.clone(),
        agent_id: agent.id,
        version: agent.version,
        developer: agent.developer,
        fee: agent.spec.fee,
        denom: denom.clone(),
        input: req.input.clone(),
        batch: req.batch,
        redundancy: req.redundancy,
        max_unit_price: req.max_unit_price,
        step_lifetime: req.step_lifetime,
        escrow,
        status: RunStatus::Running,
        current: 0,
        steps,
        refunded: Uint128::zero(),
        developer_paid: Uint128::zero(),
        created_at: env.block.time,
        finished_at: None,
        callback,
    };
    let submit = submit_step(deps.as_ref(), &env, &market, &mut run, req.input)?;
    RUNS.save(deps.storage, id, &run)?;
    BUYER_RUNS.save(deps.storage, (&buyer, id), &())?;
    let mut res = Response::new()
        .add_attribute("action", "run")
        .add_attribute("run_id", id.to_string())
        .add_attribute("agent_id", &run.agent_id)
        .add_attribute("version", run.version.to_string())
        .add_attribute("escrow", escrow)
        .add_submessage(submit);
    let excess = paid - escrow;
    if !excess.is_zero() {
        res = res.add_message(pay(&buyer, excess, &denom)?);
    }
    Ok(res.set_data(to_json_binary(&id)?))
}

fn check_callback(
    deps: Deps,
    max: u64,
    buyer: &Addr,
    callback: Option<Callback>,
) -> Result<Option<JobCallback>, ContractError> {
    let Some(cb) = callback else {
        return Ok(None);
    };
    if cb.gas_limit == 0 || cb.gas_limit > max {
        return Err(ContractError::InvalidCallbackGas {
            gas_limit: cb.gas_limit,
            max,
        });
    }
    if deps.querier.query_wasm_contract_info(buyer).is_err() {
        return Err(ContractError::CallbackReceiverNotContract {
            address: buyer.to_string(),
        });
    }
    Ok(Some(JobCallback {
        gas_limit: cb.gas_limit,
        status: CallbackStatus::Pending,
    }))
}

/// Pay `amount` of a run's asset: a bank send, or a CW20 transfer for `cw20:<token>`.
fn pay(to: &Addr, amount: Uint128, denom: &str) -> Result<CosmosMsg, ContractError> {
    Ok(match denom.strip_prefix(CW20_DENOM_PREFIX) {
        Some(token) => wasm_execute(
            token,
            &Cw20ExecuteMsg::Transfer {
                recipient: to.to_string(),
                amount,
            },
            vec![],
        )?
        .into(),
        None => BankMsg::Send {
            to_address: to.to_string(),
            amount: coins(amount.u128(), denom),
        }
        .into(),
    })
}

/// Buy the current step's job at the quoted price (its budget bounds it), with a result
/// callback to this contract; the reply files the job id.
#[inline(never)]
fn submit_step(
    deps: Deps,
    env: &Env,
    market: &Addr,
    run: &mut RunResponse,
    input: Binary,
) -> Result<SubMsg, ContractError> {
    let idx = run.current;
    let step = &mut run.steps[idx as usize];
    let quote: QuoteView = deps.querier.query_wasm_smart(
        market,
        &market::QueryMsg::Quote {
            model_id: step.model_id.clone(),
            batch: run.batch,
            redundancy: run.redundancy,
            buyer: Some(env.contract.address.to_string()),
            input: None,
        },
    )?;
    if quote.unit_price > run.max_unit_price || quote.price > step.budget {
        return Err(ContractError::PriceAboveMax {
            run_id: run.id,
            step: idx,
            unit_price: quote.unit_price,
            max_unit_price: run.max_unit_price,
        });
    }
    step.price = quote.price;
    step.status = StepStatus::InFlight;
    let (model_id, batch, redundancy) = (step.model_id.clone(), run.batch, run.redundancy);
    let (max_unit_price, deadline) = (
        run.max_unit_price,
        env.block.time.plus_seconds(run.step_lifetime),
    );
    let callback = Some(Callback {
        gas_limit: STEP_CALLBACK_GAS,
    });
    let submit = match run.token() {
        // ACN: the token's `Send` to the market with its `SubmitJob` hook.
        Some(token) => wasm_execute(
            token,
            &Cw20ExecuteMsg::Send {
                contract: market.to_string(),
                amount: quote.price,
                msg: to_json_binary(&market::ReceiveMsg::SubmitJob {
                    model_id,
                    input,
                    batch,
                    redundancy,
                    max_unit_price,
                    deadline,
                    audit_commitment: None,
                    callback,
                })?,
            },
            vec![],
        )?,
        None => wasm_execute(
            market,
            &market::ExecuteMsg::SubmitJob {
                model_id,
                input,
                batch,
                redundancy,
                max_unit_price,
                deadline,
                audit_commitment: None,
                callback,
            },
            coins(quote.price.u128(), &run.denom),
        )?,
    };
    Ok(SubMsg::reply_on_success(submit, SUBMIT_REPLY).with_payload(run.id.to_be_bytes().to_vec()))
}

/// The market's reply to a step's `SubmitJob`: file the job under its run and step.
pub fn submitted(deps: DepsMut, msg: Reply) -> Result<Response, ContractError> {
    let market = MARKET.load(deps.storage)?;
    let run_id = run_id_of(&msg.payload)?;
    let response = msg.result.into_result().map_err(StdError::generic_err)?;
    let job_id = response
        .events
        .iter()
        .filter(|e| {
            e.ty == "wasm"
                && e.attributes
                    .iter()
                    .any(|a| a.key == "_contract_address" && a.value == market.as_str())
        })
        .flat_map(|e| e.attributes.iter())
        .find(|a| a.key == "job_id")
        .and_then(|a| a.value.parse::<u64>().ok())
        .ok_or(ContractError::NoJobId {})?;
    let mut run = load(deps.as_ref(), run_id)?;
    let idx = run.current;
    run.steps[idx as usize].job_id = Some(job_id);
    RUNS.save(deps.storage, run_id, &run)?;
    JOB_STEPS.save(deps.storage, job_id, &(run_id, idx))?;
    Ok(Response::new()
        .add_attribute("run_id", run_id.to_string())
        .add_attribute("step", idx.to_string())
        .add_attribute("step_job_id", job_id.to_string()))
}

fn run_id_of(payload: &[u8]) -> Result<u64, ContractError> {
    <[u8; 8]>::try_from(payload)
        .map(u64::from_be_bytes)
        .map_err(|_| StdError::generic_err("reply payload is not a run id").into())
}

fn load(deps: Deps, id: u64) -> Result<RunResponse, ContractError> {
    RUNS.may_load(deps.storage, id)?
        .ok_or(ContractError::RunNotFound { id })
}

/// Record a final job's outcome in its step.
fn record(step: &mut RunStep, status: JobStatus, output: Option<Binary>, refunded: Uint128) {
    step.market_refund = refunded;
    match output {
        Some(out) if matches!(status, JobStatus::Settled | JobStatus::Resolved) => {
            step.status = StepStatus::Done;
            step.output = Some(out);
        }
        _ => {
            step.status = StepStatus::Failed {
                job_status: Some(status),
                reason: "the job ended without an output".into(),
            }
        }
    }
}

#[inline(never)]
fn query_job(deps: Deps, market: &Addr, job_id: u64) -> Result<JobView, ContractError> {
    Ok(deps
        .querier
        .query_wasm_smart(market, &market::QueryMsg::Job { id: job_id })?)
}

/// `ReceiveResult`: from the market only, for a step in flight, once. Records the outcome (and
/// what the market refunded of the step); `Advance` acts on it.
pub fn receive_result(
    deps: DepsMut,
    info: MessageInfo,
    result: JobResult,
) -> Result<Response, ContractError> {
    let market = MARKET.load(deps.storage)?;
    if info.sender != market {
        return Err(ContractError::NotTheMarket {
            market: market.into_string(),
            sender: info.sender.into_string(),
        });
    }
    let job_id = result.job_id;
    let (run_id, idx) = JOB_STEPS
        .may_load(deps.storage, job_id)?
        .ok_or(ContractError::UnknownJob { job_id })?;
    let mut run = load(deps.as_ref(), run_id)?;
    let step = &mut run.steps[idx as usize];
    if step.status != StepStatus::InFlight {
        return Err(ContractError::StepAlreadyRecorded {
            run_id,
            step: idx,
            job_id,
        });
    }
    // What the market refunded of the step (an expired job's escrow, a no-show's share).
    let refunded = query_job(deps.as_ref(), &market, job_id)?.refunded;
    record(step, result.status, result.output, refunded);
    RUNS.save(deps.storage, run_id, &run)?;
    Ok(Response::new()
        .add_attribute("action", "receive_result")
        .add_attribute("run_id", run_id.to_string())
        .add_attribute("step", idx.to_string())
        .add_attribute("job_id", job_id.to_string())
        .add_attribute("status", format!("{:?}", result.status)))
}

/// What the run still owes its buyer: `escrow − Σ (price − market_refund) − developer_paid −
/// refunded`.
fn owed(run: &RunResponse) -> Result<Uint128, ContractError> {
    let mut came_in = run.escrow;
    let mut went_out = run.developer_paid.checked_add(run.refunded)?;
    for s in &run.steps {
        came_in = came_in.checked_add(s.market_refund)?;
        went_out = went_out.checked_add(s.price)?;
    }
    Ok(came_in.checked_sub(went_out)?)
}

/// End a run: mark the steps never submitted, pay the developer on completion, refund the buyer
/// what is owed, and send the run's callback.
#[inline(never)]
fn end(env: &Env, run: &mut RunResponse, status: RunStatus) -> Result<Response, ContractError> {
    run.status = status;
    run.finished_at = Some(env.block.time);
    for s in run.steps.iter_mut() {
        if s.status == StepStatus::Waiting {
            s.status = StepStatus::Skipped;
        }
    }
    let mut res = Response::new()
        .add_attribute("action", "end_run")
        .add_attribute("run_id", run.id.to_string())
        .add_attribute("status", format!("{status:?}"));
    if status == RunStatus::Completed && !run.fee.is_zero() {
        run.developer_paid = run.fee;
        res = res
            .add_message(pay(&run.developer, run.fee, &run.denom)?)
            .add_attribute("developer_paid", run.fee);
    }
    let refund = owed(run)?;
    if !refund.is_zero() {
        run.refunded = run.refunded.checked_add(refund)?;
        res = res.add_message(pay(&run.buyer, refund, &run.denom)?);
    }
    res = res.add_attribute("refund", refund);
    if let Some(cb) = run.callback.as_mut() {
        cb.status = CallbackStatus::Delivered;
        let output = match status {
            RunStatus::Completed => run.steps.last().and_then(|s| s.output.clone()),
            _ => None,
        };
        let msg = RunCallbackMsg::ReceiveRunResult(RunResult {
            run_id: run.id,
            status,
            output,
            refunded: run.refunded,
        });
        res = res.add_submessage(
            SubMsg::reply_on_error(wasm_execute(&run.buyer, &msg, vec![])?, RUN_CALLBACK_REPLY)
                .with_gas_limit(cb.gas_limit)
                .with_payload(run.id.to_be_bytes().to_vec()),
        );
    }
    Ok(res)
}

/// `Advance`: act on the outcome of the step in flight (read from the market when its callback
/// has not recorded it): submit the next step, or end the run.
pub fn advance(deps: DepsMut, env: Env, run_id: u64) -> Result<Response, ContractError> {
    let market = MARKET.load(deps.storage)?;
    let mut run = load(deps.as_ref(), run_id)?;
    let idx = run.current as usize;
    if let Some(step) = run.steps.get_mut(idx) {
        if step.status == StepStatus::InFlight {
            let job_id = step.job_id.ok_or(ContractError::NoJobId {})?;
            let job = query_job(deps.as_ref(), &market, job_id)?;
            if !job.status.is_final() || job.status == JobStatus::Disputed {
                return Err(ContractError::StepInFlight {
                    run_id,
                    step: idx as u32,
                    job_id,
                });
            }
            record(step, job.status, job.result, job.refunded);
        }
    }
    if run.is_over() {
        // A cancelled run whose in-flight step came back: return that step's refund.
        let refund = owed(&run)?;
        if run.status != RunStatus::Cancelled || refund.is_zero() {
            return Err(ContractError::RunEnded {
                run_id,
                status: run.status,
            });
        }
        run.refunded = run.refunded.checked_add(refund)?;
        RUNS.save(deps.storage, run_id, &run)?;
        return Ok(Response::new()
            .add_attribute("action", "advance")
            .add_attribute("run_id", run_id.to_string())
            .add_attribute("refund", refund)
            .add_message(pay(&run.buyer, refund, &run.denom)?));
    }
    let res = match run.steps[idx].status {
        StepStatus::Done if idx + 1 == run.steps.len() => {
            run.current += 1;
            end(&env, &mut run, RunStatus::Completed)?
        }
        StepStatus::Done => next_step(deps.as_ref(), &env, &market, &mut run)?,
        _ => end(&env, &mut run, RunStatus::Failed)?,
    };
    RUNS.save(deps.storage, run_id, &run)?;
    Ok(res.add_attribute("advance_run_id", run_id.to_string()))
}

/// Pass the done step's output through the next step's adapter and submit the next step (or
/// end the run as failed when the output does not adapt).
#[inline(never)]
fn next_step(
    deps: Deps,
    env: &Env,
    market: &Addr,
    run: &mut RunResponse,
) -> Result<Response, ContractError> {
    let idx = run.current as usize;
    let agent = crate::contract::load_version(deps, run.agent_id.clone(), Some(run.version))?;
    let prev = query_model(deps, market, idx, &run.steps[idx].model_id)?;
    let adapter = agent.spec.steps[idx + 1]
        .adapter
        .as_ref()
        .ok_or_else(|| StdError::generic_err("a later step without an adapter"))?;
    let output = run.steps[idx].output.clone().unwrap_or_default();
    match apply_adapter(&prev.spec.output, adapter, run.batch, output.as_slice()) {
        Ok(input) => {
            run.current += 1;
            let submit = submit_step(deps, env, market, run, input.into())?;
            Ok(Response::new()
                .add_attribute("action", "advance")
                .add_attribute("step", run.current.to_string())
                .add_submessage(submit))
        }
        Err(reason) => {
            run.current += 1;
            run.steps[idx + 1].status = StepStatus::Failed {
                job_status: None,
                reason,
            };
            end(env, run, RunStatus::Failed)
        }
    }
}

/// `Cancel`: the buyer stops a running run; what is not in the market comes back now.
pub fn cancel(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    run_id: u64,
) -> Result<Response, ContractError> {
    let mut run = load(deps.as_ref(), run_id)?;
    if info.sender != run.buyer {
        return Err(ContractError::NotBuyer {
            run_id,
            buyer: run.buyer.into_string(),
        });
    }
    if run.is_over() {
        return Err(ContractError::RunEnded {
            run_id,
            status: run.status,
        });
    }
    let res = end(&env, &mut run, RunStatus::Cancelled)?;
    RUNS.save(deps.storage, run_id, &run)?;
    Ok(res.add_attribute("cancelled_by", info.sender))
}

/// The reply to a failed run callback: record the failure (never fails itself).
pub fn callback_failed(deps: DepsMut, msg: Reply) -> Result<Response, ContractError> {
    let SubMsgResult::Err(mut error) = msg.result else {
        return Ok(Response::new().add_attribute("action", "run_callback_reply"));
    };
    if error.len() > MAX_CALLBACK_ERROR_LEN {
        let mut end = MAX_CALLBACK_ERROR_LEN;
        while !error.is_char_boundary(end) {
            end -= 1;
        }
        error.truncate(end);
    }
    let run_id = run_id_of(&msg.payload)?;
    if let Some(mut run) = RUNS.may_load(deps.storage, run_id)? {
        if let Some(cb) = run.callback.as_mut() {
            cb.status = CallbackStatus::Failed {
                error: error.clone(),
            };
            RUNS.save(deps.storage, run_id, &run)?;
        }
    }
    Ok(Response::new()
        .add_attribute("action", "run_callback_failed")
        .add_attribute("run_id", run_id.to_string())
        .add_attribute("callback_error", error))
}

use cosmwasm_std::{
    coins, from_json, to_json_binary, wasm_execute, Binary, Deps, DepsMut, Env, MessageInfo, Reply,
    Response, SubMsg, SubMsgResponse, SubMsgResult, Timestamp, Uint128,
};

use acn_interface::agents::RunStatus;
use acn_interface::market::{self, Callback, JobResult, JobStatus};
use acn_interface::market_view::JobPaymentView;
use acn_interface::subscriptions::{
    InFlight, RunRecord, SubscriptionCallbackMsg, SubscriptionStatus, Target,
};

use crate::error::ContractError;
use crate::manage::refund_msg;
use crate::state::{
    Config, Triggering, AGENT_RUNS, CONFIG, JOBS, PARAMS, QUEUE, RUNS, SUBSCRIPTIONS, TOTALS,
};

/// Reply id of a run's `SubmitJob` (always replied: a refused submission skips the run).
pub const SUBMIT_REPLY: u64 = 1;
/// Reply id of a result forwarded to a `notify` contract (on error only).
pub const NOTIFY_REPLY: u64 = 2;

/// What one run of `target` costs this contract: the market's quote for a job (bought by this
/// contract), or an agent run's escrow by the registry's rule.
pub fn run_cost(
    deps: Deps,
    env: &Env,
    config: &Config,
    target: &Target,
) -> Result<Uint128, ContractError> {
    match target {
        Target::Job {
            model_id,
            batch,
            redundancy,
            ..
        } => {
            let q: market::QuoteResponse = deps.querier.query_wasm_smart(
                &config.market,
                &market::QueryMsg::Quote {
                    model_id: model_id.clone(),
                    batch: *batch,
                    redundancy: *redundancy,
                    buyer: Some(env.contract.address.to_string()),
                    input: None,
                },
            )?;
            Ok(q.price)
        }
        Target::Agent { .. } => crate::agent::escrow(deps, config, target),
    }
}

/// A run in flight as text: `job 7` or `agent run 3`.
pub fn in_flight_name(f: &InFlight) -> String {
    match (f.job_id, f.agent_run_id) {
        (Some(job), _) => format!("job {job}"),
        (None, Some(run)) => format!("agent run {run}"),
        (None, None) => "starting".into(),
    }
}

/// `Trigger`: start a due run — submit the job (paid from the balance) and, once the market
/// took it, pay the keeper — or mark the subscription drained when its balance no longer covers
/// a run plus the reward.
pub fn trigger(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    id: u64,
) -> Result<Response, ContractError> {
    cw_utils::nonpayable(&info)?;
    let config = CONFIG.load(deps.storage)?;
    let mut sub = SUBSCRIPTIONS
        .may_load(deps.storage, id)?
        .ok_or(ContractError::UnknownSubscription { id })?;
    if sub.status != SubscriptionStatus::Active {
        return Err(ContractError::NotActive {
            id,
            status: sub.status,
        });
    }
    if let Some(f) = &sub.in_flight {
        return Err(ContractError::RunInFlight {
            id,
            run: f.run,
            what: in_flight_name(f),
        });
    }
    let now = env.block.time;
    let due_at = sub.next_due.unwrap_or(Timestamp::from_nanos(u64::MAX));
    // Whole seconds, as the due queue (and the `Due` query) counts them.
    if due_at.seconds() > now.seconds() {
        return Err(ContractError::NotDue { id, due_at, now });
    }
    QUEUE.remove(deps.storage, (due_at.seconds(), id));
    sub.next_due = None;
    let reward = PARAMS.load(deps.storage)?.keeper_reward;
    let price = run_cost(deps.as_ref(), &env, &config, &sub.target)?;
    let cost = price.checked_add(reward)?;
    if sub.balance < cost {
        sub.status = SubscriptionStatus::Drained;
        SUBSCRIPTIONS.save(deps.storage, id, &sub)?;
        return Ok(Response::new()
            .add_attribute("action", "trigger")
            .add_attribute("subscription_id", id.to_string())
            .add_attribute("drained", "true")
            .add_attribute("balance", sub.balance)
            .add_attribute("run_cost", cost));
    }
    let (msg, reply_id) = match &sub.target {
        Target::Job {
            model_id,
            input,
            batch,
            redundancy,
            max_unit_price,
        } => {
            let submit = market::ExecuteMsg::SubmitJob {
                model_id: model_id.clone(),
                input: input.clone(),
                batch: *batch,
                redundancy: *redundancy,
                max_unit_price: *max_unit_price,
                deadline: now.plus_seconds(sub.settings.job_lifetime),
                audit_commitment: None,
                callback: Some(Callback {
                    gas_limit: sub.settings.callback_gas,
                }),
            };
            let msg = wasm_execute(&config.market, &submit, coins(price.u128(), &config.denom))?;
            (msg, SUBMIT_REPLY)
        }
        Target::Agent { .. } => (
            crate::agent::run_msg(&config, &sub.target, &sub.settings, price)?,
            crate::agent::RUN_REPLY,
        ),
    };
    SUBSCRIPTIONS.save(deps.storage, id, &sub)?;
    let payload = to_json_binary(&Triggering {
        id,
        keeper: info.sender.clone(),
        price,
        reward,
    })?;
    Ok(Response::new()
        .add_attribute("action", "trigger")
        .add_attribute("subscription_id", id.to_string())
        .add_attribute("keeper", info.sender)
        .add_attribute("price", price)
        .add_submessage(SubMsg::reply_always(msg, reply_id).with_payload(payload)))
}

/// The market's reply to a run's `SubmitJob` (or the registry's to its `Run`): on success
/// record the run in flight, debit the balance (by what the registry kept of the escrow: any
/// excess it sent back stays in the balance) and pay the keeper; on refusal (nothing was paid)
/// queue the subscription again one interval later.
pub fn submitted(deps: DepsMut, env: Env, msg: Reply) -> Result<Response, ContractError> {
    let t: Triggering = from_json(&msg.payload)?;
    let config = CONFIG.load(deps.storage)?;
    let mut sub = SUBSCRIPTIONS.load(deps.storage, t.id)?;
    let mut totals = TOTALS.load(deps.storage)?;
    let now = env.block.time;
    let response = match msg.result {
        SubMsgResult::Ok(response) => response,
        SubMsgResult::Err(error) => {
            let due = now.plus_seconds(sub.settings.interval);
            sub.next_due = Some(due);
            QUEUE.save(deps.storage, (due.seconds(), t.id), &())?;
            SUBSCRIPTIONS.save(deps.storage, t.id, &sub)?;
            totals.skipped += 1;
            TOTALS.save(deps.storage, &totals)?;
            return Ok(Response::new()
                .add_attribute("subscription_id", t.id.to_string())
                .add_attribute("skipped", error)
                .add_attribute("next_due", due.seconds().to_string()));
        }
    };
    let (job_id, agent_run_id, price) = if msg.id == crate::agent::RUN_REPLY {
        // The registry keeps its escrow and sends any excess back at once (in this
        // transaction): only the escrow is spent.
        let (run_id, escrow) = crate::agent::started(&config, &response)?;
        (None, Some(run_id), escrow.min(t.price))
    } else {
        (Some(job_id_of(&config, &response)?), None, t.price)
    };
    sub.balance = sub.balance.checked_sub(price.checked_add(t.reward)?)?;
    sub.runs += 1;
    sub.spent = sub.spent.checked_add(price)?;
    sub.rewards_paid = sub.rewards_paid.checked_add(t.reward)?;
    sub.in_flight = Some(InFlight {
        run: sub.runs,
        job_id,
        agent_run_id,
        price,
        started_at: now,
    });
    SUBSCRIPTIONS.save(deps.storage, t.id, &sub)?;
    if let Some(job_id) = job_id {
        JOBS.save(deps.storage, job_id, &t.id)?;
    }
    if let Some(run_id) = agent_run_id {
        AGENT_RUNS.save(deps.storage, run_id, &t.id)?;
    }
    RUNS.save(
        deps.storage,
        (t.id, sub.runs),
        &RunRecord {
            run: sub.runs,
            job_id,
            agent_run_id,
            price,
            keeper_reward: t.reward,
            keeper: t.keeper.clone(),
            started_at: now,
            status: None,
            run_status: None,
            output: None,
            refunded: Uint128::zero(),
        },
    )?;
    totals.runs += 1;
    totals.balances = totals.balances.checked_sub(price.checked_add(t.reward)?)?;
    totals.spent = totals.spent.checked_add(price)?;
    totals.rewards_paid = totals.rewards_paid.checked_add(t.reward)?;
    TOTALS.save(deps.storage, &totals)?;
    let mut res = Response::new()
        .add_attribute("subscription_id", t.id.to_string())
        .add_attribute("run", sub.runs.to_string())
        .add_attribute("keeper_reward", t.reward);
    if let Some(job_id) = job_id {
        res = res.add_attribute("subscription_job_id", job_id.to_string());
    }
    if let Some(run_id) = agent_run_id {
        res = res
            .add_attribute("subscription_agent_run_id", run_id.to_string())
            .add_attribute("escrow", price)
            .add_attribute("escrow_excess", t.price - price);
    }
    if !t.reward.is_zero() {
        res = res.add_message(refund_msg(&t.keeper, t.reward, &config.denom));
    }
    Ok(res)
}

/// The market job id in a `SubmitJob`'s events.
fn job_id_of(config: &Config, response: &SubMsgResponse) -> Result<u64, ContractError> {
    response
        .events
        .iter()
        .filter(|e| {
            e.ty == "wasm"
                && e.attributes
                    .iter()
                    .any(|a| a.key == "_contract_address" && a.value == config.market.as_str())
        })
        .flat_map(|e| e.attributes.iter())
        .find(|a| a.key == "job_id")
        .and_then(|a| a.value.parse::<u64>().ok())
        .ok_or(ContractError::NoJobId {})
}

/// A run's final outcome, as a job's or an agent run's result reports it.
pub struct Outcome {
    /// The job's final status (`Job` target).
    pub job_status: Option<JobStatus>,
    /// The agent run's final status (`Agent` target).
    pub run_status: Option<RunStatus>,
    /// The output, if any.
    pub output: Option<Binary>,
    /// What came back for the run (the market's or the registry's refund).
    pub refunded: Uint128,
}

/// A run's result came back: take the run in flight (`is_run` names it; `unknown` when it is
/// not), record the outcome, credit the refund to the balance (or send it to the owner of a
/// cancelled subscription), queue an active subscription one interval after the run's start,
/// and forward `notify(id, run)` to the subscription's `notify` contract.
pub fn finish(
    deps: DepsMut,
    config: &Config,
    id: u64,
    is_run: impl Fn(&InFlight) -> bool,
    unknown: ContractError,
    outcome: Outcome,
    notify: impl FnOnce(u64, u64) -> SubscriptionCallbackMsg,
) -> Result<Response, ContractError> {
    let mut sub = SUBSCRIPTIONS.load(deps.storage, id)?;
    let flight = sub.in_flight.take().filter(|f| is_run(f)).ok_or(unknown)?;
    let refunded = outcome.refunded;
    let mut record = RUNS.load(deps.storage, (id, flight.run))?;
    record.status = outcome.job_status;
    record.run_status = outcome.run_status;
    record.output = outcome.output;
    record.refunded = refunded;
    RUNS.save(deps.storage, (id, flight.run), &record)?;
    sub.spent = sub.spent.checked_sub(refunded)?;
    let mut totals = TOTALS.load(deps.storage)?;
    totals.results += 1;
    totals.spent = totals.spent.checked_sub(refunded)?;
    let mut res = Response::new()
        .add_attribute("subscription_id", id.to_string())
        .add_attribute("run", flight.run.to_string())
        .add_attribute("refunded", refunded);
    if sub.status == SubscriptionStatus::Cancelled {
        if !refunded.is_zero() {
            totals.refunds_forwarded = totals.refunds_forwarded.checked_add(refunded)?;
            res = res.add_message(refund_msg(&sub.owner, refunded, &config.denom));
        }
    } else {
        sub.balance = sub.balance.checked_add(refunded)?;
        totals.balances = totals.balances.checked_add(refunded)?;
        if sub.status == SubscriptionStatus::Active {
            let due = flight.started_at.plus_seconds(sub.settings.interval);
            sub.next_due = Some(due);
            QUEUE.save(deps.storage, (due.seconds(), id), &())?;
            res = res.add_attribute("next_due", due.seconds().to_string());
        }
    }
    TOTALS.save(deps.storage, &totals)?;
    if let Some(to) = &sub.notify {
        res = res.add_submessage(
            SubMsg::reply_on_error(
                wasm_execute(to, &notify(id, flight.run), vec![])?,
                NOTIFY_REPLY,
            )
            .with_payload(to_json_binary(&id)?),
        );
    }
    SUBSCRIPTIONS.save(deps.storage, id, &sub)?;
    Ok(res)
}

/// `ReceiveResult`: from the market only, for a run in flight, once. Records the outcome and
/// credits the market's refund for the job ([`finish`]).
pub fn receive_result(
    deps: DepsMut,
    info: MessageInfo,
    result: JobResult,
) -> Result<Response, ContractError> {
    cw_utils::nonpayable(&info)?;
    let config = CONFIG.load(deps.storage)?;
    if info.sender != config.market {
        return Err(ContractError::NotTheMarket {
            market: config.market.into_string(),
            sender: info.sender.into_string(),
        });
    }
    let job_id = result.job_id;
    if !JOBS.has(deps.storage, job_id) {
        return Err(ContractError::UnknownJob { job_id });
    }
    let job: JobPaymentView = deps
        .querier
        .query_wasm_smart(&config.market, &market::QueryMsg::Job { id: job_id })?;
    job_finished(deps, &config, result, &job)
}

/// A job in flight reached `result` (its record `job`): take it off the flight and [`finish`]
/// its run with the market's refund.
fn job_finished(
    deps: DepsMut,
    config: &Config,
    result: JobResult,
    job: &JobPaymentView,
) -> Result<Response, ContractError> {
    let job_id = result.job_id;
    let id = JOBS
        .may_load(deps.storage, job_id)?
        .ok_or(ContractError::UnknownJob { job_id })?;
    JOBS.remove(deps.storage, job_id);
    let refunded = if job.pay_denom.as_deref() == Some(config.denom.as_str()) {
        job.refunded
    } else {
        Uint128::zero()
    };
    let status = result.status;
    let outcome = Outcome {
        job_status: Some(result.status),
        run_status: None,
        output: result.output.clone(),
        refunded,
    };
    let res = finish(
        deps,
        config,
        id,
        |f| f.job_id == Some(job_id),
        ContractError::UnknownJob { job_id },
        outcome,
        |id, run| SubscriptionCallbackMsg::SubscriptionResult { id, run, result },
    )?;
    Ok(res
        .add_attribute("action", "receive_result")
        .add_attribute("job_id", job_id.to_string())
        .add_attribute("status", format!("{status:?}")))
}

/// `Sync`: anyone finishes a run whose result callback never arrived, from the market's (or
/// the registry's) own record of its outcome.
pub fn sync(deps: DepsMut, info: MessageInfo, id: u64) -> Result<Response, ContractError> {
    cw_utils::nonpayable(&info)?;
    let config = CONFIG.load(deps.storage)?;
    let sub = SUBSCRIPTIONS
        .may_load(deps.storage, id)?
        .ok_or(ContractError::UnknownSubscription { id })?;
    let flight = sub.in_flight.ok_or(ContractError::NothingInFlight { id })?;
    let res = match (flight.job_id, flight.agent_run_id) {
        (Some(job_id), _) => {
            let job: JobPaymentView = deps
                .querier
                .query_wasm_smart(&config.market, &market::QueryMsg::Job { id: job_id })?;
            // A disputed job still holds its escrow: its resolution is its outcome.
            if !job.status.is_final() || job.status == market::JobStatus::Disputed {
                return Err(ContractError::StillGoing {
                    id,
                    what: format!("job {job_id}"),
                    status: format!("{:?}", job.status),
                });
            }
            let result = JobResult {
                job_id,
                status: job.status,
                output: job.result.clone(),
            };
            job_finished(deps, &config, result, &job)?
        }
        (None, Some(run_id)) => crate::agent::sync_run(deps, &config, id, run_id)?,
        (None, None) => return Err(ContractError::NothingInFlight { id }),
    };
    Ok(res.add_attribute("synced", id.to_string()))
}

/// A `notify` contract failed on a result: count it; the run's accounting stands.
pub fn notify_failed(deps: DepsMut, msg: Reply) -> Result<Response, ContractError> {
    let id: u64 = from_json(&msg.payload)?;
    let mut sub = SUBSCRIPTIONS.load(deps.storage, id)?;
    sub.notify_failures += 1;
    SUBSCRIPTIONS.save(deps.storage, id, &sub)?;
    let error = match msg.result {
        SubMsgResult::Err(e) => e,
        SubMsgResult::Ok(_) => String::new(),
    };
    Ok(Response::new()
        .add_attribute("subscription_id", id.to_string())
        .add_attribute("notify_error", error)
        .set_data(to_json_binary(&sub.notify_failures)?))
}

use cosmwasm_std::{
    coins, from_json, to_json_binary, wasm_execute, Deps, DepsMut, Env, MessageInfo, Reply,
    Response, SubMsg, SubMsgResult, Timestamp, Uint128,
};

use acn_interface::market::{self, Callback, JobResult};
use acn_interface::market_view::JobPaymentView;
use acn_interface::subscriptions::{
    InFlight, RunRecord, SubscriptionCallbackMsg, SubscriptionStatus, Target,
};

use crate::error::ContractError;
use crate::manage::refund_msg;
use crate::state::{Config, Triggering, CONFIG, JOBS, PARAMS, QUEUE, RUNS, SUBSCRIPTIONS, TOTALS};

/// Reply id of a run's `SubmitJob` (always replied: a refused submission skips the run).
pub const SUBMIT_REPLY: u64 = 1;
/// Reply id of a result forwarded to a `notify` contract (on error only).
pub const NOTIFY_REPLY: u64 = 2;

/// The market's quote for one run of `target`, bought by this contract.
pub fn quote(
    deps: Deps,
    env: &Env,
    config: &Config,
    target: &Target,
) -> Result<market::QuoteResponse, ContractError> {
    let Target::Job {
        model_id,
        batch,
        redundancy,
        ..
    } = target;
    Ok(deps.querier.query_wasm_smart(
        &config.market,
        &market::QueryMsg::Quote {
            model_id: model_id.clone(),
            batch: *batch,
            redundancy: *redundancy,
            buyer: Some(env.contract.address.to_string()),
        },
    )?)
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
            job_id: f.job_id,
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
    let q = quote(deps.as_ref(), &env, &config, &sub.target)?;
    let cost = q.price.checked_add(reward)?;
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
    let Target::Job {
        model_id,
        input,
        batch,
        redundancy,
        max_unit_price,
    } = &sub.target;
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
    SUBSCRIPTIONS.save(deps.storage, id, &sub)?;
    let payload = to_json_binary(&Triggering {
        id,
        keeper: info.sender.clone(),
        price: q.price,
        reward,
    })?;
    Ok(Response::new()
        .add_attribute("action", "trigger")
        .add_attribute("subscription_id", id.to_string())
        .add_attribute("keeper", info.sender)
        .add_attribute("price", q.price)
        .add_submessage(
            SubMsg::reply_always(
                wasm_execute(
                    &config.market,
                    &submit,
                    coins(q.price.u128(), &config.denom),
                )?,
                SUBMIT_REPLY,
            )
            .with_payload(payload),
        ))
}

/// The market's reply to a run's `SubmitJob`: on success record the run in flight, debit the
/// balance and pay the keeper; on refusal (nothing was paid) queue the subscription again one
/// interval later.
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
    let job_id = response
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
        .ok_or(ContractError::NoJobId {})?;
    sub.balance = sub.balance.checked_sub(t.price.checked_add(t.reward)?)?;
    sub.runs += 1;
    sub.spent = sub.spent.checked_add(t.price)?;
    sub.rewards_paid = sub.rewards_paid.checked_add(t.reward)?;
    sub.in_flight = Some(InFlight {
        run: sub.runs,
        job_id,
        price: t.price,
        started_at: now,
    });
    SUBSCRIPTIONS.save(deps.storage, t.id, &sub)?;
    JOBS.save(deps.storage, job_id, &t.id)?;
    RUNS.save(
        deps.storage,
        (t.id, sub.runs),
        &RunRecord {
            run: sub.runs,
            job_id,
            price: t.price,
            keeper_reward: t.reward,
            keeper: t.keeper.clone(),
            started_at: now,
            status: None,
            output: None,
            refunded: Uint128::zero(),
        },
    )?;
    totals.runs += 1;
    totals.balances = totals
        .balances
        .checked_sub(t.price.checked_add(t.reward)?)?;
    totals.spent = totals.spent.checked_add(t.price)?;
    totals.rewards_paid = totals.rewards_paid.checked_add(t.reward)?;
    TOTALS.save(deps.storage, &totals)?;
    let mut res = Response::new()
        .add_attribute("subscription_id", t.id.to_string())
        .add_attribute("run", sub.runs.to_string())
        .add_attribute("subscription_job_id", job_id.to_string())
        .add_attribute("keeper_reward", t.reward);
    if !t.reward.is_zero() {
        res = res.add_message(refund_msg(&t.keeper, t.reward, &config.denom));
    }
    Ok(res)
}

/// `ReceiveResult`: from the market only, for a run in flight, once. Records the outcome,
/// credits the market's refund for the job (to the owner of a cancelled subscription), queues
/// an active subscription one interval after the run's start, and forwards the result to
/// `notify`.
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
    let id = JOBS
        .may_load(deps.storage, job_id)?
        .ok_or(ContractError::UnknownJob { job_id })?;
    JOBS.remove(deps.storage, job_id);
    let mut sub = SUBSCRIPTIONS.load(deps.storage, id)?;
    let flight = sub
        .in_flight
        .take()
        .filter(|f| f.job_id == job_id)
        .ok_or(ContractError::UnknownJob { job_id })?;
    let job: JobPaymentView = deps
        .querier
        .query_wasm_smart(&config.market, &market::QueryMsg::Job { id: job_id })?;
    let refunded = if job.pay_denom.as_deref() == Some(config.denom.as_str()) {
        job.refunded
    } else {
        Uint128::zero()
    };
    let mut record = RUNS.load(deps.storage, (id, flight.run))?;
    record.status = Some(result.status);
    record.output = result.output.clone();
    record.refunded = refunded;
    RUNS.save(deps.storage, (id, flight.run), &record)?;
    sub.spent = sub.spent.checked_sub(refunded)?;
    let mut totals = TOTALS.load(deps.storage)?;
    totals.results += 1;
    totals.spent = totals.spent.checked_sub(refunded)?;
    let mut res = Response::new()
        .add_attribute("action", "receive_result")
        .add_attribute("subscription_id", id.to_string())
        .add_attribute("run", flight.run.to_string())
        .add_attribute("job_id", job_id.to_string())
        .add_attribute("status", format!("{:?}", result.status))
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
    if let Some(notify) = &sub.notify {
        res = res.add_submessage(
            SubMsg::reply_on_error(
                wasm_execute(
                    notify,
                    &SubscriptionCallbackMsg::SubscriptionResult {
                        id,
                        run: flight.run,
                        result,
                    },
                    vec![],
                )?,
                NOTIFY_REPLY,
            )
            .with_payload(to_json_binary(&id)?),
        );
    }
    SUBSCRIPTIONS.save(deps.storage, id, &sub)?;
    Ok(res)
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

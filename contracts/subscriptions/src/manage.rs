use cosmwasm_std::{coins, Addr, BankMsg, Deps, DepsMut, Env, MessageInfo, Response, Uint128};

use acn_interface::market::{self, ModelResponse};
use acn_interface::market_view::{MarketConfigView, MarketParamsView};
use acn_interface::subscriptions::{
    RunSettings, SubscriptionStatus, Target, MAX_INPUT_BYTES, MAX_INTERVAL,
};

use crate::contract::field_err;
use crate::error::ContractError;
use crate::run::run_cost;
use crate::state::{
    Config, Subscription, BY_OWNER, CONFIG, LAST_ID, PARAMS, QUEUE, SUBSCRIPTIONS, TOTALS,
};

/// The market's parameters and the settings' bounds every target shares: the governed
/// shortest interval.
fn check_interval(deps: Deps, settings: &RunSettings) -> Result<(), ContractError> {
    let min_interval = PARAMS.load(deps.storage)?.min_interval;
    if settings.interval < min_interval || settings.interval > MAX_INTERVAL {
        return Err(field_err(
            "settings.interval",
            format!(
                "{} s outside {min_interval}..={MAX_INTERVAL} s",
                settings.interval
            ),
        ));
    }
    Ok(())
}

/// A job's (or a step's) lifetime within the market's commit + reveal windows and its
/// `max_job_lifetime`.
pub(crate) fn check_lifetime(
    p: &MarketParamsView,
    field: &str,
    lifetime: u64,
) -> Result<(), ContractError> {
    let earliest = p.commit_window + p.reveal_window;
    if lifetime < earliest || lifetime > p.max_job_lifetime {
        return Err(field_err(
            field,
            format!(
                "{lifetime} s outside {earliest}..={} s (the market's windows and max job lifetime)",
                p.max_job_lifetime
            ),
        ));
    }
    Ok(())
}

/// A `Job` target against the market (a registered, active model; its input spec; the market's
/// and the model's redundancy bounds) and the settings against the market's windows and its
/// callback gas bound.
fn check_job(
    deps: Deps,
    config: &Config,
    target: &Target,
    settings: &RunSettings,
) -> Result<(), ContractError> {
    let Target::Job {
        model_id,
        input,
        batch,
        redundancy,
        ..
    } = target
    else {
        unreachable!("check_job takes a job target");
    };
    let m: MarketConfigView = deps
        .querier
        .query_wasm_smart(&config.market, &market::QueryMsg::Config {})?;
    let p = &m.params;
    let model: ModelResponse = deps
        .querier
        .query_wasm_smart(
            &config.market,
            &market::QueryMsg::Model {
                id: model_id.clone(),
            },
        )
        .map_err(|e| {
            field_err(
                "target.model_id",
                format!("{model_id} is not registered: {e}"),
            )
        })?;
    if !model.active {
        return Err(field_err(
            "target.model_id",
            format!("{model_id} is not active"),
        ));
    }
    let max_input = MAX_INPUT_BYTES.min(p.max_input_bytes);
    model
        .spec
        .validate_input(input.as_slice(), *batch, max_input)
        .map_err(|e| field_err("target.input", e.to_string()))?;
    let min = model.spec.min_redundancy.max(2);
    if *redundancy < min || *redundancy > p.max_redundancy {
        return Err(field_err(
            "target.redundancy",
            format!(
                "{redundancy} outside {min}..={} (a redundancy-1 job needs an audit secret, which a contract cannot keep)",
                p.max_redundancy
            ),
        ));
    }
    check_lifetime(p, "settings.job_lifetime", settings.job_lifetime)?;
    if settings.callback_gas == 0 || settings.callback_gas > p.max_callback_gas {
        return Err(field_err(
            "settings.callback_gas",
            format!(
                "{} outside 1..={} (the market's max_callback_gas)",
                settings.callback_gas, p.max_callback_gas
            ),
        ));
    }
    Ok(())
}

/// `Create`: check, require one run plus the reward, queue the subscription due now.
pub fn create(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    target: Target,
    settings: RunSettings,
    notify: Option<String>,
) -> Result<Response, ContractError> {
    let config = CONFIG.load(deps.storage)?;
    let paid = cw_utils::must_pay(&info, &config.denom)?;
    check_interval(deps.as_ref(), &settings)?;
    let target = match target {
        Target::Job { .. } => {
            check_job(deps.as_ref(), &config, &target, &settings)?;
            target
        }
        Target::Agent { .. } => crate::agent::check(deps.as_ref(), &config, target, &settings)?,
    };
    let notify = notify
        .map(|n| {
            deps.api
                .addr_validate(&n)
                .map_err(|e| field_err("notify", format!("{n} is not an address: {e}")))
        })
        .transpose()?;
    let reward = PARAMS.load(deps.storage)?.keeper_reward;
    let price = run_cost(deps.as_ref(), &env, &config, &target)?;
    let required = price.checked_add(reward)?;
    if paid < required {
        return Err(ContractError::InsufficientFunds {
            required,
            price,
            reward,
            paid,
        });
    }
    let id = LAST_ID.load(deps.storage)? + 1;
    LAST_ID.save(deps.storage, &id)?;
    let now = env.block.time;
    let sub = Subscription {
        id,
        owner: info.sender.clone(),
        target,
        settings,
        notify,
        status: SubscriptionStatus::Active,
        balance: paid,
        next_due: Some(now),
        in_flight: None,
        runs: 0,
        spent: Uint128::zero(),
        rewards_paid: Uint128::zero(),
        notify_failures: 0,
    };
    SUBSCRIPTIONS.save(deps.storage, id, &sub)?;
    BY_OWNER.save(deps.storage, (&info.sender, id), &())?;
    QUEUE.save(deps.storage, (now.seconds(), id), &())?;
    let mut totals = TOTALS.load(deps.storage)?;
    totals.subscriptions += 1;
    totals.balances = totals.balances.checked_add(paid)?;
    TOTALS.save(deps.storage, &totals)?;
    Ok(Response::new()
        .add_attribute("action", "create_subscription")
        .add_attribute("subscription_id", id.to_string())
        .add_attribute("owner", info.sender)
        .add_attribute("balance", paid)
        .add_attribute("run_price", price))
}

fn load(deps: Deps, id: u64) -> Result<Subscription, ContractError> {
    SUBSCRIPTIONS
        .may_load(deps.storage, id)?
        .ok_or(ContractError::UnknownSubscription { id })
}

/// `TopUp`: anyone adds to the balance; a drained subscription is queued again, due now.
pub fn top_up(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    id: u64,
) -> Result<Response, ContractError> {
    let config = CONFIG.load(deps.storage)?;
    let paid = cw_utils::must_pay(&info, &config.denom)?;
    let mut sub = load(deps.as_ref(), id)?;
    if sub.status == SubscriptionStatus::Cancelled {
        return Err(ContractError::Cancelled { id });
    }
    sub.balance = sub.balance.checked_add(paid)?;
    if sub.status == SubscriptionStatus::Drained {
        let now = env.block.time;
        sub.status = SubscriptionStatus::Active;
        sub.next_due = Some(now);
        QUEUE.save(deps.storage, (now.seconds(), id), &())?;
    }
    SUBSCRIPTIONS.save(deps.storage, id, &sub)?;
    let mut totals = TOTALS.load(deps.storage)?;
    totals.balances = totals.balances.checked_add(paid)?;
    TOTALS.save(deps.storage, &totals)?;
    Ok(Response::new()
        .add_attribute("action", "top_up")
        .add_attribute("subscription_id", id.to_string())
        .add_attribute("amount", paid)
        .add_attribute("balance", sub.balance))
}

/// `Cancel`: the owner ends the subscription; the unspent balance goes back now, and a run in
/// flight's refund when its result comes back.
pub fn cancel(deps: DepsMut, info: MessageInfo, id: u64) -> Result<Response, ContractError> {
    cw_utils::nonpayable(&info)?;
    let config = CONFIG.load(deps.storage)?;
    let mut sub = load(deps.as_ref(), id)?;
    if info.sender != sub.owner {
        return Err(ContractError::NotOwner {
            id,
            owner: sub.owner.into_string(),
            sender: info.sender.into_string(),
        });
    }
    if sub.status == SubscriptionStatus::Cancelled {
        return Err(ContractError::Cancelled { id });
    }
    if let Some(due) = sub.next_due.take() {
        QUEUE.remove(deps.storage, (due.seconds(), id));
    }
    let refund = std::mem::take(&mut sub.balance);
    sub.status = SubscriptionStatus::Cancelled;
    SUBSCRIPTIONS.save(deps.storage, id, &sub)?;
    let mut totals = TOTALS.load(deps.storage)?;
    totals.balances = totals.balances.checked_sub(refund)?;
    TOTALS.save(deps.storage, &totals)?;
    let mut res = Response::new()
        .add_attribute("action", "cancel_subscription")
        .add_attribute("subscription_id", id.to_string())
        .add_attribute("refunded", refund)
        .add_attribute(
            "run_in_flight",
            sub.in_flight.as_ref().map_or("none".to_string(), |f| {
                // A job's id, as before agent runs; `agent run N` for an agent run.
                f.job_id
                    .map_or_else(|| crate::run::in_flight_name(f), |j| j.to_string())
            }),
        );
    if !refund.is_zero() {
        res = res.add_message(refund_msg(&sub.owner, refund, &config.denom));
    }
    Ok(res)
}

/// Send `amount` of `denom` to `to`.
pub(crate) fn refund_msg(to: &Addr, amount: Uint128, denom: &str) -> BankMsg {
    BankMsg::Send {
        to_address: to.to_string(),
        amount: coins(amount.u128(), denom),
    }
}

#[cfg(not(feature = "library"))]
use cosmwasm_std::entry_point;
use cosmwasm_std::{
    to_json_binary, Binary, Deps, DepsMut, Env, MessageInfo, Order, Reply, Response, StdResult,
};
use cw_storage_plus::Bound;

use acn_interface::market_view::MarketConfigView;
use acn_interface::subscriptions::{
    AgentRunInFlight, AgentRunsInFlightResponse, ConfigResponse, DueEntry, DueResponse, ExecuteMsg,
    InstantiateMsg, MigrateMsg, Params, QueryMsg, RunsResponse, SubscriptionsResponse,
    TotalsResponse, MAX_KEEPER_REWARD, MIN_INTERVAL_FLOOR,
};

use crate::error::ContractError;
use crate::state::{
    Config, AGENT_RUNS, BY_OWNER, CONFIG, LAST_ID, PARAMS, QUEUE, RUNS, SUBSCRIPTIONS, TOTALS,
};
use crate::{agent, manage, run};

/// cw2 contract name.
pub const CONTRACT_NAME: &str = "crates.io:acn-subscriptions";
/// cw2 contract version.
pub const CONTRACT_VERSION: &str = env!("CARGO_PKG_VERSION");

/// Default page size.
const DEFAULT_LIMIT: u32 = 30;
/// Largest page size.
const MAX_LIMIT: u32 = 100;

pub(crate) fn field_err(field: &str, reason: impl Into<String>) -> ContractError {
    ContractError::InvalidField {
        field: field.into(),
        reason: reason.into(),
    }
}

/// Keeper reward at most [`MAX_KEEPER_REWARD`], shortest interval at least
/// [`MIN_INTERVAL_FLOOR`].
fn check_params(params: &Params) -> Result<(), ContractError> {
    if params.keeper_reward > MAX_KEEPER_REWARD {
        return Err(field_err(
            "params.keeper_reward",
            format!(
                "{} is above the bound {MAX_KEEPER_REWARD}",
                params.keeper_reward
            ),
        ));
    }
    if params.min_interval < MIN_INTERVAL_FLOOR {
        return Err(field_err(
            "params.min_interval",
            format!(
                "{} s is below the floor {MIN_INTERVAL_FLOOR} s",
                params.min_interval
            ),
        ));
    }
    Ok(())
}

/// Check the market takes a stable asset; record it and the parameters.
#[cfg_attr(not(feature = "library"), entry_point)]
pub fn instantiate(
    deps: DepsMut,
    _env: Env,
    info: MessageInfo,
    msg: InstantiateMsg,
) -> Result<Response, ContractError> {
    cw2::set_contract_version(deps.storage, CONTRACT_NAME, CONTRACT_VERSION)?;
    let owner = msg.owner.unwrap_or_else(|| info.sender.to_string());
    cw_ownable::initialize_owner(deps.storage, deps.api, Some(&owner))?;
    let market = deps.api.addr_validate(&msg.market)?;
    let mcfg: MarketConfigView = deps
        .querier
        .query_wasm_smart(&market, &acn_interface::market::QueryMsg::Config {})
        .map_err(|e| ContractError::InvalidMarket {
            reason: format!("{market} is not an ACN market: {e}"),
        })?;
    let denom = mcfg
        .stable
        .map(|s| s.denom)
        .ok_or_else(|| ContractError::InvalidMarket {
            reason: format!("{market} takes no stable payments"),
        })?;
    let params = msg.params.unwrap_or_default();
    check_params(&params)?;
    let agents = msg
        .agents
        .map(|a| deps.api.addr_validate(&a))
        .transpose()
        .map_err(|e| field_err("agents", e.to_string()))?;
    if let Some(agents) = &agents {
        agent::check_registry(deps.as_ref(), &market, agents)?;
    }
    CONFIG.save(
        deps.storage,
        &Config {
            market: market.clone(),
            denom,
            agents,
        },
    )?;
    PARAMS.save(deps.storage, &params)?;
    LAST_ID.save(deps.storage, &0)?;
    TOTALS.save(deps.storage, &TotalsResponse::default())?;
    Ok(Response::new()
        .add_attribute("action", "instantiate")
        .add_attribute("market", market)
        .add_attribute("owner", owner))
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn execute(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    msg: ExecuteMsg,
) -> Result<Response, ContractError> {
    match msg {
        ExecuteMsg::Create {
            target,
            settings,
            notify,
        } => manage::create(deps, env, info, target, settings, notify),
        ExecuteMsg::TopUp { id } => manage::top_up(deps, env, info, id),
        ExecuteMsg::Cancel { id } => manage::cancel(deps, info, id),
        ExecuteMsg::Trigger { id } => run::trigger(deps, env, info, id),
        ExecuteMsg::ReceiveResult(result) => run::receive_result(deps, info, result),
        ExecuteMsg::Sync { id } => run::sync(deps, info, id),
        ExecuteMsg::ReceiveRunResult(result) => agent::receive_run_result(deps, info, result),
        ExecuteMsg::UpdateAgentRegistry { agents } => {
            cw_utils::nonpayable(&info)?;
            cw_ownable::assert_owner(deps.storage, &info.sender)?;
            let mut config = CONFIG.load(deps.storage)?;
            let agents = agents
                .map(|a| deps.api.addr_validate(&a))
                .transpose()
                .map_err(|e| field_err("agents", e.to_string()))?;
            if let Some(agents) = &agents {
                agent::check_registry(deps.as_ref(), &config.market, agents)?;
            }
            config.agents = agents;
            CONFIG.save(deps.storage, &config)?;
            Ok(Response::new()
                .add_attribute("action", "update_agent_registry")
                .add_attribute(
                    "agents",
                    config.agents.map_or("none".into(), |a| a.into_string()),
                ))
        }
        ExecuteMsg::UpdateParams { params } => {
            cw_utils::nonpayable(&info)?;
            cw_ownable::assert_owner(deps.storage, &info.sender)?;
            check_params(&params)?;
            PARAMS.save(deps.storage, &params)?;
            Ok(Response::new()
                .add_attribute("action", "update_params")
                .add_attribute("keeper_reward", params.keeper_reward)
                .add_attribute("min_interval", params.min_interval.to_string()))
        }
        ExecuteMsg::UpdateOwnership(action) => {
            cw_utils::nonpayable(&info)?;
            let ownership = cw_ownable::update_ownership(deps, &env.block, &info.sender, action)?;
            Ok(Response::new()
                .add_attribute("action", "update_ownership")
                .add_attributes(ownership.into_attributes()))
        }
    }
}

/// The market's reply to a run's `SubmitJob`, and a `notify` contract's failure.
#[cfg_attr(not(feature = "library"), entry_point)]
pub fn reply(deps: DepsMut, env: Env, msg: Reply) -> Result<Response, ContractError> {
    match msg.id {
        run::SUBMIT_REPLY | agent::RUN_REPLY => run::submitted(deps, env, msg),
        run::NOTIFY_REPLY => run::notify_failed(deps, msg),
        id => Err(ContractError::UnknownReply { id }),
    }
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn query(deps: Deps, env: Env, msg: QueryMsg) -> StdResult<Binary> {
    let page = |limit: Option<u32>| limit.unwrap_or(DEFAULT_LIMIT).min(MAX_LIMIT) as usize;
    match msg {
        QueryMsg::Config {} => {
            let c = CONFIG.load(deps.storage)?;
            to_json_binary(&ConfigResponse {
                market: c.market,
                denom: c.denom,
                params: PARAMS.load(deps.storage)?,
                agents: c.agents,
            })
        }
        QueryMsg::Subscription { id } => to_json_binary(&SUBSCRIPTIONS.load(deps.storage, id)?),
        QueryMsg::Subscriptions {
            owner,
            start_after,
            limit,
        } => {
            let start = start_after.map(Bound::exclusive);
            let subscriptions = match owner {
                Some(owner) => {
                    let owner = deps.api.addr_validate(&owner)?;
                    BY_OWNER
                        .prefix(&owner)
                        .keys(deps.storage, start, None, Order::Ascending)
                        .take(page(limit))
                        .map(|id| SUBSCRIPTIONS.load(deps.storage, id?))
                        .collect::<StdResult<Vec<_>>>()?
                }
                None => SUBSCRIPTIONS
                    .range(deps.storage, start, None, Order::Ascending)
                    .take(page(limit))
                    .map(|r| r.map(|(_, s)| s))
                    .collect::<StdResult<Vec<_>>>()?,
            };
            to_json_binary(&SubscriptionsResponse { subscriptions })
        }
        QueryMsg::Due { limit } => {
            let now = env.block.time.seconds();
            let due = QUEUE
                .keys(
                    deps.storage,
                    None,
                    Some(Bound::inclusive((now, u64::MAX))),
                    Order::Ascending,
                )
                .take(page(limit))
                .map(|k| {
                    k.map(|(at, id)| DueEntry {
                        id,
                        due_at: cosmwasm_std::Timestamp::from_seconds(at),
                    })
                })
                .collect::<StdResult<Vec<_>>>()?;
            to_json_binary(&DueResponse { due })
        }
        QueryMsg::Runs {
            id,
            start_after,
            limit,
        } => {
            let runs = RUNS
                .prefix(id)
                .range(
                    deps.storage,
                    start_after.map(Bound::exclusive),
                    None,
                    Order::Ascending,
                )
                .take(page(limit))
                .map(|r| r.map(|(_, run)| run))
                .collect::<StdResult<Vec<_>>>()?;
            to_json_binary(&RunsResponse { runs })
        }
        QueryMsg::Totals {} => to_json_binary(&TOTALS.load(deps.storage)?),
        QueryMsg::AgentRunsInFlight { start_after, limit } => {
            let runs = AGENT_RUNS
                .range(
                    deps.storage,
                    start_after.map(Bound::exclusive),
                    None,
                    Order::Ascending,
                )
                .take(page(limit))
                .map(|r| r.map(|(run_id, id)| AgentRunInFlight { run_id, id }))
                .collect::<StdResult<Vec<_>>>()?;
            to_json_binary(&AgentRunsInFlightResponse { runs })
        }
        QueryMsg::Ownership {} => to_json_binary(&cw_ownable::get_ownership(deps.storage)?),
    }
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn migrate(deps: DepsMut, _env: Env, _msg: MigrateMsg) -> Result<Response, ContractError> {
    Ok(acn_interface::lifecycle::migrate(
        deps.storage,
        CONTRACT_NAME,
        CONTRACT_VERSION,
    )?)
}

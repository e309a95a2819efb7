#[cfg(not(feature = "library"))]
use cosmwasm_std::entry_point;
use cosmwasm_std::{
    to_json_binary, Binary, Deps, DepsMut, Env, MessageInfo, Order, Reply, Response, StdResult,
};
use cw_storage_plus::Bound;

use acn_interface::agents::{
    AgentParams, AgentResponse, AgentsResponse, ConfigResponse, ExecuteMsg, InstantiateMsg,
    MigrateMsg, QueryMsg, RunsResponse,
};

use crate::error::ContractError;
use crate::publish::{self, validate_params};
use crate::runs;
use crate::state::{BUYER_RUNS, LATEST, MARKET, PARAMS, RUNS, VERSIONS};

/// cw2 contract name.
pub const CONTRACT_NAME: &str = "crates.io:acn-agents";
/// cw2 contract version.
pub const CONTRACT_VERSION: &str = env!("CARGO_PKG_VERSION");

/// Default page size.
const DEFAULT_LIMIT: u32 = 30;
/// Largest page size.
const MAX_LIMIT: u32 = 100;

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
    validate_params(&msg.params)?;
    let market = deps.api.addr_validate(&msg.market)?;
    runs::market_config(deps.as_ref(), &market).map_err(|e| ContractError::InvalidParams {
        field: "market".into(),
        reason: format!("{market} is not an ACN market: {e}"),
    })?;
    MARKET.save(deps.storage, &market)?;
    PARAMS.save(deps.storage, &msg.params)?;
    Ok(Response::new()
        .add_attribute("action", "instantiate")
        .add_attribute("owner", owner)
        .add_attribute("market", market))
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn execute(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    msg: ExecuteMsg,
) -> Result<Response, ContractError> {
    if !matches!(msg, ExecuteMsg::Run(_)) {
        cw_utils::nonpayable(&info)?;
    }
    match msg {
        ExecuteMsg::Publish { agent } => publish::publish(deps, env, info, agent),
        ExecuteMsg::Run(req) => runs::run_stable(deps, env, info, req),
        ExecuteMsg::Receive(hook) => runs::run_acn(deps, env, info, hook),
        ExecuteMsg::ReceiveResult(result) => runs::receive_result(deps, info, result),
        ExecuteMsg::Advance { run_id } => runs::advance(deps, env, run_id),
        ExecuteMsg::Cancel { run_id } => runs::cancel(deps, env, info, run_id),
        ExecuteMsg::UpdateParams { params } => update_params(deps, info, params),
        ExecuteMsg::UpdateOwnership(action) => Ok(acn_interface::lifecycle::update_ownership(
            deps,
            &env.block,
            &info.sender,
            action,
        )?),
    }
}

/// Owner only: new parameters (published versions are not re-checked: they are immutable).
fn update_params(
    deps: DepsMut,
    info: MessageInfo,
    params: AgentParams,
) -> Result<Response, ContractError> {
    cw_ownable::assert_owner(deps.storage, &info.sender)?;
    validate_params(&params)?;
    PARAMS.save(deps.storage, &params)?;
    Ok(Response::new()
        .add_attribute("action", "update_params")
        .add_attribute("max_steps", params.max_steps.to_string())
        .add_attribute("max_run_fee", params.max_run_fee))
}

/// One version of an agent (the latest when `version` is `None`).
pub fn load_version(
    deps: Deps,
    id: String,
    version: Option<u32>,
) -> Result<AgentResponse, ContractError> {
    let not_found = || ContractError::AgentNotFound {
        id: id.clone(),
        version,
    };
    let v = match version {
        Some(v) => v,
        None => LATEST.may_load(deps.storage, &id)?.ok_or_else(not_found)?,
    };
    VERSIONS
        .may_load(deps.storage, (&id, v))?
        .ok_or_else(not_found)
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn query(deps: Deps, _env: Env, msg: QueryMsg) -> Result<Binary, ContractError> {
    Ok(match msg {
        QueryMsg::Config {} => to_json_binary(&ConfigResponse {
            market: MARKET.load(deps.storage)?,
            params: PARAMS.load(deps.storage)?,
        })?,
        QueryMsg::Agent { id, version } => to_json_binary(&load_version(deps, id, version)?)?,
        QueryMsg::Versions {
            id,
            start_after,
            limit,
        } => {
            let limit = limit.unwrap_or(DEFAULT_LIMIT).min(MAX_LIMIT) as usize;
            let agents = VERSIONS
                .prefix(&id)
                .range(
                    deps.storage,
                    start_after.map(Bound::exclusive),
                    None,
                    Order::Ascending,
                )
                .take(limit)
                .map(|r| r.map(|(_, v)| v))
                .collect::<StdResult<Vec<_>>>()?;
            to_json_binary(&AgentsResponse { agents })?
        }
        QueryMsg::Agents { start_after, limit } => {
            let limit = limit.unwrap_or(DEFAULT_LIMIT).min(MAX_LIMIT) as usize;
            let agents = LATEST
                .range(
                    deps.storage,
                    start_after.as_deref().map(Bound::exclusive),
                    None,
                    Order::Ascending,
                )
                .take(limit)
                .map(|r| {
                    let (id, v) = r?;
                    VERSIONS.load(deps.storage, (&id, v))
                })
                .collect::<StdResult<Vec<_>>>()?;
            to_json_binary(&AgentsResponse { agents })?
        }
        QueryMsg::RunInfo { id } => to_json_binary(
            &RUNS
                .may_load(deps.storage, id)?
                .ok_or(ContractError::RunNotFound { id })?,
        )?,
        QueryMsg::Runs {
            buyer,
            start_after,
            limit,
        } => to_json_binary(&query_runs(deps, buyer, start_after, limit)?)?,
        QueryMsg::Ownership {} => to_json_binary(&cw_ownable::get_ownership(deps.storage)?)?,
    })
}

/// Runs by id: all of them, or one buyer's.
fn query_runs(
    deps: Deps,
    buyer: Option<String>,
    start_after: Option<u64>,
    limit: Option<u32>,
) -> Result<RunsResponse, ContractError> {
    let limit = limit.unwrap_or(DEFAULT_LIMIT).min(MAX_LIMIT) as usize;
    let start = start_after.map(Bound::exclusive);
    let runs = match buyer {
        Some(buyer) => {
            let buyer = deps.api.addr_validate(&buyer)?;
            BUYER_RUNS
                .prefix(&buyer)
                .keys(deps.storage, start, None, Order::Ascending)
                .take(limit)
                .map(|id| RUNS.load(deps.storage, id?))
                .collect::<StdResult<Vec<_>>>()?
        }
        None => RUNS
            .range(deps.storage, start, None, Order::Ascending)
            .take(limit)
            .map(|r| r.map(|(_, run)| run))
            .collect::<StdResult<Vec<_>>>()?,
    };
    Ok(RunsResponse { runs })
}

/// Replies: a step's submission (files its job id), a run callback that failed.
#[cfg_attr(not(feature = "library"), entry_point)]
pub fn reply(deps: DepsMut, _env: Env, msg: Reply) -> Result<Response, ContractError> {
    match msg.id {
        runs::SUBMIT_REPLY => runs::submitted(deps, msg),
        runs::RUN_CALLBACK_REPLY => runs::callback_failed(deps, msg),
        id => Err(ContractError::UnknownReply { id }),
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

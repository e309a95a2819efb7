//! Entry points: instantiation, owner-only configuration, and dispatch.

#[cfg(not(feature = "library"))]
use cosmwasm_std::entry_point;
use cosmwasm_std::{to_json_binary, Binary, Deps, DepsMut, Env, MessageInfo, Response, StdResult};
use cw_utils::maybe_addr;

use acn_interface::emissions::EmissionParams;

use crate::error::ContractError;
use crate::msg::{ExecuteMsg, InstantiateMsg, MigrateMsg, QueryMsg};
use crate::params::{validate_epoch_seconds, validate_params};
use crate::state::{Config, Totals, CONFIG, TOTALS};
use crate::{queries, work};

/// cw2 contract name.
pub const CONTRACT_NAME: &str = "crates.io:acn-emissions";
/// cw2 contract version.
pub const CONTRACT_VERSION: &str = env!("CARGO_PKG_VERSION");

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn instantiate(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    msg: InstantiateMsg,
) -> Result<Response, ContractError> {
    cw_utils::nonpayable(&info)?;
    cw2::set_contract_version(deps.storage, CONTRACT_NAME, CONTRACT_VERSION)?;
    let owner = msg.owner.unwrap_or_else(|| info.sender.to_string());
    cw_ownable::initialize_owner(deps.storage, deps.api, Some(&owner))?;
    let token = deps.api.addr_validate(&msg.token)?;
    let market = maybe_addr(deps.api, msg.market)?;
    let staking = maybe_addr(deps.api, msg.staking)?;
    validate_epoch_seconds(msg.epoch_seconds)?;
    validate_params(&msg.params, staking.as_ref())?;
    let config = Config {
        token,
        market,
        staking,
        epoch_seconds: msg.epoch_seconds,
        genesis_time: msg.genesis_time.unwrap_or(env.block.time),
        params: msg.params,
    };
    CONFIG.save(deps.storage, &config)?;
    TOTALS.save(deps.storage, &Totals::default())?;
    Ok(Response::new()
        .add_attribute("action", "instantiate")
        .add_attribute("owner", owner)
        .add_attribute("token", config.token)
        .add_attribute("epoch_seconds", config.epoch_seconds.to_string())
        .add_attributes(param_attributes(&config.params)))
}

/// The parameters as event attributes.
fn param_attributes(params: &EmissionParams) -> Vec<(&'static str, String)> {
    vec![
        ("budget_rate", params.budget_rate.to_string()),
        ("fee_cap_bps", params.fee_cap_bps.to_string()),
        ("staker_share_bps", params.staker_share_bps.to_string()),
    ]
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn execute(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    msg: ExecuteMsg,
) -> Result<Response, ContractError> {
    cw_utils::nonpayable(&info)?;
    match msg {
        ExecuteMsg::RecordWork { work } => work::record_work(deps, env, info, work),
        ExecuteMsg::Receive(wrapper) => work::receive(deps, info, wrapper),
        ExecuteMsg::Claim {} => work::claim(deps, env, info),
        ExecuteMsg::UpdateParams { params } => update_params(deps, info, params),
        ExecuteMsg::UpdateConfig { market, staking } => update_config(deps, info, market, staking),
        ExecuteMsg::UpdateOwnership(action) => Ok(acn_interface::lifecycle::update_ownership(
            deps,
            &env.block,
            &info.sender,
            action,
        )?),
    }
}

/// Owner only: replace the parameters (within bounds). Epochs already started keep theirs.
fn update_params(
    deps: DepsMut,
    info: MessageInfo,
    params: EmissionParams,
) -> Result<Response, ContractError> {
    cw_ownable::assert_owner(deps.storage, &info.sender)?;
    let mut config = CONFIG.load(deps.storage)?;
    validate_params(&params, config.staking.as_ref())?;
    config.params = params;
    CONFIG.save(deps.storage, &config)?;
    Ok(Response::new()
        .add_attribute("action", "update_params")
        .add_attributes(param_attributes(&config.params)))
}

/// Owner only: change the market and/or the staking contract.
fn update_config(
    deps: DepsMut,
    info: MessageInfo,
    market: Option<String>,
    staking: Option<String>,
) -> Result<Response, ContractError> {
    cw_ownable::assert_owner(deps.storage, &info.sender)?;
    let mut config = CONFIG.load(deps.storage)?;
    if let Some(market) = market {
        config.market = Some(deps.api.addr_validate(&market)?);
    }
    if let Some(staking) = staking {
        config.staking = Some(deps.api.addr_validate(&staking)?);
    }
    validate_params(&config.params, config.staking.as_ref())?;
    CONFIG.save(deps.storage, &config)?;
    let show = |a: &Option<cosmwasm_std::Addr>| {
        a.as_ref()
            .map(|a| a.to_string())
            .unwrap_or_else(|| "none".into())
    };
    Ok(Response::new()
        .add_attribute("action", "update_config")
        .add_attribute("market", show(&config.market))
        .add_attribute("staking", show(&config.staking)))
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn query(deps: Deps, env: Env, msg: QueryMsg) -> StdResult<Binary> {
    match msg {
        QueryMsg::Config {} => to_json_binary(&queries::config(deps)?),
        QueryMsg::Epoch { epoch } => to_json_binary(&queries::epoch(deps, &env, epoch)?),
        QueryMsg::Provider { address } => to_json_binary(&queries::provider(deps, &env, address)?),
        QueryMsg::Totals {} => to_json_binary(&queries::totals(deps, &env)?),
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

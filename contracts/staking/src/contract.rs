//! Entry points: dispatch only.

#[cfg(not(feature = "library"))]
use cosmwasm_std::entry_point;
use cosmwasm_std::{
    to_json_binary, Binary, Deps, DepsMut, Env, MessageInfo, Response, StdError, StdResult,
};

use crate::error::ContractError;
use crate::msg::{ExecuteMsg, InstantiateMsg, MigrateMsg, QueryMsg};
use crate::{bond, config, cw4, queries, rewards, slash, unbond};

/// cw2 contract name.
pub const CONTRACT_NAME: &str = "crates.io:acn-staking";
/// cw2 contract version.
pub const CONTRACT_VERSION: &str = env!("CARGO_PKG_VERSION");

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn instantiate(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    msg: InstantiateMsg,
) -> Result<Response, ContractError> {
    cw2::set_contract_version(deps.storage, CONTRACT_NAME, CONTRACT_VERSION)?;
    config::instantiate(deps, env, info, msg)
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn execute(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    msg: ExecuteMsg,
) -> Result<Response, ContractError> {
    match msg {
        ExecuteMsg::Receive(wrapper) => bond::receive(deps, env, info, wrapper),
        ExecuteMsg::Unbond { amount } => unbond::unbond(deps, env, info, amount),
        ExecuteMsg::Claim {} => unbond::claim(deps, env, info),
        ExecuteMsg::Relock { tier } => bond::relock(deps, env, info, tier),
        ExecuteMsg::UpdateLockTiers { tiers } => config::update_lock_tiers(deps, info, tiers),
        ExecuteMsg::ClaimRewards {} => rewards::claim_rewards(deps, env, info),
        ExecuteMsg::Slash {
            address,
            amount,
            reason,
        } => slash::slash(deps, env, info, address, amount, reason),
        ExecuteMsg::UpdateConfig {
            unbonding_period,
            max_claims,
            min_bond,
            slash_destination,
        } => config::update_config(
            deps,
            info,
            unbonding_period,
            max_claims,
            min_bond,
            slash_destination,
        ),
        ExecuteMsg::UpdateRewardDuration { reward_duration } => {
            rewards::update_reward_duration(deps, info, reward_duration)
        }
        ExecuteMsg::UpdateSlashers { add, remove } => {
            config::update_slashers(deps, info, add, remove)
        }
        ExecuteMsg::SetMarket { address } => config::set_market(deps, info, address),
        ExecuteMsg::AddHook { addr } => cw4::add_hook(deps, info, addr),
        ExecuteMsg::RemoveHook { addr } => cw4::remove_hook(deps, info, addr),
        ExecuteMsg::UpdateOwnership(action) => Ok(acn_interface::lifecycle::update_ownership(
            deps,
            &env.block,
            &info.sender,
            action,
        )?),
    }
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn query(deps: Deps, env: Env, msg: QueryMsg) -> StdResult<Binary> {
    match msg {
        QueryMsg::Config {} => to_json_binary(&queries::config(deps)?),
        QueryMsg::Stake { address } => {
            to_json_binary(&queries::stake(deps, address).map_err(into_std_error)?)
        }
        QueryMsg::Claims { address } => to_json_binary(&queries::claims(deps, address)?),
        QueryMsg::Totals {} => {
            to_json_binary(&queries::totals(deps, &env).map_err(into_std_error)?)
        }
        QueryMsg::PendingRewards { address } => {
            to_json_binary(&queries::pending_rewards(deps, &env, address).map_err(into_std_error)?)
        }
        QueryMsg::ListStakers { start_after, limit } => to_json_binary(
            &queries::list_stakers(deps, start_after, limit).map_err(into_std_error)?,
        ),
        QueryMsg::Admin {} => to_json_binary(&cw4::query_admin(deps)?),
        QueryMsg::TotalWeight { at_height } => {
            to_json_binary(&cw4::query_total_weight(deps, at_height)?)
        }
        QueryMsg::ListMembers { start_after, limit } => {
            to_json_binary(&cw4::query_list_members(deps, start_after, limit)?)
        }
        QueryMsg::Member { addr, at_height } => {
            to_json_binary(&cw4::query_member(deps, addr, at_height)?)
        }
        QueryMsg::Hooks {} => to_json_binary(&cw4::query_hooks(deps)?),
        QueryMsg::Ownership {} => to_json_binary(&cw_ownable::get_ownership(deps.storage)?),
    }
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn migrate(deps: DepsMut, env: Env, _msg: MigrateMsg) -> Result<Response, ContractError> {
    // The version checks first: a refused migration writes nothing.
    let res = acn_interface::lifecycle::migrate(deps.storage, CONTRACT_NAME, CONTRACT_VERSION)?;
    rewards::init_stream_if_missing(deps.storage, env.block.time)?;
    rewards::init_reward_weight_if_missing(deps.storage)?;
    Ok(res)
}

/// Queries answer with `StdError`; keep a contract error's message.
fn into_std_error(err: ContractError) -> StdError {
    match err {
        ContractError::Std(err) => err,
        other => StdError::generic_err(other.to_string()),
    }
}

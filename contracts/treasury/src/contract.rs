//! Entry points: validation of the caller's funds and dispatch to one module per message family.

#[cfg(not(feature = "library"))]
use cosmwasm_std::entry_point;
use cosmwasm_std::{to_json_binary, Binary, Deps, DepsMut, Env, MessageInfo, Response, StdResult};

use crate::error::ContractError;
use crate::msg::{ExecuteMsg, InstantiateMsg, MigrateMsg, QueryMsg};
use crate::{config, deposit, distribute, queries, spend, vesting};

/// cw2 contract name.
pub const CONTRACT_NAME: &str = "crates.io:acn-treasury";
/// cw2 contract version.
pub const CONTRACT_VERSION: &str = env!("CARGO_PKG_VERSION");

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn instantiate(
    deps: DepsMut,
    _env: Env,
    info: MessageInfo,
    msg: InstantiateMsg,
) -> Result<Response, ContractError> {
    cw_utils::nonpayable(&info)?;
    cw2::set_contract_version(deps.storage, CONTRACT_NAME, CONTRACT_VERSION)?;
    config::instantiate(deps, info, msg)
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
        ExecuteMsg::Receive(wrapper) => deposit::receive(deps, info, wrapper),
        ExecuteMsg::Distribute {} => distribute::distribute(deps, info),
        ExecuteMsg::Spend {
            recipient,
            amount,
            memo,
        } => spend::spend(deps, env, info, recipient, amount, memo),
        ExecuteMsg::CreateVesting {
            beneficiary,
            amount,
            start,
            cliff,
            duration,
        } => vesting::create_vesting(deps, env, info, beneficiary, amount, start, cliff, duration),
        ExecuteMsg::ClaimVested {} => vesting::claim_vested(deps, env, info),
        ExecuteMsg::UpdateConfig { split, staking } => {
            config::update_config(deps, info, split, staking)
        }
        ExecuteMsg::UpdateOwnership(action) => config::update_ownership(deps, env, info, action),
    }
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn query(deps: Deps, env: Env, msg: QueryMsg) -> StdResult<Binary> {
    match msg {
        QueryMsg::Config {} => to_json_binary(&queries::config(deps)?),
        QueryMsg::Totals {} => to_json_binary(&queries::totals(deps)?),
        QueryMsg::Balances {} => to_json_binary(&queries::balances(deps, &env)?),
        QueryMsg::Source { address } => to_json_binary(&queries::source(deps, address)?),
        QueryMsg::Sources { start_after, limit } => {
            to_json_binary(&queries::sources(deps, start_after, limit)?)
        }
        QueryMsg::Vestings {
            beneficiary,
            start_after,
            limit,
        } => to_json_binary(&queries::vestings(
            deps,
            &env,
            beneficiary,
            start_after,
            limit,
        )?),
        QueryMsg::AllVestings { start_after, limit } => {
            to_json_binary(&queries::all_vestings(deps, &env, start_after, limit)?)
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

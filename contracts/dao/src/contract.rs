//! Entry points: cw3-flex-multisig's, with this crate's cw2 name, and a migrate.

#[cfg(not(feature = "library"))]
use cosmwasm_std::entry_point;
use cosmwasm_std::{Binary, Deps, DepsMut, Env, MessageInfo, Response, StdResult};

use crate::msg::{ExecuteMsg, InstantiateMsg, MigrateMsg, QueryMsg};
use crate::ContractError;

/// cw2 contract name.
pub const CONTRACT_NAME: &str = "crates.io:acn-dao";
/// cw2 contract version.
pub const CONTRACT_VERSION: &str = env!("CARGO_PKG_VERSION");

/// cw3-flex-multisig's instantiate (checks the group, threshold and deposit), then records this
/// crate as the cw2 contract so that only an `acn-dao` code can migrate it.
#[cfg_attr(not(feature = "library"), entry_point)]
pub fn instantiate(
    mut deps: DepsMut,
    env: Env,
    info: MessageInfo,
    msg: InstantiateMsg,
) -> Result<Response, ContractError> {
    let res = cw3_flex_multisig::contract::instantiate(deps.branch(), env, info, msg)?;
    cw2::set_contract_version(deps.storage, CONTRACT_NAME, CONTRACT_VERSION)?;
    Ok(res)
}

/// Propose, vote, execute, close (cw3-flex-multisig).
#[cfg_attr(not(feature = "library"), entry_point)]
pub fn execute(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    msg: ExecuteMsg,
) -> Result<Response, ContractError> {
    cw3_flex_multisig::contract::execute(deps, env, info, msg)
}

/// Proposals, votes, voters, threshold and config (cw3-flex-multisig).
#[cfg_attr(not(feature = "library"), entry_point)]
pub fn query(deps: Deps, env: Env, msg: QueryMsg) -> StdResult<Binary> {
    cw3_flex_multisig::contract::query(deps, env, msg)
}

/// Refuse another contract or a downgrade; record the new cw2 version.
#[cfg_attr(not(feature = "library"), entry_point)]
pub fn migrate(deps: DepsMut, _env: Env, _msg: MigrateMsg) -> StdResult<Response> {
    acn_interface::lifecycle::migrate(deps.storage, CONTRACT_NAME, CONTRACT_VERSION)
}

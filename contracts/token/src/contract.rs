#[cfg(not(feature = "library"))]
use cosmwasm_std::entry_point;
use cosmwasm_std::{to_json_binary, Binary, Deps, DepsMut, Env, MessageInfo, Response, StdResult};
use cw20_base::state::{MinterData, TOKEN_INFO};

use crate::error::ContractError;
use crate::msg::{ExecuteMsg, InstantiateMsg, MigrateMsg, QueryMsg};

/// cw2 contract name.
pub const CONTRACT_NAME: &str = "crates.io:acn-token";
/// cw2 contract version.
pub const CONTRACT_VERSION: &str = env!("CARGO_PKG_VERSION");

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn instantiate(
    mut deps: DepsMut,
    env: Env,
    info: MessageInfo,
    msg: InstantiateMsg,
) -> Result<Response, ContractError> {
    let owner = msg.owner.unwrap_or_else(|| info.sender.to_string());
    cw_ownable::initialize_owner(deps.storage, deps.api, Some(&owner))?;
    let base = cw20_base::msg::InstantiateMsg {
        name: msg.name,
        symbol: msg.symbol,
        decimals: msg.decimals,
        initial_balances: msg.initial_balances,
        mint: msg.mint,
        marketing: msg.marketing,
    };
    let res = cw20_base::contract::instantiate(deps.branch(), env, info, base)?;
    // cw20-base records its own name; this contract is `acn-token`.
    cw2::set_contract_version(deps.storage, CONTRACT_NAME, CONTRACT_VERSION)?;
    Ok(res
        .add_attribute("action", "instantiate")
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
        ExecuteMsg::UpdateOwnership(action) => Ok(acn_interface::lifecycle::update_ownership(
            deps,
            &env.block,
            &info.sender,
            action,
        )?),
        ExecuteMsg::UpdateMinter { new_minter }
            if cw_ownable::is_owner(deps.storage, &info.sender)? =>
        {
            owner_update_minter(deps, new_minter)
        }
        other => {
            let base = other
                .into_cw20()
                .ok_or_else(|| cosmwasm_std::StdError::generic_err("unsupported message"))?;
            Ok(cw20_base::contract::execute(deps, env, info, base)?)
        }
    }
}

/// The owner replaces (or removes) the minter, keeping the cap.
fn owner_update_minter(
    deps: DepsMut,
    new_minter: Option<String>,
) -> Result<Response, ContractError> {
    let mut info = TOKEN_INFO.load(deps.storage)?;
    let cap = info.mint.as_ref().and_then(|m| m.cap);
    info.mint = new_minter
        .as_deref()
        .map(|m| deps.api.addr_validate(m))
        .transpose()?
        .map(|minter| MinterData { minter, cap });
    TOKEN_INFO.save(deps.storage, &info)?;
    Ok(Response::new()
        .add_attribute("action", "update_minter")
        .add_attribute("by", "owner")
        .add_attribute("new_minter", new_minter.unwrap_or_else(|| "None".into())))
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn query(deps: Deps, env: Env, msg: QueryMsg) -> StdResult<Binary> {
    match msg.into_cw20() {
        Some(base) => cw20_base::contract::query(deps, env, base),
        None => to_json_binary(&cw_ownable::get_ownership(deps.storage)?),
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

#[cfg(not(feature = "library"))]
use cosmwasm_std::entry_point;
use cosmwasm_std::{
    to_json_binary, Addr, Binary, Deps, DepsMut, Env, MessageInfo, Response, StdResult, Storage,
    Uint128,
};
use cw20_base::state::{MinterData, TOKEN_INFO};
use cw_utils::maybe_addr;

use crate::error::ContractError;
use crate::msg::{
    ExecuteMsg, InstantiateMsg, MigrateMsg, MintStatusResponse, MinterResponse, QueryMsg,
};
use crate::state::{MINT_CAP, TOTAL_MINTED};

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
    let requested_cap = msg.mint.as_ref().and_then(|m| m.cap);
    let base = cw20_base::msg::InstantiateMsg {
        name: msg.name,
        symbol: msg.symbol,
        decimals: msg.decimals,
        initial_balances: msg.initial_balances,
        mint: msg.mint,
        marketing: msg.marketing,
    };
    // cw20-base validates the balances and refuses a genesis supply above the cap.
    let res = cw20_base::contract::instantiate(deps.branch(), env, info, base)?;
    let genesis_supply = TOKEN_INFO.load(deps.storage)?.total_supply;
    // Without a cap the genesis supply is the cap: a minter set later can mint nothing.
    let cap = requested_cap.unwrap_or(genesis_supply);
    MINT_CAP.save(deps.storage, &cap)?;
    TOTAL_MINTED.save(deps.storage, &genesis_supply)?;
    // cw20-base records its own name; this contract is `acn-token`.
    cw2::set_contract_version(deps.storage, CONTRACT_NAME, CONTRACT_VERSION)?;
    Ok(res
        .add_attribute("action", "instantiate")
        .add_attribute("owner", owner)
        .add_attribute("mint_cap", cap))
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn execute(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    msg: ExecuteMsg,
) -> Result<Response, ContractError> {
    // No message takes funds: bank coins sent along (e.g. with a `Send` to the market) would
    // be stranded in the token contract.
    cw_utils::nonpayable(&info)?;
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
        ExecuteMsg::Mint { recipient, amount } => mint(deps, env, info, recipient, amount),
        other => {
            let base = other
                .into_cw20()
                .ok_or_else(|| cosmwasm_std::StdError::generic_err("unsupported message"))?;
            Ok(cw20_base::contract::execute(deps, env, info, base)?)
        }
    }
}

/// Minter only: refuse a mint that would take everything ever minted past the token's own cap,
/// then mint through cw20-base.
fn mint(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    recipient: String,
    amount: Uint128,
) -> Result<Response, ContractError> {
    // The minter check first (cw20-base's own error), so a stranger learns nothing of the cap.
    let is_minter = TOKEN_INFO
        .load(deps.storage)?
        .mint
        .is_some_and(|m| m.minter == info.sender);
    if !is_minter {
        return Err(cw20_base::ContractError::Unauthorized {}.into());
    }
    let cap = MINT_CAP.load(deps.storage)?;
    let total_minted = TOTAL_MINTED.load(deps.storage)?;
    let after = total_minted.checked_add(amount)?;
    if after > cap {
        return Err(ContractError::MintCapExceeded {
            amount,
            total_minted,
            cap,
        });
    }
    TOTAL_MINTED.save(deps.storage, &after)?;
    let res = cw20_base::contract::execute_mint(deps, env, info, recipient, amount)?;
    Ok(res.add_attribute("total_minted", after))
}

/// The owner replaces (or removes) the minter; the cap is the token's own and stays.
fn owner_update_minter(
    deps: DepsMut,
    new_minter: Option<String>,
) -> Result<Response, ContractError> {
    let mut info = TOKEN_INFO.load(deps.storage)?;
    let cap = MINT_CAP.load(deps.storage)?;
    let new_minter = maybe_addr(deps.api, new_minter)?;
    let shown = new_minter.as_ref().map_or("None".into(), Addr::to_string);
    info.mint = new_minter.map(|minter| MinterData {
        minter,
        cap: Some(cap),
    });
    TOKEN_INFO.save(deps.storage, &info)?;
    Ok(Response::new()
        .add_attribute("action", "update_minter")
        .add_attribute("by", "owner")
        .add_attribute("new_minter", shown))
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn query(deps: Deps, env: Env, msg: QueryMsg) -> StdResult<Binary> {
    match msg {
        QueryMsg::Minter {} => to_json_binary(&query_minter(deps)?),
        QueryMsg::MintStatus {} => to_json_binary(&query_mint_status(deps)?),
        QueryMsg::Ownership {} => to_json_binary(&cw_ownable::get_ownership(deps.storage)?),
        other => match other.into_cw20() {
            Some(base) => cw20_base::contract::query(deps, env, base),
            None => Err(cosmwasm_std::StdError::generic_err("unsupported query")),
        },
    }
}

/// The minter, with the token's own cap.
fn query_minter(deps: Deps) -> StdResult<Option<MinterResponse>> {
    let cap = MINT_CAP.load(deps.storage)?;
    Ok(TOKEN_INFO.load(deps.storage)?.mint.map(|m| MinterResponse {
        minter: m.minter.into_string(),
        cap: Some(cap),
    }))
}

/// The cap, everything ever minted, and what is left.
fn query_mint_status(deps: Deps) -> StdResult<MintStatusResponse> {
    let cap = MINT_CAP.load(deps.storage)?;
    let total_minted = TOTAL_MINTED.load(deps.storage)?;
    Ok(MintStatusResponse {
        cap,
        total_minted,
        mintable: cap.saturating_sub(total_minted),
    })
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn migrate(deps: DepsMut, _env: Env, _msg: MigrateMsg) -> Result<Response, ContractError> {
    // The version checks first: a refused migration writes nothing.
    let res = acn_interface::lifecycle::migrate(deps.storage, CONTRACT_NAME, CONTRACT_VERSION)?;
    init_cap_if_missing(deps.storage)?;
    Ok(res)
}

/// A token instantiated before the cap moved out of cw20-base: take the cap from its
/// `MinterData` (or the supply, if it was already dropped) and count the current supply as
/// minted (what was burned before cannot be known).
fn init_cap_if_missing(storage: &mut dyn Storage) -> Result<(), ContractError> {
    if MINT_CAP.may_load(storage)?.is_some() {
        return Ok(());
    }
    let info = TOKEN_INFO.load(storage)?;
    let cap = info
        .mint
        .and_then(|m| m.cap)
        .unwrap_or(info.total_supply)
        .max(info.total_supply);
    MINT_CAP.save(storage, &cap)?;
    TOTAL_MINTED.save(storage, &info.total_supply)?;
    Ok(())
}

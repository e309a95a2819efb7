//! The cw4 group face of the contract: member weights (bonded / tokens_per_weight) kept in
//! snapshotted cw4 storage, hook listeners notified on every weight change, and the cw4 queries.

use cosmwasm_std::{
    Addr, Deps, DepsMut, MessageInfo, Order, Response, StdResult, Storage, SubMsg, Uint128, Uint64,
};
use cw_storage_plus::Bound;
use cw_utils::maybe_addr;

use acn_interface::common::page_limit;

use crate::error::ContractError;
use crate::msg::{
    AdminResponse, HooksResponse, Member, MemberChangedHookMsg, MemberDiff, MemberListResponse,
    MemberResponse, TotalWeightResponse,
};
use crate::state::{Config, HOOKS, MEMBERS, TOTAL_WEIGHT};

/// Voting weight of `bonded` stake: `bonded / tokens_per_weight`, rounded down.
pub fn weight_of(bonded: Uint128, tokens_per_weight: Uint128) -> Result<u64, ContractError> {
    Ok(Uint64::try_from(bonded.checked_div(tokens_per_weight)?)?.u64())
}

/// Record `addr`'s weight for its new bonded stake at `height` (a weight of 0 removes the member),
/// keep the total in step, and build the hook messages. No change, no messages.
pub fn update_membership(
    storage: &mut dyn Storage,
    addr: &Addr,
    bonded: Uint128,
    cfg: &Config,
    height: u64,
) -> Result<Vec<SubMsg>, ContractError> {
    let new = Some(weight_of(bonded, cfg.tokens_per_weight)?).filter(|w| *w > 0);
    let old = MEMBERS.may_load(storage, addr)?;
    if new == old {
        return Ok(vec![]);
    }
    match new {
        Some(weight) => MEMBERS.save(storage, addr, &weight, height)?,
        None => MEMBERS.remove(storage, addr, height)?,
    }
    let total = Uint64::new(TOTAL_WEIGHT.may_load(storage)?.unwrap_or_default())
        .checked_sub(Uint64::new(old.unwrap_or_default()))?
        .checked_add(Uint64::new(new.unwrap_or_default()))?
        .u64();
    TOTAL_WEIGHT.save(storage, &total, height)?;

    let diff = MemberDiff::new(addr.as_str(), old, new);
    Ok(HOOKS.prepare_hooks(storage, |hook| {
        MemberChangedHookMsg::one(diff.clone())
            .into_cosmos_msg(hook)
            .map(SubMsg::new)
    })?)
}

/// Owner only: register a hook listener.
pub fn add_hook(deps: DepsMut, info: MessageInfo, addr: String) -> Result<Response, ContractError> {
    cw_ownable::assert_owner(deps.storage, &info.sender)?;
    let hook = deps.api.addr_validate(&addr)?;
    HOOKS.add_hook(deps.storage, hook.clone())?;
    Ok(Response::new()
        .add_attribute("action", "add_hook")
        .add_attribute("hook", hook))
}

/// Owner only: remove a hook listener.
pub fn remove_hook(
    deps: DepsMut,
    info: MessageInfo,
    addr: String,
) -> Result<Response, ContractError> {
    cw_ownable::assert_owner(deps.storage, &info.sender)?;
    let hook = deps.api.addr_validate(&addr)?;
    HOOKS.remove_hook(deps.storage, hook.clone())?;
    Ok(Response::new()
        .add_attribute("action", "remove_hook")
        .add_attribute("hook", hook))
}

/// The group admin is the owner.
pub fn query_admin(deps: Deps) -> StdResult<AdminResponse> {
    let owner = cw_ownable::get_ownership(deps.storage)?.owner;
    Ok(AdminResponse {
        admin: owner.map(Addr::into_string),
    })
}

/// Total weight now, or at the start of `at_height`.
pub fn query_total_weight(deps: Deps, at_height: Option<u64>) -> StdResult<TotalWeightResponse> {
    let weight = match at_height {
        Some(height) => TOTAL_WEIGHT.may_load_at_height(deps.storage, height)?,
        None => TOTAL_WEIGHT.may_load(deps.storage)?,
    };
    Ok(TotalWeightResponse {
        weight: weight.unwrap_or_default(),
    })
}

/// One member's weight now, or at the start of `at_height` (`None` = not a member).
pub fn query_member(deps: Deps, addr: String, at_height: Option<u64>) -> StdResult<MemberResponse> {
    let addr = deps.api.addr_validate(&addr)?;
    let weight = match at_height {
        Some(height) => MEMBERS.may_load_at_height(deps.storage, &addr, height)?,
        None => MEMBERS.may_load(deps.storage, &addr)?,
    };
    Ok(MemberResponse { weight })
}

/// Members with weight, in address order.
pub fn query_list_members(
    deps: Deps,
    start_after: Option<String>,
    limit: Option<u32>,
) -> StdResult<MemberListResponse> {
    let start = maybe_addr(deps.api, start_after)?;
    let members = MEMBERS
        .range(
            deps.storage,
            start.as_ref().map(Bound::exclusive),
            None,
            Order::Ascending,
        )
        .take(page_limit(limit))
        .map(|item| {
            item.map(|(addr, weight)| Member {
                addr: addr.into_string(),
                weight,
            })
        })
        .collect::<StdResult<_>>()?;
    Ok(MemberListResponse { members })
}

/// Registered hook listeners.
pub fn query_hooks(deps: Deps) -> StdResult<HooksResponse> {
    let hooks = HOOKS.query_hooks(deps)?.hooks;
    Ok(HooksResponse { hooks })
}

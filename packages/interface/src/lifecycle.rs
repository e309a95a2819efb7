//! Entry-point bodies every ACN contract shares: cw2 migration and cw-ownable ownership updates.

use cosmwasm_std::{Addr, BlockInfo, DepsMut, Response, StdResult, Storage};

/// `migrate`: refuse another contract or a downgrade, record the new cw2 version, and report
/// both versions.
pub fn migrate(storage: &mut dyn Storage, name: &str, version: &str) -> StdResult<Response> {
    let from = cw2::ensure_from_older_version(storage, name, version)?;
    Ok(Response::new()
        .add_attribute("action", "migrate")
        .add_attribute("from_version", from.to_string())
        .add_attribute("to_version", version))
}

/// `UpdateOwnership`: apply a cw-ownable action and report the resulting ownership.
pub fn update_ownership(
    deps: DepsMut,
    block: &BlockInfo,
    sender: &Addr,
    action: cw_ownable::Action,
) -> Result<Response, cw_ownable::OwnershipError> {
    let ownership = cw_ownable::update_ownership(deps, block, sender, action)?;
    Ok(Response::new()
        .add_attribute("action", "update_ownership")
        .add_attributes(ownership.into_attributes()))
}

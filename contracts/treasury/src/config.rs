//! Instantiation, `UpdateConfig` and `UpdateOwnership`.

use acn_interface::treasury::{InstantiateMsg, Split};
use cosmwasm_std::{Addr, DepsMut, Env, MessageInfo, Response};
use cw_utils::maybe_addr;

use crate::error::ContractError;
use crate::state::{Config, Totals, CONFIG, LAST_VESTING_ID, TOTALS};

/// Checks that the split sums to 10 000 and that a stakers' share has somewhere to go.
pub fn validate_split(split: &Split, staking: Option<&Addr>) -> Result<(), ContractError> {
    if !split.is_valid() {
        return Err(ContractError::InvalidSplit {
            total: split.total(),
        });
    }
    if split.stakers_bps > 0 && staking.is_none() {
        return Err(ContractError::StakingRequired {
            stakers_bps: split.stakers_bps,
        });
    }
    Ok(())
}

/// Sets the owner, validates and stores the configuration, zeroes the totals.
pub fn instantiate(
    deps: DepsMut,
    info: MessageInfo,
    msg: InstantiateMsg,
) -> Result<Response, ContractError> {
    let owner = msg.owner.unwrap_or_else(|| info.sender.to_string());
    cw_ownable::initialize_owner(deps.storage, deps.api, Some(&owner))?;

    let token = deps.api.addr_validate(&msg.token)?;
    let staking = maybe_addr(deps.api, msg.staking)?;
    let split = msg.split.unwrap_or_default();
    validate_split(&split, staking.as_ref())?;

    let config = Config {
        token,
        staking,
        split,
    };
    CONFIG.save(deps.storage, &config)?;
    TOTALS.save(deps.storage, &Totals::default())?;
    LAST_VESTING_ID.save(deps.storage, &0)?;

    Ok(Response::new()
        .add_attribute("action", "instantiate")
        .add_attribute("owner", owner)
        .add_attribute("token", config.token)
        .add_attribute("staking", optional_addr(config.staking.as_ref()))
        .add_attributes(split_attributes(&config.split)))
}

/// Owner only: replace the split and/or the staking contract.
pub fn update_config(
    deps: DepsMut,
    info: MessageInfo,
    split: Option<Split>,
    staking: Option<String>,
) -> Result<Response, ContractError> {
    cw_ownable::assert_owner(deps.storage, &info.sender)?;
    let mut config = CONFIG.load(deps.storage)?;
    if let Some(staking) = staking {
        config.staking = Some(deps.api.addr_validate(&staking)?);
    }
    if let Some(split) = split {
        config.split = split;
    }
    validate_split(&config.split, config.staking.as_ref())?;
    CONFIG.save(deps.storage, &config)?;

    Ok(Response::new()
        .add_attribute("action", "update_config")
        .add_attribute("staking", optional_addr(config.staking.as_ref()))
        .add_attributes(split_attributes(&config.split)))
}

/// cw-ownable: transfer, accept or renounce ownership.
pub fn update_ownership(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    action: cw_ownable::Action,
) -> Result<Response, ContractError> {
    Ok(acn_interface::lifecycle::update_ownership(
        deps,
        &env.block,
        &info.sender,
        action,
    )?)
}

fn optional_addr(addr: Option<&Addr>) -> String {
    addr.map_or_else(|| "none".to_string(), Addr::to_string)
}

fn split_attributes(split: &Split) -> [(&'static str, String); 4] {
    [
        ("burn_bps", split.burn_bps.to_string()),
        ("stakers_bps", split.stakers_bps.to_string()),
        ("kept_bps", split.kept_bps.to_string()),
        ("executor_bps", split.executor_bps.to_string()),
    ]
}

//! The CW20 receive hook: bonding and reward rounds, accepted from the configured token only.

use cosmwasm_std::{from_json, Addr, DepsMut, Env, MessageInfo, Response, Uint128};
use cw20::Cw20ReceiveMsg;

use crate::cw4::update_membership;
use crate::error::ContractError;
use crate::msg::ReceiveMsg;
use crate::rewards;
use crate::state::{Config, CONFIG, STAKES, TOTALS};

/// Dispatch a CW20 `Send`; `info.sender` is the token contract, `wrapper.sender` the user.
pub fn receive(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    wrapper: Cw20ReceiveMsg,
) -> Result<Response, ContractError> {
    let cfg = CONFIG.load(deps.storage)?;
    if info.sender != cfg.token {
        return Err(ContractError::UnknownToken {
            received: info.sender.into_string(),
            expected: cfg.token.into_string(),
        });
    }
    match from_json(&wrapper.msg)? {
        ReceiveMsg::Bond {} => {
            let staker = deps.api.addr_validate(&wrapper.sender)?;
            bond(deps, env, &cfg, staker, wrapper.amount)
        }
        ReceiveMsg::DistributeRewards {} => rewards::distribute(deps, &env, wrapper.amount),
    }
}

/// Add `amount` to `staker`'s bonded stake (rewards settled first, weight updated).
fn bond(
    deps: DepsMut,
    env: Env,
    cfg: &Config,
    staker: Addr,
    amount: Uint128,
) -> Result<Response, ContractError> {
    if amount.is_zero() {
        return Err(ContractError::ZeroAmount {});
    }
    if amount < cfg.min_bond {
        return Err(ContractError::BelowMinBond {
            amount,
            min_bond: cfg.min_bond,
        });
    }
    let mut totals = TOTALS.load(deps.storage)?;
    rewards::checkpoint(deps.storage, &mut totals, env.block.time)?;
    let mut stake = STAKES.may_load(deps.storage, &staker)?.unwrap_or_default();
    let bonded_before = stake.bonded;
    stake.bonded = stake.bonded.checked_add(amount)?;
    totals.bonded = totals.bonded.checked_add(amount)?;
    rewards::settle(
        deps.storage,
        &staker,
        bonded_before,
        stake.bonded,
        totals.reward_per_token,
    )?;
    STAKES.save(deps.storage, &staker, &stake)?;
    TOTALS.save(deps.storage, &totals)?;
    let hooks = update_membership(deps.storage, &staker, stake.bonded, cfg, env.block.height)?;

    Ok(Response::new()
        .add_submessages(hooks)
        .add_attribute("action", "bond")
        .add_attribute("staker", staker)
        .add_attribute("amount", amount)
        .add_attribute("bonded", stake.bonded))
}

//! Unbonding into `cw_controllers::Claims` and paying out matured claims.

use cosmwasm_std::{DepsMut, Env, MessageInfo, Response, Uint128};
use cw20::{Cw20Contract, Cw20ExecuteMsg};

use acn_interface::market;

use crate::cw4::update_membership;
use crate::error::ContractError;
use crate::rewards;
use crate::state::{CLAIMS, CLAIMS_EDIT, CONFIG, MARKET, STAKES, TOTALS};

/// Move `amount` of the sender's bonded stake into a claim maturing after the unbonding period
/// (or its lock tier's notice, if longer).
/// With a linked market, the stake the market holds at risk for the sender's unfinished jobs
/// (its `Exposure`) must stay bonded.
pub fn unbond(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    amount: Uint128,
) -> Result<Response, ContractError> {
    if amount.is_zero() {
        return Err(ContractError::ZeroAmount {});
    }
    let cfg = CONFIG.load(deps.storage)?;
    let staker = info.sender;
    let mut stake = STAKES.may_load(deps.storage, &staker)?.unwrap_or_default();
    if amount > stake.bonded {
        return Err(ContractError::InsufficientBonded {
            bonded: stake.bonded,
            requested: amount,
        });
    }
    // Stake at risk in the linked market's unfinished jobs stays bonded until they are final.
    if let Some(market) = MARKET.may_load(deps.storage)? {
        let exposure: market::ExposureResponse = deps.querier.query_wasm_smart(
            &market,
            &market::QueryMsg::Exposure {
                provider: staker.to_string(),
            },
        )?;
        if stake.bonded.checked_sub(amount)? < exposure.locked {
            return Err(ContractError::StakeLocked {
                bonded: stake.bonded,
                locked: exposure.locked,
                requested: amount,
            });
        }
    }
    let open_claims = CLAIMS_EDIT
        .may_load(deps.storage, &staker)?
        .map_or(0, |claims| claims.len());
    if open_claims >= cfg.max_claims as usize {
        return Err(ContractError::TooManyClaims {
            max: cfg.max_claims,
        });
    }

    let mut totals = TOTALS.load(deps.storage)?;
    rewards::checkpoint(deps.storage, &mut totals, env.block.time)?;
    let weight_before = stake.reward_weight();
    stake.bonded = stake.bonded.checked_sub(amount)?;
    stake.unbonding = stake.unbonding.checked_add(amount)?;
    totals.bonded = totals.bonded.checked_sub(amount)?;
    totals.unbonding = totals.unbonding.checked_add(amount)?;
    rewards::settle(
        deps.storage,
        &mut totals,
        &staker,
        weight_before,
        stake.reward_weight(),
    )?;
    // A locked stake leaves after the longer of its lock and the unbonding period.
    let cooldown = cfg.unbonding_period.after(&env.block);
    let locked = env.block.time.plus_seconds(stake.lock_seconds);
    let release_at = match cooldown {
        cw_utils::Expiration::AtTime(t) if t < locked => cw_utils::Expiration::AtTime(locked),
        other => other,
    };
    CLAIMS.create_claim(deps.storage, &staker, amount, release_at)?;
    STAKES.save(deps.storage, &staker, &stake)?;
    TOTALS.save(deps.storage, &totals)?;
    let hooks = update_membership(deps.storage, &staker, stake.bonded, &cfg, env.block.height)?;

    Ok(Response::new()
        .add_submessages(hooks)
        .add_attribute("action", "unbond")
        .add_attribute("staker", staker)
        .add_attribute("amount", amount)
        .add_attribute("release_at", release_at.to_string()))
}

/// Pay out every matured claim of the sender.
pub fn claim(deps: DepsMut, env: Env, info: MessageInfo) -> Result<Response, ContractError> {
    let staker = info.sender;
    let released = CLAIMS.claim_tokens(deps.storage, &staker, &env.block, None)?;
    if released.is_zero() {
        return Err(ContractError::NothingToClaim {});
    }
    // `claim_tokens` leaves an empty list behind; drop it.
    if CLAIMS_EDIT
        .may_load(deps.storage, &staker)?
        .is_some_and(|claims| claims.is_empty())
    {
        CLAIMS_EDIT.remove(deps.storage, &staker);
    }

    let mut stake = STAKES.may_load(deps.storage, &staker)?.unwrap_or_default();
    stake.unbonding = stake.unbonding.checked_sub(released)?;
    if stake.is_empty() {
        STAKES.remove(deps.storage, &staker);
    } else {
        STAKES.save(deps.storage, &staker, &stake)?;
    }
    let mut totals = TOTALS.load(deps.storage)?;
    totals.unbonding = totals.unbonding.checked_sub(released)?;
    TOTALS.save(deps.storage, &totals)?;

    let token = CONFIG.load(deps.storage)?.token;
    let transfer = Cw20Contract(token).call(Cw20ExecuteMsg::Transfer {
        recipient: staker.to_string(),
        amount: released,
    })?;
    Ok(Response::new()
        .add_message(transfer)
        .add_attribute("action", "claim")
        .add_attribute("staker", staker)
        .add_attribute("amount", released))
}

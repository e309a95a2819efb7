//! The CW20 receive hook: bonding and reward rounds, accepted from the configured token only.

use acn_interface::staking::{base_reward_bps, LockTier};
use cosmwasm_std::{from_json, Addr, DepsMut, Env, MessageInfo, Response, Storage, Uint128};
use cw20::Cw20ReceiveMsg;

use crate::cw4::update_membership;
use crate::error::ContractError;
use crate::msg::ReceiveMsg;
use crate::rewards;
use crate::state::{Config, Stake, CONFIG, LOCK_TIERS, STAKES, TOTALS};

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
        ReceiveMsg::Bond { tier } => {
            let staker = deps.api.addr_validate(&wrapper.sender)?;
            bond(deps, env, &cfg, staker, wrapper.amount, tier)
        }
        ReceiveMsg::DistributeRewards {} => rewards::distribute(deps, &env, wrapper.amount),
    }
}

/// The terms of lock tier `tier` (0: no lock, 1×).
pub fn lock_tier(storage: &dyn Storage, tier: u8) -> Result<LockTier, ContractError> {
    if tier == 0 {
        return Ok(LockTier {
            lock_seconds: 0,
            reward_bps: base_reward_bps(),
        });
    }
    let tiers = LOCK_TIERS.may_load(storage)?.unwrap_or_default();
    tiers
        .get(tier as usize - 1)
        .cloned()
        .ok_or(ContractError::UnknownTier {
            tier,
            max: tiers.len() as u8,
        })
}

/// Put `stake` at tier `tier` (its current one, or a higher one: never lower).
fn apply_tier(
    storage: &dyn Storage,
    stake: &mut Stake,
    tier: Option<u8>,
) -> Result<(), ContractError> {
    let Some(tier) = tier else {
        return Ok(());
    };
    if tier < stake.tier {
        return Err(ContractError::TierDowngrade {
            current: stake.tier,
            requested: tier,
        });
    }
    let terms = lock_tier(storage, tier)?;
    stake.tier = tier;
    stake.reward_bps = terms.reward_bps;
    stake.lock_seconds = terms.lock_seconds;
    Ok(())
}

/// Add `amount` to `staker`'s bonded stake at tier `tier` (rewards settled first, weights
/// updated).
fn bond(
    deps: DepsMut,
    env: Env,
    cfg: &Config,
    staker: Addr,
    amount: Uint128,
    tier: Option<u8>,
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
    let weight_before = stake.reward_weight();
    apply_tier(deps.storage, &mut stake, tier)?;
    stake.bonded = stake.bonded.checked_add(amount)?;
    totals.bonded = totals.bonded.checked_add(amount)?;
    rewards::settle(
        deps.storage,
        &mut totals,
        &staker,
        weight_before,
        stake.reward_weight(),
    )?;
    STAKES.save(deps.storage, &staker, &stake)?;
    TOTALS.save(deps.storage, &totals)?;
    let hooks = update_membership(deps.storage, &staker, stake.bonded, cfg, env.block.height)?;

    Ok(Response::new()
        .add_submessages(hooks)
        .add_attribute("action", "bond")
        .add_attribute("staker", staker)
        .add_attribute("amount", amount)
        .add_attribute("bonded", stake.bonded)
        .add_attribute("tier", stake.tier.to_string()))
}

/// Move the sender's whole bonded stake to the higher tier `tier`.
pub fn relock(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    tier: u8,
) -> Result<Response, ContractError> {
    let staker = info.sender;
    let mut stake = STAKES.may_load(deps.storage, &staker)?.unwrap_or_default();
    if stake.bonded.is_zero() {
        return Err(ContractError::InsufficientBonded {
            bonded: Uint128::zero(),
            requested: Uint128::one(),
        });
    }
    if tier == stake.tier {
        return Err(ContractError::TierDowngrade {
            current: stake.tier,
            requested: tier,
        });
    }
    let mut totals = TOTALS.load(deps.storage)?;
    rewards::checkpoint(deps.storage, &mut totals, env.block.time)?;
    let weight_before = stake.reward_weight();
    apply_tier(deps.storage, &mut stake, Some(tier))?;
    rewards::settle(
        deps.storage,
        &mut totals,
        &staker,
        weight_before,
        stake.reward_weight(),
    )?;
    STAKES.save(deps.storage, &staker, &stake)?;
    TOTALS.save(deps.storage, &totals)?;
    Ok(Response::new()
        .add_attribute("action", "relock")
        .add_attribute("staker", staker)
        .add_attribute("tier", tier.to_string())
        .add_attribute("reward_bps", stake.reward_bps.to_string())
        .add_attribute("lock_seconds", stake.lock_seconds.to_string()))
}

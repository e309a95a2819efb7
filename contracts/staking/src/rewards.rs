//! Reward rounds: a global reward-per-token index updated in O(1) per round, and per-staker
//! settlement of `bonded × (index − snapshot)` before every change of a staker's bonded stake.

use cosmwasm_std::{
    to_json_binary, Addr, DepsMut, MessageInfo, Response, Storage, Uint128, Uint256, WasmMsg,
};
use cw20::Cw20ExecuteMsg;

use crate::error::ContractError;
use crate::state::{RewardInfo, CONFIG, REWARDS, REWARD_SCALE, STAKES, TOTALS};

/// `addr`'s reward record brought up to `index`, given the stake it had bonded since its last
/// settlement. Nothing is written.
pub fn settled(
    storage: &dyn Storage,
    addr: &Addr,
    bonded: Uint128,
    index: Uint256,
) -> Result<RewardInfo, ContractError> {
    let Some(info) = REWARDS.may_load(storage, addr)? else {
        // No record: nothing bonded since the last settlement and nothing owed.
        return Ok(RewardInfo {
            index,
            accrued: Uint128::zero(),
        });
    };
    let earned = Uint256::from(bonded)
        .checked_mul(index.checked_sub(info.index)?)?
        .checked_div(Uint256::from(REWARD_SCALE))?;
    Ok(RewardInfo {
        index,
        accrued: info.accrued.checked_add(Uint128::try_from(earned)?)?,
    })
}

/// Store `info` for `addr`, or drop the record when nothing is bonded and nothing is owed.
pub fn store(
    storage: &mut dyn Storage,
    addr: &Addr,
    info: &RewardInfo,
    bonded_after: Uint128,
) -> Result<(), ContractError> {
    if bonded_after.is_zero() && info.accrued.is_zero() {
        REWARDS.remove(storage, addr);
    } else {
        REWARDS.save(storage, addr, info)?;
    }
    Ok(())
}

/// Settle `addr` at the current index before its bonded stake changes from `bonded_before` to
/// `bonded_after`.
pub fn settle(
    storage: &mut dyn Storage,
    addr: &Addr,
    bonded_before: Uint128,
    bonded_after: Uint128,
    index: Uint256,
) -> Result<(), ContractError> {
    let info = settled(storage, addr, bonded_before, index)?;
    store(storage, addr, &info, bonded_after)
}

/// A reward round of `amount`. With bonded stake, the round plus everything carried is added to
/// the index; what the index increase cannot pay (rounded up, so it is never over-promised) stays
/// carried. With nothing bonded, the whole round is carried to the next round that finds stakers
/// (bonding does not release it, so a first staker cannot snap it up).
///
/// Rounding: each settlement rounds a staker's accrual down, so the sum paid never exceeds what
/// the index promised; the sub-unit remainders stay in the contract as surplus above
/// bonded + unbonding + accrued + carried.
pub fn distribute(deps: DepsMut, amount: Uint128) -> Result<Response, ContractError> {
    if amount.is_zero() {
        return Err(ContractError::ZeroAmount {});
    }
    let mut totals = TOTALS.load(deps.storage)?;
    totals.rewards_funded = totals.rewards_funded.checked_add(amount)?;
    let pool = totals.rewards_carried.checked_add(amount)?;
    let mut index_increase = Uint256::zero();
    if totals.bonded.is_zero() {
        totals.rewards_carried = pool;
    } else {
        let scale = Uint256::from(REWARD_SCALE);
        let bonded = Uint256::from(totals.bonded);
        index_increase = Uint256::from(pool)
            .checked_mul(scale)?
            .checked_div(bonded)?;
        // What stakers can ever be paid from this increase, rounded up so the carried
        // remainder never over-promises.
        let used = index_increase
            .checked_mul(bonded)?
            .checked_add(scale.checked_sub(Uint256::one())?)?
            .checked_div(scale)?;
        totals.rewards_carried = pool.checked_sub(Uint128::try_from(used)?)?;
        totals.reward_per_token = totals.reward_per_token.checked_add(index_increase)?;
    }
    TOTALS.save(deps.storage, &totals)?;
    Ok(Response::new()
        .add_attribute("action", "distribute_rewards")
        .add_attribute("amount", amount)
        .add_attribute("index_increase", index_increase.to_string())
        .add_attribute("reward_per_token", totals.reward_per_token.to_string())
        .add_attribute("rewards_carried", totals.rewards_carried))
}

/// Pay the sender everything it has accrued.
pub fn claim_rewards(deps: DepsMut, info: MessageInfo) -> Result<Response, ContractError> {
    let mut totals = TOTALS.load(deps.storage)?;
    let bonded = STAKES
        .may_load(deps.storage, &info.sender)?
        .unwrap_or_default()
        .bonded;
    let mut reward = settled(deps.storage, &info.sender, bonded, totals.reward_per_token)?;
    let amount = reward.accrued;
    if amount.is_zero() {
        return Err(ContractError::NoRewards {});
    }
    reward.accrued = Uint128::zero();
    store(deps.storage, &info.sender, &reward, bonded)?;
    totals.rewards_claimed = totals.rewards_claimed.checked_add(amount)?;
    TOTALS.save(deps.storage, &totals)?;

    let token = CONFIG.load(deps.storage)?.token;
    let transfer = WasmMsg::Execute {
        contract_addr: token.into_string(),
        msg: to_json_binary(&Cw20ExecuteMsg::Transfer {
            recipient: info.sender.to_string(),
            amount,
        })?,
        funds: vec![],
    };
    Ok(Response::new()
        .add_message(transfer)
        .add_attribute("action", "claim_rewards")
        .add_attribute("staker", info.sender)
        .add_attribute("amount", amount))
}

//! Reward rounds streamed over time (Synthetix `StakingRewards`): every round joins one stream,
//! released linearly into a global reward-per-token index as time passes while stake is bonded,
//! and per-staker settlement of `weight × (index − snapshot)` before every change of a staker's
//! reward weight (its bonded stake × its lock tier's weight: longer locks earn more). Both are
//! O(1).
//!
//! Why a stream: with rounds added to the index at once, bonding right before a round and
//! leaving right after earned as much as a month of staking, and a round that arrived while
//! nothing was bonded went whole to the first staker, even one bonding a single base unit. Now
//! what a staker earns is its share of what is released while it is bonded: stake × time.

use cosmwasm_std::{
    Addr, DepsMut, Env, MessageInfo, Response, Storage, Timestamp, Uint128, Uint256, Uint64,
};
use cw20::{Cw20Contract, Cw20ExecuteMsg};

use crate::error::ContractError;
use crate::msg::{DEFAULT_REWARD_DURATION, MAX_REWARD_DURATION, MIN_REWARD_DURATION};
use crate::state::{
    RewardInfo, RewardStream, Totals, CONFIG, REWARDS, REWARD_SCALE, REWARD_STREAM, STAKES, TOTALS,
};

/// `addr`'s reward record brought up to `index`, given the reward weight of the stake it had
/// bonded since its last settlement. Nothing is written.
pub fn settled(
    storage: &dyn Storage,
    addr: &Addr,
    weight: Uint128,
    index: Uint256,
) -> Result<RewardInfo, ContractError> {
    let Some(info) = REWARDS.may_load(storage, addr)? else {
        // No record: nothing bonded since the last settlement and nothing owed.
        return Ok(RewardInfo {
            index,
            accrued: Uint128::zero(),
        });
    };
    let earned = Uint256::from(weight)
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
    weight_after: Uint128,
) -> Result<(), ContractError> {
    if weight_after.is_zero() && info.accrued.is_zero() {
        REWARDS.remove(storage, addr);
    } else {
        REWARDS.save(storage, addr, info)?;
    }
    Ok(())
}

/// Settle `addr` at `index` before the reward weight of its bonded stake changes from
/// `weight_before` to `weight_after`, and move the total weight by the difference; `index` must
/// be the one a [`checkpoint`] at the block time just produced into `totals`.
pub fn settle(
    storage: &mut dyn Storage,
    totals: &mut Totals,
    addr: &Addr,
    weight_before: Uint128,
    weight_after: Uint128,
) -> Result<(), ContractError> {
    let info = settled(storage, addr, weight_before, totals.reward_per_token)?;
    totals.reward_weight = totals
        .reward_weight
        .checked_sub(weight_before)?
        .checked_add(weight_after)?;
    store(storage, addr, &info, weight_after)
}

/// The reward stream; state written before streaming existed has none: an ended stream of the
/// default duration (whatever was carried then is released by the next funded round).
pub fn load_stream(storage: &dyn Storage) -> Result<RewardStream, ContractError> {
    Ok(REWARD_STREAM.may_load(storage)?.unwrap_or(RewardStream {
        duration: DEFAULT_REWARD_DURATION,
        end: 0,
        last_update: 0,
    }))
}

/// Migration from state written before streaming: start the stream at `now`, releasing what was
/// carried over one default duration (nothing to do if the stream exists).
pub fn init_stream_if_missing(
    storage: &mut dyn Storage,
    now: Timestamp,
) -> Result<(), ContractError> {
    if REWARD_STREAM.may_load(storage)?.is_some() {
        return Ok(());
    }
    let now = now.seconds();
    REWARD_STREAM.save(
        storage,
        &RewardStream {
            duration: DEFAULT_REWARD_DURATION,
            end: Uint64::new(now)
                .checked_add(Uint64::new(DEFAULT_REWARD_DURATION))?
                .u64(),
            last_update: now,
        },
    )?;
    Ok(())
}

/// Migration from state written before lock tiers: every stake then was 1×, so the total reward
/// weight is the bonded total.
pub fn init_reward_weight_if_missing(storage: &mut dyn Storage) -> Result<(), ContractError> {
    let mut totals = TOTALS.load(storage)?;
    if totals.reward_weight.is_zero() && !totals.bonded.is_zero() {
        totals.reward_weight = totals.bonded;
        TOTALS.save(storage, &totals)?;
    }
    Ok(())
}

/// Release the stream into the index up to `now` (in memory only). Between `last_update` and
/// `now` the bonded total did not change (every change of it comes through here first), so:
/// - with nothing bonded the stream pauses: its end moves later by the time that passed, and
///   nothing is released (what would have been stays carried);
/// - otherwise `carried × (t − last_update) / (end − last_update)` is released (all of it once
///   `end` is reached), added to the index, and the part the index increase cannot pay (rounded
///   up, never over-promised) stays carried.
pub fn accrue(
    totals: &mut Totals,
    stream: &mut RewardStream,
    now: u64,
) -> Result<(), ContractError> {
    if now <= stream.last_update {
        return Ok(());
    }
    let elapsed = now - stream.last_update;
    if totals.reward_weight.is_zero() {
        if stream.end > stream.last_update {
            stream.end = Uint64::new(stream.end)
                .checked_add(Uint64::new(elapsed))?
                .u64();
        }
    } else if stream.end > stream.last_update && !totals.rewards_carried.is_zero() {
        let released_until = now.min(stream.end);
        let released = Uint256::from(totals.rewards_carried)
            .checked_mul(Uint256::from(released_until - stream.last_update))?
            .checked_div(Uint256::from(stream.end - stream.last_update))?;
        let scale = Uint256::from(REWARD_SCALE);
        let weight = Uint256::from(totals.reward_weight);
        let index_increase = released.checked_mul(scale)?.checked_div(weight)?;
        // What stakers can ever be paid from this increase, rounded up so the carried
        // remainder never over-promises.
        let used = index_increase
            .checked_mul(weight)?
            .checked_add(scale.checked_sub(Uint256::one())?)?
            .checked_div(scale)?;
        totals.rewards_carried = totals
            .rewards_carried
            .checked_sub(Uint128::try_from(used)?)?;
        totals.reward_per_token = totals.reward_per_token.checked_add(index_increase)?;
    }
    stream.last_update = now;
    Ok(())
}

/// Bring the index up to `now` and store the stream; the caller stores `totals`. Call before
/// anything changes the bonded total or reads a staker's settlement.
pub fn checkpoint(
    storage: &mut dyn Storage,
    totals: &mut Totals,
    now: Timestamp,
) -> Result<(), ContractError> {
    let mut stream = load_stream(storage)?;
    accrue(totals, &mut stream, now.seconds())?;
    REWARD_STREAM.save(storage, &stream)?;
    Ok(())
}

/// The totals and the stream as they would be after a checkpoint at `now` (nothing is written):
/// what the queries report.
pub fn current(
    storage: &dyn Storage,
    now: Timestamp,
) -> Result<(Totals, RewardStream), ContractError> {
    let mut totals = TOTALS.load(storage)?;
    let mut stream = load_stream(storage)?;
    accrue(&mut totals, &mut stream, now.seconds())?;
    Ok((totals, stream))
}

/// A reward round of `amount`: the stream is brought up to now, the round joins it, and the
/// stream's end becomes the amount-weighted mean of the time left for what was carried and the
/// full duration for the new round (rounded up), so a one-unit round hardly moves the end of a
/// large stream and cannot stall it, while a round into an empty stream runs the full duration.
///
/// Rounding: each settlement rounds a staker's accrual down, so the sum paid never exceeds what
/// the index promised; the sub-unit remainders stay in the contract as surplus above
/// bonded + unbonding + accrued + carried.
pub fn distribute(deps: DepsMut, env: &Env, amount: Uint128) -> Result<Response, ContractError> {
    if amount.is_zero() {
        return Err(ContractError::ZeroAmount {});
    }
    let now = env.block.time.seconds();
    let mut totals = TOTALS.load(deps.storage)?;
    let mut stream = load_stream(deps.storage)?;
    accrue(&mut totals, &mut stream, now)?;

    let carried = Uint256::from(totals.rewards_carried);
    let time_left = Uint256::from(stream.end.saturating_sub(now));
    let pool = carried.checked_add(Uint256::from(amount))?;
    let weighted = carried
        .checked_mul(time_left)?
        .checked_add(Uint256::from(amount).checked_mul(Uint256::from(stream.duration))?)?;
    let new_time_left = weighted
        .checked_add(pool.checked_sub(Uint256::one())?)?
        .checked_div(pool)?;
    stream.end = Uint64::new(now)
        .checked_add(Uint64::try_from(new_time_left)?)?
        .u64();
    totals.rewards_funded = totals.rewards_funded.checked_add(amount)?;
    totals.rewards_carried = totals.rewards_carried.checked_add(amount)?;
    TOTALS.save(deps.storage, &totals)?;
    REWARD_STREAM.save(deps.storage, &stream)?;
    Ok(Response::new()
        .add_attribute("action", "distribute_rewards")
        .add_attribute("amount", amount)
        .add_attribute("reward_per_token", totals.reward_per_token.to_string())
        .add_attribute("rewards_carried", totals.rewards_carried)
        .add_attribute("reward_stream_end", stream.end.to_string()))
}

/// Owner only: the duration of rounds funded from now on.
pub fn update_reward_duration(
    deps: DepsMut,
    info: MessageInfo,
    reward_duration: u64,
) -> Result<Response, ContractError> {
    cw_ownable::assert_owner(deps.storage, &info.sender)?;
    if !(MIN_REWARD_DURATION..=MAX_REWARD_DURATION).contains(&reward_duration) {
        return Err(ContractError::InvalidRewardDuration {
            reward_duration,
            min: MIN_REWARD_DURATION,
            max: MAX_REWARD_DURATION,
        });
    }
    let mut stream = load_stream(deps.storage)?;
    stream.duration = reward_duration;
    REWARD_STREAM.save(deps.storage, &stream)?;
    Ok(Response::new()
        .add_attribute("action", "update_reward_duration")
        .add_attribute("reward_duration", reward_duration.to_string()))
}

/// Pay the sender everything it has accrued.
pub fn claim_rewards(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
) -> Result<Response, ContractError> {
    let mut totals = TOTALS.load(deps.storage)?;
    checkpoint(deps.storage, &mut totals, env.block.time)?;
    let weight = STAKES
        .may_load(deps.storage, &info.sender)?
        .unwrap_or_default()
        .reward_weight();
    let mut reward = settled(deps.storage, &info.sender, weight, totals.reward_per_token)?;
    let amount = reward.accrued;
    if amount.is_zero() {
        return Err(ContractError::NoRewards {});
    }
    reward.accrued = Uint128::zero();
    store(deps.storage, &info.sender, &reward, weight)?;
    totals.rewards_claimed = totals.rewards_claimed.checked_add(amount)?;
    TOTALS.save(deps.storage, &totals)?;

    let token = CONFIG.load(deps.storage)?.token;
    let transfer = Cw20Contract(token).call(Cw20ExecuteMsg::Transfer {
        recipient: info.sender.to_string(),
        amount,
    })?;
    Ok(Response::new()
        .add_message(transfer)
        .add_attribute("action", "claim_rewards")
        .add_attribute("staker", info.sender)
        .add_attribute("amount", amount))
}

//! Vesting: owner-only `CreateVesting` locks part of the reserve into a linear schedule with a
//! cliff; `ClaimVested` pays a beneficiary everything vested and unclaimed. A schedule paid out in
//! full leaves its beneficiary's open list, so only open schedules count against
//! `MAX_VESTINGS_PER_BENEFICIARY` (and `ClaimVested` only walks open ones).

use acn_interface::treasury::VestingResponse;
use cosmwasm_std::{
    DepsMut, Empty, Env, MessageInfo, Order, OverflowError, OverflowOperation, Response, StdError,
    StdResult, Timestamp, Uint128,
};
use cw20::{Cw20Contract, Cw20ExecuteMsg};

use crate::error::ContractError;
use crate::spend::ensure_spendable;
use crate::state::{
    Vesting, CONFIG, LAST_VESTING_ID, MAX_VESTINGS_PER_BENEFICIARY, TOTALS, VESTINGS,
    VESTINGS_BY_BENEFICIARY,
};

/// Vested amount at `now`: zero before `start + cliff`, then
/// `amount × min(now − start, duration) / duration`, rounded down.
pub fn vested_at(vesting: &Vesting, now: Timestamp) -> StdResult<Uint128> {
    let start = vesting.start.seconds();
    let now = now.seconds();
    // A cliff end beyond u64 seconds is never reached.
    let Some(cliff_end) = start.checked_add(vesting.cliff) else {
        return Ok(Uint128::zero());
    };
    if now < cliff_end {
        return Ok(Uint128::zero());
    }
    let elapsed = now.saturating_sub(start).min(vesting.duration);
    vesting
        .amount
        .checked_multiply_ratio(elapsed, vesting.duration)
        .map_err(|e| StdError::generic_err(format!("vesting curve: {e}")))
}

/// A schedule and where it stands at the current block.
pub fn vesting_response(id: u64, vesting: Vesting, env: &Env) -> StdResult<VestingResponse> {
    let vested = vested_at(&vesting, env.block.time)?;
    let claimable = vested.checked_sub(vesting.claimed)?;
    Ok(VestingResponse {
        id,
        beneficiary: vesting.beneficiary,
        amount: vesting.amount,
        start: vesting.start,
        cliff: vesting.cliff,
        duration: vesting.duration,
        claimed: vesting.claimed,
        vested,
        claimable,
    })
}

/// Owner only: lock `amount` of the spendable reserve into a new schedule for `beneficiary`.
#[allow(clippy::too_many_arguments)]
pub fn create_vesting(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    beneficiary: String,
    amount: Uint128,
    start: Option<Timestamp>,
    cliff: u64,
    duration: u64,
) -> Result<Response, ContractError> {
    cw_ownable::assert_owner(deps.storage, &info.sender)?;
    let beneficiary = deps.api.addr_validate(&beneficiary)?;
    if amount.is_zero() {
        return Err(ContractError::ZeroAmount);
    }
    if duration == 0 {
        return Err(ContractError::ZeroDuration);
    }
    if cliff > duration {
        return Err(ContractError::CliffAfterEnd { cliff, duration });
    }
    let start = start.unwrap_or(env.block.time);
    // The end must be a representable time.
    start
        .seconds()
        .checked_add(duration)
        .ok_or(OverflowError::new(OverflowOperation::Add))?;
    let existing = VESTINGS_BY_BENEFICIARY
        .prefix(&beneficiary)
        .keys(deps.storage, None, None, Order::Ascending)
        .take(MAX_VESTINGS_PER_BENEFICIARY as usize)
        .count();
    if existing >= MAX_VESTINGS_PER_BENEFICIARY as usize {
        return Err(ContractError::TooManyVestings {
            beneficiary: beneficiary.into_string(),
            max: MAX_VESTINGS_PER_BENEFICIARY,
        });
    }
    ensure_spendable(&deps, &env, amount)?;

    let id = LAST_VESTING_ID
        .load(deps.storage)?
        .checked_add(1)
        .ok_or(OverflowError::new(OverflowOperation::Add))?;
    LAST_VESTING_ID.save(deps.storage, &id)?;
    let vesting = Vesting {
        beneficiary: beneficiary.clone(),
        amount,
        start,
        cliff,
        duration,
        claimed: Uint128::zero(),
    };
    VESTINGS.save(deps.storage, id, &vesting)?;
    VESTINGS_BY_BENEFICIARY.save(deps.storage, (&beneficiary, id), &Empty {})?;

    let mut totals = TOTALS.load(deps.storage)?;
    totals.vesting_created = totals.vesting_created.checked_add(amount)?;
    TOTALS.save(deps.storage, &totals)?;

    Ok(Response::new()
        .add_attribute("action", "create_vesting")
        .add_attribute("id", id.to_string())
        .add_attribute("beneficiary", beneficiary)
        .add_attribute("amount", amount)
        .add_attribute("start", start.seconds().to_string())
        .add_attribute("cliff", cliff.to_string())
        .add_attribute("duration", duration.to_string()))
}

/// Beneficiary: pay out everything vested and unclaimed across the sender's schedules.
pub fn claim_vested(deps: DepsMut, env: Env, info: MessageInfo) -> Result<Response, ContractError> {
    let ids = VESTINGS_BY_BENEFICIARY
        .prefix(&info.sender)
        .keys(deps.storage, None, None, Order::Ascending)
        .collect::<StdResult<Vec<u64>>>()?;

    let mut total = Uint128::zero();
    for id in ids {
        let mut vesting = VESTINGS.load(deps.storage, id)?;
        let vested = vested_at(&vesting, env.block.time)?;
        let claimable = vested.checked_sub(vesting.claimed)?;
        if claimable.is_zero() {
            continue;
        }
        vesting.claimed = vested;
        VESTINGS.save(deps.storage, id, &vesting)?;
        if vesting.claimed == vesting.amount {
            // Finished: it leaves the beneficiary's open list (and so its cap); the schedule
            // itself stays readable by `AllVestings`.
            VESTINGS_BY_BENEFICIARY.remove(deps.storage, (&info.sender, id));
        }
        total = total.checked_add(claimable)?;
    }
    if total.is_zero() {
        return Err(ContractError::NothingToClaim {
            address: info.sender.into_string(),
        });
    }

    let mut totals = TOTALS.load(deps.storage)?;
    totals.vested_claimed = totals.vested_claimed.checked_add(total)?;
    TOTALS.save(deps.storage, &totals)?;

    let config = CONFIG.load(deps.storage)?;
    let transfer = Cw20Contract(config.token).call(Cw20ExecuteMsg::Transfer {
        recipient: info.sender.to_string(),
        amount: total,
    })?;
    Ok(Response::new()
        .add_message(transfer)
        .add_attribute("action", "claim_vested")
        .add_attribute("beneficiary", info.sender)
        .add_attribute("amount", total))
}

//! Work reports, epoch starts and provider claims — each does constant work.

use acn_interface::emissions::{WorkUnits, MAX_WORK_RECORDS};
use acn_interface::{bps_of, staking};
use cosmwasm_std::{
    to_json_binary, Addr, CosmosMsg, DepsMut, Env, MessageInfo, Response, Storage, Uint128,
};
use cw20::{Cw20Contract, Cw20ExecuteMsg};

use crate::error::ContractError;
use crate::params::{epoch_at, scheduled_release};
use crate::state::{Config, Epoch, ProviderState, CONFIG, EPOCHS, PROVIDERS, TOTALS};

/// Close `state`'s open epoch if it is over (`current` is later): credit
/// `provider_release × units / epoch units` to `accrued`. One epoch lookup.
pub fn close_open_epoch(
    storage: &dyn Storage,
    state: &mut ProviderState,
    current: u64,
) -> Result<(), ContractError> {
    if state.epoch >= current {
        return Ok(());
    }
    if state.units > 0 {
        let epoch = EPOCHS.load(storage, state.epoch)?;
        // units ≤ epoch.units, so the share never exceeds the epoch's release.
        let reward = epoch
            .provider_release
            .multiply_ratio(state.units, epoch.units.max(Uint128::one()));
        state.accrued = state.accrued.checked_add(reward)?;
        state.units = 0;
    }
    state.epoch = current;
    Ok(())
}

/// Start epoch `index` if no work was recorded in it yet: fix its release (bounded by what is
/// left of the pool), allocate it, and mint the stakers' part into a staking reward round.
fn ensure_epoch_started(
    storage: &mut dyn Storage,
    config: &Config,
    self_addr: &Addr,
    index: u64,
    msgs: &mut Vec<CosmosMsg>,
) -> Result<Epoch, ContractError> {
    if let Some(epoch) = EPOCHS.may_load(storage, index)? {
        return Ok(epoch);
    }
    let mut totals = TOTALS.load(storage)?;
    let left = config.pool.checked_sub(totals.allocated)?;
    let release = scheduled_release(&config.params, index).min(left);
    let staker_release = match &config.staking {
        Some(_) => bps_of(release, config.params.staker_share_bps),
        None => Uint128::zero(),
    };
    let epoch = Epoch {
        provider_release: release.checked_sub(staker_release)?,
        staker_release,
        units: Uint128::zero(),
    };
    totals.allocated = totals.allocated.checked_add(release)?;
    if let (Some(staking_addr), false) = (&config.staking, staker_release.is_zero()) {
        totals.minted_to_stakers = totals.minted_to_stakers.checked_add(staker_release)?;
        let token = Cw20Contract(config.token.clone());
        msgs.push(token.call(Cw20ExecuteMsg::Mint {
            recipient: self_addr.to_string(),
            amount: staker_release,
        })?);
        msgs.push(token.call(Cw20ExecuteMsg::Send {
            contract: staking_addr.to_string(),
            amount: staker_release,
            msg: to_json_binary(&staking::ReceiveMsg::DistributeRewards {})?,
        })?);
    }
    TOTALS.save(storage, &totals)?;
    EPOCHS.save(storage, index, &epoch)?;
    Ok(epoch)
}

/// Market only: credit each provider's settled and agreed units to the current epoch.
pub fn record_work(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    work: Vec<WorkUnits>,
) -> Result<Response, ContractError> {
    let config = CONFIG.load(deps.storage)?;
    if config.market.as_ref() != Some(&info.sender) {
        return Err(ContractError::NotMarket {
            sender: info.sender.into_string(),
        });
    }
    if work.is_empty() {
        return Err(ContractError::EmptyWork);
    }
    if work.len() > MAX_WORK_RECORDS {
        return Err(ContractError::TooManyWorkRecords {
            count: work.len(),
            max: MAX_WORK_RECORDS,
        });
    }
    let current = epoch_at(config.genesis_time, config.epoch_seconds, env.block.time);
    let mut msgs = vec![];
    let mut epoch = ensure_epoch_started(
        deps.storage,
        &config,
        &env.contract.address,
        current,
        &mut msgs,
    )?;
    let mut recorded = 0u128;
    for entry in &work {
        if entry.units == 0 {
            return Err(ContractError::ZeroUnits {
                provider: entry.provider.clone(),
            });
        }
        let provider = deps.api.addr_validate(&entry.provider)?;
        let mut state = PROVIDERS
            .may_load(deps.storage, &provider)?
            .unwrap_or(ProviderState {
                epoch: current,
                ..ProviderState::default()
            });
        close_open_epoch(deps.storage, &mut state, current)?;
        state.units =
            state
                .units
                .checked_add(entry.units)
                .ok_or(cosmwasm_std::OverflowError::new(
                    cosmwasm_std::OverflowOperation::Add,
                ))?;
        PROVIDERS.save(deps.storage, &provider, &state)?;
        recorded += entry.units as u128;
    }
    epoch.units = epoch.units.checked_add(Uint128::new(recorded))?;
    EPOCHS.save(deps.storage, current, &epoch)?;
    let mut totals = TOTALS.load(deps.storage)?;
    totals.units = totals.units.checked_add(Uint128::new(recorded))?;
    TOTALS.save(deps.storage, &totals)?;
    Ok(Response::new()
        .add_messages(msgs)
        .add_attribute("action", "record_work")
        .add_attribute("epoch", current.to_string())
        .add_attribute("units", recorded.to_string()))
}

/// Provider: mint everything accrued from closed epochs to the sender.
pub fn claim(deps: DepsMut, env: Env, info: MessageInfo) -> Result<Response, ContractError> {
    let config = CONFIG.load(deps.storage)?;
    let current = epoch_at(config.genesis_time, config.epoch_seconds, env.block.time);
    let nothing = || ContractError::NothingToClaim {
        address: info.sender.to_string(),
    };
    let mut state = PROVIDERS
        .may_load(deps.storage, &info.sender)?
        .ok_or_else(nothing)?;
    close_open_epoch(deps.storage, &mut state, current)?;
    let amount = state.accrued;
    if amount.is_zero() {
        return Err(nothing());
    }
    let mut totals = TOTALS.load(deps.storage)?;
    let minted = totals
        .minted_to_providers
        .checked_add(totals.minted_to_stakers)?;
    if minted.checked_add(amount)? > totals.allocated {
        return Err(ContractError::PoolExceeded {
            amount,
            minted,
            allocated: totals.allocated,
        });
    }
    totals.minted_to_providers = totals.minted_to_providers.checked_add(amount)?;
    TOTALS.save(deps.storage, &totals)?;
    state.accrued = Uint128::zero();
    state.claimed = state.claimed.checked_add(amount)?;
    PROVIDERS.save(deps.storage, &info.sender, &state)?;
    let mint = Cw20Contract(config.token).call(Cw20ExecuteMsg::Mint {
        recipient: info.sender.to_string(),
        amount,
    })?;
    Ok(Response::new()
        .add_message(mint)
        .add_attribute("action", "claim")
        .add_attribute("provider", info.sender)
        .add_attribute("amount", amount))
}

//! Funding, work reports, epoch starts and closes, and provider claims — each does constant work.

use acn_interface::emissions::{ReceiveMsg, WorkFee, MAX_WORK_RECORDS};
use acn_interface::staking;
use cosmwasm_std::{
    from_json, to_json_binary, CosmosMsg, DepsMut, Env, MessageInfo, Response, Storage, Uint128,
};
use cw20::{Cw20Contract, Cw20ExecuteMsg, Cw20ReceiveMsg};

use crate::error::ContractError;
use crate::params::epoch_at;
use crate::state::{Config, Epoch, ProviderState, Totals, CONFIG, EPOCHS, PROVIDERS, TOTALS};

/// Close `state`'s open epoch if it is over (`current` is later): credit
/// `provider_release × fees / epoch fees` to `accrued`. One epoch lookup.
pub fn close_provider_epoch(
    storage: &dyn Storage,
    state: &mut ProviderState,
    current: u64,
) -> Result<(), ContractError> {
    if state.epoch >= current {
        return Ok(());
    }
    if !state.fees.is_zero() {
        let epoch = EPOCHS.load(storage, state.epoch)?;
        // fees ≤ epoch fees, so the share never exceeds the providers' part of the release.
        let reward = epoch
            .provider_release()
            .multiply_ratio(state.fees, epoch.fees.max(Uint128::one()));
        state.accrued = state.accrued.checked_add(reward)?;
        state.fees = Uint128::zero();
    }
    state.epoch = current;
    Ok(())
}

/// Close the last started epoch if it is over (`current` is later): count its release and send
/// the stakers' part into a staking reward round. Returns the closed epoch, if any.
pub fn close_finished_epoch(
    storage: &mut dyn Storage,
    config: &Config,
    totals: &mut Totals,
    current: u64,
    msgs: &mut Vec<CosmosMsg>,
) -> Result<Option<(u64, Epoch)>, ContractError> {
    let Some(index) = totals.open_epoch.filter(|i| *i < current) else {
        return Ok(None);
    };
    let mut epoch = EPOCHS.load(storage, index)?;
    totals.released = totals.released.checked_add(epoch.release())?;
    let staker_release = epoch.staker_release();
    if let (Some(staking_addr), false) = (&config.staking, staker_release.is_zero()) {
        totals.paid_to_stakers = totals.paid_to_stakers.checked_add(staker_release)?;
        msgs.push(
            Cw20Contract(config.token.clone()).call(Cw20ExecuteMsg::Send {
                contract: staking_addr.to_string(),
                amount: staker_release,
                msg: to_json_binary(&staking::ReceiveMsg::DistributeRewards {})?,
            })?,
        );
    }
    epoch.closed = true;
    EPOCHS.save(storage, index, &epoch)?;
    totals.open_epoch = None;
    Ok(Some((index, epoch)))
}

/// The epoch that would start now: its budget is `budget_rate` of the unreleased pool (call after
/// [`close_finished_epoch`]); the stakers' share is kept only with a staking contract.
pub fn new_epoch(config: &Config, totals: &Totals) -> Epoch {
    Epoch {
        budget: totals.unreleased().mul_floor(config.params.budget_rate),
        fee_cap_bps: config.params.fee_cap_bps,
        staker_share_bps: if config.staking.is_some() {
            config.params.staker_share_bps
        } else {
            0
        },
        fees: Uint128::zero(),
        closed: false,
    }
}

/// The token's `Send` hook: add what was sent to the pool.
pub fn receive(
    deps: DepsMut,
    info: MessageInfo,
    wrapper: Cw20ReceiveMsg,
) -> Result<Response, ContractError> {
    let config = CONFIG.load(deps.storage)?;
    if info.sender != config.token {
        return Err(ContractError::WrongToken {
            token: config.token.into_string(),
            sender: info.sender.into_string(),
        });
    }
    match from_json(&wrapper.msg)? {
        ReceiveMsg::Fund {} => {
            if wrapper.amount.is_zero() {
                return Err(ContractError::EmptyFunding);
            }
            let mut totals = TOTALS.load(deps.storage)?;
            totals.funded = totals.funded.checked_add(wrapper.amount)?;
            TOTALS.save(deps.storage, &totals)?;
            Ok(Response::new()
                .add_attribute("action", "fund")
                .add_attribute("from", wrapper.sender)
                .add_attribute("amount", wrapper.amount)
                .add_attribute("funded", totals.funded))
        }
    }
}

/// Market only: credit each provider's fees to the current epoch (starting it if needed, after
/// closing the previous one).
pub fn record_work(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    work: Vec<WorkFee>,
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
    let mut totals = TOTALS.load(deps.storage)?;
    let mut msgs = vec![];
    close_finished_epoch(deps.storage, &config, &mut totals, current, &mut msgs)?;
    let mut epoch = match EPOCHS.may_load(deps.storage, current)? {
        Some(epoch) => epoch,
        None => {
            totals.open_epoch = Some(current);
            new_epoch(&config, &totals)
        }
    };
    let mut recorded = Uint128::zero();
    for entry in &work {
        if entry.fee.is_zero() {
            return Err(ContractError::ZeroFee {
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
        close_provider_epoch(deps.storage, &mut state, current)?;
        state.fees = state.fees.checked_add(entry.fee)?;
        PROVIDERS.save(deps.storage, &provider, &state)?;
        recorded = recorded.checked_add(entry.fee)?;
    }
    epoch.fees = epoch.fees.checked_add(recorded)?;
    EPOCHS.save(deps.storage, current, &epoch)?;
    totals.fees = totals.fees.checked_add(recorded)?;
    TOTALS.save(deps.storage, &totals)?;
    Ok(Response::new()
        .add_messages(msgs)
        .add_attribute("action", "record_work")
        .add_attribute("epoch", current.to_string())
        .add_attribute("fees", recorded)
        .add_attribute("epoch_budget", epoch.budget)
        .add_attribute("epoch_release", epoch.release()))
}

/// Provider: transfer everything accrued from closed epochs to the sender.
pub fn claim(deps: DepsMut, env: Env, info: MessageInfo) -> Result<Response, ContractError> {
    let config = CONFIG.load(deps.storage)?;
    let current = epoch_at(config.genesis_time, config.epoch_seconds, env.block.time);
    let nothing = || ContractError::NothingToClaim {
        address: info.sender.to_string(),
    };
    let mut state = PROVIDERS
        .may_load(deps.storage, &info.sender)?
        .ok_or_else(nothing)?;
    let mut totals = TOTALS.load(deps.storage)?;
    let mut msgs = vec![];
    // The provider's epoch is over: close it first, so its release is counted as released.
    close_finished_epoch(deps.storage, &config, &mut totals, current, &mut msgs)?;
    close_provider_epoch(deps.storage, &mut state, current)?;
    let amount = state.accrued;
    if amount.is_zero() {
        return Err(nothing());
    }
    let paid = totals
        .paid_to_providers
        .checked_add(totals.paid_to_stakers)?;
    if paid.checked_add(amount)? > totals.released {
        return Err(ContractError::ReleaseExceeded {
            amount,
            paid,
            released: totals.released,
        });
    }
    totals.paid_to_providers = totals.paid_to_providers.checked_add(amount)?;
    TOTALS.save(deps.storage, &totals)?;
    state.accrued = Uint128::zero();
    state.claimed = state.claimed.checked_add(amount)?;
    PROVIDERS.save(deps.storage, &info.sender, &state)?;
    msgs.push(Cw20Contract(config.token).call(Cw20ExecuteMsg::Transfer {
        recipient: info.sender.to_string(),
        amount,
    })?);
    Ok(Response::new()
        .add_messages(msgs)
        .add_attribute("action", "claim")
        .add_attribute("provider", info.sender)
        .add_attribute("amount", amount))
}

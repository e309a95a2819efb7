//! Read-only queries.

use acn_interface::emissions::{
    ConfigResponse, EpochResponse, ProviderResponse, ScheduleResponse, TotalsResponse,
};
use cosmwasm_std::{Deps, Env, StdResult, Uint128};

use crate::params::{epoch_at, scheduled_release};
use crate::state::{ProviderState, CONFIG, EPOCHS, PROVIDERS, TOTALS};
use crate::work::close_open_epoch;

/// The configuration.
pub fn config(deps: Deps) -> StdResult<ConfigResponse> {
    let c = CONFIG.load(deps.storage)?;
    Ok(ConfigResponse {
        token: c.token,
        market: c.market,
        staking: c.staking,
        pool: c.pool,
        epoch_seconds: c.epoch_seconds,
        genesis_time: c.genesis_time,
        params: c.params,
    })
}

/// One epoch (default: the current one).
pub fn epoch(deps: Deps, env: &Env, index: Option<u64>) -> StdResult<EpochResponse> {
    let c = CONFIG.load(deps.storage)?;
    let index = index.unwrap_or_else(|| epoch_at(c.genesis_time, c.epoch_seconds, env.block.time));
    let start = c
        .genesis_time
        .plus_seconds(index.saturating_mul(c.epoch_seconds));
    Ok(match EPOCHS.may_load(deps.storage, index)? {
        Some(e) => EpochResponse {
            epoch: index,
            start,
            started: true,
            provider_release: e.provider_release,
            staker_release: e.staker_release,
            units: e.units,
        },
        None => EpochResponse {
            epoch: index,
            start,
            started: false,
            provider_release: Uint128::zero(),
            staker_release: Uint128::zero(),
            units: Uint128::zero(),
        },
    })
}

/// The scheduled release of an epoch under the current parameters.
pub fn schedule(deps: Deps, index: u64) -> StdResult<ScheduleResponse> {
    let c = CONFIG.load(deps.storage)?;
    Ok(ScheduleResponse {
        epoch: index,
        release: scheduled_release(&c.params, index),
    })
}

/// One provider, with what it could claim now.
pub fn provider(deps: Deps, env: &Env, address: String) -> StdResult<ProviderResponse> {
    let c = CONFIG.load(deps.storage)?;
    let address = deps.api.addr_validate(&address)?;
    let current = epoch_at(c.genesis_time, c.epoch_seconds, env.block.time);
    let stored = PROVIDERS.may_load(deps.storage, &address)?;
    let mut state = stored.clone().unwrap_or(ProviderState {
        epoch: current,
        ..ProviderState::default()
    });
    close_open_epoch(deps.storage, &mut state, current)
        .map_err(|e| cosmwasm_std::StdError::generic_err(e.to_string()))?;
    let (epoch, units) = stored.map(|s| (s.epoch, s.units)).unwrap_or((current, 0));
    Ok(ProviderResponse {
        address,
        epoch,
        units,
        claimable: state.accrued,
        claimed: state.claimed,
    })
}

/// Lifetime totals.
pub fn totals(deps: Deps, env: &Env) -> StdResult<TotalsResponse> {
    let c = CONFIG.load(deps.storage)?;
    let t = TOTALS.load(deps.storage)?;
    Ok(TotalsResponse {
        pool: c.pool,
        allocated: t.allocated,
        minted_to_providers: t.minted_to_providers,
        minted_to_stakers: t.minted_to_stakers,
        units: t.units,
        current_epoch: epoch_at(c.genesis_time, c.epoch_seconds, env.block.time),
    })
}

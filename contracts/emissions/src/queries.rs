//! Read-only queries.

use acn_interface::emissions::{ConfigResponse, EpochResponse, ProviderResponse, TotalsResponse};
use cosmwasm_std::{Deps, Env, StdError, StdResult, Uint128};

use crate::params::epoch_at;
use crate::state::{ProviderState, Totals, CONFIG, EPOCHS, PROVIDERS, TOTALS};
use crate::work::{close_provider_epoch, new_epoch};

/// The configuration.
pub fn config(deps: Deps) -> StdResult<ConfigResponse> {
    let c = CONFIG.load(deps.storage)?;
    Ok(ConfigResponse {
        token: c.token,
        market: c.market,
        staking: c.staking,
        epoch_seconds: c.epoch_seconds,
        genesis_time: c.genesis_time,
        params: c.params,
    })
}

/// The totals with the open epoch's release counted once that epoch is over (as its closing
/// will count it; what is paid stays what was transferred). Nothing is written.
fn totals_now(deps: Deps, current: u64) -> StdResult<Totals> {
    let mut t = TOTALS.load(deps.storage)?;
    if let Some(index) = t.open_epoch.filter(|i| *i < current) {
        let epoch = EPOCHS.load(deps.storage, index)?;
        t.released = t.released.checked_add(epoch.release())?;
        t.open_epoch = None;
    }
    Ok(t)
}

/// One epoch (default: the current one). An epoch not started shows the budget it would get if
/// it started now.
pub fn epoch(deps: Deps, env: &Env, index: Option<u64>) -> StdResult<EpochResponse> {
    let c = CONFIG.load(deps.storage)?;
    let current = epoch_at(c.genesis_time, c.epoch_seconds, env.block.time);
    let index = index.unwrap_or(current);
    let start = c
        .genesis_time
        .plus_seconds(index.saturating_mul(c.epoch_seconds));
    let (started, epoch) = match EPOCHS.may_load(deps.storage, index)? {
        Some(e) => (true, e),
        None => (false, new_epoch(&c, &totals_now(deps, current)?)),
    };
    Ok(EpochResponse {
        epoch: index,
        start,
        started,
        closed: epoch.closed,
        budget: epoch.budget,
        fees: epoch.fees,
        release: epoch.release(),
        provider_release: epoch.provider_release(),
        staker_release: epoch.staker_release(),
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
    close_provider_epoch(deps.storage, &mut state, current)
        .map_err(|e| StdError::generic_err(e.to_string()))?;
    let (epoch, fees) = stored
        .map(|s| (s.epoch, s.fees))
        .unwrap_or((current, Uint128::zero()));
    Ok(ProviderResponse {
        address,
        epoch,
        fees,
        claimable: state.accrued,
        claimed: state.claimed,
    })
}

/// Lifetime totals (with the open epoch counted once it is over).
pub fn totals(deps: Deps, env: &Env) -> StdResult<TotalsResponse> {
    let c = CONFIG.load(deps.storage)?;
    let current = epoch_at(c.genesis_time, c.epoch_seconds, env.block.time);
    let t = totals_now(deps, current)?;
    Ok(TotalsResponse {
        funded: t.funded,
        released: t.released,
        paid_to_providers: t.paid_to_providers,
        paid_to_stakers: t.paid_to_stakers,
        fees: t.fees,
        open_epoch: t.open_epoch,
        current_epoch: current,
    })
}

//! Observations and the TWAP.

use cosmwasm_std::{Decimal, Deps, DepsMut, Env, Order, Response, StdResult, Uint128};

use acn_interface::oracle::{Observation, OracleParams, TwapResponse, MAX_OBSERVATIONS};
use acn_interface::pool::{
    ConfigResponse as PairConfig, CumulativePricesResponse, QueryMsg as PairQuery, TWAP_PRECISION,
};

use crate::error::ContractError;
use crate::state::{Config, CONFIG, COUNT, OBSERVATIONS};

/// Seconds between two recorded observations: an eighth of the window.
pub fn spacing(params: &OracleParams) -> u64 {
    (params.window / 8).max(1)
}

/// The pair's cumulative price of base in quote now, and its reserves.
fn read_pair(deps: Deps, config: &Config) -> Result<(Uint128, Uint128, Uint128), ContractError> {
    let r: CumulativePricesResponse = deps
        .querier
        .query_wasm_smart(&config.pair, &PairQuery::CumulativePrices {})?;
    let mismatch = || ContractError::PairMismatch {
        pair: config.pair.to_string(),
        base: config.base.to_string(),
        quote: config.quote.to_string(),
    };
    let cumulative = r
        .cumulative(&config.base, &config.quote)
        .ok_or_else(mismatch)?;
    let base = r.reserve(&config.base).ok_or_else(mismatch)?;
    let quote = r.reserve(&config.quote).ok_or_else(mismatch)?;
    Ok((cumulative, base, quote))
}

/// Every observation, oldest first.
pub fn observations(deps: Deps) -> StdResult<Vec<Observation>> {
    let mut all = OBSERVATIONS
        .range(deps.storage, None, None, Order::Ascending)
        .map(|r| r.map(|(_, o)| o))
        .collect::<StdResult<Vec<_>>>()?;
    all.sort_by_key(|o| o.time);
    Ok(all)
}

/// `Update {}`: record the pair's cumulative price unless the last record is younger than the
/// spacing.
pub fn update(deps: DepsMut, env: Env) -> Result<Response, ContractError> {
    let config = CONFIG.load(deps.storage)?;
    let now = env.block.time.seconds();
    let count = COUNT.may_load(deps.storage)?.unwrap_or_default();
    if count > 0 {
        let last_slot = ((count - 1) % MAX_OBSERVATIONS as u64) as u32;
        let last = OBSERVATIONS.load(deps.storage, last_slot)?;
        if now < last.time + spacing(&config.params) {
            return Ok(Response::new()
                .add_attribute("action", "update")
                .add_attribute("recorded", "false")
                .add_attribute("next_at", (last.time + spacing(&config.params)).to_string()));
        }
    }
    let (cumulative, _, _) = read_pair(deps.as_ref(), &config)?;
    let slot = (count % MAX_OBSERVATIONS as u64) as u32;
    OBSERVATIONS.save(
        deps.storage,
        slot,
        &Observation {
            time: now,
            cumulative,
        },
    )?;
    COUNT.save(deps.storage, &(count + 1))?;
    Ok(Response::new()
        .add_attribute("action", "update")
        .add_attribute("recorded", "true")
        .add_attribute("time", now.to_string())
        .add_attribute("cumulative", cumulative))
}

/// `Twap {}`.
pub fn twap(deps: Deps, env: &Env) -> Result<TwapResponse, ContractError> {
    let config = CONFIG.load(deps.storage)?;
    let p = &config.params;
    let now = env.block.time.seconds();
    let (cumulative, base_reserve, quote_reserve) = read_pair(deps, &config)?;
    for (asset, reserve, min) in [
        (&config.quote, quote_reserve, p.min_quote_reserve),
        (&config.base, base_reserve, p.min_base_reserve),
    ] {
        if reserve < min || reserve.is_zero() {
            return Err(ContractError::PoolTooThin {
                asset: asset.to_string(),
                reserve,
                min,
            });
        }
    }
    let spot = Decimal::from_ratio(quote_reserve, base_reserve);
    // Reserves unchanged for a whole window: the window's average is the spot price, exactly,
    // whatever was (or was not) observed — an idle pool never goes stale.
    let pair: PairConfig = deps
        .querier
        .query_wasm_smart(&config.pair, &PairQuery::Config {})?;
    if now.saturating_sub(pair.block_time_last) >= p.window {
        return Ok(TwapResponse {
            price: spot,
            spot,
            from: now - p.window,
            to: now,
            base_reserve,
            quote_reserve,
        });
    }
    let all = observations(deps)?;
    let Some(obs) = all
        .iter()
        .rev()
        .find(|o| now.saturating_sub(o.time) >= p.window)
    else {
        return Err(ContractError::TwapNotReady {
            window: p.window,
            oldest_age: all.first().map(|o| now - o.time).unwrap_or_default(),
        });
    };
    let age = now - obs.time;
    let max_age = p.window + p.max_staleness;
    if age > max_age {
        return Err(ContractError::StaleTwap {
            window: p.window,
            age,
            max_age,
        });
    }
    let delta = cumulative.wrapping_sub(obs.cumulative);
    let price = Decimal::from_ratio(delta, Uint128::from(age) * Uint128::new(TWAP_PRECISION));
    Ok(TwapResponse {
        price,
        spot,
        from: obs.time,
        to: now,
        base_reserve,
        quote_reserve,
    })
}

/// Check the parameters' bounds.
pub fn validate(p: &OracleParams) -> Result<(), ContractError> {
    use acn_interface::oracle::{MAX_WINDOW, MIN_WINDOW};
    if !(MIN_WINDOW..=MAX_WINDOW).contains(&p.window) {
        return Err(ContractError::InvalidParam {
            field: "window".into(),
            value: p.window.to_string(),
            expected: format!("{MIN_WINDOW} ..= {MAX_WINDOW} seconds"),
        });
    }
    if p.max_staleness > 2 * p.window {
        return Err(ContractError::InvalidParam {
            field: "max_staleness".into(),
            value: p.max_staleness.to_string(),
            expected: format!("at most 2 × window = {} seconds", 2 * p.window),
        });
    }
    Ok(())
}

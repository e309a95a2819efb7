//! The dynamic unit price: after each window the price moves toward balancing the window's demand
//! against capacity (eligible providers — at least `min_provider_stake` bonded — × units each), EIP-1559 style — a bounded step, clamped to
//! the floor and ceiling. Demand is the work the market delivered: a job's units × its agreeing
//! slots, counted when it settles (or a dispute is resolved), never at submission — a job nobody
//! serves and that is refunded moves no price. Rolling windows forward is O(1): at most `MAX_ROLLED_WINDOWS` steps,
//! after which an idle market has long reached its floor anyway.

use cosmwasm_std::{StdResult, Storage, Timestamp, Uint128};

use acn_interface::market::{MarketParams, PricingParams};
use acn_interface::BPS_DENOMINATOR;

use crate::state::{PriceState, ELIGIBLE_PROVIDERS, PRICE};

/// Most idle windows applied one by one when rolling forward (a bounded, constant cost).
pub const MAX_ROLLED_WINDOWS: u64 = 64;

/// Capacity of one window: eligible providers (`ELIGIBLE_PROVIDERS`, at least one) × units per
/// provider.
pub fn capacity(pricing: &PricingParams, eligible_providers: u64) -> u64 {
    eligible_providers
        .max(1)
        .saturating_mul(pricing.units_per_provider)
}

/// One window's price step.
///
/// `Δ = price × max_change × min(|demand − capacity|, capacity) / capacity`, rounded down,
/// except that a rise is at least one unit (so a small price can still climb).
pub fn step(price: Uint128, demand: u64, capacity: u64, pricing: &PricingParams) -> Uint128 {
    let capacity = capacity.max(1);
    let gap = demand.abs_diff(capacity).min(capacity);
    let denom = (capacity as u128).saturating_mul(BPS_DENOMINATOR as u128);
    let numer = (pricing.max_change_bps as u128).saturating_mul(gap as u128);
    let next = if demand > capacity {
        let delta = price.multiply_ratio(numer, denom);
        let delta = if delta.is_zero() && numer > 0 {
            Uint128::one()
        } else {
            delta
        };
        price.saturating_add(delta)
    } else {
        price.saturating_sub(price.multiply_ratio(numer, denom))
    };
    next.clamp(pricing.floor, pricing.ceiling)
}

/// The price state as of `now`: closes every finished window (the first with its recorded
/// demand, the rest idle) and opens the current one.
pub fn roll(
    mut state: PriceState,
    params: &MarketParams,
    eligible_providers: u64,
    now: Timestamp,
) -> PriceState {
    let pricing = &params.pricing;
    let elapsed = now.seconds().saturating_sub(state.window_start.seconds());
    let windows = elapsed / pricing.window.max(1);
    if windows == 0 {
        return state;
    }
    let cap = capacity(pricing, eligible_providers);
    let mut price = step(state.unit_price, state.window_units, cap, pricing);
    for _ in 1..windows.min(MAX_ROLLED_WINDOWS) {
        price = step(price, 0, cap, pricing);
    }
    if windows > MAX_ROLLED_WINDOWS {
        price = pricing.floor;
    }
    state.unit_price = price;
    state.window_units = 0;
    state.window_start = state
        .window_start
        .plus_seconds(windows.saturating_mul(pricing.window));
    state
}

/// Count `units` of delivered work as demand in the current window (rolled forward to `now`).
pub fn count_demand(
    storage: &mut dyn Storage,
    params: &MarketParams,
    now: Timestamp,
    units: u64,
) -> StdResult<()> {
    let eligible = ELIGIBLE_PROVIDERS.may_load(storage)?.unwrap_or_default();
    let mut state = roll(PRICE.load(storage)?, params, eligible, now);
    state.window_units = state.window_units.saturating_add(units);
    PRICE.save(storage, &state)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pricing() -> PricingParams {
        PricingParams {
            window: 600,
            units_per_provider: 1_000,
            max_change_bps: 1_250,
            floor: Uint128::new(10),
            ceiling: Uint128::new(1_000_000),
        }
    }

    #[test]
    fn step_moves_at_most_max_change() {
        let p = pricing();
        let price = Uint128::new(10_000);
        assert_eq!(step(price, 1_000, 1_000, &p), price);
        assert_eq!(step(price, 2_000, 1_000, &p), Uint128::new(11_250));
        assert_eq!(step(price, 50_000, 1_000, &p), Uint128::new(11_250));
        assert_eq!(step(price, 1_500, 1_000, &p), Uint128::new(10_625));
        assert_eq!(step(price, 0, 1_000, &p), Uint128::new(8_750));
        assert_eq!(step(price, 500, 1_000, &p), Uint128::new(9_375));
    }

    #[test]
    fn step_respects_floor_and_ceiling_and_small_prices_climb() {
        let p = pricing();
        assert_eq!(step(Uint128::new(10), 0, 1_000, &p), Uint128::new(10));
        assert_eq!(
            step(Uint128::new(1_000_000), 9_000, 1_000, &p),
            Uint128::new(1_000_000)
        );
        let tiny = PricingParams {
            floor: Uint128::one(),
            ..p
        };
        assert_eq!(step(Uint128::one(), 1_001, 1_000, &tiny), Uint128::new(2));
    }
}

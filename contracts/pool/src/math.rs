//! The constant-product curve: pure functions of the reserves, rounded in the pool's favour.

use acn_interface::common::{Bps, BPS_DENOMINATOR};
use acn_interface::pool::{ReverseSimulationResponse, SimulationResponse};
use cosmwasm_std::{Decimal, Uint128, Uint256};

use crate::error::ContractError;

fn to128(v: Uint256) -> Result<Uint128, ContractError> {
    Uint128::try_from(v).map_err(|e| ContractError::Std(e.into()))
}

/// `a · b / c`, rounded down.
pub fn mul_div_floor(a: Uint128, b: Uint128, c: Uint128) -> Result<Uint128, ContractError> {
    to128(Uint256::from(a) * Uint256::from(b) / Uint256::from(c))
}

/// `a · b / c`, rounded up.
pub fn mul_div_ceil(a: Uint128, b: Uint128, c: Uint128) -> Result<Uint128, ContractError> {
    let n = Uint256::from(a) * Uint256::from(b);
    let c = Uint256::from(c);
    let q = n / c;
    to128(if q * c == n { q } else { q + Uint256::one() })
}

/// The fee on `amount`, rounded up.
pub fn commission(amount: Uint128, fee_bps: Bps) -> Result<Uint128, ContractError> {
    mul_div_ceil(
        amount,
        Uint128::from(fee_bps),
        Uint128::from(BPS_DENOMINATOR),
    )
}

fn ensure_not_empty(offer_pool: Uint128, ask_pool: Uint128) -> Result<(), ContractError> {
    if offer_pool.is_zero() || ask_pool.is_zero() {
        return Err(ContractError::EmptyPool {
            reserve0: offer_pool,
            reserve1: ask_pool,
        });
    }
    Ok(())
}

/// A swap of `offer` into a pool holding `offer_pool` and `ask_pool`: the ask side's output
/// on the curve `ask_pool · offer / (offer_pool + offer)` (rounded down), less the fee
/// (rounded up); the spread is what the curve loses against the spot price.
pub fn swap(
    offer_pool: Uint128,
    ask_pool: Uint128,
    offer: Uint128,
    fee_bps: Bps,
) -> Result<SimulationResponse, ContractError> {
    ensure_not_empty(offer_pool, ask_pool)?;
    let before_fee = mul_div_floor(ask_pool, offer, offer_pool.checked_add(offer)?)?;
    let at_spot = mul_div_floor(ask_pool, offer, offer_pool)?;
    let commission_amount = commission(before_fee, fee_bps)?;
    Ok(SimulationResponse {
        return_amount: before_fee - commission_amount,
        spread_amount: at_spot.saturating_sub(before_fee),
        commission_amount,
    })
}

/// The smallest offer whose [`swap`] returns at least `ask`.
pub fn reverse_swap(
    offer_pool: Uint128,
    ask_pool: Uint128,
    ask: Uint128,
    fee_bps: Bps,
) -> Result<ReverseSimulationResponse, ContractError> {
    ensure_not_empty(offer_pool, ask_pool)?;
    // Output before the fee such that output − ceil(output · fee) ≥ ask.
    let keep = BPS_DENOMINATOR
        .checked_sub(fee_bps)
        .filter(|k| *k > 0)
        .ok_or(ContractError::FeeTooHigh {
            fee_bps,
            max: BPS_DENOMINATOR - 1,
        })?;
    let mut before_fee = mul_div_ceil(ask, BPS_DENOMINATOR.into(), keep.into())?;
    while before_fee - commission(before_fee, fee_bps)? < ask {
        before_fee += Uint128::one();
    }
    if before_fee >= ask_pool {
        return Err(ContractError::InsufficientLiquidity {
            ask: before_fee,
            reserve: ask_pool,
        });
    }
    let offer_amount = mul_div_ceil(offer_pool, before_fee, ask_pool - before_fee)?;
    let at_spot = mul_div_floor(ask_pool, offer_amount, offer_pool)?;
    Ok(ReverseSimulationResponse {
        offer_amount,
        spread_amount: at_spot.saturating_sub(before_fee),
        commission_amount: commission(before_fee, fee_bps)?,
    })
}

/// Integer square root (rounded down) of `a · b`: the first deposit's shares.
pub fn sqrt_product(a: Uint128, b: Uint128) -> Uint128 {
    let n = Uint256::from(a) * Uint256::from(b);
    if n.is_zero() {
        return Uint128::zero();
    }
    // Newton's method from an upper bound.
    let mut x = n;
    let mut y = (x + Uint256::one()) >> 1;
    while y < x {
        x = y;
        y = (x + n / x) >> 1;
    }
    Uint128::try_from(x).unwrap_or(Uint128::MAX)
}

/// `num / den` as a decimal, or `None` when `den` is zero (or the ratio overflows).
pub fn ratio(num: Uint128, den: Uint128) -> Option<Decimal> {
    Decimal::checked_from_ratio(num, den).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_swap_and_its_reverse_agree() {
        let (x, y) = (Uint128::new(1_000_000), Uint128::new(2_000_000));
        let s = swap(x, y, Uint128::new(10_000), 30).unwrap();
        // 2e6 · 1e4 / 1.01e6 = 19 801 before the fee; fee ceil(59.403) = 60.
        assert_eq!(s.return_amount, Uint128::new(19_741));
        assert_eq!(s.commission_amount, Uint128::new(60));
        assert_eq!(s.spread_amount, Uint128::new(199));
        let r = reverse_swap(x, y, s.return_amount, 30).unwrap();
        assert!(r.offer_amount <= Uint128::new(10_000));
        assert!(swap(x, y, r.offer_amount, 30).unwrap().return_amount >= s.return_amount);
    }

    #[test]
    fn sqrt_is_exact_on_squares_and_rounds_down() {
        assert_eq!(
            sqrt_product(Uint128::new(4), Uint128::new(9)),
            Uint128::new(6)
        );
        assert_eq!(
            sqrt_product(Uint128::new(2), Uint128::new(4)),
            Uint128::new(2)
        );
        assert_eq!(sqrt_product(Uint128::MAX, Uint128::MAX), Uint128::MAX);
    }
}

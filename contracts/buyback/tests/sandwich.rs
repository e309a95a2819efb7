//! Sandwiches around a buyback, in one block and across blocks, with numbers.
//!
//! Pool: 500 000 ACN / 10 000 USDC (0.02 USDC per ACN), 0.3 % fee. Vault at its defaults: a
//! buy spends at most 0.2 % of the stable reserve (20 USDC), within 2 % of the 30-minute TWAP
//! and 1 % of the spot price. A sandwich front-runs the buy with V USDC of ACN and sells that
//! ACN back right after it.

mod vault;

use acn_interface::buyback::BuybackParams;
use cosmwasm_std::Decimal;
use vault::*;

/// Run one sandwich of `front_run` USDC around a buyback of 30 USDC of fees; the attacker's
/// USDC gain (negative: loss) and the buyback's result.
fn sandwich(front_run: u128, blocks_between: u64) -> (i128, Result<String, ContractError>) {
    let mut v = Vault::new(BuybackParams::default());
    v.deposit_stable(30_000_000);
    let start = v.s.holdings("attacker");
    v.s.swap_usdc("attacker", front_run, None, Some(Decimal::percent(50)))
        .unwrap();
    let got = v.s.holdings("attacker").acn - start.acn;
    v.s.advance(5 * blocks_between);
    let buy = v
        .buyback("caller")
        .map(|res| event_attr(&res, "price"))
        .map_err(vault_err);
    v.s.swap_acn("attacker", got, Some(Decimal::percent(50)))
        .unwrap();
    let end = v.s.holdings("attacker");
    assert_eq!(end.acn, start.acn);
    (end.usdc as i128 - start.usdc as i128, buy)
}

#[test]
fn a_large_swap_just_before_a_buyback_gets_it_refused_in_the_same_block() {
    let mut v = Vault::new(BuybackParams::default());
    v.deposit_stable(30_000_000);
    // 500 USDC (5 % of the reserve) of ACN pushes the spot price up ~10 %.
    v.s.swap_usdc("attacker", 500_000_000, None, Some(Decimal::percent(50)))
        .unwrap();
    let before = v.snapshot();
    let e = vault_err(v.buyback("caller").unwrap_err());
    let ContractError::PriceOffTwap {
        price,
        twap,
        max_deviation_bps,
    } = e
    else {
        panic!("expected PriceOffTwap, got {e}");
    };
    assert_eq!(twap, Decimal::from_ratio(2u128, 100u128));
    assert_eq!(max_deviation_bps, 200);
    assert!(price > Decimal::from_ratio(22u128, 1_000u128), "{price}");
    assert_eq!(v.snapshot(), before);
}

#[test]
fn a_push_held_across_blocks_is_refused_while_the_twap_lags() {
    for blocks in [1, 12, 60] {
        let (gain, buy) = sandwich(500_000_000, blocks);
        assert!(
            matches!(buy, Err(ContractError::PriceOffTwap { .. })),
            "{blocks} blocks: {buy:?}"
        );
        // The attacker paid two fees on 500 USDC and the buy did not happen: −2.9955 USDC.
        assert_eq!(gain, -2_995_501, "{blocks} blocks");
    }
}

#[test]
fn every_sandwich_the_guards_let_through_loses_money() {
    // V = front-run size. Measured (USDC base units): the attacker's gain, and whether the
    // buy went through. The buy moves the price by ~0.4 %, less than the 0.6 % of two fees on
    // the attacker's volume, so no V profits; a larger V gets the buy refused.
    let mut rows = vec![];
    for front_run in [
        1_000_000u128,
        10_000_000,
        25_000_000,
        50_000_000,
        70_000_000,
    ] {
        let (gain, buy) = sandwich(front_run, 0);
        let price = buy.expect("a push within the band lets the buy through");
        rows.push((front_run, gain, price));
    }
    for (front_run, gain, price) in &rows {
        eprintln!("front-run {front_run:>10} uusdc: attacker gain {gain:>8} uusdc, buy at {price}");
        assert!(*gain < 0, "front-run {front_run}: gain {gain}");
    }
    // The same sandwich across a block (the buy one block after the push) loses as much.
    let (gain, buy) = sandwich(50_000_000, 1);
    assert!(buy.is_ok() && gain < 0, "{gain} {buy:?}");
    // 100 USDC pushes the buy's price past 2 % of the TWAP: refused, and still a loss.
    let (gain, buy) = sandwich(100_000_000, 0);
    assert!(matches!(buy, Err(ContractError::PriceOffTwap { .. })));
    assert!(gain < 0);
}

//! Liquidity and swaps: shares, the fee that stays with the providers, the Astroport queries,
//! and the cumulative prices.

mod common;

use acn_interface::pool::{
    AssetInfo, ConfigResponse, PairInfo, PairType, QueryMsg, ReverseSimulationResponse,
    MINIMUM_LIQUIDITY,
};
use common::*;
use cosmwasm_std::{Decimal, Uint128};
use cw_multi_test::Executor;

#[test]
fn the_first_deposit_sets_the_price_and_locks_the_minimum_shares() {
    let mut s = Suite::new(30);
    let pair: PairInfo = s
        .app
        .wrap()
        .query_wasm_smart(&s.pool, &QueryMsg::Pair {})
        .unwrap();
    assert_eq!(pair.pair_type, PairType::Xyk {});
    assert_eq!(pair.asset_infos, vec![s.acn(), s.usdc()]);

    // 1 000 000 ACN at 0.02 USDC: 20 000 USDC.
    s.provide("lp", 1_000_000_000_000 / 1_000, 20_000_000_000 / 1_000)
        .unwrap();
    let (acn, usdc) = s.reserves();
    assert_eq!((acn, usdc), (1_000_000_000, 20_000_000));
    let total = s.pool_state().total_share.u128();
    // sqrt(1e9 · 2e7) = 141 421 356; 1 000 of it locked in the pool.
    assert_eq!(total, 141_421_356);
    assert_eq!(s.holdings("lp").shares, total - MINIMUM_LIQUIDITY.u128());
    assert_eq!(
        s.cw20_balance(&s.lp_token.clone(), &s.pool.clone()),
        MINIMUM_LIQUIDITY.u128()
    );
}

#[test]
fn a_later_deposit_takes_the_pools_ratio_and_refunds_the_excess_stable() {
    let mut s = Suite::new(30);
    s.provide("lp", 1_000_000_000, 20_000_000).unwrap();
    let before = s.holdings("other");
    // Offers 10 % of the ACN reserve and 20 % of the stable reserve: takes ~10 % of each
    // (the shares rounded down, the amounts for them rounded up, in the pool's favour).
    s.provide("other", 100_000_000, 4_000_000).unwrap();
    let after = s.holdings("other");
    assert_eq!(before.acn - after.acn, 99_999_996);
    assert_eq!(before.usdc - after.usdc, 2_000_000);
    assert_eq!(after.shares, 14_142_135);
    assert_eq!(s.reserves(), (1_099_999_996, 22_000_000));

    // With a 10 % tolerance the same unbalanced offer is refused.
    let err = err(s
        .provide_with(
            "other",
            100_000_000,
            4_000_000,
            cosmwasm_std::coins(4_000_000, USDC),
            Some(Decimal::percent(10)),
            s.addr("other").to_string(),
        )
        .unwrap_err());
    assert_eq!(
        err,
        acn_pool::ContractError::SlippageExceeded {
            tolerance: Decimal::percent(10),
            used: Uint128::new(2_000_000),
            offered: Uint128::new(4_000_000),
        }
    );
}

#[test]
fn swaps_both_ways_match_the_simulation_and_the_fee_stays_in_the_pool() {
    let mut s = Suite::new(30);
    s.provide("lp", 1_000_000_000, 20_000_000).unwrap();
    let sim = s.simulate(s.usdc().with(200_000u128));
    // 1e9 · 2e5 / 2.02e7 = 9 900 990 before the fee; fee ceil(29 702.97) = 29 703.
    assert_eq!(sim.return_amount.u128(), 9_871_287);
    assert_eq!(sim.commission_amount.u128(), 29_703);
    assert_eq!(sim.spread_amount.u128(), 99_010);
    let before = s.holdings("trader");
    s.swap_usdc("trader", 200_000, None, Some(Decimal::percent(2)))
        .unwrap();
    let after = s.holdings("trader");
    assert_eq!(after.acn - before.acn, 9_871_287);
    assert_eq!(before.usdc - after.usdc, 200_000);
    assert_eq!(s.reserves(), (1_000_000_000 - 9_871_287, 20_200_000));

    // And back: the reverse simulation names the offer that returns an exact amount.
    let r: ReverseSimulationResponse = s
        .app
        .wrap()
        .query_wasm_smart(
            &s.pool,
            &QueryMsg::ReverseSimulation {
                offer_asset_info: None,
                ask_asset: s.usdc().with(100_000u128),
            },
        )
        .unwrap();
    let before = s.holdings("trader");
    s.swap_acn("trader", r.offer_amount.u128(), Some(Decimal::percent(2)))
        .unwrap();
    let after = s.holdings("trader");
    assert_eq!(before.acn - after.acn, r.offer_amount.u128());
    assert!(after.usdc - before.usdc >= 100_000);
    assert!(after.usdc - before.usdc <= 100_001);

    // Fees went to the providers: withdrawing every share returns more value than deposited
    // at the pool's new price (k grew).
    let (x, y) = s.reserves();
    assert!(Uint128::new(x).full_mul(y) > Uint128::new(1_000_000_000).full_mul(20_000_000u128));
    let c: ConfigResponse = s
        .app
        .wrap()
        .query_wasm_smart(&s.pool, &QueryMsg::Config {})
        .unwrap();
    assert_eq!(c.fee_bps, 30);
}

#[test]
fn withdrawing_returns_both_assets_in_proportion_and_burns_the_shares() {
    let mut s = Suite::new(30);
    s.provide("lp", 1_000_000_000, 20_000_000).unwrap();
    s.swap_usdc("trader", 1_000_000, None, Some(Decimal::percent(10)))
        .unwrap();
    let (x, y) = s.reserves();
    let shares = s.holdings("lp").shares;
    let total = s.pool_state().total_share.u128();
    let before = s.holdings("lp");
    s.withdraw("lp", shares).unwrap();
    let after = s.holdings("lp");
    assert_eq!(after.shares, 0);
    assert_eq!(after.acn - before.acn, x * shares / total);
    assert_eq!(after.usdc - before.usdc, y * shares / total);
    // Only the locked minimum is left, and the pool's reserves still back it.
    assert_eq!(s.pool_state().total_share, MINIMUM_LIQUIDITY);
    let (x2, y2) = s.reserves();
    assert!(x2 > 0 && y2 > 0);
    let supply: acn_interface::token::TokenInfoResponse = s
        .app
        .wrap()
        .query_wasm_smart(&s.lp_token, &acn_interface::token::QueryMsg::TokenInfo {})
        .unwrap();
    assert_eq!(supply.total_supply, MINIMUM_LIQUIDITY);
}

#[test]
fn cumulative_prices_add_the_price_before_each_change_times_the_seconds_it_held() {
    let mut s = Suite::new(30);
    s.provide("lp", 1_000_000_000, 20_000_000).unwrap();
    let c0 = s.cumulative();
    let acn = s.acn();
    let usdc = s.usdc();
    assert_eq!(c0.cumulative(&acn, &usdc), Some(Uint128::zero()));
    s.advance(100);
    // 100 s at 0.02 USDC per ACN: 100 · 0.02 · 1e6.
    assert_eq!(
        s.cumulative().cumulative(&acn, &usdc),
        Some(Uint128::new(2_000_000))
    );
    assert_eq!(
        s.cumulative().cumulative(&usdc, &acn),
        Some(Uint128::new(100 * 50 * 1_000_000))
    );
    // A swap in the same block moves the spot price but not the accumulator.
    s.swap_usdc("attacker", 2_000_000, None, Some(Decimal::percent(50)))
        .unwrap();
    assert_eq!(
        s.cumulative().cumulative(&acn, &usdc),
        Some(Uint128::new(2_000_000))
    );
    s.advance(10);
    let (x, y) = s.reserves();
    let expected = 2_000_000 + 10 * (y * 1_000_000 / x);
    assert_eq!(
        s.cumulative().cumulative(&acn, &usdc),
        Some(Uint128::new(expected))
    );
}

#[test]
fn only_the_owner_changes_the_fee_and_only_up_to_ten_percent() {
    let mut s = Suite::new(30);
    let stranger = s.addr("attacker");
    let pool = s.pool.clone();
    let msg = acn_interface::pool::ExecuteMsg::UpdateConfig { fee_bps: 50 };
    let e = s
        .app
        .execute_contract(stranger, pool.clone(), &msg, &[])
        .unwrap_err();
    assert_eq!(
        err(e),
        acn_pool::ContractError::Ownership(cw_ownable::OwnershipError::NotOwner)
    );
    let owner = s.owner.clone();
    let e = s
        .app
        .execute_contract(
            owner.clone(),
            pool.clone(),
            &acn_interface::pool::ExecuteMsg::UpdateConfig { fee_bps: 1_001 },
            &[],
        )
        .unwrap_err();
    assert_eq!(
        err(e),
        acn_pool::ContractError::FeeTooHigh {
            fee_bps: 1_001,
            max: 1_000
        }
    );
    s.app.execute_contract(owner, pool, &msg, &[]).unwrap();
    let c: ConfigResponse = s
        .app
        .wrap()
        .query_wasm_smart(&s.pool, &QueryMsg::Config {})
        .unwrap();
    assert_eq!(c.fee_bps, 50);
    let _ = AssetInfo::native(USDC);
}

//! The TWAP from the pool's cumulative prices: the average it reports, a same-block push that
//! does not move it, and the refusals (not ready, stale, thin or empty pool, bad parameters).

#[path = "../../pool/tests/common/mod.rs"]
mod common;

use acn_interface::oracle::{
    ExecuteMsg, InstantiateMsg, Observation, OracleParams, QueryMsg, TwapResponse,
};
use common::*;
use cosmwasm_std::{Addr, Decimal, Empty, StdResult};
use cw_multi_test::{ContractWrapper, Executor};

fn oracle_contract() -> Box<dyn cw_multi_test::Contract<Empty>> {
    Box::new(ContractWrapper::new(
        acn_oracle::contract::execute,
        acn_oracle::contract::instantiate,
        acn_oracle::contract::query,
    ))
}

fn with_oracle(s: &mut Suite, params: Option<OracleParams>) -> Addr {
    let code = s.app.store_code(oracle_contract());
    let owner = s.owner.clone();
    let msg = InstantiateMsg {
        owner: None,
        pair: s.pool.to_string(),
        base: s.acn(),
        quote: s.usdc(),
        params,
    };
    s.app
        .instantiate_contract(code, owner, &msg, &[], "oracle", None)
        .unwrap()
}

fn update(s: &mut Suite, oracle: &Addr) {
    let who = s.addr("other");
    s.app
        .execute_contract(who, oracle.clone(), &ExecuteMsg::Update {}, &[])
        .unwrap();
}

fn twap(s: &Suite, oracle: &Addr) -> StdResult<TwapResponse> {
    s.app.wrap().query_wasm_smart(oracle, &QueryMsg::Twap {})
}

/// A pool of 100 000 ACN and 2 000 USDC (0.02 USDC per ACN) with an oracle at its defaults.
fn seeded() -> (Suite, Addr) {
    let mut s = Suite::new(30);
    s.provide("lp", 100_000_000_000, 2_000_000_000).unwrap();
    let oracle = with_oracle(&mut s, None);
    (s, oracle)
}

#[test]
fn the_twap_weighs_each_price_by_the_seconds_it_held() {
    let (mut s, oracle) = seeded();
    update(&mut s, &oracle);
    s.advance(900);
    // Push the price up: 200 USDC in.
    s.swap_usdc("trader", 200_000_000, None, Some(Decimal::percent(50)))
        .unwrap();
    let (x, y) = s.reserves();
    s.advance(900);
    let t = twap(&s, &oracle).unwrap();
    // 900 s at 0.02 and 900 s at y / x, each second's price floored at 6 decimals.
    let p2 = y * 1_000_000 / x;
    let expected = Decimal::from_ratio(900 * 20_000 + 900 * p2, 1_800u128 * 1_000_000);
    assert_eq!(t.price, expected);
    assert_eq!(t.spot, Decimal::from_ratio(y, x));
    assert_eq!(t.to - t.from, 1_800);
    assert!(t.price > Decimal::from_ratio(2u128, 100u128) && t.price < t.spot);
}

#[test]
fn a_swap_in_the_same_block_moves_the_spot_price_but_not_the_twap() {
    let (mut s, oracle) = seeded();
    update(&mut s, &oracle);
    s.advance(1_800);
    let before = twap(&s, &oracle).unwrap();
    assert_eq!(before.price, Decimal::from_ratio(2u128, 100u128));
    s.swap_usdc("attacker", 1_000_000_000, None, Some(Decimal::percent(50)))
        .unwrap();
    let after = twap(&s, &oracle).unwrap();
    assert_eq!(after.price, before.price);
    assert!(after.spot > before.spot * Decimal::percent(200));
}

#[test]
fn no_observation_a_window_old_is_not_ready() {
    let (mut s, oracle) = seeded();
    let e = twap(&s, &oracle).unwrap_err();
    assert!(e.to_string().contains(
        "TWAP not ready: no observation is 1800 s old yet (oldest: 0 s); call Update and wait"
    ));
    update(&mut s, &oracle);
    s.advance(1_799);
    let e = twap(&s, &oracle).unwrap_err();
    assert!(e.to_string().contains("(oldest: 1799 s)"), "{e}");
}

#[test]
fn an_idle_pool_is_priced_at_its_spot_once_unchanged_for_a_window_even_unobserved() {
    let (mut s, oracle) = seeded();
    s.advance(1_799);
    assert!(
        twap(&s, &oracle).is_err(),
        "changed 1 799 s ago, no observation"
    );
    s.advance(1);
    let t = twap(&s, &oracle).unwrap();
    assert_eq!(
        (t.price, t.spot),
        (Decimal::percent(2), Decimal::percent(2))
    );
    assert_eq!(t.to - t.from, 1_800);
    // Days later, still nobody updated: the reserves held, so the price is still exact.
    s.advance(5 * 86_400);
    assert_eq!(twap(&s, &oracle).unwrap().price, Decimal::percent(2));
    // A trade restarts the clock: its window must be observed.
    s.swap_usdc("trader", 20_000_000, None, Some(Decimal::percent(50)))
        .unwrap();
    s.advance(5);
    let e = twap(&s, &oracle).unwrap_err();
    assert!(e.to_string().contains("TWAP not ready"), "{e}");
}

#[test]
fn an_observation_older_than_window_plus_staleness_is_stale() {
    let (mut s, oracle) = seeded();
    update(&mut s, &oracle);
    s.advance(3_000);
    // A trade 600 s before the check: the pool moved within the window.
    s.swap_usdc("trader", 20_000_000, None, Some(Decimal::percent(50)))
        .unwrap();
    s.advance(600);
    assert!(twap(&s, &oracle).is_ok());
    s.advance(1);
    let e = twap(&s, &oracle).unwrap_err();
    assert!(e.to_string().contains(
        "stale TWAP: the newest observation older than the 1800 s window is 3601 s old, at most 3600 s allowed"
    ), "{e}");
    // Updating now starts a new window: ready again 30 minutes later.
    update(&mut s, &oracle);
    assert!(twap(&s, &oracle)
        .unwrap_err()
        .to_string()
        .contains("stale TWAP"));
    s.advance(1_800);
    let (x, y) = s.reserves();
    assert_eq!(twap(&s, &oracle).unwrap().price, Decimal::from_ratio(y, x));
}

#[test]
fn a_thin_or_empty_pool_has_no_price() {
    let mut s = Suite::new(30);
    let oracle = with_oracle(&mut s, None);
    let e = twap(&s, &oracle).unwrap_err();
    assert!(
        e.to_string().contains(&format!(
            "pool too thin: {USDC} reserve is 0, the oracle needs at least 1000000000"
        )),
        "{e}"
    );
    // 100 USDC against 5 000 ACN: below the 1 000 USDC minimum.
    s.provide("lp", 5_000_000_000, 100_000_000).unwrap();
    update(&mut s, &oracle);
    s.advance(1_800);
    let e = twap(&s, &oracle).unwrap_err();
    assert!(
        e.to_string().contains(&format!(
            "pool too thin: {USDC} reserve is 100000000, the oracle needs at least 1000000000"
        )),
        "{e}"
    );
}

#[test]
fn updates_are_spaced_by_an_eighth_of_the_window_and_kept_in_a_ring() {
    let (mut s, oracle) = seeded();
    update(&mut s, &oracle);
    s.advance(224);
    update(&mut s, &oracle);
    let obs: Vec<Observation> = s
        .app
        .wrap()
        .query_wasm_smart(&oracle, &QueryMsg::Observations {})
        .unwrap();
    assert_eq!(obs.len(), 1);
    for _ in 0..40 {
        s.advance(225);
        update(&mut s, &oracle);
    }
    let obs: Vec<Observation> = s
        .app
        .wrap()
        .query_wasm_smart(&oracle, &QueryMsg::Observations {})
        .unwrap();
    assert_eq!(obs.len(), 32);
    assert!(obs.windows(2).all(|w| w[1].time - w[0].time == 225));
    assert!(twap(&s, &oracle).is_ok());
}

#[test]
fn only_the_owner_sets_bounded_parameters() {
    let (mut s, oracle) = seeded();
    let params = OracleParams {
        window: 30,
        ..OracleParams::default()
    };
    let owner = s.owner.clone();
    let e = s
        .app
        .execute_contract(
            owner.clone(),
            oracle.clone(),
            &ExecuteMsg::UpdateParams {
                params: params.clone(),
            },
            &[],
        )
        .unwrap_err();
    assert_eq!(
        e.downcast::<acn_oracle::ContractError>().unwrap(),
        acn_oracle::ContractError::InvalidParam {
            field: "window".into(),
            value: "30".into(),
            expected: "60 ..= 86400 seconds".into()
        }
    );
    let stranger = s.addr("attacker");
    let good = OracleParams {
        window: 600,
        max_staleness: 600,
        ..OracleParams::default()
    };
    let e = s
        .app
        .execute_contract(
            stranger,
            oracle.clone(),
            &ExecuteMsg::UpdateParams {
                params: good.clone(),
            },
            &[],
        )
        .unwrap_err();
    assert_eq!(
        e.downcast::<acn_oracle::ContractError>().unwrap(),
        acn_oracle::ContractError::Ownership(cw_ownable::OwnershipError::NotOwner)
    );
    s.app
        .execute_contract(
            owner,
            oracle.clone(),
            &ExecuteMsg::UpdateParams { params: good },
            &[],
        )
        .unwrap();
    update(&mut s, &oracle);
    s.advance(600);
    assert!(twap(&s, &oracle).is_ok());
}

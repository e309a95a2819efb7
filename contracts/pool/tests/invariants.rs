//! Property tests over random sequences of deposits, swaps both ways, withdrawals and time:
//! k never decreases across a swap, the value of a share (√k / shares) never decreases (fees
//! stay with the providers, rounding favours the pool), no sequence creates tokens, and the
//! reserves are always exactly what the pool holds.

mod common;

use common::*;
use cosmwasm_std::{Decimal, Uint256};
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Action {
    Provide { who: usize, acn: u128, usdc: u128 },
    SwapUsdc { who: usize, amount: u128 },
    SwapAcn { who: usize, amount: u128 },
    Withdraw { who: usize, permille: u128 },
    Wait { seconds: u64 },
}

fn action() -> impl Strategy<Value = Action> {
    prop_oneof![
        (0..3usize, 1u128..5_000_000_000, 1u128..100_000_000)
            .prop_map(|(who, acn, usdc)| Action::Provide { who, acn, usdc }),
        (0..3usize, 1u128..50_000_000).prop_map(|(who, amount)| Action::SwapUsdc { who, amount }),
        (0..3usize, 1u128..2_000_000_000).prop_map(|(who, amount)| Action::SwapAcn { who, amount }),
        (0..3usize, 1u128..=1_000).prop_map(|(who, permille)| Action::Withdraw { who, permille }),
        (1u64..3_600).prop_map(|seconds| Action::Wait { seconds }),
    ]
}

fn k(s: &Suite) -> Uint256 {
    let (x, y) = s.reserves();
    Uint256::from(x) * Uint256::from(y)
}

fn totals(s: &Suite) -> (u128, u128) {
    let snap = s.snapshot();
    let acn: u128 = snap.accounts.iter().map(|h| h.acn).sum::<u128>() + snap.pool_acn;
    let usdc: u128 = snap.accounts.iter().map(|h| h.usdc).sum::<u128>() + snap.pool_usdc;
    (acn, usdc)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, .. ProptestConfig::default() })]

    #[test]
    fn no_sequence_of_actions_breaks_the_pools_invariants(
        fee_bps in prop_oneof![Just(0u16), Just(30u16), Just(100u16), Just(1_000u16)],
        actions in proptest::collection::vec(action(), 1..24),
    ) {
        let mut s = Suite::new(fee_bps);
        s.provide("lp", 1_000_000_000, 20_000_000).unwrap();
        let names = ["lp", "trader", "attacker"];
        let supply = totals(&s);
        for a in actions {
            let k0 = k(&s);
            let (x0, y0) = s.reserves();
            let s0 = s.pool_state().total_share.u128();
            let ok = match a.clone() {
                Action::Provide { who, acn, usdc } => s.provide(names[who], acn, usdc).is_ok(),
                Action::SwapUsdc { who, amount } => {
                    s.swap_usdc(names[who], amount, None, Some(Decimal::percent(50))).is_ok()
                }
                Action::SwapAcn { who, amount } => {
                    s.swap_acn(names[who], amount, Some(Decimal::percent(50))).is_ok()
                }
                Action::Withdraw { who, permille } => {
                    let shares = s.holdings(names[who]).shares * permille / 1_000;
                    shares > 0 && s.withdraw(names[who], shares).is_ok()
                }
                Action::Wait { seconds } => {
                    s.advance(seconds);
                    true
                }
            };
            let (x1, y1) = s.reserves();
            let s1 = s.pool_state().total_share.u128();
            // No tokens created or destroyed, anywhere.
            prop_assert_eq!(totals(&s), supply);
            // The reserves are exactly what the pool holds.
            let snap = s.snapshot();
            prop_assert_eq!((snap.pool_acn, snap.pool_usdc), (x1, y1));
            let lp_supply: acn_interface::token::TokenInfoResponse = s.app.wrap()
                .query_wasm_smart(&s.lp_token, &acn_interface::token::QueryMsg::TokenInfo {})
                .unwrap();
            prop_assert_eq!(lp_supply.total_supply.u128(), s1);
            if ok && matches!(a, Action::SwapUsdc { .. } | Action::SwapAcn { .. }) {
                prop_assert!(k(&s) >= k0, "k fell across {:?}", a);
                if fee_bps > 0 {
                    prop_assert!(k(&s) > k0, "a swap with a fee must grow k: {:?}", a);
                }
            }
            // The value of one share never falls: k1 / s1² ≥ k0 / s0².
            let lhs = Uint256::from(x1) * Uint256::from(y1) * Uint256::from(s0) * Uint256::from(s0);
            let rhs = Uint256::from(x0) * Uint256::from(y0) * Uint256::from(s1) * Uint256::from(s1);
            prop_assert!(lhs >= rhs, "share value fell across {:?}", a);
        }
    }

    #[test]
    fn a_deposit_and_withdrawal_never_returns_more_than_was_put_in(
        acn in 1_000u128..10_000_000_000,
        usdc in 1_000u128..1_000_000_000,
    ) {
        let mut s = Suite::new(30);
        s.provide("lp", 1_000_000_000, 20_000_000).unwrap();
        s.swap_usdc("trader", 123_456, None, Some(Decimal::percent(50))).unwrap();
        let before = s.holdings("attacker");
        if s.provide("attacker", acn, usdc).is_ok() {
            let shares = s.holdings("attacker").shares;
            s.withdraw("attacker", shares).unwrap();
        }
        let after = s.holdings("attacker");
        prop_assert!(after.acn <= before.acn);
        prop_assert!(after.usdc <= before.usdc);
    }
}

#[test]
fn a_round_trip_swap_loses_the_fees_to_the_providers() {
    let mut s = Suite::new(30);
    s.provide("lp", 1_000_000_000, 20_000_000).unwrap();
    let before = s.holdings("trader");
    s.swap_usdc("trader", 1_000_000, None, Some(Decimal::percent(10)))
        .unwrap();
    let got = s.holdings("trader").acn - before.acn;
    s.swap_acn("trader", got, Some(Decimal::percent(10)))
        .unwrap();
    let after = s.holdings("trader");
    assert_eq!(after.acn, before.acn);
    // 1 USDC in, 0.994 008 back: two 0.3 % fees (and rounding), all of it in the pool.
    assert_eq!(before.usdc - after.usdc, 5_992);
    assert_eq!(s.reserves(), (1_000_000_000, 20_005_992));
    // The provider's shares now withdraw that fee with the rest.
    let shares = s.holdings("lp").shares;
    let total = s.pool_state().total_share.u128();
    let lp_before = s.holdings("lp");
    s.withdraw("lp", shares).unwrap();
    let lp_after = s.holdings("lp");
    assert_eq!(lp_after.usdc - lp_before.usdc, 20_005_992 * shares / total);
    assert!(20_005_992 * shares / total - 20_000_000 * shares / total >= 5_991);
    assert_eq!(lp_after.acn - lp_before.acn, 1_000_000_000 * shares / total);
}

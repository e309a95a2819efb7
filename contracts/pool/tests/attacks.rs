//! Bad input and attacks on the pool: each refused with its exact error, nothing moved.

mod common;

use acn_interface::pool::{Asset, AssetInfo, Cw20HookMsg, ExecuteMsg, MINIMUM_LIQUIDITY};
use acn_interface::token;
use acn_pool::ContractError;
use common::*;
use cosmwasm_std::{coin, coins, to_json_binary, Coin, Decimal, Empty, Uint128};
use cw20::Cw20ReceiveMsg;
use cw_multi_test::Executor;

fn seeded() -> Suite {
    let mut s = Suite::new(30);
    s.provide("lp", 1_000_000_000, 20_000_000).unwrap();
    s
}

/// A native `Swap` of `offer` with `funds` attached, sent by "attacker" to a seeded pool: its
/// error, once it is checked that nothing moved.
fn refused_native_swap(offer: Asset, funds: &[Coin]) -> ContractError {
    let mut s = seeded();
    let before = s.snapshot();
    let msg = ExecuteMsg::Swap {
        offer_asset: offer,
        ask_asset_info: None,
        belief_price: None,
        max_spread: None,
        to: None,
    };
    let (who, pool) = (s.addr("attacker"), s.pool.clone());
    let e = s.app.execute_contract(who, pool, &msg, funds).unwrap_err();
    assert_eq!(s.snapshot(), before, "nothing moved");
    err(e)
}

#[test]
fn a_swap_paying_another_denom_is_refused() {
    assert_eq!(
        refused_native_swap(
            AssetInfo::native(USDC).with(1_000u128),
            &coins(1_000, "uatom")
        ),
        ContractError::UnexpectedDenom {
            denom: "uatom".into(),
            expected: USDC.into()
        }
    );
}

#[test]
fn a_swap_declaring_another_denom_is_refused() {
    let token = seeded().token;
    assert_eq!(
        refused_native_swap(
            AssetInfo::native("uatom").with(1_000u128),
            &coins(1_000, "uatom")
        ),
        ContractError::AssetMismatch {
            field: "offer_asset.info".into(),
            asset: "uatom".into(),
            expected: format!("{token}, {USDC}"),
        }
    );
}

#[test]
fn a_swap_with_two_denoms_attached_is_refused() {
    assert_eq!(
        refused_native_swap(
            AssetInfo::native(USDC).with(1_000u128),
            &[coin(1_000, "uatom"), coin(1_000, USDC)]
        ),
        ContractError::UnexpectedDenom {
            denom: "uatom".into(),
            expected: USDC.into()
        }
    );
}

#[test]
fn a_swap_attaching_less_than_it_declares_is_refused() {
    assert_eq!(
        refused_native_swap(AssetInfo::native(USDC).with(1_000_000u128), &coins(1, USDC)),
        ContractError::NativeAmountMismatch {
            denom: USDC.into(),
            declared: Uint128::new(1_000_000),
            sent: Uint128::new(1)
        }
    );
}

#[test]
fn zero_amounts_are_refused() {
    let mut s = seeded();
    let before = s.snapshot();
    let e = s.swap_usdc("attacker", 0, None, None).unwrap_err();
    assert_eq!(
        err(e),
        ContractError::ZeroAmount {
            field: "offer_asset.amount".into()
        }
    );
    let e = s.provide("attacker", 1_000, 0).unwrap_err();
    assert_eq!(
        err(e),
        ContractError::ZeroAmount {
            field: format!("assets[1] ({USDC})")
        }
    );
    // A zero CW20 send is refused by the token itself before the pool sees it.
    assert!(s.swap_acn("attacker", 0, None).is_err());
    // Dust that would return nothing.
    let e = s
        .swap_acn("attacker", 1, Some(Decimal::percent(50)))
        .unwrap_err();
    assert_eq!(err(e), ContractError::TooSmall);
    assert_eq!(s.snapshot(), before);
}

#[test]
fn a_fake_cw20_calling_receive_is_refused() {
    let mut s = seeded();
    let before = s.snapshot();
    let fake = s.addr("attacker");
    let pool = s.pool.clone();
    let hook = ExecuteMsg::Receive(Cw20ReceiveMsg {
        sender: fake.to_string(),
        amount: Uint128::new(500_000_000),
        msg: to_json_binary(&Cw20HookMsg::Swap {
            ask_asset_info: None,
            belief_price: None,
            max_spread: Some(Decimal::percent(50)),
            to: None,
        })
        .unwrap(),
    });
    let e = s
        .app
        .execute_contract(fake.clone(), pool.clone(), &hook, &[])
        .unwrap_err();
    assert_eq!(
        err(e),
        ContractError::UnknownToken {
            token: fake.to_string(),
            cw20: s.token.to_string()
        }
    );
    // Nor can a fake "share token" withdraw.
    let hook = ExecuteMsg::Receive(Cw20ReceiveMsg {
        sender: fake.to_string(),
        amount: Uint128::new(100_000_000),
        msg: to_json_binary(&Cw20HookMsg::WithdrawLiquidity { assets: vec![] }).unwrap(),
    });
    let e = s
        .app
        .execute_contract(fake.clone(), pool, &hook, &[])
        .unwrap_err();
    assert!(matches!(err(e), ContractError::UnknownToken { .. }));
    // A real ACN send with the withdraw hook is not a withdrawal either.
    let token = s.token.clone();
    let e = s
        .app
        .execute_contract(
            fake,
            token.clone(),
            &token::ExecuteMsg::Send {
                contract: s.pool.to_string(),
                amount: Uint128::new(1_000),
                msg: to_json_binary(&Cw20HookMsg::WithdrawLiquidity { assets: vec![] }).unwrap(),
            },
            &[],
        )
        .unwrap_err();
    assert_eq!(
        err(e),
        ContractError::WrongHookForToken {
            hook: "withdraw_liquidity".into(),
            token: token.to_string()
        }
    );
    assert_eq!(s.snapshot(), before);
}

#[test]
fn max_spread_exceeded_is_refused_with_the_spread() {
    let mut s = seeded();
    let before = s.snapshot();
    // 10 % of the stable reserve: the curve gives 90 909 090 ACN against 100 000 000 at the
    // spot price; after the fee the spread is 9 090 910 / (90 636 362 + 9 090 910) ≈ 9.12 %.
    let e = s
        .swap_usdc("trader", 2_000_000, None, Some(Decimal::percent(5)))
        .unwrap_err();
    assert_eq!(
        err(e),
        ContractError::MaxSpreadAssertion {
            spread: Decimal::from_ratio(9_090_910u128, 99_727_272u128),
            max_spread: Decimal::percent(5)
        }
    );
    // With a belief price of 0.02 USDC/ACN the shortfall (fee included) is ≈ 9.36 %.
    let e = s
        .swap_usdc(
            "trader",
            2_000_000,
            Some(Decimal::from_ratio(2u128, 100u128)),
            Some(Decimal::percent(9)),
        )
        .unwrap_err();
    assert!(matches!(err(e), ContractError::MaxSpreadAssertion { .. }));
    let e = s
        .swap_usdc("trader", 2_000, None, Some(Decimal::percent(51)))
        .unwrap_err();
    assert_eq!(
        err(e),
        ContractError::MaxSpreadTooHigh {
            max_spread: Decimal::percent(51)
        }
    );
    assert_eq!(s.snapshot(), before);
}

#[test]
fn an_empty_pool_refuses_swaps_and_a_one_sided_deposit() {
    let mut s = Suite::new(30);
    let before = s.snapshot();
    let e = s.swap_usdc("trader", 1_000, None, None).unwrap_err();
    assert_eq!(
        err(e),
        ContractError::EmptyPool {
            reserve0: Uint128::zero(),
            reserve1: Uint128::zero()
        }
    );
    let e = s.provide("lp", 1_000_000, 0).unwrap_err();
    assert_eq!(
        err(e),
        ContractError::ZeroAmount {
            field: format!("assets[1] ({USDC})")
        }
    );
    // A first deposit of 1 000 × 1 000 would mint only the locked minimum.
    let e = s.provide("lp", 1_000, 1_000).unwrap_err();
    assert_eq!(
        err(e),
        ContractError::FirstDepositTooSmall {
            shares: Uint128::new(1_000),
            minimum: MINIMUM_LIQUIDITY
        }
    );
    // One asset named twice.
    let who = s.addr("lp");
    let pool = s.pool.clone();
    let msg = ExecuteMsg::ProvideLiquidity {
        assets: vec![s.usdc().with(5_000u128), s.usdc().with(5_000u128)],
        slippage_tolerance: None,
        auto_stake: None,
        receiver: None,
    };
    let e = s
        .app
        .execute_contract(who, pool, &msg, &coins(10_000, USDC))
        .unwrap_err();
    assert!(matches!(err(e), ContractError::AssetMismatch { .. }));
    let q: Result<acn_interface::pool::SimulationResponse, _> = s.app.wrap().query_wasm_smart(
        &s.pool,
        &acn_interface::pool::QueryMsg::Simulation {
            offer_asset: s.usdc().with(1_000u128),
            ask_asset_info: None,
        },
    );
    assert!(q.unwrap_err().to_string().contains("the pool is empty"));
    assert_eq!(s.snapshot(), before);
    let _: Option<Empty> = None;
}

#[test]
fn donations_do_not_move_the_price_and_shares_cannot_be_inflated() {
    // The classic first-depositor attack: deposit the minimum, donate a fortune to the pool,
    // hope the next depositor's shares round to zero. Reserves are the pool's own record, so
    // the donation does not count, and the next depositor gets its exact proportional shares.
    let mut s = Suite::new(30);
    s.provide("attacker", 1_001, 1_001).unwrap();
    let token = s.token.clone();
    let pool = s.pool.clone();
    let attacker = s.addr("attacker");
    s.app
        .execute_contract(
            attacker.clone(),
            token,
            &token::ExecuteMsg::Transfer {
                recipient: pool.to_string(),
                amount: Uint128::new(100_000_000_000),
            },
            &[],
        )
        .unwrap();
    s.app
        .send_tokens(attacker, pool, &coins(100_000_000_000, USDC))
        .unwrap();
    assert_eq!(s.reserves(), (1_001, 1_001));
    s.provide("lp", 1_000_000, 1_000_000).unwrap();
    assert_eq!(s.holdings("lp").shares, 1_000_000);
}

#[test]
fn simulations_name_the_field_of_an_unknown_asset() {
    let s = seeded();
    let q: Result<acn_interface::pool::SimulationResponse, _> = s.app.wrap().query_wasm_smart(
        &s.pool,
        &acn_interface::pool::QueryMsg::Simulation {
            offer_asset: acn_interface::pool::AssetInfo::native("uatom").with(5u128),
            ask_asset_info: None,
        },
    );
    assert!(q
        .unwrap_err()
        .to_string()
        .contains("offer_asset.info: asset uatom is not one of this pool's assets"));
    let q: Result<acn_interface::pool::ReverseSimulationResponse, _> =
        s.app.wrap().query_wasm_smart(
            &s.pool,
            &acn_interface::pool::QueryMsg::ReverseSimulation {
                offer_asset_info: Some(s.usdc()),
                ask_asset: s.usdc().with(5u128),
            },
        );
    assert!(q
        .unwrap_err()
        .to_string()
        .contains("offer_asset_info: uusdc must be the pool's other asset"));
}

//! The buyback vault on the real pool and oracle: a buy and its split, ACN fees split without a
//! swap, the daily cap and interval, and the attacks — sandwiches in one block and across
//! blocks, a stale TWAP, nothing to buy, a split that does not sum to the whole, wrong denoms
//! and a fake CW20.

mod vault;

use acn_interface::buyback::{BuybackParams, BuybackSplit, ExecuteMsg, ReceiveMsg};
use cosmwasm_std::{coins, to_json_binary, Decimal, Uint128};
use cw_multi_test::Executor;
use vault::*;

#[test]
fn a_buy_spends_stable_near_the_twap_and_burns_seventy_percent_of_what_it_bought() {
    let mut v = Vault::new(BuybackParams::default());
    v.deposit_stable(30_000_000);
    let supply = v.supply();
    // One buy spends at most 0.2 % of the 10 000 USDC reserve: 20 USDC.
    let sim = v.s.simulate(v.s.usdc().with(20_000_000u128));
    let res = v.buyback("caller").unwrap();
    let bought = sim.return_amount.u128();
    // 5e11 · 2e7 / (1e10 + 2e7) = 998 003 992 ACN base units, less the 0.3 % fee (2 994 012).
    assert_eq!(bought, 995_009_980);
    assert_eq!(event_attr(&res, "stable_in"), "20000000");
    assert_eq!(event_attr(&res, "acn_out"), bought.to_string());
    assert_eq!(event_attr(&res, "twap"), "0.02");
    assert_eq!(
        event_attr(&res, "price"),
        Decimal::from_ratio(20_000_000u128, bought).to_string()
    );
    let burned = bought * 7_000 / 10_000;
    let to_caller = bought / 100;
    assert_eq!(event_attr(&res, "burned"), burned.to_string());
    assert_eq!(event_attr(&res, "to_caller"), to_caller.to_string());
    // Supply fell by exactly the burned amount; treasury and caller got theirs.
    assert_eq!(supply - v.supply(), burned);
    assert_eq!(v.acn_of(&v.treasury), bought - burned - to_caller);
    assert_eq!(v.acn_of(&v.s.addr("caller")), to_caller);
    let st = v.state();
    assert_eq!(st.stable_balance.u128(), 10_000_000);
    assert_eq!(st.acn_balance.u128(), 0);
    assert_eq!(st.spent_today.u128(), 20_000_000);
    assert_eq!(st.totals.buys, 1);
    assert_eq!(st.totals.burned.u128(), burned);
    assert_eq!(st.totals.acn_bought.u128(), bought);
}

#[test]
fn acn_fees_skip_the_swap_and_take_the_same_split() {
    let mut v = Vault::new(BuybackParams::default());
    v.deposit_acn(1_000_000_001);
    let supply = v.supply();
    let pool_before = v.s.reserves();
    let res = v.buyback("caller").unwrap();
    assert_eq!(event_attr(&res, "stable_in"), "0");
    assert_eq!(event_attr(&res, "acn_from_fees"), "1000000001");
    assert_eq!(supply - v.supply(), 700_000_000);
    assert_eq!(v.acn_of(&v.s.addr("caller")), 10_000_000);
    // The dust goes to the treasury.
    assert_eq!(v.acn_of(&v.treasury), 290_000_001);
    assert_eq!(v.s.reserves(), pool_before);
}

#[test]
fn a_buyback_with_nothing_to_buy_is_refused() {
    let mut v = Vault::new(BuybackParams::default());
    let before = v.snapshot();
    assert_eq!(
        vault_err(v.buyback("caller").unwrap_err()),
        ContractError::NothingToBuy { denom: USDC.into() }
    );
    assert_eq!(v.snapshot(), before);
}

#[test]
fn a_stale_twap_refuses_the_buy_and_nothing_moves() {
    let mut v = Vault::new(BuybackParams::default());
    v.deposit_stable(30_000_000);
    // A trade 101 s before the buy, and nobody observed the pool since 3 601 s ago: an idle
    // pool would be priced at its spot, a traded one needs a fresh enough observation.
    v.s.advance(1_700);
    v.s.swap_usdc("trader", 1_000_000, None, Some(Decimal::percent(50)))
        .unwrap();
    v.s.advance(101);
    let before = v.snapshot();
    assert_eq!(
        vault_err(v.buyback("caller").unwrap_err()),
        ContractError::Oracle {
            reason:
                "Generic error: Querier contract error: Generic error: stale TWAP: the newest \
                     observation older than the 1800 s window is 3601 s old, at most 3600 s allowed"
                    .into()
        }
    );
    assert_eq!(v.snapshot(), before);
}

#[test]
fn a_split_that_does_not_sum_to_the_whole_is_refused() {
    let mut v = Vault::new(BuybackParams::default());
    let owner = v.s.owner.clone();
    let bad = BuybackParams {
        split: BuybackSplit {
            burn_bps: 7_000,
            stakers_bps: 0,
            treasury_bps: 2_900,
            caller_bps: 50,
        },
        ..BuybackParams::default()
    };
    let e =
        v.s.app
            .execute_contract(
                owner.clone(),
                v.vault.clone(),
                &ExecuteMsg::UpdateConfig {
                    params: Some(bad),
                    treasury: None,
                    staking: None,
                },
                &[],
            )
            .unwrap_err();
    assert_eq!(vault_err(e), ContractError::InvalidSplit { total: 9_950 });
    let greedy = BuybackParams {
        split: BuybackSplit {
            burn_bps: 0,
            stakers_bps: 0,
            treasury_bps: 9_000,
            caller_bps: 1_000,
        },
        ..BuybackParams::default()
    };
    let e =
        v.s.app
            .execute_contract(
                owner,
                v.vault.clone(),
                &ExecuteMsg::UpdateConfig {
                    params: Some(greedy),
                    treasury: None,
                    staking: None,
                },
                &[],
            )
            .unwrap_err();
    assert_eq!(
        vault_err(e),
        ContractError::InvalidParam {
            field: "split.caller_bps".into(),
            value: "1000".into(),
            expected: "0 ..= 500 bps".into()
        }
    );
    // A stakers' share with no staking contract to send it to.
    let orphan = BuybackParams {
        split: BuybackSplit {
            burn_bps: 7_000,
            stakers_bps: 2_000,
            treasury_bps: 900,
            caller_bps: 100,
        },
        ..BuybackParams::default()
    };
    let e =
        v.s.app
            .execute_contract(
                v.s.owner.clone(),
                v.vault.clone(),
                &ExecuteMsg::UpdateConfig {
                    params: Some(orphan),
                    treasury: None,
                    staking: None,
                },
                &[],
            )
            .unwrap_err();
    assert_eq!(
        vault_err(e),
        ContractError::InvalidParam {
            field: "split.stakers_bps".into(),
            value: "2000".into(),
            expected: "0 without a staking contract (set `staking` first)".into()
        }
    );
}

#[test]
fn the_daily_cap_and_the_interval_bound_the_buys() {
    let mut v = Vault::new(BuybackParams {
        daily_cap: Uint128::new(30_000_000),
        ..BuybackParams::default()
    });
    v.deposit_stable(100_000_000);
    v.buyback("caller").unwrap();
    assert_eq!(v.state().spent_today.u128(), 20_000_000);
    let last = v.state().last_buy.unwrap();
    assert_eq!(
        vault_err(v.buyback("caller").unwrap_err()),
        ContractError::TooSoon {
            last,
            next_at: last + 300
        }
    );
    v.s.advance(300);
    v.buyback("caller").unwrap();
    assert_eq!(v.state().spent_today.u128(), 30_000_000);
    v.s.advance(300);
    let day = (last + 600) / 86_400;
    assert_eq!(
        vault_err(v.buyback("caller").unwrap_err()),
        ContractError::DailyCapReached {
            cap: Uint128::new(30_000_000),
            spent: Uint128::new(30_000_000),
            resumes_at: (day + 1) * 86_400
        }
    );
}

#[test]
fn deposits_of_another_denom_or_from_a_fake_cw20_are_refused() {
    let mut v = Vault::new(BuybackParams::default());
    let who = v.s.addr("attacker");
    let e =
        v.s.app
            .execute_contract(
                who.clone(),
                v.vault.clone(),
                &ExecuteMsg::Deposit {},
                &coins(5, "uatom"),
            )
            .unwrap_err();
    assert_eq!(
        vault_err(e),
        ContractError::UnexpectedDenom {
            denom: "uatom".into(),
            expected: USDC.into()
        }
    );
    let fake = ExecuteMsg::Receive(cw20::Cw20ReceiveMsg {
        sender: who.to_string(),
        amount: Uint128::new(1_000),
        msg: to_json_binary(&ReceiveMsg::Deposit {}).unwrap(),
    });
    let e =
        v.s.app
            .execute_contract(who.clone(), v.vault.clone(), &fake, &[])
            .unwrap_err();
    assert_eq!(
        vault_err(e),
        ContractError::UnknownToken {
            token: who.to_string(),
            expected: v.s.token.to_string()
        }
    );
    let e =
        v.s.app
            .execute_contract(
                who,
                v.vault.clone(),
                &ExecuteMsg::Buyback {},
                &coins(5, USDC),
            )
            .unwrap_err();
    assert!(matches!(vault_err(e), ContractError::Payment(_)));
}

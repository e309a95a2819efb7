//! A stable-priced market on the embedded chain, deployed by the one deployment routine with a
//! seeded ACN / uusdc pool, its TWAP oracle and the buyback vault as the fee recipient: jobs
//! paid in the stable asset and in ACN at the TWAP, the fees bought back and burned, and the
//! attacks on both payments (each refused with its exact error and nothing moved).

use acn_interface::buyback;
use acn_interface::market::{self, JobStatus};
use acn_interface::pool;
use acn_market::error::ContractError;
use acn_testing::*;
use cosmwasm_std::{coin, coins, Addr, Decimal, Uint128};
use cw_multi_test::{BankSudo, Executor, SudoMsg};

const DIGITS: &str = "digits-mlp-v1";
/// Seed: 500 000 ACN against 25 000 USDC, 0.05 USDC per ACN.
const SEED_ACN: u128 = 500_000 * TOKEN;
const SEED_USDC: u128 = 25_000 * TOKEN;
const BUYER_USDC: u128 = 100 * TOKEN;
const BUYER_ACN: u128 = 1_000 * TOKEN;

fn builder() -> SuiteBuilder {
    SuiteBuilder::new()
        .with_owner_funds(10_000_000 * TOKEN)
        .with_market_params(|m| {
            m.models = vec![digits_model()];
            // A day-long price window: the unit price stays 1 000 uusdc through each test.
            m.params.pricing.window = 86_400;
        })
        .with_funds("buyer", BUYER_ACN)
        .with_stable("buyer", BUYER_USDC)
}

/// The stable-priced suite, one TWAP window after the deployment's first observation.
fn suite() -> Suite {
    let mut s = builder()
        .with_stable_pool(SEED_ACN, SEED_USDC, |p| {
            p.buyback.split = buyback::BuybackSplit {
                burn_bps: 7_000,
                stakers_bps: 2_000,
                treasury_bps: 900,
                caller_bps: 100,
            };
        })
        .build();
    for p in ["p1", "p2", "p3"] {
        s.make_provider(p, PROVIDER_STAKE, &[DIGITS]).unwrap();
    }
    s.advance_time(1_800);
    s
}

fn err(e: anyhow::Error) -> ContractError {
    e.downcast().expect("a market error")
}

fn vault(s: &Suite) -> Addr {
    s.buyback.clone().expect("a vault")
}

/// The market's stable balance is exactly the stable escrow of its unfinished jobs.
fn assert_stable_books(s: &Suite) {
    assert_eq!(
        s.stable_balance(&s.market()),
        s.market_totals().stable.escrow.u128(),
        "market stable balance vs stable escrow"
    );
}

fn all_agree(s: &mut Suite, id: u64) {
    let out = labels_output(&[0, 1, 2, 3]);
    let names = s.assigned_names(id, &["p1", "p2", "p3"]);
    let work: Vec<(&str, cosmwasm_std::Binary)> = names.iter().map(|n| (*n, out.clone())).collect();
    s.run_job(id, &work).unwrap();
}

#[test]
fn a_stable_paid_job_pays_providers_in_the_stable_and_its_fee_is_bought_back_and_burned() {
    let mut s = suite();
    let (buyer, market, vault) = (s.addr("buyer"), s.market(), vault(&s));
    let cfg: market::ConfigResponse = s.query(&market, &market::QueryMsg::Config {});
    assert_eq!(cfg.treasury, vault, "fees go to the buyback vault");
    assert_eq!(cfg.stable.as_ref().unwrap().denom, STABLE);

    // 4 items × 1 unit × 1 000 uusdc × 3 slots = 0.012 USDC, or 0.24 ACN at 0.05 USDC.
    let q = s.quote("buyer", DIGITS, 4, 3);
    assert_eq!(q.denom.as_deref(), Some(STABLE));
    assert_eq!(q.price.u128(), 12_000);
    assert_eq!(q.acn_price, Some(Decimal::from_ratio(1u128, 20u128)));
    assert_eq!(q.price_acn, Some(Uint128::new(240_000)));
    assert_eq!(q.acn_price_error, None);

    // Overpaying is refunded in the same transaction.
    let id = s
        .try_submit_stable("buyer", 4, 3, &coins(20_000, STABLE))
        .unwrap();
    assert_eq!(s.stable_balance(&buyer), BUYER_USDC - 12_000);
    assert_eq!(s.balance_of("buyer"), BUYER_ACN, "no ACN moved");
    assert_stable_books(&s);
    let job = s.job(id);
    assert_eq!(job.pay_denom.as_deref(), Some(STABLE));
    assert_eq!((job.price.u128(), job.escrow.u128()), (12_000, 12_000));
    assert_eq!(job.acn_price, Some(Decimal::from_ratio(1u128, 20u128)));
    // Stake at risk is sized in ACN: max(100 ACN, 10 × 240 000 / 3) = 100 ACN.
    assert!(job.slots.iter().all(|sl| sl.at_risk.u128() == 100 * TOKEN));

    all_agree(&mut s, id);
    let job = s.job(id);
    assert_eq!(job.status, JobStatus::Settled);
    // Fee: 3 % of 12 000 = 360; the rest, 11 640, in three equal shares.
    assert_eq!(job.fee.u128(), 360);
    for slot in &job.slots {
        assert_eq!(slot.paid.u128(), 3_880);
        assert_eq!(s.stable_balance(&slot.provider), 3_880);
    }
    assert_eq!(s.stable_balance(&vault), 360, "the fee reached the vault");
    assert_eq!(s.stable_balance(&market), 0);
    assert_stable_books(&s);
    let t = s.market_totals();
    assert_eq!(
        (
            t.stable.volume.u128(),
            t.stable.paid_to_providers.u128(),
            t.stable.fees.u128(),
            t.stable.escrow.u128()
        ),
        (12_000, 11_640, 360, 0)
    );
    assert_eq!((t.volume.u128(), t.fees.u128()), (0, 0), "no ACN flows");

    // Anyone buys back: 360 uusdc for ACN on the pool, 70 % burned — supply falls by exactly it.
    let supply = s.total_supply();
    let staked_before = s.staking_totals();
    let keeper = s.addr("keeper");
    s.app
        .execute_contract(
            keeper.clone(),
            vault.clone(),
            &buyback::ExecuteMsg::Buyback {},
            &[],
        )
        .unwrap();
    let st: buyback::StateResponse = s.query(&vault, &buyback::QueryMsg::State {});
    let bought = st.totals.acn_bought.u128();
    // 360 × 500 000 / 25 000 = 7 200 ACN base units at the spot, less the 0.3 % pool fee and
    // the price the buy itself moves.
    assert_eq!(st.totals.stable_spent.u128(), 360);
    assert_eq!(bought, 7_177);
    let burned = bought * 7_000 / 10_000;
    assert_eq!(st.totals.burned.u128(), burned);
    assert_eq!(supply - s.total_supply(), burned);
    assert_eq!(st.totals.to_stakers.u128(), bought * 2_000 / 10_000);
    assert_eq!(st.totals.to_callers.u128(), bought / 100);
    assert_eq!(s.balance(keeper.as_str()), bought / 100);
    let staked_after = s.staking_totals();
    assert!(
        staked_after != staked_before,
        "stakers' share became a reward round"
    );
}

#[test]
fn an_acn_paid_job_in_a_stable_market_pays_the_twap_price_and_its_fee_takes_the_same_split() {
    let mut s = suite();
    let (buyer, market, vault) = (s.addr("buyer"), s.market(), vault(&s));
    let deadline = s.default_deadline();
    // The amount sent is the buyer's guard: one base unit short of the TWAP price is refused.
    let before = s.market_snapshot(&["buyer", "p1", "p2", "p3"]);
    let e = s
        .try_submit("buyer", DIGITS, digits_input(4), 4, 3, 239_999, deadline)
        .unwrap_err();
    assert_eq!(
        err(e),
        ContractError::AcnPaymentTooLow {
            required: Uint128::new(240_000),
            sent: Uint128::new(239_999),
            acn_price: Decimal::from_ratio(1u128, 20u128),
        }
    );
    assert_eq!(s.market_snapshot(&["buyer", "p1", "p2", "p3"]), before);

    let id = s
        .try_submit("buyer", DIGITS, digits_input(4), 4, 3, 300_000, deadline)
        .unwrap();
    assert_eq!(
        s.balance_of("buyer"),
        BUYER_ACN - 240_000,
        "excess refunded"
    );
    assert_eq!(s.stable_balance(&buyer), BUYER_USDC, "no stable moved");
    let job = s.job(id);
    assert_eq!((job.pay_denom.clone(), job.price.u128()), (None, 240_000));
    assert_eq!(job.unit_price.u128(), 1_000, "unit price in uusdc");
    all_agree(&mut s, id);
    // Fee 7 200 ACN base units; 232 800 shared.
    let job = s.job(id);
    assert_eq!(job.fee.u128(), 7_200);
    for slot in &job.slots {
        assert_eq!(slot.paid.u128(), 77_600);
    }
    s.flush_fees("keeper").unwrap();
    s.assert_balance(&vault, 7_200);
    s.assert_balance(&market, 0);
    // No stable to spend: the vault skips the buy and splits the ACN fees the same way.
    let supply = s.total_supply();
    let keeper = s.addr("keeper");
    s.app
        .execute_contract(keeper, vault.clone(), &buyback::ExecuteMsg::Buyback {}, &[])
        .unwrap();
    assert_eq!(supply - s.total_supply(), 5_040, "70 % of 7 200 burned");
    let st: buyback::StateResponse = s.query(&vault, &buyback::QueryMsg::State {});
    assert_eq!(
        (
            st.totals.burned.u128(),
            st.totals.to_stakers.u128(),
            st.totals.to_treasury.u128(),
            st.totals.to_callers.u128()
        ),
        (5_040, 1_440, 648, 72)
    );
}

#[test]
fn bad_payments_are_refused_with_their_error_and_move_nothing() {
    let mut s = suite();
    let (buyer, market) = (s.addr("buyer"), s.market());
    s.app
        .sudo(SudoMsg::Bank(BankSudo::Mint {
            to_address: buyer.to_string(),
            amount: coins(50_000, "uatom"),
        }))
        .unwrap();
    let actors = ["buyer", "p1", "p2", "p3"];
    let before = s.market_snapshot(&actors);
    let cases: Vec<(Vec<cosmwasm_std::Coin>, ContractError)> = vec![
        (
            coins(20_000, "uatom"),
            ContractError::WrongDenom {
                denom: "uatom".into(),
                expected: STABLE.into(),
            },
        ),
        (
            vec![coin(20_000, "uatom"), coin(20_000, STABLE)],
            ContractError::Payment(cw_utils::PaymentError::MultipleDenoms {}),
        ),
        (
            vec![],
            ContractError::Payment(cw_utils::PaymentError::NoFunds {}),
        ),
        (
            coins(11_999, STABLE),
            ContractError::InsufficientPayment {
                required: Uint128::new(12_000),
                paid: Uint128::new(11_999),
            },
        ),
    ];
    for (funds, expected) in cases {
        let e = s.try_submit_stable("buyer", 4, 3, &funds).unwrap_err();
        assert_eq!(err(e), expected, "funds {funds:?}");
        assert_eq!(s.market_snapshot(&actors), before);
    }

    // The unit-price guard holds in the stable unit.
    let msg = market::ExecuteMsg::SubmitJob {
        model_id: DIGITS.into(),
        input: digits_input(4),
        batch: 4,
        redundancy: 3,
        max_unit_price: Uint128::new(999),
        deadline: s.default_deadline(),
        audit_commitment: None,
        callback: None,
    };
    let e = s
        .app
        .execute_contract(buyer.clone(), market.clone(), &msg, &coins(20_000, STABLE))
        .unwrap_err();
    assert_eq!(
        err(e),
        ContractError::PriceAboveMax {
            unit_price: Uint128::new(1_000),
            max_unit_price: Uint128::new(999),
        }
    );

    // Stable attached to a CW20 call: the token takes no funds (they would be stranded in it).
    let hook = market::ReceiveMsg::SubmitJob {
        model_id: DIGITS.into(),
        input: digits_input(4),
        batch: 4,
        redundancy: 3,
        max_unit_price: Uint128::MAX,
        deadline: s.default_deadline(),
        audit_commitment: None,
        callback: None,
    };
    let send = acn_interface::token::ExecuteMsg::Send {
        contract: market.to_string(),
        amount: Uint128::new(300_000),
        msg: cosmwasm_std::to_json_binary(&hook).unwrap(),
    };
    let token = s.token.clone();
    let e = s
        .app
        .execute_contract(buyer.clone(), token, &send, &coins(12_000, STABLE))
        .unwrap_err();
    assert!(
        e.root_cause()
            .to_string()
            .contains("This message does no accept funds"),
        "{e:?}"
    );
    // …and no market message but a stable `SubmitJob` takes funds.
    let e = s
        .app
        .execute_contract(
            buyer,
            market.clone(),
            &market::ExecuteMsg::FlushFees {},
            &coins(1, STABLE),
        )
        .unwrap_err();
    assert_eq!(
        err(e),
        ContractError::Payment(cw_utils::PaymentError::NonPayable {})
    );
    assert_eq!(s.market_snapshot(&actors), before);
}

#[test]
fn an_acn_only_market_refuses_stable_payments() {
    let mut s = builder().build();
    s.make_provider("p1", PROVIDER_STAKE, &[DIGITS]).unwrap();
    let before = s.market_snapshot(&["buyer", "p1"]);
    let e = s
        .try_submit_stable("buyer", 4, 1, &coins(20_000, STABLE))
        .unwrap_err();
    assert_eq!(err(e), ContractError::StablePaymentsDisabled {});
    assert_eq!(s.market_snapshot(&["buyer", "p1"]), before);
    let q = s.quote("buyer", DIGITS, 4, 1);
    assert_eq!((q.denom, q.price_acn), (None, None));
}

#[test]
fn a_stale_twap_stops_both_payments_and_the_quote_says_why() {
    let mut s = suite();
    // The deployment's observation is now 1 800 s old. A trade 1 700 s later moves the pool, and
    // 101 s after it nobody has observed the pool since the deployment: 3 601 s > 3 600 s.
    s.advance_time(1_700);
    let trader = s.addr("trader");
    s.app
        .sudo(SudoMsg::Bank(BankSudo::Mint {
            to_address: trader.to_string(),
            amount: coins(TOKEN, STABLE),
        }))
        .unwrap();
    let swap = pool::ExecuteMsg::Swap {
        offer_asset: pool::AssetInfo::native(STABLE).with(TOKEN),
        ask_asset_info: None,
        belief_price: None,
        max_spread: Some(Decimal::percent(50)),
        to: None,
    };
    let pool_addr = s.pool.clone().unwrap();
    s.app
        .execute_contract(trader, pool_addr, &swap, &coins(TOKEN, STABLE))
        .unwrap();
    s.advance_time(101);
    let actors = ["buyer", "p1", "p2", "p3"];
    let before = s.market_snapshot(&actors);
    let stale = "stale TWAP: the newest observation older than the 1800 s window is 3601 s old, \
                 at most 3600 s allowed";
    let e = s
        .try_submit_stable("buyer", 4, 3, &coins(20_000, STABLE))
        .unwrap_err();
    assert!(
        matches!(err(e), ContractError::NoAcnPrice { reason } if reason.contains(stale)),
        "stable payment"
    );
    let deadline = s.default_deadline();
    let e = s
        .try_submit("buyer", DIGITS, digits_input(4), 4, 3, 300_000, deadline)
        .unwrap_err();
    assert!(
        matches!(err(e), ContractError::NoAcnPrice { reason } if reason.contains(stale)),
        "ACN payment"
    );
    assert_eq!(s.market_snapshot(&actors), before);
    let q = s.quote("buyer", DIGITS, 4, 3);
    assert_eq!(q.price.u128(), 12_000, "the stable quote stands");
    assert!(q.acn_price_error.unwrap().contains(stale));
}

#[test]
fn an_expired_stable_job_refunds_the_stable_and_slashes_no_shows_in_acn() {
    let mut s = suite();
    let buyer = s.addr("buyer");
    let id = s
        .try_submit_stable("buyer", 4, 3, &coins(12_000, STABLE))
        .unwrap();
    let stake_before = s.stake("p1").bonded.u128();
    let deadline = s.job(id).deadline.seconds();
    let now = s.block().time.seconds();
    s.advance_time(deadline - now);
    s.expire("keeper", id).unwrap();
    let job = s.job(id);
    assert_eq!(job.status, JobStatus::Expired);
    assert_eq!(job.refunded.u128(), 12_000);
    assert_eq!(s.stable_balance(&buyer), BUYER_USDC, "refunded in full");
    assert_stable_books(&s);
    assert_eq!(s.market_totals().stable.refunded.u128(), 12_000);
    // Each no-show loses its stake at risk, 100 ACN, in ACN.
    assert_eq!(s.stake("p1").bonded.u128(), stake_before - 100 * TOKEN);
}

#[test]
fn moving_the_pool_before_paying_in_acn_saves_less_than_it_costs() {
    let mut s = suite();
    let pool = s.pool.clone().unwrap();
    let attacker = s.addr("attacker");
    s.app
        .sudo(SudoMsg::Bank(BankSudo::Mint {
            to_address: attacker.to_string(),
            amount: coins(10_000 * TOKEN, STABLE),
        }))
        .unwrap();
    let honest = s.quote("buyer", DIGITS, 4, 3).price_acn.unwrap().u128();
    // Pump ACN with 10 000 USDC (40 % of the pool's stable): the spot nearly doubles.
    let swap = pool::ExecuteMsg::Swap {
        offer_asset: pool::AssetInfo::native(STABLE).with(10_000 * TOKEN),
        ask_asset_info: None,
        belief_price: None,
        max_spread: Some(Decimal::percent(50)),
        to: None,
    };
    s.app
        .execute_contract(
            attacker.clone(),
            pool.clone(),
            &swap,
            &coins(10_000 * TOKEN, STABLE),
        )
        .unwrap();
    // Same block: the TWAP has not moved at all.
    assert_eq!(
        s.quote("buyer", DIGITS, 4, 3).price_acn.unwrap().u128(),
        honest
    );
    // One block later the TWAP moved by 5 s of the new spot over the 1 800 s window.
    s.advance_blocks(1);
    let pumped = s.quote("buyer", DIGITS, 4, 3).price_acn.unwrap().u128();
    let saved_acn = honest - pumped;
    assert_eq!((honest, pumped, saved_acn), (240_000, 239_366, 634));
    // Selling the ACN back costs the attacker two pool fees and the round trip's price impact.
    let acn_bought = s.balance(attacker.as_str());
    let back = acn_interface::token::ExecuteMsg::Send {
        contract: pool.to_string(),
        amount: Uint128::new(acn_bought),
        msg: cosmwasm_std::to_json_binary(&pool::Cw20HookMsg::Swap {
            ask_asset_info: None,
            belief_price: None,
            max_spread: Some(Decimal::percent(50)),
            to: None,
        })
        .unwrap(),
    };
    let token = s.token.clone();
    s.app
        .execute_contract(attacker.clone(), token, &back, &[])
        .unwrap();
    let lost_usdc = 10_000 * TOKEN - s.stable_balance(&attacker);
    // 634 ACN base units saved are worth 31 uusdc at 0.05; the round trip lost 59.9 USDC.
    let saved_usdc = saved_acn / 20;
    assert_eq!((saved_usdc, lost_usdc), (31, 59_910_001));
    assert!(lost_usdc > 1_000_000 * saved_usdc);
}

#[test]
fn only_the_owner_changes_the_fee_recipient_or_the_oracle_and_a_foreign_oracle_is_refused() {
    let mut s = suite();
    let market = s.market();
    let stranger = s.addr("stranger");
    let e = s
        .app
        .execute_contract(
            stranger.clone(),
            market.clone(),
            &market::ExecuteMsg::UpdateConfig {
                fee_recipient: Some(stranger.to_string()),
                oracle: None,
            },
            &[],
        )
        .unwrap_err();
    assert_eq!(
        err(e),
        ContractError::Ownership(cw_ownable::OwnershipError::NotOwner)
    );
    // The pool is not an oracle.
    let owner = s.owner.clone();
    let pool = s.pool.clone().unwrap();
    let e = s
        .app
        .execute_contract(
            owner.clone(),
            market.clone(),
            &market::ExecuteMsg::UpdateConfig {
                fee_recipient: None,
                oracle: Some(pool.to_string()),
            },
            &[],
        )
        .unwrap_err();
    assert!(
        matches!(err(e), ContractError::InvalidParams { reason } if reason.starts_with(&format!("stable.oracle {pool} is not an ACN oracle"))),
    );
    // A new fee recipient: ACN fees pending go to the old one in the same transaction.
    let deadline = s.default_deadline();
    let id = s
        .try_submit("buyer", DIGITS, digits_input(4), 4, 3, 240_000, deadline)
        .unwrap();
    all_agree(&mut s, id);
    assert_eq!(s.market_totals().fees_pending.u128(), 7_200);
    let vault = vault(&s);
    let treasury = s.treasury.clone();
    s.app
        .execute_contract(
            owner,
            market.clone(),
            &market::ExecuteMsg::UpdateConfig {
                fee_recipient: Some(treasury.to_string()),
                oracle: None,
            },
            &[],
        )
        .unwrap();
    s.assert_balance(&vault, 7_200);
    assert_eq!(s.market_totals().fees_pending.u128(), 0);
    let cfg: market::ConfigResponse = s.query(&market, &market::QueryMsg::Config {});
    assert_eq!(cfg.treasury, treasury);
}

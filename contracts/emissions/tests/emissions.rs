//! Emissions: bounds, funding only from the token, shares by fees, the per-epoch fee cap and
//! budget, the unreleased pool carried over, the market's reports (verified work only), the
//! stakers' share and owner-only changes. Nothing is ever minted: every test checks the supply.

use acn_emissions::ContractError;
use acn_interface::emissions::{
    EmissionParams, ExecuteMsg, InstantiateMsg, ReceiveMsg, WorkFee, MAX_WORK_RECORDS,
};
use acn_testing::emissions_helpers::emissions_contract;
use acn_testing::{
    assert_err_contains, digits_model, labels_output, Suite, SuiteBuilder, DAY, PROVIDER_STAKE,
    TOKEN,
};
use cosmwasm_std::{to_json_binary, Addr, Decimal, Uint128};
use cw20::Cw20ReceiveMsg;
use cw_multi_test::Executor;

/// The pool of most tests: 1 000 000 tokens, so a 0.1 % budget is 1 000 tokens.
const POOL: u128 = 1_000_000 * TOKEN;
const BUDGET: u128 = 1_000 * TOKEN;

fn params() -> EmissionParams {
    EmissionParams {
        budget_rate: Decimal::permille(1),
        fee_cap_bps: 5_000,
        staker_share_bps: 0,
    }
}

fn emissions_error(err: anyhow::Error) -> ContractError {
    match err.downcast::<ContractError>() {
        Ok(e) => e,
        Err(other) => panic!("expected an emissions error, got {other:?}"),
    }
}

/// A suite with emissions funded with `pool` whose market is the account "reporter" (to drive
/// `RecordWork` directly).
fn direct_suite(pool: u128, params: EmissionParams) -> (Suite, Addr, Addr) {
    let mut suite = SuiteBuilder::new().build();
    let emissions = suite.deploy_emissions(pool, DAY, params, false).unwrap();
    let reporter = suite.addr("reporter");
    let owner = suite.owner.clone();
    suite
        .execute(
            &owner,
            &emissions,
            &ExecuteMsg::UpdateConfig {
                market: Some(reporter.to_string()),
                staking: None,
            },
        )
        .unwrap();
    (suite, emissions, reporter)
}

fn work(suite: &Suite, fees: &[(&str, u128)]) -> Vec<WorkFee> {
    fees.iter()
        .map(|(name, fee)| WorkFee {
            provider: suite.addr(name).to_string(),
            fee: Uint128::new(*fee),
        })
        .collect()
}

fn record(suite: &mut Suite, emissions: &Addr, reporter: &Addr, fees: &[(&str, u128)]) {
    let work = work(suite, fees);
    suite
        .execute(reporter, emissions, &ExecuteMsg::RecordWork { work })
        .unwrap();
}

#[test]
fn instantiate_checks_bounds() {
    let mut suite = SuiteBuilder::new().build();
    let code = suite.app.store_code(emissions_contract());
    let owner = suite.owner.clone();
    let token = suite.token.to_string();
    let msg = |epoch_seconds: u64, params: EmissionParams| InstantiateMsg {
        owner: None,
        token: token.clone(),
        market: None,
        staking: None,
        epoch_seconds,
        genesis_time: None,
        params,
    };
    let mut try_msg = |m: InstantiateMsg| {
        suite
            .app
            .instantiate_contract(code, owner.clone(), &m, &[], "e", None)
            .map_err(emissions_error)
    };
    assert_eq!(
        try_msg(msg(60, params())).unwrap_err(),
        ContractError::InvalidEpochSeconds {
            epoch_seconds: 60,
            min: 3_600,
            max: 30 * DAY
        }
    );
    let fast = EmissionParams {
        budget_rate: Decimal::percent(2),
        ..params()
    };
    assert_eq!(
        try_msg(msg(DAY, fast)).unwrap_err(),
        ContractError::InvalidBudgetRate {
            rate: Decimal::percent(2),
            max: Decimal::percent(1)
        }
    );
    let greedy = EmissionParams {
        fee_cap_bps: 7_001,
        ..params()
    };
    assert_eq!(
        try_msg(msg(DAY, greedy)).unwrap_err(),
        ContractError::InvalidFeeCap {
            bps: 7_001,
            max: 7_000
        }
    );
    let stakers = EmissionParams {
        staker_share_bps: 1_000,
        ..params()
    };
    assert_eq!(
        try_msg(msg(DAY, stakers)).unwrap_err(),
        ContractError::StakingRequired { bps: 1_000 }
    );
    try_msg(msg(DAY, params())).unwrap();
}

#[test]
fn only_the_token_funds_the_pool() {
    let (mut suite, emissions, _) = direct_suite(POOL, params());
    assert_eq!(suite.emissions_totals(&emissions).funded.u128(), POOL);
    suite.assert_balance(emissions.clone(), POOL);
    // A fake CW20 (any other address calling Receive) funds nothing.
    let fake = suite.addr("fake-cw20");
    let hook = |amount: u128| {
        ExecuteMsg::Receive(Cw20ReceiveMsg {
            sender: "mallory".into(),
            amount: Uint128::new(amount),
            msg: to_json_binary(&ReceiveMsg::Fund {}).unwrap(),
        })
    };
    let err = suite
        .execute(&fake, &emissions, &hook(1_000 * TOKEN))
        .unwrap_err();
    assert_eq!(
        emissions_error(err),
        ContractError::WrongToken {
            token: suite.token.to_string(),
            sender: fake.to_string()
        }
    );
    // The token itself never sends a zero amount; a zero hook is refused anyway.
    let token = suite.token.clone();
    let err = suite.execute(&token, &emissions, &hook(0)).unwrap_err();
    assert_eq!(emissions_error(err), ContractError::EmptyFunding);
    assert_eq!(suite.emissions_totals(&emissions).funded.u128(), POOL);
    suite.assert_balance(emissions, POOL);
}

#[test]
fn release_is_shared_by_fees_capped_by_them_and_paid_without_minting() {
    let (mut suite, emissions, reporter) = direct_suite(POOL, params());
    let supply0 = suite.total_supply();
    // Fees of 100 and 300 tokens: the release is min(1 000 budget, 50 % × 400) = 200 tokens.
    record(
        &mut suite,
        &emissions,
        &reporter,
        &[("alice", 100 * TOKEN), ("bob", 300 * TOKEN)],
    );
    let e0 = suite.emissions_epoch(&emissions, 0);
    assert_eq!(
        (e0.budget.u128(), e0.fees.u128(), e0.release.u128()),
        (BUDGET, 400 * TOKEN, 200 * TOKEN)
    );
    let alice = suite.addr("alice");
    // Nothing is claimable while the epoch runs.
    let err = suite.claim_emissions(&emissions, &alice).unwrap_err();
    assert_eq!(
        emissions_error(err),
        ContractError::NothingToClaim {
            address: alice.to_string()
        }
    );
    suite.advance_time(DAY);
    let bob = suite.addr("bob");
    suite.claim_emissions(&emissions, &alice).unwrap();
    suite.claim_emissions(&emissions, &bob).unwrap();
    suite.assert_balance(alice.clone(), 50 * TOKEN);
    suite.assert_balance(bob, 150 * TOKEN);
    // A second claim has nothing.
    assert!(suite.claim_emissions(&emissions, &alice).is_err());
    let t = suite.emissions_totals(&emissions);
    assert_eq!(t.released.u128(), 200 * TOKEN);
    assert_eq!(t.paid_to_providers.u128(), 200 * TOKEN);
    // Paid by transfer: the supply did not move, the pool shrank by what was paid.
    assert_eq!(suite.total_supply(), supply0);
    suite.assert_balance(emissions, POOL - 200 * TOKEN);
}

#[test]
fn the_budget_bounds_a_busy_epoch_and_what_is_not_released_stays_in_the_pool() {
    let (mut suite, emissions, reporter) = direct_suite(POOL, params());
    // 1 000 000 tokens of fees: the cap (500 000) is far above the budget (1 000).
    record(&mut suite, &emissions, &reporter, &[("alice", POOL)]);
    assert_eq!(suite.emissions_epoch(&emissions, 0).release.u128(), BUDGET);
    // Epoch 1: a fee of 10 tokens releases 5; the rest of its budget stays in the pool.
    suite.advance_time(DAY);
    record(&mut suite, &emissions, &reporter, &[("alice", 10 * TOKEN)]);
    let e1 = suite.emissions_epoch(&emissions, 1);
    assert_eq!(e1.budget.u128(), (POOL - BUDGET) / 1_000);
    assert_eq!(e1.release.u128(), 5 * TOKEN);
    // Epoch 2's budget is drawn from everything not released: 1 000 + 5 tokens are gone.
    suite.advance_time(DAY);
    let e2 = suite.emissions_epoch(&emissions, 2);
    assert!(!e2.started);
    assert_eq!(e2.budget.u128(), (POOL - BUDGET - 5 * TOKEN) / 1_000);
    let alice = suite.addr("alice");
    suite.claim_emissions(&emissions, &alice).unwrap();
    suite.assert_balance(alice, BUDGET + 5 * TOKEN);
}

#[test]
fn an_idle_epochs_release_is_not_taken_by_one_tiny_job() {
    let (mut suite, emissions, reporter) = direct_suite(POOL, params());
    // The only work of the day pays a fee of 2 base units: it earns 1 base unit, not the
    // day's 1 000-token budget.
    record(&mut suite, &emissions, &reporter, &[("mallory", 2)]);
    suite.advance_time(DAY);
    let mallory = suite.addr("mallory");
    suite.claim_emissions(&emissions, &mallory).unwrap();
    suite.assert_balance(mallory, 1);
    let t = suite.emissions_totals(&emissions);
    assert_eq!((t.released.u128(), t.unreleased().u128()), (1, POOL - 1));
}

#[test]
fn the_pool_is_never_exceeded() {
    // A 1 000-token pool at the largest budget rate (1 %), fees far above every budget, many
    // epochs: releases decay with the pool and never sum past it.
    let pool = 1_000 * TOKEN;
    let p = EmissionParams {
        budget_rate: Decimal::percent(1),
        ..params()
    };
    let (mut suite, emissions, reporter) = direct_suite(pool, p);
    for _ in 0..300 {
        record(
            &mut suite,
            &emissions,
            &reporter,
            &[("alice", 1_000_000 * TOKEN), ("bob", 1_000_000 * TOKEN)],
        );
        suite.advance_time(DAY);
    }
    let (alice, bob) = (suite.addr("alice"), suite.addr("bob"));
    suite.claim_emissions(&emissions, &alice).unwrap();
    suite.claim_emissions(&emissions, &bob).unwrap();
    let t = suite.emissions_totals(&emissions);
    let paid = suite.balance(alice) + suite.balance(bob);
    assert_eq!(t.paid().u128(), paid);
    assert!(t.released <= t.funded && t.paid() <= t.released, "{t:?}");
    // 1 − 0.99^300 ≈ 95.1 % of the pool released, in shares of equal fees (rounding aside).
    assert!(paid > pool * 95 / 100 && paid < pool * 96 / 100, "{paid}");
    suite.assert_balance(emissions, pool - paid);
}

#[test]
fn only_the_market_reports_and_bad_reports_change_nothing() {
    let (mut suite, emissions, reporter) = direct_suite(POOL, params());
    let before = suite.emissions_totals(&emissions);
    let mallory = suite.addr("mallory");
    let w = work(&suite, &[("mallory", 100 * TOKEN)]);
    let err = suite
        .execute(&mallory, &emissions, &ExecuteMsg::RecordWork { work: w })
        .unwrap_err();
    assert_eq!(
        emissions_error(err),
        ContractError::NotMarket {
            sender: mallory.to_string()
        }
    );
    let err = suite
        .execute(
            &reporter,
            &emissions,
            &ExecuteMsg::RecordWork { work: vec![] },
        )
        .unwrap_err();
    assert_eq!(emissions_error(err), ContractError::EmptyWork);
    let w = work(&suite, &[("alice", 100), ("bob", 0)]);
    let err = suite
        .execute(&reporter, &emissions, &ExecuteMsg::RecordWork { work: w })
        .unwrap_err();
    assert_eq!(
        emissions_error(err),
        ContractError::ZeroFee {
            provider: suite.addr("bob").to_string()
        }
    );
    let many = vec![("alice", 1u128); MAX_WORK_RECORDS + 1];
    let w = work(&suite, &many);
    let err = suite
        .execute(&reporter, &emissions, &ExecuteMsg::RecordWork { work: w })
        .unwrap_err();
    assert_eq!(
        emissions_error(err),
        ContractError::TooManyWorkRecords {
            count: MAX_WORK_RECORDS + 1,
            max: MAX_WORK_RECORDS
        }
    );
    // Nothing moved and no epoch started.
    assert_eq!(suite.emissions_totals(&emissions), before);
    assert!(!suite.emissions_epoch(&emissions, 0).started);
    let alice = suite.addr("alice");
    assert_eq!(suite.emissions_provider(&emissions, &alice).fees.u128(), 0);
}

#[test]
fn owner_changes_params_within_bounds_for_future_epochs() {
    let (mut suite, emissions, reporter) = direct_suite(POOL, params());
    record(&mut suite, &emissions, &reporter, &[("alice", 100 * TOKEN)]);
    let mallory = suite.addr("mallory");
    let err = suite
        .execute(
            &mallory,
            &emissions,
            &ExecuteMsg::UpdateParams { params: params() },
        )
        .unwrap_err();
    assert!(matches!(emissions_error(err), ContractError::Ownership(_)));
    let owner = suite.owner.clone();
    let greedy = EmissionParams {
        fee_cap_bps: 0,
        ..params()
    };
    let err = suite
        .execute(
            &owner,
            &emissions,
            &ExecuteMsg::UpdateParams { params: greedy },
        )
        .unwrap_err();
    assert_eq!(
        emissions_error(err),
        ContractError::InvalidFeeCap { bps: 0, max: 7_000 }
    );
    let lower = EmissionParams {
        fee_cap_bps: 1_000,
        ..params()
    };
    suite
        .execute(
            &owner,
            &emissions,
            &ExecuteMsg::UpdateParams { params: lower },
        )
        .unwrap();
    // Epoch 0 started before the change and keeps its 50 % cap; epoch 1 uses 10 %.
    record(&mut suite, &emissions, &reporter, &[("alice", 100 * TOKEN)]);
    assert_eq!(
        suite.emissions_epoch(&emissions, 0).release.u128(),
        100 * TOKEN
    );
    suite.advance_time(DAY);
    record(&mut suite, &emissions, &reporter, &[("alice", 100 * TOKEN)]);
    assert_eq!(
        suite.emissions_epoch(&emissions, 1).release.u128(),
        10 * TOKEN
    );
}

#[test]
fn staker_share_goes_into_a_reward_round_when_the_epoch_closes() {
    let mut suite = SuiteBuilder::new().with_funds("carol", 10 * TOKEN).build();
    suite.bond("carol", 10 * TOKEN).unwrap();
    let p = EmissionParams {
        staker_share_bps: 2_000,
        ..params()
    };
    let emissions = suite.deploy_emissions(POOL, DAY, p, true).unwrap();
    let (owner, reporter) = (suite.owner.clone(), suite.addr("reporter"));
    suite
        .execute(
            &owner,
            &emissions,
            &ExecuteMsg::UpdateConfig {
                market: Some(reporter.to_string()),
                staking: None,
            },
        )
        .unwrap();
    // Fees of 1 000 tokens: a release of 500, 100 of it to stakers.
    record(
        &mut suite,
        &emissions,
        &reporter,
        &[("alice", 1_000 * TOKEN)],
    );
    let e0 = suite.emissions_epoch(&emissions, 0);
    assert_eq!(e0.staker_release.u128(), 100 * TOKEN);
    assert_eq!(e0.provider_release.u128(), 400 * TOKEN);
    // Sent when the epoch closes (here: alice's claim the next day), then streamed by staking.
    assert_eq!(suite.staking_totals().rewards_funded.u128(), 0);
    suite.advance_time(DAY);
    let alice = suite.addr("alice");
    suite.claim_emissions(&emissions, &alice).unwrap();
    suite.assert_balance(alice, 400 * TOKEN);
    assert_eq!(suite.staking_totals().rewards_funded.u128(), 100 * TOKEN);
    assert!(suite.emissions_epoch(&emissions, 0).closed);
    suite.advance_time(acn_interface::staking::DEFAULT_REWARD_DURATION);
    assert_eq!(suite.pending_rewards("carol"), 100 * TOKEN);
    suite.assert_balance(emissions, POOL - 500 * TOKEN);
}

/// A market suite with emissions and three providers of the digits model.
fn market_suite() -> (Suite, Addr) {
    let mut suite = SuiteBuilder::new()
        .with_market_params(|m| m.models = vec![digits_model()])
        .with_funds("buyer", 1_000_000 * TOKEN)
        .build();
    // A 100 000-token pool leaves the owner the tokens that fund the providers.
    let emissions = suite
        .deploy_emissions(POOL / 10, DAY, params(), false)
        .unwrap();
    for p in ["p1", "p2", "p3"] {
        suite
            .make_provider(p, PROVIDER_STAKE, &["digits-mlp-v1"])
            .unwrap();
    }
    (suite, emissions)
}

#[test]
fn market_settlement_reports_the_fees_of_agreed_providers() {
    let (mut suite, emissions) = market_suite();
    // Batch 8, redundancy 3: p3 is outvoted and earns nothing.
    let job = suite.submit_digits("buyer", 8, 3).unwrap();
    let good = labels_output(&[1; 8]);
    let bad = labels_output(&[2; 8]);
    let slots: Vec<String> = suite
        .job(job)
        .slots
        .iter()
        .map(|s| s.provider.to_string())
        .collect();
    let names: Vec<&str> = ["p1", "p2", "p3"]
        .into_iter()
        .filter(|n| slots.contains(&suite.addr(n).to_string()))
        .collect();
    assert_eq!(names.len(), 3);
    suite
        .run_job(job, &[("p1", good.clone()), ("p2", good), ("p3", bad)])
        .unwrap();
    let fee = suite.job(job).fee.u128();
    assert!(fee > 0);
    let e0 = suite.emissions_epoch(&emissions, 0);
    // Each agreeing provider is credited half the job's protocol fee (rounded down).
    assert_eq!(e0.fees.u128(), fee / 2 * 2);
    let (p1, p3) = (suite.addr("p1"), suite.addr("p3"));
    assert_eq!(
        suite.emissions_provider(&emissions, &p1).fees.u128(),
        fee / 2
    );
    assert_eq!(suite.emissions_provider(&emissions, &p3).fees.u128(), 0);
    suite.advance_time(DAY);
    let before = suite.balance(p1.clone());
    suite.claim_emissions(&emissions, &p1).unwrap();
    // Half of 50 % of the reported fees.
    assert_eq!(suite.balance(p1) - before, (fee / 2 * 2) / 2 / 2);
    assert!(suite.claim_emissions(&emissions, &p3).is_err());
}

#[test]
fn redundancy_one_work_counts_only_when_an_audit_verified_it() {
    let (mut suite, emissions) = market_suite();
    let out = labels_output(&[1; 8]);
    let (mut unaudited, mut audited) = (0, 0);
    // Redundancy-1 jobs: the buyer reveals its audit secret, which sends about one job in ten
    // to a second provider. Only those verified jobs are reported.
    for _ in 0..20 {
        let job = suite.submit_digits("buyer", 8, 1).unwrap();
        let provider = suite.job(job).slots[0].provider.clone();
        let name = ["p1", "p2", "p3"]
            .into_iter()
            .find(|n| suite.addr(n) == provider)
            .unwrap();
        let reported0 = suite.emissions_epoch(&emissions, 0).fees.u128();
        suite.run_job(job, &[(name, out.clone())]).unwrap();
        let fee = suite.job(job).fee.u128();
        let reported = suite.emissions_epoch(&emissions, 0).fees.u128() - reported0;
        if suite.job(job).slots.len() == 2 {
            audited += 1;
            assert_eq!(reported, fee / 2 * 2, "an audited job counts");
        } else {
            unaudited += 1;
            assert_eq!(reported, 0, "an unaudited job earns nothing");
        }
    }
    assert!(unaudited > 0 && audited > 0, "{unaudited} / {audited}");
}

#[test]
fn a_claim_after_many_idle_epochs_settles_only_the_open_epoch() {
    let (mut suite, emissions, reporter) = direct_suite(POOL, params());
    record(
        &mut suite,
        &emissions,
        &reporter,
        &[("alice", 100 * TOKEN), ("bob", 100 * TOKEN)],
    );
    // 1 000 epochs pass; only bob keeps working, in epoch 500.
    suite.advance_time(500 * DAY);
    record(&mut suite, &emissions, &reporter, &[("bob", 100 * TOKEN)]);
    suite.advance_time(500 * DAY);
    let (alice, bob) = (suite.addr("alice"), suite.addr("bob"));
    suite.claim_emissions(&emissions, &alice).unwrap();
    suite.claim_emissions(&emissions, &bob).unwrap();
    suite.assert_balance(alice.clone(), 50 * TOKEN);
    suite.assert_balance(bob, 50 * TOKEN + 50 * TOKEN);
    let p = suite.emissions_provider(&emissions, &alice);
    assert_eq!((p.claimable.u128(), p.claimed.u128()), (0, 50 * TOKEN));
    // Only the two started epochs released; the idle ones released nothing.
    assert_eq!(
        suite.emissions_totals(&emissions).released.u128(),
        150 * TOKEN
    );
}

#[test]
fn the_market_reports_only_to_an_emissions_contract_that_accepts_it() {
    let mut suite = SuiteBuilder::new().with_market().build();
    let emissions = suite.deploy_emissions(POOL, DAY, params(), false).unwrap();
    let (owner, market, mallory) = (suite.owner.clone(), suite.market(), suite.addr("mallory"));
    let set = |address: Option<String>| acn_interface::market::ExecuteMsg::SetEmissions { address };
    let err = suite
        .execute(&mallory, &market, &set(Some(emissions.to_string())))
        .unwrap_err();
    assert_err_contains(Err::<(), _>(err), "not the contract's current owner");
    // An address that is no emissions contract, and one that names another market, are refused:
    // their RecordWork would revert every settlement.
    let err = suite
        .execute(&owner, &market, &set(Some(mallory.to_string())))
        .unwrap_err();
    assert_err_contains(Err::<(), _>(err), "is not an emissions contract");
    suite
        .execute(
            &owner,
            &emissions,
            &ExecuteMsg::UpdateConfig {
                market: Some(mallory.to_string()),
                staking: None,
            },
        )
        .unwrap();
    let err = suite
        .execute(&owner, &market, &set(Some(emissions.to_string())))
        .unwrap_err();
    assert_err_contains(Err::<(), _>(err), "does not accept work from this market");
    // Clearing works; the market then sends no reports.
    suite.execute(&owner, &market, &set(None)).unwrap();
    let r: acn_interface::market::EmissionsResponse =
        suite.query(&market, &acn_interface::market::QueryMsg::Emissions {});
    assert_eq!(r.address, None);
}

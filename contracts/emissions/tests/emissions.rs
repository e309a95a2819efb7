//! Emissions: bounds, the schedule on chain, proportional sharing per epoch, the pool bound,
//! the market's reports, the stakers' share and owner-only changes.

use acn_emissions::ContractError;
use acn_interface::emissions::{
    Decay, EmissionParams, ExecuteMsg, InstantiateMsg, QueryMsg, ScheduleResponse, WorkUnits,
};
use acn_testing::emissions_helpers::emissions_contract;
use acn_testing::{
    assert_err_contains, digits_model, labels_output, Suite, SuiteBuilder, DAY, PROVIDER_STAKE,
    TOKEN,
};
use cosmwasm_std::{Addr, Decimal, Uint128};
use cw_multi_test::Executor;

const POOL: u128 = 1_000_000 * TOKEN;
const RELEASE: u128 = 1_000 * TOKEN;

fn halving(interval_epochs: u64) -> EmissionParams {
    EmissionParams {
        initial_epoch_release: Uint128::new(RELEASE),
        decay: Decay::Halving { interval_epochs },
        staker_share_bps: 0,
    }
}

fn emissions_error(err: anyhow::Error) -> ContractError {
    match err.downcast::<ContractError>() {
        Ok(e) => e,
        Err(other) => panic!("expected an emissions error, got {other:?}"),
    }
}

/// A suite with emissions whose market is the account "reporter" (to drive `RecordWork` directly).
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

fn record(suite: &mut Suite, emissions: &Addr, reporter: &Addr, work: &[(&str, u64)]) {
    let work = work
        .iter()
        .map(|(name, units)| WorkUnits {
            provider: suite.addr(name).to_string(),
            units: *units,
        })
        .collect();
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
    let msg = |pool: u128, epoch_seconds: u64, params: EmissionParams| InstantiateMsg {
        owner: None,
        token: token.clone(),
        market: None,
        staking: None,
        pool: Uint128::new(pool),
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
        try_msg(msg(POOL, 60, halving(365))).unwrap_err(),
        ContractError::InvalidEpochSeconds {
            epoch_seconds: 60,
            min: 3_600,
            max: 30 * DAY
        }
    );
    assert_eq!(
        try_msg(msg(0, DAY, halving(365))).unwrap_err(),
        ContractError::ZeroPool
    );
    // 1 000 tokens per epoch is more than 1 % of a 50 000-token pool.
    assert_eq!(
        try_msg(msg(50_000 * TOKEN, DAY, halving(365))).unwrap_err(),
        ContractError::InvalidInitialRelease {
            release: Uint128::new(RELEASE),
            max: Uint128::new(500 * TOKEN)
        }
    );
    let mut stakers = halving(365);
    stakers.staker_share_bps = 1_000;
    assert_eq!(
        try_msg(msg(POOL, DAY, stakers)).unwrap_err(),
        ContractError::StakingRequired { bps: 1_000 }
    );
    try_msg(msg(POOL, DAY, halving(365))).unwrap();
}

#[test]
fn epoch_release_is_shared_by_units_and_minted_on_claim() {
    let (mut suite, emissions, reporter) = direct_suite(POOL, halving(365));
    let supply0 = suite.total_supply();
    // Epoch 0: alice 3 units in two reports, bob 1 unit.
    record(
        &mut suite,
        &emissions,
        &reporter,
        &[("alice", 2), ("bob", 1)],
    );
    record(&mut suite, &emissions, &reporter, &[("alice", 1)]);
    let e0 = suite.emissions_epoch(&emissions, 0);
    assert!(e0.started);
    assert_eq!(e0.units.u128(), 4);
    assert_eq!(e0.provider_release.u128(), RELEASE);

    // The open epoch is not claimable.
    let alice = suite.addr("alice");
    let err = emissions_error(suite.claim_emissions(&emissions, &alice).unwrap_err());
    assert_eq!(
        err,
        ContractError::NothingToClaim {
            address: alice.to_string()
        }
    );

    suite.advance_time(DAY);
    assert_eq!(
        suite
            .emissions_provider(&emissions, &alice)
            .claimable
            .u128(),
        RELEASE * 3 / 4
    );
    suite.claim_emissions(&emissions, &alice).unwrap();
    let bob = suite.addr("bob");
    suite.claim_emissions(&emissions, &bob).unwrap();
    suite.assert_balance(alice.clone(), RELEASE * 3 / 4);
    suite.assert_balance(bob.clone(), RELEASE / 4);
    // Claimed once: a second claim has nothing.
    assert!(suite.claim_emissions(&emissions, &alice).is_err());

    let totals = suite.emissions_totals(&emissions);
    assert_eq!(totals.allocated.u128(), RELEASE);
    assert_eq!(totals.minted().u128(), RELEASE);
    assert_eq!(suite.total_supply(), supply0 + RELEASE);
}

#[test]
fn halving_schedule_on_chain_and_idle_epochs_release_nothing() {
    let (mut suite, emissions, reporter) = direct_suite(POOL, halving(7));
    let alice = suite.addr("alice");
    for _ in 0..7 {
        record(&mut suite, &emissions, &reporter, &[("alice", 5)]);
        suite.advance_time(DAY);
    }
    // Epoch 7: first of the second interval → half the release.
    record(&mut suite, &emissions, &reporter, &[("alice", 5)]);
    assert_eq!(
        suite.emissions_epoch(&emissions, 7).provider_release.u128(),
        RELEASE / 2
    );
    // Epochs 8..13 idle; epoch 14 works → a quarter.
    suite.advance_time(7 * DAY);
    record(&mut suite, &emissions, &reporter, &[("alice", 5)]);
    assert!(!suite.emissions_epoch(&emissions, 10).started);
    assert_eq!(
        suite
            .emissions_epoch(&emissions, 14)
            .provider_release
            .u128(),
        RELEASE / 4
    );
    let sched: ScheduleResponse = suite.query(&emissions, &QueryMsg::Schedule { epoch: 21 });
    assert_eq!(sched.release.u128(), RELEASE / 8);

    suite.advance_time(DAY);
    suite.claim_emissions(&emissions, &alice).unwrap();
    // 7 full releases + a half + a quarter, all to the only provider.
    suite.assert_balance(alice, 7 * RELEASE + RELEASE / 2 + RELEASE / 4);
}

#[test]
fn exponential_schedule_halves_after_its_half_life() {
    // retain = 2^(-1/30): half-life of 30 epochs.
    let retain = Decimal::from_ratio(977_159_968_434_245_000u128, 10u128.pow(18));
    let params = EmissionParams {
        initial_epoch_release: Uint128::new(RELEASE),
        decay: Decay::Exponential { retain },
        staker_share_bps: 0,
    };
    let (suite, emissions, _) = direct_suite(POOL, params);
    let at = |e: u64| -> u128 {
        let r: ScheduleResponse = suite.query(&emissions, &QueryMsg::Schedule { epoch: e });
        r.release.u128()
    };
    assert_eq!(at(0), RELEASE);
    assert!(at(1) < at(0) && at(2) < at(1));
    let half = at(30);
    assert!(
        half.abs_diff(RELEASE / 2) <= 10,
        "release at the half-life: {half}"
    );
    let quarter = at(60);
    assert!(quarter.abs_diff(RELEASE / 4) <= 10, "{quarter}");
}

#[test]
fn the_pool_is_never_exceeded() {
    // Pool of 150 releases with no decay to speak of: epoch 150 gets nothing.
    let pool = 150 * RELEASE / 1_000;
    let params = EmissionParams {
        initial_epoch_release: Uint128::new(RELEASE / 1_000),
        decay: Decay::Halving {
            interval_epochs: 100_000,
        },
        staker_share_bps: 0,
    };
    let (mut suite, emissions, reporter) = direct_suite(pool, params);
    let supply0 = suite.total_supply();
    for _ in 0..152 {
        record(
            &mut suite,
            &emissions,
            &reporter,
            &[("alice", 1), ("bob", 2)],
        );
        suite.advance_time(DAY);
    }
    assert_eq!(
        suite
            .emissions_epoch(&emissions, 149)
            .provider_release
            .u128(),
        RELEASE / 1_000
    );
    assert_eq!(
        suite
            .emissions_epoch(&emissions, 150)
            .provider_release
            .u128(),
        0
    );
    let (alice, bob) = (suite.addr("alice"), suite.addr("bob"));
    suite.claim_emissions(&emissions, &alice).unwrap();
    suite.claim_emissions(&emissions, &bob).unwrap();
    let totals = suite.emissions_totals(&emissions);
    assert_eq!(totals.allocated.u128(), pool);
    assert!(totals.minted().u128() <= pool);
    // Rounding leaves at most one base unit per provider per epoch.
    assert!(pool - totals.minted().u128() <= 2 * 150);
    assert_eq!(suite.total_supply(), supply0 + totals.minted().u128());
}

#[test]
fn only_the_market_reports_and_bad_reports_change_nothing() {
    let (mut suite, emissions, reporter) = direct_suite(POOL, halving(365));
    let mallory = suite.addr("mallory");
    let work = vec![WorkUnits {
        provider: mallory.to_string(),
        units: 1_000,
    }];
    let err = suite
        .execute(&mallory, &emissions, &ExecuteMsg::RecordWork { work })
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
    let zero = vec![
        WorkUnits {
            provider: mallory.to_string(),
            units: 3,
        },
        WorkUnits {
            provider: mallory.to_string(),
            units: 0,
        },
    ];
    let err = suite
        .execute(
            &reporter,
            &emissions,
            &ExecuteMsg::RecordWork { work: zero },
        )
        .unwrap_err();
    assert_eq!(
        emissions_error(err),
        ContractError::ZeroUnits {
            provider: mallory.to_string()
        }
    );
    let many = vec![
        WorkUnits {
            provider: mallory.to_string(),
            units: 1,
        };
        33
    ];
    let err = suite
        .execute(
            &reporter,
            &emissions,
            &ExecuteMsg::RecordWork { work: many },
        )
        .unwrap_err();
    assert_eq!(
        emissions_error(err),
        ContractError::TooManyWorkRecords { count: 33, max: 32 }
    );
    // Nothing was recorded by the refused reports.
    let totals = suite.emissions_totals(&emissions);
    assert_eq!((totals.units.u128(), totals.allocated.u128()), (0, 0));
    assert!(!suite.emissions_epoch(&emissions, 0).started);
}

#[test]
fn owner_changes_params_within_bounds_for_future_epochs() {
    let (mut suite, emissions, reporter) = direct_suite(POOL, halving(365));
    record(&mut suite, &emissions, &reporter, &[("alice", 1)]);
    let mallory = suite.addr("mallory");
    let err = suite
        .execute(
            &mallory,
            &emissions,
            &ExecuteMsg::UpdateParams {
                params: halving(30),
            },
        )
        .unwrap_err();
    assert!(matches!(emissions_error(err), ContractError::Ownership(_)));
    let owner = suite.owner.clone();
    let mut too_much = halving(30);
    too_much.initial_epoch_release = Uint128::new(POOL / 100 + 1);
    let err = suite
        .execute(
            &owner,
            &emissions,
            &ExecuteMsg::UpdateParams { params: too_much },
        )
        .unwrap_err();
    assert!(matches!(
        emissions_error(err),
        ContractError::InvalidInitialRelease { .. }
    ));
    let mut doubled = halving(365);
    doubled.initial_epoch_release = Uint128::new(2 * RELEASE);
    suite
        .execute(
            &owner,
            &emissions,
            &ExecuteMsg::UpdateParams { params: doubled },
        )
        .unwrap();
    // Epoch 0 started before the change and keeps its release; epoch 1 uses the new one.
    record(&mut suite, &emissions, &reporter, &[("alice", 1)]);
    assert_eq!(
        suite.emissions_epoch(&emissions, 0).provider_release.u128(),
        RELEASE
    );
    suite.advance_time(DAY);
    record(&mut suite, &emissions, &reporter, &[("alice", 1)]);
    assert_eq!(
        suite.emissions_epoch(&emissions, 1).provider_release.u128(),
        2 * RELEASE
    );
}

#[test]
fn staker_share_is_minted_into_a_reward_round() {
    let mut suite = SuiteBuilder::new().with_funds("carol", 10 * TOKEN).build();
    suite.bond("carol", 10 * TOKEN).unwrap();
    let mut params = halving(365);
    params.staker_share_bps = 2_000;
    let emissions = suite.deploy_emissions(POOL, DAY, params, true).unwrap();
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
    record(&mut suite, &emissions, &reporter, &[("alice", 1)]);
    let e0 = suite.emissions_epoch(&emissions, 0);
    assert_eq!(e0.staker_release.u128(), RELEASE / 5);
    assert_eq!(e0.provider_release.u128(), RELEASE * 4 / 5);
    assert_eq!(suite.staking_totals().rewards_funded.u128(), RELEASE / 5);
    // Staking streams the round over its reward duration: nothing yet, all of it a week later.
    assert_eq!(suite.pending_rewards("carol"), 0);
    suite.advance_time(acn_interface::staking::DEFAULT_REWARD_DURATION);
    assert_eq!(suite.pending_rewards("carol"), RELEASE / 5);
    assert_eq!(suite.balance(emissions.clone()), 0);
}

#[test]
fn market_settlement_reports_agreed_units() {
    let mut suite = SuiteBuilder::new()
        .with_market_params(|m| m.models = vec![digits_model()])
        .with_funds("buyer", 1_000_000 * TOKEN)
        .build();
    let emissions = suite
        .deploy_emissions(POOL, DAY, halving(365), false)
        .unwrap();
    for p in ["p1", "p2", "p3"] {
        suite
            .make_provider(p, PROVIDER_STAKE, &["digits-mlp-v1"])
            .unwrap();
    }
    // Batch 8, redundancy 3: p3 is outvoted and earns nothing.
    let job = suite.submit_digits("buyer", 8, 3).unwrap();
    let good = labels_output(&[1; 8]);
    let bad = labels_output(&[2; 8]);
    suite
        .run_job(job, &[("p1", good.clone()), ("p2", good), ("p3", bad)])
        .unwrap();
    let e0 = suite.emissions_epoch(&emissions, 0);
    assert_eq!(e0.units.u128(), 16);
    let p3 = suite.addr("p3");
    assert_eq!(suite.emissions_provider(&emissions, &p3).units, 0);
    suite.advance_time(DAY);
    let p1 = suite.addr("p1");
    let before = suite.balance(p1.clone());
    suite.claim_emissions(&emissions, &p1).unwrap();
    assert_eq!(suite.balance(p1) - before, RELEASE / 2);
    assert!(suite.claim_emissions(&emissions, &p3).is_err());
}

#[test]
fn a_claim_after_many_idle_epochs_settles_only_the_open_epoch() {
    let (mut suite, emissions, reporter) = direct_suite(POOL, halving(365));
    record(
        &mut suite,
        &emissions,
        &reporter,
        &[("alice", 2), ("bob", 2)],
    );
    // 1 000 epochs pass; only bob keeps working, in epoch 500.
    suite.advance_time(500 * DAY);
    record(&mut suite, &emissions, &reporter, &[("bob", 1)]);
    suite.advance_time(500 * DAY);
    let (alice, bob) = (suite.addr("alice"), suite.addr("bob"));
    suite.claim_emissions(&emissions, &alice).unwrap();
    suite.claim_emissions(&emissions, &bob).unwrap();
    suite.assert_balance(alice.clone(), RELEASE / 2);
    // Bob: half of epoch 0 and all of epoch 500 (after one halving).
    suite.assert_balance(bob, RELEASE / 2 + RELEASE / 2);
    let p = suite.emissions_provider(&emissions, &alice);
    assert_eq!((p.claimable.u128(), p.claimed.u128()), (0, RELEASE / 2));
    // Only the two started epochs were allocated; the idle ones released nothing.
    assert_eq!(
        suite.emissions_totals(&emissions).allocated.u128(),
        RELEASE + RELEASE / 2
    );
}

#[test]
fn the_market_reports_only_to_an_emissions_contract_that_accepts_it() {
    let mut suite = SuiteBuilder::new().with_market().build();
    let emissions = suite
        .deploy_emissions(POOL, DAY, halving(365), false)
        .unwrap();
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

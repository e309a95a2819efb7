//! Vesting schedules: the curve (cliff, linear part, end), several schedules, locking, queries.

use acn_interface::treasury::VestingResponse;
use acn_testing::treasury_helpers::{expect_treasury_error, wasm_attr};
use acn_testing::{SuiteBuilder, DAY, TOKEN};
use acn_treasury::ContractError;
use cosmwasm_std::{Timestamp, Uint128};

const AMOUNT: u128 = 1_000_000;
const CLIFF: u64 = 100 * DAY;
const DURATION: u64 = 400 * DAY;

#[test]
fn vesting_curve_cliff_linear_end() {
    let mut suite = SuiteBuilder::new().with_treasury_reserve(AMOUNT).build();
    let (owner, bob) = (suite.owner.clone(), suite.addr("bob"));
    let start = suite.block().time;

    let res = suite
        .create_vesting(&owner, &bob, AMOUNT, None, CLIFF, DURATION)
        .unwrap();
    let treasury = suite.treasury.clone();
    assert_eq!(wasm_attr(&res, &treasury, "action"), "create_vesting");
    assert_eq!(wasm_attr(&res, &treasury, "id"), "1");
    let balances = suite.treasury_balances();
    assert_eq!(balances.vesting_locked.u128(), AMOUNT);
    assert_eq!(balances.spendable.u128(), 0);

    // One second before the cliff: nothing is vested.
    suite.advance_time(CLIFF - 1);
    let v = &suite.vestings(&bob, None, None)[0];
    assert_eq!((v.vested.u128(), v.claimable.u128()), (0, 0));
    let err = expect_treasury_error(suite.claim_vested(&bob));
    assert_eq!(
        err,
        ContractError::NothingToClaim {
            address: bob.to_string()
        }
    );
    suite.assert_balance(bob.clone(), 0);

    // At the cliff exactly: the linear part up to the cliff, 100 / 400.
    suite.advance_time(1);
    assert_eq!(suite.block().time, start.plus_seconds(CLIFF));
    let v = &suite.vestings(&bob, None, None)[0];
    assert_eq!(v.vested.u128(), 250_000);
    assert_eq!(v.claimable.u128(), 250_000);
    let res = suite.claim_vested(&bob).unwrap();
    assert_eq!(wasm_attr(&res, &treasury, "action"), "claim_vested");
    assert_eq!(wasm_attr(&res, &treasury, "amount"), "250000");
    suite.assert_balance(bob.clone(), 250_000);
    // Nothing more in the same block.
    let err = expect_treasury_error(suite.claim_vested(&bob));
    assert!(matches!(err, ContractError::NothingToClaim { .. }));

    // Midway (200 / 400).
    suite.advance_time(100 * DAY);
    let v = &suite.vestings(&bob, None, None)[0];
    assert_eq!(v.vested.u128(), 500_000);
    assert_eq!(v.claimed.u128(), 250_000);
    assert_eq!(v.claimable.u128(), 250_000);
    suite.claim_vested(&bob).unwrap();
    suite.assert_balance(bob.clone(), 500_000);

    // An awkward moment: 250 days + 7 seconds → floor(1e6 × 21_600_007 / 34_560_000).
    suite.advance_time(50 * DAY + 7);
    let v = &suite.vestings(&bob, None, None)[0];
    assert_eq!(v.vested.u128(), 625_000);
    suite.claim_vested(&bob).unwrap();
    suite.assert_balance(bob.clone(), 625_000);

    // At the end: everything.
    suite.advance_time(150 * DAY - 7);
    assert_eq!(suite.block().time, start.plus_seconds(DURATION));
    let v = &suite.vestings(&bob, None, None)[0];
    assert_eq!(v.vested.u128(), AMOUNT);
    assert_eq!(v.claimable.u128(), 375_000);
    suite.claim_vested(&bob).unwrap();
    suite.assert_balance(bob.clone(), AMOUNT);

    // After the end: still everything, nothing left to claim; the finished schedule has left
    // bob's open list and is read by id order from the full list.
    suite.advance_time(365 * DAY);
    assert!(suite.vestings(&bob, None, None).is_empty());
    let v = &suite.all_vestings(None, None)[0];
    assert_eq!(
        (v.vested.u128(), v.claimed.u128(), v.claimable.u128()),
        (AMOUNT, AMOUNT, 0)
    );
    let err = expect_treasury_error(suite.claim_vested(&bob));
    assert!(matches!(err, ContractError::NothingToClaim { .. }));

    let t = suite.treasury_totals();
    assert_eq!(t.vesting_created.u128(), AMOUNT);
    assert_eq!(t.vested_claimed.u128(), AMOUNT);
    let b = suite.treasury_balances();
    assert_eq!((b.balance.u128(), b.vesting_locked.u128()), (0, 0));
    suite.assert_treasury_invariants();
}

#[test]
fn first_claim_after_the_end_pays_everything_at_once() {
    let mut suite = SuiteBuilder::new().with_treasury_reserve(AMOUNT).build();
    let (owner, bob) = (suite.owner.clone(), suite.addr("bob"));
    suite
        .create_vesting(&owner, &bob, AMOUNT, None, CLIFF, DURATION)
        .unwrap();
    suite.advance_time(DURATION + 1);
    suite.claim_vested(&bob).unwrap();
    suite.assert_balance(bob, AMOUNT);
}

#[test]
fn rounding_is_down_and_the_end_pays_the_remainder() {
    let mut suite = SuiteBuilder::new().with_treasury_reserve(10).build();
    let (owner, bob) = (suite.owner.clone(), suite.addr("bob"));
    suite.create_vesting(&owner, &bob, 10, None, 0, 3).unwrap();
    suite.advance_time(1);
    suite.claim_vested(&bob).unwrap();
    suite.assert_balance(bob.clone(), 3); // floor(10 / 3)
    suite.advance_time(1);
    suite.claim_vested(&bob).unwrap();
    suite.assert_balance(bob.clone(), 6); // floor(20 / 3)
    suite.advance_time(1);
    suite.claim_vested(&bob).unwrap();
    suite.assert_balance(bob, 10);
    suite.assert_treasury_invariants();
}

#[test]
fn cliff_equal_to_duration_vests_everything_at_once() {
    let mut suite = SuiteBuilder::new().with_treasury_reserve(AMOUNT).build();
    let (owner, bob) = (suite.owner.clone(), suite.addr("bob"));
    suite
        .create_vesting(&owner, &bob, AMOUNT, None, DURATION, DURATION)
        .unwrap();
    suite.advance_time(DURATION - 1);
    assert!(matches!(
        expect_treasury_error(suite.claim_vested(&bob)),
        ContractError::NothingToClaim { .. }
    ));
    suite.advance_time(1);
    suite.claim_vested(&bob).unwrap();
    suite.assert_balance(bob, AMOUNT);
}

#[test]
fn future_start_vests_nothing_before_it() {
    let mut suite = SuiteBuilder::new().with_treasury_reserve(1_000).build();
    let (owner, bob) = (suite.owner.clone(), suite.addr("bob"));
    let start = suite.block().time.plus_seconds(10 * DAY);
    suite
        .create_vesting(&owner, &bob, 1_000, Some(start.seconds()), 0, 10 * DAY)
        .unwrap();
    assert_eq!(
        suite.vestings(&bob, None, None)[0].start.seconds(),
        start.seconds()
    );
    suite.advance_time(10 * DAY - 1);
    assert_eq!(suite.vestings(&bob, None, None)[0].vested.u128(), 0);
    assert!(matches!(
        expect_treasury_error(suite.claim_vested(&bob)),
        ContractError::NothingToClaim { .. }
    ));
    suite.advance_time(5 * DAY + 1);
    suite.claim_vested(&bob).unwrap();
    suite.assert_balance(bob, 500);
}

#[test]
fn past_start_is_already_partly_vested() {
    let mut suite = SuiteBuilder::new().with_treasury_reserve(1_000).build();
    let (owner, bob) = (suite.owner.clone(), suite.addr("bob"));
    let start = suite.block().time.minus_seconds(25 * DAY);
    suite
        .create_vesting(
            &owner,
            &bob,
            1_000,
            Some(start.seconds()),
            10 * DAY,
            100 * DAY,
        )
        .unwrap();
    suite.claim_vested(&bob).unwrap();
    suite.assert_balance(bob, 250);
}

#[test]
fn multiple_schedules_are_claimed_together_and_queried_per_beneficiary() {
    let mut suite = SuiteBuilder::new()
        .with_treasury_reserve(10 * TOKEN)
        .build();
    let (owner, bob, carol) = (suite.owner.clone(), suite.addr("bob"), suite.addr("carol"));
    let now = suite.block().time;

    // id 1: bob, 400 over 400 days, no cliff.
    suite
        .create_vesting(&owner, &bob, 400_000, None, 0, 400 * DAY)
        .unwrap();
    // id 2: carol, 1 000 000 over 100 days, 10-day cliff.
    suite
        .create_vesting(&owner, &carol, 1_000_000, None, 10 * DAY, 100 * DAY)
        .unwrap();
    // id 3: bob, 90 000 starting in 10 days over 30 days with a 15-day cliff.
    suite
        .create_vesting(
            &owner,
            &bob,
            90_000,
            Some(now.plus_seconds(10 * DAY).seconds()),
            15 * DAY,
            30 * DAY,
        )
        .unwrap();
    assert_eq!(suite.treasury_balances().vesting_locked.u128(), 1_490_000);
    assert_eq!(
        suite.treasury_balances().spendable.u128(),
        10 * TOKEN - 1_490_000
    );

    // Day 20: id 1 = 20 000; id 3 before its cliff (day 25) = 0.
    suite.advance_time(20 * DAY);
    let bobs = suite.vestings(&bob, None, None);
    assert_eq!(bobs.iter().map(|v| v.id).collect::<Vec<_>>(), vec![1, 3]);
    assert_eq!(bobs[0].claimable.u128(), 20_000);
    assert_eq!(bobs[1].claimable.u128(), 0);
    suite.claim_vested(&bob).unwrap();
    suite.assert_balance(bob.clone(), 20_000);

    // Day 30: id 1 = 30 000 (10 000 new); id 3 = 90 000 × 20/30 = 60 000.
    suite.advance_time(10 * DAY);
    let res = suite.claim_vested(&bob).unwrap();
    assert_eq!(wasm_attr(&res, &suite.treasury, "amount"), "70000");
    suite.assert_balance(bob.clone(), 90_000);

    // Carol's schedule is hers alone: day 30 → 300 000.
    let carols = suite.vestings(&carol, None, None);
    assert_eq!(carols.len(), 1);
    assert_eq!(
        carols[0],
        VestingResponse {
            id: 2,
            beneficiary: carol.clone(),
            amount: Uint128::new(1_000_000),
            start: now,
            cliff: 10 * DAY,
            duration: 100 * DAY,
            claimed: Uint128::zero(),
            vested: Uint128::new(300_000),
            claimable: Uint128::new(300_000),
        }
    );
    suite.claim_vested(&carol).unwrap();
    suite.assert_balance(carol.clone(), 300_000);

    // Day 400: everything.
    suite.advance_time(370 * DAY);
    suite.claim_vested(&bob).unwrap();
    suite.claim_vested(&carol).unwrap();
    suite.assert_balance(bob.clone(), 490_000);
    suite.assert_balance(carol.clone(), 1_000_000);
    let b = suite.treasury_balances();
    assert_eq!(b.vesting_locked.u128(), 0);
    assert_eq!(b.balance.u128(), 10 * TOKEN - 1_490_000);
    suite.assert_treasury_invariants();
    // Paid out in full: off the beneficiaries' open lists, still in the full list.
    assert!(suite.vestings(&bob, None, None).is_empty());
    assert!(suite.vestings(&carol, None, None).is_empty());
    assert_eq!(suite.all_vestings(None, None).len(), 3);
}

#[test]
fn vestings_queries_are_paginated() {
    let mut suite = SuiteBuilder::new().with_treasury_reserve(1_000).build();
    let (owner, bob, carol) = (suite.owner.clone(), suite.addr("bob"), suite.addr("carol"));
    for i in 0..5u64 {
        let who = if i % 2 == 0 { &bob } else { &carol };
        suite.create_vesting(&owner, who, 10, None, 0, DAY).unwrap();
    }
    let ids = |v: Vec<VestingResponse>| v.into_iter().map(|v| v.id).collect::<Vec<_>>();
    assert_eq!(ids(suite.all_vestings(None, None)), vec![1, 2, 3, 4, 5]);
    assert_eq!(ids(suite.all_vestings(None, Some(2))), vec![1, 2]);
    assert_eq!(ids(suite.all_vestings(Some(2), Some(2))), vec![3, 4]);
    assert_eq!(ids(suite.all_vestings(Some(4), Some(2))), vec![5]);
    assert_eq!(ids(suite.vestings(&bob, None, None)), vec![1, 3, 5]);
    assert_eq!(ids(suite.vestings(&bob, Some(1), Some(1))), vec![3]);
    assert_eq!(ids(suite.vestings(&bob, Some(3), None)), vec![5]);
    assert_eq!(ids(suite.vestings(&carol, None, None)), vec![2, 4]);
    assert!(suite.vestings(&suite.addr("nobody"), None, None).is_empty());
}

#[test]
fn bad_vesting_input_gives_the_specific_error_and_changes_nothing() {
    let mut suite = SuiteBuilder::new().with_treasury_reserve(1_000).build();
    let (owner, bob) = (suite.owner.clone(), suite.addr("bob"));
    let totals = suite.treasury_totals();
    let balances = suite.treasury_balances();

    let err = expect_treasury_error(suite.create_vesting(&owner, &bob, 100, None, 0, 0));
    assert_eq!(err, ContractError::ZeroDuration);
    let err = expect_treasury_error(suite.create_vesting(&owner, &bob, 100, None, 11, 10));
    assert_eq!(
        err,
        ContractError::CliffAfterEnd {
            cliff: 11,
            duration: 10
        }
    );
    let err = expect_treasury_error(suite.create_vesting(&owner, &bob, 0, None, 0, 10));
    assert_eq!(err, ContractError::ZeroAmount);
    let err = expect_treasury_error(suite.create_vesting(&owner, &bob, 1_001, None, 0, 10));
    assert_eq!(
        err,
        ContractError::InsufficientSpendable {
            needed: Uint128::new(1_001),
            available: Uint128::new(1_000),
        }
    );
    // A start so late that start + duration is not a representable time.
    let err = expect_treasury_error(suite.create_vesting(
        &owner,
        &bob,
        100,
        Some(Timestamp::from_nanos(u64::MAX).seconds()),
        0,
        u64::MAX,
    ));
    assert!(matches!(err, ContractError::Overflow(_)), "{err:?}");

    assert_eq!(suite.treasury_totals(), totals);
    assert_eq!(suite.treasury_balances(), balances);
    assert!(suite.all_vestings(None, None).is_empty());
    suite.assert_balance(suite.treasury.clone(), 1_000);
}

#[test]
fn vesting_cannot_lock_pending_or_already_locked_tokens() {
    let mut suite = SuiteBuilder::new()
        .with_treasury_reserve(1_000)
        .with_funds("market", 5_000)
        .build();
    let (owner, bob) = (suite.owner.clone(), suite.addr("bob"));
    suite.deposit_fee("market", 5_000).unwrap();
    suite
        .create_vesting(&owner, &bob, 600, None, 0, DAY)
        .unwrap();
    let err = expect_treasury_error(suite.create_vesting(&owner, &bob, 401, None, 0, DAY));
    assert_eq!(
        err,
        ContractError::InsufficientSpendable {
            needed: Uint128::new(401),
            available: Uint128::new(400),
        }
    );
    suite
        .create_vesting(&owner, &bob, 400, None, 0, DAY)
        .unwrap();
    assert_eq!(suite.treasury_balances().spendable.u128(), 0);

    // Claiming releases the lock and the balance together: spendable stays the same.
    suite.advance_time(DAY / 2);
    suite.claim_vested(&bob).unwrap();
    suite.assert_balance(bob, 500);
    let b = suite.treasury_balances();
    assert_eq!(b.vesting_locked.u128(), 500);
    assert_eq!(b.spendable.u128(), 0);
    assert_eq!(b.pending.u128(), 5_000);
    suite.assert_treasury_invariants();
}

#[test]
fn claim_by_someone_without_a_schedule_is_refused() {
    let mut suite = SuiteBuilder::new().with_treasury_reserve(1_000).build();
    let (owner, bob, eve) = (suite.owner.clone(), suite.addr("bob"), suite.addr("eve"));
    suite
        .create_vesting(&owner, &bob, 1_000, None, 0, DAY)
        .unwrap();
    suite.advance_time(DAY);
    let err = expect_treasury_error(suite.claim_vested(&eve));
    assert_eq!(
        err,
        ContractError::NothingToClaim {
            address: eve.to_string()
        }
    );
    suite.assert_balance(eve, 0);
    suite.assert_balance(suite.treasury.clone(), 1_000);
}

#[test]
fn schedules_per_beneficiary_are_capped() {
    let max = acn_treasury::state::MAX_VESTINGS_PER_BENEFICIARY;
    let mut suite = SuiteBuilder::new().with_treasury_reserve(1_000).build();
    let (owner, bob, carol) = (suite.owner.clone(), suite.addr("bob"), suite.addr("carol"));
    for _ in 0..max {
        suite.create_vesting(&owner, &bob, 1, None, 0, DAY).unwrap();
    }
    let err = expect_treasury_error(suite.create_vesting(&owner, &bob, 1, None, 0, DAY));
    assert_eq!(
        err,
        ContractError::TooManyVestings {
            beneficiary: bob.to_string(),
            max
        }
    );
    // Others are unaffected, and a full list still claims in one go.
    suite
        .create_vesting(&owner, &carol, 1, None, 0, DAY)
        .unwrap();
    suite.advance_time(DAY);
    suite.claim_vested(&bob).unwrap();
    suite.assert_balance(bob, max as u128);
}

#[test]
fn finished_schedules_do_not_count_against_the_cap() {
    let max = acn_treasury::state::MAX_VESTINGS_PER_BENEFICIARY;
    let mut suite = SuiteBuilder::new().with_treasury_reserve(1_000).build();
    let (owner, bob) = (suite.owner.clone(), suite.addr("bob"));
    for _ in 0..max {
        suite.create_vesting(&owner, &bob, 1, None, 0, DAY).unwrap();
    }
    // One open schedule short of claimed in full still blocks a new one…
    suite.advance_time(DAY / 2);
    // (1 base unit × ½ rounds down: nothing to claim yet.)
    assert_eq!(
        expect_treasury_error(suite.claim_vested(&bob)),
        ContractError::NothingToClaim {
            address: bob.to_string()
        }
    );
    let err = expect_treasury_error(suite.create_vesting(&owner, &bob, 1, None, 0, DAY));
    assert_eq!(
        err,
        ContractError::TooManyVestings {
            beneficiary: bob.to_string(),
            max
        }
    );
    // …but once all 50 are paid out, bob can be granted again (the reported defect: never).
    suite.advance_time(DAY);
    suite.claim_vested(&bob).unwrap();
    suite.assert_balance(bob.clone(), max as u128);
    assert!(suite.vestings(&bob, None, None).is_empty());
    suite.create_vesting(&owner, &bob, 7, None, 0, DAY).unwrap();
    let open = suite.vestings(&bob, None, None);
    assert_eq!(open.len(), 1);
    assert_eq!(open[0].amount.u128(), 7);
    assert_eq!(suite.all_vestings(None, Some(100)).len(), max as usize + 1);
    suite.assert_treasury_invariants();
}

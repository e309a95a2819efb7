//! Owner-only `Spend` from the spendable reserve.

use acn_testing::treasury_helpers::{expect_treasury_error, wasm_attr};
use acn_testing::{SuiteBuilder, DAY};
use acn_treasury::ContractError;
use cosmwasm_std::Uint128;

#[test]
fn owner_spends_from_the_reserve() {
    let mut suite = SuiteBuilder::new().with_treasury_reserve(10_000).build();
    let (owner, grantee) = (suite.owner.clone(), suite.addr("grantee"));

    let res = suite.spend(&owner, &grantee, 4_000, "audit grant").unwrap();
    let treasury = suite.treasury.clone();
    assert_eq!(wasm_attr(&res, &treasury, "action"), "spend");
    assert_eq!(wasm_attr(&res, &treasury, "recipient"), grantee.as_str());
    assert_eq!(wasm_attr(&res, &treasury, "amount"), "4000");
    assert_eq!(wasm_attr(&res, &treasury, "memo"), "audit grant");

    suite.assert_balance(grantee.clone(), 4_000);
    suite.assert_balance(treasury, 6_000);
    assert_eq!(suite.treasury_totals().spent.u128(), 4_000);
    assert_eq!(suite.treasury_balances().spendable.u128(), 6_000);

    // Exactly the whole remaining reserve is fine.
    suite.spend(&owner, &grantee, 6_000, "rest").unwrap();
    suite.assert_balance(grantee, 10_000);
    assert_eq!(suite.treasury_balances().spendable.u128(), 0);
    assert_eq!(suite.treasury_totals().spent.u128(), 10_000);
    suite.assert_treasury_invariants();
}

#[test]
fn pending_deposits_are_not_spendable() {
    let mut suite = SuiteBuilder::new()
        .with_treasury_reserve(500)
        .with_funds("market", 1_000)
        .build();
    let (owner, grantee) = (suite.owner.clone(), suite.addr("grantee"));
    suite.deposit_fee("market", 1_000).unwrap();

    let totals = suite.treasury_totals();
    let err = expect_treasury_error(suite.spend(&owner, &grantee, 501, "too much"));
    assert_eq!(
        err,
        ContractError::InsufficientSpendable {
            needed: Uint128::new(501),
            available: Uint128::new(500),
        }
    );
    assert_eq!(suite.treasury_totals(), totals);
    suite.assert_balance(grantee.clone(), 0);
    suite.assert_balance(suite.treasury.clone(), 1_500);

    suite
        .spend(&owner, &grantee, 500, "all of the reserve")
        .unwrap();
    suite.assert_balance(grantee, 500);
    assert_eq!(suite.treasury_balances().pending.u128(), 1_000);
    suite.assert_treasury_invariants();
}

#[test]
fn kept_share_becomes_spendable_after_distribution() {
    let mut suite = SuiteBuilder::new().with_funds("market", 10_000).build();
    let (owner, grantee) = (suite.owner.clone(), suite.addr("grantee"));
    suite.deposit_fee("market", 10_000).unwrap();
    assert_eq!(suite.treasury_balances().spendable.u128(), 0);
    suite.distribute("keeper").unwrap();
    assert_eq!(suite.treasury_balances().spendable.u128(), 2_900);

    let err = expect_treasury_error(suite.spend(&owner, &grantee, 2_901, "x"));
    assert_eq!(
        err,
        ContractError::InsufficientSpendable {
            needed: Uint128::new(2_901),
            available: Uint128::new(2_900),
        }
    );
    suite.spend(&owner, &grantee, 2_900, "x").unwrap();
    suite.assert_balance(grantee, 2_900);
    suite.assert_treasury_invariants();
}

#[test]
fn vesting_locked_tokens_are_not_spendable() {
    let mut suite = SuiteBuilder::new().with_treasury_reserve(10_000).build();
    let (owner, grantee, bob) = (
        suite.owner.clone(),
        suite.addr("grantee"),
        suite.addr("bob"),
    );
    suite
        .create_vesting(&owner, &bob, 7_000, None, 0, 100 * DAY)
        .unwrap();
    let err = expect_treasury_error(suite.spend(&owner, &grantee, 3_001, "x"));
    assert_eq!(
        err,
        ContractError::InsufficientSpendable {
            needed: Uint128::new(3_001),
            available: Uint128::new(3_000),
        }
    );
    suite.spend(&owner, &grantee, 3_000, "x").unwrap();
    suite.assert_treasury_invariants();
}

#[test]
fn zero_spend_is_refused_and_changes_nothing() {
    let mut suite = SuiteBuilder::new().with_treasury_reserve(10_000).build();
    let (owner, grantee) = (suite.owner.clone(), suite.addr("grantee"));
    let err = expect_treasury_error(suite.spend(&owner, &grantee, 0, "nothing"));
    assert_eq!(err, ContractError::ZeroAmount);
    assert_eq!(suite.treasury_totals().spent.u128(), 0);
    suite.assert_balance(suite.treasury.clone(), 10_000);
}

#[test]
fn spend_with_empty_reserve_reports_zero_available() {
    let mut suite = SuiteBuilder::new().build();
    let (owner, grantee) = (suite.owner.clone(), suite.addr("grantee"));
    let err = expect_treasury_error(suite.spend(&owner, &grantee, 1, "x"));
    assert_eq!(
        err,
        ContractError::InsufficientSpendable {
            needed: Uint128::new(1),
            available: Uint128::zero(),
        }
    );
}

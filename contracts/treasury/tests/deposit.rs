//! Fee deposits (`Deposit {}`), reserve funding (`Fund {}`) and plain transfers into the reserve.

use acn_interface::treasury::{ReceiveMsg, SourceResponse};
use acn_testing::treasury_helpers::{expect_treasury_error, wasm_attr};
use acn_testing::{SuiteBuilder, TOKEN};
use acn_treasury::ContractError;
use cosmwasm_std::Uint128;

#[test]
fn deposit_records_source_and_waits_as_pending() {
    let mut suite = SuiteBuilder::new()
        .with_funds("alice", 10_000)
        .with_funds("bob", 10_000)
        .build();
    let (alice, bob) = (suite.addr("alice"), suite.addr("bob"));

    let res = suite.deposit_fee("alice", 1_000).unwrap();
    assert_eq!(wasm_attr(&res, &suite.treasury, "action"), "deposit");
    assert_eq!(wasm_attr(&res, &suite.treasury, "source"), alice.as_str());
    assert_eq!(wasm_attr(&res, &suite.treasury, "amount"), "1000");
    suite.deposit_fee("bob", 500).unwrap();
    suite.deposit_fee("alice", 250).unwrap();

    assert_eq!(suite.treasury_source(&alice), 1_250);
    assert_eq!(suite.treasury_source(&bob), 500);
    assert_eq!(suite.treasury_source(&suite.addr("nobody")), 0);

    let totals = suite.treasury_totals();
    assert_eq!(totals.deposited.u128(), 1_750);
    assert_eq!(totals.pending.u128(), 1_750);
    assert_eq!(totals.funded.u128(), 0);

    let balances = suite.treasury_balances();
    assert_eq!(balances.balance.u128(), 1_750);
    assert_eq!(balances.pending.u128(), 1_750);
    assert_eq!(
        balances.spendable.u128(),
        0,
        "pending deposits are not spendable"
    );
    suite.assert_balance(alice.clone(), 8_750);
    suite.assert_treasury_invariants();
}

#[test]
fn sources_are_paginated_in_address_order() {
    let names = ["a1", "a2", "a3", "a4", "a5"];
    let mut builder = SuiteBuilder::new();
    for name in names {
        builder = builder.with_funds(name, 1_000);
    }
    let mut suite = builder.build();
    for (i, name) in names.iter().enumerate() {
        suite.deposit_fee(name, 10 * (i as u128 + 1)).unwrap();
    }

    let mut expected: Vec<SourceResponse> = names
        .iter()
        .enumerate()
        .map(|(i, name)| SourceResponse {
            address: suite.addr(name),
            deposited: Uint128::new(10 * (i as u128 + 1)),
        })
        .collect();
    expected.sort_by(|a, b| a.address.cmp(&b.address));

    assert_eq!(suite.treasury_sources(None, None), expected);
    let first = suite.treasury_sources(None, Some(2));
    assert_eq!(first, expected[..2]);
    let second = suite.treasury_sources(Some(&first[1].address), Some(2));
    assert_eq!(second, expected[2..4]);
    let third = suite.treasury_sources(Some(&second[1].address), Some(2));
    assert_eq!(third, expected[4..]);
    assert!(suite
        .treasury_sources(Some(&third[0].address), Some(2))
        .is_empty());
}

#[test]
fn fund_adds_to_the_reserve_and_is_not_distributed() {
    let mut suite = SuiteBuilder::new().build();
    let owner = suite.owner.clone();

    let res = suite.fund_treasury(&owner, 5_000).unwrap();
    assert_eq!(wasm_attr(&res, &suite.treasury, "action"), "fund");

    let totals = suite.treasury_totals();
    assert_eq!(totals.funded.u128(), 5_000);
    assert_eq!(totals.deposited.u128(), 0);
    assert_eq!(totals.pending.u128(), 0);
    assert_eq!(suite.treasury_balances().spendable.u128(), 5_000);
    assert!(
        suite.treasury_sources(None, None).is_empty(),
        "funding is not a fee source"
    );

    let err = expect_treasury_error(suite.distribute_as(&owner));
    assert_eq!(err, ContractError::NothingToDistribute);
    suite.assert_treasury_invariants();
}

#[test]
fn plain_transfers_are_part_of_the_reserve() {
    let mut suite = SuiteBuilder::new()
        .with_treasury_reserve(500_000 * TOKEN)
        .build();
    let balances = suite.treasury_balances();
    assert_eq!(balances.balance.u128(), 500_000 * TOKEN);
    assert_eq!(balances.spendable.u128(), 500_000 * TOKEN);
    assert_eq!(balances.pending.u128(), 0);
    assert_eq!(balances.vesting_locked.u128(), 0);
    let totals = suite.treasury_totals();
    assert_eq!(totals.funded.u128(), 0, "a transfer is not seen as a Fund");
    assert_eq!(totals.deposited.u128(), 0);

    // Deposits on top of the reserve stay pending; the reserve stays spendable.
    suite.fund("carol", 700).unwrap();
    suite.deposit_fee("carol", 700).unwrap();
    let balances = suite.treasury_balances();
    assert_eq!(balances.balance.u128(), 500_000 * TOKEN + 700);
    assert_eq!(balances.pending.u128(), 700);
    assert_eq!(balances.spendable.u128(), 500_000 * TOKEN);
    suite.assert_treasury_invariants();
}

#[test]
fn deposit_then_fund_from_the_same_sender_counts_only_the_deposit_as_source() {
    let mut suite = SuiteBuilder::new().with_funds("market", 3_000).build();
    let market = suite.addr("market");
    suite.deposit_fee_from(&market, 1_000).unwrap();
    let treasury = suite.treasury.clone();
    suite
        .send_tokens(&market, &treasury, 2_000, &ReceiveMsg::Fund {})
        .unwrap();
    assert_eq!(suite.treasury_source(&market), 1_000);
    let totals = suite.treasury_totals();
    assert_eq!(totals.deposited.u128(), 1_000);
    assert_eq!(totals.funded.u128(), 2_000);
    assert_eq!(suite.treasury_balances().spendable.u128(), 2_000);
    suite.assert_treasury_invariants();
}

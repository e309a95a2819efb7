//! Bonding through CW20 `Send`: stake, weight, totals, minimum bond, and tokens that are refused.

use acn_interface::staking::{ExecuteMsg, ReceiveMsg};
use acn_staking::ContractError;
use acn_testing::staking_helpers::expect_staking_error;
use acn_testing::{SuiteBuilder, TOKEN};
use cosmwasm_std::{to_json_binary, Uint128};
use cw20::Cw20ReceiveMsg;

#[test]
fn bond_adds_stake_weight_and_totals() {
    let mut suite = SuiteBuilder::new()
        .with_funds("alice", 1_000 * TOKEN)
        .build();
    let res = suite.bond("alice", 600 * TOKEN).unwrap();
    assert!(res.has_event(
        &cosmwasm_std::Event::new("wasm")
            .add_attribute("action", "bond")
            .add_attribute("staker", suite.addr("alice"))
            .add_attribute("amount", (600 * TOKEN).to_string())
    ));

    let stake = suite.stake("alice");
    assert_eq!(stake.address, suite.addr("alice"));
    assert_eq!(stake.bonded, Uint128::new(600 * TOKEN));
    assert_eq!(stake.unbonding, Uint128::zero());
    assert_eq!(stake.weight, 600);
    assert_eq!(suite.member_weight("alice", None), Some(600));
    assert_eq!(suite.total_weight(None), 600);
    assert_eq!(suite.staking_totals().bonded, Uint128::new(600 * TOKEN));
    assert_eq!(suite.balance_of("alice"), 400 * TOKEN);
    suite.assert_balance(suite.staking.clone(), 600 * TOKEN);

    // A second bond adds up.
    suite.bond("alice", 150 * TOKEN).unwrap();
    assert_eq!(suite.stake("alice").bonded, Uint128::new(750 * TOKEN));
    assert_eq!(suite.stake("alice").weight, 750);
    assert_eq!(suite.total_weight(None), 750);
    suite.assert_balance(suite.staking.clone(), 750 * TOKEN);
}

#[test]
fn bond_below_min_bond_is_refused_and_changes_nothing() {
    let mut suite = SuiteBuilder::new()
        .with_funds("alice", 100 * TOKEN)
        .with_min_bond(10 * TOKEN)
        .build();
    let err = expect_staking_error(suite.bond("alice", 10 * TOKEN - 1));
    assert_eq!(
        err,
        ContractError::BelowMinBond {
            amount: Uint128::new(10 * TOKEN - 1),
            min_bond: Uint128::new(10 * TOKEN),
        }
    );
    assert_eq!(suite.balance_of("alice"), 100 * TOKEN);
    suite.assert_balance(suite.staking.clone(), 0);
    assert_eq!(suite.stake("alice").bonded, Uint128::zero());
    assert_eq!(suite.member_weight("alice", None), None);

    // Exactly the minimum is fine.
    suite.bond("alice", 10 * TOKEN).unwrap();
    assert_eq!(suite.stake("alice").bonded, Uint128::new(10 * TOKEN));
}

#[test]
fn zero_amount_receive_is_refused() {
    // cw20-base already refuses zero sends; impersonate the token to reach the contract's check.
    let mut suite = SuiteBuilder::new().build();
    let (token, staking) = (suite.token.clone(), suite.staking.clone());
    for hook in [
        ReceiveMsg::Bond { tier: None },
        ReceiveMsg::DistributeRewards {},
    ] {
        let msg = ExecuteMsg::Receive(Cw20ReceiveMsg {
            sender: suite.addr("alice").to_string(),
            amount: Uint128::zero(),
            msg: to_json_binary(&hook).unwrap(),
        });
        let err = expect_staking_error(suite.execute(&token, &staking, &msg));
        assert_eq!(err, ContractError::ZeroAmount {});
    }
    assert_eq!(suite.staking_totals().bonded, Uint128::zero());
    assert_eq!(suite.staking_totals().rewards_funded, Uint128::zero());
}

#[test]
fn fake_cw20_send_is_refused() {
    let mut suite = SuiteBuilder::new()
        .with_funds("mallory", 10 * TOKEN)
        .build();
    let mallory = suite.addr("mallory");
    let fake = suite.instantiate_fake_token(&[(&mallory, 1_000 * TOKEN)]);
    let staking = suite.staking.clone();

    let err = expect_staking_error(suite.send_via(
        &fake,
        &mallory,
        &staking,
        500 * TOKEN,
        &ReceiveMsg::Bond { tier: None },
    ));
    assert_eq!(
        err,
        ContractError::UnknownToken {
            received: fake.to_string(),
            expected: suite.token.to_string(),
        }
    );
    let err = expect_staking_error(suite.send_via(
        &fake,
        &mallory,
        &staking,
        500 * TOKEN,
        &ReceiveMsg::DistributeRewards {},
    ));
    assert!(matches!(err, ContractError::UnknownToken { .. }));

    // Nothing moved, nothing recorded.
    let fake_balance: cw20::BalanceResponse = suite.query(
        &fake,
        &cw20::Cw20QueryMsg::Balance {
            address: mallory.to_string(),
        },
    );
    assert_eq!(fake_balance.balance, Uint128::new(1_000 * TOKEN));
    assert_eq!(suite.stake("mallory").bonded, Uint128::zero());
    assert_eq!(suite.member_weight("mallory", None), None);
    assert_eq!(suite.total_weight(None), 0);
    assert_eq!(suite.staking_totals().rewards_funded, Uint128::zero());
}

#[test]
fn receive_called_directly_by_a_user_is_refused() {
    let mut suite = SuiteBuilder::new().build();
    let (mallory, staking) = (suite.addr("mallory"), suite.staking.clone());
    let msg = ExecuteMsg::Receive(Cw20ReceiveMsg {
        sender: mallory.to_string(),
        amount: Uint128::new(1_000 * TOKEN),
        msg: to_json_binary(&ReceiveMsg::Bond { tier: None }).unwrap(),
    });
    let err = expect_staking_error(suite.execute(&mallory, &staking, &msg));
    assert_eq!(
        err,
        ContractError::UnknownToken {
            received: mallory.to_string(),
            expected: suite.token.to_string(),
        }
    );
    assert_eq!(suite.stake("mallory").bonded, Uint128::zero());
}

#[test]
fn list_stakers_is_paginated_in_address_order() {
    let names = ["a1", "a2", "a3", "a4", "a5"];
    let mut builder = SuiteBuilder::new();
    for name in names {
        builder = builder.with_funds(name, 10 * TOKEN);
    }
    let mut suite = builder.build();
    for (i, name) in names.iter().enumerate() {
        suite.bond(name, (i as u128 + 1) * TOKEN).unwrap();
    }
    let mut expected: Vec<_> = names
        .iter()
        .enumerate()
        .map(|(i, n)| (suite.addr(n), (i as u128 + 1) * TOKEN))
        .collect();
    expected.sort();

    let first = suite.list_stakers(None, Some(2));
    assert_eq!(first.len(), 2);
    let second = suite.list_stakers(Some(&first[1].address), Some(2));
    assert_eq!(second.len(), 2);
    let third = suite.list_stakers(Some(&second[1].address), Some(2));
    assert_eq!(third.len(), 1);
    let all: Vec<_> = first
        .iter()
        .chain(&second)
        .chain(&third)
        .map(|s| (s.address.clone(), s.bonded.u128()))
        .collect();
    assert_eq!(all, expected);
    assert!(suite.list_stakers(Some(&third[0].address), None).is_empty());

    let members = suite.list_members(None, Some(100));
    assert_eq!(members.len(), 5);
    assert_eq!(suite.total_weight(None), 1 + 2 + 3 + 4 + 5);
}

//! Refusals: owner-only messages from others, fake tokens, spoofed hooks, native funds, bad input.

use acn_interface::treasury::{ExecuteMsg, ReceiveMsg, Split};
use acn_testing::treasury_helpers::{expect_treasury_error, treasury_error};
use acn_testing::SuiteBuilder;
use acn_treasury::ContractError;
use cosmwasm_std::{coins, to_json_binary, Uint128};
use cw20::Cw20ReceiveMsg;
use cw_multi_test::Executor;
use cw_ownable::OwnershipError;

#[test]
fn every_owner_only_message_is_refused_to_others() {
    let mut suite = SuiteBuilder::new()
        .with_treasury_reserve(10_000)
        .with_funds("mallory", 100)
        .build();
    let (mallory, treasury) = (suite.addr("mallory"), suite.treasury.clone());
    let staking = suite.staking.clone();
    let config = suite.treasury_config();
    let totals = suite.treasury_totals();

    let messages = vec![
        ExecuteMsg::Spend {
            recipient: mallory.to_string(),
            amount: Uint128::new(1),
            memo: "please".into(),
        },
        ExecuteMsg::CreateVesting {
            beneficiary: mallory.to_string(),
            amount: Uint128::new(1),
            start: None,
            cliff: 0,
            duration: 1,
        },
        ExecuteMsg::UpdateConfig {
            split: Some(Split {
                burn_bps: 0,
                stakers_bps: 0,
                kept_bps: 0,
                executor_bps: 10_000,
            }),
            staking: None,
        },
        ExecuteMsg::UpdateConfig {
            split: None,
            staking: Some(staking.to_string()),
        },
        ExecuteMsg::UpdateOwnership(cw_ownable::Action::TransferOwnership {
            new_owner: mallory.to_string(),
            expiry: None,
        }),
        ExecuteMsg::UpdateOwnership(cw_ownable::Action::RenounceOwnership),
    ];
    for msg in messages {
        let err = treasury_error(suite.execute(&mallory, &treasury, &msg).unwrap_err());
        assert_eq!(
            err,
            ContractError::Ownership(OwnershipError::NotOwner),
            "{msg:?}"
        );
    }

    assert_eq!(suite.treasury_config(), config);
    assert_eq!(suite.treasury_totals(), totals);
    assert!(suite.all_vestings(None, None).is_empty());
    suite.assert_balance(mallory, 100);
    suite.assert_balance(treasury, 10_000);
    let ownership: cw_ownable::Ownership<cosmwasm_std::Addr> = suite.query(
        &suite.treasury,
        &acn_interface::treasury::QueryMsg::Ownership {},
    );
    assert_eq!(ownership.owner, Some(suite.owner.clone()));
    assert_eq!(ownership.pending_owner, None);
}

#[test]
fn a_fake_cw20_send_is_refused() {
    let mut suite = SuiteBuilder::new().build();
    let (mallory, treasury) = (suite.addr("mallory"), suite.treasury.clone());
    let fake = suite.instantiate_fake_token(&[(&mallory, 1_000_000)]);

    for hook in [ReceiveMsg::Deposit {}, ReceiveMsg::Fund {}] {
        let err = treasury_error(
            suite
                .send_via(&fake, &mallory, &treasury, 1_000_000, &hook)
                .unwrap_err(),
        );
        assert_eq!(
            err,
            ContractError::UnknownToken {
                token: fake.to_string()
            }
        );
    }
    // The whole Send was reverted: the fake tokens are still mallory's, nothing was recorded.
    let balance: cw20::BalanceResponse = suite.query(
        &fake,
        &cw20::Cw20QueryMsg::Balance {
            address: mallory.to_string(),
        },
    );
    assert_eq!(balance.balance.u128(), 1_000_000);
    let totals = suite.treasury_totals();
    assert_eq!((totals.deposited.u128(), totals.funded.u128()), (0, 0));
    assert_eq!(suite.treasury_source(&mallory), 0);
    assert!(suite.treasury_sources(None, None).is_empty());
}

#[test]
fn a_spoofed_receive_hook_is_refused() {
    let mut suite = SuiteBuilder::new().build();
    let (mallory, treasury) = (suite.addr("mallory"), suite.treasury.clone());
    let spoof = ExecuteMsg::Receive(Cw20ReceiveMsg {
        sender: mallory.to_string(),
        amount: Uint128::new(1_000_000),
        msg: to_json_binary(&ReceiveMsg::Deposit {}).unwrap(),
    });
    let err = treasury_error(suite.execute(&mallory, &treasury, &spoof).unwrap_err());
    assert_eq!(
        err,
        ContractError::UnknownToken {
            token: mallory.to_string()
        }
    );
    assert_eq!(suite.treasury_totals().pending.u128(), 0);
}

#[test]
fn a_zero_amount_hook_is_refused_even_from_the_token() {
    // cw20 itself rejects a zero Send; a zero hook can only be a direct call from the token's
    // address, which the contract still refuses.
    let mut suite = SuiteBuilder::new().build();
    let (token, treasury) = (suite.token.clone(), suite.treasury.clone());
    let zero = ExecuteMsg::Receive(Cw20ReceiveMsg {
        sender: suite.owner.to_string(),
        amount: Uint128::zero(),
        msg: to_json_binary(&ReceiveMsg::Deposit {}).unwrap(),
    });
    let err = treasury_error(suite.execute(&token, &treasury, &zero).unwrap_err());
    assert_eq!(err, ContractError::ZeroAmount);
    assert_eq!(suite.treasury_totals().deposited.u128(), 0);
    assert!(suite.treasury_sources(None, None).is_empty());

    // And a zero Send through the token never reaches the treasury.
    let owner = suite.owner.clone();
    assert!(suite.deposit_fee_from(&owner, 0).is_err());
    assert_eq!(suite.treasury_totals().deposited.u128(), 0);
}

#[test]
fn an_unknown_hook_message_is_refused() {
    let mut suite = SuiteBuilder::new().build();
    let (owner, treasury) = (suite.owner.clone(), suite.treasury.clone());
    let err = treasury_error(
        suite
            .send_tokens(&owner, &treasury, 100, &cw20::Cw20QueryMsg::TokenInfo {})
            .unwrap_err(),
    );
    assert!(matches!(err, ContractError::Std(_)), "{err:?}");
    suite.assert_balance(treasury, 0);
}

#[test]
fn native_funds_are_refused() {
    let mut suite = SuiteBuilder::new().with_funds("market", 100).build();
    let rich = suite.addr("rich");
    suite.app.init_modules(|router, _, storage| {
        router
            .bank
            .init_balance(storage, &rich, coins(1_000, "uatom"))
            .unwrap()
    });
    suite.deposit_fee("market", 100).unwrap();
    let treasury = suite.treasury.clone();
    let err = treasury_error(
        suite
            .app
            .execute_contract(
                rich.clone(),
                treasury.clone(),
                &ExecuteMsg::Distribute {},
                &coins(10, "uatom"),
            )
            .unwrap_err(),
    );
    assert!(matches!(err, ContractError::Payment(_)), "{err:?}");
    assert_eq!(suite.treasury_totals().pending.u128(), 100);
    let native = suite.app.wrap().query_balance(&rich, "uatom").unwrap();
    assert_eq!(native.amount.u128(), 1_000);
}

#[test]
fn over_spend_and_zero_amounts_change_nothing() {
    let mut suite = SuiteBuilder::new()
        .with_treasury_reserve(1_000)
        .with_funds("market", 500)
        .build();
    let (owner, grantee) = (suite.owner.clone(), suite.addr("grantee"));
    suite.deposit_fee("market", 500).unwrap();
    let totals = suite.treasury_totals();
    let balances = suite.treasury_balances();

    let err = expect_treasury_error(suite.spend(&owner, &grantee, 1_001, "over"));
    assert_eq!(
        err,
        ContractError::InsufficientSpendable {
            needed: Uint128::new(1_001),
            available: Uint128::new(1_000),
        }
    );
    let err = expect_treasury_error(suite.spend(&owner, &grantee, u128::MAX, "way over"));
    assert!(matches!(err, ContractError::InsufficientSpendable { .. }));
    let err = expect_treasury_error(suite.spend(&owner, &grantee, 0, "zero"));
    assert_eq!(err, ContractError::ZeroAmount);
    let err = expect_treasury_error(suite.create_vesting(&owner, &grantee, 0, None, 0, 1));
    assert_eq!(err, ContractError::ZeroAmount);

    assert_eq!(suite.treasury_totals(), totals);
    assert_eq!(suite.treasury_balances(), balances);
    suite.assert_balance(grantee, 0);
}

#[test]
fn invalid_addresses_are_refused() {
    let mut suite = SuiteBuilder::new().with_treasury_reserve(1_000).build();
    let (owner, treasury) = (suite.owner.clone(), suite.treasury.clone());
    let msg = ExecuteMsg::Spend {
        recipient: "not an address".into(),
        amount: Uint128::new(1),
        memo: String::new(),
    };
    let err = treasury_error(suite.execute(&owner, &treasury, &msg).unwrap_err());
    assert!(matches!(err, ContractError::Std(_)), "{err:?}");
    suite.assert_balance(treasury, 1_000);
}

#[test]
fn distribute_stays_permissionless_after_ownership_is_renounced() {
    let mut suite = SuiteBuilder::new().with_funds("market", 1_000).build();
    let (owner, treasury) = (suite.owner.clone(), suite.treasury.clone());
    suite
        .execute(
            &owner,
            &treasury,
            &ExecuteMsg::UpdateOwnership(cw_ownable::Action::RenounceOwnership),
        )
        .unwrap();
    suite.deposit_fee("market", 1_000).unwrap();
    suite.distribute("keeper").unwrap();
    suite.assert_balance(suite.addr("keeper"), 10);
    let err = expect_treasury_error(suite.spend(&owner, &owner, 1, "gone"));
    assert_eq!(err, ContractError::Ownership(OwnershipError::NoOwner));
}

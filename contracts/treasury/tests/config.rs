//! Instantiation, `UpdateConfig`, ownership transfer and migration.

use acn_interface::treasury::{ConfigResponse, ExecuteMsg, InstantiateMsg, MigrateMsg, Split};
use acn_testing::treasury_helpers::{expect_treasury_error, treasury_error, wasm_attr};
use acn_testing::SuiteBuilder;
use acn_treasury::ContractError;
use cosmwasm_std::Addr;
use cw_multi_test::Executor;
use cw_ownable::OwnershipError;

fn split(burn_bps: u16, stakers_bps: u16, kept_bps: u16, executor_bps: u16) -> Split {
    Split {
        burn_bps,
        stakers_bps,
        kept_bps,
        executor_bps,
    }
}

#[test]
fn instantiate_defaults_to_the_seed_split_and_records_cw2() {
    let suite = SuiteBuilder::new().build();
    assert_eq!(
        suite.treasury_config(),
        ConfigResponse {
            token: suite.token.clone(),
            staking: Some(suite.staking.clone()),
            split: split(7_000, 0, 2_900, 100),
        }
    );
    let ownership: cw_ownable::Ownership<Addr> = suite.query(
        &suite.treasury,
        &acn_interface::treasury::QueryMsg::Ownership {},
    );
    assert_eq!(ownership.owner, Some(suite.owner.clone()));
    let version = cw2::query_contract_info(&suite.app.wrap(), suite.treasury.to_string()).unwrap();
    assert_eq!(version.contract, acn_treasury::contract::CONTRACT_NAME);
    assert_eq!(version.contract, "crates.io:acn-treasury");
    assert_eq!(version.version, env!("CARGO_PKG_VERSION"));
    assert_eq!(suite.treasury_totals().distributions, 0);
}

/// Instantiates a second treasury with `msg`.
fn instantiate_treasury(
    suite: &mut acn_testing::Suite,
    msg: InstantiateMsg,
) -> anyhow::Result<Addr> {
    let owner = suite.owner.clone();
    suite.app.instantiate_contract(
        suite.code_ids.treasury,
        owner,
        &msg,
        &[],
        "second-treasury",
        None,
    )
}

#[test]
fn instantiate_refuses_bad_splits() {
    let mut suite = SuiteBuilder::new().build();
    let token = suite.token.to_string();
    let staking = suite.staking.to_string();

    let cases = [
        (split(7_000, 0, 2_900, 99), 9_999),
        (split(7_000, 0, 2_900, 101), 10_001),
        (split(0, 0, 0, 0), 0),
        (
            split(u16::MAX, u16::MAX, u16::MAX, u16::MAX),
            4 * u16::MAX as u32,
        ),
    ];
    for (bad, total) in cases {
        let err = treasury_error(
            instantiate_treasury(
                &mut suite,
                InstantiateMsg {
                    owner: None,
                    token: token.clone(),
                    staking: Some(staking.clone()),
                    split: Some(bad),
                },
            )
            .unwrap_err(),
        );
        assert_eq!(err, ContractError::InvalidSplit { total });
    }

    let err = treasury_error(
        instantiate_treasury(
            &mut suite,
            InstantiateMsg {
                owner: None,
                token: token.clone(),
                staking: None,
                split: Some(split(5_000, 2_000, 2_900, 100)),
            },
        )
        .unwrap_err(),
    );
    assert_eq!(err, ContractError::StakingRequired { stakers_bps: 2_000 });

    // Without staking, a split with no stakers' share is fine; the owner may be someone else.
    let dao = suite.addr("dao");
    let second = instantiate_treasury(
        &mut suite,
        InstantiateMsg {
            owner: Some(dao.to_string()),
            token,
            staking: None,
            split: None,
        },
    )
    .unwrap();
    let config: ConfigResponse =
        suite.query(&second, &acn_interface::treasury::QueryMsg::Config {});
    assert_eq!(config.staking, None);
    assert_eq!(config.split, Split::seed());
    let ownership: cw_ownable::Ownership<Addr> =
        suite.query(&second, &acn_interface::treasury::QueryMsg::Ownership {});
    assert_eq!(ownership.owner, Some(dao));
}

#[test]
fn update_config_changes_the_split_used_by_distribute() {
    let mut suite = SuiteBuilder::new().with_funds("market", 10_000).build();
    let owner = suite.owner.clone();
    let res = suite
        .update_treasury_config(&owner, Some(split(1_000, 0, 8_000, 1_000)), None)
        .unwrap();
    assert_eq!(wasm_attr(&res, &suite.treasury, "action"), "update_config");
    assert_eq!(wasm_attr(&res, &suite.treasury, "burn_bps"), "1000");
    assert_eq!(suite.treasury_config().split, split(1_000, 0, 8_000, 1_000));

    suite.deposit_fee("market", 10_000).unwrap();
    let supply = suite.total_supply();
    suite.distribute("keeper").unwrap();
    assert_eq!(supply - suite.total_supply(), 1_000);
    suite.assert_balance(suite.addr("keeper"), 1_000);
    assert_eq!(suite.treasury_totals().kept.u128(), 8_000);
}

#[test]
fn update_config_refuses_a_bad_split_and_changes_nothing() {
    let mut suite = SuiteBuilder::new().build();
    let owner = suite.owner.clone();
    let before = suite.treasury_config();
    let err = expect_treasury_error(suite.update_treasury_config(
        &owner,
        Some(split(3_333, 3_333, 3_333, 0)),
        None,
    ));
    assert_eq!(err, ContractError::InvalidSplit { total: 9_999 });
    assert_eq!(suite.treasury_config(), before);
}

#[test]
fn stakers_share_needs_a_staking_contract() {
    let mut suite = SuiteBuilder::new().build();
    let token = suite.token.to_string();
    let second = instantiate_treasury(
        &mut suite,
        InstantiateMsg {
            owner: None,
            token,
            staking: None,
            split: None,
        },
    )
    .unwrap();
    let owner = suite.owner.clone();
    let with_stakers = split(5_000, 2_000, 2_900, 100);
    let update = |split: Option<Split>, staking: Option<&Addr>| ExecuteMsg::UpdateConfig {
        split,
        staking: staking.map(Addr::to_string),
    };

    let err = treasury_error(
        suite
            .execute(&owner, &second, &update(Some(with_stakers.clone()), None))
            .unwrap_err(),
    );
    assert_eq!(err, ContractError::StakingRequired { stakers_bps: 2_000 });

    let staking = suite.staking.clone();
    suite
        .execute(
            &owner,
            &second,
            &update(Some(with_stakers.clone()), Some(&staking)),
        )
        .unwrap();
    let config: ConfigResponse =
        suite.query(&second, &acn_interface::treasury::QueryMsg::Config {});
    assert_eq!(config.staking, Some(staking));
    assert_eq!(config.split, with_stakers);
}

#[test]
fn ownership_transfer_hands_over_owner_only_messages() {
    let mut suite = SuiteBuilder::new().with_treasury_reserve(1_000).build();
    let (owner, dao, treasury) = (
        suite.owner.clone(),
        suite.addr("dao"),
        suite.treasury.clone(),
    );
    suite
        .execute(
            &owner,
            &treasury,
            &ExecuteMsg::UpdateOwnership(cw_ownable::Action::TransferOwnership {
                new_owner: dao.to_string(),
                expiry: None,
            }),
        )
        .unwrap();
    // Until accepted, the old owner still rules.
    let err = expect_treasury_error(suite.spend(&dao, &dao, 1, "early"));
    assert_eq!(err, ContractError::Ownership(OwnershipError::NotOwner));
    let res = suite
        .execute(
            &dao,
            &treasury,
            &ExecuteMsg::UpdateOwnership(cw_ownable::Action::AcceptOwnership),
        )
        .unwrap();
    assert_eq!(wasm_attr(&res, &treasury, "action"), "update_ownership");

    let err = expect_treasury_error(suite.spend(&owner, &owner, 1, "late"));
    assert_eq!(err, ContractError::Ownership(OwnershipError::NotOwner));
    suite.spend(&dao, &dao, 1_000, "first grant").unwrap();
    suite.assert_balance(dao, 1_000);
}

#[test]
fn migrate_keeps_state_and_reports_versions() {
    let mut suite = SuiteBuilder::new().with_funds("market", 1_000).build();
    suite.deposit_fee("market", 1_000).unwrap();
    let totals = suite.treasury_totals();
    let (owner, treasury) = (suite.owner.clone(), suite.treasury.clone());
    let code_id = suite.code_ids.treasury;
    let res = suite
        .app
        .migrate_contract(owner, treasury.clone(), &MigrateMsg {}, code_id)
        .unwrap();
    assert_eq!(wasm_attr(&res, &treasury, "action"), "migrate");
    assert_eq!(
        wasm_attr(&res, &treasury, "to_version"),
        env!("CARGO_PKG_VERSION")
    );
    assert_eq!(suite.treasury_totals(), totals);
}

//! Instantiation defaults and validation, cw2 versioning and migration.

use acn_interface::staking::{
    InstantiateMsg, MigrateMsg, SlashDestination, DEFAULT_MAX_CLAIMS, DEFAULT_UNBONDING_PERIOD,
    MAX_CLAIMS_LIMIT,
};
use acn_staking::contract::{CONTRACT_NAME, CONTRACT_VERSION};
use acn_staking::ContractError;
use acn_testing::{Suite, SuiteBuilder, TOKEN};
use cosmwasm_std::{Addr, Uint128};
use cw_multi_test::Executor;
use cw_utils::Duration;

fn base_msg(suite: &Suite) -> InstantiateMsg {
    InstantiateMsg {
        owner: None,
        token: suite.token.to_string(),
        unbonding_period: None,
        max_claims: None,
        tokens_per_weight: Uint128::new(TOKEN),
        min_bond: Uint128::zero(),
        slashers: vec![],
        slash_destination: SlashDestination::Burn,
        lock_tiers: None,
    }
}

fn instantiate(suite: &mut Suite, msg: &InstantiateMsg) -> anyhow::Result<Addr> {
    let (code, owner) = (suite.code_ids.staking, suite.owner.clone());
    suite.app.instantiate_contract(
        code,
        owner.clone(),
        msg,
        &[],
        "staking-2",
        Some(owner.to_string()),
    )
}

fn instantiate_err(suite: &mut Suite, msg: &InstantiateMsg) -> ContractError {
    instantiate(suite, msg)
        .unwrap_err()
        .downcast::<ContractError>()
        .unwrap()
}

#[test]
fn defaults_and_version() {
    let mut suite = SuiteBuilder::new().build();
    let market = suite.addr("market");
    let treasury = suite.treasury.clone();
    let mut msg = base_msg(&suite);
    msg.slashers = vec![market.to_string(), market.to_string()];
    msg.slash_destination = SlashDestination::Treasury {
        address: treasury.to_string(),
    };
    let staking = instantiate(&mut suite, &msg).unwrap();
    let cfg: acn_interface::staking::ConfigResponse =
        suite.query(&staking, &acn_interface::staking::QueryMsg::Config {});
    assert_eq!(cfg.token, suite.token);
    assert_eq!(cfg.unbonding_period, DEFAULT_UNBONDING_PERIOD);
    assert_eq!(cfg.unbonding_period, Duration::Time(14 * 24 * 60 * 60));
    assert_eq!(cfg.max_claims, DEFAULT_MAX_CLAIMS);
    assert_eq!(cfg.slashers, vec![market]);
    assert_eq!(
        cfg.slash_destination,
        SlashDestination::Treasury {
            address: treasury.to_string()
        }
    );
    let ownership: cw_ownable::Ownership<String> =
        suite.query(&staking, &acn_interface::staking::QueryMsg::Ownership {});
    assert_eq!(ownership.owner, Some(suite.owner.to_string()));

    let version = cw2::query_contract_info(&suite.app.wrap(), staking.to_string()).unwrap();
    assert_eq!(version.contract, CONTRACT_NAME);
    assert_eq!(version.contract, "crates.io:acn-staking");
    assert_eq!(version.version, CONTRACT_VERSION);
}

#[test]
fn invalid_instantiation_is_refused() {
    let mut suite = SuiteBuilder::new().build();

    let mut msg = base_msg(&suite);
    msg.tokens_per_weight = Uint128::zero();
    assert_eq!(
        instantiate_err(&mut suite, &msg),
        ContractError::ZeroTokensPerWeight {}
    );

    for max in [0, MAX_CLAIMS_LIMIT + 1] {
        let mut msg = base_msg(&suite);
        msg.max_claims = Some(max);
        assert_eq!(
            instantiate_err(&mut suite, &msg),
            ContractError::InvalidMaxClaims {
                max_claims: max,
                limit: MAX_CLAIMS_LIMIT,
            }
        );
    }

    let mut msg = base_msg(&suite);
    msg.unbonding_period = Some(Duration::Time(0));
    assert_eq!(
        instantiate_err(&mut suite, &msg),
        ContractError::ZeroUnbondingPeriod {}
    );

    let mut msg = base_msg(&suite);
    msg.token = "not an address".into();
    assert!(matches!(
        instantiate_err(&mut suite, &msg),
        ContractError::Std(_)
    ));

    let mut msg = base_msg(&suite);
    msg.slash_destination = SlashDestination::Treasury {
        address: "not an address".into(),
    };
    assert!(matches!(
        instantiate_err(&mut suite, &msg),
        ContractError::Std(_)
    ));
}

#[test]
fn migrate_keeps_state_and_refuses_downgrades_and_other_contracts() {
    let mut suite = SuiteBuilder::new().with_funds("alice", 100 * TOKEN).build();
    suite.bond("alice", 100 * TOKEN).unwrap();
    let (owner, staking, code) = (
        suite.owner.clone(),
        suite.staking.clone(),
        suite.code_ids.staking,
    );

    let res = suite
        .app
        .migrate_contract(owner.clone(), staking.clone(), &MigrateMsg {}, code)
        .unwrap();
    assert!(res.events.iter().any(|e| e
        .attributes
        .iter()
        .any(|a| a.key == "action" && a.value == "migrate")));
    assert_eq!(suite.stake("alice").bonded, Uint128::new(100 * TOKEN));

    // A stored version newer than this code: refused.
    cw2::set_contract_version(
        suite.app.contract_storage_mut(&staking).as_mut(),
        CONTRACT_NAME,
        "99.0.0",
    )
    .unwrap();
    let err = suite
        .app
        .migrate_contract(owner.clone(), staking.clone(), &MigrateMsg {}, code)
        .unwrap_err()
        .downcast::<ContractError>()
        .unwrap();
    assert!(matches!(err, ContractError::Std(_)));

    // Another contract's storage: refused.
    cw2::set_contract_version(
        suite.app.contract_storage_mut(&staking).as_mut(),
        "crates.io:acn-token",
        "0.0.1",
    )
    .unwrap();
    let err = suite
        .app
        .migrate_contract(owner, staking, &MigrateMsg {}, code)
        .unwrap_err()
        .downcast::<ContractError>()
        .unwrap();
    assert!(matches!(err, ContractError::Std(_)));
}

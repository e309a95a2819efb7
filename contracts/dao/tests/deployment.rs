//! `SuiteBuilder::with_dao`: the DAO owns and administers everything, and nobody else does.

mod common;

use acn_interface::{dao, market, staking, token};
use acn_testing::{assert_err_contains, TOKEN};
use common::*;
use cw_multi_test::Executor;

#[test]
fn the_dao_owns_and_administers_every_contract() {
    let suite = governed();
    let dao = suite.dao();
    for contract in suite.owned_contracts() {
        assert_eq!(
            suite.owner_of(&contract),
            Some(dao.clone()),
            "owner of {contract}"
        );
    }
    assert_eq!(suite.owned_contracts().len(), 4);
    let minter: Option<token::MinterResponse> = suite
        .app
        .wrap()
        .query_wasm_smart(&suite.token, &token::QueryMsg::Minter {})
        .unwrap();
    assert_eq!(
        minter.map(|m| m.minter),
        Some(dao.to_string()),
        "token minter"
    );
    for contract in suite.all_contracts() {
        assert_eq!(
            suite.contract_info(&contract).admin,
            Some(dao.clone()),
            "wasm admin of {contract}"
        );
    }
    // The acceptance was the DAO's first proposal, executed.
    assert_eq!(suite.proposal(1).status, dao::Status::Executed);
    assert_eq!(suite.proposal(1).msgs.len(), 4);
    // The deployer unbonded its bootstrap stake: it has no say any more.
    let deployer = suite.owner.clone();
    assert_eq!(suite.stake_of(&deployer).bonded.u128(), 0);
    assert_eq!(suite.stake_of(&deployer).unbonding.u128(), TOKEN);
    // Staking is the group, and linked to the market.
    let cfg = suite.dao_config();
    assert_eq!(cfg.group_addr.addr(), suite.staking);
    assert_eq!(suite.staking_config().market, Some(suite.market()));
    assert_eq!(suite.total_weight(None), 10_000);
}

#[test]
fn the_deployer_can_no_longer_change_anything() {
    let mut suite = governed();
    let deployer = suite.owner.clone();
    let (market_addr, staking_addr) = (suite.market(), suite.staking.clone());
    let mut params = market_params(&suite);
    params.protocol_fee_bps = 500;
    assert_err_contains(
        suite.execute(
            &deployer,
            &market_addr,
            &market::ExecuteMsg::UpdateParams { params },
        ),
        "Caller is not the contract's current owner",
    );
    assert_err_contains(
        suite.execute(
            &deployer,
            &staking_addr,
            &staking::ExecuteMsg::SetMarket { address: None },
        ),
        "Caller is not the contract's current owner",
    );
    // Nor mint: the DAO holds the minter role.
    let token_addr = suite.token.clone();
    assert!(suite
        .execute(
            &deployer,
            &token_addr,
            &token::ExecuteMsg::Mint {
                recipient: deployer.to_string(),
                amount: cosmwasm_std::Uint128::new(1),
            },
        )
        .is_err());
    // Nor migrate a contract: the wasm admin is the DAO.
    let code = suite.code_ids.market;
    assert!(suite
        .app
        .migrate_contract(deployer, market_addr, &market::MigrateMsg {}, code)
        .is_err());
    assert_eq!(market_params(&suite).protocol_fee_bps, 300);
}

#[test]
fn a_non_member_cannot_propose() {
    let mut suite = governed();
    let dave = suite.addr("dave");
    let err = suite.propose_raw(&dave, "nothing", vec![]).unwrap_err();
    assert_eq!(
        err.downcast::<acn_dao::ContractError>().unwrap(),
        engine_err(cw3_flex_multisig::ContractError::Unauthorized {})
    );
}

//! The seven proposal types, each proposed, voted and executed end to end.

mod common;

use acn_interface::{dao, market, treasury};
use acn_testing::{
    dao_contract, labels_output, regression_model, treasury_contract, wasm_execute, TOKEN,
};
use common::*;
use cosmwasm_std::{to_json_binary, CosmosMsg, WasmMsg};

#[test]
fn change_the_protocol_fee() {
    let mut suite = governed();
    let mut params = market_params(&suite);
    assert_eq!(params.protocol_fee_bps, 300);
    params.protocol_fee_bps = 500;
    let msg = update_params(&suite, params);
    let (id, res) = govern(&mut suite, "Fee to 5 %", vec![msg]);
    res.unwrap();
    assert_eq!(suite.proposal(id).status, dao::Status::Executed);
    assert_eq!(market_params(&suite).protocol_fee_bps, 500);
}

#[test]
fn change_the_burn_split() {
    let mut suite = governed();
    let split = treasury::Split {
        burn_bps: 5_000,
        stakers_bps: 2_000,
        kept_bps: 2_900,
        executor_bps: 100,
    };
    let msg = update_split(&suite, split.clone());
    let (id, res) = govern(&mut suite, "Half to the fire", vec![msg]);
    res.unwrap();
    assert_eq!(suite.proposal(id).status, dao::Status::Executed);
    assert_eq!(suite.treasury_config().split, split);
}

#[test]
fn register_a_model() {
    let mut suite = governed();
    let model = regression_model();
    let msg = wasm_execute(
        &suite.market(),
        &market::ExecuteMsg::RegisterModel {
            model: model.clone(),
        },
    );
    let (_, res) = govern(&mut suite, "Add the regressor", vec![msg]);
    res.unwrap();
    let registered: market::ModelResponse = suite.query(
        &suite.market(),
        &market::QueryMsg::Model {
            id: model.id.clone(),
        },
    );
    assert_eq!(registered.spec, model);
    assert!(registered.active);
}

#[test]
fn grant_from_the_treasury() {
    let mut suite = governed();
    let msg = grant(&suite, "grantee", 12_345 * TOKEN);
    let (_, res) = govern(&mut suite, "Grant", vec![msg]);
    res.unwrap();
    assert_eq!(suite.balance_of("grantee"), 12_345 * TOKEN);
    assert_eq!(
        suite.treasury_balances().spendable.u128(),
        RESERVE - 12_345 * TOKEN
    );
}

#[test]
fn change_the_unbonding_period() {
    let mut suite = governed();
    let msg = update_unbonding(&suite, 7 * acn_testing::DAY);
    let (_, res) = govern(&mut suite, "One week", vec![msg]);
    res.unwrap();
    assert_eq!(
        suite.staking_config().unbonding_period,
        cw_utils::Duration::Time(7 * acn_testing::DAY)
    );
    // Applies to claims made afterwards.
    suite.unbond("carol", TOKEN).unwrap();
    let claim = &suite.staking_claims("carol")[0];
    assert_eq!(
        claim.release_at,
        cw_utils::Expiration::AtTime(suite.block().time.plus_seconds(7 * acn_testing::DAY))
    );
}

#[test]
fn migrate_contracts_to_a_new_code_id() {
    let mut suite = governed();
    let treasury_v2 = suite.app.store_code(treasury_contract());
    let dao_v2 = suite.app.store_code(dao_contract());
    let migrate = |contract: &cosmwasm_std::Addr, code: u64| {
        CosmosMsg::Wasm(WasmMsg::Migrate {
            contract_addr: contract.to_string(),
            new_code_id: code,
            msg: to_json_binary(&treasury::MigrateMsg {}).unwrap(),
        })
    };
    let (treasury_addr, dao_addr) = (suite.treasury.clone(), suite.dao());
    // The DAO migrates the treasury and itself in one proposal.
    let msgs = vec![
        migrate(&treasury_addr, treasury_v2),
        migrate(&dao_addr, dao_v2),
    ];
    let (id, res) = govern(&mut suite, "Upgrade", msgs);
    let res = res.unwrap();
    assert_eq!(suite.contract_info(&treasury_addr).code_id, treasury_v2);
    assert_eq!(suite.contract_info(&dao_addr).code_id, dao_v2);
    // cw2 keeps the contract's name and (same code) its version; migrate reports both.
    let info = cw2::query_contract_info(&suite.app.wrap(), treasury_addr.to_string()).unwrap();
    assert_eq!(info.contract, "crates.io:acn-treasury");
    assert_eq!(info.version, env!("CARGO_PKG_VERSION"));
    let info = cw2::query_contract_info(&suite.app.wrap(), dao_addr.to_string()).unwrap();
    assert_eq!(info.contract, acn_dao::contract::CONTRACT_NAME);
    assert!(res
        .events
        .iter()
        .any(|e| e.attributes.iter().any(|a| a.key == "to_version")));
    // The migrated DAO still has its proposals, and the treasury its reserve.
    assert_eq!(suite.proposal(id).status, dao::Status::Executed);
    assert_eq!(suite.treasury_balances().spendable.u128(), RESERVE);
    // And it still governs: a grant through the migrated DAO from the migrated treasury.
    let msg = grant(&suite, "grantee", TOKEN);
    govern(&mut suite, "After the upgrade", vec![msg])
        .1
        .unwrap();
    assert_eq!(suite.balance_of("grantee"), TOKEN);
}

#[test]
fn resolve_a_market_dispute_and_the_slashed_weigh_less() {
    let mut suite = governed();
    for p in ["p1", "p2", "p3"] {
        suite
            .make_provider(p, 1_000 * TOKEN, &["digits-mlp-v1"])
            .unwrap();
    }
    suite.advance_blocks(1);
    assert_eq!(suite.voter_weight("p1"), Some(1_000));
    let id = suite.submit_digits("buyer", 1, 3).unwrap();
    suite
        .run_job(
            id,
            &[
                ("p1", labels_output(&[1])),
                ("p2", labels_output(&[2])),
                ("p3", labels_output(&[3])),
            ],
        )
        .unwrap();
    assert_eq!(suite.job(id).status, market::JobStatus::Disputed);

    let msg = wasm_execute(
        &suite.market(),
        &market::ExecuteMsg::ResolveDispute {
            job_id: id,
            resolution: market::DisputeResolution::AcceptOutputOf {
                provider: suite.addr("p2").to_string(),
            },
        },
    );
    // 13 000 weight now: bob + alice (9 000) pass it.
    let (_, res) = govern(&mut suite, "p2 was right", vec![msg]);
    res.unwrap();
    let job = suite.job(id);
    assert_eq!(job.status, market::JobStatus::Resolved);
    assert_eq!(job.result, Some(labels_output(&[2])));
    assert_eq!(suite.stake("p1").bonded.u128(), 900 * TOKEN);
    assert_eq!(suite.stake("p2").bonded.u128(), 1_000 * TOKEN);

    // The slashed providers' voting weight dropped with their stake.
    suite.advance_blocks(1);
    assert_eq!(suite.voter_weight("p1"), Some(900));
    assert_eq!(suite.voter_weight("p3"), Some(900));
    assert_eq!(suite.voter_weight("p2"), Some(1_000));
    let next = suite.propose("p2", "anything", vec![]).unwrap();
    suite.advance_to_voting(next);
    suite.vote("p1", next, dao::Vote::Yes).unwrap();
    assert_eq!(suite.vote_of(next, "p1").unwrap().weight, 900);
    assert_eq!(proposal_total_weight(&suite, next), 12_800);
}

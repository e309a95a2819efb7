//! Proposals that break a contract's guard rail pass the vote, fail at execution with the
//! contract's own error, change nothing, and stay `Passed` (not executed).

mod common;

use acn_interface::{dao, market, staking, treasury};
use acn_testing::{assert_err_contains, digits_model, staking_contract, wasm_execute, Suite, DAY};
use common::*;
use cosmwasm_std::{to_json_binary, CosmosMsg, WasmMsg};

/// Everything a broken proposal could touch.
#[derive(Debug, PartialEq)]
struct Snapshot {
    params: market::MarketParams,
    split: treasury::Split,
    staking: staking::ConfigResponse,
    spendable: u128,
    models: usize,
    codes: Vec<u64>,
    supply: u128,
}

fn snapshot(suite: &Suite) -> Snapshot {
    let models: market::ModelsResponse = suite.query(
        &suite.market(),
        &market::QueryMsg::Models {
            start_after: None,
            limit: None,
        },
    );
    Snapshot {
        params: market_params(suite),
        split: suite.treasury_config().split,
        staking: suite.staking_config(),
        spendable: suite.treasury_balances().spendable.u128(),
        models: models.models.len(),
        codes: suite
            .all_contracts()
            .iter()
            .map(|c| suite.contract_info(c).code_id)
            .collect(),
        supply: suite.total_supply(),
    }
}

/// Pass `msgs`, fail to execute them with `error`, and check nothing changed.
#[track_caller]
fn refused(suite: &mut Suite, msgs: Vec<CosmosMsg>, error: &str) {
    let before = snapshot(suite);
    let (id, res) = govern(suite, "breaks a rail", msgs);
    assert_err_contains(res, error);
    assert_eq!(snapshot(suite), before);
    assert_eq!(suite.proposal(id).status, dao::Status::Passed);
}

#[test]
fn a_fee_above_ten_percent_is_refused() {
    let mut suite = governed();
    let mut params = market_params(&suite);
    params.protocol_fee_bps = 1_001;
    let msg = update_params(&suite, params);
    refused(
        &mut suite,
        vec![msg],
        "protocol fee 1001 bps exceeds the maximum 1000 bps",
    );
}

#[test]
fn a_split_not_summing_to_ten_thousand_is_refused() {
    let mut suite = governed();
    let msg = update_split(
        &suite,
        treasury::Split {
            burn_bps: 7_000,
            stakers_bps: 2_000,
            kept_bps: 2_000,
            executor_bps: 0,
        },
    );
    refused(
        &mut suite,
        vec![msg],
        "parts sum to 11000 bps, must be exactly 10000",
    );
}

#[test]
fn an_unbonding_period_shorter_than_a_job_is_refused() {
    let mut suite = governed();
    let msg = update_unbonding(&suite, DAY - 1);
    refused(
        &mut suite,
        vec![msg],
        "unbonding period of 86399 s is shorter than the market's max job lifetime of 86400 s",
    );
}

#[test]
fn a_job_lifetime_longer_than_unbonding_is_refused() {
    let mut suite = governed();
    let mut params = market_params(&suite);
    params.max_job_lifetime = 14 * DAY + 1;
    let msg = update_params(&suite, params);
    refused(
        &mut suite,
        vec![msg],
        "max job lifetime 1209601 s exceeds staking's unbonding period 1209600 s",
    );
}

#[test]
fn a_grant_above_the_reserve_is_refused() {
    let mut suite = governed();
    let msg = grant(&suite, "grantee", RESERVE + 1);
    refused(&mut suite, vec![msg], "insufficient spendable reserve");
}

#[test]
fn registering_a_model_twice_is_refused() {
    let mut suite = governed();
    let msg = wasm_execute(
        &suite.market(),
        &market::ExecuteMsg::RegisterModel {
            model: digits_model(),
        },
    );
    refused(
        &mut suite,
        vec![msg],
        "model digits-mlp-v1 already registered",
    );
}

#[test]
fn migrating_to_another_contracts_code_is_refused() {
    let mut suite = governed();
    let staking_code = suite.app.store_code(staking_contract());
    let msg = CosmosMsg::Wasm(WasmMsg::Migrate {
        contract_addr: suite.treasury.to_string(),
        new_code_id: staking_code,
        msg: to_json_binary(&staking::MigrateMsg {}).unwrap(),
    });
    refused(
        &mut suite,
        vec![msg],
        "Cannot migrate from crates.io:acn-treasury to crates.io:acn-staking",
    );
}

#[test]
fn resolving_a_job_that_is_not_disputed_is_refused() {
    let mut suite = governed();
    // slots are assigned at submission: the market needs a provider to take the job
    suite
        .make_provider("p1", acn_testing::PROVIDER_STAKE, &["digits-mlp-v1"])
        .unwrap();
    let job_id = suite.submit_digits("buyer", 1, 1).unwrap();
    let msg = wasm_execute(
        &suite.market(),
        &market::ExecuteMsg::ResolveDispute {
            job_id,
            resolution: market::DisputeResolution::Void {},
        },
    );
    refused(
        &mut suite,
        vec![msg],
        &format!("job {job_id} is not disputed"),
    );
    assert_eq!(suite.job(job_id).status, market::JobStatus::Open);
}

#[test]
fn one_broken_message_reverts_the_whole_proposal() {
    let mut suite = governed();
    let mut params = market_params(&suite);
    params.protocol_fee_bps = 500;
    let good = update_params(&suite, params);
    let good_grant = grant(&suite, "grantee", 1);
    let bad = update_unbonding(&suite, 60);
    refused(
        &mut suite,
        vec![good, good_grant, bad],
        "is shorter than the market's max job lifetime",
    );
    assert_eq!(market_params(&suite).protocol_fee_bps, 300);
    assert_eq!(suite.balance_of("grantee"), 0);
}

#[test]
fn a_fixed_proposal_passes_after_a_refused_one() {
    let mut suite = governed();
    let msg = update_unbonding(&suite, DAY - 1);
    let (failed, res) = govern(&mut suite, "too short", vec![msg]);
    assert!(res.is_err());
    let msg = update_unbonding(&suite, DAY);
    let (_, res) = govern(&mut suite, "just enough", vec![msg]);
    res.unwrap();
    assert_eq!(
        suite.staking_config().unbonding_period,
        cw_utils::Duration::Time(DAY)
    );
    assert_eq!(suite.proposal(failed).status, dao::Status::Passed);
}

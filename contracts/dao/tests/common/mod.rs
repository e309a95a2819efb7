//! The governed suite every DAO test starts from, and the propose → vote → execute script.

#![allow(dead_code)]

use acn_interface::{dao, market, staking, treasury};
use acn_testing::{digits_model, wasm_execute, Suite, SuiteBuilder, TOKEN};
use anyhow::Result as AnyResult;
use cosmwasm_std::CosmosMsg;
use cw_multi_test::AppResponse;

/// Bonded stake of the three holders: 60 %, 30 % and 10 % of the electorate.
pub const ALICE: u128 = 6_000 * TOKEN;
pub const BOB: u128 = 3_000 * TOKEN;
pub const CAROL: u128 = 1_000 * TOKEN;
/// The treasury's genesis reserve.
pub const RESERVE: u128 = 50_000 * TOKEN;
/// The DAO parameters of the tests: the defaults (50 % threshold, 33 % quorum, 1-day delay,
/// 3-day voting, 2-day timelock, 7-day execution window, no deposit).
pub fn dao_params() -> dao::DaoParams {
    dao::DaoParams::default()
}

/// An error of the engine (cw3-flex-multisig), as `acn-dao` reports it.
pub fn engine_err(e: cw3_flex_multisig::ContractError) -> acn_dao::ContractError {
    acn_dao::ContractError::Multisig(e)
}

/// Token, staking, treasury (with a reserve) and market (digits model) governed by the DAO;
/// alice, bob and carol bonded; `dave` and `buyer` funded but not bonded.
pub fn governed_with(params: dao::DaoParams) -> Suite {
    let mut suite = SuiteBuilder::new()
        .with_funds("alice", ALICE)
        .with_funds("bob", BOB)
        .with_funds("carol", 2 * CAROL)
        .with_funds("dave", 10_000 * TOKEN)
        .with_funds("buyer", 10_000 * TOKEN)
        .with_treasury_reserve(RESERVE)
        .with_market_params(|m| m.models = vec![digits_model()])
        .with_dao(params)
        .build();
    suite.bond("alice", ALICE).unwrap();
    suite.bond("bob", BOB).unwrap();
    suite.bond("carol", CAROL).unwrap();
    suite.advance_blocks(1);
    suite
}

/// [`governed_with`] the default test parameters.
pub fn governed() -> Suite {
    governed_with(dao_params())
}

/// Bob proposes `msgs`, alice votes yes once voting opens (90 % of the weight: passed), carol
/// executes once the timelock is over. Returns the proposal id and the execution result; panics
/// if the proposal did not pass.
pub fn govern(
    suite: &mut Suite,
    title: &str,
    msgs: Vec<CosmosMsg>,
) -> (u64, AnyResult<AppResponse>) {
    let id = suite.propose("bob", title, msgs).expect("propose");
    assert_eq!(suite.proposal(id).status, dao::Status::Open);
    suite.advance_to_voting(id);
    suite.vote("alice", id, dao::Vote::Yes).expect("vote");
    assert_eq!(suite.proposal(id).status, dao::Status::Passed);
    suite.advance_to_execution(id);
    let res = suite.execute_proposal("carol", id);
    (id, res)
}

/// The market's current parameters.
pub fn market_params(suite: &Suite) -> market::MarketParams {
    let cfg: market::ConfigResponse = suite.query(&suite.market(), &market::QueryMsg::Config {});
    cfg.params
}

/// A proposal message replacing the market parameters.
pub fn update_params(suite: &Suite, params: market::MarketParams) -> CosmosMsg {
    wasm_execute(
        &suite.market(),
        &market::ExecuteMsg::UpdateParams { params },
    )
}

/// A proposal message replacing the treasury split.
pub fn update_split(suite: &Suite, split: treasury::Split) -> CosmosMsg {
    wasm_execute(
        &suite.treasury,
        &treasury::ExecuteMsg::UpdateConfig {
            split: Some(split),
            staking: None,
        },
    )
}

/// A proposal message changing the unbonding period.
pub fn update_unbonding(suite: &Suite, seconds: u64) -> CosmosMsg {
    wasm_execute(
        &suite.staking,
        &staking::ExecuteMsg::UpdateConfig {
            unbonding_period: Some(cw_utils::Duration::Time(seconds)),
            max_claims: None,
            min_bond: None,
            slash_destination: None,
        },
    )
}

/// A proposal message paying a grant from the treasury reserve.
pub fn grant(suite: &Suite, recipient: &str, amount: u128) -> CosmosMsg {
    wasm_execute(
        &suite.treasury,
        &treasury::ExecuteMsg::Spend {
            recipient: suite.addr(recipient).to_string(),
            amount: amount.into(),
            memo: "grant".into(),
        },
    )
}

/// The total weight a proposal was opened with (snapshotted at its start).
pub fn proposal_total_weight(suite: &Suite, id: u64) -> u64 {
    match suite.proposal(id).threshold {
        dao::ThresholdResponse::ThresholdQuorum { total_weight, .. }
        | dao::ThresholdResponse::AbsolutePercentage { total_weight, .. }
        | dao::ThresholdResponse::AbsoluteCount { total_weight, .. } => total_weight,
    }
}

/// Sum of the yes weights recorded on a proposal.
pub fn yes_weight(suite: &Suite, id: u64) -> u64 {
    let votes: dao::VoteListResponse = suite.query(
        &suite.dao(),
        &dao::QueryMsg::ListVotes {
            proposal_id: id,
            start_after: None,
            limit: Some(30),
        },
    );
    votes
        .votes
        .iter()
        .filter(|v| v.vote == dao::Vote::Yes)
        .map(|v| v.weight)
        .sum()
}

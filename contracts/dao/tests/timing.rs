//! The timing rules at their edges: votes open exactly after the delay, execution exactly at
//! voting end + timelock and until the end of the window, the phases, `UpdateTiming` and its
//! bounds, and the snapshot of an empty electorate.

mod common;

use acn_interface::dao;
use acn_testing::{assert_err_contains, DAY, TOKEN};
use common::*;
use cw_multi_test::Executor;

fn dao_err(err: anyhow::Error) -> acn_dao::ContractError {
    err.downcast::<acn_dao::ContractError>().unwrap()
}

#[test]
fn a_proposal_gets_its_times_from_the_timing() {
    let mut suite = governed();
    assert_eq!(suite.dao_timing(), dao::Timing::default());
    let now = suite.block().time;
    let id = suite.propose("bob", "times", vec![]).unwrap();
    let timeline = suite.timeline(id);
    assert_eq!(
        timeline.times,
        dao::ProposalTimes {
            proposed_at: now,
            voting_starts: now.plus_seconds(DAY),
            voting_ends: now.plus_seconds(4 * DAY),
            executable_from: now.plus_seconds(6 * DAY),
            executable_until: now.plus_seconds(13 * DAY),
        }
    );
    assert_eq!(timeline.phase, dao::Phase::Pending);
    assert_eq!(timeline.snapshot_height, suite.block().height);
    assert_eq!(timeline.total_weight, 10_000);
    // cw3's expiry is the end of voting.
    assert_eq!(
        suite.proposal(id).expires,
        dao::Expiration::AtTime(now.plus_seconds(4 * DAY))
    );
}

#[test]
fn votes_open_exactly_after_the_delay_and_close_at_the_end() {
    let mut suite = governed();
    let id = suite.propose("carol", "vote times", vec![]).unwrap();
    let times = suite.timeline(id).times;
    suite.advance_to(times.voting_starts.minus_seconds(1));
    let err = suite.vote("bob", id, dao::Vote::Yes).unwrap_err();
    assert_eq!(
        dao_err(err),
        acn_dao::ContractError::VotingNotOpen {
            proposal_id: id,
            opens_at: times.voting_starts
        }
    );
    assert_eq!(suite.vote_of(id, "bob"), None);
    suite.advance_to(times.voting_starts);
    assert_eq!(suite.timeline(id).phase, dao::Phase::Active);
    suite.vote("bob", id, dao::Vote::Yes).unwrap();
    suite.advance_to(times.voting_ends);
    let err = suite.vote("alice", id, dao::Vote::No).unwrap_err();
    assert_eq!(
        dao_err(err),
        engine_err(cw3_flex_multisig::ContractError::Expired {})
    );
    // 4 000 of 10 000 voted, all yes: passed at the end of voting, queued.
    assert_eq!(suite.proposal(id).status, dao::Status::Passed);
    assert_eq!(suite.timeline(id).phase, dao::Phase::Queued);
}

#[test]
fn execution_opens_exactly_at_voting_end_plus_timelock() {
    let mut suite = governed();
    let msg = grant(&suite, "grantee", TOKEN);
    let id = suite
        .propose_and_pass("bob", &["alice"], "grant", vec![msg])
        .unwrap();
    let ready_at = suite.timeline(id).times.executable_from;
    suite.advance_to(ready_at.minus_seconds(1));
    assert_eq!(suite.timeline(id).phase, dao::Phase::Queued);
    let err = suite.execute_proposal("carol", id).unwrap_err();
    assert_eq!(
        dao_err(err),
        acn_dao::ContractError::ExecutionTooEarly {
            proposal_id: id,
            ready_at
        }
    );
    assert_eq!(suite.balance_of("grantee"), 0);
    suite.advance_to(ready_at);
    assert_eq!(suite.timeline(id).phase, dao::Phase::Executable);
    suite.execute_proposal("carol", id).unwrap();
    assert_eq!(suite.balance_of("grantee"), TOKEN);
    assert_eq!(suite.timeline(id).phase, dao::Phase::Executed);
}

#[test]
fn the_execution_window_closes_exactly_at_its_end() {
    let mut suite = governed();
    // Two proposals in one block share their times.
    let (a, b) = (
        grant(&suite, "grantee", TOKEN),
        grant(&suite, "grantee", 2 * TOKEN),
    );
    let first = suite.propose("bob", "first", vec![a]).unwrap();
    let second = suite.propose("bob", "second", vec![b]).unwrap();
    suite.advance_to_voting(first);
    suite.vote("alice", first, dao::Vote::Yes).unwrap();
    suite.vote("alice", second, dao::Vote::Yes).unwrap();
    let until = suite.timeline(first).times.executable_until;
    assert_eq!(suite.timeline(second).times.executable_until, until);
    suite.advance_to(until.minus_seconds(1));
    suite.execute_proposal("carol", first).unwrap();
    suite.advance_to(until);
    assert_eq!(suite.timeline(second).phase, dao::Phase::Expired);
    let err = suite.execute_proposal("carol", second).unwrap_err();
    assert_eq!(
        dao_err(err),
        acn_dao::ContractError::ExecutionWindowOver {
            proposal_id: second,
            expired_at: until
        }
    );
    assert_eq!(suite.balance_of("grantee"), TOKEN);
}

#[test]
fn closing_a_passed_proposal_needs_its_window_to_be_over() {
    let mut suite = governed();
    let id = suite
        .propose_and_pass("bob", &["alice"], "unused", vec![])
        .unwrap();
    suite.advance_to_execution(id);
    let err = suite.close_proposal("carol", id).unwrap_err();
    assert_eq!(
        dao_err(err),
        engine_err(cw3_flex_multisig::ContractError::WrongCloseStatus {})
    );
    let until = suite.timeline(id).times.executable_until;
    suite.advance_to(until);
    suite.close_proposal("carol", id).unwrap();
    assert_eq!(suite.proposal(id).status, dao::Status::Rejected);
    assert_eq!(suite.timeline(id).phase, dao::Phase::Expired);
    // Closing twice: the engine's error.
    let err = suite.close_proposal("carol", id).unwrap_err();
    assert_eq!(
        dao_err(err),
        engine_err(cw3_flex_multisig::ContractError::WrongCloseStatus {})
    );
}

#[test]
fn a_lapsed_proposal_returns_its_deposit() {
    let deposit = 100 * TOKEN;
    let mut suite = governed_with(dao::DaoParams {
        deposit: Some(deposit.into()),
        refund_failed_proposals: false,
        ..dao_params()
    });
    suite.fund("bob", deposit).unwrap();
    let before = suite.balance_of("bob");
    let id = suite
        .propose_and_pass("bob", &["alice"], "passed, never run", vec![])
        .unwrap();
    assert_eq!(suite.balance_of("bob"), before - deposit);
    let until = suite.timeline(id).times.executable_until;
    suite.advance_to(until);
    suite.close_proposal("carol", id).unwrap();
    assert_eq!(suite.balance_of("bob"), before);
    suite.assert_balance(suite.dao(), 0);
}

#[test]
fn update_timing_is_for_the_dao_itself_and_bounded() {
    let mut suite = governed();
    let dao_addr = suite.dao();
    let fast = dao::Timing {
        voting_delay: 60,
        voting_period: DAY,
        timelock: 60,
        execution_window: DAY,
    };
    // Nobody else, not even the biggest holder.
    let alice = suite.addr("alice");
    let err = suite
        .execute(
            &alice,
            &dao_addr,
            &dao::ExecuteMsg::UpdateTiming { timing: fast },
        )
        .unwrap_err();
    assert_eq!(dao_err(err), acn_dao::ContractError::NotSelf {});

    // Out of bounds: passes the vote, fails at execution with the field named.
    for (timing, error) in [
        (
            dao::Timing {
                voting_period: 0,
                ..fast
            },
            "voting_period 0 out of bounds [1, 2592000] seconds",
        ),
        (
            dao::Timing {
                voting_delay: 30 * DAY + 1,
                ..fast
            },
            "voting_delay 2592001 out of bounds [0, 2592000] seconds",
        ),
        (
            dao::Timing {
                timelock: 30 * DAY + 1,
                ..fast
            },
            "timelock 2592001 out of bounds [0, 2592000] seconds",
        ),
        (
            dao::Timing {
                execution_window: 0,
                ..fast
            },
            "execution_window 0 out of bounds [1, 7776000] seconds",
        ),
    ] {
        let msg = acn_testing::wasm_execute(&dao_addr, &dao::ExecuteMsg::UpdateTiming { timing });
        let (_, res) = govern(&mut suite, "bad timing", vec![msg]);
        assert_err_contains(res, error);
        assert_eq!(suite.dao_timing(), dao::Timing::default());
    }

    // In bounds, by proposal: new proposals get it, an open one keeps its times.
    let open = suite.propose("carol", "opened before", vec![]).unwrap();
    let open_times = suite.timeline(open).times;
    let msg = acn_testing::wasm_execute(&dao_addr, &dao::ExecuteMsg::UpdateTiming { timing: fast });
    let (_, res) = govern(&mut suite, "faster", vec![msg]);
    res.unwrap();
    assert_eq!(suite.dao_timing(), fast);
    assert_eq!(
        suite.dao_config().max_voting_period,
        dao::Duration::Time(60 + DAY)
    );
    assert_eq!(suite.timeline(open).times, open_times);
    let now = suite.block().time;
    let id = suite.propose("bob", "after", vec![]).unwrap();
    assert_eq!(
        suite.timeline(id).times.executable_from,
        now.plus_seconds(60 + DAY + 60)
    );
}

#[test]
fn an_instantiate_with_timing_out_of_bounds_is_refused() {
    let mut suite = governed();
    let params = dao::DaoParams {
        voting_period: 30 * DAY + 1,
        ..dao_params()
    };
    let owner = suite.owner.clone();
    let code = suite.code_ids.dao;
    let msg = params.msg(suite.staking.as_str(), suite.token.as_str());
    let err = suite
        .app
        .instantiate_contract(code, owner, &msg, &[], "bad dao", None)
        .unwrap_err();
    assert_eq!(
        dao_err(err),
        acn_dao::ContractError::TimingOutOfBounds(dao::TimingOutOfBounds {
            field: "voting_period",
            value: 30 * DAY + 1,
            min: 1,
            max: 30 * DAY,
        })
    );
}

#[test]
fn a_proposal_over_an_empty_electorate_is_refused() {
    let mut suite = governed();
    for (name, amount) in [("alice", ALICE), ("bob", BOB), ("carol", CAROL)] {
        suite.unbond(name, amount).unwrap();
    }
    suite.advance_blocks(1);
    // Dave bonds and proposes in one block: no weight at the start of it.
    suite.bond("dave", 10_000 * TOKEN).unwrap();
    let height = suite.block().height;
    let dave = suite.addr("dave");
    let err = suite.propose_raw(&dave, "alone", vec![]).unwrap_err();
    assert_eq!(
        dao_err(err),
        acn_dao::ContractError::NoWeightAtSnapshot { height }
    );
    // A block later his weight is in the snapshot.
    suite.advance_blocks(1);
    let id = suite.propose("dave", "alone", vec![]).unwrap();
    assert_eq!(proposal_total_weight(&suite, id), 10_000);
    assert_eq!(suite.proposal(id).status, dao::Status::Passed);
}

#[test]
fn migrating_a_dao_without_timing_stores_one() {
    let mut suite = governed();
    let dao_addr = suite.dao();
    // A DAO from before the timing: remove the stored timing.
    suite
        .app
        .contract_storage_mut(&dao_addr)
        .remove(b"acn_timing");
    assert!(suite
        .app
        .wrap()
        .query_wasm_smart::<dao::Timing>(&dao_addr, &dao::QueryMsg::Timing {})
        .is_err());
    let timing = dao::Timing {
        voting_delay: 2 * DAY,
        ..dao::Timing::default()
    };
    let code = suite.code_ids.dao;
    let msg = acn_testing::wasm_execute(&dao_addr, &dao::ExecuteMsg::UpdateTiming { timing });
    // Without a timing nothing can be proposed: the migration (by the DAO, its wasm admin) is
    // the way back; here the test plays the chain and migrates as the admin.
    let bob = suite.addr("bob");
    assert!(suite.propose_raw(&bob, "stuck", vec![msg]).is_err());
    suite
        .app
        .migrate_contract(
            dao_addr.clone(),
            dao_addr.clone(),
            &dao::MigrateMsg {
                timing: Some(timing),
            },
            code,
        )
        .unwrap();
    assert_eq!(suite.dao_timing(), timing);
    assert_eq!(
        suite.dao_config().max_voting_period,
        dao::Duration::Time(5 * DAY)
    );
    // A stored timing is kept by later migrations.
    suite
        .app
        .migrate_contract(
            dao_addr.clone(),
            dao_addr,
            &dao::MigrateMsg::default(),
            code,
        )
        .unwrap();
    assert_eq!(suite.dao_timing(), timing);
}

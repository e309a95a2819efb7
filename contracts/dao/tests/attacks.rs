//! Issue 12, items 1–4: the governance attacks of the review, performed with the default DAO
//! parameters (50 % threshold, 33 % quorum, 1-day delay, 3-day voting, 2-day timelock, 7-day
//! window) against a realistic electorate, each asserting the exact error and that nothing moved.

mod common;

use acn_interface::{dao, treasury};
use acn_testing::{digits_model, Suite, SuiteBuilder, DAY, TOKEN};
use common::*;
use cosmwasm_std::Addr;

/// The treasury the review drained: 500 000 ACN.
const VAULT: u128 = 500_000 * TOKEN;
/// Honest holders' bonded stake: 35 000 + 25 000 + 20 000 + 18 000 = 98 000 ACN.
const HOLDERS: [(&str, u128); 4] = [
    ("h1", 35_000 * TOKEN),
    ("h2", 25_000 * TOKEN),
    ("h3", 20_000 * TOKEN),
    ("h4", 18_000 * TOKEN),
];
/// Weight of the honest holders (one unit per ACN).
const HONEST_WEIGHT: u64 = 98_000;
/// Default time from proposing to the earliest execution: 1 + 3 + 2 days.
const TO_EXECUTION: u64 = 6 * DAY;

/// Everything a drain could move: the vault, the supply, who owns what, the attacker's tokens.
#[derive(Debug, PartialEq)]
struct Snapshot {
    vault: u128,
    supply: u128,
    owners: Vec<Option<Addr>>,
    admins: Vec<Option<Addr>>,
    /// Mallory's wallet + bonded + unbonding stake.
    mallory_holdings: u128,
}

fn snapshot(suite: &Suite) -> Snapshot {
    Snapshot {
        vault: suite.treasury_balances().spendable.u128(),
        supply: suite.total_supply(),
        owners: suite
            .owned_contracts()
            .iter()
            .map(|c| suite.owner_of(c))
            .collect(),
        admins: suite
            .all_contracts()
            .iter()
            .map(|c| suite.contract_info(c).admin)
            .collect(),
        mallory_holdings: {
            let stake = suite.stake("mallory");
            suite.balance_of("mallory") + stake.bonded.u128() + stake.unbonding.u128()
        },
    }
}

/// The default DAO over a 500 000 ACN treasury; the honest holders bonded (98 000 weight);
/// `mallory` funded with `mallory_funds` and `mallory_bond` of it bonded a block ago.
fn electorate(mallory_funds: u128, mallory_bond: u128) -> Suite {
    let mut builder = SuiteBuilder::new()
        .with_funds("mallory", mallory_funds)
        .with_treasury_reserve(VAULT)
        .with_market_params(|m| m.models = vec![digits_model()])
        .with_dao(dao::DaoParams::default());
    for (name, amount) in HOLDERS {
        builder = builder.with_funds(name, amount);
    }
    let mut suite = builder.build();
    for (name, amount) in HOLDERS {
        suite.bond(name, amount).unwrap();
    }
    if mallory_bond > 0 {
        suite.bond("mallory", mallory_bond).unwrap();
    }
    suite.advance_blocks(1);
    suite
}

/// The drain: every token of the vault to mallory.
fn drain(suite: &Suite) -> cosmwasm_std::CosmosMsg {
    grant(suite, "mallory", VAULT)
}

fn dao_err(err: anyhow::Error) -> acn_dao::ContractError {
    err.downcast::<acn_dao::ContractError>().unwrap()
}

/// Item 1: a proposal expiring now (`latest` = now, or any `latest`) is refused; without it the
/// voting period is the DAO's and nothing executes for 6 days.
#[test]
fn an_instant_proposal_is_refused() {
    // Mallory holds 50 000 of 148 000 weight (33.8 %): above the 33 % quorum on her own.
    let mut suite = electorate(50_000 * TOKEN, 50_000 * TOKEN);
    let before = snapshot(&suite);
    let now = suite.block().time;
    let mallory = suite.addr("mallory");
    let dao_addr = suite.dao();
    for latest in [
        dao::Expiration::AtTime(now),
        dao::Expiration::AtHeight(suite.block().height),
        dao::Expiration::AtTime(now.plus_seconds(30 * DAY)),
    ] {
        let err = suite
            .execute(
                &mallory,
                &dao_addr,
                &dao::ExecuteMsg::Propose {
                    title: "drain".into(),
                    description: "instant".into(),
                    msgs: vec![drain(&suite)],
                    latest: Some(latest),
                },
            )
            .unwrap_err();
        assert_eq!(
            dao_err(err),
            acn_dao::ContractError::LatestNotAllowed {
                voting_ends: now.plus_seconds(4 * DAY)
            }
        );
    }
    assert_eq!(snapshot(&suite), before);

    // The same proposal without `latest`: her 50 000 yes reach quorum, yet it cannot execute
    // before now + 6 days, and the holders have 4 days to vote it down.
    let msg = drain(&suite);
    let id = suite.propose("mallory", "drain", vec![msg]).unwrap();
    let err = suite.execute_proposal("mallory", id).unwrap_err();
    assert_eq!(
        dao_err(err),
        acn_dao::ContractError::ExecutionTooEarly {
            proposal_id: id,
            ready_at: now.plus_seconds(TO_EXECUTION)
        }
    );
    suite.advance_to_voting(id);
    suite.vote("h1", id, dao::Vote::No).unwrap();
    suite.vote("h2", id, dao::Vote::No).unwrap();
    suite.advance_to_execution(id);
    assert_eq!(suite.proposal(id).status, dao::Status::Rejected);
    let err = suite.execute_proposal("mallory", id).unwrap_err();
    assert_eq!(
        dao_err(err),
        engine_err(cw3_flex_multisig::ContractError::WrongExecuteStatus {})
    );
    assert_eq!(snapshot(&suite), before);
}

/// Item 2: a holder of 30 % unbonds in the proposal's block and votes with its old weight. The
/// total is read at the same height, so its 42 000 yes fall short of the 33 % quorum of
/// 140 000 (46 200); against the shrunken total (98 000, quorum 32 340) it passed before.
#[test]
fn unbonding_in_the_proposal_block_does_not_shrink_the_quorum() {
    let mut suite = electorate(42_000 * TOKEN, 42_000 * TOKEN);
    let before = snapshot(&suite);
    let msg = drain(&suite);
    // Same block: propose, then unbond everything (after unbonding she is no member, so she
    // proposes first).
    let id = suite.propose("mallory", "drain", vec![msg]).unwrap();
    suite.unbond("mallory", 42_000 * TOKEN).unwrap();
    assert_eq!(suite.total_weight(None), HONEST_WEIGHT);

    // The snapshot keeps her weight in the total and in her vote.
    assert_eq!(proposal_total_weight(&suite, id), HONEST_WEIGHT + 42_000);
    assert_eq!(suite.vote_of(id, "mallory").unwrap().weight, 42_000);
    let quorum_now = (HONEST_WEIGHT + 42_000) * 33 / 100;
    let quorum_shrunken = HONEST_WEIGHT * 33 / 100;
    assert_eq!((quorum_now, quorum_shrunken), (46_200, 32_340));
    assert!(42_000 < quorum_now && 42_000 > quorum_shrunken);

    suite.advance_to_execution(id);
    assert_eq!(suite.proposal(id).status, dao::Status::Rejected);
    assert_eq!(suite.timeline(id).phase, dao::Phase::Rejected);
    let err = suite.execute_proposal("mallory", id).unwrap_err();
    assert_eq!(
        dao_err(err),
        engine_err(cw3_flex_multisig::ContractError::WrongExecuteStatus {})
    );
    assert_eq!(snapshot(&suite), before);
    // Her stake is in the unbonding cooldown, not back in her wallet.
    assert_eq!(suite.stake("mallory").unbonding.u128(), 42_000 * TOKEN);
}

/// Item 3: bonding more than everyone else and proposing in the same block. The new stake has
/// no weight in that proposal (snapshot at the start of the block), and nothing executes before
/// delay + period + timelock.
#[test]
fn a_flash_majority_has_no_weight_in_its_own_proposal() {
    let mut suite = electorate(200_000 * TOKEN, 0);
    let before = snapshot(&suite);
    let start = suite.block().time;
    let msg = drain(&suite);
    // Same block: bond 200 000 (67 % of the stake now), propose.
    suite.bond("mallory", 200_000 * TOKEN).unwrap();
    let id = suite.propose("mallory", "drain", vec![msg]).unwrap();
    assert_eq!(suite.total_weight(None), HONEST_WEIGHT + 200_000);
    assert_eq!(proposal_total_weight(&suite, id), HONEST_WEIGHT);
    assert_eq!(suite.vote_of(id, "mallory").unwrap().weight, 0);
    assert_eq!(yes_weight(&suite, id), 0);

    let err = suite.execute_proposal("mallory", id).unwrap_err();
    assert_eq!(
        dao_err(err),
        acn_dao::ContractError::ExecutionTooEarly {
            proposal_id: id,
            ready_at: start.plus_seconds(TO_EXECUTION)
        }
    );
    // Her new stake gives her no vote on it: no weight at the snapshot.
    suite.advance_to_voting(id);
    let err = suite.vote("mallory", id, dao::Vote::Yes).unwrap_err();
    assert_eq!(
        dao_err(err),
        engine_err(cw3_flex_multisig::ContractError::Unauthorized {})
    );
    // During voting it stays open (0 of 98 000 voted) and not executable.
    let err = suite.execute_proposal("mallory", id).unwrap_err();
    assert!(matches!(
        dao_err(err),
        acn_dao::ContractError::ExecutionTooEarly { .. }
    ));
    // At the ready time: no quorum (0 of 98 000), rejected.
    suite.advance_to_execution(id);
    let err = suite.execute_proposal("mallory", id).unwrap_err();
    assert_eq!(
        dao_err(err),
        engine_err(cw3_flex_multisig::ContractError::WrongExecuteStatus {})
    );
    assert_eq!(snapshot(&suite), before);
}

/// Item 3, what remains: a majority that bonded before the proposal's block does vote, but its
/// proposal executes no earlier than 6 days later, while its stake is locked for the 14-day
/// unbonding period (it cannot bond, drain and leave within the timelock).
#[test]
fn a_real_majority_still_waits_delay_period_and_timelock() {
    let mut suite = electorate(200_000 * TOKEN, 0);
    suite.bond("mallory", 200_000 * TOKEN).unwrap();
    suite.advance_blocks(1);
    let before = snapshot(&suite);
    let start = suite.block().time;
    let msg = drain(&suite);
    let id = suite.propose("mallory", "drain", vec![msg]).unwrap();
    // 200 000 of 298 000 (67 %): passed as soon as it is counted.
    assert_eq!(suite.proposal(id).status, dao::Status::Passed);
    assert_eq!(suite.timeline(id).phase, dao::Phase::Pending);
    for (at, phase) in [
        (DAY - 1, dao::Phase::Pending),
        (DAY, dao::Phase::Active),
        (4 * DAY, dao::Phase::Queued),
        (TO_EXECUTION - 1, dao::Phase::Queued),
    ] {
        suite.advance_to(start.plus_seconds(at));
        assert_eq!(suite.timeline(id).phase, phase, "at {at} s");
        let err = suite.execute_proposal("mallory", id).unwrap_err();
        assert_eq!(
            dao_err(err),
            acn_dao::ContractError::ExecutionTooEarly {
                proposal_id: id,
                ready_at: start.plus_seconds(TO_EXECUTION)
            }
        );
        assert_eq!(snapshot(&suite), before);
    }
    // Unbonding now releases her stake only after 14 days: past the execution.
    suite.unbond("mallory", 200_000 * TOKEN).unwrap();
    let claim = &suite.staking_claims("mallory")[0];
    assert_eq!(
        claim.release_at,
        dao::Expiration::AtTime(suite.block().time.plus_seconds(14 * DAY))
    );
}

/// Item 4: a passed proposal whose execution failed is retried after its window: refused; then
/// closed as expired; never paid.
#[test]
fn a_failed_proposal_cannot_be_retried_after_its_window() {
    let mut suite = electorate(0, 0);
    // A grant above the vault: passes the vote (h1 + h2 + h3 = 80 000 of 98 000), fails to
    // execute with the treasury's error.
    let msg = grant(&suite, "mallory", VAULT + 100_000 * TOKEN);
    let id = suite.propose("h1", "big grant", vec![msg]).unwrap();
    suite.advance_to_voting(id);
    suite.vote("h2", id, dao::Vote::Yes).unwrap();
    suite.vote("h3", id, dao::Vote::Yes).unwrap();
    suite.advance_to_execution(id);
    let err = suite.execute_proposal("mallory", id).unwrap_err();
    assert!(
        format!("{err:#}").contains("insufficient spendable reserve"),
        "{err:#}"
    );
    assert_eq!(suite.proposal(id).status, dao::Status::Passed);
    assert_eq!(suite.timeline(id).phase, dao::Phase::Executable);

    // 180 days later the reserve could pay it (someone funds the treasury)…
    let expired_at = suite.timeline(id).times.executable_until;
    assert_eq!(
        expired_at,
        suite
            .timeline(id)
            .times
            .executable_from
            .plus_seconds(7 * DAY)
    );
    suite.advance_time(180 * DAY);
    suite.fund("h4", 100_000 * TOKEN).unwrap();
    let (h4, treasury_addr) = (suite.addr("h4"), suite.treasury.clone());
    suite
        .send_tokens(
            &h4,
            &treasury_addr,
            100_000 * TOKEN,
            &treasury::ReceiveMsg::Fund {},
        )
        .unwrap();
    let before = snapshot(&suite);
    assert_eq!(before.vault, VAULT + 100_000 * TOKEN);
    // …but the window is over.
    let err = suite.execute_proposal("mallory", id).unwrap_err();
    assert_eq!(
        dao_err(err),
        acn_dao::ContractError::ExecutionWindowOver {
            proposal_id: id,
            expired_at
        }
    );
    assert_eq!(suite.timeline(id).phase, dao::Phase::Expired);
    assert_eq!(snapshot(&suite), before);

    // Anyone closes it: recorded rejected, phase expired, and it stays unexecutable.
    let res = suite.close_proposal("h4", id).unwrap();
    assert!(res.has_event(
        &cosmwasm_std::Event::new("wasm").add_attribute("reason", "execution_window_over")
    ));
    assert_eq!(suite.proposal(id).status, dao::Status::Rejected);
    assert_eq!(suite.timeline(id).phase, dao::Phase::Expired);
    let err = suite.execute_proposal("mallory", id).unwrap_err();
    assert_eq!(
        dao_err(err),
        engine_err(cw3_flex_multisig::ContractError::WrongExecuteStatus {})
    );
    assert_eq!(snapshot(&suite), before);
}

/// Item 4, inside the window: a failed execution can be retried and succeeds once it can.
#[test]
fn a_failed_proposal_can_be_retried_inside_its_window() {
    let mut suite = electorate(0, 0);
    let msg = grant(&suite, "grantee", VAULT + TOKEN);
    let id = suite.propose("h1", "grant", vec![msg]).unwrap();
    suite.advance_to_voting(id);
    suite.vote("h2", id, dao::Vote::Yes).unwrap();
    suite.advance_to_execution(id);
    assert!(suite.execute_proposal("h4", id).is_err());
    // Funded a day later, within the 7-day window.
    suite.advance_time(DAY);
    suite.fund("h4", TOKEN).unwrap();
    let (h4, treasury_addr) = (suite.addr("h4"), suite.treasury.clone());
    suite
        .send_tokens(&h4, &treasury_addr, TOKEN, &treasury::ReceiveMsg::Fund {})
        .unwrap();
    suite.execute_proposal("h4", id).unwrap();
    assert_eq!(suite.balance_of("grantee"), VAULT + TOKEN);
    assert_eq!(suite.timeline(id).phase, dao::Phase::Executed);
}

//! Who votes with what weight: bonded stake at the proposal's start height, threshold with
//! quorum, the voting period, and the CW20 proposal deposit.

mod common;

use acn_interface::dao;
use acn_testing::{assert_err_contains, TOKEN};
use common::*;
use cosmwasm_std::Uint128;

#[test]
fn tokens_bonded_after_a_proposal_opens_do_not_vote_on_it() {
    let mut suite = governed();
    let id = suite.propose("bob", "open", vec![]).unwrap();
    assert_eq!(proposal_total_weight(&suite, id), 10_000);
    suite.advance_blocks(1);

    // Dave bonds after the start: not a voter on this proposal.
    suite.bond("dave", 10_000 * TOKEN).unwrap();
    suite.advance_blocks(1);
    assert_eq!(suite.voter_weight("dave"), Some(10_000));
    suite.advance_to_voting(id);
    let err = suite.vote("dave", id, dao::Vote::Yes).unwrap_err();
    assert_eq!(
        err.downcast::<acn_dao::ContractError>().unwrap(),
        engine_err(cw3_flex_multisig::ContractError::Unauthorized {})
    );
    assert_eq!(suite.vote_of(id, "dave"), None);

    // Carol doubles her bond after the start: she votes with what she had.
    suite.bond("carol", CAROL).unwrap();
    suite.advance_blocks(1);
    assert_eq!(suite.voter_weight("carol"), Some(2_000));
    suite.vote("carol", id, dao::Vote::Yes).unwrap();
    assert_eq!(suite.vote_of(id, "carol").unwrap().weight, 1_000);
    // 3 000 + 1 000 of 10 000: not yet passed.
    assert_eq!(suite.proposal(id).status, dao::Status::Open);
    assert_eq!(yes_weight(&suite, id), 4_000);

    // Dave's weight counts on the next proposal.
    let next = suite.propose("bob", "next", vec![]).unwrap();
    assert_eq!(proposal_total_weight(&suite, next), 21_000);
    suite.advance_to_voting(next);
    suite.vote("dave", next, dao::Vote::Yes).unwrap();
    assert_eq!(suite.vote_of(next, "dave").unwrap().weight, 10_000);
}

#[test]
fn unbonding_after_the_start_keeps_the_starting_weight() {
    let mut suite = governed();
    let id = suite.propose("bob", "open", vec![]).unwrap();
    suite.advance_blocks(1);
    suite.unbond("alice", ALICE).unwrap();
    suite.advance_to_voting(id);
    // Alice's 6 000 at the start still vote (her tokens sit in the unbonding cooldown).
    suite.vote("alice", id, dao::Vote::Yes).unwrap();
    assert_eq!(suite.vote_of(id, "alice").unwrap().weight, 6_000);
    assert_eq!(suite.proposal(id).status, dao::Status::Passed);
}

#[test]
fn below_quorum_a_proposal_is_rejected_at_expiry() {
    let mut suite = governed();
    // Carol alone: 10 % of the weight, below the 33 % quorum.
    let grant_msg = grant(&suite, "carol", TOKEN);
    let id = suite.propose("carol", "alone", vec![grant_msg]).unwrap();
    assert_eq!(suite.proposal(id).status, dao::Status::Open);
    let ready_at = suite.timeline(id).times.executable_from;
    let err = suite.execute_proposal("carol", id).unwrap_err();
    assert_eq!(
        err.downcast::<acn_dao::ContractError>().unwrap(),
        acn_dao::ContractError::ExecutionTooEarly {
            proposal_id: id,
            ready_at
        }
    );
    suite.advance_to_voting_end(id);
    assert_eq!(suite.proposal(id).status, dao::Status::Rejected);
    suite.close_proposal("bob", id).unwrap();
    assert_eq!(suite.proposal(id).status, dao::Status::Rejected);
    assert_eq!(suite.treasury_balances().spendable.u128(), RESERVE);
}

#[test]
fn with_quorum_the_threshold_counts_the_votes_cast() {
    let mut suite = governed();
    // Bob yes (3 000), carol no (1 000): quorum (4 000 ≥ 3 300) met; 75 % of the votes cast
    // are yes, but before expiry the 6 000 missing votes count as no.
    let msg = grant(&suite, "bob", TOKEN);
    let id = suite.propose("bob", "grant bob", vec![msg]).unwrap();
    suite.advance_to_voting(id);
    suite.vote("carol", id, dao::Vote::No).unwrap();
    assert_eq!(suite.proposal(id).status, dao::Status::Open);
    suite.advance_to_voting_end(id);
    assert_eq!(suite.proposal(id).status, dao::Status::Passed);
    suite.advance_to_execution(id);
    suite.execute_proposal("carol", id).unwrap();
    assert_eq!(suite.balance_of("bob"), TOKEN);
}

#[test]
fn a_majority_against_rejects() {
    let mut suite = governed();
    let msg = grant(&suite, "bob", TOKEN);
    let id = suite.propose("bob", "grant bob", vec![msg]).unwrap();
    suite.advance_to_voting(id);
    suite.vote("alice", id, dao::Vote::No).unwrap();
    assert_eq!(suite.proposal(id).status, dao::Status::Rejected);
    assert_err_contains(
        suite.execute_proposal("bob", id),
        "Proposal must have passed and not yet been executed",
    );
    assert_eq!(suite.balance_of("bob"), 0);
}

#[test]
fn the_deposit_is_taken_on_proposal_and_returned_on_execution() {
    let deposit = 100 * TOKEN;
    let mut suite = governed_with(dao::DaoParams {
        deposit: Some(Uint128::new(deposit)),
        refund_failed_proposals: false,
        ..dao_params()
    });
    let dao_addr = suite.dao();
    // The acceptance proposal at deployment paid and got back its deposit.
    suite.assert_balance(dao_addr.clone(), 0);

    // Without an allowance there is no proposal.
    let bob = suite.addr("bob");
    suite.fund("bob", 1_000 * TOKEN).unwrap();
    assert!(suite.propose_raw(&bob, "free ride", vec![]).is_err());

    let before = suite.balance_of("bob");
    let msg = grant(&suite, "carol", TOKEN);
    let id = suite.propose("bob", "paid", vec![msg]).unwrap();
    assert_eq!(suite.balance_of("bob"), before - deposit);
    suite.assert_balance(dao_addr.clone(), deposit);
    suite.advance_to_voting(id);
    suite.vote("alice", id, dao::Vote::Yes).unwrap();
    suite.advance_to_execution(id);
    suite.execute_proposal("carol", id).unwrap();
    assert_eq!(suite.balance_of("bob"), before);
    suite.assert_balance(dao_addr.clone(), 0);

    // A failed proposal forfeits its deposit to the DAO (refund_failed_proposals: false).
    let id = suite.propose("bob", "bad idea", vec![]).unwrap();
    suite.advance_to_voting_end(id);
    suite.close_proposal("carol", id).unwrap();
    assert_eq!(suite.proposal(id).status, dao::Status::Rejected);
    assert_eq!(suite.balance_of("bob"), before - deposit);
    suite.assert_balance(dao_addr, deposit);
}

//! `acn gov show` (tally, ballots, a voter's weight at the snapshot) and `acn gov close` on the
//! embedded chain with a DAO.

use acn_cli::ballots;
use acn_client::{governance, Chain, ChainExt};
use acn_embedded::EmbeddedChain;
use acn_interface::{dao, staking};
use acn_testing::{SuiteBuilder, TOKEN};

#[test]
fn show_tallies_the_ballots_and_close_ends_an_unpassed_proposal() {
    let chain = EmbeddedChain::start(|| {
        SuiteBuilder::new()
            .with_market()
            .with_funds("major", 1_000 * TOKEN)
            .with_funds("minor", 1_000 * TOKEN)
            .with_funds("tiny", 1_000 * TOKEN)
            .with_funds("late", 1_000 * TOKEN)
            .with_dao(dao::DaoParams::default())
            .build()
    })
    .unwrap();
    let dao_addr = chain.with_state(|s| s.dao().to_string()).unwrap();
    let d = chain.deployment().clone();
    for (who, amount) in [("major", 600), ("minor", 400), ("tiny", 100)] {
        chain
            .send_tokens(
                who,
                &d.staking,
                amount * TOKEN,
                &staking::ReceiveMsg::Bond { tier: None },
            )
            .unwrap();
    }
    chain.wait_blocks(1).unwrap();
    let (id, _) =
        governance::propose(&chain, &dao_addr, "tiny", "Small change", "", vec![]).unwrap();
    chain.wait_blocks(1).unwrap();
    chain
        .send_tokens(
            "late",
            &d.staking,
            50 * TOKEN,
            &staking::ReceiveMsg::Bond { tier: None },
        )
        .unwrap();
    governance::wait_for_voting(&chain, &dao_addr, id).unwrap();
    governance::vote(&chain, &dao_addr, "minor", id, dao::Vote::No).unwrap();

    let [major, minor, tiny, late] =
        ["major", "minor", "tiny", "late"].map(|n| chain.address(n).unwrap());
    let view = ballots::proposal_view(&chain, &dao_addr, &d.staking, id, Some(&major)).unwrap();
    assert_eq!(view.phase, dao::Phase::Active);
    assert_eq!(view.total_weight, 1_100);
    assert_eq!(
        view.tally,
        ballots::Tally {
            yes: 100,
            no: 400,
            abstain: 0,
            veto: 0
        }
    );
    let mut votes: Vec<(String, String, u64)> = view
        .votes
        .iter()
        .map(|b| (b.voter.clone(), b.vote.clone(), b.weight))
        .collect();
    votes.sort();
    let mut expected = vec![
        (minor, "no".to_string(), 400),
        (tiny, "yes".to_string(), 100),
    ];
    expected.sort();
    assert_eq!(votes, expected);
    let you = view.you.clone().unwrap();
    assert_eq!(
        (you.weight_at_snapshot, you.weight_now, you.vote),
        (600, 600, None)
    );
    let text = view.render();
    assert!(
        text.contains("tally: yes 100 · no 400 · abstain 0 · veto 0 — 500 of 1100 cast (45.5 %; quorum 0.33, threshold 0.5)"),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "you ({major}): weight 600 at the snapshot (now 600); not voted"
        )),
        "{text}"
    );
    let json = serde_json::to_value(&view).unwrap();
    assert_eq!(json["tally"]["no"], 400);
    assert_eq!(json["you"]["weight_at_snapshot"], 600);

    // Bonded after the proposal: no weight in it.
    let view = ballots::proposal_view(&chain, &dao_addr, &d.staking, id, Some(&late)).unwrap();
    let you = view.you.unwrap();
    assert_eq!((you.weight_at_snapshot, you.weight_now), (0, 50));

    // Closing before voting ends is refused; after it, the unpassed proposal closes.
    let err = ballots::close(&chain, &dao_addr, "late", id).unwrap_err();
    assert!(
        err.to_string()
            .contains("Proposal must expire before you can close it"),
        "{err}"
    );
    governance::wait_for_voting_end(&chain, &dao_addr, id).unwrap();
    ballots::close(&chain, &dao_addr, "late", id).unwrap();
    let view = ballots::proposal_view(&chain, &dao_addr, &d.staking, id, None).unwrap();
    assert_eq!(view.status, dao::Status::Rejected);
    assert_eq!(view.phase, dao::Phase::Rejected);
    let err = ballots::close(&chain, &dao_addr, "late", id).unwrap_err();
    assert!(
        err.to_string()
            .contains("Cannot close completed or passed proposals"),
        "{err}"
    );
}

//! A provider's account on the embedded chain: `deregister`, `unbond` and `status` as
//! `acn-worker` runs them (the `provider` module over the `Chain` trait), their refusals word for
//! word, and the status against the chain's own numbers.

mod common;

use std::sync::Arc;

use acn_client::{Chain, ChainExt};
use acn_interface::market::{self, JobStatus, SlotOutcome};
use acn_interface::staking;
use acn_testing::{hardware, TOKEN};
use acn_worker::provider::{self, Registration};
use acn_worker::status;
use acn_worker::units::{format_time, parse_tokens};
use acn_worker::{Behaviour, Journal, Worker};
use cw_utils::Expiration;

use common::*;

const FOURTEEN_DAYS: u64 = 14 * 86_400;

fn exposure(chain: &dyn Chain, address: &str) -> market::ExposureResponse {
    chain
        .market(&market::QueryMsg::Exposure {
            provider: address.to_string(),
        })
        .unwrap()
}

fn registered(chain: &dyn Chain, address: &str) -> market::ProviderResponse {
    chain
        .market(&market::QueryMsg::Provider {
            address: address.to_string(),
        })
        .unwrap()
}

fn claims(chain: &dyn Chain, address: &str) -> Vec<staking::Claim> {
    let staking = chain.deployment().staking.clone();
    let r: staking::ClaimsResponse = chain
        .query(
            &staking,
            &staking::QueryMsg::Claims {
                address: address.to_string(),
            },
        )
        .unwrap();
    r.claims
}

/// What the deployment does when it hands the contracts to the DAO: staking then refuses to
/// unbond below the market's stake at risk.
fn link_staking_to_the_market(chain: &dyn Chain) {
    let d = chain.deployment().clone();
    chain
        .execute(
            "owner",
            &d.staking,
            &staking::ExecuteMsg::SetMarket {
                address: Some(d.market.clone()),
            },
        )
        .unwrap();
}

#[test]
fn deregister_is_refused_while_a_job_is_assigned_and_done_once_it_is_final() {
    let chain = chain(&["p1"]);
    let p1 = chain.address("p1").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (id, _) = submit_digits(&chain, 4, 1);
    let locked = exposure(&*chain, &p1);
    assert_eq!(
        (locked.locked.u128(), locked.unfinished_jobs),
        (100 * TOKEN, 1)
    );

    let err = provider::deregister(&*chain, "p1").unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "cannot deregister {p1}: 1 job still assigned (ids {id}; 100 ACN at risk); keep `acn-worker run` going until they are final, then deregister"
        )
    );
    assert!(registered(&*chain, &p1).active, "nothing was sent");
    // The market itself refuses the same thing.
    let raw = chain
        .market_exec("p1", &market::ExecuteMsg::Deregister {})
        .unwrap_err();
    assert!(
        raw.to_string().contains("provider has 1 unfinished jobs"),
        "{raw}"
    );

    let mut w = worker(&chain, "p1", &dir.path().join("p1.journal"), engine());
    w.tick().unwrap(); // takes the job
    w.tick().unwrap(); // commits
    release(&chain, id);
    w.tick().unwrap(); // reveals: settled
    assert_eq!(job(&chain, id).status, JobStatus::Settled);

    let done = provider::deregister(&*chain, "p1").unwrap();
    assert_eq!(done.bonded.u128(), 2_000 * TOKEN);
    assert_eq!(
        done.to_string(),
        format!(
            "deregistered {p1} (height {}, gas 0): the market assigns it no new jobs; 2000 ACN stays bonded — `acn-worker unbond --amount 2000` starts withdrawing it (unbonding takes 14 d 0 h)",
            done.height
        )
    );
    assert!(!registered(&*chain, &p1).active);
    // No provider left to draw: a submission is refused.
    assert!(try_submit_digits(&chain, 4, 1).0.is_err());

    let err = provider::deregister(&*chain, "p1").unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("{p1} is already deregistered: the market assigns it no jobs")
    );

    // Registering again reactivates the record, reputation kept.
    let back = provider::register(
        &*chain,
        "p1",
        Registration {
            models: specs_ids(),
            min_unit_price: 0,
            hardware: hardware(),
            bond: None,
        },
    )
    .unwrap();
    assert_eq!(
        (back.action.as_str(), back.bonded_now.u128()),
        ("re-registered", 0)
    );
    let p = registered(&*chain, &p1);
    assert!(p.active);
    assert_eq!(p.reputation.agreed, 1);
    submit_digits(&chain, 4, 1);
}

#[test]
fn deregister_by_an_address_the_market_does_not_know_is_refused() {
    let chain = chain(&["p1"]);
    let buyer = chain.address("buyer").unwrap();
    let err = provider::deregister(&*chain, "buyer").unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("{buyer} is not a registered provider: there is nothing to deregister")
    );
}

#[test]
fn unbond_is_refused_beyond_the_bonded_and_the_locked_stake_and_prints_when_it_matures() {
    let chain = chain(&["p1"]);
    let p1 = chain.address("p1").unwrap();
    link_staking_to_the_market(&*chain);
    submit_digits(&chain, 4, 1); // locks 100 ACN of p1's 2 000

    let err = provider::unbond(&*chain, "p1", 3_000 * TOKEN).unwrap_err();
    assert_eq!(
        err.to_string(),
        "cannot unbond 3000 ACN: only 2000 ACN is bonded"
    );
    let err = provider::unbond(&*chain, "p1", 1_950 * TOKEN).unwrap_err();
    assert_eq!(
        err.to_string(),
        "cannot unbond 1950 ACN: 100 ACN of the 2000 ACN bonded is at risk in 1 unfinished job; at most 1900 ACN can be unbonded until they end"
    );
    // Staking refuses the same unbond, for the same reason.
    let staking_addr = chain.deployment().staking.clone();
    let raw = chain
        .execute(
            "p1",
            &staking_addr,
            &staking::ExecuteMsg::Unbond {
                amount: (1_950 * TOKEN).into(),
            },
        )
        .unwrap_err();
    assert!(raw.to_string().contains("locked at risk"), "{raw}");
    assert!(claims(&*chain, &p1).is_empty());

    let u = provider::unbond(&*chain, "p1", parse_tokens("500.5").unwrap()).unwrap();
    let now = chain.block().unwrap();
    let matures = now.time + FOURTEEN_DAYS;
    assert_eq!(u.claim.matures_at, Some(matures));
    let Expiration::AtTime(release) = claims(&*chain, &p1)[0].release_at else {
        panic!("a time claim")
    };
    assert_eq!(release.seconds(), matures);
    assert_eq!(u.bonded, chain.stake(&p1).unwrap().bonded);
    assert_eq!(u.bonded.u128(), 1_499_500_000);
    assert_eq!(u.below_min_provider_stake, None);
    assert_eq!(
        u.to_string(),
        format!(
            "unbonding 500.5 ACN from {p1} (height {}, gas 0): matures {} (in 14 d 0 h); 1499.5 ACN stays bonded",
            now.height,
            format_time(matures)
        )
    );

    // Below the market's minimum provider stake: allowed, with a note.
    let u = provider::unbond(&*chain, "p1", 1_000 * TOKEN).unwrap();
    assert_eq!(
        u.below_min_provider_stake.map(|m| m.u128()),
        Some(1_000 * TOKEN)
    );
    assert!(u.to_string().ends_with(
        "; 499.5 ACN stays bonded\nnote: that is below the market's minimum provider stake of 1000 ACN: no new jobs will be assigned"
    ), "{u}");
    assert_eq!(chain.stake(&p1).unwrap().unbonding.u128(), 1_500_500_000);
}

#[test]
fn unbond_is_refused_with_as_many_open_claims_as_staking_allows() {
    let chain = chain_with(&["p1"], |b| b.with_max_claims(2));
    let p1 = chain.address("p1").unwrap();
    provider::unbond(&*chain, "p1", TOKEN).unwrap();
    provider::unbond(&*chain, "p1", TOKEN).unwrap();
    let err = provider::unbond(&*chain, "p1", TOKEN).unwrap_err();
    assert_eq!(
        err.to_string(),
        "cannot unbond: 2 unbonding claims are open, the most staking allows; claim the matured ones first"
    );
    assert_eq!(claims(&*chain, &p1).len(), 2);
}

#[test]
fn status_shows_the_chains_numbers_for_an_honest_and_a_slashed_provider() {
    let chain = chain(&["p1", "p2", "p3"]);
    let dir = tempfile::tempdir().unwrap();
    let mut honest1 = worker(&chain, "p1", &dir.path().join("1"), engine());
    let mut honest2 = worker(&chain, "p2", &dir.path().join("2"), engine());
    let mut cfg = config("p3", &dir.path().join("3"));
    cfg.behaviour = Behaviour::Cheat;
    let mut cheat = Worker::new(
        chain.clone() as Arc<dyn Chain + Send + Sync>,
        engine(),
        cfg,
        &specs(),
    )
    .unwrap();
    let (first, _) = submit_digits(&chain, 8, 3);
    for _ in 0..6 {
        honest1.tick().unwrap();
        honest2.tick().unwrap();
        cheat.tick().unwrap();
        chain.wait_blocks(1).unwrap();
    }
    assert_eq!(job(&chain, first).status, JobStatus::Settled);
    provider::unbond(&*chain, "p1", 100 * TOKEN).unwrap();
    let (second, _) = submit_digits(&chain, 4, 3); // assigned to all three, nobody works yet

    for (account, outcome) in [("p1", SlotOutcome::Agreed), ("p3", SlotOutcome::Outvoted)] {
        let address = chain.address(account).unwrap();
        let s = status::status(&*chain, account).unwrap();
        let json = serde_json::to_value(&s).unwrap();
        let stake = chain.stake(&address).unwrap();
        let exp = exposure(&*chain, &address);
        let p = registered(&*chain, &address);
        let second_job = job(&chain, second);
        let slot = second_job
            .slots
            .iter()
            .find(|s| s.provider.as_str() == address)
            .unwrap();
        let s_ = |v: u128| serde_json::Value::String(v.to_string());
        assert_eq!(json["address"], address.as_str());
        assert_eq!(json["height"], chain.block().unwrap().height);
        assert_eq!(json["balance"], s_(chain.balance(&address).unwrap()));
        assert_eq!(json["stake"]["bonded"], s_(stake.bonded.u128()));
        assert_eq!(json["stake"]["unbonding"], s_(stake.unbonding.u128()));
        assert_eq!(json["stake"]["locked"], s_(exp.locked.u128()));
        assert_eq!(json["stake"]["locked"], s_(slot.at_risk.u128()));
        assert_eq!(
            json["stake"]["unbondable"],
            s_(stake.bonded.u128() - exp.locked.u128())
        );
        assert_eq!(json["stake"]["min_provider_stake"], s_(1_000 * TOKEN));
        let r = &json["provider"]["reputation"];
        assert_eq!(json["provider"]["active"], true);
        assert_eq!(json["provider"]["models"], serde_json::json!(specs_ids()));
        assert_eq!(json["provider"]["unfinished_jobs"], exp.unfinished_jobs);
        assert_eq!(r["jobs_done"], p.reputation.jobs_done);
        assert_eq!(r["agreed"], p.reputation.agreed);
        assert_eq!(r["outvoted"], p.reputation.outvoted);
        assert_eq!(r["slashed"], s_(p.reputation.slashed.u128()));
        assert_eq!(r["strikes"], p.reputation.strikes);
        assert_eq!(
            r["last_offence"],
            serde_json::json!(p.reputation.last_offence.map(|t| t.seconds()))
        );
        assert_eq!(r["jailed_until"], serde_json::Value::Null);
        assert_eq!(r["cooling_down_until"], serde_json::Value::Null);
        let jobs = json["jobs"].as_array().unwrap();
        assert_eq!(jobs.len(), 1);
        assert_eq!(jobs[0]["id"], second);
        assert_eq!(jobs[0]["status"], "open");
        assert_eq!(jobs[0]["at_risk"], s_(slot.at_risk.u128()));
        assert_eq!(jobs[0]["committed"], false);
        assert_eq!(
            jobs[0]["commit_deadline"],
            second_job.commit_deadline.seconds()
        );
        let first_slot = job(&chain, first)
            .slots
            .into_iter()
            .find(|s| s.provider.as_str() == address)
            .unwrap();
        assert_eq!(first_slot.outcome, Some(outcome));
        match outcome {
            SlotOutcome::Agreed => {
                assert_eq!((p.reputation.agreed, p.reputation.strikes), (1, 0));
                let c = claims(&*chain, &address);
                assert_eq!(json["claims"][0]["amount"], s_(100 * TOKEN));
                let Expiration::AtTime(t) = c[0].release_at else {
                    panic!("a time claim")
                };
                assert_eq!(json["claims"][0]["matures_at"], t.seconds());
                assert_eq!(json["claims"][0]["matured"], false);
            }
            _ => {
                // slashed 100 % of a 100 ACN slot stake
                assert_eq!(json["stake"]["bonded"], s_(1_900 * TOKEN));
                assert_eq!(r["slashed"], s_(100 * TOKEN));
                assert_eq!(r["strikes"], 1);
                assert_eq!(json["claims"], serde_json::json!([]));
            }
        }
    }

    // The text form of the slashed provider, with its journal.
    drop(cheat);
    let journal = Journal::open(&dir.path().join("3")).unwrap();
    let report = status::status_report(Some(&*chain), "p3", &journal).unwrap();
    let text = report.to_string();
    let p3 = chain.address("p3").unwrap();
    let last = registered(&*chain, &p3).reputation.last_offence.unwrap();
    for line in [
        format!("account      p3 ({p3})"),
        "stake        1900 ACN bonded: 100 ACN locked at risk, 1800 ACN unbondable; 0 ACN unbonding; 0 ACN rewards pending".into(),
        "reputation   1 job done: 0 agreed, 1 outvoted, 0 missed".into(),
        format!(
            "offences     100 ACN slashed in total; 1 strike in the offence window (last {}); not jailed",
            format_time(last.seconds())
        ),
        "jobs         1 unfinished holding a slot of this provider".into(),
        "finished     1 (agreed 0, outvoted 1, missed 0); in flight 0; earned 0 ACN".into(),
    ] {
        assert!(text.lines().any(|l| l == line), "{line:?} missing in\n{text}");
    }
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["journal"]["outvoted"], 1);
    assert_eq!(json["chain"]["address"], p3.as_str());
}

//! The worker against the embedded chain, with the real models on burn's ndarray backend.

use std::path::Path;
use std::sync::Arc;

use cosmwasm_std::{Binary, Timestamp, Uint128};

use acn_client::{Chain, ChainExt, EmbeddedChain};
use acn_interface::market::{self, JobStatus, ModelSpec, SlotOutcome};
use acn_interface::staking;
use acn_models::{Backend, Engine, RegistryEntry};
use acn_testing::{hardware, SuiteBuilder, TOKEN};
use acn_worker::{Behaviour, Executor, Journal, Stage, Worker, WorkerConfig};

const MLP: &str = "digits-mlp-v1";

fn registry() -> Vec<RegistryEntry> {
    acn_models::load_registry(&acn_models::registry::default_registry_path()).unwrap()
}

fn specs() -> Vec<ModelSpec> {
    registry().into_iter().map(|e| e.spec).collect()
}

fn engine() -> Engine {
    let mut engine = Engine::new(Backend::Ndarray).unwrap();
    for entry in registry() {
        engine
            .load(&entry, &acn_models::registry::default_weights_dir())
            .unwrap();
    }
    engine
}

fn chain(providers: &[&str]) -> Arc<EmbeddedChain> {
    let specs = specs();
    let names: Vec<String> = providers.iter().map(|s| s.to_string()).collect();
    let chain = EmbeddedChain::start(move || {
        let mut b = SuiteBuilder::new()
            .with_market_params(|m| m.models = specs)
            .with_funds("buyer", 10_000 * TOKEN);
        for p in &names {
            b = b.with_funds(p, 5_000 * TOKEN);
        }
        b.build()
    })
    .unwrap();
    let d = chain.deployment().clone();
    for p in providers {
        chain
            .send_tokens(p, &d.staking, 2_000 * TOKEN, &staking::ReceiveMsg::Bond {})
            .unwrap();
        chain
            .market_exec(
                p,
                &market::ExecuteMsg::RegisterProvider {
                    hardware: hardware(),
                    models: specs_ids(),
                    min_unit_price: Uint128::zero(),
                },
            )
            .unwrap();
    }
    Arc::new(chain)
}

fn specs_ids() -> Vec<String> {
    specs().into_iter().map(|s| s.id).collect()
}

fn config(account: &str, journal: &Path) -> WorkerConfig {
    WorkerConfig {
        account: account.into(),
        backend: Backend::Ndarray,
        models: specs_ids(),
        registry: acn_models::registry::default_registry_path(),
        weights_dir: None,
        journal: journal.to_path_buf(),
        capacity: 4,
        poll_interval_ms: 1,
        min_unit_price: 0,
        max_retries: 2,
        behaviour: Behaviour::Honest,
        chain: None,
        metrics: None,
    }
}

fn worker<E: Executor>(
    chain: &Arc<EmbeddedChain>,
    account: &str,
    journal: &Path,
    executor: E,
) -> Worker<E> {
    Worker::new(
        chain.clone() as Arc<dyn Chain>,
        executor,
        config(account, journal),
        &specs(),
    )
    .unwrap()
}

/// Submit `batch` held-out digits as one job; returns (job id, true labels).
fn submit_digits(chain: &EmbeddedChain, batch: usize, redundancy: u8) -> (u64, Vec<u8>) {
    let held_out = acn_models::data::digits_split().unwrap().held_out;
    let input: Vec<u8> = held_out.images[..batch].iter().flatten().copied().collect();
    let d = chain.deployment().clone();
    let now = chain.block().unwrap().time;
    let tx = chain
        .send_tokens(
            "buyer",
            &d.market,
            100 * TOKEN,
            &market::ReceiveMsg::SubmitJob {
                model_id: MLP.into(),
                input: Binary::from(input),
                batch: batch as u32,
                redundancy,
                max_unit_price: Uint128::new(1_000_000),
                deadline: Timestamp::from_seconds(now + 3_600),
                audit_commitment: (redundancy == 1).then(|| {
                    cosmwasm_std::HexBinary::from(market::audit_commitment(AUDIT_SECRET).to_vec())
                }),
            },
        )
        .unwrap();
    (
        tx.attr("job_id").unwrap().parse().unwrap(),
        held_out.labels[..batch].to_vec(),
    )
}

/// The buyer's audit secret for its redundancy-1 jobs.
const AUDIT_SECRET: &[u8] = b"worker test audit secret";

/// The buyer reveals its audit secret once the provider committed (with a single provider no
/// auditor can be drawn, so the job's reveal phase opens at once).
fn release(chain: &EmbeddedChain, id: u64) {
    let tx = chain
        .market_exec(
            "buyer",
            &market::ExecuteMsg::RevealAuditSecret {
                job_id: id,
                secret: Binary::from(AUDIT_SECRET.to_vec()),
            },
        )
        .unwrap();
    assert_eq!(tx.attr("audited"), Some("false"));
}

fn job(chain: &EmbeddedChain, id: u64) -> market::JobResponse {
    chain.market(&market::QueryMsg::Job { id }).unwrap()
}

#[test]
fn two_workers_run_a_real_job_to_settlement() {
    let chain = chain(&["p1", "p2"]);
    let dir = tempfile::tempdir().unwrap();
    let mut w1 = worker(&chain, "p1", &dir.path().join("p1.journal"), engine());
    let mut w2 = worker(&chain, "p2", &dir.path().join("p2.journal"), engine());
    let (id, labels) = submit_digits(&chain, 16, 2);
    for _ in 0..6 {
        w1.tick().unwrap();
        w2.tick().unwrap();
        chain.wait_blocks(1).unwrap();
    }
    let j = job(&chain, id);
    assert_eq!(j.status, JobStatus::Settled);
    let result = j.result.unwrap();
    let predicted: Vec<u32> = result
        .chunks_exact(4)
        .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect();
    let correct = predicted
        .iter()
        .zip(&labels)
        .filter(|(p, l)| **p == **l as u32)
        .count();
    assert!(correct >= 15, "{correct}/16 correct");
    for (w, p) in [(&w1, "p1"), (&w2, "p2")] {
        let e = w.earnings();
        assert_eq!((e.finished, e.agreed, e.in_flight), (1, 1, 0), "{p}");
        assert!(e.paid > 0);
        assert_eq!(chain.balance(w.address()).unwrap(), 3_000 * TOKEN + e.paid);
    }
}

#[test]
fn a_worker_killed_after_commit_resumes_and_reveals_with_the_same_salt() {
    let chain = chain(&["p1"]);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p1.journal");
    let (id, _) = submit_digits(&chain, 4, 1);
    {
        let mut w = worker(&chain, "p1", &path, engine());
        let r = w.tick().unwrap(); // claims
        assert_eq!(r.claimed, 1);
        let r = w.tick().unwrap(); // computes, journals the salt, commits
        assert_eq!(r.committed, 1);
        assert_eq!(w.journal().get(id).unwrap().stage, Stage::Committed);
        release(&chain, id);
        // the worker "dies" here, before revealing
    }
    let salt_before = Journal::open(&path).unwrap().get(id).unwrap().salt.clone();
    assert!(job(&chain, id).slots[0].commitment.is_some());

    let mut w = worker(&chain, "p1", &path, engine());
    assert_eq!(w.resume().unwrap(), 0);
    let r = w.tick().unwrap();
    assert_eq!(
        (r.committed, r.revealed),
        (0, 1),
        "no second commit, one reveal"
    );
    // the reveal matched the on-chain commitment, so the salt was the journaled one
    let j = job(&chain, id);
    assert_eq!(j.status, JobStatus::Settled);
    assert_eq!(j.slots[0].outcome, Some(SlotOutcome::Agreed));
    w.tick().unwrap();
    let entry = w.journal().get(id).unwrap().clone();
    assert_eq!(entry.stage, Stage::Finished);
    assert_eq!(entry.salt, salt_before);
    assert_eq!(entry.paid, j.slots[0].paid.u128());
    assert!(entry.paid > 0);
}

#[test]
fn the_salts_of_one_pass_share_one_fdatasync_before_any_commit() {
    let chain = chain(&["p1"]);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p1.journal");
    let ids: Vec<u64> = (0..4).map(|_| submit_digits(&chain, 4, 1).0).collect();
    let mut w = worker(&chain, "p1", &path, engine());
    assert_eq!(
        w.tick().unwrap().claimed,
        4,
        "capacity 4: all claimed in one pass"
    );
    let before = w.journal().syncs();
    let r = w.tick().unwrap();
    assert_eq!(r.committed, 4);
    for id in &ids {
        release(&chain, *id);
    }
    assert_eq!(
        w.journal().syncs() - before,
        1,
        "one group commit for 4 salts"
    );
    // What reached the chain is what is on disk: reopen the file and compare.
    let on_disk = Journal::open(&path).unwrap();
    for id in &ids {
        let entry = on_disk.get(*id).unwrap();
        assert_eq!(entry.stage, Stage::Committed);
        assert_eq!(
            job(&chain, *id).slots[0]
                .commitment
                .as_ref()
                .map(hex::encode),
            entry.commitment
        );
    }
    // A pass with nothing to compute syncs nothing.
    let before = w.journal().syncs();
    chain.wait_blocks(1).unwrap();
    let r = w.tick().unwrap();
    assert_eq!(r.revealed, 4);
    assert_eq!(w.journal().syncs(), before);
    for id in ids {
        assert_eq!(job(&chain, id).status, JobStatus::Settled);
    }
}

#[test]
fn a_crash_between_the_commit_and_its_journal_write_does_not_commit_twice() {
    let chain = chain(&["p1"]);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p1.journal");
    let (id, _) = submit_digits(&chain, 4, 1);
    {
        let mut w = worker(&chain, "p1", &path, engine());
        w.tick().unwrap();
        w.tick().unwrap();
    }
    release(&chain, id);
    // Roll the journal back to "Computed": as if the process died after the commit tx was
    // included but before the journal recorded it.
    let mut j = Journal::open(&path).unwrap();
    let mut entry = j.get(id).unwrap().clone();
    entry.stage = Stage::Computed;
    j.record(entry).unwrap();

    let mut w = worker(&chain, "p1", &path, engine());
    let r = w.tick().unwrap();
    assert_eq!(
        r.committed, 0,
        "the on-chain commitment is recognised as ours"
    );
    assert_eq!(w.journal().get(id).unwrap().stage, Stage::Committed);
    w.tick().unwrap();
    assert_eq!(job(&chain, id).status, JobStatus::Settled);
}

#[test]
fn an_assignment_the_journal_never_saw_is_adopted_on_resume() {
    let chain = chain(&["p1"]);
    let dir = tempfile::tempdir().unwrap();
    // assigned on chain at submission while the worker was not running: its journal never
    // saw the job
    let (id, _) = submit_digits(&chain, 4, 1);
    let mut w = worker(&chain, "p1", &dir.path().join("p1.journal"), engine());
    assert_eq!(w.resume().unwrap(), 1);
    w.tick().unwrap();
    release(&chain, id);
    w.tick().unwrap();
    assert_eq!(job(&chain, id).status, JobStatus::Settled);
}

/// An executor that always fails, like a device lost mid-job.
struct Broken;

impl Executor for Broken {
    fn execute(&mut self, _: &ModelSpec, _: &[u8], _: u32) -> anyhow::Result<Vec<u8>> {
        anyhow::bail!("device lost")
    }
    fn device(&self) -> String {
        "broken".into()
    }
}

#[test]
fn a_failing_model_run_never_crashes_the_worker() {
    let chain = chain(&["p1"]);
    let dir = tempfile::tempdir().unwrap();
    let mut w = worker(&chain, "p1", &dir.path().join("p1.journal"), Broken);
    let (id, _) = submit_digits(&chain, 4, 1);
    assert_eq!(w.tick().unwrap().claimed, 1);
    for _ in 0..3 {
        let r = w.tick().unwrap();
        assert_eq!(r.committed, 0);
    }
    assert_eq!(w.journal().get(id).unwrap().stage, Stage::Claimed);
}

#[test]
fn the_engine_refuses_malformed_inputs_without_panicking() {
    let mut e = engine();
    let spec = specs().into_iter().find(|s| s.id == MLP).unwrap();
    assert!(e.execute(&spec, &[0u8; 63], 1).is_err());
    assert!(e.execute(&spec, &[], 0).is_err());
    assert!(e.execute(&spec, &vec![0u8; 64 * 65], 65).is_err());
    assert!(acn_worker::validate_input(&spec, &[0u8; 63], 1, 65_536).is_err());
    assert!(acn_worker::validate_input(&spec, &[0u8; 64], 1, 65_536).is_ok());
}

#[test]
fn a_model_whose_on_chain_weights_differ_is_not_served() {
    let chain = chain(&[]);
    let dir = tempfile::tempdir().unwrap();
    let mut local = specs();
    local[0].weights_sha256 = "00".repeat(32);
    let err = Worker::new(
        chain.clone() as Arc<dyn Chain>,
        engine(),
        config("p1", &dir.path().join("j")),
        &local,
    )
    .err()
    .unwrap();
    assert!(
        err.to_string().contains("differs from the local weights"),
        "{err}"
    );
}

#[test]
fn a_cheating_worker_is_outvoted_and_slashed() {
    let chain = chain(&["p1", "p2", "p3"]);
    let dir = tempfile::tempdir().unwrap();
    let mut honest1 = worker(&chain, "p1", &dir.path().join("1"), engine());
    let mut honest2 = worker(&chain, "p2", &dir.path().join("2"), engine());
    let mut cfg = config("p3", &dir.path().join("3"));
    cfg.behaviour = Behaviour::Cheat;
    let mut cheat = Worker::new(chain.clone() as Arc<dyn Chain>, engine(), cfg, &specs()).unwrap();
    let (id, _) = submit_digits(&chain, 8, 3);
    for _ in 0..6 {
        cheat.tick().unwrap();
        honest1.tick().unwrap();
        honest2.tick().unwrap();
        chain.wait_blocks(1).unwrap();
    }
    let j = job(&chain, id);
    assert_eq!(j.status, JobStatus::Settled);
    let p3 = chain.address("p3").unwrap();
    let slot = j.slots.iter().find(|s| s.provider.as_str() == p3).unwrap();
    assert_eq!(slot.outcome, Some(SlotOutcome::Outvoted));
    assert_eq!(chain.stake(&p3).unwrap().bonded.u128(), 1_900 * TOKEN);
}

//! The worker against the embedded chain, with the real models on burn's ndarray backend.

mod common;

use std::sync::Arc;

use acn_client::{Chain, ChainExt};
use acn_interface::market::{self, JobStatus, ModelSpec, SlotOutcome};
use acn_testing::TOKEN;
use acn_worker::{Behaviour, Executor, Journal, Stage, Worker};

use common::*;

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
fn a_text_job_settles_with_providers_on_two_backends() {
    // Text costs 344 000 units per item: start the price at its floor so that a slot's stake
    // at risk stays within the providers' bond.
    let chain = chain_with(&["p1", "p2"], |b| {
        b.with_market_params(|m| m.initial_unit_price = 1)
    });
    let dir = tempfile::tempdir().unwrap();
    let mut w1 = worker(&chain, "p1", &dir.path().join("p1.journal"), engine());
    let flex = engine_on(acn_models::Backend::Flex);
    let mut w2 = worker(&chain, "p2", &dir.path().join("p2.journal"), flex);
    let texts = [
        "How do I reset my password?",
        "The package was delivered to the wrong address.",
        "Москва — столица России.",
    ];
    let id = submit_texts(&chain, &texts, 2);
    for _ in 0..6 {
        w1.tick().unwrap();
        w2.tick().unwrap();
        chain.wait_blocks(1).unwrap();
    }
    let j = job(&chain, id);
    assert_eq!(j.status, JobStatus::Settled);
    let result = j.result.unwrap();
    assert_eq!(result.len(), 3 * 384 * 4);
    for item in result.chunks_exact(384 * 4) {
        let norm = item
            .chunks_exact(4)
            .map(|c| f64::from(i32::from_le_bytes([c[0], c[1], c[2], c[3]])).powi(2))
            .sum::<f64>()
            .sqrt();
        assert!((norm / 1e6 - 1.0).abs() < 1e-4, "norm {norm}");
    }
    for (w, p) in [(&w1, "p1"), (&w2, "p2")] {
        let e = w.earnings();
        assert_eq!((e.finished, e.agreed, e.in_flight), (1, 1, 0), "{p}");
    }
}

#[test]
fn a_classification_job_settles_with_providers_on_two_backends() {
    // The intent classifier costs 344 003 units per text: start the price at its floor.
    let chain = chain_with(&["p1", "p2"], |b| {
        b.with_market_params(|m| m.initial_unit_price = 1)
    });
    let dir = tempfile::tempdir().unwrap();
    let mut w1 = worker(&chain, "p1", &dir.path().join("p1.journal"), engine());
    let flex = engine_on(acn_models::Backend::Flex);
    let mut w2 = worker(&chain, "p2", &dir.path().join("p2.journal"), flex);
    // Held-out texts of the intent dataset, one per class.
    let held_out = acn_models::intent::intents_split().unwrap().held_out;
    let picks: Vec<usize> = (0..8)
        .map(|c| held_out.labels.iter().position(|&l| l == c).unwrap())
        .collect();
    let texts: Vec<&str> = picks.iter().map(|&i| held_out.texts[i].as_str()).collect();
    let id = submit_texts_to(&chain, acn_models::intent::INTENT_ID, &texts, 2);
    for _ in 0..6 {
        w1.tick().unwrap();
        w2.tick().unwrap();
        chain.wait_blocks(1).unwrap();
    }
    let j = job(&chain, id);
    assert_eq!(j.status, JobStatus::Settled);
    let labels: Vec<u32> = j
        .result
        .unwrap()
        .chunks_exact(4)
        .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect();
    // What one engine computes alone, and (mostly) the dataset's labels.
    let owned: Vec<String> = texts.iter().map(|t| t.to_string()).collect();
    let alone = acn_models::intent::classify(&engine(), acn_models::intent::INTENT_ID, &owned);
    assert_eq!(labels, alone.unwrap());
    let truth: Vec<u32> = picks.iter().map(|&i| held_out.labels[i]).collect();
    let correct = labels.iter().zip(&truth).filter(|(a, b)| a == b).count();
    assert!(correct >= 6, "{labels:?} vs {truth:?}");
    for (w, p) in [(&w1, "p1"), (&w2, "p2")] {
        let e = w.earnings();
        assert_eq!((e.finished, e.agreed, e.in_flight), (1, 1, 0), "{p}");
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
        chain.clone() as Arc<dyn Chain + Send + Sync>,
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
    let mut cheat = Worker::new(
        chain.clone() as Arc<dyn Chain + Send + Sync>,
        engine(),
        cfg,
        &specs(),
    )
    .unwrap();
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

/// The embedded chain, recording the name of every message executed through it.
struct Recording {
    inner: Arc<acn_testing::SuiteChain>,
    sent: std::sync::Mutex<Vec<String>>,
    /// Messages per transaction, in order.
    txs: std::sync::Mutex<Vec<usize>>,
    /// A job whose messages the chain refuses, as if another party had just finalized it.
    refuse_job: std::sync::Mutex<Option<u64>>,
}

impl Recording {
    fn new(inner: Arc<acn_testing::SuiteChain>) -> Self {
        Recording {
            inner,
            sent: Default::default(),
            txs: Default::default(),
            refuse_job: Default::default(),
        }
    }

    fn refused(&self, msg: &[u8]) -> Result<(), acn_client::ChainError> {
        let value: serde_json::Value = serde_json::from_slice(msg).unwrap();
        let job_id = value.as_object().unwrap().values().next().unwrap()["job_id"].as_u64();
        match *self.refuse_job.lock().unwrap() {
            Some(id) if job_id == Some(id) => Err(acn_client::ChainError::Rejected(format!(
                "job {id} is already final"
            ))),
            _ => Ok(()),
        }
    }
}

impl Chain for Recording {
    fn deployment(&self) -> &acn_client::Deployment {
        self.inner.deployment()
    }
    fn address(&self, account: &str) -> Result<String, acn_client::ChainError> {
        self.inner.address(account)
    }
    fn query_json(&self, contract: &str, msg: &[u8]) -> Result<Vec<u8>, acn_client::ChainError> {
        self.inner.query_json(contract, msg)
    }
    fn execute_json_with_funds(
        &self,
        account: &str,
        contract: &str,
        msg: &[u8],
        funds: &[(String, u128)],
    ) -> Result<acn_client::TxResult, acn_client::ChainError> {
        let value: serde_json::Value = serde_json::from_slice(msg).unwrap();
        let name = value.as_object().unwrap().keys().next().unwrap().clone();
        self.refused(msg)?;
        self.sent.lock().unwrap().push(name);
        self.txs.lock().unwrap().push(1);
        self.inner
            .execute_json_with_funds(account, contract, msg, funds)
    }
    fn execute_batch(
        &self,
        account: &str,
        calls: &[acn_client::Call],
    ) -> Result<acn_client::TxResult, acn_client::ChainError> {
        for call in calls {
            self.refused(&call.msg)?;
        }
        for call in calls {
            let value: serde_json::Value = serde_json::from_slice(&call.msg).unwrap();
            let name = value.as_object().unwrap().keys().next().unwrap().clone();
            self.sent.lock().unwrap().push(name);
        }
        self.txs.lock().unwrap().push(calls.len());
        self.inner.execute_batch(account, calls)
    }
    fn bank_balance(&self, address: &str, denom: &str) -> Result<u128, acn_client::ChainError> {
        self.inner.bank_balance(address, denom)
    }
    fn block(&self) -> Result<acn_client::Block, acn_client::ChainError> {
        self.inner.block()
    }
    fn wait_blocks(&self, blocks: u64) -> Result<acn_client::Block, acn_client::ChainError> {
        self.inner.wait_blocks(blocks)
    }
    fn wait_seconds(&self, seconds: u64) -> Result<acn_client::Block, acn_client::ChainError> {
        self.inner.wait_seconds(seconds)
    }
}

/// The worker of `p1` on `chain` through a [`Recording`] of what it sends (its journal in `dir`).
fn recorded_worker(
    chain: &Arc<acn_testing::SuiteChain>,
    dir: &tempfile::TempDir,
) -> (Arc<Recording>, Worker<acn_models::Engine>) {
    let recording = Arc::new(Recording::new(chain.clone()));
    let worker = Worker::new(
        recording.clone() as Arc<dyn Chain + Send + Sync>,
        engine(),
        config("p1", &dir.path().join("p1.journal")),
        &specs(),
    )
    .unwrap();
    (recording, worker)
}

#[test]
fn a_worker_sends_no_reveal_before_the_buyer_decides_the_audit() {
    let chain = chain(&["p1"]);
    let dir = tempfile::tempdir().unwrap();
    let (recording, mut w) = recorded_worker(&chain, &dir);
    let (id, _) = submit_digits(&chain, 4, 1);
    w.tick().unwrap(); // takes the job
    w.tick().unwrap(); // commits: the only slot, but the audit is undecided
    for _ in 0..3 {
        chain.wait_blocks(1).unwrap();
        assert_eq!(w.tick().unwrap().revealed, 0);
    }
    assert_eq!(*recording.sent.lock().unwrap(), ["commit_result"]);
    release(&chain, id);
    assert_eq!(w.tick().unwrap().revealed, 1);
    assert_eq!(
        *recording.sent.lock().unwrap(),
        ["commit_result", "reveal_result"]
    );
    assert_eq!(job(&chain, id).status, JobStatus::Settled);
}

#[test]
fn a_worker_back_after_the_reveal_window_ends_the_job_instead_of_revealing() {
    let chain = chain(&["p1"]);
    let dir = tempfile::tempdir().unwrap();
    let (recording, mut w) = recorded_worker(&chain, &dir);
    let (id, _) = submit_digits(&chain, 4, 1);
    w.tick().unwrap();
    w.tick().unwrap(); // commits; the buyer never reveals its audit secret
                       // The worker is down through the commit and reveal windows (600 s each): nobody opened the
                       // reveal phase, so the job records no reveal deadline.
    chain.wait_seconds(1_205).unwrap();
    assert_eq!(job(&chain, id).reveal_deadline, None);
    assert_eq!(w.tick().unwrap().settled, 1);
    assert_eq!(
        *recording.sent.lock().unwrap(),
        ["commit_result", "settle"],
        "no reveal the market must refuse"
    );
    let j = job(&chain, id);
    assert_eq!(j.status, JobStatus::Expired);
    assert_eq!(j.slots[0].outcome, Some(SlotOutcome::Missed));
    w.tick().unwrap();
    let entry = w.journal().get(id).unwrap();
    assert_eq!(
        (entry.stage, entry.outcome.as_deref()),
        (Stage::Finished, Some("Missed"))
    );
    // `status` says why no job comes for the next hour (`miss_cooldown`).
    let p1 = chain.address("p1").unwrap();
    let record: market::ProviderResponse = chain
        .market(&market::QueryMsg::Provider { address: p1 })
        .unwrap();
    let status = acn_worker::status::status(&*chain, "p1").unwrap();
    assert_eq!(
        status.provider.unwrap().reputation.cooling_down_until,
        Some(record.reputation.last_miss.unwrap().seconds() + 3_600)
    );
    assert!(try_submit_digits(&chain, 4, 1)
        .0
        .unwrap_err()
        .to_string()
        .contains("not enough eligible providers"));
}

#[test]
fn a_pass_sends_all_its_commitments_and_reveals_in_one_transaction() {
    let chain = chain(&["p1"]);
    let dir = tempfile::tempdir().unwrap();
    let (recording, mut w) = recorded_worker(&chain, &dir);
    let ids: Vec<u64> = (0..3).map(|_| submit_digits(&chain, 4, 1).0).collect();
    assert_eq!(w.tick().unwrap().claimed, 3);
    assert_eq!(w.tick().unwrap().committed, 3);
    assert_eq!(
        *recording.txs.lock().unwrap(),
        [3],
        "three commitments, one transaction"
    );
    for id in &ids {
        release(&chain, *id);
    }
    assert_eq!(w.tick().unwrap().revealed, 3);
    assert_eq!(
        *recording.txs.lock().unwrap(),
        [3, 3],
        "three reveals, one transaction"
    );
    for id in ids {
        assert_eq!(job(&chain, id).status, JobStatus::Settled);
    }
}

#[test]
fn a_refused_batch_is_sent_one_message_at_a_time_so_one_job_holds_back_no_other() {
    let chain = chain(&["p1"]);
    let dir = tempfile::tempdir().unwrap();
    let (recording, mut w) = recorded_worker(&chain, &dir);
    let ids: Vec<u64> = (0..3).map(|_| submit_digits(&chain, 4, 1).0).collect();
    assert_eq!(w.tick().unwrap().claimed, 3);
    assert_eq!(w.tick().unwrap().committed, 3);
    for id in &ids {
        release(&chain, *id);
    }
    // The chain refuses anything about the middle job: the batch of three reveals fails as a
    // whole, then the other two go through one by one.
    *recording.refuse_job.lock().unwrap() = Some(ids[1]);
    assert_eq!(w.tick().unwrap().revealed, 2);
    assert_eq!(*recording.txs.lock().unwrap(), [3, 1, 1]);
    assert_eq!(job(&chain, ids[0]).status, JobStatus::Settled);
    assert_eq!(job(&chain, ids[2]).status, JobStatus::Settled);
    assert_eq!(job(&chain, ids[1]).status, JobStatus::Revealing);
    // The journal kept the middle job's output and salt: once the chain accepts it, it is
    // revealed by the next pass.
    *recording.refuse_job.lock().unwrap() = None;
    assert_eq!(w.tick().unwrap().revealed, 1);
    assert_eq!(job(&chain, ids[1]).status, JobStatus::Settled);
}

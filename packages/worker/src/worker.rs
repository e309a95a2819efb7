//! The job loop.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use cosmwasm_std::{Binary, HexBinary};
use rand::RngCore;
use tracing::{debug, info, warn};

use acn_client::{Call, Chain, ChainError, ChainExt, TxResult};
use acn_interface::market::{
    self, commitment, JobFilter, JobResponse, JobStatus, ModelSpec, ProviderResponse,
};

use crate::config::WorkerConfig;
use crate::executor::{apply_behaviour, validate_input, Executor};
use crate::journal::{Durability, Entry, Journal, Stage};
use crate::metrics::Metrics;

/// What one pass of the loop did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TickReport {
    /// Newly assigned jobs taken into the journal.
    pub claimed: u32,
    /// Commitments sent.
    pub committed: u32,
    /// Reveals sent.
    pub revealed: u32,
    /// Jobs seen final.
    pub finished: u32,
    /// Jobs refused for malformed input.
    pub refused: u32,
    /// Settlements this worker triggered.
    pub settled: u32,
}

impl TickReport {
    /// True if the pass changed anything.
    pub fn did_work(&self) -> bool {
        *self != TickReport::default()
    }
}

/// A commitment or reveal a pass sends, and the journal entry it moves on once included.
struct Step {
    /// The entry at its next stage (`Committed` or `Revealed`).
    entry: Entry,
    /// The market message.
    msg: market::ExecuteMsg,
}

/// A provider worker bound to one chain, one executor and one journal.
pub struct Worker<E: Executor> {
    chain: Arc<dyn Chain + Send + Sync>,
    executor: E,
    config: WorkerConfig,
    journal: Journal,
    address: String,
    specs: HashMap<String, ModelSpec>,
    max_input_bytes: u32,
    /// The market's reveal window: a reveal phase opened lazily (no phase-opening commit) ends
    /// this long after the commit deadline.
    reveal_window: u64,
    metrics: Arc<Metrics>,
    /// Weights of the training jobs run.
    trained: crate::training::TrainedStore,
}

impl<E: Executor> Worker<E> {
    /// Create a worker: checks that every served model is registered on chain with the same
    /// weights hash as the local registry (`local_specs`), and opens the journal.
    pub fn new(
        chain: Arc<dyn Chain + Send + Sync>,
        executor: E,
        config: WorkerConfig,
        local_specs: &[ModelSpec],
    ) -> anyhow::Result<Self> {
        config.check()?;
        let address = chain.address(&config.account)?;
        let journal = Journal::open(&config.journal)?;
        let mut specs = HashMap::new();
        for id in &config.models {
            let local = local_specs
                .iter()
                .find(|s| &s.id == id)
                .ok_or_else(|| anyhow::anyhow!("model {id} is not in the local registry"))?;
            let on_chain: market::ModelResponse =
                chain.market(&market::QueryMsg::Model { id: id.clone() })?;
            anyhow::ensure!(
                on_chain.spec.weights_sha256 == local.weights_sha256,
                "model {id}: on-chain weights hash {} differs from the local weights {}",
                on_chain.spec.weights_sha256,
                local.weights_sha256
            );
            specs.insert(id.clone(), on_chain.spec);
        }
        let cfg: market::ConfigResponse = chain.market(&market::QueryMsg::Config {})?;
        let trained = crate::training::TrainedStore::open(&config.trained_dir())?;
        Ok(Worker {
            trained,
            chain,
            executor,
            config,
            journal,
            address,
            specs,
            max_input_bytes: cfg.params.max_input_bytes,
            reveal_window: cfg.params.reveal_window,
            metrics: Arc::new(Metrics::default()),
        })
    }

    /// Record into `metrics` (e.g. the ones a [`crate::MetricsServer`] serves) instead of the
    /// worker's own.
    pub fn with_metrics(mut self, metrics: Arc<Metrics>) -> Self {
        self.metrics = metrics;
        self
    }

    /// The metrics this worker records.
    pub fn metrics(&self) -> &Arc<Metrics> {
        &self.metrics
    }

    /// The worker's chain address.
    pub fn address(&self) -> &str {
        &self.address
    }

    /// The journal.
    pub fn journal(&self) -> &Journal {
        &self.journal
    }

    /// The provider record on chain, if registered.
    pub fn provider(&self) -> Option<ProviderResponse> {
        self.chain
            .market(&market::QueryMsg::Provider {
                address: self.address.clone(),
            })
            .ok()
    }

    /// Call the chain, retrying transient errors with exponential backoff.
    fn with_retry<T>(&self, mut f: impl FnMut() -> Result<T, ChainError>) -> Result<T, ChainError> {
        let mut delay = Duration::from_millis(50);
        let mut attempt = 0;
        loop {
            match f() {
                Err(e) if e.is_transient() && attempt < self.config.max_retries => {
                    attempt += 1;
                    warn!(error = %e, attempt, "transient chain error; retrying");
                    std::thread::sleep(delay);
                    delay = (delay * 2).min(Duration::from_secs(5));
                }
                other => return other,
            }
        }
    }

    fn market_exec(&self, msg: &market::ExecuteMsg) -> Result<TxResult, ChainError> {
        self.with_retry(|| self.chain.market_exec(&self.config.account, msg))
    }

    fn job(&self, id: u64) -> Result<JobResponse, ChainError> {
        self.with_retry(|| self.chain.market(&market::QueryMsg::Job { id }))
    }

    /// Adopt slots the chain says this worker holds but the journal does not know (a crash
    /// between a claim and its journal write). Uncommitted ones are worked on normally.
    pub fn resume(&mut self) -> anyhow::Result<u32> {
        let mut adopted = 0;
        let mut start_after = None;
        loop {
            let page: market::JobsResponse = self.with_retry(|| {
                self.chain.market(&market::QueryMsg::Jobs {
                    filter: JobFilter::Provider {
                        address: self.address.clone(),
                    },
                    start_after,
                    limit: Some(100),
                })
            })?;
            let Some(last) = page.jobs.last() else { break };
            start_after = Some(last.id);
            for job in page.jobs {
                if job.status.is_final() || self.journal.get(job.id).is_some() {
                    continue;
                }
                let committed = job
                    .slots
                    .iter()
                    .any(|s| s.provider.as_str() == self.address && s.commitment.is_some());
                if committed {
                    // Cannot happen with this journal's ordering (salt is on disk before any
                    // commit); without the salt the job can only end as a miss.
                    warn!(
                        job_id = job.id,
                        "committed job missing from the journal; cannot reveal"
                    );
                    continue;
                }
                info!(
                    job_id = job.id,
                    "adopting a claimed job missing from the journal"
                );
                self.journal
                    .record_with(Entry::claimed(job.id, &job.model_id), Durability::Written)?;
                self.metrics.assigned();
                adopted += 1;
            }
        }
        self.journal.flush()?;
        Ok(adopted)
    }

    /// One pass: move every in-flight job forward, then take newly assigned jobs.
    ///
    /// Every claimed job is computed first and its salt written to the journal; one fdatasync
    /// then makes all of them durable (a group commit) before any of their commitments is sent.
    /// The pass's other journal lines are buffered and written once, at its end.
    pub fn tick(&mut self) -> anyhow::Result<TickReport> {
        let report = self.pass();
        self.journal.flush()?;
        report
    }

    fn pass(&mut self) -> anyhow::Result<TickReport> {
        let mut report = TickReport::default();
        let block = self.chain.block()?;
        self.metrics.polled(block.height);
        let now = block.time;
        let mut jobs = vec![];
        for entry in self.journal.in_flight() {
            match self.job(entry.job_id) {
                Ok(job) => jobs.push((entry, job)),
                Err(e) => warn!(job_id = entry.job_id, error = %e, "cannot read job; will retry"),
            }
        }
        let mut computed = false;
        for (entry, job) in &mut jobs {
            if entry.stage == Stage::Claimed && !job.status.is_final() {
                match self.compute(entry, job) {
                    Ok(()) => computed = true,
                    Err(e) => warn!(job_id = job.id, error = %e, "job step failed; will retry"),
                }
            }
        }
        if computed {
            self.journal.sync()?;
        }
        let mut steps = vec![];
        for (entry, job) in jobs {
            if entry.stage == Stage::Claimed && !job.status.is_final() {
                continue; // not computed (the failure is logged above): retry next pass
            }
            let id = entry.job_id;
            match self.advance(entry, job, now, &mut report) {
                Ok(Some(step)) => steps.push(step),
                Ok(None) => {}
                Err(e) => warn!(job_id = id, error = %e, "job step failed; will retry"),
            }
        }
        self.send_steps(steps, &mut report)?;
        self.take_assigned(now, &mut report)?;
        Ok(report)
    }

    /// Send the pass's commitments and reveals in one transaction; journal each entry's new
    /// stage once it is included. If the transaction is refused (one job's message is enough:
    /// a window that just closed, a job someone else settled), each message is sent on its own,
    /// so one job never holds the others back. A message that is refused again is retried from
    /// the chain's state next pass (the journal still holds its salt and output).
    fn send_steps(&mut self, steps: Vec<Step>, report: &mut TickReport) -> anyhow::Result<()> {
        if steps.is_empty() {
            return Ok(());
        }
        for step in &steps {
            if let market::ExecuteMsg::CommitResult { job_id, .. } = &step.msg {
                info!(job_id = *job_id, "sending commitment");
            }
        }
        let market = self.chain.deployment().market.clone();
        let calls = steps
            .iter()
            .map(|s| Call::new(&market, &s.msg))
            .collect::<Result<Vec<_>, _>>()?;
        let batch = if calls.len() > 1 {
            self.with_retry(|| self.chain.execute_batch(&self.config.account, &calls))
        } else {
            self.market_exec(&steps[0].msg)
        };
        match batch {
            Ok(_) => {
                for step in steps {
                    self.included(step, report)?;
                }
            }
            Err(e) if steps.len() > 1 => {
                debug!(error = %e, messages = steps.len(), "batch refused; sending one by one");
                for step in steps {
                    match self.market_exec(&step.msg) {
                        Ok(_) => self.included(step, report)?,
                        Err(e) => {
                            warn!(job_id = step.entry.job_id, error = %e, "job step failed; will retry")
                        }
                    }
                }
            }
            Err(e) => {
                warn!(job_id = steps[0].entry.job_id, error = %e, "job step failed; will retry")
            }
        }
        Ok(())
    }

    /// A step's message is on chain: count it and journal the entry's new stage.
    fn included(&mut self, step: Step, report: &mut TickReport) -> anyhow::Result<()> {
        let id = step.entry.job_id;
        match step.msg {
            market::ExecuteMsg::CommitResult { .. } => {
                report.committed += 1;
                self.metrics.committed();
                info!(job_id = id, "commitment sent");
            }
            _ => {
                report.revealed += 1;
                self.metrics.revealed();
                info!(job_id = id, "revealed");
            }
        }
        self.journal.record_with(step.entry, Durability::Written)?;
        Ok(())
    }

    /// Run a claimed job's model, draw the salt and derive the commitment; journal all of it
    /// (written; the caller syncs) before any commitment exists.
    fn compute(&mut self, entry: &mut Entry, job: &JobResponse) -> anyhow::Result<()> {
        if !job
            .slots
            .iter()
            .any(|s| s.provider.as_str() == self.address)
        {
            anyhow::bail!("job {} holds no slot of ours", job.id);
        }
        let spec = self
            .specs
            .get(&job.model_id)
            .ok_or_else(|| anyhow::anyhow!("model {} not served", job.model_id))?;
        let started = Instant::now();
        let honest = if spec.input.dtype == acn_interface::market::DType::Training {
            let trained =
                self.executor
                    .train(spec, &job.input, &mut crate::training::fetch_dataset)?;
            if let Some(weights) = &trained.weights {
                let hash = self.trained.put(weights)?;
                info!(job_id = job.id, weights_sha256 = %hash, "trained");
            }
            trained.output()
        } else {
            self.executor.execute(spec, &job.input, job.batch)?
        };
        self.metrics.model_run(&job.model_id, started.elapsed());
        let output = apply_behaviour(self.config.behaviour, spec, honest);
        let mut salt = [0u8; 32];
        rand::thread_rng().fill_bytes(&mut salt);
        let market = self.chain.deployment().market.clone();
        let c = commitment(&output, &salt, &self.address, job.id, &market);
        entry.output = Some(hex::encode(&output));
        entry.salt = Some(hex::encode(salt));
        entry.commitment = Some(hex::encode(c));
        entry.stage = Stage::Computed;
        self.journal.record_with(entry.clone(), Durability::Written)
    }

    /// Move a job on from its journal stage: journal what the chain already shows, and return
    /// the commitment or reveal to send, if one is due (sent by [`Self::send_steps`]).
    fn advance(
        &mut self,
        mut entry: Entry,
        job: JobResponse,
        now: u64,
        report: &mut TickReport,
    ) -> anyhow::Result<Option<Step>> {
        let slot = job
            .slots
            .iter()
            .find(|s| s.provider.as_str() == self.address)
            .cloned();
        if job.status.is_final() {
            entry.stage = Stage::Finished;
            entry.status = Some(format!("{:?}", job.status));
            entry.outcome = slot
                .as_ref()
                .and_then(|s| s.outcome)
                .map(|o| format!("{o:?}"));
            entry.paid = slot.as_ref().map(|s| s.paid.u128()).unwrap_or(0);
            self.metrics
                .finished(slot.as_ref().and_then(|s| s.outcome), entry.paid);
            info!(job_id = job.id, status = ?job.status, outcome = ?entry.outcome, paid = entry.paid, "job final");
            self.journal.record_with(entry, Durability::Written)?;
            report.finished += 1;
            return Ok(None);
        }
        let Some(slot) = slot else {
            anyhow::bail!("job {} holds no slot of ours", job.id);
        };

        if entry.stage == Stage::Computed {
            let ours = hex_field(&entry.commitment)?;
            match &slot.commitment {
                Some(c) if c.as_slice() == ours.as_slice() => {}
                Some(_) => anyhow::bail!("job {}: the chain holds a different commitment", job.id),
                None => {
                    if job.status != JobStatus::Open || now >= job.commit_deadline.seconds() {
                        // Too late to commit: the job can only end without us. Help it end.
                        self.finish_late(&job, now, report);
                        anyhow::bail!("job {}: commit window closed before we committed", job.id);
                    }
                    entry.stage = Stage::Committed;
                    return Ok(Some(Step {
                        entry,
                        msg: market::ExecuteMsg::CommitResult {
                            job_id: job.id,
                            commitment: HexBinary::from(ours),
                        },
                    }));
                }
            }
            entry.stage = Stage::Committed;
            self.journal
                .record_with(entry.clone(), Durability::Written)?;
            return Ok(None); // reveal in a later pass, once the reveal phase is open
        }

        if entry.stage == Stage::Committed {
            // The reveal window's end: recorded once the phase opened; for a phase still to be
            // opened lazily (nobody revealed yet), the commit deadline plus the window.
            let reveal_closes = job.reveal_deadline.map_or_else(
                || {
                    job.commit_deadline
                        .seconds()
                        .saturating_add(self.reveal_window)
                },
                |d| d.seconds(),
            );
            if slot.output.is_none() && now >= reveal_closes {
                // The reveal window closed before we revealed (e.g. the node was down): the job
                // ends with our slot missed. Settle it rather than retry a reveal that cannot be.
                self.finish_late(&job, now, report);
                anyhow::bail!("job {}: reveal window closed before we revealed", job.id);
            }
            if slot.output.is_none() {
                // As the market opens the phase: every slot committed and, for a redundancy-1
                // job, its buyer's audit decided; or the commit window over.
                let audit_pending = job.audit.as_ref().is_some_and(|a| a.audited.is_none());
                let all_committed = job.slots.len() == job.redundancy as usize
                    && job.slots.iter().all(|s| s.commitment.is_some())
                    && !audit_pending;
                let revealing = job.status == JobStatus::Revealing
                    || all_committed
                    || now >= job.commit_deadline.seconds();
                if !revealing {
                    return Ok(None);
                }
                let msg = market::ExecuteMsg::RevealResult {
                    job_id: job.id,
                    output: Binary::from(hex_field(&entry.output)?),
                    salt: Binary::from(hex_field(&entry.salt)?),
                };
                entry.stage = Stage::Revealed;
                return Ok(Some(Step { entry, msg }));
            }
            entry.stage = Stage::Revealed;
            self.journal.record_with(entry, Durability::Written)?;
            return Ok(None);
        }

        // Revealed: help liveness by settling once the reveal window is over.
        self.finish_late(&job, now, report);
        Ok(None)
    }

    /// Liveness: settle a job whose reveal window is over, expire one past its deadline. Both
    /// are permissionless; a refusal (someone was faster, not yet time) is only logged.
    fn finish_late(&self, job: &JobResponse, now: u64, report: &mut TickReport) {
        let msg = if now >= job.deadline.seconds() {
            market::ExecuteMsg::Expire { job_id: job.id }
        } else if job.reveal_deadline.is_some_and(|d| now >= d.seconds())
            || (job.status == JobStatus::Open && now >= job.commit_deadline.seconds())
        {
            market::ExecuteMsg::Settle { job_id: job.id }
        } else {
            return;
        };
        match self.market_exec(&msg) {
            Ok(_) => report.settled += 1,
            Err(e) => debug!(job_id = job.id, error = %e, "settle/expire not possible yet"),
        }
    }

    /// Take the jobs the market assigned to this provider (slots are drawn at submission, so
    /// there is nothing to claim): each goes into the journal as `Claimed` and is computed and
    /// committed from the next pass on. At most `capacity` new jobs per pass; the rest stay
    /// listed by `AssignedJobs` until their commit window closes and are taken next pass.
    fn take_assigned(&mut self, now: u64, report: &mut TickReport) -> anyhow::Result<()> {
        let mut free = self.config.capacity;
        let mut start_after = None;
        while free > 0 {
            let page: market::JobsResponse = self.with_retry(|| {
                self.chain.market(&market::QueryMsg::AssignedJobs {
                    provider: self.address.clone(),
                    start_after,
                    limit: Some(30),
                })
            })?;
            let Some(last) = page.jobs.last() else { break };
            start_after = Some(last.id);
            for job in page.jobs {
                if free == 0 {
                    break;
                }
                if self.journal.get(job.id).is_some()
                    || self.journal.is_refused(job.id)
                    || now >= job.commit_deadline.seconds()
                {
                    continue;
                }
                let Some(spec) = self.specs.get(&job.model_id) else {
                    warn!(job_id = job.id, model = %job.model_id, "assigned a model this worker does not load");
                    self.journal.refuse(job.id)?;
                    report.refused += 1;
                    continue;
                };
                if let Err(e) = validate_input(spec, &job.input, job.batch, self.max_input_bytes) {
                    warn!(job_id = job.id, error = %e, "refusing a job with malformed input");
                    self.journal.refuse(job.id)?;
                    report.refused += 1;
                    continue;
                }
                self.journal
                    .record_with(Entry::claimed(job.id, &job.model_id), Durability::Written)?;
                report.claimed += 1;
                self.metrics.assigned();
                free -= 1;
                info!(job_id = job.id, model = %job.model_id, "assigned");
            }
        }
        Ok(())
    }

    /// Run until `stop` returns true, sleeping `poll_interval_ms` after idle passes.
    ///
    /// Chain errors (a node that is down or restarting, a refused call) never end the loop: the
    /// pass is retried with exponential backoff up to 10 s, and the journal makes every retry
    /// safe. Anything else — the journal cannot be written — ends it with the error, because
    /// going on without a durable salt could lose a commitment.
    pub fn run(&mut self, mut stop: impl FnMut() -> bool) -> anyhow::Result<()> {
        let idle = Duration::from_millis(self.config.poll_interval_ms);
        let mut backoff = idle;
        let mut resumed = false;
        while !stop() {
            let pass = if resumed {
                self.tick().map(|r| r.did_work())
            } else {
                self.resume().map(|adopted| {
                    resumed = true;
                    adopted > 0
                })
            };
            match pass {
                Ok(busy) => {
                    backoff = idle;
                    if !busy {
                        std::thread::sleep(idle);
                    }
                }
                Err(e) if e.downcast_ref::<ChainError>().is_some() => {
                    warn!(error = %e, backoff_ms = backoff.as_millis() as u64, "chain unavailable; backing off");
                    std::thread::sleep(backoff);
                    backoff = (backoff * 2).min(Duration::from_secs(10));
                }
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    /// Earnings summary from the journal.
    pub fn earnings(&self) -> Earnings {
        Earnings::from_journal(&self.journal)
    }
}

fn hex_field(field: &Option<String>) -> anyhow::Result<Vec<u8>> {
    let s = field
        .as_deref()
        .ok_or_else(|| anyhow::anyhow!("journal entry misses a field"))?;
    Ok(hex::decode(s)?)
}

/// What a worker has earned, from its journal.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Earnings {
    /// Jobs final.
    pub finished: u64,
    /// Jobs in flight.
    pub in_flight: u64,
    /// Finished jobs where this worker agreed with the majority.
    pub agreed: u64,
    /// Finished jobs where it was outvoted.
    pub outvoted: u64,
    /// Finished jobs it missed.
    pub missed: u64,
    /// Base units earned.
    pub paid: u128,
}

impl Earnings {
    /// Summarise a journal.
    pub fn from_journal(journal: &Journal) -> Self {
        let mut e = Earnings::default();
        for entry in journal.entries() {
            if entry.stage != Stage::Finished {
                e.in_flight += 1;
                continue;
            }
            e.finished += 1;
            e.paid += entry.paid;
            match entry.outcome.as_deref() {
                Some("Agreed") => e.agreed += 1,
                Some("Outvoted") => e.outvoted += 1,
                Some("Missed") => e.missed += 1,
                _ => {}
            }
        }
        e
    }
}

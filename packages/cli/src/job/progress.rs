//! Where a job stands, moving it on, and waiting for it.

use std::time::{Duration, Instant};

use anyhow::bail;
use cosmwasm_std::Binary;

use acn_client::{Chain, ChainError, ChainExt};
use acn_interface::market::{self, JobResponse, JobStatus};

use super::SecretStore;

/// Where a job stands, in words: `assigned to 2 providers, committed 1/2`, `revealing 1/2`,
/// `settled`, `expired, refunded`, `disputed`, `resolved`.
pub fn phase(job: &JobResponse) -> String {
    let n = job.slots.len();
    let committed = job.slots.iter().filter(|s| s.commitment.is_some()).count();
    let revealed = job.slots.iter().filter(|s| s.output.is_some()).count();
    match job.status {
        JobStatus::Open if audit_due(job) => {
            format!("committed {committed}/{n}, waiting for the buyer's audit secret")
        }
        JobStatus::Open => format!(
            "assigned to {n} provider{}, committed {committed}/{n}",
            if n == 1 { "" } else { "s" }
        ),
        JobStatus::Revealing => format!("revealing {revealed}/{committed}"),
        JobStatus::Settled => "settled".into(),
        JobStatus::Expired => "expired, refunded".into(),
        JobStatus::Disputed => "disputed".into(),
        JobStatus::Resolved if !job.refunded.is_zero() => "dispute voided, refunded".into(),
        JobStatus::Resolved => "resolved".into(),
    }
}

/// True when the job waits for its buyer's audit secret: redundancy 1, audit undecided, its
/// provider committed.
fn audit_due(job: &JobResponse) -> bool {
    job.status == JobStatus::Open
        && job.audit.as_ref().is_some_and(|a| a.audited.is_none())
        && !job.slots.is_empty()
        && job.slots.iter().all(|s| s.commitment.is_some())
}

/// Move a job on where its buyer (or anyone) may: reveal the audit secret once asked (as
/// `account`, with the secret from `secrets`), `Settle` once its commit or reveal window is over,
/// `Expire` once its deadline passed. Returns what it did, or a note of what it could not do.
/// A refusal (a window that closed meanwhile, another party that acted first) is not an error:
/// the next poll sees the new state.
pub fn nudge(
    chain: &(impl Chain + ?Sized),
    account: Option<&str>,
    job: &JobResponse,
    secrets: &SecretStore,
) -> anyhow::Result<Option<String>> {
    let now = chain.block()?.time;
    let d = chain.deployment().clone();
    if audit_due(job) {
        let commitment = job
            .audit
            .as_ref()
            .map(|a| a.commitment.to_vec())
            .unwrap_or_default();
        let Some(account) = account else {
            return Ok(Some(
                "the job waits for its buyer's audit secret: pass --from BUYER (without it the job goes on unaudited when the commit window closes)".into(),
            ));
        };
        let Some(secret) = secrets.load(&d.chain_id, &d.market, &commitment)? else {
            return Ok(Some(format!(
                "no audit secret at {}: the job goes on unaudited when its commit window closes",
                secrets.path(&d.chain_id, &d.market, &commitment).display()
            )));
        };
        return Ok(
            match chain.market_exec(
                account,
                &market::ExecuteMsg::RevealAuditSecret {
                    job_id: job.id,
                    secret: Binary::from(secret),
                },
            ) {
                Ok(tx) if tx.attr("audited") == Some("true") => Some(
                    "audit secret revealed: the job was drawn for an audit by a second provider"
                        .into(),
                ),
                Ok(_) => Some("audit secret revealed: not audited".into()),
                Err(ChainError::Rejected(_)) => None,
                Err(e) => return Err(e.into()),
            },
        );
    }
    let Some(account) = account else {
        return Ok(None);
    };
    let msg = if job.status.is_final() {
        return Ok(None);
    } else if now >= job.deadline.seconds() {
        market::ExecuteMsg::Expire { job_id: job.id }
    } else if job
        .reveal_deadline
        .map_or(now >= job.commit_deadline.seconds(), |r| now >= r.seconds())
    {
        market::ExecuteMsg::Settle { job_id: job.id }
    } else {
        return Ok(None);
    };
    let what = match msg {
        market::ExecuteMsg::Expire { .. } => "expired",
        _ => "settled",
    };
    match chain.market_exec(account, &msg) {
        Ok(_) => Ok(Some(format!("job {what} (its window was over)"))),
        Err(ChainError::Rejected(_)) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// Poll job `id` every `poll` until it is final, calling [`nudge`] each time and
/// `on_progress(job, note)` whenever its phase changes or a nudge says something; the final job.
pub fn wait(
    chain: &(impl Chain + ?Sized),
    account: Option<&str>,
    id: u64,
    secrets: &SecretStore,
    poll: Duration,
    timeout: Option<Duration>,
    mut on_progress: impl FnMut(&JobResponse, Option<&str>),
) -> anyhow::Result<JobResponse> {
    let started = Instant::now();
    let mut last = String::new();
    loop {
        let job: JobResponse = chain.market(&market::QueryMsg::Job { id })?;
        let now_phase = phase(&job);
        if job.status.is_final() {
            on_progress(&job, None);
            return Ok(job);
        }
        let note = nudge(chain, account, &job, secrets)?;
        if now_phase != last || note.is_some() {
            on_progress(&job, note.as_deref());
            last = now_phase;
        }
        if let Some(t) = timeout {
            if started.elapsed() >= t {
                bail!(
                    "job {id} is not final after {} s ({})",
                    t.as_secs(),
                    phase(&job)
                );
            }
        }
        std::thread::sleep(poll);
    }
}

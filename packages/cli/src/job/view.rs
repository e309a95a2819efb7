//! A job for display (`show`, `wait`, `expire`), why it ended as it did, and a buyer's list.

use anyhow::bail;
use serde::Serialize;

use acn_client::amount::{asset, format_relative, format_utc};
use acn_client::codec::{decode_output, DecodedOutput};
use acn_client::{Chain, ChainError, ChainExt};
use acn_interface::market::{
    self, JobFilter, JobResponse, JobStatus, MarketParams, ModelSpec, SlotOutcome,
};

use super::{market_params, model, phase};

/// One provider's slot, for display.
#[derive(Clone, Debug, Serialize)]
pub struct SlotView {
    /// Provider address.
    pub provider: String,
    /// Whether it committed.
    pub committed: bool,
    /// Whether it revealed.
    pub revealed: bool,
    /// Its outcome once the job is final: agreed, outvoted, missed, no_majority.
    pub outcome: Option<SlotOutcome>,
    /// Base units paid to it.
    pub paid: u128,
    /// Its stake at risk.
    pub at_risk: u128,
}

/// A job, for display.
#[derive(Clone, Debug, Serialize)]
pub struct JobView {
    /// Job id.
    pub id: u64,
    /// Model id.
    pub model_id: String,
    /// Buyer address.
    pub buyer: String,
    /// Status.
    pub status: JobStatus,
    /// Where it stands, in words.
    pub phase: String,
    /// What became of the buyer's payment, and why, in words.
    pub explanation: String,
    /// Items.
    pub batch: u32,
    /// Provider slots.
    pub redundancy: u8,
    /// Price paid (base units).
    pub price: u128,
    /// The asset of the amounts: a bank denom, or `None` for ACN.
    pub denom: Option<String>,
    /// Protocol fee charged.
    pub fee: u128,
    /// Refunded to the buyer.
    pub refunded: u128,
    /// Still held in escrow.
    pub escrow: u128,
    /// Submission time (unix seconds).
    pub created_at: u64,
    /// When it may be expired (unix seconds).
    pub deadline: u64,
    /// Whether an audit was drawn (redundancy-1 jobs once the buyer revealed its secret).
    pub audited: Option<bool>,
    /// The providers' slots.
    pub providers: Vec<SlotView>,
    /// The agreed result, decoded per the model's output spec.
    pub result: Option<DecodedOutput>,
}

fn names(addrs: &[&str]) -> String {
    addrs.join(", ")
}

/// What became of a job's payment, and why, from the market's record of it.
pub fn explain(job: &JobResponse, params: &MarketParams) -> String {
    // Amounts in the asset the buyer paid (slashes are in ACN).
    let tokens = |base: u128| asset(base, job.pay_denom.as_deref());
    let n = job.slots.len();
    let majority = job.redundancy as usize / 2 + 1;
    let revealed: Vec<&str> = job
        .slots
        .iter()
        .filter(|s| s.output.is_some())
        .map(|s| s.provider.as_str())
        .collect();
    let uncommitted: Vec<&str> = job
        .slots
        .iter()
        .filter(|s| s.commitment.is_none())
        .map(|s| s.provider.as_str())
        .collect();
    let unrevealed: Vec<&str> = job
        .slots
        .iter()
        .filter(|s| s.commitment.is_some() && s.output.is_none())
        .map(|s| s.provider.as_str())
        .collect();
    let no_shows = || {
        let mut parts = vec![];
        if !uncommitted.is_empty() {
            parts.push(format!("did not commit: {}", names(&uncommitted)));
        }
        if !unrevealed.is_empty() {
            parts.push(format!(
                "committed but did not reveal: {}",
                names(&unrevealed)
            ));
        }
        parts.join("; ")
    };
    match job.status {
        JobStatus::Open | JobStatus::Revealing => format!(
            "in progress ({}); {} held in escrow until it is final",
            phase(job),
            tokens(job.escrow.u128())
        ),
        JobStatus::Settled => {
            let agreed = job
                .slots
                .iter()
                .filter(|s| s.outcome == Some(SlotOutcome::Agreed))
                .count();
            let outvoted: Vec<&str> = job
                .slots
                .iter()
                .filter(|s| s.outcome == Some(SlotOutcome::Outvoted))
                .map(|s| s.provider.as_str())
                .collect();
            let mut s = format!(
                "settled: {agreed} of {n} provider{} agreed on the result; they were paid {}, the protocol fee was {}",
                if n == 1 { "" } else { "s" },
                tokens(job.price.u128() - job.fee.u128()),
                tokens(job.fee.u128())
            );
            if !outvoted.is_empty() {
                s += &format!("; outvoted and slashed: {}", names(&outvoted));
            }
            if !uncommitted.is_empty() || !unrevealed.is_empty() {
                s += &format!("; no-shows, slashed: {}", no_shows());
            }
            s
        }
        JobStatus::Expired => {
            let why = if revealed.is_empty() && unrevealed.is_empty() {
                format!(
                    "no provider committed a result within the {} s commit window (no-show",
                    params.commit_window
                ) + &if uncommitted.is_empty() {
                    ")".to_string()
                } else {
                    format!(": {})", names(&uncommitted))
                }
            } else {
                format!(
                    "only {} of {n} provider{} revealed a result and a majority needs {majority} ({})",
                    revealed.len(),
                    if n == 1 { "" } else { "s" },
                    no_shows()
                )
            };
            format!(
                "refunded {}: {why}; the no-shows were slashed",
                tokens(job.refunded.u128())
            )
        }
        JobStatus::Disputed => {
            let closes = job
                .disputed_at
                .map(|t| format_utc(t.seconds() + params.dispute_timeout))
                .unwrap_or_default();
            format!(
                "disputed: the {} reveals formed no majority (at least {majority} of {n} must agree); {} stays in escrow until the DAO resolves the dispute, or anyone closes it from {closes} (the providers who revealed then share it and nothing is refunded)",
                revealed.len(),
                tokens(job.escrow.u128())
            )
        }
        JobStatus::Resolved if !job.refunded.is_zero() => format!(
            "refunded {}: the DAO voided the dispute (no output accepted, nobody slashed)",
            tokens(job.refunded.u128())
        ),
        JobStatus::Resolved if job.slots.iter().any(|s| s.outcome == Some(SlotOutcome::Agreed)) => {
            format!(
                "resolved by the DAO: an output was accepted and the providers agreeing with it were paid {}",
                tokens(job.price.u128() - job.fee.u128())
            )
        }
        JobStatus::Resolved => format!(
            "dispute closed after its {} s timeout: the providers who revealed shared the escrow; nothing was refunded",
            params.dispute_timeout
        ),
    }
}

/// A job as [`JobView`], its result decoded with the model's spec.
pub fn job_view(chain: &(impl Chain + ?Sized), id: u64) -> anyhow::Result<JobView> {
    let job: JobResponse = chain
        .market(&market::QueryMsg::Job { id })
        .map_err(|e| match e {
            ChainError::Query(m) if m.contains("not found") => {
                anyhow::anyhow!("no job {id} on this market")
            }
            e => e.into(),
        })?;
    let spec = model(chain, &job.model_id)?.spec;
    let params = market_params(chain)?;
    view_of(&job, &spec, &params)
}

/// The [`JobView`] of a job already read.
pub fn view_of(
    job: &JobResponse,
    spec: &ModelSpec,
    params: &MarketParams,
) -> anyhow::Result<JobView> {
    let result = job
        .result
        .as_ref()
        .map(|r| decode_output(spec, r, job.batch))
        .transpose()
        .map_err(|e| anyhow::anyhow!("job {}'s result does not fit {}: {e}", job.id, spec.id))?;
    Ok(JobView {
        id: job.id,
        model_id: job.model_id.clone(),
        buyer: job.buyer.to_string(),
        status: job.status,
        phase: phase(job),
        explanation: explain(job, params),
        batch: job.batch,
        redundancy: job.redundancy,
        price: job.price.u128(),
        denom: job.pay_denom.clone(),
        fee: job.fee.u128(),
        refunded: job.refunded.u128(),
        escrow: job.escrow.u128(),
        created_at: job.created_at.seconds(),
        deadline: job.deadline.seconds(),
        audited: job.audit.as_ref().and_then(|a| a.audited),
        providers: job
            .slots
            .iter()
            .map(|s| SlotView {
                provider: s.provider.to_string(),
                committed: s.commitment.is_some(),
                revealed: s.output.is_some(),
                outcome: s.outcome,
                paid: s.paid.u128(),
                at_risk: s.at_risk.u128(),
            })
            .collect(),
        result,
    })
}

impl JobView {
    /// The job in lines: status, price, providers, why, and the result.
    pub fn render(&self, now: u64) -> String {
        let mut s = format!(
            "job {}: {} × {} items, redundancy {} — {}\n",
            self.id, self.model_id, self.batch, self.redundancy, self.phase
        );
        s += &format!("  buyer      {}\n", self.buyer);
        let tokens = |base: u128| asset(base, self.denom.as_deref());
        s += &format!(
            "  paid       {} (fee {}, refunded {}, in escrow {})\n",
            tokens(self.price),
            tokens(self.fee),
            tokens(self.refunded),
            tokens(self.escrow)
        );
        s += &format!(
            "  submitted  {}; deadline {} ({})\n",
            format_utc(self.created_at),
            format_utc(self.deadline),
            format_relative(self.deadline, now)
        );
        if let Some(a) = self.audited {
            s += &format!("  audit      {}\n", if a { "drawn" } else { "not drawn" });
        }
        for p in &self.providers {
            s += &format!(
                "  provider   {}  committed {} revealed {}  {}  paid {}\n",
                p.provider,
                yes_no(p.committed),
                yes_no(p.revealed),
                p.outcome
                    .map(|o| format!("{o:?}").to_lowercase())
                    .unwrap_or_else(|| "-".into()),
                tokens(p.paid)
            );
        }
        s += &format!("  {}\n", self.explanation);
        if let Some(r) = &self.result {
            s += "result:\n";
            s += &r.render();
        }
        s
    }
}

fn yes_no(b: bool) -> &'static str {
    if b {
        "yes"
    } else {
        "no"
    }
}

/// One line of a buyer's job list.
#[derive(Clone, Debug, Serialize)]
pub struct JobSummary {
    /// Job id.
    pub id: u64,
    /// Model id.
    pub model_id: String,
    /// Items.
    pub batch: u32,
    /// Provider slots.
    pub redundancy: u8,
    /// Status.
    pub status: JobStatus,
    /// Where it stands.
    pub phase: String,
    /// Price paid.
    pub price: u128,
    /// The asset paid: a bank denom, or `None` for ACN.
    pub denom: Option<String>,
    /// Refunded.
    pub refunded: u128,
    /// Submission time (unix seconds).
    pub created_at: u64,
}

/// Up to `limit` of `buyer`'s jobs (with `status`, if given), newest first.
pub fn list(
    chain: &(impl Chain + ?Sized),
    buyer: &str,
    status: Option<JobStatus>,
    limit: usize,
) -> anyhow::Result<Vec<JobSummary>> {
    let mut all = vec![];
    let mut start_after = None;
    loop {
        let page: market::JobsResponse = chain.market(&market::QueryMsg::Jobs {
            filter: JobFilter::Buyer {
                address: buyer.to_string(),
            },
            start_after,
            limit: Some(100),
        })?;
        let Some(last) = page.jobs.last() else { break };
        start_after = Some(last.id);
        all.extend(
            page.jobs
                .into_iter()
                .filter(|j| status.is_none_or(|s| j.status == s)),
        );
    }
    Ok(all
        .iter()
        .rev()
        .take(limit)
        .map(|j| JobSummary {
            id: j.id,
            model_id: j.model_id.clone(),
            batch: j.batch,
            redundancy: j.redundancy,
            status: j.status,
            phase: phase(j),
            price: j.price.u128(),
            denom: j.pay_denom.clone(),
            refunded: j.refunded.u128(),
            created_at: j.created_at.seconds(),
        })
        .collect())
}

/// A table of job summaries.
pub fn render_list(jobs: &[JobSummary]) -> String {
    if jobs.is_empty() {
        return "no jobs\n".into();
    }
    let mut s = format!(
        "{:>5}  {:<16} {:>5} {:>2}  {:<10} {:>14} {:>14}  {:<23}  phase\n",
        "id", "model", "batch", "r", "status", "price", "refunded", "submitted"
    );
    for j in jobs {
        s += &format!(
            "{:>5}  {:<16} {:>5} {:>2}  {:<10} {:>14} {:>14}  {:<23}  {}\n",
            j.id,
            j.model_id,
            j.batch,
            j.redundancy,
            format!("{:?}", j.status),
            asset(j.price, j.denom.as_deref()),
            asset(j.refunded, j.denom.as_deref()),
            format_utc(j.created_at),
            j.phase
        );
    }
    s
}

/// Expire job `id` as `account` once its deadline passed (refunding what was not earned);
/// a job not yet due or already final is refused with when and why.
pub fn expire(chain: &(impl Chain + ?Sized), account: &str, id: u64) -> anyhow::Result<JobView> {
    let job: JobResponse = chain.market(&market::QueryMsg::Job { id })?;
    if job.status.is_final() {
        bail!("job {id} is already final ({})", phase(&job));
    }
    let now = chain.block()?.time;
    if now < job.deadline.seconds() {
        bail!(
            "job {id} can be expired from its deadline, {} ({})",
            format_utc(job.deadline.seconds()),
            format_relative(job.deadline.seconds(), now)
        );
    }
    chain.market_exec(account, &market::ExecuteMsg::Expire { job_id: id })?;
    job_view(chain, id)
}

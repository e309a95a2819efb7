//! Keeping subscriptions running: the due runs of the subscriptions contract, started by
//! `Trigger` (each pays the caller the contract's keeper reward), and the agent runs they
//! started, moved on step by step by the registry's `Advance` ([`advance_runs`]: an agent run
//! otherwise waits after each step until someone sends it). `acn-worker keep` runs both in a
//! loop next to (or instead of) the job loop; nothing in the job loop changes.

use acn_client::{Chain, ChainError, ChainExt};
use acn_interface::agents::{self, RunResponse, StepStatus};
use acn_interface::{market, subscriptions as subs};
use serde::Serialize;
use tracing::{info, warn};

/// One `Trigger` sent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Triggered {
    /// Subscription id.
    pub id: u64,
    /// The market job it started (`None`: an agent subscription, or the subscription was
    /// drained, or the market refused the run and it was skipped).
    pub job_id: Option<u64>,
    /// The agent run it started (an agent subscription; `None` otherwise, or when drained or
    /// skipped).
    pub agent_run_id: Option<u64>,
    /// Keeper reward earned (stable base units).
    pub reward: u128,
    /// Gas used (0 on the embedded chain).
    pub gas_used: u64,
}

/// Trigger up to `limit` subscriptions due now, as `account`. A trigger the chain refuses
/// (another keeper was first, the run is no longer due) is logged and skipped; a chain that
/// cannot be reached is an error. Without a subscriptions contract in the deployment: nothing.
pub fn trigger_due(
    chain: &(impl Chain + ?Sized),
    account: &str,
    limit: u32,
) -> Result<Vec<Triggered>, ChainError> {
    let Some(contract) = chain.deployment().subscriptions.clone() else {
        return Ok(vec![]);
    };
    let due: subs::DueResponse =
        chain.query(&contract, &subs::QueryMsg::Due { limit: Some(limit) })?;
    let mut done = vec![];
    for entry in due.due {
        match chain.execute(
            account,
            &contract,
            &subs::ExecuteMsg::Trigger { id: entry.id },
        ) {
            Ok(tx) => {
                let t = Triggered {
                    id: entry.id,
                    job_id: tx.attr("subscription_job_id").and_then(|v| v.parse().ok()),
                    agent_run_id: tx
                        .attr("subscription_agent_run_id")
                        .and_then(|v| v.parse().ok()),
                    reward: tx
                        .attr("keeper_reward")
                        .and_then(|v| v.parse().ok())
                        .unwrap_or(0),
                    gas_used: tx.gas_used,
                };
                info!(subscription = t.id, job_id = ?t.job_id, agent_run = ?t.agent_run_id, reward = t.reward, gas = t.gas_used, "triggered a due subscription");
                done.push(t);
            }
            Err(ChainError::Rejected(reason)) => {
                warn!(subscription = entry.id, %reason, "trigger refused; skipped");
            }
            Err(e) => return Err(e),
        }
    }
    Ok(done)
}

/// One `Advance` sent for a subscription's agent run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Advanced {
    /// Subscription id.
    pub id: u64,
    /// The registry's run id.
    pub run_id: u64,
    /// The step it moved on from (0-based).
    pub step: u32,
    /// Whether the run ended with it (its result went back to the subscription).
    pub ended: bool,
    /// Gas used (0 on the embedded chain).
    pub gas_used: u64,
}

/// Whether `run`'s step in flight has an outcome `Advance` can act on: recorded by the market's
/// callback, or its job final in the market (a disputed job is not: it waits for its
/// resolution).
fn ready(chain: &(impl Chain + ?Sized), run: &RunResponse) -> Result<bool, ChainError> {
    let Some(step) = run.steps.get(run.current as usize) else {
        return Ok(false);
    };
    Ok(match (&step.status, step.job_id) {
        (StepStatus::InFlight, Some(job_id)) => {
            let job: market::JobResponse = chain.market(&market::QueryMsg::Job { id: job_id })?;
            job.status.is_final() && job.status != market::JobStatus::Disputed
        }
        (StepStatus::InFlight | StepStatus::Waiting, None) => false,
        _ => true,
    })
}

/// Move on the subscriptions' agent runs whose step has an outcome, as `account`: the
/// subscriptions contract lists its runs in flight ([`subs::QueryMsg::AgentRunsInFlight`],
/// read page by page here, off-chain), the registry says where each run is, and an `Advance`
/// submits the next step or ends the run. At most `limit` advances per call. A refused
/// `Advance` (another keeper was first) is logged and skipped; a chain that cannot be reached
/// is an error. Without subscriptions or an agent registry in the deployment: nothing.
pub fn advance_runs(
    chain: &(impl Chain + ?Sized),
    account: &str,
    limit: u32,
) -> Result<Vec<Advanced>, ChainError> {
    let d = chain.deployment();
    let (Some(contract), Some(registry)) = (d.subscriptions.clone(), d.agents.clone()) else {
        return Ok(vec![]);
    };
    let mut done = vec![];
    let mut start_after = None;
    loop {
        let page: subs::AgentRunsInFlightResponse = chain.query(
            &contract,
            &subs::QueryMsg::AgentRunsInFlight {
                start_after,
                limit: Some(100),
            },
        )?;
        let Some(last) = page.runs.last() else {
            return Ok(done);
        };
        start_after = Some(last.run_id);
        for entry in page.runs {
            if done.len() >= limit as usize {
                return Ok(done);
            }
            let run: RunResponse =
                chain.query(&registry, &agents::QueryMsg::RunInfo { id: entry.run_id })?;
            if run.is_over() || !ready(chain, &run)? {
                continue;
            }
            match chain.execute(
                account,
                &registry,
                &agents::ExecuteMsg::Advance {
                    run_id: entry.run_id,
                },
            ) {
                Ok(tx) => {
                    let a = Advanced {
                        id: entry.id,
                        run_id: entry.run_id,
                        step: run.current,
                        ended: tx
                            .attributes
                            .iter()
                            .any(|a| a.key == "action" && a.value == "end_run"),
                        gas_used: tx.gas_used,
                    };
                    info!(
                        subscription = a.id,
                        run = a.run_id,
                        step = a.step,
                        ended = a.ended,
                        gas = a.gas_used,
                        "advanced an agent run"
                    );
                    done.push(a);
                }
                Err(ChainError::Rejected(reason)) => {
                    warn!(subscription = entry.id, run = entry.run_id, %reason, "advance refused; skipped");
                }
                Err(e) => return Err(e),
            }
        }
    }
}

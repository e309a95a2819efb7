//! Keeping subscriptions running: the due runs of the subscriptions contract, started by
//! `Trigger` (each pays the caller the contract's keeper reward). `acn-worker keep` runs
//! [`trigger_due`] in a loop next to (or instead of) the job loop; nothing in the job loop
//! changes.

use acn_client::{Chain, ChainError, ChainExt};
use acn_interface::subscriptions as subs;
use serde::Serialize;
use tracing::{info, warn};

/// One `Trigger` sent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Triggered {
    /// Subscription id.
    pub id: u64,
    /// The market job it started (`None`: the subscription was drained, or the market refused
    /// the run and it was skipped).
    pub job_id: Option<u64>,
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
                    reward: tx
                        .attr("keeper_reward")
                        .and_then(|v| v.parse().ok())
                        .unwrap_or(0),
                    gas_used: tx.gas_used,
                };
                info!(subscription = t.id, job_id = ?t.job_id, reward = t.reward, gas = t.gas_used, "triggered a due subscription");
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

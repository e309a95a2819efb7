//! The providers' and buyers' market work as real messages from their accounts: registering,
//! submitting, committing, revealing the buyer's audit secret, revealing results.

use std::collections::BTreeMap;

use acn_client::{ChainExt, TxResult};
use acn_interface::market::{self, Hardware, JobResponse};
use anyhow::{anyhow, Context, Result};
use cosmwasm_std::{Binary, HexBinary, Uint128};

use crate::chain::SimChain;
use crate::pool::Actor;

/// Canonical class-label output: one little-endian u32 per item.
pub fn labels_output(labels: &[u32]) -> Binary {
    Binary::from(
        labels
            .iter()
            .flat_map(|l| l.to_le_bytes())
            .collect::<Vec<u8>>(),
    )
}

/// The audit secret a simulated buyer commits to in its redundancy-1 jobs.
pub fn audit_secret(buyer: &str) -> Binary {
    Binary::from(format!("audit secret of {buyer}").into_bytes())
}

/// The `audit_commitment` of a submission by the address `buyer`:
/// `sha256(audit_secret(buyer))` at redundancy 1, none above.
pub fn audit_commitment_for(buyer: &str, redundancy: u8) -> Option<HexBinary> {
    (redundancy == 1)
        .then(|| HexBinary::from(market::audit_commitment(&audit_secret(buyer)).to_vec()))
}

/// A 16-byte salt derived from a seed.
fn salt(seed: u8) -> Binary {
    Binary::from(vec![seed; 16])
}

/// The hardware simulated providers declare.
pub fn hardware() -> Hardware {
    Hardware {
        backend: "wgpu".into(),
        device: "llvmpipe".into(),
        memory_mb: 4_096,
        endpoint: None,
    }
}

/// The `job_id` attribute of a submission.
pub fn job_id_from(tx: &TxResult) -> Result<u64> {
    tx.attr("job_id")
        .context("the submission emitted no job_id")?
        .parse()
        .context("job_id is not a number")
}

/// A job.
pub fn job<C: SimChain + ?Sized>(c: &C, id: u64) -> Result<JobResponse> {
    Ok(c.market(&market::QueryMsg::Job { id })?)
}

/// `provider` registers for `models` at a minimum unit price of 0.
pub fn register<C: SimChain + ?Sized>(c: &C, provider: &Actor, models: &[&str]) -> Result<()> {
    c.market_exec(
        &provider.name,
        &market::ExecuteMsg::RegisterProvider {
            hardware: hardware(),
            models: models.iter().map(|s| s.to_string()).collect(),
            min_unit_price: Uint128::zero(),
        },
    )
    .with_context(|| format!("{} registers", provider.name))?;
    Ok(())
}

/// `buyer` submits `msg` (a `SubmitJob`) paying `price` of the stable `denom`; the job id.
pub fn submit<C: SimChain + ?Sized>(
    c: &C,
    buyer: &Actor,
    msg: &market::ExecuteMsg,
    denom: &str,
    price: u128,
) -> Result<u64> {
    let market = c.deployment().market.clone();
    let tx = c
        .execute_json_with_funds(
            &buyer.name,
            &market,
            &serde_json::to_vec(msg)?,
            &[(denom.to_string(), price)],
        )
        .with_context(|| format!("{} submits a job", buyer.name))?;
    job_id_from(&tx)
}

fn commit<C: SimChain + ?Sized>(
    c: &C,
    who: &Actor,
    job_id: u64,
    output: &Binary,
    salt: &Binary,
) -> Result<()> {
    let market = c.deployment().market.clone();
    let commitment = market::commitment(output, salt, &who.addr, job_id, &market);
    c.market_exec(
        &who.name,
        &market::ExecuteMsg::CommitResult {
            job_id,
            commitment: HexBinary::from(commitment.to_vec()),
        },
    )
    .with_context(|| format!("{} commits job {job_id}", who.name))?;
    Ok(())
}

fn reveal<C: SimChain + ?Sized>(
    c: &C,
    who: &Actor,
    job_id: u64,
    output: &Binary,
    salt: &Binary,
) -> Result<()> {
    c.market_exec(
        &who.name,
        &market::ExecuteMsg::RevealResult {
            job_id,
            output: output.clone(),
            salt: salt.clone(),
        },
    )
    .with_context(|| format!("{} reveals job {job_id}", who.name))?;
    Ok(())
}

/// Do a submitted job: each `(provider, output)` commits; the buyer of a redundancy-1 job
/// reveals its audit secret once every slot committed, and if that draws an auditor (one of
/// `known`, by address) the auditor honestly commits the first output too; then everyone
/// reveals.
pub fn run_job<C: SimChain + ?Sized>(
    c: &C,
    buyer: &Actor,
    job_id: u64,
    work: &[(&Actor, Binary)],
    known: &BTreeMap<String, Actor>,
) -> Result<()> {
    for (i, (who, out)) in work.iter().enumerate() {
        commit(c, who, job_id, out, &salt(i as u8 + 1))?;
    }
    let j = job(c, job_id)?;
    let pending = j.audit.as_ref().is_some_and(|a| a.audited.is_none())
        && j.slots.iter().all(|s| s.commitment.is_some());
    let mut auditor = None;
    if pending {
        c.market_exec(
            &buyer.name,
            &market::ExecuteMsg::RevealAuditSecret {
                job_id,
                secret: audit_secret(&buyer.addr),
            },
        )
        .with_context(|| format!("{} reveals the audit secret of job {job_id}", buyer.name))?;
        if let Some(slot) = job(c, job_id)?.slots.get(1) {
            let addr = slot.provider.to_string();
            auditor = Some(
                known
                    .get(&addr)
                    .ok_or_else(|| anyhow!("job {job_id}: the auditor {addr} is no known actor"))?
                    .clone(),
            );
        }
    }
    if let (Some(a), Some((_, out))) = (&auditor, work.first()) {
        commit(c, a, job_id, out, &salt(99))?;
    }
    for (i, (who, out)) in work.iter().enumerate() {
        reveal(c, who, job_id, out, &salt(i as u8 + 1))?;
    }
    if let (Some(a), Some((_, out))) = (&auditor, work.first()) {
        reveal(c, a, job_id, out, &salt(99))?;
    }
    Ok(())
}

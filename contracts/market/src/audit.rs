//! Verification of redundancy-1 jobs (issue 12, item 7).
//!
//! Public on-chain entropy is grindable by a provider (it could wait for a block in which it is
//! not audited), so the audit decision uses a secret of the party with no interest in a wrong
//! result, fixed before the provider commits: the buyer puts `sha256(secret)` in its
//! `SubmitJob`. After the provider commits, the buyer may reveal the secret; if
//! `sha256(secret ‖ job id ‖ provider's commitment) mod 10 000 < audit_bps` (default 10 %), a
//! second provider is drawn (seed mixed with the secret) and the job becomes a redundancy-2 job
//! with a fresh commit window: agreement pays both (the escrow's pool is split between the two
//! agreeing slots — the auditor is paid from the job's own pool, no new money), disagreement
//! makes it a dispute. Until the decision (or the end of the commit window) the provider cannot
//! reveal, so an auditor never sees the output it checks. Without the buyer's reveal there is no
//! audit: a buyer colluding with its provider only deals with itself.
//!
//! Neither party steers the decision: the buyer's secret is fixed (by its hash) before the
//! provider's commitment exists, and the provider does not know the secret.
//!
//! Deterrence: a cheating provider gains `pay` when not audited and loses `slash` when caught,
//! E = (1 − p)·pay − p·slash, negative iff pay < slash · p / (1 − p). A redundancy-1 job may
//! therefore pay at most `wrong_result_slash × audit_bps / (10 000 − audit_bps)`: 100 ACN × 1/9
//! = 11.111111 ACN at the defaults.

use cosmwasm_std::{Binary, DepsMut, Env, HexBinary, MessageInfo, Response, Uint128};
use sha2::{Digest, Sha256};

use acn_interface::market::{
    audit_commitment, audit_selected, Audit, JobStatus, MarketParams, Slot,
};
use acn_interface::BPS_DENOMINATOR;

use crate::error::ContractError;
use crate::helpers::load_unfinished_job;
use crate::jobs::open_reveal_phase;
use crate::selection::{self, JobTerms, Rng};
use crate::state::{jobs, CONFIG, OPEN_SLOTS, PROVIDERS, PROVIDER_JOBS};

/// The largest price a redundancy-1 job may have: `wrong_result_slash × audit_bps /
/// (10 000 − audit_bps)` (no bound when every job is audited).
pub fn max_unverified_pay(params: &MarketParams) -> Option<Uint128> {
    let bps = params.audit_bps as u128;
    let denominator = (BPS_DENOMINATOR as u128).checked_sub(bps)?;
    if denominator == 0 {
        return None;
    }
    Some(params.wrong_result_slash.multiply_ratio(bps, denominator))
}

/// Check a submission's audit commitment: required (32 bytes) at redundancy 1, refused above;
/// a redundancy-1 job may not pay more than [`max_unverified_pay`].
pub fn check_submission(
    params: &MarketParams,
    redundancy: u8,
    commitment: &Option<HexBinary>,
    price: Uint128,
) -> Result<Option<Audit>, ContractError> {
    if redundancy != 1 {
        return match commitment {
            None => Ok(None),
            Some(_) => Err(ContractError::InvalidAuditCommitment {
                reason: "only redundancy-1 jobs carry one".into(),
            }),
        };
    }
    let commitment = commitment
        .clone()
        .ok_or(ContractError::AuditCommitmentRequired {})?;
    if commitment.len() != 32 {
        return Err(ContractError::InvalidAuditCommitment {
            reason: format!("must be 32 bytes, got {}", commitment.len()),
        });
    }
    if let Some(max) = max_unverified_pay(params) {
        if price > max {
            return Err(ContractError::PayAboveAuditBound { price, max });
        }
    }
    Ok(Some(Audit {
        commitment,
        audited: None,
    }))
}

/// `RevealAuditSecret`: the buyer reveals its secret after the provider committed; the job is
/// audited (a second provider drawn) or its reveal phase opens.
pub fn reveal_secret(
    mut deps: DepsMut,
    env: Env,
    info: MessageInfo,
    job_id: u64,
    secret: Binary,
) -> Result<Response, ContractError> {
    let config = CONFIG.load(deps.storage)?;
    let params = &config.params;
    let mut job = load_unfinished_job(deps.storage, job_id)?;
    if info.sender != job.buyer {
        return Err(ContractError::NotBuyer { id: job_id });
    }
    let not_open = |reason: &str| ContractError::AuditNotOpen {
        id: job_id,
        reason: reason.into(),
    };
    let mut audit = job
        .audit
        .clone()
        .ok_or_else(|| not_open("it carries no audit commitment"))?;
    if audit.audited.is_some() {
        return Err(not_open("its audit secret was already revealed"));
    }
    let now = env.block.time;
    if job.status != JobStatus::Open || now >= job.commit_deadline {
        return Err(not_open("its commit window is closed"));
    }
    let provider_commitment = job
        .slots
        .first()
        .and_then(|s| s.commitment.clone())
        .ok_or_else(|| not_open("its provider has not committed yet"))?;
    if audit_commitment(&secret) != audit.commitment.as_slice() {
        return Err(ContractError::AuditSecretMismatch {});
    }
    let selected = audit_selected(&secret, job_id, &provider_commitment, params.audit_bps);
    let auditor = if selected {
        draw_auditor(&mut deps, &env, params, &config.staking, &job, &secret)?
    } else {
        None
    };
    audit.audited = Some(auditor.is_some());
    job.audit = Some(audit);

    let mut res = Response::new()
        .add_attribute("action", "reveal_audit_secret")
        .add_attribute("job_id", job_id.to_string())
        .add_attribute("selected", selected.to_string())
        .add_attribute("audited", auditor.is_some().to_string());
    match auditor {
        Some(auditor) => {
            let commit_deadline = now.plus_seconds(params.commit_window);
            let deadline = job
                .deadline
                .max(commit_deadline.plus_seconds(params.reveal_window));
            let latest = job.created_at.plus_seconds(params.max_job_lifetime);
            if deadline > latest {
                return Err(not_open(
                    "an audit now would outlive the job's maximum lifetime",
                ));
            }
            let mut provider = PROVIDERS.load(deps.storage, &auditor)?;
            provider.active_jobs = provider.active_jobs.saturating_add(1);
            PROVIDERS.save(deps.storage, &auditor, &provider)?;
            PROVIDER_JOBS.save(deps.storage, (&auditor, job_id), &())?;
            OPEN_SLOTS.save(deps.storage, (&auditor, job_id), &())?;
            job.slots.push(Slot {
                provider: auditor.clone(),
                claimed_height: env.block.height,
                commitment: None,
                output: None,
                revealed_height: None,
                outcome: None,
                paid: Uint128::zero(),
            });
            job.redundancy = 2;
            job.commit_deadline = commit_deadline;
            job.deadline = deadline;
            res = res.add_attribute("auditor", auditor);
        }
        None => {
            open_reveal_phase(&mut job, now, params.reveal_window);
        }
    }
    jobs().save(deps.storage, job_id, &job)?;
    Ok(res)
}

/// Draw the auditor of a job selected for audit: one eligible provider other than the one
/// assigned, from a seed mixed with the buyer's secret. `None` when no other eligible provider
/// exists (the job then goes on unaudited: a model served by one provider cannot be checked).
fn draw_auditor(
    deps: &mut DepsMut,
    env: &Env,
    params: &MarketParams,
    staking: &cosmwasm_std::Addr,
    job: &crate::state::Job,
    secret: &[u8],
) -> Result<Option<cosmwasm_std::Addr>, ContractError> {
    let mut h = Sha256::new();
    h.update(selection::seed(deps.storage, env, job.id)?);
    h.update(secret);
    let mut rng = Rng::new(h.finalize().into());
    let exclude: Vec<_> = job.slots.iter().map(|s| s.provider.clone()).collect();
    let terms = JobTerms {
        model_id: &job.model_id,
        unit_price: job.unit_price,
        buyer: &job.buyer,
    };
    match selection::draw(
        deps.storage,
        &deps.querier,
        staking,
        params,
        env.block.time,
        &terms,
        1,
        &exclude,
        &mut rng,
    ) {
        Ok(drawn) => Ok(drawn.into_iter().next()),
        Err(ContractError::NotEnoughEligibleProviders { .. }) => Ok(None),
        Err(e) => Err(e),
    }
}

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
//! Deterrence: a cheating provider gains its pay when not audited and loses the first-offence
//! slash of its slot's stake at risk when caught (`risk`: `wrong_result_slash_bps` of
//! max(`min_slot_stake`, `slot_stake_multiple` × pay)), so
//! E = (1 − p)·pay − p·w·max(min, m·pay). At the defaults (p = 10 %, w = 100 %, m = 10) E is
//! negative at every price (−0.1·pay once m·pay ≥ min; 0.9·pay − 10 ACN below that), and
//! [`max_unverified_pay`] bounds the price only under parameters where it is not.

use cosmwasm_std::{Binary, DepsMut, Env, HexBinary, MessageInfo, Response, Uint128, Uint256};
use sha2::{Digest, Sha256};

use acn_interface::market::{
    audit_commitment, audit_selected, Audit, JobStatus, MarketParams, Slot,
};
use acn_interface::BPS_DENOMINATOR;

use crate::error::ContractError;
use crate::helpers::load_unfinished_job;
use crate::jobs::open_reveal_phase;
use crate::risk;
use crate::selection::{self, JobTerms, Rng};
use crate::state::{jobs, CONFIG, OPEN_SLOTS, PROVIDERS, PROVIDER_JOBS};

/// The largest price a redundancy-1 job may have for cheating on it to lose money in
/// expectation, or `None` when it does at every price. With p = `audit_bps`,
/// w = `wrong_result_slash_bps`, m = `slot_stake_multiple` (all against 10 000 for the bps):
/// if p·w·m > (1 − p) the multiple alone makes E < 0 at every pay (and a larger minimum stake
/// at risk only lowers E further); otherwise the minimum stake at risk does so exactly while
/// pay < p·w·`min_slot_stake` / (1 − p), and the bound is the largest such pay. No bound when
/// every job is audited.
pub fn max_unverified_pay(params: &MarketParams) -> Option<Uint128> {
    let scale = BPS_DENOMINATOR as u128;
    let p = params.audit_bps as u128;
    let q = scale.checked_sub(p).filter(|q| *q > 0)?;
    let pw = p.checked_mul(params.wrong_result_slash_bps as u128)?;
    let q_scaled = q.checked_mul(scale)?;
    if pw.checked_mul(params.slot_stake_multiple as u128)? > q_scaled {
        return None;
    }
    // Largest pay with pay · q · 10 000 < p · w · min_slot_stake.
    let numerator = params.min_slot_stake.full_mul(Uint128::new(pw));
    if numerator.is_zero() {
        return Some(Uint128::zero());
    }
    let max = (numerator - Uint256::one()) / Uint256::from(q_scaled);
    Some(Uint128::try_from(max).unwrap_or(Uint128::MAX))
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
            let at_risk = auditor_at_risk(params, &job)?;
            let mut provider = PROVIDERS.load(deps.storage, &auditor)?;
            risk::lock(&mut provider, at_risk)?;
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
                at_risk,
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

/// The stake an auditor's slot puts at risk: that of a slot of the job as a redundancy-2 job
/// (the two agreeing slots share its pool).
fn auditor_at_risk(
    params: &MarketParams,
    job: &crate::state::Job,
) -> Result<Uint128, ContractError> {
    risk::slot_at_risk(params, crate::payment::acn_value_of_price(job)?, 2)
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
        at_risk: auditor_at_risk(params, job)?,
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

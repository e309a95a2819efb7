//! Finalization: the agreement check, payment of the agreeing majority, the protocol fee,
//! slashing of outliers and no-shows, refunds, disputes and their resolution.

use cosmwasm_std::{Addr, Attribute, CosmosMsg, DepsMut, Env, MessageInfo, Response, Uint128};

use acn_interface::bps_of;
use acn_interface::market::{DisputeResolution, JobStatus, ModelSpec, SlotOutcome};
use acn_interface::treasury;

use crate::error::ContractError;
use crate::helpers::{load_job, load_unfinished_job, send, slash, stake_of, transfer};
use crate::jobs::open_reveal_phase;
use crate::state::{jobs, Config, Job, CONFIG, MODELS, OPEN_SLOTS, PROVIDERS, TOTALS};
use crate::validation::{agree, decode_output};

/// The largest group of revealed outputs that agree with one of them (its "center"):
/// returns (center slot index, member slot indexes). Ties go to the earliest center.
fn largest_cluster(decoded: &[(usize, Vec<i64>)], tolerance: u32) -> Option<(usize, Vec<usize>)> {
    let mut best: Option<(usize, Vec<usize>)> = None;
    for (center, out) in decoded {
        let members: Vec<usize> = decoded
            .iter()
            .filter(|(_, other)| agree(out, other, tolerance))
            .map(|(i, _)| *i)
            .collect();
        if best.as_ref().is_none_or(|(_, b)| members.len() > b.len()) {
            best = Some((*center, members));
        }
    }
    best
}

/// Slash `amount` from `provider` (capped by staking at what it has) and record it.
fn slash_provider(
    deps: &mut DepsMut,
    config: &Config,
    provider: &Addr,
    amount: Uint128,
    reason: &str,
    msgs: &mut Vec<CosmosMsg>,
) -> Result<Uint128, ContractError> {
    if amount.is_zero() {
        return Ok(Uint128::zero());
    }
    let stake = stake_of(&deps.querier, &config.staking, provider)?;
    let taken = amount.min(stake.bonded.checked_add(stake.unbonding)?);
    if taken.is_zero() {
        return Ok(taken);
    }
    msgs.push(slash(&config.staking, provider, amount, reason)?);
    Ok(taken)
}

/// Close a job: decide the outcome of every slot, move the escrow, slash, update reputations
/// and totals, and save. Shared by the last reveal, `Settle` and `Expire`.
pub fn finalize(
    mut deps: DepsMut,
    env: &Env,
    mut job: Job,
    spec: &ModelSpec,
) -> Result<(Job, Vec<CosmosMsg>, Vec<Attribute>), ContractError> {
    let config = CONFIG.load(deps.storage)?;
    let params = &config.params;
    let now = env.block.time;
    let mut msgs: Vec<CosmosMsg> = vec![];

    // Outputs were validated at reveal; decode them again for the comparison.
    let mut decoded = vec![];
    for (i, slot) in job.slots.iter().enumerate() {
        if let Some(out) = &slot.output {
            decoded.push((i, decode_output(spec, out, job.batch)?));
        }
    }
    let majority = job.redundancy as usize / 2 + 1;
    let cluster = largest_cluster(&decoded, spec.tolerance).filter(|(_, m)| m.len() >= majority);

    let escrow = job.escrow;
    let mut slashed_total = Uint128::zero();
    let mut paid_total = Uint128::zero();
    let mut fee = Uint128::zero();
    let mut refund = Uint128::zero();

    match &cluster {
        Some((center, members)) => {
            job.status = JobStatus::Settled;
            job.result = job.slots[*center].output.clone();
            fee = bps_of(escrow, params.protocol_fee_bps);
            let pool = escrow.checked_sub(fee)?;
            let n = Uint128::from(members.len() as u128);
            let share = pool
                .checked_div(n)
                .map_err(cosmwasm_std::StdError::divide_by_zero)?;
            let dust = pool.checked_sub(share.checked_mul(n)?)?;
            for (k, i) in members.iter().enumerate() {
                let amount = if k == 0 {
                    share.checked_add(dust)?
                } else {
                    share
                };
                job.slots[*i].paid = amount;
                paid_total = paid_total.checked_add(amount)?;
                if !amount.is_zero() {
                    msgs.push(transfer(&config.token, &job.slots[*i].provider, amount)?);
                }
            }
            let agreed = members.iter().map(|i| &job.slots[*i].provider);
            msgs.extend(crate::emissions::work_message(
                deps.storage,
                agreed,
                job.units,
            )?);
        }
        None => {
            job.status = if decoded.len() >= majority {
                JobStatus::Disputed
            } else {
                JobStatus::Expired
            };
            refund = escrow;
            if !refund.is_zero() {
                msgs.push(transfer(&config.token, &job.buyer, refund)?);
            }
        }
    }

    // Outcomes, slashing and reputation, slot by slot.
    let members: &[usize] = cluster.as_ref().map(|(_, m)| m.as_slice()).unwrap_or(&[]);
    for i in 0..job.slots.len() {
        let provider_addr = job.slots[i].provider.clone();
        let revealed = job.slots[i].output.is_some();
        let outcome = if members.contains(&i) {
            SlotOutcome::Agreed
        } else if !revealed {
            SlotOutcome::Missed
        } else if cluster.is_some() {
            SlotOutcome::Outvoted
        } else {
            SlotOutcome::NoMajority
        };
        let slashed = match outcome {
            SlotOutcome::Missed => slash_provider(
                &mut deps,
                &config,
                &provider_addr,
                params.no_show_slash,
                "no_show",
                &mut msgs,
            )?,
            SlotOutcome::Outvoted => slash_provider(
                &mut deps,
                &config,
                &provider_addr,
                params.wrong_result_slash,
                "wrong_result",
                &mut msgs,
            )?,
            _ => Uint128::zero(),
        };
        slashed_total = slashed_total.checked_add(slashed)?;
        job.slots[i].outcome = Some(outcome);

        let mut provider = PROVIDERS.load(deps.storage, &provider_addr)?;
        let rep = &mut provider.reputation;
        rep.jobs_done += 1;
        match outcome {
            SlotOutcome::Agreed => rep.agreed += 1,
            SlotOutcome::Outvoted => rep.outvoted += 1,
            SlotOutcome::Missed => {
                rep.missed += 1;
                rep.last_miss = Some(now);
            }
            SlotOutcome::NoMajority => {}
        }
        if let Some(h) = job.slots[i].revealed_height {
            rep.reveals += 1;
            rep.reveal_blocks_total += h.saturating_sub(job.slots[i].claimed_height);
        }
        rep.slashed = rep.slashed.checked_add(slashed)?;
        provider.active_jobs = provider.active_jobs.saturating_sub(1);
        PROVIDERS.save(deps.storage, &provider_addr, &provider)?;
        OPEN_SLOTS.remove(deps.storage, (&provider_addr, job.id));
    }

    job.escrow = Uint128::zero();
    job.fee = fee;
    job.refunded = refund;
    if job.reveal_deadline.is_none() {
        job.reveal_deadline = Some(now);
    }
    jobs().save(deps.storage, job.id, &job)?;
    TOTALS.update(deps.storage, |mut t| -> Result<_, ContractError> {
        match job.status {
            JobStatus::Settled => t.jobs_settled += 1,
            JobStatus::Disputed => t.jobs_disputed += 1,
            _ => t.jobs_expired += 1,
        }
        t.escrow = t.escrow.checked_sub(escrow)?;
        t.paid_to_providers = t.paid_to_providers.checked_add(paid_total)?;
        t.fees = t.fees.checked_add(fee)?;
        t.fees_pending = t.fees_pending.checked_add(fee)?;
        t.refunded = t.refunded.checked_add(refund)?;
        t.slashed = t.slashed.checked_add(slashed_total)?;
        if !t.fees_pending.is_zero() && t.fees_pending >= params.fee_flush_threshold {
            msgs.push(fee_deposit(&config, t.fees_pending)?);
            t.fees_pending = Uint128::zero();
        }
        Ok(t)
    })?;

    let attrs = vec![
        Attribute::new("job_status", format!("{:?}", job.status)),
        Attribute::new("paid", paid_total),
        Attribute::new("fee", fee),
        Attribute::new("refunded", refund),
        Attribute::new("slashed", slashed_total),
    ];
    Ok((job, msgs, attrs))
}

/// The CW20 `Send` of `amount` of fees to the treasury as a `Deposit`.
fn fee_deposit(config: &Config, amount: Uint128) -> Result<CosmosMsg, ContractError> {
    Ok(send(
        &config.token,
        &config.treasury,
        amount,
        &treasury::ReceiveMsg::Deposit {},
    )?)
}

/// `FlushFees`: anyone; sends every pending fee to the treasury in one deposit.
pub fn flush_fees(deps: DepsMut) -> Result<Response, ContractError> {
    let config = CONFIG.load(deps.storage)?;
    let mut totals = TOTALS.load(deps.storage)?;
    let amount = totals.fees_pending;
    let mut res = Response::new()
        .add_attribute("action", "flush_fees")
        .add_attribute("amount", amount);
    if !amount.is_zero() {
        totals.fees_pending = Uint128::zero();
        TOTALS.save(deps.storage, &totals)?;
        res = res.add_message(fee_deposit(&config, amount)?);
    }
    Ok(res)
}

fn load_open_job(deps: &DepsMut, job_id: u64) -> Result<(Job, ModelSpec), ContractError> {
    let job = load_unfinished_job(deps.storage, job_id)?;
    let spec = MODELS.load(deps.storage, &job.model_id)?.spec;
    Ok((job, spec))
}

/// `Settle`: anyone, once every committed slot revealed or the reveal window closed.
pub fn settle(deps: DepsMut, env: Env, job_id: u64) -> Result<Response, ContractError> {
    let config = CONFIG.load(deps.storage)?;
    let (mut job, spec) = load_open_job(&deps, job_id)?;
    if !open_reveal_phase(&mut job, env.block.time, config.params.reveal_window) {
        return Err(ContractError::SettleTooEarly { id: job_id });
    }
    let window_over = job.reveal_deadline.is_some_and(|d| env.block.time >= d);
    let all_revealed = job
        .slots
        .iter()
        .all(|s| s.commitment.is_none() || s.output.is_some());
    if !window_over && !all_revealed {
        return Err(ContractError::SettleTooEarly { id: job_id });
    }
    let (job, msgs, attrs) = finalize(deps, &env, job, &spec)?;
    Ok(Response::new()
        .add_attribute("action", "settle")
        .add_attribute("job_id", job.id.to_string())
        .add_attributes(attrs)
        .add_messages(msgs))
}

/// `Expire`: anyone, after the job's deadline.
pub fn expire(deps: DepsMut, env: Env, job_id: u64) -> Result<Response, ContractError> {
    let (job, spec) = load_open_job(&deps, job_id)?;
    if env.block.time < job.deadline {
        return Err(ContractError::DeadlineNotReached {
            id: job_id,
            deadline: job.deadline.seconds(),
        });
    }
    let (job, msgs, attrs) = finalize(deps, &env, job, &spec)?;
    Ok(Response::new()
        .add_attribute("action", "expire")
        .add_attribute("job_id", job.id.to_string())
        .add_attributes(attrs)
        .add_messages(msgs))
}

/// `ResolveDispute`: the owner decides a disputed job. The buyer was refunded when the dispute
/// arose, so resolution moves no escrow: it records the result and slashes wrong outputs.
pub fn resolve_dispute(
    mut deps: DepsMut,
    info: MessageInfo,
    job_id: u64,
    resolution: DisputeResolution,
) -> Result<Response, ContractError> {
    cw_ownable::assert_owner(deps.storage, &info.sender)?;
    let config = CONFIG.load(deps.storage)?;
    let mut job = load_job(deps.storage, job_id)?;
    if job.status != JobStatus::Disputed {
        return Err(ContractError::NotDisputed { id: job_id });
    }
    let mut msgs = vec![];
    let mut slashed_total = Uint128::zero();
    let mut accepted = String::from("none");
    if let DisputeResolution::AcceptOutputOf { provider } = resolution {
        let provider = deps.api.addr_validate(&provider)?;
        let spec = MODELS.load(deps.storage, &job.model_id)?.spec;
        let center = job
            .slots
            .iter()
            .find(|s| s.provider == provider)
            .and_then(|s| s.output.clone())
            .ok_or_else(|| ContractError::NoOutputFrom {
                id: job_id,
                provider: provider.to_string(),
            })?;
        let center_values = decode_output(&spec, &center, job.batch)?;
        for i in 0..job.slots.len() {
            let Some(out) = job.slots[i].output.clone() else {
                continue;
            };
            let values = decode_output(&spec, &out, job.batch)?;
            let addr = job.slots[i].provider.clone();
            let mut p = PROVIDERS.load(deps.storage, &addr)?;
            if agree(&center_values, &values, spec.tolerance) {
                job.slots[i].outcome = Some(SlotOutcome::Agreed);
                p.reputation.agreed += 1;
            } else {
                job.slots[i].outcome = Some(SlotOutcome::Outvoted);
                p.reputation.outvoted += 1;
                let taken = slash_provider(
                    &mut deps,
                    &config,
                    &addr,
                    config.params.wrong_result_slash,
                    "wrong_result",
                    &mut msgs,
                )?;
                p.reputation.slashed = p.reputation.slashed.checked_add(taken)?;
                slashed_total = slashed_total.checked_add(taken)?;
            }
            PROVIDERS.save(deps.storage, &addr, &p)?;
        }
        job.result = Some(center);
        accepted = provider.to_string();
    }
    job.status = JobStatus::Resolved;
    jobs().save(deps.storage, job_id, &job)?;
    TOTALS.update(deps.storage, |mut t| -> Result<_, ContractError> {
        t.slashed = t.slashed.checked_add(slashed_total)?;
        Ok(t)
    })?;
    Ok(Response::new()
        .add_attribute("action", "resolve_dispute")
        .add_attribute("job_id", job_id.to_string())
        .add_attribute("accepted", accepted)
        .add_attribute("slashed", slashed_total)
        .add_messages(msgs))
}

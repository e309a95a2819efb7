//! Finalization: the agreement check, payment of the agreeing majority, the protocol fee,
//! slashing of outliers and no-shows, refunds, disputes and their resolution.
//!
//! A job whose reveals form no strict majority becomes `Disputed` and keeps its escrow (and its
//! revealing providers' stake at risk) until the owner resolves it — accepting one output pays
//! the providers that agree with it as a settlement would and slashes the others; voiding it
//! refunds the buyer — or, after `dispute_timeout`, anyone closes it: the escrow minus the fee is
//! shared equally by the providers that revealed and the buyer gets nothing back. So a buyer that
//! provokes a dispute with its own node pays for the job like any buyer.

use cosmwasm_std::{
    to_json_binary, Addr, Attribute, DepsMut, Env, MessageInfo, Response, Storage, SubMsg, Uint128,
    Uint256,
};
use cw20::{Cw20Contract, Cw20ExecuteMsg};

use acn_interface::market::{DisputeResolution, JobStatus, ModelSpec, SlotOutcome};
use acn_interface::{treasury, BPS_DENOMINATOR};

use crate::error::ContractError;
use crate::helpers::{load_job, load_unfinished_job, slash, stake_of};
use crate::jobs::open_reveal_phase;
use crate::payment;
use crate::pricing::count_demand;
use crate::risk::{self, Offence};
use crate::state::{jobs, Config, Job, Provider, CONFIG, MODELS, OPEN_SLOTS, PROVIDERS, TOTALS};
use crate::validation::{agree, decode_output};

/// The protocol fee on `escrow`: `escrow × fee_bps / 10 000`, rounded up, so every escrow of at
/// least one base unit pays a fee when the fee is not zero (never more than the escrow).
pub fn protocol_fee(escrow: Uint128, fee_bps: u16) -> Result<Uint128, ContractError> {
    let numer = escrow.full_mul(Uint128::from(fee_bps));
    let denom = Uint256::from(BPS_DENOMINATOR as u128);
    let fee = numer
        .checked_add(denom.checked_sub(Uint256::one())?)?
        .checked_div(denom)
        .map_err(cosmwasm_std::StdError::divide_by_zero)?;
    Ok(Uint128::try_from(fee)
        .map_err(cosmwasm_std::StdError::from)?
        .min(escrow))
}

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

/// Slash `provider` for `offence` in a slot with stake at risk `base`: record the offence
/// (escalation, jail), ask staking to slash (it caps at what the provider has) and return what
/// will be taken.
#[allow(clippy::too_many_arguments)]
fn penalize(
    querier: &cosmwasm_std::QuerierWrapper,
    config: &Config,
    addr: &Addr,
    provider: &mut Provider,
    base: Uint128,
    offence: Offence,
    now: cosmwasm_std::Timestamp,
    msgs: &mut Vec<SubMsg>,
) -> Result<Uint128, ContractError> {
    let amount = risk::offend(provider, &config.params, base, offence, now)?;
    if amount.is_zero() {
        return Ok(amount);
    }
    let stake = stake_of(querier, &config.staking, addr)?;
    let taken = amount.min(stake.bonded.checked_add(stake.unbonding)?);
    if !taken.is_zero() {
        msgs.push(SubMsg::new(slash(
            &config.staking,
            addr,
            amount,
            offence.reason(),
        )?));
    }
    provider.reputation.slashed = provider.reputation.slashed.checked_add(taken)?;
    Ok(taken)
}

/// Pay the escrow minus the protocol fee in equal shares to the slots `members` (rounding dust to
/// the first); with `report_work`, tell emissions of their parts of the fee. Returns (fee, paid).
fn pay_shares(
    storage: &dyn Storage,
    config: &Config,
    job: &mut Job,
    members: &[usize],
    report_work: bool,
    msgs: &mut Vec<SubMsg>,
) -> Result<(Uint128, Uint128), ContractError> {
    let escrow = job.escrow;
    let fee = protocol_fee(escrow, config.params.protocol_fee_bps)?;
    let pool = escrow.checked_sub(fee)?;
    let n = Uint128::from(members.len() as u128);
    let share = pool
        .checked_div(n)
        .map_err(cosmwasm_std::StdError::divide_by_zero)?;
    let dust = pool.checked_sub(share.checked_mul(n)?)?;
    let mut paid = Uint128::zero();
    for (k, i) in members.iter().enumerate() {
        let amount = if k == 0 {
            share.checked_add(dust)?
        } else {
            share
        };
        job.slots[*i].paid = amount;
        paid = paid.checked_add(amount)?;
        if !amount.is_zero() {
            msgs.push(SubMsg::new(payment::transfer(
                config,
                job.pay_denom.as_deref(),
                &job.slots[*i].provider,
                amount,
            )?));
        }
    }
    if report_work {
        let agreed: Vec<&Addr> = members.iter().map(|i| &job.slots[*i].provider).collect();
        // Emissions weigh work by its fee in ACN: a stable fee at the job's TWAP.
        let fee_acn = payment::acn_value_floor(job, fee)?;
        msgs.extend(crate::emissions::work_message(
            storage, &job.buyer, &agreed, fee_acn,
        )?);
    }
    Ok((fee, paid))
}

/// What a finalization or a dispute's end moved, for the totals (in the job's payment asset;
/// slashes in ACN).
#[derive(Default)]
struct Moved {
    /// The job's payment asset (`None`: ACN).
    pay_denom: Option<String>,
    /// Escrow that left the market's books (paid, fee, refunded).
    released: Uint128,
    /// Paid to providers.
    paid: Uint128,
    /// Protocol fee charged.
    fee: Uint128,
    /// Refunded to the buyer.
    refund: Uint128,
    /// Slashed.
    slashed: Uint128,
}

/// Book `moved` into the totals (and count the job under `counter`). ACN fees collect until
/// past the flush threshold; a stable fee goes to the fee recipient at once, by a bank send
/// (which no recipient can refuse, so no settlement can be blocked by it).
fn book(
    storage: &mut dyn Storage,
    config: &Config,
    moved: &Moved,
    counter: Option<JobStatus>,
    msgs: &mut Vec<SubMsg>,
) -> Result<(), ContractError> {
    TOTALS.update(storage, |mut t| -> Result<_, ContractError> {
        match counter {
            Some(JobStatus::Settled) => t.jobs_settled += 1,
            Some(JobStatus::Disputed) => t.jobs_disputed += 1,
            Some(_) => t.jobs_expired += 1,
            None => {}
        }
        t.slashed = t.slashed.checked_add(moved.slashed)?;
        if let Some(denom) = &moved.pay_denom {
            let st = &mut t.stable;
            st.escrow = st.escrow.checked_sub(moved.released)?;
            st.paid_to_providers = st.paid_to_providers.checked_add(moved.paid)?;
            st.fees = st.fees.checked_add(moved.fee)?;
            st.refunded = st.refunded.checked_add(moved.refund)?;
            if !moved.fee.is_zero() {
                msgs.push(SubMsg::new(payment::transfer(
                    config,
                    Some(denom),
                    &config.treasury,
                    moved.fee,
                )?));
            }
            return Ok(t);
        }
        t.escrow = t.escrow.checked_sub(moved.released)?;
        t.paid_to_providers = t.paid_to_providers.checked_add(moved.paid)?;
        t.fees = t.fees.checked_add(moved.fee)?;
        t.fees_pending = t.fees_pending.checked_add(moved.fee)?;
        t.refunded = t.refunded.checked_add(moved.refund)?;
        if !t.fees_pending.is_zero() && t.fees_pending >= config.params.fee_flush_threshold {
            msgs.push(SubMsg::new(fee_deposit(config, t.fees_pending)?));
            t.fees_pending = Uint128::zero();
        }
        Ok(t)
    })?;
    Ok(())
}

/// The attributes every finalization reports.
fn moved_attrs(status: JobStatus, moved: &Moved) -> Vec<Attribute> {
    vec![
        Attribute::new("job_status", format!("{status:?}")),
        Attribute::new("paid", moved.paid),
        Attribute::new("fee", moved.fee),
        Attribute::new("refunded", moved.refund),
        Attribute::new("slashed", moved.slashed),
    ]
}

/// Close a job: decide the outcome of every slot, move the escrow (a disputed job keeps it),
/// slash, update reputations, stake at risk and totals, and save. Shared by the last reveal,
/// `Settle` and `Expire`.
pub fn finalize(
    deps: DepsMut,
    env: &Env,
    mut job: Job,
    spec: &ModelSpec,
) -> Result<(Job, Vec<SubMsg>, Vec<Attribute>), ContractError> {
    let config = CONFIG.load(deps.storage)?;
    let params = &config.params;
    let now = env.block.time;
    let mut msgs: Vec<SubMsg> = vec![];

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
    let mut moved = Moved {
        pay_denom: job.pay_denom.clone(),
        ..Moved::default()
    };
    match &cluster {
        Some((center, members)) => {
            job.status = JobStatus::Settled;
            job.result = job.slots[*center].output.clone();
            (moved.fee, moved.paid) =
                pay_shares(deps.storage, &config, &mut job, members, true, &mut msgs)?;
            moved.released = escrow;
            let delivered = job.units.saturating_mul(members.len() as u64);
            count_demand(deps.storage, params, now, delivered)?;
        }
        None if decoded.len() >= majority => {
            job.status = JobStatus::Disputed;
            job.disputed_at = Some(now);
        }
        None => {
            job.status = JobStatus::Expired;
            moved.refund = escrow;
            moved.released = escrow;
            if !escrow.is_zero() {
                msgs.push(SubMsg::new(payment::transfer(
                    &config,
                    job.pay_denom.as_deref(),
                    &job.buyer,
                    escrow,
                )?));
            }
        }
    }

    // Outcomes, slashing, reputation and stake at risk, slot by slot.
    let members: &[usize] = cluster.as_ref().map(|(_, m)| m.as_slice()).unwrap_or(&[]);
    for i in 0..job.slots.len() {
        let addr = job.slots[i].provider.clone();
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
        job.slots[i].outcome = Some(outcome);

        let mut provider = PROVIDERS.load(deps.storage, &addr)?;
        let base = risk::base_of(params, &job.slots[i]);
        let offence = match outcome {
            SlotOutcome::Missed => Some(Offence::NoShow),
            SlotOutcome::Outvoted => Some(Offence::WrongResult),
            _ => None,
        };
        if let Some(offence) = offence {
            let taken = penalize(
                &deps.querier,
                &config,
                &addr,
                &mut provider,
                base,
                offence,
                now,
                &mut msgs,
            )?;
            moved.slashed = moved.slashed.checked_add(taken)?;
        }
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
        // A disputed revealer's stake stays at risk until the dispute ends.
        if !(job.status == JobStatus::Disputed && revealed) {
            risk::release(&mut provider, &job.slots[i])?;
        }
        PROVIDERS.save(deps.storage, &addr, &provider)?;
        OPEN_SLOTS.remove(deps.storage, (&addr, job.id));
    }

    if job.status != JobStatus::Disputed {
        job.escrow = Uint128::zero();
    }
    job.fee = moved.fee;
    job.refunded = moved.refund;
    if job.reveal_deadline.is_none() {
        job.reveal_deadline = Some(now);
    }
    let callback = crate::callback::message(&mut job)?;
    jobs().save(deps.storage, job.id, &job)?;
    book(deps.storage, &config, &moved, Some(job.status), &mut msgs)?;
    msgs.extend(callback); // last: it sees the job's payouts done
    let attrs = moved_attrs(job.status, &moved);
    Ok((job, msgs, attrs))
}

/// The CW20 `Send` of `amount` of ACN fees to the fee recipient as a `Deposit` (the treasury's
/// and the buyback vault's hooks both read `{"deposit":{}}`).
fn fee_deposit(config: &Config, amount: Uint128) -> Result<cosmwasm_std::CosmosMsg, ContractError> {
    Ok(
        Cw20Contract(config.token.clone()).call(Cw20ExecuteMsg::Send {
            contract: config.treasury.to_string(),
            amount,
            msg: to_json_binary(&treasury::ReceiveMsg::Deposit {})?,
        })?,
    )
}

/// Send every pending ACN fee to the fee recipient in one deposit (no message when none is
/// pending).
pub fn flush_pending(
    storage: &mut dyn Storage,
    config: &Config,
) -> Result<Vec<SubMsg>, ContractError> {
    let mut totals = TOTALS.load(storage)?;
    let amount = totals.fees_pending;
    if amount.is_zero() {
        return Ok(vec![]);
    }
    totals.fees_pending = Uint128::zero();
    TOTALS.save(storage, &totals)?;
    Ok(vec![SubMsg::new(fee_deposit(config, amount)?)])
}

/// `FlushFees`: anyone; sends every pending ACN fee to the fee recipient in one deposit.
pub fn flush_fees(deps: DepsMut) -> Result<Response, ContractError> {
    let config = CONFIG.load(deps.storage)?;
    let amount = TOTALS.load(deps.storage)?.fees_pending;
    Ok(Response::new()
        .add_attribute("action", "flush_fees")
        .add_attribute("amount", amount)
        .add_submessages(flush_pending(deps.storage, &config)?))
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
        .add_submessages(msgs))
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
        .add_submessages(msgs))
}

/// Load a job that is `Disputed`, or fail with `JobNotFound` / `NotDisputed`.
fn load_disputed(storage: &dyn Storage, job_id: u64) -> Result<Job, ContractError> {
    let job = load_job(storage, job_id)?;
    if job.status != JobStatus::Disputed {
        return Err(ContractError::NotDisputed { id: job_id });
    }
    Ok(job)
}

/// End a dispute: release the stake at risk of every slot still locked by it (the revealing
/// ones), mark the job `Resolved` with its escrow gone, save and book it.
fn end_dispute(
    storage: &mut dyn Storage,
    config: &Config,
    mut job: Job,
    mut moved: Moved,
    msgs: &mut Vec<SubMsg>,
) -> Result<(Job, Moved), ContractError> {
    for slot in job.slots.iter().filter(|s| s.output.is_some()) {
        let mut provider = PROVIDERS.load(storage, &slot.provider)?;
        risk::release(&mut provider, slot)?;
        PROVIDERS.save(storage, &slot.provider, &provider)?;
    }
    moved.released = job.escrow;
    job.escrow = Uint128::zero();
    job.fee = moved.fee;
    job.refunded = moved.refund;
    job.status = JobStatus::Resolved;
    let callback = crate::callback::message(&mut job)?;
    jobs().save(storage, job.id, &job)?;
    book(storage, config, &moved, None, msgs)?;
    msgs.extend(callback);
    Ok((job, moved))
}

/// `ResolveDispute`: the owner decides a disputed job. Accepting a provider's output pays the
/// providers whose outputs agree with it (escrow minus the fee, as a settlement) and slashes the
/// other revealers for a wrong result; voiding refunds the buyer and slashes nobody.
pub fn resolve_dispute(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    job_id: u64,
    resolution: DisputeResolution,
) -> Result<Response, ContractError> {
    cw_ownable::assert_owner(deps.storage, &info.sender)?;
    let config = CONFIG.load(deps.storage)?;
    let mut job = load_disputed(deps.storage, job_id)?;
    let now = env.block.time;
    let mut msgs = vec![];
    let mut moved = Moved {
        pay_denom: job.pay_denom.clone(),
        ..Moved::default()
    };
    let mut accepted = String::from("none");
    match resolution {
        DisputeResolution::AcceptOutputOf { provider } => {
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
            let mut members = vec![];
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
                    members.push(i);
                } else {
                    job.slots[i].outcome = Some(SlotOutcome::Outvoted);
                    p.reputation.outvoted += 1;
                    let base = risk::base_of(&config.params, &job.slots[i]);
                    let taken = penalize(
                        &deps.querier,
                        &config,
                        &addr,
                        &mut p,
                        base,
                        Offence::WrongResult,
                        now,
                        &mut msgs,
                    )?;
                    moved.slashed = moved.slashed.checked_add(taken)?;
                }
                PROVIDERS.save(deps.storage, &addr, &p)?;
            }
            (moved.fee, moved.paid) =
                pay_shares(deps.storage, &config, &mut job, &members, true, &mut msgs)?;
            let delivered = job.units.saturating_mul(members.len() as u64);
            count_demand(deps.storage, &config.params, now, delivered)?;
            job.result = Some(center);
            accepted = provider.to_string();
        }
        DisputeResolution::Void {} => {
            moved.refund = job.escrow;
            if !job.escrow.is_zero() {
                msgs.push(SubMsg::new(payment::transfer(
                    &config,
                    job.pay_denom.as_deref(),
                    &job.buyer,
                    job.escrow,
                )?));
            }
        }
    }
    let (job, moved) = end_dispute(deps.storage, &config, job, moved, &mut msgs)?;
    Ok(Response::new()
        .add_attribute("action", "resolve_dispute")
        .add_attribute("job_id", job.id.to_string())
        .add_attribute("accepted", accepted)
        .add_attributes(moved_attrs(job.status, &moved))
        .add_submessages(msgs))
}

/// `CloseDispute`: anyone, once a dispute is `dispute_timeout` old. The escrow minus the fee is
/// shared equally by every provider that revealed (nobody can tell who was right, so nobody is
/// slashed and no work is reported to emissions); the buyer gets nothing back.
pub fn close_dispute(deps: DepsMut, env: Env, job_id: u64) -> Result<Response, ContractError> {
    let config = CONFIG.load(deps.storage)?;
    let mut job = load_disputed(deps.storage, job_id)?;
    let disputed_at = job.disputed_at.unwrap_or(job.created_at);
    let closes_at = disputed_at.plus_seconds(config.params.dispute_timeout);
    if env.block.time < closes_at {
        return Err(ContractError::DisputeStillOpen {
            id: job_id,
            closes_at: closes_at.seconds(),
        });
    }
    let revealed: Vec<usize> = (0..job.slots.len())
        .filter(|i| job.slots[*i].output.is_some())
        .collect();
    let mut msgs = vec![];
    let mut moved = Moved {
        pay_denom: job.pay_denom.clone(),
        ..Moved::default()
    };
    (moved.fee, moved.paid) =
        pay_shares(deps.storage, &config, &mut job, &revealed, false, &mut msgs)?;
    let (job, moved) = end_dispute(deps.storage, &config, job, moved, &mut msgs)?;
    Ok(Response::new()
        .add_attribute("action", "close_dispute")
        .add_attribute("job_id", job.id.to_string())
        .add_attributes(moved_attrs(job.status, &moved))
        .add_submessages(msgs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fee_rounds_up_so_no_escrow_escapes_it() {
        // Rounded down, 3 % of 1..=33 base units was zero (the "under 34").
        for escrow in 1u128..=34 {
            let fee = protocol_fee(Uint128::new(escrow), 300).unwrap().u128();
            assert_eq!(fee, (escrow * 300).div_ceil(10_000), "escrow {escrow}");
            assert!(fee >= 1, "escrow {escrow} pays no fee");
            assert_eq!(fee, if escrow <= 33 { 1 } else { 2 }, "escrow {escrow}");
        }
        assert_eq!(protocol_fee(Uint128::new(4_000), 300).unwrap().u128(), 120);
        assert_eq!(protocol_fee(Uint128::new(12_000), 300).unwrap().u128(), 360);
        assert_eq!(protocol_fee(Uint128::new(1), 0).unwrap().u128(), 0);
        assert_eq!(
            protocol_fee(Uint128::MAX, 1_000).unwrap(),
            Uint128::MAX.multiply_ratio(1u128, 10u128) + Uint128::one()
        );
    }
}

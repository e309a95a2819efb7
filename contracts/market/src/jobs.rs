//! The job lifecycle up to settlement: submit (through a CW20 `Send`, which assigns the slots),
//! commit, reveal.

use cosmwasm_std::{
    Addr, Binary, DepsMut, Env, HexBinary, MessageInfo, Response, Timestamp, Uint128,
};

use acn_interface::bps_of;
use acn_interface::market::{commitment, JobStatus, Slot, MAX_SALT_LEN, MIN_SALT_LEN};

use crate::error::ContractError;
use crate::helpers::{discount_bps, load_unfinished_job};
use crate::payment::{self, Payment};
use crate::pricing::roll;
use crate::risk;
use crate::selection::{self, JobTerms, Rng};
use crate::settle::finalize;
use crate::state::{
    jobs, Job, CONFIG, ELIGIBLE_PROVIDERS, JOB_INPUTS, JOB_SEQ, MODELS, OPEN_SLOTS, PRICE,
    PROVIDERS, PROVIDER_JOBS, TOTALS,
};
use crate::validation::{decode_output, validate_input};

/// A job submission as carried by the `SubmitJob` hook.
pub struct Submission {
    /// Model id.
    pub model_id: String,
    /// Encoded input.
    pub input: Binary,
    /// Items.
    pub batch: u32,
    /// Slots.
    pub redundancy: u8,
    /// Buyer's unit-price limit.
    pub max_unit_price: Uint128,
    /// Expiry time.
    pub deadline: Timestamp,
    /// `sha256(secret)` of the buyer's audit secret (redundancy 1 only).
    pub audit_commitment: Option<HexBinary>,
    /// The buyer's result callback request.
    pub callback: Option<acn_interface::market::Callback>,
}

/// Price breakdown of a job.
pub struct Quote {
    /// Units × unit price × redundancy.
    pub gross: Uint128,
    /// Staker discount.
    pub discount: Uint128,
    /// What the buyer pays.
    pub price: Uint128,
    /// Price units.
    pub units: u64,
}

/// Price a job of `units` price units ([`ModelSpec::job_units`]) at `unit_price` with a
/// discount of `discount_bps`.
///
/// [`ModelSpec::job_units`]: acn_interface::market::ModelSpec::job_units
pub fn quote(
    units: u64,
    redundancy: u8,
    unit_price: Uint128,
    discount_bps: u16,
) -> Result<Quote, ContractError> {
    let gross = unit_price
        .checked_mul(Uint128::from(units))?
        .checked_mul(Uint128::from(redundancy))?;
    let discount = bps_of(gross, discount_bps);
    Ok(Quote {
        gross,
        discount,
        price: gross.checked_sub(discount)?,
        units,
    })
}

/// `SubmitJob`: validate, price, escrow, refund the excess — or fail and move nothing.
pub fn submit(
    deps: DepsMut,
    env: Env,
    buyer: Addr,
    payment: Payment,
    sub: Submission,
) -> Result<Response, ContractError> {
    let config = CONFIG.load(deps.storage)?;
    let params = &config.params;
    let model = MODELS
        .may_load(deps.storage, &sub.model_id)?
        .ok_or_else(|| ContractError::ModelNotFound {
            id: sub.model_id.clone(),
        })?;
    if !model.active {
        return Err(ContractError::ModelInactive { id: sub.model_id });
    }
    validate_input(&model.spec, &sub.input, sub.batch, params.max_input_bytes)?;
    let min_redundancy = model.spec.min_redundancy.max(1);
    if sub.redundancy < min_redundancy || sub.redundancy > params.max_redundancy {
        return Err(ContractError::InvalidRedundancy {
            redundancy: sub.redundancy,
            min: min_redundancy,
            max: params.max_redundancy,
        });
    }
    let now = env.block.time;
    let earliest = now
        .seconds()
        .saturating_add(params.commit_window + params.reveal_window);
    let latest = now.seconds().saturating_add(params.max_job_lifetime);
    if sub.deadline.seconds() < earliest || sub.deadline.seconds() > latest {
        return Err(ContractError::InvalidDeadline {
            earliest,
            latest,
            got: sub.deadline.seconds(),
        });
    }

    let eligible = ELIGIBLE_PROVIDERS
        .may_load(deps.storage)?
        .unwrap_or_default();
    let price_state = roll(PRICE.load(deps.storage)?, params, eligible, now);
    let unit_price = price_state.unit_price;
    if unit_price > sub.max_unit_price {
        return Err(ContractError::PriceAboveMax {
            unit_price,
            max_unit_price: sub.max_unit_price,
        });
    }
    let discount = discount_bps(deps.as_ref(), &buyer)?;
    let q = quote(
        model.spec.job_units(&sub.input, sub.batch)?,
        sub.redundancy,
        unit_price,
        discount,
    )?;
    let paying = price_in_paid_asset(&deps, &config, payment, q.price)?;
    let excess = paying.sent.checked_sub(paying.price)?;
    let audit = crate::audit::check_submission(
        params,
        sub.redundancy,
        &sub.audit_commitment,
        paying.acn_value,
    )?;
    let callback = crate::callback::check_request(deps.as_ref(), params, &buyer, sub.callback)?;
    // Demand is counted at settlement (pricing::count_demand); only the roll is saved here.
    PRICE.save(deps.storage, &price_state)?;

    let id = JOB_SEQ.update(deps.storage, |n| -> Result<u64, ContractError> {
        Ok(n.checked_add(1)
            .ok_or_else(|| cosmwasm_std::StdError::generic_err("job id overflow"))?)
    })?;

    // Assign every slot now, by a stake- and reputation-weighted draw (see `selection`).
    let mut rng = Rng::new(selection::seed(deps.storage, &env, id)?);
    let at_risk = risk::slot_at_risk(params, paying.acn_value, sub.redundancy)?;
    let terms = JobTerms {
        model_id: &sub.model_id,
        unit_price,
        buyer: &buyer,
        at_risk,
    };
    let assigned = selection::draw(
        deps.storage,
        &deps.querier,
        &config.staking,
        params,
        now,
        &terms,
        sub.redundancy,
        &[],
        &mut rng,
    )?;
    let mut slots = Vec::with_capacity(assigned.len());
    for addr in assigned {
        let mut provider = PROVIDERS.load(deps.storage, &addr)?;
        risk::lock(&mut provider, at_risk)?;
        PROVIDERS.save(deps.storage, &addr, &provider)?;
        PROVIDER_JOBS.save(deps.storage, (&addr, id), &())?;
        OPEN_SLOTS.save(deps.storage, (&addr, id), &())?;
        slots.push(Slot {
            provider: addr,
            claimed_height: env.block.height,
            commitment: None,
            output: None,
            revealed_height: None,
            outcome: None,
            paid: Uint128::zero(),
            at_risk,
        });
    }
    let assigned_attr = slots
        .iter()
        .map(|s| s.provider.as_str())
        .collect::<Vec<_>>()
        .join(",");

    let job = Job {
        id,
        buyer: buyer.clone(),
        model_id: sub.model_id.clone(),
        input: Binary::default(), // stored once, in JOB_INPUTS
        batch: sub.batch,
        redundancy: sub.redundancy,
        unit_price,
        units: q.units,
        escrow: paying.price,
        price: paying.price,
        status: JobStatus::Open,
        created_at: now,
        created_height: env.block.height,
        commit_deadline: now.plus_seconds(params.commit_window),
        reveal_deadline: None,
        deadline: sub.deadline,
        slots,
        disputed_at: None,
        result: None,
        audit,
        fee: Uint128::zero(),
        refunded: Uint128::zero(),
        pay_denom: paying.denom.clone(),
        acn_price: paying.acn_price,
        callback,
    };
    JOB_INPUTS.save(deps.storage, id, &sub.input)?;
    jobs().save(deps.storage, id, &job)?;
    TOTALS.update(deps.storage, |mut t| -> Result<_, ContractError> {
        t.jobs_submitted += 1;
        if paying.denom.is_some() {
            t.stable.volume = t.stable.volume.checked_add(paying.price)?;
            t.stable.escrow = t.stable.escrow.checked_add(paying.price)?;
        } else {
            t.volume = t.volume.checked_add(paying.price)?;
            t.escrow = t.escrow.checked_add(paying.price)?;
        }
        Ok(t)
    })?;

    let mut res = Response::new()
        .add_attribute("action", "submit_job")
        .add_attribute("job_id", id.to_string())
        .add_attribute("buyer", buyer.to_string())
        .add_attribute("model_id", sub.model_id)
        .add_attribute("unit_price", unit_price)
        .add_attribute("price", paying.price)
        .add_attribute("pay_denom", paying.denom.as_deref().unwrap_or("acn"))
        .add_attribute("discount", q.discount)
        .add_attribute("refund", excess)
        .add_attribute("assigned", assigned_attr);
    if let Some(p) = paying.acn_price {
        res = res.add_attribute("acn_price", p.to_string());
    }
    if !excess.is_zero() {
        res = res.add_message(payment::transfer(
            &config,
            paying.denom.as_deref(),
            &buyer,
            excess,
        )?);
    }
    Ok(res)
}

/// A job's price in the asset its buyer paid.
struct Paying {
    /// The bank denom paid (`None`: ACN).
    denom: Option<String>,
    /// What the buyer sent.
    sent: Uint128,
    /// The price in the paid asset (at most `sent`).
    price: Uint128,
    /// The price in ACN (stake at risk and the audit bound are sized on it).
    acn_value: Uint128,
    /// The TWAP used, in a stable-priced market.
    acn_price: Option<cosmwasm_std::Decimal>,
}

/// Price a job quoted at `quoted` (in the market's unit) in the asset of `payment`, and check
/// that enough was sent. In a stable-priced market both assets need the oracle's TWAP: an ACN
/// payment to convert the price, a stable one to size the stake its slots put at risk.
fn price_in_paid_asset(
    deps: &DepsMut,
    config: &crate::state::Config,
    payment: Payment,
    quoted: Uint128,
) -> Result<Paying, ContractError> {
    let Some(stable) = &config.stable else {
        let Payment::Acn(sent) = payment else {
            return Err(ContractError::StablePaymentsDisabled {});
        };
        if sent < quoted {
            return Err(ContractError::InsufficientPayment {
                required: quoted,
                paid: sent,
            });
        }
        return Ok(Paying {
            denom: None,
            sent,
            price: quoted,
            acn_value: quoted,
            acn_price: None,
        });
    };
    let acn_price = payment::twap(&deps.querier, stable)?;
    let in_acn = payment::acn_for(quoted, acn_price)?;
    match payment {
        Payment::Stable(sent) => {
            if sent < quoted {
                return Err(ContractError::InsufficientPayment {
                    required: quoted,
                    paid: sent,
                });
            }
            Ok(Paying {
                denom: Some(stable.denom.clone()),
                sent,
                price: quoted,
                acn_value: in_acn,
                acn_price: Some(acn_price),
            })
        }
        Payment::Acn(sent) => {
            if sent < in_acn {
                return Err(ContractError::AcnPaymentTooLow {
                    required: in_acn,
                    sent,
                    acn_price,
                });
            }
            Ok(Paying {
                denom: None,
                sent,
                price: in_acn,
                acn_value: in_acn,
                acn_price: Some(acn_price),
            })
        }
    }
}

/// Open the reveal phase once every slot is filled and committed, or lazily once the commit
/// window has closed. Returns true if the job is (now) revealing.
pub fn open_reveal_phase(job: &mut Job, now: Timestamp, reveal_window: u64) -> bool {
    match job.status {
        JobStatus::Revealing => true,
        JobStatus::Open => {
            let all_committed = job.slots.len() == job.redundancy as usize
                && job.slots.iter().all(|s| s.commitment.is_some());
            // A redundancy-1 job waits for its buyer's audit decision (or the window's end)
            // before its output may be revealed: an auditor must not see it first.
            let audit_pending = job.audit.as_ref().is_some_and(|a| a.audited.is_none());
            if all_committed && !audit_pending {
                job.status = JobStatus::Revealing;
                job.reveal_deadline = Some(now.plus_seconds(reveal_window));
                true
            } else if now >= job.commit_deadline {
                job.status = JobStatus::Revealing;
                job.reveal_deadline = Some(job.commit_deadline.plus_seconds(reveal_window));
                true
            } else {
                false
            }
        }
        _ => false,
    }
}

/// `CommitResult`: a slot holder posts its commitment within the commit window.
pub fn commit(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    job_id: u64,
    commitment: HexBinary,
) -> Result<Response, ContractError> {
    let config = CONFIG.load(deps.storage)?;
    let mut job = load_unfinished_job(deps.storage, job_id)?;
    if job.status != JobStatus::Open || env.block.time >= job.commit_deadline {
        return Err(ContractError::CommitWindowClosed { id: job_id });
    }
    if commitment.len() != 32 {
        return Err(ContractError::InvalidCommitment {
            len: commitment.len(),
        });
    }
    let slot = job
        .slots
        .iter_mut()
        .find(|s| s.provider == info.sender)
        .ok_or(ContractError::NotAssigned { id: job_id })?;
    if slot.commitment.is_some() {
        return Err(ContractError::AlreadyCommitted { id: job_id });
    }
    slot.commitment = Some(commitment);
    OPEN_SLOTS.remove(deps.storage, (&info.sender, job_id));
    let revealing = open_reveal_phase(&mut job, env.block.time, config.params.reveal_window);
    jobs().save(deps.storage, job_id, &job)?;
    Ok(Response::new()
        .add_attribute("action", "commit_result")
        .add_attribute("job_id", job_id.to_string())
        .add_attribute("provider", info.sender)
        .add_attribute("reveal_open", revealing.to_string()))
}

/// `RevealResult`: a committed provider reveals output and salt; the last reveal settles.
pub fn reveal(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    job_id: u64,
    output: Binary,
    salt: Binary,
) -> Result<Response, ContractError> {
    let config = CONFIG.load(deps.storage)?;
    let mut job = load_unfinished_job(deps.storage, job_id)?;
    if !open_reveal_phase(&mut job, env.block.time, config.params.reveal_window) {
        return Err(ContractError::RevealNotOpen { id: job_id });
    }
    if job.reveal_deadline.is_some_and(|d| env.block.time >= d) {
        return Err(ContractError::RevealWindowClosed { id: job_id });
    }
    if salt.len() < MIN_SALT_LEN || salt.len() > MAX_SALT_LEN {
        return Err(ContractError::InvalidSalt { len: salt.len() });
    }
    let model = MODELS.load(deps.storage, &job.model_id)?;
    let batch = job.batch;
    let slot = job
        .slots
        .iter_mut()
        .find(|s| s.provider == info.sender)
        .ok_or(ContractError::NoCommitment { id: job_id })?;
    let committed = slot
        .commitment
        .clone()
        .ok_or(ContractError::NoCommitment { id: job_id })?;
    if slot.output.is_some() {
        return Err(ContractError::AlreadyRevealed { id: job_id });
    }
    decode_output(&model.spec, &output, batch)?;
    let expected = commitment(
        &output,
        &salt,
        info.sender.as_str(),
        job_id,
        env.contract.address.as_str(),
    );
    if expected != committed.as_slice() {
        return Err(ContractError::CommitmentMismatch {});
    }
    slot.output = Some(output);
    slot.revealed_height = Some(env.block.height);
    selection::mix_entropy(deps.storage, job_id, &info.sender, &salt)?;

    let all_revealed = job
        .slots
        .iter()
        .all(|s| s.commitment.is_none() || s.output.is_some());
    let res = Response::new()
        .add_attribute("action", "reveal_result")
        .add_attribute("job_id", job_id.to_string())
        .add_attribute("provider", info.sender);
    if all_revealed {
        let (job, msgs, attrs) = finalize(deps, &env, job, &model.spec)?;
        Ok(res
            .add_submessages(msgs)
            .add_attributes(attrs)
            .add_attribute("status", format!("{:?}", job.status)))
    } else {
        jobs().save(deps.storage, job_id, &job)?;
        Ok(res)
    }
}

//! What `acn-worker status` shows: the provider's account on chain (stake bonded, locked at
//! risk and unbonding, claims, registration, reputation, slashes and jail, unfinished jobs) and
//! the journal's jobs and earnings; as text for a person or as JSON (`--output json`).

use std::fmt;

use cosmwasm_std::Uint128;
use cw_utils::Expiration;
use serde::Serialize;

use acn_client::{Chain, ChainExt};
use acn_interface::market::{self, Hardware, JobResponse, JobStatus};
use acn_interface::staking;

use crate::journal::{Journal, Stage};
use crate::provider::{exposure, provider, staking_query};
use crate::units::{format_span, format_time, format_tokens};
use crate::worker::Earnings;

/// An unbonding claim of the account.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ClaimStatus {
    /// Base units.
    pub amount: Uint128,
    /// When it can be claimed (unix seconds), for a time-based unbonding period.
    pub matures_at: Option<u64>,
    /// The same as a UTC date.
    pub matures_at_utc: Option<String>,
    /// The height from which it can be claimed, for a height-based unbonding period.
    pub matures_at_height: Option<u64>,
    /// True once it can be claimed.
    pub matured: bool,
}

impl ClaimStatus {
    pub(crate) fn new(claim: &staking::Claim, block: &acn_client::Block) -> Self {
        let (time, height) = match claim.release_at {
            Expiration::AtTime(t) => (Some(t.seconds()), None),
            Expiration::AtHeight(h) => (None, Some(h)),
            Expiration::Never {} => (None, None),
        };
        ClaimStatus {
            amount: claim.amount,
            matures_at: time,
            matures_at_utc: time.map(format_time),
            matures_at_height: height,
            matured: time.is_some_and(|t| block.time >= t)
                || height.is_some_and(|h| block.height >= h),
        }
    }

    /// `matures 2026-12-15 17:26:28 UTC (in 14 d 0 h)`.
    pub fn describe(&self, now: &acn_client::Block) -> String {
        if self.matured {
            return "matured: claimable now".into();
        }
        match (self.matures_at, self.matures_at_height) {
            (Some(t), _) => format!(
                "matures {} (in {})",
                format_time(t),
                format_span(t.saturating_sub(now.time))
            ),
            (None, Some(h)) => format!(
                "matures at height {h} (in {} blocks)",
                h.saturating_sub(now.height)
            ),
            (None, None) => "never matures".into(),
        }
    }
}

/// The account's stake.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StakeStatus {
    /// Bonded (staking `Stake`).
    pub bonded: Uint128,
    /// Part of `bonded` the market holds at risk for unfinished jobs (market `Exposure`).
    pub locked: Uint128,
    /// `bonded − locked`: what `unbond` may take now.
    pub unbondable: Uint128,
    /// In unbonding claims, matured or not.
    pub unbonding: Uint128,
    /// Staking rewards accrued and not claimed.
    pub pending_rewards: Uint128,
    /// The market's `min_provider_stake`: below it no job is assigned.
    pub min_provider_stake: Uint128,
}

/// The provider's track record and offences (market `Provider`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ReputationStatus {
    /// Jobs settled in which it held a slot.
    pub jobs_done: u64,
    /// In the agreeing majority.
    pub agreed: u64,
    /// Outvoted (slashed).
    pub outvoted: u64,
    /// Missed a commit or reveal (slashed).
    pub missed: u64,
    /// Base units the market ever slashed from it.
    pub slashed: Uint128,
    /// Offences in the current offence window.
    pub strikes: u32,
    /// Time of the last offence (unix seconds).
    pub last_offence: Option<u64>,
    /// Time of the last miss (unix seconds).
    pub last_miss: Option<u64>,
    /// Jailed until (unix seconds), if jailed now.
    pub jailed_until: Option<u64>,
    /// After a miss the market assigns no job until this time (unix seconds): the last miss plus
    /// `miss_cooldown`, if that is still ahead.
    pub cooling_down_until: Option<u64>,
}

/// The provider's registration.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RegistrationStatus {
    /// Takes jobs (false once deregistered).
    pub active: bool,
    /// Models it registered.
    pub models: Vec<String>,
    /// Lowest unit price it works for.
    pub min_unit_price: Uint128,
    /// Declared hardware.
    pub hardware: Hardware,
    /// Selection weight (its bonded stake when last seen eligible; 0 when not eligible).
    pub selection_weight: Uint128,
    /// Unfinished jobs the market counts for it.
    pub unfinished_jobs: u32,
    /// Track record and offences.
    pub reputation: ReputationStatus,
}

/// One unfinished job holding a slot of the provider.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AssignedJob {
    /// Job id.
    pub id: u64,
    /// Model.
    pub model_id: String,
    /// Job status.
    pub status: JobStatus,
    /// Items.
    pub batch: u32,
    /// Slots.
    pub redundancy: u8,
    /// This provider's stake at risk in the job.
    pub at_risk: Uint128,
    /// This provider committed.
    pub committed: bool,
    /// This provider revealed.
    pub revealed: bool,
    /// Commit deadline (unix seconds).
    pub commit_deadline: u64,
    /// Reveal deadline (unix seconds), once the reveal phase is open.
    pub reveal_deadline: Option<u64>,
    /// After this anyone may expire the job (unix seconds).
    pub deadline: u64,
}

/// The provider's account on chain.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct OnChainStatus {
    /// Chain id of the deployment.
    pub chain_id: String,
    /// Height read at.
    pub height: u64,
    /// Block time (unix seconds).
    pub time: u64,
    /// The account's address.
    pub address: String,
    /// Token balance (base units).
    pub balance: Uint128,
    /// Stake.
    pub stake: StakeStatus,
    /// Unbonding claims.
    pub claims: Vec<ClaimStatus>,
    /// Registration, if the market knows the address.
    pub provider: Option<RegistrationStatus>,
    /// Unfinished jobs holding a slot of the provider (open, revealing or disputed).
    pub jobs: Vec<AssignedJob>,
}

/// Every unfinished job (open, revealing or disputed) holding a slot of `address`.
pub fn unfinished_jobs(chain: &dyn Chain, address: &str) -> anyhow::Result<Vec<JobResponse>> {
    let mut out = vec![];
    let mut start_after = None;
    loop {
        let page: market::JobsResponse = chain.market(&market::QueryMsg::Jobs {
            filter: market::JobFilter::Provider {
                address: address.to_string(),
            },
            start_after,
            limit: Some(30),
        })?;
        let Some(last) = page.jobs.last() else { break };
        start_after = Some(last.id);
        out.extend(page.jobs.into_iter().filter(|j| j.status.holds_escrow()));
    }
    Ok(out)
}

/// Read the account's whole on-chain picture.
pub fn status(chain: &dyn Chain, account: &str) -> anyhow::Result<OnChainStatus> {
    let address = chain.address(account)?;
    let block = chain.block()?;
    let stake = chain.stake(&address)?;
    let exposure = exposure(chain, &address)?;
    let cfg: market::ConfigResponse = chain.market(&market::QueryMsg::Config {})?;
    let claims: staking::ClaimsResponse = staking_query(
        chain,
        &staking::QueryMsg::Claims {
            address: address.clone(),
        },
    )?;
    let rewards: staking::PendingRewardsResponse = staking_query(
        chain,
        &staking::QueryMsg::PendingRewards {
            address: address.clone(),
        },
    )?;
    let jobs = unfinished_jobs(chain, &address)?
        .into_iter()
        .map(|j| {
            let slot = j.slots.iter().find(|s| s.provider.as_str() == address);
            AssignedJob {
                id: j.id,
                model_id: j.model_id.clone(),
                status: j.status,
                batch: j.batch,
                redundancy: j.redundancy,
                at_risk: slot.map(|s| s.at_risk).unwrap_or_default(),
                committed: slot.is_some_and(|s| s.commitment.is_some()),
                revealed: slot.is_some_and(|s| s.output.is_some()),
                commit_deadline: j.commit_deadline.seconds(),
                reveal_deadline: j.reveal_deadline.map(|t| t.seconds()),
                deadline: j.deadline.seconds(),
            }
        })
        .collect();
    let registration = provider(chain, &address).map(|p| RegistrationStatus {
        active: p.active,
        models: p.models,
        min_unit_price: p.min_unit_price,
        hardware: p.hardware,
        selection_weight: p.weight,
        unfinished_jobs: exposure.unfinished_jobs,
        reputation: ReputationStatus {
            jobs_done: p.reputation.jobs_done,
            agreed: p.reputation.agreed,
            outvoted: p.reputation.outvoted,
            missed: p.reputation.missed,
            slashed: p.reputation.slashed,
            strikes: p.reputation.strikes,
            last_offence: p.reputation.last_offence.map(|t| t.seconds()),
            last_miss: p.reputation.last_miss.map(|t| t.seconds()),
            jailed_until: exposure.jailed_until.map(|t| t.seconds()),
            cooling_down_until: p
                .reputation
                .last_miss
                .map(|t| t.seconds().saturating_add(cfg.params.miss_cooldown))
                .filter(|until| *until > block.time),
        },
    });
    Ok(OnChainStatus {
        chain_id: chain.deployment().chain_id.clone(),
        height: block.height,
        time: block.time,
        balance: Uint128::new(chain.balance(&address)?),
        stake: StakeStatus {
            bonded: stake.bonded,
            locked: exposure.locked,
            unbondable: stake.bonded.saturating_sub(exposure.locked),
            unbonding: stake.unbonding,
            pending_rewards: rewards.pending,
            min_provider_stake: cfg.params.min_provider_stake,
        },
        claims: claims
            .claims
            .iter()
            .map(|c| ClaimStatus::new(c, &block))
            .collect(),
        provider: registration,
        jobs,
        address,
    })
}

/// The journal's view: what this worker did and earned.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct JournalStatus {
    /// Journal file.
    pub path: String,
    /// Jobs final.
    pub finished: u64,
    /// Jobs in flight.
    pub in_flight: u64,
    /// Final jobs agreed with the majority.
    pub agreed: u64,
    /// Final jobs outvoted.
    pub outvoted: u64,
    /// Final jobs missed.
    pub missed: u64,
    /// Base units earned.
    pub earned: Uint128,
    /// Every job in the journal.
    pub jobs: Vec<JournalJob>,
}

/// One job of the journal.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct JournalJob {
    /// Job id.
    pub id: u64,
    /// Model.
    pub model_id: String,
    /// Stage reached.
    pub stage: Stage,
    /// Final status, e.g. `Settled`.
    pub status: Option<String>,
    /// Outcome of the slot, e.g. `Agreed`.
    pub outcome: Option<String>,
    /// Base units paid.
    pub paid: Uint128,
}

impl JournalStatus {
    /// Summarise a journal.
    pub fn new(journal: &Journal) -> Self {
        let e = Earnings::from_journal(journal);
        JournalStatus {
            path: journal.path().display().to_string(),
            finished: e.finished,
            in_flight: e.in_flight,
            agreed: e.agreed,
            outvoted: e.outvoted,
            missed: e.missed,
            earned: Uint128::new(e.paid),
            jobs: journal
                .entries()
                .map(|entry| JournalJob {
                    id: entry.job_id,
                    model_id: entry.model_id.clone(),
                    stage: entry.stage,
                    status: entry.status.clone(),
                    outcome: entry.outcome.clone(),
                    paid: Uint128::new(entry.paid),
                })
                .collect(),
        }
    }
}

/// What `acn-worker status` shows (`--output json` prints it as JSON).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StatusReport {
    /// Account (key name) of the config.
    pub account: String,
    /// The on-chain picture (`None` when the config has no `[chain]` table).
    pub chain: Option<OnChainStatus>,
    /// The journal's picture.
    pub journal: JournalStatus,
}

impl fmt::Display for StatusReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let tokens = |u: Uint128| format_tokens(u.u128());
        match &self.chain {
            None => writeln!(
                f,
                "account      {} (no [chain] table in the config: journal only)",
                self.account
            )?,
            Some(c) => {
                let now = acn_client::Block {
                    height: c.height,
                    time: c.time,
                };
                writeln!(f, "account      {} ({})", self.account, c.address)?;
                writeln!(
                    f,
                    "chain        {} at height {}, {}",
                    c.chain_id,
                    c.height,
                    format_time(c.time)
                )?;
                writeln!(f, "balance      {}", tokens(c.balance))?;
                let s = &c.stake;
                writeln!(
                    f,
                    "stake        {} bonded: {} locked at risk, {} unbondable; {} unbonding; {} rewards pending",
                    tokens(s.bonded),
                    tokens(s.locked),
                    tokens(s.unbondable),
                    tokens(s.unbonding),
                    tokens(s.pending_rewards)
                )?;
                if s.bonded < s.min_provider_stake {
                    writeln!(
                        f,
                        "             below the market's minimum provider stake of {}: no jobs are assigned",
                        tokens(s.min_provider_stake)
                    )?;
                }
                for (i, claim) in c.claims.iter().enumerate() {
                    writeln!(
                        f,
                        "{:<12} {} {}",
                        if i == 0 { "claims" } else { "" },
                        tokens(claim.amount),
                        claim.describe(&now)
                    )?;
                }
                match &c.provider {
                    None => writeln!(f, "provider     not registered")?,
                    Some(p) => {
                        writeln!(
                            f,
                            "provider     {}; models {}; min unit price {}; {} on {}",
                            if p.active {
                                "registered, active"
                            } else {
                                "deregistered"
                            },
                            p.models.join(", "),
                            p.min_unit_price,
                            p.hardware.backend,
                            p.hardware.device
                        )?;
                        let r = &p.reputation;
                        writeln!(
                            f,
                            "reputation   {} done: {} agreed, {} outvoted, {} missed",
                            if r.jobs_done == 1 {
                                "1 job".to_string()
                            } else {
                                format!("{} jobs", r.jobs_done)
                            },
                            r.agreed,
                            r.outvoted,
                            r.missed
                        )?;
                        write!(
                            f,
                            "offences     {} slashed in total; {} in the offence window",
                            tokens(r.slashed),
                            match r.strikes {
                                1 => "1 strike".to_string(),
                                n => format!("{n} strikes"),
                            }
                        )?;
                        if let Some(t) = r.last_offence {
                            write!(f, " (last {})", format_time(t))?;
                        }
                        match r.jailed_until {
                            Some(t) => writeln!(f, "; JAILED until {}", format_time(t))?,
                            None => writeln!(f, "; not jailed")?,
                        }
                        if let Some(t) = r.cooling_down_until {
                            writeln!(
                                f,
                                "             cooling down after a miss: no jobs assigned before {}",
                                format_time(t)
                            )?;
                        }
                    }
                }
                writeln!(
                    f,
                    "jobs         {} unfinished holding a slot of this provider",
                    c.jobs.len()
                )?;
                if !c.jobs.is_empty() {
                    writeln!(
                        f,
                        "{:>8}  {:<16} {:<10} {:<10} {:>12}  deadline",
                        "job", "model", "status", "our slot", "at risk"
                    )?;
                }
                for j in &c.jobs {
                    let (slot, by) = match (j.committed, j.revealed) {
                        (_, true) => ("revealed", j.deadline),
                        (true, false) => ("committed", j.reveal_deadline.unwrap_or(j.deadline)),
                        (false, false) => ("assigned", j.commit_deadline),
                    };
                    writeln!(
                        f,
                        "{:>8}  {:<16} {:<10} {:<10} {:>12}  {}",
                        j.id,
                        j.model_id,
                        format!("{:?}", j.status),
                        slot,
                        tokens(j.at_risk),
                        format_time(by)
                    )?;
                }
            }
        }
        let j = &self.journal;
        writeln!(f, "journal      {}", j.path)?;
        writeln!(
            f,
            "finished     {} (agreed {}, outvoted {}, missed {}); in flight {}; earned {}",
            j.finished,
            j.agreed,
            j.outvoted,
            j.missed,
            j.in_flight,
            tokens(j.earned)
        )?;
        if !j.jobs.is_empty() {
            writeln!(
                f,
                "{:>8}  {:<16} {:<10} {:<10} {:<10} {:>14}",
                "job", "model", "stage", "status", "outcome", "paid"
            )?;
        }
        for e in &j.jobs {
            writeln!(
                f,
                "{:>8}  {:<16} {:<10} {:<10} {:<10} {:>14}",
                e.id,
                e.model_id,
                format!("{:?}", e.stage),
                e.status.as_deref().unwrap_or("-"),
                e.outcome.as_deref().unwrap_or("-"),
                if e.stage == Stage::Finished {
                    tokens(e.paid)
                } else {
                    "-".into()
                }
            )?;
        }
        Ok(())
    }
}

/// Build the status report: the chain's picture (if `chain` is given) and the journal's.
pub fn status_report(
    chain: Option<&dyn Chain>,
    account: &str,
    journal: &Journal,
) -> anyhow::Result<StatusReport> {
    Ok(StatusReport {
        account: account.to_string(),
        chain: chain.map(|c| status(c, account)).transpose()?,
        journal: JournalStatus::new(journal),
    })
}

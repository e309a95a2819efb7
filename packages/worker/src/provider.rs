//! A provider's account on chain, over any [`Chain`]: what `acn-worker register`, `deregister`,
//! `unbond` and `status` do. Amounts a person types or reads are in whole tokens (6 decimals,
//! [`parse_tokens`] / [`format_tokens`]); JSON carries base units as strings, like the contracts.
//!
//! Every refusal the contracts would answer with is checked first, from queries, and reported as
//! a [`Refused`] that says what to do; the transaction is only sent when it can pass.

use std::fmt;

use cosmwasm_std::Uint128;
use cw_utils::{Duration as Period, Expiration};
use serde::Serialize;

use acn_client::{Chain, ChainExt, TxResult};
use acn_interface::market::{self, Hardware, JobResponse, JobStatus, TOKEN};
use acn_interface::staking;

use crate::journal::{Journal, Stage};
use crate::worker::Earnings;

/// Decimals of the ACN token.
pub const DECIMALS: u32 = 6;

/// Parse an amount of tokens (`250`, `12.5`, `0.000001`) into base units.
pub fn parse_tokens(text: &str) -> Result<u128, String> {
    let bad = || {
        format!(
            "amount: expected a positive number of tokens with at most {DECIMALS} decimals (e.g. 250 or 12.5), got {text:?}"
        )
    };
    let (whole, frac) = text.trim().split_once('.').unwrap_or((text.trim(), ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() && frac.is_empty()
        || !digits(whole)
        || !digits(frac)
        || frac.len() > DECIMALS as usize
    {
        return Err(bad());
    }
    let whole: u128 = if whole.is_empty() {
        0
    } else {
        whole.parse().map_err(|_| bad())?
    };
    let frac: u128 = format!("{frac:0<width$}", width = DECIMALS as usize)
        .parse()
        .map_err(|_| bad())?;
    let base = whole
        .checked_mul(TOKEN)
        .and_then(|w| w.checked_add(frac))
        .ok_or_else(bad)?;
    if base == 0 {
        return Err(bad());
    }
    Ok(base)
}

/// Base units as tokens: `1900 ACN`, `0.5 ACN`, `12.000001 ACN`.
pub fn format_tokens(base: u128) -> String {
    let (whole, frac) = (base / TOKEN, base % TOKEN);
    if frac == 0 {
        format!("{whole} ACN")
    } else {
        let frac = format!("{frac:06}");
        format!("{whole}.{} ACN", frac.trim_end_matches('0'))
    }
}

/// Unix seconds as a UTC date: `2026-12-15 17:26:28 UTC`.
pub fn format_time(unix_seconds: u64) -> String {
    i64::try_from(unix_seconds)
        .ok()
        .and_then(|s| chrono::DateTime::from_timestamp(s, 0))
        .map_or_else(
            || format!("{unix_seconds} (unix seconds)"),
            |t| t.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
        )
}

/// A span of seconds for a person: `14 d 0 h`, `3 h 20 min`, `45 s`.
pub fn format_span(seconds: u64) -> String {
    match seconds {
        s if s >= 86_400 => format!("{} d {} h", s / 86_400, s % 86_400 / 3_600),
        s if s >= 3_600 => format!("{} h {} min", s / 3_600, s % 3_600 / 60),
        s if s >= 60 => format!("{} min {} s", s / 60, s % 60),
        s => format!("{s} s"),
    }
}

fn jobs(count: u64) -> String {
    if count == 1 {
        "1 job".into()
    } else {
        format!("{count} jobs")
    }
}

fn period(p: &Period) -> String {
    match p {
        Period::Time(s) => format_span(*s),
        Period::Height(h) => format!("{h} blocks"),
    }
}

/// Why an operation was not sent: the chain would refuse it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    /// `deregister` by an address the market does not know.
    #[error("{address} is not a registered provider: there is nothing to deregister")]
    NotRegistered {
        /// The account's address.
        address: String,
    },
    /// `deregister` by a provider that already left.
    #[error("{address} is already deregistered: the market assigns it no jobs")]
    AlreadyDeregistered {
        /// The account's address.
        address: String,
    },
    /// `deregister` while the market still counts unfinished jobs of the provider.
    #[error("cannot deregister {address}: {jobs} still assigned (ids {ids}; {at_risk} at risk); keep `acn-worker run` going until they are final, then deregister")]
    JobsAssigned {
        /// The account's address.
        address: String,
        /// How many, e.g. `2 jobs`.
        jobs: String,
        /// Their ids, comma-separated.
        ids: String,
        /// Stake they lock, in tokens.
        at_risk: String,
    },
    /// `unbond` of more than is bonded.
    #[error("cannot unbond {requested}: only {bonded} is bonded")]
    MoreThanBonded {
        /// Amount asked for, in tokens.
        requested: String,
        /// Bonded stake, in tokens.
        bonded: String,
    },
    /// `unbond` that would leave less bonded than the market holds at risk.
    #[error("cannot unbond {requested}: {locked} of the {bonded} bonded is at risk in {jobs}; at most {available} can be unbonded until they end")]
    StakeLocked {
        /// Amount asked for, in tokens.
        requested: String,
        /// Bonded stake, in tokens.
        bonded: String,
        /// Stake at risk (the market's `Exposure`), in tokens.
        locked: String,
        /// How many unfinished jobs lock it, e.g. `1 unfinished job`.
        jobs: String,
        /// Bonded minus locked, in tokens.
        available: String,
    },
    /// `unbond` with as many open claims as staking allows.
    #[error("cannot unbond: {open} unbonding claims are open, the most staking allows; claim the matured ones first")]
    TooManyClaims {
        /// Open claims.
        open: u32,
    },
}

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
    fn new(claim: &staking::Claim, block: &acn_client::Block) -> Self {
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

fn provider(chain: &dyn Chain, address: &str) -> Option<market::ProviderResponse> {
    chain
        .market(&market::QueryMsg::Provider {
            address: address.to_string(),
        })
        .ok()
}

fn exposure(chain: &dyn Chain, address: &str) -> anyhow::Result<market::ExposureResponse> {
    Ok(chain.market(&market::QueryMsg::Exposure {
        provider: address.to_string(),
    })?)
}

fn staking_query<R: serde::de::DeserializeOwned>(
    chain: &dyn Chain,
    msg: &staking::QueryMsg,
) -> anyhow::Result<R> {
    let staking = chain.deployment().staking.clone();
    Ok(chain.query(&staking, msg)?)
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

/// What `acn-worker deregister` did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Deregistered {
    /// The account's address.
    pub address: String,
    /// Height of the transaction.
    pub height: u64,
    /// Gas it used (0 on the embedded chain).
    pub gas_used: u64,
    /// Stake still bonded.
    pub bonded: Uint128,
    /// Staking's unbonding period, for a person (`14 d 0 h`).
    pub unbonding_period: String,
}

impl fmt::Display for Deregistered {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "deregistered {} (height {}, gas {}): the market assigns it no new jobs",
            self.address, self.height, self.gas_used
        )?;
        if !self.bonded.is_zero() {
            write!(
                f,
                "; {} stays bonded — `acn-worker unbond --amount {}` starts withdrawing it (unbonding takes {})",
                format_tokens(self.bonded.u128()),
                format_tokens(self.bonded.u128()).trim_end_matches(" ACN"),
                self.unbonding_period
            )?;
        }
        Ok(())
    }
}

/// Leave the market (`Deregister {}`): refused while jobs are still assigned.
pub fn deregister(chain: &dyn Chain, account: &str) -> anyhow::Result<Deregistered> {
    let address = chain.address(account)?;
    let p = provider(chain, &address).ok_or_else(|| Refused::NotRegistered {
        address: address.clone(),
    })?;
    if !p.active {
        return Err(Refused::AlreadyDeregistered { address }.into());
    }
    if p.active_jobs > 0 {
        let unfinished = unfinished_jobs(chain, &address)?;
        let ids: Vec<String> = unfinished.iter().map(|j| j.id.to_string()).collect();
        let exposure = exposure(chain, &address)?;
        return Err(Refused::JobsAssigned {
            address,
            jobs: jobs(u64::from(p.active_jobs)),
            ids: ids.join(", "),
            at_risk: format_tokens(exposure.locked.u128()),
        }
        .into());
    }
    let tx = chain
        .market_exec(account, &market::ExecuteMsg::Deregister {})
        .map_err(|e| anyhow::anyhow!("the market refused to deregister {address}: {e}"))?;
    let staking_cfg: staking::ConfigResponse = staking_query(chain, &staking::QueryMsg::Config {})?;
    Ok(Deregistered {
        bonded: chain.stake(&address)?.bonded,
        address,
        height: tx.height,
        gas_used: tx.gas_used,
        unbonding_period: period(&staking_cfg.unbonding_period),
    })
}

/// What `acn-worker unbond` did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Unbonded {
    /// The account's address.
    pub address: String,
    /// Base units moved into the claim.
    pub amount: Uint128,
    /// Stake still bonded.
    pub bonded: Uint128,
    /// The claim created.
    pub claim: ClaimStatus,
    /// Height of the transaction.
    pub height: u64,
    /// Block time of the transaction (unix seconds).
    pub time: u64,
    /// Gas it used (0 on the embedded chain).
    pub gas_used: u64,
    /// The market's minimum provider stake, when what stays bonded is below it (an active
    /// provider is then assigned no new jobs).
    pub below_min_provider_stake: Option<Uint128>,
}

impl fmt::Display for Unbonded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let now = acn_client::Block {
            height: self.height,
            time: self.time,
        };
        write!(
            f,
            "unbonding {} from {} (height {}, gas {}): {}; {} stays bonded",
            format_tokens(self.amount.u128()),
            self.address,
            self.height,
            self.gas_used,
            self.claim.describe(&now),
            format_tokens(self.bonded.u128()),
        )?;
        if let Some(min) = self.below_min_provider_stake {
            write!(
                f,
                "\nnote: that is below the market's minimum provider stake of {}: no new jobs will be assigned",
                format_tokens(min.u128())
            )?;
        }
        Ok(())
    }
}

/// Move `amount` base units of bonded stake into an unbonding claim (staking `Unbond`): refused
/// beyond the bonded stake, below the stake the market holds at risk, or with too many claims.
pub fn unbond(chain: &dyn Chain, account: &str, amount: u128) -> anyhow::Result<Unbonded> {
    anyhow::ensure!(amount > 0, "amount: expected more than 0 tokens, got 0");
    let address = chain.address(account)?;
    let bonded = chain.stake(&address)?.bonded.u128();
    if amount > bonded {
        return Err(Refused::MoreThanBonded {
            requested: format_tokens(amount),
            bonded: format_tokens(bonded),
        }
        .into());
    }
    // Staking enforces the market's stake at risk once it is linked to the market (the
    // deployment links them when it hands them to the DAO).
    let staking_cfg: staking::ConfigResponse = staking_query(chain, &staking::QueryMsg::Config {})?;
    let exposure = exposure(chain, &address)?;
    let locked = exposure.locked.u128();
    if staking_cfg.market.is_some() && bonded - amount < locked {
        return Err(Refused::StakeLocked {
            requested: format_tokens(amount),
            bonded: format_tokens(bonded),
            locked: format_tokens(locked),
            jobs: format!(
                "{} unfinished job{}",
                exposure.unfinished_jobs,
                if exposure.unfinished_jobs == 1 {
                    ""
                } else {
                    "s"
                }
            ),
            available: format_tokens(bonded.saturating_sub(locked)),
        }
        .into());
    }
    let before: staking::ClaimsResponse = staking_query(
        chain,
        &staking::QueryMsg::Claims {
            address: address.clone(),
        },
    )?;
    let open = u32::try_from(before.claims.len()).unwrap_or(u32::MAX);
    if open >= staking_cfg.max_claims {
        return Err(Refused::TooManyClaims { open }.into());
    }
    let staking_addr = chain.deployment().staking.clone();
    let tx: TxResult = chain
        .execute(
            account,
            &staking_addr,
            &staking::ExecuteMsg::Unbond {
                amount: Uint128::new(amount),
            },
        )
        .map_err(|e| anyhow::anyhow!("staking refused to unbond {}: {e}", format_tokens(amount)))?;
    let block = chain.block()?;
    let after: staking::ClaimsResponse = staking_query(
        chain,
        &staking::QueryMsg::Claims {
            address: address.clone(),
        },
    )?;
    // Claims are kept in creation order: the new one is last.
    let claim = after
        .claims
        .last()
        .map(|c| ClaimStatus::new(c, &block))
        .ok_or_else(|| anyhow::anyhow!("staking accepted the unbond but lists no claim"))?;
    let bonded_after = chain.stake(&address)?.bonded;
    let min: market::ConfigResponse = chain.market(&market::QueryMsg::Config {})?;
    let registered = provider(chain, &address).is_some_and(|p| p.active);
    Ok(Unbonded {
        address,
        amount: Uint128::new(amount),
        bonded: bonded_after,
        claim,
        height: tx.height,
        time: block.time,
        gas_used: tx.gas_used,
        below_min_provider_stake: (registered && bonded_after < min.params.min_provider_stake)
            .then_some(min.params.min_provider_stake),
    })
}

/// What `acn-worker register` sends.
#[derive(Clone, Debug, PartialEq)]
pub struct Registration {
    /// Models to serve.
    pub models: Vec<String>,
    /// Lowest unit price.
    pub min_unit_price: u128,
    /// Declared hardware.
    pub hardware: Hardware,
    /// Bond up to this many base units first (at least the market's minimum provider stake).
    pub bond: Option<u128>,
}

/// What `acn-worker register` did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Registered {
    /// The account's address.
    pub address: String,
    /// Base units bonded first, if any.
    pub bonded_now: Uint128,
    /// Bonded stake after.
    pub bonded: Uint128,
    /// `registered`, `re-registered` (after a deregistration; the record is kept) or `updated`.
    pub action: String,
    /// Models served.
    pub models: Vec<String>,
    /// Height of the transaction.
    pub height: u64,
    /// Gas it used (0 on the embedded chain).
    pub gas_used: u64,
}

impl fmt::Display for Registered {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.bonded_now.is_zero() {
            writeln!(
                f,
                "bonded {} (now {})",
                format_tokens(self.bonded_now.u128()),
                format_tokens(self.bonded.u128())
            )?;
        }
        write!(
            f,
            "{} {} for {} (height {}, gas {})",
            self.action,
            self.address,
            self.models.join(", "),
            self.height,
            self.gas_used
        )
    }
}

/// Bond up to the target stake if needed, then register (or re-register after a
/// deregistration, or update the registration).
pub fn register(
    chain: &dyn Chain,
    account: &str,
    registration: Registration,
) -> anyhow::Result<Registered> {
    let address = chain.address(account)?;
    let cfg: market::ConfigResponse = chain.market(&market::QueryMsg::Config {})?;
    let min_stake = cfg.params.min_provider_stake.u128();
    let target = registration.bond.unwrap_or(min_stake).max(min_stake);
    let bonded = chain.stake(&address)?.bonded.u128();
    let mut bonded_now = 0;
    if bonded < target {
        bonded_now = target - bonded;
        let staking = chain.deployment().staking.clone();
        chain
            .send_tokens(account, &staking, bonded_now, &staking::ReceiveMsg::Bond {})
            .map_err(|e| anyhow::anyhow!("cannot bond {}: {e}", format_tokens(bonded_now)))?;
    }
    let known = provider(chain, &address);
    let (action, msg) = match &known {
        Some(p) if p.active => (
            "updated",
            market::ExecuteMsg::UpdateProvider {
                hardware: Some(registration.hardware),
                models: Some(registration.models.clone()),
                min_unit_price: Some(Uint128::new(registration.min_unit_price)),
            },
        ),
        _ => (
            if known.is_some() {
                "re-registered"
            } else {
                "registered"
            },
            market::ExecuteMsg::RegisterProvider {
                hardware: registration.hardware,
                models: registration.models.clone(),
                min_unit_price: Uint128::new(registration.min_unit_price),
            },
        ),
    };
    let tx = chain
        .market_exec(account, &msg)
        .map_err(|e| anyhow::anyhow!("the market refused to register {address}: {e}"))?;
    Ok(Registered {
        bonded_now: Uint128::new(bonded_now),
        bonded: chain.stake(&address)?.bonded,
        address,
        action: action.into(),
        models: registration.models,
        height: tx.height,
        gas_used: tx.gas_used,
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
                            "reputation   {} jobs done: {} agreed, {} outvoted, {} missed",
                            r.jobs_done, r.agreed, r.outvoted, r.missed
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_parse_with_six_decimals() {
        assert_eq!(parse_tokens("250"), Ok(250 * TOKEN));
        assert_eq!(parse_tokens("12.5"), Ok(12_500_000));
        assert_eq!(parse_tokens("0.000001"), Ok(1));
        assert_eq!(parse_tokens(".5"), Ok(500_000));
        for bad in [
            "",
            "0",
            "0.0",
            "-1",
            "1e3",
            "1.0000001",
            "abc",
            "1.2.3",
            ".",
        ] {
            assert_eq!(
                parse_tokens(bad),
                Err(format!("amount: expected a positive number of tokens with at most 6 decimals (e.g. 250 or 12.5), got {bad:?}")),
                "{bad}"
            );
        }
    }

    #[test]
    fn tokens_and_times_format_for_a_person() {
        assert_eq!(format_tokens(1_900 * TOKEN), "1900 ACN");
        assert_eq!(format_tokens(500_000), "0.5 ACN");
        assert_eq!(format_tokens(12_000_001), "12.000001 ACN");
        assert_eq!(format_time(1_765_000_000), "2025-12-06 05:46:40 UTC");
        assert_eq!(format_span(14 * 86_400 + 3_600), "14 d 1 h");
        assert_eq!(format_span(200), "3 min 20 s");
    }
}

//! A provider's account on chain, over any [`Chain`]: what `acn-worker register`, `deregister`
//! and `unbond` do.
//!
//! Every refusal the contracts would answer with is checked first, from queries, and reported as
//! a [`Refused`] that says what to do; the transaction is only sent when it can pass.

use std::fmt;

use cosmwasm_std::Uint128;
use cw_utils::Duration as Period;
use serde::Serialize;

use acn_client::{Chain, ChainExt, TxResult};
use acn_interface::market::{self, Hardware};
use acn_interface::staking;

use crate::status::{unfinished_jobs, ClaimStatus};
use crate::units::{format_span, format_tokens};

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

/// The market's record of `address`, if registered.
pub(crate) fn provider(chain: &dyn Chain, address: &str) -> Option<market::ProviderResponse> {
    chain
        .market(&market::QueryMsg::Provider {
            address: address.to_string(),
        })
        .ok()
}

/// The market's `Exposure` of `address`.
pub(crate) fn exposure(
    chain: &dyn Chain,
    address: &str,
) -> anyhow::Result<market::ExposureResponse> {
    Ok(chain.market(&market::QueryMsg::Exposure {
        provider: address.to_string(),
    })?)
}

/// A staking query.
pub(crate) fn staking_query<R: serde::de::DeserializeOwned>(
    chain: &dyn Chain,
    msg: &staking::QueryMsg,
) -> anyhow::Result<R> {
    let staking = chain.deployment().staking.clone();
    Ok(chain.query(&staking, msg)?)
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
            .send_tokens(
                account,
                &staking,
                bonded_now,
                &staking::ReceiveMsg::Bond { tier: None },
            )
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

//! `acn stake bond|unbond|claim|rewards|status`: the token holder's commands, in whole ACN.
//!
//! ```text
//! acn stake bond    --from holder 12.5
//! acn stake unbond  --from holder 2.5      # prints when the claim matures
//! acn stake claim   --from holder          # pays out matured claims
//! acn stake rewards --from holder [--claim]
//! acn stake status  --from holder          # or --address ADDR
//! ```
//!
//! Amounts are whole tokens with up to 6 decimals (`12`, `12.5`, `0.000001`); more decimals, signs
//! or exponents are refused with the reason.

use anyhow::{bail, Context};
use cw_utils::{Duration as CwDuration, Expiration};
use serde::Serialize;

use acn_client::amount::{format_relative, format_span, format_utc, tokens};
use acn_client::{Chain, ChainExt};
use acn_interface::{market, staking};

use crate::connect::{ConnectArgs, Connection};
use crate::job::parse_amount;
use crate::output::{emit, OutputFormat};

/// `acn stake`: flags shared by every subcommand, and the subcommand.
#[derive(clap::Args, Clone, Debug)]
pub struct StakeOptions {
    /// Where the chain and the deployment are.
    #[command(flatten)]
    pub connection: ConnectArgs,
    /// Output of reads: text or json.
    #[arg(long, value_enum, default_value_t, global = true)]
    pub output: OutputFormat,
    /// The subcommand.
    #[command(subcommand)]
    pub command: StakeCommand,
}

/// The token holder's commands.
#[derive(clap::Subcommand, Clone, Debug)]
pub enum StakeCommand {
    /// Bond tokens (they earn rewards, carry voting weight, and can be slashed).
    Bond {
        /// Account.
        #[arg(skip)]
        from: String,
        /// ACN to bond, e.g. 12.5.
        #[arg(value_parser = parse_amount)]
        amount: u128,
        /// Lock tier (0: none; the default tiers are 1: 90 days at 1.25× rewards, 2: 180 days at
        /// 1.5×, 3: a year at 2×; `acn stake status` shows the chain's). A higher tier relocks
        /// everything already bonded; default: the current tier.
        #[arg(long)]
        tier: Option<u8>,
    },
    /// Start unbonding: the tokens stop earning and voting now and can be claimed when the
    /// unbonding period is over.
    Unbond {
        /// Account.
        #[arg(skip)]
        from: String,
        /// ACN to unbond, e.g. 2.5.
        #[arg(value_parser = parse_amount)]
        amount: u128,
    },
    /// Pay out every matured unbonding claim.
    Claim {
        /// Account.
        #[arg(skip)]
        from: String,
    },
    /// Move the whole bonded stake to a higher lock tier (longer notice, larger reward share).
    Relock {
        /// Account.
        #[arg(skip)]
        from: String,
        /// The new tier.
        tier: u8,
    },
    /// Rewards accrued and not yet claimed; `--claim` pays them out.
    Rewards {
        /// Account.
        #[arg(skip)]
        from: Option<String>,
        /// Address (read only).
        #[arg(long)]
        address: Option<String>,
        /// Claim them.
        #[arg(long)]
        claim: bool,
    },
    /// Bonded and unbonding stake, claims with their maturity, weight, pending rewards.
    Status {
        /// Account.
        #[arg(skip)]
        from: Option<String>,
        /// Address.
        #[arg(long)]
        address: Option<String>,
    },
}

/// One unbonding claim.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct ClaimView {
    /// Base units.
    pub amount: u128,
    /// When it matures (unix seconds), for a claim in time.
    pub matures_at: Option<u64>,
    /// When it matures (block height), for a claim in blocks.
    pub matures_at_height: Option<u64>,
    /// Whether it can be claimed now.
    pub matured: bool,
}

/// A holder's stake.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct StakeStatus {
    /// The holder.
    pub address: String,
    /// Liquid token balance.
    pub balance: u128,
    /// Bonded stake.
    pub bonded: u128,
    /// Stake in unbonding claims (matured or not).
    pub unbonding: u128,
    /// cw4 voting weight.
    pub weight: u64,
    /// Lock tier of the bonded stake.
    pub tier: u8,
    /// Reward weight of the bonded stake in bps (10 000 = 1×).
    pub reward_bps: u16,
    /// The lock's notice in seconds (an unbonded claim matures after the longer of this and the
    /// unbonding period).
    pub lock_seconds: u64,
    /// Rewards claimable with `ClaimRewards`.
    pub pending_rewards: u128,
    /// Bonded stake the market keeps locked for unfinished jobs (providers).
    pub locked: u128,
    /// The open claims.
    pub claims: Vec<ClaimView>,
    /// The current unbonding period, in seconds (`None` when counted in blocks).
    pub unbonding_period_secs: Option<u64>,
    /// Chain time the status was read at (unix seconds).
    pub now: u64,
}

fn claim_view(c: &staking::Claim, now: u64, height: u64) -> ClaimView {
    let (matures_at, matures_at_height) = match c.release_at {
        Expiration::AtTime(t) => (Some(t.seconds()), None),
        Expiration::AtHeight(h) => (None, Some(h)),
        Expiration::Never {} => (None, None),
    };
    ClaimView {
        amount: c.amount.u128(),
        matures_at,
        matures_at_height,
        matured: matures_at.is_some_and(|t| now >= t)
            || matures_at_height.is_some_and(|h| height >= h),
    }
}

impl ClaimView {
    /// `2.5 ACN matures 2026-12-15 17:30:05 UTC (in 14 days)` or `… matured …`.
    pub fn render(&self, now: u64) -> String {
        format!(
            "{} {} {}",
            tokens(self.amount),
            if self.matured { "matured" } else { "matures" },
            self.when(now)
        )
    }

    /// When it matures: `2026-12-15 17:30:05 UTC (in 14 days)` or `at height 1234`.
    pub fn when(&self, now: u64) -> String {
        match (self.matures_at, self.matures_at_height) {
            (Some(t), _) => format!("{} ({})", format_utc(t), format_relative(t, now)),
            (None, Some(h)) => format!("at height {h}"),
            _ => "never".into(),
        }
    }
}

/// `address`'s stake, claims and pending rewards.
pub fn status(chain: &(impl Chain + ?Sized), address: &str) -> anyhow::Result<StakeStatus> {
    let d = chain.deployment().clone();
    let block = chain.block()?;
    let stake = chain.stake(address)?;
    let claims: staking::ClaimsResponse = chain.query(
        &d.staking,
        &staking::QueryMsg::Claims {
            address: address.to_string(),
        },
    )?;
    let pending: staking::PendingRewardsResponse = chain.query(
        &d.staking,
        &staking::QueryMsg::PendingRewards {
            address: address.to_string(),
        },
    )?;
    let cfg: staking::ConfigResponse = chain.query(&d.staking, &staking::QueryMsg::Config {})?;
    let locked = if d.market.is_empty() {
        0
    } else {
        let e: market::ExposureResponse = chain.market(&market::QueryMsg::Exposure {
            provider: address.to_string(),
        })?;
        e.locked.u128()
    };
    Ok(StakeStatus {
        address: address.to_string(),
        balance: chain.balance(address)?,
        bonded: stake.bonded.u128(),
        unbonding: stake.unbonding.u128(),
        weight: stake.weight,
        tier: stake.tier,
        reward_bps: stake.reward_bps,
        lock_seconds: stake.lock_seconds,
        pending_rewards: pending.pending.u128(),
        locked,
        claims: claims
            .claims
            .iter()
            .map(|c| claim_view(c, block.time, block.height))
            .collect(),
        unbonding_period_secs: match cfg.unbonding_period {
            CwDuration::Time(s) => Some(s),
            CwDuration::Height(_) => None,
        },
        now: block.time,
    })
}

impl StakeStatus {
    /// The status in lines.
    pub fn render(&self) -> String {
        let mut s = format!("{}\n", self.address);
        s += &format!("  balance          {}\n", tokens(self.balance));
        s += &format!(
            "  bonded           {} (voting weight {})\n",
            tokens(self.bonded),
            self.weight
        );
        if self.tier > 0 {
            s += &format!(
                "  lock tier        {} ({}× rewards, {} notice to unbond)\n",
                self.tier,
                f64::from(self.reward_bps) / 10_000.0,
                format_span(self.lock_seconds)
            );
        }
        if self.locked > 0 {
            s += &format!(
                "  locked by jobs   {} (cannot be unbonded until those jobs are final)\n",
                tokens(self.locked)
            );
        }
        s += &format!("  unbonding        {}\n", tokens(self.unbonding));
        for c in &self.claims {
            s += &format!("    claim          {}\n", c.render(self.now));
        }
        s += &format!("  pending rewards  {}\n", tokens(self.pending_rewards));
        if let Some(p) = self.unbonding_period_secs {
            s += &format!("  unbonding period {}\n", format_span(p));
        }
        s
    }
}

/// What a bond, unbond or claim did.
#[derive(Clone, Debug, Serialize)]
pub struct StakeChange {
    /// What was done: `bond`, `unbond`, `claim`, `claim_rewards`.
    pub action: String,
    /// Base units moved.
    pub amount: u128,
    /// The new claim (unbond).
    pub claim: Option<ClaimView>,
    /// The stake afterwards.
    pub status: StakeStatus,
    /// Transaction hash (empty on the embedded chain).
    pub tx_hash: String,
}

impl StakeChange {
    /// One line for the change, then the status.
    pub fn render(&self) -> String {
        let now = self.status.now;
        let head = match self.action.as_str() {
            "bond" => format!("bonded {}", tokens(self.amount)),
            "unbond" => format!(
                "unbonding {}; claimable from {}",
                tokens(self.amount),
                self.claim.as_ref().map(|c| c.when(now)).unwrap_or_default()
            ),
            "claim" => format!("claimed {} of matured unbonding", tokens(self.amount)),
            "relock" => format!(
                "relocked {} at tier {}",
                tokens(self.amount),
                self.status.tier
            ),
            _ => format!("claimed {} of rewards", tokens(self.amount)),
        };
        format!("{head}\n{}", self.status.render())
    }
}

fn nonzero(amount: u128, what: &str) -> anyhow::Result<()> {
    if amount == 0 {
        bail!("{what} 0 ACN: give an amount above 0, such as 12.5");
    }
    Ok(())
}

/// Bond `amount` base units as `account` at lock tier `tier` (default: its current tier; a CW20
/// `Send` to staking with `Bond { tier }`).
pub fn bond(
    chain: &(impl Chain + ?Sized),
    account: &str,
    amount: u128,
    tier: Option<u8>,
) -> anyhow::Result<StakeChange> {
    nonzero(amount, "bond")?;
    let address = chain.address(account)?;
    let balance = chain.balance(&address)?;
    if balance < amount {
        bail!(
            "{account} holds {}, less than the {} to bond",
            tokens(balance),
            tokens(amount)
        );
    }
    let d = chain.deployment().clone();
    let tx = chain.send_tokens(
        account,
        &d.staking,
        amount,
        &staking::ReceiveMsg::Bond { tier },
    )?;
    Ok(StakeChange {
        action: "bond".into(),
        amount,
        claim: None,
        status: status(chain, &address)?,
        tx_hash: tx.tx_hash,
    })
}

/// Unbond `amount` base units as `account`; the claim it opens, with its maturity.
pub fn unbond(
    chain: &(impl Chain + ?Sized),
    account: &str,
    amount: u128,
) -> anyhow::Result<StakeChange> {
    nonzero(amount, "unbond")?;
    let address = chain.address(account)?;
    let before = status(chain, &address)?;
    if before.bonded < amount {
        bail!(
            "{account} has {} bonded, less than the {} to unbond",
            tokens(before.bonded),
            tokens(amount)
        );
    }
    if before.bonded - amount < before.locked {
        bail!(
            "{account} can unbond at most {}: {} of its bonded stake is locked by unfinished jobs",
            tokens(before.bonded - before.locked),
            tokens(before.locked)
        );
    }
    let d = chain.deployment().clone();
    let tx = chain.execute(
        account,
        &d.staking,
        &staking::ExecuteMsg::Unbond {
            amount: amount.into(),
        },
    )?;
    let after = status(chain, &address)?;
    // The new claim is the one not there before (claims are appended).
    let claim = after.claims.last().cloned();
    Ok(StakeChange {
        action: "unbond".into(),
        amount,
        claim,
        status: after,
        tx_hash: tx.tx_hash,
    })
}

/// Claim every matured unbonding claim of `account`; refused with the next maturity if none has
/// matured.
pub fn claim(chain: &(impl Chain + ?Sized), account: &str) -> anyhow::Result<StakeChange> {
    let address = chain.address(account)?;
    let before = status(chain, &address)?;
    let matured: u128 = before
        .claims
        .iter()
        .filter(|c| c.matured)
        .map(|c| c.amount)
        .sum();
    if matured == 0 {
        match before.claims.iter().find(|c| !c.matured) {
            Some(next) => bail!("nothing to claim yet: {}", next.render(before.now)),
            None => bail!("nothing to claim: {account} has no unbonding claims"),
        }
    }
    let d = chain.deployment().clone();
    let balance = chain.balance(&address)?;
    let tx = chain.execute(account, &d.staking, &staking::ExecuteMsg::Claim {})?;
    let after = status(chain, &address)?;
    Ok(StakeChange {
        action: "claim".into(),
        amount: after.balance.saturating_sub(balance),
        claim: None,
        status: after,
        tx_hash: tx.tx_hash,
    })
}

/// Claim `account`'s pending rewards.
pub fn claim_rewards(chain: &(impl Chain + ?Sized), account: &str) -> anyhow::Result<StakeChange> {
    let address = chain.address(account)?;
    let d = chain.deployment().clone();
    let balance = chain.balance(&address)?;
    let tx = chain.execute(account, &d.staking, &staking::ExecuteMsg::ClaimRewards {})?;
    let after = status(chain, &address)?;
    Ok(StakeChange {
        action: "claim_rewards".into(),
        amount: after.balance.saturating_sub(balance),
        claim: None,
        status: after,
        tx_hash: tx.tx_hash,
    })
}

/// Move `account`'s bonded stake to lock tier `tier` (higher than its current one).
pub fn relock(
    chain: &(impl Chain + ?Sized),
    account: &str,
    tier: u8,
) -> anyhow::Result<StakeChange> {
    let address = chain.address(account)?;
    let d = chain.deployment().clone();
    let tx = chain.execute(account, &d.staking, &staking::ExecuteMsg::Relock { tier })?;
    let after = status(chain, &address)?;
    Ok(StakeChange {
        action: "relock".into(),
        amount: after.bonded,
        claim: None,
        status: after,
        tx_hash: tx.tx_hash,
    })
}

/// Pending rewards of an address.
#[derive(Clone, Debug, Serialize)]
pub struct Rewards {
    /// The holder.
    pub address: String,
    /// Base units claimable now.
    pub pending: u128,
    /// Base units just claimed (with `--claim`).
    pub claimed: Option<u128>,
}

/// Run `acn stake …` against the chain [`connect`] reaches.
pub fn run(opts: StakeOptions) -> anyhow::Result<()> {
    let conn = opts.connection.connect()?;
    let command = opts.command.with_from(&conn)?;
    execute(&conn.chain, command, opts.output)
}

impl StakeCommand {
    /// The command with the signing account of the shared `--from` flag (or `ACN_FROM`).
    pub fn with_from(mut self, conn: &Connection) -> anyhow::Result<Self> {
        let account = &conn.from;
        let need = || conn.signer().map(str::to_string);
        match &mut self {
            StakeCommand::Bond { from, .. }
            | StakeCommand::Unbond { from, .. }
            | StakeCommand::Relock { from, .. }
            | StakeCommand::Claim { from } => *from = need()?,
            StakeCommand::Rewards {
                from,
                address,
                claim,
            } => {
                if *claim && account.is_none() {
                    bail!("--claim needs the account: --from NAME (or ACN_FROM)");
                }
                if address.is_none() {
                    *from = account.clone();
                }
            }
            StakeCommand::Status { from, address } => {
                if address.is_none() {
                    *from = account.clone();
                }
            }
        }
        Ok(self)
    }
}

fn who(
    chain: &(impl Chain + ?Sized),
    from: Option<String>,
    address: Option<String>,
) -> anyhow::Result<String> {
    match (from, address) {
        (Some(f), _) => chain.address(&f).with_context(|| format!("account {f}")),
        (None, Some(a)) => Ok(a),
        (None, None) => bail!("give --from ACCOUNT or --address ADDRESS"),
    }
}

/// Run a stake command on `chain`, printing to stdout.
pub fn execute(
    chain: &(impl Chain + ?Sized),
    command: StakeCommand,
    output: OutputFormat,
) -> anyhow::Result<()> {
    match command {
        StakeCommand::Bond { from, amount, tier } => emit(
            output,
            &bond(chain, &from, amount, tier)?,
            StakeChange::render,
        ),
        StakeCommand::Unbond { from, amount } => {
            emit(output, &unbond(chain, &from, amount)?, StakeChange::render)
        }
        StakeCommand::Claim { from } => emit(output, &claim(chain, &from)?, StakeChange::render),
        StakeCommand::Relock { from, tier } => {
            emit(output, &relock(chain, &from, tier)?, StakeChange::render)
        }
        StakeCommand::Rewards {
            from,
            address,
            claim,
        } => {
            let addr = who(chain, from.clone(), address)?;
            let r = match (claim, from) {
                (true, Some(f)) => {
                    let change = claim_rewards(chain, &f)?;
                    Rewards {
                        address: addr,
                        pending: change.status.pending_rewards,
                        claimed: Some(change.amount),
                    }
                }
                _ => Rewards {
                    pending: status(chain, &addr)?.pending_rewards,
                    address: addr,
                    claimed: None,
                },
            };
            emit(output, &r, |r| {
                match r.claimed {
                Some(c) => format!(
                    "claimed {} of rewards; pending now {}",
                    tokens(c),
                    tokens(r.pending)
                ),
                None => format!(
                    "{}: {} of rewards pending (`acn stake rewards --from ACCOUNT --claim` pays them out)",
                    r.address,
                    tokens(r.pending)
                ),
            }
            })
        }
        StakeCommand::Status { from, address } => {
            let addr = who(chain, from, address)?;
            emit(output, &status(chain, &addr)?, StakeStatus::render)
        }
    }
}

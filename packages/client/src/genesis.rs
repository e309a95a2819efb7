//! The genesis config (`genesis.toml`: token, allocations, vesting, emissions, fee split, market,
//! staking): parsing and every check, with errors that name the offending field. The deployment
//! ([`crate::deploy`]) and the simulator read the same file, so a wasmd chain and the simulator
//! run the same economy.

use std::path::Path;
use std::str::FromStr;

use acn_interface::emissions::EmissionParams;
use acn_interface::BPS_DENOMINATOR;
use anyhow::{bail, ensure, Context, Result};
use cosmwasm_std::{Decimal, Uint128};
use serde::Deserialize;

/// Base units per whole token (6 decimals).
pub const TOKEN: u128 = 1_000_000;
/// Seconds per day.
pub const DAY: u64 = 86_400;

/// The shipped genesis config.
pub const DEFAULT_GENESIS: &str = include_str!("../genesis.toml");

/// Token metadata and genesis supply.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenSection {
    /// Display name.
    pub name: String,
    /// Ticker.
    pub symbol: String,
    /// Decimals (must be 6).
    pub decimals: u8,
    /// Whole tokens minted at genesis.
    pub genesis_supply: u64,
}

/// Where an allocation goes.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum AllocationKind {
    /// The treasury's spendable reserve.
    Treasury,
    /// Held by the treasury, locked in a cliff + linear schedule.
    Vesting,
    /// Paid to a recipient at genesis.
    Liquid,
}

/// One line of the genesis allocation.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Allocation {
    /// Label.
    pub name: String,
    /// Destination kind.
    pub kind: AllocationKind,
    /// Share of the genesis supply.
    pub bps: u16,
    /// Vesting beneficiary (account name), for `vesting`.
    pub beneficiary: Option<String>,
    /// Receiving account name, for `liquid`.
    pub recipient: Option<String>,
    /// Days from genesis to the schedule's start, for `vesting`.
    pub start_delay_days: Option<u64>,
    /// Days from the start before anything is claimable, for `vesting`.
    pub cliff_days: Option<u64>,
    /// Days from the start until everything is vested, for `vesting`.
    pub duration_days: Option<u64>,
}

/// The compute-mining pool and its release rule.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmissionsSection {
    /// Whole tokens moved at genesis from the community treasury's allocation into the
    /// emissions contract (nothing is ever minted).
    pub pool: u64,
    /// Epoch length in days.
    pub epoch_days: u64,
    /// Half-life in epochs of the unreleased pool when every budget is used: each epoch's
    /// budget is `1 − 2^(−1/h)` of it.
    pub half_life_epochs: u64,
    /// Cap on an epoch's release, in bps of the protocol fees of its counted work.
    pub fee_cap_bps: u16,
    /// Share of each epoch's release to stakers.
    pub staker_share_bps: u16,
}

/// The treasury's fee split.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TreasurySection {
    /// Burned.
    pub burn_bps: u16,
    /// To stakers.
    pub stakers_bps: u16,
    /// Kept in the reserve.
    pub kept_bps: u16,
    /// To the caller of `Distribute`.
    pub executor_bps: u16,
}

/// Market parameters of the genesis deployment.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MarketSection {
    /// Protocol fee.
    pub protocol_fee_bps: u16,
    /// Whole tokens a provider must have bonded.
    pub min_provider_stake: u64,
    /// Compute units in one GPU-day.
    pub units_per_gpu_day: u64,
    /// Starting unit price, tokens per unit.
    pub initial_unit_price: f64,
    /// Lowest unit price, tokens per unit.
    pub price_floor: f64,
    /// Highest unit price, tokens per unit.
    pub price_ceiling: f64,
    /// Price window in days.
    pub price_window_days: u64,
}

/// Staking parameters.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StakingSection {
    /// Unbonding cooldown in days.
    pub unbonding_days: u64,
}

/// The ACN / stable pool, its TWAP oracle and the buyback vault.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AmmSection {
    /// The stable bank denom (6 decimals), e.g. `uusdc`.
    pub stable_denom: String,
    /// The pool's swap fee (≤ 1 000).
    pub fee_bps: u16,
    /// TWAP window in minutes.
    pub twap_window_minutes: u64,
    /// Whole stable tokens the vault may spend per day.
    pub buyback_daily_cap: u64,
    /// Whole ACN tokens of seed liquidity, taken from the treasury's reserve (0: no seed).
    pub seed_acn: u64,
    /// Whole stable tokens of seed liquidity, provided by the deployer (0: no seed).
    pub seed_stable: u64,
}

/// The whole genesis config.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Genesis {
    /// Token.
    pub token: TokenSection,
    /// Allocation lines.
    pub allocations: Vec<Allocation>,
    /// Emissions.
    pub emissions: EmissionsSection,
    /// Treasury split.
    pub treasury: TreasurySection,
    /// Market.
    pub market: MarketSection,
    /// Staking.
    pub staking: StakingSection,
    /// The ACN / stable AMM pool, oracle and buyback vault (absent: not deployed).
    #[serde(default)]
    pub amm: Option<AmmSection>,
}

/// Tokens (f64) → base units, refusing negative, non-finite or sub-unit-precision overflow.
pub fn tokens_to_base(field: &str, tokens: f64) -> Result<Uint128> {
    ensure!(
        tokens.is_finite() && tokens > 0.0 && tokens < 1e24,
        "{field} = {tokens}: must be a positive number of tokens"
    );
    Ok(Uint128::new((tokens * TOKEN as f64).round() as u128))
}

impl Genesis {
    /// Parse and check a genesis config.
    pub fn parse(text: &str) -> Result<Self> {
        let genesis: Genesis = toml::from_str(text).context("genesis config is not valid")?;
        genesis.validate()?;
        Ok(genesis)
    }

    /// Load from `path`, or the shipped `genesis.toml` when `None`.
    pub fn load(path: Option<&Path>) -> Result<Self> {
        match path {
            Some(p) => Self::parse(
                &std::fs::read_to_string(p)
                    .with_context(|| format!("reading genesis config {}", p.display()))?,
            )
            .with_context(|| format!("in {}", p.display())),
            None => Self::parse(DEFAULT_GENESIS),
        }
    }

    /// Genesis supply in base units.
    pub fn genesis_supply(&self) -> u128 {
        self.token.genesis_supply as u128 * TOKEN
    }

    /// Emission pool in base units (part of the community treasury's allocation).
    pub fn pool(&self) -> u128 {
        self.emissions.pool as u128 * TOKEN
    }

    /// The token's cap: the genesis supply (a fixed supply: nothing is ever minted).
    pub fn cap(&self) -> u128 {
        self.genesis_supply()
    }

    /// Each allocation with its amount in base units (`supply × bps / 10 000`, exact).
    pub fn allocation_amounts(&self) -> Vec<(&Allocation, u128)> {
        self.allocations
            .iter()
            .map(|a| {
                (
                    a,
                    self.genesis_supply() * a.bps as u128 / BPS_DENOMINATOR as u128,
                )
            })
            .collect()
    }

    /// Base units of every allocation of `kind`.
    pub fn total_of(&self, kind: AllocationKind) -> u128 {
        self.allocation_amounts()
            .iter()
            .filter(|(a, _)| a.kind == kind)
            .map(|(_, amount)| amount)
            .sum()
    }

    /// An epoch's budget rate: `1 − 2^(−1/h)` of the unreleased pool, for a half-life of `h`
    /// epochs while every budget is used.
    pub fn budget_rate(&self) -> Result<Decimal> {
        let h = self.emissions.half_life_epochs as f64;
        let r = 1.0 - 0.5f64.powf(1.0 / h);
        Decimal::from_str(&format!("{r:.18}")).context("budget rate")
    }

    /// The emission parameters of the file.
    pub fn emission_params(&self) -> Result<EmissionParams> {
        Ok(EmissionParams {
            budget_rate: self.budget_rate()?,
            fee_cap_bps: self.emissions.fee_cap_bps,
            staker_share_bps: self.emissions.staker_share_bps,
        })
    }

    /// Every check: decimals, positive supply, shares summing to 10 000 bps and amounts to the
    /// supply, complete vesting schedules, emission bounds, treasury split, market prices.
    pub fn validate(&self) -> Result<()> {
        ensure!(
            self.token.decimals == 6,
            "token.decimals = {}: ACN uses 6 decimals",
            self.token.decimals
        );
        ensure!(
            self.token.genesis_supply > 0,
            "token.genesis_supply must be positive"
        );
        ensure!(!self.allocations.is_empty(), "no allocations");
        let bps_sum: u32 = self.allocations.iter().map(|a| a.bps as u32).sum();
        ensure!(
            bps_sum == BPS_DENOMINATOR as u32,
            "allocation shares sum to {bps_sum} bps ({:.2} %), must be exactly 10000 (100 %)",
            bps_sum as f64 / 100.0
        );
        let amount_sum: u128 = self.allocation_amounts().iter().map(|(_, a)| a).sum();
        ensure!(
            amount_sum == self.genesis_supply(),
            "allocation amounts sum to {amount_sum} base units, not the genesis supply {}",
            self.genesis_supply()
        );
        for a in &self.allocations {
            ensure!(a.bps > 0, "allocation {:?}: bps must be positive", a.name);
            match a.kind {
                AllocationKind::Treasury => ensure!(
                    a.beneficiary.is_none() && a.recipient.is_none(),
                    "allocation {:?}: a treasury allocation has no beneficiary or recipient",
                    a.name
                ),
                AllocationKind::Liquid => ensure!(
                    a.recipient.as_deref().is_some_and(|r| !r.is_empty()),
                    "allocation {:?}: a liquid allocation needs a recipient",
                    a.name
                ),
                AllocationKind::Vesting => {
                    ensure!(
                        a.beneficiary.as_deref().is_some_and(|b| !b.is_empty()),
                        "allocation {:?}: a vesting allocation needs a beneficiary",
                        a.name
                    );
                    let (Some(_), Some(cliff), Some(duration)) =
                        (a.start_delay_days, a.cliff_days, a.duration_days)
                    else {
                        bail!(
                            "allocation {:?}: a vesting allocation needs start_delay_days, cliff_days and duration_days",
                            a.name
                        );
                    };
                    ensure!(
                        duration > 0 && cliff <= duration,
                        "allocation {:?}: need 0 < duration_days and cliff_days ≤ duration_days (got cliff {cliff}, duration {duration})",
                        a.name
                    );
                }
            }
        }
        let e = &self.emissions;
        ensure!(e.pool > 0, "emissions.pool must be positive");
        ensure!(
            (1..=30).contains(&e.epoch_days),
            "emissions.epoch_days = {}: must be 1..=30",
            e.epoch_days
        );
        ensure!(
            (1..=100_000).contains(&e.half_life_epochs),
            "emissions.half_life_epochs must be 1..=100000"
        );
        ensure!(
            self.budget_rate()? <= acn_interface::emissions::MAX_BUDGET_RATE,
            "emissions.half_life_epochs = {}: an epoch's budget {} exceeds {} of the pool; lengthen the half-life",
            e.half_life_epochs,
            self.budget_rate()?,
            acn_interface::emissions::MAX_BUDGET_RATE
        );
        ensure!(
            (1..=acn_interface::emissions::MAX_FEE_CAP_BPS).contains(&e.fee_cap_bps),
            "emissions.fee_cap_bps must be 1..={}",
            acn_interface::emissions::MAX_FEE_CAP_BPS
        );
        ensure!(
            e.staker_share_bps <= acn_interface::emissions::MAX_STAKER_SHARE_BPS,
            "emissions.staker_share_bps must be at most {}",
            acn_interface::emissions::MAX_STAKER_SHARE_BPS
        );
        ensure!(
            self.pool() <= self.total_of(AllocationKind::Treasury),
            "emissions.pool = {} exceeds the community treasury's allocation {} it is taken from",
            e.pool,
            self.total_of(AllocationKind::Treasury) / TOKEN
        );
        let t = &self.treasury;
        let split =
            t.burn_bps as u32 + t.stakers_bps as u32 + t.kept_bps as u32 + t.executor_bps as u32;
        ensure!(
            split == BPS_DENOMINATOR as u32,
            "treasury split sums to {split} bps, must be exactly 10000"
        );
        let m = &self.market;
        ensure!(
            m.protocol_fee_bps <= 1_000,
            "market.protocol_fee_bps must be at most 1000"
        );
        ensure!(
            m.units_per_gpu_day > 0,
            "market.units_per_gpu_day must be positive"
        );
        ensure!(
            m.price_window_days > 0,
            "market.price_window_days must be positive"
        );
        let floor = tokens_to_base("market.price_floor", m.price_floor)?;
        let ceiling = tokens_to_base("market.price_ceiling", m.price_ceiling)?;
        let initial = tokens_to_base("market.initial_unit_price", m.initial_unit_price)?;
        ensure!(
            floor <= initial && initial <= ceiling,
            "market prices must satisfy price_floor ≤ initial_unit_price ≤ price_ceiling"
        );
        ensure!(
            self.staking.unbonding_days <= 365,
            "staking.unbonding_days must be at most 365"
        );
        if let Some(p) = &self.amm {
            ensure!(
                !p.stable_denom.is_empty(),
                "amm.stable_denom must name a bank denom (e.g. \"uusdc\")"
            );
            ensure!(p.fee_bps <= 1_000, "amm.fee_bps must be at most 1000");
            ensure!(
                (1..=1_440).contains(&p.twap_window_minutes),
                "amm.twap_window_minutes must be 1 ..= 1440"
            );
            ensure!(
                (p.seed_acn == 0) == (p.seed_stable == 0),
                "amm.seed_acn and amm.seed_stable must both be 0 (no seed) or both positive"
            );
            ensure!(
                p.seed_acn as u128 * TOKEN
                    <= self
                        .total_of(AllocationKind::Treasury)
                        .saturating_sub(self.pool()),
                "amm.seed_acn = {} must not exceed the treasury's reserve (after the emission pool)",
                p.seed_acn
            );
        }
        Ok(())
    }
}

//! The adoption scenarios (`scenarios.toml`): parsing and every check, with errors that name the
//! offending field. The genesis config lives in [`acn_client::genesis`] (re-exported here).

use std::path::Path;

use anyhow::{bail, ensure, Context, Result};
use serde::Deserialize;

pub use acn_client::genesis::*;

/// The shipped scenarios.
pub const DEFAULT_SCENARIOS: &str = include_str!("../scenarios.toml");

/// Scenario-independent behaviour of the simulated actors.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Common {
    /// A provider's cost per GPU-day, in USD.
    pub cost_usd_per_gpu_day: f64,
    /// The price per GPU-day, in USD, at which buyers want the scenario's demand curve; demand
    /// scales with `(reference / price)^demand_elasticity`.
    pub reference_usd_per_gpu_day: f64,
    /// Price elasticity of demand (0: demand ignores the price).
    pub demand_elasticity: f64,
    /// Share of the fleets' GPUs the market counts as capacity.
    pub target_utilization_bps: u16,
    /// Fleets join when income / cost is at least this (bps).
    pub join_margin_bps: u16,
    /// Fleets leave when income / cost is at most this (bps).
    pub leave_margin_bps: u16,
    /// Most fleets.
    pub max_providers: u32,
    /// Fewest fleets.
    pub min_providers: u32,
    /// Share of the holders' tokens bonded at launch.
    pub holder_initial_bond_bps: u16,
    /// The staking yield at which holders want half of their tokens bonded: they want a share
    /// `y / (y + staking_half_yield)` bonded at yield `y`, and move 1 % of their tokens a day
    /// toward it (a response to the yield, not a target that pins it).
    pub staking_half_yield_bps: u16,
    /// Share of the liquid genesis allocations (community sale, testnet rewards) their
    /// recipients sell into the pool; the rest goes to the holders.
    pub liquid_sell_bps: u16,
    /// Share of vested tokens beneficiaries sell into the pool.
    pub vesting_sell_bps: u16,
    /// Share of their ACN income (emissions, staking rewards) providers sell into the pool.
    pub provider_sell_bps: u16,
    /// Sellers work their orders over this many days: each day they sell this fraction of what
    /// they still mean to sell (a cliff's unlock is sold over weeks, not dumped in one block).
    pub sell_over_days: u32,
    /// Share of the treasury's spendable reserve granted every 30 days.
    pub treasury_grants_bps_per_month: u16,
}

/// One adoption curve.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Adoption {
    /// GPU-days of demand per day at launch.
    pub demand_day0: f64,
    /// Yearly growth factor while demand is small.
    pub early_growth_per_year: f64,
    /// Saturation level, GPU-days per day.
    pub demand_max: f64,
    /// GPUs per on-chain provider.
    pub gpus_per_provider: u64,
    /// Outside demand for ACN: USD of ACN bought on the pool per day for each GPU-day of the
    /// day's demand curve (buyers who want the token, not compute, drawn by adoption).
    pub outside_buy_usd_per_gpu_day: f64,
}

/// The scenarios file.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioFile {
    /// Shared behaviour.
    pub common: Common,
    /// Low adoption.
    pub low: Adoption,
    /// Base adoption.
    pub base: Adoption,
    /// High adoption.
    pub high: Adoption,
}

/// A named, checked scenario.
#[derive(Clone, Debug)]
pub struct Scenario {
    /// `low`, `base` or `high`.
    pub name: String,
    /// Shared behaviour.
    pub common: Common,
    /// Its adoption curve.
    pub adoption: Adoption,
}

/// Names accepted by `--scenario`.
pub const SCENARIOS: [&str; 3] = ["low", "base", "high"];

impl Scenario {
    /// Scenario `name` from the scenarios file at `path` (or the shipped one).
    pub fn load(name: &str, path: Option<&Path>) -> Result<Self> {
        let text = match path {
            Some(p) => std::fs::read_to_string(p)
                .with_context(|| format!("reading scenarios {}", p.display()))?,
            None => DEFAULT_SCENARIOS.to_string(),
        };
        Self::parse(name, &text)
    }

    /// Scenario `name` from scenarios text.
    pub fn parse(name: &str, text: &str) -> Result<Self> {
        let file: ScenarioFile = toml::from_str(text).context("scenarios file is not valid")?;
        let adoption = match name {
            "low" => file.low,
            "base" => file.base,
            "high" => file.high,
            other => bail!("unknown scenario {other:?}: expected one of low, base, high"),
        };
        let s = Scenario {
            name: name.to_string(),
            common: file.common,
            adoption,
        };
        s.validate()?;
        Ok(s)
    }

    /// Checks of every field.
    pub fn validate(&self) -> Result<()> {
        let a = &self.adoption;
        let c = &self.common;
        let n = &self.name;
        ensure!(
            a.demand_day0.is_finite() && a.demand_day0 > 0.0,
            "[{n}] demand_day0 must be positive"
        );
        ensure!(
            a.demand_max.is_finite() && a.demand_max >= a.demand_day0,
            "[{n}] demand_max must be at least demand_day0"
        );
        ensure!(
            a.early_growth_per_year.is_finite() && a.early_growth_per_year >= 1.0,
            "[{n}] early_growth_per_year must be at least 1"
        );
        ensure!(
            a.gpus_per_provider > 0,
            "[{n}] gpus_per_provider must be positive"
        );
        for (field, v) in [
            ("cost_usd_per_gpu_day", c.cost_usd_per_gpu_day),
            ("reference_usd_per_gpu_day", c.reference_usd_per_gpu_day),
        ] {
            ensure!(
                v.is_finite() && v > 0.0,
                "[common] {field} must be positive"
            );
        }
        ensure!(
            c.demand_elasticity.is_finite() && (0.0..=5.0).contains(&c.demand_elasticity),
            "[common] demand_elasticity must be in [0, 5]"
        );
        ensure!(
            c.staking_half_yield_bps > 0,
            "[common] staking_half_yield_bps must be positive"
        );
        ensure!(
            a.outside_buy_usd_per_gpu_day.is_finite() && a.outside_buy_usd_per_gpu_day >= 0.0,
            "[{n}] outside_buy_usd_per_gpu_day must be a non-negative number of USD"
        );
        ensure!(
            (1..=3_650).contains(&c.sell_over_days),
            "[common] sell_over_days must be 1..=3650"
        );
        ensure!(
            (1..=10_000).contains(&c.target_utilization_bps),
            "[common] target_utilization_bps must be 1..=10000"
        );
        ensure!(
            c.leave_margin_bps < c.join_margin_bps,
            "[common] leave_margin_bps must be below join_margin_bps"
        );
        ensure!(
            c.min_providers >= 1 && c.min_providers <= c.max_providers && c.max_providers <= 500,
            "[common] need 1 ≤ min_providers ≤ max_providers ≤ 500"
        );
        for (field, v) in [
            ("holder_initial_bond_bps", c.holder_initial_bond_bps),
            ("liquid_sell_bps", c.liquid_sell_bps),
            ("vesting_sell_bps", c.vesting_sell_bps),
            ("provider_sell_bps", c.provider_sell_bps),
            (
                "treasury_grants_bps_per_month",
                c.treasury_grants_bps_per_month,
            ),
        ] {
            ensure!(v <= 10_000, "[common] {field} must be at most 10000");
        }
        Ok(())
    }

    /// Outside buyers' ACN purchases on day `day`, USD: `outside_buy_usd_per_gpu_day` per
    /// GPU-day of the adoption curve.
    pub fn outside_buy_usd(&self, day: u64) -> f64 {
        self.adoption.outside_buy_usd_per_gpu_day * self.demand(day)
    }

    /// How demand responds to a price of `usd_per_gpu_day`: `(reference / price)^elasticity`,
    /// kept within [0.1, 3].
    pub fn price_response(&self, usd_per_gpu_day: f64) -> f64 {
        let c = &self.common;
        if usd_per_gpu_day <= 0.0 {
            return 3.0;
        }
        (c.reference_usd_per_gpu_day / usd_per_gpu_day)
            .powf(c.demand_elasticity)
            .clamp(0.1, 3.0)
    }

    /// Demand on day `day`, GPU-days per day: a logistic curve from `demand_day0` growing by
    /// `early_growth_per_year` while small, saturating at `demand_max`.
    pub fn demand(&self, day: u64) -> f64 {
        let a = &self.adoption;
        let k = a.early_growth_per_year.ln() / 365.0;
        let ratio = a.demand_max / a.demand_day0 - 1.0;
        a.demand_max / (1.0 + ratio * (-k * day as f64).exp())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demand_starts_at_day0_and_saturates() {
        let s = Scenario::parse("base", DEFAULT_SCENARIOS).unwrap();
        assert!((s.demand(0) - s.adoption.demand_day0).abs() < 1e-6);
        assert!(s.demand(365) > s.demand(0) * 2.0);
        assert!(s.demand(100_000) <= s.adoption.demand_max);
        assert!(s.demand(100_000) > s.adoption.demand_max * 0.999);
        assert!(Scenario::parse("medium", DEFAULT_SCENARIOS).is_err());
    }

    #[test]
    fn outside_demand_follows_adoption_and_the_price_response() {
        let s = Scenario::parse("base", DEFAULT_SCENARIOS).unwrap();
        let per = s.adoption.outside_buy_usd_per_gpu_day;
        assert!((s.outside_buy_usd(0) - per * s.adoption.demand_day0).abs() < 1e-6);
        assert!((s.outside_buy_usd(365) - per * s.demand(365)).abs() < 1e-6);
        // At the reference price demand is the curve; twice the price halves it (elasticity 1),
        // within [0.1, 3].
        assert!((s.price_response(32.0) - 1.0).abs() < 1e-12);
        assert!((s.price_response(64.0) - 0.5).abs() < 1e-12);
        assert_eq!(s.price_response(1e9), 0.1);
        assert_eq!(s.price_response(0.0), 3.0);
        let bad = DEFAULT_SCENARIOS.replace(
            &format!("outside_buy_usd_per_gpu_day = {per:.1}"),
            "outside_buy_usd_per_gpu_day = -1.0",
        );
        let e = format!("{:#}", Scenario::parse("base", &bad).unwrap_err());
        assert!(
            e.contains("[base] outside_buy_usd_per_gpu_day must be a non-negative number of USD"),
            "{e}"
        );
        let bad = DEFAULT_SCENARIOS.replace("sell_over_days = 180", "sell_over_days = 0");
        let e = format!("{:#}", Scenario::parse("low", &bad).unwrap_err());
        assert!(
            e.contains("[common] sell_over_days must be 1..=3650"),
            "{e}"
        );
    }
}

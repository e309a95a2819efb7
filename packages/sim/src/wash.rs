//! The wash trader: an attacker that buys jobs from its own providers every day to farm
//! emissions, at the size the rules make most profitable, and whose realised profit the
//! simulator reports (`DayRecord::wash_profit`, USD).
//!
//! It is the strongest self-dealer the rules allow. It owns every provider of its own model
//! (`WASH_MODEL`, registered like any model; no honest fleet serves it), so both slots of its
//! redundancy-2 jobs are its own (its providers register for the trade and deregister after it,
//! so they do not count as market capacity, which one simulated provider — a fleet — would
//! distort), every job is verified by the agreement of its two providers,
//! and every fee it pays is reported to emissions (at the job's ACN price). It pays in USD, like
//! every buyer: its providers are paid in USD and its fee goes to the buyback vault, which buys
//! ACN with it. Each day, after the honest jobs (so the epoch's fees are known), it reads the
//! epoch's budget and fees, the fee cap, the shares and its stake from the chain, computes its
//! expected profit for every batch size on a grid ([`expected_profit`], in ACN at the quote's
//! ACN price), and buys the best one: it always trades, so the run measures what the best trade
//! really earns. Its wealth is its USD plus its ACN — liquid, bonded and unbonding, pending
//! staking rewards and claimable emissions; its profit on a day is the change of its USD less
//! the USD it brought in, plus the change of its ACN valued at the day's pool price (the
//! revaluation of the ACN it already held is not a profit of its trade).

use std::collections::BTreeMap;

use acn_client::ChainExt;
use acn_interface::{emissions, market, staking};
use anyhow::{Context, Result};
use cosmwasm_std::Binary;

use crate::chain::SimChain;
use crate::config::{Genesis, TOKEN};
use crate::deploy::{job_deadline_seconds, WASH_MODEL};
use crate::pool::{Actor, Pool};
use crate::work::{audit_commitment_for, job, labels_output, register, run_job, submit};

/// The buyer's account name.
pub const BUYER: &str = "wash-buyer";
/// Its two providers.
pub const PROVIDERS: [&str; 2] = ["wash-p1", "wash-p2"];
/// Batch sizes it considers (powers of two up to the model's largest batch).
const GRID: [u32; 11] = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1_024];

/// What the chain says about today's epoch and the rules, read before a trade.
#[derive(Clone, Copy, Debug)]
pub struct Rules {
    /// Protocol fee, bps of the price.
    pub fee_bps: u16,
    /// The epoch's budget, tokens.
    pub budget: f64,
    /// Fees reported so far in the epoch, tokens.
    pub fees: f64,
    /// Emissions cap, bps of fees.
    pub fee_cap_bps: u16,
    /// Stakers' share of a release, bps.
    pub staker_share_bps: u16,
    /// Stakers' share of a distributed fee, bps.
    pub stakers_fee_bps: u16,
    /// The trader's share of the staking reward weight.
    pub stake_share: f64,
}

/// Expected profit, in ACN, of buying a job worth `price` ACN from its own two providers, under
/// `rules`: the providers' pay back, its share of the epoch's provider release, the stakers'
/// share of what its fee adds to the release and of its distributed fee, less the price.
pub fn expected_profit(price: f64, r: &Rules) -> f64 {
    let bps = |v: u16| f64::from(v) / 10_000.0;
    let fee = price * bps(r.fee_bps);
    let pay_back = price - fee;
    let release = |fees: f64| r.budget.min(fees * bps(r.fee_cap_bps));
    let (before, after) = (release(r.fees), release(r.fees + fee));
    let own = if r.fees + fee > 0.0 {
        after * fee / (r.fees + fee) * (1.0 - bps(r.staker_share_bps))
    } else {
        0.0
    };
    let staker_part = (after - before) * bps(r.staker_share_bps) + fee * bps(r.stakers_fee_bps);
    pay_back + own + staker_part * r.stake_share - price
}

/// One day's trade.
#[derive(Clone, Copy, Debug)]
pub struct Trade {
    /// Items bought.
    pub batch: u32,
    /// Price paid, stable base units.
    pub price: u128,
    /// Protocol fee the settled job charged (read from the job), stable base units.
    pub fee: u128,
    /// Expected profit computed before the trade, in USD at the quote's ACN price.
    pub expected: f64,
}

/// The attacker's state.
pub struct WashTrader {
    actors: Vec<Actor>,
    usd_in_today: u128,
    last_wealth: Wealth,
}

/// The trader's holdings: stable and ACN, base units.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Wealth {
    /// Stable held by its three addresses.
    pub usd: u128,
    /// ACN: liquid, bonded, unbonding, pending staking rewards, claimable emissions.
    pub acn: u128,
}

fn emissions_addr<C: SimChain + ?Sized>(c: &C) -> Result<String> {
    c.deployment()
        .emissions
        .clone()
        .context("the deployment has emissions")
}

fn bond<C: SimChain + ?Sized>(c: &C, who: &Actor, amount: u128) -> Result<()> {
    let staking = c.deployment().staking.clone();
    c.send_tokens(
        &who.name,
        &staking,
        amount,
        &staking::ReceiveMsg::Bond { tier: None },
    )
    .with_context(|| format!("{} bonds {amount}", who.name))?;
    Ok(())
}

impl WashTrader {
    /// A trader not launched yet (no accounts).
    pub fn placeholder() -> Self {
        WashTrader {
            actors: vec![],
            usd_in_today: 0,
            last_wealth: Wealth::default(),
        }
    }

    /// Open its accounts, buy the minimum stake for both providers on the pool (with USD it
    /// brings) and bond it (they register for `WASH_MODEL`, and nothing else, only while they
    /// trade).
    pub fn launch<C: SimChain + ?Sized>(c: &C, genesis: &Genesis, pool: &mut Pool) -> Result<Self> {
        let actors = [BUYER, PROVIDERS[0], PROVIDERS[1]]
            .iter()
            .map(|n| Actor::open(c, n))
            .collect::<Result<Vec<_>>>()?;
        let stake = genesis.market.min_provider_stake as u128 * TOKEN;
        for p in &actors[1..] {
            pool.buy_exact(c, p, stake)?;
            bond(c, p, stake)?;
        }
        let mut trader = WashTrader {
            actors,
            usd_in_today: 0,
            last_wealth: Wealth::default(),
        };
        trader.last_wealth = trader.wealth(c, pool)?;
        Ok(trader)
    }

    /// Its accounts (buyer and providers), for the conservation check.
    pub fn actors(&self) -> &[Actor] {
        &self.actors
    }

    /// Its stable, and its ACN: liquid + bonded + unbonding + pending staking rewards +
    /// claimable emissions.
    pub fn wealth<C: SimChain + ?Sized>(&self, c: &C, pool: &Pool) -> Result<Wealth> {
        let (staking_addr, emissions_addr) = (c.deployment().staking.clone(), emissions_addr(c)?);
        let mut w = Wealth::default();
        for a in &self.actors {
            let stake = c.stake(&a.addr)?;
            let pending: staking::PendingRewardsResponse = c.query(
                &staking_addr,
                &staking::QueryMsg::PendingRewards {
                    address: a.addr.clone(),
                },
            )?;
            let p: emissions::ProviderResponse = c.query(
                &emissions_addr,
                &emissions::QueryMsg::Provider {
                    address: a.addr.clone(),
                },
            )?;
            w.acn += c.balance(&a.addr)?
                + stake.bonded.u128()
                + stake.unbonding.u128()
                + pending.pending.u128()
                + p.claimable.u128();
            w.usd += pool.usd_balance(c, &a.addr)?;
        }
        Ok(w)
    }

    /// Claim the providers' emissions and staking rewards (moves nothing out of its wealth).
    pub fn collect<C: SimChain + ?Sized>(&self, c: &C) -> Result<()> {
        let (staking_addr, emissions_addr) = (c.deployment().staking.clone(), emissions_addr(c)?);
        for a in &self.actors[1..] {
            let p: emissions::ProviderResponse = c.query(
                &emissions_addr,
                &emissions::QueryMsg::Provider {
                    address: a.addr.clone(),
                },
            )?;
            if !p.claimable.is_zero() {
                c.execute(&a.name, &emissions_addr, &emissions::ExecuteMsg::Claim {})?;
            }
            let pending: staking::PendingRewardsResponse = c.query(
                &staking_addr,
                &staking::QueryMsg::PendingRewards {
                    address: a.addr.clone(),
                },
            )?;
            if pending.pending.u128() > 0 {
                c.execute(
                    &a.name,
                    &staking_addr,
                    &staking::ExecuteMsg::ClaimRewards {},
                )?;
            }
        }
        Ok(())
    }

    /// The rules as the chain has them now.
    pub fn rules<C: SimChain + ?Sized>(&self, c: &C, g: &Genesis) -> Result<Rules> {
        let emissions_addr = emissions_addr(c)?;
        let e: emissions::EpochResponse =
            c.query(&emissions_addr, &emissions::QueryMsg::Epoch { epoch: None })?;
        let cfg: emissions::ConfigResponse =
            c.query(&emissions_addr, &emissions::QueryMsg::Config {})?;
        let totals: staking::TotalsResponse =
            c.query(&c.deployment().staking, &staking::QueryMsg::Totals {})?;
        let mut own_weight = 0u128;
        for a in &self.actors {
            own_weight += c.stake(&a.addr)?.bonded.u128();
        }
        Ok(Rules {
            fee_bps: g.market.protocol_fee_bps,
            budget: e.budget.u128() as f64 / TOKEN as f64,
            fees: e.fees.u128() as f64 / TOKEN as f64,
            fee_cap_bps: cfg.params.fee_cap_bps,
            staker_share_bps: cfg.params.staker_share_bps,
            stakers_fee_bps: g.treasury.stakers_bps,
            stake_share: if totals.reward_weight.is_zero() {
                1.0
            } else {
                own_weight as f64 / totals.reward_weight.u128() as f64
            },
        })
    }

    /// Trade the best batch of the grid, paying in USD it brings (outside money), at most
    /// `max_spend` stable base units; returns the trade, or `None` if none fits.
    pub fn trade<C: SimChain + ?Sized>(
        &mut self,
        c: &C,
        g: &Genesis,
        pool: &mut Pool,
        max_spend: u128,
    ) -> Result<Option<Trade>> {
        let rules = self.rules(c, g)?;
        let buyer = self.actors[0].clone();
        let mut quotes = vec![];
        for b in GRID {
            let q: market::QuoteResponse = c.market(&market::QueryMsg::Quote {
                model_id: WASH_MODEL.into(),
                batch: b,
                redundancy: 2,
                buyer: Some(buyer.addr.clone()),
                input: None,
            })?;
            quotes.push((b, q));
        }
        let best = quotes
            .into_iter()
            .filter(|(_, q)| q.price.u128() <= max_spend)
            .filter_map(|(b, q)| {
                // Emissions count the fee in ACN at the job's ACN price (the quote's TWAP).
                let acn_price = q.acn_price?.to_string().parse::<f64>().ok()?;
                let price_usd = q.price.u128() as f64 / TOKEN as f64;
                let acn = price_usd / acn_price;
                Some((b, q.price.u128(), expected_profit(acn, &rules) * acn_price))
            })
            .max_by(|x, y| x.2.total_cmp(&y.2));
        let Some((batch, price, expected)) = best else {
            return Ok(None);
        };
        for p in &self.actors[1..] {
            register(c, p, &[WASH_MODEL])?;
        }
        pool.mint_usd(c, &buyer.addr, price)?;
        self.usd_in_today += price;
        let now = c.block()?.time;
        let msg = market::ExecuteMsg::SubmitJob {
            model_id: WASH_MODEL.into(),
            input: Binary::from(vec![1u8; batch as usize]),
            batch,
            redundancy: 2,
            max_unit_price: cosmwasm_std::Uint128::MAX,
            deadline: cosmwasm_std::Timestamp::from_seconds(
                now + job_deadline_seconds(c.day_seconds()),
            ),
            audit_commitment: audit_commitment_for(&buyer.addr, 2),
            callback: None,
        };
        let job_id = submit(c, &buyer, &msg, &pool.denom, price)?;
        let out = labels_output(&vec![1u32; batch as usize]);
        let work = [(&self.actors[1], out.clone()), (&self.actors[2], out)];
        run_job(c, &buyer, job_id, &work, &BTreeMap::new())?;
        for p in &self.actors[1..] {
            c.market_exec(&p.name, &market::ExecuteMsg::Deregister {})?;
        }
        let fee = job(c, job_id)?.fee.u128();
        Ok(Some(Trade {
            batch,
            price,
            fee,
            expected,
        }))
    }

    /// The day's realised profit in USD: the change of its stable less the stable it brought
    /// in, plus the change of its ACN at `acn_usd` (the day's pool price). Call once a day, after
    /// the buybacks.
    pub fn close_day<C: SimChain + ?Sized>(
        &mut self,
        c: &C,
        pool: &Pool,
        acn_usd: f64,
    ) -> Result<f64> {
        let w = self.wealth(c, pool)?;
        let usd = w.usd as f64 - self.last_wealth.usd as f64 - self.usd_in_today as f64;
        let acn = w.acn as f64 - self.last_wealth.acn as f64;
        self.last_wealth = w;
        self.usd_in_today = 0;
        Ok((usd + acn * acn_usd) / TOKEN as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(budget: f64, fees: f64) -> Rules {
        Rules {
            fee_bps: 300,
            budget,
            fees,
            fee_cap_bps: 5_000,
            staker_share_bps: 2_000,
            stakers_fee_bps: 2_000,
            stake_share: 0.0,
        }
    }

    #[test]
    fn every_size_loses_with_the_default_parameters() {
        // A fee of 3 per 100 paid; back: 40 % of it as provider emissions while the cap binds.
        let p = expected_profit(100.0, &rules(1e9, 0.0));
        assert!((p - (-3.0 * 0.6)).abs() < 1e-9, "{p}");
        // Owning every staked token too: 20 % of the fee and the stakers' 10 % of emissions.
        let all = Rules {
            stake_share: 1.0,
            ..rules(1e9, 0.0)
        };
        let p = expected_profit(100.0, &all);
        assert!((p - (-3.0 * 0.3)).abs() < 1e-9, "{p}");
        // When the budget binds, the trade dilutes the release instead: worse.
        let p = expected_profit(100.0, &rules(10.0, 1_000.0));
        assert!(p < -3.0 * 0.6, "{p}");
        for price in [1.0, 1e3, 1e6, 1e9] {
            for (budget, fees) in [(1e9, 0.0), (1e3, 0.0), (1e3, 1e5), (0.0, 0.0)] {
                assert!(expected_profit(price, &rules(budget, fees)) < 0.0);
            }
        }
    }
}

//! The wash trader: an attacker that buys jobs from its own providers every day to farm
//! emissions, at the size the rules make most profitable, and whose realised profit the
//! simulator reports (`DayRecord::wash_profit`).
//!
//! It is the strongest self-dealer the rules allow. It owns every provider of its own model
//! (`WASH_MODEL`, registered like any model; no honest fleet serves it), so both slots of its
//! redundancy-2 jobs are its own (its providers register for the trade and deregister after it,
//! so they do not count as market capacity, which one simulated provider — a fleet — would
//! distort), every job is verified by the agreement of its two providers,
//! and every fee it pays is reported to emissions. Each day, after the honest jobs (so the
//! epoch's fees are known), it reads the epoch's budget and fees, the fee cap, the shares and its
//! stake from the chain, computes its expected profit for every batch size on a grid
//! ([`expected_profit`]), and buys the best one: it always trades, so the run measures what the
//! best trade really earns. Its wealth is its liquid, bonded and unbonding tokens plus its
//! pending staking rewards and claimable emissions; its profit on a day is the change of that
//! wealth less the tokens it bought from holders that day.

use acn_interface::{emissions, staking};
use anyhow::Result;
use cosmwasm_std::{Addr, Binary};

use crate::config::{Genesis, TOKEN};
use crate::deploy::{World, WASH_MODEL};
use acn_testing::{labels_output, Suite};

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

/// Expected profit, in tokens, of buying a job at `price` from its own two providers, under
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
    /// Price paid, base units.
    pub price: u128,
    /// Protocol fee the settled job charged (read from the job), base units.
    pub fee: u128,
    /// Expected profit computed before the trade, tokens.
    pub expected: f64,
}

/// The attacker's state.
pub struct WashTrader {
    addrs: Vec<Addr>,
    bought_today: u128,
    last_wealth: u128,
}

impl WashTrader {
    /// A trader not launched yet (no addresses).
    pub fn placeholder() -> Self {
        WashTrader {
            addrs: vec![],
            bought_today: 0,
            last_wealth: 0,
        }
    }

    /// Buy the minimum stake for both providers from `holders` and bond it (they register for
    /// `WASH_MODEL`, and nothing else, only while they trade).
    pub fn launch(world: &mut World, holders: &Addr) -> Result<Self> {
        let s = &mut world.suite;
        let stake = world.genesis.market.min_provider_stake as u128 * TOKEN;
        for p in PROVIDERS {
            let addr = s.addr(p);
            s.transfer_from(holders, &addr, stake)?;
            s.bond(p, stake)?;
        }
        let addrs = [BUYER, PROVIDERS[0], PROVIDERS[1]]
            .iter()
            .map(|n| s.addr(n))
            .collect();
        let mut trader = WashTrader {
            addrs,
            bought_today: 0,
            last_wealth: 0,
        };
        trader.last_wealth = trader.wealth(s, &world.emissions);
        Ok(trader)
    }

    /// Its addresses (buyer and providers), for the conservation check.
    pub fn addresses(&self) -> &[Addr] {
        &self.addrs
    }

    /// Liquid + bonded + unbonding + pending staking rewards + claimable emissions.
    pub fn wealth(&self, s: &Suite, emissions_addr: &Addr) -> u128 {
        self.addrs
            .iter()
            .map(|a| {
                let stake = s.stake_of(a);
                s.balance(a.clone())
                    + stake.bonded.u128()
                    + stake.unbonding.u128()
                    + s.pending_rewards_of(a)
                    + s.emissions_provider(emissions_addr, a).claimable.u128()
            })
            .sum()
    }

    /// Claim the providers' emissions and staking rewards (moves nothing out of its wealth).
    pub fn collect(&self, s: &mut Suite, emissions_addr: &Addr) -> Result<u64> {
        let mut txs = 0;
        for a in &self.addrs[1..] {
            if !s.emissions_provider(emissions_addr, a).claimable.is_zero() {
                s.claim_emissions(emissions_addr, a)?;
                txs += 1;
            }
            if s.pending_rewards_of(a) > 0 {
                let staking_addr = s.staking.clone();
                s.execute(a, &staking_addr, &staking::ExecuteMsg::ClaimRewards {})?;
                txs += 1;
            }
        }
        Ok(txs)
    }

    /// The rules as the chain has them now.
    pub fn rules(&self, world: &World) -> Rules {
        let s = &world.suite;
        let e: emissions::EpochResponse = s.query(
            &world.emissions,
            &emissions::QueryMsg::Epoch { epoch: None },
        );
        let cfg: emissions::ConfigResponse =
            s.query(&world.emissions, &emissions::QueryMsg::Config {});
        let g: &Genesis = &world.genesis;
        let totals = s.staking_totals();
        let own_weight: u128 = self.addrs.iter().map(|a| s.stake_of(a).bonded.u128()).sum();
        Rules {
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
        }
    }

    /// Trade the best batch of the grid (buying the tokens from `holders`, spending at most
    /// `max_spend`); returns the trade, or `None` if it cannot afford one.
    pub fn trade(
        &mut self,
        world: &mut World,
        holders: &Addr,
        max_spend: u128,
    ) -> Result<Option<Trade>> {
        let rules = self.rules(world);
        let s = &mut world.suite;
        let best = GRID
            .iter()
            .map(|b| (*b, s.quote(BUYER, WASH_MODEL, *b, 2).price.u128()))
            .filter(|(_, price)| *price <= max_spend)
            .map(|(b, price)| {
                (
                    b,
                    price,
                    expected_profit(price as f64 / TOKEN as f64, &rules),
                )
            })
            .max_by(|x, y| x.2.total_cmp(&y.2));
        let Some((batch, price, expected)) = best else {
            return Ok(None);
        };
        for p in PROVIDERS {
            s.register_provider(p, &[WASH_MODEL])?;
        }
        let buyer = s.addr(BUYER);
        s.transfer_from(holders, &buyer, price)?;
        self.bought_today += price;
        let deadline = s.default_deadline();
        let input = Binary::from(vec![1u8; batch as usize]);
        let job = s.try_submit(BUYER, WASH_MODEL, input, batch, 2, price, deadline)?;
        let out = labels_output(&vec![1u32; batch as usize]);
        s.run_job(job, &[(PROVIDERS[0], out.clone()), (PROVIDERS[1], out)])?;
        let market = s.market();
        for p in PROVIDERS {
            let addr = s.addr(p);
            s.execute(
                &addr,
                &market,
                &acn_interface::market::ExecuteMsg::Deregister {},
            )?;
        }
        let fee = s.job(job).fee.u128();
        Ok(Some(Trade {
            batch,
            price,
            fee,
            expected,
        }))
    }

    /// The day's realised profit in base units (signed): the change of its wealth less what it
    /// bought. Call once a day, after the fee distribution.
    pub fn close_day(&mut self, s: &Suite, emissions_addr: &Addr) -> i128 {
        let wealth = self.wealth(s, emissions_addr);
        let profit = wealth as i128 - self.last_wealth as i128 - self.bought_today as i128;
        self.last_wealth = wealth;
        self.bought_today = 0;
        profit
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

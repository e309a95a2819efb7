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

use acn_interface::{emissions, staking};
use anyhow::Result;
use cosmwasm_std::{coins, Addr, Binary};
use cw_multi_test::Executor;

use crate::config::{Genesis, TOKEN};
use crate::deploy::{World, WASH_MODEL};
use crate::pool::Pool;
use acn_testing::{audit_commitment_for, labels_output, Suite};

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
    addrs: Vec<Addr>,
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

impl WashTrader {
    /// A trader not launched yet (no addresses).
    pub fn placeholder() -> Self {
        WashTrader {
            addrs: vec![],
            usd_in_today: 0,
            last_wealth: Wealth::default(),
        }
    }

    /// Buy the minimum stake for both providers on the pool (with USD it brings) and bond it
    /// (they register for `WASH_MODEL`, and nothing else, only while they trade).
    pub fn launch(world: &mut World, pool: &mut Pool) -> Result<Self> {
        let s = &mut world.suite;
        let stake = world.genesis.market.min_provider_stake as u128 * TOKEN;
        for p in PROVIDERS {
            let addr = s.addr(p);
            pool.buy_exact(s, &addr, stake)?;
            s.bond(p, stake)?;
        }
        let addrs = [BUYER, PROVIDERS[0], PROVIDERS[1]]
            .iter()
            .map(|n| s.addr(n))
            .collect();
        let mut trader = WashTrader {
            addrs,
            usd_in_today: 0,
            last_wealth: Wealth::default(),
        };
        trader.last_wealth = trader.wealth(s, &world.emissions, pool);
        Ok(trader)
    }

    /// Its addresses (buyer and providers), for the conservation check.
    pub fn addresses(&self) -> &[Addr] {
        &self.addrs
    }

    /// Its stable, and its ACN: liquid + bonded + unbonding + pending staking rewards +
    /// claimable emissions.
    pub fn wealth(&self, s: &Suite, emissions_addr: &Addr, pool: &Pool) -> Wealth {
        let acn = self
            .addrs
            .iter()
            .map(|a| {
                let stake = s.stake_of(a);
                s.balance(a.clone())
                    + stake.bonded.u128()
                    + stake.unbonding.u128()
                    + s.pending_rewards_of(a)
                    + s.emissions_provider(emissions_addr, a).claimable.u128()
            })
            .sum();
        let usd = self.addrs.iter().map(|a| pool.usd_balance(s, a)).sum();
        Wealth { usd, acn }
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

    /// Trade the best batch of the grid, paying in USD it brings (minted: outside money), at
    /// most `max_spend` stable base units; returns the trade, or `None` if none fits.
    pub fn trade(
        &mut self,
        world: &mut World,
        pool: &mut Pool,
        max_spend: u128,
    ) -> Result<Option<Trade>> {
        let rules = self.rules(world);
        let s = &mut world.suite;
        let best = GRID
            .iter()
            .map(|b| (*b, s.quote(BUYER, WASH_MODEL, *b, 2)))
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
        for p in PROVIDERS {
            s.register_provider(p, &[WASH_MODEL])?;
        }
        let buyer = s.addr(BUYER);
        pool.mint_usd(s, &buyer, price)?;
        self.usd_in_today += price;
        let market = s.market();
        let msg = acn_interface::market::ExecuteMsg::SubmitJob {
            model_id: WASH_MODEL.into(),
            input: Binary::from(vec![1u8; batch as usize]),
            batch,
            redundancy: 2,
            max_unit_price: cosmwasm_std::Uint128::MAX,
            deadline: s.default_deadline(),
            audit_commitment: audit_commitment_for(&buyer, 2),
            callback: None,
        };
        let res =
            s.app
                .execute_contract(buyer, market.clone(), &msg, &coins(price, &pool.denom))?;
        let job = acn_testing::job_id_from(&res)?;
        let out = labels_output(&vec![1u32; batch as usize]);
        s.run_job(job, &[(PROVIDERS[0], out.clone()), (PROVIDERS[1], out)])?;
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

    /// The day's realised profit in USD: the change of its stable less the stable it brought
    /// in, plus the change of its ACN at `acn_usd` (the day's pool price). Call once a day, after
    /// the buybacks.
    pub fn close_day(
        &mut self,
        s: &Suite,
        emissions_addr: &Addr,
        pool: &Pool,
        acn_usd: f64,
    ) -> f64 {
        let w = self.wealth(s, emissions_addr, pool);
        let usd = w.usd as f64 - self.last_wealth.usd as f64 - self.usd_in_today as f64;
        let acn = w.acn as f64 - self.last_wealth.acn as f64;
        self.last_wealth = w;
        self.usd_in_today = 0;
        (usd + acn * acn_usd) / TOKEN as f64
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

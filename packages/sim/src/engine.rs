//! The daily loop. Every day, on the embedded chain with the real contracts:
//!
//! 1. providers claim yesterday's emissions (`Claim` on the emissions contract);
//! 2. buyers buy tokens from holders and pay for the day's demand: as many jobs as providers
//!    (a batch of items, each `ITEM_GPU_DAYS` GPU-days) through escrow → assignment (the market
//!    draws the serving provider, stake-weighted) → commit → reveal → settlement (fee to the
//!    treasury, `RecordWork` to emissions);
//!    then the wash trader (`crate::wash`) buys its best-sized job from its own providers;
//! 3. the keeper runs the treasury's `Distribute` (burn / stakers / kept / executor), and the
//!    wash trader's realised profit of the day is recorded;
//! 4. vesting beneficiaries claim what vested and sell part of it to holders;
//! 5. holders bond or unbond as the trailing staking yield moves, and claim matured unbondings;
//! 6. providers sell their income daily; the DAO grants part of the reserve monthly;
//! 7. fleets join or leave as their trailing income per GPU-day covers their cost;
//! 8. conservation is checked: `supply + burned == genesis` (nothing is ever minted: emissions
//!    are paid from a pool moved out of the treasury's allocation), and the balances of every
//!    address that ever held tokens sum to the supply. A violation stops the run with an error.

use std::time::{Duration, Instant};

use acn_interface::{emissions, token, treasury};
use acn_testing::labels_output;
use anyhow::{bail, ensure, Context, Result};
use cosmwasm_std::{Addr, Binary, Timestamp};

use crate::config::{Genesis, Scenario, DAY, TOKEN};
use crate::deploy::{deploy, World, ITEM_GPU_DAYS, SIM_MODEL};
use crate::wash::WashTrader;

/// Figures of one simulated day (token amounts in whole tokens).
#[derive(Clone, Debug, Default)]
pub struct DayRecord {
    /// Day index (1 = the first day after genesis).
    pub day: u64,
    /// Demand, GPU-days per day.
    pub demand_gpu_days: f64,
    /// Demand served on chain, GPU-days per day.
    pub served_gpu_days: f64,
    /// Active providers (fleets).
    pub providers: u32,
    /// GPUs of the active fleets.
    pub gpus: u64,
    /// Unit price, tokens per compute unit (at the day's submissions).
    pub unit_price: f64,
    /// Jobs settled.
    pub jobs: u32,
    /// Paid by buyers for the day's jobs.
    pub job_volume: f64,
    /// Burned by the day's distribution.
    pub burned_day: f64,
    /// Minted by the emissions contract during the day.
    pub emitted_day: f64,
    /// Burned since genesis.
    pub burned_total: f64,
    /// Minted since genesis.
    pub emitted_total: f64,
    /// Total supply.
    pub supply: f64,
    /// Liquid supply outside the protocol's contracts (treasury, staking, market, emissions).
    pub circulating: f64,
    /// Bonded stake.
    pub bonded: f64,
    /// Treasury balance (reserve, pending fees and locked vesting).
    pub treasury_balance: f64,
    /// Vesting still locked in the treasury.
    pub vesting_locked: f64,
    /// Vesting unlocked during the day (the unlock schedule).
    pub unlocked_day: f64,
    /// The treasury's income of the day: its kept share of the distributed fees.
    pub treasury_income_day: f64,
    /// Granted out of the treasury's reserve during the day.
    pub grants_day: f64,
    /// Providers' income (job payments + emissions) per GPU-day, tokens.
    pub income_per_gpu_day: f64,
    /// Part of that income from emissions, tokens per GPU-day.
    pub emission_income_per_gpu_day: f64,
    /// The token's USD price (the scenario's path).
    pub token_usd: f64,
    /// Staking yield: trailing 30 days of reward rounds, annualised, % of bonded.
    pub staking_apr_pct: f64,
    /// Protocol fee the wash trader paid on its day's trade.
    pub wash_fee: f64,
    /// The wash trader's expected profit of its day's trade (the best of its grid).
    pub wash_expected: f64,
    /// The wash trader's realised profit of the day (change of its wealth less its purchases).
    pub wash_profit: f64,
}

/// The first day the 7-day average burn exceeds the 7-day average emission.
#[derive(Clone, Debug)]
pub struct Crossing {
    /// Day.
    pub day: u64,
    /// 7-day average of GPU-days served per day.
    pub served_gpu_days: f64,
    /// 7-day average of compute units per day.
    pub units_per_day: f64,
    /// 7-day average of buyers' payments per day, tokens.
    pub job_volume: f64,
    /// 7-day average burn per day, tokens.
    pub burned_per_day: f64,
    /// 7-day average emission per day, tokens.
    pub emitted_per_day: f64,
}

/// A finished run.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// Scenario name.
    pub scenario: String,
    /// One record per day.
    pub days: Vec<DayRecord>,
    /// When burn first exceeded emission, if it did.
    pub crossing: Option<Crossing>,
    /// Transactions executed on the embedded chain.
    pub transactions: u64,
    /// Wall time of the run.
    pub wall: Duration,
    /// Conservation checks passed (one per day).
    pub conservation_checks: u64,
    /// Provider cost per GPU-day (USD), for the income plot.
    pub cost_usd_per_gpu_day: f64,
    /// Days on which holders' liquid tokens could not pay for all of the served demand.
    pub float_limited_days: u64,
}

/// One provider fleet.
struct Fleet {
    name: String,
    addr: Addr,
}

/// The simulation state around the deployed world.
pub struct Simulation {
    world: World,
    scenario: Scenario,
    active: Vec<Fleet>,
    exiting: Vec<(Fleet, Timestamp)>,
    next_fleet: u32,
    holder_claims: Vec<Timestamp>,
    known: Vec<Addr>,
    txs: u64,
    last_fleet_change: u64,
    income_window: Vec<(f64, f64)>,
    reward_window: Vec<f64>,
    checks: u64,
    day: u64,
    records: Vec<DayRecord>,
    wall: Duration,
    float_limited_days: u64,
    last_volume: u128,
    wash: WashTrader,
}

const HOLDERS: &str = "holders";
const BUYERS: &str = "buyers";
const KEEPER: &str = "keeper";

fn tokens(base: u128) -> f64 {
    base as f64 / TOKEN as f64
}

impl Simulation {
    /// Deploy `genesis` and set up the scenario's launch: liquid allocations move to holders,
    /// holders bond their initial share, the launch fleets buy their stake and register.
    pub fn new(genesis: &Genesis, scenario: Scenario) -> Result<Self> {
        let units_per_provider = (scenario.adoption.gpus_per_provider as u128
            * genesis.market.units_per_gpu_day as u128
            * scenario.common.target_utilization_bps as u128
            / 10_000) as u64;
        let world = deploy(genesis, units_per_provider)?;
        let mut sim = Simulation {
            world,
            scenario,
            active: vec![],
            exiting: vec![],
            next_fleet: 1,
            holder_claims: vec![],
            known: vec![],
            txs: 0,
            last_fleet_change: 0,
            income_window: vec![],
            reward_window: vec![],
            checks: 0,
            day: 0,
            records: vec![],
            wall: Duration::ZERO,
            float_limited_days: 0,
            last_volume: 0,
            wash: WashTrader::placeholder(),
        };
        let s = &sim.world.suite;
        let mut known = vec![
            s.owner.clone(),
            s.token.clone(),
            s.staking.clone(),
            s.treasury.clone(),
            s.market(),
            sim.world.emissions.clone(),
            s.addr(HOLDERS),
            s.addr(BUYERS),
            s.addr(KEEPER),
        ];
        for a in &sim.world.genesis.allocations {
            for name in [&a.beneficiary, &a.recipient].into_iter().flatten() {
                known.push(s.addr(name));
            }
        }
        sim.known = known;

        let holders = sim.addr(HOLDERS);
        let liquid: Vec<String> = sim
            .world
            .genesis
            .allocations
            .iter()
            .filter_map(|a| a.recipient.clone())
            .collect();
        for r in liquid {
            let from = sim.addr(&r);
            let amount = sim.world.suite.balance(from.clone());
            if amount > 0 && from != holders {
                sim.tx(|s| s.transfer_from(&from, &holders, amount))?;
            }
        }
        let initial_bond = sim.world.suite.balance(holders.clone())
            * sim.scenario.common.holder_initial_bond_bps as u128
            / 10_000;
        if initial_bond > 0 {
            sim.tx(|s| s.bond(HOLDERS, initial_bond))?;
        }
        let fleet_gpus = sim.scenario.adoption.gpus_per_provider as f64;
        let util = sim.scenario.common.target_utilization_bps as f64 / 10_000.0;
        let launch = (sim.scenario.demand(0) / (fleet_gpus * util)).ceil() as u32;
        let launch = launch.clamp(
            sim.scenario.common.min_providers,
            sim.scenario.common.max_providers,
        );
        for _ in 0..launch {
            sim.join()?;
        }
        sim.wash = WashTrader::launch(&mut sim.world, &holders)?;
        sim.txs += 6;
        sim.known.extend(sim.wash.addresses().iter().cloned());
        Ok(sim)
    }

    fn addr(&self, name: &str) -> Addr {
        self.world.suite.addr(name)
    }

    /// Run one transaction, counting it.
    fn tx<T>(&mut self, f: impl FnOnce(&mut acn_testing::Suite) -> anyhow::Result<T>) -> Result<T> {
        self.txs += 1;
        f(&mut self.world.suite)
    }

    /// A fleet joins: buys the minimum stake from holders, bonds it, registers.
    fn join(&mut self) -> Result<()> {
        let name = format!("provider-{:03}", self.next_fleet);
        self.next_fleet += 1;
        let addr = self.addr(&name);
        let stake = self.world.genesis.market.min_provider_stake as u128 * TOKEN;
        let holders = self.addr(HOLDERS);
        self.tx(|s| s.transfer_from(&holders, &addr, stake))
            .with_context(|| format!("{name} buys its stake from holders"))?;
        self.tx(|s| s.bond(&name, stake))?;
        self.tx(|s| s.register_provider(&name, &[SIM_MODEL]))?;
        self.known.push(addr.clone());
        self.active.push(Fleet { name, addr });
        Ok(())
    }

    /// The newest fleet leaves: deregisters and unbonds everything (claimed and sold later).
    fn leave(&mut self) -> Result<()> {
        let Some(fleet) = self.active.pop() else {
            return Ok(());
        };
        let (market, name) = (self.world.suite.market(), fleet.name.clone());
        let addr = fleet.addr.clone();
        self.tx(|s| {
            s.execute(
                &addr,
                &market,
                &acn_interface::market::ExecuteMsg::Deregister {},
            )
        })?;
        let bonded = self.world.suite.stake(&name).bonded.u128();
        if bonded > 0 {
            self.tx(|s| s.unbond(&name, bonded))?;
        }
        let mature = self
            .world
            .suite
            .block()
            .time
            .plus_seconds(self.world.genesis.staking.unbonding_days * DAY);
        self.exiting.push((fleet, mature));
        Ok(())
    }

    /// The chain and its helpers (to inspect it, or — in tests — to tamper with it).
    pub fn suite_mut(&mut self) -> &mut acn_testing::Suite {
        &mut self.world.suite
    }

    /// The deployed world.
    pub fn world(&self) -> &World {
        &self.world
    }

    /// Run `days` more days, calling `progress` after each. Stops with an error on the first
    /// day conservation does not hold.
    pub fn run(&mut self, days: u64, mut progress: impl FnMut(&DayRecord)) -> Result<()> {
        let start = Instant::now();
        let genesis_supply = self.world.genesis.genesis_supply();
        let mut prev_burned = self.world.suite.treasury_totals().burned.u128();
        let mut prev_emitted = {
            let t: emissions::TotalsResponse = self
                .world
                .suite
                .query(&self.world.emissions, &emissions::QueryMsg::Totals {});
            t.paid().u128()
        };
        let mut prev_rewards = self.world.suite.staking_totals().rewards_funded.u128();
        let mut prev_kept = self.world.suite.treasury_totals().kept.u128();
        let mut prev_locked = self.world.suite.treasury_balances().vesting_locked.u128();
        for _ in 0..days {
            self.day += 1;
            let day = self.day;
            self.world.suite.advance_time(DAY);
            let mut rec = DayRecord {
                day,
                ..DayRecord::default()
            };
            let before: Vec<u128> = self
                .active
                .iter()
                .map(|f| self.world.suite.balance(f.addr.clone()))
                .collect();
            let emission_income = self.claim_emissions()?;
            self.txs += self
                .wash
                .collect(&mut self.world.suite, &self.world.emissions)?;
            self.run_jobs(day, &mut rec)?;
            self.wash_trade(&mut rec)?;
            let income: u128 = self
                .active
                .iter()
                .zip(&before)
                .map(|(f, b)| self.world.suite.balance(f.addr.clone()).saturating_sub(*b))
                .sum();
            let gpu_days =
                self.active.len() as f64 * self.scenario.adoption.gpus_per_provider as f64;
            self.income_window.push((tokens(income), gpu_days));
            if self.income_window.len() > 7 {
                self.income_window.remove(0);
            }
            let (inc, gd): (f64, f64) = self
                .income_window
                .iter()
                .fold((0.0, 0.0), |(a, b), (x, y)| (a + x, b + y));
            rec.income_per_gpu_day = if gd > 0.0 { inc / gd } else { 0.0 };
            rec.emission_income_per_gpu_day = if gpu_days > 0.0 {
                tokens(emission_income) / gpu_days
            } else {
                0.0
            };
            rec.token_usd = self.scenario.token_usd(day);

            self.distribute()?;
            rec.wash_profit =
                self.wash
                    .close_day(&self.world.suite, &self.world.emissions) as f64
                    / TOKEN as f64;
            self.vesting()?;
            self.holders_staking(day)?;
            self.exits()?;
            self.providers_sell(day)?;
            if day.is_multiple_of(30) {
                rec.grants_day = tokens(self.grants()?);
            }
            self.fleet_decision(day, rec.income_per_gpu_day)?;

            // Figures and conservation.
            let s = &self.world.suite;
            let supply = s.total_supply();
            let t_totals = s.treasury_totals();
            let burned = t_totals.burned.u128();
            let e_totals: emissions::TotalsResponse =
                s.query(&self.world.emissions, &emissions::QueryMsg::Totals {});
            // Paid out of the emissions pool (moved there at genesis: nothing is minted).
            let emitted = e_totals.paid().u128();
            if supply + burned != genesis_supply {
                bail!(
                    "conservation broken on day {day}: supply {supply} + burned {burned} ≠ genesis {genesis_supply}"
                );
            }
            let mint: token::MintStatusResponse =
                s.query(&s.token, &token::QueryMsg::MintStatus {});
            ensure!(
                mint.total_minted.u128() == genesis_supply,
                "{} ever minted on day {day}: more than the genesis supply {genesis_supply}",
                mint.total_minted
            );
            let held: u128 = self.known.iter().map(|a| s.balance(a.clone())).sum();
            if held != supply {
                bail!(
                    "conservation broken on day {day}: balances sum to {held}, supply is {supply}"
                );
            }
            ensure!(
                supply <= self.world.genesis.cap(),
                "supply {supply} above the cap on day {day}"
            );
            self.checks += 1;
            let st = s.staking_totals();
            let rewards = st.rewards_funded.u128();
            self.reward_window.push(tokens(rewards - prev_rewards));
            prev_rewards = rewards;
            if self.reward_window.len() > 30 {
                self.reward_window.remove(0);
            }
            let bonded = st.bonded.u128();
            let window_rewards: f64 = self.reward_window.iter().sum();
            rec.staking_apr_pct = if bonded > 0 {
                window_rewards * 365.0 / self.reward_window.len() as f64 / tokens(bonded) * 100.0
            } else {
                0.0
            };
            let treasury_balance = s.balance(s.treasury.clone());
            let locked = s.treasury_balances().vesting_locked.u128();
            let in_contracts = treasury_balance
                + s.balance(s.staking.clone())
                + s.balance(s.market())
                + s.balance(self.world.emissions.clone());
            rec.burned_day = tokens(burned - prev_burned);
            rec.emitted_day = tokens(emitted - prev_emitted);
            prev_burned = burned;
            prev_emitted = emitted;
            rec.burned_total = tokens(burned);
            rec.emitted_total = tokens(emitted);
            rec.supply = tokens(supply);
            rec.circulating = tokens(supply - in_contracts);
            rec.bonded = tokens(bonded);
            rec.treasury_balance = tokens(treasury_balance);
            rec.vesting_locked = tokens(locked);
            rec.unlocked_day = tokens(prev_locked.saturating_sub(locked));
            prev_locked = locked;
            let kept = t_totals.kept.u128();
            rec.treasury_income_day = tokens(kept - prev_kept);
            prev_kept = kept;
            progress(&rec);
            self.records.push(rec);
        }
        self.wall += start.elapsed();
        Ok(())
    }

    /// The figures so far.
    pub fn outcome(&self) -> Outcome {
        Outcome {
            scenario: self.scenario.name.clone(),
            days: self.records.clone(),
            crossing: find_crossing(&self.records, self.world.genesis.market.units_per_gpu_day),
            transactions: self.txs,
            wall: self.wall,
            conservation_checks: self.checks,
            cost_usd_per_gpu_day: self.scenario.common.cost_usd_per_gpu_day,
            float_limited_days: self.float_limited_days,
        }
    }

    /// The wash trader makes its best trade of the day, spending at most 1 % of the holders'
    /// liquid tokens.
    fn wash_trade(&mut self, rec: &mut DayRecord) -> Result<()> {
        let holders = self.addr(HOLDERS);
        let max_spend = self.world.suite.balance(holders.clone()) / 100;
        if let Some(trade) = self.wash.trade(&mut self.world, &holders, max_spend)? {
            self.txs += 9;
            rec.wash_fee = tokens(trade.fee);
            rec.wash_expected = trade.expected;
        }
        Ok(())
    }

    /// Providers claim what they earned in closed epochs; returns the total claimed.
    fn claim_emissions(&mut self) -> Result<u128> {
        let emissions = self.world.emissions.clone();
        let mut claimed = 0;
        for i in 0..self.active.len() {
            let addr = self.active[i].addr.clone();
            let p = self.world.suite.emissions_provider(&emissions, &addr);
            if !p.claimable.is_zero() {
                self.tx(|s| s.claim_emissions(&emissions, &addr))?;
                claimed += p.claimable.u128();
            }
        }
        Ok(claimed)
    }

    /// The day's demand as one job per active fleet, paid by buyers with tokens from holders.
    fn run_jobs(&mut self, day: u64, rec: &mut DayRecord) -> Result<()> {
        // Buyers respond to the price in USD: the market's unit price, a GPU-day's units, the
        // token's price.
        let usd_per_gpu_day = tokens(self.world.suite.unit_price())
            * self.world.genesis.market.units_per_gpu_day as f64
            * self.scenario.token_usd(day);
        let demand = self.scenario.demand(day) * self.scenario.price_response(usd_per_gpu_day);
        rec.demand_gpu_days = demand;
        let n = self.active.len() as u64;
        rec.providers = n as u32;
        rec.gpus = n * self.scenario.adoption.gpus_per_provider;
        if n == 0 {
            return Ok(());
        }
        let wanted = (demand / ITEM_GPU_DAYS as f64).round() as u64;
        let per_fleet = self.scenario.adoption.gpus_per_provider / ITEM_GPU_DAYS;
        let items = wanted.min(per_fleet * n);
        let batches: Vec<u32> = (0..n)
            .map(|i| (items / n + u64::from(i < items % n)) as u32)
            .collect();
        let unit_price = self.world.suite.unit_price();
        rec.unit_price = tokens(unit_price);
        let quotes: Vec<u128> = batches
            .iter()
            .map(|b| {
                if *b == 0 {
                    0
                } else {
                    self.world
                        .suite
                        .quote(BUYERS, SIM_MODEL, *b, 1)
                        .price
                        .u128()
                }
            })
            .collect();
        let mut total: u128 = quotes.iter().sum();
        let holders = self.addr(HOLDERS);
        let available = self.world.suite.balance(holders.clone());
        let (mut batches, mut quotes) = (batches, quotes);
        if total > available {
            // Buyers can only buy what holders sell: serve the share the float pays for.
            self.float_limited_days += 1;
            let share = available as f64 / total as f64 * 0.999;
            batches = batches
                .iter()
                .map(|b| (*b as f64 * share).floor() as u32)
                .collect();
            quotes = batches
                .iter()
                .map(|b| {
                    if *b == 0 {
                        0
                    } else {
                        self.world
                            .suite
                            .quote(BUYERS, SIM_MODEL, *b, 1)
                            .price
                            .u128()
                    }
                })
                .collect();
            total = quotes.iter().sum();
            ensure!(
                total <= available,
                "day {day}: scaled demand still above the float"
            );
        }
        self.last_volume = total;
        let buyers = self.addr(BUYERS);
        if total > 0 {
            self.tx(|s| s.transfer_from(&holders, &buyers, total))?;
        }
        let deadline = self.world.suite.block().time.plus_seconds(3_600);
        let mut served = 0u64;
        for i in 0..self.active.len() {
            let batch = batches[i];
            if batch == 0 {
                continue;
            }
            let input = Binary::from(vec![1u8; batch as usize]);
            let output = labels_output(&vec![1u32; batch as usize]);
            let price = quotes[i];
            let job =
                self.tx(|s| s.try_submit(BUYERS, SIM_MODEL, input, batch, 1, price, deadline))?;
            // The market draws who serves the job (stake-weighted); that fleet does the work.
            let assigned = self.world.suite.assigned(job);
            let name = self
                .active
                .iter()
                .find(|f| assigned.contains(&f.addr))
                .map(|f| f.name.clone())
                .ok_or_else(|| anyhow::anyhow!("job {job} assigned to no active fleet"))?;
            // Commit, the buyer's audit secret (every audit is certain in the simulator, so a
            // second drawn fleet re-runs the job and the two share its pay), reveal.
            self.tx(|s| s.run_job(job, &[(name.as_str(), output.clone())]))?;
            rec.jobs += 1;
            served += batch as u64;
        }
        rec.served_gpu_days = (served * ITEM_GPU_DAYS) as f64;
        rec.job_volume = tokens(total);
        Ok(())
    }

    /// The keeper splits pending fees.
    fn distribute(&mut self) -> Result<()> {
        if self.world.suite.treasury_totals().pending.is_zero() {
            return Ok(());
        }
        let keeper = self.addr(KEEPER);
        self.tx(|s| s.distribute_as(&keeper))?;
        Ok(())
    }

    /// Beneficiaries claim what vested and sell part of it to holders.
    fn vesting(&mut self) -> Result<()> {
        let beneficiaries: Vec<String> = self
            .world
            .genesis
            .allocations
            .iter()
            .filter_map(|a| a.beneficiary.clone())
            .collect();
        let treasury = self.world.suite.treasury.clone();
        let holders = self.addr(HOLDERS);
        for b in beneficiaries {
            let addr = self.addr(&b);
            let v: treasury::VestingsResponse = self.world.suite.query(
                &treasury,
                &treasury::QueryMsg::Vestings {
                    beneficiary: addr.to_string(),
                    start_after: None,
                    limit: None,
                },
            );
            let claimable: u128 = v.vestings.iter().map(|v| v.claimable.u128()).sum();
            if claimable == 0 {
                continue;
            }
            self.tx(|s| s.execute(&addr, &treasury, &treasury::ExecuteMsg::ClaimVested {}))?;
            let sell = claimable * self.scenario.common.vesting_sell_bps as u128 / 10_000;
            if sell > 0 {
                self.tx(|s| s.transfer_from(&addr, &holders, sell))?;
            }
        }
        Ok(())
    }

    /// Holders respond to the yield: at a trailing staking yield `y` (annualised reward rounds
    /// per bonded token) they want `y / (y + staking_half_yield)` of their tokens bonded, and move
    /// 1 % of their tokens a day toward that (bonding only what is above 30 days of job payments);
    /// they claim matured unbondings daily and rewards weekly.
    fn holders_staking(&mut self, day: u64) -> Result<()> {
        let now = self.world.suite.block().time;
        if self.holder_claims.iter().any(|t| *t <= now) {
            self.tx(|s| s.claim(HOLDERS))?;
            self.holder_claims.retain(|t| *t > now);
        }
        if day.is_multiple_of(7) && self.world.suite.pending_rewards(HOLDERS) > 0 {
            self.tx(|s| s.claim_rewards(HOLDERS))?;
        }
        if self.reward_window.len() < 7 {
            return Ok(());
        }
        let total_bonded = self.world.suite.staking_totals().bonded.u128();
        let window: f64 = self.reward_window.iter().sum();
        let apr = if total_bonded > 0 {
            window * 365.0 / self.reward_window.len() as f64 / tokens(total_bonded)
        } else {
            1.0
        };
        let half = f64::from(self.scenario.common.staking_half_yield_bps) / 10_000.0;
        let want_share = apr / (apr + half);
        let holders = self.addr(HOLDERS);
        let liquid = self.world.suite.balance(holders);
        let bonded = self.world.suite.stake(HOLDERS).bonded.u128();
        let holdings = liquid + bonded;
        let want = (holdings as f64 * want_share) as u128;
        let step = holdings / 100;
        if want > bonded {
            let reserve = self.last_volume.saturating_mul(30);
            let amount = step.min(want - bonded).min(liquid.saturating_sub(reserve));
            if amount > 0 {
                self.tx(|s| s.bond(HOLDERS, amount))?;
            }
        } else if bonded > want && self.holder_claims.len() < 20 {
            let amount = step.min(bonded - want);
            if amount > 0 {
                self.tx(|s| s.unbond(HOLDERS, amount))?;
                let unbonding = self.world.genesis.staking.unbonding_days * DAY;
                self.holder_claims.push(now.plus_seconds(unbonding));
            }
        }
        Ok(())
    }

    /// Fleets that left claim their matured stake and sell everything to holders.
    fn exits(&mut self) -> Result<()> {
        let now = self.world.suite.block().time;
        let holders = self.addr(HOLDERS);
        let (done, waiting): (Vec<_>, Vec<_>) = std::mem::take(&mut self.exiting)
            .into_iter()
            .partition(|(_, t)| *t <= now);
        self.exiting = waiting;
        let emissions = self.world.emissions.clone();
        for (fleet, _) in done {
            let owed = self
                .world
                .suite
                .emissions_provider(&emissions, &fleet.addr)
                .claimable;
            if !owed.is_zero() {
                self.tx(|s| s.claim_emissions(&emissions, &fleet.addr))?;
            }
            if self.world.suite.stake(&fleet.name).unbonding.u128() > 0 {
                self.tx(|s| s.claim(&fleet.name))?;
            }
            if self.world.suite.pending_rewards(&fleet.name) > 0 {
                self.tx(|s| s.claim_rewards(&fleet.name))?;
            }
            let amount = self.world.suite.balance(fleet.addr.clone());
            if amount > 0 {
                self.tx(|s| s.transfer_from(&fleet.addr, &holders, amount))?;
            }
        }
        Ok(())
    }

    /// Active fleets sell their liquid income to holders daily (to pay their costs) and claim
    /// staking rewards weekly.
    fn providers_sell(&mut self, day: u64) -> Result<()> {
        let holders = self.addr(HOLDERS);
        for i in 0..self.active.len() {
            let (name, addr) = (self.active[i].name.clone(), self.active[i].addr.clone());
            if day.is_multiple_of(7) && self.world.suite.pending_rewards(&name) > 0 {
                self.tx(|s| s.claim_rewards(&name))?;
            }
            let amount = self.world.suite.balance(addr.clone());
            if amount > 0 {
                self.tx(|s| s.transfer_from(&addr, &holders, amount))?;
            }
        }
        Ok(())
    }

    /// The DAO grants part of the spendable reserve (ecosystem grants, sold to holders);
    /// returns the amount granted.
    fn grants(&mut self) -> Result<u128> {
        let spendable = self.world.suite.treasury_balances().spendable.u128();
        let amount =
            spendable * self.scenario.common.treasury_grants_bps_per_month as u128 / 10_000;
        if amount == 0 {
            return Ok(0);
        }
        let (owner, holders) = (self.world.suite.owner.clone(), self.addr(HOLDERS));
        self.tx(|s| s.spend(&owner, &holders, amount, "ecosystem grants"))?;
        Ok(amount)
    }

    /// Fleets join when trailing income covers cost with margin, leave when it does not; at
    /// most 10 % of the fleets (at least one) change per decision, one decision every 3 days.
    fn fleet_decision(&mut self, day: u64, income_per_gpu_day: f64) -> Result<()> {
        if day < 7 || day < self.last_fleet_change + 3 {
            return Ok(());
        }
        let c = &self.scenario.common;
        let ratio =
            income_per_gpu_day * self.scenario.token_usd(day) / c.cost_usd_per_gpu_day * 10_000.0;
        let n = self.active.len() as u32;
        let step = (n / 10).max(1);
        if ratio >= c.join_margin_bps as f64 && n < c.max_providers {
            for _ in 0..step.min(c.max_providers - n) {
                self.join()?;
            }
            self.last_fleet_change = day;
            self.income_window.clear();
        } else if ratio <= c.leave_margin_bps as f64 && n > c.min_providers {
            for _ in 0..step.min(n - c.min_providers) {
                self.leave()?;
            }
            self.last_fleet_change = day;
            self.income_window.clear();
        }
        Ok(())
    }
}

/// The first day (from day 7) whose 7-day average burn exceeds its 7-day average emission.
pub fn find_crossing(days: &[DayRecord], units_per_gpu_day: u64) -> Option<Crossing> {
    (7..=days.len()).find_map(|end| {
        let w = &days[end - 7..end];
        let avg = |f: fn(&DayRecord) -> f64| w.iter().map(f).sum::<f64>() / 7.0;
        let burned = avg(|d| d.burned_day);
        let emitted = avg(|d| d.emitted_day);
        (burned > emitted).then(|| {
            let served = avg(|d| d.served_gpu_days);
            Crossing {
                day: days[end - 1].day,
                served_gpu_days: served,
                units_per_day: served * units_per_gpu_day as f64,
                job_volume: avg(|d| d.job_volume),
                burned_per_day: burned,
                emitted_per_day: emitted,
            }
        })
    })
}

/// Deploy and run `days` days of `scenario`.
pub fn simulate(
    genesis: &Genesis,
    scenario: Scenario,
    days: u64,
    progress: impl FnMut(&DayRecord),
) -> Result<Outcome> {
    ensure!(days > 0, "the simulation needs at least one day");
    ensure!(days <= 20 * 365, "at most 20 years");
    let mut sim = Simulation::new(genesis, scenario)?;
    sim.run(days, progress)?;
    Ok(sim.outcome())
}

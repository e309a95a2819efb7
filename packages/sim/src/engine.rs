//! The daily loop. Every day, on the embedded chain with the real contracts:
//!
//! 1. providers claim yesterday's emissions (`Claim` on the emissions contract);
//! 2. buyers pay for the day's demand in USD (the stable denom, minted to them: money from
//!    outside) at the market's USD unit price: as many jobs as providers (a batch of items, each
//!    `ITEM_GPU_DAYS` GPU-days) through escrow → assignment (the market draws the serving
//!    provider, stake-weighted) → commit → audit → reveal → settlement (providers paid in USD,
//!    the fee to the buyback vault, `RecordWork` to emissions at the job's ACN price); then the
//!    wash trader (`crate::wash`) buys its best-sized job from its own providers;
//! 3. vesting beneficiaries claim what vested, the DAO grants part of its reserve monthly,
//!    providers claim staking rewards weekly, fleets that left claim their stake: each puts what
//!    it means to sell on the sellers' book (`crate::traders`);
//! 4. the day's trades on the pool: outside buyers spend the day's USD, sellers sell their
//!    slices (`crate::traders`); then the keeper calls the vault's `Buyback {}` as often as its
//!    bounds allow (`crate::pool`): the fees buy ACN on the pool, 70 % of it burned;
//! 5. holders bond or unbond as the trailing staking yield moves, and claim matured unbondings;
//! 6. fleets join (buying their stake on the pool) or leave as their trailing income per
//!    GPU-day — USD pay plus emissions at the pool's price — covers their cost;
//! 7. the token's price of the day is the pool's spot price; conservation is checked:
//!    `supply + burned == genesis` (nothing is ever minted: emissions are paid from a pool moved
//!    out of the treasury's allocation; burned = what the vault and the treasury burned), the
//!    ACN balances of every address that ever held tokens (the pool and the vault among them)
//!    sum to the supply, and the USD balances of every address sum to the USD that exists (the
//!    pool's seed plus everything minted). A violation stops the run with an error.

use std::time::{Duration, Instant};

use acn_interface::{emissions, market, token, treasury};
use acn_testing::{audit_commitment_for, job_id_from, labels_output};
use anyhow::{bail, ensure, Context, Result};
use cosmwasm_std::{coins, Addr, Binary, Timestamp, Uint128};
use cw_multi_test::Executor;

use crate::config::{Genesis, Scenario, DAY, TOKEN};
use crate::deploy::{deploy, World, ITEM_GPU_DAYS, SIM_MODEL};
use crate::pool::Pool;
use crate::traders::SellBook;
use crate::wash::WashTrader;

/// Figures of one simulated day (ACN amounts in whole tokens, USD in dollars).
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
    /// Unit price, USD per compute unit (at the day's submissions).
    pub unit_price: f64,
    /// Jobs settled.
    pub jobs: u32,
    /// Paid by buyers for the day's jobs, USD.
    pub job_volume: f64,
    /// Burned during the day (by the vault's buybacks and the treasury's distributions).
    pub burned_day: f64,
    /// Paid out of the emissions pool during the day.
    pub emitted_day: f64,
    /// Burned since genesis.
    pub burned_total: f64,
    /// Paid out of the emissions pool since genesis.
    pub emitted_total: f64,
    /// Total supply.
    pub supply: f64,
    /// Liquid supply outside the protocol's contracts (treasury, staking, market, emissions,
    /// vault) and the pool.
    pub circulating: f64,
    /// Bonded stake.
    pub bonded: f64,
    /// Treasury balance (reserve, pending fees and locked vesting).
    pub treasury_balance: f64,
    /// Vesting still locked in the treasury.
    pub vesting_locked: f64,
    /// Vesting unlocked during the day (the unlock schedule).
    pub unlocked_day: f64,
    /// The treasury's income of the day: its share of the ACN the vault bought (and of any
    /// fee distributed by the treasury itself).
    pub treasury_income_day: f64,
    /// Granted out of the treasury's reserve during the day.
    pub grants_day: f64,
    /// Providers' income (USD job payments + emissions at the pool's price) per GPU-day, USD,
    /// trailing 7 days.
    pub income_per_gpu_day: f64,
    /// Part of the day's income from emissions, USD per GPU-day.
    pub emission_income_per_gpu_day: f64,
    /// The token's price: the pool's spot price at the end of the day, USD per ACN.
    pub token_usd: f64,
    /// ACN in the pool at the end of the day.
    pub pool_acn: f64,
    /// USD in the pool at the end of the day.
    pub pool_usd: f64,
    /// USD the vault spent on ACN during the day.
    pub buyback_usd: f64,
    /// ACN it bought.
    pub buyback_acn: f64,
    /// Buys it made.
    pub buybacks: u32,
    /// USD left in the vault at the end of the day (above its daily cap, it waits).
    pub vault_usd: f64,
    /// ACN sold on the pool by vesting beneficiaries, providers, grant recipients and fleets
    /// that left.
    pub sold_acn: f64,
    /// USD outside buyers spent on ACN.
    pub outside_buy_usd: f64,
    /// ACN sellers still meant to sell at the end of the day.
    pub sell_backlog_acn: f64,
    /// Staking yield: trailing 30 days of reward rounds, annualised, % of bonded.
    pub staking_apr_pct: f64,
    /// Protocol fee the wash trader paid on its day's trade, USD.
    pub wash_fee: f64,
    /// The wash trader's expected profit of its day's trade (the best of its grid), USD.
    pub wash_expected: f64,
    /// The wash trader's realised profit of the day, USD.
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
    /// 7-day average of buyers' payments per day, USD.
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
    /// The pool's price at genesis (day 0), USD per ACN.
    pub initial_token_usd: f64,
    /// USD minted into the run (buyers, outside demand, fleets' and the wash trader's stakes).
    pub usd_minted: f64,
}

/// One provider fleet.
struct Fleet {
    name: String,
    addr: Addr,
}

/// The simulation state around the deployed world.
pub struct Simulation {
    world: World,
    pool: Pool,
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
    wash: WashTrader,
    book: SellBook,
    genesis_time: Timestamp,
    initial_token_usd: f64,
    usd_seed: u128,
}

const HOLDERS: &str = "holders";
const BUYERS: &str = "buyers";
const KEEPER: &str = "keeper";
const GRANTEES: &str = "grantees";

fn tokens(base: u128) -> f64 {
    base as f64 / TOKEN as f64
}

impl Simulation {
    /// Deploy `genesis` and set up the scenario's launch: the recipients of the liquid
    /// allocations put their sell share on the book and pass the rest to holders,
    /// holders bond their initial share, the launch fleets and the wash trader buy their stake
    /// on the pool and register.
    pub fn new(genesis: &Genesis, scenario: Scenario) -> Result<Self> {
        let units_per_provider = (scenario.adoption.gpus_per_provider as u128
            * genesis.market.units_per_gpu_day as u128
            * scenario.common.target_utilization_bps as u128
            / 10_000) as u64;
        let world = deploy(genesis, units_per_provider)?;
        let amm = genesis
            .amm
            .as_ref()
            .filter(|a| a.seed_stable > 0 && a.seed_acn > 0)
            .context("the simulator needs a seeded ACN / USD pool: genesis [amm] with seed_acn and seed_stable")?;
        let usd_seed = amm.seed_stable as u128 * TOKEN;
        let pool = Pool::of(&world.suite, &amm.stable_denom, usd_seed)?;
        let mut sim = Simulation {
            world,
            pool,
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
            wash: WashTrader::placeholder(),
            book: SellBook::default(),
            genesis_time: Timestamp::from_seconds(0),
            initial_token_usd: 0.0,
            usd_seed,
        };
        let s = &sim.world.suite;
        let mut known = vec![
            s.owner.clone(),
            s.token.clone(),
            s.staking.clone(),
            s.treasury.clone(),
            s.market(),
            sim.world.emissions.clone(),
            sim.pool.pair.clone(),
            sim.pool.vault.clone(),
            sim.pool.oracle.clone(),
            s.addr(HOLDERS),
            s.addr(BUYERS),
            s.addr(KEEPER),
            s.addr(GRANTEES),
        ];
        for a in &sim.world.genesis.allocations {
            for name in [&a.beneficiary, &a.recipient].into_iter().flatten() {
                known.push(s.addr(name));
            }
        }
        sim.known = known;
        sim.initial_token_usd = sim.pool.spot(&sim.world.suite);

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
            let sell = amount * sim.scenario.common.liquid_sell_bps as u128 / 10_000;
            sim.book.add(&from, sell);
            if amount > sell && from != holders {
                sim.tx(|s| s.transfer_from(&from, &holders, amount - sell))?;
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
        sim.wash = WashTrader::launch(&mut sim.world, &mut sim.pool)?;
        sim.txs += 6;
        sim.known.extend(sim.wash.addresses().iter().cloned());
        sim.genesis_time = sim.world.suite.block().time;
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

    /// A fleet joins: buys the minimum stake on the pool (with USD it brings), bonds it,
    /// registers.
    fn join(&mut self) -> Result<()> {
        let name = format!("provider-{:03}", self.next_fleet);
        self.next_fleet += 1;
        let addr = self.addr(&name);
        let stake = self.world.genesis.market.min_provider_stake as u128 * TOKEN;
        self.txs += 1;
        self.pool
            .buy_exact(&mut self.world.suite, &addr, stake)
            .with_context(|| format!("{name} buys its stake on the pool"))?;
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
        self.tx(|s| s.execute(&addr, &market, &market::ExecuteMsg::Deregister {}))?;
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

    /// The pool, oracle and vault.
    pub fn pool(&self) -> &Pool {
        &self.pool
    }

    /// ACN burned so far, by the vault and by the treasury, from their books.
    fn burned(&self) -> u128 {
        let vault = self.pool.vault_state(&self.world.suite).totals;
        vault.burned.u128() + self.world.suite.treasury_totals().burned.u128()
    }

    /// ACN the community treasury received from fees so far (the vault's treasury share and
    /// the treasury's own kept share).
    fn treasury_income(&self) -> u128 {
        let vault = self.pool.vault_state(&self.world.suite).totals;
        vault.to_treasury.u128() + self.world.suite.treasury_totals().kept.u128()
    }

    /// Run `days` more days, calling `progress` after each. Stops with an error on the first
    /// day conservation does not hold.
    pub fn run(&mut self, days: u64, mut progress: impl FnMut(&DayRecord)) -> Result<()> {
        let start = Instant::now();
        let genesis_supply = self.world.genesis.genesis_supply();
        let mut prev_burned = self.burned();
        let mut prev_emitted = {
            let t: emissions::TotalsResponse = self
                .world
                .suite
                .query(&self.world.emissions, &emissions::QueryMsg::Totals {});
            t.paid().u128()
        };
        let mut prev_rewards = self.world.suite.staking_totals().rewards_funded.u128();
        let mut prev_income = self.treasury_income();
        let mut prev_locked = self.world.suite.treasury_balances().vesting_locked.u128();
        let keeper = self.addr(KEEPER);
        for _ in 0..days {
            self.day += 1;
            let day = self.day;
            let day_start = self.genesis_time.plus_seconds(day * DAY);
            let now = self.world.suite.block().time;
            ensure!(
                now < day_start,
                "day {} ran past the start of day {day}",
                day - 1
            );
            self.world
                .suite
                .advance_time(day_start.seconds() - now.seconds());
            let mut rec = DayRecord {
                day,
                ..DayRecord::default()
            };
            let usd_before: Vec<u128> = self
                .active
                .iter()
                .map(|f| self.pool.usd_balance(&self.world.suite, &f.addr))
                .collect();
            let emission_income = self.claim_emissions()?;
            self.txs += self
                .wash
                .collect(&mut self.world.suite, &self.world.emissions)?;
            self.run_jobs(day, &mut rec)?;
            self.wash_trade(&mut rec)?;
            let usd_income: u128 = self
                .active
                .iter()
                .zip(&usd_before)
                .map(|(f, b)| {
                    self.pool
                        .usd_balance(&self.world.suite, &f.addr)
                        .saturating_sub(*b)
                })
                .sum();

            // Sellers' orders, the day's trades, the buybacks.
            self.txs += 1;
            self.pool.observe(&mut self.world.suite, &keeper)?;
            self.vesting()?;
            self.exits()?;
            self.providers_rewards(day)?;
            if day.is_multiple_of(30) {
                rec.grants_day = tokens(self.grants()?);
            }
            let usd = self.scenario.outside_buy_usd(day) * TOKEN as f64;
            let holders = self.addr(HOLDERS);
            self.pool
                .mint_usd(&mut self.world.suite, &holders, usd as u128)?;
            let trades = self.book.trade(
                &mut self.world.suite,
                &self.pool,
                &holders,
                self.scenario.common.sell_over_days,
            )?;
            self.txs += trades.swaps;
            rec.sold_acn = tokens(trades.acn_sold);
            rec.outside_buy_usd = tokens(trades.usd_spent);
            rec.sell_backlog_acn = tokens(self.book.pending());
            let window: acn_interface::oracle::ConfigResponse = self.world.suite.query(
                &self.pool.oracle,
                &acn_interface::oracle::QueryMsg::Config {},
            );
            self.world.suite.advance_time(window.params.window);
            let buys = self.pool.buybacks(&mut self.world.suite, &keeper)?;
            self.txs += u64::from(buys.buys + buys.waits);
            rec.buybacks = buys.buys;
            rec.buyback_usd = tokens(buys.usd_spent);
            rec.buyback_acn = tokens(buys.acn_bought);
            let price = self.pool.spot(&self.world.suite);

            // Providers' income at the pool's price.
            let gpu_days =
                self.active.len() as f64 * self.scenario.adoption.gpus_per_provider as f64;
            let income = tokens(usd_income) + tokens(emission_income) * price;
            self.income_window.push((income, gpu_days));
            if self.income_window.len() > 7 {
                self.income_window.remove(0);
            }
            let (inc, gd): (f64, f64) = self
                .income_window
                .iter()
                .fold((0.0, 0.0), |(a, b), (x, y)| (a + x, b + y));
            rec.income_per_gpu_day = if gd > 0.0 { inc / gd } else { 0.0 };
            rec.emission_income_per_gpu_day = if gpu_days > 0.0 {
                tokens(emission_income) * price / gpu_days
            } else {
                0.0
            };
            rec.wash_profit =
                self.wash
                    .close_day(&self.world.suite, &self.world.emissions, &self.pool, price);
            self.holders_staking(day)?;
            self.fleet_decision(day, rec.income_per_gpu_day)?;

            // Figures and conservation.
            let burned = self.burned();
            let treasury_income = self.treasury_income();
            let s = &self.world.suite;
            let supply = s.total_supply();
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
            let usd_held: u128 = self.known.iter().map(|a| self.pool.usd_balance(s, a)).sum();
            if usd_held != self.pool.usd_supply {
                bail!(
                    "USD conservation broken on day {day}: balances sum to {usd_held}, {} exist",
                    self.pool.usd_supply
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
                + s.balance(self.world.emissions.clone())
                + s.balance(self.pool.vault.clone())
                + s.balance(self.pool.pair.clone());
            let (pool_acn, pool_usd) = self.pool.reserves(s);
            rec.token_usd = self.pool.spot(s);
            rec.pool_acn = tokens(pool_acn);
            rec.pool_usd = tokens(pool_usd);
            rec.vault_usd = tokens(self.pool.usd_balance(s, &self.pool.vault));
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
            rec.treasury_income_day = tokens(treasury_income - prev_income);
            prev_income = treasury_income;
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
            initial_token_usd: self.initial_token_usd,
            usd_minted: tokens(self.pool.usd_supply - self.usd_seed),
        }
    }

    /// The wash trader makes its best trade of the day, spending at most the day's honest job
    /// volume (at least one grid batch's worth is always allowed by the grid's smallest size).
    fn wash_trade(&mut self, rec: &mut DayRecord) -> Result<()> {
        let max_spend = ((rec.job_volume * TOKEN as f64) as u128).max(TOKEN * 1_000);
        if let Some(trade) = self
            .wash
            .trade(&mut self.world, &mut self.pool, max_spend)?
        {
            self.txs += 9;
            rec.wash_fee = tokens(trade.fee);
            rec.wash_expected = trade.expected;
        }
        Ok(())
    }

    /// Providers claim what they earned in closed epochs and put their sell share on the book;
    /// returns the total claimed.
    fn claim_emissions(&mut self) -> Result<u128> {
        let emissions = self.world.emissions.clone();
        let sell_bps = self.scenario.common.provider_sell_bps as u128;
        let mut claimed = 0;
        for i in 0..self.active.len() {
            let addr = self.active[i].addr.clone();
            let p = self.world.suite.emissions_provider(&emissions, &addr);
            if !p.claimable.is_zero() {
                self.tx(|s| s.claim_emissions(&emissions, &addr))?;
                claimed += p.claimable.u128();
                self.book.add(&addr, p.claimable.u128() * sell_bps / 10_000);
            }
        }
        Ok(claimed)
    }

    /// The day's demand as one job per active fleet, paid in USD by buyers.
    fn run_jobs(&mut self, day: u64, rec: &mut DayRecord) -> Result<()> {
        // Buyers respond to the price in USD: the market's unit price (USD) × a GPU-day's units.
        let unit_price = self.world.suite.unit_price();
        let usd_per_gpu_day =
            tokens(unit_price) * self.world.genesis.market.units_per_gpu_day as f64;
        let demand = self.scenario.demand(day) * self.scenario.price_response(usd_per_gpu_day);
        rec.demand_gpu_days = demand;
        rec.unit_price = tokens(unit_price);
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
        let total: u128 = quotes.iter().sum();
        let buyers = self.addr(BUYERS);
        self.pool.mint_usd(&mut self.world.suite, &buyers, total)?;
        let deadline = self.world.suite.block().time.plus_seconds(3_600);
        let (market, denom) = (self.world.suite.market(), self.pool.denom.clone());
        let mut served = 0u64;
        for i in 0..self.active.len() {
            let batch = batches[i];
            if batch == 0 {
                continue;
            }
            let msg = market::ExecuteMsg::SubmitJob {
                model_id: SIM_MODEL.into(),
                input: Binary::from(vec![1u8; batch as usize]),
                batch,
                redundancy: 1,
                max_unit_price: Uint128::MAX,
                deadline,
                audit_commitment: audit_commitment_for(&buyers, 1),
                callback: None,
            };
            let funds = coins(quotes[i], &denom);
            let res = self.tx(|s| {
                s.app
                    .execute_contract(buyers.clone(), market.clone(), &msg, &funds)
            })?;
            let job = job_id_from(&res)?;
            // The market draws who serves the job (stake-weighted); that fleet does the work.
            let assigned = self.world.suite.assigned(job);
            let name = self
                .active
                .iter()
                .find(|f| assigned.contains(&f.addr))
                .map(|f| f.name.clone())
                .ok_or_else(|| {
                    anyhow::anyhow!("day {day}: job {job} assigned to no active fleet")
                })?;
            // Commit, the buyer's audit secret (every audit is certain in the simulator, so a
            // second drawn fleet re-runs the job and the two share its pay), reveal.
            let output = labels_output(&vec![1u32; batch as usize]);
            self.tx(|s| s.run_job(job, &[(name.as_str(), output)]))?;
            rec.jobs += 1;
            served += batch as u64;
        }
        rec.served_gpu_days = (served * ITEM_GPU_DAYS) as f64;
        rec.job_volume = tokens(total);
        Ok(())
    }

    /// Beneficiaries claim what vested and put their sell share on the book.
    fn vesting(&mut self) -> Result<()> {
        let beneficiaries: Vec<String> = self
            .world
            .genesis
            .allocations
            .iter()
            .filter_map(|a| a.beneficiary.clone())
            .collect();
        let treasury = self.world.suite.treasury.clone();
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
            self.book.add(&addr, sell);
        }
        Ok(())
    }

    /// Holders respond to the yield: at a trailing staking yield `y` (annualised reward rounds
    /// per bonded token) they want `y / (y + staking_half_yield)` of their tokens bonded, and move
    /// 1 % of their tokens a day toward that; they claim matured unbondings daily and rewards
    /// weekly.
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
            let amount = step.min(want - bonded).min(liquid);
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

    /// Fleets that left claim their matured stake, emissions and rewards, and put all of it on
    /// the book.
    fn exits(&mut self) -> Result<()> {
        let now = self.world.suite.block().time;
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
            self.book.add(&fleet.addr, amount);
        }
        Ok(())
    }

    /// Active fleets claim staking rewards weekly and put their sell share on the book.
    fn providers_rewards(&mut self, day: u64) -> Result<()> {
        if !day.is_multiple_of(7) {
            return Ok(());
        }
        let sell_bps = self.scenario.common.provider_sell_bps as u128;
        for i in 0..self.active.len() {
            let (name, addr) = (self.active[i].name.clone(), self.active[i].addr.clone());
            let pending = self.world.suite.pending_rewards(&name);
            if pending > 0 {
                let before = self.world.suite.balance(addr.clone());
                self.tx(|s| s.claim_rewards(&name))?;
                let got = self.world.suite.balance(addr.clone()) - before;
                self.book.add(&addr, got * sell_bps / 10_000);
            }
        }
        Ok(())
    }

    /// The DAO grants part of the spendable reserve (ecosystem grants: the recipients pay USD
    /// costs with them, so all of it goes on the book); returns the amount granted.
    fn grants(&mut self) -> Result<u128> {
        let spendable = self.world.suite.treasury_balances().spendable.u128();
        let amount =
            spendable * self.scenario.common.treasury_grants_bps_per_month as u128 / 10_000;
        if amount == 0 {
            return Ok(0);
        }
        let (owner, grantees) = (self.world.suite.owner.clone(), self.addr(GRANTEES));
        self.tx(|s| s.spend(&owner, &grantees, amount, "ecosystem grants"))?;
        self.book.add(&grantees, amount);
        Ok(amount)
    }

    /// Fleets join when trailing income (USD per GPU-day) covers cost with margin, leave when it
    /// does not; at most 10 % of the fleets (at least one) change per decision, one decision
    /// every 3 days.
    fn fleet_decision(&mut self, day: u64, income_usd_per_gpu_day: f64) -> Result<()> {
        if day < 7 || day < self.last_fleet_change + 3 {
            return Ok(());
        }
        let c = &self.scenario.common;
        let ratio = income_usd_per_gpu_day / c.cost_usd_per_gpu_day * 10_000.0;
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

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

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use acn_client::{ChainExt, Deployment};
use acn_interface::{emissions, market, staking, token, treasury};
use anyhow::{bail, ensure, Context, Result};
use cosmwasm_std::{Binary, Timestamp, Uint128};

use crate::chain::{EmbeddedSim, SimChain};
use crate::config::{Genesis, Scenario, DAY, TOKEN};
use crate::deploy::{deploy_embedded, job_deadline_seconds, ITEM_GPU_DAYS, OWNER, SIM_MODEL};
use crate::pool::{Actor, Pool};
use crate::traders::SellBook;
use crate::wash::WashTrader;
use crate::work::{audit_commitment_for, labels_output, register, run_job, submit};

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
    /// The chain it ran on (`embedded`, or the node's chain id).
    pub chain: String,
    /// Seconds of chain time a simulated day lasted (86 400 on the embedded chain).
    pub day_seconds: u64,
    /// Transactions executed (contract executions, and on a node the bank sends that bring
    /// USD in and pay the actors' gas).
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

/// The simulation state around the deployed contracts, on the chain `C`.
pub struct Simulation<C: SimChain = EmbeddedSim> {
    chain: C,
    genesis: Genesis,
    contracts: Deployment,
    emissions: String,
    pool: Pool,
    scenario: Scenario,
    owner: Actor,
    holders: Actor,
    buyers: Actor,
    keeper: Actor,
    grantees: Actor,
    active: Vec<Actor>,
    exiting: Vec<(Actor, u64)>,
    next_fleet: u32,
    holder_claims: Vec<u64>,
    /// Every address that ever held tokens or USD (the conservation checks sum them).
    known: Vec<String>,
    /// Every actor, by address (who signs for an address the market drew).
    actors: BTreeMap<String, Actor>,
    txs_at_start: u64,
    last_fleet_change: u64,
    income_window: Vec<(f64, f64)>,
    reward_window: Vec<f64>,
    checks: u64,
    day: u64,
    records: Vec<DayRecord>,
    wall: Duration,
    wash: WashTrader,
    book: SellBook,
    genesis_time: u64,
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

/// The market capacity one fleet adds per price window under `scenario`, compute units.
pub fn units_per_provider(genesis: &Genesis, scenario: &Scenario) -> u64 {
    (scenario.adoption.gpus_per_provider as u128
        * genesis.market.units_per_gpu_day as u128
        * scenario.common.target_utilization_bps as u128
        / 10_000) as u64
}

impl Simulation<EmbeddedSim> {
    /// Deploy `genesis` on a fresh embedded chain and set up the scenario's launch (see
    /// [`Simulation::on`]).
    pub fn new(genesis: &Genesis, scenario: Scenario) -> Result<Self> {
        let chain = deploy_embedded(genesis, units_per_provider(genesis, &scenario))?;
        Self::on(chain, genesis, scenario)
    }
}

impl<C: SimChain> Simulation<C> {
    /// Set up the scenario's launch on `chain`, where the simulator's plan for `genesis` is
    /// deployed (`crate::deploy`): the recipients of the liquid allocations put their sell
    /// share on the book and pass the rest to holders, holders bond their initial share, the
    /// launch fleets and the wash trader buy their stake on the pool and register.
    pub fn on(chain: C, genesis: &Genesis, scenario: Scenario) -> Result<Self> {
        let amm = genesis
            .amm
            .as_ref()
            .filter(|a| a.seed_stable > 0 && a.seed_acn > 0)
            .context("the simulator needs a seeded ACN / USD pool: genesis [amm] with seed_acn and seed_stable")?;
        let usd_seed = amm.seed_stable as u128 * TOKEN;
        let pool = Pool::of(&chain, &amm.stable_denom, usd_seed)?;
        let contracts = chain.deployment().clone();
        let emissions = contracts
            .emissions
            .clone()
            .context("the genesis deployment has emissions")?;
        let owner = Actor::open(&chain, OWNER)?;
        let holders = Actor::open(&chain, HOLDERS)?;
        let buyers = Actor::open(&chain, BUYERS)?;
        let keeper = Actor::open(&chain, KEEPER)?;
        let grantees = Actor::open(&chain, GRANTEES)?;
        let mut known = vec![
            owner.addr.clone(),
            contracts.token.clone(),
            contracts.staking.clone(),
            contracts.treasury.clone(),
            contracts.market.clone(),
            emissions.clone(),
            pool.pair.clone(),
            pool.vault.clone(),
            pool.oracle.clone(),
            holders.addr.clone(),
            buyers.addr.clone(),
            keeper.addr.clone(),
            grantees.addr.clone(),
        ];
        let mut actors = BTreeMap::new();
        for a in [&owner, &holders, &buyers, &keeper, &grantees] {
            actors.insert(a.addr.clone(), a.clone());
        }
        let mut liquid = vec![];
        for a in &genesis.allocations {
            for name in [&a.beneficiary, &a.recipient].into_iter().flatten() {
                let actor = Actor::open(&chain, name)?;
                known.push(actor.addr.clone());
                actors.insert(actor.addr.clone(), actor.clone());
                if a.recipient.as_ref() == Some(name) {
                    liquid.push(actor);
                }
            }
        }
        let txs_at_start = chain.transactions();
        let mut sim = Simulation {
            chain,
            genesis: genesis.clone(),
            contracts,
            emissions,
            pool,
            scenario,
            owner,
            holders,
            buyers,
            keeper,
            grantees,
            active: vec![],
            exiting: vec![],
            next_fleet: 1,
            holder_claims: vec![],
            known,
            actors,
            txs_at_start,
            last_fleet_change: 0,
            income_window: vec![],
            reward_window: vec![],
            checks: 0,
            day: 0,
            records: vec![],
            wall: Duration::ZERO,
            wash: WashTrader::placeholder(),
            book: SellBook::default(),
            genesis_time: 0,
            initial_token_usd: 0.0,
            usd_seed,
        };
        sim.initial_token_usd = sim.pool.spot(&sim.chain)?;

        let holders = sim.holders.clone();
        for from in liquid {
            let amount = sim.chain.balance(&from.addr)?;
            let sell = amount * sim.scenario.common.liquid_sell_bps as u128 / 10_000;
            sim.book.add(&from, sell);
            if amount > sell && from.addr != holders.addr {
                sim.chain.execute(
                    &from.name,
                    &sim.contracts.token,
                    &token::ExecuteMsg::Transfer {
                        recipient: holders.addr.clone(),
                        amount: Uint128::new(amount - sell),
                    },
                )?;
            }
        }
        let initial_bond = sim.chain.balance(&holders.addr)?
            * sim.scenario.common.holder_initial_bond_bps as u128
            / 10_000;
        if initial_bond > 0 {
            sim.bond(&holders, initial_bond)?;
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
        sim.wash = WashTrader::launch(&sim.chain, &sim.genesis, &mut sim.pool)?;
        for a in sim.wash.actors().to_vec() {
            sim.known.push(a.addr.clone());
            sim.actors.insert(a.addr.clone(), a);
        }
        sim.genesis_time = sim.chain.block()?.time;
        Ok(sim)
    }

    fn bond(&self, who: &Actor, amount: u128) -> Result<()> {
        self.chain
            .send_tokens(
                &who.name,
                &self.contracts.staking,
                amount,
                &staking::ReceiveMsg::Bond { tier: None },
            )
            .with_context(|| format!("{} bonds {amount}", who.name))?;
        Ok(())
    }

    fn staking_exec(&self, who: &Actor, msg: &staking::ExecuteMsg) -> Result<()> {
        self.chain
            .execute(&who.name, &self.contracts.staking, msg)
            .with_context(|| format!("{}: {msg:?}", who.name))?;
        Ok(())
    }

    fn pending_rewards(&self, addr: &str) -> Result<u128> {
        let r: staking::PendingRewardsResponse = self.chain.query(
            &self.contracts.staking,
            &staking::QueryMsg::PendingRewards {
                address: addr.to_string(),
            },
        )?;
        Ok(r.pending.u128())
    }

    fn staking_totals(&self) -> Result<staking::TotalsResponse> {
        Ok(self
            .chain
            .query(&self.contracts.staking, &staking::QueryMsg::Totals {})?)
    }

    fn treasury_balances(&self) -> Result<treasury::BalancesResponse> {
        Ok(self
            .chain
            .query(&self.contracts.treasury, &treasury::QueryMsg::Balances {})?)
    }

    fn emissions_claimable(&self, addr: &str) -> Result<u128> {
        let p: emissions::ProviderResponse = self.chain.query(
            &self.emissions,
            &emissions::QueryMsg::Provider {
                address: addr.to_string(),
            },
        )?;
        Ok(p.claimable.u128())
    }

    fn claim_emissions_of(&self, who: &Actor) -> Result<()> {
        self.chain
            .execute(&who.name, &self.emissions, &emissions::ExecuteMsg::Claim {})
            .with_context(|| format!("{} claims emissions", who.name))?;
        Ok(())
    }

    fn emitted(&self) -> Result<u128> {
        let t: emissions::TotalsResponse = self
            .chain
            .query(&self.emissions, &emissions::QueryMsg::Totals {})?;
        Ok(t.paid().u128())
    }

    /// A fleet joins: buys the minimum stake on the pool (with USD it brings), bonds it,
    /// registers.
    fn join(&mut self) -> Result<()> {
        let name = format!("provider-{:03}", self.next_fleet);
        self.next_fleet += 1;
        let fleet = Actor::open(&self.chain, &name)?;
        let stake = self.genesis.market.min_provider_stake as u128 * TOKEN;
        self.pool
            .buy_exact(&self.chain, &fleet, stake)
            .with_context(|| format!("{name} buys its stake on the pool"))?;
        self.bond(&fleet, stake)?;
        register(&self.chain, &fleet, &[SIM_MODEL])?;
        self.known.push(fleet.addr.clone());
        self.actors.insert(fleet.addr.clone(), fleet.clone());
        self.active.push(fleet);
        Ok(())
    }

    /// The newest fleet leaves: deregisters and unbonds everything (claimed and sold later).
    fn leave(&mut self) -> Result<()> {
        let Some(fleet) = self.active.pop() else {
            return Ok(());
        };
        self.chain
            .market_exec(&fleet.name, &market::ExecuteMsg::Deregister {})?;
        let bonded = self.chain.stake(&fleet.addr)?.bonded.u128();
        if bonded > 0 {
            self.staking_exec(
                &fleet,
                &staking::ExecuteMsg::Unbond {
                    amount: Uint128::new(bonded),
                },
            )?;
        }
        let mature = self.chain.block()?.time + self.unbonding_seconds()?;
        self.exiting.push((fleet, mature));
        Ok(())
    }

    /// The staking contract's unbonding period, seconds.
    fn unbonding_seconds(&self) -> Result<u64> {
        let cfg: staking::ConfigResponse = self
            .chain
            .query(&self.contracts.staking, &staking::QueryMsg::Config {})?;
        match cfg.unbonding_period {
            cw_utils::Duration::Time(t) => Ok(t),
            cw_utils::Duration::Height(h) => bail!("an unbonding period of {h} blocks"),
        }
    }

    /// The chain the simulation runs on (to inspect it, or — in tests — to tamper with it).
    pub fn chain(&self) -> &C {
        &self.chain
    }

    /// The account of a named actor of the simulation (`holders`, `keeper`, `provider-001`, …).
    pub fn actor(&self, name: &str) -> Option<&Actor> {
        self.actors.values().find(|a| a.name == name)
    }

    /// The pool, oracle and vault.
    pub fn pool(&self) -> &Pool {
        &self.pool
    }

    /// ACN burned so far, by the vault and by the treasury, from their books.
    fn burned(&self) -> Result<u128> {
        let vault = self.pool.vault_state(&self.chain)?.totals;
        Ok(vault.burned.u128() + self.chain.treasury_totals()?.burned.u128())
    }

    /// ACN the community treasury received from fees so far (the vault's treasury share and
    /// the treasury's own kept share).
    fn treasury_income(&self) -> Result<u128> {
        let vault = self.pool.vault_state(&self.chain)?.totals;
        Ok(vault.to_treasury.u128() + self.chain.treasury_totals()?.kept.u128())
    }

    /// Run `days` more days, calling `progress` after each. Stops with an error on the first
    /// day conservation does not hold.
    pub fn run(&mut self, days: u64, mut progress: impl FnMut(&DayRecord)) -> Result<()> {
        let start = Instant::now();
        let genesis_supply = self.genesis.genesis_supply();
        let day_seconds = self.chain.day_seconds();
        let mut prev_burned = self.burned()?;
        let mut prev_emitted = self.emitted()?;
        let mut prev_rewards = self.staking_totals()?.rewards_funded.u128();
        let mut prev_income = self.treasury_income()?;
        let mut prev_locked = self.treasury_balances()?.vesting_locked.u128();
        let keeper = self.keeper.clone();
        for _ in 0..days {
            self.day += 1;
            let day = self.day;
            let day_start = self.genesis_time + day * day_seconds;
            let now = self.chain.block()?.time;
            if now < day_start {
                self.chain.wait_seconds(day_start - now)?;
            } else {
                // On a node whose day is scaled down, a day's transactions may take longer
                // than the day: the next one starts late. On the embedded chain (time only
                // moves when told) it never does.
                ensure!(
                    day_seconds != DAY,
                    "day {} ran past the start of day {day}",
                    day - 1
                );
            }
            let mut rec = DayRecord {
                day,
                ..DayRecord::default()
            };
            let mut usd_before = vec![];
            for f in &self.active {
                usd_before.push(self.pool.usd_balance(&self.chain, &f.addr)?);
            }
            let emission_income = self.claim_emissions()?;
            self.wash.collect(&self.chain)?;
            self.run_jobs(day, &mut rec)?;
            self.wash_trade(&mut rec)?;
            let mut usd_income = 0u128;
            for (f, b) in self.active.iter().zip(&usd_before) {
                usd_income += self
                    .pool
                    .usd_balance(&self.chain, &f.addr)?
                    .saturating_sub(*b);
            }

            // Sellers' orders, the day's trades, the buybacks.
            self.pool.observe(&self.chain, &keeper)?;
            self.vesting()?;
            self.exits()?;
            self.providers_rewards(day)?;
            if day.is_multiple_of(30) {
                rec.grants_day = tokens(self.grants()?);
            }
            let usd = self.scenario.outside_buy_usd(day) * TOKEN as f64;
            let holders = self.holders.clone();
            self.pool
                .mint_usd(&self.chain, &holders.addr, usd as u128)?;
            let trades = self.book.trade(
                &self.chain,
                &self.pool,
                &holders,
                self.scenario.common.sell_over_days,
            )?;
            rec.sold_acn = tokens(trades.acn_sold);
            rec.outside_buy_usd = tokens(trades.usd_spent);
            rec.sell_backlog_acn = tokens(self.book.pending());
            let window = self.pool.twap_window(&self.chain)?;
            self.chain.wait_seconds(window)?;
            let buys = self.pool.buybacks(&self.chain, &keeper)?;
            rec.buybacks = buys.buys;
            rec.buyback_usd = tokens(buys.usd_spent);
            rec.buyback_acn = tokens(buys.acn_bought);
            let price = self.pool.spot(&self.chain)?;

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
            rec.wash_profit = self.wash.close_day(&self.chain, &self.pool, price)?;
            self.holders_staking(day)?;
            self.fleet_decision(day, rec.income_per_gpu_day)?;

            // Figures and conservation.
            let burned = self.burned()?;
            let treasury_income = self.treasury_income()?;
            let c = &self.chain;
            let supply = c.total_supply()?;
            // Paid out of the emissions pool (moved there at genesis: nothing is minted).
            let emitted = self.emitted()?;
            if supply + burned != genesis_supply {
                bail!(
                    "conservation broken on day {day}: supply {supply} + burned {burned} ≠ genesis {genesis_supply}"
                );
            }
            let mint: token::MintStatusResponse =
                c.query(&self.contracts.token, &token::QueryMsg::MintStatus {})?;
            ensure!(
                mint.total_minted.u128() == genesis_supply,
                "{} ever minted on day {day}: more than the genesis supply {genesis_supply}",
                mint.total_minted
            );
            let mut held = 0u128;
            let mut usd_held = 0u128;
            for a in &self.known {
                held += c.balance(a)?;
                usd_held += self.pool.usd_balance(c, a)?;
            }
            if held != supply {
                bail!(
                    "conservation broken on day {day}: balances sum to {held}, supply is {supply}"
                );
            }
            if usd_held != self.pool.usd_supply {
                bail!(
                    "USD conservation broken on day {day}: balances sum to {usd_held}, {} exist",
                    self.pool.usd_supply
                );
            }
            ensure!(
                supply <= self.genesis.cap(),
                "supply {supply} above the cap on day {day}"
            );
            self.checks += 1;
            let st = self.staking_totals()?;
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
            let d = &self.contracts;
            let treasury_balance = c.balance(&d.treasury)?;
            let locked = self.treasury_balances()?.vesting_locked.u128();
            let in_contracts = treasury_balance
                + c.balance(&d.staking)?
                + c.balance(&d.market)?
                + c.balance(&self.emissions)?
                + c.balance(&self.pool.vault)?
                + c.balance(&self.pool.pair)?;
            let (pool_acn, pool_usd) = self.pool.reserves(c)?;
            rec.token_usd = self.pool.spot(c)?;
            rec.pool_acn = tokens(pool_acn);
            rec.pool_usd = tokens(pool_usd);
            rec.vault_usd = tokens(self.pool.usd_balance(c, &self.pool.vault)?);
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
            crossing: find_crossing(&self.records, self.genesis.market.units_per_gpu_day),
            chain: self.chain.label(),
            day_seconds: self.chain.day_seconds(),
            transactions: self.chain.transactions() - self.txs_at_start,
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
        if let Some(trade) =
            self.wash
                .trade(&self.chain, &self.genesis, &mut self.pool, max_spend)?
        {
            rec.wash_fee = tokens(trade.fee);
            rec.wash_expected = trade.expected;
        }
        Ok(())
    }

    /// Providers claim what they earned in closed epochs and put their sell share on the book;
    /// returns the total claimed.
    fn claim_emissions(&mut self) -> Result<u128> {
        let sell_bps = self.scenario.common.provider_sell_bps as u128;
        let mut claimed = 0;
        for i in 0..self.active.len() {
            let fleet = self.active[i].clone();
            let claimable = self.emissions_claimable(&fleet.addr)?;
            if claimable > 0 {
                self.claim_emissions_of(&fleet)?;
                claimed += claimable;
                self.book.add(&fleet, claimable * sell_bps / 10_000);
            }
        }
        Ok(claimed)
    }

    /// The day's demand as one job per active fleet, paid in USD by buyers.
    fn run_jobs(&mut self, day: u64, rec: &mut DayRecord) -> Result<()> {
        // Buyers respond to the price in USD: the market's unit price (USD) × a GPU-day's units.
        let r: market::UnitPriceResponse = self.chain.market(&market::QueryMsg::UnitPrice {})?;
        let unit_price = r.unit_price.u128();
        let usd_per_gpu_day = tokens(unit_price) * self.genesis.market.units_per_gpu_day as f64;
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
        let buyers = self.buyers.clone();
        let mut quotes = vec![];
        for b in &batches {
            quotes.push(if *b == 0 {
                0
            } else {
                let q: market::QuoteResponse = self.chain.market(&market::QueryMsg::Quote {
                    model_id: SIM_MODEL.into(),
                    batch: *b,
                    redundancy: 1,
                    buyer: Some(buyers.addr.clone()),
                    input: None,
                })?;
                q.price.u128()
            });
        }
        let total: u128 = quotes.iter().sum();
        self.pool.mint_usd(&self.chain, &buyers.addr, total)?;
        let mut served = 0u64;
        for i in 0..self.active.len() {
            let batch = batches[i];
            if batch == 0 {
                continue;
            }
            // (read for each job: on a node, time passes while the fleets work)
            let deadline = Timestamp::from_seconds(
                self.chain.block()?.time + job_deadline_seconds(self.chain.day_seconds()),
            );
            let msg = market::ExecuteMsg::SubmitJob {
                model_id: SIM_MODEL.into(),
                input: Binary::from(vec![1u8; batch as usize]),
                batch,
                redundancy: 1,
                max_unit_price: Uint128::MAX,
                deadline,
                audit_commitment: audit_commitment_for(&buyers.addr, 1),
                callback: None,
            };
            let job = submit(&self.chain, &buyers, &msg, &self.pool.denom, quotes[i])?;
            // The market draws who serves the job (stake-weighted); that fleet does the work.
            let assigned = crate::work::job(&self.chain, job)?;
            let fleet = self
                .active
                .iter()
                .find(|f| assigned.slots.iter().any(|s| s.provider.as_str() == f.addr))
                .cloned()
                .ok_or_else(|| {
                    anyhow::anyhow!("day {day}: job {job} assigned to no active fleet")
                })?;
            // Commit, the buyer's audit secret (every audit is certain in the simulator, so a
            // second drawn fleet re-runs the job and the two share its pay), reveal.
            let output = labels_output(&vec![1u32; batch as usize]);
            run_job(&self.chain, &buyers, job, &[(&fleet, output)], &self.actors)?;
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
            .genesis
            .allocations
            .iter()
            .filter_map(|a| a.beneficiary.clone())
            .collect();
        for b in beneficiaries {
            let who = Actor::open(&self.chain, &b)?;
            let v: treasury::VestingsResponse = self.chain.query(
                &self.contracts.treasury,
                &treasury::QueryMsg::Vestings {
                    beneficiary: who.addr.clone(),
                    start_after: None,
                    limit: None,
                },
            )?;
            let claimable: u128 = v.vestings.iter().map(|v| v.claimable.u128()).sum();
            if claimable == 0 {
                continue;
            }
            self.chain.execute(
                &who.name,
                &self.contracts.treasury,
                &treasury::ExecuteMsg::ClaimVested {},
            )?;
            let sell = claimable * self.scenario.common.vesting_sell_bps as u128 / 10_000;
            self.book.add(&who, sell);
        }
        Ok(())
    }

    /// Holders respond to the yield: at a trailing staking yield `y` (annualised reward rounds
    /// per bonded token) they want `y / (y + staking_half_yield)` of their tokens bonded, and move
    /// 1 % of their tokens a day toward that; they claim matured unbondings daily and rewards
    /// weekly.
    fn holders_staking(&mut self, day: u64) -> Result<()> {
        let now = self.chain.block()?.time;
        let holders = self.holders.clone();
        if self.holder_claims.iter().any(|t| *t <= now) {
            self.staking_exec(&holders, &staking::ExecuteMsg::Claim {})?;
            self.holder_claims.retain(|t| *t > now);
        }
        if day.is_multiple_of(7) && self.pending_rewards(&holders.addr)? > 0 {
            self.staking_exec(&holders, &staking::ExecuteMsg::ClaimRewards {})?;
        }
        if self.reward_window.len() < 7 {
            return Ok(());
        }
        let total_bonded = self.staking_totals()?.bonded.u128();
        let window: f64 = self.reward_window.iter().sum();
        let apr = if total_bonded > 0 {
            window * 365.0 / self.reward_window.len() as f64 / tokens(total_bonded)
        } else {
            1.0
        };
        let half = f64::from(self.scenario.common.staking_half_yield_bps) / 10_000.0;
        let want_share = apr / (apr + half);
        let liquid = self.chain.balance(&holders.addr)?;
        let bonded = self.chain.stake(&holders.addr)?.bonded.u128();
        let holdings = liquid + bonded;
        let want = (holdings as f64 * want_share) as u128;
        let step = holdings / 100;
        if want > bonded {
            let amount = step.min(want - bonded).min(liquid);
            if amount > 0 {
                self.bond(&holders, amount)?;
            }
        } else if bonded > want && self.holder_claims.len() < 20 {
            let amount = step.min(bonded - want);
            if amount > 0 {
                self.staking_exec(
                    &holders,
                    &staking::ExecuteMsg::Unbond {
                        amount: Uint128::new(amount),
                    },
                )?;
                self.holder_claims.push(now + self.unbonding_seconds()?);
            }
        }
        Ok(())
    }

    /// Fleets that left claim their matured stake, emissions and rewards, and put all of it on
    /// the book.
    fn exits(&mut self) -> Result<()> {
        let now = self.chain.block()?.time;
        let (done, waiting): (Vec<_>, Vec<_>) = std::mem::take(&mut self.exiting)
            .into_iter()
            .partition(|(_, t)| *t <= now);
        self.exiting = waiting;
        for (fleet, _) in done {
            if self.emissions_claimable(&fleet.addr)? > 0 {
                self.claim_emissions_of(&fleet)?;
            }
            if self.chain.stake(&fleet.addr)?.unbonding.u128() > 0 {
                self.staking_exec(&fleet, &staking::ExecuteMsg::Claim {})?;
            }
            if self.pending_rewards(&fleet.addr)? > 0 {
                self.staking_exec(&fleet, &staking::ExecuteMsg::ClaimRewards {})?;
            }
            let amount = self.chain.balance(&fleet.addr)?;
            self.book.add(&fleet, amount);
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
            let fleet = self.active[i].clone();
            if self.pending_rewards(&fleet.addr)? > 0 {
                let before = self.chain.balance(&fleet.addr)?;
                self.staking_exec(&fleet, &staking::ExecuteMsg::ClaimRewards {})?;
                let got = self.chain.balance(&fleet.addr)? - before;
                self.book.add(&fleet, got * sell_bps / 10_000);
            }
        }
        Ok(())
    }

    /// The DAO grants part of the spendable reserve (ecosystem grants: the recipients pay USD
    /// costs with them, so all of it goes on the book); returns the amount granted.
    fn grants(&mut self) -> Result<u128> {
        let spendable = self.treasury_balances()?.spendable.u128();
        let amount =
            spendable * self.scenario.common.treasury_grants_bps_per_month as u128 / 10_000;
        if amount == 0 {
            return Ok(0);
        }
        let grantees = self.grantees.clone();
        self.chain.execute(
            &self.owner.name,
            &self.contracts.treasury,
            &treasury::ExecuteMsg::Spend {
                recipient: grantees.addr.clone(),
                amount: Uint128::new(amount),
                memo: "ecosystem grants".into(),
            },
        )?;
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

/// Deploy and run `days` days of `scenario` on the embedded chain.
pub fn simulate(
    genesis: &Genesis,
    scenario: Scenario,
    days: u64,
    progress: impl FnMut(&DayRecord),
) -> Result<Outcome> {
    check_days(days)?;
    let mut sim = Simulation::new(genesis, scenario)?;
    sim.run(days, progress)?;
    Ok(sim.outcome())
}

/// Run `days` days of `scenario` on `chain`, where the simulator's plan for `genesis`
/// ([`crate::deploy::sim_plan`] at the chain's day) is deployed.
pub fn simulate_on<C: SimChain>(
    chain: C,
    genesis: &Genesis,
    scenario: Scenario,
    days: u64,
    progress: impl FnMut(&DayRecord),
) -> Result<Outcome> {
    check_days(days)?;
    let mut sim = Simulation::on(chain, genesis, scenario)?;
    sim.run(days, progress)?;
    Ok(sim.outcome())
}

fn check_days(days: u64) -> Result<()> {
    ensure!(days > 0, "the simulation needs at least one day");
    ensure!(days <= 20 * 365, "at most 20 years");
    Ok(())
}

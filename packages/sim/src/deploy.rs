//! The genesis deployment, by the one deployment routine, on the embedded chain or on a wasmd
//! node: token (cap = genesis supply), staking, treasury (split, reserve, vesting schedules),
//! market (with the simulator's models, priced in USD), the emissions contract funded with its
//! pool, and the ACN / USD pool seeded from the treasury's reserve (the deployer brings the
//! USD), its oracle and the buyback vault; then a check, through queries, that every allocation
//! landed.
//!
//! On a node a simulated day is shorter than 86 400 s ([`crate::chain::SimChain::day_seconds`]):
//! [`sim_plan`] scales every period of the plan by `day_seconds / 86 400` — vesting, unbonding,
//! the market's price window and job lifetime, the oracle's window, the vault's interval — within
//! the contracts' own lower bounds (an emissions epoch lasts at least an hour, an oracle window
//! at least a minute, commit and reveal windows get at least 30 s of real time).

use std::path::Path;

use acn_client::deploy::{deploy_wasmd, DeployPlan, DeploymentRecord};
use acn_client::{Chain, ChainExt, Deployment};
use acn_embedded::AppDeployer;
use acn_interface::market::{DType, InputSpec, MarketParams, ModelSpec, OutputSpec};
use acn_interface::{emissions, oracle, token, treasury};
use anyhow::{ensure, Context, Result};
use cw_multi_test::App;

use crate::chain::{EmbeddedSim, LocalnetSim, SimChain, DEPLOYER_GAS};
use crate::config::{AllocationKind, Genesis, DAY, TOKEN};

/// The deployer's account name: it stands for the DAO.
pub const OWNER: &str = "dao";

/// Id of the simulator's model: one item is `ITEM_GPU_DAYS` GPU-days of work.
pub const SIM_MODEL: &str = "sim-compute-v1";
/// Id of the wash trader's model (the same work; only the wash trader's providers serve it).
pub const WASH_MODEL: &str = "sim-wash-v1";
/// GPU-days of work in one item of the simulator's model.
pub const ITEM_GPU_DAYS: u64 = 10;
/// Largest batch of the simulator's model.
pub const SIM_MAX_BATCH: u32 = 8_192;

/// The simulator's model: one u8 per item in, one label per item out, `ITEM_GPU_DAYS` GPU-days
/// of compute units per item.
pub fn sim_model(units_per_gpu_day: u64) -> ModelSpec {
    ModelSpec {
        id: SIM_MODEL.into(),
        name: "simulated compute batch".into(),
        architecture: "batch".into(),
        weights_sha256: "00".repeat(32),
        weights_uri: "sim://none".into(),
        input: InputSpec {
            shape: vec![1],
            dtype: DType::U8,
            max_batch: SIM_MAX_BATCH,
        },
        output: OutputSpec::ClassLabels {
            num_classes: 2,
            labels: vec![],
        },
        tolerance: 0,
        cost_units_per_item: units_per_gpu_day * ITEM_GPU_DAYS,
        min_redundancy: 1,
    }
}

/// Market parameters from the genesis config; `units_per_provider` is the capacity one
/// provider adds per price window.
pub fn market_params(genesis: &Genesis, units_per_provider: u64) -> Result<MarketParams> {
    let mut params = genesis.market_params()?;
    params.max_input_bytes = SIM_MAX_BATCH;
    params.pricing.units_per_provider = units_per_provider.max(1);
    // A simulated job is a fleet's whole day of work (thousands of tokens): its slot locks
    // only the minimum stake at risk, not ten times its pay, or no fleet could take it.
    params.slot_stake_multiple = 0;
    // The simulator's jobs are redundancy 1: every one is audited (p = 100 %), a second
    // drawn fleet re-runs it and the two share its pay — the same expected income per
    // fleet, the same supply flows.
    params.audit_bps = 10_000;
    Ok(params)
}

/// `seconds` of a real day's timeline on a chain whose day lasts `day_seconds`, at least
/// `floor` (the identity when `day_seconds` is 86 400 and `floor ≤ seconds`).
pub fn scaled(seconds: u64, day_seconds: u64, floor: u64) -> u64 {
    ((seconds as u128 * day_seconds as u128 / DAY as u128) as u64).max(floor)
}

/// Seconds from a submission to its deadline: an hour of a day; on a scaled chain midway
/// between the market's bounds (commit + reveal windows ..= the longest job), so that the
/// blocks between reading the time and the submission's inclusion do not push it out.
pub fn job_deadline_seconds(day_seconds: u64) -> u64 {
    if day_seconds == DAY {
        3_600
    } else {
        (2 * job_window(day_seconds) + job_lifetime(day_seconds)) / 2
    }
}

/// The market's commit (and reveal) window on a scaled chain: 10 minutes of a day, at least
/// 30 s of real time for the transactions.
fn job_window(day_seconds: u64) -> u64 {
    scaled(600, day_seconds, 30)
}

/// The longest job on a scaled chain: a day, at least four windows.
fn job_lifetime(day_seconds: u64) -> u64 {
    scaled(DAY, day_seconds, 4 * job_window(day_seconds))
}

/// The simulator's plan for `genesis` ([`DeployPlan::from_genesis`] with the simulator's and
/// the wash trader's models, no DAO contract: the deployer, [`OWNER`], stands for it — its
/// proposals would execute exactly its owner messages), its periods scaled to a day of
/// `day_seconds` (see the module's documentation). `units_per_provider` sets the market's
/// capacity per provider.
pub fn sim_plan(
    genesis: &Genesis,
    units_per_provider: u64,
    day_seconds: u64,
) -> Result<DeployPlan> {
    ensure!(
        day_seconds > 0,
        "a simulated day must last at least a second"
    );
    let mut plan = DeployPlan::from_genesis(genesis, OWNER)?;
    plan.dao = None;
    let market = plan
        .market
        .as_mut()
        .context("the genesis plan has a market")?;
    market.params = market_params(genesis, units_per_provider)?;
    let mut wash = sim_model(genesis.market.units_per_gpu_day);
    wash.id = WASH_MODEL.into();
    wash.name = "simulated compute batch (the wash trader's)".into();
    market.models = vec![sim_model(genesis.market.units_per_gpu_day), wash];
    if day_seconds != DAY {
        let d = day_seconds;
        let p = &mut market.params;
        p.commit_window = job_window(d);
        p.reveal_window = job_window(d);
        p.max_job_lifetime = job_lifetime(d);
        p.pricing.window = scaled(p.pricing.window, d, 1);
        let lifetime = p.max_job_lifetime;
        for v in &mut plan.treasury.vestings {
            v.start_delay = scaled(v.start_delay, d, 0);
            v.cliff = scaled(v.cliff, d, 0);
            v.duration = scaled(v.duration, d, 1);
        }
        if let cw_utils::Duration::Time(t) = plan.staking.unbonding_period {
            // Staking linked to the market needs unbonding ≥ the longest job.
            plan.staking.unbonding_period = cw_utils::Duration::Time(scaled(t, d, lifetime));
        }
        if let Some(e) = plan.emissions.as_mut() {
            e.epoch_seconds = scaled(e.epoch_seconds, d, emissions::MIN_EPOCH_SECONDS);
        }
        if let Some(pool) = plan.pool.as_mut() {
            pool.oracle.window = scaled(pool.oracle.window, d, oracle::MIN_WINDOW);
            pool.oracle.max_staleness = scaled(pool.oracle.max_staleness, d, pool.oracle.window);
            pool.buyback.min_interval = scaled(pool.buyback.min_interval, d, 1);
        }
    }
    Ok(plan)
}

/// Deploy the simulator's plan for `genesis` on a fresh cw-multi-test `App` (the deployer
/// brings the stable half of the pool's seed); the app and what the routine recorded.
pub fn deploy_app(genesis: &Genesis, units_per_provider: u64) -> Result<(App, DeploymentRecord)> {
    let plan = sim_plan(genesis, units_per_provider, DAY)?;
    let mut app = App::default();
    if let Some(p) = plan.pool.as_ref().filter(|p| p.seed_stable > 0) {
        acn_embedded::mint_native(&mut app, OWNER, &p.stable_denom, p.seed_stable)?;
    }
    let (record, _) =
        acn_client::deploy::deploy(&AppDeployer::new(&mut app), &plan, None, &mut |_| Ok(()))
            .context("genesis deployment")?;
    Ok((app, record))
}

/// Deploy `genesis` on the embedded chain ([`deploy_app`]) and check it.
pub fn deploy_embedded(genesis: &Genesis, units_per_provider: u64) -> Result<EmbeddedSim> {
    let (app, record) = deploy_app(genesis, units_per_provider)?;
    let chain = EmbeddedSim::new(app, record.deployment);
    check_genesis(&chain, genesis)?;
    Ok(chain)
}

/// Deploy `genesis` on the node of `chain` with the release wasm in `artifacts`: the deployer
/// and every allocation's account are opened first (the deployer with the gas of a deployment
/// and the stable half of the pool's seed), then the plan scaled to the chain's day is deployed
/// and checked. Returns what the routine recorded.
pub fn deploy_localnet(
    chain: &mut LocalnetSim,
    genesis: &Genesis,
    units_per_provider: u64,
    artifacts: &Path,
) -> Result<DeploymentRecord> {
    let plan = sim_plan(genesis, units_per_provider, chain.day_seconds())?;
    let owner = chain.open_account_with_gas(OWNER, DEPLOYER_GAS)?;
    for a in &genesis.allocations {
        for name in [&a.beneficiary, &a.recipient].into_iter().flatten() {
            chain.open_account(name)?;
        }
    }
    if let Some(p) = plan.pool.as_ref().filter(|p| p.seed_stable > 0) {
        chain.bring(&owner, &p.stable_denom, p.seed_stable)?;
    }
    let (record, steps) = deploy_wasmd(chain.client(), artifacts, &plan)
        .with_context(|| format!("genesis deployment on {}", chain.label()))?;
    let gas: u64 = steps.iter().map(|s| s.tx.gas_used).sum();
    eprintln!(
        "deployed on {} in {} transactions ({gas} gas)",
        chain.label(),
        steps.len()
    );
    chain.set_deployment(record.deployment.clone())?;
    check_genesis(&*chain, genesis)?;
    Ok(record)
}

fn emissions_of(d: &Deployment) -> Result<String> {
    d.emissions
        .clone()
        .context("the genesis deployment has emissions")
}

/// The deployed state of `chain` matches `genesis`: supply, cap, the deployer ([`OWNER`])
/// holds nothing, the treasury holds its reserve and the locked vesting, each recipient its
/// liquid share.
pub fn check_genesis<C: Chain + ?Sized>(chain: &C, g: &Genesis) -> Result<()> {
    let d = chain.deployment().clone();
    let info: token::TokenInfoResponse = chain.query(&d.token, &token::QueryMsg::TokenInfo {})?;
    ensure!(
        info.total_supply.u128() == g.genesis_supply(),
        "genesis supply {} ≠ configured {}",
        info.total_supply,
        g.genesis_supply()
    );
    // A fixed supply: the cap is the genesis supply, all of it minted at instantiation.
    let mint: token::MintStatusResponse = chain.query(&d.token, &token::QueryMsg::MintStatus {})?;
    ensure!(
        mint.cap.u128() == g.genesis_supply() && mint.mintable.is_zero(),
        "mint status: {mint:?}"
    );
    let emissions = emissions_of(&d)?;
    ensure!(
        chain.balance(&emissions)? == g.pool(),
        "the emissions pool holds {}, not {}",
        chain.balance(&emissions)?,
        g.pool()
    );
    let owner = chain.address(OWNER)?;
    ensure!(chain.balance(&owner)? == 0, "the deployer kept tokens");
    // The pool's ACN seed comes out of the treasury's reserve too.
    let seed_acn = g.amm.as_ref().map_or(0, |a| a.seed_acn as u128 * TOKEN);
    if seed_acn > 0 {
        let pair = d
            .pool
            .clone()
            .context("a seeded genesis deploys the pool")?;
        ensure!(
            chain.balance(&pair)? == seed_acn,
            "the pool holds {} ACN base units, not its seed {seed_acn}",
            chain.balance(&pair)?
        );
    }
    let balances: treasury::BalancesResponse =
        chain.query(&d.treasury, &treasury::QueryMsg::Balances {})?;
    ensure!(
        balances.balance.u128()
            == g.total_of(AllocationKind::Treasury) - g.pool() - seed_acn
                + g.total_of(AllocationKind::Vesting),
        "treasury holds {}",
        balances.balance
    );
    ensure!(
        balances.vesting_locked.u128() == g.total_of(AllocationKind::Vesting),
        "vesting locked {}",
        balances.vesting_locked
    );
    for (a, amount) in g.allocation_amounts() {
        if let (AllocationKind::Liquid, Some(r)) = (a.kind, &a.recipient) {
            let held = chain.balance(&chain.address(r)?)?;
            ensure!(
                held == amount,
                "liquid allocation {:?}: {} holds {held}",
                a.name,
                r
            );
        }
    }
    Ok(())
}

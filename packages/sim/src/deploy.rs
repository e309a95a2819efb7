//! The genesis deployment on the embedded chain, by the one deployment routine: token (cap =
//! genesis supply), staking, treasury (split, reserve, vesting schedules), market (with the
//! simulator's models, priced in USD), the emissions contract funded with its pool, and the
//! ACN / USD pool seeded from the treasury's reserve (the deployer brings the USD), its oracle
//! and the buyback vault; then a check that every allocation landed.

use acn_client::deploy::DeployPlan;
use acn_embedded::AppDeployer;
use acn_interface::market::{DType, InputSpec, MarketParams, ModelSpec, OutputSpec};
use acn_interface::token;
use acn_testing::Suite;
use anyhow::{ensure, Context, Result};
use cosmwasm_std::Addr;
use cw_multi_test::App;

use crate::config::{AllocationKind, Genesis, TOKEN};

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

/// The deployed system.
pub struct World {
    /// Contracts and helpers (the owner is the deployer, standing for the DAO).
    pub suite: Suite,
    /// The emissions contract (the token's minter).
    pub emissions: Addr,
    /// The config it was deployed from.
    pub genesis: Genesis,
}

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

/// Deploy `genesis` with the one deployment routine ([`DeployPlan::from_genesis`]), the
/// simulator's model and the wash trader's registered. `units_per_provider` sets the market's capacity per provider.
/// The deployer, `dao`, stands for the DAO: its proposals would execute exactly its owner
/// messages, so no DAO contract is deployed.
pub fn deploy(genesis: &Genesis, units_per_provider: u64) -> Result<World> {
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
    let mut app = App::default();
    if let Some(p) = plan.pool.as_ref().filter(|p| p.seed_stable > 0) {
        // The deployer brings the stable half of the pool's seed.
        acn_embedded::mint_native(&mut app, OWNER, &p.stable_denom, p.seed_stable)?;
    }
    let (record, _) =
        acn_client::deploy::deploy(&AppDeployer::new(&mut app), &plan, None, &mut |_| Ok(()))
            .context("genesis deployment")?;
    let emissions = Addr::unchecked(
        record
            .deployment
            .emissions
            .clone()
            .context("the genesis deployment has emissions")?,
    );
    let suite = Suite::from_record(app, &record, OWNER, plan.genesis_supply());
    let world = World {
        suite,
        emissions,
        genesis: genesis.clone(),
    };
    world.check_genesis()?;
    Ok(world)
}

impl World {
    /// The deployed state matches the config: supply, cap, the deployer holds nothing, the
    /// treasury holds its reserve and the locked vesting, each recipient its liquid share.
    pub fn check_genesis(&self) -> Result<()> {
        let s = &self.suite;
        let g = &self.genesis;
        let info: token::TokenInfoResponse = s.query(&s.token, &token::QueryMsg::TokenInfo {});
        ensure!(
            info.total_supply.u128() == g.genesis_supply(),
            "genesis supply {} ≠ configured {}",
            info.total_supply,
            g.genesis_supply()
        );
        // A fixed supply: the cap is the genesis supply, all of it minted at instantiation.
        let mint: token::MintStatusResponse = s.query(&s.token, &token::QueryMsg::MintStatus {});
        ensure!(
            mint.cap.u128() == g.genesis_supply() && mint.mintable.is_zero(),
            "mint status: {mint:?}"
        );
        ensure!(
            s.balance(self.emissions.clone()) == g.pool(),
            "the emissions pool holds {}, not {}",
            s.balance(self.emissions.clone()),
            g.pool()
        );
        ensure!(s.balance(s.owner.clone()) == 0, "the deployer kept tokens");
        // The pool's ACN seed comes out of the treasury's reserve too.
        let seed_acn = g.amm.as_ref().map_or(0, |a| a.seed_acn as u128 * TOKEN);
        if seed_acn > 0 {
            let pair = s
                .pool
                .clone()
                .context("a seeded genesis deploys the pool")?;
            ensure!(
                s.balance(pair.clone()) == seed_acn,
                "the pool holds {} ACN base units, not its seed {seed_acn}",
                s.balance(pair)
            );
        }
        let balances = s.treasury_balances();
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
                ensure!(
                    s.balance_of(r) == amount,
                    "liquid allocation {:?}: {} holds {}",
                    a.name,
                    r,
                    s.balance_of(r)
                );
            }
        }
        Ok(())
    }
}

//! The genesis deployment on the embedded chain: token (cap = genesis supply + emission pool),
//! staking, treasury (split, reserve, vesting schedules), market (with the simulator's model) and
//! the emissions contract as the token's minter; then a check that every allocation landed.

use acn_interface::market::{DType, InputSpec, MarketParams, ModelSpec, OutputSpec, PricingParams};
use acn_interface::{emissions, market, staking, token, treasury};
use acn_testing::emissions_helpers::emissions_contract;
use acn_testing::{
    dao_contract, market_contract, staking_contract, token_contract, treasury_contract, CodeIds,
    Suite,
};
use anyhow::{ensure, Context, Result};
use cosmwasm_std::{Addr, Uint128};
use cw_multi_test::{App, Executor};

use crate::config::{tokens_to_base, AllocationKind, Genesis, DAY};

/// Id of the simulator's model: one item is `ITEM_GPU_DAYS` GPU-days of work.
pub const SIM_MODEL: &str = "sim-compute-v1";
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
    let m = &genesis.market;
    Ok(MarketParams {
        protocol_fee_bps: m.protocol_fee_bps,
        min_provider_stake: Uint128::new(m.min_provider_stake as u128 * crate::config::TOKEN),
        max_input_bytes: SIM_MAX_BATCH,
        pricing: PricingParams {
            window: m.price_window_days * DAY,
            units_per_provider: units_per_provider.max(1),
            max_change_bps: 1_250,
            floor: tokens_to_base("market.price_floor", m.price_floor)?,
            ceiling: tokens_to_base("market.price_ceiling", m.price_ceiling)?,
        },
        // A simulated job is a fleet's whole day of work (thousands of tokens): its slot locks
        // only the minimum stake at risk, not ten times its pay, or no fleet could take it.
        slot_stake_multiple: 0,
        // The simulator's jobs are redundancy 1: every one is audited (p = 100 %), a second
        // drawn fleet re-runs it and the two share its pay — the same expected income per
        // fleet, the same supply flows.
        audit_bps: 10_000,
        ..MarketParams::default()
    })
}

/// Deploy `genesis`. `units_per_provider` sets the market's capacity per provider.
pub fn deploy(genesis: &Genesis, units_per_provider: u64) -> Result<World> {
    genesis.validate()?;
    let mut app = App::default();
    let owner = app.api().addr_make("dao");
    let code_ids = CodeIds {
        token: app.store_code(token_contract()),
        staking: app.store_code(staking_contract()),
        treasury: app.store_code(treasury_contract()),
        market: app.store_code(market_contract()),
        dao: app.store_code(dao_contract()),
    };
    let emissions_code = app.store_code(emissions_contract());
    let supply = genesis.genesis_supply();
    let held_by_treasury =
        genesis.total_of(AllocationKind::Treasury) + genesis.total_of(AllocationKind::Vesting);

    // Liquid allocations go straight to their recipients; the treasury's part to the deployer,
    // who hands it to the treasury once that exists (same genesis sequence).
    let mut initial_balances = vec![cw20::Cw20Coin {
        address: owner.to_string(),
        amount: Uint128::new(held_by_treasury),
    }];
    for (a, amount) in genesis.allocation_amounts() {
        if let (AllocationKind::Liquid, Some(r)) = (a.kind, &a.recipient) {
            initial_balances.push(cw20::Cw20Coin {
                address: app.api().addr_make(r).to_string(),
                amount: Uint128::new(amount),
            });
        }
    }
    let token = app
        .instantiate_contract(
            code_ids.token,
            owner.clone(),
            &token::InstantiateMsg {
                owner: None,
                name: genesis.token.name.clone(),
                symbol: genesis.token.symbol.clone(),
                decimals: genesis.token.decimals,
                initial_balances,
                mint: Some(cw20::MinterResponse {
                    minter: owner.to_string(),
                    cap: Some(Uint128::new(genesis.cap())),
                }),
                marketing: None,
            },
            &[],
            "acn-token",
            Some(owner.to_string()),
        )
        .context("instantiate token")?;
    let staking = app
        .instantiate_contract(
            code_ids.staking,
            owner.clone(),
            &staking::InstantiateMsg {
                owner: None,
                token: token.to_string(),
                unbonding_period: Some(cw_utils::Duration::Time(
                    genesis.staking.unbonding_days * DAY,
                )),
                max_claims: None,
                tokens_per_weight: Uint128::new(crate::config::TOKEN),
                min_bond: Uint128::one(),
                slashers: vec![],
                slash_destination: staking::SlashDestination::Burn,
            },
            &[],
            "acn-staking",
            Some(owner.to_string()),
        )
        .context("instantiate staking")?;
    let t = &genesis.treasury;
    let treasury = app
        .instantiate_contract(
            code_ids.treasury,
            owner.clone(),
            &treasury::InstantiateMsg {
                owner: None,
                token: token.to_string(),
                staking: Some(staking.to_string()),
                split: Some(treasury::Split {
                    burn_bps: t.burn_bps,
                    stakers_bps: t.stakers_bps,
                    kept_bps: t.kept_bps,
                    executor_bps: t.executor_bps,
                }),
            },
            &[],
            "acn-treasury",
            Some(owner.to_string()),
        )
        .context("instantiate treasury")?;
    app.execute_contract(
        owner.clone(),
        staking.clone(),
        &staking::ExecuteMsg::UpdateConfig {
            unbonding_period: None,
            max_claims: None,
            min_bond: None,
            slash_destination: Some(staking::SlashDestination::Treasury {
                address: treasury.to_string(),
            }),
        },
        &[],
    )
    .context("slashes to the treasury")?;
    let market = app
        .instantiate_contract(
            code_ids.market,
            owner.clone(),
            &market::InstantiateMsg {
                owner: None,
                token: token.to_string(),
                staking: staking.to_string(),
                treasury: treasury.to_string(),
                params: market_params(genesis, units_per_provider)?,
                initial_unit_price: tokens_to_base(
                    "market.initial_unit_price",
                    genesis.market.initial_unit_price,
                )?,
            },
            &[],
            "acn-market",
            Some(owner.to_string()),
        )
        .context("instantiate market")?;
    app.execute_contract(
        owner.clone(),
        staking.clone(),
        &staking::ExecuteMsg::UpdateSlashers {
            add: vec![market.to_string()],
            remove: vec![],
        },
        &[],
    )
    .context("market as slasher")?;
    app.execute_contract(
        owner.clone(),
        market.clone(),
        &market::ExecuteMsg::RegisterModel {
            model: sim_model(genesis.market.units_per_gpu_day),
        },
        &[],
    )
    .context("register the simulator's model")?;
    let emissions = app
        .instantiate_contract(
            emissions_code,
            owner.clone(),
            &emissions::InstantiateMsg {
                owner: None,
                token: token.to_string(),
                market: Some(market.to_string()),
                staking: Some(staking.to_string()),
                pool: Uint128::new(genesis.pool()),
                epoch_seconds: genesis.emissions.epoch_days * DAY,
                genesis_time: None,
                params: genesis.emission_params()?,
            },
            &[],
            "acn-emissions",
            Some(owner.to_string()),
        )
        .context("instantiate emissions")?;
    app.execute_contract(
        owner.clone(),
        token.clone(),
        &token::ExecuteMsg::UpdateMinter {
            new_minter: Some(emissions.to_string()),
        },
        &[],
    )
    .context("emissions as the token's minter")?;
    app.execute_contract(
        owner.clone(),
        market.clone(),
        &market::ExecuteMsg::SetEmissions {
            address: Some(emissions.to_string()),
        },
        &[],
    )
    .context("market reports work to emissions")?;

    let mut suite = Suite {
        app,
        owner: owner.clone(),
        token,
        staking,
        treasury: treasury.clone(),
        market: Some(market),
        // The simulator's owner is a plain account standing for the DAO: its proposals would
        // execute exactly these owner messages.
        dao: None,
        code_ids,
        genesis_supply: supply,
    };
    suite
        .transfer_from(&owner, &treasury, held_by_treasury)
        .context("treasury's genesis allocation")?;
    let now = suite.block().time;
    for (a, amount) in genesis.allocation_amounts() {
        if a.kind != AllocationKind::Vesting {
            continue;
        }
        let (Some(b), Some(delay), Some(cliff), Some(duration)) = (
            &a.beneficiary,
            a.start_delay_days,
            a.cliff_days,
            a.duration_days,
        ) else {
            continue; // validate() refused incomplete schedules
        };
        let beneficiary = suite.addr(b);
        suite
            .execute(
                &owner,
                &treasury,
                &treasury::ExecuteMsg::CreateVesting {
                    beneficiary: beneficiary.to_string(),
                    amount: Uint128::new(amount),
                    start: Some(now.plus_seconds(delay * DAY)),
                    cliff: cliff * DAY,
                    duration: duration * DAY,
                },
            )
            .with_context(|| format!("vesting of {:?}", a.name))?;
    }
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
        let minter: Option<cw20::MinterResponse> = s.query(&s.token, &token::QueryMsg::Minter {});
        let minter = minter.context("the token has no minter")?;
        ensure!(
            minter.minter == self.emissions.as_str() && minter.cap == Some(Uint128::new(g.cap())),
            "minter/cap: {minter:?}"
        );
        ensure!(s.balance(s.owner.clone()) == 0, "the deployer kept tokens");
        let balances = s.treasury_balances();
        ensure!(
            balances.balance.u128()
                == g.total_of(AllocationKind::Treasury) + g.total_of(AllocationKind::Vesting),
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

//! The genesis config and its deployment: allocation sums, clear errors for bad configs, every
//! allocation where it belongs, the vesting curves (cliff day, linear part, end) and the emission
//! schedule derived from the file.

use acn_interface::emissions as em;
use acn_interface::treasury;
use acn_sim::config::{AllocationKind, Genesis, DEFAULT_GENESIS, TOKEN};
mod support;

use cosmwasm_std::Decimal;
use support::{deploy, World};

const DAY: u64 = 86_400;

fn genesis() -> Genesis {
    Genesis::parse(DEFAULT_GENESIS).unwrap()
}

fn err_of(text: &str) -> String {
    format!("{:#}", Genesis::parse(text).unwrap_err())
}

#[test]
fn default_allocation_sums_to_the_supply() {
    let g = genesis();
    let amounts: Vec<(String, u128)> = g
        .allocation_amounts()
        .into_iter()
        .map(|(a, amount)| (a.name.clone(), amount / TOKEN))
        .collect();
    assert_eq!(
        amounts,
        vec![
            ("community treasury".to_string(), 4_040_000_000),
            ("investors".to_string(), 2_960_000_000),
            ("team".to_string(), 2_500_000_000),
            ("community sale".to_string(), 300_000_000),
            ("testnet rewards".to_string(), 200_000_000),
        ]
    );
    let total: u128 = amounts.iter().map(|(_, a)| a).sum();
    assert_eq!(total, 10_000_000_000);
    assert_eq!(g.genesis_supply(), 10_000_000_000 * TOKEN);
    assert_eq!(g.total_of(AllocationKind::Vesting), 5_460_000_000 * TOKEN);
    // A fixed supply: the cap is the genesis supply; the emission pool comes out of the
    // community treasury's allocation.
    assert_eq!(g.cap(), 10_000_000_000 * TOKEN);
    assert_eq!(g.pool(), 2_000_000_000 * TOKEN);
}

#[test]
fn bad_configs_are_refused_with_clear_errors() {
    let e = err_of(&DEFAULT_GENESIS.replace("bps = 4_040", "bps = 4_041"));
    assert!(e.contains("sum to 10001 bps"), "{e}");
    let e = err_of(&DEFAULT_GENESIS.replace("bps = 200", "bps = 199"));
    assert!(e.contains("sum to 9999 bps"), "{e}");
    let e = err_of(&DEFAULT_GENESIS.replace("cliff_days = 365\n", ""));
    assert!(e.contains("\"team\"") && e.contains("cliff_days"), "{e}");
    let e = err_of(&DEFAULT_GENESIS.replace("cliff_days = 365", "cliff_days = 2000"));
    assert!(e.contains("cliff_days ≤ duration_days"), "{e}");
    let e = err_of(&DEFAULT_GENESIS.replace("burn_bps = 7_000", "burn_bps = 7_100"));
    assert!(e.contains("treasury split sums to 10100"), "{e}");
    let e = err_of(&DEFAULT_GENESIS.replace("decimals = 6", "decimals = 8"));
    assert!(e.contains("6 decimals"), "{e}");
    // A half-life of 10 epochs would budget 6.7 % of the pool a day: above the bound.
    let e = err_of(&DEFAULT_GENESIS.replace("half_life_epochs = 730", "half_life_epochs = 10"));
    assert!(e.contains("lengthen the half-life"), "{e}");
    let e = err_of(&DEFAULT_GENESIS.replace("fee_cap_bps = 5_000", "fee_cap_bps = 7_001"));
    assert!(e.contains("emissions.fee_cap_bps must be 1..=7000"), "{e}");
    let e = err_of(&DEFAULT_GENESIS.replace("pool = 2_000_000_000", "pool = 4_040_000_001"));
    assert!(
        e.contains("exceeds the community treasury's allocation"),
        "{e}"
    );
    let e = err_of(&DEFAULT_GENESIS.replace("recipient = \"community-sale\"\n", ""));
    assert!(e.contains("needs a recipient"), "{e}");
    let e = err_of(&DEFAULT_GENESIS.replace("kind = \"liquid\"", "kind = \"airdrop\""));
    assert!(e.contains("airdrop"), "{e}");
    let e = err_of("[token]\nname = 1");
    assert!(e.contains("genesis config is not valid"), "{e}");
}

#[test]
fn deployment_places_every_allocation() {
    let world = deploy(&genesis(), 1_000_000).unwrap();
    let s = &world.suite;
    assert_eq!(s.total_supply(), 10_000_000_000 * TOKEN);
    let b = s.treasury_balances();
    // The community treasury's 4 040 M less the 2 000 M moved into the emissions pool and the
    // 50 M seeding the ACN / USD pool (against 1 M USD: $0.02).
    assert_eq!(b.balance.u128(), 7_450_000_000 * TOKEN);
    assert_eq!(b.vesting_locked.u128(), 5_460_000_000 * TOKEN);
    assert_eq!(b.spendable.u128(), 1_990_000_000 * TOKEN);
    assert_eq!(s.balance(world.emissions.clone()), 2_000_000_000 * TOKEN);
    assert_eq!(s.balance(s.pool.clone().unwrap()), 50_000_000 * TOKEN);
    assert_eq!(
        s.stable_balance(&s.pool.clone().unwrap()),
        1_000_000 * TOKEN
    );
    assert_eq!(s.balance_of("community-sale"), 300_000_000 * TOKEN);
    assert_eq!(s.balance_of("testnet-rewards"), 200_000_000 * TOKEN);
    assert_eq!(s.balance(s.owner.clone()), 0);
    let mint: acn_interface::token::MintStatusResponse =
        s.query(&s.token, &acn_interface::token::QueryMsg::MintStatus {});
    assert_eq!(
        (
            mint.cap.u128(),
            mint.total_minted.u128(),
            mint.mintable.u128()
        ),
        (10_000_000_000 * TOKEN, 10_000_000_000 * TOKEN, 0)
    );
    world.check_genesis().unwrap();
}

/// Vested amount of `beneficiary`'s schedule `at_seconds` after genesis (time moves forward).
fn vested(world: &mut World, beneficiary: &str, at_seconds: u64) -> u128 {
    let target = genesis_start(world) + at_seconds;
    let now = world.suite.block().time.seconds();
    assert!(target >= now, "time only moves forward");
    world.suite.advance_time(target - now);
    let addr = world.suite.addr(beneficiary);
    let v: treasury::VestingsResponse = world.suite.query(
        &world.suite.treasury,
        &treasury::QueryMsg::Vestings {
            beneficiary: addr.to_string(),
            start_after: None,
            limit: None,
        },
    );
    assert_eq!(v.vestings.len(), 1);
    v.vestings[0].vested.u128()
}

fn genesis_start(world: &World) -> u64 {
    // Every schedule starts at genesis + start_delay_days; the team's delay is 0.
    let v: treasury::VestingsResponse = world.suite.query(
        &world.suite.treasury,
        &treasury::QueryMsg::Vestings {
            beneficiary: world.suite.addr("team").to_string(),
            start_after: None,
            limit: None,
        },
    );
    v.vestings[0].start.seconds()
}

#[test]
fn team_vesting_cliff_linear_end() {
    let mut world = deploy(&genesis(), 1_000_000).unwrap();
    let total = 2_500_000_000 * TOKEN;
    assert_eq!(
        vested(&mut world, "team", 365 * DAY - 1),
        0,
        "day before the cliff"
    );
    // Cliff day: the linear part up to the cliff (365 / 1 460 = a quarter) at once.
    assert_eq!(vested(&mut world, "team", 365 * DAY), total / 4);
    assert_eq!(vested(&mut world, "team", 730 * DAY), total / 2);
    assert_eq!(vested(&mut world, "team", 1_095 * DAY), total * 3 / 4);
    assert_eq!(
        vested(&mut world, "team", 1_460 * DAY - DAY),
        total * 1_459 / 1_460
    );
    assert_eq!(vested(&mut world, "team", 1_460 * DAY), total, "end");
    assert_eq!(
        vested(&mut world, "team", 2_000 * DAY),
        total,
        "after the end"
    );
    // The beneficiary claims it all; the supply does not change (vesting moves, never mints).
    let team = world.suite.addr("team");
    let treasury = world.suite.treasury.clone();
    world
        .suite
        .execute(&team, &treasury, &treasury::ExecuteMsg::ClaimVested {})
        .unwrap();
    assert_eq!(world.suite.balance(team), total);
    assert_eq!(world.suite.total_supply(), 10_000_000_000 * TOKEN);
}

#[test]
fn investor_vesting_cliff_then_linear_over_three_years() {
    let mut world = deploy(&genesis(), 1_000_000).unwrap();
    let total = 2_960_000_000 * TOKEN;
    assert_eq!(vested(&mut world, "investors", 364 * DAY), 0);
    // Cliff day: the linear release starts, nothing lumps.
    assert_eq!(vested(&mut world, "investors", 365 * DAY), 0);
    assert_eq!(vested(&mut world, "investors", 366 * DAY), total / 1_095);
    assert_eq!(vested(&mut world, "investors", 730 * DAY), total / 3);
    assert_eq!(
        vested(&mut world, "investors", (365 + 730) * DAY),
        total * 2 / 3
    );
    assert_eq!(vested(&mut world, "investors", 1_460 * DAY), total, "end");
    assert_eq!(vested(&mut world, "investors", 1_800 * DAY), total);
}

#[test]
fn emission_rule_from_the_file() {
    let g = genesis();
    let params = g.emission_params().unwrap();
    // 1 − 2^(−1/730) to 18 digits, a 50 % fee cap, a 20 % staker share.
    assert_eq!(
        params.budget_rate,
        "0.000949066037374324".parse::<Decimal>().unwrap()
    );
    assert_eq!(
        (params.fee_cap_bps, params.staker_share_bps),
        (5_000, 2_000)
    );
    let world = deploy(&g, 1_000_000).unwrap();
    let cfg: em::ConfigResponse = world
        .suite
        .query(&world.emissions, &em::QueryMsg::Config {});
    assert_eq!((cfg.params, cfg.epoch_seconds), (params, DAY));
    // Day 0's budget: ≈ 1 898 132 tokens of the 2 000 M pool, released only against fees.
    let e0: em::EpochResponse = world
        .suite
        .query(&world.emissions, &em::QueryMsg::Epoch { epoch: None });
    assert_eq!(e0.budget.u128() / TOKEN, 1_898_132);
    let t: em::TotalsResponse = world
        .suite
        .query(&world.emissions, &em::QueryMsg::Totals {});
    assert_eq!(
        (t.funded.u128(), t.released.u128()),
        (2_000_000_000 * TOKEN, 0)
    );
}

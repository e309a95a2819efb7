//! A short simulation on the real contracts: conservation holds every day, the economy moves
//! (USD jobs, fees bought back and burned, emissions, the pool's price), buybacks raise the
//! pool's price and burn 70 % of what they buy, the check catches tokens destroyed behind its
//! back, and the CSV and plots are written, labelled.

use acn_client::{Chain, ChainExt};
use acn_sim::config::{Genesis, Scenario, TOKEN};
use acn_sim::engine::{simulate, Simulation};
use acn_sim::report::{summary, write_outputs, CSV_HEADER};
use cw_multi_test::Executor;

#[test]
fn sixty_days_conserve_supply_every_day() {
    let genesis = Genesis::load(None).unwrap();
    let scenario = Scenario::load("base", None).unwrap();
    let out = simulate(&genesis, scenario, 60, |_| {}).unwrap();
    assert_eq!(out.days.len(), 60);
    assert_eq!(out.conservation_checks, 60);
    for d in &out.days {
        assert!(d.jobs > 0, "day {}: no jobs", d.day);
        assert!(d.served_gpu_days > 0.0);
        // Day 1's work is rewarded when its epoch closes, from day 2 on.
        if d.day > 1 {
            assert!(d.emitted_day > 0.0, "day {}: nothing emitted", d.day);
        }
        assert!(d.burned_day > 0.0, "day {}: nothing burned", d.day);
        // The fees are bought back on the pool every day; the token's price is the pool's.
        assert!(
            d.buybacks > 0 && d.buyback_usd > 0.0,
            "day {}: no buyback",
            d.day
        );
        assert!((d.token_usd - d.pool_usd / d.pool_acn).abs() < 1e-9 * d.token_usd.max(1.0));
        assert!(
            d.token_usd > 0.001 && d.token_usd < 1.0,
            "day {}: ${}",
            d.day,
            d.token_usd
        );
        // Buyers pay the USD unit price: $0.02 a GPU-minute at genesis, moving by ≤ 12.5 %
        // a day.
        assert!(d.unit_price > 0.0 && d.job_volume > 0.0);
        // No vesting unlocks in the first year.
        assert_eq!(d.vesting_locked, 5_460_000_000.0);
        // supply == genesis − burned (to the base unit: six decimals): emissions are paid from
        // a pool inside the genesis supply, never minted.
        let expected = 10_000_000_000.0 - d.burned_total;
        assert!((d.supply - expected).abs() < 1e-5, "day {}", d.day);
    }
    let text = summary(&out);
    assert!(text.contains("conservation"), "{text}");
    assert!(text.contains("60 days"), "{text}");
    assert!(text.contains("wash trader"), "{text}");
    assert!(text.contains("token price on the pool"), "{text}");
    // Something moved the price: buybacks and trades, not a fixed path.
    let first = out.days[0].token_usd;
    assert!(out.days.iter().any(|d| (d.token_usd - first).abs() > 1e-6));
}

/// The keeper's buybacks on the simulator's chain: USD fees in the vault buy ACN on the pool,
/// the pool's price rises, and the supply falls by exactly the 70 % burned.
#[test]
fn buybacks_raise_the_pool_price_and_burn_seventy_percent_of_what_they_buy() {
    let genesis = Genesis::load(None).unwrap();
    let scenario = Scenario::load("base", None).unwrap();
    let mut sim = Simulation::new(&genesis, scenario).unwrap();
    sim.run(2, |_| {}).unwrap();
    let mut pool = sim.pool().clone();
    let keeper = sim.actor("keeper").unwrap().clone();
    let s = sim.chain();
    let vault = pool.vault.clone();
    pool.mint_usd(s, &keeper.addr, 3_000 * TOKEN).unwrap();
    s.execute_json_with_funds(
        &keeper.name,
        &vault,
        &serde_json::to_vec(&acn_interface::buyback::ExecuteMsg::Deposit {}).unwrap(),
        &[("uusdc".to_string(), 3_000 * TOKEN)],
    )
    .unwrap();
    // The pool has been idle since yesterday: the oracle serves its spot.
    let (price, supply) = (pool.spot(s).unwrap(), s.total_supply().unwrap());
    let before = pool.vault_state(s).unwrap().totals;
    let day = pool.buybacks(s, &keeper).unwrap();
    let after = pool.vault_state(s).unwrap().totals;
    // 0.2 % of a ~1 M USD reserve per buy: two buys, five minutes apart.
    assert!(day.buys >= 2, "{day:?}");
    assert!(day.usd_spent >= 3_000 * TOKEN, "{day:?}");
    let spot = pool.spot(s).unwrap();
    assert!(spot > price * 1.004, "{price} → {spot}");
    let burned = (after.burned - before.burned).u128();
    assert_eq!(supply - s.total_supply().unwrap(), burned);
    assert!(
        burned.abs_diff(day.acn_bought * 7 / 10) <= 2,
        "{burned} of {}",
        day.acn_bought
    );
}

/// The wash trader buys its best-sized job from its own providers every day: on every day of
/// the base and low scenarios it loses money, and it paid a fee every day.
#[test]
fn the_wash_trader_loses_money_every_day_of_the_base_and_low_scenarios() {
    let genesis = Genesis::load(None).unwrap();
    for name in ["base", "low"] {
        let scenario = Scenario::load(name, None).unwrap();
        let out = simulate(&genesis, scenario, 45, |_| {}).unwrap();
        for d in &out.days {
            assert!(d.wash_fee > 0.0, "{name} day {}: no trade", d.day);
            // It pays in USD and its fee is bought back like every other.
            assert!(
                d.wash_expected < 0.0,
                "{name} day {}: {}",
                d.day,
                d.wash_expected
            );
            assert!(
                d.wash_profit < 0.0,
                "{name} day {}: the wash trader made {} ACN",
                d.day,
                d.wash_profit
            );
        }
        let fees: f64 = out.days.iter().map(|d| d.wash_fee).sum();
        let profit: f64 = out.days.iter().map(|d| d.wash_profit).sum();
        println!("{name}: wash trader paid ${fees:.2} of fees, net ${profit:.2}");
        assert!(profit < -0.25 * fees, "{name}: {profit} on {fees} of fees");
    }
}

#[test]
fn the_conservation_check_catches_tokens_destroyed_outside_the_protocol() {
    let genesis = Genesis::load(None).unwrap();
    let scenario = Scenario::load("low", None).unwrap();
    let mut sim = Simulation::new(&genesis, scenario).unwrap();
    sim.run(3, |_| {}).unwrap();
    // Holders burn a token directly: no treasury distribution recorded it.
    let holders = sim.actor("holders").unwrap().clone();
    let token = sim.chain().deployment().token.clone();
    sim.chain().with_app(|app| {
        app.execute_contract(
            cosmwasm_std::Addr::unchecked(&holders.addr),
            cosmwasm_std::Addr::unchecked(&token),
            &acn_interface::token::ExecuteMsg::Burn {
                amount: cosmwasm_std::Uint128::new(TOKEN),
            },
            &[],
        )
        .unwrap();
    });
    let err = sim.run(1, |_| {}).unwrap_err().to_string();
    assert!(err.contains("conservation broken on day 4"), "{err}");
}

#[test]
fn csv_and_plots_are_written() {
    let genesis = Genesis::load(None).unwrap();
    let scenario = Scenario::load("high", None).unwrap();
    let out = simulate(&genesis, scenario, 20, |_| {}).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let written = write_outputs(&out, dir.path()).unwrap();
    let csv = std::fs::read_to_string(dir.path().join("daily.csv")).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], CSV_HEADER);
    assert_eq!(lines.len(), 21);
    assert!(lines[20].starts_with("20,"));
    for name in [
        "supply",
        "treasury",
        "provider_income",
        "unit_price",
        "token_price",
        "pool_flows",
        "staking_yield",
        "burn_vs_emission",
        "inflation",
        "flows",
        "treasury_flows",
        "dashboard",
    ] {
        let png = std::fs::read(dir.path().join(format!("{name}.png"))).unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "{name}.png");
        assert!(png.len() > 10_000, "{name}.png is {} bytes", png.len());
        let svg = std::fs::read_to_string(dir.path().join(format!("{name}.svg"))).unwrap();
        assert!(
            svg.contains("years since genesis"),
            "{name}.svg has no x label"
        );
    }
    let supply_svg = std::fs::read_to_string(dir.path().join("supply.svg")).unwrap();
    for label in ["million ACN", "circulating", "bonded", "burned", "emitted"] {
        assert!(supply_svg.contains(label), "supply.svg lacks {label:?}");
    }
    let price_svg = std::fs::read_to_string(dir.path().join("unit_price.svg")).unwrap();
    assert!(price_svg.contains("USD per compute unit"));
    let token_svg = std::fs::read_to_string(dir.path().join("token_price.svg")).unwrap();
    for label in ["USD per ACN", "pool price", "day 0: $0.0200"] {
        assert!(token_svg.contains(label), "token_price.svg lacks {label:?}");
    }
    let flows_svg = std::fs::read_to_string(dir.path().join("flows.svg")).unwrap();
    for label in ["vesting unlocked", "emitted", "burned"] {
        assert!(flows_svg.contains(label), "flows.svg lacks {label:?}");
    }
    let income_svg = std::fs::read_to_string(dir.path().join("provider_income.svg")).unwrap();
    for label in ["USD per GPU-day", "of which emissions", "cost per GPU-day"] {
        assert!(
            income_svg.contains(label),
            "provider_income.svg lacks {label:?}"
        );
    }
    assert_eq!(written.len(), 1 + 2 * 12);
}

#[test]
fn unknown_scenarios_and_bad_lengths_are_refused() {
    let err = Scenario::load("extreme", None).unwrap_err().to_string();
    assert!(err.contains("expected one of low, base, high"), "{err}");
    let genesis = Genesis::load(None).unwrap();
    let scenario = Scenario::load("low", None).unwrap();
    let err = simulate(&genesis, scenario, 0, |_| {})
        .unwrap_err()
        .to_string();
    assert!(err.contains("at least one day"), "{err}");
}

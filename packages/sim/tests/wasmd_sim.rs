//! The simulator on a wasmd node: the same engine as on the embedded chain, driving the
//! contracts through the chain trait with real transactions from its actors' accounts — a
//! fresh deployment of the genesis plan scaled to a 120-second day, then two days of the base
//! scenario: every day's conservation checks hold, the jobs settle (committed, audited and
//! revealed by the fleets' own accounts), their fees reach the buyback vault and buy ACN on the
//! pool, and 70 % of it is burned. Run by scripts/wasmd-e2e.sh (`--ignored`).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use acn_client::wasmd::{AccountsFile, WasmdConfig};
use acn_client::{Chain, ChainExt, WasmdChain};
use acn_interface::{buyback, market};
use acn_sim::chain::LocalnetSim;
use acn_sim::config::{Genesis, Scenario};
use acn_sim::deploy::deploy_localnet;
use acn_sim::engine::{units_per_provider, Simulation};

const DAYS: u64 = 2;
const DAY_SECONDS: u64 = 120;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn artifacts() -> PathBuf {
    let dir = root().join("artifacts");
    let missing = [
        "token",
        "staking",
        "treasury",
        "market",
        "emissions",
        "pool",
        "oracle",
        "buyback",
    ]
    .iter()
    .any(|c| !dir.join(format!("acn_{c}.wasm")).is_file());
    if missing {
        let status = Command::new("bash")
            .arg(root().join("scripts/build-wasm.sh"))
            .current_dir(root())
            .status()
            .expect("run scripts/build-wasm.sh");
        assert!(status.success(), "scripts/build-wasm.sh failed");
    }
    dir
}

#[test]
#[ignore = "needs a wasmd node: run by scripts/wasmd-e2e.sh"]
fn two_scaled_days_of_the_base_scenario_on_wasmd_conserve_and_settle() {
    let rpc = std::env::var("ACN_WASMD_RPC")
        .expect("ACN_WASMD_RPC is not set: start a node with `scripts/localnet.sh up`");
    let started = Instant::now();
    let chain = WasmdChain::new(WasmdConfig::new(&rpc)).expect("connect to the node");
    // The funder: a validator's account of the TEST-ONLY accounts file no other test signs with.
    let accounts = AccountsFile::load(root().join("scripts/localnet-accounts.json")).unwrap();
    let funder = accounts
        .accounts
        .iter()
        .find(|a| a.name == "val3")
        .expect("val3 in the accounts file");
    let run = format!(
        "test-{}",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    );
    let mut chain = LocalnetSim::new(chain, &funder.mnemonic, &run, DAY_SECONDS, "uusdc").unwrap();
    let genesis = Genesis::load(None).unwrap();
    let scenario = Scenario::load("base", None).unwrap();
    let units = units_per_provider(&genesis, &scenario);
    deploy_localnet(&mut chain, &genesis, units, &artifacts()).expect("deploy");
    let deployed = started.elapsed();
    let d = chain.deployment().clone();
    // The plan is scaled to the day: a price window of a day, unbonding of 14 days.
    let cfg: market::ConfigResponse = chain.market(&market::QueryMsg::Config {}).unwrap();
    assert_eq!(cfg.params.pricing.window, DAY_SECONDS);
    assert_eq!(cfg.params.max_job_lifetime, DAY_SECONDS);

    let mut sim = Simulation::on(chain, &genesis, scenario).expect("launch");
    let mut days = vec![];
    sim.run(DAYS, |r| {
        eprintln!(
            "day {}: {} providers, {} jobs, ${:.0} paid, {} buybacks (${:.0}), {:.1} ACN burned, ACN ${:.5}",
            r.day, r.providers, r.jobs, r.job_volume, r.buybacks, r.buyback_usd, r.burned_day, r.token_usd
        );
        days.push(r.clone());
    })
    .expect("the simulation runs on wasmd");
    let out = sim.outcome();
    assert_eq!(
        out.conservation_checks, DAYS,
        "a conservation check every day"
    );
    assert_eq!(out.chain, "acn-local-1");
    assert_eq!(out.day_seconds, DAY_SECONDS);
    for r in &days {
        assert!(
            r.jobs > 0 && r.served_gpu_days > 0.0,
            "day {}: no jobs",
            r.day
        );
        assert!(r.job_volume > 0.0 && r.wash_fee > 0.0, "day {}", r.day);
        assert!(
            r.buybacks > 0 && r.buyback_usd > 0.0,
            "day {}: no buyback",
            r.day
        );
        assert!(r.burned_day > 0.0, "day {}: nothing burned", r.day);
        let expected = 10_000_000_000.0 - r.burned_total;
        assert!((r.supply - expected).abs() < 1e-5, "day {}", r.day);
    }
    // Every job the simulation submitted settled (the fleets' jobs and the wash trader's).
    let jobs: u64 = days.iter().map(|r| u64::from(r.jobs)).sum::<u64>() + DAYS;
    let totals: market::TotalsResponse = sim.chain().market(&market::QueryMsg::Totals {}).unwrap();
    assert_eq!(totals.jobs_submitted, jobs);
    assert_eq!(totals.jobs_settled, jobs);
    assert_eq!(totals.stable.escrow.u128(), 0);
    // Their fees reached the vault (the market's fee recipient) and bought ACN, 70 % burned.
    let vault = d.buyback.clone().unwrap();
    let st: buyback::StateResponse = sim
        .chain()
        .query(&vault, &buyback::QueryMsg::State {})
        .unwrap();
    // (the market pays them by bank send: what the vault holds plus what it spent)
    assert_eq!(
        st.stable_balance.u128() + st.totals.stable_spent.u128(),
        totals.stable.fees.u128()
    );
    assert!(st.totals.buys > 0 && !st.totals.stable_spent.is_zero());
    assert!(
        st.totals
            .burned
            .u128()
            .abs_diff(st.totals.acn_bought.u128() * 7 / 10)
            <= st.totals.buys as u128,
        "{:?}",
        st.totals
    );
    eprintln!(
        "wasmd simulation: deployed in {:.0} s, {DAYS} days ({DAY_SECONDS} s each) in {:.0} s, {} transactions, {:.0} s in all",
        deployed.as_secs_f64(),
        out.wall.as_secs_f64(),
        out.transactions,
        started.elapsed().as_secs_f64()
    );
}

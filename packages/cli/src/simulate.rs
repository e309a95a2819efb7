//! `acn simulate`: the tokenomics simulator over the real contracts (see `acn_sim`).

use std::path::PathBuf;

use anyhow::{ensure, Result};
use clap::Args;

use acn_sim::config::{Genesis, Scenario};
use acn_sim::engine::simulate;
use acn_sim::report::{summary, write_outputs};

/// Options of `acn simulate`.
#[derive(Args, Debug)]
pub struct SimulateOptions {
    /// Adoption scenario: low, base or high (defined in the scenarios file).
    #[arg(long, value_parser = ["low", "base", "high"])]
    pub scenario: String,
    /// Years to simulate, in daily steps (1–20).
    #[arg(long, default_value_t = 5)]
    pub years: u32,
    /// Directory for daily.csv and the plots (created if missing).
    #[arg(long)]
    pub out: PathBuf,
    /// Genesis config (defaults to the shipped packages/client/genesis.toml).
    #[arg(long)]
    pub genesis: Option<PathBuf>,
    /// Scenarios file (defaults to the shipped packages/sim/scenarios.toml).
    #[arg(long)]
    pub scenarios: Option<PathBuf>,
}

/// Run the simulation, write the outputs, print the summary.
pub fn run(opts: SimulateOptions) -> Result<()> {
    ensure!(
        (1..=20).contains(&opts.years),
        "--years must be between 1 and 20"
    );
    let genesis = Genesis::load(opts.genesis.as_deref())?;
    let scenario = Scenario::load(&opts.scenario, opts.scenarios.as_deref())?;
    // Fail on a missing font before a run of minutes, not after.
    acn_sim::report::ensure_font()?;
    let days = opts.years as u64 * 365;
    eprintln!(
        "simulating {} days of the {} scenario on the embedded chain (real contracts)…",
        days, opts.scenario
    );
    let outcome = simulate(&genesis, scenario, days, |d| {
        if d.day.is_multiple_of(182) {
            eprintln!(
                "  day {:>4}: {:>3} providers, unit price ${:.4}, ACN ${:.4}, burn {:>9.0} / emission {:>9.0} ACN per day",
                d.day, d.providers, d.unit_price, d.token_usd, d.burned_day, d.emitted_day
            );
        }
    })?;
    let written = write_outputs(&outcome, &opts.out)?;
    print!("{}", summary(&outcome));
    println!("  wrote {} files to {}:", written.len(), opts.out.display());
    for p in written {
        println!("    {}", p.display());
    }
    Ok(())
}

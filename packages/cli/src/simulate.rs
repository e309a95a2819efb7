//! `acn simulate`: the tokenomics simulator over the real contracts (see `acn_sim`), on the
//! embedded chain (default: years in minutes) or, with `--chain NAME`, on a wasmd node for a
//! few days whose length `--day-seconds` sets.

use std::path::PathBuf;
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::{bail, ensure, Context, Result};
use clap::Args;

use acn_cli::connect::ConnectArgs;
use acn_client::WasmdChain;
use acn_sim::chain::LocalnetSim;
use acn_sim::config::{Genesis, Scenario};
use acn_sim::deploy::deploy_localnet;
use acn_sim::engine::{simulate, simulate_on, units_per_provider, DayRecord};
use acn_sim::report::{summary, write_outputs};

/// The funder on the localnet when `--from` does not name one: a validator's account of the
/// TEST-ONLY accounts file that no other command or test signs with.
pub const DEFAULT_FUNDER: &str = "val3";
/// A simulated day on a node, seconds, unless `--day-seconds` says otherwise.
pub const DEFAULT_DAY_SECONDS: u64 = 120;

/// Options of `acn simulate`.
#[derive(Args, Debug)]
pub struct SimulateOptions {
    /// Adoption scenario: low, base or high (defined in the scenarios file).
    #[arg(long, value_parser = ["low", "base", "high"])]
    pub scenario: String,
    /// Years to simulate, in daily steps (1–20; the embedded chain only).
    #[arg(long, default_value_t = 5, conflicts_with = "days")]
    pub years: u32,
    /// Days to simulate instead of --years (1–7300; required on a node).
    #[arg(long)]
    pub days: Option<u64>,
    /// Directory for daily.csv and the plots (created if missing).
    #[arg(long)]
    pub out: PathBuf,
    /// Genesis config (defaults to the shipped packages/client/genesis.toml).
    #[arg(long)]
    pub genesis: Option<PathBuf>,
    /// Scenarios file (defaults to the shipped packages/sim/scenarios.toml).
    #[arg(long)]
    pub scenarios: Option<PathBuf>,
    /// On a node: seconds of chain time a simulated day lasts (at least 60; the plan's periods
    /// are scaled to it, within the contracts' lower bounds).
    #[arg(long)]
    pub day_seconds: Option<u64>,
    /// On a node: the release wasm to deploy (scripts/build-wasm.sh writes them).
    #[arg(long, default_value = "artifacts")]
    pub artifacts: PathBuf,
    /// `embedded` (the default) or a chain profile to run on a wasmd node (`localnet`); on a
    /// node `--from` names the funder, the account whose keys (`--keys`) pay every actor's
    /// gas and bring the USD (default on the localnet: val3).
    #[command(flatten)]
    pub connect: ConnectArgs,
}

/// Run the simulation, write the outputs, print the summary.
pub fn run(opts: SimulateOptions) -> Result<()> {
    let genesis = Genesis::load(opts.genesis.as_deref())?;
    let scenario = Scenario::load(&opts.scenario, opts.scenarios.as_deref())?;
    // Fail on a missing font before a run of minutes, not after.
    acn_sim::report::ensure_font()?;
    let on_node = opts
        .connect
        .chain
        .as_deref()
        .is_some_and(|c| c != "embedded");
    let progress = |d: &DayRecord, every: u64| {
        if d.day.is_multiple_of(every) {
            eprintln!(
                "  day {:>4}: {:>3} providers, {} jobs, unit price ${:.4}, ACN ${:.4}, burn {:>9.0} / emission {:>9.0} ACN per day",
                d.day, d.providers, d.jobs, d.unit_price, d.token_usd, d.burned_day, d.emitted_day
            );
        }
    };
    let outcome = if on_node {
        let days = opts
            .days
            .context("--days: a run on a node needs its length in days (e.g. --days 3)")?;
        ensure!(
            (1..=365).contains(&days),
            "--days must be between 1 and 365 on a node"
        );
        let day_seconds = opts.day_seconds.unwrap_or(DEFAULT_DAY_SECONDS);
        ensure!(
            day_seconds >= 60,
            "--day-seconds must be at least 60 (the oracle's shortest TWAP window), got {day_seconds}"
        );
        let chain = connect_node(&opts, &genesis, day_seconds)?;
        let mut chain = chain;
        eprintln!(
            "deploying on {} (run {}, a day = {day_seconds} s)…",
            acn_sim::chain::SimChain::label(&chain),
            chain.run()
        );
        let units = units_per_provider(&genesis, &scenario);
        deploy_localnet(&mut chain, &genesis, units, &opts.artifacts)?;
        eprintln!(
            "simulating {days} days of the {} scenario on {}…",
            opts.scenario,
            acn_sim::chain::SimChain::label(&chain)
        );
        simulate_on(chain, &genesis, scenario, days, |d| progress(d, 1))?
    } else {
        ensure!(
            opts.day_seconds.is_none(),
            "--day-seconds applies to a run on a node (--chain NAME); a day on the embedded chain is 86 400 s"
        );
        let days = match opts.days {
            Some(d) => d,
            None => {
                ensure!(
                    (1..=20).contains(&opts.years),
                    "--years must be between 1 and 20"
                );
                opts.years as u64 * 365
            }
        };
        eprintln!(
            "simulating {} days of the {} scenario on the embedded chain (real contracts)…",
            days, opts.scenario
        );
        simulate(&genesis, scenario, days, |d| progress(d, 182))?
    };
    let written = write_outputs(&outcome, &opts.out)?;
    print!("{}", summary(&outcome));
    println!("  wrote {} files to {}:", written.len(), opts.out.display());
    for p in written {
        println!("    {}", p.display());
    }
    Ok(())
}

/// Connect to the node of `--chain`, with the funder's key (`--from`, else [`DEFAULT_FUNDER`] on
/// the localnet) and a run name of this moment.
fn connect_node(
    opts: &SimulateOptions,
    genesis: &Genesis,
    day_seconds: u64,
) -> Result<LocalnetSim> {
    let env = |k: &str| std::env::var(k).ok();
    let profile = opts.connect.profile()?;
    let funder = match opts.connect.signing_account(&env) {
        Some(f) => f,
        None if profile.is_localnet() => DEFAULT_FUNDER.to_string(),
        None => {
            bail!("--from: name the funder account (it pays the actors' gas and brings the USD)")
        }
    };
    let keys = opts.connect.key_source(&profile, &env)?;
    let mnemonic = keys
        .mnemonic(&funder, &env)
        .with_context(|| format!("the funder {funder}'s key"))?;
    let chain = WasmdChain::from_profile(&profile).with_context(|| {
        format!(
            "cannot connect to {} (chain profile {}, chain id {})",
            profile.rpc, profile.name, profile.chain_id
        )
    })?;
    let stable = genesis
        .amm
        .as_ref()
        .map(|a| a.stable_denom.clone())
        .context("the genesis has no [amm] pool")?;
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    let run = format!("{nanos:x}");
    LocalnetSim::new(chain, &mnemonic, &run, day_seconds, &stable)
}

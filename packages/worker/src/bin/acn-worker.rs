//! `acn-worker`: a provider's binary.
//!
//! - `acn-worker check --config worker.toml` — open the backend, load and verify every served
//!   model's weights (sha256), warm each up and run it once; the backend is chosen here, at the
//!   binary's edge.
//! - `acn-worker status --config worker.toml` — earnings and jobs from the journal.
//! - `acn-worker register --config worker.toml [--bond TOKENS]` — bond stake (CW20 `Send` to
//!   staking) if the account holds less than the market's minimum, and register as a provider
//!   of the configured models, on the chain of the config's `[chain]` table.
//! - `acn-worker run --config worker.toml` — the job loop on that chain: claim, run the model
//!   with burn, commit, reveal, settle; resumes from the journal after a crash.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use clap::{Parser, Subcommand};
use cosmwasm_std::Uint128;

use acn_client::{Chain, ChainExt, WasmdChain, WasmdConfig};
use acn_interface::{market, staking};
use acn_models::Engine;
use acn_worker::{Earnings, Journal, Stage, Worker, WorkerConfig};

#[derive(Parser)]
#[command(name = "acn-worker", version, about = "ACN provider worker")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Load, verify, warm up and run every served model once.
    Check {
        /// Worker TOML config.
        #[arg(long)]
        config: PathBuf,
    },
    /// Show jobs and earnings recorded in the journal.
    Status {
        /// Worker TOML config.
        #[arg(long)]
        config: PathBuf,
    },
    /// Bond stake if needed and register as a provider on the configured chain.
    Register {
        /// Worker TOML config (with a `[chain]` table).
        #[arg(long)]
        config: PathBuf,
        /// Bond up to this many whole tokens (default: the market's minimum provider stake).
        #[arg(long)]
        bond: Option<u128>,
    },
    /// Work on the configured chain until killed.
    Run {
        /// Worker TOML config (with a `[chain]` table).
        #[arg(long)]
        config: PathBuf,
    },
}

/// Default log filter (`RUST_LOG` overrides it). wgpu probes OpenGL (EGL) next to Vulkan and
/// logs an ERROR when Mesa has no GL driver; the engine never uses OpenGL, so that probe is
/// silenced.
const DEFAULT_LOG_FILTER: &str = "info,wgpu_hal::gles=off";

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(DEFAULT_LOG_FILTER)),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let result = match Cli::parse().command {
        Command::Check { config } => check(&config),
        Command::Status { config } => status(&config),
        Command::Register { config, bond } => register(&config, bond),
        Command::Run { config } => run(&config),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Open the configured backend (the one place a backend is chosen).
pub fn open_engine(config: &WorkerConfig) -> anyhow::Result<Engine> {
    let mut engine = Engine::new(config.backend)?;
    let registry = acn_models::load_registry(&config.registry)?;
    for id in &config.models {
        let entry = registry
            .iter()
            .find(|e| &e.spec.id == id)
            .ok_or_else(|| anyhow::anyhow!("model {id} is not in {}", config.registry.display()))?;
        engine.load(entry, &config.weights_dir())?;
    }
    Ok(engine)
}

fn check(path: &std::path::Path) -> anyhow::Result<()> {
    let config = WorkerConfig::load(path)?;
    let engine = open_engine(&config)?;
    println!("device: {}", engine.device_name());
    for id in &config.models {
        let spec = engine
            .spec(id)
            .ok_or_else(|| anyhow::anyhow!("model {id} not loaded"))?
            .clone();
        let t = Instant::now();
        engine.warm_up(id)?;
        let warm = t.elapsed();
        let input = vec![0u8; spec.input.item_bytes() as usize];
        let t = Instant::now();
        let out = engine.run(id, &input, 1)?;
        println!(
            "{id}: weights {}… verified; warm-up {:.2} s; one item in {:.1} ms → {} output bytes",
            &spec.weights_sha256[..16],
            warm.as_secs_f64(),
            t.elapsed().as_secs_f64() * 1e3,
            out.len()
        );
    }
    Ok(())
}

/// Connect to the chain named by the config's `[chain]` table.
fn connect(config: &WorkerConfig) -> anyhow::Result<WasmdChain> {
    let chain = config.chain.as_ref().ok_or_else(|| {
        anyhow::anyhow!("the config has no [chain] table (rpc, accounts, deployment)")
    })?;
    let mut wasmd = WasmdConfig::new(&chain.rpc);
    wasmd.tx_timeout = std::time::Duration::from_secs(chain.tx_timeout_secs.max(1));
    WasmdChain::connect_with(wasmd, &chain.accounts, &chain.deployment).with_context(|| {
        format!(
            "cannot connect to {} with deployment {}",
            chain.rpc,
            chain.deployment.display()
        )
    })
}

fn register(path: &std::path::Path, bond: Option<u128>) -> anyhow::Result<()> {
    let config = WorkerConfig::load(path)?;
    let chain = connect(&config)?;
    let address = chain.address(&config.account)?;
    let cfg: market::ConfigResponse = chain.market(&market::QueryMsg::Config {})?;
    let min_stake = cfg.params.min_provider_stake.u128();
    let target = bond.map_or(min_stake, |t| t * market::TOKEN).max(min_stake);
    let bonded = chain.stake(&address)?.bonded.u128();
    if bonded < target {
        let amount = target - bonded;
        let staking = chain.deployment().staking.clone();
        chain.send_tokens(
            &config.account,
            &staking,
            amount,
            &staking::ReceiveMsg::Bond {},
        )?;
        println!("bonded {amount} base units (now {target})");
    }
    let hardware = market::Hardware {
        backend: config.backend.name().into(),
        device: open_engine(&config)?.device_name().to_string(),
        memory_mb: 0,
    };
    let known: Result<market::ProviderResponse, _> = chain.market(&market::QueryMsg::Provider {
        address: address.clone(),
    });
    let msg = if known.is_ok() {
        market::ExecuteMsg::UpdateProvider {
            hardware: Some(hardware),
            models: Some(config.models.clone()),
            min_unit_price: Some(Uint128::new(config.min_unit_price)),
        }
    } else {
        market::ExecuteMsg::RegisterProvider {
            hardware,
            models: config.models.clone(),
            min_unit_price: Uint128::new(config.min_unit_price),
        }
    };
    let tx = chain.market_exec(&config.account, &msg)?;
    println!(
        "{} {address} for {:?} (height {}, gas {})",
        if known.is_ok() {
            "updated"
        } else {
            "registered"
        },
        config.models,
        tx.height,
        tx.gas_used
    );
    Ok(())
}

fn run(path: &std::path::Path) -> anyhow::Result<()> {
    let config = WorkerConfig::load(path)?;
    let chain: Arc<dyn Chain + Send + Sync> = Arc::new(connect(&config)?);
    let engine = open_engine(&config)?;
    for id in &config.models {
        let t = Instant::now();
        engine.warm_up(id)?;
        tracing::info!(model = %id, device = %engine.device_name(), seconds = t.elapsed().as_secs_f64(), "warmed up");
    }
    let specs: Vec<market::ModelSpec> = acn_models::load_registry(&config.registry)?
        .into_iter()
        .map(|e| e.spec)
        .collect();
    let mut worker = Worker::new(chain, engine, config, &specs)?;
    tracing::info!(address = %worker.address(), "worker running");
    worker.run(|| false)
}

fn status(path: &std::path::Path) -> anyhow::Result<()> {
    let config = WorkerConfig::load(path)?;
    let journal = Journal::open(&config.journal)?;
    let e = Earnings::from_journal(&journal);
    println!("account:    {}", config.account);
    println!("journal:    {}", config.journal.display());
    println!(
        "finished:   {} (agreed {}, outvoted {}, missed {})",
        e.finished, e.agreed, e.outvoted, e.missed
    );
    println!("in flight:  {}", e.in_flight);
    println!("earned:     {} base units", e.paid);
    println!();
    println!(
        "{:>8}  {:<16} {:<10} {:<10} {:<10} {:>12}",
        "job", "model", "stage", "status", "outcome", "paid"
    );
    for entry in journal.entries() {
        println!(
            "{:>8}  {:<16} {:<10} {:<10} {:<10} {:>12}",
            entry.job_id,
            entry.model_id,
            format!("{:?}", entry.stage),
            entry.status.as_deref().unwrap_or("-"),
            entry.outcome.as_deref().unwrap_or("-"),
            if entry.stage == Stage::Finished {
                entry.paid.to_string()
            } else {
                "-".into()
            }
        );
    }
    Ok(())
}

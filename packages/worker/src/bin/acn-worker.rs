//! `acn-worker`: a provider's binary.
//!
//! - `acn-worker check --config worker.toml` — open the backend, load and verify every served
//!   model's weights (sha256), warm each up and run it once; the backend is chosen here, at the
//!   binary's edge.
//! - `acn-worker status --config worker.toml [--output json]` — the provider's account on the
//!   chain of the config's `[chain]` table (stake bonded, locked at risk and unbonding, claims
//!   with their dates, registration, reputation, slashes and jail, unfinished jobs), then the
//!   journal's jobs and earnings. Without a `[chain]` table: the journal only.
//! - `acn-worker register --config worker.toml [--bond TOKENS]` — bond stake (CW20 `Send` to
//!   staking) if the account holds less than the market's minimum (or `--bond`), and register
//!   as a provider of the configured models (again after a `deregister`; an active provider's
//!   registration is updated).
//! - `acn-worker deregister --config worker.toml` — leave the market (refused, with the job ids,
//!   while jobs are still assigned); the stake stays bonded.
//! - `acn-worker unbond --config worker.toml --amount TOKENS` — move bonded stake into an
//!   unbonding claim and print the date it matures (refused beyond the bonded stake, below the
//!   stake at risk in unfinished jobs, or with too many open claims).
//! - `acn-worker run --config worker.toml [--metrics-addr 127.0.0.1:9464]` — the job loop on that
//!   chain: run the model with burn, commit, reveal, settle; resumes from the journal after a
//!   crash. With `--metrics-addr` or a `[metrics]` table it serves Prometheus `/metrics` and
//!   `/healthz` (off otherwise).
//! - `acn-worker keep --config worker.toml [--every-ms 2000]` — keep subscriptions running:
//!   trigger the due runs of the deployment's subscriptions contract (each pays the keeper
//!   reward) and move their agent runs on (`Advance` once a step has an outcome); beside `run`
//!   or alone.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::{Parser, Subcommand, ValueEnum};
use serde::Serialize;

use acn_client::{Chain, WasmdChain, WasmdConfig};
use acn_interface::market;
use acn_models::Engine;
use acn_worker::provider::{self, Registration};
use acn_worker::units::parse_tokens;
use acn_worker::{Journal, Metrics, MetricsConfig, MetricsServer, Worker, WorkerConfig};

#[derive(Parser)]
#[command(name = "acn-worker", version, about = "ACN provider worker")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// How a command prints its result.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
enum Output {
    /// For a person.
    #[default]
    Text,
    /// One JSON document (amounts in base units, as strings).
    Json,
}

#[derive(Subcommand)]
enum Command {
    /// Load, verify, warm up and run every served model once.
    Check {
        /// Worker TOML config.
        #[arg(long)]
        config: PathBuf,
    },
    /// Show the provider's account on chain (stake, claims, reputation, slashes, jobs) and the
    /// journal's jobs and earnings.
    Status {
        /// Worker TOML config (on-chain part only with a `[chain]` table).
        #[arg(long)]
        config: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Output::Text)]
        output: Output,
    },
    /// Bond stake if needed and register as a provider on the configured chain.
    Register {
        /// Worker TOML config (with a `[chain]` table).
        #[arg(long)]
        config: PathBuf,
        /// Bond up to this many tokens (default: the market's minimum provider stake).
        #[arg(long, value_name = "TOKENS", value_parser = parse_tokens)]
        bond: Option<u128>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Output::Text)]
        output: Output,
    },
    /// Leave the market: no new jobs are assigned; the stake stays bonded.
    Deregister {
        /// Worker TOML config (with a `[chain]` table).
        #[arg(long)]
        config: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Output::Text)]
        output: Output,
    },
    /// Move bonded stake into an unbonding claim; prints when it matures.
    Unbond {
        /// Worker TOML config (with a `[chain]` table).
        #[arg(long)]
        config: PathBuf,
        /// Tokens to unbond (up to 6 decimals, e.g. 250 or 12.5).
        #[arg(long, value_name = "TOKENS", value_parser = parse_tokens)]
        amount: u128,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Output::Text)]
        output: Output,
    },
    /// Keep subscriptions running until killed: every `--every-ms`, trigger the subscriptions
    /// due now as the config's account (each pays the keeper reward), and advance their agent
    /// runs whose step has an outcome. Runs beside `run`.
    Keep {
        /// Worker TOML config (with a `[chain]` table).
        #[arg(long)]
        config: PathBuf,
        /// Milliseconds between looks at the due queue.
        #[arg(long, default_value_t = 2_000)]
        every_ms: u64,
    },
    /// Work on the configured chain until killed.
    Run {
        /// Worker TOML config (with a `[chain]` table).
        #[arg(long)]
        config: PathBuf,
        /// Serve `/metrics` and `/healthz` on this address (e.g. 127.0.0.1:9464); overrides
        /// the config's `[metrics] listen`.
        #[arg(long, value_name = "ADDR")]
        metrics_addr: Option<String>,
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
        Command::Status { config, output } => status(&config, output),
        Command::Register {
            config,
            bond,
            output,
        } => register(&config, bond, output),
        Command::Deregister { config, output } => deregister(&config, output),
        Command::Unbond {
            config,
            amount,
            output,
        } => unbond(&config, amount, output),
        Command::Run {
            config,
            metrics_addr,
        } => run(&config, metrics_addr),
        Command::Keep { config, every_ms } => keep(&config, every_ms),
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

fn check(path: &Path) -> anyhow::Result<()> {
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
        let input = match spec.input.dtype {
            market::DType::Utf8 => {
                market::encode_text_items(&["A sentence to check the model with."])
            }
            _ => vec![0u8; spec.input.item_bytes() as usize],
        };
        let t = Instant::now();
        let out = if spec.input.dtype == market::DType::Training {
            // One epoch on two zero items (label 0): the trainer runs end to end.
            let item = spec.input.item_bytes() as usize;
            let request = acn_interface::training::TrainingRequest {
                epochs: 1,
                batch_size: 1,
                learning_rate_ppm: 1_000,
                seed: 0,
                train_items: 1,
                held_out_items: 1,
                dataset: acn_interface::training::Dataset::Inline(vec![0; 2 * item]),
            };
            let mut no_fetch = |_: &str, _: &[u8; 32]| {
                Err(acn_interface::training::TrainingStatus::DatasetUnavailable)
            };
            engine.train(id, &request.encode(), &mut no_fetch)?.output()
        } else {
            engine.run(id, &input, 1)?
        };
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

/// `keep`: trigger due subscriptions and move their agent runs on, forever (a chain error is
/// logged and retried).
fn keep(path: &Path, every_ms: u64) -> anyhow::Result<()> {
    let config = WorkerConfig::load(path)?;
    let chain = connect(&config)?;
    if chain.deployment().subscriptions.is_none() {
        anyhow::bail!("the deployment has no subscriptions contract: nothing to keep");
    }
    loop {
        if let Err(e) = acn_worker::keeper::trigger_due(&chain, &config.account, 30) {
            tracing::warn!(error = %e, "keeper: chain unavailable; retrying");
        }
        // Agent runs of subscriptions wait after each step for an `Advance`.
        if let Err(e) = acn_worker::keeper::advance_runs(&chain, &config.account, 30) {
            tracing::warn!(error = %e, "keeper: chain unavailable; retrying");
        }
        std::thread::sleep(std::time::Duration::from_millis(every_ms));
    }
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

/// Print `value` as text or JSON.
fn print<T: Serialize + std::fmt::Display>(value: &T, output: Output) -> anyhow::Result<()> {
    match output {
        Output::Text => println!("{value}"),
        Output::Json => println!("{}", serde_json::to_string_pretty(value)?),
    }
    Ok(())
}

fn register(path: &Path, bond: Option<u128>, output: Output) -> anyhow::Result<()> {
    let config = WorkerConfig::load(path)?;
    let chain = connect(&config)?;
    let hardware = market::Hardware {
        backend: config.backend.name().into(),
        device: open_engine(&config)?.device_name().to_string(),
        memory_mb: 0,
        endpoint: config.metrics.as_ref().and_then(|m| m.endpoint.clone()),
    };
    let registered = provider::register(
        &chain,
        &config.account,
        Registration {
            models: config.models.clone(),
            min_unit_price: config.min_unit_price,
            hardware,
            bond,
        },
    )?;
    print(&registered, output)
}

fn deregister(path: &Path, output: Output) -> anyhow::Result<()> {
    let config = WorkerConfig::load(path)?;
    let chain = connect(&config)?;
    print(&provider::deregister(&chain, &config.account)?, output)
}

fn unbond(path: &Path, amount: u128, output: Output) -> anyhow::Result<()> {
    let config = WorkerConfig::load(path)?;
    let chain = connect(&config)?;
    print(&provider::unbond(&chain, &config.account, amount)?, output)
}

fn run(path: &Path, metrics_addr: Option<String>) -> anyhow::Result<()> {
    let mut config = WorkerConfig::load(path)?;
    if let Some(addr) = metrics_addr {
        let mut m = config
            .metrics
            .take()
            .unwrap_or_else(|| MetricsConfig::on(&addr));
        m.listen = addr;
        m.check()?;
        config.metrics = Some(m);
    }
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
    let metrics_config = config.metrics.clone();
    let trained = acn_worker::training::TrainedStore::open(&config.trained_dir())?;
    let mut worker = Worker::new(chain, engine, config, &specs)?;
    // Kept alive while the loop runs; stopped when dropped.
    let _server = match metrics_config {
        Some(m) => {
            let metrics = Arc::new(Metrics::new(Duration::from_secs(m.health_max_age_secs)));
            worker = worker.with_metrics(metrics.clone());
            let server = MetricsServer::start_with_weights(&m.listen, metrics, Some(trained))?;
            tracing::info!(addr = %server.local_addr(), "serving /metrics, /healthz and /weights/<sha256>");
            Some(server)
        }
        None => None,
    };
    tracing::info!(address = %worker.address(), "worker running");
    worker.run(|| false)
}

fn status(path: &Path, output: Output) -> anyhow::Result<()> {
    let config = WorkerConfig::load(path)?;
    let journal = Journal::open(&config.journal)?;
    let chain = config
        .chain
        .as_ref()
        .map(|_| connect(&config))
        .transpose()?;
    let report = acn_worker::status::status_report(
        chain.as_ref().map(|c| c as &dyn Chain),
        &config.account,
        &journal,
    )?;
    print(&report, output)
}

//! `acn-worker`: a provider's binary.
//!
//! - `acn-worker check --config worker.toml` — open the backend, load and verify every served
//!   model's weights (sha256), warm each up and run it once; the backend is chosen here, at the
//!   binary's edge.
//! - `acn-worker status --config worker.toml` — earnings and jobs from the journal.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::{Parser, Subcommand};

use acn_models::{Backend, Engine};
use acn_worker::config::BackendChoice;
use acn_worker::{Earnings, Journal, Stage, WorkerConfig};

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
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let result = match Cli::parse().command {
        Command::Check { config } => check(&config),
        Command::Status { config } => status(&config),
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
    let backend = match config.backend {
        BackendChoice::Wgpu => Backend::Wgpu,
        BackendChoice::Ndarray => Backend::Ndarray,
    };
    let mut engine = Engine::new(backend)?;
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

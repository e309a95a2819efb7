//! `acn`: the command line of ACN.
//!
//! - `acn deploy` — deploy the whole system on a wasmd chain from the genesis file.
//! - `acn status` — what is deployed: contracts, owners, parameters, supply, burned, escrow.
//! - `acn demo` — the whole economy on the embedded chain with real contracts and real models
//!   (feature `embedded`).
//! - `acn train` — regenerate the model zoo's weights and registry deterministically.
//! - `acn gov propose|vote|execute|show|close|list` — governance of a wasmd deployment through
//!   its DAO.
//! - `acn job quote|submit|show|wait|list|expire` — buy model jobs.
//! - `acn stake bond|unbond|claim|rewards|status` — stake the token.
//! - `acn keys add|show|delete` — signing keys in the OS keyring; any key source's address.
//! - `acn simulate` — the tokenomics simulator over the real contracts, with CSV and plots, on
//!   the embedded chain or a wasmd node (feature `embedded`).

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[cfg(feature = "embedded")]
mod demo;
mod deploy;
mod gov;
mod keys;
#[cfg(feature = "embedded")]
mod simulate;

/// ACN — AI Compute Network.
#[derive(Parser)]
#[command(name = "acn", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the whole economy on the embedded chain: deploy, register models, start provider
    /// workers (burn/wgpu), submit real jobs from buyers, settle, distribute, report.
    #[cfg(feature = "embedded")]
    Demo(demo::DemoOptions),
    /// Deploy the whole system on a wasmd chain from the genesis file and hand it to the DAO
    /// (idempotent: re-running resumes or does nothing).
    Deploy {
        #[command(flatten)]
        chain: deploy::ChainArgs,
        #[command(flatten)]
        opts: deploy::DeployOptions,
    },
    /// The deployment: contracts, code ids, owners, parameters, supply, burned, escrow.
    Status {
        #[command(flatten)]
        chain: deploy::ChainArgs,
    },
    /// Retrain every model of the zoo and rewrite its weights and registry.
    Train {
        /// Directory holding registry.json and weights/ (default: $ACN_MODELS_DIR, else the
        /// installed models directory, else the build tree's packages/models).
        #[arg(long)]
        out: Option<std::path::PathBuf>,
        /// Training seed.
        #[arg(long, default_value_t = acn_models::train::DEFAULT_SEED)]
        seed: u64,
    },
    /// Governance of a wasmd deployment: propose, vote, execute, show, close, list DAO proposals.
    Gov(gov::GovOptions),
    /// Buy model jobs: quote, submit an input file, wait for and decode the result, list,
    /// expire.
    Job(acn_cli::job::JobOptions),
    /// Stake the token: bond, unbond, claim, rewards, status (amounts in whole ACN).
    Stake(acn_cli::stake::StakeOptions),
    /// Subscriptions: a job every N seconds from a prepaid stable balance — create, topup,
    /// cancel, show; trigger and due for keepers.
    Sub(acn_cli::sub::SubOptions),
    /// Agents: publish a pipeline of market models, run it for one escrow paid step by step,
    /// follow a run to its end — publish, show, list, run, wait.
    Agent(acn_cli::agent::AgentOptions),
    /// Signing keys: store one in the OS keyring, show an account's address, delete one.
    Keys(keys::KeysOptions),
    /// Simulate the token economy day by day with the real contracts under an adoption
    /// scenario — on the embedded chain, or for a few scaled-down days on a wasmd node
    /// (`--chain localnet --days N`); write daily.csv and plots; print the summary.
    #[cfg(feature = "embedded")]
    Simulate(simulate::SimulateOptions),
}

/// Default log filter (`RUST_LOG` overrides it). wgpu probes OpenGL (EGL) next to Vulkan and
/// logs an ERROR when Mesa has no GL driver; the engine never uses OpenGL, so that probe is
/// silenced.
const DEFAULT_LOG_FILTER: &str = "warn,wgpu_hal::gles=off";

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(DEFAULT_LOG_FILTER)),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let result = match cli.command {
        #[cfg(feature = "embedded")]
        Command::Demo(opts) => demo::run(opts).map(|_| ()),
        Command::Deploy { chain, opts } => deploy::run_deploy(&chain, &opts),
        Command::Status { chain } => deploy::run_status(&chain),
        Command::Train { out, seed } => train(out, seed),
        Command::Gov(opts) => gov::run(opts),
        Command::Job(opts) => acn_cli::job::run(opts),
        Command::Stake(opts) => acn_cli::stake::run(opts),
        Command::Sub(opts) => acn_cli::sub::run(opts),
        Command::Agent(opts) => acn_cli::agent::run_command(opts),
        Command::Keys(opts) => keys::run(opts),
        #[cfg(feature = "embedded")]
        Command::Simulate(opts) => simulate::run(opts),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn train(out: Option<std::path::PathBuf>, seed: u64) -> anyhow::Result<()> {
    let dir = out.unwrap_or_else(acn_models::registry::models_dir);
    let reports = acn_models::train::regenerate(&dir, seed)?;
    for r in reports {
        println!(
            "{:<16} {:?}  sha256 {}  ({:.1} s)",
            r.model_id, r.metric, r.weights_sha256, r.train_seconds
        );
    }
    println!("registry and weights written to {}", dir.display());
    Ok(())
}

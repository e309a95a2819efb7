//! `acn job quote|submit|show|wait|list|expire`: the buyer's commands.
//!
//! ```text
//! acn job quote  --model digits-mlp-v1 --input digits.csv [--redundancy 2] [--from buyer-1]
//! acn job submit --from buyer-1 --model digits-mlp-v1 --input digits.csv [--redundancy 1]
//! acn job wait   --from buyer-1 7        # reveals the audit secret when asked, prints the result
//! acn job show   7
//! acn job list   --from buyer-1 [--status expired] [--limit 20]
//! acn job expire --from buyer-1 7        # refund a job whose deadline passed
//! acn job train  --from buyer-1 --model train-digits-mlp-v1 --dataset digits.csv --held-out 200 \
//!                --epochs 10 --batch-size 32 --learning-rate 0.002 --seed 42 [--dataset-url URL]
//! acn job weights 9 --out mlp.bpk          # a settled training job's weights, sha256 checked
//! ```
//!
//! The input is read from a file in the model's format (see [`acn_client::codec`]): CSV rows,
//! a JSON array (or array of arrays) or text lines. A redundancy-1 job carries the buyer's audit
//! commitment `sha256(secret)`; the secret is written before the submission to
//! `<data dir>/audit-secrets/<chain id>/<market>/<commitment>.hex` (data dir: `--data-dir`,
//! `$ACN_DATA_DIR`, `$XDG_DATA_HOME/acn`, or `~/.local/share/acn`), and `wait` reveals it once the
//! provider has committed (the market then sends 10 % of such jobs to a second provider). Jobs of
//! redundancy 2 or more need no secret.
//!
//! Every command's logic is a function over [`Chain`], so it runs on wasmd and on the embedded
//! chain alike; [`run`] only parses, connects and prints. `buy` holds models, inputs, quotes and
//! submissions; `secrets` the audit secrets; `progress` the phase, [`nudge`] and [`wait`]; `view`
//! what `show` prints, why a job ended as it did ([`explain`]), `list` and `expire`.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::bail;

use acn_client::amount::{asset, format_utc, parse_tokens};
use acn_client::codec::InputFormat;
use acn_client::Chain;
use acn_interface::market::JobStatus;

use crate::connect::{ConnectArgs, Connection};
use crate::output::{emit, OutputFormat};

/// `acn job`: flags shared by every subcommand, and the subcommand.
#[derive(clap::Args, Clone, Debug)]
pub struct JobOptions {
    /// Where the chain and the deployment are.
    #[command(flatten)]
    pub connection: ConnectArgs,
    /// Output of reads: text or json.
    #[arg(long, value_enum, default_value_t, global = true)]
    pub output: OutputFormat,
    /// The subcommand.
    #[command(subcommand)]
    pub command: JobCommand,
}

/// The buyer's commands.
#[derive(clap::Subcommand, Clone, Debug)]
pub enum JobCommand {
    /// What a job would cost now: units, unit price, protocol fee and total.
    Quote {
        /// Model id.
        #[arg(long)]
        model: String,
        /// Input file: its items set the batch (or give --batch).
        #[arg(long, conflicts_with = "batch")]
        input: Option<PathBuf>,
        /// Input format (default: from the file's extension).
        #[arg(long)]
        format: Option<InputFormat>,
        /// Items.
        #[arg(long)]
        batch: Option<u32>,
        /// Provider slots (default: the model's minimum).
        #[arg(long)]
        redundancy: Option<u8>,
        /// Buyer account whose bonded stake sets the discount.
        #[arg(skip)]
        from: Option<String>,
    },
    /// Encode an input file for a model, show the price and pay for the job.
    Submit {
        /// Buyer account that pays.
        #[arg(skip)]
        from: String,
        /// Model id.
        #[arg(long)]
        model: String,
        /// Input file (CSV rows, a JSON array or array of arrays, or text lines).
        #[arg(long, required_unless_present = "text", conflicts_with = "text")]
        input: Option<PathBuf>,
        /// A text item for a model taking text (repeat for a batch), instead of --input.
        #[arg(long)]
        text: Vec<String>,
        /// Input format (default: from the file's extension).
        #[arg(long)]
        format: Option<InputFormat>,
        /// Provider slots (default: the model's minimum).
        #[arg(long)]
        redundancy: Option<u8>,
        /// Highest unit price accepted, in the market's unit (USDC, or ACN in a market without
        /// a stable asset; default: the quoted one + 12.5 %, one price window's largest move);
        /// what is sent above the price is refunded at once.
        #[arg(long, value_parser = parse_amount)]
        max_unit_price: Option<u128>,
        /// Pay more than this in the asset paid never: the most sent (for ACN at the TWAP,
        /// the market refuses the job if the TWAP price exceeds it).
        #[arg(long, value_parser = parse_amount)]
        max_price: Option<u128>,
        /// Pay in ACN at the oracle's TWAP instead of the market's stable asset.
        #[arg(long)]
        pay_acn: bool,
        /// Seconds until the job may be expired (default 3 600, within the market's bounds).
        #[arg(long)]
        deadline_secs: Option<u64>,
        /// Where audit secrets are kept (default: $ACN_DATA_DIR, $XDG_DATA_HOME/acn or
        /// ~/.local/share/acn).
        #[arg(long)]
        data_dir: Option<PathBuf>,
    },
    /// A job: status, price paid, providers, the decoded result, and why it was refunded.
    Show {
        /// Job id.
        id: u64,
    },
    /// Wait until a job is final, revealing the audit secret when the market asks for it and
    /// settling or expiring the job when its time is up; then print it.
    Wait {
        /// Job id.
        id: u64,
        /// Buyer account (needed to reveal the audit secret of a redundancy-1 job; any account
        /// may settle or expire).
        #[arg(skip)]
        from: Option<String>,
        /// Where audit secrets are kept.
        #[arg(long)]
        data_dir: Option<PathBuf>,
        /// Milliseconds between polls.
        #[arg(long, default_value_t = 500)]
        poll_ms: u64,
        /// Give up after this many seconds (default: wait until the job is final).
        #[arg(long)]
        timeout_secs: Option<u64>,
    },
    /// A buyer's jobs, newest first.
    List {
        /// Buyer account.
        #[arg(skip)]
        from: Option<String>,
        /// Buyer address.
        #[arg(long)]
        buyer: Option<String>,
        /// Only jobs with this status.
        #[arg(long, value_enum)]
        status: Option<StatusArg>,
        /// At most this many.
        #[arg(long, default_value_t = 20)]
        limit: usize,
    },
    /// Refund a job whose deadline passed (anyone may; no-shows are slashed).
    Expire {
        /// Account that sends the transaction.
        #[arg(skip)]
        from: String,
        /// Job id.
        id: u64,
    },
    /// Pay for a training job: train a trainer's architecture on a dataset (priced by steps ×
    /// batch size + held-out items); the result is the weights' sha256 and held-out metrics.
    Train {
        /// Buyer account that pays.
        #[arg(skip)]
        from: String,
        /// Trainer id, e.g. train-digits-mlp-v1.
        #[arg(long)]
        model: String,
        /// Dataset file: .csv rows (digits: 64 pixels then the label; regressor: 8 features
        /// then the target) or the raw item bytes.
        #[arg(long)]
        dataset: PathBuf,
        /// Serve the dataset from this http(s) URL instead of sending it in the job (the file
        /// at --dataset must be the one served: its sha256 goes into the job).
        #[arg(long)]
        dataset_url: Option<String>,
        /// Items at the end of the dataset kept for the held-out metrics.
        #[arg(long)]
        held_out: u32,
        /// Passes over the training items.
        #[arg(long, default_value_t = 10)]
        epochs: u32,
        /// Items per optimiser step.
        #[arg(long, default_value_t = 32)]
        batch_size: u32,
        /// Adam's learning rate.
        #[arg(long, default_value_t = 0.002)]
        learning_rate: f64,
        /// Seed of the initial weights and the mini-batch order.
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Provider slots (default: the trainer's minimum, 2).
        #[arg(long)]
        redundancy: Option<u8>,
        /// Highest unit price accepted (see `acn job submit`).
        #[arg(long, value_parser = parse_amount)]
        max_unit_price: Option<u128>,
        /// Pay more than this never.
        #[arg(long, value_parser = parse_amount)]
        max_price: Option<u128>,
        /// Pay in ACN at the oracle's TWAP instead of the market's stable asset.
        #[arg(long)]
        pay_acn: bool,
        /// Seconds until the job may be expired.
        #[arg(long)]
        deadline_secs: Option<u64>,
        /// Where audit secrets are kept.
        #[arg(long)]
        data_dir: Option<PathBuf>,
    },
    /// Fetch a settled training job's weights from a provider that trained them (its
    /// registered endpoint) and check them against the settled sha256.
    Weights {
        /// Job id.
        id: u64,
        /// Where to write the weights file.
        #[arg(long)]
        out: PathBuf,
    },
}

/// A job status, as a flag value.
#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum StatusArg {
    /// Taking commitments.
    Open,
    /// Taking reveals.
    Revealing,
    /// Settled with an agreed result.
    Settled,
    /// Reveals disagreed; waiting for the DAO or the dispute timeout.
    Disputed,
    /// A dispute resolved or closed.
    Resolved,
    /// Refunded: too few providers delivered.
    Expired,
}

impl From<StatusArg> for JobStatus {
    fn from(s: StatusArg) -> Self {
        match s {
            StatusArg::Open => JobStatus::Open,
            StatusArg::Revealing => JobStatus::Revealing,
            StatusArg::Settled => JobStatus::Settled,
            StatusArg::Disputed => JobStatus::Disputed,
            StatusArg::Resolved => JobStatus::Resolved,
            StatusArg::Expired => JobStatus::Expired,
        }
    }
}

/// clap value parser for token amounts in whole ACN.
pub fn parse_amount(s: &str) -> Result<u128, String> {
    parse_tokens(s).map_err(|e| e.to_string())
}

mod buy;
mod progress;
mod secrets;
mod train;
mod view;

pub use buy::{
    market_params, model, quote, read_input, submit, text_input, PriceQuote, SubmitRequest,
    Submitted,
};
pub use progress::{nudge, phase, wait};
pub use secrets::SecretStore;
pub use train::{dataset_items, fetch_weights, training_request, FetchedWeights, TrainSpec};
pub use view::{
    expire, explain, job_view, list, render_list, view_of, JobSummary, JobView, SlotView,
};

/// Run `acn job …` against the chain [`connect`] reaches.
pub fn run(opts: JobOptions) -> anyhow::Result<()> {
    let conn = opts.connection.connect()?;
    let command = opts.command.with_from(&conn)?;
    execute(&conn.chain, command, opts.output)
}

impl JobCommand {
    /// The command with the signing account of the shared `--from` flag (or `ACN_FROM`).
    pub fn with_from(mut self, conn: &Connection) -> anyhow::Result<Self> {
        let account = &conn.from;
        let need = || conn.signer().map(str::to_string);
        match &mut self {
            JobCommand::Submit { from, .. }
            | JobCommand::Expire { from, .. }
            | JobCommand::Train { from, .. } => *from = need()?,
            JobCommand::Quote { from, .. } | JobCommand::Wait { from, .. } => {
                *from = account.clone()
            }
            JobCommand::List { from, buyer, .. } => {
                if buyer.is_none() {
                    *from = account.clone();
                }
            }
            JobCommand::Show { .. } | JobCommand::Weights { .. } => {}
        }
        Ok(self)
    }
}

/// Run a job command on `chain`, printing to stdout (progress to stderr).
pub fn execute(
    chain: &(impl Chain + ?Sized),
    command: JobCommand,
    output: OutputFormat,
) -> anyhow::Result<()> {
    match command {
        JobCommand::Quote {
            model: model_id,
            input,
            format,
            batch,
            redundancy,
            from,
        } => {
            let (batch, bytes) = match (input, batch) {
                (Some(path), _) => {
                    let encoded = read_input(&model(chain, &model_id)?.spec, &path, format)?;
                    (encoded.batch, Some(encoded.bytes))
                }
                (None, Some(b)) => (b, None),
                (None, None) => bail!("quote needs --input FILE or --batch N"),
            };
            let buyer = from.map(|f| chain.address(&f)).transpose()?;
            let q = quote(
                chain,
                &model_id,
                batch,
                bytes.as_deref(),
                redundancy,
                buyer.as_deref(),
            )?;
            emit(output, &q, PriceQuote::render)
        }
        JobCommand::Submit {
            from,
            model: model_id,
            input,
            text,
            format,
            redundancy,
            max_unit_price,
            max_price,
            pay_acn,
            deadline_secs,
            data_dir,
        } => {
            let spec = model(chain, &model_id)?.spec;
            let encoded = match input {
                Some(path) => read_input(&spec, &path, format)?,
                None => text_input(&spec, &text)?,
            };
            let secrets = SecretStore::at(data_dir.as_deref())?;
            let submitted = submit(
                chain,
                &from,
                &SubmitRequest {
                    model_id,
                    input: encoded,
                    redundancy,
                    max_unit_price,
                    max_price,
                    pay_acn,
                    deadline_secs,
                },
                &secrets,
            )?;
            emit(output, &submitted, render_submitted)
        }
        JobCommand::Show { id } => {
            let view = job_view(chain, id)?;
            let now = chain.block()?.time;
            emit(output, &view, |v| v.render(now))
        }
        JobCommand::Wait {
            id,
            from,
            data_dir,
            poll_ms,
            timeout_secs,
        } => {
            let secrets = SecretStore::at(data_dir.as_deref())?;
            let bar = indicatif::ProgressBar::new_spinner();
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "{spinner} [{elapsed}] job {prefix}: {msg}",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
            );
            bar.set_prefix(id.to_string());
            bar.enable_steady_tick(Duration::from_millis(120));
            let job = wait(
                chain,
                from.as_deref(),
                id,
                &secrets,
                Duration::from_millis(poll_ms),
                timeout_secs.map(Duration::from_secs),
                |job, note| {
                    bar.set_message(phase(job));
                    if let Some(note) = note {
                        bar.println(format!("job {id}: {note}"));
                    }
                },
            );
            bar.finish_and_clear();
            let job = job?;
            let spec = model(chain, &job.model_id)?.spec;
            let view = view_of(&job, &spec, &market_params(chain)?)?;
            let now = chain.block()?.time;
            emit(output, &view, |v| v.render(now))
        }
        JobCommand::List {
            from,
            buyer,
            status,
            limit,
        } => {
            let buyer = match (from, buyer) {
                (Some(f), _) => chain.address(&f)?,
                (None, Some(b)) => b,
                (None, None) => bail!("list needs --from ACCOUNT or --buyer ADDRESS"),
            };
            let jobs = list(chain, &buyer, status.map(Into::into), limit)?;
            emit(output, &jobs, |j| render_list(j))
        }
        JobCommand::Expire { from, id } => {
            let view = expire(chain, &from, id)?;
            let now = chain.block()?.time;
            emit(output, &view, |v| v.render(now))
        }
        JobCommand::Train {
            from,
            model: model_id,
            dataset,
            dataset_url,
            held_out,
            epochs,
            batch_size,
            learning_rate,
            seed,
            redundancy,
            max_unit_price,
            max_price,
            pay_acn,
            deadline_secs,
            data_dir,
        } => {
            let spec = model(chain, &model_id)?.spec;
            let items = dataset_items(&spec, &dataset)?;
            let request = training_request(
                &spec,
                items,
                &TrainSpec {
                    epochs,
                    batch_size,
                    learning_rate,
                    seed,
                    held_out,
                    dataset_url,
                },
            )?;
            let secrets = SecretStore::at(data_dir.as_deref())?;
            let submitted = submit(
                chain,
                &from,
                &SubmitRequest {
                    model_id,
                    input: acn_client::codec::EncodedInput {
                        bytes: request.encode(),
                        batch: 1,
                    },
                    redundancy,
                    max_unit_price,
                    max_price,
                    pay_acn,
                    deadline_secs,
                },
                &secrets,
            )?;
            emit(output, &submitted, |s| {
                format!(
                    "training {} items ({} held out) × {} epochs in batches of {}: {} items of work\n{}",
                    request.train_items,
                    request.held_out_items,
                    request.epochs,
                    request.batch_size,
                    request.work_items(),
                    render_submitted(s)
                )
            })
        }
        JobCommand::Weights { id, out } => {
            let fetched = fetch_weights(chain, id, &out)?;
            emit(output, &fetched, FetchedWeights::render)
        }
    }
}

/// What `submit` prints: the price, then the job.
pub fn render_submitted(s: &Submitted) -> String {
    let mut out = s.quote.render();
    let amount = |base: u128| asset(base, s.denom.as_deref());
    out += &format!(
        "submitted job {}: paid {} (sent {}, {} refunded at once); providers {}\n",
        s.job_id,
        amount(s.charged),
        amount(s.sent),
        amount(s.sent - s.charged),
        s.providers.join(", ")
    );
    out += &format!("  deadline {}\n", format_utc(s.deadline));
    if let Some(f) = &s.audit_secret_file {
        out += &format!(
            "  audit secret kept in {} (`acn job wait --from {} {}` reveals it)\n",
            f.display(),
            s.buyer,
            s.job_id
        );
    }
    if !s.tx_hash.is_empty() {
        out += &format!("  tx {} (gas {})\n", s.tx_hash, s.gas_used);
    }
    out
}

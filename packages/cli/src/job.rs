//! `acn job quote|submit|show|wait|list|expire`: the buyer's commands.
//!
//! ```text
//! acn job quote  --model digits-mlp-v1 --input digits.csv [--redundancy 2] [--from buyer-1]
//! acn job submit --from buyer-1 --model digits-mlp-v1 --input digits.csv [--redundancy 1]
//! acn job wait   --from buyer-1 7        # reveals the audit secret when asked, prints the result
//! acn job show   7
//! acn job list   --from buyer-1 [--status expired] [--limit 20]
//! acn job expire --from buyer-1 7        # refund a job whose deadline passed
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
//! chain alike; [`run`] only parses, connects and prints.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use cosmwasm_std::{Binary, HexBinary, Timestamp, Uint128};
use rand::RngCore;
use serde::Serialize;

use acn_client::amount::{format_relative, format_utc, parse_tokens, tokens};
use acn_client::codec::{decode_output, encode_input, DecodedOutput, EncodedInput, InputFormat};
use acn_client::{Chain, ChainError, ChainExt};
use acn_interface::market::{
    self, JobFilter, JobResponse, JobStatus, MarketParams, ModelResponse, ModelSpec, SlotOutcome,
};

use crate::connection::{connect, Connection};
use crate::output::{emit, OutputFormat};

/// `acn job`: flags shared by every subcommand, and the subcommand.
#[derive(clap::Args, Clone, Debug)]
pub struct JobOptions {
    /// Where the chain and the deployment are.
    #[command(flatten)]
    pub connection: Connection,
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
        #[arg(long)]
        from: Option<String>,
    },
    /// Encode an input file for a model, show the price and pay for the job.
    Submit {
        /// Buyer account that pays.
        #[arg(long)]
        from: String,
        /// Model id.
        #[arg(long)]
        model: String,
        /// Input file (CSV rows, a JSON array or array of arrays, or text lines).
        #[arg(long)]
        input: PathBuf,
        /// Input format (default: from the file's extension).
        #[arg(long)]
        format: Option<InputFormat>,
        /// Provider slots (default: the model's minimum).
        #[arg(long)]
        redundancy: Option<u8>,
        /// Highest unit price accepted, in ACN (default: the quoted one + 12.5 %, one price
        /// window's largest move); what is sent above the price is refunded at once.
        #[arg(long, value_parser = parse_amount)]
        max_unit_price: Option<u128>,
        /// Refuse to pay more than this many ACN.
        #[arg(long, value_parser = parse_amount)]
        max_price: Option<u128>,
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
        #[arg(long)]
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
        #[arg(long, conflicts_with = "buyer")]
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
        #[arg(long)]
        from: String,
        /// Job id.
        id: u64,
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

// ---- models and inputs ----------------------------------------------------------------------

/// A registered model, or an error naming the models the market has.
pub fn model(chain: &(impl Chain + ?Sized), id: &str) -> anyhow::Result<ModelResponse> {
    match chain.market::<ModelResponse>(&market::QueryMsg::Model { id: id.to_string() }) {
        Ok(m) => Ok(m),
        Err(ChainError::Query(_)) => {
            let models: market::ModelsResponse = chain.market(&market::QueryMsg::Models {
                start_after: None,
                limit: Some(100),
            })?;
            let ids: Vec<String> = models.models.into_iter().map(|m| m.spec.id).collect();
            bail!(
                "no model {id:?} on the market (registered: {})",
                if ids.is_empty() {
                    "none".to_string()
                } else {
                    ids.join(", ")
                }
            )
        }
        Err(e) => Err(e.into()),
    }
}

/// Read and encode an input file for `spec` (format from `format` or the file's extension).
pub fn read_input(
    spec: &ModelSpec,
    path: &Path,
    format: Option<InputFormat>,
) -> anyhow::Result<EncodedInput> {
    let format = format
        .or_else(|| InputFormat::from_path(path))
        .with_context(|| {
            format!(
            "{}: cannot tell the input format from the file name; pass --format csv, json or text",
            path.display()
        )
        })?;
    let text = std::fs::read_to_string(path).with_context(|| format!("read {}", path.display()))?;
    encode_input(&spec.input, format, &text).with_context(|| {
        format!(
            "{} is not a valid {format} input for {} (items of shape {:?}, {:?}, at most {} per job)",
            path.display(),
            spec.id,
            spec.input.shape,
            spec.input.dtype,
            spec.input.max_batch
        )
    })
}

// ---- quote --------------------------------------------------------------------------------

/// What a job costs now.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct PriceQuote {
    /// Model id.
    pub model_id: String,
    /// Items.
    pub batch: u32,
    /// Provider slots.
    pub redundancy: u8,
    /// Price units (batch × cost units per item).
    pub units: u64,
    /// Base units per price unit now.
    pub unit_price: u128,
    /// units × unit price × redundancy.
    pub gross: u128,
    /// Staker discount.
    pub discount: u128,
    /// What the buyer pays (base units).
    pub price: u128,
    /// Protocol fee rate.
    pub fee_bps: u16,
    /// Protocol fee the market takes from the price at settlement (included in it).
    pub fee: u128,
    /// What the providers share if the job settles.
    pub to_providers: u128,
}

impl PriceQuote {
    /// The price, line by line, in ACN.
    pub fn render(&self) -> String {
        let mut s = format!(
            "{} × {} items, redundancy {}\n",
            self.model_id, self.batch, self.redundancy
        );
        s += &format!(
            "  units        {} ({} per slot × {} slot{})\n",
            self.units * self.redundancy as u64,
            self.units,
            self.redundancy,
            if self.redundancy == 1 { "" } else { "s" }
        );
        s += &format!("  unit price   {}\n", tokens(self.unit_price));
        if self.discount > 0 {
            s += &format!("  gross        {}\n", tokens(self.gross));
            s += &format!("  discount     -{}\n", tokens(self.discount));
        }
        s += &format!(
            "  fee          {} ({}.{:02} %, included; providers share {})\n",
            tokens(self.fee),
            self.fee_bps / 100,
            self.fee_bps % 100,
            tokens(self.to_providers)
        );
        s += &format!("  total        {}\n", tokens(self.price));
        s
    }
}

/// The protocol fee on `price`: `ceil(price × bps / 10 000)`, as the market rounds it.
fn protocol_fee(price: u128, bps: u16) -> u128 {
    (price * bps as u128).div_ceil(10_000)
}

/// The market's parameters.
pub fn market_params(chain: &(impl Chain + ?Sized)) -> anyhow::Result<MarketParams> {
    let cfg: market::ConfigResponse = chain.market(&market::QueryMsg::Config {})?;
    Ok(cfg.params)
}

/// Quote a job of `batch` items at `redundancy` (the model's minimum if `None`) for `buyer`
/// (an address; its bonded stake sets the discount).
pub fn quote(
    chain: &(impl Chain + ?Sized),
    model_id: &str,
    batch: u32,
    redundancy: Option<u8>,
    buyer: Option<&str>,
) -> anyhow::Result<PriceQuote> {
    let spec = model(chain, model_id)?.spec;
    let redundancy = redundancy.unwrap_or(spec.min_redundancy);
    let q: market::QuoteResponse = chain.market(&market::QueryMsg::Quote {
        model_id: model_id.to_string(),
        batch,
        redundancy,
        buyer: buyer.map(str::to_string),
    })?;
    let fee_bps = market_params(chain)?.protocol_fee_bps;
    let price = q.price.u128();
    let fee = protocol_fee(price, fee_bps);
    Ok(PriceQuote {
        model_id: model_id.to_string(),
        batch,
        redundancy,
        units: q.units,
        unit_price: q.unit_price.u128(),
        gross: q.gross.u128(),
        discount: q.discount.u128(),
        price,
        fee_bps,
        fee,
        to_providers: price - fee,
    })
}

// ---- audit secrets ------------------------------------------------------------------------

/// Where a buyer keeps the audit secrets of its redundancy-1 jobs: one file per job, named by
/// the commitment the job carries, so a secret is found from the job alone.
#[derive(Clone, Debug)]
pub struct SecretStore {
    dir: PathBuf,
}

impl SecretStore {
    /// Secrets under `data_dir/audit-secrets`.
    pub fn new(data_dir: impl Into<PathBuf>) -> Self {
        SecretStore {
            dir: data_dir.into().join("audit-secrets"),
        }
    }

    /// `data_dir` if given, else `$ACN_DATA_DIR`, `$XDG_DATA_HOME/acn`, `~/.local/share/acn`.
    pub fn at(data_dir: Option<&Path>) -> anyhow::Result<Self> {
        let env = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty());
        let dir = match data_dir {
            Some(d) => d.to_path_buf(),
            None => env("ACN_DATA_DIR")
                .map(PathBuf::from)
                .or_else(|| env("XDG_DATA_HOME").map(|d| PathBuf::from(d).join("acn")))
                .or_else(|| env("HOME").map(|h| PathBuf::from(h).join(".local/share/acn")))
                .context("no data directory: pass --data-dir or set ACN_DATA_DIR")?,
        };
        Ok(Self::new(dir))
    }

    /// The file holding the secret behind `commitment` on `chain_id`'s `market`.
    pub fn path(&self, chain_id: &str, market: &str, commitment: &[u8]) -> PathBuf {
        self.dir
            .join(chain_id)
            .join(market)
            .join(format!("{}.hex", hex_string(commitment)))
    }

    /// Write a secret (readable by the owner only) before it is committed to; returns its file.
    pub fn save(
        &self,
        chain_id: &str,
        market: &str,
        commitment: &[u8],
        secret: &[u8],
    ) -> anyhow::Result<PathBuf> {
        let path = self.path(chain_id, market, commitment);
        let dir = path.parent().context("secret path has no parent")?;
        std::fs::create_dir_all(dir).with_context(|| format!("create {}", dir.display()))?;
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options
            .open(&path)
            .with_context(|| format!("write {}", path.display()))?;
        std::io::Write::write_all(&mut file, hex_string(secret).as_bytes())?;
        file.sync_all()?;
        Ok(path)
    }

    /// The secret behind `commitment`, if this store has it.
    pub fn load(
        &self,
        chain_id: &str,
        market: &str,
        commitment: &[u8],
    ) -> anyhow::Result<Option<Vec<u8>>> {
        let path = self.path(chain_id, market, commitment);
        match std::fs::read_to_string(&path) {
            Ok(text) => Ok(Some(
                HexBinary::from_hex(text.trim())
                    .with_context(|| format!("{} is not a hex secret", path.display()))?
                    .to_vec(),
            )),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e).with_context(|| format!("read {}", path.display())),
        }
    }
}

fn hex_string(bytes: &[u8]) -> String {
    HexBinary::from(bytes).to_hex()
}

// ---- submit -------------------------------------------------------------------------------

/// A job to submit.
#[derive(Clone, Debug)]
pub struct SubmitRequest {
    /// Model id.
    pub model_id: String,
    /// The encoded input.
    pub input: EncodedInput,
    /// Provider slots (`None`: the model's minimum).
    pub redundancy: Option<u8>,
    /// Highest unit price accepted (`None`: the quoted one + 12.5 %).
    pub max_unit_price: Option<u128>,
    /// Refuse a price above this.
    pub max_price: Option<u128>,
    /// Seconds until the job may be expired (`None`: 3 600, within the market's bounds).
    pub deadline_secs: Option<u64>,
}

/// A submitted job.
#[derive(Clone, Debug, Serialize)]
pub struct Submitted {
    /// Job id.
    pub job_id: u64,
    /// The account that paid.
    pub buyer: String,
    /// The quote the payment was made from.
    pub quote: PriceQuote,
    /// Base units sent with the submission.
    pub sent: u128,
    /// The job's price: what the buyer paid (the rest came back in the same transaction).
    pub charged: u128,
    /// The providers drawn for the job.
    pub providers: Vec<String>,
    /// When the job may be expired (unix seconds).
    pub deadline: u64,
    /// The file holding the audit secret (redundancy 1).
    pub audit_secret_file: Option<PathBuf>,
    /// Transaction hash (empty on the embedded chain).
    pub tx_hash: String,
    /// Gas used (0 on the embedded chain).
    pub gas_used: u64,
}

/// Largest move of the unit price in one price window: 12.5 %.
const PRICE_MARGIN_NUM: u128 = 9;
const PRICE_MARGIN_DEN: u128 = 8;

/// Submit a job as `account`: check the input against the model, quote, keep the audit secret
/// (redundancy 1) in `secrets`, pay through the token's `Send` with the market's `SubmitJob`
/// hook (sending the price at the highest accepted unit price; the market refunds the excess
/// in the same transaction).
pub fn submit(
    chain: &(impl Chain + ?Sized),
    account: &str,
    req: &SubmitRequest,
    secrets: &SecretStore,
) -> anyhow::Result<Submitted> {
    let m = model(chain, &req.model_id)?;
    if !m.active {
        bail!("model {} is not accepting jobs (deactivated)", req.model_id);
    }
    let params = market_params(chain)?;
    m.spec
        .validate_input(&req.input.bytes, req.input.batch, params.max_input_bytes)
        .map_err(|e| anyhow::anyhow!("input for {}: {e}", req.model_id))?;
    let redundancy = req.redundancy.unwrap_or(m.spec.min_redundancy);
    if redundancy < m.spec.min_redundancy || redundancy > params.max_redundancy {
        bail!(
            "redundancy {redundancy} is outside {}..={} for {}",
            m.spec.min_redundancy,
            params.max_redundancy,
            req.model_id
        );
    }
    let buyer = chain.address(account)?;
    let quote = quote(
        chain,
        &req.model_id,
        req.input.batch,
        Some(redundancy),
        Some(&buyer),
    )?;
    if let Some(max) = req.max_price {
        if quote.price > max {
            bail!(
                "the price is {}, above --max-price {}",
                tokens(quote.price),
                tokens(max)
            );
        }
    }
    let max_unit_price = req
        .max_unit_price
        .unwrap_or_else(|| (quote.unit_price * PRICE_MARGIN_NUM).div_ceil(PRICE_MARGIN_DEN));
    if quote.unit_price > max_unit_price {
        bail!(
            "the unit price is {}, above the highest accepted {}",
            tokens(quote.unit_price),
            tokens(max_unit_price)
        );
    }
    // Enough for the price at the highest accepted unit price; the excess comes back.
    let mut sent = (quote.price * max_unit_price).div_ceil(quote.unit_price.max(1));
    let balance = chain.balance(&buyer)?;
    if balance < quote.price {
        bail!(
            "{account} holds {} but the job costs {}",
            tokens(balance),
            tokens(quote.price)
        );
    }
    sent = sent.min(balance);

    let now = chain.block()?.time;
    let earliest = params.commit_window + params.reveal_window;
    let deadline_secs = req
        .deadline_secs
        .unwrap_or(3_600)
        .clamp(earliest, params.max_job_lifetime.max(earliest));
    let deadline = now + deadline_secs;

    let d = chain.deployment().clone();
    let (audit_commitment, audit_secret_file) = if redundancy == 1 {
        let mut secret = [0u8; 32];
        rand::thread_rng().fill_bytes(&mut secret);
        let commitment = market::audit_commitment(&secret);
        // Written (and synced) before the job commits to it.
        let file = secrets.save(&d.chain_id, &d.market, &commitment, &secret)?;
        (Some(HexBinary::from(commitment.to_vec())), Some(file))
    } else {
        (None, None)
    };
    let tx = chain.send_tokens(
        account,
        &d.market,
        sent,
        &market::ReceiveMsg::SubmitJob {
            model_id: req.model_id.clone(),
            input: Binary::from(req.input.bytes.clone()),
            batch: req.input.batch,
            redundancy,
            max_unit_price: Uint128::new(max_unit_price),
            deadline: Timestamp::from_seconds(deadline),
            audit_commitment,
        },
    )?;
    let job_id: u64 = tx
        .attr("job_id")
        .context("the submission returned no job id")?
        .parse()
        .context("job id")?;
    let job: JobResponse = chain.market(&market::QueryMsg::Job { id: job_id })?;
    Ok(Submitted {
        job_id,
        buyer: account.to_string(),
        quote,
        sent,
        charged: job.price.u128(),
        providers: job.slots.iter().map(|s| s.provider.to_string()).collect(),
        deadline: job.deadline.seconds(),
        audit_secret_file,
        tx_hash: tx.tx_hash,
        gas_used: tx.gas_used,
    })
}

// ---- progress, waiting ----------------------------------------------------------------------

/// Where a job stands, in words: `assigned to 2 providers, committed 1/2`, `revealing 1/2`,
/// `settled`, `refunded (expired)`, `disputed`, `resolved`.
pub fn phase(job: &JobResponse) -> String {
    let n = job.slots.len();
    let committed = job.slots.iter().filter(|s| s.commitment.is_some()).count();
    let revealed = job.slots.iter().filter(|s| s.output.is_some()).count();
    match job.status {
        JobStatus::Open if audit_due(job) => {
            format!("committed {committed}/{n}, waiting for the buyer's audit secret")
        }
        JobStatus::Open => format!(
            "assigned to {n} provider{}, committed {committed}/{n}",
            if n == 1 { "" } else { "s" }
        ),
        JobStatus::Revealing => format!("revealing {revealed}/{committed}"),
        JobStatus::Settled => "settled".into(),
        JobStatus::Expired => "refunded (expired)".into(),
        JobStatus::Disputed => "disputed".into(),
        JobStatus::Resolved if !job.refunded.is_zero() => "refunded (dispute voided)".into(),
        JobStatus::Resolved => "resolved".into(),
    }
}

/// True when the job waits for its buyer's audit secret: redundancy 1, audit undecided, its
/// provider committed.
fn audit_due(job: &JobResponse) -> bool {
    job.status == JobStatus::Open
        && job.audit.as_ref().is_some_and(|a| a.audited.is_none())
        && !job.slots.is_empty()
        && job.slots.iter().all(|s| s.commitment.is_some())
}

/// Move a job on where its buyer (or anyone) may: reveal the audit secret once asked (as
/// `account`, with the secret from `secrets`), `Settle` once its commit or reveal window is over,
/// `Expire` once its deadline passed. Returns what it did, or a note of what it could not do.
/// A refusal (a window that closed meanwhile, another party that acted first) is not an error:
/// the next poll sees the new state.
pub fn nudge(
    chain: &(impl Chain + ?Sized),
    account: Option<&str>,
    job: &JobResponse,
    secrets: &SecretStore,
) -> anyhow::Result<Option<String>> {
    let now = chain.block()?.time;
    let d = chain.deployment().clone();
    if audit_due(job) {
        let commitment = job
            .audit
            .as_ref()
            .map(|a| a.commitment.to_vec())
            .unwrap_or_default();
        let Some(account) = account else {
            return Ok(Some(
                "the job waits for its buyer's audit secret: pass --from BUYER (without it the job goes on unaudited when the commit window closes)".into(),
            ));
        };
        let Some(secret) = secrets.load(&d.chain_id, &d.market, &commitment)? else {
            return Ok(Some(format!(
                "no audit secret at {}: the job goes on unaudited when its commit window closes",
                secrets.path(&d.chain_id, &d.market, &commitment).display()
            )));
        };
        return Ok(
            match chain.market_exec(
                account,
                &market::ExecuteMsg::RevealAuditSecret {
                    job_id: job.id,
                    secret: Binary::from(secret),
                },
            ) {
                Ok(tx) if tx.attr("audited") == Some("true") => Some(
                    "audit secret revealed: the job was drawn for an audit by a second provider"
                        .into(),
                ),
                Ok(_) => Some("audit secret revealed: not audited".into()),
                Err(ChainError::Rejected(_)) => None,
                Err(e) => return Err(e.into()),
            },
        );
    }
    let Some(account) = account else {
        return Ok(None);
    };
    let msg = if job.status.is_final() {
        return Ok(None);
    } else if now >= job.deadline.seconds() {
        market::ExecuteMsg::Expire { job_id: job.id }
    } else if job
        .reveal_deadline
        .map_or(now >= job.commit_deadline.seconds(), |r| now >= r.seconds())
    {
        market::ExecuteMsg::Settle { job_id: job.id }
    } else {
        return Ok(None);
    };
    let what = match msg {
        market::ExecuteMsg::Expire { .. } => "expired",
        _ => "settled",
    };
    match chain.market_exec(account, &msg) {
        Ok(_) => Ok(Some(format!("job {what} (its window was over)"))),
        Err(ChainError::Rejected(_)) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// Poll job `id` every `poll` until it is final, calling [`nudge`] each time and
/// `on_progress(job, note)` whenever its phase changes or a nudge says something; the final job.
pub fn wait(
    chain: &(impl Chain + ?Sized),
    account: Option<&str>,
    id: u64,
    secrets: &SecretStore,
    poll: Duration,
    timeout: Option<Duration>,
    mut on_progress: impl FnMut(&JobResponse, Option<&str>),
) -> anyhow::Result<JobResponse> {
    let started = Instant::now();
    let mut last = String::new();
    loop {
        let job: JobResponse = chain.market(&market::QueryMsg::Job { id })?;
        let now_phase = phase(&job);
        if job.status.is_final() {
            on_progress(&job, None);
            return Ok(job);
        }
        let note = nudge(chain, account, &job, secrets)?;
        if now_phase != last || note.is_some() {
            on_progress(&job, note.as_deref());
            last = now_phase;
        }
        if let Some(t) = timeout {
            if started.elapsed() >= t {
                bail!(
                    "job {id} is not final after {} s ({})",
                    t.as_secs(),
                    phase(&job)
                );
            }
        }
        std::thread::sleep(poll);
    }
}

// ---- show -------------------------------------------------------------------------------------

/// One provider's slot, for display.
#[derive(Clone, Debug, Serialize)]
pub struct SlotView {
    /// Provider address.
    pub provider: String,
    /// Whether it committed.
    pub committed: bool,
    /// Whether it revealed.
    pub revealed: bool,
    /// Its outcome once the job is final: agreed, outvoted, missed, no_majority.
    pub outcome: Option<SlotOutcome>,
    /// Base units paid to it.
    pub paid: u128,
    /// Its stake at risk.
    pub at_risk: u128,
}

/// A job, for display.
#[derive(Clone, Debug, Serialize)]
pub struct JobView {
    /// Job id.
    pub id: u64,
    /// Model id.
    pub model_id: String,
    /// Buyer address.
    pub buyer: String,
    /// Status.
    pub status: JobStatus,
    /// Where it stands, in words.
    pub phase: String,
    /// What became of the buyer's payment, and why, in words.
    pub explanation: String,
    /// Items.
    pub batch: u32,
    /// Provider slots.
    pub redundancy: u8,
    /// Price paid (base units).
    pub price: u128,
    /// Protocol fee charged.
    pub fee: u128,
    /// Refunded to the buyer.
    pub refunded: u128,
    /// Still held in escrow.
    pub escrow: u128,
    /// Submission time (unix seconds).
    pub created_at: u64,
    /// When it may be expired (unix seconds).
    pub deadline: u64,
    /// Whether an audit was drawn (redundancy-1 jobs once the buyer revealed its secret).
    pub audited: Option<bool>,
    /// The providers' slots.
    pub providers: Vec<SlotView>,
    /// The agreed result, decoded per the model's output spec.
    pub result: Option<DecodedOutput>,
}

fn names(addrs: &[&str]) -> String {
    addrs.join(", ")
}

/// What became of a job's payment, and why, from the market's record of it.
pub fn explain(job: &JobResponse, params: &MarketParams) -> String {
    let n = job.slots.len();
    let majority = job.redundancy as usize / 2 + 1;
    let revealed: Vec<&str> = job
        .slots
        .iter()
        .filter(|s| s.output.is_some())
        .map(|s| s.provider.as_str())
        .collect();
    let uncommitted: Vec<&str> = job
        .slots
        .iter()
        .filter(|s| s.commitment.is_none())
        .map(|s| s.provider.as_str())
        .collect();
    let unrevealed: Vec<&str> = job
        .slots
        .iter()
        .filter(|s| s.commitment.is_some() && s.output.is_none())
        .map(|s| s.provider.as_str())
        .collect();
    let no_shows = || {
        let mut parts = vec![];
        if !uncommitted.is_empty() {
            parts.push(format!("did not commit: {}", names(&uncommitted)));
        }
        if !unrevealed.is_empty() {
            parts.push(format!(
                "committed but did not reveal: {}",
                names(&unrevealed)
            ));
        }
        parts.join("; ")
    };
    match job.status {
        JobStatus::Open | JobStatus::Revealing => format!(
            "in progress ({}); {} held in escrow until it is final",
            phase(job),
            tokens(job.escrow.u128())
        ),
        JobStatus::Settled => {
            let agreed = job
                .slots
                .iter()
                .filter(|s| s.outcome == Some(SlotOutcome::Agreed))
                .count();
            let outvoted: Vec<&str> = job
                .slots
                .iter()
                .filter(|s| s.outcome == Some(SlotOutcome::Outvoted))
                .map(|s| s.provider.as_str())
                .collect();
            let mut s = format!(
                "settled: {agreed} of {n} provider{} agreed on the result; they were paid {}, the protocol fee was {}",
                if n == 1 { "" } else { "s" },
                tokens(job.price.u128() - job.fee.u128()),
                tokens(job.fee.u128())
            );
            if !outvoted.is_empty() {
                s += &format!("; outvoted and slashed: {}", names(&outvoted));
            }
            if !uncommitted.is_empty() || !unrevealed.is_empty() {
                s += &format!("; no-shows, slashed: {}", no_shows());
            }
            s
        }
        JobStatus::Expired => {
            let why = if revealed.is_empty() && unrevealed.is_empty() {
                format!(
                    "no provider committed a result within the {} s commit window (no-show",
                    params.commit_window
                ) + &if uncommitted.is_empty() {
                    ")".to_string()
                } else {
                    format!(": {})", names(&uncommitted))
                }
            } else {
                format!(
                    "only {} of {n} provider{} revealed a result and a majority needs {majority} ({})",
                    revealed.len(),
                    if n == 1 { "" } else { "s" },
                    no_shows()
                )
            };
            format!(
                "refunded {}: {why}; the no-shows were slashed",
                tokens(job.refunded.u128())
            )
        }
        JobStatus::Disputed => {
            let closes = job
                .disputed_at
                .map(|t| format_utc(t.seconds() + params.dispute_timeout))
                .unwrap_or_default();
            format!(
                "disputed: the {} reveals formed no majority (at least {majority} of {n} must agree); {} stays in escrow until the DAO resolves the dispute, or anyone closes it from {closes} (the providers who revealed then share it and nothing is refunded)",
                revealed.len(),
                tokens(job.escrow.u128())
            )
        }
        JobStatus::Resolved if !job.refunded.is_zero() => format!(
            "refunded {}: the DAO voided the dispute (no output accepted, nobody slashed)",
            tokens(job.refunded.u128())
        ),
        JobStatus::Resolved if job.slots.iter().any(|s| s.outcome == Some(SlotOutcome::Agreed)) => {
            format!(
                "resolved by the DAO: an output was accepted and the providers agreeing with it were paid {}",
                tokens(job.price.u128() - job.fee.u128())
            )
        }
        JobStatus::Resolved => format!(
            "dispute closed after its {} s timeout: the providers who revealed shared the escrow; nothing was refunded",
            params.dispute_timeout
        ),
    }
}

/// A job as [`JobView`], its result decoded with the model's spec.
pub fn job_view(chain: &(impl Chain + ?Sized), id: u64) -> anyhow::Result<JobView> {
    let job: JobResponse = chain
        .market(&market::QueryMsg::Job { id })
        .map_err(|e| match e {
            ChainError::Query(m) if m.contains("not found") => {
                anyhow::anyhow!("no job {id} on this market")
            }
            e => e.into(),
        })?;
    let spec = model(chain, &job.model_id)?.spec;
    let params = market_params(chain)?;
    view_of(&job, &spec, &params)
}

/// The [`JobView`] of a job already read.
pub fn view_of(
    job: &JobResponse,
    spec: &ModelSpec,
    params: &MarketParams,
) -> anyhow::Result<JobView> {
    let result = job
        .result
        .as_ref()
        .map(|r| decode_output(spec, r, job.batch))
        .transpose()
        .map_err(|e| anyhow::anyhow!("job {}'s result does not fit {}: {e}", job.id, spec.id))?;
    Ok(JobView {
        id: job.id,
        model_id: job.model_id.clone(),
        buyer: job.buyer.to_string(),
        status: job.status,
        phase: phase(job),
        explanation: explain(job, params),
        batch: job.batch,
        redundancy: job.redundancy,
        price: job.price.u128(),
        fee: job.fee.u128(),
        refunded: job.refunded.u128(),
        escrow: job.escrow.u128(),
        created_at: job.created_at.seconds(),
        deadline: job.deadline.seconds(),
        audited: job.audit.as_ref().and_then(|a| a.audited),
        providers: job
            .slots
            .iter()
            .map(|s| SlotView {
                provider: s.provider.to_string(),
                committed: s.commitment.is_some(),
                revealed: s.output.is_some(),
                outcome: s.outcome,
                paid: s.paid.u128(),
                at_risk: s.at_risk.u128(),
            })
            .collect(),
        result,
    })
}

impl JobView {
    /// The job in lines: status, price, providers, why, and the result.
    pub fn render(&self, now: u64) -> String {
        let mut s = format!(
            "job {}: {} × {} items, redundancy {} — {:?} ({})\n",
            self.id, self.model_id, self.batch, self.redundancy, self.status, self.phase
        );
        s += &format!("  buyer      {}\n", self.buyer);
        s += &format!(
            "  paid       {} (fee {}, refunded {}, in escrow {})\n",
            tokens(self.price),
            tokens(self.fee),
            tokens(self.refunded),
            tokens(self.escrow)
        );
        s += &format!(
            "  submitted  {}; deadline {} ({})\n",
            format_utc(self.created_at),
            format_utc(self.deadline),
            format_relative(self.deadline, now)
        );
        if let Some(a) = self.audited {
            s += &format!("  audit      {}\n", if a { "drawn" } else { "not drawn" });
        }
        for p in &self.providers {
            s += &format!(
                "  provider   {}  committed {} revealed {}  {}  paid {}\n",
                p.provider,
                yes_no(p.committed),
                yes_no(p.revealed),
                p.outcome
                    .map(|o| format!("{o:?}").to_lowercase())
                    .unwrap_or_else(|| "-".into()),
                tokens(p.paid)
            );
        }
        s += &format!("  {}\n", self.explanation);
        if let Some(r) = &self.result {
            s += "result:\n";
            s += &r.render();
        }
        s
    }
}

fn yes_no(b: bool) -> &'static str {
    if b {
        "yes"
    } else {
        "no"
    }
}

// ---- list, expire -----------------------------------------------------------------------------

/// One line of a buyer's job list.
#[derive(Clone, Debug, Serialize)]
pub struct JobSummary {
    /// Job id.
    pub id: u64,
    /// Model id.
    pub model_id: String,
    /// Items.
    pub batch: u32,
    /// Provider slots.
    pub redundancy: u8,
    /// Status.
    pub status: JobStatus,
    /// Where it stands.
    pub phase: String,
    /// Price paid.
    pub price: u128,
    /// Refunded.
    pub refunded: u128,
    /// Submission time (unix seconds).
    pub created_at: u64,
}

/// Up to `limit` of `buyer`'s jobs (with `status`, if given), newest first.
pub fn list(
    chain: &(impl Chain + ?Sized),
    buyer: &str,
    status: Option<JobStatus>,
    limit: usize,
) -> anyhow::Result<Vec<JobSummary>> {
    let mut all = vec![];
    let mut start_after = None;
    loop {
        let page: market::JobsResponse = chain.market(&market::QueryMsg::Jobs {
            filter: JobFilter::Buyer {
                address: buyer.to_string(),
            },
            start_after,
            limit: Some(100),
        })?;
        let Some(last) = page.jobs.last() else { break };
        start_after = Some(last.id);
        all.extend(
            page.jobs
                .into_iter()
                .filter(|j| status.is_none_or(|s| j.status == s)),
        );
    }
    Ok(all
        .iter()
        .rev()
        .take(limit)
        .map(|j| JobSummary {
            id: j.id,
            model_id: j.model_id.clone(),
            batch: j.batch,
            redundancy: j.redundancy,
            status: j.status,
            phase: phase(j),
            price: j.price.u128(),
            refunded: j.refunded.u128(),
            created_at: j.created_at.seconds(),
        })
        .collect())
}

/// A table of job summaries.
pub fn render_list(jobs: &[JobSummary]) -> String {
    if jobs.is_empty() {
        return "no jobs\n".into();
    }
    let mut s = format!(
        "{:>5}  {:<16} {:>5} {:>2}  {:<10} {:>14} {:>14}  {:<23}  phase\n",
        "id", "model", "batch", "r", "status", "price", "refunded", "submitted"
    );
    for j in jobs {
        s += &format!(
            "{:>5}  {:<16} {:>5} {:>2}  {:<10} {:>14} {:>14}  {:<23}  {}\n",
            j.id,
            j.model_id,
            j.batch,
            j.redundancy,
            format!("{:?}", j.status),
            tokens(j.price),
            tokens(j.refunded),
            format_utc(j.created_at),
            j.phase
        );
    }
    s
}

/// Expire job `id` as `account` once its deadline passed (refunding what was not earned);
/// a job not yet due or already final is refused with when and why.
pub fn expire(chain: &(impl Chain + ?Sized), account: &str, id: u64) -> anyhow::Result<JobView> {
    let job: JobResponse = chain.market(&market::QueryMsg::Job { id })?;
    if job.status.is_final() {
        bail!("job {id} is already final ({})", phase(&job));
    }
    let now = chain.block()?.time;
    if now < job.deadline.seconds() {
        bail!(
            "job {id} can be expired from its deadline, {} ({})",
            format_utc(job.deadline.seconds()),
            format_relative(job.deadline.seconds(), now)
        );
    }
    chain.market_exec(account, &market::ExecuteMsg::Expire { job_id: id })?;
    job_view(chain, id)
}

// ---- the command ------------------------------------------------------------------------------

/// Run `acn job …` against the chain [`connect`] reaches.
pub fn run(opts: JobOptions) -> anyhow::Result<()> {
    let chain = connect(&opts.connection)?;
    execute(&chain, opts.command, opts.output)
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
            let batch = match (input, batch) {
                (Some(path), _) => read_input(&model(chain, &model_id)?.spec, &path, format)?.batch,
                (None, Some(b)) => b,
                (None, None) => bail!("quote needs --input FILE or --batch N"),
            };
            let buyer = from.map(|f| chain.address(&f)).transpose()?;
            let q = quote(chain, &model_id, batch, redundancy, buyer.as_deref())?;
            emit(output, &q, PriceQuote::render)
        }
        JobCommand::Submit {
            from,
            model: model_id,
            input,
            format,
            redundancy,
            max_unit_price,
            max_price,
            deadline_secs,
            data_dir,
        } => {
            let spec = model(chain, &model_id)?.spec;
            let encoded = read_input(&spec, &input, format)?;
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
    }
}

/// What `submit` prints: the price, then the job.
pub fn render_submitted(s: &Submitted) -> String {
    let mut out = s.quote.render();
    out += &format!(
        "submitted job {}: paid {} (sent {}, {} refunded at once); providers {}\n",
        s.job_id,
        tokens(s.charged),
        tokens(s.sent),
        tokens(s.sent - s.charged),
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

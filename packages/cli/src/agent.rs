//! `acn agent publish|show|list|run|wait`: agents (pipelines of market models) and their runs,
//! paid in the market's unit: its stable asset, or ACN through the token in a market priced in
//! ACN (the agent registry).
//!
//! ```text
//! acn agent publish --from dev-1 --file digit-router.json    # an AgentSpec as JSON
//! acn agent show digit-router [--version 2]
//! acn agent list
//! acn agent run  --from buyer-1 --agent digit-router --input digit.csv [--redundancy 2]
//! acn agent wait --from buyer-1 4       # moves the run on (`Advance`) until it ends
//! ```
//!
//! A run's escrow is `Σ cost_units × batch × redundancy × max_unit_price + fee` (the registry's
//! rule); `--max-unit-price` defaults to the market's unit price + 12.5 % (one price window's
//! largest move). What a run does not spend comes back when it ends.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use cosmwasm_std::{Binary, Uint128};
use serde::Serialize;

use acn_client::amount::asset;
use acn_client::codec::{decode_output, EncodedInput, InputFormat};
use acn_client::{Chain, ChainError, ChainExt, TxResult};
use acn_interface::agents::{
    self, AgentResponse, AgentSpec, AgentsResponse, RunResponse, RunStatus, StepStatus,
};
use acn_interface::market;

use crate::connect::{ConnectArgs, Connection};
use crate::job::{model, parse_amount, read_input, text_input};
use crate::output::{emit, OutputFormat};

/// `acn agent`: flags shared by every subcommand, and the subcommand.
#[derive(clap::Args, Clone, Debug)]
pub struct AgentOptions {
    /// Where the chain and the deployment are.
    #[command(flatten)]
    pub connection: ConnectArgs,
    /// Output of reads: text or json.
    #[arg(long, value_enum, default_value_t, global = true)]
    pub output: OutputFormat,
    /// The subcommand.
    #[command(subcommand)]
    pub command: AgentCommand,
}

/// The developer's and the buyer's commands.
#[derive(clap::Subcommand, Clone, Debug)]
pub enum AgentCommand {
    /// Publish an agent from a JSON file holding its spec (`id`, `name`, `description`,
    /// `steps: [{model_id, adapter}]`, `fee`): a new id, or the next version of your own agent.
    Publish {
        /// Developer account (it is paid the fee of every completed run).
        #[arg(skip)]
        from: String,
        /// The agent's spec as JSON.
        #[arg(long)]
        file: PathBuf,
    },
    /// An agent: its steps, fee and developer (the latest version by default).
    Show {
        /// Agent id.
        id: String,
        /// Version (from 1).
        #[arg(long)]
        version: Option<u32>,
    },
    /// Every agent's latest version.
    List {
        /// At most this many (≤ 100).
        #[arg(long, default_value_t = 30)]
        limit: u32,
    },
    /// Start a run: pay its escrow in the market's unit (its stable asset, or ACN through the
    /// token in a market priced in ACN); the first step's job is bought at once.
    Run {
        /// Buyer account that pays.
        #[arg(skip)]
        from: String,
        /// Agent id.
        #[arg(long)]
        agent: String,
        /// Version (default: the latest).
        #[arg(long)]
        version: Option<u32>,
        /// Input file for the first step's model (CSV rows, a JSON array, or text lines).
        #[arg(long, required_unless_present = "text", conflicts_with = "text")]
        input: Option<PathBuf>,
        /// A text item for a first model taking text (repeat for a batch), instead of --input.
        #[arg(long)]
        text: Vec<String>,
        /// Input format (default: from the file's extension).
        #[arg(long)]
        format: Option<InputFormat>,
        /// Provider slots of every step (at least 2).
        #[arg(long, default_value_t = 2)]
        redundancy: u8,
        /// Highest unit price any step pays, in the market's unit (default: the market's + 12.5 %).
        #[arg(long, value_parser = parse_amount)]
        max_unit_price: Option<u128>,
        /// Seconds from a step's submission to its job's deadline.
        #[arg(long, default_value_t = 3_600)]
        step_lifetime: u64,
    },
    /// Follow a run until it ends, moving it on (`Advance`) whenever a step's job is final and
    /// settling or expiring a step's job when its time is up; then print it.
    Wait {
        /// Account that sends `Advance` (anyone may; without one the run is only watched).
        #[arg(skip)]
        from: Option<String>,
        /// Run id.
        id: u64,
        /// Milliseconds between polls.
        #[arg(long, default_value_t = 500)]
        poll_ms: u64,
        /// Give up after this many seconds (default: wait until the run ends; 0: print it now).
        #[arg(long)]
        timeout_secs: Option<u64>,
    },
}

/// What `acn agent run` asks for.
#[derive(Clone, Debug)]
pub struct RunRequest {
    /// Agent id.
    pub agent_id: String,
    /// Version (the latest when `None`).
    pub version: Option<u32>,
    /// The first step's encoded input.
    pub input: EncodedInput,
    /// Provider slots of every step.
    pub redundancy: u8,
    /// Highest unit price (base units of the market's unit); `None`: the market's + 12.5 %.
    pub max_unit_price: Option<u128>,
    /// Seconds from a step's submission to its deadline.
    pub step_lifetime: u64,
}

/// A run as the commands print it.
#[derive(Clone, Debug, Serialize)]
pub struct RunView {
    /// The run as the registry holds it.
    pub run: RunResponse,
    /// The last step's output, decoded with its model's spec (a completed run).
    pub result: Option<String>,
    /// Gas and hash of the transaction that started it (`acn agent run` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tx: Option<(String, u64)>,
}

fn registry(chain: &(impl Chain + ?Sized)) -> anyhow::Result<String> {
    chain.deployment().agents.clone().context(
        "this deployment has no agent registry (deploy it with `acn deploy`, which includes it)",
    )
}

/// The market's stable denom, or `None` in a market priced in ACN (runs are paid in the
/// market's unit).
fn stable_denom(chain: &(impl Chain + ?Sized)) -> anyhow::Result<Option<String>> {
    let cfg: market::ConfigResponse = chain.market(&market::QueryMsg::Config {})?;
    Ok(cfg.stable.map(|s| s.denom))
}

/// The display of a run's amount: `denom` is the stable denom, or `cw20:<token>` for ACN.
fn run_amount(base: u128, denom: &str) -> String {
    if denom.starts_with(agents::CW20_DENOM_PREFIX) {
        asset(base, None)
    } else {
        asset(base, Some(denom))
    }
}

/// Publish `spec` as `account`; the version the registry recorded.
pub fn publish(
    chain: &(impl Chain + ?Sized),
    account: &str,
    spec: AgentSpec,
) -> anyhow::Result<AgentResponse> {
    let id = spec.id.clone();
    chain.execute(
        account,
        &registry(chain)?,
        &agents::ExecuteMsg::Publish { agent: spec },
    )?;
    show(chain, &id, None)
}

/// Read an agent spec from a JSON file, naming the file and the field that does not fit.
pub fn read_spec(path: &std::path::Path) -> anyhow::Result<AgentSpec> {
    let text = std::fs::read_to_string(path).with_context(|| format!("read {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| {
        format!(
            "{} is not an agent spec (JSON with id, name, description, steps [{{model_id, adapter}}], fee)",
            path.display()
        )
    })
}

/// An agent (the latest version when `version` is `None`).
pub fn show(
    chain: &(impl Chain + ?Sized),
    id: &str,
    version: Option<u32>,
) -> anyhow::Result<AgentResponse> {
    match chain.query(
        &registry(chain)?,
        &agents::QueryMsg::Agent {
            id: id.to_string(),
            version,
        },
    ) {
        Ok(a) => Ok(a),
        Err(ChainError::Query(e)) => bail!("no agent {id:?} (version {version:?}): {e}"),
        Err(e) => Err(e.into()),
    }
}

/// The latest version of up to `limit` agents.
pub fn list(chain: &(impl Chain + ?Sized), limit: u32) -> anyhow::Result<Vec<AgentResponse>> {
    let r: AgentsResponse = chain.query(
        &registry(chain)?,
        &agents::QueryMsg::Agents {
            start_after: None,
            limit: Some(limit),
        },
    )?;
    Ok(r.agents)
}

/// The escrow a run must send: every step's budget (`cost_units × batch × redundancy ×
/// max_unit_price`) plus the developer's fee, in base units of the market's unit.
pub fn escrow(
    chain: &(impl Chain + ?Sized),
    agent: &AgentResponse,
    batch: u32,
    redundancy: u8,
    max_unit_price: u128,
) -> anyhow::Result<u128> {
    let mut total = agent.spec.fee.u128();
    for step in &agent.spec.steps {
        let cost = model(chain, &step.model_id)?.spec.cost_units_per_item as u128;
        let budget = cost
            .checked_mul(batch as u128)
            .and_then(|u| u.checked_mul(redundancy as u128))
            .and_then(|u| u.checked_mul(max_unit_price))
            .context("the run's budget overflows: lower --max-unit-price or the batch")?;
        total = total
            .checked_add(budget)
            .context("the run's escrow overflows")?;
    }
    Ok(total)
}

/// The default `--max-unit-price` of a run: the market's unit price (quoted for the first
/// step's model) + 12.5 %, one price window's largest move.
pub fn default_max_unit_price(
    chain: &(impl Chain + ?Sized),
    first_model: &str,
    batch: u32,
    redundancy: u8,
) -> anyhow::Result<u128> {
    let q: market::QuoteResponse = chain.market(&market::QueryMsg::Quote {
        model_id: first_model.to_string(),
        batch,
        redundancy,
        buyer: None,
        input: None,
    })?;
    let p = q.unit_price.u128();
    Ok(p + p.div_ceil(8))
}

/// Start a run of `req` as `account`, paying its escrow.
pub fn run(
    chain: &(impl Chain + ?Sized),
    account: &str,
    req: &RunRequest,
) -> anyhow::Result<RunView> {
    let denom = stable_denom(chain)?;
    let agent = show(chain, &req.agent_id, req.version)?;
    let first = agent.spec.steps.first().context("the agent has no steps")?;
    let max_unit_price = match req.max_unit_price {
        Some(p) => p,
        None => default_max_unit_price(chain, &first.model_id, req.input.batch, req.redundancy)?,
    };
    let escrow = escrow(
        chain,
        &agent,
        req.input.batch,
        req.redundancy,
        max_unit_price,
    )?;
    let address = chain.address(account)?;
    let held = match &denom {
        Some(denom) => chain.bank_balance(&address, denom)?,
        None => chain.balance(&address)?,
    };
    if held < escrow {
        bail!(
            "{account} holds {}, less than the run's escrow of {}",
            asset(held, denom.as_deref()),
            asset(escrow, denom.as_deref())
        );
    }
    let msg = agents::RunMsg {
        agent_id: agent.id.clone(),
        version: Some(agent.version),
        input: Binary::from(req.input.bytes.clone()),
        batch: req.input.batch,
        redundancy: req.redundancy,
        max_unit_price: Uint128::new(max_unit_price),
        step_lifetime: req.step_lifetime,
        callback: None,
    };
    let registry = registry(chain)?;
    let tx = match denom {
        Some(denom) => chain.execute_json_with_funds(
            account,
            &registry,
            &serde_json::to_vec(&agents::ExecuteMsg::Run(msg))?,
            &[(denom, escrow)],
        )?,
        // A market priced in ACN: the escrow goes through the token with the `run` hook.
        None => chain.send_tokens(account, &registry, escrow, &agents::ReceiveMsg::Run(msg))?,
    };
    let id: u64 = tx
        .attr("run_id")
        .and_then(|v| v.parse().ok())
        .context("the run transaction named no run_id")?;
    let mut view = run_view(chain, id)?;
    view.tx = Some((tx.tx_hash.clone(), tx.gas_used));
    Ok(view)
}

/// Run `id` with its last output decoded.
pub fn run_view(chain: &(impl Chain + ?Sized), id: u64) -> anyhow::Result<RunView> {
    let run: RunResponse = match chain.query(&registry(chain)?, &agents::QueryMsg::RunInfo { id }) {
        Ok(r) => r,
        Err(ChainError::Query(e)) => bail!("no run {id}: {e}"),
        Err(e) => return Err(e.into()),
    };
    let result = match (&run.status, run.steps.last()) {
        (RunStatus::Completed, Some(last)) => match &last.output {
            Some(out) => {
                let spec = model(chain, &last.model_id)?.spec;
                let decoded = decode_output(&spec, out, run.batch).map_err(|e| {
                    anyhow::anyhow!("run {id}'s output does not fit {}: {e}", spec.id)
                })?;
                Some(decoded.render())
            }
            None => None,
        },
        _ => None,
    };
    Ok(RunView {
        run,
        result,
        tx: None,
    })
}

/// Move run `id` on as `account` (`Advance`).
pub fn advance(chain: &(impl Chain + ?Sized), account: &str, id: u64) -> anyhow::Result<TxResult> {
    Ok(chain.execute(
        account,
        &registry(chain)?,
        &agents::ExecuteMsg::Advance { run_id: id },
    )?)
}

/// Follow run `id` until it ends (or `timeout`), as `account` if given: a step whose job is
/// final is advanced, a job whose time is up is settled or expired ([`crate::job::nudge`]).
/// `progress` is told each change (a line of text).
pub fn wait(
    chain: &(impl Chain + ?Sized),
    account: Option<&str>,
    id: u64,
    poll: Duration,
    timeout: Option<Duration>,
    mut progress: impl FnMut(&str),
) -> anyhow::Result<RunView> {
    let started = Instant::now();
    let mut last = String::new();
    // A step's job has redundancy ≥ 2: no audit secret is ever asked for.
    let secrets = crate::job::SecretStore::at(None)?;
    loop {
        let view = run_view(chain, id)?;
        let line = phase(&view.run);
        if line != last {
            progress(&line);
            last = line;
        }
        if view.run.is_over() || timeout.is_some_and(|t| started.elapsed() >= t) {
            return Ok(view);
        }
        if let Some(account) = account {
            move_on(chain, account, &view.run, &secrets, &mut progress)?;
        }
        std::thread::sleep(poll);
    }
}

/// One look at a running run, as `account`: advance it when its step's job is final, else settle
/// or expire that job when its time is up ([`crate::job::nudge`]). `progress` is told what was
/// done or refused.
pub fn move_on(
    chain: &(impl Chain + ?Sized),
    account: &str,
    run: &RunResponse,
    secrets: &crate::job::SecretStore,
    progress: &mut impl FnMut(&str),
) -> anyhow::Result<()> {
    let Some(job_id) = run.steps.get(run.current as usize).and_then(|s| s.job_id) else {
        return Ok(());
    };
    let job: market::JobResponse = chain.market(&market::QueryMsg::Job { id: job_id })?;
    if job.status.is_final() {
        // The callback recorded the outcome (or failed: `Advance` reads the market).
        if let Err(e) = advance(chain, account, run.id) {
            progress(&format!("advance refused for now: {e}"));
        }
    } else if let Some(note) = crate::job::nudge(chain, Some(account), &job, secrets)? {
        // The job's settling or expiry, by the buyer's own rule (`acn job wait`'s).
        progress(&format!("step {}: {note}", run.current + 1));
    }
    Ok(())
}

/// One line: the run's status and its current step.
pub fn phase(run: &RunResponse) -> String {
    match run.status {
        RunStatus::Running => {
            let step = &run.steps[run.current as usize];
            format!(
                "run {}: step {}/{} ({}) {}",
                run.id,
                run.current + 1,
                run.steps.len(),
                step.model_id,
                match (&step.status, step.job_id) {
                    (StepStatus::InFlight, Some(j)) => format!("in job {j}"),
                    (s, _) => format!("{s:?}").to_lowercase(),
                }
            )
        }
        ref s => format!("run {}: {}", run.id, format!("{s:?}").to_lowercase()),
    }
}

impl RunView {
    /// The run, its steps, money, and the decoded result.
    pub fn render(&self) -> String {
        let r = &self.run;
        let amount = |v: Uint128| run_amount(v.u128(), &r.denom);
        let mut out = format!(
            "run {}  {}  agent {} v{} (developer {})\n  escrow {}  fee {}  refunded {}  developer paid {}\n",
            r.id,
            format!("{:?}", r.status).to_lowercase(),
            r.agent_id,
            r.version,
            r.developer,
            amount(r.escrow),
            amount(r.fee),
            amount(r.refunded),
            amount(r.developer_paid),
        );
        for (i, s) in r.steps.iter().enumerate() {
            out += &format!(
                "  step {}  {:<18} {:<10} job {:<6} price {:<14} market refund {}\n",
                i + 1,
                s.model_id,
                match &s.status {
                    StepStatus::Failed { .. } => "failed".to_string(),
                    other => format!("{other:?}").to_lowercase(),
                },
                s.job_id.map_or("-".to_string(), |j| j.to_string()),
                amount(s.price),
                amount(s.market_refund),
            );
            if let StepStatus::Failed { reason, .. } = &s.status {
                out += &format!("          {reason}\n");
            }
        }
        if let Some(result) = &self.result {
            out += "result:\n";
            out += result;
        }
        if let Some((hash, gas)) = &self.tx {
            if !hash.is_empty() {
                out += &format!("  tx {hash} (gas {gas})\n");
            }
        }
        out
    }
}

fn render_agent(a: &AgentResponse) -> String {
    let mut out = format!(
        "agent {} v{}  {}  (developer {}, fee {} per run)\n  {}\n",
        a.id, a.version, a.spec.name, a.developer, a.spec.fee, a.spec.description
    );
    for (i, s) in a.spec.steps.iter().enumerate() {
        out += &format!(
            "  step {}  {}{}\n",
            i + 1,
            s.model_id,
            s.adapter
                .as_ref()
                .map_or(String::new(), |ad| format!("  (input by {ad:?})")),
        );
    }
    out
}

/// Run `acn agent …` against the chain [`ConnectArgs::connect`] reaches.
pub fn run_command(opts: AgentOptions) -> anyhow::Result<()> {
    let conn = opts.connection.connect()?;
    let command = opts.command.with_from(&conn)?;
    execute(&conn.chain, command, opts.output)
}

impl AgentCommand {
    /// The command with the signing account of the shared `--from` flag (or `ACN_FROM`).
    pub fn with_from(mut self, conn: &Connection) -> anyhow::Result<Self> {
        let need = || conn.signer().map(str::to_string);
        match &mut self {
            AgentCommand::Publish { from, .. } | AgentCommand::Run { from, .. } => *from = need()?,
            AgentCommand::Wait { from, .. } => *from = conn.from.clone(),
            AgentCommand::Show { .. } | AgentCommand::List { .. } => {}
        }
        Ok(self)
    }
}

/// Run an agent command on `chain`, printing to stdout (progress to stderr).
pub fn execute(
    chain: &(impl Chain + ?Sized),
    command: AgentCommand,
    output: OutputFormat,
) -> anyhow::Result<()> {
    match command {
        AgentCommand::Publish { from, file } => {
            let a = publish(chain, &from, read_spec(&file)?)?;
            emit(output, &a, render_agent)
        }
        AgentCommand::Show { id, version } => {
            let a = show(chain, &id, version)?;
            emit(output, &a, render_agent)
        }
        AgentCommand::List { limit } => {
            let all = list(chain, limit)?;
            emit(output, &all, |all| {
                all.iter().map(render_agent).collect::<Vec<_>>().join("")
            })
        }
        AgentCommand::Run {
            from,
            agent,
            version,
            input,
            text,
            format,
            redundancy,
            max_unit_price,
            step_lifetime,
        } => {
            let first = show(chain, &agent, version)?
                .spec
                .steps
                .first()
                .map(|s| s.model_id.clone())
                .context("the agent has no steps")?;
            let spec = model(chain, &first)?.spec;
            let input = match input {
                Some(path) => read_input(&spec, &path, format)?,
                None => text_input(&spec, &text)?,
            };
            let view = run(
                chain,
                &from,
                &RunRequest {
                    agent_id: agent,
                    version,
                    input,
                    redundancy,
                    max_unit_price,
                    step_lifetime,
                },
            )?;
            emit(output, &view, RunView::render)
        }
        AgentCommand::Wait {
            from,
            id,
            poll_ms,
            timeout_secs,
        } => {
            let view = wait(
                chain,
                from.as_deref(),
                id,
                Duration::from_millis(poll_ms),
                timeout_secs.map(Duration::from_secs),
                |line| eprintln!("{line}"),
            )?;
            emit(output, &view, RunView::render)
        }
    }
}

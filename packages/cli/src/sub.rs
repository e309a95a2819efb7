//! `acn sub create|topup|cancel|show|trigger|sync|due`: recurring jobs or agent runs from a prepaid
//! balance in the market's stable asset (the subscriptions contract).
//!
//! ```text
//! acn sub create  --from buyer-1 --model digits-mlp-v1 --input digit.csv --every 600 --deposit 1.5
//! acn sub create  --from buyer-1 --agent digit-router --input digit.csv --every 600 --deposit 1.5
//! acn sub topup   --from buyer-1 3 0.5         # anyone may top up; a drained one restarts
//! acn sub cancel  --from buyer-1 3             # the unspent balance comes back
//! acn sub show    3                            # or `acn sub show --owner ADDR` / `--from NAME`
//! acn sub trigger --from keeper 3              # a keeper starts a due run (and earns the reward)
//! acn sub sync    --from keeper 3              # finish a run whose result callback failed
//! acn sub due                                  # what is due now
//! ```
//!
//! Amounts are whole units of the stable asset with up to 6 decimals (`1.5` = 1.5 USDC). An
//! agent subscription pins the agent's version at creation (the latest unless `--version`);
//! each run is an agent run whose steps keepers (`acn-worker keep`) or anyone move on.

use anyhow::{bail, Context};
use cosmwasm_std::{Binary, Uint128};
use serde::Serialize;

use acn_client::amount::{asset, format_relative, format_span, format_utc};
use acn_client::codec::{EncodedInput, InputFormat};
use acn_client::{Chain, ChainExt};
use acn_interface::subscriptions::{
    self as subs, ConfigResponse, RunRecord, RunSettings, SubscriptionResponse, SubscriptionStatus,
    Target,
};

use crate::connect::{ConnectArgs, Connection};
use crate::job::{model, parse_amount, read_input, text_input};
use crate::output::{emit, OutputFormat};

/// `acn sub`: flags shared by every subcommand, and the subcommand.
#[derive(clap::Args, Clone, Debug)]
pub struct SubOptions {
    /// Where the chain and the deployment are.
    #[command(flatten)]
    pub connection: ConnectArgs,
    /// Output of reads: text or json.
    #[arg(long, value_enum, default_value_t, global = true)]
    pub output: OutputFormat,
    /// The subcommand.
    #[command(subcommand)]
    pub command: SubCommand,
}

/// The subscriber's and the keeper's commands.
#[derive(clap::Subcommand, Clone, Debug)]
pub enum SubCommand {
    /// Open a subscription: a job of `--model` (or a run of `--agent`) on `--input` every
    /// `--every` seconds, paid from `--deposit` (at least one run plus the keeper reward). The
    /// first run is due at once.
    Create {
        /// Owner account that pays.
        #[arg(skip)]
        from: String,
        /// Model id (a job per run).
        #[arg(long, required_unless_present = "agent", conflicts_with = "agent")]
        model: Option<String>,
        /// Agent id (an agent run per run, paid its escrow; see `acn agent show`).
        #[arg(long)]
        agent: Option<String>,
        /// The agent's version, pinned (default: the latest at creation).
        #[arg(long, requires = "agent")]
        version: Option<u32>,
        /// Input file for the model (the agent's first step's model): CSV rows, a JSON array or
        /// array of arrays, or text lines.
        #[arg(long, required_unless_present = "text", conflicts_with = "text")]
        input: Option<std::path::PathBuf>,
        /// A text item for a model taking text (repeat for a batch), instead of --input.
        #[arg(long)]
        text: Vec<String>,
        /// Input format (default: from the file's extension).
        #[arg(long)]
        format: Option<InputFormat>,
        /// Provider slots (default: the model's minimum, every step model's for an agent; at
        /// least 2).
        #[arg(long)]
        redundancy: Option<u8>,
        /// Seconds between runs.
        #[arg(long)]
        every: u64,
        /// Stable deposited, e.g. 1.5 (USDC).
        #[arg(long, value_parser = parse_amount)]
        deposit: u128,
        /// Highest unit price a run accepts, in the stable asset (a run above it is skipped,
        /// nothing paid). Default: any for a job; for an agent, whose escrow it sizes, the
        /// market's unit price + 12.5 %.
        #[arg(long, value_parser = parse_amount)]
        max_unit_price: Option<u128>,
        /// Seconds from a run's start to its job's deadline, or from each agent step's
        /// submission to its job's deadline (default 600).
        #[arg(long, default_value_t = 600)]
        job_lifetime: u64,
        /// Gas the market (the agent registry, for an agent) gives the result callback
        /// (default 250 000).
        #[arg(long, default_value_t = 250_000)]
        callback_gas: u64,
    },
    /// Add stable to a subscription's balance (anyone may).
    Topup {
        /// Account that pays.
        #[arg(skip)]
        from: String,
        /// Subscription id.
        id: u64,
        /// Stable to add, e.g. 0.5.
        #[arg(value_parser = parse_amount)]
        amount: u128,
    },
    /// End a subscription (its owner): the unspent balance comes back now, a run in flight's
    /// refund when it ends.
    Cancel {
        /// Owner account.
        #[arg(skip)]
        from: String,
        /// Subscription id.
        id: u64,
    },
    /// One subscription with its runs, or every subscription of an owner.
    Show {
        /// Subscription id (default: every subscription of --owner, or of --from).
        id: Option<u64>,
        /// Owner address.
        #[arg(long)]
        owner: Option<String>,
        /// Signing account (its subscriptions, without an id).
        #[arg(skip)]
        from: Option<String>,
    },
    /// Start a due run (a keeper; paid the keeper reward from the subscription's balance).
    Trigger {
        /// Keeper account.
        #[arg(skip)]
        from: String,
        /// Subscription id.
        id: u64,
    },
    /// Finish a run whose result callback failed (e.g. out of gas): its outcome read from the
    /// market or the agent registry and applied as the callback would have (anyone may).
    Sync {
        /// Account that sends it.
        #[arg(skip)]
        from: String,
        /// Subscription id.
        id: u64,
    },
    /// Subscriptions due now, earliest first.
    Due {
        /// At most this many (≤ 100).
        #[arg(long, default_value_t = 30)]
        limit: u32,
    },
}

/// What a subscription runs, as `acn sub create` names it.
#[derive(Clone, Debug)]
pub enum Subject {
    /// A job of this model per run.
    Model(String),
    /// A run of this agent per run.
    Agent {
        /// Agent id.
        id: String,
        /// Version (`None`: the latest, pinned at creation).
        version: Option<u32>,
    },
}

/// What `acn sub create` asks for.
#[derive(Clone, Debug)]
pub struct CreateRequest {
    /// The model or agent.
    pub subject: Subject,
    /// The encoded input (for the model, or the agent's first step's model).
    pub input: EncodedInput,
    /// Provider slots (default: the model's minimum — every step model's for an agent —, at
    /// least 2).
    pub redundancy: Option<u8>,
    /// Seconds between runs.
    pub every: u64,
    /// Stable base units deposited.
    pub deposit: u128,
    /// Highest unit price (default: any for a job; the market's + 12.5 % for an agent).
    pub max_unit_price: Option<u128>,
    /// Seconds from a run's start to its job's deadline (each step's, for an agent).
    pub job_lifetime: u64,
    /// Gas of the result callback.
    pub callback_gas: u64,
}

/// A subscription as the commands print it.
#[derive(Clone, Debug, Serialize)]
pub struct SubView {
    /// The subscription.
    pub subscription: SubscriptionResponse,
    /// Its runs (oldest first; at most 100).
    pub runs: Vec<RunRecord>,
    /// The stable denom.
    pub denom: String,
    /// Chain time read at (unix seconds).
    pub now: u64,
}

/// What a command changed, and the subscription afterwards.
#[derive(Clone, Debug, Serialize)]
pub struct SubChange {
    /// `create`, `topup`, `cancel`, `trigger`.
    pub action: String,
    /// Stable moved by it: deposited, added, refunded, or the keeper reward earned.
    pub amount: u128,
    /// Market job started (`trigger` of a job subscription).
    pub job_id: Option<u64>,
    /// Agent run started (`trigger` of an agent subscription).
    pub agent_run_id: Option<u64>,
    /// Gas used (0 on the embedded chain).
    pub gas_used: u64,
    /// Transaction hash (empty on the embedded chain).
    pub tx_hash: String,
    /// The subscription afterwards.
    pub view: SubView,
}

fn contract(chain: &(impl Chain + ?Sized)) -> anyhow::Result<String> {
    chain
        .deployment()
        .subscriptions
        .clone()
        .context("this deployment has no subscriptions contract (deploy it with `acn deploy`)")
}

fn config(chain: &(impl Chain + ?Sized)) -> anyhow::Result<ConfigResponse> {
    Ok(chain.query(&contract(chain)?, &subs::QueryMsg::Config {})?)
}

/// Subscription `id` with its runs.
pub fn show(chain: &(impl Chain + ?Sized), id: u64) -> anyhow::Result<SubView> {
    let addr = contract(chain)?;
    let subscription: SubscriptionResponse = chain
        .query(&addr, &subs::QueryMsg::Subscription { id })
        .map_err(|_| anyhow::anyhow!("no subscription {id}"))?;
    let runs: subs::RunsResponse = chain.query(
        &addr,
        &subs::QueryMsg::Runs {
            id,
            start_after: None,
            limit: Some(100),
        },
    )?;
    Ok(SubView {
        subscription,
        runs: runs.runs,
        denom: config(chain)?.denom,
        now: chain.block()?.time,
    })
}

/// Every subscription of `owner` (an address), by id.
pub fn list(chain: &(impl Chain + ?Sized), owner: &str) -> anyhow::Result<Vec<SubView>> {
    let addr = contract(chain)?;
    let page: subs::SubscriptionsResponse = chain.query(
        &addr,
        &subs::QueryMsg::Subscriptions {
            owner: Some(owner.to_string()),
            start_after: None,
            limit: Some(100),
        },
    )?;
    page.subscriptions
        .iter()
        .map(|s| show(chain, s.id))
        .collect()
}

/// Subscriptions due now.
pub fn due(chain: &(impl Chain + ?Sized), limit: u32) -> anyhow::Result<subs::DueResponse> {
    Ok(chain.query(
        &contract(chain)?,
        &subs::QueryMsg::Due { limit: Some(limit) },
    )?)
}

fn change(
    chain: &(impl Chain + ?Sized),
    action: &str,
    amount: u128,
    tx: &acn_client::TxResult,
    id: u64,
) -> anyhow::Result<SubChange> {
    Ok(SubChange {
        action: action.into(),
        amount,
        job_id: tx.attr("subscription_job_id").and_then(|v| v.parse().ok()),
        agent_run_id: tx
            .attr("subscription_agent_run_id")
            .and_then(|v| v.parse().ok()),
        gas_used: tx.gas_used,
        tx_hash: tx.tx_hash.clone(),
        view: show(chain, id)?,
    })
}

fn nonzero(amount: u128, what: &str) -> anyhow::Result<()> {
    if amount == 0 {
        bail!("{what}: give an amount above 0, such as 1.5");
    }
    Ok(())
}

/// Open a subscription owned by `account`.
pub fn create(
    chain: &(impl Chain + ?Sized),
    account: &str,
    req: &CreateRequest,
) -> anyhow::Result<SubChange> {
    nonzero(req.deposit, "--deposit")?;
    let cfg = config(chain)?;
    let target = target(chain, req)?;
    let address = chain.address(account)?;
    let held = chain.bank_balance(&address, &cfg.denom)?;
    if held < req.deposit {
        bail!(
            "{account} holds {}, less than the {} to deposit",
            asset(held, Some(&cfg.denom)),
            asset(req.deposit, Some(&cfg.denom))
        );
    }
    let msg = subs::ExecuteMsg::Create {
        target,
        settings: RunSettings {
            interval: req.every,
            job_lifetime: req.job_lifetime,
            callback_gas: req.callback_gas,
        },
        notify: None,
    };
    let tx = chain.execute_json_with_funds(
        account,
        &contract(chain)?,
        &serde_json::to_vec(&msg)?,
        &[(cfg.denom.clone(), req.deposit)],
    )?;
    let id: u64 = tx
        .attr("subscription_id")
        .and_then(|v| v.parse().ok())
        .context("the create transaction named no subscription_id")?;
    change(chain, "create", req.deposit, &tx, id)
}

/// The subscription target `req` names: a job, or an agent run with its version pinned, its
/// redundancy defaulting to every step model's minimum (at least 2) and its unit price bound to
/// the market's + 12.5 % (as `acn agent run`).
fn target(chain: &(impl Chain + ?Sized), req: &CreateRequest) -> anyhow::Result<Target> {
    let input = Binary::from(req.input.bytes.clone());
    let batch = req.input.batch;
    Ok(match &req.subject {
        Subject::Model(model_id) => {
            let spec = model(chain, model_id)?.spec;
            Target::Job {
                model_id: model_id.clone(),
                input,
                batch,
                redundancy: req.redundancy.unwrap_or(spec.min_redundancy.max(2)),
                max_unit_price: req.max_unit_price.map_or(Uint128::MAX, Uint128::new),
            }
        }
        Subject::Agent { id, version } => {
            let agent = crate::agent::show(chain, id, *version)?;
            let first = agent.spec.steps.first().context("the agent has no steps")?;
            let mut min = 2;
            for step in &agent.spec.steps {
                min = min.max(model(chain, &step.model_id)?.spec.min_redundancy);
            }
            let redundancy = req.redundancy.unwrap_or(min);
            let max_unit_price = match req.max_unit_price {
                Some(p) => p,
                None => {
                    crate::agent::default_max_unit_price(chain, &first.model_id, batch, redundancy)?
                }
            };
            Target::Agent {
                agent_id: agent.id,
                version: Some(agent.version),
                input,
                batch,
                redundancy,
                max_unit_price: Uint128::new(max_unit_price),
                step_lifetime: req.job_lifetime,
            }
        }
    })
}

/// The model whose input spec the request's input must fit: the model, or the agent's first
/// step's.
pub fn input_model(
    chain: &(impl Chain + ?Sized),
    subject: &Subject,
) -> anyhow::Result<acn_interface::market::ModelSpec> {
    match subject {
        Subject::Model(id) => Ok(model(chain, id)?.spec),
        Subject::Agent { id, version } => {
            let agent = crate::agent::show(chain, id, *version)?;
            let first = agent.spec.steps.first().context("the agent has no steps")?;
            Ok(model(chain, &first.model_id)?.spec)
        }
    }
}

/// Add `amount` stable base units to subscription `id`.
pub fn top_up(
    chain: &(impl Chain + ?Sized),
    account: &str,
    id: u64,
    amount: u128,
) -> anyhow::Result<SubChange> {
    nonzero(amount, "topup")?;
    let cfg = config(chain)?;
    show(chain, id)?;
    let tx = chain.execute_json_with_funds(
        account,
        &contract(chain)?,
        &serde_json::to_vec(&subs::ExecuteMsg::TopUp { id })?,
        &[(cfg.denom, amount)],
    )?;
    change(chain, "topup", amount, &tx, id)
}

/// Cancel subscription `id` as its owner `account`.
pub fn cancel(chain: &(impl Chain + ?Sized), account: &str, id: u64) -> anyhow::Result<SubChange> {
    let before = show(chain, id)?;
    let address = chain.address(account)?;
    if before.subscription.owner.as_str() != address {
        bail!(
            "subscription {id} belongs to {}, not to {account} ({address})",
            before.subscription.owner
        );
    }
    let tx = chain.execute(account, &contract(chain)?, &subs::ExecuteMsg::Cancel { id })?;
    let refunded = tx
        .attr("refunded")
        .and_then(|v| v.parse().ok())
        .unwrap_or_default();
    change(chain, "cancel", refunded, &tx, id)
}

/// Finish subscription `id`'s run whose result callback failed, as `account`; the refund it
/// credited.
pub fn sync(chain: &(impl Chain + ?Sized), account: &str, id: u64) -> anyhow::Result<SubChange> {
    let tx = chain.execute(account, &contract(chain)?, &subs::ExecuteMsg::Sync { id })?;
    let refunded = tx
        .attr("refunded")
        .and_then(|v| v.parse().ok())
        .unwrap_or_default();
    change(chain, "sync", refunded, &tx, id)
}

/// Start the due run of subscription `id` as keeper `account`.
pub fn trigger(chain: &(impl Chain + ?Sized), account: &str, id: u64) -> anyhow::Result<SubChange> {
    let before = show(chain, id)?;
    if let Some(due) = before.subscription.next_due {
        if due.seconds() > before.now {
            bail!(
                "subscription {id} is due {} ({})",
                format_utc(due.seconds()),
                format_relative(due.seconds(), before.now)
            );
        }
    }
    let tx = chain.execute(
        account,
        &contract(chain)?,
        &subs::ExecuteMsg::Trigger { id },
    )?;
    let reward = tx
        .attr("keeper_reward")
        .and_then(|v| v.parse().ok())
        .unwrap_or_default();
    change(chain, "trigger", reward, &tx, id)
}

impl SubView {
    /// The subscription in lines, then its runs.
    pub fn render(&self) -> String {
        let s = &self.subscription;
        let d = Some(self.denom.as_str());
        let what = match &s.target {
            Target::Job {
                model_id,
                batch,
                redundancy,
                ..
            } => format!("{model_id} × {batch} item(s), {redundancy} slots"),
            Target::Agent {
                agent_id,
                version,
                batch,
                redundancy,
                max_unit_price,
                step_lifetime,
                ..
            } => format!(
                "agent {agent_id} v{} × {batch} item(s), {redundancy} slots, at most {} per unit, steps of {}",
                version.map_or("?".to_string(), |v| v.to_string()),
                asset(max_unit_price.u128(), d),
                format_span(*step_lifetime)
            ),
        };
        let mut out = format!(
            "subscription {}  {}  owner {}\n",
            s.id,
            match s.status {
                SubscriptionStatus::Active => "active",
                SubscriptionStatus::Drained => "drained (top up to restart)",
                SubscriptionStatus::Cancelled => "cancelled",
            },
            s.owner
        );
        out += &format!(
            "  runs       {what}, every {}\n",
            format_span(s.settings.interval)
        );
        out += &format!("  balance    {}\n", asset(s.balance.u128(), d));
        out += &format!(
            "  spent      {} on {}, {} to keepers\n",
            asset(s.spent.u128(), d),
            match s.target {
                Target::Job { .. } => "jobs",
                Target::Agent { .. } => "agent runs",
            },
            asset(s.rewards_paid.u128(), d)
        );
        match (&s.in_flight, s.next_due) {
            (Some(f), _) => {
                out += &format!(
                    "  in flight  run {} = {}\n",
                    f.run,
                    match (f.job_id, f.agent_run_id) {
                        (Some(job), _) => format!("job {job}"),
                        (None, Some(run)) => format!("agent run {run}"),
                        (None, None) => "starting".to_string(),
                    }
                );
            }
            (None, Some(due)) => {
                out += &format!(
                    "  next run   {} ({})\n",
                    format_utc(due.seconds()),
                    format_relative(due.seconds(), self.now)
                );
            }
            (None, None) => {}
        }
        for r in &self.runs {
            let (what, status) = match (r.job_id, r.agent_run_id) {
                (Some(job), _) => (
                    format!("job {job:<5}"),
                    r.status.map(|st| format!("{st:?}")),
                ),
                (None, Some(run)) => (
                    format!("agent run {run:<5}"),
                    r.run_status.map(|st| format!("{st:?}")),
                ),
                (None, None) => ("-".to_string(), None),
            };
            out += &format!(
                "  run {:<3} {what} {:<9} {}{}\n",
                r.run,
                status.map_or("in flight".to_string(), |st| st.to_lowercase()),
                asset(r.price.u128(), d),
                if r.refunded.is_zero() {
                    String::new()
                } else {
                    format!(", refunded {}", asset(r.refunded.u128(), d))
                }
            );
        }
        out
    }
}

impl SubChange {
    /// One line for the change, then the subscription.
    pub fn render(&self) -> String {
        let d = Some(self.view.denom.as_str());
        let id = self.view.subscription.id;
        let head = match self.action.as_str() {
            "create" => format!("subscription {id} created with {}", asset(self.amount, d)),
            "topup" => format!("added {} to subscription {id}", asset(self.amount, d)),
            "cancel" => format!(
                "subscription {id} cancelled; {} refunded",
                asset(self.amount, d)
            ),
            "sync" => format!(
                "subscription {id}'s run finished from the market's record; {} refunded",
                asset(self.amount, d)
            ),
            _ => match (self.job_id, self.agent_run_id) {
                (Some(job), _) => format!(
                    "started job {job} for subscription {id}; keeper reward {}",
                    asset(self.amount, d)
                ),
                (None, Some(run)) => format!(
                    "started agent run {run} for subscription {id}; keeper reward {}",
                    asset(self.amount, d)
                ),
                (None, None) => format!(
                    "subscription {id} not run: its balance no longer covers a run and the reward"
                ),
            },
        };
        format!("{head}\n{}", self.view.render())
    }
}

/// Run `acn sub …` against the chain [`ConnectArgs::connect`] reaches.
pub fn run(opts: SubOptions) -> anyhow::Result<()> {
    let conn = opts.connection.connect()?;
    let command = opts.command.with_from(&conn)?;
    execute(&conn.chain, command, opts.output)
}

impl SubCommand {
    /// The command with the signing account of the shared `--from` flag (or `ACN_FROM`).
    pub fn with_from(mut self, conn: &Connection) -> anyhow::Result<Self> {
        let need = || conn.signer().map(str::to_string);
        match &mut self {
            SubCommand::Create { from, .. }
            | SubCommand::Topup { from, .. }
            | SubCommand::Cancel { from, .. }
            | SubCommand::Trigger { from, .. }
            | SubCommand::Sync { from, .. } => *from = need()?,
            SubCommand::Show { from, .. } => *from = conn.from.clone(),
            SubCommand::Due { .. } => {}
        }
        Ok(self)
    }
}

/// Run a subscription command on `chain`, printing to stdout.
pub fn execute(
    chain: &(impl Chain + ?Sized),
    command: SubCommand,
    output: OutputFormat,
) -> anyhow::Result<()> {
    match command {
        SubCommand::Create {
            from,
            model: model_id,
            agent,
            version,
            input,
            text,
            format,
            redundancy,
            every,
            deposit,
            max_unit_price,
            job_lifetime,
            callback_gas,
        } => {
            let subject = match (model_id, agent) {
                (Some(m), None) => Subject::Model(m),
                (None, Some(id)) => Subject::Agent { id, version },
                _ => bail!("create needs --model ID or --agent ID (one of them)"),
            };
            let spec = input_model(chain, &subject)?;
            let input = match input {
                Some(path) => read_input(&spec, &path, format)?,
                None => text_input(&spec, &text)?,
            };
            let c = create(
                chain,
                &from,
                &CreateRequest {
                    subject,
                    input,
                    redundancy,
                    every,
                    deposit,
                    max_unit_price,
                    job_lifetime,
                    callback_gas,
                },
            )?;
            emit(output, &c, SubChange::render)
        }
        SubCommand::Topup { from, id, amount } => emit(
            output,
            &top_up(chain, &from, id, amount)?,
            SubChange::render,
        ),
        SubCommand::Cancel { from, id } => {
            emit(output, &cancel(chain, &from, id)?, SubChange::render)
        }
        SubCommand::Trigger { from, id } => {
            emit(output, &trigger(chain, &from, id)?, SubChange::render)
        }
        SubCommand::Sync { from, id } => emit(output, &sync(chain, &from, id)?, SubChange::render),
        SubCommand::Show { id, owner, from } => match (id, owner, from) {
            (Some(id), _, _) => emit(output, &show(chain, id)?, SubView::render),
            (None, Some(owner), _) => emit(output, &list(chain, &owner)?, |v| render_list(v)),
            (None, None, Some(from)) => {
                let owner = chain.address(&from)?;
                emit(output, &list(chain, &owner)?, |v| render_list(v))
            }
            (None, None, None) => {
                bail!("show needs a subscription id, --owner ADDR or --from NAME")
            }
        },
        SubCommand::Due { limit } => emit(output, &due(chain, limit)?, |d| {
            if d.due.is_empty() {
                "nothing is due".to_string()
            } else {
                d.due
                    .iter()
                    .map(|e| {
                        format!(
                            "subscription {} due since {}\n",
                            e.id,
                            format_utc(e.due_at.seconds())
                        )
                    })
                    .collect()
            }
        }),
    }
}

fn render_list(views: &[SubView]) -> String {
    if views.is_empty() {
        return "no subscriptions".into();
    }
    views.iter().map(SubView::render).collect()
}

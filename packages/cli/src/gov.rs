//! `acn gov propose|vote|execute|show|close|list`: governance of a wasmd deployment through its
//! DAO.
//!
//! A proposal is `Pending` for the DAO's voting delay, `Active` for its voting period, then (if
//! passed) `Queued` for the timelock, `Executable` for the execution window, and `Expired` after
//! it; `--wait` on `vote` / `execute` waits for voting to open / for the timelock to end.
//!
//! The chain, the keys and the deployment file come from the shared connection flags
//! ([`crate::connect::ConnectArgs`]: `--chain`, `--rpc`, `--deployment`, `--from`, `--keys`, …),
//! which may stand before or after the subcommand.
//!
//! ```text
//! acn gov --deployment deployment.json propose --from provider-1 --title "Fee to 5 %" fee --bps 500
//! acn gov --deployment deployment.json vote --from provider-2 --id 2 --vote yes --wait
//! acn gov --deployment deployment.json execute --from keeper --id 2 --wait
//! acn gov --deployment deployment.json show 2 --from provider-2   # tally, ballots, your weight
//! acn gov --deployment deployment.json close --from keeper 3       # a rejected or expired one
//! acn gov --deployment deployment.json list
//! ```

use std::path::PathBuf;

use anyhow::{bail, Context};
use cosmwasm_std::CosmosMsg;

use acn_cli::ballots::{self, ProposalView};
use acn_cli::output::{emit, OutputFormat};
use acn_client::governance;
use acn_client::{Chain, ChainExt, DeploymentRecord, WasmdChain};

use acn_cli::connect::ConnectArgs;
use acn_interface::{buyback, dao, market, treasury};

/// Where the chain and the deployment are.
#[derive(clap::Args, Clone, Debug)]
pub struct GovOptions {
    /// Chain, keys and deployment file (the deployment records the DAO).
    #[command(flatten)]
    connect: ConnectArgs,
    /// Output of reads (`show`): text or json.
    #[arg(long, value_enum, default_value_t, global = true)]
    output: OutputFormat,
    #[command(subcommand)]
    command: GovCommand,
}

/// What to do.
#[derive(clap::Subcommand, Clone, Debug)]
enum GovCommand {
    /// Open a proposal (the proposer votes yes with its weight at the start of this block).
    Propose {
        /// Title.
        #[arg(long)]
        title: String,
        /// Description.
        #[arg(long, default_value = "")]
        description: String,
        /// What the proposal does.
        #[command(subcommand)]
        kind: ProposalKind,
    },
    /// Vote on an open proposal with the weight held at its start height.
    Vote {
        /// Proposal id.
        #[arg(long)]
        id: u64,
        /// yes, no, abstain or veto.
        #[arg(long, value_enum)]
        vote: VoteArg,
        /// Wait for voting to open (the end of the voting delay) instead of failing.
        #[arg(long)]
        wait: bool,
    },
    /// Execute a passed proposal (anyone may) between voting end + timelock and the end of its
    /// execution window.
    Execute {
        /// Proposal id.
        #[arg(long)]
        id: u64,
        /// Wait for the timelock to end instead of failing.
        #[arg(long)]
        wait: bool,
    },
    /// A proposal's phase, times, tally and ballots; with --from, that voter's weight.
    Show {
        /// Proposal id.
        #[arg(value_name = "ID", required_unless_present = "id_flag")]
        id: Option<u64>,
        /// Proposal id (same as ID).
        #[arg(long = "id", conflicts_with = "id")]
        id_flag: Option<u64>,
    },
    /// Close a proposal that can no longer pass (voting over, not passed) or whose execution
    /// window is over (anyone may; a deposit is returned as the DAO's rules say).
    Close {
        /// Proposal id.
        #[arg(value_name = "ID", required_unless_present = "id_flag")]
        id: Option<u64>,
        /// Proposal id (same as ID).
        #[arg(long = "id", conflicts_with = "id")]
        id_flag: Option<u64>,
    },
    /// List proposals, newest first.
    List {
        /// How many.
        #[arg(long, default_value_t = 20)]
        limit: u32,
    },
}

/// The proposal kinds.
#[derive(clap::Subcommand, Clone, Debug)]
enum ProposalKind {
    /// Change the market's protocol fee (bps, at most 1 000).
    Fee {
        /// New fee in bps.
        #[arg(long)]
        bps: u16,
    },
    /// Change the treasury's fee split (bps; the parts must sum to 10 000).
    Split {
        /// Burned.
        #[arg(long)]
        burn: u16,
        /// To stakers.
        #[arg(long)]
        stakers: u16,
        /// Kept in the treasury.
        #[arg(long)]
        kept: u16,
        /// To whoever calls Distribute.
        #[arg(long)]
        executor: u16,
    },
    /// Change the buyback vault's split of the ACN it buys and receives (bps; the parts must
    /// sum to 10 000; the caller's part at most 500).
    BuybackSplit {
        /// Burned.
        #[arg(long)]
        burn: u16,
        /// To stakers (as reward rounds).
        #[arg(long)]
        stakers: u16,
        /// To the community treasury.
        #[arg(long)]
        treasury: u16,
        /// To whoever calls Buyback.
        #[arg(long)]
        caller: u16,
    },
    /// Send the market's protocol fees to another recipient (account name or address; the
    /// treasury or the buyback vault).
    FeeRecipient {
        /// The recipient.
        #[arg(long)]
        to: String,
    },
    /// Register a model: from the zoo registry by id, or from a ModelSpec JSON file.
    RegisterModel {
        /// Model id in packages/models/registry.json.
        #[arg(long, conflicts_with = "spec")]
        zoo: Option<String>,
        /// A ModelSpec JSON file.
        #[arg(long)]
        spec: Option<PathBuf>,
    },
    /// Pay a grant from the treasury reserve.
    Grant {
        /// Recipient (account name or address).
        #[arg(long)]
        to: String,
        /// Base units.
        #[arg(long)]
        amount: u128,
        /// Memo.
        #[arg(long, default_value = "grant")]
        memo: String,
    },
    /// Change staking's unbonding period (seconds, at least the market's max job lifetime).
    Unbonding {
        /// Seconds.
        #[arg(long)]
        seconds: u64,
    },
    /// Migrate a contract (token, staking, treasury, market, dao or an address) to a code id.
    Migrate {
        /// Contract.
        #[arg(long)]
        contract: String,
        /// New code id.
        #[arg(long)]
        code_id: u64,
    },
    /// Resolve a disputed job: accept one provider's output, or void it.
    ResolveDispute {
        /// Job id.
        #[arg(long)]
        job: u64,
        /// Provider (account name or address) whose output is accepted.
        #[arg(long, conflicts_with = "void")]
        accept: Option<String>,
        /// Accept no output.
        #[arg(long)]
        void: bool,
    },
    /// Any messages: a JSON file holding an array of CosmosMsg.
    Msgs {
        /// The file.
        #[arg(long)]
        file: PathBuf,
    },
}

/// A vote.
#[derive(clap::ValueEnum, Clone, Copy, Debug)]
enum VoteArg {
    Yes,
    No,
    Abstain,
    Veto,
}

impl From<VoteArg> for dao::Vote {
    fn from(v: VoteArg) -> Self {
        match v {
            VoteArg::Yes => dao::Vote::Yes,
            VoteArg::No => dao::Vote::No,
            VoteArg::Abstain => dao::Vote::Abstain,
            VoteArg::Veto => dao::Vote::Veto,
        }
    }
}

/// Run a `gov` command; prints what happened (and the gas used).
pub fn run(opts: GovOptions) -> anyhow::Result<()> {
    let conn = opts.connect.connect()?;
    let dao_addr = conn.deployment.dao.clone().with_context(|| {
        format!(
            "{} records no DAO (deployed without one)",
            conn.deployment_path.display()
        )
    })?;
    let (chain, file) = (&conn.chain, &conn.deployment);
    match opts.command {
        GovCommand::Propose {
            title,
            description,
            kind,
        } => {
            let msgs = proposal_msgs(chain, file, kind)?;
            let (id, tx) =
                governance::propose(chain, &dao_addr, conn.signer()?, &title, &description, msgs)?;
            let status = governance::proposal(chain, &dao_addr, id)?.status;
            println!("proposal {id} opened ({status:?}); gas {}", tx.gas_used);
            print_timeline(chain, &dao_addr, id)?;
        }
        GovCommand::Vote { id, vote, wait } => {
            if wait {
                governance::wait_for_voting(chain, &dao_addr, id)?;
            }
            let tx = governance::vote(chain, &dao_addr, conn.signer()?, id, vote.into())?;
            let status = governance::proposal(chain, &dao_addr, id)?.status;
            println!(
                "voted {vote:?} on proposal {id} ({status:?}); gas {}",
                tx.gas_used
            );
        }
        GovCommand::Execute { id, wait } => {
            if wait {
                governance::wait_for_execution(chain, &dao_addr, id)?;
            }
            let tx = governance::execute(chain, &dao_addr, conn.signer()?, id)?;
            println!("proposal {id} executed; gas {}", tx.gas_used);
        }
        GovCommand::Show { id, id_flag } => {
            let id = id.or(id_flag).context("give the proposal id")?;
            let voter = conn.from.as_ref().map(|f| chain.resolve(f)).transpose()?;
            let view = ballots::proposal_view(
                chain,
                &dao_addr,
                &file.deployment.staking,
                id,
                voter.as_deref(),
            )?;
            emit(opts.output, &view, ProposalView::render)?;
        }
        GovCommand::Close { id, id_flag } => {
            let id = id.or(id_flag).context("give the proposal id")?;
            let tx = ballots::close(chain, &dao_addr, conn.signer()?, id)?;
            let p = governance::proposal(chain, &dao_addr, id)?;
            let t = governance::timeline(chain, &dao_addr, id)?;
            println!(
                "proposal {id} closed ({:?}, phase {:?}); gas {}",
                p.status, t.phase, tx.gas_used
            );
        }
        GovCommand::List { limit } => {
            let proposals = governance::list(chain, &dao_addr, None, limit)?;
            let now = chain.block()?.time;
            println!(
                "{:>4}  {:<10} {:<10} {:>5}  {:<22} title",
                "id", "status", "phase", "msgs", "executable"
            );
            for p in proposals {
                let t = governance::timeline(chain, &dao_addr, p.id)?;
                println!(
                    "{:>4}  {:<10} {:<10} {:>5}  {:<22} {}",
                    p.id,
                    format!("{:?}", p.status),
                    format!("{:?}", t.phase),
                    p.msgs.len(),
                    relative(t.times.executable_from, now),
                    p.title
                );
            }
        }
    }
    Ok(())
}

/// `at` relative to the chain's `now` (seconds): `in 90 s` or `90 s ago`.
fn relative(at: cosmwasm_std::Timestamp, now: u64) -> String {
    let at = at.seconds();
    if at >= now {
        format!("in {} s", at - now)
    } else {
        format!("{} s ago", now - at)
    }
}

/// Print a proposal's phase and the times of its phases.
fn print_timeline(chain: &WasmdChain, dao_addr: &str, id: u64) -> anyhow::Result<()> {
    let t = governance::timeline(chain, dao_addr, id)?;
    let now = chain.block()?.time;
    println!(
        "  phase {:?}; snapshot at height {} (total weight {})",
        t.phase, t.snapshot_height, t.total_weight
    );
    for (name, at) in [
        ("voting opens", t.times.voting_starts),
        ("voting ends", t.times.voting_ends),
        ("executable from", t.times.executable_from),
        ("expires", t.times.executable_until),
    ] {
        println!("  {name:<16} {} ({})", at.seconds(), relative(at, now));
    }
    Ok(())
}

/// The messages of a proposal kind.
fn proposal_msgs(
    chain: &WasmdChain,
    file: &DeploymentRecord,
    kind: ProposalKind,
) -> anyhow::Result<Vec<CosmosMsg>> {
    let d = &file.deployment;
    let msg = match kind {
        ProposalKind::Fee { bps } => {
            let cfg: market::ConfigResponse =
                chain.query(&d.market, &market::QueryMsg::Config {})?;
            let mut params = cfg.params;
            params.protocol_fee_bps = bps;
            governance::update_market_params(&d.market, params)?
        }
        ProposalKind::Split {
            burn,
            stakers,
            kept,
            executor,
        } => governance::update_split(
            &d.treasury,
            treasury::Split {
                burn_bps: burn,
                stakers_bps: stakers,
                kept_bps: kept,
                executor_bps: executor,
            },
        )?,
        ProposalKind::BuybackSplit {
            burn,
            stakers,
            treasury,
            caller,
        } => {
            let vault = d
                .buyback
                .as_deref()
                .context("the deployment has no buyback vault")?;
            let cfg: buyback::ConfigResponse = chain.query(vault, &buyback::QueryMsg::Config {})?;
            governance::update_buyback_split(
                vault,
                cfg.params,
                buyback::BuybackSplit {
                    burn_bps: burn,
                    stakers_bps: stakers,
                    treasury_bps: treasury,
                    caller_bps: caller,
                },
            )?
        }
        ProposalKind::FeeRecipient { to } => {
            governance::set_fee_recipient(&d.market, &chain.resolve(&to)?)?
        }
        ProposalKind::RegisterModel { zoo, spec } => {
            let model = match (zoo, spec) {
                (Some(id), None) => {
                    let path = acn_models::registry::default_registry_path();
                    acn_models::registry::load_registry(&path)?
                        .into_iter()
                        .find(|e| e.spec.id == id)
                        .with_context(|| format!("no model {id} in {}", path.display()))?
                        .spec
                }
                (None, Some(path)) => {
                    let text = std::fs::read_to_string(&path)
                        .with_context(|| format!("read {}", path.display()))?;
                    serde_json::from_str(&text)
                        .with_context(|| format!("{} is not a ModelSpec", path.display()))?
                }
                _ => bail!("register-model needs --zoo ID or --spec FILE"),
            };
            governance::register_model(&d.market, model)?
        }
        ProposalKind::Grant { to, amount, memo } => {
            governance::grant(&d.treasury, &chain.resolve(&to)?, amount, &memo)?
        }
        ProposalKind::Unbonding { seconds } => {
            governance::update_unbonding_period(&d.staking, seconds)?
        }
        ProposalKind::Migrate { contract, code_id } => {
            let addr = match contract.as_str() {
                "token" => d.token.clone(),
                "staking" => d.staking.clone(),
                "treasury" => d.treasury.clone(),
                "market" => d.market.clone(),
                "dao" => file.dao.clone().context("no DAO in the deployment")?,
                other => other.to_string(),
            };
            governance::migrate(&addr, code_id)?
        }
        ProposalKind::ResolveDispute { job, accept, void } => {
            let resolution = match (accept, void) {
                (Some(provider), false) => market::DisputeResolution::AcceptOutputOf {
                    provider: chain.resolve(&provider)?,
                },
                (None, true) => market::DisputeResolution::Void {},
                _ => bail!("resolve-dispute needs --accept PROVIDER or --void"),
            };
            governance::resolve_dispute(&d.market, job, resolution)?
        }
        ProposalKind::Msgs { file } => {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("read {}", file.display()))?;
            return serde_json::from_str(&text)
                .with_context(|| format!("{} is not a JSON array of CosmosMsg", file.display()));
        }
    };
    Ok(vec![msg])
}

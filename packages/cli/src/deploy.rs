//! `acn deploy` and `acn status`: the operator's commands.
//!
//! ```text
//! acn deploy --genesis packages/client/genesis.toml --recipient community-sale=buyer-1
//! acn status --output json
//! ```
//!
//! `deploy` runs the one deployment routine ([`acn_client::deploy`]) on a wasmd node: store,
//! instantiate and wire token, staking, treasury, market (the model registry's models),
//! emissions and the DAO from the genesis file, and hand everything to the DAO. The deployment
//! file is written after every step; running `deploy` again with it resumes an interrupted
//! deployment, does nothing for a finished one (beyond paying the treasury the bootstrap stake
//! once it has unbonded), and never deploys twice.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{bail, Context};
use serde::Serialize;

use acn_cli::connect::ConnectArgs;
use acn_client::deploy::{deploy, Contract, DeployPlan, DeploymentRecord, WasmdDeployer};
use acn_client::genesis::Genesis;
use acn_client::{Chain, ChainExt};
use acn_interface::{buyback, dao, market, oracle, pool, staking, token};

use acn_cli::output::OutputFormat as Output;
use acn_client::amount::{asset, format_tokens, tokens};

/// Where the node, the keys and the deployment file are, and how reads print.
#[derive(clap::Args, Clone, Debug)]
pub struct ChainArgs {
    /// Chain profile, node, keys, signer (`--from`, default `deployer` for `deploy`) and the
    /// deployment file.
    #[command(flatten)]
    pub connect: ConnectArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t, global = true)]
    pub output: Output,
}

fn env(key: &str) -> Option<String> {
    std::env::var(key).ok()
}

/// DAO timing of a deployment.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum DaoTiming {
    /// 1 d voting delay, 3 d voting, 2 d timelock, 7 d execution window.
    Default,
    /// 1 s delay, 10 s voting, 1 s timelock, 1 h window: a local node.
    Localnet,
}

/// `acn deploy` options.
#[derive(clap::Args, Clone, Debug)]
pub struct DeployOptions {
    /// Genesis file (allocation, vesting, split, fee, emissions); default: the shipped one.
    #[arg(long, env = "ACN_GENESIS")]
    genesis: Option<PathBuf>,
    /// Folder of the release wasm artifacts (scripts/build-wasm.sh).
    #[arg(long, env = "ACN_ARTIFACTS", default_value = "artifacts")]
    artifacts: PathBuf,
    /// Model registry whose models the market starts with (default: the shipped zoo;
    /// `none` for no model).
    #[arg(long)]
    registry: Option<PathBuf>,
    /// Pay a genesis allocation to another account or address: `NAME=ACCOUNT` (e.g.
    /// `community-sale=buyer-1`); repeatable.
    #[arg(long = "recipient", value_name = "NAME=ACCOUNT")]
    recipients: Vec<String>,
    /// DAO timing (default: `localnet` on chain acn-local-1, `default` elsewhere).
    #[arg(long, value_enum)]
    dao_timing: Option<DaoTiming>,
    /// The oracle's TWAP window in seconds (default: 60 on chain acn-local-1, so a local node
    /// prices ACN a minute after the deployment; the genesis file's elsewhere).
    #[arg(long)]
    twap_window_secs: Option<u64>,
    /// Contract label prefix.
    #[arg(long, default_value = "acn")]
    label_prefix: String,
}

/// One deployment transaction, as printed.
#[derive(Serialize)]
struct StepOut {
    step: String,
    contract: String,
    gas_used: u64,
    height: u64,
    tx_hash: String,
}

/// What `acn deploy` reports.
#[derive(Serialize)]
struct DeployOut {
    deployment: DeploymentRecord,
    steps: Vec<StepOut>,
    gas_used: u64,
    seconds: f64,
    resumed: bool,
}

/// The plan `acn deploy` runs.
pub fn plan(opts: &DeployOptions, chain_id: &str, owner: &str) -> anyhow::Result<DeployPlan> {
    let genesis = Genesis::load(opts.genesis.as_deref())?;
    let mut plan = DeployPlan::from_genesis(&genesis, owner)?;
    plan.label_prefix = opts.label_prefix.clone();
    for r in &opts.recipients {
        let (from, to) = r
            .split_once('=')
            .with_context(|| format!("--recipient {r:?}: expected NAME=ACCOUNT"))?;
        plan.rename_recipient(from.trim(), to.trim())?;
    }
    let timing = opts.dao_timing.unwrap_or(if chain_id == "acn-local-1" {
        DaoTiming::Localnet
    } else {
        DaoTiming::Default
    });
    plan.dao = Some(match timing {
        DaoTiming::Default => dao::DaoParams::default(),
        DaoTiming::Localnet => dao::DaoParams::localnet(),
    });
    let window = opts
        .twap_window_secs
        .or_else(|| (chain_id == "acn-local-1").then_some(acn_interface::oracle::MIN_WINDOW));
    if let (Some(window), Some(p)) = (window, plan.pool.as_mut()) {
        p.oracle.window = window;
        p.oracle.max_staleness = window;
    }
    let registry = match &opts.registry {
        Some(p) if p.as_os_str() == "none" => None,
        Some(p) => Some(p.clone()),
        None => Some(acn_models::registry::default_registry_path()),
    };
    if let Some(path) = registry {
        let models = acn_models::load_registry(&path)
            .with_context(|| format!("model registry {}", path.display()))?;
        plan.market_mut().models = models.into_iter().map(|e| e.spec).collect();
    }
    Ok(plan)
}

/// Run `acn deploy`.
pub fn run_deploy(args: &ChainArgs, opts: &DeployOptions) -> anyhow::Result<()> {
    let profile = args.connect.profile()?;
    let (chain, from) = args.connect.connect_profile(&profile)?;
    let chain = &chain;
    let owner = from.unwrap_or_else(|| "deployer".into());
    let file = &args.connect.deployment_path(&env);
    let output = args.output;
    let plan = plan(opts, chain.chain_id(), &owner)?;
    for contract in Contract::ALL {
        let wanted = match contract {
            Contract::Subscriptions => plan.subscriptions.is_some(),
            Contract::Moderation => plan.moderation.is_some(),
            _ => true,
        };
        let path = opts.artifacts.join(contract.artifact());
        if !wanted {
            continue;
        }
        if !path.is_file() {
            bail!(
                "{} is missing: build the contracts with `bash scripts/build-wasm.sh` or point \
                 --artifacts (ACN_ARTIFACTS) at their folder",
                path.display()
            );
        }
    }
    // Every genesis recipient must be an account of the key source or an address: say which
    // allocation names an unknown one before anything is sent.
    let names = plan
        .token
        .balances
        .iter()
        .map(|(name, _)| name)
        .chain(plan.treasury.vestings.iter().map(|v| &v.beneficiary));
    for name in names {
        if chain.resolve(name).is_err() {
            bail!(
                "the genesis file pays {name:?}, which is neither an account of the key source \
                 nor an address on {}: pass --recipient {name}=ACCOUNT",
                chain.chain_id()
            );
        }
    }
    let previous = if file.exists() {
        Some(DeploymentRecord::load(file)?)
    } else {
        None
    };
    let resumed = previous.is_some();
    if let Some(p) = &previous {
        if output == Output::Text {
            eprintln!(
                "{}: {} ({} steps done); checking it and resuming",
                file.display(),
                if p.is_complete() {
                    "deployment complete"
                } else {
                    "deployment interrupted"
                },
                p.done.len()
            );
        }
    }
    let t = Instant::now();
    let deployer = WasmdDeployer::new(chain, &opts.artifacts);
    let text = output == Output::Text;
    let (record, steps) = deploy(&deployer, &plan, previous, &mut |rec| {
        if text {
            if let Some(step) = rec.done.last() {
                eprintln!("  ✓ {step}");
            }
        }
        rec.save(file)
    })?;
    let seconds = t.elapsed().as_secs_f64();
    let gas_used: u64 = steps.iter().map(|s| s.tx.gas_used).sum();
    match output {
        Output::Json => {
            let out = DeployOut {
                steps: steps
                    .iter()
                    .map(|s| StepOut {
                        step: s.name.clone(),
                        contract: s.contract.clone(),
                        gas_used: s.tx.gas_used,
                        height: s.tx.height,
                        tx_hash: s.tx.tx_hash.clone(),
                    })
                    .collect(),
                deployment: record,
                gas_used,
                seconds,
                resumed,
            };
            println!("{}", serde_json::to_string_pretty(&out)?);
        }
        Output::Text => {
            if steps.is_empty() {
                println!(
                    "already deployed on {}: nothing to do",
                    record.deployment.chain_id
                );
            } else {
                println!(
                    "{} transactions, {} gas, {:.1} s",
                    steps.len(),
                    gas_used,
                    seconds
                );
            }
            print_contracts(&record);
            if !record.owed_to_treasury.is_zero() {
                println!(
                    "the deployer owes the treasury {} (the DAO's bootstrap stake, unbonding): \
                     run `acn deploy` again after the unbonding period to pay it",
                    tokens(record.owed_to_treasury.u128())
                );
            }
            println!("deployment file: {}", file.display());
        }
    }
    Ok(())
}

fn print_contracts(r: &DeploymentRecord) {
    let d = &r.deployment;
    let c = &r.code_ids;
    let mut rows = vec![
        ("token", d.token.as_str(), c.token),
        ("staking", d.staking.as_str(), c.staking),
        ("treasury", d.treasury.as_str(), c.treasury),
        ("market", d.market.as_str(), c.market),
    ];
    if let Some(e) = &d.emissions {
        rows.push(("emissions", e.as_str(), c.emissions));
    }
    for (name, addr, code) in [
        ("pool", &d.pool, c.pool),
        ("oracle", &d.oracle, c.oracle),
        ("buyback", &d.buyback, c.buyback),
        ("agents", &d.agents, c.agents),
        ("subscriptions", &d.subscriptions, c.subscriptions),
        ("moderation", &d.moderation, c.moderation),
    ] {
        if let Some(addr) = addr {
            rows.push((name, addr.as_str(), code));
        }
    }
    if let Some(dao) = &r.dao {
        rows.push(("dao", dao.as_str(), c.dao));
    }
    for (name, addr, code) in rows {
        println!("  {name:<13} {addr}  (code {code})");
    }
}

/// What `acn status` reports.
#[derive(Serialize)]
struct StatusOut {
    chain_id: String,
    height: u64,
    contracts: Vec<ContractStatus>,
    dao: Option<String>,
    supply: u128,
    minted_total: u128,
    cap: u128,
    /// Everything burned (minted ever − supply): by the vault, the treasury and slashes.
    burned: u128,
    escrow: u128,
    /// Stable held in escrow (a stable-priced market).
    stable_escrow: u128,
    /// The market's unit of account: its stable denom, or `None` for ACN.
    price_denom: Option<String>,
    fees_pending: u128,
    treasury_balance: u128,
    bonded: u128,
    unit_price: u128,
    jobs_submitted: u64,
    jobs_settled: u64,
    market_params: market::MarketParams,
    owed_to_treasury: u128,
    /// The ACN / stable pool and the buyback vault, when deployed.
    pool: Option<PoolStatus>,
}

/// The pool, its TWAP and the buyback vault in `acn status`.
#[derive(Serialize)]
struct PoolStatus {
    /// The stable denom.
    stable_denom: String,
    /// ACN reserve, base units.
    acn_reserve: u128,
    /// Stable reserve, base units.
    stable_reserve: u128,
    /// The TWAP (stable per ACN), or why the oracle has none.
    twap: Result<String, String>,
    /// Stable the vault holds.
    vault_stable: u128,
    /// ACN the vault holds (split by the next buyback).
    vault_acn: u128,
    /// ACN the vault burned.
    vault_burned: u128,
    /// Stable the vault spent.
    vault_spent: u128,
    /// Buys made.
    buys: u64,
}

/// Read the pool, oracle and vault of a deployment that has them.
fn pool_status(
    chain: &impl Chain,
    d: &acn_client::Deployment,
) -> anyhow::Result<Option<PoolStatus>> {
    let (Some(pool_addr), Some(oracle_addr), Some(vault)) = (&d.pool, &d.oracle, &d.buyback) else {
        return Ok(None);
    };
    let r: pool::PoolResponse = chain.query(pool_addr, &pool::QueryMsg::Pool {})?;
    let reserve = |native: bool| {
        r.assets
            .iter()
            .find(|a| a.info.is_native() == native)
            .map(|a| a.amount.u128())
            .unwrap_or_default()
    };
    let cfg: buyback::ConfigResponse = chain.query(vault, &buyback::QueryMsg::Config {})?;
    let st: buyback::StateResponse = chain.query(vault, &buyback::QueryMsg::State {})?;
    let twap = chain
        .query::<_, oracle::TwapResponse>(oracle_addr, &oracle::QueryMsg::Twap {})
        .map(|t| t.price.to_string())
        .map_err(|e| e.to_string());
    Ok(Some(PoolStatus {
        stable_denom: cfg.stable_denom,
        acn_reserve: reserve(false),
        stable_reserve: reserve(true),
        twap,
        vault_stable: st.stable_balance.u128(),
        vault_acn: st.acn_balance.u128(),
        vault_burned: st.totals.burned.u128(),
        vault_spent: st.totals.stable_spent.u128(),
        buys: st.totals.buys,
    }))
}

#[derive(Serialize)]
struct ContractStatus {
    name: String,
    address: String,
    code_id: u64,
    /// cw2 `name version`, e.g. `crates.io:acn-token 0.1.0`.
    version: Option<String>,
    admin: String,
    owner: Option<String>,
}

/// `acn status`: contracts, code ids, cw2 versions, admins, owners, parameters, supply,
/// burned, escrow.
pub fn run_status(args: &ChainArgs) -> anyhow::Result<()> {
    let output = args.output;
    let conn = args.connect.connect()?;
    let (chain, record) = (&conn.chain, conn.deployment.clone());
    if !record.is_complete() {
        bail!(
            "the deployment in {} is incomplete ({} steps done, the last {:?}): run `acn deploy` \
             again to finish it",
            conn.deployment_path.display(),
            record.done.len(),
            record.done.last().map(String::as_str).unwrap_or("none")
        );
    }
    let d = record.deployment.clone();
    let mut named = vec![
        ("token", d.token.clone()),
        ("staking", d.staking.clone()),
        ("treasury", d.treasury.clone()),
        ("market", d.market.clone()),
    ];
    if let Some(e) = &d.emissions {
        named.push(("emissions", e.clone()));
    }
    for (name, addr) in [
        ("pool", &d.pool),
        ("oracle", &d.oracle),
        ("buyback", &d.buyback),
        ("agents", &d.agents),
        ("subscriptions", &d.subscriptions),
        ("moderation", &d.moderation),
    ] {
        if let Some(addr) = addr {
            named.push((name, addr.clone()));
        }
    }
    if let Some(dao) = &record.dao {
        named.push(("dao", dao.clone()));
    }
    let mut contracts = vec![];
    for (name, addr) in named {
        let (admin, code_id) = chain
            .contract_info(&addr)
            .with_context(|| format!("{name} at {addr}"))?;
        // Every contract but the DAO and the moderation example is cw-ownable.
        let owner = (name != "dao")
            .then(|| {
                chain
                    .query::<_, cw_ownable::Ownership<String>>(
                        &addr,
                        &staking::QueryMsg::Ownership {},
                    )
                    .ok()
                    .and_then(|o| o.owner)
            })
            .flatten();
        let version = chain
            .contract_version(&addr)?
            .map(|v| format!("{} {}", v.contract, v.version));
        contracts.push(ContractStatus {
            name: name.into(),
            address: addr,
            code_id,
            version,
            admin,
            owner,
        });
    }
    let info: token::TokenInfoResponse = chain.query(&d.token, &token::QueryMsg::TokenInfo {})?;
    let mint: token::MintStatusResponse = chain.query(&d.token, &token::QueryMsg::MintStatus {})?;
    let totals: market::TotalsResponse = chain.market(&market::QueryMsg::Totals {})?;
    let market_balance = chain.balance(&d.market)?;
    let cfg: market::ConfigResponse = chain.market(&market::QueryMsg::Config {})?;
    let price: market::UnitPriceResponse = chain.market(&market::QueryMsg::UnitPrice {})?;
    let staking_totals: staking::TotalsResponse =
        chain.query(&d.staking, &staking::QueryMsg::Totals {})?;
    let out = StatusOut {
        chain_id: d.chain_id.clone(),
        height: chain.block()?.height,
        contracts,
        dao: record.dao.clone(),
        supply: info.total_supply.u128(),
        minted_total: mint.total_minted.u128(),
        cap: mint.cap.u128(),
        burned: mint.total_minted.u128() - info.total_supply.u128(),
        escrow: market_balance.saturating_sub(totals.fees_pending.u128()),
        stable_escrow: totals.stable.escrow.u128(),
        price_denom: cfg.stable.as_ref().map(|s| s.denom.clone()),
        fees_pending: totals.fees_pending.u128(),
        treasury_balance: chain.balance(&d.treasury)?,
        bonded: staking_totals.bonded.u128(),
        unit_price: price.unit_price.u128(),
        jobs_submitted: totals.jobs_submitted,
        jobs_settled: totals.jobs_settled,
        market_params: cfg.params,
        owed_to_treasury: record.owed_to_treasury.u128(),
        pool: pool_status(chain, &d)?,
    };
    match output {
        Output::Json => println!("{}", serde_json::to_string_pretty(&out)?),
        Output::Text => {
            println!("chain {} at height {}", out.chain_id, out.height);
            println!(
                "  {:<10} {:<66} {:>5}  {:<32} owner / admin",
                "contract", "address", "code", "version (cw2)"
            );
            for c in &out.contracts {
                let who = match &c.owner {
                    Some(o) if *o == c.admin => format!("{o} (both)"),
                    Some(o) => format!("{o} / {}", c.admin),
                    None => format!("- / {}", c.admin),
                };
                println!(
                    "  {:<10} {:<66} {:>5}  {:<32} {who}",
                    c.name,
                    c.address,
                    c.code_id,
                    c.version.as_deref().unwrap_or("-")
                );
            }
            println!(
                "supply {} (minted ever {} of cap {}), burned {}",
                tokens(out.supply),
                tokens(out.minted_total),
                tokens(out.cap),
                tokens(out.burned)
            );
            let in_unit = |base: u128| asset(base, out.price_denom.as_deref());
            let escrow = match out.price_denom {
                Some(_) => format!("{} and {}", tokens(out.escrow), in_unit(out.stable_escrow)),
                None => tokens(out.escrow),
            };
            println!(
                "escrow {escrow}, fees pending {}, treasury {}, bonded {}",
                tokens(out.fees_pending),
                tokens(out.treasury_balance),
                tokens(out.bonded)
            );
            println!(
                "unit price {} per unit, fee {} bps, provider stake {}; jobs {} submitted, {} settled",
                in_unit(out.unit_price),
                out.market_params.protocol_fee_bps,
                tokens(out.market_params.min_provider_stake.u128()),
                out.jobs_submitted,
                out.jobs_settled
            );
            if out.owed_to_treasury > 0 {
                println!(
                    "the deployer owes the treasury {} (bootstrap stake, unbonding)",
                    tokens(out.owed_to_treasury)
                );
            }
            if let Some(p) = &out.pool {
                let stable = |base: u128| format!("{} {}", format_tokens(base), p.stable_denom);
                let twap = match &p.twap {
                    Ok(price) => format!("TWAP {price} {}/ACN", p.stable_denom),
                    Err(why) => format!("no TWAP ({why})"),
                };
                println!(
                    "pool {} / {}, {twap}",
                    tokens(p.acn_reserve),
                    stable(p.stable_reserve)
                );
                println!(
                    "buyback vault holds {} and {}; {} buys spent {} and burned {}",
                    stable(p.vault_stable),
                    tokens(p.vault_acn),
                    p.buys,
                    stable(p.vault_spent),
                    tokens(p.vault_burned)
                );
            }
        }
    }
    Ok(())
}

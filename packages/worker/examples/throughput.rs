//! Jobs settled per second on a wasmd localnet, with parallel submitters and worker loops.
//!
//! ```text
//! bash scripts/localnet.sh up
//! cargo run --release -p acn-worker --example throughput -- [--jobs N] [--providers P]
//!     [--redundancy R] [--per-tx K] [--poll-ms MS] [--node-pid PID]
//! ```
//!
//! Deploys a fresh instance of the contracts with the registry's models, registers `P` providers
//! (1–4, default 4), each running the real worker loop (`Worker::run`, burn's ndarray backend,
//! one thread each; a pass sends all its commitments and reveals in one transaction), and has
//! two buyers submit `N` digits jobs (default 200, redundancy `R` = 1 or 3, 4 items each) from
//! two threads, `K` submissions per transaction (default 25; the buyers of redundancy-1 jobs
//! batch their audit decisions the same way). Prints a table: jobs/s from the first submission
//! to the last settlement, messages/s, transactions/s and gas per block (from the node's block
//! results), and the latency of each settled job in blocks, from its submission to its last
//! reveal (the one that settles it). Every client looks at the chain every `MS` milliseconds
//! (default 100: the workers' idle passes, the buyers' passes, the waits for inclusion). The RPC URL is `$ACN_WASMD_RPC` or
//! `http://127.0.0.1:26657`.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use cosmwasm_std::{Binary, Timestamp, Uint128};

use acn_client::deploy::{deploy_wasmd, DeployPlan};
use acn_client::wasmd::WasmdConfig;
use acn_client::{Call, Chain, ChainExt, WasmdChain};
use acn_interface::market::{self, JobStatus, ModelSpec, TOKEN};
use acn_interface::staking;
use acn_interface::token;
use acn_models::{Backend, Engine};
use acn_worker::config::Behaviour;
use acn_worker::executor::SharedEngine;
use acn_worker::{Worker, WorkerConfig};

const MODEL: &str = "digits-mlp-v1";
const BATCH: u32 = 4;
/// The buyers' audit secret of every redundancy-1 job (committed by its hash at submission).
const AUDIT_SECRET: &[u8] = b"throughput audit secret";

fn arg(name: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// CPU seconds (user + system) a process has used so far, from `/proc/PID/stat` (Linux, in
/// USER_HZ = 100 ticks per second); `None` where it cannot be read.
fn cpu_secs(pid: &str) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name (which may hold spaces), which ends at the last ')'.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(ticks as f64 / 100.0)
}

fn main() -> anyhow::Result<()> {
    let jobs = arg("--jobs", 200);
    let providers = arg("--providers", 4).clamp(1, 4);
    let redundancy = arg("--redundancy", 1).clamp(1, providers) as u8;
    let per_tx = arg("--per-tx", 25).max(1);
    // The node's process id (e.g. `pgrep -f 'wasmd start'`), to report its CPU use.
    let node_pid = arg("--node-pid", 0);
    // How often every client (workers, buyers, waits for inclusion) looks at the chain.
    let poll_ms = arg("--poll-ms", 100).max(10) as u64;
    let root: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let rpc = std::env::var("ACN_WASMD_RPC")
        .ok()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "http://127.0.0.1:26657".into());
    let registry_path = root.join("packages/models/registry.json");
    let registry = acn_models::load_registry(&registry_path)?;
    let specs: Vec<ModelSpec> = registry.iter().map(|e| e.spec.clone()).collect();

    let mut config = WasmdConfig::new(&rpc);
    config.poll_interval = Duration::from_millis(poll_ms);
    let mut chain = WasmdChain::new(config)?;
    chain.load_accounts(root.join("scripts/localnet-accounts.json"))?;
    let names: Vec<String> = (1..=providers).map(|i| format!("provider-{i}")).collect();
    let mut plan = DeployPlan::localnet();
    let artifacts_dir = root.join("artifacts");
    plan.label_prefix = format!("acn-throughput-{}", std::process::id());
    plan.market_mut().models = specs.clone();
    plan.token.balances.extend(
        names
            .iter()
            .map(|n| (n.clone(), 100_000 * TOKEN))
            .chain([
                ("buyer-1".to_string(), 100_000 * TOKEN),
                ("buyer-2".to_string(), 100_000 * TOKEN),
            ])
            .collect::<Vec<_>>(),
    );
    plan.market_mut().params.commit_window = 120;
    plan.market_mut().params.reveal_window = 60;
    plan.market_mut().params.max_active_jobs_per_provider = 10_000;
    let (deployment, _) = deploy_wasmd(&chain, &artifacts_dir, &plan)?;
    chain.set_deployment(deployment.deployment)?;
    let chain = Arc::new(chain);
    let d = chain.deployment().clone();
    for name in &names {
        // Enough stake for every job at once (each slot locks at least the minimum at risk).
        chain.send_tokens(
            name,
            &d.staking,
            90_000 * TOKEN,
            &staking::ReceiveMsg::Bond { tier: None },
        )?;
        chain.market_exec(
            name,
            &market::ExecuteMsg::RegisterProvider {
                hardware: market::Hardware {
                    backend: "ndarray".into(),
                    device: "cpu".into(),
                    memory_mb: 0,
                    endpoint: None,
                },
                models: vec![MODEL.into()],
                min_unit_price: Uint128::zero(),
            },
        )?;
    }

    let mut engine = Engine::new(Backend::Ndarray)?;
    for entry in &registry {
        engine.load(entry, &root.join("packages/models/weights"))?;
    }
    engine.warm_up(MODEL)?;
    let engine = SharedEngine::new(engine);
    let journals = tempfile::tempdir()?;
    let stop = Arc::new(AtomicBool::new(false));
    let mut threads = vec![];
    for name in &names {
        let config = WorkerConfig {
            account: name.clone(),
            backend: Backend::Ndarray,
            models: vec![MODEL.into()],
            registry: registry_path.clone(),
            weights_dir: None,
            journal: journals.path().join(format!("{name}.journal")),
            capacity: 256,
            poll_interval_ms: poll_ms,
            min_unit_price: 0,
            max_retries: 8,
            behaviour: Behaviour::Honest,
            chain: None,
            metrics: None,
            trained_dir: None,
        };
        let mut worker = Worker::new(
            chain.clone() as Arc<dyn Chain + Send + Sync>,
            engine.clone(),
            config,
            &specs,
        )?;
        let stop = stop.clone();
        threads.push(std::thread::spawn(move || {
            worker.run(|| stop.load(Ordering::SeqCst))
        }));
    }

    let input = Binary::from(
        acn_models::data::digits_split()?.held_out.images[..BATCH as usize]
            .iter()
            .flatten()
            .copied()
            .collect::<Vec<u8>>(),
    );
    let quote: market::QuoteResponse = chain.market(&market::QueryMsg::Quote {
        model_id: MODEL.into(),
        batch: BATCH,
        redundancy,
        buyer: None,
        input: None,
    })?;
    let start_height = chain.block()?.height;
    let (client_cpu0, node_cpu0) = (cpu_secs("self"), cpu_secs(&node_pid.to_string()));
    let (txs, msgs) = (AtomicU64::new(0), AtomicU64::new(0));
    let started = Instant::now();
    let ids: Vec<u64> = std::thread::scope(|s| {
        let handles: Vec<_> = ["buyer-1", "buyer-2"]
            .into_iter()
            .enumerate()
            .map(|(k, buyer)| {
                let (chain, input, txs, msgs, d) = (&chain, &input, &txs, &msgs, &d);
                let mine = jobs / 2 + (k < jobs % 2) as usize;
                s.spawn(move || -> anyhow::Result<Vec<u64>> {
                    let mut ids = vec![];
                    let mut left = mine;
                    while left > 0 {
                        let n = left.min(per_tx);
                        let deadline = Timestamp::from_seconds(chain.block()?.time + 3_600);
                        let hook = market::ReceiveMsg::SubmitJob {
                            model_id: MODEL.into(),
                            input: input.clone(),
                            batch: BATCH,
                            redundancy,
                            max_unit_price: quote.unit_price * Uint128::new(4),
                            deadline,
                            callback: None,
                            audit_commitment: (redundancy == 1).then(|| {
                                cosmwasm_std::HexBinary::from(
                                    market::audit_commitment(AUDIT_SECRET).to_vec(),
                                )
                            }),
                        };
                        let send = token::ExecuteMsg::Send {
                            contract: d.market.clone(),
                            amount: quote.price * Uint128::new(2),
                            msg: cosmwasm_std::to_json_binary(&hook)?,
                        };
                        let call = Call::new(&d.token, &send)?;
                        let tx = chain.execute_batch(buyer, &vec![call; n])?;
                        txs.fetch_add(1, Ordering::SeqCst);
                        msgs.fetch_add(n as u64, Ordering::SeqCst);
                        for a in tx.attributes.iter().filter(|a| a.key == "job_id") {
                            ids.push(a.value.parse()?);
                        }
                        left -= n;
                    }
                    Ok(ids)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .map_err(|_| anyhow::anyhow!("submitter panicked"))?
            })
            .collect::<anyhow::Result<Vec<Vec<u64>>>>()
            .map(|v| v.concat())
    })?;
    anyhow::ensure!(
        ids.len() == jobs,
        "{} job ids for {jobs} submissions",
        ids.len()
    );
    let submitted = started.elapsed();
    let buyers = [
        ("buyer-1", chain.address("buyer-1")?),
        ("buyer-2", chain.address("buyer-2")?),
    ];
    let mut released = std::collections::HashSet::new();
    let mut finals: Vec<market::JobResponse> = vec![];
    let mut open_ids = ids.clone();
    loop {
        let mut open = vec![];
        for id in open_ids {
            let j: market::JobResponse = chain.market(&market::QueryMsg::Job { id })?;
            if j.status.is_final() {
                finals.push(j);
            } else {
                open.push(j);
            }
        }
        open_ids = open.iter().map(|j| j.id).collect();
        // Buyers reveal their audit secret once the provider committed (10 % of the jobs then
        // go to a second provider as well), all their due jobs in one transaction.
        for (name, addr) in &buyers {
            let due: Vec<u64> = open
                .iter()
                .filter(|j| j.buyer.as_str() == addr.as_str())
                .filter(|j| {
                    j.audit.as_ref().is_some_and(|a| a.audited.is_none())
                        && j.slots.iter().all(|s| s.commitment.is_some())
                })
                .map(|j| j.id)
                .filter(|id| !released.contains(id))
                .collect();
            if due.is_empty() {
                continue;
            }
            let calls = due
                .iter()
                .map(|&job_id| {
                    Call::new(
                        &d.market,
                        &market::ExecuteMsg::RevealAuditSecret {
                            job_id,
                            secret: Binary::from(AUDIT_SECRET.to_vec()),
                        },
                    )
                })
                .collect::<Result<Vec<_>, _>>()?;
            chain.execute_batch(name, &calls)?;
            txs.fetch_add(1, Ordering::SeqCst);
            msgs.fetch_add(calls.len() as u64, Ordering::SeqCst);
            released.extend(due);
        }
        if open_ids.is_empty() {
            break;
        }
        anyhow::ensure!(
            started.elapsed() < Duration::from_secs(900),
            "{} jobs still unfinished after 15 minutes",
            open_ids.len()
        );
        std::thread::sleep(Duration::from_millis(poll_ms));
    }
    let elapsed = started.elapsed();
    let (client_cpu1, node_cpu1) = (cpu_secs("self"), cpu_secs(&node_pid.to_string()));
    let end_height = chain.block()?.height;
    stop.store(true, Ordering::SeqCst);
    for t in threads {
        t.join().map_err(|_| anyhow::anyhow!("worker panicked"))??;
    }
    let settled: Vec<&market::JobResponse> = finals
        .iter()
        .filter(|j| j.status == JobStatus::Settled)
        .collect();
    // Every slot that revealed sent a commitment and a reveal.
    let provider_msgs: u64 = settled
        .iter()
        .map(|j| 2 * j.slots.iter().filter(|s| s.output.is_some()).count() as u64)
        .sum();
    let mut latencies: Vec<u64> = settled
        .iter()
        .filter_map(|j| {
            let last = j.slots.iter().filter_map(|s| s.revealed_height).max()?;
            Some(last.saturating_sub(j.created_height))
        })
        .collect();
    latencies.sort_unstable();
    let pct = |p: f64| -> u64 {
        if latencies.is_empty() {
            return 0;
        }
        let i = ((latencies.len() as f64 * p).ceil() as usize).clamp(1, latencies.len()) - 1;
        latencies[i]
    };
    let (mut block_txs, mut block_gas, mut max_gas, mut full) = (0u64, 0u64, 0u64, 0u64);
    for h in start_height + 1..=end_height {
        let load = chain.block_load(h)?;
        block_txs += load.txs;
        block_gas += load.gas_used;
        max_gas = max_gas.max(load.gas_used);
        full += (load.txs > 0) as u64;
    }
    let blocks = (end_height - start_height).max(1);
    let secs = elapsed.as_secs_f64();
    let all_msgs = msgs.load(Ordering::SeqCst) + provider_msgs;
    println!("| figure | value |");
    println!("|---|---:|");
    println!("| providers (worker loops, ndarray) / redundancy | {providers} / {redundancy} |");
    println!("| parallel submitters, submissions per transaction | 2, {per_tx} |");
    println!(
        "| jobs submitted / settled | {} / {} |",
        ids.len(),
        settled.len()
    );
    println!("| all submitted after | {:.1} s |", submitted.as_secs_f64());
    println!("| first submission → last settlement | {secs:.1} s |");
    println!(
        "| **jobs settled per second** | **{:.2}** |",
        settled.len() as f64 / secs
    );
    println!(
        "| messages per second (submit, audit, commit, reveal) | {:.1} |",
        all_msgs as f64 / secs
    );
    println!(
        "| transactions (node's block results) / per second | {block_txs} / {:.2} |",
        block_txs as f64 / secs
    );
    println!(
        "| blocks / with transactions / s per block | {blocks} / {full} / {:.2} |",
        secs / blocks as f64
    );
    println!(
        "| gas per block: mean / max | {} / {max_gas} |",
        block_gas / blocks
    );
    println!(
        "| gas per settled job (all its transactions) | {} |",
        block_gas / (settled.len() as u64).max(1)
    );
    println!(
        "| latency submit → settled, blocks: p50 / p90 / max | {} / {} / {} |",
        pct(0.5),
        pct(0.9),
        pct(1.0)
    );
    // Client-side transactions this process sent (buyers) — the workers' are in the block count.
    println!("| buyer transactions | {} |", txs.load(Ordering::SeqCst));
    let cores = |a: Option<f64>, b: Option<f64>| match (a, b) {
        (Some(a), Some(b)) => format!("{:.1} s = {:.2} cores", b - a, (b - a) / secs),
        _ => "not measured".to_string(),
    };
    println!(
        "| CPU of this process (submitters, 4 workers, queries), same window | {} |",
        cores(client_cpu0, client_cpu1)
    );
    println!(
        "| CPU of the node (`--node-pid`), same window | {} |",
        cores(node_cpu0, node_cpu1)
    );
    Ok(())
}

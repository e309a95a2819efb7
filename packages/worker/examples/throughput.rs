//! Jobs settled per second on a wasmd localnet, with parallel submitters and worker loops.
//!
//! ```text
//! bash scripts/localnet.sh up
//! cargo run --release -p acn-worker --example throughput -- [--jobs N] [--providers P]
//! ```
//!
//! Deploys a fresh instance of the contracts with the registry's models, registers `P` providers
//! (1–4, default 4), each running the real worker loop (`Worker::run`, burn's ndarray backend,
//! one thread each), and has two buyers submit `N` digits jobs (default 40, redundancy 1,
//! 4 items each) from two threads as fast as their transactions are included. Prints the time
//! from the first submission to the last settlement, jobs/s, transactions/s and the blocks it
//! took. The RPC URL is `$ACN_WASMD_RPC` or `http://127.0.0.1:26657`.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use cosmwasm_std::{Binary, Timestamp, Uint128};

use acn_client::deploy::{deploy_wasmd, DeployPlan};
use acn_client::wasmd::WasmdConfig;
use acn_client::{Chain, ChainExt, WasmdChain};
use acn_interface::market::{self, JobStatus, ModelSpec, TOKEN};
use acn_interface::staking;
use acn_models::{Backend, Engine};
use acn_worker::config::Behaviour;
use acn_worker::executor::SharedEngine;
use acn_worker::{Worker, WorkerConfig};

const MODEL: &str = "digits-mlp-v1";
const BATCH: u32 = 4;

fn arg(name: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() -> anyhow::Result<()> {
    let jobs = arg("--jobs", 40);
    let providers = arg("--providers", 4).clamp(1, 4);
    let root: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let rpc = std::env::var("ACN_WASMD_RPC")
        .ok()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "http://127.0.0.1:26657".into());
    let registry_path = root.join("packages/models/registry.json");
    let registry = acn_models::load_registry(&registry_path)?;
    let specs: Vec<ModelSpec> = registry.iter().map(|e| e.spec.clone()).collect();

    let mut chain = WasmdChain::new(WasmdConfig::new(&rpc))?;
    chain.load_accounts(root.join("scripts/localnet-accounts.json"))?;
    let names: Vec<String> = (1..=providers).map(|i| format!("provider-{i}")).collect();
    let mut plan = DeployPlan::localnet();
    let artifacts_dir = root.join("artifacts");
    plan.label_prefix = format!("acn-throughput-{}", std::process::id());
    plan.market_mut().models = specs.clone();
    plan.token.balances.extend(
        names
            .iter()
            .map(|n| (n.clone(), 2_000 * TOKEN))
            .chain([
                ("buyer-1".to_string(), 1_000 * TOKEN),
                ("buyer-2".to_string(), 1_000 * TOKEN),
            ])
            .collect::<Vec<_>>(),
    );
    plan.market_mut().params.commit_window = 60;
    plan.market_mut().params.reveal_window = 30;
    plan.market_mut().params.max_active_jobs_per_provider = 64;
    let (deployment, _) = deploy_wasmd(&chain, &artifacts_dir, &plan)?;
    chain.set_deployment(deployment.deployment)?;
    let chain = Arc::new(chain);
    let d = chain.deployment().clone();
    for name in &names {
        chain.send_tokens(
            name,
            &d.staking,
            1_000 * TOKEN,
            &staking::ReceiveMsg::Bond { tier: None },
        )?;
        chain.market_exec(
            name,
            &market::ExecuteMsg::RegisterProvider {
                hardware: market::Hardware {
                    backend: "ndarray".into(),
                    device: "cpu".into(),
                    memory_mb: 0,
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
            capacity: 16,
            poll_interval_ms: 100,
            min_unit_price: 0,
            max_retries: 8,
            behaviour: Behaviour::Honest,
            chain: None,
            metrics: None,
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
        redundancy: 1,
        buyer: None,
    })?;
    let start_height = chain.block()?.height;
    let txs = AtomicU64::new(0);
    let started = Instant::now();
    let ids: Vec<u64> = std::thread::scope(|s| {
        let handles: Vec<_> = ["buyer-1", "buyer-2"]
            .into_iter()
            .enumerate()
            .map(|(k, buyer)| {
                let (chain, input, txs, d) = (&chain, &input, &txs, &d);
                let mine = jobs / 2 + (k < jobs % 2) as usize;
                s.spawn(move || -> anyhow::Result<Vec<u64>> {
                    let mut ids = vec![];
                    for _ in 0..mine {
                        let deadline = Timestamp::from_seconds(chain.block()?.time + 3_600);
                        let tx = chain.send_tokens(
                            buyer,
                            &d.market,
                            quote.price.u128() * 2,
                            &market::ReceiveMsg::SubmitJob {
                                model_id: MODEL.into(),
                                input: input.clone(),
                                batch: BATCH,
                                redundancy: 1,
                                max_unit_price: quote.unit_price * Uint128::new(4),
                                deadline,
                                callback: None,
                                audit_commitment: Some(cosmwasm_std::HexBinary::from(
                                    market::audit_commitment(b"throughput audit secret").to_vec(),
                                )),
                            },
                        )?;
                        txs.fetch_add(1, Ordering::SeqCst);
                        ids.push(tx.attr("job_id").unwrap_or("0").parse()?);
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
    let submitted = started.elapsed();
    let buyers = [
        ("buyer-1", chain.address("buyer-1")?),
        ("buyer-2", chain.address("buyer-2")?),
    ];
    let mut released = std::collections::HashSet::new();
    loop {
        let open: Vec<market::JobResponse> = ids
            .iter()
            .map(|&id| chain.market::<market::JobResponse>(&market::QueryMsg::Job { id }))
            .collect::<Result<Vec<_>, _>>()?
            .into_iter()
            .filter(|j| !j.status.is_final())
            .collect();
        // Buyers reveal their audit secret once the provider committed (10 % of the jobs then
        // go to a second provider as well).
        for j in &open {
            let due = j.audit.as_ref().is_some_and(|a| a.audited.is_none())
                && j.slots.iter().all(|s| s.commitment.is_some());
            let buyer = buyers.iter().find(|(_, a)| j.buyer.as_str() == a.as_str());
            if let (true, Some((name, _))) = (due, buyer) {
                if released.insert(j.id) {
                    chain.market_exec(
                        name,
                        &market::ExecuteMsg::RevealAuditSecret {
                            job_id: j.id,
                            secret: Binary::from(b"throughput audit secret".to_vec()),
                        },
                    )?;
                    txs.fetch_add(1, Ordering::SeqCst);
                }
            }
        }
        let unfinished = open.len();
        if unfinished == 0 {
            break;
        }
        anyhow::ensure!(
            started.elapsed() < Duration::from_secs(600),
            "{unfinished} jobs still unfinished after 10 minutes"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    let elapsed = started.elapsed();
    let end_height = chain.block()?.height;
    stop.store(true, Ordering::SeqCst);
    for t in threads {
        t.join().map_err(|_| anyhow::anyhow!("worker panicked"))??;
    }
    let settled = ids
        .iter()
        .map(|&id| chain.market::<market::JobResponse>(&market::QueryMsg::Job { id }))
        .collect::<Result<Vec<_>, _>>()?
        .into_iter()
        .filter(|j| j.status == JobStatus::Settled)
        .count();
    // Each settled redundancy-1 job took a submit and the buyer's audit reveal (counted above),
    // a commit and a reveal (two more for an audited job's second provider, not counted).
    let total_txs = txs.load(Ordering::SeqCst) as usize + 2 * settled;
    println!("| figure | value |");
    println!("|---|---:|");
    println!("| providers (worker loops, ndarray) | {providers} |");
    println!("| parallel submitters | 2 |");
    println!("| jobs submitted / settled | {} / {settled} |", ids.len());
    println!("| all submitted after | {:.1} s |", submitted.as_secs_f64());
    println!(
        "| first submission → last settlement | {:.1} s |",
        elapsed.as_secs_f64()
    );
    println!(
        "| jobs settled per second | {:.2} |",
        settled as f64 / elapsed.as_secs_f64()
    );
    println!(
        "| transactions per second (submit, claim, commit, reveal) | {:.2} |",
        total_txs as f64 / elapsed.as_secs_f64()
    );
    println!(
        "| blocks | {} ({:.2} s/block) |",
        end_height - start_height,
        elapsed.as_secs_f64() / (end_height - start_height).max(1) as f64
    );
    Ok(())
}

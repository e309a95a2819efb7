//! The demo: the whole ACN economy on the embedded chain, with the real contracts and real
//! models run by provider workers on burn, and one agent run among the jobs ([`agent`]).

mod agent;

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use anyhow::Context;
use cosmwasm_std::{Binary, Timestamp, Uint128};
use indicatif::{ProgressBar, ProgressStyle};

use acn_client::deploy::{AgentsPlan, DeployPlan, MarketPlan};
use acn_client::{Chain, ChainError, ChainExt};
use acn_embedded::EmbeddedChain;
use acn_interface::market::{self, Hardware, JobStatus, ModelSpec, OutputSpec};
use acn_interface::market::{MarketParams, TOKEN};
use acn_interface::{staking, treasury};
use acn_models::{Backend, Engine, RegistryEntry};
use acn_worker::executor::SharedEngine;

use acn_client::amount::tokens;
use acn_worker::{Behaviour, Worker, WorkerConfig};

/// Sizes of the demo. Defaults need no flags.
#[derive(clap::Args, Clone, Debug)]
pub struct DemoOptions {
    /// Provider workers.
    #[arg(long, default_value_t = 4)]
    pub providers: usize,
    /// How many of the providers cheat (report wrong outputs); they get slashed.
    #[arg(long, default_value_t = 1)]
    pub cheaters: usize,
    /// Buyers.
    #[arg(long, default_value_t = 3)]
    pub buyers: usize,
    /// Jobs to submit.
    #[arg(long, default_value_t = 24)]
    pub jobs: usize,
    /// Items per job.
    #[arg(long, default_value_t = 8)]
    pub batch: u32,
    /// Provider slots per job (≥ 2 to verify by agreement).
    #[arg(long, default_value_t = 3)]
    pub redundancy: u8,
    /// burn backends of the workers (wgpu, ndarray, flex), comma-separated: providers take
    /// them in turn, so a job's slots are held by workers on different backends that must agree.
    #[arg(long = "backends", alias = "backend", value_delimiter = ',', default_values_t = [Backend::Wgpu, Backend::Flex])]
    pub backends: Vec<Backend>,
    /// Real milliseconds per 5-second block of the embedded chain.
    #[arg(long, default_value_t = 100)]
    pub block_ms: u64,
    /// Give up if the jobs are not all final after this many seconds.
    #[arg(long, default_value_t = 600)]
    pub timeout_secs: u64,
}

/// What the demo measured.
#[derive(Debug, Default)]
pub struct DemoReport {
    /// Jobs submitted.
    pub submitted: u64,
    /// Jobs settled with an agreed result.
    pub settled: u64,
    /// Jobs disputed.
    pub disputed: u64,
    /// Jobs expired.
    pub expired: u64,
    /// Digit items whose agreed label matched the true label / digit items settled.
    pub digits_correct: (u64, u64),
    /// Mean absolute error of agreed regressor outputs against the true targets.
    pub regression_mae: Option<f64>,
    /// Intent texts whose agreed label matched the true label / intent texts settled.
    pub intents_correct: (u64, u64),
    /// Text embeddings: the outputs revealed by providers on different backends, compared.
    pub embeddings: EmbeddingAgreement,
    /// Paid to providers.
    pub paid: u128,
    /// Protocol fees.
    pub fees: u128,
    /// Burned by the treasury.
    pub burned: u128,
    /// Slashed from providers.
    pub slashed: u128,
    /// Supply before and after.
    pub supply: (u128, u128),
    /// The agent run: its status, and its items routed to the intent their digit stands for.
    pub agent_run: Option<(acn_interface::agents::RunStatus, (usize, usize))>,
}

/// How the text embeddings revealed by providers on different backends compared, over every
/// pair of revealed outputs of a settled embedding job whose providers ran different backends.
#[derive(Debug, Default)]
pub struct EmbeddingAgreement {
    /// Settled embedding jobs with revealed outputs from at least two backends.
    pub jobs: u64,
    /// Texts compared (per pair of backends).
    pub texts: u64,
    /// Largest element difference, in fixed-point steps.
    pub max_diff: i64,
    /// The model's on-chain tolerance, in fixed-point steps.
    pub tolerance: u32,
    /// Lowest cosine similarity between two backends' embeddings of the same text.
    pub min_cosine: Option<f64>,
    /// The backends compared, e.g. `flex`, `wgpu`.
    pub backends: Vec<String>,
}

/// What a job's items truly are, to score agreed results.
enum Truth {
    Labels(Vec<u8>),
    Targets(Vec<f32>),
    /// Intent classes of texts (the intent head).
    Intents(Vec<u32>),
    /// Texts to embed: no ground truth, the backends are compared with each other.
    Embeddings,
}

fn say(msg: impl AsRef<str>) {
    println!("{}", msg.as_ref());
}

/// Run the demo.
pub fn run(opts: DemoOptions) -> anyhow::Result<DemoReport> {
    anyhow::ensure!(opts.providers >= 1, "at least one provider");
    anyhow::ensure!(
        opts.cheaters < opts.providers,
        "at least one honest provider"
    );
    anyhow::ensure!(
        opts.buyers >= 1 && opts.jobs >= 1,
        "at least one buyer and one job"
    );
    anyhow::ensure!(
        (opts.redundancy as usize) <= opts.providers,
        "redundancy {} needs at least as many providers",
        opts.redundancy
    );
    let started = Instant::now();

    // ---- models -------------------------------------------------------------------------
    let registry_path = acn_models::registry::default_registry_path();
    let weights_dir = acn_models::registry::default_weights_dir();
    let registry: Vec<RegistryEntry> = acn_models::registry::load_registry(&registry_path)?;
    anyhow::ensure!(!opts.backends.is_empty(), "at least one backend");
    let mut backends = opts.backends.clone();
    backends.dedup();
    say(format!(
        "ACN demo — {} providers ({} cheating), {} buyers, {} jobs × {} items, redundancy {}",
        opts.providers, opts.cheaters, opts.buyers, opts.jobs, opts.batch, opts.redundancy
    ));
    // One engine per backend, shared by the workers on it.
    let mut engines: HashMap<Backend, (SharedEngine, String)> = HashMap::new();
    for backend in &backends {
        if engines.contains_key(backend) {
            continue;
        }
        let mut engine = Engine::new(*backend)?;
        say(format!(
            "backend {} on device \"{}\"",
            backend.name(),
            engine.device_name()
        ));
        for entry in &registry {
            engine.load(entry, &weights_dir)?;
            let t = Instant::now();
            engine.warm_up(&entry.spec.id)?;
            say(format!(
                "  model {:<16} weights sha256 {}…  verified, warmed up in {:.1} s",
                entry.spec.id,
                &entry.spec.weights_sha256[..16],
                t.elapsed().as_secs_f64()
            ));
        }
        let device = engine.device_name().to_string();
        engines.insert(*backend, (SharedEngine::new(engine), device));
    }
    let specs: Vec<ModelSpec> = registry.iter().map(|e| e.spec.clone()).collect();

    // ---- chain --------------------------------------------------------------------------
    let providers: Vec<String> = (1..=opts.providers)
        .map(|i| format!("provider-{i}"))
        .collect();
    // Providers take the backends in turn.
    let backend_of: BTreeMap<String, Backend> = providers
        .iter()
        .enumerate()
        .map(|(i, p)| (p.clone(), backends[i % backends.len()]))
        .collect();
    let buyers: Vec<String> = (1..=opts.buyers).map(|i| format!("buyer-{i}")).collect();
    let chain_specs = specs.clone();
    let (p_names, b_names) = (providers.clone(), buyers.clone());
    let mut plan = DeployPlan::new("owner");
    plan.treasury.reserve = 1_000_000 * TOKEN;
    plan.market = Some(MarketPlan {
        // The embedded chain runs 50× faster than a real one (a 5-second block every 100 ms):
        // hour-long commit and reveal windows give a worker on a slow backend (MiniLM on
        // lavapipe, a busy machine) over a minute of real time to run a job.
        params: MarketParams {
            commit_window: 3_600,
            reveal_window: 3_600,
            ..MarketParams::default()
        },
        // 0.00001 ACN per compute unit (10³ multiply-accumulates) at launch, the dynamic price
        // moving from here: a digit costs 0.00005 ACN, a MiniLM text (344 000 units) 3.44 ACN.
        initial_unit_price: 10,
        models: chain_specs,
    });
    plan.agents = Some(AgentsPlan::default());
    for p in &p_names {
        plan.token.balances.push((p.clone(), 5_000 * TOKEN));
    }
    for name in &b_names {
        plan.token.balances.push((name.clone(), 100_000 * TOKEN));
    }
    let chain: Arc<EmbeddedChain> = Arc::new(EmbeddedChain::deploy(plan)?);
    let d = chain.deployment().clone();
    let supply_before = chain.total_supply()?;
    say(format!(
        "deployed token, staking, treasury, market, agent registry on the embedded chain; supply {}",
        tokens(supply_before)
    ));

    for p in &providers {
        chain.send_tokens(
            p,
            &d.staking,
            4_000 * TOKEN,
            &staking::ReceiveMsg::Bond { tier: None },
        )?;
        let backend = backend_of[p];
        chain.market_exec(
            p,
            &market::ExecuteMsg::RegisterProvider {
                hardware: Hardware {
                    backend: backend.name().to_string(),
                    device: engines[&backend].1.chars().take(64).collect(),
                    memory_mb: 4_096,
                    endpoint: None,
                },
                models: specs.iter().map(|s| s.id.clone()).collect(),
                min_unit_price: Uint128::zero(),
            },
        )?;
    }
    let backend_by_addr: BTreeMap<String, Backend> = providers
        .iter()
        .map(|p| Ok((chain.address(p)?, backend_of[p])))
        .collect::<anyhow::Result<_>>()?;
    let stake_before: BTreeMap<String, u128> = providers
        .iter()
        .map(|p| {
            let addr = chain.address(p)?;
            Ok((p.clone(), chain.stake(&addr)?.bonded.u128()))
        })
        .collect::<anyhow::Result<_>>()?;

    // ---- workers and blocks ---------------------------------------------------------------
    let stop = Arc::new(AtomicBool::new(false));
    let journals = tempdir_for_journals()?;
    let mut threads = vec![];
    let cheaters: Vec<String> = providers
        .iter()
        .rev()
        .take(opts.cheaters)
        .cloned()
        .collect();
    for p in &providers {
        let backend = backend_of[p];
        let config = WorkerConfig {
            account: p.clone(),
            backend,
            models: specs.iter().map(|s| s.id.clone()).collect(),
            registry: registry_path.clone(),
            weights_dir: Some(weights_dir.clone()),
            journal: journals.join(format!("{p}.journal")),
            capacity: 4,
            poll_interval_ms: opts.block_ms.max(10),
            min_unit_price: 0,
            max_retries: 6,
            behaviour: if cheaters.contains(p) {
                Behaviour::Cheat
            } else {
                Behaviour::Honest
            },
            chain: None,
            metrics: None,
            trained_dir: None,
        };
        let mut worker = Worker::new(
            chain.clone() as Arc<dyn Chain + Send + Sync>,
            engines[&backend].0.clone(),
            config,
            &specs,
        )?;
        let stop = stop.clone();
        let name = p.clone();
        threads.push(
            thread::Builder::new()
                .name(name.clone())
                .spawn(move || worker.run(|| stop.load(Ordering::Relaxed)))
                .context("spawn worker")?,
        );
    }
    let producer = {
        let (chain, stop, ms) = (chain.clone(), stop.clone(), opts.block_ms);
        thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                if chain.wait_blocks(1).is_err() {
                    break;
                }
                thread::sleep(Duration::from_millis(ms));
            }
        })
    };

    // ---- buyers submit real inputs -------------------------------------------------------
    let digits = acn_models::data::digits_split()?.held_out;
    let regression = acn_models::data::regression_split().held_out;
    let intents = acn_models::intent::intents_split()?.held_out;
    let mut truth: BTreeMap<u64, Truth> = BTreeMap::new();
    // Who bought each job: at redundancy 1 the buyer reveals its audit secret once the
    // provider has committed (10 % of such jobs then go to a second, drawn provider).
    let mut job_buyer: BTreeMap<u64, String> = BTreeMap::new();
    let bar = ProgressBar::new(opts.jobs as u64);
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {bar:40} {pos}/{len} jobs final  {msg}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    // One agent run among the jobs: 4 handwritten menu choices, paid in ACN by the first buyer
    // (its steps need 2 providers: without them there is no run).
    let picks: Vec<usize> = (0..4).map(|i| 7 * i + 3).collect();
    let images: Vec<&[u8]> = picks.iter().map(|i| &digits.images[*i][..]).collect();
    let run_labels: Vec<u8> = picks.iter().map(|i| digits.labels[*i]).collect();
    let demo_run = if opts.providers >= 2 {
        let (demo_run, started_run) = agent::start(
            &*chain,
            "developer",
            &buyers[0],
            &images,
            &run_labels,
            opts.redundancy.clamp(2, opts.providers as u8),
        )?;
        say(format!(
            "agent {} published; run {} paid {} (escrow), first step in job {}",
            agent::AGENT_ID,
            demo_run.id,
            tokens(started_run.run.escrow.u128()),
            started_run.run.steps[0].job_id.unwrap_or_default()
        ));
        Some(demo_run)
    } else {
        say("no agent run: its steps need at least 2 providers");
        None
    };
    let mut run_done: Option<acn_cli::agent::RunView> = None;
    let batch = opts.batch as usize;
    // Jobs for every model the buyers have inputs for: a tool step (the FAQ lookup, whose input
    // is an embedding) runs inside agents; training jobs have their own test and command
    // (`acn job train`).
    let job_specs: Vec<&ModelSpec> = specs
        .iter()
        .filter(|s| {
            s.architecture != acn_models::lookup::LOOKUP_ARCHITECTURE
                && s.input.dtype != market::DType::Training
        })
        .collect();
    for k in 0..opts.jobs {
        let spec = job_specs[k % job_specs.len()];
        let buyer = &buyers[k % buyers.len()];
        let (input, t) = match &spec.output {
            _ if spec.input.dtype == market::DType::Utf8 => {
                let start = (k * batch) % intents.len().saturating_sub(batch).max(1);
                let items = start..start + batch;
                let texts = &intents.texts[items.clone()];
                let truth = match spec.output {
                    OutputSpec::ClassLabels { .. } => {
                        Truth::Intents(items.map(|i| intents.labels[i]).collect())
                    }
                    _ => Truth::Embeddings,
                };
                (market::encode_text_items(texts), truth)
            }
            OutputSpec::ClassLabels { .. } => {
                let start = (k * batch) % digits.len().saturating_sub(batch).max(1);
                let items = start..start + batch;
                let bytes: Vec<u8> = items
                    .clone()
                    .flat_map(|i| digits.images[i].iter().copied())
                    .collect();
                (
                    bytes,
                    Truth::Labels(items.map(|i| digits.labels[i]).collect()),
                )
            }
            _ => {
                let start = (k * batch) % regression.len().saturating_sub(batch).max(1);
                let items = start..start + batch;
                let bytes: Vec<u8> = items
                    .clone()
                    .flat_map(|i| regression.features[i].iter().flat_map(|v| v.to_le_bytes()))
                    .collect();
                (
                    bytes,
                    Truth::Targets(items.map(|i| regression.targets[i]).collect()),
                )
            }
        };
        let quote: market::QuoteResponse = chain.market(&market::QueryMsg::Quote {
            model_id: spec.id.clone(),
            batch: opts.batch,
            redundancy: opts.redundancy,
            buyer: Some(chain.address(buyer)?),
            input: None,
        })?;
        let now = chain.block()?.time;
        // Pay 10 % over the quote: the market refunds the excess in the same transaction.
        let pay = quote.price.u128() + quote.price.u128() / 10;
        // Every provider may hold at most `max_active_jobs_per_provider` unfinished jobs: when
        // all of them are that busy the market refuses the job (nothing moves) and the buyer
        // tries again a block later.
        let submit_by = Instant::now() + Duration::from_secs(opts.timeout_secs);
        let tx = loop {
            let res = chain.send_tokens(
                buyer,
                &d.market,
                pay,
                &market::ReceiveMsg::SubmitJob {
                    model_id: spec.id.clone(),
                    input: Binary::from(input.clone()),
                    batch: opts.batch,
                    redundancy: opts.redundancy,
                    max_unit_price: quote.unit_price.checked_mul(Uint128::new(2))?,
                    deadline: Timestamp::from_seconds(now + 6 * 3_600),
                    callback: None,
                    audit_commitment: (opts.redundancy == 1).then(|| {
                        cosmwasm_std::HexBinary::from(
                            market::audit_commitment(b"demo audit secret").to_vec(),
                        )
                    }),
                },
            );
            match res {
                Err(ChainError::Rejected(m))
                    if m.contains("not enough eligible providers")
                        && Instant::now() < submit_by =>
                {
                    thread::sleep(Duration::from_millis(opts.block_ms.max(10)));
                }
                other => break other?,
            }
        };
        let id: u64 = tx
            .attr("job_id")
            .ok_or_else(|| anyhow::anyhow!("submission returned no job id"))?
            .parse()?;
        truth.insert(id, t);
        job_buyer.insert(id, buyer.clone());
        thread::sleep(Duration::from_millis(opts.block_ms));
    }

    // ---- wait until every job is final ----------------------------------------------------
    let deadline = Instant::now() + Duration::from_secs(opts.timeout_secs);
    let mut final_jobs: BTreeMap<u64, market::JobResponse> = BTreeMap::new();
    while final_jobs.len() < truth.len() {
        anyhow::ensure!(
            Instant::now() < deadline,
            "only {} of {} jobs final after {} s",
            final_jobs.len(),
            truth.len(),
            opts.timeout_secs
        );
        for id in truth.keys() {
            if final_jobs.contains_key(id) {
                continue;
            }
            let job: market::JobResponse = chain.market(&market::QueryMsg::Job { id: *id })?;
            let audit_due = job.audit.as_ref().is_some_and(|a| a.audited.is_none())
                && job.slots.iter().all(|s| s.commitment.is_some());
            if let (true, Some(buyer)) = (audit_due, job_buyer.get(id)) {
                // A refusal (the window just closed) only means the job goes on unaudited.
                let _ = chain.market_exec(
                    buyer,
                    &market::ExecuteMsg::RevealAuditSecret {
                        job_id: *id,
                        secret: Binary::from(b"demo audit secret".to_vec()),
                    },
                );
            }
            if job.status.is_final() {
                final_jobs.insert(*id, job);
            }
        }
        if let (None, Some(r)) = (&run_done, &demo_run) {
            run_done = r.poll(&*chain)?;
        }
        let totals: market::TotalsResponse = chain.market(&market::QueryMsg::Totals {})?;
        bar.set_position(final_jobs.len() as u64);
        bar.set_message(format!(
            "settled {} · disputed {} · expired {}",
            totals.jobs_settled, totals.jobs_disputed, totals.jobs_expired
        ));
        thread::sleep(Duration::from_millis(opts.block_ms));
    }
    bar.finish();
    let run_view = match (run_done, &demo_run) {
        (Some(view), _) => Some(view),
        (None, Some(r)) => Some(r.finish(
            &*chain,
            Duration::from_millis(opts.block_ms.max(10)),
            deadline.saturating_duration_since(Instant::now()),
        )?),
        (None, None) => None,
    };
    // Let workers record the final state, then stop them.
    thread::sleep(Duration::from_millis(opts.block_ms * 3));
    stop.store(true, Ordering::Relaxed);
    for t in threads {
        match t.join() {
            Ok(r) => r?,
            Err(_) => anyhow::bail!("a worker thread panicked"),
        }
    }
    let _ = producer.join();

    // ---- the treasury distributes the fees ------------------------------------------------
    // Fees wait in the market until a threshold; a keeper flushes what is left.
    chain.market_exec("keeper", &market::ExecuteMsg::FlushFees {})?;
    let pending = chain.treasury_totals()?.pending.u128();
    if pending > 0 {
        chain.execute("keeper", &d.treasury, &treasury::ExecuteMsg::Distribute {})?;
    }

    // ---- report -----------------------------------------------------------------------------
    let mut report = DemoReport {
        submitted: truth.len() as u64,
        ..DemoReport::default()
    };
    let mut abs_err = (0f64, 0u64);
    for (id, job) in &final_jobs {
        match job.status {
            JobStatus::Settled => report.settled += 1,
            JobStatus::Disputed => report.disputed += 1,
            _ => report.expired += 1,
        }
        let (Some(result), Some(spec)) = (&job.result, specs.iter().find(|s| s.id == job.model_id))
        else {
            continue;
        };
        let words = spec
            .decode_output(result, job.batch)
            .map_err(|e| anyhow::anyhow!("job {id}: {e}"))?;
        match (&truth[id], &spec.output) {
            (Truth::Labels(labels), _) => {
                report.digits_correct.1 += labels.len() as u64;
                report.digits_correct.0 += labels
                    .iter()
                    .zip(&words)
                    .filter(|(l, w)| **l as i64 == **w)
                    .count() as u64;
            }
            (Truth::Targets(targets), OutputSpec::FixedPoint { scale, .. }) => {
                for (t, w) in targets.iter().zip(&words) {
                    abs_err.0 += (*w as f64 / *scale as f64 - *t as f64).abs();
                    abs_err.1 += 1;
                }
            }
            (Truth::Intents(labels), _) => {
                report.intents_correct.1 += labels.len() as u64;
                report.intents_correct.0 += labels
                    .iter()
                    .zip(&words)
                    .filter(|(l, w)| **l as i64 == **w)
                    .count() as u64;
            }
            (Truth::Embeddings, _) if job.status == JobStatus::Settled => {
                compare_backends(&mut report.embeddings, job, spec, &backend_by_addr)?;
            }
            _ => {}
        }
    }
    report.regression_mae = (abs_err.1 > 0).then(|| abs_err.0 / abs_err.1 as f64);
    let m: market::TotalsResponse = chain.market(&market::QueryMsg::Totals {})?;
    let t = chain.treasury_totals()?;
    report.paid = m.paid_to_providers.u128();
    report.fees = m.fees.u128();
    report.slashed = m.slashed.u128();
    report.burned = t.burned.u128();
    report.supply = (supply_before, chain.total_supply()?);
    let run_outcome = match (run_view, &demo_run) {
        (Some(view), Some(r)) => Some(agent::outcome(&*chain, r, view)?),
        _ => None,
    };
    report.agent_run = run_outcome.as_ref().map(|o| (o.view.run.status, o.correct));

    println!();
    println!("| figure | value |");
    println!("|---|---|");
    println!(
        "| jobs submitted / settled / disputed / expired | {} / {} / {} / {} |",
        report.submitted, report.settled, report.disputed, report.expired
    );
    if report.digits_correct.1 > 0 {
        println!(
            "| accuracy of agreed digit labels vs true labels | {:.2} % ({} / {}) |",
            100.0 * report.digits_correct.0 as f64 / report.digits_correct.1 as f64,
            report.digits_correct.0,
            report.digits_correct.1
        );
    }
    if let Some(mae) = report.regression_mae {
        println!("| regressor: mean absolute error of agreed outputs | {mae:.4} |");
    }
    if report.intents_correct.1 > 0 {
        println!(
            "| accuracy of agreed intent labels of held-out texts | {:.2} % ({} / {}) |",
            100.0 * report.intents_correct.0 as f64 / report.intents_correct.1 as f64,
            report.intents_correct.0,
            report.intents_correct.1
        );
    }
    let e = &report.embeddings;
    if let Some(cos) = e.min_cosine {
        println!(
            "| text embeddings, {} vs each other: largest element difference / tolerance, lowest cosine | {} / {} steps, {cos:.8} ({} text comparisons, {} jobs) |",
            e.backends.join(", "),
            e.max_diff,
            e.tolerance,
            e.texts,
            e.jobs
        );
    }
    for row in run_outcome.iter().flat_map(|o| o.rows()) {
        println!("{row}");
    }
    println!("| paid to providers | {} |", tokens(report.paid));
    println!(
        "| protocol fees to the treasury | {} |",
        tokens(report.fees)
    );
    println!(
        "| burned by Distribute (70 % of fees and slashes) | {} |",
        tokens(report.burned)
    );
    println!("| slashed from providers | {} |", tokens(report.slashed));
    println!(
        "| supply before → after | {} → {} |",
        tokens(report.supply.0),
        tokens(report.supply.1)
    );
    println!();
    println!(
        "| provider | backend | behaviour | agreed | outvoted | missed | earned | stake before → after |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    for p in &providers {
        let addr = chain.address(p)?;
        let info: market::ProviderResponse = chain.market(&market::QueryMsg::Provider {
            address: addr.clone(),
        })?;
        let earned: u128 = final_jobs
            .values()
            .chain(run_outcome.iter().flat_map(|o| o.jobs.iter()))
            .flat_map(|j| j.slots.iter())
            .filter(|s| s.provider.as_str() == addr)
            .map(|s| s.paid.u128())
            .sum();
        println!(
            "| {p} | {} | {} | {} | {} | {} | {} | {} → {} |",
            backend_of[p].name(),
            if cheaters.contains(p) {
                "cheat"
            } else {
                "honest"
            },
            info.reputation.agreed,
            info.reputation.outvoted,
            info.reputation.missed,
            tokens(earned),
            tokens(stake_before[p]),
            tokens(chain.stake(&addr)?.bonded.u128()),
        );
    }
    println!();
    println!("finished in {:.1} s", started.elapsed().as_secs_f64());

    // ---- the demo checks itself ------------------------------------------------------------
    anyhow::ensure!(
        report.supply.0 - report.supply.1 == report.burned,
        "supply fell by {} but the treasury burned {}",
        report.supply.0 - report.supply.1,
        report.burned
    );
    anyhow::ensure!(report.settled > 0, "no job settled");
    if let Some(o) = &run_outcome {
        o.check()?;
    }
    if report.digits_correct.1 > 0 {
        let acc = report.digits_correct.0 as f64 / report.digits_correct.1 as f64;
        anyhow::ensure!(
            acc >= 0.9,
            "agreed digit labels only {:.1} % correct",
            acc * 100.0
        );
    }
    if report.intents_correct.1 > 0 {
        let acc = report.intents_correct.0 as f64 / report.intents_correct.1 as f64;
        anyhow::ensure!(
            acc >= 0.8,
            "agreed intent labels only {:.1} % correct",
            acc * 100.0
        );
    }
    anyhow::ensure!(
        e.max_diff <= e.tolerance as i64,
        "two backends' embeddings differ by {} steps, over the tolerance {}",
        e.max_diff,
        e.tolerance
    );
    Ok(report)
}

/// Compare the embeddings revealed in a settled job by providers on different backends: every
/// pair of revealed outputs from two different backends, text by text.
fn compare_backends(
    agreement: &mut EmbeddingAgreement,
    job: &market::JobResponse,
    spec: &ModelSpec,
    backend_by_addr: &BTreeMap<String, Backend>,
) -> anyhow::Result<()> {
    let revealed: Vec<(Backend, Vec<i64>)> = job
        .slots
        .iter()
        .filter(|s| s.outcome == Some(market::SlotOutcome::Agreed))
        .filter_map(|s| {
            let backend = *backend_by_addr.get(s.provider.as_str())?;
            Some((backend, s.output.as_ref()?))
        })
        .map(|(b, out)| {
            let words = spec
                .decode_output(out, job.batch)
                .map_err(|e| anyhow::anyhow!("job {}: {e}", job.id))?;
            Ok((b, words))
        })
        .collect::<anyhow::Result<_>>()?;
    let dim = spec.output.item_words() as usize;
    let mut compared = false;
    for (i, (a, wa)) in revealed.iter().enumerate() {
        for (b, wb) in &revealed[i + 1..] {
            if a == b {
                continue;
            }
            compared = true;
            for name in [a.name(), b.name()] {
                if !agreement.backends.iter().any(|n| n == name) {
                    agreement.backends.push(name.to_string());
                    agreement.backends.sort();
                }
            }
            for (x, y) in wa.chunks(dim).zip(wb.chunks(dim)) {
                let diff = x.iter().zip(y).map(|(p, q)| (p - q).abs()).max();
                agreement.max_diff = agreement.max_diff.max(diff.unwrap_or(0));
                let dot: f64 = x.iter().zip(y).map(|(p, q)| *p as f64 * *q as f64).sum();
                let norm = |v: &[i64]| v.iter().map(|p| (*p as f64).powi(2)).sum::<f64>().sqrt();
                let cos = dot / (norm(x) * norm(y)).max(f64::MIN_POSITIVE);
                agreement.min_cosine = Some(agreement.min_cosine.map_or(cos, |m| m.min(cos)));
                agreement.texts += 1;
            }
        }
    }
    if compared {
        agreement.jobs += 1;
        agreement.tolerance = spec.tolerance;
    }
    Ok(())
}

fn tempdir_for_journals() -> anyhow::Result<std::path::PathBuf> {
    let dir = std::env::temp_dir().join(format!("acn-demo-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

//! The role commands through the `acn` binary on a running wasmd node: a fresh deployment with
//! the digits model and a DAO, a provider running the worker loop, then a buyer's `acn job
//! quote|submit|wait|show|list`, a holder's `acn stake bond|unbond|status|rewards`, and a DAO
//! member's `acn gov show --from` and `acn gov close`; a training job (`acn job train|weights`)
//! trained by both providers, its weights fetched from a provider's endpoint. `#[ignore]`d (a plain `cargo test` has no
//! node); run with `--ignored`, `ACN_WASMD_RPC` set (e.g. `http://127.0.0.1:26657` after
//! `scripts/localnet.sh up`) and the wasm artifacts built (`scripts/build-wasm.sh`). Every
//! command's output is echoed to stderr (`--nocapture` shows it).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use cosmwasm_std::Uint128;

use acn_client::deploy::{deploy_wasmd, DeployPlan};
use acn_client::wasmd::WasmdConfig;
use acn_client::{Chain, ChainExt, WasmdChain};
use acn_interface::{agents, market, staking};
use acn_models::intent::INTENT_ID;
use acn_models::{Backend, Engine};
use acn_testing::{hardware, TOKEN};
use acn_worker::training::TrainedStore;
use acn_worker::{Behaviour, Metrics, MetricsServer, Worker, WorkerConfig};

/// The digits MLP's trainer.
const TRAINER: &str = "train-digits-mlp-v1";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Run `acn GROUP --rpc RPC --deployment FILE ARGS…`; its stdout (echoed), or a panic with its
/// stderr.
fn acn(rpc: &str, deployment: &Path, group: &str, args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_acn"))
        .current_dir(root())
        .args([group, "--rpc", rpc, "--deployment"])
        .arg(deployment)
        .args(args)
        .output()
        .expect("run acn");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr);
    eprintln!("$ acn {group} {}\n{stdout}{stderr}", args.join(" "));
    assert!(
        out.status.success(),
        "acn {group} {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// The number after `prefix` in `text`.
fn number_after(text: &str, prefix: &str) -> u64 {
    let rest = &text[text
        .find(prefix)
        .unwrap_or_else(|| panic!("{prefix:?} in {text}"))
        + prefix.len()..];
    rest.chars()
        .take_while(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .unwrap()
}

#[test]
#[ignore = "needs a wasmd node: run with --ignored and ACN_WASMD_RPC"]
fn every_role_command_works_through_the_binary_on_wasmd() {
    let rpc = match std::env::var("ACN_WASMD_RPC") {
        Ok(url) if !url.is_empty() => url,
        _ => panic!("ACN_WASMD_RPC is not set: set it to a node's RPC"),
    };
    let artifacts = root().join("artifacts");
    assert!(
        artifacts.join("acn_dao.wasm").is_file(),
        "artifacts/acn_dao.wasm is missing (run scripts/build-wasm.sh)"
    );
    let mut chain = WasmdChain::new(WasmdConfig::new(&rpc)).unwrap();
    chain
        .load_accounts(root().join("scripts/localnet-accounts.json"))
        .unwrap();
    let mut plan = DeployPlan::localnet();
    let artifacts_dir = &artifacts;
    plan.label_prefix = format!("acn-cli-roles-{}", std::process::id());
    plan.market_mut().models = common::specs()
        .into_iter()
        .filter(|s| s.id == common::MLP || s.id == INTENT_ID || s.id == TRAINER)
        .collect();
    plan.token.balances.extend(vec![
        ("buyer-2".into(), 1_000 * TOKEN),
        ("provider-3".into(), 5_000 * TOKEN),
        ("provider-4".into(), 5_000 * TOKEN),
    ]);
    // 0.00001 ACN per compute unit (the demo's price): a MiniLM text (344 003 units) costs
    // 3.44 ACN per slot, within what a provider's 2 000 ACN bond can put at risk.
    plan.market_mut().initial_unit_price = 10;
    plan.market_mut().params.commit_window = 45;
    plan.market_mut().params.reveal_window = 30;
    let (deployment, _) = deploy_wasmd(&chain, artifacts_dir, &plan).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("deployment.json");
    deployment.save(&file).unwrap();
    chain.set_deployment(deployment.deployment.clone()).unwrap();

    // Two providers bond, register and run the worker loop (ndarray).
    let chain = Arc::new(chain);
    let stop = Arc::new(AtomicBool::new(false));
    let workers: Vec<_> = ["provider-3", "provider-4"]
        .into_iter()
        .map(|p| provide(&chain, p, dir.path(), stop.clone()))
        .collect();

    // The buyer.
    let (csv, truth) = common::digits_csv(4);
    let input = dir.path().join("digits.csv");
    std::fs::write(&input, csv).unwrap();
    let input = input.to_str().unwrap();
    let data_dir = dir.path().join("data");
    let data_dir = data_dir.to_str().unwrap();
    let out = acn(
        &rpc,
        &file,
        "job",
        &[
            "quote",
            "--model",
            common::MLP,
            "--input",
            input,
            "--from",
            "buyer-2",
        ],
    );
    assert!(out.contains("total"), "{out}");
    let out = acn(
        &rpc,
        &file,
        "job",
        &[
            "submit",
            "--from",
            "buyer-2",
            "--model",
            common::MLP,
            "--input",
            input,
            "--data-dir",
            data_dir,
        ],
    );
    let id = number_after(&out, "submitted job ");
    let out = acn(
        &rpc,
        &file,
        "job",
        &[
            "wait",
            "--from",
            "buyer-2",
            "--data-dir",
            data_dir,
            "--poll-ms",
            "300",
            "--timeout-secs",
            "180",
            &id.to_string(),
        ],
    );
    // Redundancy 1, or 2 when the buyer's audit drew the second provider.
    assert!(out.contains(" — settled\n"), "{out}");
    let out = acn(
        &rpc,
        &file,
        "job",
        &["show", &id.to_string(), "--output", "json"],
    );
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["status"], "settled");
    let labels: Vec<u64> = json["result"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["label"].as_u64().unwrap())
        .collect();
    let correct = labels
        .iter()
        .zip(&truth)
        .filter(|(l, t)| **l == **t as u64)
        .count();
    assert!(correct >= 3, "{labels:?} vs {truth:?}");
    let out = acn(&rpc, &file, "job", &["list", "--from", "buyer-2"]);
    assert!(out.contains("Settled"), "{out}");

    // An agent developer and a buyer: a run paid in ACN (this market is priced in ACN), its
    // two steps (the MLP, then the intent classifier on the digit's sentence) worked by both.
    agent_run(&rpc, &file, &chain, dir.path());
    // A training job, trained by both providers; its weights fetched from one of them.
    training_job(&rpc, &file, dir.path());
    stop.store(true, Ordering::Relaxed);
    for w in workers {
        w.join().unwrap().unwrap();
    }

    // The holder.
    let out = acn(&rpc, &file, "stake", &["bond", "--from", "buyer-2", "12.5"]);
    assert!(out.starts_with("bonded 12.5 ACN\n"), "{out}");
    let out = acn(
        &rpc,
        &file,
        "stake",
        &["unbond", "--from", "buyer-2", "2.5"],
    );
    assert!(
        out.contains("claimable from 20") && out.contains("(in 14 days)"),
        "{out}"
    );
    let out = acn(
        &rpc,
        &file,
        "stake",
        &["status", "--from", "buyer-2", "--output", "json"],
    );
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["bonded"], 10 * TOKEN as u64);
    assert_eq!(json["unbonding"], 2_500_000);
    acn(&rpc, &file, "stake", &["status", "--from", "buyer-2"]);
    acn(&rpc, &file, "stake", &["rewards", "--from", "buyer-2"]);

    // The DAO member: a proposal nobody else votes on misses the quorum and is closed.
    chain.wait_blocks(1).unwrap();
    let out = acn(
        &rpc,
        &file,
        "gov",
        &[
            "propose",
            "--from",
            "buyer-2",
            "--title",
            "Fee to 4 %",
            "fee",
            "--bps",
            "400",
        ],
    );
    let pid = number_after(&out, "proposal ");
    let out = acn(
        &rpc,
        &file,
        "gov",
        &["show", &pid.to_string(), "--from", "provider-4"],
    );
    assert!(out.contains("tally: yes 10 · no 0"), "{out}");
    assert!(out.contains("weight 2000 at the snapshot"), "{out}");
    let dao = deployment.dao.clone().unwrap();
    acn_client::governance::wait_for_voting_end(&*chain, &dao, pid).unwrap();
    let out = acn(
        &rpc,
        &file,
        "gov",
        &["close", "--from", "buyer-2", &pid.to_string()],
    );
    assert!(
        out.contains(&format!("proposal {pid} closed (Rejected, phase Rejected)")),
        "{out}"
    );
}

/// `name` bonds, registers for the two models and runs the worker loop (ndarray) until `stop`.
fn provide(
    chain: &Arc<WasmdChain>,
    name: &str,
    dir: &Path,
    stop: Arc<AtomicBool>,
) -> std::thread::JoinHandle<anyhow::Result<()>> {
    let d = chain.deployment().clone();
    chain
        .send_tokens(
            name,
            &d.staking,
            2_000 * TOKEN,
            &staking::ReceiveMsg::Bond { tier: None },
        )
        .unwrap();
    let models = vec![
        common::MLP.to_string(),
        INTENT_ID.to_string(),
        TRAINER.to_string(),
    ];
    let config = WorkerConfig {
        account: name.into(),
        backend: Backend::Ndarray,
        models: models.clone(),
        registry: acn_models::registry::default_registry_path(),
        weights_dir: None,
        journal: dir.join(format!("{name}.journal")),
        capacity: 4,
        poll_interval_ms: 300,
        min_unit_price: 0,
        max_retries: 4,
        behaviour: Behaviour::Honest,
        chain: None,
        metrics: None,
        trained_dir: None,
    };
    // The worker's HTTP server hands out its trained weights at the endpoint it registers.
    let server = MetricsServer::start_with_weights(
        "127.0.0.1:0",
        Arc::new(Metrics::default()),
        Some(TrainedStore::open(&config.trained_dir()).unwrap()),
    )
    .unwrap();
    let mut hw = hardware();
    hw.endpoint = Some(format!("http://{}", server.local_addr()));
    chain
        .market_exec(
            name,
            &market::ExecuteMsg::RegisterProvider {
                hardware: hw,
                models: models.clone(),
                min_unit_price: Uint128::zero(),
            },
        )
        .unwrap();
    let mut engine = Engine::new(Backend::Ndarray).unwrap();
    for entry in common::registry()
        .iter()
        .filter(|e| models.contains(&e.spec.id))
    {
        engine
            .load(entry, &acn_models::registry::default_weights_dir())
            .unwrap();
    }
    let mut worker = Worker::new(
        chain.clone() as Arc<dyn Chain + Send + Sync>,
        engine,
        config,
        &common::specs(),
    )
    .unwrap();
    std::thread::spawn(move || {
        let _server = server;
        worker.run(|| stop.load(Ordering::Relaxed))
    })
}

/// `acn job train|wait|weights` on the node: `buyer-2` pays for a digits MLP trained on 120
/// digits (100 trained, 20 held out) inline; both providers train it and reveal the same
/// weights hash; the buyer fetches the weights from a provider and they hash to the result.
fn training_job(rpc: &str, file: &Path, dir: &Path) {
    let (csv, truth) = common::digits_csv(120);
    let rows: Vec<String> = csv
        .lines()
        .zip(&truth)
        .map(|(row, label)| format!("{row},{label}"))
        .collect();
    let dataset = dir.join("train.csv");
    std::fs::write(&dataset, rows.join("\n")).unwrap();
    let started = std::time::Instant::now();
    let out = acn(
        rpc,
        file,
        "job",
        &[
            "train",
            "--from",
            "buyer-2",
            "--model",
            TRAINER,
            "--dataset",
            dataset.to_str().unwrap(),
            "--held-out",
            "20",
            "--epochs",
            "10",
            "--batch-size",
            "20",
        ],
    );
    // 10 epochs × 5 steps × 20 items + 20 held out.
    assert!(out.contains(": 1020 items of work"), "{out}");
    let id = number_after(&out, "submitted job ");
    let out = acn(
        rpc,
        file,
        "job",
        &[
            "wait",
            "--from",
            "buyer-2",
            "--poll-ms",
            "300",
            "--timeout-secs",
            "180",
            &id.to_string(),
        ],
    );
    assert!(out.contains(" — settled\n"), "{out}");
    assert!(out.contains("status: trained"), "{out}");
    let weights = dir.join("trained.bpk");
    let out = acn(
        rpc,
        file,
        "job",
        &[
            "weights",
            &id.to_string(),
            "--out",
            weights.to_str().unwrap(),
        ],
    );
    eprintln!(
        "training job {id}: {:.1} s from `acn job train` to the weights on disk",
        started.elapsed().as_secs_f64()
    );
    let bytes = std::fs::read(&weights).unwrap();
    let hash = acn_models::engine::sha256_hex(&bytes);
    assert!(out.contains(&format!("weights sha256 {hash}")), "{out}");
}

/// `acn agent publish|show|run|wait` on the node: `buyer-1` publishes a two-step agent,
/// `buyer-2` pays a run in ACN through the token and follows it to its end; the developer's fee
/// and the buyer's refund are exact.
fn agent_run(rpc: &str, file: &Path, chain: &WasmdChain, dir: &Path) {
    let texts: Vec<String> = (0..10)
        .map(|d| format!("\"please move {d} dollars to my savings account\""))
        .collect();
    let spec = format!(
        r#"{{"id":"digit-transfer","name":"Digit transfer","description":"reads a digit, classifies a transfer of that many dollars",
"steps":[{{"model_id":"{}","adapter":null}},{{"model_id":"{INTENT_ID}","adapter":{{"label_text":{{"texts":[{}]}}}}}}],
"fee":"250000"}}"#,
        common::MLP,
        texts.join(",")
    );
    let spec_file = dir.join("agent.json");
    std::fs::write(&spec_file, spec).unwrap();
    let spec_file = spec_file.to_str().unwrap();
    let out = acn(
        rpc,
        file,
        "agent",
        &["publish", "--from", "buyer-1", "--file", spec_file],
    );
    assert!(out.contains("digit-transfer"), "{out}");
    let (csv, _) = common::digits_csv(2);
    let input = dir.join("two-digits.csv");
    std::fs::write(&input, csv).unwrap();
    let balance = |n: &str| chain.balance(&chain.address(n).unwrap()).unwrap();
    let (dev0, buyer0) = (balance("buyer-1"), balance("buyer-2"));
    let started = std::time::Instant::now();
    let out = acn(
        rpc,
        file,
        "agent",
        &[
            "run",
            "--from",
            "buyer-2",
            "--agent",
            "digit-transfer",
            "--input",
            input.to_str().unwrap(),
            "--redundancy",
            "2",
            "--step-lifetime",
            "600",
        ],
    );
    let run_id = number_after(&out, "run ");
    let out = acn(
        rpc,
        file,
        "agent",
        &[
            "wait",
            "--from",
            "buyer-2",
            "--poll-ms",
            "300",
            "--timeout-secs",
            "180",
            &run_id.to_string(),
        ],
    );
    eprintln!(
        "agent run {run_id}: {:.1} s from `acn agent run` to the end of `acn agent wait`",
        started.elapsed().as_secs_f64()
    );
    assert!(out.contains("completed"), "{out}");
    let run: agents::RunResponse = chain
        .query(
            chain.deployment().agents.as_ref().unwrap(),
            &agents::QueryMsg::RunInfo { id: run_id },
        )
        .unwrap();
    assert_eq!(run.status, agents::RunStatus::Completed);
    assert_eq!(run.token(), Some(chain.deployment().token.as_str()));
    let spent: u128 = run
        .steps
        .iter()
        .map(|s| s.price.u128() - s.market_refund.u128())
        .sum();
    assert_eq!(balance("buyer-1"), dev0 + 250_000, "the developer's fee");
    assert_eq!(
        balance("buyer-2"),
        buyer0 - spent - 250_000,
        "the buyer paid the steps and the fee, nothing else"
    );
    assert_eq!(run.refunded.u128(), run.escrow.u128() - spent - 250_000);
}

//! The role commands through the `acn` binary on a running wasmd node: a fresh deployment with
//! the digits model and a DAO, a provider running the worker loop, then a buyer's `acn job
//! quote|submit|wait|show|list`, a holder's `acn stake bond|unbond|status|rewards`, and a DAO
//! member's `acn gov show --from` and `acn gov close`. `#[ignore]`d (a plain `cargo test` has no
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
use acn_interface::{market, staking};
use acn_models::{Backend, Engine};
use acn_testing::{hardware, TOKEN};
use acn_worker::{Behaviour, Worker, WorkerConfig};

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
    eprintln!("$ acn {group} {}\n{stdout}", args.join(" "));
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
        .filter(|s| s.id == common::MLP)
        .collect();
    plan.token.balances.extend(vec![
        ("buyer-2".into(), 1_000 * TOKEN),
        ("provider-4".into(), 5_000 * TOKEN),
    ]);
    plan.market_mut().params.commit_window = 45;
    plan.market_mut().params.reveal_window = 30;
    let (deployment, _) = deploy_wasmd(&chain, artifacts_dir, &plan).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("deployment.json");
    deployment.save(&file).unwrap();
    chain.set_deployment(deployment.deployment.clone()).unwrap();
    let d = chain.deployment().clone();

    // The provider bonds, registers and runs the worker loop (ndarray).
    chain
        .send_tokens(
            "provider-4",
            &d.staking,
            2_000 * TOKEN,
            &staking::ReceiveMsg::Bond { tier: None },
        )
        .unwrap();
    chain
        .market_exec(
            "provider-4",
            &market::ExecuteMsg::RegisterProvider {
                hardware: hardware(),
                models: vec![common::MLP.into()],
                min_unit_price: Uint128::zero(),
            },
        )
        .unwrap();
    let chain = Arc::new(chain);
    let mut engine = Engine::new(Backend::Ndarray).unwrap();
    for entry in common::registry() {
        engine
            .load(&entry, &acn_models::registry::default_weights_dir())
            .unwrap();
    }
    let mut worker = Worker::new(
        chain.clone() as Arc<dyn Chain + Send + Sync>,
        engine,
        WorkerConfig {
            account: "provider-4".into(),
            backend: Backend::Ndarray,
            models: vec![common::MLP.into()],
            registry: acn_models::registry::default_registry_path(),
            weights_dir: None,
            journal: dir.path().join("provider-4.journal"),
            capacity: 4,
            poll_interval_ms: 300,
            min_unit_price: 0,
            max_retries: 4,
            behaviour: Behaviour::Honest,
            chain: None,
            metrics: None,
        },
        &common::specs(),
    )
    .unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let worker_thread = {
        let stop = stop.clone();
        std::thread::spawn(move || worker.run(|| stop.load(Ordering::Relaxed)))
    };

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
    assert!(out.contains("redundancy 1 — settled\n"), "{out}");
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
    stop.store(true, Ordering::Relaxed);
    worker_thread.join().unwrap().unwrap();

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

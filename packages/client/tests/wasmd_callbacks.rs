//! Contracts that buy jobs and get the result back by callback, on a real wasmd node with real
//! workers (`#[ignore]`d: run by the wasmd stage of the test command, `scripts/wasmd-e2e.sh`):
//!
//! 1. the moderation example, deployed by the one routine, has a text classified by
//!    `minilm-intent-v1` (run by two `acn-worker` processes) and acts on the label the market
//!    delivers by callback;
//! 2. a buyer whose callback burns all its gas (the test-fixture contract `acn-gas-burner`,
//!    stored here, never deployed by the routine): the settlement and the payouts stand, the
//!    job records `CallbackStatus::Failed`, the market's totals count it;
//! 3. a subscription (the subscriptions contract, deployed by the routine and owned by the DAO)
//!    runs a digits job several times — started by a keeper's `Trigger`, each result recorded
//!    by callback — and returns its balance on cancel.
//!
//! The gas of each message and the wall times are printed. One test, because the three share a
//! deployment, the oracle's first price (a minute after the seed) and the workers.
//!
//! The workers are the `acn-worker` binary of the same target dir (the wasmd stage builds the
//! workspace, binaries included) or `ACN_WORKER_BIN`; this crate does not link burn.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use cosmwasm_std::{to_json_binary, Binary, Timestamp, Uint128};

use acn_client::deploy::{deploy_wasmd, DeployPlan, ModerationPlan, PoolPlan, SubscriptionsPlan};
use acn_client::wasmd::WasmdConfig;
use acn_client::{Chain, ChainExt, TxResult, WasmdChain};
use acn_interface::market::{self, CallbackStatus, JobResponse, JobStatus, TOKEN};

use acn_interface::moderation::{self, Verdict};
use acn_interface::subscriptions::{self as subs, SubscriptionStatus};

const STABLE: &str = "uusdc";
const PROVIDER_FUNDS: u128 = 5_000 * TOKEN;
const PROVIDERS: [&str; 2] = ["provider-1", "provider-2"];
const INTENT: &str = "minilm-intent-v1";
const DIGITS: &str = "digits-mlp-v1";
/// `banking` among the intent model's eight labels: the moderation example flags it.
const BANKING: u32 = 5;
const INTERVAL: u64 = 20;
const KEEPER_REWARD: u128 = 10_000;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn accounts_file() -> PathBuf {
    root().join("scripts/localnet-accounts.json")
}

fn registry() -> PathBuf {
    root().join("packages/models/registry.json")
}

/// The model zoo's specs, as registered (`registry.json`: `[{ "spec": … }, …]`).
fn zoo() -> Vec<market::ModelSpec> {
    let text = std::fs::read_to_string(registry()).unwrap();
    let entries: Vec<serde_json::Value> = serde_json::from_str(&text).unwrap();
    entries
        .into_iter()
        .map(|e| serde_json::from_value(e["spec"].clone()).unwrap())
        .collect()
}

/// The first 8×8 digit of the shipped data set (`packages/models/data/digits.csv.gz`, a 0).
const DIGIT: [u8; 64] = [
    0, 0, 5, 13, 9, 1, 0, 0, 0, 0, 13, 15, 10, 15, 5, 0, 0, 3, 15, 2, 0, 11, 8, 0, 0, 4, 12, 0, 0,
    8, 8, 0, 0, 5, 8, 0, 0, 9, 8, 0, 0, 4, 11, 0, 1, 12, 7, 0, 0, 2, 14, 5, 10, 12, 0, 0, 0, 0, 6,
    13, 10, 0, 0, 0,
];

/// The `acn-worker` binary: `ACN_WORKER_BIN`, else the one beside this test's target dir.
fn worker_bin() -> PathBuf {
    let bin = std::env::var("ACN_WORKER_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|_| {
            let exe = std::env::current_exe().unwrap();
            // target/debug/deps/wasmd_callbacks-… → target/debug/acn-worker
            exe.parent().unwrap().parent().unwrap().join("acn-worker")
        });
    assert!(
        bin.is_file(),
        "no acn-worker binary at {}: `cargo build -p acn-worker` or set ACN_WORKER_BIN",
        bin.display()
    );
    bin
}

fn artifacts() -> PathBuf {
    let dir = std::env::var("ACN_ARTIFACTS")
        .map(PathBuf::from)
        .unwrap_or_else(|_| root().join("artifacts"));
    for c in ["market", "moderation", "subscriptions", "gas_burner"] {
        assert!(
            dir.join(format!("acn_{c}.wasm")).is_file(),
            "missing {}/acn_{c}.wasm: run scripts/build-wasm.sh",
            dir.display()
        );
    }
    dir
}

fn wait_until<T>(what: &str, timeout: Duration, mut f: impl FnMut() -> Option<T>) -> T {
    let t = Instant::now();
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(
            t.elapsed() < timeout,
            "timed out after {timeout:?} waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(500));
    }
}

/// An `acn-worker run` process, killed when dropped.
struct Worker(Child);

impl Drop for Worker {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Gas used by every transaction of block `height` whose events name `key` = `value`.
fn block_gas(rpc: &str, height: u64, key: &str, value: &str) -> Vec<u64> {
    let out = Command::new("curl")
        .args(["-s", &format!("{rpc}/block_results?height={height}")])
        .output()
        .expect("curl");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("block_results JSON");
    v["result"]["txs_results"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .filter(|tx| {
            tx["events"].as_array().is_some_and(|events| {
                events.iter().any(|e| {
                    e["attributes"].as_array().is_some_and(|attrs| {
                        attrs.iter().any(|a| a["key"] == key && a["value"] == value)
                    })
                })
            })
        })
        .filter_map(|tx| tx["gas_used"].as_str().and_then(|g| g.parse().ok()))
        .collect()
}

/// The gas of the transaction that finalized `job` (its last reveal, which also delivered the
/// callback).
fn settle_gas(rpc: &str, job: &JobResponse) -> u64 {
    let height = job
        .slots
        .iter()
        .filter_map(|s| s.revealed_height)
        .max()
        .expect("a revealed slot");
    let gas = block_gas(rpc, height, "job_id", &job.id.to_string());
    gas.into_iter().max().unwrap_or(0)
}

struct Net {
    chain: WasmdChain,
    rpc: String,
    dir: PathBuf,
    deployment_file: PathBuf,
}

impl Net {
    fn job(&self, id: u64) -> JobResponse {
        self.chain.market(&market::QueryMsg::Job { id }).unwrap()
    }

    fn wait_final(&self, id: u64, timeout: Duration) -> JobResponse {
        wait_until(&format!("job {id} to be final"), timeout, || {
            Some(self.job(id)).filter(|j| j.status.is_final())
        })
    }

    fn usdc(&self, account: &str) -> u128 {
        let a = self.chain.address(account).unwrap();
        self.chain.bank_balance(&a, STABLE).unwrap()
    }

    fn exec_json<M: serde::Serialize>(
        &self,
        account: &str,
        contract: &str,
        msg: &M,
        usdc: u128,
    ) -> TxResult {
        let funds = if usdc == 0 {
            vec![]
        } else {
            vec![(STABLE.to_string(), usdc)]
        };
        self.chain
            .execute_raw_with_funds(account, contract, &serde_json::to_vec(msg).unwrap(), &funds)
            .unwrap_or_else(|e| panic!("{account} on {contract}: {e}"))
    }

    /// Register `account` as a provider of the intent and digits models and start its worker.
    fn worker(&self, account: &str) -> Worker {
        let config = self.dir.join(format!("{account}.toml"));
        let text = format!(
            "account = \"{account}\"\nbackend = \"ndarray\"\nmodels = [\"{INTENT}\", \"{DIGITS}\"]\n\
             registry = \"{}\"\njournal = \"{}\"\ncapacity = 4\npoll_interval_ms = 300\n\
             max_retries = 4\n\n[chain]\nrpc = \"{}\"\naccounts = \"{}\"\ndeployment = \"{}\"\n\
             tx_timeout_secs = 10\n",
            registry().display(),
            self.dir.join(format!("{account}.journal")).display(),
            self.rpc,
            accounts_file().display(),
            self.deployment_file.display(),
        );
        std::fs::File::create(&config)
            .and_then(|mut f| f.write_all(text.as_bytes()))
            .unwrap();
        let out = Command::new(worker_bin())
            .args(["register", "--bond", "2500", "--config"])
            .arg(&config)
            .env("RUST_LOG", "warn")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "register {account}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let log = std::fs::File::create(self.dir.join(format!("{account}.log"))).unwrap();
        Worker(
            Command::new(worker_bin())
                .args(["run", "--config"])
                .arg(&config)
                .env("RUST_LOG", "acn_worker=debug,info")
                .stdout(Stdio::null())
                .stderr(log)
                .spawn()
                .unwrap(),
        )
    }
}

fn deploy(rpc: &str) -> (Net, Vec<acn_client::deploy::DeployStep>) {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("acn-callbacks-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    eprintln!("worker configs and logs in {}", dir.display());
    let mut chain = WasmdChain::new(WasmdConfig::new(rpc)).expect("connect to the node");
    chain.load_accounts(accounts_file()).expect("load accounts");
    let mut plan = DeployPlan::localnet();
    plan.label_prefix = format!("acn-callbacks-{}", std::process::id());
    plan.market_mut().models = zoo();
    // One stable base unit per compute unit: an intent job (344 003 units per text) costs
    // 0.34 USDC per slot.
    plan.market_mut().initial_unit_price = 1;
    plan.market_mut().params.commit_window = 45;
    plan.market_mut().params.reveal_window = 30;
    plan.token
        .balances
        .extend(PROVIDERS.iter().map(|p| (p.to_string(), PROVIDER_FUNDS)));
    let mut p = PoolPlan::new(STABLE);
    p.seed_acn = 500_000 * TOKEN;
    p.seed_stable = 25_000 * TOKEN;
    p.oracle.window = 60;
    p.oracle.max_staleness = 60;
    plan.pool = Some(p);
    plan.subscriptions = Some(SubscriptionsPlan {
        params: subs::Params {
            keeper_reward: Uint128::new(KEEPER_REWARD),
            min_interval: 10,
        },
    });
    plan.moderation = Some(ModerationPlan {
        model_id: INTENT.into(),
        flagged_labels: vec![BANKING],
        redundancy: 2,
        callback_gas: 250_000,
        job_lifetime: 600,
    });
    let (rec, steps) = deploy_wasmd(&chain, artifacts(), &plan).expect("deploy");
    let deployment_file = dir.join("deployment.json");
    rec.save(&deployment_file).unwrap();
    chain.set_deployment(rec.deployment.clone()).unwrap();
    let dao = rec.dao.clone().expect("a DAO");
    let s = rec.deployment.subscriptions.clone().expect("subscriptions");
    let o: serde_json::Value = chain.query(&s, &subs::QueryMsg::Ownership {}).unwrap();
    assert_eq!(o["owner"], dao.as_str(), "the DAO owns it");
    (
        Net {
            chain,
            rpc: rpc.to_string(),
            dir,
            deployment_file,
        },
        steps,
    )
}

#[test]
#[ignore = "needs a wasmd node: run by scripts/wasmd-e2e.sh"]
fn callbacks_and_subscriptions_on_wasmd_with_real_workers() {
    let rpc = std::env::var("ACN_WASMD_RPC")
        .expect("ACN_WASMD_RPC is not set: start a node with `scripts/localnet.sh up`");
    let t0 = Instant::now();
    let (net, steps) = deploy(&rpc);
    let d = net.chain.deployment().clone();
    let deploy_gas: u64 = steps.iter().map(|s| s.tx.gas_used).sum();
    let gas_of = |name: &str| {
        steps
            .iter()
            .find(|s| s.name == name)
            .map_or(0, |s| s.tx.gas_used)
    };
    eprintln!(
        "deployed in {} transactions, {deploy_gas} gas, {:.1} s (store/instantiate subscriptions: \
         {}/{} gas, moderation: {}/{} gas)",
        steps.len(),
        t0.elapsed().as_secs_f64(),
        gas_of("store subscriptions"),
        gas_of("instantiate subscriptions"),
        gas_of("store moderation"),
        gas_of("instantiate moderation"),
    );
    let _workers: Vec<Worker> = PROVIDERS.iter().map(|p| net.worker(p)).collect();
    // The stable market prices every job with the oracle's TWAP: wait for its first price.
    wait_until(
        "the oracle's first ACN price",
        Duration::from_secs(150),
        || {
            let q: market::QuoteResponse = net
                .chain
                .market(&market::QueryMsg::Quote {
                    model_id: DIGITS.into(),
                    batch: 1,
                    redundancy: 2,
                    buyer: None,
                    input: None,
                })
                .ok()?;
            q.price_acn.map(|_| ())
        },
    );

    // ---- 1. the moderation example classifies a text by callback -----------------------------
    let moderation_addr = d.moderation.clone().unwrap();
    let t = Instant::now();
    let before = net.usdc("buyer-1");
    let tx = net.exec_json(
        "buyer-1",
        &moderation_addr,
        &moderation::ExecuteMsg::Moderate {
            text: "please transfer fifty dollars from my savings to my checking account".into(),
        },
        2 * TOKEN,
    );
    let moderate_gas = tx.gas_used;
    let job_id: u64 = tx.attr("moderation_job_id").unwrap().parse().unwrap();
    let job = net.wait_final(job_id, Duration::from_secs(300));
    assert_eq!(job.status, JobStatus::Settled, "{job:?}");
    assert_eq!(
        job.callback.as_ref().unwrap().status,
        CallbackStatus::Delivered
    );
    assert_eq!(
        net.usdc("buyer-1"),
        before - job.price.u128(),
        "the excess came back"
    );
    let request: moderation::RequestResponse = net
        .chain
        .query(&moderation_addr, &moderation::QueryMsg::Request { job_id })
        .unwrap();
    let label = u32::from_le_bytes(job.result.as_ref().unwrap().as_slice().try_into().unwrap());
    let names = [
        "weather",
        "music",
        "alarm",
        "travel",
        "food",
        "banking",
        "tech_support",
        "small_talk",
    ];
    assert_eq!(
        request.verdict,
        Verdict::Decided {
            label,
            name: names[label as usize].into(),
            flagged: label == BANKING,
        },
        "the contract acted on the label the market delivered"
    );
    let moderation_settle = settle_gas(&net.rpc, &job);
    eprintln!(
        "moderation: job {job_id} labelled {label} ({}, flagged: {}) in {:.1} s",
        names[label as usize],
        label == BANKING,
        t.elapsed().as_secs_f64()
    );

    // ---- 2. a callback that burns all its gas -------------------------------------------------
    let burner_wasm = std::fs::read(artifacts().join("acn_gas_burner.wasm")).unwrap();
    let (code, store) = net.chain.store_code("buyer-2", &burner_wasm).unwrap();
    let (burner, _) = net
        .chain
        .instantiate(
            "buyer-2",
            code,
            &serde_json::json!({}),
            "acn-test-fixture-gas-burner",
            None,
        )
        .unwrap();
    let market_totals = |n: &Net| -> market::TotalsResponse {
        n.chain.market(&market::QueryMsg::Totals {}).unwrap()
    };
    let failures_before = market_totals(&net).callback_failures;
    let digit = Binary::from(DIGIT.to_vec());
    let quote: market::QuoteResponse = net
        .chain
        .market(&market::QueryMsg::Quote {
            model_id: DIGITS.into(),
            batch: 1,
            redundancy: 2,
            buyer: Some(burner.clone()),
            input: None,
        })
        .unwrap();
    let deadline = Timestamp::from_seconds(net.chain.block().unwrap().time + 600);
    let submit = market::ExecuteMsg::SubmitJob {
        model_id: DIGITS.into(),
        input: digit.clone(),
        batch: 1,
        redundancy: 2,
        max_unit_price: Uint128::MAX,
        deadline,
        audit_commitment: None,
        callback: Some(market::Callback { gas_limit: 300_000 }),
    };
    let tx = net.exec_json(
        "buyer-2",
        &burner,
        &serde_json::json!({"forward": {"contract": d.market, "msg": to_json_binary(&submit).unwrap()}}),
        quote.price.u128(),
    );
    let burn_job: u64 = tx.attr("job_id").unwrap().parse().unwrap();
    let provider_usdc: Vec<u128> = PROVIDERS.iter().map(|p| net.usdc(p)).collect();
    let job = net.wait_final(burn_job, Duration::from_secs(240));
    assert_eq!(job.status, JobStatus::Settled, "the settlement stands");
    let callback = job.callback.clone().expect("a callback");
    assert_eq!(callback.gas_limit, 300_000);
    let CallbackStatus::Failed { error } = &callback.status else {
        panic!("the burning callback is recorded as failed: {callback:?}");
    };
    // wasmd redacts a submessage's error to its code: the SDK's ErrOutOfGas is code 11.
    assert!(
        error.contains("out of gas") || error.contains("code: 11"),
        "the callback ran out of gas: {error}"
    );
    eprintln!("gas-burning callback recorded as failed: {error}");
    assert_eq!(market_totals(&net).callback_failures, failures_before + 1);
    let paid: u128 = job.slots.iter().map(|s| s.paid.u128()).sum();
    assert_eq!(paid + job.fee.u128(), job.price.u128(), "escrow paid out");
    let earned: u128 = PROVIDERS
        .iter()
        .zip(&provider_usdc)
        .map(|(p, before)| net.usdc(p) - before)
        .sum();
    assert_eq!(earned, paid, "the providers were paid");
    let burned_settle = settle_gas(&net.rpc, &job);
    let burned: u64 = net
        .chain
        .query(&burner, &serde_json::json!({"burned": {}}))
        .unwrap();
    assert_eq!(burned, 0, "the burning callback committed nothing");

    // ---- 3. a subscription runs several times and refunds on cancel --------------------------
    let subs_addr = d.subscriptions.clone().unwrap();
    let alice_before = net.usdc("buyer-1");
    let deposit = 3 * (quote.price.u128() + KEEPER_REWARD) + 12_345;
    let t = Instant::now();
    let tx = net.exec_json(
        "buyer-1",
        &subs_addr,
        &subs::ExecuteMsg::Create {
            target: subs::Target::Job {
                model_id: DIGITS.into(),
                input: digit,
                batch: 1,
                redundancy: 2,
                max_unit_price: Uint128::MAX,
            },
            settings: subs::RunSettings {
                interval: INTERVAL,
                job_lifetime: 600,
                callback_gas: 300_000,
            },
            notify: None,
        },
        deposit,
    );
    let create_gas = tx.gas_used;
    let id: u64 = tx.attr("subscription_id").unwrap().parse().unwrap();
    let keeper_before = net.usdc("keeper");
    let mut trigger_gas = vec![];
    let mut run_settle_gas = vec![];
    let mut run_secs = vec![];
    for run in 1..=3u64 {
        let due: subs::DueResponse = wait_until(
            "the subscription to be due",
            Duration::from_secs(120),
            || {
                let due: subs::DueResponse = net
                    .chain
                    .query(&subs_addr, &subs::QueryMsg::Due { limit: None })
                    .ok()?;
                due.due.iter().any(|e| e.id == id).then_some(due)
            },
        );
        assert!(due.due.iter().any(|e| e.id == id));
        let started = Instant::now();
        let tx = net.exec_json("keeper", &subs_addr, &subs::ExecuteMsg::Trigger { id }, 0);
        trigger_gas.push(tx.gas_used);
        let job_id: u64 = tx.attr("subscription_job_id").unwrap().parse().unwrap();
        let job = net.wait_final(job_id, Duration::from_secs(240));
        assert_eq!(job.status, JobStatus::Settled);
        assert_eq!(job.buyer.as_str(), subs_addr);
        let sub: subs::SubscriptionResponse =
            wait_until("the run's callback", Duration::from_secs(30), || {
                let s: subs::SubscriptionResponse = net
                    .chain
                    .query(&subs_addr, &subs::QueryMsg::Subscription { id })
                    .ok()?;
                (s.in_flight.is_none() && s.runs == run).then_some(s)
            });
        assert_eq!(
            sub.balance.u128(),
            deposit - run as u128 * (quote.price.u128() + KEEPER_REWARD)
        );
        run_settle_gas.push(settle_gas(&net.rpc, &job));
        run_secs.push(started.elapsed().as_secs_f64());
    }
    assert_eq!(
        net.usdc("keeper"),
        keeper_before + 3 * KEEPER_REWARD,
        "the keeper earned its reward per run (transaction fees are paid in ustake)"
    );
    let runs: subs::RunsResponse = net
        .chain
        .query(
            &subs_addr,
            &subs::QueryMsg::Runs {
                id,
                start_after: None,
                limit: None,
            },
        )
        .unwrap();
    assert_eq!(runs.runs.len(), 3);
    assert!(runs
        .runs
        .iter()
        .all(|r| r.status == Some(JobStatus::Settled) && r.output.is_some()));
    let tx = net.exec_json("buyer-1", &subs_addr, &subs::ExecuteMsg::Cancel { id }, 0);
    let cancel_gas = tx.gas_used;
    let left = deposit - 3 * (quote.price.u128() + KEEPER_REWARD);
    assert_eq!(tx.attr("refunded").unwrap(), left.to_string());
    assert_eq!(
        net.usdc("buyer-1"),
        alice_before - 3 * (quote.price.u128() + KEEPER_REWARD),
        "everything not spent on runs came back"
    );
    let sub: subs::SubscriptionResponse = net
        .chain
        .query(&subs_addr, &subs::QueryMsg::Subscription { id })
        .unwrap();
    assert_eq!(sub.status, SubscriptionStatus::Cancelled);
    assert_eq!(net.chain.bank_balance(&subs_addr, STABLE).unwrap(), 0);
    let sub_secs = t.elapsed().as_secs_f64();

    eprintln!("| message | gas |\n|---|---:|");
    eprintln!("| moderation Moderate (quote, SubmitJob with callback) | {moderate_gas} |");
    eprintln!(
        "| last RevealResult settling the moderation job + its callback | {moderation_settle} |"
    );
    eprintln!("| store the gas-burner fixture | {} |", store.gas_used);
    eprintln!("| last RevealResult settling a job whose callback burns its 300 000 gas | {burned_settle} |");
    eprintln!("| subscriptions Create | {create_gas} |");
    for (i, g) in trigger_gas.iter().enumerate() {
        eprintln!(
            "| subscriptions Trigger (run {}) | {g} |\n| last RevealResult settling run {} + its callback | {} |",
            i + 1,
            i + 1,
            run_settle_gas[i]
        );
    }
    eprintln!("| subscriptions Cancel | {cancel_gas} |");
    eprintln!(
        "runs (trigger → result recorded): {}; subscription created → cancelled: {sub_secs:.1} s \
         (interval {INTERVAL} s); whole test {:.1} s",
        run_secs
            .iter()
            .map(|s| format!("{s:.1} s"))
            .collect::<Vec<_>>()
            .join(", "),
        t0.elapsed().as_secs_f64()
    );
}

//! The whole system on a real wasmd node: the four optimized contracts deployed, `acn-worker`
//! processes running the real models, buyers paying for real jobs, and the money checked to the
//! base unit. `scripts/wasmd-e2e.sh` (part of the test command) starts the localnet and runs
//! this file twice: with one validator (`ACN_WASMD_VALIDATORS=1`: jobs and money, a worker
//! killed mid-job, the node restarted) and with four (`=4`: one validator stopped), each time
//! running only that mode's test, by name, with `--ignored`: both tests are `#[ignore]`d, so a
//! plain `cargo test` reports them as ignored rather than passed. Run without a node, or in the
//! wrong mode, a test fails saying so.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use cosmwasm_std::{Binary, Timestamp, Uint128};

use acn_client::deploy::{deploy_wasmd, DeployPlan};
use acn_client::wasmd::WasmdConfig;
use acn_client::{Chain, ChainExt, WasmdChain};
use acn_interface::market::{self, JobResponse, JobStatus, SlotOutcome, TOKEN};
use acn_interface::treasury;
use acn_worker::{Journal, Stage};

const PROVIDER_FUNDS: u128 = 5_000 * TOKEN;
const BUYER_FUNDS: u128 = 1_000 * TOKEN;
/// Tokens each provider bonds: every slot it holds keeps at least 100 ACN at risk, so 2 500
/// cover 25 unfinished slots — the 12 jobs submitted at once whatever the workers' pace (the
/// minimum stake, 1 000, covers only 10: on a loaded machine the 11th submission found no
/// eligible provider).
const PROVIDER_BOND: &str = "2500";
const BATCH: u32 = 4;
const MODEL: &str = "digits-mlp-v1";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn accounts_file() -> PathBuf {
    root().join("scripts/localnet-accounts.json")
}

fn registry() -> PathBuf {
    root().join("packages/models/registry.json")
}

/// The node's RPC; fails unless a node runs with `validators` validators.
fn rpc_for(validators: &str) -> String {
    let rpc = std::env::var("ACN_WASMD_RPC")
        .ok()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| {
            panic!(
                "ACN_WASMD_RPC is not set (run scripts/wasmd-e2e.sh, which starts the localnet \
                 and sets it)"
            )
        });
    let mode = std::env::var("ACN_WASMD_VALIDATORS").unwrap_or_else(|_| "1".into());
    assert_eq!(
        mode, validators,
        "this test needs a localnet of {validators} validator(s), ACN_WASMD_VALIDATORS says {mode}"
    );
    rpc
}

fn artifacts() -> PathBuf {
    let dir = std::env::var("ACN_ARTIFACTS")
        .map(PathBuf::from)
        .unwrap_or_else(|_| root().join("artifacts"));
    for c in ["token", "staking", "treasury", "market"] {
        assert!(
            dir.join(format!("acn_{c}.wasm")).is_file(),
            "missing {}/acn_{c}.wasm: run scripts/build-wasm.sh",
            dir.display()
        );
    }
    dir
}

/// A directory that is not deleted at the end (unlike a `TempDir`).
struct KeptDir(PathBuf);

impl KeptDir {
    fn new(label: &str) -> Self {
        let path = Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("acn-e2e-{label}-{}", std::process::id()));
        std::fs::create_dir_all(&path).unwrap();
        eprintln!("worker configs, journals and logs in {}", path.display());
        KeptDir(path)
    }

    fn path(&self) -> &Path {
        &self.0
    }
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
        std::thread::sleep(Duration::from_millis(250));
    }
}

/// A fresh deployment for this test run, saved where the workers read it.
struct Net {
    chain: Arc<WasmdChain>,
    rpc: String,
    /// Configs, journals and worker logs; kept after the run (under the cargo target dir) so a
    /// failure can be read.
    dir: KeptDir,
    deployment_file: PathBuf,
    workers: BTreeMap<String, WorkerProcess>,
}

/// One `acn-worker run` process; killed (SIGKILL) when dropped.
struct WorkerProcess {
    child: Child,
    log: PathBuf,
    config: PathBuf,
}

impl Drop for WorkerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Net {
    fn deploy(rpc: &str, label: &str) -> Net {
        let dir = KeptDir::new(label);
        let mut chain = WasmdChain::new(WasmdConfig::new(rpc)).expect("connect to the node");
        chain.load_accounts(accounts_file()).expect("load accounts");
        let mut plan = DeployPlan::localnet();
        let artifacts_dir = artifacts();
        plan.label_prefix = format!("acn-e2e-{label}-{}", std::process::id());
        plan.market_mut().models = acn_models::load_registry(&registry())
            .unwrap()
            .into_iter()
            .map(|e| e.spec)
            .collect();
        plan.token.balances.extend(vec![
            ("provider-1".into(), PROVIDER_FUNDS),
            ("provider-2".into(), PROVIDER_FUNDS),
            ("provider-3".into(), PROVIDER_FUNDS),
            ("buyer-1".into(), BUYER_FUNDS),
            ("buyer-2".into(), BUYER_FUNDS),
        ]);
        // Windows sized for a ~0.5 s block time: long enough for a worker to warm up and claim
        // a second slot, short enough for a test.
        plan.market_mut().params.commit_window = 45;
        plan.market_mut().params.reveal_window = 30;
        let t = Instant::now();
        let (deployment, steps) = deploy_wasmd(&chain, &artifacts_dir, &plan).expect("deploy");
        eprintln!(
            "deployed in {} transactions, {:.1} s",
            steps.len(),
            t.elapsed().as_secs_f64()
        );
        let deployment_file = dir.path().join("deployment.json");
        deployment.save(&deployment_file).unwrap();
        chain.set_deployment(deployment.deployment).unwrap();
        Net {
            chain: Arc::new(chain),
            rpc: rpc.to_string(),
            dir,
            deployment_file,
            workers: BTreeMap::new(),
        }
    }

    fn config_path(&self, account: &str, backend: &str) -> PathBuf {
        let path = self.dir.path().join(format!("{account}.toml"));
        if !path.exists() {
            let text = format!(
                "account = \"{account}\"\nbackend = \"{backend}\"\nmodels = [\"{MODEL}\"]\n\
                 registry = \"{}\"\njournal = \"{}\"\ncapacity = 4\npoll_interval_ms = 300\n\
                 max_retries = 4\n\n[chain]\nrpc = \"{}\"\naccounts = \"{}\"\ndeployment = \"{}\"\n\
                 tx_timeout_secs = 10\n",
                registry().display(),
                self.journal_path(account).display(),
                self.rpc,
                accounts_file().display(),
                self.deployment_file.display(),
            );
            std::fs::File::create(&path)
                .and_then(|mut f| f.write_all(text.as_bytes()))
                .unwrap();
        }
        path
    }

    fn journal_path(&self, account: &str) -> PathBuf {
        self.dir.path().join(format!("{account}.journal"))
    }

    /// `acn-worker register`: bond [`PROVIDER_BOND`] and register.
    fn register(&self, account: &str, backend: &str) {
        let out = Command::new(env!("CARGO_BIN_EXE_acn-worker"))
            .args(["register", "--bond", PROVIDER_BOND, "--config"])
            .arg(self.config_path(account, backend))
            .env("RUST_LOG", "warn")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "register {account}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        eprint!("{}", String::from_utf8_lossy(&out.stdout));
    }

    /// Start (or restart) `acn-worker run` for `account`; its log is appended to.
    fn start(&mut self, account: &str, backend: &str) {
        let config = self.config_path(account, backend);
        let log = self.dir.path().join(format!("{account}.log"));
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log)
            .unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_acn-worker"))
            .args(["run", "--config"])
            .arg(&config)
            .env("RUST_LOG", "acn_worker=debug,info")
            .stdout(Stdio::null())
            .stderr(file)
            .spawn()
            .unwrap();
        self.workers
            .insert(account.to_string(), WorkerProcess { child, log, config });
    }

    /// SIGKILL a worker process: no chance to clean up.
    fn kill(&mut self, account: &str) -> WorkerProcess {
        let mut w = self.workers.remove(account).expect("running worker");
        w.child.kill().unwrap();
        w.child.wait().unwrap();
        w
    }

    fn address(&self, account: &str) -> String {
        self.chain.address(account).unwrap()
    }

    fn job(&self, id: u64) -> JobResponse {
        self.chain.market(&market::QueryMsg::Job { id }).unwrap()
    }

    /// Submit a held-out digits job as `buyer`, paying `overpay` more than the quote (refunded).
    fn submit(&self, buyer: &str, sample: usize, redundancy: u8) -> (u64, Vec<u8>) {
        let split = acn_models::data::digits_split().unwrap();
        let n = split.held_out.len();
        let idx: Vec<usize> = (0..BATCH as usize).map(|i| (sample + i) % n).collect();
        let input: Vec<u8> = idx.iter().flat_map(|&i| split.held_out.images[i]).collect();
        let labels = idx.iter().map(|&i| split.held_out.labels[i]).collect();
        let quote: market::QuoteResponse = self
            .chain
            .market(&market::QueryMsg::Quote {
                model_id: MODEL.into(),
                batch: BATCH,
                redundancy,
                buyer: Some(self.address(buyer)),
                input: None,
            })
            .unwrap();
        let deadline = Timestamp::from_seconds(self.chain.block().unwrap().time + 3_600);
        let tx = self
            .chain
            .send_tokens(
                buyer,
                &self.chain.deployment().market,
                quote.price.u128() + 1_000,
                &market::ReceiveMsg::SubmitJob {
                    model_id: MODEL.into(),
                    input: Binary::from(input),
                    batch: BATCH,
                    redundancy,
                    max_unit_price: quote.unit_price * Uint128::new(2),
                    deadline,
                    callback: None,
                    audit_commitment: (redundancy == 1).then(|| {
                        cosmwasm_std::HexBinary::from(
                            market::audit_commitment(b"e2e audit secret").to_vec(),
                        )
                    }),
                },
            )
            .unwrap();
        (tx.attr("job_id").unwrap().parse().unwrap(), labels)
    }

    fn wait_final(&self, ids: &[u64], timeout: Duration) -> Vec<JobResponse> {
        let t = Instant::now();
        loop {
            let jobs: Vec<JobResponse> = ids.iter().map(|&id| self.job(id)).collect();
            if jobs.iter().all(|j| j.status.is_final()) {
                return jobs;
            }
            if t.elapsed() > timeout {
                let block = self.chain.block().unwrap();
                for j in jobs.iter().filter(|j| !j.status.is_final()) {
                    eprintln!(
                        "job {}: {:?}, commit deadline {}, reveal deadline {:?}, block time {}, \
                         slots {:?}",
                        j.id,
                        j.status,
                        j.commit_deadline.seconds(),
                        j.reveal_deadline.map(|d| d.seconds()),
                        block.time,
                        j.slots
                            .iter()
                            .map(|s| (
                                s.provider.to_string(),
                                s.commitment.is_some(),
                                s.output.is_some()
                            ))
                            .collect::<Vec<_>>()
                    );
                }
                panic!("timed out after {timeout:?} waiting for jobs {ids:?} to be final");
            }
            std::thread::sleep(Duration::from_millis(250));
        }
    }

    /// Conservation on this deployment: supply + burned == genesis, and the market holds
    /// exactly its open escrow.
    fn assert_conserved(&self, genesis: u128) {
        let d = self.chain.deployment();
        let supply = self.chain.total_supply().unwrap();
        let burned = self.chain.treasury_totals().unwrap().burned.u128();
        // Slashes go to the treasury in this deployment, so the treasury's burns are all burns.
        assert_eq!(supply + burned, genesis, "supply + burned == genesis");
        let totals: market::TotalsResponse =
            self.chain.market(&market::QueryMsg::Totals {}).unwrap();
        assert_eq!(
            self.chain.balance(&d.market).unwrap(),
            totals.escrow.u128() + totals.fees_pending.u128(),
            "market balance == open escrow + fees not yet flushed"
        );
    }

    fn log_text(&self, account: &str) -> String {
        let path = self.dir.path().join(format!("{account}.log"));
        std::fs::read_to_string(path).unwrap_or_default()
    }
}

fn digits_of(output: &[u8]) -> Vec<u8> {
    output
        .chunks_exact(4)
        .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]) as u8)
        .collect()
}

/// Lines of a worker log that record an attempt to send a commitment for `job_id` (logged just
/// before the broadcast).
fn commit_attempts(log: &str, job_id: u64) -> usize {
    let field = format!("job_id={job_id}");
    log.lines()
        .filter(|l| l.contains("sending commitment") && l.split_whitespace().any(|w| w == field))
        .count()
}

fn localnet(args: &[&str]) {
    let status = Command::new("bash")
        .arg(root().join("scripts/localnet.sh"))
        .args(args)
        .status()
        .unwrap();
    assert!(status.success(), "scripts/localnet.sh {args:?} failed");
}

#[test]
#[ignore = "needs a 1-validator wasmd localnet: run by scripts/wasmd-e2e.sh"]
fn single_node_jobs_money_worker_crash_and_node_restart() {
    let rpc = rpc_for("1");
    let mut net = Net::deploy(&rpc, "1v");
    let genesis = net.chain.total_supply().unwrap();
    let d = net.chain.deployment().clone();
    net.register("provider-1", "wgpu");
    net.register("provider-2", "ndarray");
    // Slots are assigned at submission among registered providers, so only the two running
    // workers are registered: every redundancy-2 job goes to both.
    // provider-1 on burn's wgpu backend, provider-2 on ndarray: their outputs must agree.
    net.start("provider-1", "wgpu");
    net.start("provider-2", "ndarray");

    // ---- 12 jobs from two buyers, redundancy 2 -------------------------------------------
    let buyers = ["buyer-1", "buyer-2"];
    let before: BTreeMap<&str, u128> = ["buyer-1", "buyer-2", "provider-1", "provider-2"]
        .into_iter()
        .map(|a| (a, net.chain.balance(&net.address(a)).unwrap()))
        .collect();
    let deposited_before = net.chain.treasury_totals().unwrap().deposited.u128();
    let t = Instant::now();
    let mut submitted = vec![];
    for i in 0..12 {
        let buyer = buyers[i % 2];
        let (id, labels) = net.submit(buyer, i * BATCH as usize, 2);
        submitted.push((id, buyer, labels));
    }
    let ids: Vec<u64> = submitted.iter().map(|s| s.0).collect();
    let jobs = net.wait_final(&ids, Duration::from_secs(240));
    eprintln!(
        "12 jobs settled in {:.1} s after the first submission",
        t.elapsed().as_secs_f64()
    );

    let mut spent: BTreeMap<&str, u128> = BTreeMap::new();
    let mut earned: BTreeMap<String, u128> = BTreeMap::new();
    let mut fees = 0u128;
    let (mut correct, mut total) = (0, 0);
    for (job, (_, buyer, labels)) in jobs.iter().zip(&submitted) {
        assert_eq!(job.status, JobStatus::Settled, "job {}", job.id);
        assert_eq!(job.slots.len(), 2);
        *spent.entry(buyer).or_default() += job.price.u128();
        let fee = job.price.u128() * 300 / 10_000;
        assert_eq!(job.fee.u128(), fee, "3 % fee of job {}", job.id);
        fees += fee;
        let paid: u128 = job.slots.iter().map(|s| s.paid.u128()).sum();
        assert_eq!(
            paid + fee,
            job.price.u128(),
            "escrow of job {} paid out",
            job.id
        );
        for s in &job.slots {
            assert_eq!(s.outcome, Some(SlotOutcome::Agreed), "job {}", job.id);
            *earned.entry(s.provider.to_string()).or_default() += s.paid.u128();
        }
        let result = digits_of(job.result.as_ref().unwrap());
        total += labels.len();
        correct += result.iter().zip(labels).filter(|(a, b)| a == b).count();
    }
    eprintln!("accuracy of agreed results: {correct}/{total}");
    assert!(correct * 100 >= total * 90, "{correct}/{total} correct");
    for b in buyers {
        assert_eq!(
            net.chain.balance(&net.address(b)).unwrap(),
            before[b] - spent[b],
            "{b} paid exactly the price of its jobs (the excess was refunded)"
        );
    }
    for p in ["provider-1", "provider-2"] {
        let got = earned.get(&net.address(p)).copied().unwrap_or(0);
        assert!(got > 0, "{p} earned nothing");
        assert_eq!(net.chain.balance(&net.address(p)).unwrap(), before[p] + got);
    }
    let m: market::TotalsResponse = net.chain.market(&market::QueryMsg::Totals {}).unwrap();
    let flushed_already = net.chain.treasury_totals().unwrap().deposited.u128() - deposited_before;
    assert_eq!(
        flushed_already + m.fees_pending.u128(),
        fees,
        "fees flushed + pending"
    );
    net.chain
        .market_exec("keeper", &market::ExecuteMsg::FlushFees {})
        .unwrap();
    let totals = net.chain.treasury_totals().unwrap();
    assert_eq!(totals.deposited.u128() - deposited_before, fees);
    net.assert_conserved(genesis);

    // Distribute the fees: 70 % burned, the supply falls by exactly that.
    let supply = net.chain.total_supply().unwrap();
    let pending = totals.pending.u128();
    net.chain
        .execute("keeper", &d.treasury, &treasury::ExecuteMsg::Distribute {})
        .unwrap();
    let after = net.chain.treasury_totals().unwrap();
    let burned = after.burned.u128() - totals.burned.u128();
    assert_eq!(
        burned,
        pending * 7_000 / 10_000,
        "70 % of the pending fees burned"
    );
    assert_eq!(net.chain.total_supply().unwrap(), supply - burned);
    net.assert_conserved(genesis);

    // ---- a worker killed between commit and reveal ----------------------------------------
    // The job is assigned to both providers; with provider-2 stopped, provider-1 commits and
    // then must wait for the second commitment: that is when it is killed.
    net.kill("provider-2");
    let (victim_job, _) = net.submit("buyer-1", 500, 2);
    let p1 = net.address("provider-1");
    wait_until("provider-1's commitment", Duration::from_secs(60), || {
        net.job(victim_job)
            .slots
            .iter()
            .any(|s| s.provider.as_str() == p1 && s.commitment.is_some())
            .then_some(())
    });
    let killed = net.kill("provider-1");
    let journal = Journal::open(&net.journal_path("provider-1")).unwrap();
    // Killed after the commitment reached the chain: the journal says Committed, or still
    // Computed when the kill fell between the broadcast and the journal write. Either way the
    // salt and output are on disk, so the restarted worker can reveal without committing again.
    let entry = journal.get(victim_job).unwrap();
    assert!(
        matches!(entry.stage, Stage::Computed | Stage::Committed),
        "{:?}",
        entry.stage
    );
    assert!(entry.salt.is_some() && entry.output.is_some());
    eprintln!(
        "provider-1 killed with job {victim_job} at stage {:?}",
        entry.stage
    );
    drop(journal);
    net.start("provider-2", "ndarray"); // comes back and commits to its slot
    wait_until("provider-2's commitment", Duration::from_secs(90), || {
        let job = net.job(victim_job);
        (job.slots.len() == 2 && job.slots.iter().all(|s| s.commitment.is_some())).then_some(())
    });
    drop(killed);
    net.start("provider-1", "wgpu"); // resumes from its journal and reveals
    let job = net
        .wait_final(&[victim_job], Duration::from_secs(120))
        .remove(0);
    assert_eq!(job.status, JobStatus::Settled);
    let slot = job
        .slots
        .iter()
        .find(|s| s.provider.as_str() == p1)
        .unwrap();
    assert_eq!(slot.outcome, Some(SlotOutcome::Agreed));
    assert!(slot.paid.u128() > 0);
    // One commitment, the one in the journal, and only the first run ever tried to send one.
    // The restarted worker sees the job final on its next pass and closes its journal entry.
    let entry = wait_until(
        "provider-1's journal to finish the job",
        Duration::from_secs(30),
        || {
            Journal::open(&net.journal_path("provider-1"))
                .ok()
                .and_then(|j| j.get(victim_job).cloned())
                .filter(|e| e.stage == Stage::Finished)
        },
    );
    assert_eq!(entry.outcome.as_deref(), Some("Agreed"));
    assert_eq!(entry.paid, slot.paid.u128());
    assert_eq!(
        slot.commitment.as_ref().map(|c| hex::encode(c.as_slice())),
        entry.commitment.clone(),
        "the chain holds the journal's commitment"
    );
    let log = net.log_text("provider-1");
    assert_eq!(
        commit_attempts(&log, victim_job),
        1,
        "provider-1 tried to commit job {victim_job} once across its two runs"
    );
    assert!(log.contains("worker running"));
    net.assert_conserved(genesis);

    // ---- the node restarted with jobs in flight -------------------------------------------
    let jobs_before: market::TotalsResponse =
        net.chain.market(&market::QueryMsg::Totals {}).unwrap();
    let mut in_flight = vec![];
    for i in 0..4 {
        in_flight.push(net.submit(buyers[i % 2], 700 + i * 8, 2).0);
    }
    let snapshot_job = net.job(ids[0]);
    localnet(&["down"]);
    std::thread::sleep(Duration::from_secs(3));
    localnet(&["up"]);
    // Everything from before the restart is still there.
    assert_eq!(net.job(ids[0]), snapshot_job);
    let totals: market::TotalsResponse = net.chain.market(&market::QueryMsg::Totals {}).unwrap();
    assert!(totals.jobs_submitted >= jobs_before.jobs_submitted + 4);
    let jobs = net.wait_final(&in_flight, Duration::from_secs(240));
    for job in &jobs {
        assert_eq!(
            job.status,
            JobStatus::Settled,
            "job {} after the restart",
            job.id
        );
    }
    net.assert_conserved(genesis);
    for (name, w) in &net.workers {
        eprintln!(
            "{name}: log {} config {}",
            w.log.display(),
            w.config.display()
        );
    }
}

#[test]
#[ignore = "needs a 4-validator wasmd localnet: run by scripts/wasmd-e2e.sh"]
fn four_validators_keep_settling_with_one_stopped() {
    let rpc = rpc_for("4");
    let mut net = Net::deploy(&rpc, "4v");
    let genesis = net.chain.total_supply().unwrap();
    net.register("provider-1", "ndarray");
    net.register("provider-2", "ndarray");
    net.start("provider-1", "ndarray");
    net.start("provider-2", "ndarray");
    let first: Vec<u64> = (0..3)
        .map(|i| net.submit(["buyer-1", "buyer-2"][i % 2], i * 4, 2).0)
        .collect();
    for job in net.wait_final(&first, Duration::from_secs(180)) {
        assert_eq!(job.status, JobStatus::Settled);
    }
    // One of four equal validators down: 75 % of the power is left, above the 2/3 needed.
    localnet(&["stop-validator", "3"]);
    let h = net.chain.block().unwrap().height;
    let second: Vec<u64> = (0..5)
        .map(|i| net.submit(["buyer-1", "buyer-2"][i % 2], 100 + i * 4, 2).0)
        .collect();
    for job in net.wait_final(&second, Duration::from_secs(240)) {
        assert_eq!(job.status, JobStatus::Settled, "job {}", job.id);
    }
    assert!(net.chain.block().unwrap().height > h + 5);
    net.assert_conserved(genesis);
    localnet(&["start-validator", "3"]);
}

//! Gas used by every ACN operation on a real wasmd node, as a markdown table.
//!
//! ```text
//! bash scripts/localnet.sh up
//! cargo run -p acn-client --example gas -- [--rpc URL] [--artifacts DIR] [--accounts FILE]
//!                                          [--json OUT] [--deployment OUT] [--scale N]
//! ```
//!
//! Deploys a fresh gas-test instance of the contracts and the DAO that takes them over
//! (unbonding period and max job lifetime 60 s — the DAO deployment links staking to the market,
//! so the unbonding period may not be shorter than a job's life —, commit window 30 s, reveal
//! window 8 s, a treasury split with all four parts so `Distribute` exercises burn, staker
//! rewards and the executor fee; a 100-token minimum provider stake, a 1-base-unit minimum stake
//! at risk per slot (10 × its pay above that) and no practical cap on a
//! provider's jobs, so every staker can also be a provider), gives it 10 providers (2 + 8
//! stakers that register) and 10 open jobs, then measures: bond, submit job (which draws its
//! providers from the model's selection tree), commit, reveal (which settles), a second job
//! settled by `Settle` after its reveal window closed (one of its two assigned providers does
//! not reveal and is slashed), flush fees, distribute, fund rewards, claim rewards, unbond and
//! claim (after the unbonding period), then a DAO proposal (propose, two votes, execute a
//! market fee change). With `--scale N` it then adds N stakers (derived keys, each bonding and
//! registering as a provider in its own transactions) and N open jobs and measures the same
//! operations again, printing both columns and the change: `--scale 990` compares submission
//! (assignment) with 10 and with 1 000 providers. The RPC URL defaults to `$ACN_WASMD_RPC`,
//! then the localnet profile's (`http://127.0.0.1:26657`).

use std::path::{Path, PathBuf};

use cosmwasm_std::{HexBinary, Timestamp, Uint128};
use serde::Serialize;

use acn_client::deploy::{deploy_wasmd, DeployPlan};
use acn_client::wasmd::WasmdConfig;
use acn_client::{governance, Chain, ChainError, ChainExt, TxResult, WasmdChain};
use acn_interface::market::{self, commitment};
use acn_interface::{dao, staking, token, treasury};
use acn_testing::{digits_input, digits_model, hardware, labels_output, salt, TOKEN};

/// The buyer's audit secret of every redundancy-1 job (committed by its hash at submission).
const AUDIT_SECRET: &[u8] = b"gas audit secret";

/// Unbonding period and longest job lifetime of the gas-test deployment, in seconds.
const JOB_LIFETIME: u64 = 60;

/// One measured transaction.
#[derive(Serialize)]
struct Row {
    step: String,
    contract: String,
    gas_used: u64,
    height: u64,
    tx_hash: String,
}

struct Args {
    rpc: String,
    artifacts: PathBuf,
    accounts: PathBuf,
    json: Option<PathBuf>,
    deployment: Option<PathBuf>,
    scale: usize,
}

fn args() -> Args {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut a = Args {
        rpc: std::env::var("ACN_WASMD_RPC")
            .ok()
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| acn_client::ChainProfile::localnet().rpc),
        artifacts: root.join("artifacts"),
        accounts: root.join("scripts/localnet-accounts.json"),
        json: None,
        deployment: None,
        scale: 0,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || {
            it.next().unwrap_or_else(|| {
                eprintln!("{flag} needs a value");
                std::process::exit(2)
            })
        };
        match flag.as_str() {
            "--rpc" => a.rpc = value(),
            "--artifacts" => a.artifacts = value().into(),
            "--accounts" => a.accounts = value().into(),
            "--json" => a.json = Some(value().into()),
            "--deployment" => a.deployment = Some(value().into()),
            "--scale" => {
                a.scale = value().parse().unwrap_or_else(|e| {
                    eprintln!("--scale: {e}");
                    std::process::exit(2)
                })
            }
            "-h" | "--help" => {
                eprintln!(
                    "usage: gas [--rpc URL] [--artifacts DIR] [--accounts FILE] [--json OUT] \
                     [--deployment OUT] [--scale N]"
                );
                std::process::exit(0)
            }
            other => {
                eprintln!("unknown argument {other} (try --help)");
                std::process::exit(2)
            }
        }
    }
    a
}

struct Bench<'a> {
    chain: &'a WasmdChain,
    rows: Vec<Row>,
}

impl Bench<'_> {
    fn record(&mut self, step: &str, contract: &str, tx: &TxResult) {
        eprintln!(
            "  {step:<40} {:>10} gas  (height {})",
            tx.gas_used, tx.height
        );
        self.rows.push(Row {
            step: step.into(),
            contract: contract.into(),
            gas_used: tx.gas_used,
            height: tx.height,
            tx_hash: tx.tx_hash.clone(),
        });
    }

    fn market(
        &mut self,
        step: &str,
        account: &str,
        msg: &market::ExecuteMsg,
    ) -> Result<TxResult, ChainError> {
        let tx = self.chain.market_exec(account, msg)?;
        self.record(step, "market", &tx);
        Ok(tx)
    }

    fn submit(&mut self, step: &str, buyer: &str, redundancy: u8) -> Result<u64, ChainError> {
        let d = self.chain.deployment().clone();
        let deadline = Timestamp::from_seconds(self.chain.block()?.time + JOB_LIFETIME);
        let tx = self.chain.send_tokens(
            buyer,
            &d.market,
            2_000 * u128::from(redundancy),
            &market::ReceiveMsg::SubmitJob {
                model_id: "digits-mlp-v1".into(),
                input: digits_input(2),
                batch: 2,
                redundancy,
                max_unit_price: Uint128::new(10_000),
                deadline,
                callback: None,
                audit_commitment: (redundancy == 1)
                    .then(|| HexBinary::from(market::audit_commitment(AUDIT_SECRET).to_vec())),
            },
        )?;
        self.record(step, "token → market", &tx);
        tx.attr("job_id")
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| ChainError::Rejected("no job_id attribute".into()))
    }

    /// The accounts the market assigned to a job, in slot order (from its `assigned` attribute).
    fn assigned(&self, job_id: u64, names: &[String]) -> Result<Vec<String>, ChainError> {
        let job: market::JobResponse = self.chain.market(&market::QueryMsg::Job { id: job_id })?;
        let mut out = vec![];
        for slot in job.slots {
            let mut found = None;
            for n in names {
                if self.chain.address(n)? == slot.provider.as_str() {
                    found = Some(n.clone());
                    break;
                }
            }
            out.push(found.ok_or_else(|| {
                ChainError::Rejected(format!("job {job_id}: unknown provider {}", slot.provider))
            })?);
        }
        Ok(out)
    }

    fn commit(&mut self, step: &str, provider: &str, job_id: u64) -> Result<(), ChainError> {
        let addr = self.chain.address(provider)?;
        let market = self.chain.deployment().market.clone();
        let c = commitment(&labels_output(&[4, 2]), &salt(9), &addr, job_id, &market);
        self.market(
            step,
            provider,
            &market::ExecuteMsg::CommitResult {
                job_id,
                commitment: HexBinary::from(c.to_vec()),
            },
        )?;
        Ok(())
    }

    fn reveal(&mut self, step: &str, provider: &str, job_id: u64) -> Result<TxResult, ChainError> {
        self.market(
            step,
            provider,
            &market::ExecuteMsg::RevealResult {
                job_id,
                output: labels_output(&[4, 2]),
                salt: salt(9),
            },
        )
    }
}

/// The operations measured in each pass (fresh jobs and a fresh staker each time).
fn measure_pass(
    b: &mut Bench,
    plan: &DeployPlan,
    staker: &str,
    providers: &[String],
    label: &str,
) -> Result<Vec<(String, u64)>, ChainError> {
    let chain = b.chain;
    let d = chain.deployment().clone();
    let first = b.rows.len();
    eprintln!("pass: {label}");

    let tx = chain.send_tokens(
        staker,
        &d.staking,
        20 * TOKEN,
        &staking::ReceiveMsg::Bond { tier: None },
    )?;
    b.record("bond (CW20 Send → staking)", "token → staking", &tx);

    let job = b.submit("submit job (CW20 Send → market, assigns 1)", "buyer-1", 1)?;
    let p = b.assigned(job, providers)?;
    b.commit("commit result", &p[0], job)?;
    // The buyer reveals its audit secret (1 job in 10 is then audited by a second provider).
    let audit = b.market(
        "reveal audit secret (buyer)",
        "buyer-1",
        &market::ExecuteMsg::RevealAuditSecret {
            job_id: job,
            secret: cosmwasm_std::Binary::from(AUDIT_SECRET),
        },
    )?;
    let tx = if audit.attr("audited") == Some("true") {
        let p = b.assigned(job, providers)?;
        b.commit("commit result (auditor)", &p[1], job)?;
        b.reveal("reveal result (audited job, 1 of 2)", &p[0], job)?;
        b.reveal("reveal result (settles the job)", &p[1], job)?
    } else {
        b.reveal("reveal result (settles the job)", &p[0], job)?
    };
    assert_eq!(tx.attr("status"), Some("Settled"), "the reveal settles");

    // A job settled by `Settle` after its reveal window: its second provider commits but never
    // reveals.
    let job = b.submit("submit job, redundancy 2 (assigns 2)", "buyer-1", 2)?;
    let p = b.assigned(job, providers)?;
    b.commit("commit result (1 of 2)", &p[0], job)?;
    b.commit("commit result (2 of 2, opens reveal)", &p[1], job)?;
    b.reveal("reveal result (1 of 2, no settle)", &p[0], job)?;
    eprintln!("  waiting for the reveal window to close");
    chain.wait_seconds(plan.market.as_ref().expect("market").params.reveal_window + 1)?;
    b.market(
        "settle (window closed, 1 no-show slashed)",
        "keeper",
        &market::ExecuteMsg::Settle { job_id: job },
    )?;
    b.market("flush fees", "keeper", &market::ExecuteMsg::FlushFees {})?;

    let tx = chain.execute("keeper", &d.treasury, &treasury::ExecuteMsg::Distribute {})?;
    b.record("distribute (treasury)", "treasury", &tx);
    let tx = chain.send_tokens(
        "deployer",
        &d.staking,
        1_000 * TOKEN,
        &staking::ReceiveMsg::DistributeRewards {},
    )?;
    b.record("fund rewards (CW20 Send → staking)", "token → staking", &tx);
    // Staking streams a round over its reward duration (7 days): let a few seconds of it out, so
    // the staker's share of what was released is at least one base unit.
    chain.wait_seconds(3)?;
    let tx = chain.execute(staker, &d.staking, &staking::ExecuteMsg::ClaimRewards {})?;
    b.record("claim rewards", "staking", &tx);

    let tx = chain.execute(
        staker,
        &d.staking,
        &staking::ExecuteMsg::Unbond {
            amount: Uint128::new(5 * TOKEN),
        },
    )?;
    b.record("unbond", "staking", &tx);
    eprintln!("  waiting for the unbonding period ({JOB_LIFETIME} s)");
    chain.wait_seconds(JOB_LIFETIME + 1)?;
    let tx = chain.execute(staker, &d.staking, &staking::ExecuteMsg::Claim {})?;
    b.record("claim (matured unbonding)", "staking", &tx);

    Ok(b.rows[first..]
        .iter()
        .map(|r| (r.step.clone(), r.gas_used))
        .collect())
}

/// A DAO proposal end to end: buyer-2 bonds 500 tokens and proposes a market fee change (too
/// little weight to pass alone), the two providers vote yes once voting opens (the second vote
/// passes it), the keeper executes it once the timelock is over (the market's `UpdateParams` runs
/// as the DAO).
fn governance_pass(b: &mut Bench, plan: &DeployPlan, dao_addr: &str) -> Result<(), ChainError> {
    let chain = b.chain;
    let d = chain.deployment().clone();
    eprintln!("governance");
    chain.send_tokens(
        "buyer-2",
        &d.staking,
        500 * TOKEN,
        &staking::ReceiveMsg::Bond { tier: None },
    )?;
    chain.wait_blocks(1)?;
    let mut params = plan.market.as_ref().expect("market").params.clone();
    params.protocol_fee_bps = 500;
    let (id, tx) = governance::propose(
        chain,
        dao_addr,
        "buyer-2",
        "Protocol fee to 5 %",
        "Raise the protocol fee from 3 % to 5 %.",
        vec![governance::update_market_params(&d.market, params)?],
    )?;
    b.record("dao: propose (market fee change)", "dao", &tx);
    governance::wait_for_voting(chain, dao_addr, id)?;
    let tx = governance::vote(chain, dao_addr, "provider-1", id, dao::Vote::Yes)?;
    b.record("dao: vote yes", "dao", &tx);
    let tx = governance::vote(chain, dao_addr, "provider-2", id, dao::Vote::Yes)?;
    b.record("dao: vote yes (passes it)", "dao", &tx);
    let status = governance::proposal(chain, dao_addr, id)?.status;
    if status != dao::Status::Passed {
        return Err(ChainError::Rejected(format!(
            "proposal {id} is {status:?} after the votes"
        )));
    }
    governance::wait_for_execution(chain, dao_addr, id)?;
    let tx = governance::execute(chain, dao_addr, "keeper", id)?;
    b.record("dao: execute (market UpdateParams)", "dao → market", &tx);
    let cfg: market::ConfigResponse = chain.market(&market::QueryMsg::Config {})?;
    if cfg.params.protocol_fee_bps != 500 {
        return Err(ChainError::Rejected(
            "the proposal did not change the fee".into(),
        ));
    }
    Ok(())
}

/// Give the chain `n` more stakers (derived keys, funded with fee coins and tokens, each bonding
/// in its own transaction) and `jobs` more open jobs; returns the names of the stakers.
fn populate(
    chain: &WasmdChain,
    mnemonic: &str,
    from: usize,
    n: usize,
    jobs: usize,
) -> Result<Vec<String>, ChainError> {
    let d = chain.deployment().clone();
    let t = std::time::Instant::now();
    let mut names = vec![];
    for i in from..from + n {
        let name = format!("staker-{i}");
        chain.add_account_at(&name, mnemonic, &format!("m/44'/118'/0'/0/{}", 1_000 + i))?;
        names.push(name);
    }
    for batch in names.chunks(100) {
        let mut msgs = vec![];
        for name in batch {
            let addr = chain.address(name)?;
            msgs.push(chain.bank_send_any("deployer", &addr, 2_000_000)?);
            msgs.push(chain.execute_any(
                "deployer",
                &d.token,
                &token::ExecuteMsg::Transfer {
                    recipient: addr,
                    // 150 bonded here, 100 more by the staker measured in a pass.
                    amount: Uint128::new(300 * TOKEN),
                },
            )?);
        }
        chain.execute_msgs("deployer", msgs)?;
    }
    eprintln!("  funded {n} stakers in {:.1} s", t.elapsed().as_secs_f64());
    let next = std::sync::atomic::AtomicUsize::new(0);
    let failures = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|s| {
        for _ in 0..16 {
            s.spawn(|| loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                let Some(name) = names.get(i) else { break };
                let provide = chain
                    .send_tokens(
                        name,
                        &d.staking,
                        150 * TOKEN,
                        &staking::ReceiveMsg::Bond { tier: None },
                    )
                    .and_then(|_| {
                        chain.market_exec(
                            name,
                            &market::ExecuteMsg::RegisterProvider {
                                hardware: hardware(),
                                models: vec!["digits-mlp-v1".into()],
                                min_unit_price: Uint128::zero(),
                            },
                        )
                    });
                if let Err(e) = provide {
                    eprintln!("  bond or registration of {name} failed: {e}");
                    failures.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                }
            });
        }
    });
    let failed = failures.into_inner();
    if failed > 0 {
        return Err(ChainError::Rejected(format!("{failed} bonds failed")));
    }
    eprintln!(
        "  {n} stakers bonded and registered as providers after {:.1} s",
        t.elapsed().as_secs_f64()
    );

    let deadline = Timestamp::from_seconds(chain.block()?.time + JOB_LIFETIME);
    let submit = market::ReceiveMsg::SubmitJob {
        model_id: "digits-mlp-v1".into(),
        input: digits_input(2),
        batch: 2,
        redundancy: 1,
        max_unit_price: Uint128::new(10_000),
        deadline,
        callback: None,
        audit_commitment: Some(HexBinary::from(
            market::audit_commitment(AUDIT_SECRET).to_vec(),
        )),
    };
    let send = token::ExecuteMsg::Send {
        contract: d.market.clone(),
        amount: Uint128::new(2_000),
        msg: cosmwasm_std::to_json_binary(&submit).map_err(|e| ChainError::Serde(e.to_string()))?,
    };
    let mut left = jobs;
    while left > 0 {
        let k = left.min(50);
        let msgs = (0..k)
            .map(|_| chain.execute_any("buyer-2", &d.token, &send))
            .collect::<Result<Vec<_>, _>>()?;
        chain.execute_msgs("buyer-2", msgs)?;
        left -= k;
    }
    eprintln!(
        "  + {jobs} open jobs after {:.1} s",
        t.elapsed().as_secs_f64()
    );
    Ok(names)
}

fn run(a: &Args) -> Result<(), ChainError> {
    let mut chain = WasmdChain::new(WasmdConfig::new(&a.rpc))?;
    chain.load_accounts(&a.accounts)?;
    eprintln!("chain {} at {}", chain.chain_id(), a.rpc);
    let accounts = acn_client::wasmd::AccountsFile::load(&a.accounts)?;
    let mnemonic = accounts
        .accounts
        .iter()
        .find(|e| e.name == "keeper")
        .map(|e| e.mnemonic.clone())
        .ok_or_else(|| ChainError::UnknownAccount("keeper".into()))?;

    let mut plan = DeployPlan::localnet();
    let artifacts_dir = &a.artifacts;
    plan.label_prefix = format!("acn-gas-{}", std::process::id());
    plan.market_mut().models = vec![digits_model()];
    plan.token.balances.extend(vec![
        ("provider-1".into(), 5_000 * TOKEN),
        ("provider-2".into(), 5_000 * TOKEN),
        ("buyer-1".into(), 1_000 * TOKEN),
        ("buyer-2".into(), 1_000 * TOKEN),
    ]);
    plan.staking.unbonding_period = cw_utils::Duration::Time(JOB_LIFETIME);
    plan.market_mut().params.max_job_lifetime = JOB_LIFETIME;
    plan.market_mut().params.commit_window = 30;
    plan.market_mut().params.reveal_window = 8;
    plan.market_mut().params.miss_cooldown = 0; // a provider misses on purpose in every pass
                                                // Stakers (150 bonded) are providers too, and open jobs pile up on them.
    plan.market_mut().params.min_provider_stake = Uint128::new(100 * TOKEN);
    plan.market_mut().params.max_active_jobs_per_provider = 1_000_000;
    // Open jobs pile up on stakers bonding 150 tokens: a slot puts one base unit (or 10 × its
    // pay) at risk instead of the 100-token minimum, so the exposure cap never binds here.
    plan.market_mut().params.min_slot_stake = Uint128::one();
    plan.treasury.split = treasury::Split {
        burn_bps: 5_000,
        stakers_bps: 2_000,
        kept_bps: 2_900,
        executor_bps: 100,
    };
    eprintln!("deploying ({})", a.artifacts.display());
    let (deployment, steps) = deploy_wasmd(&chain, artifacts_dir, &plan)?;
    if let Some(path) = &a.deployment {
        deployment.save(path)?;
    }
    chain.set_deployment(deployment.deployment.clone())?;
    let d = chain.deployment().clone();

    let mut b = Bench {
        chain: &chain,
        rows: vec![],
    };
    for s in &steps {
        b.record(&s.name, &s.contract, &s.tx);
    }
    for p in ["provider-1", "provider-2"] {
        chain.send_tokens(
            p,
            &d.staking,
            2_000 * TOKEN,
            &staking::ReceiveMsg::Bond { tier: None },
        )?;
        let tx = chain.market_exec(
            p,
            &market::ExecuteMsg::RegisterProvider {
                hardware: hardware(),
                models: vec!["digits-mlp-v1".into()],
                min_unit_price: Uint128::zero(),
            },
        )?;
        if p == "provider-1" {
            b.record("register provider", "market", &tx);
        }
    }
    let keeper = chain.address("keeper")?;
    let tx = chain.execute(
        "buyer-1",
        &d.token,
        &token::ExecuteMsg::Transfer {
            recipient: keeper,
            amount: Uint128::new(TOKEN),
        },
    )?;
    b.record("cw20 transfer", "token", &tx);

    // Pass 1 with 10 providers (2 + 8 stakers) and 10 open jobs.
    let small = populate(&chain, &mnemonic, 0, 8, 10)?;
    let mut providers: Vec<String> = vec!["provider-1".into(), "provider-2".into()];
    providers.extend(small.iter().cloned());
    let base = measure_pass(
        &mut b,
        &plan,
        &small[0],
        &providers,
        "10 providers, 10 open jobs",
    )?;
    let dao_addr = deployment
        .dao
        .clone()
        .ok_or_else(|| ChainError::Rejected("the deployment has no DAO".into()))?;
    governance_pass(&mut b, &plan, &dao_addr)?;

    let c = chain.config();
    println!(
        "\n## Gas used on {} (gas limit = simulated × {}, fee = limit × {} {})\n",
        chain.chain_id(),
        c.gas_adjustment,
        c.gas_price,
        c.denom
    );
    println!("| step | contract | gas used |");
    println!("|---|---|---:|");
    for r in &b.rows {
        println!("| {} | {} | {} |", r.step, r.contract, r.gas_used);
    }
    let gas = |step: &str| base.iter().find(|(s, _)| s == step).map_or(0, |(_, g)| *g);
    let lifecycle = gas("submit job (CW20 Send → market, assigns 1)")
        + gas("commit result")
        + gas("reveal audit secret (buyer)")
        + gas("reveal result (settles the job)");
    println!(
        "\nWhole lifecycle at redundancy 1, unaudited (submit with assignment + commit + the \
         buyer's audit secret + reveal, which settles): **{lifecycle}** gas."
    );

    if a.scale > 0 {
        let big = populate(&chain, &mnemonic, 8, a.scale, a.scale)?;
        providers.extend(big.iter().cloned());
        let scaled = measure_pass(
            &mut b,
            &plan,
            &big[0],
            &providers,
            &format!("{} providers, {} open jobs", a.scale + 10, a.scale + 10),
        )?;
        println!(
            "\n## Scaling: the same operations with 10 and with {} providers (stakers) / open jobs\n",
            a.scale + 10
        );
        println!("| step | 10 | {} | change |", a.scale + 10);
        println!("|---|---:|---:|---:|");
        let mut worst: f64 = 0.0;
        // Matched by step name: an audited job adds steps to one pass only.
        for (step, g1) in &base {
            let Some((_, g2)) = scaled.iter().find(|(s, _)| s == step) else {
                continue;
            };
            let change = (*g2 as f64 - *g1 as f64) / *g1 as f64 * 100.0;
            worst = worst.max(change.abs());
            println!("| {step} | {g1} | {g2} | {change:+.2} % |");
        }
        println!("\nLargest change: {worst:.2} %.");
    }

    if let Some(path) = &a.json {
        let json =
            serde_json::to_string_pretty(&b.rows).map_err(|e| ChainError::Serde(e.to_string()))?;
        std::fs::write(path, json)
            .map_err(|e| ChainError::Rejected(format!("cannot write {}: {e}", path.display())))?;
    }
    Ok(())
}

fn main() {
    let a = args();
    if let Err(e) = run(&a) {
        eprintln!("gas: {e}");
        std::process::exit(1);
    }
}

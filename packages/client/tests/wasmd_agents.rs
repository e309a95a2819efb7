//! A three-step agent run on a wasmd node (`#[ignore]`d: run by the wasmd stage with
//! `ACN_WASMD_RPC` set): the one routine deploys the stable-priced market (seeded pool, TWAP
//! oracle, buyback vault) and the agent registry, all handed to the DAO; a developer publishes
//! digits → label text → text classifier → i32 router; a buyer pays one uusdc escrow; each
//! step is a market job the registry buys with a callback to itself, worked by two providers
//! (commit, reveal: the last reveal settles it and the market's `ReceiveResult` records it),
//! then a keeper's `Advance` adapts the output and buys the next step. Then a second run whose
//! step 1 expires unworked: the run fails and the buyer gets back all but step 0's price.
//! Prints the gas of every message, per step and per run, and the run's wall time.

mod common;

use std::path::{Path, PathBuf};
use std::time::Instant;

use cosmwasm_std::{HexBinary, Uint128};

use acn_client::deploy::{deploy_wasmd, DeployPlan, PoolPlan};
use acn_client::wasmd::WasmdConfig;
use acn_client::{Chain, ChainExt, WasmdChain};
use acn_interface::agents::{self, Adapter, AgentSpec, RunResponse, RunStatus, Step, StepStatus};
use acn_interface::market::{
    self, commitment, encode_text_items, CallbackStatus, DType, InputSpec, JobStatus, ModelSpec,
    OutputSpec,
};
use acn_interface::{oracle, staking};
use acn_testing::{digits_input, digits_model, hardware, labels_output, salt};

const TOKEN: u128 = 1_000_000;
const STABLE: &str = common::STABLE;
const PROVIDERS: [&str; 2] = ["provider-3", "provider-4"];
/// The developer's fee per run: 0.25 USDC.
const FEE: u128 = TOKEN / 4;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn model(id: &str, input: InputSpec, num_classes: u32) -> ModelSpec {
    ModelSpec {
        id: id.into(),
        name: id.into(),
        architecture: "test".into(),
        weights_sha256: "ab".repeat(32),
        weights_uri: format!("file://{id}"),
        input,
        output: OutputSpec::ClassLabels {
            num_classes,
            labels: vec![],
        },
        tolerance: 0,
        cost_units_per_item: 1,
        min_redundancy: 1,
    }
}

fn models() -> Vec<ModelSpec> {
    vec![
        digits_model(),
        model(
            "digit-words-v1",
            InputSpec {
                shape: vec![32, 16],
                dtype: DType::Utf8,
                max_batch: 8,
            },
            2,
        ),
        model(
            "route-v1",
            InputSpec {
                shape: vec![1],
                dtype: DType::I32,
                max_batch: 8,
            },
            3,
        ),
    ]
}

fn agent() -> AgentSpec {
    AgentSpec {
        id: "digit-router".into(),
        name: "Digit router".into(),
        description: "reads a digit, classifies its name, routes it".into(),
        steps: vec![
            Step {
                model_id: "digits-mlp-v1".into(),
                adapter: None,
            },
            Step {
                model_id: "digit-words-v1".into(),
                adapter: Some(Adapter::LabelText {
                    texts: (0..10).map(|d| format!("the digit {d}")).collect(),
                }),
            },
            Step {
                model_id: "route-v1".into(),
                adapter: Some(Adapter::Direct {}),
            },
        ],
        fee: Uint128::new(FEE),
    }
}

/// Gas of one step's messages.
#[derive(Default, Debug)]
struct StepGas {
    /// `Run` (step 0) or `Advance` (later steps): the registry buys the job.
    submit: u64,
    /// Both commits.
    commits: u64,
    /// The first reveal.
    reveal: u64,
    /// The last reveal: settles, pays the providers, calls the registry back.
    reveal_settle_callback: u64,
}

#[test]
#[ignore = "needs a wasmd node: run by scripts/wasmd-e2e.sh"]
fn a_three_step_agent_run_settles_step_by_step_on_wasmd_with_its_gas() {
    let rpc = std::env::var("ACN_WASMD_RPC")
        .expect("ACN_WASMD_RPC is not set: start a node with `scripts/localnet.sh up`");
    let mut chain = WasmdChain::new(WasmdConfig::new(&rpc)).expect("connect to the node");
    chain
        .load_accounts(root().join("scripts/localnet-accounts.json"))
        .expect("load accounts");
    let mut plan = DeployPlan::localnet();
    plan.market_mut().models = models();
    // Short windows: the failing run's step expires within a minute.
    plan.market_mut().params.commit_window = 20;
    plan.market_mut().params.reveal_window = 20;
    for p in PROVIDERS {
        plan.token.balances.push((p.to_string(), 5_000 * TOKEN));
    }
    let mut p = PoolPlan::new(STABLE);
    p.seed_acn = 500_000 * TOKEN;
    p.seed_stable = 25_000 * TOKEN;
    p.oracle.window = 60;
    p.oracle.max_staleness = 60;
    plan.pool = Some(p);
    let (rec, steps) = deploy_wasmd(&chain, root().join("artifacts"), &plan).expect("deploy");
    eprintln!("deployed in {} transactions", steps.len());
    let d = rec.deployment.clone();
    chain.set_deployment(d.clone()).expect("set deployment");
    let registry = d
        .agents
        .clone()
        .expect("the routine deploys the agent registry");
    let o: cw_ownable::Ownership<String> = chain
        .query(&registry, &agents::QueryMsg::Ownership {})
        .unwrap();
    assert_eq!(o.owner, rec.dao, "the DAO owns the registry");

    // Two providers serve the three models.
    for name in PROVIDERS {
        chain
            .send_tokens(
                name,
                &d.staking,
                common::PROVIDER_STAKE,
                &staking::ReceiveMsg::Bond { tier: None },
            )
            .unwrap();
        chain
            .market_exec(
                name,
                &market::ExecuteMsg::RegisterProvider {
                    hardware: hardware(),
                    models: models().into_iter().map(|m| m.id).collect(),
                    min_unit_price: Uint128::zero(),
                },
            )
            .unwrap();
    }
    // Stable-paid jobs need the oracle's first price.
    let oracle_addr = d.oracle.clone().unwrap();
    let mut tries = 0;
    while chain
        .query::<_, oracle::TwapResponse>(&oracle_addr, &oracle::QueryMsg::Twap {})
        .is_err()
    {
        tries += 1;
        assert!(tries < 30, "the oracle never priced ACN");
        chain.wait_seconds(10).unwrap();
    }
    let publish = chain
        .execute(
            "keeper",
            &registry,
            &agents::ExecuteMsg::Publish { agent: agent() },
        )
        .unwrap();

    let q: market::QuoteResponse = chain
        .market(&market::QueryMsg::Quote {
            model_id: "digits-mlp-v1".into(),
            batch: 1,
            redundancy: 2,
            buyer: None,
            input: None,
        })
        .unwrap();
    let max_unit_price = q.unit_price.u128() * 2;
    let budget = 2 * max_unit_price; // 1 item × 1 unit × 2 slots
    let escrow = 3 * budget + FEE;
    let addr = |n: &str| chain.address(n).unwrap();
    let usdc = |a: &str| chain.bank_balance(a, STABLE).unwrap();
    let (buyer, dev) = (addr("buyer-1"), addr("keeper"));
    let (buyer0, dev0) = (usdc(&buyer), usdc(&dev));
    let providers0: Vec<u128> = PROVIDERS.iter().map(|p| usdc(&addr(p))).collect();

    let started = Instant::now();
    let run_msg = agents::ExecuteMsg::Run(agents::RunMsg {
        agent_id: "digit-router".into(),
        version: None,
        input: digits_input(1),
        batch: 1,
        redundancy: 2,
        max_unit_price: Uint128::new(max_unit_price),
        step_lifetime: 3_600,
        callback: None,
    });
    let tx = chain
        .execute_json_with_funds(
            "buyer-1",
            &registry,
            &serde_json::to_vec(&run_msg).unwrap(),
            &[(STABLE.into(), escrow)],
        )
        .expect("run");
    let run_id: u64 = tx.attr("run_id").unwrap().parse().unwrap();
    let mut gas = vec![StepGas {
        submit: tx.gas_used,
        ..StepGas::default()
    }];
    let run = |chain: &WasmdChain| -> RunResponse {
        chain
            .query(&registry, &agents::QueryMsg::RunInfo { id: run_id })
            .unwrap()
    };
    let outputs = [
        labels_output(&[3]),
        labels_output(&[1]),
        labels_output(&[2]),
    ];
    let mut advance_gas = 0;
    for (i, out) in outputs.iter().enumerate() {
        let job_id = run(&chain).steps[i].job_id.expect("submitted");
        let job: market::JobResponse = chain.market(&market::QueryMsg::Job { id: job_id }).unwrap();
        if i == 1 {
            assert_eq!(job.input, encode_text_items(&["the digit 3"]));
        }
        let g = gas.last_mut().unwrap();
        for (k, name) in PROVIDERS.iter().enumerate() {
            let c = commitment(out, &salt(k as u8 + 1), &addr(name), job_id, &d.market);
            g.commits += chain
                .market_exec(
                    name,
                    &market::ExecuteMsg::CommitResult {
                        job_id,
                        commitment: HexBinary::from(c.to_vec()),
                    },
                )
                .unwrap()
                .gas_used;
        }
        chain.wait_blocks(1).unwrap();
        for (k, name) in PROVIDERS.iter().enumerate() {
            let tx = chain
                .market_exec(
                    name,
                    &market::ExecuteMsg::RevealResult {
                        job_id,
                        output: out.clone(),
                        salt: salt(k as u8 + 1),
                    },
                )
                .unwrap();
            if k == 0 {
                g.reveal = tx.gas_used;
            } else {
                g.reveal_settle_callback = tx.gas_used;
            }
        }
        let job: market::JobResponse = chain.market(&market::QueryMsg::Job { id: job_id }).unwrap();
        assert_eq!(job.status, JobStatus::Settled);
        assert_eq!(
            job.callback.map(|c| c.status),
            Some(CallbackStatus::Delivered),
            "the market's callback reached the registry"
        );
        assert_eq!(run(&chain).steps[i].status, StepStatus::Done);
        let tx = chain
            .execute("keeper", &registry, &agents::ExecuteMsg::Advance { run_id })
            .expect("advance");
        if i < 2 {
            gas.push(StepGas {
                submit: tx.gas_used,
                ..StepGas::default()
            });
        } else {
            advance_gas = tx.gas_used;
        }
    }
    let wall = started.elapsed();
    let r = run(&chain);
    assert_eq!(r.status, RunStatus::Completed);
    let spent: u128 = r.steps.iter().map(|s| s.price.u128()).sum();
    assert_eq!(
        usdc(&buyer),
        buyer0 - spent - FEE,
        "the unspent budgets came back"
    );
    assert_eq!(usdc(&dev) - dev0, FEE, "the developer is paid at the end");
    assert_eq!(usdc(&registry), 0);
    let paid: u128 = PROVIDERS
        .iter()
        .zip(&providers0)
        .map(|(p, before)| usdc(&addr(p)) - before)
        .sum();
    let fees: u128 = r
        .steps
        .iter()
        .map(|s| {
            let job: market::JobResponse = chain
                .market(&market::QueryMsg::Job {
                    id: s.job_id.unwrap(),
                })
                .unwrap();
            job.fee.u128()
        })
        .sum();
    assert_eq!(
        paid + fees,
        spent,
        "each step's providers were paid its price less the fee"
    );

    // A second run whose step 1 nobody works on: its job expires (the market refunds the
    // registry and calls it back), the run fails, and the buyer gets back everything but step
    // 0's price: step 0's unspent budget, steps 1 and 2 whole, and the fee.
    let failing = agents::ExecuteMsg::Run(agents::RunMsg {
        step_lifetime: 45,
        ..match run_msg {
            agents::ExecuteMsg::Run(m) => m,
            _ => unreachable!(),
        }
    });
    let buyer1 = usdc(&buyer);
    let tx = chain
        .execute_json_with_funds(
            "buyer-1",
            &registry,
            &serde_json::to_vec(&failing).unwrap(),
            &[(STABLE.into(), escrow)],
        )
        .expect("second run");
    let failing_id: u64 = tx.attr("run_id").unwrap().parse().unwrap();
    let info = |chain: &WasmdChain| -> RunResponse {
        chain
            .query(&registry, &agents::QueryMsg::RunInfo { id: failing_id })
            .unwrap()
    };
    let job0 = info(&chain).steps[0].job_id.unwrap();
    for (k, name) in PROVIDERS.iter().enumerate() {
        let out = labels_output(&[7]);
        let c = commitment(&out, &salt(k as u8 + 1), &addr(name), job0, &d.market);
        chain
            .market_exec(
                name,
                &market::ExecuteMsg::CommitResult {
                    job_id: job0,
                    commitment: HexBinary::from(c.to_vec()),
                },
            )
            .unwrap();
    }
    chain.wait_blocks(1).unwrap();
    for (k, name) in PROVIDERS.iter().enumerate() {
        chain
            .market_exec(
                name,
                &market::ExecuteMsg::RevealResult {
                    job_id: job0,
                    output: labels_output(&[7]),
                    salt: salt(k as u8 + 1),
                },
            )
            .unwrap();
    }
    chain
        .execute(
            "keeper",
            &registry,
            &agents::ExecuteMsg::Advance { run_id: failing_id },
        )
        .expect("advance to step 1");
    let job1 = info(&chain).steps[1].job_id.unwrap();
    let job: market::JobResponse = chain.market(&market::QueryMsg::Job { id: job1 }).unwrap();
    let wait = job
        .deadline
        .seconds()
        .saturating_sub(chain.block().unwrap().time)
        + 1;
    chain.wait_seconds(wait).unwrap();
    let expire = chain
        .market_exec("keeper", &market::ExecuteMsg::Expire { job_id: job1 })
        .expect("expire step 1's job");
    assert!(matches!(
        info(&chain).steps[1].status,
        StepStatus::Failed {
            job_status: Some(JobStatus::Expired),
            ..
        }
    ));
    let end = chain
        .execute(
            "keeper",
            &registry,
            &agents::ExecuteMsg::Advance { run_id: failing_id },
        )
        .expect("advance ends the failed run");
    let f = info(&chain);
    assert_eq!(f.status, RunStatus::Failed);
    assert_eq!(f.steps[2].status, StepStatus::Skipped);
    let price0 = f.steps[0].price.u128();
    assert_eq!(
        f.steps[1].market_refund, f.steps[1].price,
        "the market refunded step 1"
    );
    assert_eq!(f.refunded.u128(), escrow - price0);
    assert_eq!(usdc(&buyer), buyer1 - price0, "only step 0 was paid for");
    assert_eq!(usdc(&dev) - dev0, FEE, "no fee for a failed run");
    assert_eq!(usdc(&registry), 0);
    eprintln!(
        "failed run {failing_id}: Expire of step 1's job {} gas, the Advance that ends the run and refunds {} uusdc {} gas",
        expire.gas_used,
        f.refunded,
        end.gas_used
    );

    eprintln!("publish: {} gas", publish.gas_used);
    eprintln!("| step | submit (Run / Advance) | 2 commits | reveal | reveal + settle + callback | step total |");
    eprintln!("|---|---:|---:|---:|---:|---:|");
    let mut total = advance_gas;
    for (i, g) in gas.iter().enumerate() {
        let t = g.submit + g.commits + g.reveal + g.reveal_settle_callback;
        total += t;
        eprintln!(
            "| {i} | {} | {} | {} | {} | {t} |",
            g.submit, g.commits, g.reveal, g.reveal_settle_callback
        );
    }
    eprintln!("| end | Advance (developer paid, refund) {advance_gas} | | | | {advance_gas} |");
    eprintln!(
        "run: {total} gas in all, {:.1} s wall time (escrow {escrow} uusdc, spent {spent}, refunded {})",
        wall.as_secs_f64(),
        r.refunded
    );
}

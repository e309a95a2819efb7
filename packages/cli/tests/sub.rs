//! `acn sub` on the embedded chain (a stable-priced market with the subscriptions contract,
//! deployed by the one routine): a subscription is created, run by a keeper's trigger and a
//! real worker, topped up, shown (text and JSON) and cancelled with the exact refund; bad
//! input is refused with the reason, and by the `acn` binary before it connects. An agent
//! subscription runs by a keeper (`acn-worker keep`'s trigger and advance) and real workers.

mod common;

use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use cosmwasm_std::Uint128;

use acn_cli::sub::{self, CreateRequest, Subject};
use acn_client::Chain;
use acn_client::ChainExt;
use acn_interface::agents::{self, AgentSpec, RunResponse, RunStatus, Step};
use acn_interface::market::JobStatus;
use acn_interface::subscriptions::{Params, SubscriptionStatus};
use acn_testing::{SuiteChain, STABLE, TOKEN};
use acn_worker::keeper;

use common::{digits_csv, file, stable_chain, Running, MLP};

/// 5 compute units × 1 000 uusdc × 2 slots.
const RUN_PRICE: u128 = 10_000;
const REWARD: u128 = 10_000;
const BUYER_USDC: u128 = 100 * TOKEN;

fn sub_chain() -> Arc<SuiteChain> {
    stable_chain(1_000, BUYER_USDC, |b| {
        b.with_subscriptions(Params {
            keeper_reward: Uint128::new(REWARD),
            min_interval: 60,
        })
    })
}

fn usdc(chain: &SuiteChain, account: &str) -> u128 {
    let a = chain.address(account).unwrap();
    chain.bank_balance(&a, STABLE).unwrap()
}

fn request(chain: &SuiteChain, deposit: u128) -> (tempfile::TempDir, CreateRequest) {
    let spec = acn_cli::job::model(chain, MLP).unwrap().spec;
    let (csv, _) = digits_csv(1);
    let (dir, path) = file("digit.csv", &csv);
    let input = acn_cli::job::read_input(&spec, &path, None).unwrap();
    (
        dir,
        CreateRequest {
            subject: sub::Subject::Model(MLP.into()),
            input,
            redundancy: Some(2),
            every: 3_600,
            deposit,
            max_unit_price: None,
            job_lifetime: 3_600,
            callback_gas: 250_000,
        },
    )
}

#[test]
fn create_trigger_topup_show_and_cancel_move_the_exact_amounts() {
    let chain = sub_chain();
    let (_dir, req) = request(&chain, 100_000);
    let created = sub::create(&*chain, "buyer", &req).unwrap();
    let id = created.view.subscription.id;
    assert_eq!(created.view.subscription.balance.u128(), 100_000);
    assert_eq!(usdc(&chain, "buyer"), BUYER_USDC - 100_000);
    let text = created.render();
    assert!(
        text.starts_with(&format!(
            "subscription {id} created with 0.1 USDC\nsubscription {id}  active  owner "
        )),
        "{text}"
    );
    assert!(text.contains("  runs       digits-mlp-v1 × 1 item(s), 2 slots, every 60 min\n"));
    assert!(text.contains("  balance    0.1 USDC\n"), "{text}");

    // A keeper starts the due run and earns the reward; a worker runs it; the result comes back.
    let started = sub::trigger(&*chain, "keeper", id).unwrap();
    let job_id = started.job_id.expect("a job started");
    assert_eq!(started.amount, REWARD);
    assert!(
        started.render().starts_with(&format!(
            "started job {job_id} for subscription {id}; keeper reward 0.01 USDC\n"
        )),
        "{}",
        started.render()
    );
    assert_eq!(usdc(&chain, "keeper"), REWARD);
    let running = Running::start(&chain, &["p1", "p2"], 20);
    let t = Instant::now();
    let view = loop {
        let v = sub::show(&*chain, id).unwrap();
        if v.subscription.in_flight.is_none() {
            break v;
        }
        assert!(
            t.elapsed() < Duration::from_secs(120),
            "the run never ended"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    running.stop();
    assert_eq!(view.runs.len(), 1);
    assert_eq!(view.runs[0].status, Some(JobStatus::Settled));
    assert_eq!(
        view.subscription.balance.u128(),
        100_000 - RUN_PRICE - REWARD
    );
    let text = view.render();
    assert!(
        text.contains(&format!("  run 1   job {job_id:<5} settled   0.01 USDC\n")),
        "{text}"
    );
    assert!(
        text.contains("  spent      0.01 USDC on jobs, 0.01 USDC to keepers\n"),
        "{text}"
    );
    let json = serde_json::to_value(&view).unwrap();
    assert_eq!(json["subscription"]["runs"], 1);
    assert_eq!(json["runs"][0]["job_id"], job_id);

    // Its callback arrived: nothing to sync.
    let err = sub::sync(&*chain, "keeper", id).unwrap_err().to_string();
    assert!(
        err.contains(&format!("sync: subscription {id} has no run in flight")),
        "{err}"
    );

    // Not due again before its interval.
    let err = sub::trigger(&*chain, "keeper", id).unwrap_err().to_string();
    assert!(
        err.starts_with(&format!("subscription {id} is due ")),
        "{err}"
    );
    assert!(err.contains(" UTC (in "), "{err}");

    let topped = sub::top_up(&*chain, "buyer", id, 50_000).unwrap();
    assert_eq!(
        topped.view.subscription.balance.u128(),
        150_000 - RUN_PRICE - REWARD
    );
    assert!(topped
        .render()
        .starts_with(&format!("added 0.05 USDC to subscription {id}\n")));

    // Only the owner cancels; the unspent balance comes back to the base unit.
    let err = sub::cancel(&*chain, "keeper", id).unwrap_err().to_string();
    assert!(
        err.starts_with(&format!("subscription {id} belongs to ")),
        "{err}"
    );
    let cancelled = sub::cancel(&*chain, "buyer", id).unwrap();
    assert_eq!(cancelled.amount, 150_000 - RUN_PRICE - REWARD);
    assert_eq!(
        cancelled.view.subscription.status,
        SubscriptionStatus::Cancelled
    );
    assert_eq!(
        usdc(&chain, "buyer"),
        BUYER_USDC - RUN_PRICE - REWARD,
        "only the run and its reward were spent"
    );
    assert!(cancelled.render().starts_with(&format!(
        "subscription {id} cancelled; 0.13 USDC refunded\n"
    )));
    let listed = sub::list(&*chain, &chain.address("buyer").unwrap()).unwrap();
    assert_eq!(listed.len(), 1);
}

#[test]
fn bad_subscriptions_are_refused_with_the_reason() {
    let chain = sub_chain();
    let (_dir, mut req) = request(&chain, 0);
    let err = sub::create(&*chain, "buyer", &req).unwrap_err();
    assert_eq!(
        err.to_string(),
        "--deposit: give an amount above 0, such as 1.5"
    );
    req.deposit = BUYER_USDC + 1;
    let err = sub::create(&*chain, "buyer", &req).unwrap_err();
    assert_eq!(
        err.to_string(),
        "buyer holds 100 USDC, less than the 100.000001 USDC to deposit"
    );
    // Below one run plus the reward: the contract's error, with the amounts.
    req.deposit = RUN_PRICE + REWARD - 1;
    let err = format!("{:#}", sub::create(&*chain, "buyer", &req).unwrap_err());
    assert!(
        err.contains("funds: 19999 attached, one run costs 20000 (the market's quote 10000 + the keeper reward 10000)"),
        "{err}"
    );
    req.deposit = RUN_PRICE + REWARD;
    req.every = 5;
    let err = format!("{:#}", sub::create(&*chain, "buyer", &req).unwrap_err());
    assert!(
        err.contains("settings.interval: 5 s outside 60..="),
        "{err}"
    );
    let err = sub::show(&*chain, 42).unwrap_err();
    assert_eq!(err.to_string(), "no subscription 42");
    assert_eq!(usdc(&chain, "buyer"), BUYER_USDC, "nothing moved");
}

/// Run `acn ARGS…`; (success, stdout, stderr).
fn acn(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_acn"))
        .args(args)
        .output()
        .expect("run acn");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn the_binary_refuses_bad_amounts_and_ids_before_connecting() {
    let (ok, _, err) = acn(&["sub", "topup", "1", "1.0000001", "--from", "buyer"]);
    assert!(!ok);
    assert!(err.contains("has 7 decimals"), "{err}");
    let (ok, _, err) = acn(&["sub", "cancel", "one", "--from", "buyer"]);
    assert!(!ok);
    assert!(
        err.contains("invalid value 'one' for '<ID>': invalid digit found in string"),
        "{err}"
    );
    let (ok, _, err) = acn(&[
        "sub",
        "create",
        "--model",
        MLP,
        "--input",
        "digit.csv",
        "--every",
        "60",
        "--deposit",
        "abc",
    ]);
    assert!(!ok);
    assert!(err.contains("\"abc\" is not an amount"), "{err}");
}

/// The developer's fee of the one-step digit reader.
const AGENT_FEE: u128 = 1_000;
/// The agent run's price bound per unit.
const AGENT_MAX_UNIT_PRICE: u128 = 2_000;
/// Its escrow: 5 units × 1 item × 2 slots × 2 000, plus the fee.
const AGENT_ESCROW: u128 = 5 * 2 * AGENT_MAX_UNIT_PRICE + AGENT_FEE;

#[test]
fn an_agent_subscription_is_run_by_a_keeper_and_workers_and_refunds_on_cancel() {
    let chain = sub_chain();
    let spec = AgentSpec {
        id: "digit-reader".into(),
        name: "Digit reader".into(),
        description: "reads a digit".into(),
        steps: vec![Step {
            model_id: MLP.into(),
            adapter: None,
        }],
        fee: Uint128::new(AGENT_FEE),
    };
    acn_cli::agent::publish(&*chain, "dev", spec).unwrap();
    let (_dir, mut req) = request(&chain, 100_000);
    req.subject = Subject::Agent {
        id: "digit-reader".into(),
        version: None,
    };
    req.max_unit_price = Some(AGENT_MAX_UNIT_PRICE);
    let created = sub::create(&*chain, "buyer", &req).unwrap();
    let id = created.view.subscription.id;
    let text = created.render();
    assert!(
        text.contains(
            "  runs       agent digit-reader v1 × 1 item(s), 2 slots, at most 0.002 USDC per unit, \
             steps of 60 min, every 60 min\n"
        ),
        "{text}"
    );

    // The keeper starts the run (the registry holds the escrow) and earns the reward.
    let started = keeper::trigger_due(&*chain, "keeper", 10).unwrap();
    assert_eq!(started.len(), 1);
    let run_id = started[0].agent_run_id.expect("an agent run started");
    assert_eq!(started[0].reward, REWARD);
    let registry = chain.deployment().agents.clone().unwrap();
    let run = |c: &SuiteChain| -> RunResponse {
        c.query(&registry, &agents::QueryMsg::RunInfo { id: run_id })
            .unwrap()
    };
    assert_eq!(run(&chain).escrow.u128(), AGENT_ESCROW);
    assert_eq!(
        run(&chain).buyer.as_str(),
        chain.deployment().subscriptions.clone().unwrap()
    );

    // Workers run the step; the keeper moves the run on once the step has its outcome; the
    // registry's result comes back to the subscription.
    let running = Running::start(&chain, &["p1", "p2"], 20);
    let t = Instant::now();
    let mut advanced = vec![];
    let view = loop {
        advanced.extend(keeper::advance_runs(&*chain, "keeper", 10).unwrap());
        let v = sub::show(&*chain, id).unwrap();
        if v.subscription.in_flight.is_none() {
            break v;
        }
        assert!(
            t.elapsed() < Duration::from_secs(120),
            "the run never ended"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    running.stop();
    assert_eq!(
        advanced
            .iter()
            .map(|a| (a.id, a.run_id, a.step, a.ended))
            .collect::<Vec<_>>(),
        vec![(id, run_id, 0, true)]
    );
    let r = run(&chain);
    assert_eq!(r.status, RunStatus::Completed);
    let price = r.steps[0].price.u128();
    assert_eq!(r.refunded.u128(), AGENT_ESCROW - price - AGENT_FEE);
    assert_eq!(usdc(&chain, "dev"), AGENT_FEE);
    let spent = AGENT_ESCROW - r.refunded.u128();
    assert_eq!(view.subscription.balance.u128(), 100_000 - spent - REWARD);
    assert_eq!(view.runs[0].run_status, Some(RunStatus::Completed));
    let text = view.render();
    assert!(
        text.contains(&format!(
            "  run 1   agent run {run_id:<5} completed 0.021 USDC, refunded {}\n",
            acn_client::amount::asset(r.refunded.u128(), Some(STABLE))
        )),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "  spent      {} on agent runs, 0.01 USDC to keepers\n",
            acn_client::amount::asset(spent, Some(STABLE))
        )),
        "{text}"
    );
    // Nothing left to advance.
    assert!(keeper::advance_runs(&*chain, "keeper", 10)
        .unwrap()
        .is_empty());

    // Cancel: the balance comes back to the base unit.
    let cancelled = sub::cancel(&*chain, "buyer", id).unwrap();
    assert_eq!(cancelled.amount, 100_000 - spent - REWARD);
    assert_eq!(usdc(&chain, "buyer"), BUYER_USDC - spent - REWARD);
}

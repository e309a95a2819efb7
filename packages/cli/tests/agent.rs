//! `acn agent` on the embedded chain (a stable-priced market with the agent registry, deployed
//! by the one routine, and providers running the real worker loop): an agent of two real models
//! — the digits MLP, its label turned into a sentence, the intent classifier on MiniLM — is
//! published from a JSON file, shown, listed, run for one escrow and followed to its end with the
//! exact money of every party; a three-step FAQ agent (MiniLM, the `faq-lookup-v1` tool step,
//! the intent classifier) answers a paraphrased question; bad input is refused with the reason
//! and moves nothing.

mod common;

use std::sync::Arc;
use std::time::Duration;

use cosmwasm_std::Uint128;

use acn_cli::agent::{self, RunRequest};
use acn_client::{Chain, ChainExt};
use acn_interface::agents::{Adapter, AgentSpec, RunStatus, Step, StepStatus};
use acn_interface::market::{encode_text_items, JobResponse, QueryMsg};
use acn_models::engine::outputs_agree;
use acn_models::intent::{INTENT_ID, INTENT_LABELS};
use acn_models::lookup::{faq_answers, faq_entries, LOOKUP_ID};
use acn_models::registry::MINILM_ID;
use acn_models::{Backend, Engine};
use acn_testing::{SuiteChain, STABLE, TOKEN};

use common::{digits_csv, file, stable_chain, Running, MLP};

const BUYER_USDC: u128 = 100 * TOKEN;
const FEE: u128 = 50_000;

fn agent_chain() -> Arc<SuiteChain> {
    // One uusdc per compute unit: a MiniLM text (344 003 units) costs 0.34 USDC.
    stable_chain(1, BUYER_USDC, |b| b.with_stable("poor", 1_000))
}

fn usdc(chain: &SuiteChain, account: &str) -> u128 {
    let a = chain.address(account).unwrap();
    chain.bank_balance(&a, STABLE).unwrap()
}

/// The digit router: digit → "the digit N" → an intent label.
fn spec_json(id: &str, second_model: &str) -> String {
    let texts: Vec<String> = (0..10)
        .map(|d| format!("\"please move {d} dollars to my savings account\""))
        .collect();
    format!(
        r#"{{"id":"{id}","name":"Digit intents","description":"reads a digit, asks the intent model about it",
"steps":[{{"model_id":"{MLP}","adapter":null}},{{"model_id":"{second_model}","adapter":{{"label_text":{{"texts":[{}]}}}}}}],
"fee":"{FEE}"}}"#,
        texts.join(",")
    )
}

fn run_request(chain: &SuiteChain, agent_id: &str) -> (tempfile::TempDir, RunRequest) {
    let spec = acn_cli::job::model(chain, MLP).unwrap().spec;
    let (csv, _) = digits_csv(1);
    let (dir, path) = file("digit.csv", &csv);
    let input = acn_cli::job::read_input(&spec, &path, None).unwrap();
    (
        dir,
        RunRequest {
            agent_id: agent_id.into(),
            version: None,
            input,
            redundancy: 2,
            max_unit_price: Some(2),
            step_lifetime: 3_600,
        },
    )
}

#[test]
fn publish_show_list_run_and_wait_move_the_exact_amounts() {
    let chain = agent_chain();
    let (_d, path) = file(
        "agent.json",
        &spec_json("digit-intents", "minilm-intent-v1"),
    );
    let published = agent::publish(&*chain, "dev", agent::read_spec(&path).unwrap()).unwrap();
    assert_eq!(
        (published.id.as_str(), published.version),
        ("digit-intents", 1)
    );
    let shown = agent::show(&*chain, "digit-intents", None).unwrap();
    assert_eq!(shown, published);
    assert_eq!(agent::list(&*chain, 10).unwrap(), vec![published.clone()]);

    // Escrow: 5 units (MLP) and 344 003 units (intent) per item, 1 item, 2 slots, ≤ 2 uusdc a
    // unit, plus the fee.
    let expected_escrow = (5 + 344_003) * 2 * 2 + FEE;
    assert_eq!(
        agent::escrow(&*chain, &published, 1, 2, 2).unwrap(),
        expected_escrow
    );
    let (_i, req) = run_request(&chain, "digit-intents");
    let started = agent::run(&*chain, "buyer", &req).unwrap();
    let id = started.run.id;
    assert_eq!(started.run.escrow.u128(), expected_escrow);
    assert_eq!(started.run.status, RunStatus::Running);
    assert_eq!(usdc(&chain, "buyer"), BUYER_USDC - expected_escrow);

    let running = Running::start(&chain, &["p1", "p2"], 20);
    let mut lines = vec![];
    let done = agent::wait(
        &*chain,
        Some("buyer"),
        id,
        Duration::from_millis(20),
        Some(Duration::from_secs(300)),
        |l| lines.push(l.to_string()),
    )
    .unwrap();
    running.stop();
    let run = &done.run;
    assert_eq!(run.status, RunStatus::Completed, "{lines:?}");
    assert!(run
        .steps
        .iter()
        .all(|s| s.status == StepStatus::Done && s.job_id.is_some()));
    // The developer got the fee; the buyer paid exactly the two jobs' prices and the fee.
    let spent: u128 = run.steps.iter().map(|s| s.price.u128()).sum();
    assert_eq!(usdc(&chain, "dev"), FEE);
    assert_eq!(run.developer_paid.u128(), FEE);
    assert_eq!(usdc(&chain, "buyer"), BUYER_USDC - spent - FEE);
    assert_eq!(run.refunded.u128(), expected_escrow - spent - FEE);
    let text = done.render();
    assert!(
        text.starts_with(&format!("run {id}  completed  agent digit-intents v1")),
        "{text}"
    );
    assert!(text.contains("result:\nitem 1: "), "{text}");
    assert!(
        lines
            .iter()
            .any(|l| l.contains("step 2/2 (minilm-intent-v1)")),
        "{lines:?}"
    );
    let json = serde_json::to_value(&done).unwrap();
    assert_eq!(json["run"]["status"], "completed");
}

/// The FAQ agent: a customer's question → its `minilm-l6-v2` embedding → (direct) the nearest
/// entry of the `faq-lookup-v1` index → (label_text) that entry's answer → the intent the
/// answer is routed to, by `minilm-intent-v1`.
fn faq_agent() -> AgentSpec {
    AgentSpec {
        id: "faq-router".into(),
        name: "FAQ answer and routing".into(),
        description: "finds the FAQ answer to a question and the desk it belongs to".into(),
        steps: vec![
            Step {
                model_id: MINILM_ID.into(),
                adapter: None,
            },
            Step {
                model_id: LOOKUP_ID.into(),
                adapter: Some(Adapter::Direct {}),
            },
            Step {
                model_id: INTENT_ID.into(),
                adapter: Some(Adapter::LabelText {
                    texts: faq_answers().unwrap(),
                }),
            },
        ],
        fee: Uint128::new(FEE),
    }
}

fn labels(bytes: &[u8]) -> Vec<u32> {
    bytes
        .chunks_exact(4)
        .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect()
}

#[test]
fn a_three_step_faq_agent_finds_the_answer_to_a_paraphrased_question_and_routes_it() {
    let chain = agent_chain();
    let published = agent::publish(&*chain, "dev", faq_agent()).unwrap();
    assert_eq!(published.spec.steps.len(), 3);
    // 344 000 (MiniLM) + 10 (lookup: 384 × 24 MACs) + 344 003 (intent) units, 2 slots, ≤ 2
    // uusdc a unit, plus the fee.
    let expected_escrow = (344_000 + 10 + 344_003) * 2 * 2 + FEE;
    assert_eq!(
        agent::escrow(&*chain, &published, 1, 2, 2).unwrap(),
        expected_escrow
    );
    // Not a question of the FAQ: its entry `card-lost` asks "I lost my bank card, what
    // should I do?".
    let question = "My debit card is missing, I think someone stole it".to_string();
    let minilm = acn_cli::job::model(&*chain, MINILM_ID).unwrap().spec;
    let req = RunRequest {
        agent_id: "faq-router".into(),
        version: None,
        input: acn_cli::job::text_input(&minilm, &[question]).unwrap(),
        redundancy: 2,
        max_unit_price: Some(2),
        step_lifetime: 3_600,
    };
    let started = agent::run(&*chain, "buyer", &req).unwrap();
    let id = started.run.id;
    assert_eq!(started.run.escrow.u128(), expected_escrow);

    let running = Running::start(&chain, &["p1", "p2"], 20);
    let mut lines = vec![];
    let done = agent::wait(
        &*chain,
        Some("buyer"),
        id,
        Duration::from_millis(20),
        Some(Duration::from_secs(300)),
        |l| lines.push(l.to_string()),
    )
    .unwrap();
    running.stop();
    let run = &done.run;
    assert_eq!(run.status, RunStatus::Completed, "{lines:?}");
    let jobs: Vec<JobResponse> = run
        .steps
        .iter()
        .map(|s| {
            assert_eq!(s.status, StepStatus::Done, "{s:?}");
            chain
                .market(&QueryMsg::Job {
                    id: s.job_id.unwrap(),
                })
                .unwrap()
        })
        .collect();
    let outputs: Vec<&[u8]> = run
        .steps
        .iter()
        .map(|s| s.output.as_ref().unwrap().as_slice())
        .collect();
    // Step 1: the question's embedding, as one engine computes it (within MiniLM's tolerance).
    let mut engine = Engine::new(Backend::Ndarray).unwrap();
    for entry in common::registry() {
        engine
            .load(&entry, &acn_models::registry::default_weights_dir())
            .unwrap();
    }
    let alone = engine.run(MINILM_ID, jobs[0].input.as_slice(), 1).unwrap();
    assert_eq!(jobs[0].input.as_slice(), req.input.bytes.as_slice());
    assert!(outputs_agree(&minilm, outputs[0], &alone));
    // Step 2: the embedding itself is the lookup's input; it finds `card-lost`.
    let faq = faq_entries().unwrap();
    assert_eq!(jobs[1].input.as_slice(), outputs[0]);
    let found = labels(outputs[1]);
    assert_eq!(faq[found[0] as usize].name, "card-lost", "{found:?}");
    assert_eq!(engine.run(LOOKUP_ID, outputs[0], 1).unwrap(), outputs[1]);
    // Step 3: the entry's answer, routed to the banking desk.
    assert_eq!(
        jobs[2].input.as_slice(),
        encode_text_items(&[&faq[found[0] as usize].answer]).as_slice()
    );
    let intent = labels(outputs[2]);
    assert_eq!(INTENT_LABELS[intent[0] as usize], "banking");
    // Paid: the three jobs' prices and the fee; the rest came back.
    let spent: u128 = run.steps.iter().map(|s| s.price.u128()).sum();
    assert_eq!(usdc(&chain, "dev"), FEE);
    assert_eq!(usdc(&chain, "buyer"), BUYER_USDC - spent - FEE);
    assert_eq!(run.refunded.u128(), expected_escrow - spent - FEE);
    let text = done.render();
    assert!(text.contains("result:\nitem 1: 5 (banking)"), "{text}");
    println!("{text}");
}

#[test]
fn bad_input_is_refused_with_the_reason_and_moves_nothing() {
    let chain = agent_chain();
    // A step the next model cannot read: the MLP's label into the digits MLP (u8 pixels).
    let (_d, path) = file("bad.json", &spec_json("bad", MLP));
    let e = agent::publish(&*chain, "dev", agent::read_spec(&path).unwrap()).unwrap_err();
    assert!(format!("{e:#}").contains("step"), "{e:#}");
    assert!(agent::list(&*chain, 10).unwrap().is_empty());
    // Not JSON.
    let (_n, nonsense) = file("x.json", "{\"id\": 3}");
    let e = agent::read_spec(&nonsense).unwrap_err();
    assert!(format!("{e:#}").contains("is not an agent spec"), "{e:#}");
    // An unknown agent, and a buyer without the escrow: refused before anything is sent.
    let (_p, path) = file(
        "agent.json",
        &spec_json("digit-intents", "minilm-intent-v1"),
    );
    agent::publish(&*chain, "dev", agent::read_spec(&path).unwrap()).unwrap();
    let (_i, mut req) = run_request(&chain, "nobody");
    let e = agent::run(&*chain, "buyer", &req).unwrap_err();
    assert!(format!("{e:#}").contains("no agent \"nobody\""), "{e:#}");
    req.agent_id = "digit-intents".into();
    let e = agent::run(&*chain, "poor", &req).unwrap_err();
    assert!(
        format!("{e:#}").contains("poor holds 0.001 USDC, less than the run's escrow of"),
        "{e:#}"
    );
    assert_eq!(usdc(&chain, "poor"), 1_000);
    assert_eq!(usdc(&chain, "buyer"), BUYER_USDC);
    let e = agent::run_view(&*chain, 99).unwrap_err();
    assert!(format!("{e:#}").contains("no run 99"), "{e:#}");
}

//! Training jobs in the market: a trainer model's job input is a training request, priced by
//! its work (steps × batch size + held-out items) and settled on identical trained outputs; a
//! malformed request, an overflowing price or a trainer spec that could be compared loosely is
//! refused with its exact error and nothing moved.

use acn_interface::market::{
    self, DType, ExecuteMsg, InputSpec, ModelSpec, OutputSpec, ReceiveMsg, SlotOutcome,
};
use acn_interface::training::{sha256, Dataset, TrainedOutput, TrainingRequest, TrainingStatus};
use acn_market::ContractError;
use acn_testing::*;
use cosmwasm_std::{Binary, Uint128};

const TRAINER: &str = "train-digits-mlp-v1";
/// Price units per item per training step (3 × the MLP's 5).
const COST: u64 = 15;
const BUYER_FUNDS: u128 = 1_000 * TOKEN;
const ACTORS: &[&str] = &["buyer", "p1", "p2", "p3"];

/// The digits MLP's trainer, as `acn-models` registers it (items of 64 pixels and a label).
fn trainer() -> ModelSpec {
    ModelSpec {
        id: TRAINER.into(),
        name: "Train digits-mlp-v1 (Adam, CPU)".into(),
        architecture: "train:mlp-64-64-10".into(),
        weights_sha256: "35".repeat(32),
        weights_uri: "acn://weights/train-zoo-v1.json".into(),
        input: InputSpec {
            shape: vec![65],
            dtype: DType::Training,
            max_batch: 1,
        },
        output: OutputSpec::Trained {
            metrics: vec!["held_out_accuracy".into(), "held_out_loss".into()],
            scale: 1_000_000,
        },
        tolerance: 0,
        cost_units_per_item: COST,
        min_redundancy: 2,
    }
}

fn suite() -> Suite {
    let mut s = SuiteBuilder::new()
        .with_market_params(|m| m.models = vec![digits_model(), trainer()])
        .with_funds("buyer", BUYER_FUNDS)
        .build();
    for p in ["p1", "p2", "p3"] {
        s.make_provider(p, PROVIDER_STAKE, &[TRAINER]).unwrap();
    }
    s
}

/// 2 epochs of 10 items in batches of 4 (3 steps each, the last one short), 2 held out.
fn request() -> TrainingRequest {
    TrainingRequest {
        epochs: 2,
        batch_size: 4,
        learning_rate_ppm: 2_000,
        seed: 42,
        train_items: 10,
        held_out_items: 2,
        dataset: Dataset::Inline(vec![3; 12 * 65]),
    }
}

fn hook(s: &Suite, input: Vec<u8>, redundancy: u8) -> ReceiveMsg {
    ReceiveMsg::SubmitJob {
        model_id: TRAINER.into(),
        input: Binary::from(input),
        batch: 1,
        redundancy,
        max_unit_price: Uint128::MAX,
        deadline: s.default_deadline(),
        audit_commitment: audit_commitment_for(&s.addr("buyer"), redundancy),
        callback: None,
    }
}

fn send(s: &mut Suite, pay: u128, msg: &ReceiveMsg) -> anyhow::Result<u64> {
    let (buyer, market) = (s.addr("buyer"), s.market());
    let res = s.send_tokens(&buyer, &market, pay, msg)?;
    job_id_from(&res)
}

fn quote(
    s: &Suite,
    input: Option<Vec<u8>>,
    redundancy: u8,
) -> anyhow::Result<market::QuoteResponse> {
    s.app
        .wrap()
        .query_wasm_smart(
            s.market(),
            &market::QueryMsg::Quote {
                model_id: TRAINER.into(),
                batch: 1,
                redundancy,
                buyer: None,
                input: input.map(Binary::from),
            },
        )
        .map_err(Into::into)
}

fn trained(hash_of: &[u8]) -> Binary {
    Binary::from(
        TrainedOutput {
            status: TrainingStatus::Trained,
            weights_sha256: sha256(hash_of),
            metrics: vec![925_000, 367_000],
        }
        .encode(),
    )
}

#[test]
fn a_training_job_is_priced_by_its_work_and_settles_on_identical_weights() {
    let mut s = suite();
    let input = request().encode();
    // 2 epochs × 3 steps × 4 items + 2 held out = 26 items of work, 15 units each.
    assert_eq!(request().work_items(), 26);
    let q = quote(&s, Some(input.clone()), 3).unwrap();
    assert_eq!(q.units, 26 * COST);
    let unit_price = s.unit_price();
    assert_eq!(q.price.u128(), unit_price * 26 * COST as u128 * 3);
    // The same quote without the request cannot be given: its price depends on it.
    let e = quote(&s, None, 3).unwrap_err().to_string();
    assert!(e.contains("input: train-digits-mlp-v1 trains, its price depends on the request: pass the job's input"), "{e}");

    let msg = hook(&s, input, 3);
    // One base unit short: refused, nothing moved.
    assert_market_refused(
        &mut s,
        ACTORS,
        ContractError::InsufficientPayment {
            required: q.price,
            paid: q.price - Uint128::one(),
        },
        |s| send(s, q.price.u128() - 1, &msg),
    );
    let id = send(&mut s, q.price.u128(), &msg).unwrap();
    let names = s.assigned_names(id, &["p1", "p2", "p3"]);
    // Two providers trained the same weights; the third reports others: outvoted.
    let work = [
        (names[0], trained(b"weights")),
        (names[1], trained(b"weights")),
        (names[2], trained(b"not trained")),
    ];
    s.run_job(id, &work).unwrap();
    let job = s.job(id);
    assert_eq!(job.status, market::JobStatus::Settled);
    assert_eq!(job.result, Some(trained(b"weights")));
    let outcome = |n: &str| s.slot_of(id, n).outcome;
    assert_eq!(outcome(names[0]), Some(SlotOutcome::Agreed));
    assert_eq!(outcome(names[1]), Some(SlotOutcome::Agreed));
    assert_eq!(outcome(names[2]), Some(SlotOutcome::Outvoted));
}

#[test]
fn a_dataset_the_buyer_does_not_serve_is_reported_and_paid_not_slashed() {
    let mut s = suite();
    let served = TrainingRequest {
        dataset: Dataset::Served {
            sha256: sha256(b"a file nobody serves"),
            uri: "http://127.0.0.1:9/missing.bin".into(),
        },
        ..request()
    };
    let input = served.encode();
    let q = quote(&s, Some(input.clone()), 2).unwrap();
    let msg = hook(&s, input, 2);
    let id = send(&mut s, q.price.u128(), &msg).unwrap();
    let names = s.assigned_names(id, &["p1", "p2", "p3"]);
    let unavailable =
        Binary::from(TrainedOutput::failed(TrainingStatus::DatasetUnavailable, 2).encode());
    s.run_job(
        id,
        &[
            (names[0], unavailable.clone()),
            (names[1], unavailable.clone()),
        ],
    )
    .unwrap();
    let job = s.job(id);
    assert_eq!(job.status, market::JobStatus::Settled);
    assert_eq!(job.result, Some(unavailable));
    for n in &names {
        assert_eq!(s.slot_of(id, n).outcome, Some(SlotOutcome::Agreed));
    }
}

#[test]
fn malformed_training_requests_are_refused_naming_the_field_and_nothing_moves() {
    let mut s = suite();
    let with = |f: &dyn Fn(&mut TrainingRequest)| {
        let mut r = request();
        f(&mut r);
        r.encode()
    };
    let mut bad_magic = request().encode();
    bad_magic[0] = b'X';
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (vec![1, 2, 3], "training request: header: 3 bytes, a request starts with 34"),
        (bad_magic, "training request: magic: the request does not start with \"ACNT\""),
        (with(&|r| r.epochs = 0), "training request: epochs: 0, not within 1..=1000"),
        (with(&|r| r.epochs = 1_001), "training request: epochs: 1001, not within 1..=1000"),
        (with(&|r| r.batch_size = 11), "training request: batch_size: 11, not within 1..=10"),
        (
            with(&|r| r.learning_rate_ppm = 0),
            "training request: learning_rate_ppm: 0, not within 1..=1000000",
        ),
        (
            with(&|r| r.dataset = Dataset::Inline(vec![0; 12 * 65 - 1])),
            "training request: dataset: 779 bytes inline, 12 items of 65 bytes are 780",
        ),
        (
            with(&|r| {
                r.dataset = Dataset::Served {
                    sha256: [0; 32],
                    uri: "file:///etc/passwd".into(),
                }
            }),
            "training request: dataset_uri: must be an http:// or https:// URI of at most 256 bytes without spaces",
        ),
    ];
    for (input, reason) in cases {
        let msg = hook(&s, input, 2);
        assert_market_refused(
            &mut s,
            ACTORS,
            ContractError::InvalidInput {
                reason: reason.into(),
            },
            |s| send(s, 100 * TOKEN, &msg),
        );
    }
    // A digits model's input is not a training request, nor the other way round.
    let (buyer, market) = (s.addr("buyer"), s.market());
    let msg = ReceiveMsg::SubmitJob {
        model_id: TRAINER.into(),
        input: digits_input(1),
        batch: 2,
        redundancy: 2,
        max_unit_price: Uint128::MAX,
        deadline: s.default_deadline(),
        audit_commitment: None,
        callback: None,
    };
    assert_market_refused(
        &mut s,
        ACTORS,
        ContractError::InvalidBatch { batch: 2, max: 1 },
        |s| s.send_tokens(&buyer, &market, 100 * TOKEN, &msg),
    );
    s.assert_balance(s.addr("buyer"), BUYER_FUNDS);
}

#[test]
fn a_price_whose_units_overflow_is_refused() {
    // The largest request (1 000 epochs of a million one-item steps) on a trainer that charges
    // 10¹² units per item: 10²¹ units do not fit in 64 bits.
    let mut spec = trainer();
    spec.id = "train-expensive".into();
    spec.cost_units_per_item = 1_000_000_000_000;
    let mut s = SuiteBuilder::new()
        .with_market_params(|m| m.models = vec![spec])
        .with_funds("buyer", BUYER_FUNDS)
        .build();
    let huge = TrainingRequest {
        epochs: 1_000,
        batch_size: 1,
        train_items: 999_999,
        held_out_items: 1,
        dataset: Dataset::Served {
            sha256: [0; 32],
            uri: "http://x".into(),
        },
        ..request()
    };
    let msg = ReceiveMsg::SubmitJob {
        model_id: "train-expensive".into(),
        input: Binary::from(huge.encode()),
        batch: 1,
        redundancy: 2,
        max_unit_price: Uint128::MAX,
        deadline: s.default_deadline(),
        audit_commitment: None,
        callback: None,
    };
    let (buyer, market) = (s.addr("buyer"), s.market());
    assert_market_refused(
        &mut s,
        &["buyer"],
        ContractError::InvalidInput {
            reason: "the job's price units overflow".into(),
        },
        |s| s.send_tokens(&buyer, &market, BUYER_FUNDS, &msg),
    );
}

#[test]
fn trainer_specs_that_could_be_compared_loosely_or_batched_are_refused() {
    let mut s = suite();
    let owner = s.owner.clone();
    let market = s.market();
    let cases: Vec<(ModelSpec, &str)> = vec![
        (
            ModelSpec {
                tolerance: 1,
                ..trainer()
            },
            "trained weights must agree exactly: tolerance must be 0",
        ),
        (
            ModelSpec {
                input: InputSpec {
                    max_batch: 2,
                    ..trainer().input
                },
                ..trainer()
            },
            "a training model's input shape must be [item_bytes] and its max_batch 1",
        ),
        (
            ModelSpec {
                output: OutputSpec::FixedPoint {
                    shape: vec![10],
                    scale: 1,
                },
                ..trainer()
            },
            "a training input and a trained output go together (input dtype training, output trained)",
        ),
        (
            ModelSpec {
                output: OutputSpec::Trained {
                    metrics: vec![],
                    scale: 1,
                },
                ..trainer()
            },
            "a trained output needs 1..=8 metrics",
        ),
    ];
    for (mut model, reason) in cases {
        model.id = "train-other".into();
        assert_market_refused(
            &mut s,
            ACTORS,
            ContractError::InvalidModel {
                reason: reason.into(),
            },
            |s| s.execute(&owner, &market, &ExecuteMsg::RegisterModel { model }),
        );
    }
    // A provider's endpoint (where buyers fetch trained weights) must be an http(s) URL.
    let p1 = s.addr("p1");
    let mut hardware = hardware();
    hardware.endpoint = Some("ftp://p1.example".into());
    assert_market_refused(
        &mut s,
        ACTORS,
        ContractError::InvalidHardware {
            reason:
                "endpoint must be an http:// or https:// URL of at most 256 bytes without spaces"
                    .into(),
        },
        |s| {
            s.execute(
                &p1,
                &market,
                &ExecuteMsg::UpdateProvider {
                    hardware: Some(hardware),
                    models: None,
                    min_unit_price: None,
                },
            )
        },
    );
}

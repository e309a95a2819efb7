//! `acn job train` / `acn job weights` on the embedded chain with real workers: a digits MLP
//! trained by two providers on different inference backends (ndarray, flex), who agree on the
//! weights bit for bit; the job priced by its work; the buyer fetching the weights from a
//! provider's endpoint, checked against the settled sha256, and using them; a dataset served by
//! the buyer over HTTP; and weights that do not match refused.

mod common;

use std::time::Duration;

use acn_cli::job::{self, SecretStore, SubmitRequest, TrainSpec};
use acn_client::codec::EncodedInput;
use acn_interface::market::{self, JobStatus, SlotOutcome};
use acn_interface::training::{sha256, Dataset, TrainedOutput, TrainingStatus};
use acn_models::data::digits_split;
use acn_models::registry::spec_for;
use acn_models::{Backend, Engine, ModelKind};

use common::{chain_priced, file, Running};

const TRAINER: &str = "train-digits-mlp-v1";

/// 300 training digits then 100 held out, as CSV rows of 64 pixels and the label.
fn digits_dataset_csv() -> String {
    let split = digits_split().unwrap();
    let rows = |set: &acn_models::data::Digits, n: usize| -> Vec<String> {
        (0..n)
            .map(|i| {
                let mut v: Vec<String> = set.images[i].iter().map(|p| p.to_string()).collect();
                v.push(set.labels[i].to_string());
                v.join(",")
            })
            .collect()
    };
    let mut lines = rows(&split.train, 300);
    lines.extend(rows(&split.held_out, 100));
    lines.join("\n")
}

fn train_spec(dataset_url: Option<String>) -> TrainSpec {
    TrainSpec {
        epochs: 20,
        batch_size: 25,
        learning_rate: 0.003,
        seed: 42,
        held_out: 100,
        dataset_url,
    }
}

fn submit_and_wait(
    chain: &std::sync::Arc<acn_testing::SuiteChain>,
    secrets: &SecretStore,
    request: &acn_interface::training::TrainingRequest,
) -> (job::Submitted, market::JobResponse) {
    let s = job::submit(
        &**chain,
        "buyer",
        &SubmitRequest {
            model_id: TRAINER.into(),
            input: EncodedInput {
                bytes: request.encode(),
                batch: 1,
            },
            redundancy: Some(2),
            max_unit_price: None,
            max_price: None,
            pay_acn: false,
            deadline_secs: None,
        },
        secrets,
    )
    .unwrap();
    let done = job::wait(
        &**chain,
        Some("buyer"),
        s.job_id,
        secrets,
        Duration::from_millis(10),
        Some(Duration::from_secs(300)),
        |_, _| {},
    )
    .unwrap();
    (s, done)
}

#[test]
fn two_providers_on_different_backends_train_the_same_weights_and_the_buyer_fetches_them() {
    // 100 base units per price unit: a job of 91 500 units × 2 slots costs 18.3 ACN, within what
    // a 2 000 ACN bond may put at risk.
    let chain = chain_priced(&["p1", "p2"], 100);
    let secrets = SecretStore::new(tempfile::tempdir().unwrap().keep());
    let spec = job::model(&*chain, TRAINER).unwrap().spec;
    let (_d, path) = file("digits.csv", &digits_dataset_csv());
    let items = job::dataset_items(&spec, &path).unwrap();
    assert_eq!(items.len(), 400 * 65);
    let request = job::training_request(&spec, items.clone(), &train_spec(None)).unwrap();
    assert_eq!((request.train_items, request.held_out_items), (300, 100));

    let running = Running::start_on(
        &chain,
        &[("p1", Backend::Ndarray), ("p2", Backend::Flex)],
        20,
    );
    let (s, done) = submit_and_wait(&chain, &secrets, &request);
    // Priced by the work: 20 epochs × 12 steps × 25 items + 100 held out = 6 100 items × 15 units.
    assert_eq!(request.work_items(), 6_100);
    assert_eq!(s.quote.units, 6_100 * 15);
    assert_eq!(s.charged, s.quote.price);
    assert_eq!(done.status, JobStatus::Settled, "{done:?}");
    // Both providers revealed the very same bytes (ndarray and flex workers both train on the CPU).
    let outputs: Vec<_> = done
        .slots
        .iter()
        .map(|s| s.output.clone().unwrap())
        .collect();
    assert_eq!(outputs[0], outputs[1]);
    assert!(done
        .slots
        .iter()
        .all(|s| s.outcome == Some(SlotOutcome::Agreed)));
    let trained = TrainedOutput::decode(done.result.as_ref().unwrap(), 2).unwrap();
    assert_eq!(trained.status, TrainingStatus::Trained);

    // The buyer fetches the weights from a provider's endpoint: they hash to the settled result.
    let out = tempfile::tempdir().unwrap();
    let weights_path = out.path().join("mlp.bpk");
    let fetched = job::fetch_weights(&*chain, s.job_id, &weights_path).unwrap();
    let weights = std::fs::read(&weights_path).unwrap();
    assert_eq!(sha256(&weights), trained.weights_sha256);
    assert_eq!(fetched.sha256, trained.weights_sha256_hex());
    assert_eq!(fetched.metrics[0].0, "held_out_accuracy");
    let accuracy = fetched.metrics[0].1;
    println!("{}", fetched.render());
    assert!(accuracy >= 0.85, "held-out accuracy {accuracy}");

    // And the weights are a digits-mlp-v1 model that labels the held-out digits as measured.
    let mut engine = Engine::new(Backend::Ndarray).unwrap();
    let mut mlp = spec_for(ModelKind::DigitsMlp, &fetched.sha256);
    mlp.input.max_batch = 100;
    engine.load_bytes(&mlp, weights).unwrap();
    let held_out = &items[300 * 65..];
    let pixels: Vec<u8> = held_out.chunks(65).flat_map(|c| c[..64].to_vec()).collect();
    let labels = engine.run(&mlp.id, &pixels, 100).unwrap();
    let correct = labels
        .chunks(4)
        .zip(held_out.chunks(65))
        .filter(|(w, item)| w[0] == item[64])
        .count();
    assert_eq!(correct as f64 / 100.0, accuracy);

    // The same request with the dataset served by the buyer over HTTP: the same weights.
    let server = tiny_http::Server::http("127.0.0.1:0").unwrap();
    let url = format!(
        "http://{}/digits.bin",
        server.server_addr().to_ip().unwrap()
    );
    let served_items = items.clone();
    let serving = std::thread::spawn(move || {
        // One download per provider.
        for _ in 0..2 {
            let r = server.recv().unwrap();
            r.respond(tiny_http::Response::from_data(served_items.clone()))
                .unwrap();
        }
    });
    let served = job::training_request(&spec, items, &train_spec(Some(url))).unwrap();
    assert!(matches!(served.dataset, Dataset::Served { .. }));
    let (_, done) = submit_and_wait(&chain, &secrets, &served);
    serving.join().unwrap();
    assert_eq!(done.status, JobStatus::Settled);
    assert_eq!(
        TrainedOutput::decode(done.result.as_ref().unwrap(), 2).unwrap(),
        trained
    );
    running.stop();

    // A provider endpoint that hands out other bytes is refused: nothing is written.
    let junk = tiny_http::Server::http("127.0.0.1:0").unwrap();
    let junk_url = format!("http://{}", junk.server_addr().to_ip().unwrap());
    let junk_thread = std::thread::spawn(move || {
        for _ in 0..2 {
            let r = junk.recv().unwrap();
            r.respond(tiny_http::Response::from_data(b"not the weights".to_vec()))
                .unwrap();
        }
    });
    for p in ["p1", "p2"] {
        common::set_endpoint(&*chain, p, Backend::Ndarray, &junk_url);
    }
    let again = out.path().join("again.bpk");
    let err = job::fetch_weights(&*chain, s.job_id, &again)
        .unwrap_err()
        .to_string();
    junk_thread.join().unwrap();
    assert!(
        err.starts_with(&format!(
            "no provider of job {} served weights with sha256 {}: {junk_url}/weights/",
            s.job_id, fetched.sha256
        )) && err.contains("the file's sha256 is not the job's"),
        "{err}"
    );
    assert!(!again.exists());
}

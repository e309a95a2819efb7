//! Training jobs (`packages/models/src/training_job.rs`): a request trains the same weights,
//! byte for byte, on every run and whatever backend the provider serves inference on; the
//! weights are a usable model of the zoo; a served dataset is checked against its sha256; a
//! dataset that does not fit is reported, not trained.

use acn_interface::training::{sha256, Dataset, TrainedOutput, TrainingRequest, TrainingStatus};
use acn_models::data::{digits_split, regression_split, Digits};
use acn_models::engine::sha256_hex;
use acn_models::registry::{default_registry_path, default_weights_dir, spec_for};
use acn_models::training_job::{
    reference_digits_request, regression_items, trainer_entries, trainer_id, TrainedJob, RECIPE,
    RECIPE_FILE,
};
use acn_models::{load_registry, Backend, Engine, EngineError, ModelKind};

/// The recorded request (65 034 bytes inline: under the market's 64 KiB).
fn digits_request(seed: u64) -> TrainingRequest {
    reference_digits_request(seed).unwrap()
}

fn engine(backend: Backend) -> Engine {
    let mut engine = Engine::new(backend).unwrap();
    for entry in trainer_entries() {
        engine.load(&entry, &default_weights_dir()).unwrap();
    }
    engine
}

fn no_fetch(_: &str, _: &[u8; 32]) -> Result<Vec<u8>, TrainingStatus> {
    panic!("an inline dataset is not fetched")
}

fn train(engine: &Engine, kind: ModelKind, request: &TrainingRequest) -> TrainedJob {
    engine
        .train(&trainer_id(kind), &request.encode(), &mut no_fetch)
        .unwrap()
}

/// The sha256 of the weights [`digits_request`]`(42)` trains, on this machine's CPU (printed by
/// the test below) — recorded to show that another machine of this kind trains the same bytes.
const DIGITS_REQUEST_SHA256: &str =
    "416879fb68c6517bb5ade0377ef2a567b27b101d6766556c19184c222c7efd11";
/// The CPU the recorded hash was trained on (`model name` in /proc/cpuinfo).
const RECORDED_CPU: &str = "Intel(R) Xeon(R) Processor";

fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .unwrap_or_default()
        .lines()
        .find_map(|l| {
            l.strip_prefix("model name")
                .map(|v| v.trim_start_matches([' ', '\t', ':']).to_string())
        })
        .unwrap_or_default()
}

#[test]
fn a_digits_training_job_is_reproducible_across_runs_and_backends_and_its_weights_work() {
    let request = digits_request(42);
    let ndarray = engine(Backend::Ndarray);
    let flex = engine(Backend::Flex);
    let first = train(&ndarray, ModelKind::DigitsMlp, &request);
    let again = train(&ndarray, ModelKind::DigitsMlp, &request);
    let on_flex = train(&flex, ModelKind::DigitsMlp, &request);
    // Bit-identical: output (status, weights hash, metrics) and the weights file.
    assert_eq!(first, again);
    assert_eq!(first, on_flex);
    let out = &first.result;
    assert_eq!(out.status, TrainingStatus::Trained);
    let weights = first.weights.clone().unwrap();
    assert_eq!(out.weights_sha256, sha256(&weights));
    assert_eq!(
        TrainedOutput::decode(&first.output(), 2).as_ref(),
        Some(out)
    );
    let (accuracy, loss) = (out.metrics[0], out.metrics[1]);
    println!(
        "digits-mlp, 800 items × 10 epochs, seed 42: weights sha256 {}, held-out accuracy {:.4}, \
         loss {:.4} ({} bytes of weights; cpu {:?})",
        out.weights_sha256_hex(),
        accuracy as f64 / 1e6,
        loss as f64 / 1e6,
        weights.len(),
        cpu_model()
    );
    assert!(accuracy >= 900_000, "held-out accuracy {accuracy} ppm");
    assert!(loss > 0 && loss < 500_000, "held-out loss {loss} ppm");

    // Another machine of this kind trains the very same bytes.
    if cpu_model() == RECORDED_CPU {
        assert_eq!(out.weights_sha256_hex(), DIGITS_REQUEST_SHA256);
    } else {
        println!(
            "note: another CPU ({:?}): the recorded hash is not compared",
            cpu_model()
        );
    }

    // The weights are a digits-mlp-v1 model: it loads (hash pinned) and labels the held-out
    // digits as the job's metric says.
    let mut inference = Engine::new(Backend::Ndarray).unwrap();
    let mut spec = spec_for(ModelKind::DigitsMlp, &out.weights_sha256_hex());
    spec.id = "trained-by-a-job".to_string();
    spec.input.max_batch = 200;
    inference.load_bytes(&spec, weights).unwrap();
    let held_out = first_held_out(200);
    let labels = inference
        .run(&spec.id, &held_out.images.concat(), 200)
        .unwrap();
    let correct = labels
        .chunks_exact(4)
        .zip(&held_out.labels)
        .filter(|(w, l)| u32::from_le_bytes([w[0], w[1], w[2], w[3]]) == u32::from(**l))
        .count();
    assert_eq!(correct as i32 * 5_000, accuracy, "{correct} of 200");

    // Another seed trains other weights.
    let other = train(&ndarray, ModelKind::DigitsMlp, &digits_request(43));
    assert_ne!(other.result.weights_sha256, out.weights_sha256);
}

fn first_held_out(n: usize) -> Digits {
    digits_split().unwrap().held_out.first(n)
}

#[test]
fn a_served_dataset_is_trained_only_when_its_bytes_hash_to_the_request() {
    let inline = digits_request(7);
    let Dataset::Inline(items) = inline.dataset.clone() else {
        unreachable!()
    };
    let engine = engine(Backend::Ndarray);
    let served = TrainingRequest {
        dataset: Dataset::Served {
            sha256: sha256(&items),
            uri: "http://buyer.example/digits.bin".to_string(),
        },
        ..inline.clone()
    };
    let id = trainer_id(ModelKind::DigitsMlp);
    let mut asked = vec![];
    let from_file = engine
        .train(&id, &served.encode(), &mut |uri: &str, hash: &[u8; 32]| {
            asked.push((uri.to_string(), *hash));
            Ok(items.clone())
        })
        .unwrap();
    assert_eq!(from_file, train(&engine, ModelKind::DigitsMlp, &inline));
    assert_eq!(
        asked,
        [(
            "http://buyer.example/digits.bin".to_string(),
            sha256(&items)
        )]
    );

    // Other bytes (one label changed): the hash differs, nothing is trained.
    let mut tampered = items.clone();
    tampered[64] = (tampered[64] + 1) % 10;
    let out = engine
        .train(&id, &served.encode(), &mut |_: &str, _: &[u8; 32]| {
            Ok(tampered.clone())
        })
        .unwrap();
    assert_eq!(
        out.result,
        TrainedOutput::failed(TrainingStatus::DatasetMismatch, 2)
    );
    assert_eq!(out.weights, None);

    // The buyer's server does not answer.
    let out = engine
        .train(&id, &served.encode(), &mut |_: &str, _: &[u8; 32]| {
            Err(TrainingStatus::DatasetUnavailable)
        })
        .unwrap();
    assert_eq!(
        out.result,
        TrainedOutput::failed(TrainingStatus::DatasetUnavailable, 2)
    );

    // An inline label out of range: reported, not trained.
    let mut bad = items;
    bad[64] = 10;
    let out = train(
        &engine,
        ModelKind::DigitsMlp,
        &TrainingRequest {
            dataset: Dataset::Inline(bad),
            ..inline
        },
    );
    assert_eq!(
        out.result,
        TrainedOutput::failed(TrainingStatus::DatasetMismatch, 2)
    );
}

#[test]
fn the_regressor_and_the_cnn_train_from_requests() {
    let split = regression_split();
    let train_set = acn_models::data::Regression {
        features: split.train.features[..1024].to_vec(),
        targets: split.train.targets[..1024].to_vec(),
    };
    let mut items = regression_items(&train_set);
    items.extend(regression_items(&split.held_out));
    let request = TrainingRequest {
        epochs: 30,
        batch_size: 64,
        learning_rate_ppm: 3_000,
        seed: 1,
        train_items: 1024,
        held_out_items: split.held_out.len() as u32,
        dataset: Dataset::Inline(items),
    };
    let engine = engine(Backend::Ndarray);
    let out = train(&engine, ModelKind::Regressor, &request).result;
    let (r2, mse) = (out.metrics[0], out.metrics[1]);
    println!("regressor, 1 024 items × 30 epochs: held-out R² {r2} ppm, MSE {mse} ppm");
    assert_eq!(out.status, TrainingStatus::Trained);
    assert!(r2 > 500_000 && r2 <= 1_000_000, "R² {r2} ppm");
    assert!(mse > 0, "MSE {mse} ppm");

    let cnn = TrainingRequest {
        epochs: 8,
        ..digits_request(3)
    };
    let out = train(&engine, ModelKind::DigitsCnn, &cnn).result;
    assert_eq!(out.status, TrainingStatus::Trained);
    println!(
        "digits-cnn, 800 items × 8 epochs: held-out accuracy {} ppm",
        out.metrics[0]
    );
    assert!(
        out.metrics[0] >= 850_000,
        "CNN accuracy {} ppm",
        out.metrics[0]
    );
}

#[test]
fn trainers_pin_the_shipped_recipe_and_refuse_another() {
    let registry = load_registry(&default_registry_path()).unwrap();
    let trainers: Vec<_> = registry
        .into_iter()
        .filter(|e| e.spec.id.starts_with("train-"))
        .collect();
    assert_eq!(trainers, trainer_entries());
    let file = std::fs::read(default_weights_dir().join(RECIPE_FILE)).unwrap();
    assert_eq!(file, RECIPE.as_bytes());
    assert_eq!(trainers[0].spec.weights_sha256, sha256_hex(&file));

    let mut engine = Engine::new(Backend::Ndarray).unwrap();
    let mut other = trainers[0].spec.clone();
    other.weights_sha256 = sha256_hex(b"another recipe");
    assert!(matches!(
        engine.load_bytes(&other, file.clone()),
        Err(EngineError::WeightsHashMismatch { .. })
    ));
    // A trainer whose spec another architecture's dataset items: refused before any job.
    let mut shape = trainers[0].spec.clone();
    shape.input.shape = vec![64];
    assert!(matches!(
        engine.load_bytes(&shape, file.clone()),
        Err(EngineError::SpecMismatch { .. })
    ));
    // A trainer is not run like a model.
    engine.load_bytes(&trainers[0].spec, file).unwrap();
    assert!(engine
        .run(&trainers[0].spec.id, &digits_request(1).encode(), 1)
        .is_err());
}

//! Tests of the shipped models: registry integrity, held-out quality, wgpu/flex-vs-ndarray agreement,
//! refusal of tampered weights, malformed inputs and determinism.
//!
//! One test binary on purpose: each burn-linked binary costs a link step.

use std::path::PathBuf;
use std::sync::OnceLock;

use acn_interface::market::OutputSpec;
use acn_models::data::{digits_split, regression_split, SplitMix64};
use acn_models::engine::{decode_output_words, outputs_agree, sha256_hex};
use acn_models::registry::{default_registry_path, default_weights_dir, spec_for};
use acn_models::train::{train, DEFAULT_SEED};
use acn_models::{
    evaluate, load_registry, Backend, Engine, EngineError, Metric, ModelKind, RegistryEntry,
};

fn registry() -> Vec<RegistryEntry> {
    load_registry(&default_registry_path()).unwrap()
}

fn entry(kind: ModelKind) -> RegistryEntry {
    registry()
        .into_iter()
        .find(|e| e.spec.id == kind.id())
        .unwrap()
}

fn engine(backend: Backend) -> Engine {
    let mut engine = match Engine::new(backend) {
        Ok(engine) => engine,
        Err(e) => panic!("cannot create the {backend} engine: {e}"),
    };
    // The text encoder has its own tests (tests/minilm.rs).
    for entry in registry().into_iter().filter(|e| e.tokenizer.is_none()) {
        engine.load(&entry, &default_weights_dir()).unwrap();
    }
    engine
}

/// Held-out inputs of a model, as (input bytes, batch) chunks of at most 64 items.
fn held_out_batches(kind: ModelKind) -> Vec<(Vec<u8>, u32)> {
    match kind {
        ModelKind::DigitsMlp | ModelKind::DigitsCnn => digits_split()
            .unwrap()
            .held_out
            .images
            .chunks(64)
            .map(|c| (c.iter().flatten().copied().collect(), c.len() as u32))
            .collect(),
        ModelKind::Regressor => regression_split()
            .held_out
            .features
            .chunks(64)
            .map(|c| {
                (
                    c.iter().flatten().flat_map(|v| v.to_le_bytes()).collect(),
                    c.len() as u32,
                )
            })
            .collect(),
    }
}

fn scratch_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("acn-models-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn registry_matches_shipped_files() {
    let entries = registry();
    let ids: Vec<&str> = entries.iter().map(|e| e.spec.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "digits-mlp-v1",
            "digits-cnn-v1",
            "regressor-v1",
            "minilm-l6-v2",
            "minilm-intent-v1",
            "faq-lookup-v1",
            "train-digits-mlp-v1",
            "train-digits-cnn-v1",
            "train-regressor-v1"
        ]
    );
    for entry in &entries {
        if entry.spec.id.starts_with("train-") {
            // A trainer: the crate's entry, pinning the shipped recipe (tests/training_job.rs).
            continue;
        }
        if entry.spec.id == acn_models::lookup::LOOKUP_ID {
            // The FAQ index: checked against its generator in tests/lookup.rs.
            let bytes = std::fs::read(default_weights_dir().join(&entry.weights_file)).unwrap();
            let faq = acn_models::lookup::faq_entries().unwrap();
            assert_eq!(
                *entry,
                acn_models::lookup::lookup_entry(&sha256_hex(&bytes), &faq)
            );
            continue;
        }
        if entry.encoder.is_some() {
            // The intent classifier: the crate's entry for the shipped head.
            let bytes = std::fs::read(default_weights_dir().join(&entry.weights_file)).unwrap();
            assert_eq!(
                *entry,
                acn_models::registry::intent_entry(&sha256_hex(&bytes))
            );
            continue;
        }
        if entry.tokenizer.is_some() {
            // The pretrained text encoder: exactly what the crate pins.
            assert_eq!(*entry, acn_models::registry::minilm_entry());
            continue;
        }
        let kind = ModelKind::from_id(&entry.spec.id).unwrap();
        let bytes = std::fs::read(default_weights_dir().join(&entry.weights_file)).unwrap();
        assert_eq!(
            sha256_hex(&bytes),
            entry.spec.weights_sha256,
            "{}",
            entry.spec.id
        );
        // The registered spec is exactly what the crate describes for this model.
        assert_eq!(entry.spec, spec_for(kind, &entry.spec.weights_sha256));
        assert_eq!(entry.weights_file, format!("{}.bpk", entry.spec.id));
        assert_eq!(
            entry.spec.weights_uri,
            format!("acn://weights/{}", entry.weights_file)
        );
        assert_eq!(entry.spec.min_redundancy, 1);
        assert_eq!(entry.spec.input.max_batch, 64);
        match entry.spec.output {
            OutputSpec::ClassLabels { .. } => assert_eq!(entry.spec.tolerance, 0),
            OutputSpec::FixedPoint { scale, .. } => {
                assert_eq!(scale, 10_000);
                assert!(entry.spec.tolerance > 0);
            }
            OutputSpec::Trained { .. } => unreachable!("trainers are skipped above"),
        }
    }
}

#[test]
fn shipped_models_meet_their_targets() {
    let engine = engine(Backend::Ndarray);
    for kind in ModelKind::ALL {
        let metric = evaluate(&engine, kind.id()).unwrap();
        println!("{}: {metric}", kind.id());
        match metric {
            Metric::Accuracy { held_out, items } => {
                assert_eq!(items, 359);
                assert!(held_out >= 0.95, "{}: {metric}", kind.id());
            }
            Metric::Regression { r2, .. } => assert!(r2 >= 0.95, "{}: {metric}", kind.id()),
        }
    }
}

/// The wgpu engine, created once for the tests that need it. Fails (with the install hint)
/// when there is no Vulkan device: this must not pass silently.
fn wgpu_engine() -> &'static Engine {
    static ENGINE: OnceLock<Result<Engine, String>> = OnceLock::new();
    match ENGINE.get_or_init(|| match Engine::new(Backend::Wgpu) {
        Ok(mut engine) => {
            for entry in registry().into_iter().filter(|e| e.tokenizer.is_none()) {
                engine
                    .load(&entry, &default_weights_dir())
                    .map_err(|e| e.to_string())?;
                engine.warm_up(&entry.spec.id).map_err(|e| e.to_string())?;
            }
            Ok(engine)
        }
        Err(e) => Err(e.to_string()),
    }) {
        Ok(engine) => engine,
        Err(e) => panic!("wgpu backend unavailable: {e}"),
    }
}

/// `other` agrees with the ndarray reference on every held-out input, within each model's
/// tolerance (labels exactly).
fn assert_agrees_with_ndarray_on_held_out_inputs(other: &Engine) {
    let cpu = engine(Backend::Ndarray);
    let name = other.backend();
    for kind in ModelKind::ALL {
        let spec = cpu.spec(kind.id()).unwrap().clone();
        let (mut max_units, mut max_raw) = (0i64, 0f32);
        for (input, batch) in held_out_batches(kind) {
            let a = cpu.run(kind.id(), &input, batch).unwrap();
            let b = other.run(kind.id(), &input, batch).unwrap();
            assert!(
                outputs_agree(&spec, &a, &b),
                "{}: {name} and ndarray disagree beyond tolerance {}",
                kind.id(),
                spec.tolerance
            );
            let (wa, wb) = (
                decode_output_words(&spec, &a).unwrap(),
                decode_output_words(&spec, &b).unwrap(),
            );
            if let OutputSpec::ClassLabels { .. } = spec.output {
                assert_eq!(wa, wb, "{}: labels differ", kind.id());
            }
            max_units = wa
                .iter()
                .zip(&wb)
                .map(|(x, y)| (x - y).abs())
                .fold(max_units, i64::max);
            let ra = cpu.run_raw(kind.id(), &input, batch).unwrap();
            let rb = other.run_raw(kind.id(), &input, batch).unwrap();
            max_raw = ra
                .iter()
                .zip(&rb)
                .map(|(x, y)| (x - y).abs())
                .fold(max_raw, f32::max);
        }
        println!(
            "{}: max |{name} − ndarray| = {max_raw:e} raw, {max_units} output units (tolerance {})",
            kind.id(),
            spec.tolerance
        );
    }
}

#[test]
fn wgpu_agrees_with_ndarray_on_held_out_inputs() {
    let gpu = wgpu_engine();
    println!(
        "wgpu device: {} ({:?})",
        gpu.device_name(),
        gpu.graphics_api()
    );
    assert!(!gpu.device_name().is_empty());
    assert_agrees_with_ndarray_on_held_out_inputs(gpu);
}

#[test]
fn flex_agrees_with_ndarray_on_held_out_inputs() {
    assert_agrees_with_ndarray_on_held_out_inputs(&engine(Backend::Flex));
}

/// Off-distribution inputs: random pixels and random (also out-of-range) features. Fixed-point
/// outputs must still agree within tolerance; labels may only differ where the top two logits
/// are within float noise of each other.
fn assert_agrees_with_ndarray_on_random_inputs(other: &Engine) {
    let cpu = engine(Backend::Ndarray);
    let name = other.backend();
    let mut rng = SplitMix64::new(7);
    let (mut flips, mut max_units, mut max_raw) = (0usize, 0i64, 0f32);
    for round in 0..16 {
        let pixels: Vec<u8> = (0..64 * 64).map(|_| rng.below(17) as u8).collect();
        for kind in [ModelKind::DigitsMlp, ModelKind::DigitsCnn] {
            let a = cpu.run(kind.id(), &pixels, 64).unwrap();
            let b = other.run(kind.id(), &pixels, 64).unwrap();
            let logits = cpu.run_raw(kind.id(), &pixels, 64).unwrap();
            for (i, (la, lb)) in a.chunks_exact(4).zip(b.chunks_exact(4)).enumerate() {
                if la != lb {
                    let mut row = logits[i * 10..(i + 1) * 10].to_vec();
                    row.sort_by(|x, y| y.total_cmp(x));
                    assert!(
                        row[0] - row[1] < 1e-4,
                        "{}: label flip with margin {}",
                        kind.id(),
                        row[0] - row[1]
                    );
                    flips += 1;
                }
            }
        }
        let range = if round < 12 { 1.0 } else { 10.0 };
        let features: Vec<u8> = (0..64 * 8)
            .flat_map(|_| (((rng.next_f64() * 2.0 - 1.0) * range) as f32).to_le_bytes())
            .collect();
        let spec = cpu.spec("regressor-v1").unwrap();
        let a = cpu.run("regressor-v1", &features, 64).unwrap();
        let b = other.run("regressor-v1", &features, 64).unwrap();
        assert!(outputs_agree(spec, &a, &b));
        let (wa, wb) = (
            decode_output_words(spec, &a).unwrap(),
            decode_output_words(spec, &b).unwrap(),
        );
        max_units = wa
            .iter()
            .zip(&wb)
            .map(|(x, y)| (x - y).abs())
            .fold(max_units, i64::max);
        let ra = cpu.run_raw("regressor-v1", &features, 64).unwrap();
        let rb = other.run_raw("regressor-v1", &features, 64).unwrap();
        max_raw = ra
            .iter()
            .zip(&rb)
            .map(|(x, y)| (x - y).abs())
            .fold(max_raw, f32::max);
    }
    println!(
        "random inputs: {flips} label flips in 2048 digit items; regressor max |{name} − ndarray| = {max_raw:e} raw, {max_units} units"
    );
}

#[test]
fn wgpu_agrees_with_ndarray_on_random_inputs() {
    assert_agrees_with_ndarray_on_random_inputs(wgpu_engine());
}

#[test]
fn flex_agrees_with_ndarray_on_random_inputs() {
    assert_agrees_with_ndarray_on_random_inputs(&engine(Backend::Flex));
}

#[test]
fn training_is_deterministic() {
    let (a, b) = (scratch_dir("train-a"), scratch_dir("train-b"));
    let first = train(ModelKind::DigitsMlp.id(), &a, DEFAULT_SEED).unwrap();
    let second = train(ModelKind::DigitsMlp.id(), &b, DEFAULT_SEED).unwrap();
    assert_eq!(
        std::fs::read(&first.weights_path).unwrap(),
        std::fs::read(&second.weights_path).unwrap()
    );
    assert_eq!(first.weights_sha256, second.weights_sha256);
    assert_eq!(first.metric, second.metric);
    match first.metric {
        Metric::Accuracy { held_out, .. } => assert!(held_out >= 0.95, "{}", first.metric),
        Metric::Regression { .. } => unreachable!(),
    }
    // Same seed, same platform: the shipped file. (Another CPU may round differently; the
    // shipped file, identified by its hash, stays the reference.)
    let shipped = entry(ModelKind::DigitsMlp).spec.weights_sha256;
    if first.weights_sha256 != shipped {
        println!("note: retrained digits-mlp-v1 differs from the shipped file on this platform");
    }
    // Another seed gives other weights.
    let other = train(ModelKind::DigitsMlp.id(), &a, DEFAULT_SEED + 1).unwrap();
    assert_ne!(other.weights_sha256, first.weights_sha256);
    std::fs::remove_dir_all(&a).unwrap();
    std::fs::remove_dir_all(&b).unwrap();
}

#[test]
fn wgpu_runs_are_deterministic() {
    let gpu = wgpu_engine();
    for kind in ModelKind::ALL {
        for (input, batch) in held_out_batches(kind).into_iter().take(2) {
            let a = gpu.run(kind.id(), &input, batch).unwrap();
            let b = gpu.run(kind.id(), &input, batch).unwrap();
            assert_eq!(a, b, "{}", kind.id());
            let a = gpu.run_raw(kind.id(), &input, batch).unwrap();
            let b = gpu.run_raw(kind.id(), &input, batch).unwrap();
            assert_eq!(a, b, "{}: raw outputs differ between runs", kind.id());
        }
    }
}

/// The engine runs the CNN lowered to dense matrices (`DenseCnn`); on every held-out input and
/// on every backend its logits are those of the convolution modules the model was trained as,
/// within float rounding, with the same labels.
#[test]
fn the_lowered_cnn_computes_what_its_convolutions_compute() {
    use burn::module::Module;
    use burn::store::ModuleRecord;
    use burn::tensor::{Bytes, Tensor, TensorData};

    let kind = ModelKind::DigitsCnn;
    let bytes = std::fs::read(default_weights_dir().join(entry(kind).weights_file)).unwrap();
    let (ndarray, flex) = (engine(Backend::Ndarray), engine(Backend::Flex));
    for engine in [&ndarray, &flex, wgpu_engine()] {
        let device = engine.device().clone();
        let record = ModuleRecord::from_bytes(Bytes::from_bytes_vec(bytes.clone())).unwrap();
        let net = kind.init(&device).try_load_record(record).unwrap();
        let dense = net.lower().unwrap().expect("the CNN has a lowered form");
        let mut max = 0f32;
        for (input, batch) in held_out_batches(kind) {
            let floats: Vec<f32> = input.iter().map(|&b| f32::from(b)).collect();
            let x = Tensor::<2>::from_data(TensorData::new(floats, [batch as usize, 64]), &device);
            let modules = net
                .forward(x.clone())
                .into_data()
                .try_to_vec::<f32>()
                .unwrap();
            let lowered = dense.forward(x).into_data().try_to_vec::<f32>().unwrap();
            assert_eq!(lowered, engine.run_raw(kind.id(), &input, batch).unwrap());
            for (a, b) in modules.chunks_exact(10).zip(lowered.chunks_exact(10)) {
                let argmax = |r: &[f32]| (0..10).max_by(|&i, &j| r[i].total_cmp(&r[j])).unwrap();
                assert_eq!(argmax(a), argmax(b), "{}", engine.backend());
            }
            max = modules
                .iter()
                .zip(&lowered)
                .map(|(a, b)| (a - b).abs())
                .fold(max, f32::max);
        }
        println!("{}: max |modules − lowered| = {max:e}", engine.backend());
        assert!(max < 1e-4, "{}: {max}", engine.backend());
    }
}

/// The CPU backends give bit-identical raw outputs run to run and engine to engine (flex runs
/// its kernels on several threads: the split must not change any sum).
#[test]
fn cpu_runs_are_deterministic() {
    for backend in [Backend::Ndarray, Backend::Flex] {
        let first = engine(backend);
        let second = engine(backend);
        for kind in ModelKind::ALL {
            for (input, batch) in held_out_batches(kind).into_iter().take(2) {
                let a = first.run(kind.id(), &input, batch).unwrap();
                assert_eq!(a, first.run(kind.id(), &input, batch).unwrap());
                assert_eq!(a, second.run(kind.id(), &input, batch).unwrap());
                assert_eq!(a.len(), batch as usize * 4);
                let raw = first.run_raw(kind.id(), &input, batch).unwrap();
                for _ in 0..3 {
                    assert_eq!(
                        raw,
                        second.run_raw(kind.id(), &input, batch).unwrap(),
                        "{backend} {}: raw outputs differ between runs",
                        kind.id()
                    );
                }
            }
        }
    }
}

#[test]
fn tampered_weights_are_refused() {
    let dir = scratch_dir("tampered");
    let entry = entry(ModelKind::DigitsMlp);
    let mut bytes = std::fs::read(default_weights_dir().join(&entry.weights_file)).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0x01;
    std::fs::write(dir.join(&entry.weights_file), &bytes).unwrap();

    let mut engine = Engine::new(Backend::Ndarray).unwrap();
    let err = engine.load(&entry, &dir).unwrap_err();
    assert!(
        matches!(err, EngineError::WeightsHashMismatch { .. }),
        "{err}"
    );
    assert!(err.to_string().contains("refusing"), "{err}");
    assert_eq!(engine.models().count(), 0);

    // A spec whose hash names other bytes is refused too, even with the genuine file.
    let mut wrong = entry.clone();
    wrong.spec.weights_sha256 = "00".repeat(32);
    let err = engine.load(&wrong, &default_weights_dir()).unwrap_err();
    assert!(matches!(err, EngineError::WeightsHashMismatch { .. }));

    // Weights of another architecture under a matching hash do not load either.
    let cnn = entry_bytes(ModelKind::DigitsCnn);
    let mut swapped = entry.clone();
    swapped.spec.weights_sha256 = sha256_hex(&cnn);
    let err = engine.load_bytes(&swapped.spec, cnn).unwrap_err();
    assert!(matches!(err, EngineError::WeightsDecode { .. }), "{err}");

    // Registry file names cannot point outside the weights directory.
    let mut escape = entry.clone();
    escape.weights_file = "../registry.json".to_string();
    let err = engine.load(&escape, &default_weights_dir()).unwrap_err();
    assert!(matches!(err, EngineError::BadWeightsFileName { .. }));

    // A missing file is an error, not a panic.
    let err = engine.load(&entry, &dir.join("nowhere")).unwrap_err();
    assert!(matches!(err, EngineError::WeightsRead { .. }));
    std::fs::remove_dir_all(&dir).unwrap();
}

fn entry_bytes(kind: ModelKind) -> Vec<u8> {
    std::fs::read(default_weights_dir().join(entry(kind).weights_file)).unwrap()
}

#[test]
fn malformed_input_is_an_error() {
    let engine = engine(Backend::Ndarray);
    let bad = |model: &str, input: &[u8], batch: u32| {
        let err = engine.run(model, input, batch).unwrap_err();
        assert!(matches!(err, EngineError::BadInput { .. }), "{err}");
    };
    let digit = vec![3u8; 64];
    // Wrong length.
    bad("digits-mlp-v1", &digit[..63], 1);
    bad("digits-cnn-v1", &[digit.clone(), vec![0]].concat(), 1);
    bad("digits-mlp-v1", &digit, 2);
    bad("digits-mlp-v1", &[], 1);
    // Batch 0 and above max_batch.
    bad("digits-mlp-v1", &[], 0);
    bad("digits-cnn-v1", &vec![0u8; 64 * 65], 65);
    bad("digits-mlp-v1", &digit, u32::MAX);
    // Regressor: length not a multiple of the item, and non-finite floats.
    bad("regressor-v1", &[0u8; 31], 1);
    let mut features = [0f32; 8];
    features[3] = f32::NAN;
    let nan: Vec<u8> = features.iter().flat_map(|v| v.to_le_bytes()).collect();
    bad("regressor-v1", &nan, 1);
    features[3] = f32::INFINITY;
    let inf: Vec<u8> = features.iter().flat_map(|v| v.to_le_bytes()).collect();
    bad("regressor-v1", &inf, 1);
    // Unknown model.
    assert!(matches!(
        engine.run("nope", &digit, 1),
        Err(EngineError::UnknownModel(_))
    ));
    // Well-formed extremes work: max batch, all-16 pixels, one item.
    let out = engine
        .run("digits-cnn-v1", &vec![16u8; 64 * 64], 64)
        .unwrap();
    assert_eq!(out.len(), 64 * 4);
    let out = engine.run("digits-mlp-v1", &digit, 1).unwrap();
    assert!(u32::from_le_bytes(out[..4].try_into().unwrap()) < 10);
    let big: Vec<u8> = [1e30f32; 8].iter().flat_map(|v| v.to_le_bytes()).collect();
    let out = engine.run("regressor-v1", &big, 1).unwrap();
    assert_eq!(out.len(), 4, "huge inputs saturate instead of failing");
}

#[test]
fn labels_of_the_shipped_models_on_known_digits() {
    // The first held-out digits, classified by both digit models, match the dataset's labels
    // for the large majority and the two models agree on most of them.
    let engine = engine(Backend::Ndarray);
    let held_out = digits_split().unwrap().held_out;
    let input: Vec<u8> = held_out.images[..64].iter().flatten().copied().collect();
    for kind in [ModelKind::DigitsMlp, ModelKind::DigitsCnn] {
        let out = engine.run(kind.id(), &input, 64).unwrap();
        let labels: Vec<u32> = out
            .chunks_exact(4)
            .map(|c| u32::from_le_bytes(c.try_into().unwrap()))
            .collect();
        let correct = labels
            .iter()
            .zip(&held_out.labels[..64])
            .filter(|(a, b)| **a == u32::from(**b))
            .count();
        assert!(correct >= 60, "{}: {correct}/64", kind.id());
    }
}

/// Retrain every model with the default seed and rewrite `weights/` + `registry.json` in the
/// crate directory. Run explicitly:
/// `cargo test -p acn-models --test zoo -- --ignored --nocapture regenerate_shipped_models`
#[test]
#[ignore = "rewrites the shipped weights; run explicitly"]
fn regenerate_shipped_models() {
    let reports = acn_models::regenerate(
        &acn_models::registry::models_dir(),
        acn_models::train::DEFAULT_SEED,
    )
    .unwrap();
    for r in reports {
        println!(
            "{}: {} in {:.1} s, sha256 {}",
            r.model_id, r.metric, r.train_seconds, r.weights_sha256
        );
    }
}

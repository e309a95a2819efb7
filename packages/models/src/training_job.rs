//! Training jobs: a buyer's [`TrainingRequest`] for an architecture of the zoo, trained the way
//! [`crate::train`] trains the shipped weights (Adam on the autodiff ndarray CPU backend, seeded
//! initialisation and mini-batch order), whatever backend the provider serves inference on.
//!
//! A trainer is registered like any model: id `train-<zoo id>` (e.g. `train-digits-mlp-v1`),
//! architecture `train:<zoo architecture>`, input [`DType::Training`] of the architecture's
//! dataset item size, output [`OutputSpec::Trained`]. Its pinned "weights" file is the training
//! recipe ([`RECIPE_FILE`]): the algorithm a provider must run, identified by its sha256, so a
//! provider whose code trains differently refuses to load it.
//!
//! Dataset items (little-endian):
//! - digits (MLP and CNN): 64 pixel bytes then the label byte (0–9): [`DIGITS_ITEM_BYTES`];
//! - regressor: 8 `f32` features then the `f32` target (all finite): [`REGRESSION_ITEM_BYTES`].
//!
//! Reproducibility: the same request gives the same weights file, byte for byte, on every run
//! on CPUs of one kind (the ndarray kernels pick their SIMD path by CPU features; another CPU
//! may round differently). Providers of one job are compared exactly, so they must train on
//! such CPUs; `tests/training_job.rs` shows two runs and two workers on different inference
//! backends producing identical files.

use acn_interface::market::{DType, InputSpec, ModelSpec, OutputSpec};
use acn_interface::training::{Dataset, TrainedOutput, TrainingRequest, TrainingStatus};
use burn::module::Module;
use burn::tensor::{Tensor, TensorData};

use crate::data::{DIGIT_CLASSES, DIGIT_PIXELS, REGRESSION_FEATURES};
use crate::engine::{sha256_hex, to_fixed_point};
use crate::error::EngineError;
use crate::model::ModelKind;
use crate::registry::{cost_units_per_item, RegistryEntry, WEIGHTS_URI_PREFIX};
use crate::train::{SequentialIds, TrainPlan, TrainSet, TRAIN_LOCK};

/// Prefix of a trainer's architecture tag; the zoo architecture follows.
pub const TRAINER_PREFIX: &str = "train:";
/// The training recipe every trainer pins (in the weights directory).
pub const RECIPE_FILE: &str = "train-zoo-v1.json";
/// Fixed-point scale of the metrics: 6 decimals.
pub const METRIC_SCALE: u32 = 1_000_000;
/// Bytes of one digits dataset item: 64 pixels and the label.
pub const DIGITS_ITEM_BYTES: u32 = DIGIT_PIXELS as u32 + 1;
/// Bytes of one regression dataset item: 8 features and the target, `f32` each.
pub const REGRESSION_ITEM_BYTES: u32 = 4 * (REGRESSION_FEATURES as u32 + 1);
/// A training step costs about three forward passes (forward, backward through activations
/// and weights): price units per item per step are three times the model's inference units.
pub const TRAINING_COST_FACTOR: u64 = 3;

/// The recipe file's content: what a trainer does, in words a provider's code must match.
pub const RECIPE: &str = r#"{
  "recipe": "acn-train-zoo-v1",
  "backend": "burn 0.22.1 ndarray (autodiff), f32, CPU",
  "init": "burn module init with the backend RNG seeded with the request's seed",
  "order": "SplitMix64(seed) Fisher-Yates shuffle of the training items every epoch",
  "optimizer": "Adam (burn AdamConfig defaults: beta1 0.9, beta2 0.999, epsilon 1e-5), no weight decay",
  "learning_rate": "the request's for the first floor(3/4 × epochs) epochs, a tenth of it after",
  "loss": "cross-entropy (classifiers), mean squared error (regressor)",
  "weights": "burnpack of the trained module, parameter ids renumbered 1, 2, … in visiting order",
  "metrics": {
    "classifier": ["held_out_accuracy", "held_out_loss (mean cross-entropy)"],
    "regressor": ["held_out_r2", "held_out_mse"]
  },
  "datasets": {
    "digits": "64 pixel bytes then a label byte 0-9 per item",
    "regression": "8 f32 features then an f32 target per item, little-endian, finite"
  }
}
"#;

/// The trainer id of a zoo model.
pub fn trainer_id(kind: ModelKind) -> String {
    format!("train-{}", kind.id())
}

/// Bytes of one dataset item for `kind`.
pub const fn item_bytes(kind: ModelKind) -> u32 {
    match kind {
        ModelKind::DigitsMlp | ModelKind::DigitsCnn => DIGITS_ITEM_BYTES,
        ModelKind::Regressor => REGRESSION_ITEM_BYTES,
    }
}

/// Names of the held-out metrics a trainer of `kind` reports, in output order.
pub fn metric_names(kind: ModelKind) -> Vec<String> {
    let names: [&str; 2] = match kind {
        ModelKind::DigitsMlp | ModelKind::DigitsCnn => ["held_out_accuracy", "held_out_loss"],
        ModelKind::Regressor => ["held_out_r2", "held_out_mse"],
    };
    names.map(String::from).to_vec()
}

/// The on-chain spec of the trainer of `kind`, pinning the recipe whose sha256 is
/// `recipe_sha256`.
pub fn trainer_spec(kind: ModelKind, recipe_sha256: &str) -> ModelSpec {
    ModelSpec {
        id: trainer_id(kind),
        name: format!("Train {} (Adam, CPU)", kind.id()),
        architecture: format!("{TRAINER_PREFIX}{}", kind.architecture()),
        weights_sha256: recipe_sha256.to_string(),
        weights_uri: format!("{WEIGHTS_URI_PREFIX}{RECIPE_FILE}"),
        input: InputSpec {
            shape: vec![item_bytes(kind)],
            dtype: DType::Training,
            max_batch: 1,
        },
        output: OutputSpec::Trained {
            metrics: metric_names(kind),
            scale: METRIC_SCALE,
        },
        tolerance: 0,
        cost_units_per_item: TRAINING_COST_FACTOR * cost_units_per_item(kind),
        // One provider's word on a training run is not checked by anyone: at least two.
        min_redundancy: 2,
    }
}

/// The registry entries of the trainers (every zoo architecture).
pub fn trainer_entries() -> Vec<RegistryEntry> {
    let sha = sha256_hex(RECIPE.as_bytes());
    ModelKind::ALL
        .into_iter()
        .map(|kind| RegistryEntry {
            spec: trainer_spec(kind, &sha),
            weights_file: RECIPE_FILE.to_string(),
            tokenizer: None,
            encoder: None,
        })
        .collect()
}

/// The zoo architecture a trainer spec trains, after checking the spec is exactly the one this
/// crate describes for it (but for the recipe hash, which loading checks).
pub fn check_trainer_spec(spec: &ModelSpec) -> Result<ModelKind, EngineError> {
    let unknown = || EngineError::UnknownArchitecture {
        model: spec.id.clone(),
        architecture: spec.architecture.clone(),
    };
    let kind = spec
        .architecture
        .strip_prefix(TRAINER_PREFIX)
        .and_then(ModelKind::from_architecture)
        .ok_or_else(unknown)?;
    let want = ModelSpec {
        id: spec.id.clone(),
        name: spec.name.clone(),
        weights_sha256: spec.weights_sha256.clone(),
        weights_uri: spec.weights_uri.clone(),
        cost_units_per_item: spec.cost_units_per_item,
        min_redundancy: spec.min_redundancy,
        ..trainer_spec(kind, "")
    };
    if *spec != want {
        return Err(EngineError::SpecMismatch {
            model: spec.id.clone(),
            architecture: spec.architecture.clone(),
            reason: format!(
                "a trainer of {} takes {:?} and outputs {:?} with tolerance 0",
                kind.id(),
                want.input,
                want.output
            ),
        });
    }
    Ok(kind)
}

/// A finished training job: its result and, when trained, the weights file.
#[derive(Clone, Debug, PartialEq)]
pub struct TrainedJob {
    /// The trained weights (burnpack) whose sha256 the result holds; `None` unless trained.
    pub weights: Option<Vec<u8>>,
    /// Status, weights hash and metrics.
    pub result: TrainedOutput,
}

impl TrainedJob {
    /// The canonical output to commit ([`TrainedOutput::encode`]).
    pub fn output(&self) -> Vec<u8> {
        self.result.encode()
    }
}

/// 800 training and 200 held-out digits (the first of each split) inline, 10 epochs of
/// batches of 32 at learning rate 0.002: the request whose weights' sha256 `tests/training_job.rs`
/// records and `examples/training_backends.rs` trains on every backend.
pub fn reference_digits_request(seed: u64) -> Result<TrainingRequest, crate::error::DataError> {
    let split = crate::data::digits_split()?;
    let mut items = digits_items(&split.train.first(800));
    items.extend(digits_items(&split.held_out.first(200)));
    Ok(TrainingRequest {
        epochs: 10,
        batch_size: 32,
        learning_rate_ppm: 2_000,
        seed,
        train_items: 800,
        held_out_items: 200,
        dataset: Dataset::Inline(items),
    })
}

/// Where a served dataset's bytes come from: given the URI and the expected sha256, the file's
/// bytes, or the status to report when they cannot be had.
pub type FetchDataset<'a> = dyn FnMut(&str, &[u8; 32]) -> Result<Vec<u8>, TrainingStatus> + 'a;

/// Run the training job `input` (a [`TrainingRequest`] already valid for `spec`, as the market
/// checked it) for the trainer `kind`: fetch a served dataset through `fetch` (its sha256 is
/// checked here too), train, evaluate on the held-out items.
///
/// A dataset that cannot be had or does not fit the request (another hash, another length, a
/// label out of range, a non-finite value) is not an error: every honest provider reports the
/// same status, and agrees.
pub fn run_training(
    spec: &ModelSpec,
    kind: ModelKind,
    input: &[u8],
    fetch: &mut FetchDataset<'_>,
) -> Result<TrainedJob, EngineError> {
    run_training_on(spec, kind, input, fetch, &crate::engine::ndarray_device())
}

/// [`run_training`] on another backend's `device` (autodiff on it): not what a provider runs
/// (its result would not agree bit for bit), but how far another backend's metrics land
/// (`cargo run -p acn-models --example training_backends`).
pub fn run_training_on(
    spec: &ModelSpec,
    kind: ModelKind,
    input: &[u8],
    fetch: &mut FetchDataset<'_>,
    device: &burn::tensor::Device,
) -> Result<TrainedJob, EngineError> {
    let request = spec
        .training_request(input)
        .map_err(|e| EngineError::BadInput {
            model: spec.id.clone(),
            reason: e.to_string(),
        })?;
    let metrics = metric_names(kind).len();
    let failed = |status| {
        let result = TrainedOutput::failed(status, metrics);
        TrainedJob {
            weights: None,
            result,
        }
    };
    let items = match &request.dataset {
        Dataset::Inline(items) => items.clone(),
        Dataset::Served { sha256, uri } => match fetch(uri, sha256) {
            Ok(bytes) if acn_interface::training::sha256(&bytes) == *sha256 => bytes,
            Ok(_) => return Ok(failed(TrainingStatus::DatasetMismatch)),
            Err(status) => return Ok(failed(status)),
        },
    };
    let Some((train, held_out)) = split(kind, &request, &items) else {
        return Ok(failed(TrainingStatus::DatasetMismatch));
    };
    let plan = TrainPlan {
        epochs: request.epochs as usize,
        batch_size: request.batch_size as usize,
        learning_rate: request.learning_rate(),
    };
    let net = {
        // A poisoned lock only means another run panicked; `fit` reseeds the RNG anyway.
        let _guard = TRAIN_LOCK.lock().unwrap_or_else(|e| e.into_inner());
        crate::train::fit_on(kind, &train, plan, request.seed, &device.clone().autodiff())
    }
    .valid();
    let weights = net
        .clone()
        .map(&mut SequentialIds::default())
        .into_record()
        .into_bytes()
        .map_err(|e| EngineError::Backend(e.to_string()))?
        .to_vec();
    let values = held_out_metrics(&net, &held_out, device)?;
    let result = TrainedOutput {
        status: TrainingStatus::Trained,
        weights_sha256: acn_interface::training::sha256(&weights),
        metrics: values
            .iter()
            .map(|v| to_fixed_point(*v as f32, METRIC_SCALE).unwrap_or(i32::MIN))
            .collect(),
    };
    Ok(TrainedJob {
        weights: Some(weights),
        result,
    })
}

/// The training and held-out sets of the request's dataset; `None` when an item does not fit
/// the architecture.
fn split(kind: ModelKind, request: &TrainingRequest, items: &[u8]) -> Option<(TrainSet, TrainSet)> {
    let size = item_bytes(kind) as usize;
    let total = (request.train_items + request.held_out_items) as usize;
    if items.len() != total * size {
        return None;
    }
    let (train, held_out) = items.split_at(request.train_items as usize * size);
    Some((parse(kind, train)?, parse(kind, held_out)?))
}

fn parse(kind: ModelKind, bytes: &[u8]) -> Option<TrainSet> {
    let size = item_bytes(kind) as usize;
    let mut set = TrainSet {
        inputs: Vec::with_capacity(bytes.len()),
        width: kind.input_elements(),
        labels: Vec::new(),
        targets: Vec::new(),
    };
    for item in bytes.chunks_exact(size) {
        match kind {
            ModelKind::DigitsMlp | ModelKind::DigitsCnn => {
                let (pixels, label) = item.split_at(DIGIT_PIXELS);
                if label[0] as usize >= DIGIT_CLASSES {
                    return None;
                }
                set.inputs.extend(pixels.iter().map(|&p| f32::from(p)));
                set.labels.push(i64::from(label[0]));
            }
            ModelKind::Regressor => {
                let values: Vec<f32> = item
                    .chunks_exact(4)
                    .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                    .collect();
                if values.iter().any(|v| !v.is_finite()) {
                    return None;
                }
                set.inputs.extend_from_slice(&values[..REGRESSION_FEATURES]);
                set.targets.push(values[REGRESSION_FEATURES]);
            }
        }
    }
    Some(set)
}

/// The metrics of [`metric_names`] of `net` (on ndarray) over `held_out`, in f64.
fn held_out_metrics(
    net: &crate::model::Net,
    held_out: &TrainSet,
    device: &burn::tensor::Device,
) -> Result<[f64; 2], EngineError> {
    let n = held_out.len();
    let x = Tensor::<2>::from_data(
        TensorData::new(held_out.inputs.clone(), [n, held_out.width]),
        device,
    );
    let y = net.forward(x);
    let outputs = y
        .try_into_data()
        .map_err(|e| EngineError::Backend(e.to_string()))?
        .try_into_vec_as::<f32>()
        .map_err(|e| EngineError::Backend(format!("{e:?}")))?;
    if held_out.labels.is_empty() {
        return match crate::train::regression_metric(&outputs, &held_out.targets) {
            crate::train::Metric::Regression { r2, mse, .. } => Ok([r2, mse]),
            crate::train::Metric::Accuracy { .. } => unreachable!("a regression metric"),
        };
    }
    let classes = DIGIT_CLASSES;
    let mut correct = 0usize;
    let mut loss = 0.0f64;
    for (logits, &label) in outputs.chunks_exact(classes).zip(&held_out.labels) {
        if crate::engine::argmax(logits) == Some(label as usize) {
            correct += 1;
        }
        // Cross-entropy in f64: log Σ exp(z − max) + max − z_label.
        let row: Vec<f64> = logits.iter().map(|&v| f64::from(v)).collect();
        let max = row.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        let log_sum = row.iter().map(|v| (v - max).exp()).sum::<f64>().ln() + max;
        loss += log_sum - row[label as usize];
    }
    Ok([correct as f64 / n as f64, loss / n as f64])
}

/// Digits as dataset items of a digits trainer (64 pixels then the label, per item).
pub fn digits_items(digits: &crate::data::Digits) -> Vec<u8> {
    let mut out = Vec::with_capacity(digits.len() * DIGITS_ITEM_BYTES as usize);
    for (image, label) in digits.images.iter().zip(&digits.labels) {
        out.extend_from_slice(image);
        out.push(*label);
    }
    out
}

/// Regression items as dataset items of the regressor's trainer (8 features then the target,
/// `f32` LE each).
pub fn regression_items(set: &crate::data::Regression) -> Vec<u8> {
    let mut out = Vec::with_capacity(set.len() * REGRESSION_ITEM_BYTES as usize);
    for (features, target) in set.features.iter().zip(&set.targets) {
        for v in features.iter().chain(std::iter::once(target)) {
            out.extend_from_slice(&v.to_le_bytes());
        }
    }
    out
}

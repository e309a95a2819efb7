//! Deterministic training (Adam on the autodiff ndarray CPU backend), evaluation of shipped
//! weights, and regeneration of `weights/` + `registry.json`.
//!
//! Determinism: parameters are initialised from the backend RNG seeded with `seed`; mini-batch
//! order comes from a [`SplitMix64`] seeded with `seed`; parameter ids are renumbered 1, 2, …
//! before saving, so the `.bpk` bytes (and their sha256) are a function of the seed alone on a
//! given platform. (Float kernels and libm may differ across CPUs/OSes: the shipped file is the
//! reference, identified by its hash.)

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Instant;

use burn::module::{Module, ModuleMapper, Param, ParamId};
use burn::nn::loss::{CrossEntropyLossConfig, MseLoss, Reduction};
use burn::optim::{AdamConfig, GradientsParams};
use burn::tensor::{Device, Int, Tensor, TensorData};

use crate::data::{digits_split, regression_split, SplitMix64, DIGIT_PIXELS, REGRESSION_FEATURES};
use crate::engine::{sha256_hex, Backend, Engine};
use crate::error::{EngineError, TrainError};
use crate::intent::{
    evaluate_intent, train_intent, INTENT_ARCHITECTURE, INTENT_ID, MIN_INTENT_ACCURACY,
};
use crate::model::{ModelKind, Net};
use crate::registry::{
    registry_json, spec_for, weights_file_name, RegistryEntry, REGISTRY_FILE, WEIGHTS_DIR,
};

/// The seed the shipped weights were trained with.
pub const DEFAULT_SEED: u64 = 42;
/// Held-out accuracy a digits model must reach to be shipped.
pub const MIN_DIGITS_ACCURACY: f64 = 0.95;
/// Held-out R² the regressor must reach to be shipped.
pub const MIN_REGRESSOR_R2: f64 = 0.95;

/// The backend RNG is process-global: one training run at a time.
pub(crate) static TRAIN_LOCK: Mutex<()> = Mutex::new(());

/// Hyper-parameters of one model's training run.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TrainPlan {
    /// Passes over the training set.
    pub epochs: usize,
    /// Items per step.
    pub batch_size: usize,
    /// Adam learning rate for the first 3/4 of the epochs; a tenth of it afterwards.
    pub learning_rate: f64,
}

impl TrainPlan {
    /// The plan the shipped weights were trained with.
    pub const fn for_kind(kind: ModelKind) -> TrainPlan {
        match kind {
            ModelKind::DigitsMlp => TrainPlan {
                epochs: 40,
                batch_size: 32,
                learning_rate: 2e-3,
            },
            ModelKind::DigitsCnn => TrainPlan {
                epochs: 20,
                batch_size: 32,
                learning_rate: 2e-3,
            },
            ModelKind::Regressor => TrainPlan {
                epochs: 150,
                batch_size: 64,
                learning_rate: 3e-3,
            },
        }
    }
}

/// Quality of a model on its held-out set.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Metric {
    /// Classification.
    Accuracy {
        /// Fraction of held-out items labelled correctly.
        held_out: f64,
        /// Items evaluated.
        items: usize,
    },
    /// Regression.
    Regression {
        /// Mean squared error on the held-out set.
        mse: f64,
        /// Coefficient of determination (1 − MSE / variance of the targets).
        r2: f64,
        /// Largest absolute error.
        max_abs_error: f64,
        /// Items evaluated.
        items: usize,
    },
}

impl std::fmt::Display for Metric {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Metric::Accuracy { held_out, items } => {
                write!(
                    f,
                    "held-out accuracy {:.2} % ({items} items)",
                    held_out * 100.0
                )
            }
            Metric::Regression {
                mse,
                r2,
                max_abs_error,
                items,
            } => write!(
                f,
                "held-out MSE {mse:.6}, R² {r2:.4}, max |error| {max_abs_error:.4} ({items} items)"
            ),
        }
    }
}

/// What a training run produced.
#[derive(Clone, Debug, PartialEq)]
pub struct TrainReport {
    /// Model id.
    pub model_id: String,
    /// The weights file written.
    pub weights_path: PathBuf,
    /// sha256 of the weights file.
    pub weights_sha256: String,
    /// Held-out quality of the written file (evaluated by loading it on ndarray).
    pub metric: Metric,
    /// Wall-clock training time in seconds.
    pub train_seconds: f64,
}

/// Renumbers parameter ids 1, 2, … in visiting order so saved files are reproducible.
#[derive(Default)]
pub(crate) struct SequentialIds(u64);

impl ModuleMapper for SequentialIds {
    fn map_float<const D: usize>(&mut self, param: Param<Tensor<D>>) -> Param<Tensor<D>> {
        let (_, value, mapper) = param.consume();
        self.0 += 1;
        Param::from_mapped_value(ParamId::from(self.0), value, mapper)
    }
}

/// Training inputs flattened row-major, with class labels or regression targets.
pub(crate) struct TrainSet {
    /// Inputs, `width` values per item.
    pub(crate) inputs: Vec<f32>,
    /// Values per item.
    pub(crate) width: usize,
    /// Class labels (classifiers; empty for a regressor).
    pub(crate) labels: Vec<i64>,
    /// Targets (regressor; empty for a classifier).
    pub(crate) targets: Vec<f32>,
}

impl TrainSet {
    /// Items.
    pub(crate) fn len(&self) -> usize {
        self.inputs.len() / self.width
    }

    fn for_kind(kind: ModelKind) -> Result<TrainSet, TrainError> {
        Ok(match kind {
            ModelKind::DigitsMlp | ModelKind::DigitsCnn => {
                let train = digits_split()?.train;
                TrainSet {
                    inputs: train
                        .images
                        .iter()
                        .flatten()
                        .map(|&p| f32::from(p))
                        .collect(),
                    width: DIGIT_PIXELS,
                    labels: train.labels.iter().map(|&l| i64::from(l)).collect(),
                    targets: Vec::new(),
                }
            }
            ModelKind::Regressor => {
                let train = regression_split().train;
                TrainSet {
                    inputs: train.features.iter().flatten().copied().collect(),
                    width: REGRESSION_FEATURES,
                    labels: Vec::new(),
                    targets: train.targets,
                }
            }
        })
    }
}

/// Train `model_id` (e.g. `digits-mlp-v1`, or the intent head `minilm-intent-v1`) with `seed`,
/// write `<out_dir>/<id>.bpk` and evaluate the written file on the held-out set.
pub fn train(model_id: &str, out_dir: &Path, seed: u64) -> Result<TrainReport, TrainError> {
    if model_id == INTENT_ID {
        return train_intent(out_dir, seed);
    }
    let kind =
        ModelKind::from_id(model_id).ok_or_else(|| TrainError::UnknownModel(model_id.into()))?;
    let data = TrainSet::for_kind(kind)?;
    let plan = TrainPlan::for_kind(kind);

    let started = Instant::now();
    let net = {
        // A poisoned lock only means another run panicked; the RNG is reseeded below anyway.
        let _guard = TRAIN_LOCK.lock().unwrap_or_else(|e| e.into_inner());
        fit(kind, &data, plan, seed)
    };
    let train_seconds = started.elapsed().as_secs_f64();

    std::fs::create_dir_all(out_dir).map_err(|source| TrainError::Io {
        path: out_dir.to_path_buf(),
        source,
    })?;
    let weights_path = out_dir.join(weights_file_name(kind));
    net.valid()
        .map(&mut SequentialIds::default())
        .save_file(&weights_path)
        .map_err(|e| TrainError::Record(e.to_string()))?;
    let bytes = std::fs::read(&weights_path).map_err(|source| TrainError::Io {
        path: weights_path.clone(),
        source,
    })?;
    let weights_sha256 = sha256_hex(&bytes);

    let mut engine = Engine::new(Backend::Ndarray)?;
    engine.load_bytes(&spec_for(kind, &weights_sha256), bytes)?;
    let metric = evaluate(&engine, kind.id())?;
    tracing::info!(model = kind.id(), %metric, train_seconds, "trained");
    Ok(TrainReport {
        model_id: kind.id().to_string(),
        weights_path,
        weights_sha256,
        metric,
        train_seconds,
    })
}

#[allow(deprecated)] // burn 0.22 deprecates ndarray in favour of flex; the project pins ndarray.
pub(crate) fn training_device() -> Device {
    Device::ndarray().autodiff()
}

/// Train a fresh `kind` network on `data` (the caller holds [`TRAIN_LOCK`]).
pub(crate) fn fit(kind: ModelKind, data: &TrainSet, plan: TrainPlan, seed: u64) -> Net {
    fit_on(kind, data, plan, seed, &training_device())
}

/// [`fit`] on an autodiff `device` of any backend (for comparing backends; the shipped weights
/// and training jobs use [`training_device`]).
pub(crate) fn fit_on(
    kind: ModelKind,
    data: &TrainSet,
    plan: TrainPlan,
    seed: u64,
    device: &Device,
) -> Net {
    let device = device.clone();
    device.seed(seed);
    let mut net = kind.init(&device);
    let mut optimizer = AdamConfig::new().init();
    let cross_entropy = CrossEntropyLossConfig::new().init(&device);
    let mse = MseLoss::new();
    let mut rng = SplitMix64::new(seed);
    let mut order: Vec<usize> = (0..data.len()).collect();
    let decay_from = plan.epochs * 3 / 4;

    for epoch in 0..plan.epochs {
        let lr = if epoch < decay_from {
            plan.learning_rate
        } else {
            plan.learning_rate / 10.0
        };
        rng.shuffle(&mut order);
        let mut epoch_loss = 0.0f64;
        for chunk in order.chunks(plan.batch_size) {
            let batch = chunk.len();
            let inputs: Vec<f32> = chunk
                .iter()
                .flat_map(|&i| &data.inputs[i * data.width..(i + 1) * data.width])
                .copied()
                .collect();
            // [batch, width]
            let x = Tensor::<2>::from_data(TensorData::new(inputs, [batch, data.width]), &device);
            // [batch, outputs]
            let y = net.forward(x);
            // [1]
            let loss = if data.labels.is_empty() {
                let targets: Vec<f32> = chunk.iter().map(|&i| data.targets[i]).collect();
                // [batch, 1]
                let t = Tensor::<2>::from_data(TensorData::new(targets, [batch, 1]), &device);
                mse.forward(y, t, Reduction::Mean)
            } else {
                let labels: Vec<i64> = chunk.iter().map(|&i| data.labels[i]).collect();
                // [batch]
                let t = Tensor::<1, Int>::from_data(TensorData::new(labels, [batch]), &device);
                cross_entropy.forward(y, t)
            };
            epoch_loss += f64::from(loss.clone().into_scalar::<f32>()) * batch as f64;
            let grads = GradientsParams::from_grads(loss.backward(), &net);
            net = optimizer.step(lr, net, grads);
        }
        tracing::debug!(
            model = kind.id(),
            epoch,
            loss = epoch_loss / data.len() as f64,
            "epoch"
        );
    }
    net
}

/// Evaluate a loaded model on its held-out set (chosen by the spec's architecture).
pub fn evaluate(engine: &Engine, model_id: &str) -> Result<Metric, TrainError> {
    let spec = engine
        .spec(model_id)
        .ok_or_else(|| EngineError::UnknownModel(model_id.to_string()))?;
    if spec.architecture == INTENT_ARCHITECTURE {
        return evaluate_intent(engine, model_id);
    }
    let kind = crate::engine::check_spec(spec)?;
    let max_batch = spec.input.max_batch as usize;
    match kind {
        ModelKind::DigitsMlp | ModelKind::DigitsCnn => {
            let held_out = digits_split()?.held_out;
            let mut correct = 0usize;
            for (images, labels) in held_out
                .images
                .chunks(max_batch)
                .zip(held_out.labels.chunks(max_batch))
            {
                let input: Vec<u8> = images.iter().flatten().copied().collect();
                let output = engine.run(model_id, &input, images.len() as u32)?;
                correct += output
                    .chunks_exact(4)
                    .zip(labels)
                    .filter(|(word, &label)| {
                        u32::from_le_bytes([word[0], word[1], word[2], word[3]]) == u32::from(label)
                    })
                    .count();
            }
            Ok(Metric::Accuracy {
                held_out: correct as f64 / held_out.len() as f64,
                items: held_out.len(),
            })
        }
        ModelKind::Regressor => {
            let held_out = regression_split().held_out;
            let mut predictions = Vec::with_capacity(held_out.len());
            for features in held_out.features.chunks(max_batch) {
                let input: Vec<u8> = features
                    .iter()
                    .flatten()
                    .flat_map(|v| v.to_le_bytes())
                    .collect();
                predictions.extend(engine.run_raw(model_id, &input, features.len() as u32)?);
            }
            Ok(regression_metric(&predictions, &held_out.targets))
        }
    }
}

/// MSE, R² and the largest error of `predictions` against `targets` (in f64). A constant target
/// has no variance to explain: R² is then 1 for a perfect fit, else 0.
pub(crate) fn regression_metric(predictions: &[f32], targets: &[f32]) -> Metric {
    let n = targets.len().max(1) as f64;
    let mean = targets.iter().map(|&t| f64::from(t)).sum::<f64>() / n;
    let variance = targets
        .iter()
        .map(|&t| (f64::from(t) - mean).powi(2))
        .sum::<f64>()
        / n;
    let errors: Vec<f64> = predictions
        .iter()
        .zip(targets)
        .map(|(&p, &t)| f64::from(p) - f64::from(t))
        .collect();
    let mse = errors.iter().map(|e| e * e).sum::<f64>() / n;
    let r2 = match (variance > 0.0, mse == 0.0) {
        (true, _) => 1.0 - mse / variance,
        (false, true) => 1.0,
        (false, false) => 0.0,
    };
    Metric::Regression {
        mse,
        r2,
        max_abs_error: errors.iter().fold(0.0, |m, e| f64::max(m, e.abs())),
        items: targets.len(),
    }
}

/// Train every model with `seed` into `<models_dir>/weights/` (the intent head too, which needs
/// the text encoder's files: `ensure_minilm`), check that each meets its target, write the FAQ lookup's
/// index ([`crate::lookup::write_faq_index`]) and write
/// `<models_dir>/registry.json`. Deterministic: the same seed on the same platform reproduces
/// the same files byte for byte.
pub fn regenerate(models_dir: &Path, seed: u64) -> Result<Vec<TrainReport>, TrainError> {
    let weights_dir = models_dir.join(WEIGHTS_DIR);
    let mut reports = Vec::new();
    let mut entries = Vec::new();
    for kind in ModelKind::ALL {
        let report = train(kind.id(), &weights_dir, seed)?;
        let good = match report.metric {
            Metric::Accuracy { held_out, .. } => held_out >= MIN_DIGITS_ACCURACY,
            Metric::Regression { r2, .. } => r2 >= MIN_REGRESSOR_R2,
        };
        if !good {
            return Err(TrainError::BelowTarget {
                model: report.model_id,
                metric: report.metric.to_string(),
            });
        }
        entries.push(RegistryEntry {
            spec: spec_for(kind, &report.weights_sha256),
            weights_file: weights_file_name(kind),
            tokenizer: None,
            encoder: None,
        });
        reports.push(report);
    }
    // The pretrained text encoder is not trained here; its entry is fixed.
    entries.push(crate::registry::minilm_entry());
    let report = train_intent(&weights_dir, seed)?;
    match report.metric {
        Metric::Accuracy { held_out, .. } if held_out >= MIN_INTENT_ACCURACY => {}
        metric => {
            return Err(TrainError::BelowTarget {
                model: report.model_id,
                metric: metric.to_string(),
            })
        }
    }
    entries.push(crate::registry::intent_entry(&report.weights_sha256));
    reports.push(report);
    // The FAQ lookup's index: the encoder's embeddings of the shipped questions (no training).
    entries.push(crate::lookup::write_faq_index(&weights_dir)?);
    // The trainers pin the training recipe (no weights of their own).
    let recipe = weights_dir.join(crate::training_job::RECIPE_FILE);
    std::fs::write(&recipe, crate::training_job::RECIPE).map_err(|source| TrainError::Io {
        path: recipe,
        source,
    })?;
    entries.extend(crate::training_job::trainer_entries());
    let path = models_dir.join(REGISTRY_FILE);
    std::fs::write(&path, registry_json(&entries)?)
        .map_err(|source| TrainError::Io { path, source })?;
    Ok(reports)
}

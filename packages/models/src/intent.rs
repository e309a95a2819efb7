//! `minilm-intent-v1`: the intent of a short English text, one of eight named classes, by a
//! linear head trained by ACN on all-MiniLM-L6-v2 sentence embeddings of a labelled set the
//! project ships (`data/intents.tsv`, written for this project; see `data/README.md`).
//!
//! Training: the pretrained encoder embeds the training texts once on the ndarray CPU backend;
//! the head (384 → 8 logits) is fitted to those embeddings with Adam and cross-entropy on the
//! autodiff ndarray backend, seeded like the zoo's other models ([`crate::train`]): the head's
//! `.bpk` bytes are a function of the seed, the dataset and the encoder's pinned files on a given
//! platform. The engine runs encoder and head as one model: text in, class label out.

use std::path::Path;
use std::time::Instant;

use burn::module::Module;
use burn::nn::loss::CrossEntropyLossConfig;
use burn::nn::{Linear, LinearConfig};
use burn::optim::{AdamConfig, GradientsParams};
use burn::prelude::*;

use crate::data::SplitMix64;
use crate::engine::{sha256_hex, Backend, Engine};
use crate::error::{DataError, EngineError, TrainError};
use crate::minilm::EMBEDDING_DIM;
use crate::registry::{intent_entry, minilm_entry, MINILM_ID, MINILM_MAX_BYTES};
use crate::train::{training_device, Metric, SequentialIds, TrainPlan, TrainReport, TRAIN_LOCK};

/// On-chain id of the intent classifier.
pub const INTENT_ID: &str = "minilm-intent-v1";
/// Its architecture tag: the pretrained encoder, then a linear head from the 384-dim embedding
/// to 8 logits (see [`head_classes`]).
pub const INTENT_ARCHITECTURE: &str = "minilm-l6-v2+linear-384-8";
/// What every text-classifier architecture tag starts with; the number of classes follows.
pub const TEXT_HEAD_ARCHITECTURE_PREFIX: &str = "minilm-l6-v2+linear-384-";
/// The class names, in label order (label `i` is `INTENT_LABELS[i]`).
pub const INTENT_LABELS: [&str; 8] = [
    "weather",
    "music",
    "alarm",
    "travel",
    "food",
    "banking",
    "tech_support",
    "small_talk",
];
/// Within each class, every `INTENT_HELD_OUT_EVERY`-th text (the 4th, 8th, … of the class in
/// file order) is held out: 96 held-out and 288 training texts.
pub const INTENT_HELD_OUT_EVERY: usize = 4;
/// Held-out accuracy the intent classifier must reach to be shipped (the shipped head reaches
/// more; see `tests/minilm.rs`).
pub const MIN_INTENT_ACCURACY: f64 = 0.85;
/// The plan the shipped head was trained with.
pub const INTENT_PLAN: TrainPlan = TrainPlan {
    epochs: 100,
    batch_size: 32,
    learning_rate: 1e-2,
};

/// The labelled texts (`label<TAB>text` per line after a header line).
const INTENTS_TSV: &str = include_str!("../data/intents.tsv");

/// The class count an architecture tag `minilm-l6-v2+linear-384-<classes>` names (at least 2),
/// or `None` if the tag is not a text classifier's.
pub fn head_classes(architecture: &str) -> Option<usize> {
    let digits = architecture.strip_prefix(TEXT_HEAD_ARCHITECTURE_PREFIX)?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) || digits.starts_with('0') {
        return None;
    }
    digits.parse().ok().filter(|&n: &usize| n >= 2)
}

/// Labelled texts.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LabelledTexts {
    /// The texts.
    pub texts: Vec<String>,
    /// The class (index into [`INTENT_LABELS`]) of each text.
    pub labels: Vec<u32>,
}

impl LabelledTexts {
    /// Number of texts.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// True if there are no texts.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    fn push(&mut self, text: String, label: u32) {
        self.texts.push(text);
        self.labels.push(label);
    }
}

/// The intents split into training and held-out texts.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IntentSplit {
    /// Training texts, in file order.
    pub train: LabelledTexts,
    /// Held-out texts, in file order.
    pub held_out: LabelledTexts,
}

/// Load every labelled text of `data/intents.tsv`, in file order. Refuses an unknown label, an
/// empty or over-long text (more than the encoder's 1 024 bytes), a text that appears twice
/// (case and surrounding spaces ignored: it could land in both splits) and a class without texts.
pub fn load_intents() -> Result<LabelledTexts, DataError> {
    parse_intents(INTENTS_TSV)
}

fn parse_intents(tsv: &str) -> Result<LabelledTexts, DataError> {
    let mut all = LabelledTexts::default();
    let mut seen = std::collections::BTreeMap::new();
    let mut lines = tsv.lines().enumerate();
    match lines.next() {
        Some((_, "label\ttext")) => {}
        _ => {
            return Err(DataError::Intents {
                line: 1,
                reason: "the header must be `label<TAB>text`".into(),
            })
        }
    }
    for (index, line) in lines {
        let bad = |reason: String| DataError::Intents {
            line: index + 1,
            reason,
        };
        if line.trim().is_empty() {
            continue;
        }
        let (label, text) = line
            .split_once('\t')
            .ok_or_else(|| bad("expected `label<TAB>text`".into()))?;
        let class = INTENT_LABELS
            .iter()
            .position(|l| *l == label)
            .ok_or_else(|| {
                bad(format!(
                    "unknown label `{label}` (known: {INTENT_LABELS:?})"
                ))
            })?;
        let text = text.trim();
        if text.is_empty() || text.contains('\t') || text.len() > MINILM_MAX_BYTES as usize {
            return Err(bad(format!(
                "the text must be 1..={MINILM_MAX_BYTES} bytes without tabs"
            )));
        }
        if let Some(first) = seen.insert(text.to_lowercase(), index + 1) {
            return Err(bad(format!("the same text as line {first}")));
        }
        all.push(text.to_string(), class as u32);
    }
    if let Some(missing) = (0..INTENT_LABELS.len()).find(|c| !all.labels.contains(&(*c as u32))) {
        return Err(DataError::Intents {
            line: tsv.lines().count(),
            reason: format!("no text of class `{}`", INTENT_LABELS[missing]),
        });
    }
    Ok(all)
}

/// Load the intents and split them: within each class, every 4th text is held out.
pub fn intents_split() -> Result<IntentSplit, DataError> {
    let all = load_intents()?;
    let mut seen = [0usize; INTENT_LABELS.len()];
    let mut split = IntentSplit::default();
    for (text, label) in all.texts.into_iter().zip(all.labels) {
        let k = &mut seen[label as usize];
        *k += 1;
        if *k % INTENT_HELD_OUT_EVERY == 0 {
            split.held_out.push(text, label);
        } else {
            split.train.push(text, label);
        }
    }
    Ok(split)
}

/// The classifier head on top of the text encoder: one linear layer, 384-dim unit embedding →
/// class logits.
#[derive(Module, Debug)]
pub struct TextHead {
    output: Linear,
}

impl TextHead {
    /// A head for `classes` classes with freshly initialised parameters on `device`.
    pub fn init(classes: usize, device: &Device) -> TextHead {
        TextHead {
            output: LinearConfig::new(EMBEDDING_DIM, classes).init(device),
        }
    }

    /// `[inputs, classes]` of the weight matrix (burn's layout).
    pub fn dims(&self) -> [usize; 2] {
        self.output.weight.dims()
    }

    /// Embeddings `[batch, 384]` to logits `[batch, classes]`.
    pub fn forward(&self, embeddings: Tensor<2>) -> Tensor<2> {
        self.output.forward(embeddings)
    }
}

/// Embeddings of `texts` by the text encoder `encoder_id` loaded in `engine`, `[texts, 384]`
/// row-major, in jobs of the model's `max_batch`.
pub fn embed_all(
    engine: &Engine,
    encoder_id: &str,
    texts: &[String],
) -> Result<Vec<f32>, EngineError> {
    let max_batch = engine
        .spec(encoder_id)
        .ok_or_else(|| EngineError::UnknownModel(encoder_id.to_string()))?
        .input
        .max_batch as usize;
    let mut out = Vec::with_capacity(texts.len() * EMBEDDING_DIM);
    for chunk in texts.chunks(max_batch.max(1)) {
        let refs: Vec<&str> = chunk.iter().map(String::as_str).collect();
        out.extend(engine.embed(encoder_id, &refs)?);
    }
    Ok(out)
}

/// Fit a head to embeddings (`[n, 384]` row-major) and their labels: Adam with cross-entropy
/// on the autodiff ndarray backend, `plan.learning_rate` for the first 3/4 of the epochs and a
/// tenth of it afterwards, mini-batches in an order drawn from `seed`, parameters initialised
/// from the backend RNG seeded with `seed`. Callers hold the training lock.
fn fit_head(
    embeddings: &[f32],
    labels: &[u32],
    classes: usize,
    plan: TrainPlan,
    seed: u64,
) -> TextHead {
    let device = training_device();
    device.seed(seed);
    let mut head = TextHead::init(classes, &device);
    let mut optimizer = AdamConfig::new().init();
    let cross_entropy = CrossEntropyLossConfig::new().init(&device);
    let mut rng = SplitMix64::new(seed);
    let mut order: Vec<usize> = (0..labels.len()).collect();
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
            let x: Vec<f32> = chunk
                .iter()
                .flat_map(|&i| &embeddings[i * EMBEDDING_DIM..(i + 1) * EMBEDDING_DIM])
                .copied()
                .collect();
            // [batch, 384]
            let x = Tensor::<2>::from_data(TensorData::new(x, [batch, EMBEDDING_DIM]), &device);
            let t: Vec<i64> = chunk.iter().map(|&i| i64::from(labels[i])).collect();
            // [batch]
            let t = Tensor::<1, Int>::from_data(TensorData::new(t, [batch]), &device);
            // [1]
            let loss = cross_entropy.forward(head.forward(x), t);
            epoch_loss += f64::from(loss.clone().into_scalar::<f32>()) * batch as f64;
            let grads = GradientsParams::from_grads(loss.backward(), &head);
            head = optimizer.step(lr, head, grads);
        }
        tracing::debug!(
            model = INTENT_ID,
            epoch,
            loss = epoch_loss / labels.len() as f64,
            "epoch"
        );
    }
    head
}

/// Train the intent head with `seed`: embed the training texts with the pinned encoder on
/// ndarray, fit the head, write `<out_dir>/minilm-intent-v1.bpk`, then load that file through
/// the engine (sha256-checked, as a worker would) and evaluate it on the held-out texts.
pub fn train_intent(out_dir: &Path, seed: u64) -> Result<TrainReport, TrainError> {
    let split = intents_split()?;
    let mut engine = Engine::new(Backend::Ndarray)?;
    // A text model's files come from the encoder's directory, not from `out_dir`.
    engine.load(&minilm_entry(), out_dir)?;
    let started = Instant::now();
    let embeddings = embed_all(&engine, MINILM_ID, &split.train.texts)?;
    let head = {
        // A poisoned lock only means another run panicked; the RNG is reseeded anyway.
        let _guard = TRAIN_LOCK.lock().unwrap_or_else(|e| e.into_inner());
        fit_head(
            &embeddings,
            &split.train.labels,
            INTENT_LABELS.len(),
            INTENT_PLAN,
            seed,
        )
    };
    let train_seconds = started.elapsed().as_secs_f64();

    std::fs::create_dir_all(out_dir).map_err(|source| TrainError::Io {
        path: out_dir.to_path_buf(),
        source,
    })?;
    let weights_path = out_dir.join(format!("{INTENT_ID}.bpk"));
    head.valid()
        .map(&mut SequentialIds::default())
        .save_file(&weights_path)
        .map_err(|e| TrainError::Record(e.to_string()))?;
    let bytes = std::fs::read(&weights_path).map_err(|source| TrainError::Io {
        path: weights_path.clone(),
        source,
    })?;
    let weights_sha256 = sha256_hex(&bytes);
    engine.load(&intent_entry(&weights_sha256), out_dir)?;
    let metric = evaluate_intent(&engine, INTENT_ID)?;
    tracing::info!(model = INTENT_ID, %metric, train_seconds, "trained");
    Ok(TrainReport {
        model_id: INTENT_ID.to_string(),
        weights_path,
        weights_sha256,
        metric,
        train_seconds,
    })
}

/// The labels a loaded text classifier gives `texts`, in jobs of its `max_batch`.
pub fn classify(
    engine: &Engine,
    model_id: &str,
    texts: &[String],
) -> Result<Vec<u32>, EngineError> {
    let max_batch = engine
        .spec(model_id)
        .ok_or_else(|| EngineError::UnknownModel(model_id.to_string()))?
        .input
        .max_batch as usize;
    let mut labels = Vec::with_capacity(texts.len());
    for chunk in texts.chunks(max_batch.max(1)) {
        let refs: Vec<&str> = chunk.iter().map(String::as_str).collect();
        let input = acn_interface::market::encode_text_items(&refs);
        let output = engine.run(model_id, &input, refs.len() as u32)?;
        labels.extend(
            output
                .chunks_exact(4)
                .map(|w| u32::from_le_bytes([w[0], w[1], w[2], w[3]])),
        );
    }
    Ok(labels)
}

/// Fraction of `set` a loaded text classifier labels correctly, as a [`Metric::Accuracy`].
pub fn accuracy(
    engine: &Engine,
    model_id: &str,
    set: &LabelledTexts,
) -> Result<Metric, TrainError> {
    let labels = classify(engine, model_id, &set.texts)?;
    let correct = labels
        .iter()
        .zip(&set.labels)
        .filter(|(a, b)| a == b)
        .count();
    Ok(Metric::Accuracy {
        held_out: correct as f64 / set.len().max(1) as f64,
        items: set.len(),
    })
}

/// Held-out accuracy of a loaded intent classifier.
pub fn evaluate_intent(engine: &Engine, model_id: &str) -> Result<Metric, TrainError> {
    accuracy(engine, model_id, &intents_split()?.held_out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_intents_split_into_288_training_and_96_held_out_texts() {
        let split = intents_split().unwrap();
        assert_eq!((split.train.len(), split.held_out.len()), (288, 96));
        for class in 0..INTENT_LABELS.len() as u32 {
            let count = |s: &LabelledTexts| s.labels.iter().filter(|&&l| l == class).count();
            assert_eq!((count(&split.train), count(&split.held_out)), (36, 12));
        }
        // No held-out text is also a training text.
        for text in &split.held_out.texts {
            assert!(!split.train.texts.contains(text), "{text}");
        }
    }

    #[test]
    fn malformed_intent_files_are_refused_naming_the_line() {
        let err = |tsv: &str| parse_intents(tsv).unwrap_err().to_string();
        let all = |extra: &str| {
            let mut tsv = "label\ttext\n".to_string();
            for l in INTENT_LABELS {
                tsv.push_str(&format!("{l}\tsomething about {l}\n"));
            }
            tsv + extra
        };
        assert!(parse_intents(&all("")).is_ok());
        assert_eq!(
            err("text\tlabel\n"),
            "intents dataset (data/intents.tsv) line 1: the header must be `label<TAB>text`"
        );
        assert!(err(&all("weather no tab\n")).contains("line 10: expected `label<TAB>text`"));
        assert!(err(&all("sports\tGoal!\n")).contains("line 10: unknown label `sports`"));
        assert!(err(&all("music\t   \n")).contains("line 10: the text must be 1..=1024 bytes"));
        assert!(err(&all("music\tSomething about WEATHER \n"))
            .contains("line 10: the same text as line 2"));
        assert!(err("label\ttext\nweather\tsun?\n").contains("no text of class `music`"));
    }

    #[test]
    fn architecture_tags_name_the_class_count() {
        assert_eq!(head_classes(INTENT_ARCHITECTURE), Some(INTENT_LABELS.len()));
        assert_eq!(head_classes("minilm-l6-v2+linear-384-12"), Some(12));
        for tag in [
            "minilm-l6-v2+linear-384-1",
            "minilm-l6-v2+linear-384-",
            "minilm-l6-v2+linear-384-08",
            "minilm-l6-v2+linear-384-8x",
            "bert-l6-h384-meanpool-l2",
        ] {
            assert_eq!(head_classes(tag), None, "{tag}");
        }
    }
}

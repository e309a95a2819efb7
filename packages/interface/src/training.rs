//! Training jobs: the request a buyer puts in a job's input, and the trained-weights output.
//!
//! A training model (input dtype [`crate::market::DType::Training`], output
//! [`crate::market::OutputSpec::Trained`]) stands for one architecture of the zoo. Its job input
//! is one [`TrainingRequest`] — hyper-parameters, a seed and a dataset carried inline or named by
//! the sha256 of a file the buyer serves — in the binary layout of [`TrainingRequest::encode`].
//! Its output is one [`TrainedOutput`]: a status word, the sha256 of the trained weights file and
//! the held-out metrics in fixed point. Providers train on a deterministic CPU backend, so honest
//! outputs agree bit for bit and the market compares them exactly (tolerance 0): a provider
//! cannot claim good metrics for weights it did not train without being outvoted.
//!
//! The price is by work done: [`TrainingRequest::work_items`] (training steps × batch size, plus
//! one evaluation per held-out item) times the model's `cost_units_per_item`.

use sha2::{Digest, Sha256};

use crate::market::SpecError;

/// First bytes of every encoded request.
pub const TRAINING_MAGIC: [u8; 4] = *b"ACNT";
/// The layout version this crate encodes.
pub const TRAINING_VERSION: u8 = 1;
/// Bytes before the dataset: magic, version, epochs, batch size, learning rate, seed, train
/// and held-out item counts, dataset tag.
pub const TRAINING_HEADER_BYTES: usize = 4 + 1 + 4 + 4 + 4 + 8 + 4 + 4 + 1;
/// Most passes over the training set a request may ask for.
pub const MAX_EPOCHS: u32 = 1_000;
/// Largest mini-batch.
pub const MAX_TRAINING_BATCH: u32 = 4_096;
/// Most items (training + held out) a dataset may hold.
pub const MAX_DATASET_ITEMS: u32 = 1_000_000;
/// Longest URI of a served dataset.
pub const MAX_DATASET_URI_BYTES: usize = 256;
/// Learning rates are given in millionths (1 = 10⁻⁶, 1 000 000 = 1.0).
pub const LEARNING_RATE_SCALE: u32 = 1_000_000;

/// Where the training data comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Dataset {
    /// The items themselves, in the job's input (bounded by the market's `max_input_bytes`).
    Inline(Vec<u8>),
    /// A file the buyer serves over HTTP(S); providers fetch it and train only on bytes whose
    /// sha256 is this one.
    Served {
        /// sha256 of the file.
        sha256: [u8; 32],
        /// `http://` or `https://` URI of the file.
        uri: String,
    },
}

/// One training job: train the model's architecture on a dataset.
///
/// The dataset is `train_items + held_out_items` items of the model's item size (its input
/// spec's `shape[0]` bytes): the first `train_items` train, the rest are only evaluated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TrainingRequest {
    /// Passes over the training items (1..=[`MAX_EPOCHS`]).
    pub epochs: u32,
    /// Items per optimiser step (1..=[`MAX_TRAINING_BATCH`], at most `train_items`).
    pub batch_size: u32,
    /// Adam's learning rate in millionths (1..=[`LEARNING_RATE_SCALE`]); a tenth of it for the
    /// last quarter of the epochs.
    pub learning_rate_ppm: u32,
    /// Seeds the initial weights and the mini-batch order.
    pub seed: u64,
    /// Items trained on (≥ 1).
    pub train_items: u32,
    /// Items evaluated after training (≥ 1).
    pub held_out_items: u32,
    /// The items.
    pub dataset: Dataset,
}

fn bad(field: &str, reason: impl Into<String>) -> SpecError {
    SpecError::BadTrainingRequest {
        field: field.to_string(),
        reason: reason.into(),
    }
}

impl TrainingRequest {
    /// The binary layout (little-endian): `ACNT`, version `1`, epochs `u32`, batch size `u32`,
    /// learning rate `u32` (millionths), seed `u64`, train items `u32`, held-out items `u32`,
    /// then a dataset tag: `0` followed by the dataset's bytes to the end, or `1` followed by
    /// the file's sha256 (32 bytes), the URI's length (`u16`) and the URI.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(TRAINING_HEADER_BYTES);
        out.extend_from_slice(&TRAINING_MAGIC);
        out.push(TRAINING_VERSION);
        out.extend_from_slice(&self.epochs.to_le_bytes());
        out.extend_from_slice(&self.batch_size.to_le_bytes());
        out.extend_from_slice(&self.learning_rate_ppm.to_le_bytes());
        out.extend_from_slice(&self.seed.to_le_bytes());
        out.extend_from_slice(&self.train_items.to_le_bytes());
        out.extend_from_slice(&self.held_out_items.to_le_bytes());
        match &self.dataset {
            Dataset::Inline(items) => {
                out.push(0);
                out.extend_from_slice(items);
            }
            Dataset::Served { sha256, uri } => {
                out.push(1);
                out.extend_from_slice(sha256);
                out.extend_from_slice(&(uri.len() as u16).to_le_bytes());
                out.extend_from_slice(uri.as_bytes());
            }
        }
        out
    }

    /// Decode and check a request for a model whose dataset items are `item_bytes` long:
    /// every field in range, an inline dataset of exactly `(train + held out) × item_bytes`
    /// bytes, a served dataset's URI `http(s)://` and nothing after it. Errors name the field.
    pub fn decode(input: &[u8], item_bytes: u32) -> Result<TrainingRequest, SpecError> {
        let (header, rest) = input
            .split_at_checked(TRAINING_HEADER_BYTES)
            .ok_or_else(|| {
                bad(
                    "header",
                    format!(
                        "{} bytes, a request starts with {TRAINING_HEADER_BYTES}",
                        input.len()
                    ),
                )
            })?;
        if header[..4] != TRAINING_MAGIC {
            return Err(bad("magic", "the request does not start with \"ACNT\""));
        }
        if header[4] != TRAINING_VERSION {
            return Err(bad(
                "version",
                format!("{}, this market reads {TRAINING_VERSION}", header[4]),
            ));
        }
        let u32_at = |at: usize| u32::from_le_bytes(header[at..at + 4].try_into().unwrap());
        let request_fields = (
            u32_at(5),
            u32_at(9),
            u32_at(13),
            u64::from_le_bytes(header[17..25].try_into().unwrap()),
            u32_at(25),
            u32_at(29),
        );
        let (epochs, batch_size, learning_rate_ppm, seed, train_items, held_out_items) =
            request_fields;
        if epochs == 0 || epochs > MAX_EPOCHS {
            return Err(bad(
                "epochs",
                format!("{epochs}, not within 1..={MAX_EPOCHS}"),
            ));
        }
        if train_items == 0 {
            return Err(bad("train_items", "0: there must be something to train on"));
        }
        if held_out_items == 0 {
            return Err(bad("held_out_items", "0: the metrics need held-out items"));
        }
        let items = train_items
            .checked_add(held_out_items)
            .filter(|n| *n <= MAX_DATASET_ITEMS)
            .ok_or_else(|| {
                bad(
                    "held_out_items",
                    format!("train + held-out items exceed {MAX_DATASET_ITEMS}"),
                )
            })?;
        if batch_size == 0 || batch_size > MAX_TRAINING_BATCH.min(train_items) {
            return Err(bad(
                "batch_size",
                format!(
                    "{batch_size}, not within 1..={}",
                    MAX_TRAINING_BATCH.min(train_items)
                ),
            ));
        }
        if learning_rate_ppm == 0 || learning_rate_ppm > LEARNING_RATE_SCALE {
            return Err(bad(
                "learning_rate_ppm",
                format!("{learning_rate_ppm}, not within 1..={LEARNING_RATE_SCALE}"),
            ));
        }
        let dataset = match header[TRAINING_HEADER_BYTES - 1] {
            0 => {
                let expected = items as u64 * item_bytes as u64;
                if rest.len() as u64 != expected {
                    return Err(bad(
                        "dataset",
                        format!(
                            "{} bytes inline, {items} items of {item_bytes} bytes are {expected}",
                            rest.len()
                        ),
                    ));
                }
                Dataset::Inline(rest.to_vec())
            }
            1 => {
                let (sha256, rest) = rest
                    .split_first_chunk::<32>()
                    .ok_or_else(|| bad("dataset_sha256", "the input ends inside the sha256"))?;
                let (len, uri) = rest
                    .split_first_chunk::<2>()
                    .ok_or_else(|| bad("dataset_uri", "the input ends before its length"))?;
                let len = u16::from_le_bytes(*len) as usize;
                if uri.len() != len {
                    return Err(bad(
                        "dataset_uri",
                        format!("{len} bytes announced, {} follow", uri.len()),
                    ));
                }
                let uri = std::str::from_utf8(uri)
                    .map_err(|e| bad("dataset_uri", format!("not UTF-8: {e}")))?;
                let scheme_ok = uri.starts_with("http://") || uri.starts_with("https://");
                if !scheme_ok
                    || uri.len() > MAX_DATASET_URI_BYTES
                    || uri.chars().any(|c| c.is_whitespace() || c.is_control())
                {
                    return Err(bad(
                        "dataset_uri",
                        format!(
                            "must be an http:// or https:// URI of at most \
                             {MAX_DATASET_URI_BYTES} bytes without spaces"
                        ),
                    ));
                }
                Dataset::Served {
                    sha256: *sha256,
                    uri: uri.to_string(),
                }
            }
            tag => {
                return Err(bad(
                    "dataset",
                    format!("tag {tag}: 0 (inline) or 1 (served)"),
                ))
            }
        };
        Ok(TrainingRequest {
            epochs,
            batch_size,
            learning_rate_ppm,
            seed,
            train_items,
            held_out_items,
            dataset,
        })
    }

    /// Optimiser steps per epoch (the last mini-batch may be short).
    pub fn steps_per_epoch(&self) -> u64 {
        (self.train_items as u64).div_ceil(self.batch_size.max(1) as u64)
    }

    /// The work priced: training steps × batch size, plus one item per held-out evaluation.
    /// At most 1 000 × 1 000 000 + 1 000 000 (no overflow).
    pub fn work_items(&self) -> u64 {
        self.epochs as u64 * self.steps_per_epoch() * self.batch_size as u64
            + self.held_out_items as u64
    }

    /// The learning rate as a float.
    pub fn learning_rate(&self) -> f64 {
        self.learning_rate_ppm as f64 / LEARNING_RATE_SCALE as f64
    }
}

/// What a training job's provider reports (see [`TrainedOutput::encode`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u32)]
pub enum TrainingStatus {
    /// Trained: the sha256 and metrics are the result.
    Trained = 0,
    /// The served dataset could not be fetched (no answer, an error status, too large).
    DatasetUnavailable = 1,
    /// The dataset's bytes do not fit the request: another sha256, another length, or items
    /// the architecture cannot take (e.g. a label out of range).
    DatasetMismatch = 2,
}

impl TrainingStatus {
    /// The status of a status word.
    pub fn from_word(word: u32) -> Option<TrainingStatus> {
        match word {
            0 => Some(TrainingStatus::Trained),
            1 => Some(TrainingStatus::DatasetUnavailable),
            2 => Some(TrainingStatus::DatasetMismatch),
            _ => None,
        }
    }
}

/// A training job's output: `status` (`u32`), the trained weights' sha256 (32 bytes; zero
/// unless trained) and one `i32` per metric of the output spec, in fixed point (zero unless
/// trained).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TrainedOutput {
    /// What happened.
    pub status: TrainingStatus,
    /// sha256 of the weights file.
    pub weights_sha256: [u8; 32],
    /// Held-out metrics, `round(value × scale)`.
    pub metrics: Vec<i32>,
}

impl TrainedOutput {
    /// Words before the metrics: status and the sha256's eight.
    pub const HEADER_WORDS: u64 = 9;

    /// The output of a job that could not train (`status` ≠ trained) for `metrics` metrics.
    pub fn failed(status: TrainingStatus, metrics: usize) -> TrainedOutput {
        TrainedOutput {
            status,
            weights_sha256: [0; 32],
            metrics: vec![0; metrics],
        }
    }

    /// The canonical bytes: status `u32` LE, the 32 hash bytes, each metric `i32` LE.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(36 + 4 * self.metrics.len());
        out.extend_from_slice(&(self.status as u32).to_le_bytes());
        out.extend_from_slice(&self.weights_sha256);
        for m in &self.metrics {
            out.extend_from_slice(&m.to_le_bytes());
        }
        out
    }

    /// Decode an output of `metrics` metrics.
    pub fn decode(output: &[u8], metrics: usize) -> Option<TrainedOutput> {
        if output.len() != 36 + 4 * metrics {
            return None;
        }
        let status = TrainingStatus::from_word(u32::from_le_bytes(output[..4].try_into().ok()?))?;
        Some(TrainedOutput {
            status,
            weights_sha256: output[4..36].try_into().ok()?,
            metrics: output[36..]
                .chunks_exact(4)
                .map(|c| i32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect(),
        })
    }

    /// The sha256 as lowercase hex.
    pub fn weights_sha256_hex(&self) -> String {
        cosmwasm_std::HexBinary::from(self.weights_sha256.as_slice()).to_hex()
    }
}

/// sha256 of `bytes`.
pub fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(dataset: Dataset) -> TrainingRequest {
        TrainingRequest {
            epochs: 3,
            batch_size: 4,
            learning_rate_ppm: 2_000,
            seed: 42,
            train_items: 10,
            held_out_items: 2,
            dataset,
        }
    }

    #[test]
    fn inline_and_served_requests_round_trip() {
        let inline = request(Dataset::Inline(vec![7; 12 * 5]));
        assert_eq!(
            TrainingRequest::decode(&inline.encode(), 5).unwrap(),
            inline
        );
        let served = request(Dataset::Served {
            sha256: [9; 32],
            uri: "http://127.0.0.1:8000/digits.bin".into(),
        });
        assert_eq!(
            TrainingRequest::decode(&served.encode(), 5).unwrap(),
            served
        );
        // 3 epochs × ceil(10 / 4) = 3 steps × 4 items, + 2 held out.
        assert_eq!(inline.work_items(), 3 * 3 * 4 + 2);
    }

    #[test]
    fn malformed_requests_name_their_field() {
        let field = |input: &[u8]| match TrainingRequest::decode(input, 5) {
            Err(SpecError::BadTrainingRequest { field, .. }) => field,
            other => panic!("{other:?}"),
        };
        let good = request(Dataset::Inline(vec![0; 60])).encode();
        assert_eq!(field(&good[..10]), "header");
        assert_eq!(field(&good[..good.len() - 1]), "dataset");
        let mut bytes = good.clone();
        bytes[0] = b'X';
        assert_eq!(field(&bytes), "magic");
        let with = |f: &dyn Fn(&mut TrainingRequest)| {
            let mut r = request(Dataset::Inline(vec![0; 60]));
            f(&mut r);
            if let Dataset::Inline(items) = &mut r.dataset {
                items.resize((r.train_items + r.held_out_items) as usize * 5, 0);
            }
            field(&r.encode())
        };
        assert_eq!(with(&|r| r.epochs = 0), "epochs");
        assert_eq!(with(&|r| r.epochs = MAX_EPOCHS + 1), "epochs");
        assert_eq!(with(&|r| r.batch_size = 11), "batch_size");
        assert_eq!(with(&|r| r.learning_rate_ppm = 0), "learning_rate_ppm");
        assert_eq!(with(&|r| r.train_items = 0), "train_items");
        assert_eq!(with(&|r| r.held_out_items = 0), "held_out_items");
        let ftp = request(Dataset::Served {
            sha256: [0; 32],
            uri: "ftp://x".into(),
        });
        assert_eq!(field(&ftp.encode()), "dataset_uri");
        let mut trailing = request(Dataset::Served {
            sha256: [0; 32],
            uri: "http://x".into(),
        })
        .encode();
        trailing.push(0);
        assert_eq!(field(&trailing), "dataset_uri");
    }

    #[test]
    fn the_largest_request_prices_without_overflow() {
        let r = TrainingRequest {
            epochs: MAX_EPOCHS,
            batch_size: 1,
            learning_rate_ppm: 1,
            seed: 0,
            train_items: MAX_DATASET_ITEMS - 1,
            held_out_items: 1,
            dataset: Dataset::Served {
                sha256: [0; 32],
                uri: "http://x".into(),
            },
        };
        assert_eq!(
            r.work_items(),
            MAX_EPOCHS as u64 * (MAX_DATASET_ITEMS as u64 - 1) + 1
        );
    }

    #[test]
    fn outputs_round_trip() {
        let out = TrainedOutput {
            status: TrainingStatus::Trained,
            weights_sha256: sha256(b"weights"),
            metrics: vec![981_000, -5],
        };
        assert_eq!(TrainedOutput::decode(&out.encode(), 2).unwrap(), out);
        assert_eq!(TrainedOutput::decode(&out.encode(), 1), None);
        let hex: String = out
            .weights_sha256
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(out.weights_sha256_hex(), hex);
    }
}

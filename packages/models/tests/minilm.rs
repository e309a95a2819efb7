//! The pretrained text encoder all-MiniLM-L6-v2 on burn: loading (sha256-pinned files),
//! tokenisation, agreement with PyTorch sentence-transformers (the committed reference of
//! `scripts/minilm-reference.sh`) on every backend, and text jobs through the engine.
//!
//! Needs the model files: `bash -c 'source scripts/lib.sh && ensure_minilm'` (the test and demo
//! commands run it).

use std::sync::OnceLock;

use acn_interface::market::encode_text_items;
use acn_models::registry::{minilm_entry, MINILM_ID, MINILM_SCALE};
use acn_models::text::{
    read_verified, TextTokenizer, MINILM_TOKENIZER_FILE, MINILM_TOKENIZER_SHA256,
    MINILM_WEIGHTS_FILE, MINILM_WEIGHTS_SHA256,
};
use acn_models::{Backend, Engine, EngineError};
use sha2::{Digest, Sha256};

const DIM: usize = 384;
const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/data");

fn sentences() -> Vec<String> {
    std::fs::read_to_string(format!("{DATA}/sentences.txt"))
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

fn engine(backend: Backend) -> Engine {
    let mut engine = Engine::new(backend).unwrap();
    engine
        .load(&minilm_entry(), std::path::Path::new("/nonexistent"))
        .unwrap();
    engine
}

fn wgpu() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| engine(Backend::Wgpu))
}

fn cosine(a: &[f32], b: &[f32]) -> f64 {
    let dot = |x: &[f32], y: &[f32]| {
        x.iter()
            .zip(y)
            .map(|(p, q)| f64::from(*p) * f64::from(*q))
            .sum::<f64>()
    };
    dot(a, b) / (dot(a, a).sqrt() * dot(b, b).sqrt())
}

/// The committed PyTorch embeddings and the sentences they are of.
fn reference() -> (Vec<String>, Vec<f32>) {
    let meta: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(format!("{DATA}/minilm-reference.json")).unwrap(),
    )
    .unwrap();
    let n = meta["sentences"].as_u64().unwrap() as usize;
    let texts: Vec<String> = sentences().into_iter().take(n).collect();
    let sha = hex::encode(Sha256::digest(texts.join("\n").as_bytes()));
    assert_eq!(
        meta["sentences_sha256"], sha,
        "sentences.txt changed: rerun scripts/minilm-reference.sh"
    );
    assert_eq!(meta["weights_sha256"], MINILM_WEIGHTS_SHA256);
    let bytes = std::fs::read(format!("{DATA}/minilm-reference.f32")).unwrap();
    assert_eq!(bytes.len(), n * DIM * 4);
    let values = bytes
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect();
    (texts, values)
}

fn assert_matches_pytorch(engine: &Engine) {
    let (texts, reference) = reference();
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    let mut worst = (f64::MAX, 0);
    for (chunk, start) in refs.chunks(16).zip((0..).step_by(16)) {
        let got = engine.embed(MINILM_ID, chunk).unwrap();
        for (i, row) in got.chunks_exact(DIM).enumerate() {
            let k = start + i;
            let c = cosine(row, &reference[k * DIM..(k + 1) * DIM]);
            if c < worst.0 {
                worst = (c, k);
            }
        }
    }
    println!(
        "{}: min cosine vs PyTorch 1 − {:.1e} (sentence {}: {:?})",
        engine.backend(),
        1.0 - worst.0,
        worst.1,
        refs[worst.1]
    );
    assert!(
        worst.0 >= 0.9999,
        "{}: cosine {} on {:?}",
        engine.backend(),
        worst.0,
        refs[worst.1]
    );
}

#[test]
fn minilm_matches_pytorch_reference_on_ndarray() {
    assert_matches_pytorch(&engine(Backend::Ndarray));
}

#[test]
fn minilm_matches_pytorch_reference_on_flex() {
    assert_matches_pytorch(&engine(Backend::Flex));
}

#[test]
fn minilm_matches_pytorch_reference_on_wgpu() {
    assert_matches_pytorch(wgpu());
}

#[test]
fn tokenizer_truncates_to_the_spec_limit_and_marks_the_text() {
    let json = read_verified(MINILM_TOKENIZER_FILE, MINILM_TOKENIZER_SHA256).unwrap();
    let tokenizer = TextTokenizer::from_bytes(&json, 128).unwrap();
    // [CLS] a man is eating food . [SEP]
    assert_eq!(
        tokenizer.ids("A man is eating food.").unwrap(),
        [101, 1037, 2158, 2003, 5983, 2833, 1012, 102]
    );
    let long = sentences()
        .into_iter()
        .find(|s| s.starts_with("The longest"))
        .unwrap();
    let ids = tokenizer.ids(&long).unwrap();
    assert_eq!(ids.len(), 128);
    assert_eq!((ids[0], ids[127]), (101, 102));
    let batch = tokenizer.batch(&["ok", "A man is eating food."]).unwrap();
    assert_eq!((batch.batch, batch.seq), (2, 8));
    assert_eq!(&batch.mask[..8], &[1.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0]);
    assert_eq!(&batch.ids[3..8], &[0, 0, 0, 0, 0]);
}

#[test]
fn similar_sentences_are_closer_than_unrelated_ones() {
    let engine = engine(Backend::Flex);
    let e = engine
        .embed(
            MINILM_ID,
            &[
                "A man is eating food.",
                "A man is eating a piece of bread.",
                "The girl is carrying a baby.",
            ],
        )
        .unwrap();
    let (food, bread, baby) = (&e[..DIM], &e[DIM..2 * DIM], &e[2 * DIM..]);
    for v in [food, bread, baby] {
        assert!((cosine(v, v) - 1.0).abs() < 1e-6);
        let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        assert!((norm - 1.0).abs() < 1e-5, "norm {norm}");
    }
    assert!(cosine(food, bread) > 0.6, "{}", cosine(food, bread));
    assert!(cosine(food, baby) < 0.2, "{}", cosine(food, baby));
}

#[test]
fn a_text_job_gives_fixed_point_embeddings_whatever_the_batch() {
    let engine = engine(Backend::Flex);
    let spec = engine.spec(MINILM_ID).unwrap().clone();
    let texts = [
        "How do I reset my password?",
        "ok",
        "Москва — столица России.",
    ];
    let out = engine
        .run(MINILM_ID, &encode_text_items(&texts), 3)
        .unwrap();
    assert_eq!(out.len(), 3 * DIM * 4);
    let words: Vec<i64> = out
        .chunks_exact(4)
        .map(|c| i64::from(i32::from_le_bytes([c[0], c[1], c[2], c[3]])))
        .collect();
    for row in words.chunks_exact(DIM) {
        let norm = row.iter().map(|w| (*w as f64).powi(2)).sum::<f64>().sqrt();
        assert!(
            (norm / f64::from(MINILM_SCALE) - 1.0).abs() < 1e-4,
            "norm {norm}"
        );
    }
    // Each text alone (no padding) agrees with its row of the padded batch.
    for (i, text) in texts.iter().enumerate() {
        let alone = engine
            .run(MINILM_ID, &encode_text_items(&[*text]), 1)
            .unwrap();
        let row = &out[i * DIM * 4..(i + 1) * DIM * 4];
        assert!(
            acn_models::engine::outputs_agree(&spec, &alone, row),
            "{text}"
        );
    }
}

#[test]
fn text_jobs_refuse_malformed_input() {
    let engine = engine(Backend::Ndarray);
    let two = encode_text_items(&["one", "two"]);
    for (input, batch) in [
        (two.clone(), 3),
        (two.clone(), 1),
        (vec![1, 0, 0, 0, 0xff], 1),
        (two, 0),
    ] {
        let err = engine.run(MINILM_ID, &input, batch).unwrap_err();
        assert!(matches!(err, EngineError::BadInput { .. }), "{err}");
    }
    let too_long = "x".repeat(1025);
    let err = engine
        .run(MINILM_ID, &encode_text_items(&[too_long]), 1)
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("1025 bytes, more than the model's 1024"),
        "{err}"
    );
}

#[test]
fn the_engine_refuses_files_whose_sha256_is_not_registered() {
    let weights = read_verified(MINILM_WEIGHTS_FILE, MINILM_WEIGHTS_SHA256).unwrap();
    let json = read_verified(MINILM_TOKENIZER_FILE, MINILM_TOKENIZER_SHA256).unwrap();
    let spec = minilm_entry().spec;
    let mut engine = Engine::new(Backend::Ndarray).unwrap();
    // A tokenizer with one byte changed.
    let mut other = json.clone();
    other.push(b'\n');
    let err = engine
        .load_text(&spec, weights.clone(), &other, MINILM_TOKENIZER_SHA256)
        .unwrap_err();
    assert!(
        matches!(err, EngineError::TokenizerHashMismatch { .. }),
        "{err}"
    );
    // Weights with one byte changed.
    let mut tampered = weights.clone();
    *tampered.last_mut().unwrap() ^= 1;
    let err = engine
        .load_text(&spec, tampered, &json, MINILM_TOKENIZER_SHA256)
        .unwrap_err();
    assert!(
        matches!(err, EngineError::WeightsHashMismatch { .. }),
        "{err}"
    );
    assert_eq!(engine.models().count(), 0);
    engine
        .load_text(&spec, weights, &json, MINILM_TOKENIZER_SHA256)
        .unwrap();
    assert_eq!(engine.models().collect::<Vec<_>>(), [MINILM_ID]);
}

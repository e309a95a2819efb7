//! The tool step `faq-lookup-v1`: the committed index is what the generator builds from the
//! committed FAQ, pinned by the registry; the engine refuses a tampered index; paraphrased
//! questions, embedded by `minilm-l6-v2` as a provider would, find their FAQ entry with the same
//! bytes on every backend; the answers read as the intents an agent routes them to.
//!
//! Needs the MiniLM files: `bash -c 'source scripts/lib.sh && ensure_minilm'`.

use std::time::Instant;

use acn_interface::market::encode_text_items;
use acn_models::engine::sha256_hex;
use acn_models::intent::{classify, INTENT_ID, INTENT_LABELS};
use acn_models::lookup::{
    build_faq_index, faq_answers, faq_entries, lookup_entry, VectorIndex, LOOKUP_ID,
};
use acn_models::registry::{default_registry_path, default_weights_dir, MINILM_ID};
use acn_models::{load_registry, Backend, Engine, EngineError, RegistryEntry};

/// Paraphrases of FAQ questions (none is a question of the file) and the entry each must find.
const PARAPHRASES: [(&str, &str); 12] = [
    (
        "My debit card is missing, I think someone stole it",
        "card-lost",
    ),
    (
        "What is the maximum amount I can wire per day?",
        "transfer-limit",
    ),
    ("I can't remember my login password", "password-reset"),
    (
        "The application closes by itself every time I start it",
        "app-crash",
    ),
    (
        "Is it possible to move my flight to another day?",
        "flight-change",
    ),
    (
        "What is the luggage limit for my trip?",
        "baggage-allowance",
    ),
    (
        "I'd like to reserve a table for four tonight",
        "table-booking",
    ),
    ("Are there meals without meat?", "vegetarian-menu"),
    ("Wake me up at 6 am tomorrow", "alarm-set"),
    ("Will it be sunny on Saturday?", "weather-forecast"),
    ("How can I play my songs when I'm offline?", "music-offline"),
    ("Hi! How's it going?", "greeting"),
];

fn registry_entry(id: &str) -> RegistryEntry {
    load_registry(&default_registry_path())
        .unwrap()
        .into_iter()
        .find(|e| e.spec.id == id)
        .unwrap()
}

fn labels(out: &[u8]) -> Vec<u32> {
    out.chunks_exact(4)
        .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect()
}

/// The encoder, the lookup and the intent classifier on `backend`, from the registry.
fn engine(backend: Backend) -> Engine {
    let mut engine = Engine::new(backend).unwrap();
    for id in [MINILM_ID, LOOKUP_ID, INTENT_ID] {
        engine
            .load(&registry_entry(id), &default_weights_dir())
            .unwrap();
    }
    engine
}

#[test]
fn the_committed_index_is_the_generator_s_output_and_the_registry_pins_it() {
    let entry = registry_entry(LOOKUP_ID);
    let committed = std::fs::read(default_weights_dir().join(&entry.weights_file)).unwrap();
    // The registry's entry is the crate's for the committed FAQ and the committed file's hash.
    assert_eq!(
        entry,
        lookup_entry(&sha256_hex(&committed), &faq_entries().unwrap())
    );
    // Rebuilt from the committed questions on ndarray: the same bytes.
    let (_, rebuilt) = build_faq_index().unwrap();
    let committed = VectorIndex::from_bytes(&committed).unwrap();
    let max_diff = (0..committed.entries())
        .flat_map(|i| {
            let (a, b) = (committed.vector(i), rebuilt.vector(i));
            a.iter()
                .zip(b)
                .map(|(x, y)| (x - y).abs())
                .collect::<Vec<_>>()
        })
        .max()
        .unwrap();
    println!(
        "index: {} entries × {}, {} bytes, largest difference to a rebuild {max_diff} units",
        committed.entries(),
        committed.dim(),
        committed.to_bytes().len()
    );
    assert_eq!(rebuilt, committed);
}

#[test]
fn a_tampered_or_mismatched_index_is_refused() {
    let entry = registry_entry(LOOKUP_ID);
    let bytes = std::fs::read(default_weights_dir().join(&entry.weights_file)).unwrap();
    let mut engine = Engine::new(Backend::Ndarray).unwrap();
    let mut tampered = bytes.clone();
    *tampered.last_mut().unwrap() ^= 1;
    let e = engine.load_bytes(&entry.spec, tampered).unwrap_err();
    assert!(
        matches!(&e, EngineError::WeightsHashMismatch { model, .. } if model == LOOKUP_ID),
        "{e}"
    );
    assert!(e.to_string().contains("refusing to load"), "{e}");
    // A spec announcing one entry fewer than the (correctly hashed) index holds.
    let mut fewer = entry.spec.clone();
    if let acn_interface::market::OutputSpec::ClassLabels {
        num_classes,
        labels,
    } = &mut fewer.output
    {
        *num_classes -= 1;
        labels.pop();
    }
    let e = engine.load_bytes(&fewer, bytes.clone()).unwrap_err();
    assert_eq!(
        e.to_string(),
        "model `faq-lookup-v1`: invalid weights: the index holds 24 entries of dimension 384, \
         the spec 23 of 384"
    );
    assert_eq!(engine.models().count(), 0);
    engine.load_bytes(&entry.spec, bytes).unwrap();
    assert!(engine.run_raw(LOOKUP_ID, &[0; 1536], 1).is_err());
}

#[test]
fn paraphrased_questions_find_their_entry_with_the_same_bytes_on_every_backend() {
    let faq = faq_entries().unwrap();
    let texts: Vec<&str> = PARAPHRASES.iter().map(|(t, _)| *t).collect();
    let want: Vec<u32> = PARAPHRASES
        .iter()
        .map(|(_, name)| faq.iter().position(|e| e.name == *name).unwrap() as u32)
        .collect();
    let mut outputs = vec![];
    for backend in [Backend::Ndarray, Backend::Flex, Backend::Wgpu] {
        let engine = engine(backend);
        engine.warm_up(LOOKUP_ID).unwrap();
        let embeddings = engine
            .run(MINILM_ID, &encode_text_items(&texts), texts.len() as u32)
            .unwrap();
        let found = engine
            .run(LOOKUP_ID, &embeddings, texts.len() as u32)
            .unwrap();
        let names: Vec<&str> = labels(&found)
            .iter()
            .map(|l| faq[*l as usize].name.as_str())
            .collect();
        assert_eq!(labels(&found), want, "{backend}: {names:?}");
        outputs.push((embeddings, found));
    }
    // The lookup is integer code: each backend's lookup of the ndarray embeddings gives the
    // very bytes ndarray's does.
    for backend in [Backend::Flex, Backend::Wgpu] {
        let engine = engine(backend);
        let found = engine
            .run(LOOKUP_ID, &outputs[0].0, texts.len() as u32)
            .unwrap();
        assert_eq!(found, outputs[0].1, "{backend}");
    }
    // Time per item, a full job of 64 on ndarray.
    let engine = engine(Backend::Ndarray);
    let job: Vec<u8> = outputs[0]
        .0
        .iter()
        .copied()
        .cycle()
        .take(64 * 1536)
        .collect();
    let started = Instant::now();
    let rounds = 200;
    for _ in 0..rounds {
        engine.run(LOOKUP_ID, &job, 64).unwrap();
    }
    let per_item = started.elapsed().as_secs_f64() / f64::from(rounds * 64);
    println!("lookup: {:.2} µs per item (jobs of 64)", per_item * 1e6);
}

#[test]
fn the_answers_read_as_the_intents_of_their_topics() {
    let engine = engine(Backend::Ndarray);
    let answers = faq_answers().unwrap();
    let intents = classify(&engine, INTENT_ID, &answers).unwrap();
    let faq = faq_entries().unwrap();
    let got: Vec<(&str, &str)> = faq
        .iter()
        .zip(&intents)
        .map(|(e, l)| (e.name.as_str(), INTENT_LABELS[*l as usize]))
        .collect();
    // Every answer reads as its topic's intent: the desk an agent routes it to.
    let desks = [
        ("banking", 4),
        ("tech_support", 4),
        ("travel", 4),
        ("food", 4),
        ("alarm", 3),
        ("weather", 2),
        ("music", 2),
        ("small_talk", 1),
    ];
    let want: Vec<&str> = desks
        .iter()
        .flat_map(|(desk, n)| std::iter::repeat_n(*desk, *n))
        .collect();
    let got_desks: Vec<&str> = got.iter().map(|(_, d)| *d).collect();
    assert_eq!(got_desks, want, "{got:?}");
}

/// Rebuild `weights/faq-lookup-v1.idx` and its registry entry in the models directory (the
/// same as `cargo run -p acn-models --example faq_index`).
#[test]
#[ignore = "rewrites weights/faq-lookup-v1.idx and registry.json"]
fn regenerate_the_faq_index() {
    let entry = acn_models::lookup::regenerate_lookup(&acn_models::registry::models_dir()).unwrap();
    println!(
        "{} sha256 {}",
        entry.weights_file, entry.spec.weights_sha256
    );
}

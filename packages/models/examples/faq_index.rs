//! Rebuild the FAQ lookup's vector index and its registry entry.
//!
//!     cargo run -p acn-models --example faq_index
//!
//! Embeds the questions of `data/faq.tsv` with `minilm-l6-v2` on ndarray, writes
//! `weights/faq-lookup-v1.idx` in the models directory (`$ACN_MODELS_DIR`, else the crate's) and
//! puts the `faq-lookup-v1` entry into its `registry.json`, leaving the other entries untouched.

use acn_interface::market::OutputSpec;
use acn_models::lookup::regenerate_lookup;
use acn_models::registry::{models_dir, WEIGHTS_DIR};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = models_dir();
    let entry = regenerate_lookup(&dir)?;
    let path = dir.join(WEIGHTS_DIR).join(&entry.weights_file);
    let entries = match &entry.spec.output {
        OutputSpec::ClassLabels { num_classes, .. } => *num_classes,
        OutputSpec::FixedPoint { .. } | OutputSpec::Trained { .. } => 0,
    };
    println!(
        "{}: {} bytes, sha256 {}, {} entries, {} units per item",
        path.display(),
        std::fs::metadata(&path)?.len(),
        entry.spec.weights_sha256,
        entries,
        entry.spec.cost_units_per_item
    );
    Ok(())
}

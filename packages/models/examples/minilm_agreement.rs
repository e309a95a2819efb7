//! How far apart the backends' text embeddings are: the measurement the on-chain tolerance of
//! `minilm-l6-v2` is chosen from.
//!
//!     cargo run -p acn-models --example minilm_agreement [-- --sentences N]
//!
//! Embeds every line of `data/sentences.txt` (1 261 texts) in jobs of 64 on wgpu, flex and
//! ndarray, then prints, for each pair of backends, the largest element difference (as floats
//! and in fixed-point units of the registered scale), the minimum cosine similarity and whether
//! every job agrees under the registered tolerance; then each backend against the PyTorch
//! reference (`data/minilm-reference.f32`, 64 texts) and its load time and texts per second.

use std::time::Instant;

use acn_interface::market::encode_text_items;
use acn_models::engine::{outputs_agree, to_fixed_point};
use acn_models::registry::{minilm_entry, MINILM_ID, MINILM_SCALE, MINILM_TOLERANCE};
use acn_models::{Backend, Engine};

const DIM: usize = 384;
const JOB: usize = 64;

fn cosine(a: &[f32], b: &[f32]) -> f64 {
    let dot = |x: &[f32], y: &[f32]| {
        x.iter()
            .zip(y)
            .map(|(p, q)| f64::from(*p) * f64::from(*q))
            .sum::<f64>()
    };
    dot(a, b) / (dot(a, a).sqrt() * dot(b, b).sqrt())
}

struct Run {
    backend: Backend,
    load_s: f64,
    embed_s: f64,
    /// `[texts, 384]` raw floats.
    values: Vec<f32>,
    /// Canonical output bytes of each job.
    jobs: Vec<Vec<u8>>,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let limit = args
        .iter()
        .position(|a| a == "--sentences")
        .and_then(|i| args.get(i + 1))
        .map(|n| n.parse::<usize>())
        .transpose()?;
    let data = concat!(env!("CARGO_MANIFEST_DIR"), "/data");
    let text = std::fs::read_to_string(format!("{data}/sentences.txt"))?;
    let mut texts: Vec<&str> = text.lines().collect();
    texts.truncate(limit.unwrap_or(texts.len()));
    let entry = minilm_entry();
    let mut runs = Vec::new();
    for backend in Backend::ALL {
        let t = Instant::now();
        let mut engine = Engine::new(backend)?;
        engine.load(&entry, std::path::Path::new("."))?;
        let load_s = t.elapsed().as_secs_f64();
        engine.warm_up(MINILM_ID)?;
        let t = Instant::now();
        let mut values = Vec::with_capacity(texts.len() * DIM);
        let mut jobs = Vec::new();
        for job in texts.chunks(JOB) {
            let input = encode_text_items(job);
            let raw = engine.run_raw(MINILM_ID, &input, job.len() as u32)?;
            jobs.push(acn_models::engine::encode_output(
                &entry.spec,
                &raw,
                job.len(),
            )?);
            values.extend(raw);
        }
        let embed_s = t.elapsed().as_secs_f64();
        eprintln!("{backend}: {} texts in {embed_s:.1} s", texts.len());
        runs.push(Run {
            backend,
            load_s,
            embed_s,
            values,
            jobs,
        });
    }

    println!(
        "{} texts in jobs of {JOB}; fixed point × {MINILM_SCALE}, registered tolerance {MINILM_TOLERANCE} units\n",
        texts.len()
    );
    println!(
        "| backends | max abs element diff | max diff (units) | 1 − min cosine | jobs agreeing |"
    );
    println!("|---|---|---|---|---|");
    for (i, a) in runs.iter().enumerate() {
        for b in &runs[i + 1..] {
            let max_diff = a
                .values
                .iter()
                .zip(&b.values)
                .map(|(x, y)| (x - y).abs())
                .fold(0f32, f32::max);
            let max_units = a
                .values
                .iter()
                .zip(&b.values)
                .map(|(x, y)| {
                    let (p, q) = (
                        to_fixed_point(*x, MINILM_SCALE),
                        to_fixed_point(*y, MINILM_SCALE),
                    );
                    (i64::from(p.unwrap()) - i64::from(q.unwrap())).abs()
                })
                .max()
                .unwrap_or(0);
            let min_cos = a
                .values
                .chunks_exact(DIM)
                .zip(b.values.chunks_exact(DIM))
                .map(|(x, y)| cosine(x, y))
                .fold(f64::MAX, f64::min);
            let agreeing = a
                .jobs
                .iter()
                .zip(&b.jobs)
                .filter(|(x, y)| outputs_agree(&entry.spec, x, y))
                .count();
            println!(
                "| {} vs {} | {max_diff:.3e} | {max_units} | {:.1e} | {agreeing}/{} |",
                a.backend,
                b.backend,
                1.0 - min_cos,
                a.jobs.len()
            );
        }
    }

    let reference = std::fs::read(format!("{data}/minilm-reference.f32"))?;
    let reference: Vec<f32> = reference
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect();
    let n_ref = (reference.len() / DIM).min(texts.len());
    println!("\n| backend | 1 − min cosine vs PyTorch ({n_ref} texts) | max abs diff vs PyTorch | load (s) | texts/s (jobs of {JOB}, dev profile) |");
    println!("|---|---|---|---|---|");
    for run in &runs {
        let min_cos = run
            .values
            .chunks_exact(DIM)
            .zip(reference.chunks_exact(DIM))
            .take(n_ref)
            .map(|(x, y)| cosine(x, y))
            .fold(f64::MAX, f64::min);
        let max_diff = run
            .values
            .iter()
            .zip(&reference[..n_ref * DIM])
            .map(|(x, y)| (x - y).abs())
            .fold(0f32, f32::max);
        println!(
            "| {} | {:.1e} | {max_diff:.3e} | {:.2} | {:.1} |",
            run.backend,
            1.0 - min_cos,
            run.load_s,
            texts.len() as f64 / run.embed_s
        );
    }
    Ok(())
}

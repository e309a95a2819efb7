//! Inference throughput of the shipped models on a 64-item batch, on wgpu and ndarray.
//!
//! `cargo bench -p acn-models` (plain timing loop, no harness). Each (model, backend) pair is
//! warmed up first (shader compilation is not timed), then runs for about `ACN_BENCH_SECS`
//! seconds (default 3).

use std::time::{Duration, Instant};

use acn_models::data::{digits_split, regression_split};
use acn_models::registry::{default_registry_path, default_weights_dir};
use acn_models::{load_registry, Backend, Engine, ModelKind};

const BATCH: u32 = 64;

fn input(kind: ModelKind) -> Vec<u8> {
    match kind {
        ModelKind::DigitsMlp | ModelKind::DigitsCnn => {
            let held_out = digits_split().map(|s| s.held_out).unwrap_or_default();
            held_out.images[..BATCH as usize]
                .iter()
                .flatten()
                .copied()
                .collect()
        }
        ModelKind::Regressor => regression_split().held_out.features[..BATCH as usize]
            .iter()
            .flatten()
            .flat_map(|v| v.to_le_bytes())
            .collect(),
    }
}

struct Row {
    model: &'static str,
    backend: Backend,
    items_per_s: f64,
    ms_per_batch: f64,
    warm_up_s: f64,
}

fn bench(
    engine: &Engine,
    kind: ModelKind,
    budget: Duration,
) -> Result<Row, Box<dyn std::error::Error>> {
    let input = input(kind);
    let started = Instant::now();
    engine.warm_up(kind.id())?;
    engine.run(kind.id(), &input, BATCH)?;
    let warm_up_s = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let mut batches = 0u64;
    while started.elapsed() < budget || batches < 5 {
        std::hint::black_box(engine.run(kind.id(), std::hint::black_box(&input), BATCH)?);
        batches += 1;
    }
    let seconds = started.elapsed().as_secs_f64();
    Ok(Row {
        model: kind.id(),
        backend: engine.backend(),
        items_per_s: (batches * u64::from(BATCH)) as f64 / seconds,
        ms_per_batch: seconds * 1e3 / batches as f64,
        warm_up_s,
    })
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let budget = Duration::from_secs_f64(
        std::env::var("ACN_BENCH_SECS")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(3.0),
    );
    let registry = load_registry(&default_registry_path())?;
    let mut rows = Vec::new();
    for backend in [Backend::Wgpu, Backend::Ndarray] {
        let mut engine = match Engine::new(backend) {
            Ok(engine) => engine,
            Err(e) => {
                eprintln!("skipping {backend}: {e}");
                continue;
            }
        };
        println!("{backend}: device {}", engine.device_name());
        for entry in &registry {
            engine.load(entry, &default_weights_dir())?;
        }
        for kind in ModelKind::ALL {
            rows.push(bench(&engine, kind, budget)?);
        }
    }
    println!();
    println!(
        "{:<15} {:<8} {:>14} {:>14} {:>12}",
        "model", "backend", "items/s", "ms/batch(64)", "warm-up s"
    );
    for r in &rows {
        println!(
            "{:<15} {:<8} {:>14.0} {:>14.3} {:>12.2}",
            r.model,
            r.backend.name(),
            r.items_per_s,
            r.ms_per_batch,
            r.warm_up_s
        );
    }
    Ok(())
}

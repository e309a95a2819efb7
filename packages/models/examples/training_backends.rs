//! A training job's request trained on each backend: providers train on ndarray (the one the
//! market's exact agreement is defined on); this shows how far flex and wgpu (lavapipe here)
//! land from it — the weights differ in their last bits, the held-out metrics by this much.
//!
//!     cargo run -p acn-models --example training_backends
//!
//! The request: digits-mlp, the first 800 training and 200 held-out digits, 10 epochs of
//! batches of 32, learning rate 0.002; seeds 42, 43 and 44.

use std::time::Instant;

use acn_interface::training::TrainingStatus;
use acn_models::training_job::{reference_digits_request, run_training_on, trainer_spec};
use acn_models::{Backend, Engine, ModelKind};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let spec = trainer_spec(ModelKind::DigitsMlp, "");
    let mut no_fetch = |_: &str, _: &[u8; 32]| Err(TrainingStatus::DatasetUnavailable);
    println!("| seed | backend | held-out accuracy | held-out loss | weights sha256 | same bytes as ndarray | train s |");
    println!("|---|---|---|---|---|---|---|");
    let mut worst = (0i64, 0i64);
    for seed in [42u64, 43, 44] {
        let request = reference_digits_request(seed)?;
        let mut reference = None;
        for backend in [Backend::Ndarray, Backend::Flex, Backend::Wgpu] {
            let engine = Engine::new(backend)?;
            let t = Instant::now();
            let job = run_training_on(
                &spec,
                ModelKind::DigitsMlp,
                &request.encode(),
                &mut no_fetch,
                engine.device(),
            )?;
            let secs = t.elapsed().as_secs_f64();
            let out = job.result;
            let reference = reference.get_or_insert_with(|| out.clone());
            let (da, dl) = (
                (out.metrics[0] as i64 - reference.metrics[0] as i64).abs(),
                (out.metrics[1] as i64 - reference.metrics[1] as i64).abs(),
            );
            worst = (worst.0.max(da), worst.1.max(dl));
            println!(
                "| {seed} | {backend} | {:.4} | {:.4} | {}… | {} | {secs:.1} |",
                out.metrics[0] as f64 / 1e6,
                out.metrics[1] as f64 / 1e6,
                &out.weights_sha256_hex()[..16],
                if out.weights_sha256 == reference.weights_sha256 {
                    "yes"
                } else {
                    "no"
                },
            );
        }
    }
    println!(
        "\nlargest difference from ndarray: accuracy {:.4}, loss {:.4}",
        worst.0 as f64 / 1e6,
        worst.1 as f64 / 1e6
    );
    Ok(())
}

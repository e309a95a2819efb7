//! What one job costs a provider, per model, on a 64-item batch: items/s of the model on burn's
//! wgpu backend, on its ndarray and flex CPU backends and — when `ACN_TORCH_PYTHON` names a Python with torch,
//! as `scripts/bench.sh` arranges — in PyTorch on the CPU with the very same weights; and the
//! worker's own overhead per job (decoding the job from the chain's JSON, checking the input,
//! salt and commitment hash, five journal writes, and the fdatasync its salt shares with the
//! other jobs of the worker's pass) as a share of the model's time.
//!
//! `cargo bench -p acn-worker --bench job` (a plain timing loop, no harness). Every model is
//! warmed up first (shader compilation and autotuning are not timed), then runs for about
//! `ACN_BENCH_SECS` seconds (default 3). PyTorch runs in the same process tree, on the same
//! inputs, and its raw outputs are compared with burn's.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use cosmwasm_std::{Addr, Binary, Timestamp, Uint128};
use rand::RngCore;

use acn_interface::market::{commitment, JobResponse, JobStatus, ModelSpec, Slot};
use acn_models::data::{digits_split, regression_split};
use acn_models::registry::{default_registry_path, default_weights_dir};
use acn_models::{load_registry, Backend, Engine, ModelKind};
use acn_worker::{validate_input, Durability, Entry, Journal, Stage};

const BATCH: u32 = 64;

/// Jobs computed per pass of the worker for the overhead figures: one (an idle worker), and the
/// default capacity of 4 claimed jobs (a busy one).
const PER_PASS: [usize; 2] = [1, 4];

type Error = Box<dyn std::error::Error>;

/// The 64-item input: encoded as on chain, and decoded to the floats the networks take.
fn input(kind: ModelKind) -> Result<(Vec<u8>, Vec<f32>), Error> {
    Ok(match kind {
        ModelKind::DigitsMlp | ModelKind::DigitsCnn => {
            let held_out = digits_split()?.held_out;
            let images = &held_out.images[..BATCH as usize];
            let bytes: Vec<u8> = images.iter().flatten().copied().collect();
            let floats = bytes.iter().map(|&b| f32::from(b)).collect();
            (bytes, floats)
        }
        ModelKind::Regressor => {
            let features = &regression_split().held_out.features[..BATCH as usize];
            let floats: Vec<f32> = features.iter().flatten().copied().collect();
            let bytes = floats.iter().flat_map(|v| v.to_le_bytes()).collect();
            (bytes, floats)
        }
    })
}

/// Items/s and ms per batch of `engine` on `kind`.
fn throughput(engine: &Engine, kind: ModelKind, budget: Duration) -> Result<(f64, f64), Error> {
    let (bytes, _) = input(kind)?;
    engine.warm_up(kind.id())?;
    engine.run(kind.id(), &bytes, BATCH)?;
    let started = Instant::now();
    let mut batches = 0u64;
    while started.elapsed() < budget || batches < 5 {
        std::hint::black_box(engine.run(kind.id(), std::hint::black_box(&bytes), BATCH)?);
        batches += 1;
    }
    let seconds = started.elapsed().as_secs_f64();
    Ok((
        (batches * u64::from(BATCH)) as f64 / seconds,
        seconds * 1e3 / batches as f64,
    ))
}

/// A job as the worker reads it from the chain, as JSON.
fn job_json(spec: &ModelSpec, input: &[u8], id: u64) -> Result<Vec<u8>, Error> {
    let provider = Addr::unchecked("wasm1y9u43m4kkc6hmy8ajdhmw56pyklwrpgz5wez42");
    let job = JobResponse {
        id,
        buyer: Addr::unchecked("wasm1drzcgy4nwx6hdpwl4cygj4haf82dd25ceep960"),
        model_id: spec.id.clone(),
        input: Binary::from(input),
        batch: BATCH,
        redundancy: 2,
        unit_price: Uint128::new(1_000),
        units: 64,
        escrow: Uint128::new(128_000),
        price: Uint128::new(128_000),
        status: JobStatus::Open,
        created_at: Timestamp::from_seconds(1_795_000_000),
        created_height: 1_000,
        commit_deadline: Timestamp::from_seconds(1_795_000_600),
        reveal_deadline: None,
        deadline: Timestamp::from_seconds(1_795_003_600),
        slots: vec![Slot {
            provider,
            claimed_height: 1_001,
            commitment: None,
            output: None,
            revealed_height: None,
            outcome: None,
            paid: Uint128::zero(),
            at_risk: Uint128::new(100_000_000),
        }],
        disputed_at: None,
        result: None,
        audit: None,
        fee: Uint128::zero(),
        refunded: Uint128::zero(),
        pay_denom: None,
        acn_price: None,
        callback: None,
    };
    Ok(serde_json::to_vec(&job)?)
}

/// Mean wall time of the worker's own steps for one job (everything but the model and the
/// chain's round trips), over `jobs` jobs written to a journal in `dir`, when each pass of the
/// worker computes `per_pass` jobs (their salts share one fdatasync, as in `Worker::tick`).
fn overhead_per_job(
    spec: &ModelSpec,
    input: &[u8],
    output: &[u8],
    dir: &Path,
    jobs: u64,
    per_pass: usize,
) -> Result<Duration, Error> {
    let mut journal = Journal::open(&dir.join(format!("{}-{per_pass}.journal", spec.id)))?;
    let address = "wasm1y9u43m4kkc6hmy8ajdhmw56pyklwrpgz5wez42";
    const MARKET: &str = "wasm14hj2tavq8fpesdwxxcu44rty3hh90vhujrvcmstl4zr3txmfvw9s0phg4d";
    let jsons = (0..jobs)
        .map(|id| job_json(spec, input, id))
        .collect::<Result<Vec<_>, _>>()?;
    let started = Instant::now();
    for pass in jsons.chunks(per_pass) {
        let mut entries = vec![];
        for json in pass {
            // The job as the chain returns it (input in base64), and the input check before a
            // claim.
            let job: JobResponse = serde_json::from_slice(json)?;
            validate_input(spec, &job.input, job.batch, 64 * 1024).map_err(|e| e.to_string())?;
            let mut entry = Entry::claimed(job.id, &job.model_id);
            journal.record_with(entry.clone(), Durability::Written)?;
            // After the model: salt, commitment, written.
            let mut salt = [0u8; 32];
            rand::thread_rng().fill_bytes(&mut salt);
            let c = commitment(output, &salt, address, job.id, MARKET);
            entry.output = Some(hex::encode(output));
            entry.salt = Some(hex::encode(salt));
            entry.commitment = Some(hex::encode(c));
            entry.stage = Stage::Computed;
            journal.record_with(entry.clone(), Durability::Written)?;
            entries.push(entry);
        }
        // The pass's one fdatasync, before any commitment is sent.
        journal.sync()?;
        for mut entry in entries {
            for stage in [Stage::Committed, Stage::Revealed, Stage::Finished] {
                entry.stage = stage;
                journal.record_with(entry.clone(), Durability::Written)?;
            }
        }
        // The end of the pass: the buffered lines go to the file in one write.
        journal.flush()?;
    }
    Ok(started.elapsed() / jobs as u32)
}

/// The PyTorch column: (items/s, max |burn − torch| over the raw outputs) per model.
fn torch_column(
    python: &str,
    engine: &Engine,
    dir: &Path,
    budget: Duration,
) -> Result<(String, Vec<(f64, f32)>), Error> {
    let mut models = serde_json::Map::new();
    for kind in ModelKind::ALL {
        let (_, floats) = input(kind)?;
        let params: Vec<serde_json::Value> = engine
            .parameters(kind.id())?
            .into_iter()
            .map(|p| serde_json::json!({"name": p.name, "shape": p.shape, "values": p.values}))
            .collect();
        models.insert(
            kind.id().to_string(),
            serde_json::json!({"batch": BATCH, "input": floats, "params": params}),
        );
    }
    let src = dir.join("torch-in.json");
    let dst = dir.join("torch-out.json");
    std::fs::write(&src, serde_json::to_vec(&models)?)?;
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/torch_bench.py");
    let status = Command::new(python)
        .arg(&script)
        .arg(&src)
        .arg(&dst)
        .arg(budget.as_secs_f64().to_string())
        .status()?;
    if !status.success() {
        return Err(format!("{} failed ({status})", script.display()).into());
    }
    let out: serde_json::Value = serde_json::from_slice(&std::fs::read(&dst)?)?;
    let version = format!(
        "torch {} on {} threads",
        out["torch"].as_str().unwrap_or("?"),
        out["threads"]
    );
    let mut column = vec![];
    for kind in ModelKind::ALL {
        let m = &out["models"][kind.id()];
        let (bytes, _) = input(kind)?;
        let ours = engine.run_raw(kind.id(), &bytes, BATCH)?;
        let theirs: Vec<f32> = m["output"]
            .as_array()
            .ok_or("torch output missing")?
            .iter()
            .map(|v| v.as_f64().unwrap_or(f64::NAN) as f32)
            .collect();
        if theirs.len() != ours.len() {
            return Err(format!("{}: torch gave {} outputs", kind.id(), theirs.len()).into());
        }
        let diff = ours
            .iter()
            .zip(&theirs)
            .map(|(a, b)| (a - b).abs())
            .fold(0f32, f32::max);
        column.push((m["items_per_s"].as_f64().unwrap_or(0.0), diff));
    }
    Ok((version, column))
}

fn main() -> Result<(), Error> {
    let budget = Duration::from_secs_f64(
        std::env::var("ACN_BENCH_SECS")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(3.0),
    );
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR"))?;
    let registry = load_registry(&default_registry_path())?;
    let mut engines = vec![];
    for backend in Backend::ALL {
        match Engine::new(backend) {
            Ok(mut engine) => {
                for entry in &registry {
                    engine.load(entry, &default_weights_dir())?;
                }
                println!("{backend}: device {}", engine.device_name());
                engines.push(engine);
            }
            Err(e) => println!("{backend}: skipped ({e})"),
        }
    }
    let ndarray = engines
        .iter()
        .find(|e| e.backend() == Backend::Ndarray)
        .ok_or("the ndarray backend is always available")?;

    // (items/s, ms per batch) per model, per engine.
    let mut speed = vec![];
    for engine in &engines {
        let mut per_model = vec![];
        for kind in ModelKind::ALL {
            per_model.push(throughput(engine, kind, budget)?);
        }
        speed.push((engine.backend(), per_model));
    }
    let torch = match std::env::var("ACN_TORCH_PYTHON") {
        Ok(python) if !python.is_empty() => {
            match torch_column(&python, ndarray, dir.path(), budget) {
                Ok((version, column)) => {
                    println!("PyTorch: {version}");
                    Some(column)
                }
                Err(e) => {
                    println!("PyTorch: failed ({e})");
                    None
                }
            }
        }
        _ => {
            println!("PyTorch: skipped (ACN_TORCH_PYTHON is not set; scripts/bench.sh sets it)");
            None
        }
    };
    let mut overhead = vec![];
    for kind in ModelKind::ALL {
        let entry = registry
            .iter()
            .find(|e| e.spec.id == kind.id())
            .ok_or("model missing from the registry")?;
        let (bytes, _) = input(kind)?;
        let output = ndarray.run(kind.id(), &bytes, BATCH)?;
        let mut per_pass = vec![];
        for jobs_per_pass in PER_PASS {
            per_pass.push(overhead_per_job(
                &entry.spec,
                &bytes,
                &output,
                dir.path(),
                400,
                jobs_per_pass,
            )?);
        }
        overhead.push(per_pass);
    }

    println!();
    println!("Items/s on a {BATCH}-item batch (higher is better):");
    println!();
    print!("| model |");
    for (backend, _) in &speed {
        print!(" burn {backend} |");
    }
    if torch.is_some() {
        print!(" PyTorch CPU | fastest burn ÷ PyTorch | max abs diff vs burn |");
    }
    println!();
    print!("|---|");
    for _ in &speed {
        print!("---:|");
    }
    if torch.is_some() {
        print!("---:|---:|---:|");
    }
    println!();
    for (i, kind) in ModelKind::ALL.iter().enumerate() {
        print!("| {} |", kind.id());
        for (_, per_model) in &speed {
            print!(" {:.0} |", per_model[i].0);
        }
        if let Some(column) = &torch {
            let best = speed.iter().map(|(_, m)| m[i].0).fold(0f64, f64::max);
            let (items, diff) = column[i];
            print!(" {items:.0} | {:.2}× | {diff:.1e} |", best / items);
        }
        println!();
    }
    println!();
    let passes = PER_PASS.map(|n| n.to_string()).join(" / ");
    println!(
        "Worker overhead per job (decode the job's JSON, check the input, salt + sha256 \
         commitment, 5 journal lines; a pass writes its lines at once and its salts share one \
         fdatasync) with {passes} jobs computed per pass, as a share of the model's time for \
         the {BATCH}-item batch:"
    );
    println!();
    print!("| model | overhead µs/job ({passes} per pass) |");
    for (backend, _) in &speed {
        print!(" model ms ({backend}) | share ({backend}) |");
    }
    println!();
    print!("|---|---:|");
    for _ in &speed {
        print!("---:|---:|");
    }
    println!();
    for (i, kind) in ModelKind::ALL.iter().enumerate() {
        let us: Vec<f64> = overhead[i].iter().map(|d| d.as_secs_f64() * 1e6).collect();
        let cell = |f: &dyn Fn(f64) -> String| us.iter().map(|&u| f(u)).collect::<Vec<_>>();
        print!(
            "| {} | {} |",
            kind.id(),
            cell(&|u| format!("{u:.0}")).join(" / ")
        );
        for (_, per_model) in &speed {
            let ms = per_model[i].1;
            let shares = cell(&|u| format!("{:.1} %", u / 10.0 / ms));
            print!(" {ms:.3} | {} |", shares.join(" / "));
        }
        println!();
    }
    Ok(())
}

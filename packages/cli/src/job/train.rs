//! Training jobs: `acn job train` builds a [`TrainingRequest`] from a dataset file and
//! hyper-parameters (then submits it like any job); `acn job weights` fetches a settled training
//! job's weights from a provider that trained them and checks them against the settled sha256.

use std::path::Path;
use std::time::Duration;

use anyhow::{bail, Context};
use serde::Serialize;

use acn_client::{Chain, ChainExt};
use acn_interface::market::{self, ModelSpec, OutputSpec, SlotOutcome};
use acn_interface::training::{
    sha256, Dataset, TrainedOutput, TrainingRequest, TrainingStatus, LEARNING_RATE_SCALE,
};
use acn_models::training_job::{check_trainer_spec, item_bytes};
use acn_models::ModelKind;

/// How long fetching a weights file from one provider may take.
pub const WEIGHTS_TIMEOUT: Duration = Duration::from_secs(60);

/// What to train: the hyper-parameters and where the dataset is.
#[derive(Clone, Debug, PartialEq)]
pub struct TrainSpec {
    /// Passes over the training items.
    pub epochs: u32,
    /// Items per optimiser step.
    pub batch_size: u32,
    /// Adam's learning rate (e.g. 0.002), sent in millionths.
    pub learning_rate: f64,
    /// Seed of the initial weights and the mini-batch order.
    pub seed: u64,
    /// Items at the end of the dataset kept for evaluation.
    pub held_out: u32,
    /// Where providers download the dataset (the file at `dataset` is then only hashed): `None`
    /// sends the items inline in the job.
    pub dataset_url: Option<String>,
}

/// The dataset items of a trainer from a file: `.csv` rows of the item's values (digits: 64
/// pixels then the label; regressor: 8 features then the target), anything else the raw
/// item bytes.
pub fn dataset_items(spec: &ModelSpec, path: &Path) -> anyhow::Result<Vec<u8>> {
    let kind = check_trainer_spec(spec).map_err(|e| anyhow::anyhow!("{}: {e}", spec.id))?;
    let size = item_bytes(kind) as usize;
    let bytes = std::fs::read(path).with_context(|| format!("read {}", path.display()))?;
    let items = if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"))
    {
        let text = String::from_utf8(bytes).with_context(|| format!("{}", path.display()))?;
        csv_items(kind, &text).with_context(|| format!("{}", path.display()))?
    } else {
        bytes
    };
    if items.is_empty() || items.len() % size != 0 {
        bail!(
            "{}: {} bytes, not a whole number of {size}-byte items of {}",
            path.display(),
            items.len(),
            spec.id
        );
    }
    Ok(items)
}

fn csv_items(kind: ModelKind, text: &str) -> anyhow::Result<Vec<u8>> {
    let values = kind.input_elements() + 1;
    let mut out = Vec::new();
    for (i, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let row: Vec<&str> = line.split(',').map(str::trim).collect();
        if row.len() != values {
            bail!("row {}: {} values, an item has {values}", i + 1, row.len());
        }
        for (j, v) in row.iter().enumerate() {
            let at = || format!("row {}, column {}", i + 1, j + 1);
            match kind {
                ModelKind::DigitsMlp | ModelKind::DigitsCnn => {
                    let b: u8 = v
                        .parse()
                        .with_context(|| format!("{}: {v:?} is not 0–255", at()))?;
                    if j == values - 1 && b >= 10 {
                        bail!("{}: label {b} is not a digit 0–9", at());
                    }
                    out.push(b);
                }
                ModelKind::Regressor => {
                    let f: f32 = v
                        .parse()
                        .with_context(|| format!("{}: {v:?} is not a number", at()))?;
                    if !f.is_finite() {
                        bail!("{}: {v} is not finite", at());
                    }
                    out.extend(f.to_le_bytes());
                }
            }
        }
    }
    Ok(out)
}

/// The request training `spec`'s architecture on `items` with `train`: the last
/// `train.held_out` items are held out; served from `train.dataset_url` when given.
pub fn training_request(
    spec: &ModelSpec,
    items: Vec<u8>,
    train: &TrainSpec,
) -> anyhow::Result<TrainingRequest> {
    let kind = check_trainer_spec(spec).map_err(|e| anyhow::anyhow!("{}: {e}", spec.id))?;
    let count = items.len() / item_bytes(kind) as usize;
    let held_out = train.held_out as usize;
    if held_out == 0 || held_out >= count {
        bail!("--held-out {held_out}: must be within 1..{count} (the dataset has {count} items)");
    }
    let rate = (train.learning_rate * LEARNING_RATE_SCALE as f64).round();
    if !(1.0..=LEARNING_RATE_SCALE as f64).contains(&rate) {
        bail!(
            "--learning-rate {}: must be within 0.000001..=1",
            train.learning_rate
        );
    }
    let request = TrainingRequest {
        epochs: train.epochs,
        batch_size: train.batch_size,
        learning_rate_ppm: rate as u32,
        seed: train.seed,
        train_items: (count - held_out) as u32,
        held_out_items: held_out as u32,
        dataset: match &train.dataset_url {
            None => Dataset::Inline(items),
            Some(uri) => Dataset::Served {
                sha256: sha256(&items),
                uri: uri.clone(),
            },
        },
    };
    // The market's own check, with its error naming the field.
    spec.training_request(&request.encode())
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(request)
}

/// A training job's weights, fetched and checked.
#[derive(Clone, Debug, Serialize)]
pub struct FetchedWeights {
    /// Job id.
    pub job_id: u64,
    /// sha256 of the weights (the job's settled result).
    pub sha256: String,
    /// Size of the file.
    pub bytes: u64,
    /// The provider that served them.
    pub provider: String,
    /// Its endpoint.
    pub endpoint: String,
    /// The held-out metrics by name.
    pub metrics: Vec<(String, f64)>,
    /// Where they were written.
    pub path: String,
}

impl FetchedWeights {
    /// Lines for the terminal.
    pub fn render(&self) -> String {
        let mut out = format!(
            "job {}: weights sha256 {} ({} bytes) from {} ({}), written to {}\n",
            self.job_id, self.sha256, self.bytes, self.provider, self.endpoint, self.path
        );
        for (name, value) in &self.metrics {
            out += &format!("  {name}: {value:.6}\n");
        }
        out
    }
}

/// Fetch the weights of the settled training job `job_id` from the first provider of its
/// agreeing majority that serves them (`<endpoint>/weights/<sha256>`), check their sha256
/// against the settled result and write them to `out`.
pub fn fetch_weights(
    chain: &(impl Chain + ?Sized),
    job_id: u64,
    out: &Path,
) -> anyhow::Result<FetchedWeights> {
    let job: market::JobResponse = chain.market(&market::QueryMsg::Job { id: job_id })?;
    let spec = super::model(chain, &job.model_id)?.spec;
    let OutputSpec::Trained { metrics, scale } = &spec.output else {
        bail!("job {job_id} ran {}, which does not train", spec.id);
    };
    let Some(result) = &job.result else {
        bail!("job {job_id} has no agreed result ({:?})", job.status);
    };
    let trained = TrainedOutput::decode(result, metrics.len())
        .with_context(|| format!("job {job_id}: its result is not a training output"))?;
    if trained.status != TrainingStatus::Trained {
        bail!("job {job_id} trained nothing: {:?}", trained.status);
    }
    let hash = trained.weights_sha256_hex();
    let agent = ureq::AgentBuilder::new().timeout(WEIGHTS_TIMEOUT).build();
    let mut tried = Vec::new();
    for slot in job
        .slots
        .iter()
        .filter(|s| s.outcome == Some(SlotOutcome::Agreed))
    {
        let provider: market::ProviderResponse = chain.market(&market::QueryMsg::Provider {
            address: slot.provider.to_string(),
        })?;
        let Some(endpoint) = provider.hardware.endpoint else {
            tried.push(format!("{}: no endpoint registered", slot.provider));
            continue;
        };
        let url = format!("{}/weights/{hash}", endpoint.trim_end_matches('/'));
        let mut bytes = Vec::new();
        let fetched = agent
            .get(&url)
            .call()
            .map_err(|e| e.to_string())
            .and_then(|r| {
                use std::io::Read;
                r.into_reader()
                    .take(acn_worker::training::MAX_DATASET_BYTES)
                    .read_to_end(&mut bytes)
                    .map_err(|e| e.to_string())
            });
        match fetched {
            Err(e) => tried.push(format!("{url}: {e}")),
            Ok(_) if sha256(&bytes) != trained.weights_sha256 => {
                tried.push(format!("{url}: the file's sha256 is not the job's"))
            }
            Ok(_) => {
                std::fs::write(out, &bytes).with_context(|| format!("write {}", out.display()))?;
                return Ok(FetchedWeights {
                    job_id,
                    sha256: hash,
                    bytes: bytes.len() as u64,
                    provider: slot.provider.to_string(),
                    endpoint,
                    metrics: metrics
                        .iter()
                        .cloned()
                        .zip(trained.metrics.iter().map(|m| *m as f64 / *scale as f64))
                        .collect(),
                    path: out.display().to_string(),
                });
            }
        }
    }
    bail!(
        "no provider of job {job_id} served weights with sha256 {hash}: {}",
        if tried.is_empty() {
            "no agreeing provider".to_string()
        } else {
            tried.join("; ")
        }
    )
}

//! What runs a model: the worker only needs canonical output bytes for an input.

use acn_interface::market::{ModelSpec, OutputSpec};

use crate::config::Behaviour;

/// Runs models and returns canonical output bytes (labels as u32 LE, fixed-point as i32 LE).
pub trait Executor: Send {
    /// Run `spec`'s model on `batch` items of `input`.
    fn execute(&mut self, spec: &ModelSpec, input: &[u8], batch: u32) -> anyhow::Result<Vec<u8>>;
    /// Device the executor runs on, e.g. `llvmpipe`.
    fn device(&self) -> String;
    /// Run a training job of the trainer `spec` (see [`acn_models::training_job`]), fetching a
    /// served dataset with `fetch`.
    fn train(
        &mut self,
        spec: &ModelSpec,
        input: &[u8],
        fetch: &mut acn_models::training_job::FetchDataset<'_>,
    ) -> anyhow::Result<acn_models::training_job::TrainedJob> {
        let _ = (input, fetch);
        anyhow::bail!("this executor does not train ({})", spec.id)
    }
}

/// One burn engine shared by several workers of a process: they take turns on its device.
#[derive(Clone)]
pub struct SharedEngine(pub std::sync::Arc<std::sync::Mutex<acn_models::Engine>>);

impl SharedEngine {
    /// Share `engine`.
    pub fn new(engine: acn_models::Engine) -> Self {
        SharedEngine(std::sync::Arc::new(std::sync::Mutex::new(engine)))
    }
}

impl Executor for SharedEngine {
    fn execute(&mut self, spec: &ModelSpec, input: &[u8], batch: u32) -> anyhow::Result<Vec<u8>> {
        let engine = self
            .0
            .lock()
            .map_err(|_| anyhow::anyhow!("engine lock poisoned"))?;
        Ok(engine.run(&spec.id, input, batch)?)
    }

    fn train(
        &mut self,
        spec: &ModelSpec,
        input: &[u8],
        fetch: &mut acn_models::training_job::FetchDataset<'_>,
    ) -> anyhow::Result<acn_models::training_job::TrainedJob> {
        // The trainer must be loaded (its recipe's hash checked); the training itself runs on
        // the CPU, so the engine's device is left to the other workers meanwhile.
        let loaded = self
            .0
            .lock()
            .map_err(|_| anyhow::anyhow!("engine lock poisoned"))?
            .spec(&spec.id)
            .cloned()
            .ok_or_else(|| anyhow::anyhow!("trainer {} is not loaded", spec.id))?;
        let kind = acn_models::training_job::check_trainer_spec(&loaded)?;
        Ok(acn_models::training_job::run_training(
            &loaded, kind, input, fetch,
        )?)
    }

    fn device(&self) -> String {
        self.0
            .lock()
            .map(|e| e.device_name().to_string())
            .unwrap_or_default()
    }
}

/// Check a job's input before claiming it (same rules as the market contract).
pub fn validate_input(
    spec: &ModelSpec,
    input: &[u8],
    batch: u32,
    max_input_bytes: u32,
) -> anyhow::Result<()> {
    spec.validate_input(input, batch, max_input_bytes)
        .map_err(|e| anyhow::anyhow!("{e}"))
}

/// The burn model engine as an executor.
impl Executor for acn_models::Engine {
    fn execute(&mut self, spec: &ModelSpec, input: &[u8], batch: u32) -> anyhow::Result<Vec<u8>> {
        Ok(self.run(&spec.id, input, batch)?)
    }

    fn train(
        &mut self,
        spec: &ModelSpec,
        input: &[u8],
        fetch: &mut acn_models::training_job::FetchDataset<'_>,
    ) -> anyhow::Result<acn_models::training_job::TrainedJob> {
        Ok(acn_models::Engine::train(self, &spec.id, input, fetch)?)
    }

    fn device(&self) -> String {
        self.device_name().to_string()
    }
}

/// Demo only: corrupt an honest output so the market slashes it (labels shift by one class,
/// fixed-point values move far outside any tolerance).
pub fn corrupt(spec: &ModelSpec, output: &mut [u8]) {
    for chunk in output.chunks_exact_mut(4) {
        let v = u32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
        let bad = match &spec.output {
            OutputSpec::ClassLabels { num_classes, .. } => (v + 1) % num_classes.max(&1),
            OutputSpec::FixedPoint { .. } => (v as i32).wrapping_add(1_000_000) as u32,
            // A weights hash and metrics nobody trained.
            OutputSpec::Trained { .. } => v ^ 0x5a5a_5a5a,
        };
        chunk.copy_from_slice(&bad.to_le_bytes());
    }
}

/// Apply the configured behaviour to an honest output.
pub fn apply_behaviour(behaviour: Behaviour, spec: &ModelSpec, mut output: Vec<u8>) -> Vec<u8> {
    if behaviour == Behaviour::Cheat {
        corrupt(spec, &mut output);
    }
    output
}

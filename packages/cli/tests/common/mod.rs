//! The embedded chain for the role commands' tests: the real contracts with the model zoo's
//! registered specs, funded accounts, providers running the real `acn-worker` loop on burn's
//! ndarray backend, and a block producer, so commands that poll (`acn job wait`) see the chain
//! move as a node's would.

#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use cosmwasm_std::Uint128;

use acn_client::{Chain, ChainExt};
use acn_embedded::EmbeddedChain;
use acn_interface::agents::{AgentParams, DEFAULT_RUN_CALLBACK_GAS};
use acn_interface::market::{self, ModelSpec};
use acn_interface::staking;
use acn_models::{Backend, Engine, RegistryEntry};
use acn_testing::SuiteChain;
use acn_testing::{hardware, SuiteBuilder, TOKEN};
use acn_worker::{Behaviour, Worker, WorkerConfig};

/// The digits MLP of the zoo.
pub const MLP: &str = "digits-mlp-v1";
/// Stake each provider bonds.
pub const PROVIDER_STAKE: u128 = 2_000 * TOKEN;

/// The zoo's registry.
pub fn registry() -> Vec<RegistryEntry> {
    acn_models::load_registry(&acn_models::registry::default_registry_path()).unwrap()
}

/// The zoo's specs (as registered in the market).
pub fn specs() -> Vec<ModelSpec> {
    registry().into_iter().map(|e| e.spec).collect()
}

/// A chain with the zoo's models, `buyer` (10 000 ACN), `holder` (1 000 ACN) and each of
/// `providers` (5 000 ACN) funded; the providers bonded and registered for every model.
pub fn chain(providers: &[&str]) -> Arc<SuiteChain> {
    chain_priced(providers, 50_000)
}

/// [`chain`] with the market's unit price starting at `unit_price` base units (a text model
/// costs 344 000 units per item: at the default price one text would cost 17 200 ACN).
pub fn chain_priced(providers: &[&str], unit_price: u128) -> Arc<SuiteChain> {
    let specs = specs();
    let names: Vec<String> = providers.iter().map(|s| s.to_string()).collect();
    let chain = EmbeddedChain::start(move || {
        let mut b = SuiteBuilder::new()
            .with_market_params(|m| {
                m.models = specs;
                m.initial_unit_price = unit_price;
            })
            .with_funds("buyer", 20_000 * TOKEN)
            .with_funds("holder", 1_000 * TOKEN)
            .with_funds("funder", 1_000 * TOKEN);
        for p in &names {
            b = b.with_funds(p, 5_000 * TOKEN);
        }
        b.build()
    })
    .unwrap();
    for p in providers {
        provide(&chain, p);
    }
    Arc::new(chain)
}

/// A stable-priced market (seeded pool) with the zoo's models at `unit_price` uusdc per unit, the
/// agent registry, providers `p1` and `p2` (5 000 ACN each, bonded and registered), `buyer`
/// holding `buyer_usdc`, and whatever `extend` adds; returned once the oracle has its first TWAP.
pub fn stable_chain(
    unit_price: u128,
    buyer_usdc: u128,
    extend: impl FnOnce(SuiteBuilder) -> SuiteBuilder + Send + 'static,
) -> Arc<SuiteChain> {
    let specs = specs();
    let chain = EmbeddedChain::start(move || {
        let b = SuiteBuilder::new()
            .with_owner_funds(10_000_000 * TOKEN)
            .with_market_params(|m| {
                m.models = specs;
                m.initial_unit_price = unit_price;
                m.params.pricing.window = 86_400;
            })
            .with_funds("p1", 5_000 * TOKEN)
            .with_funds("p2", 5_000 * TOKEN)
            .with_stable("buyer", buyer_usdc)
            .with_stable_pool(500_000 * TOKEN, 25_000 * TOKEN, |_| {})
            .with_agents(AgentParams {
                max_steps: 4,
                max_run_fee: Uint128::new(TOKEN),
                max_callback_gas: DEFAULT_RUN_CALLBACK_GAS,
            });
        extend(b).build()
    })
    .unwrap();
    provide(&chain, "p1");
    provide(&chain, "p2");
    // The oracle's first TWAP (a 30-minute window).
    chain.wait_seconds(1_800).unwrap();
    Arc::new(chain)
}

/// Bond [`PROVIDER_STAKE`] and register `name` for every model of the zoo.
pub fn provide(chain: &dyn Chain, name: &str) {
    let d = chain.deployment().clone();
    chain
        .send_tokens(
            name,
            &d.staking,
            PROVIDER_STAKE,
            &staking::ReceiveMsg::Bond { tier: None },
        )
        .unwrap();
    chain
        .market_exec(
            name,
            &market::ExecuteMsg::RegisterProvider {
                hardware: hardware(),
                models: specs().into_iter().map(|s| s.id).collect(),
                min_unit_price: Uint128::zero(),
            },
        )
        .unwrap();
}

/// Declare `name`'s hardware: `backend`, serving files to buyers at `endpoint`.
pub fn set_endpoint(chain: &dyn Chain, name: &str, backend: Backend, endpoint: &str) {
    let mut hw = hardware();
    hw.backend = backend.name().into();
    hw.endpoint = Some(endpoint.to_string());
    chain
        .market_exec(
            name,
            &market::ExecuteMsg::UpdateProvider {
                hardware: Some(hw),
                models: None,
                min_unit_price: None,
            },
        )
        .unwrap();
}

/// Threads that keep the chain moving: a block every `block_ms`, and a worker per provider.
pub struct Running {
    stop: Arc<AtomicBool>,
    threads: Vec<JoinHandle<()>>,
    /// Each worker's HTTP server (its trained weights), when started with
    /// [`Running::start_on`].
    _servers: Vec<acn_worker::MetricsServer>,
    _journals: tempfile::TempDir,
}

impl Running {
    /// Start producing blocks and run an honest ndarray worker for each of `providers`.
    pub fn start(chain: &Arc<SuiteChain>, providers: &[&str], block_ms: u64) -> Self {
        let on: Vec<(&str, Backend)> = providers.iter().map(|p| (*p, Backend::Ndarray)).collect();
        Self::launch(chain, &on, block_ms, false)
    }

    /// [`Running::start`] with each provider's worker on its backend, serving its trained
    /// weights over HTTP at the endpoint it registers on chain.
    pub fn start_on(chain: &Arc<SuiteChain>, providers: &[(&str, Backend)], block_ms: u64) -> Self {
        Self::launch(chain, providers, block_ms, true)
    }

    fn launch(
        chain: &Arc<SuiteChain>,
        providers: &[(&str, Backend)],
        block_ms: u64,
        serve: bool,
    ) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let journals = tempfile::tempdir().unwrap();
        let mut threads = vec![];
        let mut servers = vec![];
        for &(p, backend) in providers {
            let mut engine = Engine::new(backend).unwrap();
            for entry in registry() {
                engine
                    .load(&entry, &acn_models::registry::default_weights_dir())
                    .unwrap();
            }
            let config = WorkerConfig {
                account: p.to_string(),
                backend,
                models: specs().into_iter().map(|s| s.id).collect(),
                registry: acn_models::registry::default_registry_path(),
                weights_dir: None,
                journal: journals.path().join(format!("{p}.journal")),
                capacity: 4,
                poll_interval_ms: 1,
                min_unit_price: 0,
                max_retries: 4,
                behaviour: Behaviour::Honest,
                chain: None,
                metrics: None,
                trained_dir: None,
            };
            if serve {
                let store =
                    acn_worker::training::TrainedStore::open(&config.trained_dir()).unwrap();
                let server = acn_worker::MetricsServer::start_with_weights(
                    "127.0.0.1:0",
                    Arc::new(acn_worker::Metrics::default()),
                    Some(store),
                )
                .unwrap();
                let endpoint = format!("http://{}", server.local_addr());
                set_endpoint(&**chain, p, backend, &endpoint);
                servers.push(server);
            }
            let mut worker = Worker::new(
                chain.clone() as Arc<dyn Chain + Send + Sync>,
                engine,
                config,
                &specs(),
            )
            .unwrap();
            let stop = stop.clone();
            threads.push(std::thread::spawn(move || {
                worker.run(|| stop.load(Ordering::Relaxed)).unwrap();
            }));
        }
        let (c, s) = (chain.clone(), stop.clone());
        threads.push(std::thread::spawn(move || {
            while !s.load(Ordering::Relaxed) {
                if c.wait_blocks(1).is_err() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(block_ms));
            }
        }));
        Running {
            stop,
            threads,
            _servers: servers,
            _journals: journals,
        }
    }

    /// Stop every thread and wait for it.
    pub fn stop(mut self) {
        self.halt();
    }

    fn halt(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        for t in self.threads.drain(..) {
            t.join().unwrap();
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            self.halt();
        } else {
            self.stop.store(true, Ordering::Relaxed);
        }
    }
}

/// Write `text` to `name` in a fresh temporary directory (kept alive by the returned guard).
pub fn file(name: &str, text: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    (dir, path)
}

/// `n` held-out 8×8 digits as CSV rows, and their true labels.
pub fn digits_csv(n: usize) -> (String, Vec<u8>) {
    let held_out = acn_models::data::digits_split().unwrap().held_out;
    let rows: Vec<String> = held_out.images[..n]
        .iter()
        .map(|img| {
            img.iter()
                .map(|v| v.to_string())
                .collect::<Vec<_>>()
                .join(",")
        })
        .collect();
    (rows.join("\n") + "\n", held_out.labels[..n].to_vec())
}

//! Helpers shared by the worker's tests on the embedded chain: the chain with providers bonded
//! and registered, the real models on burn's ndarray backend, a buyer submitting held-out digits.
#![allow(dead_code)] // each test file uses a part

use std::path::Path;
use std::sync::Arc;

use cosmwasm_std::{Binary, Timestamp, Uint128};

use acn_client::{Chain, ChainError, ChainExt, TxResult};
use acn_embedded::EmbeddedChain;
use acn_interface::market::{self, ModelSpec};
use acn_interface::staking;
use acn_models::{Backend, Engine, RegistryEntry};
use acn_testing::SuiteChain;
use acn_testing::{hardware, SuiteBuilder, TOKEN};
use acn_worker::{Behaviour, Executor, Worker, WorkerConfig};

pub const MLP: &str = "digits-mlp-v1";

pub fn registry() -> Vec<RegistryEntry> {
    acn_models::load_registry(&acn_models::registry::default_registry_path()).unwrap()
}

pub fn specs() -> Vec<ModelSpec> {
    registry().into_iter().map(|e| e.spec).collect()
}

pub fn engine() -> Engine {
    engine_on(Backend::Ndarray)
}

/// Every model of the registry on `backend`.
pub fn engine_on(backend: Backend) -> Engine {
    let mut engine = Engine::new(backend).unwrap();
    for entry in registry() {
        engine
            .load(&entry, &acn_models::registry::default_weights_dir())
            .unwrap();
    }
    engine
}

pub fn chain(providers: &[&str]) -> Arc<SuiteChain> {
    chain_with(providers, |b| b)
}

/// [`chain`] with the suite's builder adjusted by `adjust` (e.g. staking's claim cap).
pub fn chain_with(
    providers: &[&str],
    adjust: impl FnOnce(SuiteBuilder) -> SuiteBuilder + Send + 'static,
) -> Arc<SuiteChain> {
    let specs = specs();
    let names: Vec<String> = providers.iter().map(|s| s.to_string()).collect();
    let chain = EmbeddedChain::start(move || {
        let mut b = SuiteBuilder::new()
            .with_market_params(|m| m.models = specs)
            .with_funds("buyer", 10_000 * TOKEN);
        for p in &names {
            b = b.with_funds(p, 5_000 * TOKEN);
        }
        adjust(b).build()
    })
    .unwrap();
    let d = chain.deployment().clone();
    for p in providers {
        chain
            .send_tokens(
                p,
                &d.staking,
                2_000 * TOKEN,
                &staking::ReceiveMsg::Bond { tier: None },
            )
            .unwrap();
        chain
            .market_exec(
                p,
                &market::ExecuteMsg::RegisterProvider {
                    hardware: hardware(),
                    models: specs_ids(),
                    min_unit_price: Uint128::zero(),
                },
            )
            .unwrap();
    }
    Arc::new(chain)
}

pub fn specs_ids() -> Vec<String> {
    specs().into_iter().map(|s| s.id).collect()
}

pub fn config(account: &str, journal: &Path) -> WorkerConfig {
    WorkerConfig {
        account: account.into(),
        backend: Backend::Ndarray,
        models: specs_ids(),
        registry: acn_models::registry::default_registry_path(),
        weights_dir: None,
        journal: journal.to_path_buf(),
        capacity: 4,
        poll_interval_ms: 1,
        min_unit_price: 0,
        max_retries: 2,
        behaviour: Behaviour::Honest,
        chain: None,
        metrics: None,
        trained_dir: None,
    }
}

pub fn worker<E: Executor>(
    chain: &Arc<SuiteChain>,
    account: &str,
    journal: &Path,
    executor: E,
) -> Worker<E> {
    Worker::new(
        chain.clone() as Arc<dyn Chain + Send + Sync>,
        executor,
        config(account, journal),
        &specs(),
    )
    .unwrap()
}

/// Submit `batch` held-out digits as one job; returns (job id, true labels).
pub fn submit_digits(chain: &SuiteChain, batch: usize, redundancy: u8) -> (u64, Vec<u8>) {
    let (tx, labels) = try_submit_digits(chain, batch, redundancy);
    (tx.unwrap().attr("job_id").unwrap().parse().unwrap(), labels)
}

/// Submit `batch` held-out digits as one job; the submission's result and the true labels.
pub fn try_submit_digits(
    chain: &SuiteChain,
    batch: usize,
    redundancy: u8,
) -> (Result<TxResult, ChainError>, Vec<u8>) {
    let held_out = acn_models::data::digits_split().unwrap().held_out;
    let input: Vec<u8> = held_out.images[..batch].iter().flatten().copied().collect();
    let d = chain.deployment().clone();
    let now = chain.block().unwrap().time;
    let tx = chain.send_tokens(
        "buyer",
        &d.market,
        100 * TOKEN,
        &market::ReceiveMsg::SubmitJob {
            model_id: MLP.into(),
            input: Binary::from(input),
            batch: batch as u32,
            redundancy,
            max_unit_price: Uint128::new(1_000_000),
            deadline: Timestamp::from_seconds(now + 3_600),
            audit_commitment: (redundancy == 1).then(|| {
                cosmwasm_std::HexBinary::from(market::audit_commitment(AUDIT_SECRET).to_vec())
            }),
            callback: None,
        },
    );
    (tx, held_out.labels[..batch].to_vec())
}

/// Submit `texts` as one job of the text model `minilm-l6-v2` (redundancy ≥ 2); the job id.
pub fn submit_texts(chain: &SuiteChain, texts: &[&str], redundancy: u8) -> u64 {
    submit_texts_to(chain, acn_models::registry::MINILM_ID, texts, redundancy)
}

/// Submit `texts` as one job of the text model `model_id` (redundancy ≥ 2); the job id.
pub fn submit_texts_to(chain: &SuiteChain, model_id: &str, texts: &[&str], redundancy: u8) -> u64 {
    let d = chain.deployment().clone();
    let now = chain.block().unwrap().time;
    let tx = chain
        .send_tokens(
            "buyer",
            &d.market,
            100 * TOKEN,
            &market::ReceiveMsg::SubmitJob {
                model_id: model_id.into(),
                input: Binary::from(market::encode_text_items(texts)),
                batch: texts.len() as u32,
                redundancy,
                max_unit_price: Uint128::new(1_000_000),
                deadline: Timestamp::from_seconds(now + 3_600),
                audit_commitment: None,
                callback: None,
            },
        )
        .unwrap();
    tx.attr("job_id").unwrap().parse().unwrap()
}

/// The buyer's audit secret for its redundancy-1 jobs.
pub const AUDIT_SECRET: &[u8] = b"worker test audit secret";

/// The buyer reveals its audit secret once the provider committed (with a single provider no
/// auditor can be drawn, so the job's reveal phase opens at once).
pub fn release(chain: &SuiteChain, id: u64) {
    let tx = chain
        .market_exec(
            "buyer",
            &market::ExecuteMsg::RevealAuditSecret {
                job_id: id,
                secret: Binary::from(AUDIT_SECRET.to_vec()),
            },
        )
        .unwrap();
    assert_eq!(tx.attr("audited"), Some("false"));
}

pub fn job(chain: &SuiteChain, id: u64) -> market::JobResponse {
    chain.market(&market::QueryMsg::Job { id }).unwrap()
}

/// `GET path` over plain HTTP/1.1: (status code, body).
pub fn http_get(addr: std::net::SocketAddr, path: &str) -> (u16, String) {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let (head, body) = response.split_once("\r\n\r\n").unwrap();
    let code = head.split(' ').nth(1).unwrap().parse().unwrap();
    (code, body.to_string())
}

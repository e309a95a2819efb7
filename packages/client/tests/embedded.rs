//! A whole job through the `Chain` trait on the embedded chain, from several threads.

mod common;

use std::sync::Arc;

use acn_client::{Chain, ChainExt, EmbeddedChain};
use acn_testing::{digits_model, SuiteBuilder, TOKEN};

fn chain() -> EmbeddedChain {
    EmbeddedChain::start(|| {
        SuiteBuilder::new()
            .with_market_params(|m| m.models = vec![digits_model()])
            .with_funds("provider", 5_000 * TOKEN)
            .with_funds("buyer", 1_000 * TOKEN)
            .build()
    })
    .unwrap()
}

#[test]
fn a_job_runs_end_to_end_through_the_trait() {
    let chain = chain();
    common::job_end_to_end(&chain, "buyer", "provider");
    let provider = chain.address("provider").unwrap();
    assert_eq!(chain.balance(&provider).unwrap(), 3_000 * TOKEN + 1_940);
}

#[test]
fn contract_errors_are_rejections_not_transient() {
    let chain = chain();
    common::contract_error_is_a_rejection(&chain, "buyer");
}

#[test]
fn the_handle_is_shared_by_threads() {
    let chain = Arc::new(chain());
    let before = chain.block().unwrap().height;
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let c = Arc::clone(&chain);
            std::thread::spawn(move || {
                for _ in 0..10 {
                    c.wait_blocks(1).unwrap();
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    assert_eq!(chain.block().unwrap().height, before + 40);
}

#[test]
fn governance_runs_end_to_end_through_the_trait() {
    let chain = EmbeddedChain::start(|| {
        SuiteBuilder::new()
            .with_market()
            .with_funds("major", 1_000 * TOKEN)
            .with_funds("minor", 1_000 * TOKEN)
            .with_treasury_reserve(10_000 * TOKEN)
            .with_dao(acn_interface::dao::DaoParams {
                deposit: Some(cosmwasm_std::Uint128::new(10 * TOKEN)),
                ..Default::default()
            })
            .build()
    })
    .unwrap();
    let dao = chain.with_suite(|s| s.dao().to_string()).unwrap();
    let d = chain.deployment().clone();
    common::governance_end_to_end(&chain, &d, &dao, ["major", "minor", "late"]);
}

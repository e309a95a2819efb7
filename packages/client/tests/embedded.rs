//! A whole job through the `Chain` trait on the embedded chain, from several threads.

use std::sync::Arc;

use cosmwasm_std::{HexBinary, Uint128};

use acn_client::{Chain, ChainError, ChainExt, EmbeddedChain};
use acn_interface::market::{self, commitment, JobStatus};
use acn_interface::staking;
use acn_testing::{digits_input, digits_model, hardware, labels_output, salt, SuiteBuilder, TOKEN};

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

fn provide(chain: &dyn Chain, name: &str) {
    let d = chain.deployment().clone();
    chain
        .send_tokens(
            name,
            &d.staking,
            2_000 * TOKEN,
            &staking::ReceiveMsg::Bond {},
        )
        .unwrap();
    chain
        .market_exec(
            name,
            &market::ExecuteMsg::RegisterProvider {
                hardware: hardware(),
                models: vec!["digits-mlp-v1".into()],
                min_unit_price: Uint128::zero(),
            },
        )
        .unwrap();
}

#[test]
fn a_job_runs_end_to_end_through_the_trait() {
    let chain = chain();
    provide(&chain, "provider");
    let d = chain.deployment().clone();
    let deadline = cosmwasm_std::Timestamp::from_seconds(chain.block().unwrap().time + 3_600);
    let tx = chain
        .send_tokens(
            "buyer",
            &d.market,
            2_000,
            &market::ReceiveMsg::SubmitJob {
                model_id: "digits-mlp-v1".into(),
                input: digits_input(2),
                batch: 2,
                redundancy: 1,
                max_unit_price: Uint128::new(10_000),
                deadline,
            },
        )
        .unwrap();
    let job_id: u64 = tx.attr("job_id").unwrap().parse().unwrap();

    let open: market::JobsResponse = chain
        .market(&market::QueryMsg::OpenJobs {
            model_id: "digits-mlp-v1".into(),
            start_after: None,
            limit: None,
        })
        .unwrap();
    assert_eq!(open.jobs.len(), 1);

    let provider = chain.address("provider").unwrap();
    let out = labels_output(&[4, 2]);
    let s = salt(9);
    chain
        .market_exec("provider", &market::ExecuteMsg::ClaimJob { job_id })
        .unwrap();
    chain
        .market_exec(
            "provider",
            &market::ExecuteMsg::CommitResult {
                job_id,
                commitment: HexBinary::from(commitment(&out, &s, &provider).to_vec()),
            },
        )
        .unwrap();
    chain.wait_blocks(2).unwrap();
    chain
        .market_exec(
            "provider",
            &market::ExecuteMsg::RevealResult {
                job_id,
                output: out.clone(),
                salt: s,
            },
        )
        .unwrap();
    let job: market::JobResponse = chain.market(&market::QueryMsg::Job { id: job_id }).unwrap();
    assert_eq!(job.status, JobStatus::Settled);
    assert_eq!(job.result, Some(out));
    // 2 items × 1 000 − 3 % fee
    assert_eq!(chain.balance(&provider).unwrap(), 3_000 * TOKEN + 1_940);
}

#[test]
fn contract_errors_are_rejections_not_transient() {
    let chain = chain();
    let err = chain
        .market_exec("buyer", &market::ExecuteMsg::ClaimJob { job_id: 42 })
        .unwrap_err();
    assert!(
        matches!(err, ChainError::Rejected(ref m) if m.contains("job 42 not found")),
        "{err}"
    );
    assert!(!err.is_transient());
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

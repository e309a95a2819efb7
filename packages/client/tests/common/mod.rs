//! Scenarios shared by the embedded and the wasmd tests: plain functions over `&dyn Chain`, so the
//! same steps and assertions run in-process and on a real node.

#![allow(dead_code)]

use cosmwasm_std::{HexBinary, Timestamp, Uint128};

use acn_client::{Chain, ChainError, ChainExt};
use acn_interface::market::{self, commitment, JobStatus};
use acn_interface::staking;
use acn_testing::{digits_input, hardware, labels_output, salt, TOKEN};

/// Stake each provider of the scenario bonds.
pub const PROVIDER_STAKE: u128 = 2_000 * TOKEN;

/// Bond [`PROVIDER_STAKE`] and register `name` as a provider of the digits model.
pub fn provide(chain: &dyn Chain, name: &str) {
    let d = chain.deployment().clone();
    chain
        .send_tokens(
            name,
            &d.staking,
            PROVIDER_STAKE,
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

/// A whole job: the provider bonds and registers, the buyer submits 2 digits at unit price 1 000,
/// the provider claims, commits and reveals; the reveal settles the job and pays the provider
/// 2 000 − 3 % fee. Assumes a fresh deployment with the digits model registered.
pub fn job_end_to_end(chain: &dyn Chain, buyer: &str, provider: &str) {
    let d = chain.deployment().clone();
    let provider_addr = chain.address(provider).unwrap();
    let start = chain.balance(&provider_addr).unwrap();
    let fees_before = chain.treasury_totals().unwrap().deposited.u128();

    provide(chain, provider);
    assert_eq!(
        chain.balance(&provider_addr).unwrap(),
        start - PROVIDER_STAKE
    );
    assert_eq!(
        chain.stake(&provider_addr).unwrap().bonded.u128(),
        PROVIDER_STAKE
    );

    let deadline = Timestamp::from_seconds(chain.block().unwrap().time + 3_600);
    let tx = chain
        .send_tokens(
            buyer,
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
    assert_eq!(open.jobs[0].id, job_id);

    let out = labels_output(&[4, 2]);
    let s = salt(9);
    chain
        .market_exec(provider, &market::ExecuteMsg::ClaimJob { job_id })
        .unwrap();
    chain
        .market_exec(
            provider,
            &market::ExecuteMsg::CommitResult {
                job_id,
                commitment: HexBinary::from(commitment(&out, &s, &provider_addr).to_vec()),
            },
        )
        .unwrap();
    chain.wait_blocks(2).unwrap();
    chain
        .market_exec(
            provider,
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
    assert_eq!(
        chain.balance(&provider_addr).unwrap(),
        start - PROVIDER_STAKE + 1_940
    );
    assert_eq!(
        chain.treasury_totals().unwrap().deposited.u128(),
        fees_before,
        "a 60 fee is below the flush threshold: it waits in the market"
    );
    let totals: market::TotalsResponse = chain.market(&market::QueryMsg::Totals {}).unwrap();
    assert!(totals.fees_pending.u128() >= 60);
    chain
        .market_exec(buyer, &market::ExecuteMsg::FlushFees {})
        .unwrap();
    assert_eq!(
        chain.treasury_totals().unwrap().deposited.u128(),
        fees_before + totals.fees_pending.u128()
    );
}

/// Claiming a job that does not exist is a rejection carrying the contract's message.
pub fn contract_error_is_a_rejection(chain: &dyn Chain, account: &str) {
    let err = chain
        .market_exec(account, &market::ExecuteMsg::ClaimJob { job_id: 42 })
        .unwrap_err();
    assert!(
        matches!(err, ChainError::Rejected(ref m) if m.contains("job 42 not found")),
        "{err}"
    );
    assert!(!err.is_transient());
}

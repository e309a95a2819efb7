//! Scenarios shared by the embedded and the wasmd tests: plain functions over `&dyn Chain`, so the
//! same steps and assertions run in-process and on a real node.

#![allow(dead_code)]

use cosmwasm_std::{Binary, HexBinary, Timestamp, Uint128};

use acn_client::{governance, Chain, ChainError, ChainExt, Deployment};
use acn_interface::market::{self, commitment, JobStatus};
use acn_interface::{dao, staking, token};
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
            &staking::ReceiveMsg::Bond { tier: None },
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
/// the market assigns it the slot; it commits and reveals; the reveal settles the job and pays the provider
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
                audit_commitment: Some(HexBinary::from(
                    market::audit_commitment(b"client audit secret").to_vec(),
                )),
            },
        )
        .unwrap();
    let job_id: u64 = tx.attr("job_id").unwrap().parse().unwrap();

    // the market assigned the slot at submission: the provider finds the job in its list
    let assigned: market::JobsResponse = chain
        .market(&market::QueryMsg::AssignedJobs {
            provider: provider_addr.clone(),
            start_after: None,
            limit: None,
        })
        .unwrap();
    assert_eq!(assigned.jobs.len(), 1);
    assert_eq!(assigned.jobs[0].id, job_id);

    let out = labels_output(&[4, 2]);
    let s = salt(9);
    chain
        .market_exec(
            provider,
            &market::ExecuteMsg::CommitResult {
                job_id,
                commitment: HexBinary::from(
                    commitment(&out, &s, &provider_addr, job_id, &d.market).to_vec(),
                ),
            },
        )
        .unwrap();
    // the buyer reveals its audit secret: with one provider no auditor can be drawn, so the
    // job is not audited and its reveal phase opens
    let tx = chain
        .market_exec(
            buyer,
            &market::ExecuteMsg::RevealAuditSecret {
                job_id,
                secret: Binary::from(b"client audit secret".to_vec()),
            },
        )
        .unwrap();
    assert_eq!(tx.attr("audited"), Some("false"));
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

/// Committing to a job that does not exist is a rejection carrying the contract's message.
pub fn contract_error_is_a_rejection(chain: &dyn Chain, account: &str) {
    let err = chain
        .market_exec(
            account,
            &market::ExecuteMsg::CommitResult {
                job_id: 42,
                commitment: HexBinary::from(vec![0u8; 32]),
            },
        )
        .unwrap_err();
    assert!(
        matches!(err, ChainError::Rejected(ref m) if m.contains("job 42 not found")),
        "{err}"
    );
    assert!(!err.is_transient());
}

/// Gas of the three steps of a proposal (0 on the embedded chain).
pub struct GovernanceGas {
    /// `Propose` (with the CW20 deposit, if any).
    pub propose: u64,
    /// The `Vote` that passes it.
    pub vote: u64,
    /// `Execute` (a market fee change and a treasury grant).
    pub execute: u64,
}

/// Governance end to end on a deployment handed to its DAO: `major` bonds 600 tokens and
/// `minor` 400 (the whole electorate); `minor` proposes a fee change to 5 % plus a 5-token grant
/// to `late` (40 %: open), `major` votes once voting opens (passed), `late` executes once the
/// timelock is over (refused before). Then a fee above 10 % passes the vote and fails at
/// execution with the market's error, changing nothing; and `late`, bonding after a proposal
/// opened, cannot vote on it. Expects `late` to start with no tokens, the treasury to hold a
/// reserve, and a DAO timing short enough to wait out (any on the embedded chain).
pub fn governance_end_to_end(
    chain: &dyn Chain,
    d: &Deployment,
    dao_addr: &str,
    [major, minor, late]: [&str; 3],
) -> GovernanceGas {
    let bond = |account: &str, amount: u128| {
        chain
            .execute(
                account,
                &d.token,
                &token::ExecuteMsg::Send {
                    contract: d.staking.clone(),
                    amount: Uint128::new(amount),
                    msg: cosmwasm_std::to_json_binary(&staking::ReceiveMsg::Bond { tier: None })
                        .unwrap(),
                },
            )
            .unwrap()
    };
    let params = || {
        let cfg: market::ConfigResponse = chain
            .query(&d.market, &market::QueryMsg::Config {})
            .unwrap();
        cfg.params
    };
    let status = |id: u64| governance::proposal(chain, dao_addr, id).unwrap().status;
    let balance = |address: &str| {
        let res: token::BalanceResponse = chain
            .query(
                &d.token,
                &token::QueryMsg::Balance {
                    address: address.to_string(),
                },
            )
            .unwrap();
        res.balance.u128()
    };
    bond(major, 600 * TOKEN);
    bond(minor, 400 * TOKEN);
    chain.wait_blocks(1).unwrap();

    // 1. Fee to 5 % and a grant.
    let mut new_params = params();
    assert_eq!(new_params.protocol_fee_bps, 300);
    new_params.protocol_fee_bps = 500;
    let late_addr = chain.address(late).unwrap();
    assert_eq!(balance(&late_addr), 0);
    let msgs = vec![
        governance::update_market_params(&d.market, new_params.clone()).unwrap(),
        governance::grant(&d.treasury, &late_addr, 5 * TOKEN, "grant").unwrap(),
    ];
    let (id, propose) =
        governance::propose(chain, dao_addr, minor, "Fee and grant", "", msgs).unwrap();
    assert_eq!(status(id), dao::Status::Open);
    governance::wait_for_voting(chain, dao_addr, id).unwrap();
    let vote = governance::vote(chain, dao_addr, major, id, dao::Vote::Yes).unwrap();
    assert_eq!(status(id), dao::Status::Passed);
    let err = governance::execute(chain, dao_addr, late, id).unwrap_err();
    assert!(
        matches!(err, ChainError::Rejected(ref m) if m.contains("cannot execute before")),
        "{err}"
    );
    governance::wait_for_execution(chain, dao_addr, id).unwrap();
    let execute = governance::execute(chain, dao_addr, late, id).unwrap();
    assert_eq!(
        governance::timeline(chain, dao_addr, id).unwrap().phase,
        dao::Phase::Executed
    );
    assert_eq!(status(id), dao::Status::Executed);
    assert_eq!(params().protocol_fee_bps, 500);
    assert_eq!(balance(&late_addr), 5 * TOKEN);

    // 2. A guard rail: refused at execution, nothing changes, the proposal stays passed.
    new_params.protocol_fee_bps = 1_001;
    let msgs = vec![governance::update_market_params(&d.market, new_params).unwrap()];
    let (bad, _) = governance::propose(chain, dao_addr, minor, "Fee to 10.01 %", "", msgs).unwrap();
    governance::wait_for_voting(chain, dao_addr, bad).unwrap();
    governance::vote(chain, dao_addr, major, bad, dao::Vote::Yes).unwrap();
    governance::wait_for_execution(chain, dao_addr, bad).unwrap();
    let err = governance::execute(chain, dao_addr, late, bad).unwrap_err();
    assert!(
        matches!(err, ChainError::Rejected(ref m) if m.contains("exceeds the maximum 1000 bps")),
        "{err}"
    );
    assert_eq!(status(bad), dao::Status::Passed);
    assert_eq!(params().protocol_fee_bps, 500);

    // 3. Weight at the start height: bonded after the proposal opened, `late` cannot vote.
    let (open, _) = governance::propose(chain, dao_addr, minor, "Later", "", vec![]).unwrap();
    chain.wait_blocks(1).unwrap();
    bond(late, 5 * TOKEN);
    chain.wait_blocks(1).unwrap();
    governance::wait_for_voting(chain, dao_addr, open).unwrap();
    let err = governance::vote(chain, dao_addr, late, open, dao::Vote::Yes).unwrap_err();
    assert!(
        matches!(err, ChainError::Rejected(ref m) if m.contains("Unauthorized")),
        "{err}"
    );
    assert_eq!(status(open), dao::Status::Open);
    let listed: Vec<u64> = governance::list(chain, dao_addr, None, 10)
        .unwrap()
        .iter()
        .map(|p| p.id)
        .collect();
    assert_eq!(listed, vec![open, bad, id, 1]);

    GovernanceGas {
        propose: propose.gas_used,
        vote: vote.gas_used,
        execute: execute.gas_used,
    }
}

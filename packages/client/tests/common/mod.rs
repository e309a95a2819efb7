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
                callback: None,
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

/// The stable asset of the stable-priced scenario.
pub const STABLE: &str = "uusdc";

/// Gas of a stable-paid job's messages and of a buyback (0 on the embedded chain).
#[derive(Debug, Default)]
pub struct StableGas {
    /// `SubmitJob` with the stable attached.
    pub submit: u64,
    /// `CommitResult`.
    pub commit: u64,
    /// `RevealAuditSecret` (the buyer's audit decision).
    pub audit: u64,
    /// `RevealResult`, which settles the job and sends the fee to the vault.
    pub reveal_settle: u64,
    /// The vault's `Buyback` (swap, split, burn).
    pub buyback: u64,
}

/// A stable-priced market on a deployment whose pool is seeded (uusdc), whose oracle's window
/// is at most a minute and whose fees go to the buyback vault: the provider bonds and
/// registers; once the oracle prices ACN, the buyer pays a 2-digit redundancy-1 job in uusdc,
/// the provider is paid in uusdc, the fee reaches the vault; the buyer pays a second job in ACN
/// at the TWAP; then anyone's `Buyback` buys ACN with the stable fee and burns 70 % of what it
/// bought and of the ACN fees: the supply falls by exactly that.
pub fn stable_job_and_buyback(chain: &dyn Chain, buyer: &str, provider: &str) -> StableGas {
    use acn_interface::{buyback, oracle};
    let d = chain.deployment().clone();
    let (vault, oracle_addr) = (d.buyback.clone().unwrap(), d.oracle.clone().unwrap());
    let provider_addr = chain.address(provider).unwrap();
    let buyer_addr = chain.address(buyer).unwrap();
    provide(chain, provider);
    // The oracle prices ACN a window after the seed.
    let mut tries = 0;
    while chain
        .query::<_, oracle::TwapResponse>(&oracle_addr, &oracle::QueryMsg::Twap {})
        .is_err()
    {
        tries += 1;
        assert!(tries < 30, "the oracle never priced ACN");
        chain.wait_seconds(10).unwrap();
    }
    let mut gas = StableGas::default();
    let quote = |chain: &dyn Chain| -> market::QuoteResponse {
        chain
            .market(&market::QueryMsg::Quote {
                model_id: "digits-mlp-v1".into(),
                batch: 2,
                redundancy: 1,
                buyer: None,
                input: None,
            })
            .unwrap()
    };
    let q = quote(chain);
    assert_eq!(q.denom.as_deref(), Some(STABLE));
    let price = q.price.u128();
    let secret = b"stable audit secret".to_vec();
    let request = |deadline| market::ExecuteMsg::SubmitJob {
        model_id: "digits-mlp-v1".into(),
        input: digits_input(2),
        batch: 2,
        redundancy: 1,
        max_unit_price: Uint128::new(q.unit_price.u128() * 2),
        deadline,
        audit_commitment: Some(HexBinary::from(market::audit_commitment(&secret).to_vec())),
        callback: None,
    };
    // Runs a submitted job to settlement: commit, the buyer's audit decision, reveal.
    let run = |job_id: u64, gas: &mut StableGas| {
        let out = labels_output(&[4, 2]);
        let s = salt(7);
        let c = commitment(&out, &s, &provider_addr, job_id, &d.market);
        gas.commit = chain
            .market_exec(
                provider,
                &market::ExecuteMsg::CommitResult {
                    job_id,
                    commitment: HexBinary::from(c.to_vec()),
                },
            )
            .unwrap()
            .gas_used;
        gas.audit = chain
            .market_exec(
                buyer,
                &market::ExecuteMsg::RevealAuditSecret {
                    job_id,
                    secret: Binary::from(secret.clone()),
                },
            )
            .unwrap()
            .gas_used;
        chain.wait_blocks(1).unwrap();
        gas.reveal_settle = chain
            .market_exec(
                provider,
                &market::ExecuteMsg::RevealResult {
                    job_id,
                    output: out,
                    salt: s,
                },
            )
            .unwrap()
            .gas_used;
        let job: market::JobResponse = chain.market(&market::QueryMsg::Job { id: job_id }).unwrap();
        assert_eq!(job.status, JobStatus::Settled);
        job
    };

    // 1. Paid in uusdc: the provider is paid in uusdc, the fee goes to the vault.
    let usdc = |who: &str| chain.bank_balance(who, STABLE).unwrap();
    let (buyer_usdc, provider_usdc, vault_usdc) =
        (usdc(&buyer_addr), usdc(&provider_addr), usdc(&vault));
    let deadline = Timestamp::from_seconds(chain.block().unwrap().time + 3_600);
    let msg = serde_json::to_vec(&request(deadline)).unwrap();
    let tx = chain
        .execute_json_with_funds(buyer, &d.market, &msg, &[(STABLE.into(), price)])
        .unwrap();
    gas.submit = tx.gas_used;
    let job_id: u64 = tx.attr("job_id").unwrap().parse().unwrap();
    let job = run(job_id, &mut gas);
    assert_eq!(job.pay_denom.as_deref(), Some(STABLE));
    let fee = job.fee.u128();
    assert_eq!(fee, (price * 300).div_ceil(10_000));
    assert_eq!(usdc(&buyer_addr), buyer_usdc - price);
    assert_eq!(usdc(&provider_addr), provider_usdc + price - fee);
    assert_eq!(usdc(&vault), vault_usdc + fee);
    assert_eq!(usdc(&d.market), 0);

    // 2. Paid in ACN at the TWAP: the same job, the amount sent is the buyer's guard.
    let q = quote(chain);
    let price_acn = q.price_acn.expect("an ACN price").u128();
    let provider_acn = chain.balance(&provider_addr).unwrap();
    let deadline = Timestamp::from_seconds(chain.block().unwrap().time + 3_600);
    let hook = market::ReceiveMsg::SubmitJob {
        model_id: "digits-mlp-v1".into(),
        input: digits_input(2),
        batch: 2,
        redundancy: 1,
        max_unit_price: Uint128::new(q.unit_price.u128() * 2),
        deadline,
        audit_commitment: Some(HexBinary::from(market::audit_commitment(&secret).to_vec())),
        callback: None,
    };
    let tx = chain
        .send_tokens(buyer, &d.market, price_acn, &hook)
        .unwrap();
    let acn_job: u64 = tx.attr("job_id").unwrap().parse().unwrap();
    let mut acn_gas = StableGas::default();
    let job = run(acn_job, &mut acn_gas);
    assert_eq!((job.pay_denom.clone(), job.price.u128()), (None, price_acn));
    let acn_fee = job.fee.u128();
    assert_eq!(
        chain.balance(&provider_addr).unwrap(),
        provider_acn + price_acn - acn_fee
    );
    chain
        .market_exec(buyer, &market::ExecuteMsg::FlushFees {})
        .unwrap();

    // 3. Anyone buys back: 70 % of the bought ACN and of the ACN fee is burned.
    let supply = chain.total_supply().unwrap();
    let tx = chain
        .execute("keeper", &vault, &buyback::ExecuteMsg::Buyback {})
        .unwrap();
    gas.buyback = tx.gas_used;
    let st: buyback::StateResponse = chain.query(&vault, &buyback::QueryMsg::State {}).unwrap();
    assert_eq!(st.totals.buys, 1);
    assert_eq!(st.totals.stable_spent.u128(), vault_usdc + fee);
    let bought = st.totals.acn_bought.u128();
    assert!(bought > 0);
    let held = bought + acn_fee;
    let burned = held * 7_000 / 10_000;
    assert_eq!(st.totals.burned.u128(), burned);
    assert_eq!(supply - chain.total_supply().unwrap(), burned);
    gas
}

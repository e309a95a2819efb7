//! Redundancy 1 only with verification (issue 12, item 7): the buyer's secret decides, after the
//! provider committed, whether a second drawn provider re-executes the job; a redundancy-1 job
//! may not pay more than cheating can lose.

use acn_interface::market::{self, ExecuteMsg, JobStatus, MarketParams, ReceiveMsg};
use acn_market::audit::max_unverified_pay;
use acn_market::risk;
use acn_market::ContractError;
use acn_testing::*;
use cosmwasm_std::{Binary, HexBinary, Uint128};

const DIGITS: &str = "digits-mlp-v1";

fn market_error(err: anyhow::Error) -> ContractError {
    err.downcast::<ContractError>()
        .expect("a market contract error")
}

fn suite_with(providers: &[&str], unit_price: u128) -> Suite {
    let mut suite = SuiteBuilder::new()
        .with_market_params(|m| {
            m.models = vec![digits_model()];
            m.initial_unit_price = unit_price;
            m.params.max_active_jobs_per_provider = u32::MAX;
        })
        .with_funds("buyer", 100_000 * TOKEN)
        .build();
    for p in providers {
        suite.make_provider(p, PROVIDER_STAKE, &[DIGITS]).unwrap();
    }
    suite
}

/// What a refused submission must leave untouched.
fn balances(suite: &Suite) -> (u128, u128, market::TotalsResponse) {
    (
        suite.balance_of("buyer"),
        suite.balance(suite.market()),
        suite.market_totals(),
    )
}

fn hook(
    batch: u32,
    redundancy: u8,
    audit: Option<HexBinary>,
    deadline: cosmwasm_std::Timestamp,
) -> ReceiveMsg {
    ReceiveMsg::SubmitJob {
        model_id: DIGITS.into(),
        input: digits_input(batch),
        batch,
        redundancy,
        max_unit_price: Uint128::new(u128::MAX),
        deadline,
        audit_commitment: audit,
        callback: None,
    }
}

fn send(suite: &mut Suite, pay: u128, hook: &ReceiveMsg) -> anyhow::Result<()> {
    let (who, m) = (suite.addr("buyer"), suite.market());
    suite.send_tokens(&who, &m, pay, hook).map(drop)
}

/// Expected gain of cheating on a redundancy-1 job paying `pay`, in base units × 10 000:
/// (10 000 − p)·pay − p·slash, with slash the first-offence wrong-result slash of the slot's
/// stake at risk.
fn cheat_gain(params: &MarketParams, pay: u128) -> i128 {
    let at_risk = risk::slot_at_risk(params, Uint128::new(pay), 1)
        .unwrap()
        .u128();
    let slash = at_risk * params.wrong_result_slash_bps as u128 / 10_000;
    let p = params.audit_bps as i128;
    (10_000 - p) * pay as i128 - p * slash as i128
}

#[test]
fn cheating_on_a_redundancy_one_job_loses_money_at_the_defaults() {
    // A cheater gains the pay when not audited and loses its slot's stake at risk when caught:
    // E = (1 − p)·pay − p·max(100 ACN, 10 × pay). At p = 10 % that is negative at every price,
    // so the defaults need no price bound.
    let params = MarketParams::default();
    assert_eq!(
        (
            params.audit_bps,
            params.wrong_result_slash_bps,
            params.slot_stake_multiple,
            params.min_slot_stake.u128()
        ),
        (1_000, 10_000, 10, 100 * TOKEN)
    );
    assert_eq!(max_unverified_pay(&params), None);
    // the typical demo job (64 digits at 1 000 per unit) risks 100 ACN to gain 0.064 ACN:
    // E = 0.9 × 64 000 − 0.1 × 100 000 000 = −9 942 400 base units ≈ −9.94 ACN per job
    assert_eq!(cheat_gain(&params, 64_000) / 10_000, -9_942_400);
    // where the minimum and the multiple meet (10 ACN) and above, E = −0.1 × pay
    assert_eq!(cheat_gain(&params, 10 * TOKEN) / 10_000, -(TOKEN as i128));
    assert_eq!(
        cheat_gain(&params, 1_000_000 * TOKEN) / 10_000,
        -100_000 * TOKEN as i128
    );
    for pay in [1, 1_000, 11_111_112, 50 * TOKEN, 10_000_000_000 * TOKEN] {
        assert!(cheat_gain(&params, pay) < 0, "cheating pays at {pay}");
    }

    // With a smaller multiple (5 × pay) the minimum stake carries the deterrence alone, and the
    // bound is the largest pay it still covers: 100 ACN × 1/9 = 11.111111 ACN.
    let weaker = MarketParams {
        slot_stake_multiple: 5,
        ..params
    };
    let max = max_unverified_pay(&weaker).unwrap().u128();
    assert_eq!(max, 11_111_111);
    assert_eq!(
        cheat_gain(&weaker, max),
        -1_000,
        "at the bound cheating loses (0.1 base unit per job)"
    );
    assert!(
        cheat_gain(&weaker, max + 1) > 0,
        "one base unit above, it would pay"
    );
}

#[test]
fn a_redundancy_one_job_needs_an_audit_commitment_and_a_bounded_price() {
    // Under a 5 × pay stake multiple (see above) the bound is 11.111111 ACN. Unit price 200 000:
    // 64 items cost 12.8 ACN, above it; 55 cost 11.
    let mut suite = SuiteBuilder::new()
        .with_market_params(|m| {
            m.models = vec![digits_model()];
            m.initial_unit_price = 200_000;
            m.params.max_active_jobs_per_provider = u32::MAX;
            m.params.slot_stake_multiple = 5;
        })
        .with_funds("buyer", 100_000 * TOKEN)
        .build();
    for p in ["p1", "p2"] {
        suite.make_provider(p, PROVIDER_STAKE, &[DIGITS]).unwrap();
    }
    let deadline = suite.default_deadline();
    let before = balances(&suite);
    let secret_hash = HexBinary::from(market::audit_commitment(b"s").to_vec());
    let cases = [
        (
            hook(1, 1, None, deadline),
            ContractError::AuditCommitmentRequired {},
        ),
        (
            hook(1, 1, Some(HexBinary::from(vec![1u8; 31])), deadline),
            ContractError::InvalidAuditCommitment {
                reason: "must be 32 bytes, got 31".into(),
            },
        ),
        (
            hook(1, 2, Some(secret_hash.clone()), deadline),
            ContractError::InvalidAuditCommitment {
                reason: "only redundancy-1 jobs carry one".into(),
            },
        ),
        (
            hook(64, 1, Some(secret_hash.clone()), deadline),
            ContractError::PayAboveAuditBound {
                price: Uint128::new(12_800_000),
                max: Uint128::new(11_111_111),
            },
        ),
    ];
    for (h, expected) in cases {
        let err = send(&mut suite, 13 * TOKEN, &h).unwrap_err();
        assert_eq!(market_error(err), expected);
        assert_eq!(balances(&suite), before, "nothing moved");
    }
    // within the bound it is accepted; larger jobs need redundancy 2
    send(
        &mut suite,
        11 * TOKEN,
        &hook(55, 1, Some(secret_hash), deadline),
    )
    .unwrap();
    send(&mut suite, 26 * TOKEN, &hook(64, 2, None, deadline)).unwrap();
}

#[test]
fn about_one_revealed_secret_in_ten_sends_the_job_to_an_auditor() {
    const JOBS: u32 = 400;
    let names = ["p1", "p2", "p3", "p4"];
    // The 400 jobs stay open: each slot locks only 10 × its pay (no 100 ACN minimum), so the
    // exposure cap never binds and the audit draw is measured alone. (At a 10 × multiple a
    // redundancy-1 job needs no price bound whatever the minimum.)
    let mut suite = SuiteBuilder::new()
        .with_market_params(|m| {
            m.models = vec![digits_model()];
            m.initial_unit_price = 1_000;
            m.params.max_active_jobs_per_provider = u32::MAX;
            m.params.min_slot_stake = Uint128::one();
        })
        .with_funds("buyer", 100_000 * TOKEN)
        .build();
    for p in names {
        suite.make_provider(p, PROVIDER_STAKE, &[DIGITS]).unwrap();
    }
    let mut audited = 0;
    for k in 0..JOBS {
        let id = suite.submit_digits("buyer", 1, 1).unwrap();
        let [provider] = suite.assigned_names(id, &names)[..] else {
            panic!("one slot")
        };
        suite
            .commit_result(provider, id, &labels_output(&[k % 10]), &salt(1))
            .unwrap();
        if let Some(auditor) = suite.audit(id).unwrap() {
            audited += 1;
            let job = suite.job(id);
            assert_eq!((job.redundancy, job.slots.len()), (2, 2));
            assert!(auditor != job.slots[0].provider && auditor != job.buyer);
            assert_eq!(job.status, JobStatus::Open, "the auditor must commit first");
            assert_eq!(job.audit.unwrap().audited, Some(true));
        } else {
            let job = suite.job(id);
            assert_eq!(
                job.status,
                JobStatus::Revealing,
                "no audit: reveals open at once"
            );
            assert_eq!(job.audit.unwrap().audited, Some(false));
        }
    }
    let share = audited as f64 / JOBS as f64;
    let sigma = (0.1f64 * 0.9 / JOBS as f64).sqrt();
    assert!(
        (share - 0.1).abs() <= 4.0 * sigma,
        "{audited}/{JOBS} audited"
    );
    println!("{audited} of {JOBS} redundancy-1 jobs audited ({share:.3}; audit_bps 1 000)");
}

/// Submit redundancy-1 jobs until one is audited; the provider commits `output`.
fn first_audited(
    suite: &mut Suite,
    names: &[&'static str],
    output: &Binary,
) -> (u64, &'static str, cosmwasm_std::Addr) {
    for _ in 0..200 {
        let id = suite.submit_digits("buyer", 1, 1).unwrap();
        let provider = suite.assigned_names(id, names)[0];
        suite.commit_result(provider, id, output, &salt(1)).unwrap();
        if let Some(auditor) = suite.audit(id).unwrap() {
            return (id, provider, auditor);
        }
        // not audited: finish it honestly
        suite.reveal_result(provider, id, output, &salt(1)).unwrap();
    }
    panic!("no audit in 200 jobs");
}

#[test]
fn an_audited_cheater_is_caught_and_the_job_is_disputed() {
    let names = ["p1", "p2", "p3"];
    let mut suite = suite_with(&names, 1_000);
    let lie = labels_output(&[9]);
    let (id, cheater, auditor) = first_audited(&mut suite, &names, &lie);
    // the cheater cannot reveal (and show its output to the auditor) before the auditor commits
    let err = suite
        .reveal_result(cheater, id, &lie, &salt(1))
        .unwrap_err();
    assert_eq!(market_error(err), ContractError::RevealNotOpen { id });
    // the auditor computes the true label
    let truth = labels_output(&[0]);
    suite.commit_as(&auditor, id, &truth, &salt(2)).unwrap();
    assert_eq!(suite.job(id).status, JobStatus::Revealing);
    suite.reveal_result(cheater, id, &lie, &salt(1)).unwrap();
    let m = suite.market();
    suite
        .execute(
            &auditor,
            &m,
            &ExecuteMsg::RevealResult {
                job_id: id,
                output: truth,
                salt: salt(2),
            },
        )
        .unwrap();
    // two disagreeing outputs: no majority, the job is disputed and the cheater is not paid
    let job = suite.job(id);
    assert_eq!(job.status, JobStatus::Disputed);
    assert!(job.slots.iter().all(|s| s.paid.is_zero()));
}

#[test]
fn an_audited_honest_provider_and_its_auditor_share_the_pool() {
    let names = ["p1", "p2", "p3"];
    let mut suite = suite_with(&names, 1_000);
    let out = labels_output(&[3]);
    let (id, provider, auditor) = first_audited(&mut suite, &names, &out);
    suite.commit_as(&auditor, id, &out, &salt(2)).unwrap();
    suite.reveal_result(provider, id, &out, &salt(1)).unwrap();
    let m = suite.market();
    suite
        .execute(
            &auditor,
            &m,
            &ExecuteMsg::RevealResult {
                job_id: id,
                output: out,
                salt: salt(2),
            },
        )
        .unwrap();
    let job = suite.job(id);
    assert_eq!(job.status, JobStatus::Settled);
    // 1 000 − 30 fee = 970, split 485 / 485: the auditor is paid from the job's own pool
    assert_eq!(
        job.slots.iter().map(|s| s.paid.u128()).collect::<Vec<_>>(),
        vec![485, 485]
    );
}

#[test]
fn only_the_buyer_reveals_the_right_secret_once_after_the_commit() {
    let names = ["p1", "p2", "p3"];
    let mut suite = suite_with(&names, 1_000);
    let id = suite.submit_digits("buyer", 1, 1).unwrap();
    let provider = suite.assigned_names(id, &names)[0];
    let buyer = suite.addr("buyer");
    let reveal = |suite: &mut Suite, who: &cosmwasm_std::Addr, secret: Binary| {
        let m = suite.market();
        suite.execute(
            who,
            &m,
            &ExecuteMsg::RevealAuditSecret { job_id: id, secret },
        )
    };
    let not_open = |reason: &str| ContractError::AuditNotOpen {
        id,
        reason: reason.into(),
    };
    let job_before = suite.job(id);
    // before the provider commits
    let err = reveal(&mut suite, &buyer, audit_secret(&buyer)).unwrap_err();
    assert_eq!(
        market_error(err),
        not_open("its provider has not committed yet")
    );
    suite
        .commit_result(provider, id, &labels_output(&[1]), &salt(1))
        .unwrap();
    // a provider cannot reveal the buyer's secret, nor anyone a wrong one
    let p = suite.addr(provider);
    let err = reveal(&mut suite, &p, audit_secret(&buyer)).unwrap_err();
    assert_eq!(market_error(err), ContractError::NotBuyer { id });
    let err = reveal(&mut suite, &buyer, Binary::from(b"guess".to_vec())).unwrap_err();
    assert_eq!(market_error(err), ContractError::AuditSecretMismatch {});
    assert_eq!(suite.job(id).audit, job_before.audit, "still undecided");
    // without the secret the provider waits for the end of the commit window
    let out = labels_output(&[1]);
    let err = suite
        .reveal_result(provider, id, &out, &salt(1))
        .unwrap_err();
    assert_eq!(market_error(err), ContractError::RevealNotOpen { id });
    // once the window is over the job goes on unaudited, and the secret is too late
    suite.advance_time(600);
    let err = reveal(&mut suite, &buyer, audit_secret(&buyer)).unwrap_err();
    assert_eq!(market_error(err), not_open("its commit window is closed"));
    suite.reveal_result(provider, id, &out, &salt(1)).unwrap();
    assert_eq!(suite.job(id).status, JobStatus::Settled);
    // and a job without an audit commitment has nothing to reveal
    let id2 = suite.submit_digits("buyer", 1, 2).unwrap();
    let m = suite.market();
    let err = suite
        .execute(
            &buyer,
            &m,
            &ExecuteMsg::RevealAuditSecret {
                job_id: id2,
                secret: audit_secret(&buyer),
            },
        )
        .unwrap_err();
    assert_eq!(
        market_error(err),
        ContractError::AuditNotOpen {
            id: id2,
            reason: "it carries no audit commitment".into(),
        }
    );
}

//! `acn stake` on the embedded chain: bond, unbond, claim and rewards move exactly the amounts
//! given in whole ACN, the unbonding maturity prints as a date, and bad amounts are refused by
//! the `acn` binary before it connects to anything.

mod common;

use std::process::Command;

use acn_cli::stake;
use acn_client::amount::{format_utc, parse_tokens, tokens};
use acn_client::{Chain, ChainExt};
use acn_interface::staking;
use acn_testing::{DAY, TOKEN};

use common::chain;

#[test]
fn bond_unbond_and_claim_move_the_exact_amounts_and_print_the_maturity_date() {
    let chain = chain(&[]);
    let holder = chain.address("holder").unwrap();
    let start = chain.balance(&holder).unwrap();

    let bonded = stake::bond(&*chain, "holder", parse_tokens("12.5").unwrap(), None).unwrap();
    assert_eq!(bonded.status.bonded, 12_500_000);
    assert_eq!(bonded.status.balance, start - 12_500_000);
    assert_eq!(bonded.status.weight, 12);
    assert!(
        bonded.render().starts_with("bonded 12.5 ACN\n"),
        "{}",
        bonded.render()
    );

    let now = chain.block().unwrap().time;
    let unbonding = stake::unbond(&*chain, "holder", parse_tokens("2.000001").unwrap()).unwrap();
    let claim = unbonding.claim.clone().unwrap();
    let matures = now + 14 * DAY;
    assert_eq!(claim.amount, 2_000_001);
    assert_eq!(claim.matures_at, Some(matures));
    assert!(!claim.matured);
    assert_eq!(unbonding.status.bonded, 10_499_999);
    assert_eq!(unbonding.status.unbonding, 2_000_001);
    let text = unbonding.render();
    assert!(
        text.starts_with(&format!(
            "unbonding 2.000001 ACN; claimable from {} (in 14 days)\n",
            format_utc(matures)
        )),
        "{text}"
    );
    let json = serde_json::to_value(&unbonding).unwrap();
    assert_eq!(json["claim"]["matures_at"], matures);

    // Too early: refused with the date; more than bonded: refused with the amounts.
    let err = stake::claim(&*chain, "holder").unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "nothing to claim yet: 2.000001 ACN matures {} (in 14 days)",
            format_utc(matures)
        )
    );
    let err = stake::unbond(&*chain, "holder", 11 * TOKEN).unwrap_err();
    assert_eq!(
        err.to_string(),
        "holder has 10.499999 ACN bonded, less than the 11 ACN to unbond"
    );
    let err = stake::bond(&*chain, "holder", 0, None).unwrap_err();
    assert_eq!(
        err.to_string(),
        "bond 0 ACN: give an amount above 0, such as 12.5"
    );

    chain.wait_seconds(14 * DAY).unwrap();
    let status = stake::status(&*chain, &holder).unwrap();
    assert!(status.claims[0].matured);
    assert!(
        status
            .render()
            .contains("claim          2.000001 ACN matured"),
        "{}",
        status.render()
    );
    let claimed = stake::claim(&*chain, "holder").unwrap();
    assert_eq!(claimed.amount, 2_000_001);
    assert_eq!(claimed.status.balance, start - 10_499_999);
    assert_eq!(claimed.status.unbonding, 0);
    assert!(claimed.status.claims.is_empty());
    let err = stake::claim(&*chain, "holder").unwrap_err();
    assert_eq!(
        err.to_string(),
        "nothing to claim: holder has no unbonding claims"
    );
}

#[test]
fn rewards_show_what_is_pending_and_claim_pays_exactly_that() {
    let chain = chain(&[]);
    let holder = chain.address("holder").unwrap();
    stake::bond(&*chain, "holder", 100 * TOKEN, None).unwrap();
    let d = chain.deployment().clone();
    chain
        .send_tokens(
            "funder",
            &d.staking,
            70 * TOKEN,
            &staking::ReceiveMsg::DistributeRewards {},
        )
        .unwrap();
    // Rewards stream over 7 days; after the whole stream the sole staker has them all (but
    // rounding dust).
    chain.wait_seconds(8 * DAY).unwrap();
    let status = stake::status(&*chain, &holder).unwrap();
    let pending = status.pending_rewards;
    assert!(pending > 69 * TOKEN && pending <= 70 * TOKEN, "{pending}");
    assert!(status
        .render()
        .contains(&format!("pending rewards  {}", tokens(pending))));
    let before = chain.balance(&holder).unwrap();
    let claimed = stake::claim_rewards(&*chain, "holder").unwrap();
    assert_eq!(claimed.amount, pending);
    assert_eq!(chain.balance(&holder).unwrap(), before + pending);
    assert_eq!(claimed.status.pending_rewards, 0);
}

#[test]
fn a_provider_cannot_unbond_the_stake_its_jobs_lock() {
    let chain = chain(&["p1"]);
    let p1 = chain.address("p1").unwrap();
    let spec = acn_cli::job::model(&*chain, common::MLP).unwrap().spec;
    let (csv, _) = common::digits_csv(2);
    let (_d, path) = common::file("d.csv", &csv);
    let input = acn_cli::job::read_input(&spec, &path, None).unwrap();
    let secrets = acn_cli::job::SecretStore::new(tempfile::tempdir().unwrap().keep());
    acn_cli::job::submit(
        &*chain,
        "buyer",
        &acn_cli::job::SubmitRequest {
            model_id: common::MLP.into(),
            input,
            redundancy: Some(1),
            max_unit_price: None,
            max_price: None,
            pay_acn: false,
            deadline_secs: None,
        },
        &secrets,
    )
    .unwrap();
    let status = stake::status(&*chain, &p1).unwrap();
    assert_eq!(status.locked, 100 * TOKEN, "the minimum slot stake");
    let err = stake::unbond(&*chain, "p1", 2_000 * TOKEN).unwrap_err();
    assert_eq!(
        err.to_string(),
        "p1 can unbond at most 1900 ACN: 100 ACN of its bonded stake is locked by unfinished jobs"
    );
}

/// Run `acn ARGS…`; (success, stdout, stderr).
fn acn(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_acn"))
        .args(args)
        .output()
        .expect("run acn");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn the_binary_refuses_bad_amounts_before_connecting() {
    for (amount, expected) in [
        (
            "1.0000001",
            "\"1.0000001\" has 7 decimals, but ACN has 6: the smallest amount is 0.000001 ACN",
        ),
        (
            "1e6",
            "\"1e6\" is not an amount of ACN: expected digits with at most one '.', such as 12 or 12.5",
        ),
        (
            "12,5",
            "\"12,5\" is not an amount of ACN: expected digits with at most one '.', such as 12 or 12.5",
        ),
    ] {
        let (ok, _, stderr) = acn(&[
            "stake",
            "--rpc",
            "http://127.0.0.1:1",
            "bond",
            "--from",
            "holder",
            amount,
        ]);
        assert!(!ok);
        assert!(
            stderr.contains(&format!("invalid value '{amount}' for '<AMOUNT>': {expected}")),
            "{stderr}"
        );
    }
    // A well-formed amount passes parsing and fails only at the connection.
    let (ok, _, stderr) = acn(&[
        "stake",
        "--rpc",
        "http://127.0.0.1:1",
        "--deployment",
        "/nonexistent/deployment.json",
        "bond",
        "--from",
        "holder",
        "12.5",
    ]);
    assert!(!ok);
    assert!(stderr.contains("/nonexistent/deployment.json"), "{stderr}");
}

#[test]
fn bond_at_a_lock_tier_shows_the_tier_and_unbonds_after_the_lock() {
    let chain = chain(&[]);
    let bonded = stake::bond(&*chain, "holder", 100 * TOKEN, Some(2)).unwrap();
    let s = &bonded.status;
    assert_eq!(
        (s.tier, s.reward_bps, s.lock_seconds),
        (2, 15_000, 180 * DAY)
    );
    let text = s.render();
    assert!(
        text.contains("  lock tier        2 (1.5× rewards, 180 days notice to unbond)\n"),
        "{text}"
    );
    // A lower tier is refused by the contract, with its reason.
    let err = stake::bond(&*chain, "holder", TOKEN, Some(1)).unwrap_err();
    assert!(
        format!("{err:#}").contains("tier 1 is not above the stake's tier 2"),
        "{err:#}"
    );
    let now = chain.block().unwrap().time;
    let unbonding = stake::unbond(&*chain, "holder", 10 * TOKEN).unwrap();
    assert_eq!(unbonding.claim.unwrap().matures_at, Some(now + 180 * DAY));
}

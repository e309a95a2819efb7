//! `Sync`: a run whose result callback failed (on a node: out of the gas the subscription gave
//! it) is not stuck in flight. The callback's failure is simulated by migrating the deployed
//! contract to a wrapper that fails `ReceiveResult` and otherwise runs the real code (the
//! embedded chain does not meter gas); the market records the failed callback and the
//! settlement stands. Anyone's `Sync` then reads the outcome from the market and applies it
//! exactly as the callback would have: refund credited, next run queued; while the job is
//! still going, or with nothing in flight, it is refused and nothing moves.

mod common;

use acn_interface::market::CallbackStatus;
use acn_interface::subscriptions::{ExecuteMsg, SubscriptionStatus};
use acn_subscriptions::ContractError;
use acn_testing::labels_output;
use common::*;

#[test]
fn a_run_whose_callback_failed_is_finished_by_anyones_sync() {
    let mut w = world();
    let id = w.create("alice", 3 * RUN).unwrap();
    callbacks_fail(&mut w.s, &w.subs);

    // Nothing in flight yet.
    let before = w.snapshot();
    let e = w.exec("bob", &ExecuteMsg::Sync { id }, 0).unwrap_err();
    assert_eq!(err(e), ContractError::NothingInFlight { id });
    assert_eq!(w.snapshot(), before, "nothing moved");

    w.trigger("keeper", id).unwrap();
    let job_id = w.job_in_flight(id);
    // While the job is open, Sync is refused.
    let before = w.snapshot();
    let e = w.exec("bob", &ExecuteMsg::Sync { id }, 0).unwrap_err();
    assert_eq!(
        err(e),
        ContractError::StillGoing {
            id,
            what: format!("job {job_id}"),
            status: "Open".into(),
        }
    );
    assert_eq!(w.snapshot(), before, "nothing moved");

    // The providers settle it; the callback fails, the market records it, the payouts stand.
    w.settle_with(job_id, 4);
    let job = w.s.job(job_id);
    assert!(matches!(
        job.callback.unwrap().status,
        CallbackStatus::Failed { .. }
    ));
    assert_eq!(job.status, acn_interface::market::JobStatus::Settled);
    let sub = w.sub(id);
    assert!(sub.in_flight.is_some(), "the contract never heard of it");
    assert_eq!(sub.next_due, None, "and would never run again");
    let e = w.trigger("keeper", id).unwrap_err();
    assert!(matches!(err(e), ContractError::RunInFlight { .. }));

    // Anyone's Sync applies the market's record: the run done, its output, the next run queued.
    let balance = sub.balance;
    let res = w.exec("bob", &ExecuteMsg::Sync { id }, 0).unwrap();
    assert_eq!(attr(&res, "synced").unwrap(), id.to_string());
    let sub = w.sub(id);
    assert_eq!(sub.in_flight, None);
    assert_eq!(sub.status, SubscriptionStatus::Active);
    assert_eq!(sub.balance, balance, "a settled job refunds nothing");
    assert_eq!(
        sub.next_due.unwrap().seconds(),
        w.runs(id)[0].started_at.seconds() + INTERVAL
    );
    let run = &w.runs(id)[0];
    assert_eq!(run.output, Some(labels_output(&[4])));
    assert_eq!(run.status, Some(acn_interface::market::JobStatus::Settled));
    let t = w.totals();
    assert_eq!(t.results, 1);
    assert_eq!(
        t.balances.u128(),
        w.subs_usdc(),
        "the contract holds exactly the balances"
    );

    // Once only.
    let before = w.snapshot();
    let e = w.exec("bob", &ExecuteMsg::Sync { id }, 0).unwrap_err();
    assert_eq!(err(e), ContractError::NothingInFlight { id });
    assert_eq!(w.snapshot(), before, "nothing moved");
}

#[test]
fn an_expired_run_whose_callback_failed_has_its_refund_credited_by_sync() {
    let mut w = world();
    let id = w.create("alice", 3 * RUN).unwrap();
    callbacks_fail(&mut w.s, &w.subs);
    w.trigger("keeper", id).unwrap();
    let job_id = w.job_in_flight(id);
    let balance = w.sub(id).balance.u128();
    // Nobody works: the job expires, the market refunds the contract, the callback fails.
    w.s.advance_time(LIFETIME + 1);
    w.s.expire("bob", job_id).unwrap();
    assert_eq!(
        w.subs_usdc(),
        balance + PRICE,
        "the refund reached the contract but no balance"
    );
    assert_eq!(w.sub(id).balance.u128(), balance);
    w.exec("bob", &ExecuteMsg::Sync { id }, 0).unwrap();
    let sub = w.sub(id);
    assert_eq!(
        sub.balance.u128(),
        balance + PRICE,
        "credited to the balance"
    );
    assert_eq!(w.runs(id)[0].refunded.u128(), PRICE);
    assert_eq!(
        w.totals().balances.u128(),
        w.subs_usdc(),
        "every uusdc accounted for"
    );
    // Cancel returns all of it.
    let alice = w.usdc("alice");
    w.exec("alice", &ExecuteMsg::Cancel { id }, 0).unwrap();
    assert_eq!(w.usdc("alice"), alice + balance + PRICE);
    assert_eq!(w.subs_usdc(), 0);
}

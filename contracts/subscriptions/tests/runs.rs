//! A subscription's life: runs bought from the market every interval, keepers paid, results
//! recorded by callback, refunds credited, the balance returned on cancel.

mod common;

use acn_interface::market::JobStatus;
use acn_interface::subscriptions::{
    ExecuteMsg, InFlight, QueryMsg, SubscriptionStatus, SubscriptionsResponse,
};
use common::*;
use cosmwasm_std::{Timestamp, Uint128};

#[test]
fn a_subscription_runs_several_times_and_refunds_its_balance_on_cancel() {
    let mut w = world();
    let deposit = 5 * RUN + 1_234;
    let id = w.create("alice", deposit).unwrap();
    assert_eq!(w.usdc("alice"), USER_USDC - deposit);
    assert_eq!(w.subs_usdc(), deposit);
    let created = w.s.block().time;
    let sub = w.sub(id);
    assert_eq!(
        (sub.status, sub.balance.u128(), sub.next_due, sub.runs),
        (SubscriptionStatus::Active, deposit, Some(created), 0)
    );
    assert_eq!(w.due(), vec![id], "due at once");

    let mut jobs = vec![];
    for run in 1..=3u64 {
        let started = w.s.block().time;
        let res = w.trigger("keeper", id).unwrap();
        let job_id: u64 = attr(&res, "subscription_job_id").unwrap().parse().unwrap();
        jobs.push(job_id);
        let job = w.s.job(job_id);
        assert_eq!(job.buyer, w.subs, "the contract buys the run");
        assert_eq!(job.price.u128(), PRICE);
        assert_eq!(job.pay_denom.as_deref(), Some(STABLE));
        assert_eq!(job.callback.as_ref().unwrap().gas_limit, 250_000);
        assert_eq!(
            w.usdc("keeper"),
            run as u128 * REWARD,
            "keeper paid per run"
        );
        let sub = w.sub(id);
        assert_eq!(
            sub.in_flight,
            Some(InFlight {
                run,
                job_id: Some(job_id),
                agent_run_id: None,
                price: Uint128::new(PRICE),
                started_at: started,
            })
        );
        assert_eq!(sub.next_due, None, "out of the queue while in flight");
        assert!(w.due().is_empty());

        let res = w.settle_with(job_id, run as u32);
        assert_eq!(attr(&res, "run").as_deref(), Some(run.to_string().as_str()));
        let sub = w.sub(id);
        assert_eq!(sub.in_flight, None);
        assert_eq!(sub.next_due, Some(started.plus_seconds(INTERVAL)));
        assert_eq!(sub.balance.u128(), deposit - run as u128 * RUN);
        let record = &w.runs(id)[run as usize - 1];
        assert_eq!(record.status, Some(JobStatus::Settled));
        assert_eq!(
            record.output.as_ref().unwrap().as_slice(),
            (run as u32).to_le_bytes()
        );
        assert_eq!(record.refunded, Uint128::zero());
        assert!(w.due().is_empty(), "not due before the interval");
        w.s.advance_time(INTERVAL);
        assert_eq!(w.due(), vec![id]);
    }
    let sub = w.sub(id);
    assert_eq!(
        (sub.runs, sub.spent.u128(), sub.rewards_paid.u128()),
        (3, 3 * PRICE, 3 * REWARD)
    );
    assert_eq!(w.subs_usdc(), deposit - 3 * RUN);

    let res = w.exec("alice", &ExecuteMsg::Cancel { id }, 0).unwrap();
    assert_eq!(
        attr(&res, "refunded").unwrap(),
        (deposit - 3 * RUN).to_string()
    );
    assert_eq!(
        w.usdc("alice"),
        USER_USDC - 3 * RUN,
        "the unspent balance is back"
    );
    assert_eq!(w.subs_usdc(), 0);
    let sub = w.sub(id);
    assert_eq!(
        (sub.status, sub.balance, sub.next_due),
        (SubscriptionStatus::Cancelled, Uint128::zero(), None)
    );
    assert!(w.due().is_empty());
    let t = w.totals();
    assert_eq!(
        (t.subscriptions, t.runs, t.results, t.skipped),
        (1, 3, 3, 0)
    );
    assert_eq!(
        (t.balances.u128(), t.spent.u128(), t.rewards_paid.u128()),
        (0, 3 * PRICE, 3 * REWARD)
    );
    // Providers were paid for each run (the market's settlement, untouched).
    for job_id in jobs {
        assert_eq!(w.s.job(job_id).status, JobStatus::Settled);
    }
}

#[test]
fn an_expired_run_credits_its_refund_to_the_balance_and_the_schedule_goes_on() {
    let mut w = world();
    let id = w.create("alice", 3 * RUN).unwrap();
    w.trigger("keeper", id).unwrap();
    let job_id = w.job_in_flight(id);
    w.s.advance_time(LIFETIME + 1);
    let res = w.s.expire("bob", job_id).unwrap();
    assert_eq!(attr(&res, "refunded").unwrap(), PRICE.to_string());
    let sub = w.sub(id);
    assert_eq!(
        sub.balance.u128(),
        3 * RUN - REWARD,
        "only the reward is spent"
    );
    assert_eq!(sub.spent, Uint128::zero());
    assert_eq!(w.subs_usdc(), 3 * RUN - REWARD);
    assert_eq!(w.runs(id)[0].status, Some(JobStatus::Expired));
    assert_eq!(w.runs(id)[0].refunded.u128(), PRICE);
    // Started an interval ago and more: due again at once.
    assert_eq!(w.due(), vec![id]);
    assert_eq!(w.totals().balances.u128(), w.subs_usdc());
}

#[test]
fn anyone_tops_up_and_due_subscriptions_come_out_earliest_first_and_paginated() {
    let mut w = world();
    let a = w.create("alice", RUN).unwrap();
    w.s.advance_time(5);
    let b = w.create("bob", RUN).unwrap();
    w.s.advance_time(5);
    let c = w.create("alice", RUN).unwrap();
    assert_eq!(w.due(), vec![a, b, c]);
    let page: acn_interface::subscriptions::DueResponse =
        w.s.query(&w.subs, &QueryMsg::Due { limit: Some(2) });
    assert_eq!(
        page.due.iter().map(|d| d.id).collect::<Vec<_>>(),
        vec![a, b]
    );
    assert_eq!(
        page.due[1].due_at,
        Timestamp::from_seconds(w.s.block().time.seconds() - 5)
    );
    let mine: SubscriptionsResponse = w.s.query(
        &w.subs,
        &QueryMsg::Subscriptions {
            owner: Some(w.s.addr("alice").to_string()),
            start_after: None,
            limit: None,
        },
    );
    assert_eq!(
        mine.subscriptions.iter().map(|s| s.id).collect::<Vec<_>>(),
        vec![a, c]
    );
    w.exec("bob", &ExecuteMsg::TopUp { id: a }, 777).unwrap();
    assert_eq!(w.sub(a).balance.u128(), RUN + 777);
    assert_eq!(w.totals().balances.u128(), 3 * RUN + 777);
    assert_eq!(w.subs_usdc(), 3 * RUN + 777);
}

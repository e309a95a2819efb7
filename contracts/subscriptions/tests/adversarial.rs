//! Attacks and bad input: every refusal with its exact error and nothing moved.

mod common;

use acn_interface::market::{JobResult, JobStatus};
use acn_interface::subscriptions::{
    ExecuteMsg, Params, RunSettings, SubscriptionStatus, Target, MAX_INTERVAL, MAX_KEEPER_REWARD,
};
use acn_subscriptions::ContractError;
use common::*;
use cosmwasm_std::Uint128;
use cw_multi_test::Executor;

#[test]
fn a_trigger_before_due_or_with_a_run_in_flight_is_refused_and_moves_nothing() {
    let mut w = world();
    let id = w.create("alice", 3 * RUN).unwrap();
    w.trigger("keeper", id).unwrap();
    let job_id = w.job_in_flight(id);
    let before = w.snapshot();
    let e = w.trigger("keeper", id).unwrap_err();
    assert_eq!(
        err(e),
        ContractError::RunInFlight {
            id,
            run: 1,
            what: format!("job {job_id}")
        }
    );
    assert_eq!(w.snapshot(), before);

    let started = w.sub(id).in_flight.unwrap().started_at;
    w.settle_with(job_id, 7);
    w.s.advance_time(INTERVAL - 1 - (w.s.block().time.seconds() - started.seconds()));
    let before = w.snapshot();
    let e = w.trigger("keeper", id).unwrap_err();
    assert_eq!(
        err(e),
        ContractError::NotDue {
            id,
            due_at: started.plus_seconds(INTERVAL),
            now: started.plus_seconds(INTERVAL - 1),
        }
    );
    assert_eq!(w.snapshot(), before);
    w.s.advance_time(1);
    w.trigger("keeper", id).unwrap();
    assert_eq!(w.sub(id).runs, 2);

    let e = w.trigger("keeper", 99).unwrap_err();
    assert_eq!(err(e), ContractError::UnknownSubscription { id: 99 });
}

#[test]
fn a_subscription_drained_mid_run_stops_without_paying_and_a_top_up_restarts_it() {
    let mut w = world();
    // One run and the reward, and a little: not two runs.
    let id = w.create("alice", RUN + 1_000).unwrap();
    w.trigger("keeper", id).unwrap();
    let job_id = w.job_in_flight(id);
    w.settle_with(job_id, 3);
    w.s.advance_time(INTERVAL);
    assert_eq!(w.due(), vec![id]);

    let keeper_before = w.usdc("keeper");
    let res = w.trigger("keeper", id).unwrap();
    assert_eq!(attr(&res, "drained").as_deref(), Some("true"));
    assert_eq!(attr(&res, "run_cost").unwrap(), RUN.to_string());
    let sub = w.sub(id);
    assert_eq!(
        (sub.status, sub.balance.u128(), sub.runs, sub.next_due),
        (SubscriptionStatus::Drained, 1_000, 1, None)
    );
    assert_eq!(
        w.usdc("keeper"),
        keeper_before,
        "no reward for a drained run"
    );
    assert_eq!(w.subs_usdc(), 1_000);
    assert!(
        w.due().is_empty(),
        "a drained subscription leaves the queue"
    );

    let before = w.snapshot();
    let e = w.trigger("keeper", id).unwrap_err();
    assert_eq!(
        err(e),
        ContractError::NotActive {
            id,
            status: SubscriptionStatus::Drained
        }
    );
    assert_eq!(w.snapshot(), before);

    w.exec("alice", &ExecuteMsg::TopUp { id }, RUN).unwrap();
    let sub = w.sub(id);
    assert_eq!(
        (sub.status, sub.balance.u128(), sub.next_due),
        (
            SubscriptionStatus::Active,
            RUN + 1_000,
            Some(w.s.block().time)
        )
    );
    assert_eq!(w.due(), vec![id]);
    w.trigger("keeper", id).unwrap();
    assert_eq!(w.sub(id).balance.u128(), 1_000);
}

#[test]
fn cancelling_with_a_run_in_flight_returns_the_balance_now_and_the_runs_refund_later() {
    let mut w = world();
    let id = w.create("alice", 4 * RUN).unwrap();
    w.trigger("keeper", id).unwrap();
    let job_id = w.job_in_flight(id);
    let res = w.exec("alice", &ExecuteMsg::Cancel { id }, 0).unwrap();
    assert_eq!(attr(&res, "refunded").unwrap(), (3 * RUN).to_string());
    assert_eq!(attr(&res, "run_in_flight").unwrap(), job_id.to_string());
    assert_eq!(w.usdc("alice"), USER_USDC - RUN);
    assert_eq!(w.subs_usdc(), 0);
    assert_eq!(w.sub(id).status, SubscriptionStatus::Cancelled);

    // The run expires: its escrow comes back to the contract, which passes it to Alice.
    w.s.advance_time(LIFETIME + 1);
    w.s.expire("bob", job_id).unwrap();
    assert_eq!(
        w.usdc("alice"),
        USER_USDC - REWARD,
        "only the keeper's reward spent"
    );
    assert_eq!(w.subs_usdc(), 0);
    let sub = w.sub(id);
    assert_eq!(
        (sub.balance, sub.in_flight, sub.next_due),
        (Uint128::zero(), None, None)
    );
    assert_eq!(w.runs(id)[0].refunded.u128(), PRICE);
    let t = w.totals();
    assert_eq!(
        (t.refunds_forwarded.u128(), t.balances, t.spent),
        (PRICE, Uint128::zero(), Uint128::zero())
    );

    // A cancelled subscription takes no top-up, trigger or second cancel.
    let before = w.snapshot();
    let e = w.exec("alice", &ExecuteMsg::TopUp { id }, 100).unwrap_err();
    assert_eq!(err(e), ContractError::Cancelled { id });
    let e = w.exec("alice", &ExecuteMsg::Cancel { id }, 0).unwrap_err();
    assert_eq!(err(e), ContractError::Cancelled { id });
    let e = w.trigger("keeper", id).unwrap_err();
    assert_eq!(
        err(e),
        ContractError::NotActive {
            id,
            status: SubscriptionStatus::Cancelled
        }
    );
    assert_eq!(w.snapshot(), before);
}

#[test]
fn only_the_owner_cancels() {
    let mut w = world();
    let id = w.create("alice", RUN).unwrap();
    let before = w.snapshot();
    let e = w.exec("bob", &ExecuteMsg::Cancel { id }, 0).unwrap_err();
    assert_eq!(
        err(e),
        ContractError::NotOwner {
            id,
            owner: w.s.addr("alice").to_string(),
            sender: w.s.addr("bob").to_string(),
        }
    );
    assert_eq!(w.snapshot(), before);
}

#[test]
fn a_result_from_a_fake_market_or_a_replayed_one_is_refused() {
    let mut w = world();
    let id = w.create("alice", 2 * RUN).unwrap();
    w.trigger("keeper", id).unwrap();
    let job_id = w.job_in_flight(id);
    let forged = JobResult {
        job_id,
        status: JobStatus::Expired,
        output: None,
    };
    let before = w.snapshot();
    let e = w
        .exec("bob", &ExecuteMsg::ReceiveResult(forged.clone()), 0)
        .unwrap_err();
    assert_eq!(
        err(e),
        ContractError::NotTheMarket {
            market: w.s.market().to_string(),
            sender: w.s.addr("bob").to_string(),
        }
    );
    assert_eq!(w.snapshot(), before);

    w.settle_with(job_id, 4);
    // The market's own address replays the delivered result (and a job never submitted here).
    let market = w.s.market();
    let before = w.snapshot();
    for job in [job_id, job_id + 100] {
        let e =
            w.s.app
                .execute_contract(
                    market.clone(),
                    w.subs.clone(),
                    &ExecuteMsg::ReceiveResult(JobResult {
                        job_id: job,
                        ..forged.clone()
                    }),
                    &[],
                )
                .unwrap_err();
        assert_eq!(err(e), ContractError::UnknownJob { job_id: job });
    }
    assert_eq!(w.snapshot(), before);
    assert_eq!(w.runs(id)[0].status, Some(JobStatus::Settled));
}

#[test]
fn the_keeper_reward_is_governed_and_bounded() {
    let mut w = world();
    let owner = w.s.owner.clone();
    let subs = w.subs.clone();
    let params = |reward: u128, min_interval: u64| ExecuteMsg::UpdateParams {
        params: Params {
            keeper_reward: Uint128::new(reward),
            min_interval,
        },
    };
    let e = w.exec("bob", &params(1, 60), 0).unwrap_err();
    assert_eq!(
        err(e),
        ContractError::Ownership(cw_ownable::OwnershipError::NotOwner)
    );
    let e =
        w.s.app
            .execute_contract(
                owner.clone(),
                subs.clone(),
                &params(MAX_KEEPER_REWARD.u128() + 1, 60),
                &[],
            )
            .unwrap_err();
    assert_eq!(
        err(e),
        ContractError::InvalidField {
            field: "params.keeper_reward".into(),
            reason: "1000001 is above the bound 1000000".into(),
        }
    );
    let e =
        w.s.app
            .execute_contract(owner.clone(), subs.clone(), &params(0, 9), &[])
            .unwrap_err();
    assert_eq!(
        err(e),
        ContractError::InvalidField {
            field: "params.min_interval".into(),
            reason: "9 s is below the floor 10 s".into(),
        }
    );
    w.s.app
        .execute_contract(owner, subs, &params(MAX_KEEPER_REWARD.u128(), 60), &[])
        .unwrap();
    // The new reward applies to the next run: one run now needs the quote plus 1 USDC.
    let e = w.create("alice", RUN).unwrap_err();
    assert_eq!(
        err(e),
        ContractError::InsufficientFunds {
            required: Uint128::new(PRICE + 1_000_000),
            price: Uint128::new(PRICE),
            reward: MAX_KEEPER_REWARD,
            paid: Uint128::new(RUN),
        }
    );
}

#[test]
fn bad_subscriptions_are_refused_with_the_field_named_and_nothing_moved() {
    let mut w = world();
    let before = w.snapshot();
    let create = |target: Target, settings: RunSettings| ExecuteMsg::Create {
        target,
        settings,
        notify: None,
    };
    let with = |f: &dyn Fn(&mut Target)| {
        let mut t = target();
        f(&mut t);
        t
    };
    let too_long = format!(
        "settings.interval: {} s outside 60..={MAX_INTERVAL} s",
        u64::MAX
    );
    let cases: Vec<(ExecuteMsg, u128, &str)> = vec![
        (
            create(target(), settings()),
            0,
            "funds: No funds sent",
        ),
        (
            create(
                with(&|t| {
                    let Target::Job { model_id, .. } = t else {
                        unreachable!()
                    };
                    *model_id = "nope-v1".into();
                }),
                settings(),
            ),
            RUN,
            "target.model_id: nope-v1 is not registered",
        ),
        (
            create(
                with(&|t| {
                    let Target::Job { redundancy, .. } = t else {
                        unreachable!()
                    };
                    *redundancy = 1;
                }),
                settings(),
            ),
            RUN,
            "target.redundancy: 1 outside 2..=",
        ),
        (
            create(
                with(&|t| {
                    let Target::Job { batch, .. } = t else {
                        unreachable!()
                    };
                    *batch = 2;
                }),
                settings(),
            ),
            RUN,
            "target.input: ",
        ),
        (
            // An interval this long would overflow nothing, but it is refused before it could.
            create(
                target(),
                RunSettings {
                    interval: u64::MAX,
                    ..settings()
                },
            ),
            RUN,
            &too_long,
        ),
        (
            create(
                target(),
                RunSettings {
                    interval: 59,
                    ..settings()
                },
            ),
            RUN,
            "settings.interval: 59 s outside 60..=",
        ),
        (
            create(
                target(),
                RunSettings {
                    job_lifetime: 1,
                    ..settings()
                },
            ),
            RUN,
            "settings.job_lifetime: 1 s outside",
        ),
        (
            create(
                target(),
                RunSettings {
                    callback_gas: 0,
                    ..settings()
                },
            ),
            RUN,
            "settings.callback_gas: 0 outside 1..=300000",
        ),
        (
            create(target(), settings()),
            RUN - 1,
            "funds: 3499 attached, one run costs 3500 (the market's quote 3000 + the keeper reward 500)",
        ),
    ];
    for (msg, pay, expected) in cases {
        let e = w.exec("alice", &msg, pay).unwrap_err();
        let text = err(e).to_string();
        assert!(text.starts_with(expected), "{text} / expected {expected}");
    }
    // A top-up of an unknown subscription, and funds where none are taken.
    let e = w
        .exec("alice", &ExecuteMsg::TopUp { id: 7 }, 10)
        .unwrap_err();
    assert_eq!(err(e), ContractError::UnknownSubscription { id: 7 });
    assert_eq!(w.snapshot(), before);
    let id = w.create("alice", RUN).unwrap();
    let e = w.exec("bob", &ExecuteMsg::Trigger { id }, 10).unwrap_err();
    assert_eq!(
        err(e),
        ContractError::Payment(cw_utils::PaymentError::NonPayable {})
    );
    let e = w.exec("alice", &ExecuteMsg::Cancel { id }, 10).unwrap_err();
    assert_eq!(
        err(e),
        ContractError::Payment(cw_utils::PaymentError::NonPayable {})
    );
}

#[test]
fn a_run_the_market_refuses_is_skipped_nothing_paid_and_queued_an_interval_later() {
    let mut w = world();
    let res = w
        .exec(
            "alice",
            &ExecuteMsg::Create {
                target: Target::Job {
                    model_id: DIGITS.into(),
                    input: acn_testing::digits_input(1),
                    batch: 1,
                    redundancy: 3,
                    max_unit_price: Uint128::new(1),
                },
                settings: settings(),
                notify: None,
            },
            2 * RUN,
        )
        .unwrap();
    let id: u64 = attr(&res, "subscription_id").unwrap().parse().unwrap();
    let now = w.s.block().time;
    let res = w.trigger("keeper", id).unwrap();
    let skipped = attr(&res, "skipped").unwrap();
    assert!(skipped.contains("unit price"), "{skipped}");
    let sub = w.sub(id);
    assert_eq!(
        (sub.balance.u128(), sub.runs, sub.in_flight, sub.next_due),
        (2 * RUN, 0, None, Some(now.plus_seconds(INTERVAL)))
    );
    assert_eq!(w.usdc("keeper"), 0);
    assert_eq!(w.subs_usdc(), 2 * RUN);
    assert_eq!(w.totals().skipped, 1);
    assert!(w.due().is_empty());
}

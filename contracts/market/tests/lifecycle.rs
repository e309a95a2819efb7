//! Whole-system job lifecycles on the embedded chain.

use acn_interface::market::{JobStatus, SlotOutcome};
use acn_testing::*;

const DIGITS: &str = "digits-mlp-v1";

fn suite() -> Suite {
    let mut suite = SuiteBuilder::new()
        .with_market_params(|m| m.models = vec![digits_model(), regression_model()])
        .with_funds("buyer", 1_000 * TOKEN)
        .build();
    for p in ["p1", "p2", "p3"] {
        suite
            .make_provider(p, PROVIDER_STAKE, &[DIGITS, "regressor-v1"])
            .unwrap();
    }
    suite
}

#[test]
fn fees_reach_the_treasury_in_one_deposit_once_the_threshold_is_pending() {
    let mut suite = SuiteBuilder::new()
        .with_market_params(|m| {
            m.models = vec![digits_model()];
            m.params.fee_flush_threshold = cosmwasm_std::Uint128::new(300);
        })
        .with_funds("buyer", 1_000 * TOKEN)
        .build();
    suite
        .make_provider("p1", PROVIDER_STAKE, &[DIGITS])
        .unwrap();
    let treasury = suite.treasury.clone();
    let out = labels_output(&[0, 1, 2, 3]);
    // Two jobs of 4 000 pay 120 of fees each: 240 < 300 stays in the market.
    for _ in 0..2 {
        let id = suite.submit_digits("buyer", 4, 1).unwrap();
        suite.run_job(id, &[("p1", out.clone())]).unwrap();
    }
    assert_eq!(suite.market_totals().fees_pending.u128(), 240);
    suite.assert_balance(&treasury, 0);
    // The third brings 360 ≥ 300: the settlement sends all of it, as one deposit.
    let id = suite.submit_digits("buyer", 4, 1).unwrap();
    suite.run_job(id, &[("p1", out)]).unwrap();
    let totals = suite.market_totals();
    assert_eq!((totals.fees.u128(), totals.fees_pending.u128()), (360, 0));
    suite.assert_balance(&treasury, 360);
    suite.assert_balance(suite.market(), 0);
    assert_eq!(suite.treasury_totals().deposited.u128(), 360);
}

#[test]
fn redundancy_one_pays_the_provider_and_the_fee_reaches_the_treasury() {
    let mut suite = suite();
    let treasury = suite.treasury.clone();
    let buyer_before = suite.balance_of("buyer");
    let id = suite.submit_digits("buyer", 4, 1).unwrap();
    // 4 items × 1 unit × 1 000 per unit × redundancy 1
    assert_eq!(suite.job(id).price.u128(), 4_000);
    suite.assert_balance(suite.market(), 4_000);

    let out = labels_output(&[0, 1, 2, 3]);
    let p = suite.assigned_names(id, &["p1", "p2", "p3"])[0];
    suite.run_job(id, &[(p, out.clone())]).unwrap();

    let job = suite.job(id);
    assert_eq!(job.status, JobStatus::Settled);
    assert_eq!(job.result, Some(out));
    assert_eq!(job.fee.u128(), 120); // 3 %
    assert_eq!(job.slots[0].paid.u128(), 3_880);
    assert_eq!(job.slots[0].outcome, Some(SlotOutcome::Agreed));
    suite.assert_balance(suite.addr(p), 3_880);
    assert_eq!(suite.balance_of("buyer"), buyer_before - 4_000);
    // The fee waits in the market until a whole token is pending, or anyone flushes it.
    assert_eq!(suite.market_totals().fees_pending.u128(), 120);
    suite.assert_balance(suite.market(), 120);
    suite.assert_balance(&treasury, 0);
    suite.flush_fees("keeper").unwrap();
    assert_eq!(suite.market_totals().fees_pending.u128(), 0);
    suite.assert_balance(suite.market(), 0);
    suite.assert_balance(&treasury, 120);
    assert_eq!(suite.treasury_totals().pending.u128(), 120);
    // Flushing again sends nothing and fails nothing.
    suite.flush_fees("keeper").unwrap();
    suite.assert_balance(&treasury, 120);

    let served = suite.provider(p);
    assert_eq!(served.reputation.jobs_done, 1);
    assert_eq!(served.reputation.agreed, 1);
    assert_eq!(served.active_jobs, 0);
    let totals = suite.market_totals();
    assert_eq!(totals.jobs_settled, 1);
    assert_eq!(totals.paid_to_providers.u128(), 3_880);
    assert_eq!(totals.fees.u128(), 120);
    assert_eq!(totals.escrow.u128(), 0);
}

#[test]
fn redundancy_three_honest_providers_share_the_pool() {
    let mut suite = suite();
    let id = suite.submit_digits("buyer", 4, 3).unwrap();
    assert_eq!(suite.job(id).price.u128(), 12_000);
    let out = labels_output(&[7, 7, 1, 0]);
    suite
        .run_job(
            id,
            &[
                ("p1", out.clone()),
                ("p2", out.clone()),
                ("p3", out.clone()),
            ],
        )
        .unwrap();
    let job = suite.job(id);
    assert_eq!(job.status, JobStatus::Settled);
    assert_eq!(job.fee.u128(), 360);
    for p in ["p1", "p2", "p3"] {
        suite.assert_balance(suite.addr(p), 3_880);
    }
    // the market keeps only the fee, until it flushes
    suite.assert_balance(suite.market(), 360);
    suite.flush_fees("keeper").unwrap();
    suite.assert_balance(suite.market(), 0);
}

#[test]
fn one_dishonest_provider_among_three_is_slashed_and_the_honest_two_are_paid() {
    let mut suite = suite();
    let treasury = suite.treasury.clone();
    let id = suite.submit_digits("buyer", 4, 3).unwrap();
    let honest = labels_output(&[3, 1, 4, 1]);
    let cheat = labels_output(&[9, 9, 9, 9]);
    suite
        .run_job(
            id,
            &[
                ("p1", honest.clone()),
                ("p2", cheat),
                ("p3", honest.clone()),
            ],
        )
        .unwrap();
    let job = suite.job(id);
    assert_eq!(job.status, JobStatus::Settled);
    assert_eq!(job.result, Some(honest));
    // pool = 12 000 − 360 fee = 11 640, shared by two
    suite.assert_balance(suite.addr("p1"), 5_820);
    suite.assert_balance(suite.addr("p3"), 5_820);
    suite.assert_balance(suite.addr("p2"), 0);
    assert_eq!(suite.slot_of(id, "p2").outcome, Some(SlotOutcome::Outvoted));
    // wrong_result_slash = 100 tokens from p2's bonded stake, deposited in the treasury
    assert_eq!(
        suite.stake("p2").bonded.u128(),
        PROVIDER_STAKE - 100 * TOKEN
    );
    // the slash went to the treasury at once; the fee waits in the market for the threshold
    suite.assert_balance(&treasury, 100 * TOKEN);
    suite.flush_fees("keeper").unwrap();
    suite.assert_balance(&treasury, 360 + 100 * TOKEN);
    let p2 = suite.provider("p2");
    assert_eq!(p2.reputation.outvoted, 1);
    assert_eq!(p2.reputation.slashed.u128(), 100 * TOKEN);
    assert_eq!(suite.market_totals().slashed.u128(), 100 * TOKEN);
}

#[test]
fn fixed_point_outputs_agree_within_tolerance() {
    let mut suite = suite();
    let deadline = suite.default_deadline();
    let input = cosmwasm_std::Binary::from(
        (0..8)
            .flat_map(|i| (i as f32 * 0.5).to_le_bytes())
            .collect::<Vec<u8>>(),
    );
    let price = suite.quote("buyer", "regressor-v1", 1, 3).price.u128();
    let id = suite
        .try_submit("buyer", "regressor-v1", input, 1, 3, price, deadline)
        .unwrap();
    // tolerance 2: 12 345 and 12 347 agree; 12 350 does not
    suite
        .run_job(
            id,
            &[
                ("p1", fixed_output(&[12_345])),
                ("p2", fixed_output(&[12_347])),
                ("p3", fixed_output(&[12_350])),
            ],
        )
        .unwrap();
    let job = suite.job(id);
    assert_eq!(job.status, JobStatus::Settled);
    assert_eq!(suite.slot_of(id, "p1").outcome, Some(SlotOutcome::Agreed));
    assert_eq!(suite.slot_of(id, "p2").outcome, Some(SlotOutcome::Agreed));
    assert_eq!(suite.slot_of(id, "p3").outcome, Some(SlotOutcome::Outvoted));
}

#[test]
fn a_no_show_is_slashed_and_cools_down() {
    let mut suite = suite();
    let id = suite.submit_digits("buyer", 2, 3).unwrap();
    let out = labels_output(&[1, 2]);
    suite.commit_result("p1", id, &out, &salt(1)).unwrap();
    suite.commit_result("p2", id, &out, &salt(2)).unwrap();
    // p3 never commits; the commit window (600 s) closes, reveals open lazily
    suite.advance_time(600);
    suite.reveal_result("p1", id, &out, &salt(1)).unwrap();
    suite.reveal_result("p2", id, &out, &salt(2)).unwrap();
    let job = suite.job(id);
    assert_eq!(job.status, JobStatus::Settled);
    assert_eq!(suite.slot_of(id, "p3").outcome, Some(SlotOutcome::Missed));
    // the slot's whole stake at risk: max(100 tokens, 10 × 2 000 pay) = 100 tokens
    assert_eq!(
        suite.stake("p3").bonded.u128(),
        PROVIDER_STAKE - 100 * TOKEN
    );
    assert_eq!(suite.provider("p3").reputation.missed, 1);
    // 6 000 − 180 fee = 5 820 for the two who delivered
    suite.assert_balance(suite.addr("p1"), 2_910);
    suite.assert_balance(suite.addr("p2"), 2_910);

    // p3 is never drawn during its one-hour cooldown: a job needing three providers finds two,
    // and jobs needing two go to p1 and p2 only; afterwards p3 is drawn again.
    assert_err_contains(
        suite.submit_digits("buyer", 1, 3),
        "not enough eligible providers for model digits-mlp-v1: 3 needed, 2 found",
    );
    for _ in 0..5 {
        let next = suite.submit_digits("buyer", 1, 2).unwrap();
        assert_eq!(
            suite.assigned_names(next, &["p1", "p2"]).len(),
            2,
            "only p1 and p2 serve during p3's cooldown"
        );
    }
    suite.advance_time(3_600);
    let later = suite.submit_digits("buyer", 1, 3).unwrap();
    suite.slot_of(later, "p3");
}

#[test]
fn expiry_refunds_the_buyer_and_slashes_no_shows() {
    let mut suite = suite();
    let buyer_before = suite.balance_of("buyer");
    let id = suite.submit_digits("buyer", 2, 2).unwrap();
    let assigned = suite.assigned_names(id, &["p1", "p2", "p3"]);
    assert_eq!(assigned.len(), 2);
    assert_err_contains(
        suite.expire("anyone", id),
        "cannot expire before its deadline",
    );
    suite.advance_time(3_600);
    suite.expire("anyone", id).unwrap();
    let job = suite.job(id);
    assert_eq!(job.status, JobStatus::Expired);
    assert_eq!(job.refunded.u128(), 4_000);
    assert_eq!(suite.balance_of("buyer"), buyer_before);
    // each assigned no-show loses its slot's whole stake at risk: max(100 tokens, 10 × pay)
    for p in assigned {
        assert_eq!(suite.stake(p).bonded.u128(), PROVIDER_STAKE - 100 * TOKEN);
    }
    suite.assert_balance(suite.market(), 0);
    assert_eq!(suite.market_totals().jobs_expired, 1);
}

#[test]
fn a_job_nobody_commits_to_can_be_settled_after_the_reveal_window_with_a_full_refund() {
    let mut suite = suite();
    let buyer_before = suite.balance_of("buyer");
    let id = suite.submit_digits("buyer", 3, 1).unwrap();
    let p = suite.assigned_names(id, &["p1", "p2", "p3"])[0];
    assert_err_contains(suite.settle("anyone", id), "cannot be settled yet");
    suite.advance_time(1_200);
    suite.settle("anyone", id).unwrap();
    assert_eq!(suite.job(id).status, JobStatus::Expired);
    assert_eq!(suite.balance_of("buyer"), buyer_before);
    // the assigned provider that never committed is a no-show
    assert_eq!(suite.slot_of(id, p).outcome, Some(SlotOutcome::Missed));
    // …and loses its slot's whole stake at risk, the 100-token minimum
    assert_eq!(suite.stake(p).bonded.u128(), PROVIDER_STAKE - 100 * TOKEN);
}

#[test]
fn disagreement_without_majority_is_a_dispute_the_owner_resolves() {
    let mut suite = suite();
    let buyer_before = suite.balance_of("buyer");
    let id = suite.submit_digits("buyer", 1, 3).unwrap();
    suite
        .run_job(
            id,
            &[
                ("p1", labels_output(&[1])),
                ("p2", labels_output(&[2])),
                ("p3", labels_output(&[3])),
            ],
        )
        .unwrap();
    // the escrow stays in the market until the dispute ends; nobody is refunded or paid yet
    let job = suite.job(id);
    assert_eq!(job.status, JobStatus::Disputed);
    assert_eq!((job.escrow.u128(), job.refunded.u128()), (3_000, 0));
    assert_eq!(suite.balance_of("buyer"), buyer_before - 3_000);
    suite.assert_balance(suite.market(), 3_000);
    assert_eq!(suite.market_totals().jobs_disputed, 1);

    // not the owner
    let stranger = suite.addr("stranger");
    let market = suite.market();
    let resolve = acn_interface::market::ExecuteMsg::ResolveDispute {
        job_id: id,
        resolution: acn_interface::market::DisputeResolution::AcceptOutputOf {
            provider: suite.addr("p2").to_string(),
        },
    };
    assert_err_contains(
        suite.execute(&stranger, &market, &resolve),
        "Caller is not the contract's current owner",
    );
    let owner = suite.owner.clone();
    suite.execute(&owner, &market, &resolve).unwrap();
    let job = suite.job(id);
    assert_eq!(job.status, JobStatus::Resolved);
    assert_eq!(job.result, Some(labels_output(&[2])));
    // p2's output is accepted: it is paid as a settlement would (3 000 − 90 fee)
    assert_eq!((job.escrow.u128(), job.fee.u128()), (0, 90));
    assert_eq!(suite.slot_of(id, "p2").paid.u128(), 2_910);
    suite.assert_balance(suite.addr("p2"), 2_910);
    suite.assert_balance(suite.market(), 90);
    assert_eq!(suite.balance_of("buyer"), buyer_before - 3_000);
    assert_eq!(
        suite.stake("p1").bonded.u128(),
        PROVIDER_STAKE - 100 * TOKEN
    );
    assert_eq!(suite.stake("p2").bonded.u128(), PROVIDER_STAKE);
    assert_eq!(
        suite.stake("p3").bonded.u128(),
        PROVIDER_STAKE - 100 * TOKEN
    );
    // resolving twice is refused
    assert_err_contains(suite.execute(&owner, &market, &resolve), "is not disputed");
}

#[test]
fn bonded_buyers_get_their_discount_tier() {
    let mut suite = suite();
    // no stake: no discount
    assert_eq!(suite.quote("buyer", DIGITS, 10, 1).price.u128(), 10_000);
    // 10 000 tokens bonded: 5 %
    suite.fund("whale", 200_000 * TOKEN).unwrap();
    suite.bond("whale", 10_000 * TOKEN).unwrap();
    let q = suite.quote("whale", DIGITS, 10, 1);
    assert_eq!(
        (q.gross.u128(), q.discount.u128(), q.price.u128()),
        (10_000, 500, 9_500)
    );
    // 100 000 tokens bonded: 10 %
    suite.bond("whale", 90_000 * TOKEN).unwrap();
    assert_eq!(suite.quote("whale", DIGITS, 10, 1).price.u128(), 9_000);
    let before = suite.balance_of("whale");
    // paying the undiscounted price refunds the excess in the same transaction
    let deadline = suite.default_deadline();
    let id = suite
        .try_submit("whale", DIGITS, digits_input(10), 10, 1, 10_000, deadline)
        .unwrap();
    assert_eq!(suite.job(id).price.u128(), 9_000);
    assert_eq!(suite.balance_of("whale"), before - 9_000);
}

/// Settle `jobs` digits jobs of 64 items with redundancy 3, all three providers agreeing: each
/// delivers 64 × 3 = 192 units of demand.
fn settle_busy_jobs(suite: &mut Suite, jobs: usize) {
    let out = labels_output(&[7; 64]);
    for _ in 0..jobs {
        let q = suite.quote("buyer", DIGITS, 64, 3).price.u128();
        let deadline = suite.default_deadline();
        let id = suite
            .try_submit("buyer", DIGITS, digits_input(64), 64, 3, q, deadline)
            .unwrap();
        suite
            .run_job(
                id,
                &[
                    ("p1", out.clone()),
                    ("p2", out.clone()),
                    ("p3", out.clone()),
                ],
            )
            .unwrap();
        assert_eq!(suite.job(id).status, JobStatus::Settled);
    }
}

#[test]
fn price_rises_under_load_and_falls_back_when_idle() {
    let mut suite = SuiteBuilder::new()
        .with_market_params(|m| {
            m.models = vec![digits_model()];
            m.params.max_active_jobs_per_provider = 100;
        })
        .with_funds("buyer", 1_000 * TOKEN)
        .build();
    for p in ["p1", "p2", "p3"] {
        suite.make_provider(p, PROVIDER_STAKE, &[DIGITS]).unwrap();
    }
    // capacity = 3 providers × 1 000 units per window
    assert_eq!(suite.unit_price(), 1_000);
    suite.fund("buyer", 100_000 * TOKEN).unwrap();
    // demand is delivered work: 32 settled jobs × 192 units = 6 144 units ≥ 2 × 3 000 capacity
    settle_busy_jobs(&mut suite, 32);
    assert_eq!(
        suite.unit_price(),
        1_000,
        "price moves only when a window closes"
    );
    suite.advance_time(600);
    assert_eq!(
        suite.unit_price(),
        1_125,
        "+12.5 % after an overloaded window"
    );
    // one more busy window
    settle_busy_jobs(&mut suite, 32);
    suite.advance_time(600);
    assert_eq!(suite.unit_price(), 1_265); // 1 125 + floor(140.6) = 1 265
                                           // idle windows bring it back down
    suite.advance_time(600);
    assert_eq!(suite.unit_price(), 1_107); // 1 265 − floor(158.1) = 1 107
    suite.advance_time(600 * 10);
    assert!(suite.unit_price() < 1_000);
}

#[test]
fn fees_reach_the_treasury_and_distribute_burns_seventy_percent() {
    let mut suite = suite();
    let supply_before = suite.total_supply();
    let mut fees = 0;
    for _ in 0..5 {
        let id = suite.submit_digits("buyer", 10, 1).unwrap();
        let p = suite.assigned_names(id, &["p1", "p2", "p3"])[0];
        suite.run_job(id, &[(p, labels_output(&[0; 10]))]).unwrap();
        fees += suite.job(id).fee.u128();
    }
    assert_eq!(fees, 5 * 300);
    suite.flush_fees("keeper").unwrap();
    assert_eq!(suite.treasury_totals().pending.u128(), fees);
    suite.distribute("keeper").unwrap();
    let totals = suite.treasury_totals();
    assert_eq!(totals.burned.u128(), 1_050);
    assert_eq!(totals.executor_paid.u128(), 15);
    assert_eq!(totals.kept.u128(), 435);
    assert_eq!(suite.total_supply(), supply_before - 1_050);
    suite.assert_balance(suite.addr("keeper"), 15);
}

#[test]
fn workers_see_the_jobs_assigned_to_them_until_they_commit() {
    let mut suite = suite();
    let a = suite.submit_digits("buyer", 1, 2).unwrap();
    let b = suite.submit_digits("buyer", 1, 1).unwrap();
    let names = ["p1", "p2", "p3"];
    for p in names {
        let mut expected = vec![];
        for id in [a, b] {
            if suite.assigned_names(id, &names).contains(&p) {
                expected.push(id);
            }
        }
        let listed: Vec<u64> = suite.assigned_jobs(p).iter().map(|j| j.id).collect();
        assert_eq!(listed, expected, "{p}");
    }
    // after its commit the job leaves the provider's list, but stays in its history
    let p = suite.assigned_names(a, &names)[0];
    suite
        .commit_result(p, a, &labels_output(&[1]), &salt(1))
        .unwrap();
    assert!(suite.assigned_jobs(p).iter().all(|j| j.id != a));
    let by_provider: acn_interface::market::JobsResponse = suite.query(
        &suite.market(),
        &acn_interface::market::QueryMsg::Jobs {
            filter: acn_interface::market::JobFilter::Provider {
                address: suite.addr(p).to_string(),
            },
            start_after: None,
            limit: None,
        },
    );
    assert!(by_provider.jobs.iter().any(|j| j.id == a));
    // once the commit window closes, nothing is listed any more
    suite.advance_time(600);
    for p in names {
        assert!(suite.assigned_jobs(p).is_empty(), "{p}");
    }
}

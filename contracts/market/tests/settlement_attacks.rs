//! Regression tests for the settlement side of issue 12, each performing the attack at the default
//! parameters: a buyer's Sybil dispute (6), phantom demand (9), settlements frozen by emissions
//! (11), a slash escaped by nobody settling (12), withholding a losing result (15), a fee rounded
//! to zero (17), commitments without context (18), and slashing that deters (stake at risk per
//! slot, escalation, jail, exposure bounded by stake). A refused attack asserts the exact error
//! and that nothing moved; an economic one asserts the attacker's result in base units.
//!
//! Slots are assigned at submission (`selection`): a provider that may not take a slot (jailed,
//! or its stake at risk fully locked: `risk::can_take`) is not drawn, so with no other eligible
//! provider the submission itself is refused with `NotEnoughEligibleProviders`.

use std::fmt::Debug;

use acn_interface::emissions::EmissionParams;
use acn_interface::market::{
    self, commitment, DisputeResolution, ExecuteMsg, ExposureResponse, JobStatus, MarketParams,
    SlotOutcome,
};
use acn_interface::staking;
use acn_market::ContractError;
use acn_testing::*;
use cosmwasm_std::{Binary, Decimal, HexBinary, Uint128};

const DIGITS: &str = "digits-mlp-v1";
/// Every named account the tests use.
const ACTORS: &[&str] = &["buyer", "bnode", "p1", "p2", "p3", "p4", "small", "keeper"];
/// The default stake at risk of a digits slot: the 100-token minimum.
const AT_RISK: u128 = 100 * TOKEN;
/// Seven days: the default dispute timeout.
const DISPUTE_TIMEOUT: u64 = 7 * 24 * 60 * 60;

// ---- set-up ----------------------------------------------------------------------------------

fn suite_with(providers: &[&str], f: impl FnOnce(&mut MarketSetup)) -> Suite {
    let mut suite = SuiteBuilder::new()
        .with_market_params(|m| {
            m.models = vec![digits_model()];
            f(m);
        })
        .with_funds("buyer", 1_000 * TOKEN)
        .build();
    for p in providers {
        suite.make_provider(p, PROVIDER_STAKE, &[DIGITS]).unwrap();
    }
    suite
}

fn suite(providers: &[&str]) -> Suite {
    suite_with(providers, |_| {})
}

fn exec(suite: &mut Suite, sender: &str, msg: &ExecuteMsg) -> anyhow::Result<()> {
    let (who, market) = (suite.addr(sender), suite.market());
    suite.execute(&who, &market, msg).map(|_| ())
}

fn exec_owner(suite: &mut Suite, msg: &ExecuteMsg) -> anyhow::Result<()> {
    let (owner, market) = (suite.owner.clone(), suite.market());
    suite.execute(&owner, &market, msg).map(|_| ())
}

fn exposure(suite: &Suite, name: &str) -> ExposureResponse {
    suite.query(
        &suite.market(),
        &market::QueryMsg::Exposure {
            provider: suite.addr(name).to_string(),
        },
    )
}

/// Link staking to the market, as the DAO deployment does: staking then asks the market for a
/// provider's exposure on every unbond.
fn link_staking(suite: &mut Suite) {
    let (owner, staking, market) = (suite.owner.clone(), suite.staking.clone(), suite.market());
    suite
        .execute(
            &owner,
            &staking,
            &staking::ExecuteMsg::SetMarket {
                address: Some(market.to_string()),
            },
        )
        .unwrap();
}

// ---- assertions --------------------------------------------------------------------------

fn snapshot(suite: &Suite) -> MarketSnapshot {
    suite.market_snapshot(ACTORS)
}

/// Run `f`, which must fail with exactly `expected` (an error of contract `E`), and check that
/// nothing changed.
#[track_caller]
fn refused<T: Debug, E>(
    suite: &mut Suite,
    expected: E,
    f: impl FnOnce(&mut Suite) -> anyhow::Result<T>,
) where
    E: std::error::Error + PartialEq + Send + Sync + 'static,
{
    let before = snapshot(suite);
    match f(suite) {
        Ok(v) => panic!("expected {expected:?}, got Ok({v:?})"),
        Err(e) => {
            let chain: Vec<String> = e.chain().map(|c| c.to_string()).collect();
            let got = e
                .downcast_ref::<E>()
                .unwrap_or_else(|| panic!("expected {expected:?}, got {chain:?}"));
            assert_eq!(got, &expected);
            assert_eq!(got.to_string(), expected.to_string());
        }
    }
    assert_eq!(
        snapshot(suite),
        before,
        "a refused transaction changed state"
    );
}

/// Commit `out` for each (provider, output) in order, with distinct salts. Slots are assigned at
/// submission: each provider must hold one in the job.
fn commit_all(suite: &mut Suite, id: u64, work: &[(&str, &Binary)]) {
    for (i, (p, out)) in work.iter().enumerate() {
        suite.slot_of(id, p);
        suite.commit_result(p, id, out, &salt(i as u8 + 1)).unwrap();
    }
}

/// The refusal of a submission with fewer than `needed` eligible digits providers.
fn not_enough(needed: u8, found: u8) -> ContractError {
    ContractError::NotEnoughEligibleProviders {
        model_id: DIGITS.into(),
        needed,
        found,
    }
}

/// `risk::can_take` of `name` now, as the draw applies it, for a new slot putting `at_risk` at
/// stake: the one rule that keeps a jailed or fully exposed provider out of every draw.
fn can_take(suite: &Suite, name: &str, at_risk: u128) -> Result<(), ContractError> {
    let p = suite.provider(name);
    let provider = acn_market::state::Provider {
        hardware: p.hardware,
        models: p.models,
        min_unit_price: p.min_unit_price,
        active: p.active,
        active_jobs: p.active_jobs,
        locked: p.locked,
        reputation: p.reputation,
        weight: p.weight,
    };
    acn_market::risk::can_take(
        &provider,
        suite.stake(name).bonded,
        Uint128::new(at_risk),
        suite.block().time,
    )
}

// ---- 6: a buyer's Sybil dispute --------------------------------------------------------------

/// The attack of issue 6: the buyer's own node holds the other slot of a redundancy-2 job and,
/// after the honest reveal, reveals something else. Returns the job id; the job is `Disputed`.
///
/// Slots are drawn, so a buyer cannot pick its node; the model has exactly two providers here,
/// so both are drawn (the attack's best case: its node is in every job).
fn sybil_dispute(suite: &mut Suite) -> u64 {
    let id = suite.submit_digits("buyer", 64, 2).unwrap();
    let mut drawn = suite.assigned_names(id, &["p1", "bnode"]);
    drawn.sort();
    assert_eq!(drawn, ["bnode", "p1"]);
    let honest = labels_output(&[7; 64]);
    let made_up = labels_output(&[3; 64]);
    commit_all(suite, id, &[("p1", &honest), ("bnode", &made_up)]);
    suite.reveal_result("p1", id, &honest, &salt(1)).unwrap();
    // the honest output is now on chain in clear; the buyer's node reveals its made-up one
    suite
        .reveal_result("bnode", id, &made_up, &salt(2))
        .unwrap();
    id
}

/// 64 items × 1 000 × redundancy 2.
const PRICE: u128 = 128_000;
/// 3 % of 128 000, rounded up.
const FEE: u128 = 3_840;

#[test]
fn a_buyers_sybil_dispute_keeps_the_escrow_and_the_owner_pays_the_honest_provider() {
    let mut suite = suite(&["p1", "bnode"]);
    let buyer_before = suite.balance_of("buyer");
    let id = sybil_dispute(&mut suite);

    // no refund at the dispute: the escrow stays, nobody is paid, both stakes stay locked
    let job = suite.job(id);
    assert_eq!(job.status, JobStatus::Disputed);
    assert_eq!((job.escrow.u128(), job.refunded.u128()), (PRICE, 0));
    assert_eq!(suite.balance_of("buyer"), buyer_before - PRICE);
    suite.assert_balance(suite.market(), PRICE);
    assert_eq!(exposure(&suite, "p1").locked.u128(), AT_RISK);
    assert_eq!(exposure(&suite, "bnode").locked.u128(), AT_RISK);
    // nobody may close it before the timeout, and Settle/Expire cannot touch it
    let closes_at = job.disputed_at.unwrap().seconds() + DISPUTE_TIMEOUT;
    refused(
        &mut suite,
        ContractError::DisputeStillOpen { id, closes_at },
        |s| exec(s, "buyer", &ExecuteMsg::CloseDispute { job_id: id }),
    );
    refused(
        &mut suite,
        ContractError::JobFinal {
            id,
            status: JobStatus::Disputed,
        },
        |s| s.expire("buyer", id),
    );

    // the owner accepts the honest output: p1 is paid as in a settlement, the node slashed
    let accept = ExecuteMsg::ResolveDispute {
        job_id: id,
        resolution: DisputeResolution::AcceptOutputOf {
            provider: suite.addr("p1").to_string(),
        },
    };
    exec_owner(&mut suite, &accept).unwrap();
    let job = suite.job(id);
    assert_eq!(job.status, JobStatus::Resolved);
    let (honest, node) = (suite.slot_of(id, "p1"), suite.slot_of(id, "bnode"));
    assert_eq!(honest.outcome, Some(SlotOutcome::Agreed));
    assert_eq!(node.outcome, Some(SlotOutcome::Outvoted));
    assert_eq!(
        (job.fee.u128(), honest.paid.u128(), node.paid.u128()),
        (FEE, PRICE - FEE, 0)
    );
    suite.assert_balance(suite.addr("p1"), PRICE - FEE);
    assert_eq!(suite.stake("p1").bonded.u128(), PROVIDER_STAKE);
    assert_eq!(suite.stake("bnode").bonded.u128(), PROVIDER_STAKE - AT_RISK);
    assert_eq!(exposure(&suite, "p1").locked.u128(), 0);
    assert_eq!(exposure(&suite, "bnode").locked.u128(), 0);
    // the buyer and its node: −128 000 paid, −100 tokens slashed, nothing back
    let buyer_side = suite.balance_of("buyer") as i128 - buyer_before as i128
        + suite.stake("bnode").bonded.u128() as i128
        - PROVIDER_STAKE as i128;
    assert_eq!(buyer_side, -(PRICE as i128) - AT_RISK as i128);
    let t = suite.market_totals();
    assert_eq!(
        (t.escrow.u128(), t.paid_to_providers.u128(), t.fees.u128()),
        (0, PRICE - FEE, FEE)
    );
}

#[test]
fn a_dispute_nobody_resolves_closes_after_the_timeout_without_profit_for_the_buyer() {
    // the same job done honestly by the buyer's node: what the buyer side nets without a dispute
    let honest_net = {
        let mut suite = suite(&["p1", "bnode"]);
        let buyer_before = suite.balance_of("buyer");
        let id = suite.submit_digits("buyer", 64, 2).unwrap();
        let out = labels_output(&[7; 64]);
        suite
            .run_job(id, &[("p1", out.clone()), ("bnode", out)])
            .unwrap();
        assert_eq!(suite.job(id).status, JobStatus::Settled);
        suite.balance_of("buyer") as i128 - buyer_before as i128 + suite.balance_of("bnode") as i128
    };

    let mut suite = suite(&["p1", "bnode"]);
    let buyer_before = suite.balance_of("buyer");
    let id = sybil_dispute(&mut suite);
    suite.advance_time(DISPUTE_TIMEOUT);
    exec(
        &mut suite,
        "keeper",
        &ExecuteMsg::CloseDispute { job_id: id },
    )
    .unwrap();

    // the pool minus the fee is shared by both revealers; nobody is slashed; no refund
    let job = suite.job(id);
    assert_eq!(job.status, JobStatus::Resolved);
    let half = (PRICE - FEE) / 2;
    assert_eq!(
        (job.fee.u128(), job.refunded.u128(), job.escrow.u128()),
        (FEE, 0, 0)
    );
    suite.assert_balance(suite.addr("p1"), half);
    suite.assert_balance(suite.addr("bnode"), half);
    assert_eq!(suite.stake("p1").bonded.u128(), PROVIDER_STAKE);
    assert_eq!(suite.stake("bnode").bonded.u128(), PROVIDER_STAKE);
    assert_eq!(
        suite.slot_of(id, "p1").outcome,
        Some(SlotOutcome::NoMajority)
    );

    // buyer + its node: −128 000 + 62 080 = −65 920 base units, the same as doing the job
    // honestly (no gain from the dispute); before the fix the buyer got all 128 000 back.
    let attack_net = suite.balance_of("buyer") as i128 - buyer_before as i128
        + suite.balance_of("bnode") as i128;
    assert_eq!(attack_net, -65_920);
    assert!(attack_net < 0);
    assert_eq!(attack_net, honest_net, "disputing gains the buyer nothing");
    // the honest provider is paid what an honest settlement would have paid it
    assert_eq!(half, 62_080);

    // closing twice is refused, and so is resolving afterwards
    refused(&mut suite, ContractError::NotDisputed { id }, |s| {
        exec(s, "keeper", &ExecuteMsg::CloseDispute { job_id: id })
    });
}

#[test]
fn voiding_a_dispute_refunds_the_buyer_and_slashes_nobody() {
    let mut suite = suite(&["p1", "bnode"]);
    let buyer_before = suite.balance_of("buyer");
    let id = sybil_dispute(&mut suite);
    refused(
        &mut suite,
        ContractError::Ownership(cw_ownable::OwnershipError::NotOwner),
        |s| {
            exec(
                s,
                "buyer",
                &ExecuteMsg::ResolveDispute {
                    job_id: id,
                    resolution: DisputeResolution::Void {},
                },
            )
        },
    );
    exec_owner(
        &mut suite,
        &ExecuteMsg::ResolveDispute {
            job_id: id,
            resolution: DisputeResolution::Void {},
        },
    )
    .unwrap();
    let job = suite.job(id);
    assert_eq!(job.status, JobStatus::Resolved);
    assert_eq!((job.refunded.u128(), job.fee.u128()), (PRICE, 0));
    assert_eq!(suite.balance_of("buyer"), buyer_before);
    assert_eq!(suite.stake("p1").bonded.u128(), PROVIDER_STAKE);
    assert_eq!(suite.stake("bnode").bonded.u128(), PROVIDER_STAKE);
    assert_eq!(exposure(&suite, "bnode").locked.u128(), 0);
    suite.assert_balance(suite.market(), 0);
}

#[test]
fn a_buyers_node_that_withholds_its_reveal_loses_more_than_the_job_costs() {
    // The other way to read the honest output for free: the buyer's node commits and never
    // reveals, so the job expires with one reveal and the buyer is refunded. Its node's no-show
    // costs the slot's stake at risk, at least 10 × its pay, so far more than the job.
    let mut suite = suite(&["p1", "bnode"]);
    let buyer_before = suite.balance_of("buyer");
    let id = suite.submit_digits("buyer", 64, 2).unwrap();
    let honest = labels_output(&[7; 64]);
    commit_all(&mut suite, id, &[("p1", &honest), ("bnode", &honest)]);
    suite.reveal_result("p1", id, &honest, &salt(1)).unwrap();
    suite.advance_time(600);
    suite.settle("keeper", id).unwrap();
    let job = suite.job(id);
    assert_eq!(job.status, JobStatus::Expired);
    assert_eq!(
        suite.slot_of(id, "bnode").outcome,
        Some(SlotOutcome::Missed)
    );
    assert_eq!(suite.balance_of("buyer"), buyer_before);
    let net = suite.balance_of("buyer") as i128 - buyer_before as i128
        + suite.stake("bnode").bonded.u128() as i128
        - PROVIDER_STAKE as i128;
    // −100 tokens against −65 920 base units for the honest job
    assert_eq!(net, -(AT_RISK as i128));
    assert!(net < -65_920);
}

// ---- 9: phantom demand ---------------------------------------------------------------------

/// Units a digits item costs in [`pump`]'s market: 64 items × 35 units = 2 240 units, the
/// demand the original attack made a window with five jobs of 64 items × redundancy 7.
const PUMP_UNITS_PER_ITEM: u64 = 35;

/// Unit price after eight 10-minute windows in which `buyer` submits one job of 64 items ×
/// redundancy 1 of a model costing 35 units an item (2 240 units of demand a window against one
/// provider's 1 000 of capacity) that nobody serves; then every job is refunded. Returns (price
/// after the 8 windows, buyer's loss, stake the assigned provider lost).
///
/// Slots are assigned at submission, so a redundancy-7 job needs seven eligible providers (and
/// with one it is refused): the attack keeps its 2 240 units a window with one redundancy-1 job
/// of a costlier model instead of five redundancy-7 jobs. Demand ≥ 2 × capacity moves the price
/// by the full 12.5 % step either way, so the numbers before and after the fix are unchanged.
fn pump(attack: bool) -> (u128, u128, u128) {
    let mut suite = suite_with(&["p1"], |m| {
        m.models[0].cost_units_per_item = PUMP_UNITS_PER_ITEM
    });
    suite.fund("buyer", 1_000 * TOKEN).unwrap();
    let before = suite.balance_of("buyer");
    let mut ids = vec![];
    for _ in 0..8 {
        if attack {
            let id = suite.submit_digits("buyer", 64, 1).unwrap();
            assert_eq!(suite.assigned(id), [suite.addr("p1")]);
            ids.push(id);
        }
        suite.advance_time(600);
    }
    let price = suite.unit_price();
    suite.advance_time(1_200);
    for id in ids {
        suite.settle("keeper", id).unwrap();
        assert_eq!(suite.job(id).status, JobStatus::Expired);
    }
    (
        price,
        before - suite.balance_of("buyer"),
        PROVIDER_STAKE - suite.stake("p1").bonded.u128(),
    )
}

#[test]
fn refunded_jobs_nobody_serves_no_longer_pump_the_price() {
    // Counted at submission, this demand took the price from 1 000 to 2 562 in 8 windows at no
    // cost. Counted at settlement, the unserved, refunded jobs move the price exactly as no jobs
    // at all: it decays from 1 000 to 346 for lack of delivered work.
    let (idle_price, _, idle_slashed) = pump(false);
    let (pumped_price, cost, slashed) = pump(true);
    assert_eq!(idle_price, 346);
    assert_eq!(pumped_price, idle_price, "phantom demand moved the price");
    assert_eq!(cost, 0, "the buyer got every job refunded");
    // With assignment, "nobody serves" means the assigned provider did not: each job is a
    // no-show, slashed 100, 200, 400, 800 tokens, then the last 500 — its whole 2 000-token
    // stake for 8 jobs (the attacker pays it if the slots were its own nodes').
    assert_eq!((idle_slashed, slashed), (0, PROVIDER_STAKE));
}

// ---- 11: emissions never block settlement ---------------------------------------------------

#[test]
fn an_emissions_contract_that_refuses_reports_does_not_block_settlement_or_expiry() {
    let mut suite = suite(&["p1", "p2", "p3"]);
    let params = EmissionParams {
        budget_rate: Decimal::permille(1),
        fee_cap_bps: 5_000,
        staker_share_bps: 2_000,
    };
    let emissions = suite
        .deploy_emissions(100_000 * TOKEN, DAY, params, true)
        .unwrap();
    // emissions is reconfigured to take reports from another market: every report now fails
    let (owner, other) = (suite.owner.clone(), suite.addr("other-market"));
    suite
        .execute(
            &owner,
            &emissions,
            &acn_interface::emissions::ExecuteMsg::UpdateConfig {
                market: Some(other.to_string()),
                staking: None,
            },
        )
        .unwrap();

    // settlement by the last reveal: paid, the outlier slashed, the last revealer not a no-show
    let out = labels_output(&[4, 2]);
    let wrong = labels_output(&[5, 2]);
    let id = suite.submit_digits("buyer", 2, 3).unwrap();
    let res = {
        commit_all(
            &mut suite,
            id,
            &[("p1", &out), ("p2", &out), ("p3", &wrong)],
        );
        suite.reveal_result("p1", id, &out, &salt(1)).unwrap();
        suite.reveal_result("p3", id, &wrong, &salt(3)).unwrap();
        suite.reveal_result("p2", id, &out, &salt(2)).unwrap()
    };
    let job = suite.job(id);
    assert_eq!(job.status, JobStatus::Settled);
    assert_eq!(
        ["p1", "p2", "p3"].map(|p| suite.slot_of(id, p).outcome),
        [
            Some(SlotOutcome::Agreed),
            Some(SlotOutcome::Agreed),
            Some(SlotOutcome::Outvoted)
        ]
    );
    // 6 000 − 180 fee, shared by p1 and p2
    suite.assert_balance(suite.addr("p1"), 2_910);
    suite.assert_balance(suite.addr("p2"), 2_910);
    assert_eq!(suite.stake("p1").bonded.u128(), PROVIDER_STAKE);
    assert_eq!(suite.stake("p2").bonded.u128(), PROVIDER_STAKE);
    assert_eq!(suite.stake("p3").bonded.u128(), PROVIDER_STAKE - AT_RISK);
    let failure = res
        .events
        .iter()
        .flat_map(|e| e.attributes.iter())
        .find(|a| a.key == "emissions_error")
        .map(|a| a.value.clone());
    assert!(
        failure
            .as_deref()
            .is_some_and(|e| e.contains("only the configured market")),
        "{failure:?}"
    );
    assert_eq!(suite.market_totals().emissions_failures, 1);

    // expiry of a job with a majority and a no-show: settled, only the no-show slashed
    let id = suite.submit_digits("buyer", 2, 3).unwrap();
    commit_all(&mut suite, id, &[("p1", &out), ("p2", &out), ("p3", &out)]);
    suite.reveal_result("p1", id, &out, &salt(1)).unwrap();
    suite.reveal_result("p2", id, &out, &salt(2)).unwrap();
    suite.advance_time(3_600);
    suite.expire("keeper", id).unwrap();
    let job = suite.job(id);
    assert_eq!(job.status, JobStatus::Settled);
    assert_eq!(suite.slot_of(id, "p3").outcome, Some(SlotOutcome::Missed));
    suite.assert_balance(suite.addr("p1"), 2 * 2_910);
    assert_eq!(suite.stake("p1").bonded.u128(), PROVIDER_STAKE);
    // p3's second offence within the window: twice the stake at risk
    assert_eq!(
        suite.stake("p3").bonded.u128(),
        PROVIDER_STAKE - AT_RISK - 2 * AT_RISK
    );
    let t = suite.market_totals();
    assert_eq!((t.emissions_failures, t.escrow.u128()), (2, 0));
    let info: market::EmissionsResponse =
        suite.query(&suite.market(), &market::QueryMsg::Emissions {});
    assert_eq!(info.address, Some(emissions.clone()));
    assert!(info
        .last_error
        .is_some_and(|e| e.contains("only the configured market")));
    // nothing reached the emissions contract
    let t = suite.emissions_totals(&emissions);
    assert_eq!((t.fees.u128(), t.open_epoch), (0, None));
}

// ---- 12: a slash escaped by nobody settling -------------------------------------------------

#[test]
fn a_no_show_cannot_unbond_its_stake_at_risk_and_is_slashed_when_the_job_is_finalized() {
    let mut suite = suite(&["p1"]);
    link_staking(&mut suite);
    // the only provider is assigned the slot at submission, which locks its stake at risk at once
    let id = suite.submit_digits("buyer", 2, 1).unwrap();
    assert_eq!(suite.assigned(id), [suite.addr("p1")]);
    assert_eq!(
        exposure(&suite, "p1"),
        ExposureResponse {
            provider: suite.addr("p1"),
            locked: Uint128::new(AT_RISK),
            unfinished_jobs: 1,
            jailed_until: None,
        }
    );
    // the no-show tries to take everything out at once
    refused(
        &mut suite,
        acn_staking::ContractError::StakeLocked {
            bonded: Uint128::new(PROVIDER_STAKE),
            locked: Uint128::new(AT_RISK),
            requested: Uint128::new(PROVIDER_STAKE),
        },
        |s| s.unbond("p1", PROVIDER_STAKE),
    );
    // it may unbond what is not at risk, not one unit more
    suite.unbond("p1", PROVIDER_STAKE - AT_RISK).unwrap();
    refused(
        &mut suite,
        acn_staking::ContractError::StakeLocked {
            bonded: Uint128::new(AT_RISK),
            locked: Uint128::new(AT_RISK),
            requested: Uint128::one(),
        },
        |s| s.unbond("p1", 1),
    );
    // nobody finalizes the job for longer than the unbonding period; the rest is withdrawn
    suite.advance_time(15 * DAY);
    suite.claim("p1").unwrap();
    assert_eq!(suite.stake("p1").bonded.u128(), AT_RISK);
    // the job is finalized at last: the stake at risk was still there to slash
    suite.expire("keeper", id).unwrap();
    assert_eq!(suite.job(id).slots[0].outcome, Some(SlotOutcome::Missed));
    assert_eq!(suite.stake("p1").bonded.u128(), 0);
    assert_eq!(suite.provider("p1").reputation.slashed.u128(), AT_RISK);
    assert_eq!(exposure(&suite, "p1").locked.u128(), 0);
}

// ---- 15: withholding does not pay -------------------------------------------------------------

#[test]
fn withholding_a_losing_result_costs_at_least_revealing_it() {
    let all = ["p1", "p2", "p3", "p4"];
    let mut suite = suite(&all);
    let out = labels_output(&[1, 2]);
    let wrong = labels_output(&[9, 9]);
    // three of the four are drawn; the last of them reveals a wrong result and is outvoted
    let a = suite.submit_digits("buyer", 2, 3).unwrap();
    let in_a = suite.assigned_names(a, &all);
    let liar = in_a[2];
    suite
        .run_job(
            a,
            &[
                (in_a[0], out.clone()),
                (in_a[1], out.clone()),
                (liar, wrong.clone()),
            ],
        )
        .unwrap();
    // another provider of the next job, with no offence on record either, sees the majority's
    // reveals, knows it lost, and withholds its reveal
    let b = suite.submit_digits("buyer", 2, 3).unwrap();
    let in_b = suite.assigned_names(b, &all);
    let withholder = *in_b.iter().rev().find(|p| **p != liar).unwrap();
    let majority: Vec<&str> = in_b.iter().copied().filter(|p| *p != withholder).collect();
    commit_all(
        &mut suite,
        b,
        &[
            (majority[0], &out),
            (majority[1], &out),
            (withholder, &wrong),
        ],
    );
    suite.reveal_result(majority[0], b, &out, &salt(1)).unwrap();
    suite.reveal_result(majority[1], b, &out, &salt(2)).unwrap();
    suite.advance_time(600);
    suite.settle("keeper", b).unwrap();
    assert_eq!(suite.slot_of(a, liar).outcome, Some(SlotOutcome::Outvoted));
    assert_eq!(
        suite.slot_of(b, withholder).outcome,
        Some(SlotOutcome::Missed)
    );
    let revealed_loss = PROVIDER_STAKE - suite.stake(liar).bonded.u128();
    let withheld_loss = PROVIDER_STAKE - suite.stake(withholder).bonded.u128();
    // 100 tokens each at the defaults (it was 100 against 50)
    assert_eq!((revealed_loss, withheld_loss), (AT_RISK, AT_RISK));
    assert!(withheld_loss >= revealed_loss);

    // and the rule cannot be governed away
    let params = MarketParams {
        no_show_slash_bps: 5_000,
        ..MarketParams::default()
    };
    refused(
        &mut suite,
        ContractError::InvalidParams {
            reason: "no-show slash 5000 bps must be within the wrong result slash 10000 \
                     bps..=10000: withholding a losing result must cost at least revealing it"
                .into(),
        },
        |s| exec_owner(s, &ExecuteMsg::UpdateParams { params }),
    );
}

// ---- 17: the fee never rounds to zero ------------------------------------------------------

#[test]
fn every_escrow_from_one_to_thirty_four_base_units_pays_a_fee() {
    let mut suite = suite_with(&["p1"], |m| m.initial_unit_price = 1);
    let mut fees = 0;
    for batch in 1..=34u32 {
        let id = suite.submit_digits("buyer", batch, 1).unwrap();
        assert_eq!(suite.job(id).price.u128(), batch as u128);
        suite
            .run_job(id, &[("p1", labels_output(&vec![0; batch as usize]))])
            .unwrap();
        let job = suite.job(id);
        assert_eq!(job.status, JobStatus::Settled);
        // 3 % rounded up: 1 for 1..=33 base units (it was 0), 2 for 34
        let expected = if batch <= 33 { 1 } else { 2 };
        assert_eq!(job.fee.u128(), expected, "escrow {batch}");
        assert_eq!(job.fee.u128() + job.slots[0].paid.u128(), batch as u128);
        fees += job.fee.u128();
    }
    assert_eq!(fees, 35);
    assert_eq!(suite.market_totals().fees.u128(), 35);
}

// ---- 18: commitments bound to the job and the market ----------------------------------------

#[test]
fn commitments_bind_the_job_and_the_market_so_replays_are_refused() {
    let out = labels_output(&[4, 2]);
    let s = salt(7);
    let p = "cosmwasm1provider";
    assert_ne!(
        commitment(&out, &s, p, 1, "market-a"),
        commitment(&out, &s, p, 2, "market-a")
    );
    assert_ne!(
        commitment(&out, &s, p, 1, "market-a"),
        commitment(&out, &s, p, 1, "market-b")
    );
    // the output/salt boundary is unambiguous
    assert_ne!(
        commitment(&[1, 2], &[3], p, 1, "m"),
        commitment(&[1], &[2, 3], p, 1, "m")
    );

    // one provider, so every job is assigned to it; its redundancy-1 jobs open their reveal
    // phase once the buyer has revealed its audit secret (no auditor: nobody else serves)
    let mut suite = suite(&["p1"]);
    // the same output and the same salt in two jobs give different commitments on chain
    let one = suite.submit_digits("buyer", 2, 1).unwrap();
    let two = suite.submit_digits("buyer", 2, 1).unwrap();
    for id in [one, two] {
        assert_eq!(suite.assigned(id), [suite.addr("p1")]);
        suite.commit_result("p1", id, &out, &s).unwrap();
    }
    let c1 = suite.job(one).slots[0].commitment.clone().unwrap();
    let c2 = suite.job(two).slots[0].commitment.clone().unwrap();
    assert_ne!(c1, c2);
    assert_eq!(suite.audit(one).unwrap(), None);
    suite.reveal_result("p1", one, &out, &s).unwrap();

    // a copier replays job one's commitment and reveal in job three: refused at the reveal
    let three = suite.submit_digits("buyer", 2, 1).unwrap();
    exec(
        &mut suite,
        "p1",
        &ExecuteMsg::CommitResult {
            job_id: three,
            commitment: c1.clone(),
        },
    )
    .unwrap();
    assert_eq!(suite.audit(three).unwrap(), None);
    refused(&mut suite, ContractError::CommitmentMismatch {}, |st| {
        st.reveal_result("p1", three, &out, &s)
    });
    // a commitment made for another market is refused as well
    let four = suite.submit_digits("buyer", 2, 1).unwrap();
    let elsewhere = commitment(&out, &s, suite.addr("p1").as_str(), four, "another-market");
    exec(
        &mut suite,
        "p1",
        &ExecuteMsg::CommitResult {
            job_id: four,
            commitment: HexBinary::from(elsewhere.to_vec()),
        },
    )
    .unwrap();
    assert_eq!(suite.audit(four).unwrap(), None);
    refused(&mut suite, ContractError::CommitmentMismatch {}, |st| {
        st.reveal_result("p1", four, &out, &s)
    });
}

// ---- slashing that deters -------------------------------------------------------------------

#[test]
fn repeat_offences_escalate_and_the_third_jails_the_provider() {
    let mut suite = suite(&["p1", "p2", "p3"]);
    let out = labels_output(&[1]);
    let wrong = labels_output(&[2]);
    let mut losses = vec![];
    for _ in 0..3 {
        let before = suite.stake("p3").bonded.u128();
        let id = suite.submit_digits("buyer", 1, 3).unwrap();
        suite
            .run_job(
                id,
                &[
                    ("p1", out.clone()),
                    ("p2", out.clone()),
                    ("p3", wrong.clone()),
                ],
            )
            .unwrap();
        losses.push(before - suite.stake("p3").bonded.u128());
    }
    // 100, 200, 400 tokens: 700 of 2 000 staked, for three jobs paying 0.000 97 tokens each
    assert_eq!(losses, vec![AT_RISK, 2 * AT_RISK, 4 * AT_RISK]);
    let rep = suite.provider("p3").reputation;
    assert_eq!((rep.strikes, rep.outvoted), (3, 3));
    let until = rep.jailed_until.unwrap();
    assert_eq!(until, suite.block().time.plus_seconds(DAY));
    assert_eq!(exposure(&suite, "p3").jailed_until, Some(until));

    // jailed: no new work for a day. The draw skips p3 (`risk::can_take` refuses it), so a job
    // needing all three providers finds two and is refused with nothing moved...
    assert_eq!(
        can_take(&suite, "p3", AT_RISK),
        Err(ContractError::ProviderJailed {
            until: until.seconds(),
        })
    );
    refused(&mut suite, not_enough(3, 2), |s| {
        s.submit_digits("buyer", 1, 3)
    });
    // ...and a job needing two goes to the other two
    let id = suite.submit_digits("buyer", 1, 2).unwrap();
    let mut drawn = suite.assigned_names(id, &["p1", "p2", "p3"]);
    drawn.sort();
    assert_eq!(drawn, ["p1", "p2"]);
    // a day later p3 is drawn again
    suite.advance_time(DAY);
    assert_eq!(can_take(&suite, "p3", AT_RISK), Ok(()));
    let id = suite.submit_digits("buyer", 1, 3).unwrap();
    assert_eq!(suite.slot_of(id, "p3").at_risk.u128(), AT_RISK);
}

#[test]
fn a_provider_holds_unfinished_work_only_up_to_its_bonded_stake() {
    let mut suite = suite(&[]);
    // the minimum stake: 1 000 tokens cover ten slots of 100 tokens at risk
    suite
        .make_provider("small", 1_000 * TOKEN, &[DIGITS])
        .unwrap();
    for _ in 0..10 {
        let id = suite.submit_digits("buyer", 1, 1).unwrap();
        assert_eq!(suite.assigned(id), [suite.addr("small")]);
    }
    assert_eq!(
        exposure(&suite, "small"),
        ExposureResponse {
            provider: suite.addr("small"),
            locked: Uint128::new(1_000 * TOKEN),
            unfinished_jobs: 10,
            jailed_until: None,
        }
    );
    // the 11th slot does not fit (10 jobs are within the 16-job cap: exposure is what refuses
    // it), so the only provider is not drawn and the job is refused with nothing moved
    assert_eq!(
        can_take(&suite, "small", AT_RISK),
        Err(ContractError::ExposureAboveStake {
            locked: Uint128::new(1_000 * TOKEN),
            at_risk: Uint128::new(AT_RISK),
            bonded: Uint128::new(1_000 * TOKEN),
        })
    );
    refused(&mut suite, not_enough(1, 0), |s| {
        s.submit_digits("buyer", 1, 1)
    });
}

#[test]
fn a_slot_of_a_big_job_locks_ten_times_its_pay() {
    // one token per unit: a job of 64 items pays 64 tokens, its slot locks 640
    let mut suite = suite_with(&["p1"], |m| m.initial_unit_price = TOKEN);
    for _ in 0..3 {
        let id = suite.submit_digits("buyer", 64, 1).unwrap();
        assert_eq!(suite.slot_of(id, "p1").at_risk.u128(), 640 * TOKEN);
    }
    assert_eq!(exposure(&suite, "p1").locked.u128(), 1_920 * TOKEN);
    // a 4th slot would lock 2 560 of 2 000 tokens: p1 is not drawn, the job is refused
    assert_eq!(
        can_take(&suite, "p1", 640 * TOKEN),
        Err(ContractError::ExposureAboveStake {
            locked: Uint128::new(1_920 * TOKEN),
            at_risk: Uint128::new(640 * TOKEN),
            bonded: Uint128::new(PROVIDER_STAKE),
        })
    );
    refused(&mut suite, not_enough(1, 0), |s| {
        s.submit_digits("buyer", 64, 1)
    });
}

#[test]
fn slashing_parameters_outside_their_guard_rails_are_refused() {
    let mut suite = suite(&[]);
    type Breaker = fn(&mut MarketParams);
    let cases: Vec<(Breaker, &str)> = vec![
        (
            |p| p.wrong_result_slash_bps = 0,
            "wrong result slash 0 bps must be within 1..=10000",
        ),
        (
            |p| p.wrong_result_slash_bps = 10_001,
            "wrong result slash 10001 bps must be within 1..=10000",
        ),
        (
            |p| p.no_show_slash_bps = 10_001,
            "no-show slash 10001 bps must be within the wrong result slash 10000 bps..=10000: \
             withholding a losing result must cost at least revealing it",
        ),
        (
            |p| p.min_slot_stake = Uint128::zero(),
            "min slot stake must be positive",
        ),
        (
            |p| p.jail_after_offences = 0,
            "jail after offences must be positive",
        ),
        (
            |p| p.dispute_timeout = 0,
            "dispute timeout must be positive",
        ),
    ];
    for (break_it, reason) in cases {
        let mut params = MarketParams::default();
        break_it(&mut params);
        refused(
            &mut suite,
            ContractError::InvalidParams {
                reason: reason.into(),
            },
            |s| exec_owner(s, &ExecuteMsg::UpdateParams { params }),
        );
    }
}

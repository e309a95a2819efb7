//! `Distribute {}`: exact split with awkward amounts, burn, executor reward, stakers' reward round.

use acn_interface::treasury::Split;
use acn_testing::treasury_helpers::{expect_treasury_error, wasm_attr};
use acn_testing::{Suite, SuiteBuilder, TOKEN};
use acn_treasury::ContractError;

/// Large enough to hold every amount the tests deposit (stays below the token's cap).
const WHALE_FUNDS: u128 = 9_500_000_000 * TOKEN;

/// `(deposit, burn, stakers, executor, kept)` for the seed split 7000 / 0 / 2900 / 100.
const SEED_CASES: [(u128, u128, u128, u128, u128); 6] = [
    (1, 0, 0, 0, 1),
    (7, 4, 0, 0, 3),
    (9_999, 6_999, 0, 99, 2_901),
    (10_001, 7_000, 0, 100, 2_901),
    (123_456_789, 86_419_752, 0, 1_234_567, 35_802_470),
    (
        9_007_199_254_740_993,
        6_305_039_478_318_695,
        0,
        90_071_992_547_409,
        2_612_087_783_874_889,
    ),
];

/// The same amounts with the split 3333 / 3333 / 3333 / 1.
const THIRDS_CASES: [(u128, u128, u128, u128, u128); 6] = [
    (1, 0, 0, 0, 1),
    (7, 2, 2, 0, 3),
    (9_999, 3_332, 3_332, 0, 3_335),
    (10_001, 3_333, 3_333, 1, 3_334),
    (123_456_789, 41_148_147, 41_148_147, 12_345, 41_148_150),
    (
        9_007_199_254_740_993,
        3_002_099_511_605_172,
        3_002_099_511_605_172,
        900_719_925_474,
        3_002_099_511_605_175,
    ),
];

fn thirds() -> Split {
    Split {
        burn_bps: 3_333,
        stakers_bps: 3_333,
        kept_bps: 3_333,
        executor_bps: 1,
    }
}

/// Deposits `amount` from the owner, distributes as "keeper" and checks every flow exactly.
#[track_caller]
fn check_round(
    suite: &mut Suite,
    (amount, burn, stakers, executor, kept): (u128, u128, u128, u128, u128),
) {
    assert_eq!(
        burn + stakers + executor + kept,
        amount,
        "table row must add up"
    );
    let owner = suite.owner.clone();
    let keeper = suite.addr("keeper");
    let (treasury, staking) = (suite.treasury.clone(), suite.staking.clone());

    suite.deposit_fee_from(&owner, amount).unwrap();
    let supply_before = suite.total_supply();
    let treasury_before = suite.balance(treasury.clone());
    let staking_before = suite.balance(staking.clone());
    let keeper_before = suite.balance(keeper.clone());
    let totals_before = suite.treasury_totals();

    let res = suite.distribute_as(&keeper).unwrap();

    assert_eq!(wasm_attr(&res, &treasury, "action"), "distribute");
    assert_eq!(wasm_attr(&res, &treasury, "amount"), amount.to_string());
    assert_eq!(wasm_attr(&res, &treasury, "burned"), burn.to_string());
    assert_eq!(
        wasm_attr(&res, &treasury, "to_stakers"),
        stakers.to_string()
    );
    assert_eq!(wasm_attr(&res, &treasury, "kept"), kept.to_string());
    assert_eq!(
        wasm_attr(&res, &treasury, "executor_reward"),
        executor.to_string()
    );
    assert_eq!(wasm_attr(&res, &treasury, "executor"), keeper.as_str());

    assert_eq!(
        supply_before - suite.total_supply(),
        burn,
        "supply falls by the burn"
    );
    assert_eq!(
        suite.balance(staking.clone()) - staking_before,
        stakers,
        "stakers' share"
    );
    assert_eq!(
        suite.balance(keeper.clone()) - keeper_before,
        executor,
        "executor share"
    );
    assert_eq!(
        treasury_before - suite.balance(treasury.clone()),
        burn + stakers + executor,
        "the treasury keeps exactly `kept`"
    );

    let t = suite.treasury_totals();
    assert_eq!(t.pending.u128(), 0);
    assert_eq!((t.burned - totals_before.burned).u128(), burn);
    assert_eq!((t.to_stakers - totals_before.to_stakers).u128(), stakers);
    assert_eq!((t.kept - totals_before.kept).u128(), kept);
    assert_eq!(
        (t.executor_paid - totals_before.executor_paid).u128(),
        executor
    );
    assert_eq!(t.distributions, totals_before.distributions + 1);
    suite.assert_treasury_invariants();
}

#[test]
fn seed_split_with_awkward_amounts_adds_up_exactly() {
    let mut suite = SuiteBuilder::new().with_owner_funds(WHALE_FUNDS).build();
    for case in SEED_CASES {
        check_round(&mut suite, case);
    }
    let t = suite.treasury_totals();
    let deposited: u128 = SEED_CASES.iter().map(|c| c.0).sum();
    let kept: u128 = SEED_CASES.iter().map(|c| c.4).sum();
    assert_eq!(t.deposited.u128(), deposited);
    assert_eq!(t.kept.u128(), kept);
    assert_eq!(t.distributions, SEED_CASES.len() as u64);
    // What was kept is spendable.
    assert_eq!(suite.treasury_balances().spendable.u128(), kept);
}

#[test]
fn thirds_split_with_awkward_amounts_adds_up_exactly() {
    let mut suite = SuiteBuilder::new()
        .with_owner_funds(WHALE_FUNDS)
        .with_funds("alice", 1_000 * TOKEN)
        .with_split(thirds())
        .build();
    suite.bond("alice", 1_000 * TOKEN).unwrap();
    for case in THIRDS_CASES {
        check_round(&mut suite, case);
    }
    let to_stakers: u128 = THIRDS_CASES.iter().map(|c| c.2).sum();
    assert_eq!(suite.treasury_totals().to_stakers.u128(), to_stakers);
    assert_eq!(suite.staking_totals().rewards_funded.u128(), to_stakers);
}

#[test]
fn burn_lowers_total_supply_by_exactly_the_burned_amount() {
    let mut suite = SuiteBuilder::new().with_funds("market", 1_000_000).build();
    let supply = suite.total_supply();
    assert_eq!(supply, suite.genesis_supply);
    suite.deposit_fee("market", 1_000_000).unwrap();
    assert_eq!(suite.total_supply(), supply, "a deposit burns nothing");
    suite.distribute("keeper").unwrap();
    assert_eq!(suite.total_supply(), supply - 700_000);
    assert_eq!(suite.treasury_totals().burned.u128(), 700_000);
}

#[test]
fn executor_is_whoever_calls_and_gets_its_share() {
    let mut suite = SuiteBuilder::new().with_funds("market", 2_000_000).build();
    suite.deposit_fee("market", 1_000_000).unwrap();
    suite.distribute("keeper").unwrap();
    suite.assert_balance(suite.addr("keeper"), 10_000);

    suite.deposit_fee("market", 500_000).unwrap();
    suite.distribute("stranger").unwrap();
    suite.assert_balance(suite.addr("stranger"), 5_000);
    suite.assert_balance(suite.addr("keeper"), 10_000);
    assert_eq!(suite.treasury_totals().executor_paid.u128(), 15_000);
    assert_eq!(suite.treasury_totals().distributions, 2);
}

#[test]
fn stakers_share_reaches_staking_as_a_reward_round() {
    let split = Split {
        burn_bps: 5_000,
        stakers_bps: 2_000,
        kept_bps: 2_900,
        executor_bps: 100,
    };
    let mut suite = SuiteBuilder::new()
        .with_split(split)
        .with_funds("alice", TOKEN)
        .with_funds("market", 10_000_000)
        .build();
    // One staker with 1 token bonded: the reward index divides exactly.
    suite.bond("alice", TOKEN).unwrap();
    let staking_before = suite.balance(suite.staking.clone());

    suite.deposit_fee("market", 10_000_000).unwrap();
    suite.distribute("keeper").unwrap();

    assert_eq!(
        suite.balance(suite.staking.clone()) - staking_before,
        2_000_000
    );
    assert_eq!(suite.staking_totals().rewards_funded.u128(), 2_000_000);
    // Staking streams the round over its reward duration: nothing yet, all of it a week later.
    assert_eq!(suite.pending_rewards("alice"), 0);
    suite.advance_time(acn_interface::staking::DEFAULT_REWARD_DURATION);
    assert_eq!(suite.pending_rewards("alice"), 2_000_000);
    suite.claim_rewards("alice").unwrap();
    suite.assert_balance(suite.addr("alice"), 2_000_000);
    assert_eq!(suite.treasury_totals().to_stakers.u128(), 2_000_000);
    suite.assert_treasury_invariants();
}

#[test]
fn nothing_pending_is_an_error_and_changes_nothing() {
    let mut suite = SuiteBuilder::new()
        .with_funds("market", 1_000)
        .with_treasury_reserve(5_000)
        .build();
    let keeper = suite.addr("keeper");
    let err = expect_treasury_error(suite.distribute_as(&keeper));
    assert_eq!(err, ContractError::NothingToDistribute);

    suite.deposit_fee("market", 1_000).unwrap();
    suite.distribute("keeper").unwrap();
    let totals = suite.treasury_totals();
    let supply = suite.total_supply();
    let err = expect_treasury_error(suite.distribute_as(&keeper));
    assert_eq!(err, ContractError::NothingToDistribute);
    assert_eq!(suite.treasury_totals(), totals);
    assert_eq!(suite.total_supply(), supply);
    suite.assert_balance(keeper, 10);
}

#[test]
fn distribute_takes_all_pending_from_several_deposits_at_once() {
    let mut suite = SuiteBuilder::new()
        .with_funds("market", 100)
        .with_funds("staking_slash", 100)
        .build();
    // Three small deposits whose separate splits would round differently from their sum.
    suite.deposit_fee("market", 33).unwrap();
    suite.deposit_fee("market", 34).unwrap();
    suite.deposit_fee("staking_slash", 33).unwrap();
    let res = suite.distribute("keeper").unwrap();
    let treasury = suite.treasury.clone();
    assert_eq!(wasm_attr(&res, &treasury, "amount"), "100");
    assert_eq!(wasm_attr(&res, &treasury, "burned"), "70");
    assert_eq!(wasm_attr(&res, &treasury, "executor_reward"), "1");
    assert_eq!(wasm_attr(&res, &treasury, "kept"), "29");
    suite.assert_treasury_invariants();
}

#[test]
fn full_burn_and_full_executor_splits_emit_only_nonzero_messages() {
    for split in [
        Split {
            burn_bps: 10_000,
            stakers_bps: 0,
            kept_bps: 0,
            executor_bps: 0,
        },
        Split {
            burn_bps: 0,
            stakers_bps: 0,
            kept_bps: 0,
            executor_bps: 10_000,
        },
        Split {
            burn_bps: 0,
            stakers_bps: 0,
            kept_bps: 10_000,
            executor_bps: 0,
        },
    ] {
        let mut suite = SuiteBuilder::new()
            .with_split(split.clone())
            .with_funds("market", 12_345)
            .build();
        suite.deposit_fee("market", 12_345).unwrap();
        let supply = suite.total_supply();
        // cw20 rejects zero amounts, so success proves no zero-amount message was sent.
        suite.distribute("keeper").unwrap();
        let burned = supply - suite.total_supply();
        let paid = suite.balance_of("keeper");
        let kept = suite.treasury_totals().kept.u128();
        assert_eq!(burned, 12_345 * split.burn_bps as u128 / 10_000);
        assert_eq!(paid, 12_345 * split.executor_bps as u128 / 10_000);
        assert_eq!(kept, 12_345 * split.kept_bps as u128 / 10_000);
        suite.assert_treasury_invariants();
    }
}

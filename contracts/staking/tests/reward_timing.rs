//! Issue 12 items 13 and 14: rewards are streamed over `reward_duration` (7 days by default), so
//! what a staker earns is its share of stake × time. Each attack is replayed at the default
//! parameters (genesis split 70 / 20 / 9 / 1, 5-second blocks, 14-day unbonding) with its gain
//! measured and asserted; the stream's own rules (pausing, the end of a stream a one-unit round
//! cannot stall, the governed duration) are tested here too.

use acn_interface::staking::{
    ExecuteMsg, DEFAULT_REWARD_DURATION, MAX_REWARD_DURATION, MIN_REWARD_DURATION,
};
use acn_interface::treasury::Split;
use acn_staking::ContractError;
use acn_testing::staking_helpers::expect_staking_error;
use acn_testing::{Suite, SuiteBuilder, BLOCK_SECONDS, DAY, TOKEN};
use cosmwasm_std::{Uint128, Uint256};
use cw_ownable::OwnershipError;

const WEEK: u64 = 7 * DAY;

/// The genesis fee split (`packages/client/genesis.toml`): 20 % of each `Distribute` to stakers.
fn genesis_split() -> Split {
    Split {
        burn_bps: 7_000,
        stakers_bps: 2_000,
        kept_bps: 900,
        executor_bps: 100,
    }
}

/// What must not move when an attack is refused: the attacker's balance, pending rewards and
/// stake, and the contract's totals.
fn snapshot(
    suite: &Suite,
    name: &str,
) -> (u128, u128, Uint128, acn_interface::staking::TotalsResponse) {
    (
        suite.balance_of(name),
        suite.pending_rewards(name),
        suite.stake(name).bonded,
        suite.staking_totals(),
    )
}

#[test]
fn carried_rewards_are_not_taken_with_one_unit() {
    let carried = 2_000 * TOKEN;
    let mut suite = SuiteBuilder::new()
        .with_funds("mallory", 10 * TOKEN)
        .with_funds("alice", 1_000 * TOKEN)
        .with_funds("funder", carried)
        .build();
    assert_eq!(
        suite.staking_config().reward_duration,
        DEFAULT_REWARD_DURATION
    );

    // 2 000 ACN arrive while nothing is bonded, and wait three days: the stream is paused.
    suite.fund_rewards("funder", carried).unwrap();
    suite.advance_time(3 * DAY);
    assert_eq!(
        suite.staking_totals().rewards_carried,
        Uint128::new(carried)
    );

    // The attack of the review: bond one base unit, fund a one-unit round, claim, all in one
    // block. Before streaming this paid mallory the whole 2 000 ACN + 1.
    suite.bond("mallory", 1).unwrap();
    suite.fund_rewards("mallory", 1).unwrap();
    let before = snapshot(&suite, "mallory");
    assert_eq!(
        expect_staking_error(suite.claim_rewards("mallory")),
        ContractError::NoRewards {}
    );
    assert_eq!(snapshot(&suite, "mallory"), before);
    assert_eq!(before.1, 0);
    assert_eq!(before.3.rewards_carried, Uint128::new(carried + 1));
    assert_eq!(before.3.reward_per_token, Uint256::zero());
    // The one-unit round did not move the stream's end: still a full week from now.
    let now = suite.block().time.seconds();
    assert_eq!(before.3.reward_stream_end, now + WEEK);

    // Alone for one block, mallory earns the stream's rate for one block: (2 000 ACN + 1) × 5 s
    // / 7 days = 16 534 base units (0.0165 ACN), not 2 000 ACN.
    suite.advance_blocks(1);
    let alone = (carried + 1) * u128::from(BLOCK_SECONDS) / u128::from(WEEK);
    assert_eq!(alone, 16_534);
    assert_eq!(suite.pending_rewards("mallory"), alone);

    // Then alice bonds 1 000 ACN; a week later the stream is spent, and mallory's one unit has
    // earned one more base unit of it (1 / 1 000 000 001 of 1 999 983 467, rounded down).
    suite.bond("alice", 1_000 * TOKEN).unwrap();
    suite.advance_time(WEEK);
    let gain = suite.pending_rewards("mallory");
    assert_eq!(gain, 16_535);
    assert_eq!(suite.pending_rewards("alice"), 1_999_983_465);
    suite.claim_rewards("mallory").unwrap();
    assert_eq!(suite.balance_of("mallory"), 10 * TOKEN - 2 + gain);
    // 16 535 of 2 000 000 001: less than 0.001 %.
    assert!(gain * 100_000 < carried);
    suite.assert_staking_solvent(&[suite.addr("mallory"), suite.addr("alice")]);
}

#[test]
fn bonding_just_before_distribute_earns_only_its_seconds() {
    let stake = 1_000 * TOKEN;
    let fees = 1_000 * TOKEN;
    let mut suite = SuiteBuilder::new()
        .with_funds("alice", stake)
        .with_funds("mallory", stake)
        .with_funds("payer", 10 * fees)
        .with_split(genesis_split())
        .build();

    // Alice stakes for a month; each week the keeper distributes 1 000 ACN of fees, 200 ACN of
    // which go to stakers.
    suite.bond("alice", stake).unwrap();
    for _ in 0..4 {
        suite.deposit_fee("payer", fees).unwrap();
        suite.distribute("keeper").unwrap();
        suite.advance_time(WEEK);
    }
    assert_eq!(suite.pending_rewards("alice"), 4 * 200 * TOKEN);

    // Just-in-time: mallory bonds as much as alice right before `Distribute`, and unbonds one
    // block after. Before streaming she took half of the round at once: 100 ACN.
    suite.deposit_fee("payer", fees).unwrap();
    suite.bond("mallory", stake).unwrap();
    suite.distribute("keeper").unwrap();
    assert_eq!(suite.pending_rewards("mallory"), 0);
    suite.advance_blocks(1);
    suite.unbond("mallory", stake).unwrap();
    let gain = suite.pending_rewards("mallory");
    // Her time-weighted share: half of 200 ACN × 5 s / 7 days = 826.7 base units.
    let share = 200 * TOKEN * u128::from(BLOCK_SECONDS) / u128::from(WEEK) / 2;
    assert_eq!(share, 826);
    assert_eq!(gain, 826);
    assert!(gain <= share + 1);
    // For that 0.000826 ACN her 1 000 ACN are locked for the 14-day unbonding period.
    suite.claim_rewards("mallory").unwrap();
    assert_eq!(suite.balance_of("mallory"), gain);

    // Alice, bonded all along, gets the rest of the round.
    suite.advance_time(WEEK);
    assert_eq!(suite.pending_rewards("alice"), 5 * 200 * TOKEN - gain - 1);
    suite.assert_staking_solvent(&[suite.addr("alice"), suite.addr("mallory")]);
}

#[test]
fn a_staker_bonded_through_the_whole_stream_earns_its_full_share() {
    let stake = 1_000 * TOKEN;
    let mut suite = SuiteBuilder::new()
        .with_funds("alice", stake)
        .with_funds("bob", stake)
        .with_funds("payer", 10_000 * TOKEN)
        .with_split(genesis_split())
        .build();
    suite.bond("alice", stake).unwrap();
    suite.bond("bob", stake).unwrap();
    suite.deposit_fee("payer", 1_000 * TOKEN).unwrap();
    suite.distribute("keeper").unwrap();
    // A quarter of the week: a quarter of the round, shared equally.
    suite.advance_time(WEEK / 4);
    assert_eq!(suite.pending_rewards("alice"), 25 * TOKEN);
    assert_eq!(suite.pending_rewards("bob"), 25 * TOKEN);
    // Bob leaves at the quarter; alice takes everything released after.
    suite.unbond("bob", stake).unwrap();
    suite.advance_time(WEEK);
    assert_eq!(suite.pending_rewards("alice"), 175 * TOKEN);
    assert_eq!(suite.pending_rewards("bob"), 25 * TOKEN);
    let totals = suite.staking_totals();
    assert_eq!(totals.rewards_carried, Uint128::zero());
    // What the query showed is what a claim pays.
    suite.claim_rewards("alice").unwrap();
    suite.claim_rewards("bob").unwrap();
    assert_eq!(suite.balance_of("alice"), 175 * TOKEN);
    assert_eq!(suite.balance_of("bob"), 25 * TOKEN);
}

#[test]
fn one_unit_rounds_cannot_stall_the_stream() {
    let mut suite = SuiteBuilder::new()
        .with_funds("alice", 1_000 * TOKEN)
        .with_funds("funder", 1_000 * TOKEN)
        .with_funds("griefer", 1_000)
        .build();
    suite.bond("alice", 1_000 * TOKEN).unwrap();
    suite.fund_rewards("funder", 700 * TOKEN).unwrap();
    let end = suite.staking_totals().reward_stream_end;
    // A one-unit round every day pulls the end later by at most a second per round: the
    // amount-weighted mean of what is left (large) and a full week (one unit), rounded up.
    for _ in 0..6 {
        suite.advance_time(DAY);
        suite.fund_rewards("griefer", 1).unwrap();
    }
    let moved = suite.staking_totals().reward_stream_end - end;
    assert!(moved <= 6, "end moved {moved} s");
    suite.advance_time(DAY + moved);
    let totals = suite.staking_totals();
    // Everything but the rounding remainder is released on time.
    assert!(totals.rewards_carried.u128() <= 1, "{totals:?}");
    assert!(suite.pending_rewards("alice") >= 700 * TOKEN);
    suite.assert_staking_solvent(&[suite.addr("alice")]);
}

#[test]
fn the_reward_duration_is_governed_and_bounded() {
    let mut suite = SuiteBuilder::new()
        .with_funds("alice", 1_000 * TOKEN)
        .with_funds("funder", 1_000 * TOKEN)
        .build();
    let owner = suite.owner.clone();
    let mallory = suite.addr("mallory");
    let set = |reward_duration| ExecuteMsg::UpdateRewardDuration { reward_duration };

    assert_eq!(
        expect_staking_error(suite.staking_exec(&mallory, &set(DAY))),
        ContractError::Ownership(OwnershipError::NotOwner)
    );
    for bad in [0, MIN_REWARD_DURATION - 1, MAX_REWARD_DURATION + 1] {
        assert_eq!(
            expect_staking_error(suite.staking_exec(&owner, &set(bad))),
            ContractError::InvalidRewardDuration {
                reward_duration: bad,
                min: MIN_REWARD_DURATION,
                max: MAX_REWARD_DURATION,
            }
        );
    }
    assert_eq!(
        suite.staking_config().reward_duration,
        DEFAULT_REWARD_DURATION
    );

    // A round funded before the change keeps its week; rounds after use the new duration.
    suite.bond("alice", 1_000 * TOKEN).unwrap();
    suite.fund_rewards("funder", 70 * TOKEN).unwrap();
    let week_end = suite.block().time.seconds() + WEEK;
    suite.staking_exec(&owner, &set(DAY)).unwrap();
    assert_eq!(suite.staking_config().reward_duration, DAY);
    assert_eq!(suite.staking_totals().reward_stream_end, week_end);
    suite.advance_time(WEEK);
    assert_eq!(suite.pending_rewards("alice"), 70 * TOKEN);
    suite.fund_rewards("funder", 10 * TOKEN).unwrap();
    assert_eq!(
        suite.staking_totals().reward_stream_end,
        suite.block().time.seconds() + DAY
    );
    suite.advance_time(DAY);
    assert_eq!(suite.pending_rewards("alice"), 80 * TOKEN);
}

#[test]
fn migrating_state_from_before_streaming_starts_the_stream() {
    use acn_staking::state::REWARD_STREAM;
    use cw_multi_test::Executor;

    let mut suite = SuiteBuilder::new()
        .with_funds("alice", 100 * TOKEN)
        .with_funds("funder", 100 * TOKEN)
        .build();
    suite.fund_rewards("funder", 100 * TOKEN).unwrap();
    let staking = suite.staking.clone();
    // State as the previous version wrote it: carried rewards, no stream.
    REWARD_STREAM.remove(suite.app.contract_storage_mut(&staking).as_mut());
    let (owner, code) = (suite.owner.clone(), suite.code_ids.staking);
    suite
        .app
        .migrate_contract(owner, staking, &acn_interface::staking::MigrateMsg {}, code)
        .unwrap();
    let now = suite.block().time.seconds();
    let totals = suite.staking_totals();
    assert_eq!(totals.reward_stream_end, now + WEEK);
    assert_eq!(totals.rewards_carried, Uint128::new(100 * TOKEN));
    assert_eq!(
        suite.staking_config().reward_duration,
        DEFAULT_REWARD_DURATION
    );

    suite.bond("alice", 100 * TOKEN).unwrap();
    suite.advance_time(WEEK);
    assert_eq!(suite.pending_rewards("alice"), 100 * TOKEN);
}

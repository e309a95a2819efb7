//! Reward rounds: the reward-per-token index, the stream that releases each round over the
//! reward duration (7 days), stakers joining and leaving, rounds carried while nothing is bonded
//! (the stream pauses), rounding, slashing, and rounds funded by the treasury.

use acn_interface::treasury::Split;
use acn_staking::ContractError;
use acn_testing::staking_helpers::expect_staking_error;
use acn_testing::{SuiteBuilder, DAY, TOKEN};
use cosmwasm_std::{Uint128, Uint256};

const E18: u128 = 1_000_000_000_000_000_000;
/// The default reward duration: a round is fully released a week after it is funded.
const WEEK: u64 = 7 * DAY;

#[test]
fn rewards_follow_stakers_joining_and_leaving_with_carried_rounds() {
    let mut suite = SuiteBuilder::new()
        .with_funds("alice", 1_000 * TOKEN)
        .with_funds("bob", 1_000 * TOKEN)
        .with_funds("funder", 10_000 * TOKEN)
        .build();
    let everyone = [suite.addr("alice"), suite.addr("bob")];

    // Nobody bonded: the round is carried, and the stream pauses while nobody is bonded.
    suite.fund_rewards("funder", 1_000 * TOKEN).unwrap();
    let funded_at = suite.block().time.seconds();
    let totals = suite.staking_totals();
    assert_eq!(totals.rewards_funded, Uint128::new(1_000 * TOKEN));
    assert_eq!(totals.rewards_carried, Uint128::new(1_000 * TOKEN));
    assert_eq!(totals.reward_per_token, Uint256::zero());
    assert_eq!(totals.reward_stream_end, funded_at + WEEK);
    suite.advance_time(DAY);
    let totals = suite.staking_totals();
    assert_eq!(totals.rewards_carried, Uint128::new(1_000 * TOKEN));
    assert_eq!(totals.reward_stream_end, funded_at + DAY + WEEK);

    // Bonding does not hand the carried round to the first staker.
    suite.bond("alice", 100 * TOKEN).unwrap();
    assert_eq!(suite.pending_rewards("alice"), 0);
    assert_eq!(
        suite.staking_totals().rewards_carried,
        Uint128::new(1_000 * TOKEN)
    );

    // The next round joins the carried one; a week later alice alone has all 1 500.
    suite.fund_rewards("funder", 500 * TOKEN).unwrap();
    assert_eq!(suite.pending_rewards("alice"), 0);
    suite.advance_time(WEEK);
    let totals = suite.staking_totals();
    assert_eq!(totals.rewards_carried, Uint128::zero());
    assert_eq!(totals.reward_per_token, Uint256::from(15 * E18));
    assert_eq!(suite.pending_rewards("alice"), 1_500 * TOKEN);
    suite.assert_staking_solvent(&everyone);

    // Bob joins with 200: he gets nothing of past rounds, 2/3 of the next, half of it after
    // half the week.
    suite.advance_time(DAY);
    suite.bond("bob", 200 * TOKEN).unwrap();
    assert_eq!(suite.pending_rewards("bob"), 0);
    suite.fund_rewards("funder", 300 * TOKEN).unwrap();
    suite.advance_time(WEEK / 2);
    assert_eq!(suite.pending_rewards("alice"), 1_550 * TOKEN);
    assert_eq!(suite.pending_rewards("bob"), 100 * TOKEN);
    suite.advance_time(WEEK / 2);
    assert_eq!(suite.pending_rewards("alice"), 1_600 * TOKEN);
    assert_eq!(suite.pending_rewards("bob"), 200 * TOKEN);
    suite.assert_staking_solvent(&everyone);

    // Alice leaves (unbonding stake earns nothing); bob takes the whole next round.
    suite.unbond("alice", 100 * TOKEN).unwrap();
    suite.fund_rewards("funder", 600 * TOKEN).unwrap();
    suite.advance_time(WEEK);
    assert_eq!(suite.pending_rewards("alice"), 1_600 * TOKEN);
    assert_eq!(suite.pending_rewards("bob"), 800 * TOKEN);
    suite.assert_staking_solvent(&everyone);

    // Alice claims what she earned before leaving.
    suite.claim_rewards("alice").unwrap();
    assert_eq!(suite.balance_of("alice"), 900 * TOKEN + 1_600 * TOKEN);
    assert_eq!(suite.pending_rewards("alice"), 0);
    assert_eq!(
        expect_staking_error(suite.claim_rewards("alice")),
        ContractError::NoRewards {}
    );

    // Bob leaves too: the next round is carried again (paused), and released when bob comes back.
    suite.unbond("bob", 200 * TOKEN).unwrap();
    suite.fund_rewards("funder", 50 * TOKEN).unwrap();
    assert_eq!(
        suite.staking_totals().rewards_carried,
        Uint128::new(50 * TOKEN)
    );
    assert_eq!(suite.pending_rewards("bob"), 800 * TOKEN);
    suite.advance_time(14 * DAY);
    suite.claim("bob").unwrap();
    suite.bond("bob", 100 * TOKEN).unwrap();
    suite.fund_rewards("funder", 10 * TOKEN).unwrap();
    suite.advance_time(WEEK);
    assert_eq!(suite.pending_rewards("bob"), 860 * TOKEN);
    suite.assert_staking_solvent(&everyone);

    suite.claim_rewards("bob").unwrap();
    assert_eq!(suite.balance_of("bob"), 900 * TOKEN + 860 * TOKEN);
    let totals = suite.staking_totals();
    assert_eq!(totals.rewards_funded, Uint128::new(2_460 * TOKEN));
    assert_eq!(totals.rewards_claimed, Uint128::new(2_460 * TOKEN));
    assert_eq!(totals.rewards_carried, Uint128::zero());
    assert_eq!(
        totals.reward_per_token,
        Uint256::from(15 * E18 + E18 + 3 * E18 + 6 * E18 / 10)
    );
    // Left in the contract: bob's 100 bonded and alice's 100 unbonding, nothing else.
    suite.assert_balance(suite.staking.clone(), 200 * TOKEN);
}

#[test]
fn rounding_never_pays_more_than_was_funded() {
    let mut suite = SuiteBuilder::new()
        .with_funds("alice", 1_000)
        .with_funds("bob", 1_000)
        .with_funds("funder", 1_000)
        .build();
    let everyone = [suite.addr("alice"), suite.addr("bob")];
    suite.bond("alice", 100).unwrap();
    suite.bond("bob", 200).unwrap();

    // 100 over 300 bonded: 333… per 10^18, alice 33, bob 66; one unit stays in the contract.
    suite.fund_rewards("funder", 100).unwrap();
    suite.advance_time(WEEK);
    let totals = suite.staking_totals();
    assert_eq!(
        totals.reward_per_token,
        Uint256::from(333_333_333_333_333_333u128)
    );
    assert_eq!(totals.rewards_carried, Uint128::zero());
    assert_eq!(suite.pending_rewards("alice"), 33);
    assert_eq!(suite.pending_rewards("bob"), 66);
    suite.claim_rewards("alice").unwrap();
    suite.claim_rewards("bob").unwrap();
    assert_eq!(suite.balance_of("alice"), 900 + 33);
    assert_eq!(suite.balance_of("bob"), 800 + 66);
    suite.assert_balance(suite.staking.clone(), 301);
    suite.assert_staking_solvent(&everyone);

    // 7 over 300: alice 2, bob 4.
    suite.fund_rewards("funder", 7).unwrap();
    suite.advance_time(WEEK);
    assert_eq!(suite.pending_rewards("alice"), 2);
    assert_eq!(suite.pending_rewards("bob"), 4);
    suite.assert_staking_solvent(&everyone);

    // Everyone leaves with everything: the contract keeps only rounding dust.
    suite.claim_rewards("alice").unwrap();
    suite.claim_rewards("bob").unwrap();
    suite.unbond("alice", 100).unwrap();
    suite.unbond("bob", 200).unwrap();
    suite.advance_time(14 * DAY);
    suite.claim("alice").unwrap();
    suite.claim("bob").unwrap();
    assert_eq!(suite.balance_of("alice"), 1_000 + 35);
    assert_eq!(suite.balance_of("bob"), 1_000 + 70);
    suite.assert_balance(suite.staking.clone(), 2);
}

#[test]
fn slash_keeps_accrued_rewards_and_shrinks_future_share() {
    let mut suite = SuiteBuilder::new()
        .with_funds("alice", 100 * TOKEN)
        .with_funds("bob", 100 * TOKEN)
        .with_funds("funder", 1_000 * TOKEN)
        .build();
    suite.bond("alice", 100 * TOKEN).unwrap();
    suite.bond("bob", 100 * TOKEN).unwrap();
    suite.fund_rewards("funder", 200 * TOKEN).unwrap();
    suite.advance_time(WEEK);
    assert_eq!(suite.pending_rewards("alice"), 100 * TOKEN);

    suite.slash_absolute("alice", 50 * TOKEN).unwrap();
    assert_eq!(suite.pending_rewards("alice"), 100 * TOKEN);

    // 150 over 150 bonded: alice (50) +50, bob (100) +100.
    suite.fund_rewards("funder", 150 * TOKEN).unwrap();
    suite.advance_time(WEEK);
    assert_eq!(suite.pending_rewards("alice"), 150 * TOKEN);
    assert_eq!(suite.pending_rewards("bob"), 200 * TOKEN);
    suite.assert_staking_solvent(&[suite.addr("alice"), suite.addr("bob")]);
}

#[test]
fn claim_rewards_with_nothing_accrued_is_refused() {
    let mut suite = SuiteBuilder::new().with_funds("alice", 100 * TOKEN).build();
    assert_eq!(suite.pending_rewards("nobody"), 0);
    assert_eq!(
        expect_staking_error(suite.claim_rewards("nobody")),
        ContractError::NoRewards {}
    );
    // Bonded but no round yet.
    suite.bond("alice", 100 * TOKEN).unwrap();
    assert_eq!(
        expect_staking_error(suite.claim_rewards("alice")),
        ContractError::NoRewards {}
    );
    // A round funded in this block: nothing of it is released yet.
    suite.fund_rewards("owner", 70 * TOKEN).unwrap();
    assert_eq!(suite.pending_rewards("alice"), 0);
    assert_eq!(
        expect_staking_error(suite.claim_rewards("alice")),
        ContractError::NoRewards {}
    );
    assert_eq!(suite.balance_of("alice"), 0);
}

#[test]
fn a_treasury_distribution_funds_a_reward_round() {
    let mut suite = SuiteBuilder::new()
        .with_funds("alice", 100 * TOKEN)
        .with_funds("payer", 1_000 * TOKEN)
        .with_split(Split {
            burn_bps: 0,
            stakers_bps: 5_000,
            kept_bps: 4_900,
            executor_bps: 100,
        })
        .build();
    suite.bond("alice", 100 * TOKEN).unwrap();
    suite.deposit_fee("payer", 1_000 * TOKEN).unwrap();
    suite.distribute("keeper").unwrap();
    assert_eq!(
        suite.staking_totals().rewards_funded,
        Uint128::new(500 * TOKEN)
    );
    assert_eq!(suite.pending_rewards("alice"), 0);
    suite.advance_time(WEEK);
    assert_eq!(suite.pending_rewards("alice"), 500 * TOKEN);
    suite.claim_rewards("alice").unwrap();
    assert_eq!(suite.balance_of("alice"), 500 * TOKEN);
}

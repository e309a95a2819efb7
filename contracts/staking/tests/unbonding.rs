//! Unbonding into claims, the cooldown boundary, the claims cap and paying out.

use acn_staking::ContractError;
use acn_testing::staking_helpers::expect_staking_error;
use acn_testing::{SuiteBuilder, DAY, TOKEN};
use cosmwasm_std::Uint128;
use cw_utils::{Duration, Expiration};

#[test]
fn claim_pays_exactly_at_the_end_of_the_cooldown() {
    let mut suite = SuiteBuilder::new()
        .with_funds("alice", 1_000 * TOKEN)
        .build();
    suite.bond("alice", 1_000 * TOKEN).unwrap();
    suite.advance_time(DAY);

    let unbonded_at = suite.block().time;
    suite.unbond("alice", 400 * TOKEN).unwrap();
    let release = unbonded_at.plus_seconds(14 * DAY);
    let claims = suite.staking_claims("alice");
    assert_eq!(claims.len(), 1);
    assert_eq!(claims[0].amount, Uint128::new(400 * TOKEN));
    assert_eq!(claims[0].release_at, Expiration::AtTime(release));
    let stake = suite.stake("alice");
    assert_eq!(stake.bonded, Uint128::new(600 * TOKEN));
    assert_eq!(stake.unbonding, Uint128::new(400 * TOKEN));
    assert_eq!(stake.weight, 600);
    let totals = suite.staking_totals();
    assert_eq!(totals.bonded, Uint128::new(600 * TOKEN));
    assert_eq!(totals.unbonding, Uint128::new(400 * TOKEN));

    // One second early: refused, nothing paid.
    suite.advance_time(14 * DAY - 1);
    assert_eq!(suite.block().time.plus_seconds(1), release);
    let err = expect_staking_error(suite.claim("alice"));
    assert_eq!(err, ContractError::NothingToClaim {});
    assert_eq!(suite.balance_of("alice"), 0);
    assert_eq!(suite.stake("alice").unbonding, Uint128::new(400 * TOKEN));

    // On time: paid in full.
    suite.advance_time(1);
    assert_eq!(suite.block().time, release);
    suite.claim("alice").unwrap();
    assert_eq!(suite.balance_of("alice"), 400 * TOKEN);
    suite.assert_balance(suite.staking.clone(), 600 * TOKEN);
    assert!(suite.staking_claims("alice").is_empty());
    let stake = suite.stake("alice");
    assert_eq!(stake.bonded, Uint128::new(600 * TOKEN));
    assert_eq!(stake.unbonding, Uint128::zero());
    assert_eq!(suite.staking_totals().unbonding, Uint128::zero());

    // Claiming again: nothing left.
    let err = expect_staking_error(suite.claim("alice"));
    assert_eq!(err, ContractError::NothingToClaim {});
}

#[test]
fn height_based_cooldown_matures_at_the_exact_height() {
    let mut suite = SuiteBuilder::new()
        .with_funds("alice", 100 * TOKEN)
        .with_unbonding_period(Duration::Height(100))
        .build();
    suite.bond("alice", 100 * TOKEN).unwrap();
    let height = suite.block().height;
    suite.unbond("alice", 30 * TOKEN).unwrap();
    assert_eq!(
        suite.staking_claims("alice")[0].release_at,
        Expiration::AtHeight(height + 100)
    );
    suite.advance_blocks(99);
    let err = expect_staking_error(suite.claim("alice"));
    assert_eq!(err, ContractError::NothingToClaim {});
    suite.advance_blocks(1);
    suite.claim("alice").unwrap();
    assert_eq!(suite.balance_of("alice"), 30 * TOKEN);
}

#[test]
fn claims_mature_independently() {
    let mut suite = SuiteBuilder::new()
        .with_funds("alice", 1_000 * TOKEN)
        .build();
    suite.bond("alice", 1_000 * TOKEN).unwrap();
    suite.unbond("alice", 100 * TOKEN).unwrap();
    suite.advance_time(DAY);
    suite.unbond("alice", 200 * TOKEN).unwrap();
    assert_eq!(suite.stake("alice").unbonding, Uint128::new(300 * TOKEN));

    suite.advance_time(13 * DAY);
    suite.claim("alice").unwrap();
    assert_eq!(suite.balance_of("alice"), 100 * TOKEN);
    let claims = suite.staking_claims("alice");
    assert_eq!(claims.len(), 1);
    assert_eq!(claims[0].amount, Uint128::new(200 * TOKEN));
    assert_eq!(suite.stake("alice").unbonding, Uint128::new(200 * TOKEN));
    assert_eq!(
        expect_staking_error(suite.claim("alice")),
        ContractError::NothingToClaim {}
    );

    suite.advance_time(DAY);
    suite.claim("alice").unwrap();
    assert_eq!(suite.balance_of("alice"), 300 * TOKEN);
    assert_eq!(suite.staking_totals().unbonding, Uint128::zero());
}

#[test]
fn unbond_more_than_bonded_is_refused_and_changes_nothing() {
    let mut suite = SuiteBuilder::new().with_funds("alice", 100 * TOKEN).build();
    suite.bond("alice", 100 * TOKEN).unwrap();
    let err = expect_staking_error(suite.unbond("alice", 100 * TOKEN + 1));
    assert_eq!(
        err,
        ContractError::InsufficientBonded {
            bonded: Uint128::new(100 * TOKEN),
            requested: Uint128::new(100 * TOKEN + 1),
        }
    );
    let stake = suite.stake("alice");
    assert_eq!(stake.bonded, Uint128::new(100 * TOKEN));
    assert_eq!(stake.unbonding, Uint128::zero());
    assert_eq!(stake.weight, 100);
    assert!(suite.staking_claims("alice").is_empty());
    assert_eq!(suite.total_weight(None), 100);

    // Someone who never bonded.
    let err = expect_staking_error(suite.unbond("bob", 1));
    assert_eq!(
        err,
        ContractError::InsufficientBonded {
            bonded: Uint128::zero(),
            requested: Uint128::new(1),
        }
    );
}

#[test]
fn unbond_zero_is_refused() {
    let mut suite = SuiteBuilder::new().with_funds("alice", 100 * TOKEN).build();
    suite.bond("alice", 100 * TOKEN).unwrap();
    let err = expect_staking_error(suite.unbond("alice", 0));
    assert_eq!(err, ContractError::ZeroAmount {});
    assert!(suite.staking_claims("alice").is_empty());
    assert_eq!(suite.stake("alice").bonded, Uint128::new(100 * TOKEN));
}

#[test]
fn open_claims_are_capped() {
    let mut suite = SuiteBuilder::new()
        .with_funds("alice", 100 * TOKEN)
        .with_max_claims(3)
        .build();
    suite.bond("alice", 100 * TOKEN).unwrap();
    for _ in 0..3 {
        suite.unbond("alice", TOKEN).unwrap();
    }
    let err = expect_staking_error(suite.unbond("alice", TOKEN));
    assert_eq!(err, ContractError::TooManyClaims { max: 3 });
    let stake = suite.stake("alice");
    assert_eq!(stake.bonded, Uint128::new(97 * TOKEN));
    assert_eq!(stake.unbonding, Uint128::new(3 * TOKEN));
    assert_eq!(suite.staking_claims("alice").len(), 3);

    // Once the claims are paid, unbonding works again.
    suite.advance_time(14 * DAY);
    suite.claim("alice").unwrap();
    assert_eq!(suite.balance_of("alice"), 3 * TOKEN);
    suite.unbond("alice", TOKEN).unwrap();
    assert_eq!(suite.staking_claims("alice").len(), 1);
}

#[test]
fn claim_without_claims_is_refused() {
    let mut suite = SuiteBuilder::new().build();
    let err = expect_staking_error(suite.claim("nobody"));
    assert_eq!(err, ContractError::NothingToClaim {});
}

#[test]
fn fully_withdrawn_staker_leaves_the_lists() {
    let mut suite = SuiteBuilder::new().with_funds("alice", 10 * TOKEN).build();
    suite.bond("alice", 10 * TOKEN).unwrap();
    suite.unbond("alice", 10 * TOKEN).unwrap();
    assert_eq!(suite.member_weight("alice", None), None);
    assert!(suite.list_members(None, None).is_empty());
    // Still listed while unbonding.
    assert_eq!(suite.list_stakers(None, None).len(), 1);
    suite.advance_time(14 * DAY);
    suite.claim("alice").unwrap();
    assert!(suite.list_stakers(None, None).is_empty());
    assert_eq!(suite.balance_of("alice"), 10 * TOKEN);
    suite.assert_balance(suite.staking.clone(), 0);
}

#[test]
fn new_unbonding_period_applies_to_new_claims_only() {
    let mut suite = SuiteBuilder::new().with_funds("alice", 10 * TOKEN).build();
    suite.bond("alice", 10 * TOKEN).unwrap();
    let t0 = suite.block().time;
    suite.unbond("alice", TOKEN).unwrap();
    let owner = suite.owner.clone();
    suite
        .staking_exec(
            &owner,
            &acn_interface::staking::ExecuteMsg::UpdateConfig {
                unbonding_period: Some(Duration::Time(DAY)),
                max_claims: None,
                min_bond: None,
                slash_destination: None,
            },
        )
        .unwrap();
    suite.unbond("alice", 2 * TOKEN).unwrap();
    let claims = suite.staking_claims("alice");
    assert_eq!(
        claims[0].release_at,
        Expiration::AtTime(t0.plus_seconds(14 * DAY))
    );
    assert_eq!(
        claims[1].release_at,
        Expiration::AtTime(t0.plus_seconds(DAY))
    );
    suite.advance_time(DAY);
    suite.claim("alice").unwrap();
    assert_eq!(suite.balance_of("alice"), 2 * TOKEN);
}

//! Tiered staking by lock duration: longer locks earn a larger share of every reward round, an
//! unbonded locked stake matures only after its lock, tiers only go up, voting weight stays the
//! bonded amount, and the owner governs the tiers within bounds.

use acn_interface::staking::{
    default_lock_tiers, ExecuteMsg, LockTier, ReceiveMsg, DEFAULT_REWARD_DURATION,
};
use acn_staking::ContractError;
use acn_testing::staking_helpers::expect_staking_error;
use acn_testing::{Suite, SuiteBuilder, DAY, TOKEN};
use cosmwasm_std::Uint128;
use cw_utils::Expiration;

fn bond_at(suite: &mut Suite, name: &str, amount: u128, tier: u8) -> anyhow::Result<()> {
    let (who, staking) = (suite.addr(name), suite.staking.clone());
    suite.send_tokens(
        &who,
        &staking,
        amount,
        &ReceiveMsg::Bond { tier: Some(tier) },
    )?;
    Ok(())
}

fn relock(suite: &mut Suite, name: &str, tier: u8) -> anyhow::Result<cw_multi_test::AppResponse> {
    let (who, staking) = (suite.addr(name), suite.staking.clone());
    suite.execute(&who, &staking, &ExecuteMsg::Relock { tier })
}

fn suite() -> Suite {
    SuiteBuilder::new()
        .with_funds("alice", 1_000 * TOKEN)
        .with_funds("bob", 1_000 * TOKEN)
        .with_funds("funder", 1_000 * TOKEN)
        .build()
}

#[test]
fn the_default_tiers_are_published_with_tier_zero_first() {
    let suite = suite();
    let cfg = suite.staking_config();
    assert_eq!(cfg.lock_tiers.len(), 4);
    assert_eq!(
        cfg.lock_tiers[0],
        LockTier {
            lock_seconds: 0,
            reward_bps: 10_000
        }
    );
    assert_eq!(cfg.lock_tiers[1..], default_lock_tiers()[..]);
}

#[test]
fn a_year_lock_earns_twice_the_share_of_an_unlocked_stake() {
    let mut suite = suite();
    suite.bond("alice", 1_000 * TOKEN).unwrap();
    bond_at(&mut suite, "bob", 1_000 * TOKEN, 3).unwrap();
    let bob = suite.stake("bob");
    assert_eq!(
        (bob.tier, bob.reward_bps, bob.lock_seconds),
        (3, 20_000, 365 * DAY)
    );
    // Voting weight is the bonded amount whatever the lock.
    assert_eq!((suite.stake("alice").weight, bob.weight), (1_000, 1_000));
    assert_eq!(suite.staking_totals().reward_weight.u128(), 3_000 * TOKEN);
    suite.fund_rewards("funder", 300 * TOKEN).unwrap();
    suite.advance_time(DEFAULT_REWARD_DURATION);
    // 1 : 2 (rounding leaves at most a base unit in the contract).
    let (a, b) = (suite.pending_rewards("alice"), suite.pending_rewards("bob"));
    assert!(
        a.abs_diff(100 * TOKEN) <= 1 && b.abs_diff(200 * TOKEN) <= 1,
        "{a} {b}"
    );
    suite.claim_rewards("bob").unwrap();
    assert!(suite.balance_of("bob").abs_diff(200 * TOKEN) <= 1);
}

#[test]
fn a_locked_stake_matures_after_its_lock_not_the_unbonding_period() {
    let mut suite = suite();
    bond_at(&mut suite, "bob", 1_000 * TOKEN, 1).unwrap();
    let at = suite.block().time;
    suite.unbond("bob", 400 * TOKEN).unwrap();
    let claims = suite.staking_claims("bob");
    assert_eq!(
        claims[0].release_at,
        Expiration::AtTime(at.plus_seconds(90 * DAY))
    );
    // After the 14-day cooldown it is still locked.
    suite.advance_time(14 * DAY);
    assert_eq!(
        expect_staking_error(suite.claim("bob")),
        ContractError::NothingToClaim {}
    );
    suite.advance_time(76 * DAY);
    suite.claim("bob").unwrap();
    suite.assert_balance(suite.addr("bob"), 400 * TOKEN);
    // The rest keeps its tier and weight.
    let bob = suite.stake("bob");
    assert_eq!((bob.bonded.u128(), bob.tier), (600 * TOKEN, 1));
    assert_eq!(suite.staking_totals().reward_weight.u128(), 750 * TOKEN);
}

#[test]
fn tiers_only_go_up_and_bad_requests_change_nothing() {
    let mut suite = suite();
    bond_at(&mut suite, "bob", 500 * TOKEN, 2).unwrap();
    let (stake0, totals0) = (suite.stake("bob"), suite.staking_totals());
    let bal0 = suite.balance_of("bob");
    // A lower tier, by bond or relock, the same tier by relock, a tier that does not exist.
    let err = bond_at(&mut suite, "bob", 100 * TOKEN, 1).unwrap_err();
    assert_eq!(
        err.downcast::<ContractError>().unwrap(),
        ContractError::TierDowngrade {
            current: 2,
            requested: 1
        }
    );
    assert_eq!(
        expect_staking_error(relock(&mut suite, "bob", 2)),
        ContractError::TierDowngrade {
            current: 2,
            requested: 2
        }
    );
    assert_eq!(
        expect_staking_error(relock(&mut suite, "bob", 9)),
        ContractError::UnknownTier { tier: 9, max: 3 }
    );
    assert_eq!(
        expect_staking_error(relock(&mut suite, "alice", 1)),
        ContractError::InsufficientBonded {
            bonded: Uint128::zero(),
            requested: Uint128::one()
        }
    );
    assert_eq!(suite.stake("bob"), stake0);
    assert_eq!(suite.staking_totals(), totals0);
    assert_eq!(suite.balance_of("bob"), bal0);
    // Up is fine: the whole stake moves to 2×, and a later plain bond keeps the tier.
    relock(&mut suite, "bob", 3).unwrap();
    suite.bond("bob", 100 * TOKEN).unwrap();
    let bob = suite.stake("bob");
    assert_eq!((bob.tier, bob.bonded.u128()), (3, 600 * TOKEN));
    assert_eq!(suite.staking_totals().reward_weight.u128(), 1_200 * TOKEN);
}

#[test]
fn a_slash_takes_weight_at_the_stakes_tier() {
    let mut suite = suite();
    bond_at(&mut suite, "bob", 1_000 * TOKEN, 2).unwrap();
    let (owner, staking, bob) = (
        suite.owner.clone(),
        suite.staking.clone(),
        suite.addr("bob"),
    );
    suite
        .execute(
            &owner,
            &staking,
            &ExecuteMsg::Slash {
                address: bob.to_string(),
                amount: acn_interface::staking::SlashAmount::Absolute {
                    amount: Uint128::new(200 * TOKEN),
                },
                reason: "test".into(),
            },
        )
        .unwrap();
    let t = suite.staking_totals();
    assert_eq!(
        (t.bonded.u128(), t.reward_weight.u128()),
        (800 * TOKEN, 1_200 * TOKEN)
    );
}

#[test]
fn the_owner_governs_the_tiers_within_bounds() {
    let mut suite = suite();
    bond_at(&mut suite, "bob", 1_000 * TOKEN, 3).unwrap();
    let (owner, staking, mallory) = (
        suite.owner.clone(),
        suite.staking.clone(),
        suite.addr("mallory"),
    );
    let update = |tiers: Vec<LockTier>| ExecuteMsg::UpdateLockTiers { tiers };
    let one = |lock_seconds, reward_bps| LockTier {
        lock_seconds,
        reward_bps,
    };
    let err = suite
        .execute(&mallory, &staking, &update(vec![]))
        .unwrap_err();
    assert!(matches!(
        err.downcast::<ContractError>().unwrap(),
        ContractError::Ownership(_)
    ));
    let cases = [
        (
            vec![one(30 * DAY, 12_000), one(30 * DAY, 13_000)],
            "tier 2: lock_seconds 2592000 must be above 2592000 and at most 126144000",
        ),
        (
            vec![one(30 * DAY, 12_000), one(60 * DAY, 11_000)],
            "tier 2: reward_bps 11000 must be at least 12000 and at most 30000",
        ),
        (
            vec![one(30 * DAY, 9_000)],
            "tier 1: reward_bps 9000 must be at least 10000 and at most 30000",
        ),
        (
            vec![one(5 * 365 * DAY, 20_000)],
            "tier 1: lock_seconds 157680000 must be above 0 and at most 126144000",
        ),
    ];
    for (tiers, reason) in cases {
        let err = suite.execute(&owner, &staking, &update(tiers)).unwrap_err();
        assert_eq!(
            err.downcast::<ContractError>().unwrap(),
            ContractError::InvalidLockTiers {
                reason: reason.into()
            }
        );
    }
    suite
        .execute(&owner, &staking, &update(vec![one(30 * DAY, 11_000)]))
        .unwrap();
    assert_eq!(suite.staking_config().lock_tiers.len(), 2);
    // Bob keeps the terms he bonded at.
    let bob = suite.stake("bob");
    assert_eq!((bob.tier, bob.reward_bps), (3, 20_000));
}

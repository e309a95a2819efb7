//! Adversarial use: owner-only messages from others, invalid configuration, and a long mixed
//! history that must keep the contract solvent.

use acn_interface::staking::{ExecuteMsg, SlashAmount, SlashDestination, MAX_CLAIMS_LIMIT};
use acn_staking::ContractError;
use acn_testing::staking_helpers::expect_staking_error;
use acn_testing::{SuiteBuilder, DAY, TOKEN};
use cosmwasm_std::{Decimal, Uint128};
use cw_ownable::{Action, OwnershipError};
use cw_utils::Duration;

fn update_config(max_claims: Option<u32>, unbonding_period: Option<Duration>) -> ExecuteMsg {
    ExecuteMsg::UpdateConfig {
        unbonding_period,
        max_claims,
        min_bond: None,
        slash_destination: None,
    }
}

#[test]
fn owner_only_messages_are_refused_to_others() {
    let mut suite = SuiteBuilder::new().build();
    let mallory = suite.addr("mallory");
    let config_before = suite.staking_config();
    let messages = [
        ExecuteMsg::UpdateConfig {
            unbonding_period: Some(Duration::Time(1)),
            max_claims: Some(1),
            min_bond: Some(Uint128::new(1)),
            slash_destination: Some(SlashDestination::Burn),
        },
        ExecuteMsg::UpdateSlashers {
            add: vec![mallory.to_string()],
            remove: vec![],
        },
        ExecuteMsg::UpdateRewardDuration {
            reward_duration: acn_interface::staking::MIN_REWARD_DURATION,
        },
        ExecuteMsg::AddHook {
            addr: mallory.to_string(),
        },
        ExecuteMsg::RemoveHook {
            addr: mallory.to_string(),
        },
        ExecuteMsg::UpdateOwnership(Action::TransferOwnership {
            new_owner: mallory.to_string(),
            expiry: None,
        }),
        ExecuteMsg::UpdateOwnership(Action::RenounceOwnership),
    ];
    for msg in &messages {
        let err = expect_staking_error(suite.staking_exec(&mallory, msg));
        assert_eq!(
            err,
            ContractError::Ownership(OwnershipError::NotOwner),
            "{msg:?}"
        );
    }
    assert_eq!(suite.staking_config(), config_before);
    let ownership: cw_ownable::Ownership<String> = suite.query(
        &suite.staking,
        &acn_interface::staking::QueryMsg::Ownership {},
    );
    assert_eq!(ownership.owner, Some(suite.owner.to_string()));
    assert_eq!(ownership.pending_owner, None);

    // Slash is for slashers and the owner only.
    let err = expect_staking_error(suite.slash(
        &mallory,
        "alice",
        SlashAmount::Absolute {
            amount: Uint128::new(1),
        },
    ));
    assert_eq!(err, ContractError::NotSlasher {});
}

#[test]
fn ownership_moves_to_the_dao() {
    let mut suite = SuiteBuilder::new().build();
    let (owner, dao) = (suite.owner.clone(), suite.addr("dao"));
    suite
        .staking_exec(
            &owner,
            &ExecuteMsg::UpdateOwnership(Action::TransferOwnership {
                new_owner: dao.to_string(),
                expiry: None,
            }),
        )
        .unwrap();
    suite
        .staking_exec(&dao, &ExecuteMsg::UpdateOwnership(Action::AcceptOwnership))
        .unwrap();
    let admin: acn_interface::staking::AdminResponse =
        suite.query(&suite.staking, &acn_interface::staking::QueryMsg::Admin {});
    assert_eq!(admin.admin, Some(dao.to_string()));

    let err = expect_staking_error(suite.staking_exec(&owner, &update_config(Some(5), None)));
    assert_eq!(err, ContractError::Ownership(OwnershipError::NotOwner));
    suite
        .staking_exec(&dao, &update_config(Some(5), None))
        .unwrap();
    assert_eq!(suite.staking_config().max_claims, 5);
}

#[test]
fn invalid_config_is_refused_and_changes_nothing() {
    let mut suite = SuiteBuilder::new().build();
    let owner = suite.owner.clone();
    let before = suite.staking_config();
    for max in [0, MAX_CLAIMS_LIMIT + 1] {
        let err = expect_staking_error(suite.staking_exec(&owner, &update_config(Some(max), None)));
        assert_eq!(
            err,
            ContractError::InvalidMaxClaims {
                max_claims: max,
                limit: MAX_CLAIMS_LIMIT,
            }
        );
    }
    for period in [Duration::Time(0), Duration::Height(0)] {
        let err = expect_staking_error(
            suite.staking_exec(&owner, &update_config(Some(10), Some(period))),
        );
        assert_eq!(err, ContractError::ZeroUnbondingPeriod {});
    }
    assert_eq!(suite.staking_config(), before);

    // The edges are accepted.
    suite
        .staking_exec(
            &owner,
            &ExecuteMsg::UpdateConfig {
                unbonding_period: Some(Duration::Height(1)),
                max_claims: Some(MAX_CLAIMS_LIMIT),
                min_bond: Some(Uint128::new(5 * TOKEN)),
                slash_destination: Some(SlashDestination::Burn),
            },
        )
        .unwrap();
    let after = suite.staking_config();
    assert_eq!(after.unbonding_period, Duration::Height(1));
    assert_eq!(after.max_claims, MAX_CLAIMS_LIMIT);
    assert_eq!(after.min_bond, Uint128::new(5 * TOKEN));
    assert_eq!(after.slash_destination, SlashDestination::Burn);
    suite
        .staking_exec(&owner, &update_config(Some(1), None))
        .unwrap();
    assert_eq!(suite.staking_config().max_claims, 1);
}

/// A small deterministic generator (no external crates needed).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, below: u128) -> u128 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) as u128) % below.max(1)
    }
}

#[test]
fn a_long_mixed_history_stays_solvent() {
    let names = ["a", "b", "c", "d"];
    let mut builder = SuiteBuilder::new()
        .with_funds("funder", 1_000_000 * TOKEN)
        .with_max_claims(5);
    for name in names {
        builder = builder.with_funds(name, 10_000 * TOKEN);
    }
    let mut suite = builder.build();
    let everyone: Vec<_> = names.iter().map(|n| suite.addr(n)).collect();
    let mut rng = Lcg(7);

    for _ in 0..300 {
        let name = names[rng.next(4) as usize];
        match rng.next(7) {
            0 | 1 => {
                let balance = suite.balance_of(name);
                if balance > 0 {
                    suite.bond(name, 1 + rng.next(balance)).unwrap();
                }
            }
            2 => {
                let bonded = suite.stake(name).bonded.u128();
                if bonded > 0 && suite.staking_claims(name).len() < 5 {
                    suite.unbond(name, 1 + rng.next(bonded)).unwrap();
                }
            }
            3 => {
                let _ = suite.claim(name);
                let _ = suite.claim_rewards(name);
            }
            4 => {
                if rng.next(2) == 0 {
                    suite.slash_absolute(name, rng.next(3_000 * TOKEN)).unwrap();
                } else {
                    let pct = 1 + rng.next(30) as u64;
                    suite.slash_fraction(name, Decimal::percent(pct)).unwrap();
                }
            }
            5 => {
                suite
                    .fund_rewards("funder", 1 + rng.next(1_000 * TOKEN))
                    .unwrap();
            }
            _ => suite.advance_time(rng.next(5 * DAY as u128) as u64),
        }
        suite.assert_staking_solvent(&everyone);
    }

    // Everyone walks away with everything they are owed.
    for name in names {
        let bonded = suite.stake(name).bonded.u128();
        if bonded > 0 {
            // Make room for one more claim if needed.
            suite.advance_time(14 * DAY);
            let _ = suite.claim(name);
            suite.unbond(name, bonded).unwrap();
        }
        let _ = suite.claim_rewards(name);
    }
    suite.advance_time(14 * DAY);
    for name in names {
        let _ = suite.claim(name);
        assert_eq!(suite.pending_rewards(name), 0);
        assert!(suite.staking_claims(name).is_empty());
    }
    let totals = suite.staking_totals();
    assert!(!totals.slashed.is_zero() && !totals.rewards_claimed.is_zero());
    assert_eq!(totals.bonded, Uint128::zero());
    assert_eq!(totals.unbonding, Uint128::zero());
    let left = suite.balance(suite.staking.clone());
    assert_eq!(
        left,
        (totals.rewards_funded - totals.rewards_claimed).u128(),
        "only unpaid rewards remain"
    );
    // What is left beyond the carried rewards is rounding dust: at most one unit per staker
    // settlement, far below one unit per round per staker.
    let dust = left - totals.rewards_carried.u128();
    assert!(dust < 300 * 4, "dust {dust}");
}

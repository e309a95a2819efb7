//! Slashing: bonded stake first, then unbonding claims (newest first); capped at the stake;
//! fractions; destinations (treasury, burn); slashers.

use acn_interface::staking::{ExecuteMsg, SlashAmount};
use acn_staking::ContractError;
use acn_testing::staking_helpers::expect_staking_error;
use acn_testing::treasury_helpers::wasm_attr;
use acn_testing::{SuiteBuilder, DAY, TOKEN};
use cosmwasm_std::{Decimal, Uint128};
use cw_utils::Expiration;

#[test]
fn slash_takes_bonded_stake_and_pays_the_treasury() {
    let mut suite = SuiteBuilder::new()
        .with_funds("alice", 1_000 * TOKEN)
        .build();
    suite.bond("alice", 1_000 * TOKEN).unwrap();
    let treasury_before = suite.balance(suite.treasury.clone());

    let res = suite.slash_absolute("alice", 300 * TOKEN).unwrap();
    let staking = suite.staking.clone();
    assert_eq!(wasm_attr(&res, &staking, "action"), "slash");
    assert_eq!(
        wasm_attr(&res, &staking, "address"),
        suite.addr("alice").as_str()
    );
    assert_eq!(
        wasm_attr(&res, &staking, "slashed"),
        (300 * TOKEN).to_string()
    );
    assert_eq!(
        wasm_attr(&res, &staking, "from_bonded"),
        (300 * TOKEN).to_string()
    );
    assert_eq!(wasm_attr(&res, &staking, "from_unbonding"), "0");
    assert_eq!(wasm_attr(&res, &staking, "reason"), "test");

    let stake = suite.stake("alice");
    assert_eq!(stake.bonded, Uint128::new(700 * TOKEN));
    assert_eq!(stake.unbonding, Uint128::zero());
    assert_eq!(stake.weight, 700);
    assert_eq!(suite.total_weight(None), 700);
    let totals = suite.staking_totals();
    assert_eq!(totals.bonded, Uint128::new(700 * TOKEN));
    assert_eq!(totals.slashed, Uint128::new(300 * TOKEN));
    suite.assert_balance(suite.staking.clone(), 700 * TOKEN);
    suite.assert_balance(suite.treasury.clone(), treasury_before + 300 * TOKEN);
    // The treasury took it as a fee deposit, waiting for its next distribution.
    let treasury = suite.treasury_totals();
    assert_eq!(treasury.deposited, Uint128::new(300 * TOKEN));
    assert_eq!(treasury.pending, Uint128::new(300 * TOKEN));
}

#[test]
fn slash_reaches_unbonding_claims_newest_first() {
    let mut suite = SuiteBuilder::new()
        .with_funds("alice", 1_000 * TOKEN)
        .build();
    suite.bond("alice", 1_000 * TOKEN).unwrap();
    let t0 = suite.block().time;
    suite.unbond("alice", 200 * TOKEN).unwrap();
    suite.advance_time(DAY);
    suite.unbond("alice", 300 * TOKEN).unwrap();
    // bonded 500, claims [200 @ t0+14d, 300 @ t0+15d]

    let res = suite.slash_absolute("alice", 700 * TOKEN).unwrap();
    let staking = suite.staking.clone();
    assert_eq!(
        wasm_attr(&res, &staking, "slashed"),
        (700 * TOKEN).to_string()
    );
    assert_eq!(
        wasm_attr(&res, &staking, "from_bonded"),
        (500 * TOKEN).to_string()
    );
    assert_eq!(
        wasm_attr(&res, &staking, "from_unbonding"),
        (200 * TOKEN).to_string()
    );

    let stake = suite.stake("alice");
    assert_eq!(stake.bonded, Uint128::zero());
    assert_eq!(stake.unbonding, Uint128::new(300 * TOKEN));
    assert_eq!(stake.weight, 0);
    assert_eq!(suite.member_weight("alice", None), None);
    let claims = suite.staking_claims("alice");
    assert_eq!(claims.len(), 2);
    assert_eq!(claims[0].amount, Uint128::new(200 * TOKEN));
    assert_eq!(
        claims[0].release_at,
        Expiration::AtTime(t0.plus_seconds(14 * DAY))
    );
    assert_eq!(claims[1].amount, Uint128::new(100 * TOKEN));
    assert_eq!(
        claims[1].release_at,
        Expiration::AtTime(t0.plus_seconds(15 * DAY))
    );
    let totals = suite.staking_totals();
    assert_eq!(totals.unbonding, Uint128::new(300 * TOKEN));
    assert_eq!(totals.slashed, Uint128::new(700 * TOKEN));

    // What is left is paid out on schedule.
    suite.advance_time(14 * DAY);
    suite.claim("alice").unwrap();
    assert_eq!(suite.balance_of("alice"), 300 * TOKEN);
    suite.assert_balance(suite.staking.clone(), 0);
}

#[test]
fn matured_but_unclaimed_stake_can_still_be_slashed() {
    let mut suite = SuiteBuilder::new().with_funds("alice", 100 * TOKEN).build();
    suite.bond("alice", 100 * TOKEN).unwrap();
    suite.unbond("alice", 100 * TOKEN).unwrap();
    suite.advance_time(20 * DAY);
    suite.slash_absolute("alice", 40 * TOKEN).unwrap();
    suite.claim("alice").unwrap();
    assert_eq!(suite.balance_of("alice"), 60 * TOKEN);
}

#[test]
fn slash_bigger_than_the_stake_is_capped() {
    let mut suite = SuiteBuilder::new().with_funds("alice", 100 * TOKEN).build();
    suite.bond("alice", 100 * TOKEN).unwrap();
    suite.unbond("alice", 40 * TOKEN).unwrap();
    let treasury_before = suite.balance(suite.treasury.clone());

    let res = suite.slash_absolute("alice", 1_000_000 * TOKEN).unwrap();
    let staking = suite.staking.clone();
    assert_eq!(
        wasm_attr(&res, &staking, "slashed"),
        (100 * TOKEN).to_string()
    );
    assert_eq!(
        wasm_attr(&res, &staking, "from_bonded"),
        (60 * TOKEN).to_string()
    );
    assert_eq!(
        wasm_attr(&res, &staking, "from_unbonding"),
        (40 * TOKEN).to_string()
    );

    let stake = suite.stake("alice");
    assert_eq!(stake.bonded, Uint128::zero());
    assert_eq!(stake.unbonding, Uint128::zero());
    assert!(suite.staking_claims("alice").is_empty());
    assert!(suite.list_stakers(None, None).is_empty());
    assert_eq!(suite.total_weight(None), 0);
    suite.assert_balance(suite.staking.clone(), 0);
    suite.assert_balance(suite.treasury.clone(), treasury_before + 100 * TOKEN);
    assert_eq!(suite.staking_totals().slashed, Uint128::new(100 * TOKEN));
}

#[test]
fn slashing_an_address_with_nothing_succeeds_and_sends_nothing() {
    let mut suite = SuiteBuilder::new().build();
    let supply = suite.total_supply();
    let treasury_before = suite.balance(suite.treasury.clone());

    let res = suite.slash_absolute("nobody", 50 * TOKEN).unwrap();
    let staking = suite.staking.clone();
    assert_eq!(wasm_attr(&res, &staking, "slashed"), "0");
    assert_eq!(wasm_attr(&res, &staking, "from_bonded"), "0");
    assert_eq!(wasm_attr(&res, &staking, "from_unbonding"), "0");
    // No message to the token at all.
    let token = suite.token.clone();
    assert!(!res.events.iter().any(|e| e
        .attributes
        .iter()
        .any(|a| a.key == "_contract_address" && a.value == token.as_str())));

    let res = suite.slash_fraction("nobody", Decimal::one()).unwrap();
    assert_eq!(wasm_attr(&res, &staking, "slashed"), "0");
    assert_eq!(suite.total_supply(), supply);
    suite.assert_balance(suite.treasury.clone(), treasury_before);
    assert_eq!(suite.staking_totals().slashed, Uint128::zero());
}

#[test]
fn slash_by_fraction_of_bonded_plus_unbonding() {
    let mut suite = SuiteBuilder::new()
        .with_funds("alice", 1_000 * TOKEN)
        .build();
    suite.bond("alice", 1_000 * TOKEN).unwrap();
    suite.unbond("alice", 200 * TOKEN).unwrap();

    // 25 % of 1 000 = 250, all from bonded 800.
    let res = suite.slash_fraction("alice", Decimal::percent(25)).unwrap();
    let staking = suite.staking.clone();
    assert_eq!(
        wasm_attr(&res, &staking, "slashed"),
        (250 * TOKEN).to_string()
    );
    assert_eq!(suite.stake("alice").bonded, Uint128::new(550 * TOKEN));
    assert_eq!(suite.stake("alice").unbonding, Uint128::new(200 * TOKEN));

    // A fraction rounds down: 1/3 of 750 TOKEN.
    let third = Decimal::from_ratio(1u128, 3u128);
    let expected = Uint128::new(750 * TOKEN).mul_floor(third);
    let res = suite.slash_fraction("alice", third).unwrap();
    assert_eq!(wasm_attr(&res, &staking, "slashed"), expected.to_string());
    assert_eq!(
        suite.stake("alice").bonded,
        Uint128::new(550 * TOKEN) - expected
    );

    // 100 % takes everything.
    suite.slash_fraction("alice", Decimal::one()).unwrap();
    let stake = suite.stake("alice");
    assert_eq!(stake.bonded, Uint128::zero());
    assert_eq!(stake.unbonding, Uint128::zero());
    suite.assert_balance(suite.staking.clone(), 0);
    assert_eq!(suite.staking_totals().slashed, Uint128::new(1_000 * TOKEN));
}

#[test]
fn invalid_fraction_is_refused_and_changes_nothing() {
    let mut suite = SuiteBuilder::new().with_funds("alice", 100 * TOKEN).build();
    suite.bond("alice", 100 * TOKEN).unwrap();
    for fraction in [
        Decimal::zero(),
        Decimal::percent(101),
        Decimal::percent(150),
    ] {
        let err = expect_staking_error(suite.slash_fraction("alice", fraction));
        assert_eq!(err, ContractError::InvalidFraction { fraction });
    }
    assert_eq!(suite.stake("alice").bonded, Uint128::new(100 * TOKEN));
    assert_eq!(suite.staking_totals().slashed, Uint128::zero());
    suite.assert_balance(suite.staking.clone(), 100 * TOKEN);
}

#[test]
fn burn_destination_lowers_total_supply() {
    let mut suite = SuiteBuilder::new()
        .with_funds("alice", 100 * TOKEN)
        .with_slash_burn()
        .build();
    suite.bond("alice", 100 * TOKEN).unwrap();
    let supply = suite.total_supply();
    let treasury_before = suite.balance(suite.treasury.clone());
    suite.slash_absolute("alice", 30 * TOKEN).unwrap();
    assert_eq!(suite.total_supply(), supply - 30 * TOKEN);
    suite.assert_balance(suite.staking.clone(), 70 * TOKEN);
    suite.assert_balance(suite.treasury.clone(), treasury_before);
}

#[test]
fn slashers_may_slash_and_others_may_not() {
    let mut suite = SuiteBuilder::new().with_funds("alice", 100 * TOKEN).build();
    suite.bond("alice", 100 * TOKEN).unwrap();
    let (owner, market, mallory) = (
        suite.owner.clone(),
        suite.addr("market"),
        suite.addr("mallory"),
    );
    let ten = SlashAmount::Absolute {
        amount: Uint128::new(10 * TOKEN),
    };

    let err = expect_staking_error(suite.slash(&market, "alice", ten.clone()));
    assert_eq!(err, ContractError::NotSlasher {});
    let err = expect_staking_error(suite.slash(&mallory, "alice", ten.clone()));
    assert_eq!(err, ContractError::NotSlasher {});
    assert_eq!(suite.stake("alice").bonded, Uint128::new(100 * TOKEN));

    suite
        .staking_exec(
            &owner,
            &ExecuteMsg::UpdateSlashers {
                add: vec![market.to_string()],
                remove: vec![],
            },
        )
        .unwrap();
    assert_eq!(suite.staking_config().slashers, vec![market.clone()]);
    suite.slash(&market, "alice", ten.clone()).unwrap();
    assert_eq!(suite.stake("alice").bonded, Uint128::new(90 * TOKEN));

    suite
        .staking_exec(
            &owner,
            &ExecuteMsg::UpdateSlashers {
                add: vec![],
                remove: vec![market.to_string()],
            },
        )
        .unwrap();
    assert!(suite.staking_config().slashers.is_empty());
    let err = expect_staking_error(suite.slash(&market, "alice", ten));
    assert_eq!(err, ContractError::NotSlasher {});
    assert_eq!(suite.stake("alice").bonded, Uint128::new(90 * TOKEN));
}

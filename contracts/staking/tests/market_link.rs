//! The staking ↔ market link: while linked, the unbonding period (in seconds) may not be shorter
//! than the market's longest job lifetime, whichever side changes.

use acn_interface::{market, staking};
use acn_testing::{assert_err_contains, Suite, SuiteBuilder, DAY};
use cw_utils::Duration;

fn suite(unbonding: Duration) -> Suite {
    SuiteBuilder::new()
        .with_unbonding_period(unbonding)
        .with_market()
        .build()
}

fn set_market(suite: &mut Suite, address: Option<String>) -> anyhow::Result<()> {
    let (owner, staking) = (suite.owner.clone(), suite.staking.clone());
    suite.execute(
        &owner,
        &staking,
        &staking::ExecuteMsg::SetMarket { address },
    )?;
    Ok(())
}

fn set_unbonding(suite: &mut Suite, period: Duration) -> anyhow::Result<()> {
    let (owner, staking) = (suite.owner.clone(), suite.staking.clone());
    suite.execute(
        &owner,
        &staking,
        &staking::ExecuteMsg::UpdateConfig {
            unbonding_period: Some(period),
            max_claims: None,
            min_bond: None,
            slash_destination: None,
        },
    )?;
    Ok(())
}

fn set_lifetime(suite: &mut Suite, seconds: u64) -> anyhow::Result<()> {
    let (owner, m) = (suite.owner.clone(), suite.market());
    let cfg: market::ConfigResponse = suite.query(&m, &market::QueryMsg::Config {});
    let mut params = cfg.params;
    params.max_job_lifetime = seconds;
    suite.execute(&owner, &m, &market::ExecuteMsg::UpdateParams { params })?;
    Ok(())
}

#[test]
fn linking_checks_the_current_period() {
    // Default market: jobs live up to one day.
    let mut short = suite(Duration::Time(DAY - 1));
    let market = short.market().to_string();
    assert_err_contains(
        set_market(&mut short, Some(market)),
        "unbonding period of 86399 s is shorter than the market's max job lifetime of 86400 s",
    );
    assert_eq!(short.staking_config().market, None);

    let mut blocks = suite(Duration::Height(100_000));
    let market = blocks.market().to_string();
    assert_err_contains(
        set_market(&mut blocks, Some(market)),
        "unbonding period must be in seconds while a market is linked",
    );

    let mut ok = suite(Duration::Time(DAY));
    let market = ok.market();
    set_market(&mut ok, Some(market.to_string())).unwrap();
    assert_eq!(ok.staking_config().market, Some(market.clone()));

    // Only the owner links.
    let stranger = ok.addr("stranger");
    let staking = ok.staking.clone();
    assert_err_contains(
        ok.execute(
            &stranger,
            &staking,
            &staking::ExecuteMsg::SetMarket { address: None },
        ),
        "Caller is not the contract's current owner",
    );
    assert_eq!(ok.staking_config().market, Some(market));
}

#[test]
fn while_linked_neither_side_can_break_the_rule() {
    let mut suite = suite(Duration::Time(2 * DAY));
    let market = suite.market().to_string();
    set_market(&mut suite, Some(market)).unwrap();

    // Staking side: shorter than a job is refused, in blocks too; equal is fine.
    assert_err_contains(
        set_unbonding(&mut suite, Duration::Time(DAY - 1)),
        "is shorter than the market's max job lifetime of 86400 s",
    );
    assert_err_contains(
        set_unbonding(&mut suite, Duration::Height(1_000_000)),
        "unbonding period must be in seconds",
    );
    assert_eq!(
        suite.staking_config().unbonding_period,
        Duration::Time(2 * DAY)
    );
    set_unbonding(&mut suite, Duration::Time(DAY)).unwrap();

    // Market side: a job may not outlive the unbonding period.
    assert_err_contains(
        set_lifetime(&mut suite, DAY + 1),
        "max job lifetime 86401 s exceeds staking's unbonding period 86400 s",
    );
    set_lifetime(&mut suite, DAY / 2).unwrap();
}

#[test]
fn unlinked_the_rule_does_not_apply() {
    let mut suite = suite(Duration::Time(2 * DAY));
    let market = suite.market().to_string();
    set_market(&mut suite, Some(market)).unwrap();
    set_market(&mut suite, None).unwrap();
    assert_eq!(suite.staking_config().market, None);
    set_unbonding(&mut suite, Duration::Time(60)).unwrap();
    set_lifetime(&mut suite, 3 * DAY).unwrap();
}

//! A whole job through the `Chain` trait on the embedded chain, from several threads.

mod common;

use std::sync::Arc;

use acn_client::{Chain, ChainExt};
use acn_embedded::EmbeddedChain;
use acn_testing::SuiteChain;
use acn_testing::{digits_model, SuiteBuilder, TOKEN};

fn chain() -> SuiteChain {
    EmbeddedChain::start(|| {
        SuiteBuilder::new()
            .with_market_params(|m| m.models = vec![digits_model()])
            .with_funds("provider", 5_000 * TOKEN)
            .with_funds("buyer", 1_000 * TOKEN)
            .build()
    })
    .unwrap()
}

#[test]
fn a_job_runs_end_to_end_through_the_trait() {
    let chain = chain();
    common::job_end_to_end(&chain, "buyer", "provider");
    let provider = chain.address("provider").unwrap();
    assert_eq!(chain.balance(&provider).unwrap(), 3_000 * TOKEN + 1_940);
}

#[test]
fn a_stable_paid_job_and_its_buyback_run_through_the_trait() {
    let chain = EmbeddedChain::start(|| {
        SuiteBuilder::new()
            .with_market_params(|m| m.models = vec![digits_model()])
            .with_stable_pool(500_000 * TOKEN, 25_000 * TOKEN, |p| {
                p.oracle.window = 60;
                p.oracle.max_staleness = 60;
            })
            .with_funds("provider", 5_000 * TOKEN)
            .with_funds("buyer", 1_000 * TOKEN)
            .with_stable("buyer", 100 * TOKEN)
            .build()
    })
    .unwrap();
    common::stable_job_and_buyback(&chain, "buyer", "provider");
}

#[test]
fn contract_errors_are_rejections_not_transient() {
    let chain = chain();
    common::contract_error_is_a_rejection(&chain, "buyer");
}

#[test]
fn the_handle_is_shared_by_threads() {
    let chain = Arc::new(chain());
    let before = chain.block().unwrap().height;
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let c = Arc::clone(&chain);
            std::thread::spawn(move || {
                for _ in 0..10 {
                    c.wait_blocks(1).unwrap();
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    assert_eq!(chain.block().unwrap().height, before + 40);
}

#[test]
fn governance_runs_end_to_end_through_the_trait() {
    let chain = EmbeddedChain::start(|| {
        SuiteBuilder::new()
            .with_market()
            .with_funds("major", 1_000 * TOKEN)
            .with_funds("minor", 1_000 * TOKEN)
            .with_treasury_reserve(10_000 * TOKEN)
            .with_dao(acn_interface::dao::DaoParams {
                deposit: Some(cosmwasm_std::Uint128::new(10 * TOKEN)),
                ..Default::default()
            })
            .build()
    })
    .unwrap();
    let dao = chain.with_state(|s| s.dao().to_string()).unwrap();
    let d = chain.deployment().clone();
    common::governance_end_to_end(&chain, &d, &dao, ["major", "minor", "late"]);
}

#[test]
fn every_proposal_kind_built_by_the_client_executes() {
    use acn_client::governance;
    use acn_interface::{dao, market, staking, treasury};
    use acn_testing::{regression_model, treasury_contract, DAY};

    let chain = EmbeddedChain::start(|| {
        SuiteBuilder::new()
            .with_market()
            .with_funds("major", 1_000 * TOKEN)
            .with_treasury_reserve(10_000 * TOKEN)
            .with_stable_pool(500_000 * TOKEN, 25_000 * TOKEN, |_| {})
            .with_dao(dao::DaoParams::default())
            .build()
    })
    .unwrap();
    let dao_addr = chain.with_state(|s| s.dao().to_string()).unwrap();
    let treasury_v2 = chain
        .with_state(|s| s.app.store_code(treasury_contract()))
        .unwrap();
    let d = chain.deployment().clone();
    chain
        .send_tokens(
            "major",
            &d.staking,
            500 * TOKEN,
            &staking::ReceiveMsg::Bond { tier: None },
        )
        .unwrap();
    chain.wait_blocks(1).unwrap();

    let cfg: market::ConfigResponse = chain
        .query(&d.market, &market::QueryMsg::Config {})
        .unwrap();
    let mut params = cfg.params;
    params.protocol_fee_bps = 450;
    let split = treasury::Split {
        burn_bps: 6_000,
        stakers_bps: 1_000,
        kept_bps: 2_900,
        executor_bps: 100,
    };
    let grantee = chain.address("grantee").unwrap();
    let vault = d.buyback.clone().unwrap();
    let vcfg: acn_interface::buyback::ConfigResponse = chain
        .query(&vault, &acn_interface::buyback::QueryMsg::Config {})
        .unwrap();
    assert_eq!(cfg.treasury.as_str(), vault, "fees go to the vault");
    let buyback_split = acn_interface::buyback::BuybackSplit {
        burn_bps: 6_000,
        stakers_bps: 2_000,
        treasury_bps: 1_900,
        caller_bps: 100,
    };
    let msgs = vec![
        governance::update_buyback_split(&vault, vcfg.params, buyback_split.clone()).unwrap(),
        governance::set_fee_recipient(&d.market, &d.treasury).unwrap(),
        governance::update_market_params(&d.market, params).unwrap(),
        governance::update_split(&d.treasury, split.clone()).unwrap(),
        governance::register_model(&d.market, regression_model()).unwrap(),
        governance::grant(&d.treasury, &grantee, 7 * TOKEN, "grant").unwrap(),
        governance::update_unbonding_period(&d.staking, 2 * DAY).unwrap(),
        governance::migrate(&d.treasury, treasury_v2).unwrap(),
    ];
    // The sole staker's proposal passes at once, and executes after delay + period + timelock.
    let (id, _) = governance::propose(&chain, &dao_addr, "major", "Eight kinds", "", msgs).unwrap();
    assert_eq!(
        governance::proposal(&chain, &dao_addr, id).unwrap().status,
        dao::Status::Passed
    );
    governance::wait_for_execution(&chain, &dao_addr, id).unwrap();
    governance::execute(&chain, &dao_addr, "major", id).unwrap();

    let cfg: market::ConfigResponse = chain
        .query(&d.market, &market::QueryMsg::Config {})
        .unwrap();
    assert_eq!(cfg.params.protocol_fee_bps, 450);
    assert_eq!(cfg.treasury.as_str(), d.treasury);
    let vcfg: acn_interface::buyback::ConfigResponse = chain
        .query(&vault, &acn_interface::buyback::QueryMsg::Config {})
        .unwrap();
    assert_eq!(vcfg.params.split, buyback_split);
    let tcfg: treasury::ConfigResponse = chain
        .query(&d.treasury, &treasury::QueryMsg::Config {})
        .unwrap();
    assert_eq!(tcfg.split, split);
    let model: market::ModelResponse = chain
        .query(
            &d.market,
            &market::QueryMsg::Model {
                id: regression_model().id,
            },
        )
        .unwrap();
    assert!(model.active);
    assert_eq!(chain.balance(&grantee).unwrap(), 7 * TOKEN);
    let scfg: staking::ConfigResponse = chain
        .query(&d.staking, &staking::QueryMsg::Config {})
        .unwrap();
    assert_eq!(scfg.unbonding_period, cw_utils::Duration::Time(2 * DAY));
    let treasury_addr = d.treasury.clone();
    let code = chain
        .with_state(move |s| {
            s.contract_info(&cosmwasm_std::Addr::unchecked(treasury_addr))
                .code_id
        })
        .unwrap();
    assert_eq!(code, treasury_v2);

    // The ninth kind: a dispute resolution reaches the market (no job is disputed here, so
    // the market refuses it and the proposal stays passed).
    let msg =
        governance::resolve_dispute(&d.market, 1, market::DisputeResolution::Void {}).unwrap();
    let (id, _) =
        governance::propose(&chain, &dao_addr, "major", "Resolve", "", vec![msg]).unwrap();
    governance::wait_for_execution(&chain, &dao_addr, id).unwrap();
    let err = governance::execute(&chain, &dao_addr, "major", id).unwrap_err();
    assert!(err.to_string().contains("job 1 not found"), "{err}");
    assert_eq!(
        governance::proposal(&chain, &dao_addr, id).unwrap().status,
        dao::Status::Passed
    );
}

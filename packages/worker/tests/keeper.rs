//! `acn_worker::keeper` on the embedded chain: a keeper triggers exactly the subscriptions that
//! are due, earns the reward for each run it starts, and finds nothing to do until the next one
//! is due.

use std::sync::Arc;

use cosmwasm_std::Uint128;

use acn_client::{Chain, ChainExt};
use acn_embedded::EmbeddedChain;
use acn_interface::{market, staking, subscriptions as subs};
use acn_testing::{digits_input, digits_model, hardware, SuiteBuilder, STABLE, TOKEN};
use acn_worker::keeper::trigger_due;

const REWARD: u128 = 7_000;

#[test]
fn a_keeper_triggers_what_is_due_and_earns_the_reward() {
    let chain = Arc::new(
        EmbeddedChain::start(|| {
            SuiteBuilder::new()
                .with_owner_funds(10_000_000 * TOKEN)
                .with_market_params(|m| {
                    m.models = vec![digits_model()];
                    m.params.pricing.window = 86_400;
                })
                .with_funds("p1", 5_000 * TOKEN)
                .with_funds("p2", 5_000 * TOKEN)
                .with_stable("alice", 10 * TOKEN)
                .with_stable_pool(500_000 * TOKEN, 25_000 * TOKEN, |_| {})
                .with_subscriptions(subs::Params {
                    keeper_reward: Uint128::new(REWARD),
                    min_interval: 60,
                })
                .build()
        })
        .unwrap(),
    );
    let d = chain.deployment().clone();
    for p in ["p1", "p2"] {
        chain
            .send_tokens(
                p,
                &d.staking,
                2_000 * TOKEN,
                &staking::ReceiveMsg::Bond { tier: None },
            )
            .unwrap();
        chain
            .market_exec(
                p,
                &market::ExecuteMsg::RegisterProvider {
                    hardware: hardware(),
                    models: vec![digits_model().id],
                    min_unit_price: Uint128::zero(),
                },
            )
            .unwrap();
    }
    chain.wait_seconds(1_800).unwrap();
    assert!(trigger_due(&*chain, "keeper", 10).unwrap().is_empty());

    let contract = d.subscriptions.clone().unwrap();
    let create = serde_json::to_vec(&subs::ExecuteMsg::Create {
        target: subs::Target::Job {
            model_id: digits_model().id,
            input: digits_input(1),
            batch: 1,
            redundancy: 2,
            max_unit_price: Uint128::MAX,
        },
        settings: subs::RunSettings {
            interval: 600,
            job_lifetime: 3_600,
            callback_gas: 250_000,
        },
        notify: None,
    })
    .unwrap();
    for _ in 0..2 {
        chain
            .execute_json_with_funds("alice", &contract, &create, &[(STABLE.into(), TOKEN)])
            .unwrap();
    }
    let done = trigger_due(&*chain, "keeper", 10).unwrap();
    assert_eq!(
        done.iter().map(|t| (t.id, t.reward)).collect::<Vec<_>>(),
        vec![(1, REWARD), (2, REWARD)]
    );
    assert!(done.iter().all(|t| t.job_id.is_some()));
    let keeper = chain.address("keeper").unwrap();
    assert_eq!(chain.bank_balance(&keeper, STABLE).unwrap(), 2 * REWARD);
    // Both runs are in flight: nothing is due.
    assert!(trigger_due(&*chain, "keeper", 10).unwrap().is_empty());
}

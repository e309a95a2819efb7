//! What self-dealing earns with the default genesis parameters, on the real contracts: an
//! attacker that is the buyer (paying in USD, like every buyer of the stable-priced market), both
//! providers of a redundancy-2 job (the only providers of the model) and the only staker, and
//! that calls the vault's `Buyback` itself, pays the protocol fee and gets back the most any
//! self-dealer can — yet loses 29 % of every fee:
//!
//! | where the fee goes (3 % of the price)                | share of the fee | back to the attacker |
//! |------------------------------------------------------|------------------|----------------------|
//! | the vault buys ACN with it on the pool (0.3 % pool fee) | —             | —                    |
//! | burned                                               | 70 %             | —                    |
//! | stakers (the attacker is all of them)                | 20 %             | 20 %                 |
//! | community treasury                                   | 9 %              | —                    |
//! | caller of `Buyback` (the attacker)                   | 1 %              | 1 %                  |
//! | emissions: 50 % of the fee (in ACN at the job's TWAP), 80 % providers | — | 40 %             |
//! | emissions: the stakers' 20 % of them                 | —                | 10 %                 |
//! | **net**                                              |                  | **−29 %** (−29.06 % with the pool's fee on the buy) |
//!
//! ACN is valued at the job's ACN price (the oracle's, $0.02 at genesis), so the number is the
//! trade's, not a revaluation of what the attacker already held.

use acn_interface::{buyback, market};
use acn_sim::config::{Genesis, DEFAULT_GENESIS, TOKEN};
use acn_sim::deploy::SIM_MODEL;
use support::deploy;

mod support;
use acn_testing::{labels_output, Suite};
use cosmwasm_std::{coins, Binary, Uint128};
use cw_multi_test::Executor;

const DAY: u64 = 86_400;
const ATTACKER: [&str; 3] = ["wash", "wash-p1", "wash-p2"];
const USDC: &str = "uusdc";

/// What the attacker holds: (USD, ACN) — ACN liquid, bonded, unbonding and owed staking rewards.
fn wealth(s: &Suite) -> (u128, u128) {
    let usd = ATTACKER.iter().map(|n| s.stable_balance(&s.addr(n))).sum();
    let acn = ATTACKER
        .iter()
        .map(|n| {
            let stake = s.stake(n);
            s.balance_of(n) + stake.bonded.u128() + stake.unbonding.u128() + s.pending_rewards(n)
        })
        .sum();
    (usd, acn)
}

#[test]
fn self_dealing_loses_29_percent_of_every_fee_with_the_default_parameters() {
    let g = Genesis::parse(DEFAULT_GENESIS).unwrap();
    let mut world = deploy(&g, 1_000_000).unwrap();
    let s = &mut world.suite;
    // The attacker buys tokens from the community sale's holder for its providers' stake, and
    // brings USD for the job.
    let stake = g.market.min_provider_stake as u128 * TOKEN;
    let (seller, owner) = (s.addr("community-sale"), s.owner.clone());
    s.transfer_from(&seller, &owner, 2 * stake).unwrap();
    for p in &ATTACKER[1..] {
        s.make_provider(p, stake, &[SIM_MODEL]).unwrap();
    }
    acn_embedded::mint_native(&mut s.app, ATTACKER[0], USDC, 100_000 * TOKEN).unwrap();
    // The pool has been idle for a TWAP window: the oracle serves its spot, $0.02.
    s.advance_time(1_800);
    let before = wealth(s);

    // One redundancy-2 job of 4 items (4 × 10 GPU-days), paid in USD: both slots are the
    // attacker's providers.
    let batch = 4;
    let quote = s.quote(ATTACKER[0], SIM_MODEL, batch, 2);
    assert_eq!(quote.denom.as_deref(), Some(USDC));
    let price = quote.price.u128();
    assert_eq!(
        price,
        4 * 14_400 * 20_000 * 2,
        "4 items × 14 400 GPU-minutes × $0.02 × 2"
    );
    let (buyer, market_addr) = (s.addr(ATTACKER[0]), s.market());
    let msg = market::ExecuteMsg::SubmitJob {
        model_id: SIM_MODEL.into(),
        input: Binary::from(vec![1u8; batch as usize]),
        batch,
        redundancy: 2,
        max_unit_price: Uint128::MAX,
        deadline: s.default_deadline(),
        audit_commitment: None,
        callback: None,
    };
    let res = s
        .app
        .execute_contract(buyer.clone(), market_addr, &msg, &coins(price, USDC))
        .unwrap();
    let job = acn_testing::job_id_from(&res).unwrap();
    let out = labels_output(&vec![1u32; batch as usize]);
    s.run_job(job, &[("wash-p1", out.clone()), ("wash-p2", out)])
        .unwrap();
    let settled = s.job(job);
    assert_eq!(settled.status, market::JobStatus::Settled);
    let fee = settled.fee.u128();
    assert_eq!(fee, price * 3 / 100, "a 3 % fee");
    let acn_price: f64 = settled.acn_price.unwrap().to_string().parse().unwrap();
    assert_eq!(acn_price, 0.02);

    // The attacker recovers all it can: it calls the vault's buyback (the fee buys ACN on the
    // pool; 70 % burned, 20 % to stakers — itself —, 1 % to it as the caller), claims the
    // emissions of the epoch once it is over (which sends the stakers' part to staking) and, as
    // the only staker, every reward round once it has streamed.
    let vault = s.buyback.clone().unwrap();
    s.app
        .execute_contract(buyer, vault.clone(), &buyback::ExecuteMsg::Buyback {}, &[])
        .unwrap();
    let bought: buyback::StateResponse = s.query(&vault, &buyback::QueryMsg::State {});
    let bought = bought.totals.acn_bought.u128();
    s.advance_time(DAY);
    let emissions = world.emissions.clone();
    for p in &ATTACKER[1..] {
        let addr = s.addr(p);
        s.claim_emissions(&emissions, &addr).unwrap();
    }
    s.advance_time(acn_interface::staking::DEFAULT_REWARD_DURATION);
    let after = wealth(s);

    let usd_lost = (before.0 - after.0) as f64;
    let acn_gained = (after.1 - before.1) as f64;
    let loss = usd_lost - acn_gained * acn_price;
    let fee = fee as f64;
    // Back: 21 % of the ACN the fee bought (the pool's fee and the buy's own price impact
    // taken), half the fee as emissions; to within the rounding of the shares.
    let expected = fee - 0.21 * bought as f64 * acn_price - 0.5 * fee;
    assert!(
        (loss - expected).abs() <= 20.0 * acn_price + 1.0,
        "self-dealing lost {loss} uusdc on a fee of {fee}: expected {expected}"
    );
    let share = loss / fee * 100.0;
    assert!(
        (29.0..29.2).contains(&share),
        "lost {share:.3} % of the fee"
    );
    println!(
        "self-dealing: fee {fee} uusdc, the vault bought {bought} ACN base units with it, recovered {:.0}, net {:.0} uusdc ({:.2} % of the fee)",
        fee - loss,
        -loss,
        -share
    );
}

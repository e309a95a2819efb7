//! What self-dealing earns with the default genesis parameters, on the real contracts: an
//! attacker that is the buyer, both providers of a redundancy-2 job (the only providers of the
//! model) and the only staker, and that calls `Distribute` itself, pays the protocol fee and gets
//! back the most any self-dealer can — yet loses 29 % of every fee:
//!
//! | where the fee goes (3 % of the price)     | share of the fee | back to the attacker |
//! |-------------------------------------------|------------------|----------------------|
//! | burned                                    | 70 %             | —                    |
//! | stakers (the attacker is all of them)     | 20 %             | 20 %                 |
//! | treasury reserve                          | 9 %              | —                    |
//! | executor of `Distribute` (the attacker)   | 1 %              | 1 %                  |
//! | emissions: 50 % of the fee, 80 % providers | —               | 40 %                 |
//! | emissions: the stakers' 20 % of them      | —                | 10 %                 |
//! | **net**                                   |                  | **−29 %**            |

use acn_interface::market;
use acn_sim::config::{Genesis, DEFAULT_GENESIS, TOKEN};
use acn_sim::deploy::{deploy, SIM_MODEL};
use acn_testing::{labels_output, Suite};
use cosmwasm_std::Binary;

const DAY: u64 = 86_400;
const ATTACKER: [&str; 3] = ["wash", "wash-p1", "wash-p2"];

/// Everything the attacker holds: liquid, bonded, unbonding and owed staking rewards.
fn wealth(s: &Suite) -> u128 {
    ATTACKER
        .iter()
        .map(|n| {
            let stake = s.stake(n);
            s.balance_of(n) + stake.bonded.u128() + stake.unbonding.u128() + s.pending_rewards(n)
        })
        .sum()
}

#[test]
fn self_dealing_loses_29_percent_of_every_fee_with_the_default_parameters() {
    let g = Genesis::parse(DEFAULT_GENESIS).unwrap();
    let mut world = deploy(&g, 1_000_000).unwrap();
    let s = &mut world.suite;
    // The attacker buys tokens from the community sale's holder.
    let stake = g.market.min_provider_stake as u128 * TOKEN;
    let (seller, owner) = (s.addr("community-sale"), s.owner.clone());
    s.transfer_from(&seller, &owner, 2 * stake + 1_000_000 * TOKEN)
        .unwrap();
    for p in &ATTACKER[1..] {
        s.make_provider(p, stake, &[SIM_MODEL]).unwrap();
    }
    s.fund(ATTACKER[0], 1_000_000 * TOKEN).unwrap();
    let before = wealth(s);

    // One redundancy-2 job of 4 items (4 × 10 GPU-days): both slots are the attacker's providers.
    let batch = 4;
    let quote = s.quote(ATTACKER[0], SIM_MODEL, batch, 2);
    let deadline = s.default_deadline();
    let job = s
        .try_submit(
            ATTACKER[0],
            SIM_MODEL,
            Binary::from(vec![1u8; batch as usize]),
            batch,
            2,
            quote.price.u128(),
            deadline,
        )
        .unwrap();
    let out = labels_output(&vec![1u32; batch as usize]);
    s.run_job(job, &[("wash-p1", out.clone()), ("wash-p2", out)])
        .unwrap();
    let settled = s.job(job);
    assert_eq!(settled.status, market::JobStatus::Settled);
    let fee = settled.fee.u128();
    assert_eq!(fee, quote.price.u128() * 3 / 100, "a 3 % fee");

    // The attacker recovers all it can: it distributes the fee, claims the emissions of the
    // epoch once it is over (which sends the stakers' part to staking) and, as the only staker,
    // every reward round once it has streamed.
    let market_addr = s.market();
    let wash = s.addr(ATTACKER[0]);
    s.execute(&wash, &market_addr, &market::ExecuteMsg::FlushFees {})
        .unwrap();
    s.distribute(ATTACKER[0]).unwrap();
    s.advance_time(DAY);
    let emissions = world.emissions.clone();
    for p in &ATTACKER[1..] {
        let addr = s.addr(p);
        s.claim_emissions(&emissions, &addr).unwrap();
    }
    s.advance_time(acn_interface::staking::DEFAULT_REWARD_DURATION);
    let after = wealth(s);

    let loss = before - after;
    // 29 % of the fee, to within the rounding of the shares (a few base units).
    let expected = fee * 29 / 100;
    assert!(
        loss.abs_diff(expected) <= 10,
        "self-dealing lost {loss} on a fee of {fee}: expected ≈ {expected} (29 %)"
    );
    println!(
        "self-dealing: fee {fee}, recovered {}, net {} ({:.2} % of the fee)",
        fee - loss,
        -(loss as i128),
        -(loss as f64) / fee as f64 * 100.0
    );
}

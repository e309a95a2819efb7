//! A fixed 10 B supply, whatever happens: random sequences of mints (by the token's minter and
//! by strangers), burns, work reports, emission claims, fee distributions, buybacks of USD fees
//! on the pool (70 % of the ACN bought burned) and days passing, on the genesis deployment. After every step: nothing was ever minted past the genesis supply,
//! the supply plus everything burned is exactly 10 B, and the emissions contract holds its pool
//! less what it paid.

use acn_interface::{buyback, emissions as em, token};
use acn_sim::config::{Genesis, DEFAULT_GENESIS, TOKEN};
use support::deploy;

mod support;
use cosmwasm_std::{coins, Uint128};
use cw_multi_test::Executor;
use proptest::prelude::*;

const DAY: u64 = 86_400;
const SUPPLY: u128 = 10_000_000_000 * TOKEN;
const PROVIDERS: [&str; 3] = ["p1", "p2", "p3"];

#[derive(Clone, Debug)]
enum Op {
    /// The token's minter (the deployer) tries to mint.
    MinterMints(u128),
    /// A stranger tries to mint.
    StrangerMints(u128),
    /// The community-sale holder burns.
    Burn(u128),
    /// The market reports fees for providers (sent as the market).
    Work(usize, u128),
    /// A provider claims its emissions.
    Claim(usize),
    /// A fee deposited in the treasury is split (burned in part).
    Distribute(u128),
    /// USD fees (base units of the stable) reach the vault, which buys ACN with them on the
    /// pool a TWAP window later (refused only once today's cap is spent: then nothing moves).
    Buyback(u128),
    /// Time passes.
    Days(u64),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (1u128..=u128::from(u64::MAX)).prop_map(Op::MinterMints),
        (1u128..=1_000 * TOKEN).prop_map(Op::StrangerMints),
        (1u128..=10_000_000 * TOKEN).prop_map(Op::Burn),
        (0usize..3, 1u128..=100_000_000 * TOKEN).prop_map(|(p, f)| Op::Work(p, f)),
        (0usize..3).prop_map(Op::Claim),
        (1u128..=1_000_000 * TOKEN).prop_map(Op::Distribute),
        (1u128..=5_000 * TOKEN).prop_map(Op::Buyback),
        (1u64..=40).prop_map(Op::Days),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]
    #[test]
    fn nothing_is_ever_minted_past_the_genesis_supply(ops in prop::collection::vec(op(), 1..40)) {
        let g = Genesis::parse(DEFAULT_GENESIS).unwrap();
        let world = deploy(&g, 1_000_000).unwrap();
        let mut s = world.suite;
        let emissions = world.emissions;
        let (minter, holder, stranger) = (s.owner.clone(), s.addr("community-sale"), s.addr("mallory"));
        let market = s.market();
        let mut burned = 0u128;
        for op in ops {
            match op {
                Op::MinterMints(amount) | Op::StrangerMints(amount) => {
                    let sender = if matches!(op, Op::MinterMints(_)) { &minter } else { &stranger };
                    let msg = token::ExecuteMsg::Mint {
                        recipient: sender.to_string(),
                        amount: Uint128::new(amount),
                    };
                    let token_addr = s.token.clone();
                    prop_assert!(s.execute(sender, &token_addr, &msg).is_err(), "a mint of {amount} went through");
                }
                Op::Burn(amount) => {
                    let amount = amount.min(s.balance(holder.clone()));
                    if amount > 0 {
                        let token_addr = s.token.clone();
                        s.execute(&holder, &token_addr, &token::ExecuteMsg::Burn { amount: Uint128::new(amount) }).unwrap();
                        burned += amount;
                    }
                }
                Op::Work(p, fee) => {
                    let work = vec![em::WorkFee { provider: s.addr(PROVIDERS[p]).to_string(), fee: Uint128::new(fee) }];
                    s.execute(&market, &emissions, &em::ExecuteMsg::RecordWork { work }).unwrap();
                }
                Op::Claim(p) => {
                    let addr = s.addr(PROVIDERS[p]);
                    // Nothing to claim is an error that moves nothing.
                    let _ = s.claim_emissions(&emissions, &addr);
                }
                Op::Distribute(amount) => {
                    let amount = amount.min(s.balance(holder.clone()));
                    if amount > 0 {
                        s.deposit_fee_from(&holder, amount).unwrap();
                        let before = s.treasury_totals().burned.u128();
                        s.distribute_as(&stranger).unwrap();
                        burned += s.treasury_totals().burned.u128() - before;
                    }
                }
                Op::Buyback(usd) => {
                    let vault = s.buyback.clone().unwrap();
                    acn_embedded::mint_native(&mut s.app, "mallory", "uusdc", usd).unwrap();
                    s.app.execute_contract(stranger.clone(), vault.clone(), &buyback::ExecuteMsg::Deposit {}, &coins(usd, "uusdc")).unwrap();
                    let before: buyback::StateResponse = s.query(&vault, &buyback::QueryMsg::State {});
                    let supply = s.total_supply();
                    // The pool idle for a window: the oracle serves its spot.
                    s.advance_time(1_800);
                    match s.app.execute_contract(stranger.clone(), vault.clone(), &buyback::ExecuteMsg::Buyback {}, &[]) {
                        Ok(_) => {
                            let after: buyback::StateResponse = s.query(&vault, &buyback::QueryMsg::State {});
                            let b = (after.totals.burned - before.totals.burned).u128();
                            prop_assert_eq!(supply - s.total_supply(), b, "the supply falls by exactly the burn");
                            burned += b;
                        }
                        Err(e) => {
                            prop_assert!(format!("{e:#}").contains("daily cap reached"), "{e:#}");
                            prop_assert_eq!(s.total_supply(), supply);
                        }
                    }
                }
                Op::Days(d) => s.advance_time(d * DAY),
            }
            let mint: token::MintStatusResponse = s.query(&s.token, &token::QueryMsg::MintStatus {});
            prop_assert_eq!(mint.total_minted.u128(), SUPPLY);
            prop_assert_eq!(mint.mintable.u128(), 0);
            prop_assert_eq!(s.total_supply() + burned, SUPPLY);
            let t: em::TotalsResponse = s.query(&emissions, &em::QueryMsg::Totals {});
            prop_assert!(t.paid() <= t.released && t.released <= t.funded);
            prop_assert_eq!(s.balance(emissions.clone()), t.funded.u128() - t.paid().u128());
        }
    }
}

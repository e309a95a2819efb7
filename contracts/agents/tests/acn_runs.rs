//! Runs paid in ACN, in a market priced in ACN: the escrow arrives by the token's `Send` with a
//! `run` hook, each step is bought from the market with the token's `Send`, and the providers,
//! the developer and the buyer's refunds are paid in ACN. The hook is refused from any other
//! token, in a stable-priced market, and when short; `Run` with funds is refused in an ACN
//! market. Every refused message leaves every balance and run as it was.

mod common;

use acn_agents::ContractError;
use acn_interface::agents::{
    ExecuteMsg, QueryMsg, ReceiveMsg, RunStatus, RunsResponse, StepStatus, CW20_DENOM_PREFIX,
};
use acn_interface::market::{encode_text_items, JobStatus};
use acn_testing::*;
use common::*;
use cosmwasm_std::{coins, to_json_binary, Binary, Uint128};
use cw_multi_test::{AppResponse, Executor};

/// A market priced in ACN (no pool): alice and bob hold ACN only.
fn acn_world() -> World {
    let mut s = base_suite()
        .with_funds("alice", USDC)
        .with_funds("bob", USDC)
        .build();
    let registry = registry_with_digit_router(&mut s);
    World { s, registry }
}

/// Everyone's ACN and the registry's runs: what a refused message must not change.
#[derive(Debug, PartialEq)]
struct Snapshot {
    balances: Vec<u128>,
    runs: RunsResponse,
}

impl World {
    fn acn(&self, name: &str) -> u128 {
        self.s.balance_of(name)
    }

    fn snapshot(&self) -> Snapshot {
        let mut balances: Vec<u128> = ["alice", "bob", "dev", "p1", "p2", "p3"]
            .iter()
            .map(|n| self.acn(n))
            .collect();
        balances.push(self.s.balance(&self.registry));
        balances.push(self.s.balance(self.s.market()));
        Snapshot {
            balances,
            runs: self.s.query(
                &self.registry,
                &QueryMsg::Runs {
                    buyer: None,
                    start_after: None,
                    limit: None,
                },
            ),
        }
    }

    /// `who` pays `amount` ACN for a run of `digit-router` through the token.
    fn start(&mut self, who: &str, amount: u128) -> anyhow::Result<AppResponse> {
        let sender = self.s.addr(who);
        let registry = self.registry.clone();
        self.s
            .send_tokens(&sender, &registry, amount, &ReceiveMsg::Run(run_args(None)))
    }
}

#[test]
fn a_run_paid_in_acn_settles_step_by_step_in_acn() {
    let mut w = acn_world();
    let token = w.s.token.clone();
    let alice0 = w.acn("alice");
    let providers0: Vec<u128> = PROVIDERS.iter().map(|p| w.acn(p)).collect();
    let staking0 = w.s.balance(&w.s.staking);
    // 1 base unit too much: sent back at once.
    w.start("alice", ESCROW + 1).unwrap();
    let run = w.run(1);
    assert_eq!(run.denom, format!("{CW20_DENOM_PREFIX}{token}"));
    assert_eq!(run.token(), Some(token.as_str()));
    assert_eq!(run.buyer, w.s.addr("alice"));
    assert_eq!(run.escrow.u128(), ESCROW);
    assert_eq!(w.acn("alice"), alice0 - ESCROW);
    assert_eq!(
        w.s.balance(&w.registry),
        ESCROW - PRICE,
        "step 0 was bought with the token's Send"
    );
    assert_eq!(w.s.job(1).buyer, w.registry);

    let outputs = [
        labels_output(&[4]),
        labels_output(&[0]),
        labels_output(&[2]),
    ];
    let mut paid_out = 0u128;
    for (step, out) in outputs.iter().enumerate() {
        let job_id = w.job_of(1, step);
        w.work(job_id, out.clone());
        let job = w.s.job(job_id);
        assert_eq!(job.status, JobStatus::Settled);
        let paid: u128 = job.slots.iter().map(|s| s.paid.u128()).sum();
        assert_eq!(paid + job.fee.u128(), PRICE, "the step's price, in ACN");
        paid_out += paid;
        assert_eq!(w.run(1).steps[step].status, StepStatus::Done);
        w.advance("keeper", 1).unwrap();
        if step == 0 {
            let next = w.s.job(w.job_of(1, 1));
            assert_eq!(
                next.input,
                Binary::from(encode_text_items(&[digit_text(4)]))
            );
        }
    }
    let run = w.run(1);
    assert_eq!(run.status, RunStatus::Completed);
    // The developer has the fee in ACN, alice every unspent budget, the registry nothing.
    let refund = 3 * (BUDGET - PRICE);
    assert_eq!(w.acn("dev"), FEE);
    assert_eq!(
        (run.refunded.u128(), run.developer_paid.u128()),
        (refund, FEE)
    );
    assert_eq!(w.acn("alice"), alice0 - 3 * PRICE - FEE);
    assert_eq!(w.s.balance(&w.registry), 0);
    // The providers were paid in ACN by the market (their stake untouched).
    let providers: Vec<u128> = PROVIDERS.iter().map(|p| w.acn(p)).collect();
    let earned: u128 = providers.iter().zip(&providers0).map(|(a, b)| a - b).sum();
    assert_eq!(earned, paid_out);
    assert_eq!(w.s.balance(&w.s.staking), staking0, "nobody slashed");
}

#[test]
fn a_cancelled_acn_run_returns_every_token_once_its_step_expires() {
    let mut w = acn_world();
    let alice0 = w.acn("alice");
    w.start("alice", ESCROW).unwrap();
    let alice = w.s.addr("alice");
    let registry = w.registry.clone();
    w.s.execute(&alice, &registry, &ExecuteMsg::Cancel { run_id: 1 })
        .unwrap();
    assert_eq!(w.acn("alice"), alice0 - PRICE, "all but the step in flight");
    assert_eq!(w.s.balance(&w.registry), 0);
    // The market refunds the expired step in ACN; the next advance passes it on.
    w.s.advance_time(3_601);
    w.s.expire("keeper", 1).unwrap();
    assert_eq!(w.s.balance(&w.registry), PRICE);
    w.advance("keeper", 1).unwrap();
    assert_eq!(w.acn("alice"), alice0);
    assert_eq!(w.s.balance(&w.registry), 0);
    assert_eq!(w.run(1).refunded.u128(), ESCROW);
}

#[test]
fn refused_acn_payments_move_nothing() {
    let mut w = acn_world();
    let alice = w.s.addr("alice");
    let registry = w.registry.clone();
    let token = w.s.token.clone();
    let hook = to_json_binary(&ReceiveMsg::Run(run_args(None))).unwrap();

    // Short by one base unit.
    let before = w.snapshot();
    let e = w.start("alice", ESCROW - 1).unwrap_err();
    assert_eq!(
        err(e),
        ContractError::InsufficientFunds {
            required: Uint128::new(ESCROW),
            paid: Uint128::new(ESCROW - 1),
            denom: format!("{CW20_DENOM_PREFIX}{token}"),
        }
    );
    assert_eq!(w.snapshot(), before, "nothing moved");

    // A fake CW20 (same code, another contract) cannot pay: its tokens are worthless here.
    let fake = w.s.instantiate_fake_token(&[(&alice, ESCROW)]);
    let before = w.snapshot();
    let e =
        w.s.app
            .execute_contract(
                alice.clone(),
                fake.clone(),
                &cw20::Cw20ExecuteMsg::Send {
                    contract: registry.to_string(),
                    amount: Uint128::new(ESCROW),
                    msg: hook.clone(),
                },
                &[],
            )
            .unwrap_err();
    assert_eq!(
        err(e),
        ContractError::NotTheToken {
            token: token.to_string(),
            sender: fake.to_string(),
        }
    );
    assert_eq!(w.snapshot(), before, "nothing moved");

    // A hook sent directly (no tokens behind it) is the same forgery.
    let before = w.snapshot();
    let e =
        w.s.app
            .execute_contract(
                alice.clone(),
                registry.clone(),
                &ExecuteMsg::Receive(cw20::Cw20ReceiveMsg {
                    sender: alice.to_string(),
                    amount: Uint128::new(ESCROW),
                    msg: hook,
                }),
                &[],
            )
            .unwrap_err();
    assert_eq!(
        err(e),
        ContractError::NotTheToken {
            token: token.to_string(),
            sender: alice.to_string(),
        }
    );
    assert_eq!(w.snapshot(), before, "nothing moved");

    // `Run` with funds in a market priced in ACN: told to pay through the token.
    w.s.app
        .sudo(cw_multi_test::SudoMsg::Bank(
            cw_multi_test::BankSudo::Mint {
                to_address: alice.to_string(),
                amount: coins(ESCROW, STABLE),
            },
        ))
        .unwrap();
    let before = w.snapshot();
    let e =
        w.s.app
            .execute_contract(
                alice.clone(),
                registry,
                &ExecuteMsg::Run(run_args(None)),
                &coins(ESCROW, STABLE),
            )
            .unwrap_err();
    assert_eq!(err(e), ContractError::NoStableAsset {});
    assert_eq!(w.snapshot(), before, "nothing moved");
    assert_eq!(w.s.stable_balance(&alice), ESCROW);
}

#[test]
fn an_acn_run_hook_in_a_stable_priced_market_is_refused() {
    let mut s = base_suite()
        .with_funds("alice", USDC)
        .with_stable_pool(500_000 * TOKEN, 25_000 * TOKEN, |_| {})
        .build();
    let registry = registry_with_digit_router(&mut s);
    let alice = s.addr("alice");
    let alice0 = s.balance(&alice);
    let e = s
        .send_tokens(&alice, &registry, ESCROW, &ReceiveMsg::Run(run_args(None)))
        .unwrap_err();
    assert_eq!(
        err(e),
        ContractError::StableMarket {
            denom: STABLE.into()
        }
    );
    assert_eq!(s.balance(&alice), alice0);
    assert_eq!(s.balance(&registry), 0);
}

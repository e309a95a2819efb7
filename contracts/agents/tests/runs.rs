//! Agent runs on the embedded chain, the whole system deployed by the one deployment routine
//! (a stable-priced market): a three-step run settled step by step, an expired step, a buyer
//! cancelling mid-step, and every refused or forged message with its exact error and nothing
//! moved. Every party's money is computed and asserted.

mod common;

use acn_agents::ContractError;
use acn_interface::agents::{
    ExecuteMsg, QueryMsg, RunMsg, RunResult, RunStatus, RunsResponse, StepStatus,
    DEFAULT_RUN_CALLBACK_GAS,
};
use acn_interface::market::{
    self, encode_text_items, Callback, CallbackStatus, JobResult, JobStatus,
};
use acn_testing::*;
use common::*;
use cosmwasm_schema::cw_serde;
use cosmwasm_std::{
    coins, to_json_binary, Addr, Binary, Deps, DepsMut, Empty, Env, MessageInfo, Response,
    StdResult, Uint128, WasmMsg,
};
use cw_multi_test::{AppResponse, ContractWrapper, Executor};
use cw_storage_plus::Item;

// ---- A buyer contract: forwards a run request, records (or re-enters on) its result. ----

#[cw_serde]
struct BuyerInit {
    /// On `ReceiveRunResult`, call `Cancel` on the registry (which must fail: the run is over).
    reenter: bool,
}

#[cw_serde]
enum BuyerMsg {
    Forward { contract: String, msg: Binary },
    ReceiveRunResult(RunResult),
}

const REENTER: Item<bool> = Item::new("reenter");
const LAST: Item<RunResult> = Item::new("last");

fn buyer_instantiate(deps: DepsMut, _: Env, _: MessageInfo, msg: BuyerInit) -> StdResult<Response> {
    REENTER.save(deps.storage, &msg.reenter)?;
    Ok(Response::new())
}

fn buyer_execute(deps: DepsMut, _: Env, info: MessageInfo, msg: BuyerMsg) -> StdResult<Response> {
    match msg {
        BuyerMsg::Forward { contract, msg } => Ok(Response::new().add_message(WasmMsg::Execute {
            contract_addr: contract,
            msg,
            funds: info.funds,
        })),
        BuyerMsg::ReceiveRunResult(result) => {
            if REENTER.load(deps.storage)? {
                return Ok(Response::new().add_message(WasmMsg::Execute {
                    contract_addr: info.sender.into_string(),
                    msg: to_json_binary(&ExecuteMsg::Cancel {
                        run_id: result.run_id,
                    })?,
                    funds: vec![],
                }));
            }
            LAST.save(deps.storage, &result)?;
            Ok(Response::new())
        }
    }
}

fn buyer_query(deps: Deps, _: Env, _: Empty) -> StdResult<Binary> {
    to_json_binary(&LAST.may_load(deps.storage)?)
}

// ---- The world. ----

fn world() -> World {
    let mut s = base_suite()
        .with_stable("alice", USDC)
        .with_stable("bob", USDC)
        .with_stable_pool(500_000 * TOKEN, 25_000 * TOKEN, |_| {})
        .build();
    let registry = registry_with_digit_router(&mut s);
    World { s, registry }
}

fn run_msg(callback: Option<Callback>) -> ExecuteMsg {
    ExecuteMsg::Run(run_args(callback))
}

/// Everyone's stable balance and the registry's runs: what a refused message must not change.
#[derive(Debug, PartialEq)]
struct Snapshot {
    balances: Vec<u128>,
    runs: RunsResponse,
}

impl World {
    fn usdc(&self, name: &str) -> u128 {
        self.s.stable_balance(&self.s.addr(name))
    }

    fn registry_usdc(&self) -> u128 {
        self.s.stable_balance(&self.registry)
    }

    fn snapshot(&self) -> Snapshot {
        let mut balances: Vec<u128> = ["alice", "bob", "dev", "p1", "p2", "p3"]
            .iter()
            .map(|n| self.usdc(n))
            .collect();
        balances.push(self.registry_usdc());
        balances.push(self.s.stable_balance(&self.s.market()));
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

    /// `sender` sends `msg` (with `funds`) and is refused with `expected`; nothing moves.
    fn refused(
        &mut self,
        sender: &Addr,
        msg: &ExecuteMsg,
        funds: &[cosmwasm_std::Coin],
        expected: ContractError,
    ) {
        let before = self.snapshot();
        let e = self
            .s
            .app
            .execute_contract(sender.clone(), self.registry.clone(), msg, funds)
            .unwrap_err();
        assert_eq!(err(e), expected, "{msg:?}");
        assert_eq!(self.snapshot(), before, "nothing moved");
    }

    fn start(&mut self, who: &str, pay: u128) -> anyhow::Result<AppResponse> {
        let sender = self.s.addr(who);
        self.s.app.execute_contract(
            sender,
            self.registry.clone(),
            &run_msg(None),
            &coins(pay, STABLE),
        )
    }

    fn providers_usdc(&self) -> Vec<u128> {
        PROVIDERS.iter().map(|p| self.usdc(p)).collect()
    }
}

/// What each provider was paid by a job (its slots' `paid`, by provider).
fn paid_by_job(s: &Suite, job_id: u64) -> Vec<u128> {
    let job = s.job(job_id);
    PROVIDERS
        .iter()
        .map(|p| {
            job.slots
                .iter()
                .filter(|slot| slot.provider == s.addr(p))
                .map(|slot| slot.paid.u128())
                .sum()
        })
        .collect()
}

#[test]
fn a_three_step_run_settles_step_by_step() {
    let mut w = world();
    let alice0 = w.usdc("alice");
    // One escrow (paid with 1 uusdc too much: sent back at once); step 0 is submitted with it.
    let res = w.start("alice", ESCROW + 1).unwrap();
    let run = w.run(1);
    assert_eq!(run.escrow.u128(), ESCROW);
    assert_eq!(run.status, RunStatus::Running);
    assert_eq!(w.usdc("alice"), alice0 - ESCROW);
    assert_eq!(
        w.registry_usdc(),
        ESCROW - PRICE,
        "step 0's price went to the market"
    );
    assert!(res.events.iter().any(|e| e
        .attributes
        .iter()
        .any(|a| a.key == "step_job_id" && a.value == "1")));
    assert_eq!(
        run.steps
            .iter()
            .map(|s| (s.budget.u128(), s.price.u128(), s.status.clone()))
            .collect::<Vec<_>>(),
        vec![
            (BUDGET, PRICE, StepStatus::InFlight),
            (BUDGET, 0, StepStatus::Waiting),
            (BUDGET, 0, StepStatus::Waiting)
        ]
    );

    // Nothing to advance while the step is in flight.
    let e = w.advance("keeper", 1).unwrap_err();
    assert_eq!(
        err(e),
        ContractError::StepInFlight {
            run_id: 1,
            step: 0,
            job_id: 1
        }
    );

    // Each step: the providers work, the market pays them and calls the registry back; anyone
    // advances, the output passes through the next adapter and the next step is bought.
    let outputs = [
        labels_output(&[3]),
        labels_output(&[1]),
        labels_output(&[2]),
    ];
    let mut earned = [0u128; 3];
    let mut protocol_fees = 0u128;
    for (step, out) in outputs.iter().enumerate() {
        let job_id = w.job_of(1, step);
        let before = w.providers_usdc();
        w.work(job_id, out.clone());
        let job = w.s.job(job_id);
        assert_eq!(job.status, JobStatus::Settled);
        assert_eq!(job.callback.unwrap().status, CallbackStatus::Delivered);
        let paid = paid_by_job(&w.s, job_id);
        assert_eq!(
            w.providers_usdc(),
            before
                .iter()
                .zip(&paid)
                .map(|(b, p)| b + p)
                .collect::<Vec<_>>(),
            "step {step}'s providers are paid by the market"
        );
        assert_eq!(paid.iter().sum::<u128>() + job.fee.u128(), PRICE);
        protocol_fees += job.fee.u128();
        for (e, p) in earned.iter_mut().zip(&paid) {
            *e += p;
        }
        let run = w.run(1);
        assert_eq!(run.steps[step].status, StepStatus::Done);
        assert_eq!(run.steps[step].output.as_ref(), Some(out));
        assert_eq!(w.usdc("dev"), 0, "the developer is paid at the end only");
        w.advance("keeper", 1).unwrap();
        if step < 2 {
            let next = w.s.job(w.job_of(1, step + 1));
            let expected: Binary = if step == 0 {
                encode_text_items(&[digit_text(3)]).into()
            } else {
                labels_output(&[1]) // Direct: label 1 as an i32
            };
            assert_eq!(next.input, expected, "step {step}'s output adapted");
            assert_eq!(next.buyer, w.registry);
        }
    }
    let run = w.run(1);
    assert_eq!(run.status, RunStatus::Completed);
    assert_eq!(run.current, 3);
    // Developer paid the fee; alice gets back each step's unspent budget; nothing left behind.
    let refund = 3 * (BUDGET - PRICE);
    assert_eq!(w.usdc("dev"), FEE);
    assert_eq!(
        (run.refunded.u128(), run.developer_paid.u128()),
        (refund, FEE)
    );
    assert_eq!(w.usdc("alice"), alice0 - 3 * PRICE - FEE);
    assert_eq!(w.registry_usdc(), 0);
    assert_eq!(earned.iter().sum::<u128>() + protocol_fees, 3 * PRICE);
    // Over: a further advance is refused.
    let e = w.advance("keeper", 1).unwrap_err();
    assert_eq!(
        err(e),
        ContractError::RunEnded {
            run_id: 1,
            status: RunStatus::Completed
        }
    );
    let by_buyer: RunsResponse = w.s.query(
        &w.registry,
        &QueryMsg::Runs {
            buyer: Some(w.s.addr("alice").to_string()),
            start_after: None,
            limit: None,
        },
    );
    assert_eq!(by_buyer.runs, vec![run]);
}

#[test]
fn an_expired_step_ends_the_run_with_the_exact_refund() {
    let mut w = world();
    let alice0 = w.usdc("alice");
    w.start("alice", ESCROW).unwrap();
    w.work(1, labels_output(&[7]));
    w.advance("alice", 1).unwrap();
    let step1 = w.job_of(1, 1);
    // Nobody works on step 1: it expires and the market refunds its price to the registry.
    w.s.advance_time(3_601);
    w.s.expire("keeper", step1).unwrap();
    let job = w.s.job(step1);
    assert_eq!(job.status, JobStatus::Expired);
    assert_eq!(job.refunded.u128(), PRICE);
    let run = w.run(1);
    assert_eq!(
        run.steps[1].status,
        StepStatus::Failed {
            job_status: Some(JobStatus::Expired),
            reason: "the job ended without an output".into()
        }
    );
    assert_eq!(run.steps[1].market_refund.u128(), PRICE);
    let before_dev = w.usdc("dev");
    w.advance("keeper", 1).unwrap();
    let run = w.run(1);
    assert_eq!(run.status, RunStatus::Failed);
    assert_eq!(run.steps[2].status, StepStatus::Skipped);
    // Refund: step 0's unspent budget, step 1's whole budget (its market refund included),
    // step 2's budget, and the fee. Only step 0's price is spent.
    let refund = (BUDGET - PRICE) + BUDGET + BUDGET + FEE;
    assert_eq!(run.refunded.u128(), refund);
    assert_eq!(w.usdc("alice"), alice0 - PRICE);
    assert_eq!(w.usdc("dev"), before_dev, "no fee for a failed run");
    assert_eq!(w.registry_usdc(), 0);
}

#[test]
fn a_buyer_cancelling_while_a_step_is_in_flight_loses_nothing() {
    let mut w = world();
    let alice0 = w.usdc("alice");
    w.start("alice", ESCROW).unwrap();
    // Only alice cancels.
    let bob = w.s.addr("bob");
    w.refused(
        &bob,
        &ExecuteMsg::Cancel { run_id: 1 },
        &[],
        ContractError::NotBuyer {
            run_id: 1,
            buyer: w.s.addr("alice").to_string(),
        },
    );
    let alice = w.s.addr("alice");
    w.s.execute(
        &alice,
        &w.registry.clone(),
        &ExecuteMsg::Cancel { run_id: 1 },
    )
    .unwrap();
    // Everything not in the market is back at once: step 0's price stays in flight.
    let run = w.run(1);
    assert_eq!(run.status, RunStatus::Cancelled);
    assert_eq!(run.steps[0].status, StepStatus::InFlight);
    assert_eq!(w.usdc("alice"), alice0 - PRICE);
    assert_eq!(w.registry_usdc(), 0);
    // The step in flight expires in the market; its refund reaches the registry with the
    // callback and the next advance returns it: nothing is lost.
    w.s.advance_time(3_601);
    w.s.expire("keeper", 1).unwrap();
    assert_eq!(w.registry_usdc(), PRICE);
    w.advance("keeper", 1).unwrap();
    assert_eq!(w.usdc("alice"), alice0);
    assert_eq!(w.registry_usdc(), 0);
    assert_eq!(w.run(1).refunded.u128(), ESCROW);
    let e = w.advance("keeper", 1).unwrap_err();
    assert_eq!(
        err(e),
        ContractError::RunEnded {
            run_id: 1,
            status: RunStatus::Cancelled
        }
    );
    // Cancelling twice is refused.
    w.refused(
        &alice,
        &ExecuteMsg::Cancel { run_id: 1 },
        &[],
        ContractError::RunEnded {
            run_id: 1,
            status: RunStatus::Cancelled,
        },
    );
}

#[test]
fn refused_runs_move_nothing() {
    let mut w = world();
    let alice = w.s.addr("alice");
    let market = w.s.market();
    // Overflow of the escrow sum.
    let mut msg = run_msg(None);
    if let ExecuteMsg::Run(RunMsg { max_unit_price, .. }) = &mut msg {
        *max_unit_price = Uint128::MAX / Uint128::new(4);
    }
    w.refused(
        &alice,
        &msg,
        &coins(ESCROW, STABLE),
        ContractError::EscrowOverflow {
            max_unit_price: Uint128::MAX / Uint128::new(4),
        },
    );
    // Too little attached.
    w.refused(
        &alice,
        &run_msg(None),
        &coins(ESCROW - 1, STABLE),
        ContractError::InsufficientFunds {
            required: Uint128::new(ESCROW),
            paid: Uint128::new(ESCROW - 1),
            denom: STABLE.into(),
        },
    );
    // Redundancy 1 (an audit needs the buyer's secret).
    let mut msg = run_msg(None);
    if let ExecuteMsg::Run(RunMsg { redundancy, .. }) = &mut msg {
        *redundancy = 1;
    }
    w.refused(
        &alice,
        &msg,
        &coins(ESCROW, STABLE),
        ContractError::InvalidRun {
            field: "redundancy".into(),
            reason: "1, at least 2 (a redundancy-1 job is verified by its buyer's audit secret)"
                .into(),
        },
    );
    // A callback for an account that is not a contract.
    w.refused(
        &alice,
        &run_msg(Some(Callback { gas_limit: 100_000 })),
        &coins(ESCROW, STABLE),
        ContractError::CallbackReceiverNotContract {
            address: alice.to_string(),
        },
    );
    w.refused(
        &alice,
        &run_msg(Some(Callback {
            gas_limit: DEFAULT_RUN_CALLBACK_GAS + 1,
        })),
        &coins(ESCROW, STABLE),
        ContractError::InvalidCallbackGas {
            gas_limit: DEFAULT_RUN_CALLBACK_GAS + 1,
            max: DEFAULT_RUN_CALLBACK_GAS,
        },
    );
    // A step referencing a model the market deactivated since the agent was published.
    let owner = w.s.owner.clone();
    w.s.execute(
        &owner,
        &market,
        &market::ExecuteMsg::DeactivateModel {
            id: "route-v1".into(),
        },
    )
    .unwrap();
    w.refused(
        &alice,
        &run_msg(None),
        &coins(ESCROW, STABLE),
        ContractError::ModelInactive {
            step: 2,
            model_id: "route-v1".into(),
        },
    );
    // A developer fee above the registry's bound is refused at publication.
    let dev = w.s.addr("dev");
    let before = w.snapshot();
    let e =
        w.s.execute(
            &dev,
            &w.registry.clone(),
            &ExecuteMsg::Publish {
                agent: digit_router(5 * TOKEN + 1),
            },
        )
        .unwrap_err();
    assert_eq!(
        err(e),
        ContractError::FeeAboveMax {
            fee: Uint128::new(5 * TOKEN + 1),
            max: Uint128::new(5 * TOKEN)
        }
    );
    assert_eq!(w.snapshot(), before);
    // Unknown run.
    w.refused(
        &alice,
        &ExecuteMsg::Advance { run_id: 9 },
        &[],
        ContractError::RunNotFound { id: 9 },
    );
}

#[test]
fn forged_and_replayed_callbacks_are_refused() {
    let mut w = world();
    w.start("alice", ESCROW).unwrap();
    let forged = ExecuteMsg::ReceiveResult(JobResult {
        job_id: 1,
        status: JobStatus::Settled,
        output: Some(labels_output(&[9])),
    });
    // A fake "market" (anyone else) pushing a result.
    let mallory = w.s.addr("mallory");
    w.refused(
        &mallory,
        &forged,
        &[],
        ContractError::NotTheMarket {
            market: w.s.market().to_string(),
            sender: mallory.to_string(),
        },
    );
    // The market's own callback of a job the registry did not buy.
    let market = w.s.market();
    w.refused(
        &market,
        &ExecuteMsg::ReceiveResult(JobResult {
            job_id: 77,
            status: JobStatus::Settled,
            output: None,
        }),
        &[],
        ContractError::UnknownJob { job_id: 77 },
    );
    // The real result arrives; a replay of it (or of another outcome) is refused.
    w.work(1, labels_output(&[3]));
    w.refused(
        &market,
        &forged,
        &[],
        ContractError::StepAlreadyRecorded {
            run_id: 1,
            step: 0,
            job_id: 1,
        },
    );
    assert_eq!(w.run(1).steps[0].output, Some(labels_output(&[3])));
}

fn buyer_contract(w: &mut World, reenter: bool) -> Addr {
    let code = w.s.app.store_code(Box::new(ContractWrapper::new(
        buyer_execute,
        buyer_instantiate,
        buyer_query,
    )));
    let owner = w.s.owner.clone();
    w.s.app
        .instantiate_contract(code, owner, &BuyerInit { reenter }, &[], "buyer", None)
        .unwrap()
}

/// A buyer contract starts a run asking for the run's callback; the providers do every step.
fn contract_run(w: &mut World, buyer: &Addr) {
    let forward = BuyerMsg::Forward {
        contract: w.registry.to_string(),
        msg: to_json_binary(&run_msg(Some(Callback { gas_limit: 150_000 }))).unwrap(),
    };
    // Bob pays the buyer contract, which pays the registry: the contract is the run's buyer.
    let bob = w.s.addr("bob");
    w.s.app
        .execute_contract(bob, buyer.clone(), &forward, &coins(ESCROW, STABLE))
        .unwrap();
    for (step, out) in [
        labels_output(&[3]),
        labels_output(&[1]),
        labels_output(&[2]),
    ]
    .into_iter()
    .enumerate()
    {
        let job_id = w.job_of(1, step);
        w.work(job_id, out);
        w.advance("keeper", 1).unwrap();
    }
}

#[test]
fn a_buyer_contract_is_told_when_its_run_completes() {
    let mut w = world();
    let buyer = buyer_contract(&mut w, false);
    contract_run(&mut w, &buyer);
    let run = w.run(1);
    assert_eq!(run.buyer, buyer);
    assert_eq!(run.status, RunStatus::Completed);
    assert_eq!(run.callback.unwrap().status, CallbackStatus::Delivered);
    let last: Option<RunResult> = w.s.query(&buyer, &Empty {});
    assert_eq!(
        last,
        Some(RunResult {
            run_id: 1,
            status: RunStatus::Completed,
            output: Some(labels_output(&[2])),
            refunded: Uint128::new(3 * (BUDGET - PRICE)),
        })
    );
    assert_eq!(w.s.stable_balance(&buyer), 3 * (BUDGET - PRICE));
    assert_eq!(w.usdc("dev"), FEE);
}

#[test]
fn a_callback_re_entering_the_registry_fails_alone_and_the_payouts_stand() {
    let mut w = world();
    let buyer = buyer_contract(&mut w, true);
    contract_run(&mut w, &buyer);
    let run = w.run(1);
    // The buyer's callback tried to cancel the finished run: refused, so its call reverted
    // alone; the run completed, the developer and the refund were paid.
    assert_eq!(run.status, RunStatus::Completed);
    let Some(cb) = run.callback else {
        panic!("a callback")
    };
    assert!(
        matches!(cb.status, CallbackStatus::Failed { ref error } if error.contains("receive_run_result")),
        "{cb:?}"
    );
    assert_eq!(w.s.stable_balance(&buyer), 3 * (BUDGET - PRICE));
    assert_eq!(w.usdc("dev"), FEE);
    assert_eq!(w.registry_usdc(), 0);
    let last: Option<RunResult> = w.s.query(&buyer, &Empty {});
    assert_eq!(last, None);
    // The result callbacks of the market to the registry all went through.
    for step in 0..3 {
        let job = w.s.job(w.job_of(1, step));
        assert_eq!(job.callback.unwrap().status, CallbackStatus::Delivered);
    }
}

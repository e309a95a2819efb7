//! Result callbacks (`SubmitJob { callback }`): the buyer contract receives
//! `ReceiveResult { job_id, status, output }` when its job is settled, expired or resolved, and
//! a callback that fails or re-enters the market undoes nothing but itself.
//!
//! The buyer here is a small probe contract (defined below): it forwards submissions to the
//! market and, on `ReceiveResult`, records the result — or, as told, fails, or calls the market
//! again. Every attack ends with its exact error and, where it is refused, nothing moved.

use acn_interface::market::{
    self, CallbackStatus, JobCallback, JobResult, JobStatus, DEFAULT_MAX_CALLBACK_GAS,
    MAX_CALLBACK_GAS_LIMIT,
};
use acn_market::error::ContractError;
use acn_testing::*;
use cosmwasm_std::{
    coins, to_json_binary, Addr, Binary, Deps, DepsMut, Env, MessageInfo, Response, StdError,
    StdResult, Uint128, WasmMsg,
};
use cw_multi_test::{ContractWrapper, Executor};
use cw_storage_plus::Item;
use serde::{Deserialize, Serialize};

const DIGITS: &str = "digits-mlp-v1";
const SEED_ACN: u128 = 500_000 * TOKEN;
const SEED_USDC: u128 = 25_000 * TOKEN;
const USER_USDC: u128 = 100 * TOKEN;
/// 4 items × 1 unit × 1 000 uusdc × 3 slots.
const PRICE: u128 = 12_000;

// ---- the probe: a buyer contract ----------------------------------------------------------

/// What the probe does when its result arrives.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
enum Mode {
    /// Record the result.
    Record,
    /// Fail with "probe refuses the result".
    Fail,
    /// Call `Settle` on the same job (re-entering the market), then record.
    Reenter,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
enum ProbeMsg {
    /// Execute `msg` on `contract` with the funds attached to this call.
    Forward { contract: String, msg: Binary },
    /// Set the mode.
    SetMode { mode: Mode },
    /// The market's callback.
    ReceiveResult(JobResult),
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
enum ProbeQuery {
    /// Every result received, with its sender.
    Received {},
}

const MODE: Item<Mode> = Item::new("mode");
const RECEIVED: Item<Vec<(Addr, JobResult)>> = Item::new("received");

fn probe_instantiate(deps: DepsMut, _: Env, _: MessageInfo, _: Empty) -> StdResult<Response> {
    MODE.save(deps.storage, &Mode::Record)?;
    RECEIVED.save(deps.storage, &vec![])?;
    Ok(Response::new())
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, schemars::JsonSchema)]
struct Empty {}

fn probe_execute(deps: DepsMut, _: Env, info: MessageInfo, msg: ProbeMsg) -> StdResult<Response> {
    match msg {
        ProbeMsg::Forward { contract, msg } => Ok(Response::new().add_message(WasmMsg::Execute {
            contract_addr: contract,
            msg,
            funds: info.funds,
        })),
        ProbeMsg::SetMode { mode } => {
            MODE.save(deps.storage, &mode)?;
            Ok(Response::new())
        }
        ProbeMsg::ReceiveResult(result) => {
            let mode = MODE.load(deps.storage)?;
            if mode == Mode::Fail {
                return Err(StdError::generic_err("probe refuses the result"));
            }
            let job_id = result.job_id;
            let mut received = RECEIVED.load(deps.storage)?;
            received.push((info.sender.clone(), result));
            RECEIVED.save(deps.storage, &received)?;
            let mut res = Response::new().add_attribute("probe_received", job_id.to_string());
            if mode == Mode::Reenter {
                res = res.add_message(WasmMsg::Execute {
                    contract_addr: info.sender.to_string(),
                    msg: to_json_binary(&market::ExecuteMsg::Settle { job_id })?,
                    funds: vec![],
                });
            }
            Ok(res)
        }
    }
}

fn probe_query(deps: Deps, _: Env, msg: ProbeQuery) -> StdResult<Binary> {
    match msg {
        ProbeQuery::Received {} => to_json_binary(&RECEIVED.load(deps.storage)?),
    }
}

// ---- suite ----------------------------------------------------------------------------------

struct World {
    s: Suite,
    probe: Addr,
}

fn world() -> World {
    let mut s = SuiteBuilder::new()
        .with_owner_funds(10_000_000 * TOKEN)
        .with_market_params(|m| {
            m.models = vec![digits_model()];
            m.params.pricing.window = 86_400;
        })
        .with_funds("user", 1_000 * TOKEN)
        .with_stable("user", USER_USDC)
        .with_stable_pool(SEED_ACN, SEED_USDC, |_| {})
        .build();
    for p in ["p1", "p2", "p3"] {
        s.make_provider(p, PROVIDER_STAKE, &[DIGITS]).unwrap();
    }
    s.advance_time(1_800);
    let code = s.app.store_code(Box::new(ContractWrapper::new(
        probe_execute,
        probe_instantiate,
        probe_query,
    )));
    let owner = s.owner.clone();
    let probe = s
        .app
        .instantiate_contract(code, owner, &Empty {}, &[], "probe", None)
        .unwrap();
    World { s, probe }
}

fn err(e: anyhow::Error) -> ContractError {
    e.downcast().expect("a market error")
}

fn submit_msg(s: &Suite, callback: Option<market::Callback>) -> market::ExecuteMsg {
    market::ExecuteMsg::SubmitJob {
        model_id: DIGITS.into(),
        input: digits_input(4),
        batch: 4,
        redundancy: 3,
        max_unit_price: Uint128::MAX,
        deadline: s.default_deadline(),
        audit_commitment: None,
        callback,
    }
}

fn gas(gas_limit: u64) -> Option<market::Callback> {
    Some(market::Callback { gas_limit })
}

impl World {
    /// The user has the probe submit a stable-paid 4-item, 3-slot digits job; returns its id.
    fn probe_submits(&mut self, callback: Option<market::Callback>) -> anyhow::Result<u64> {
        let (user, market) = (self.s.addr("user"), self.s.market());
        let msg = ProbeMsg::Forward {
            contract: market.to_string(),
            msg: to_json_binary(&submit_msg(&self.s, callback))?,
        };
        let res =
            self.s
                .app
                .execute_contract(user, self.probe.clone(), &msg, &coins(PRICE, STABLE))?;
        job_id_from(&res)
    }

    fn set_mode(&mut self, mode: Mode) {
        let owner = self.s.owner.clone();
        self.s
            .app
            .execute_contract(owner, self.probe.clone(), &ProbeMsg::SetMode { mode }, &[])
            .unwrap();
    }

    fn received(&self) -> Vec<(Addr, JobResult)> {
        self.s.query(&self.probe, &ProbeQuery::Received {})
    }

    /// Every assigned provider commits and reveals `outputs[i]` (in slot order); the last
    /// reveal settles. Returns the last reveal's events.
    fn run(&mut self, id: u64, outputs: &[Binary]) -> cw_multi_test::AppResponse {
        let names = self.s.assigned_names(id, &["p1", "p2", "p3"]);
        for (i, name) in names.iter().enumerate() {
            self.s
                .commit_result(name, id, &outputs[i], &salt(i as u8 + 1))
                .unwrap();
        }
        let mut last = None;
        for (i, name) in names.iter().enumerate() {
            last = Some(
                self.s
                    .reveal_result(name, id, &outputs[i], &salt(i as u8 + 1))
                    .unwrap(),
            );
        }
        last.expect("three slots")
    }
}

fn agreed() -> Vec<Binary> {
    vec![labels_output(&[0, 1, 2, 3]); 3]
}

fn attr(res: &cw_multi_test::AppResponse, key: &str) -> Option<String> {
    res.events
        .iter()
        .flat_map(|e| e.attributes.iter())
        .find(|a| a.key == key)
        .map(|a| a.value.clone())
}

// ---- delivery ---------------------------------------------------------------------------------

#[test]
fn a_contract_buyer_receives_the_result_of_its_settled_job_once() {
    let mut w = world();
    let id = w.probe_submits(gas(200_000)).unwrap();
    let job = w.s.job(id);
    assert_eq!(job.buyer, w.probe, "the probe is the buyer");
    assert_eq!(
        job.callback,
        Some(JobCallback {
            gas_limit: 200_000,
            status: CallbackStatus::Pending
        })
    );
    assert!(w.received().is_empty(), "nothing before the outcome");

    let res = w.run(id, &agreed());
    assert_eq!(attr(&res, "probe_received"), Some(id.to_string()));
    let market = w.s.market();
    assert_eq!(
        w.received(),
        vec![(
            market.clone(),
            JobResult {
                job_id: id,
                status: JobStatus::Settled,
                output: Some(labels_output(&[0, 1, 2, 3])),
            }
        )]
    );
    let job = w.s.job(id);
    assert_eq!(job.status, JobStatus::Settled);
    assert_eq!(job.callback.unwrap().status, CallbackStatus::Delivered);
    assert_eq!(w.s.market_totals().callback_failures, 0);
    // The job is final: a later Settle is refused and delivers nothing again.
    let e = w.s.settle("user", id).unwrap_err();
    assert_eq!(
        err(e),
        ContractError::JobFinal {
            id,
            status: JobStatus::Settled
        }
    );
    assert_eq!(w.received().len(), 1);
}

#[test]
fn a_job_paid_in_acn_delivers_its_result_to_the_contract_that_sent_the_tokens() {
    let mut w = world();
    let (user, market, token) = (w.s.addr("user"), w.s.market(), w.s.token.clone());
    w.s.transfer_from(&user, &w.probe.clone(), 300_000).unwrap();
    let hook = market::ReceiveMsg::SubmitJob {
        model_id: DIGITS.into(),
        input: digits_input(4),
        batch: 4,
        redundancy: 3,
        max_unit_price: Uint128::MAX,
        deadline: w.s.default_deadline(),
        audit_commitment: None,
        callback: gas(150_000),
    };
    let send = acn_interface::token::ExecuteMsg::Send {
        contract: market.to_string(),
        amount: Uint128::new(300_000),
        msg: to_json_binary(&hook).unwrap(),
    };
    let res =
        w.s.app
            .execute_contract(
                user,
                w.probe.clone(),
                &ProbeMsg::Forward {
                    contract: token.to_string(),
                    msg: to_json_binary(&send).unwrap(),
                },
                &[],
            )
            .unwrap();
    let id = job_id_from(&res).unwrap();
    assert_eq!(w.s.job(id).buyer, w.probe);
    // 0.24 ACN at the TWAP; the excess came back to the probe.
    assert_eq!(w.s.balance(w.probe.as_str()), 300_000 - 240_000);
    w.run(id, &agreed());
    assert_eq!(w.received()[0].1.status, JobStatus::Settled);
    assert_eq!(w.received()[0].0, market);
}

#[test]
fn an_expired_job_delivers_expired_without_output_and_its_refund_reaches_the_buyer() {
    let mut w = world();
    let id = w.probe_submits(gas(200_000)).unwrap();
    assert_eq!(w.s.stable_balance(&w.probe), 0);
    w.s.advance_time(3_600);
    w.s.expire("user", id).unwrap();
    assert_eq!(
        w.received(),
        vec![(
            w.s.market(),
            JobResult {
                job_id: id,
                status: JobStatus::Expired,
                output: None,
            }
        )]
    );
    assert_eq!(w.s.stable_balance(&w.probe), PRICE, "refunded in full");
    assert_eq!(
        w.s.job(id).callback.unwrap().status,
        CallbackStatus::Delivered
    );
}

#[test]
fn a_disputed_job_waits_and_its_resolution_delivers_the_accepted_output() {
    let mut w = world();
    let id = w.probe_submits(gas(200_000)).unwrap();
    let outputs = vec![
        labels_output(&[0, 0, 0, 0]),
        labels_output(&[1, 1, 1, 1]),
        labels_output(&[2, 2, 2, 2]),
    ];
    w.run(id, &outputs);
    let job = w.s.job(id);
    assert_eq!(job.status, JobStatus::Disputed);
    assert_eq!(job.callback.unwrap().status, CallbackStatus::Pending);
    assert!(w.received().is_empty(), "a dispute is not an outcome");

    let accepted = job.slots[1].clone();
    let (owner, market) = (w.s.owner.clone(), w.s.market());
    w.s.execute(
        &owner,
        &market,
        &market::ExecuteMsg::ResolveDispute {
            job_id: id,
            resolution: market::DisputeResolution::AcceptOutputOf {
                provider: accepted.provider.to_string(),
            },
        },
    )
    .unwrap();
    assert_eq!(
        w.received(),
        vec![(
            market,
            JobResult {
                job_id: id,
                status: JobStatus::Resolved,
                output: accepted.output,
            }
        )]
    );
}

#[test]
fn a_dispute_closed_after_its_timeout_delivers_resolved_without_output() {
    let mut w = world();
    let id = w.probe_submits(gas(200_000)).unwrap();
    let outputs = vec![
        labels_output(&[0, 0, 0, 0]),
        labels_output(&[1, 1, 1, 1]),
        labels_output(&[2, 2, 2, 2]),
    ];
    w.run(id, &outputs);
    w.s.advance_time(7 * DAY);
    let (user, market) = (w.s.addr("user"), w.s.market());
    w.s.execute(
        &user,
        &market,
        &market::ExecuteMsg::CloseDispute { job_id: id },
    )
    .unwrap();
    assert_eq!(
        w.received(),
        vec![(
            market,
            JobResult {
                job_id: id,
                status: JobStatus::Resolved,
                output: None,
            }
        )]
    );
}

// ---- attacks ----------------------------------------------------------------------------------

#[test]
fn a_callback_that_always_fails_leaves_the_settlement_payouts_and_fee_standing() {
    let mut w = world();
    // The same job twice, once with a receiver that records and once with one that fails: the
    // money moves identically.
    let id_ok = w.probe_submits(gas(200_000)).unwrap();
    w.run(id_ok, &agreed());
    let ok = w.s.job(id_ok);

    w.set_mode(Mode::Fail);
    let id = w.probe_submits(gas(200_000)).unwrap();
    let vault = w.s.buyback.clone().unwrap();
    let vault_before = w.s.stable_balance(&vault);
    let paid_before: Vec<u128> = ok
        .slots
        .iter()
        .map(|sl| w.s.stable_balance(&sl.provider))
        .collect();
    let res = w.run(id, &agreed());
    // The embedded chain reports the failed call (wasmd redacts it to its error code).
    let reported = attr(&res, "callback_error").expect("the failure is reported");
    assert!(
        reported.starts_with("Error executing WasmMsg")
            && reported.contains(&format!("\"receive_result\":{{\"job_id\":{id}")),
        "{reported}"
    );
    assert_eq!(attr(&res, "callback_failures").as_deref(), Some("1"));
    let job = w.s.job(id);
    assert_eq!(job.status, JobStatus::Settled, "the settlement stands");
    assert_eq!(job.result, Some(labels_output(&[0, 1, 2, 3])));
    let CallbackStatus::Failed { error } = job.callback.clone().unwrap().status else {
        panic!("not recorded as failed: {:?}", job.callback);
    };
    assert_eq!(error, reported, "the job keeps what the event reported");
    assert!(error.len() <= market::MAX_CALLBACK_ERROR_LEN);
    // Payouts and fee exactly as for the job whose callback succeeded.
    assert_eq!(job.fee, ok.fee);
    assert_eq!(w.s.stable_balance(&vault) - vault_before, job.fee.u128());
    for slot in &job.slots {
        let i = ok
            .slots
            .iter()
            .position(|o| o.provider == slot.provider)
            .unwrap();
        assert_eq!(slot.paid, ok.slots[i].paid);
        assert_eq!(
            w.s.stable_balance(&slot.provider) - paid_before[i],
            slot.paid.u128()
        );
    }
    for p in ["p1", "p2", "p3"] {
        assert_eq!(
            w.s.provider(p).locked,
            Uint128::zero(),
            "stake at risk released"
        );
    }
    assert_eq!(
        w.s.stable_balance(&w.s.market()),
        0,
        "nothing locked in the market"
    );
    assert_eq!(w.s.market_totals().stable.escrow, Uint128::zero());
    assert_eq!(w.s.market_totals().callback_failures, 1);
    // The failing receiver's own writes were reverted: only the first job is recorded.
    assert_eq!(w.received().len(), 1);
    assert_eq!(w.received()[0].1.job_id, id_ok);
}

#[test]
fn a_failing_callback_on_an_expiry_still_refunds_the_buyer() {
    let mut w = world();
    w.set_mode(Mode::Fail);
    let id = w.probe_submits(gas(200_000)).unwrap();
    w.s.advance_time(3_600);
    let res = w.s.expire("user", id).unwrap();
    assert!(attr(&res, "callback_error").is_some());
    assert_eq!(w.s.job(id).status, JobStatus::Expired);
    assert_eq!(w.s.stable_balance(&w.probe), PRICE, "the refund stands");
    assert_eq!(w.s.stable_balance(&w.s.market()), 0);
}

#[test]
fn a_callback_reentering_the_market_fails_alone_and_nothing_is_paid_twice() {
    let mut w = world();
    w.set_mode(Mode::Reenter);
    let id = w.probe_submits(gas(200_000)).unwrap();
    let res = w.run(id, &agreed());
    // The probe's `Settle` of its own job finds it final (as any `Settle` now does): the
    // callback (and the probe's record) is reverted, the settlement is not.
    assert!(
        attr(&res, "callback_error").is_some(),
        "the re-entry failed"
    );
    assert_eq!(
        err(w.s.settle("user", id).unwrap_err()),
        ContractError::JobFinal {
            id,
            status: JobStatus::Settled
        }
    );
    let job = w.s.job(id);
    assert!(matches!(
        job.callback.as_ref().unwrap().status,
        CallbackStatus::Failed { .. }
    ));
    assert_eq!(job.status, JobStatus::Settled);
    let paid: u128 = job.slots.iter().map(|s| s.paid.u128()).sum();
    assert_eq!(
        paid + job.fee.u128(),
        PRICE,
        "paid once, exactly the escrow"
    );
    let providers: u128 = job
        .slots
        .iter()
        .map(|s| w.s.stable_balance(&s.provider))
        .sum();
    assert_eq!(providers, paid);
    assert!(w.received().is_empty());
    assert_eq!(w.s.market_totals().callback_failures, 1);
}

#[test]
fn a_callback_asked_by_an_address_that_is_not_a_contract_is_refused_and_nothing_moves() {
    let mut w = world();
    let (user, market) = (w.s.addr("user"), w.s.market());
    let actors = ["user", "p1", "p2", "p3"];
    let before = w.s.market_snapshot(&actors);
    // Stable: the sender is the buyer.
    let e =
        w.s.app
            .execute_contract(
                user.clone(),
                market.clone(),
                &submit_msg(&w.s, gas(100_000)),
                &coins(PRICE, STABLE),
            )
            .unwrap_err();
    assert_eq!(
        err(e),
        ContractError::CallbackReceiverNotContract {
            address: user.to_string()
        }
    );
    // ACN: the token's sender is the buyer, not the token contract that calls the market.
    let hook = market::ReceiveMsg::SubmitJob {
        model_id: DIGITS.into(),
        input: digits_input(4),
        batch: 4,
        redundancy: 3,
        max_unit_price: Uint128::MAX,
        deadline: w.s.default_deadline(),
        audit_commitment: None,
        callback: gas(100_000),
    };
    let e = w.s.send_tokens(&user, &market, 300_000, &hook).unwrap_err();
    assert_eq!(
        err(e),
        ContractError::CallbackReceiverNotContract {
            address: user.to_string()
        }
    );
    assert_eq!(w.s.market_snapshot(&actors), before);
}

#[test]
fn the_receiver_is_always_the_buyer_so_no_result_can_be_pointed_at_another_contract() {
    let mut w = world();
    // A second probe, which bought nothing.
    let owner = w.s.owner.clone();
    let other_code = w.s.app.store_code(Box::new(ContractWrapper::new(
        probe_execute,
        probe_instantiate,
        probe_query,
    )));
    let other =
        w.s.app
            .instantiate_contract(other_code, owner, &Empty {}, &[], "other", None)
            .unwrap();
    // The request has no receiver field: one smuggled into the JSON is ignored, and the
    // result goes to the buyer.
    let (user, market) = (w.s.addr("user"), w.s.market());
    let mut json = serde_json::to_value(submit_msg(&w.s, gas(100_000))).unwrap();
    json["submit_job"]["callback"]["contract"] = serde_json::json!(other.to_string());
    let res =
        w.s.app
            .execute_contract(
                user.clone(),
                w.probe.clone(),
                &ProbeMsg::Forward {
                    contract: market.to_string(),
                    msg: to_json_binary(&json).unwrap(),
                },
                &coins(PRICE, STABLE),
            )
            .unwrap();
    let id = job_id_from(&res).unwrap();
    w.run(id, &agreed());
    assert_eq!(w.received().len(), 1);
    assert_eq!(w.received()[0].1.job_id, id);
    let theirs: Vec<(Addr, JobResult)> = w.s.query(&other, &ProbeQuery::Received {});
    assert!(
        theirs.is_empty(),
        "a contract that did not buy gets nothing"
    );
    // And a user cannot buy for a contract: the paying sender is the buyer, and must be a
    // contract to ask for a callback (see the test above).
    let e =
        w.s.app
            .execute_contract(user.clone(), market, &json, &coins(PRICE, STABLE))
            .unwrap_err();
    assert_eq!(
        err(e),
        ContractError::CallbackReceiverNotContract {
            address: user.to_string()
        }
    );
}

#[test]
fn a_callback_gas_limit_of_zero_or_above_the_governed_bound_is_refused_and_nothing_moves() {
    let mut w = world();
    let actors = ["user", "p1", "p2", "p3"];
    let before = w.s.market_snapshot(&actors);
    for gas_limit in [0, DEFAULT_MAX_CALLBACK_GAS + 1] {
        let e = w.probe_submits(gas(gas_limit)).unwrap_err();
        assert_eq!(
            err(e),
            ContractError::InvalidCallbackGas {
                gas_limit,
                max: DEFAULT_MAX_CALLBACK_GAS
            }
        );
    }
    assert_eq!(w.s.market_snapshot(&actors), before);
    // The bound itself is governed, under a ceiling.
    let (owner, market) = (w.s.owner.clone(), w.s.market());
    let cfg: market::ConfigResponse = w.s.query(&market, &market::QueryMsg::Config {});
    let mut params = cfg.params.clone();
    params.max_callback_gas = MAX_CALLBACK_GAS_LIMIT + 1;
    let e =
        w.s.execute(
            &owner,
            &market,
            &market::ExecuteMsg::UpdateParams {
                params: params.clone(),
            },
        )
        .unwrap_err();
    assert_eq!(
        err(e),
        ContractError::InvalidParams {
            reason: format!(
                "max callback gas {} exceeds the limit {MAX_CALLBACK_GAS_LIMIT}",
                MAX_CALLBACK_GAS_LIMIT + 1
            )
        }
    );
    // Zero turns callbacks off (jobs without one are unaffected).
    params.max_callback_gas = 0;
    w.s.execute(
        &owner,
        &market,
        &market::ExecuteMsg::UpdateParams { params },
    )
    .unwrap();
    let e = w.probe_submits(gas(1)).unwrap_err();
    assert_eq!(err(e), ContractError::CallbacksDisabled {});
    w.probe_submits(None).unwrap();
}

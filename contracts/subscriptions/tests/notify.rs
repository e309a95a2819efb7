//! Forwarding each run's result to a subscriber contract (`notify`): delivered as
//! `SubscriptionResult { id, run, result }`; a receiver that fails is counted and undoes
//! nothing of the run's accounting.

mod common;

use acn_interface::market::{JobResult, JobStatus};
use acn_interface::subscriptions::{ExecuteMsg, SubscriptionCallbackMsg};
use common::*;
use cosmwasm_std::{
    to_json_binary, Addr, Binary, Deps, DepsMut, Env, MessageInfo, Response, StdError, StdResult,
};
use cw_multi_test::{ContractWrapper, Executor};
use cw_storage_plus::Item;

const FAIL: Item<bool> = Item::new("fail");
const GOT: Item<Vec<(Addr, u64, u64, JobResult)>> = Item::new("got");

#[derive(serde::Serialize, serde::Deserialize, Clone, Debug, PartialEq, schemars::JsonSchema)]
struct Init {
    fail: bool,
}

#[derive(serde::Serialize, serde::Deserialize, Clone, Debug, PartialEq, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
enum Q {
    Got {},
}

fn init(deps: DepsMut, _: Env, _: MessageInfo, msg: Init) -> StdResult<Response> {
    FAIL.save(deps.storage, &msg.fail)?;
    GOT.save(deps.storage, &vec![])?;
    Ok(Response::new())
}

fn exec(
    deps: DepsMut,
    _: Env,
    info: MessageInfo,
    msg: SubscriptionCallbackMsg,
) -> StdResult<Response> {
    if FAIL.load(deps.storage)? {
        return Err(StdError::generic_err("the subscriber refuses"));
    }
    let SubscriptionCallbackMsg::SubscriptionResult { id, run, result } = msg else {
        return Err(StdError::generic_err(
            "a job subscription's result expected",
        ));
    };
    let mut got = GOT.load(deps.storage)?;
    got.push((info.sender, id, run, result));
    GOT.save(deps.storage, &got)?;
    Ok(Response::new())
}

fn query(deps: Deps, _: Env, _: Q) -> StdResult<Binary> {
    to_json_binary(&GOT.load(deps.storage)?)
}

fn subscriber(w: &mut World, fail: bool) -> Addr {
    let code =
        w.s.app
            .store_code(Box::new(ContractWrapper::new(exec, init, query)));
    let owner = w.s.owner.clone();
    w.s.app
        .instantiate_contract(code, owner, &Init { fail }, &[], "subscriber", None)
        .unwrap()
}

fn create_notifying(w: &mut World, notify: &Addr) -> u64 {
    let res = w
        .exec(
            "alice",
            &ExecuteMsg::Create {
                target: target(),
                settings: settings(),
                notify: Some(notify.to_string()),
            },
            2 * RUN,
        )
        .unwrap();
    attr(&res, "subscription_id").unwrap().parse().unwrap()
}

#[test]
fn each_result_is_forwarded_to_the_subscriber_contract() {
    let mut w = world();
    let sub = subscriber(&mut w, false);
    let id = create_notifying(&mut w, &sub);
    w.trigger("keeper", id).unwrap();
    let job_id = w.job_in_flight(id);
    w.settle_with(job_id, 6);
    let got: Vec<(Addr, u64, u64, JobResult)> = w.s.query(&sub, &Q::Got {});
    assert_eq!(
        got,
        vec![(
            w.subs.clone(),
            id,
            1,
            JobResult {
                job_id,
                status: JobStatus::Settled,
                output: Some(acn_testing::labels_output(&[6])),
            }
        )]
    );
    assert_eq!(w.sub(id).notify_failures, 0);
}

#[test]
fn a_failing_subscriber_is_counted_and_the_run_stands() {
    let mut w = world();
    let sub = subscriber(&mut w, true);
    let id = create_notifying(&mut w, &sub);
    let started = w.s.block().time;
    w.trigger("keeper", id).unwrap();
    let job_id = w.job_in_flight(id);
    let res = w.settle_with(job_id, 2);
    assert!(
        attr(&res, "notify_error")
            .unwrap()
            .contains("the subscriber refuses"),
        "{res:?}"
    );
    let s = w.sub(id);
    assert_eq!(s.notify_failures, 1);
    assert_eq!(s.in_flight, None);
    assert_eq!(s.next_due, Some(started.plus_seconds(INTERVAL)));
    assert_eq!(s.balance.u128(), RUN);
    assert_eq!(w.runs(id)[0].status, Some(JobStatus::Settled));
    assert_eq!(
        w.s.job(job_id).callback.unwrap().status,
        acn_interface::market::CallbackStatus::Delivered,
        "the market's callback to the subscriptions contract succeeded"
    );
}

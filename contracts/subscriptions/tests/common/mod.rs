//! The subscriptions contract on the embedded chain, deployed with the whole system by the one
//! deployment routine (a stable-priced market with the digits model and three providers).

#![allow(dead_code)]

use acn_interface::subscriptions::{
    DueResponse, ExecuteMsg, Params, QueryMsg, RunRecord, RunSettings, RunsResponse,
    SubscriptionResponse, Target, TotalsResponse,
};
use acn_subscriptions::contract;
use acn_subscriptions::ContractError;
use acn_testing::*;
use cosmwasm_std::{
    coins, Addr, Deps, DepsMut, Env, MessageInfo, Response, StdError, StdResult, Uint128,
};
use cw_multi_test::{AppResponse, ContractWrapper, Executor};
use cw_storage_plus::Item;

pub use acn_testing::{Suite, STABLE, TOKEN};

pub const DIGITS: &str = "digits-mlp-v1";
pub const USER_USDC: u128 = 100 * TOKEN;
/// 1 item × 1 unit × 1 000 uusdc × 3 slots.
pub const PRICE: u128 = 3_000;
/// The keeper reward the tests govern.
pub const REWARD: u128 = 500;
/// One run plus the reward.
pub const RUN: u128 = PRICE + REWARD;
pub const INTERVAL: u64 = 600;
pub const LIFETIME: u64 = 3_600;

pub struct World {
    pub s: Suite,
    pub subs: Addr,
}

pub fn world() -> World {
    let mut s = SuiteBuilder::new()
        .with_owner_funds(10_000_000 * TOKEN)
        .with_market_params(|m| {
            m.models = vec![digits_model()];
            m.params.pricing.window = 86_400;
        })
        .with_stable("alice", USER_USDC)
        .with_stable("bob", USER_USDC)
        .with_stable_pool(500_000 * TOKEN, 25_000 * TOKEN, |_| {})
        .with_subscriptions(Params {
            keeper_reward: Uint128::new(REWARD),
            min_interval: 60,
        })
        .build();
    for p in ["p1", "p2", "p3"] {
        s.make_provider(p, PROVIDER_STAKE, &[DIGITS]).unwrap();
    }
    s.advance_time(1_800);
    let subs = s.subscriptions.clone().expect("deployed by the routine");
    World { s, subs }
}

pub fn err(e: anyhow::Error) -> ContractError {
    e.downcast().expect("a subscriptions error")
}

pub fn attr(res: &AppResponse, key: &str) -> Option<String> {
    res.events
        .iter()
        .flat_map(|e| e.attributes.iter())
        .find(|a| a.key == key)
        .map(|a| a.value.clone())
}

/// One digit, three slots, any unit price.
pub fn target() -> Target {
    Target::Job {
        model_id: DIGITS.into(),
        input: digits_input(1),
        batch: 1,
        redundancy: 3,
        max_unit_price: Uint128::MAX,
    }
}

pub fn settings() -> RunSettings {
    RunSettings {
        interval: INTERVAL,
        job_lifetime: LIFETIME,
        callback_gas: 250_000,
    }
}

/// Everything a refused message must leave as it was.
#[derive(Debug, PartialEq)]
pub struct Snapshot {
    pub subs_usdc: u128,
    pub market_usdc: u128,
    pub users: Vec<u128>,
    pub subscriptions: Vec<SubscriptionResponse>,
    pub totals: TotalsResponse,
    pub due: DueResponse,
}

impl World {
    pub fn exec(&mut self, who: &str, msg: &ExecuteMsg, pay: u128) -> anyhow::Result<AppResponse> {
        let sender = self.s.addr(who);
        let funds = if pay == 0 { vec![] } else { coins(pay, STABLE) };
        self.s
            .app
            .execute_contract(sender, self.subs.clone(), msg, &funds)
    }

    /// `who` creates the standard subscription with `pay` attached; its id.
    pub fn create(&mut self, who: &str, pay: u128) -> anyhow::Result<u64> {
        let res = self.exec(
            who,
            &ExecuteMsg::Create {
                target: target(),
                settings: settings(),
                notify: None,
            },
            pay,
        )?;
        Ok(attr(&res, "subscription_id").unwrap().parse()?)
    }

    pub fn trigger(&mut self, who: &str, id: u64) -> anyhow::Result<AppResponse> {
        self.exec(who, &ExecuteMsg::Trigger { id }, 0)
    }

    pub fn sub(&self, id: u64) -> SubscriptionResponse {
        self.s.query(&self.subs, &QueryMsg::Subscription { id })
    }

    pub fn runs(&self, id: u64) -> Vec<RunRecord> {
        let r: RunsResponse = self.s.query(
            &self.subs,
            &QueryMsg::Runs {
                id,
                start_after: None,
                limit: None,
            },
        );
        r.runs
    }

    pub fn due(&self) -> Vec<u64> {
        let r: DueResponse = self.s.query(&self.subs, &QueryMsg::Due { limit: None });
        r.due.into_iter().map(|d| d.id).collect()
    }

    pub fn totals(&self) -> TotalsResponse {
        self.s.query(&self.subs, &QueryMsg::Totals {})
    }

    pub fn usdc(&self, who: &str) -> u128 {
        let a = self.s.addr(who);
        self.s.stable_balance(&a)
    }

    pub fn subs_usdc(&self) -> u128 {
        self.s.stable_balance(&self.subs)
    }

    /// The job of the subscription's run in flight.
    pub fn job_in_flight(&self, id: u64) -> u64 {
        self.sub(id)
            .in_flight
            .expect("a run in flight")
            .job_id
            .expect("a job")
    }

    /// Every assigned provider commits and reveals `label`; the last reveal settles and
    /// delivers the result.
    pub fn settle_with(&mut self, job_id: u64, label: u32) -> AppResponse {
        let out = labels_output(&[label]);
        let names = self.s.assigned_names(job_id, &["p1", "p2", "p3"]);
        for (i, n) in names.iter().enumerate() {
            self.s
                .commit_result(n, job_id, &out, &salt(i as u8 + 1))
                .unwrap();
        }
        let mut last = None;
        for (i, n) in names.iter().enumerate() {
            last = Some(
                self.s
                    .reveal_result(n, job_id, &out, &salt(i as u8 + 1))
                    .unwrap(),
            );
        }
        last.unwrap()
    }

    pub fn snapshot(&self) -> Snapshot {
        let market = self.s.market();
        let subscriptions: acn_interface::subscriptions::SubscriptionsResponse = self.s.query(
            &self.subs,
            &QueryMsg::Subscriptions {
                owner: None,
                start_after: None,
                limit: None,
            },
        );
        Snapshot {
            subs_usdc: self.subs_usdc(),
            market_usdc: self.s.stable_balance(&market),
            users: ["alice", "bob", "keeper"]
                .iter()
                .map(|u| self.usdc(u))
                .collect(),
            subscriptions: subscriptions.subscriptions,
            totals: self.totals(),
            due: self.s.query(&self.subs, &QueryMsg::Due { limit: None }),
        }
    }
}

/// Set by the wrapper's migrate: fail every `ReceiveResult`.
const FAIL_RESULTS: Item<bool> = Item::new("test_fail_results");

fn failing_execute(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    msg: ExecuteMsg,
) -> Result<Response, ContractError> {
    if matches!(
        msg,
        ExecuteMsg::ReceiveResult(_) | ExecuteMsg::ReceiveRunResult(_)
    ) && FAIL_RESULTS.may_load(deps.storage)?.unwrap_or(false)
    {
        return Err(StdError::generic_err("out of gas in the result callback (simulated)").into());
    }
    contract::execute(deps, env, info, msg)
}

fn set_failing(deps: DepsMut, _env: Env, fail: bool) -> Result<Response, ContractError> {
    FAIL_RESULTS.save(deps.storage, &fail)?;
    Ok(Response::new())
}

fn query(
    deps: Deps,
    env: Env,
    msg: acn_interface::subscriptions::QueryMsg,
) -> StdResult<cosmwasm_std::Binary> {
    contract::query(deps, env, msg)
}

/// Make the deployed contract's result callbacks (`ReceiveResult`, `ReceiveRunResult`) fail,
/// keeping its state: what a callback out of its gas does on a node (the embedded chain does
/// not meter gas). The real code runs for every other message.
pub fn callbacks_fail(s: &mut Suite, subs: &Addr) {
    let code = s.app.store_code(Box::new(
        ContractWrapper::new(failing_execute, contract::instantiate, query)
            .with_reply(contract::reply)
            .with_migrate(set_failing),
    ));
    let admin = s
        .app
        .wrap()
        .query_wasm_contract_info(subs.clone())
        .unwrap()
        .admin
        .expect("the routine sets an admin");
    s.app
        .migrate_contract(admin, subs.clone(), &true, code)
        .unwrap();
}

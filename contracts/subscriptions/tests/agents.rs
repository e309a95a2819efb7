//! Subscriptions to agent runs, on the embedded chain with the whole system deployed by the one
//! deployment routine (a stable-priced market, the agent registry, subscriptions wired to it):
//! runs repeated with each run's escrow and refund exact, a cancel with a run in flight, a
//! balance drained mid-way, a forged run result, and a version pinned at creation. Each step
//! is worked by three providers signing commit and reveal like any market job, and moved on by
//! the registry's `Advance`.

mod common;

use acn_interface::agents::{
    self, Adapter, AgentParams, AgentSpec, RunResponse, RunResult, RunStatus, Step,
    DEFAULT_RUN_CALLBACK_GAS,
};
use acn_interface::market::{DType, InputSpec, JobStatus, ModelSpec, OutputSpec};
use acn_interface::subscriptions::{
    AgentRunInFlight, AgentRunsInFlightResponse, ConfigResponse, ExecuteMsg, Params, QueryMsg,
    RunSettings, SubscriptionResponse, SubscriptionStatus, Target, TotalsResponse,
};
use acn_subscriptions::ContractError;
use acn_testing::*;
use cosmwasm_std::{coins, Addr, Binary, Uint128};
use cw_multi_test::{AppResponse, Executor};

use common::{attr, callbacks_fail, err};

const ROUTE: &str = "route-v1";
const AGENT: &str = "digit-route";
const PROVIDERS: [&str; 3] = ["p1", "p2", "p3"];
const USDC: u128 = 100 * TOKEN;
/// The developer's fee per completed run.
const FEE: u128 = 1_000;
/// The most a step pays per unit: twice the market's 1 000 uusdc.
const MAX_UNIT_PRICE: u128 = 2_000;
/// Each step's budget: 1 item × 1 unit × 3 slots × 2 000.
const BUDGET: u128 = 6_000;
/// Each step's price: 1 item × 1 unit × 3 slots × 1 000.
const PRICE: u128 = 3_000;
/// Version 1: two steps and the fee.
const ESCROW: u128 = 2 * BUDGET + FEE;
/// A completed run's refund: the budgets minus the prices.
const COMPLETED_REFUND: u128 = 2 * (BUDGET - PRICE);
/// The keeper reward the tests govern.
const REWARD: u128 = 500;
/// What a run needs in the balance.
const RUN: u128 = ESCROW + REWARD;
/// What a completed run costs the subscription in the end.
const RUN_SPENT: u128 = ESCROW - COMPLETED_REFUND + REWARD;
const INTERVAL: u64 = 600;

fn route_model() -> ModelSpec {
    ModelSpec {
        id: ROUTE.into(),
        name: ROUTE.into(),
        architecture: "test".into(),
        weights_sha256: "ab".repeat(32),
        weights_uri: format!("file://{ROUTE}"),
        input: InputSpec {
            shape: vec![1],
            dtype: DType::I32,
            max_batch: 8,
        },
        output: OutputSpec::ClassLabels {
            num_classes: 3,
            labels: vec![],
        },
        tolerance: 0,
        cost_units_per_item: 1,
        min_redundancy: 1,
    }
}

/// Version 1: a digit's label routed by an i32 model; version 2 (`one_step`): the digits model
/// alone, at another fee.
fn agent_spec(one_step: bool, fee: u128) -> AgentSpec {
    let mut steps = vec![Step {
        model_id: "digits-mlp-v1".into(),
        adapter: None,
    }];
    if !one_step {
        steps.push(Step {
            model_id: ROUTE.into(),
            adapter: Some(Adapter::Direct {}),
        });
    }
    AgentSpec {
        id: AGENT.into(),
        name: "Digit route".into(),
        description: "reads a digit and routes it".into(),
        steps,
        fee: Uint128::new(fee),
    }
}

fn target(version: Option<u32>) -> Target {
    Target::Agent {
        agent_id: AGENT.into(),
        version,
        input: digits_input(1),
        batch: 1,
        redundancy: 3,
        max_unit_price: Uint128::new(MAX_UNIT_PRICE),
        step_lifetime: 3_600,
    }
}

fn settings() -> RunSettings {
    RunSettings {
        interval: INTERVAL,
        job_lifetime: 3_600,
        callback_gas: 250_000,
    }
}

struct World {
    s: Suite,
    subs: Addr,
    registry: Addr,
}

/// Everything a refused message must leave as it was.
#[derive(Debug, PartialEq)]
struct Snapshot {
    balances: Vec<u128>,
    subscriptions: Vec<SubscriptionResponse>,
    totals: TotalsResponse,
    runs: agents::RunsResponse,
}

fn world() -> World {
    let mut s = SuiteBuilder::new()
        .with_owner_funds(10_000_000 * TOKEN)
        .with_market_params(|m| {
            m.models = vec![digits_model(), route_model()];
            m.params.pricing.window = 86_400;
        })
        .with_stable("alice", USDC)
        .with_stable("bob", USDC)
        .with_stable_pool(500_000 * TOKEN, 25_000 * TOKEN, |_| {})
        .with_agents(AgentParams {
            max_steps: 4,
            max_run_fee: Uint128::new(5 * TOKEN),
            max_callback_gas: DEFAULT_RUN_CALLBACK_GAS,
        })
        .with_subscriptions(Params {
            keeper_reward: Uint128::new(REWARD),
            min_interval: 60,
        })
        .build();
    for p in PROVIDERS {
        s.make_provider(p, PROVIDER_STAKE, &["digits-mlp-v1", ROUTE])
            .unwrap();
    }
    s.advance_time(1_800);
    let subs = s.subscriptions.clone().expect("deployed by the routine");
    let registry = s.agents.clone().expect("deployed by the routine");
    let dev = s.addr("dev");
    s.execute(
        &dev,
        &registry,
        &agents::ExecuteMsg::Publish {
            agent: agent_spec(false, FEE),
        },
    )
    .unwrap();
    World { s, subs, registry }
}

impl World {
    fn exec(&mut self, who: &str, msg: &ExecuteMsg, pay: u128) -> anyhow::Result<AppResponse> {
        let sender = self.s.addr(who);
        let funds = if pay == 0 { vec![] } else { coins(pay, STABLE) };
        self.s
            .app
            .execute_contract(sender, self.subs.clone(), msg, &funds)
    }

    fn create(&mut self, who: &str, version: Option<u32>, pay: u128) -> anyhow::Result<u64> {
        let res = self.exec(
            who,
            &ExecuteMsg::Create {
                target: target(version),
                settings: settings(),
                notify: None,
            },
            pay,
        )?;
        Ok(attr(&res, "subscription_id").unwrap().parse()?)
    }

    fn trigger(&mut self, id: u64) -> anyhow::Result<AppResponse> {
        self.exec("keeper", &ExecuteMsg::Trigger { id }, 0)
    }

    fn sub(&self, id: u64) -> SubscriptionResponse {
        self.s.query(&self.subs, &QueryMsg::Subscription { id })
    }

    fn run(&self, run_id: u64) -> RunResponse {
        self.s
            .query(&self.registry, &agents::QueryMsg::RunInfo { id: run_id })
    }

    fn usdc(&self, who: &str) -> u128 {
        self.s.stable_balance(&self.s.addr(who))
    }

    fn subs_usdc(&self) -> u128 {
        self.s.stable_balance(&self.subs)
    }

    fn totals(&self) -> TotalsResponse {
        self.s.query(&self.subs, &QueryMsg::Totals {})
    }

    fn in_flight_runs(&self) -> Vec<AgentRunInFlight> {
        let r: AgentRunsInFlightResponse = self.s.query(
            &self.subs,
            &QueryMsg::AgentRunsInFlight {
                start_after: None,
                limit: None,
            },
        );
        r.runs
    }

    /// The agent run of the subscription's run in flight.
    fn agent_run_in_flight(&self, id: u64) -> u64 {
        self.sub(id)
            .in_flight
            .expect("a run in flight")
            .agent_run_id
            .expect("an agent run")
    }

    /// The providers work the run's current step (all answering `label`); the market settles
    /// it and calls the registry back.
    fn work_step(&mut self, run_id: u64, label: u32) {
        let run = self.run(run_id);
        let job_id = run.steps[run.current as usize].job_id.expect("submitted");
        let out = labels_output(&[label]);
        let names = self.s.assigned_names(job_id, &PROVIDERS);
        let work: Vec<(&str, Binary)> = names.iter().map(|n| (*n, out.clone())).collect();
        self.s.run_job(job_id, &work).unwrap();
        assert_eq!(self.s.job(job_id).status, JobStatus::Settled);
    }

    /// Anyone (here bob) moves the run on.
    fn advance(&mut self, run_id: u64) -> AppResponse {
        let bob = self.s.addr("bob");
        self.s
            .execute(
                &bob,
                &self.registry.clone(),
                &agents::ExecuteMsg::Advance { run_id },
            )
            .unwrap()
    }

    /// Work both steps of the run (labels 3, then 2) and advance after each: the run completes
    /// and the registry's callback reaches the subscription.
    fn complete(&mut self, run_id: u64) -> AppResponse {
        self.work_step(run_id, 3);
        self.advance(run_id);
        self.work_step(run_id, 2);
        self.advance(run_id)
    }

    fn snapshot(&self) -> Snapshot {
        let mut balances: Vec<u128> = ["alice", "bob", "keeper", "dev"]
            .iter()
            .map(|n| self.usdc(n))
            .collect();
        balances.push(self.subs_usdc());
        balances.push(self.s.stable_balance(&self.registry));
        balances.push(self.s.stable_balance(&self.s.market()));
        let subscriptions: acn_interface::subscriptions::SubscriptionsResponse = self.s.query(
            &self.subs,
            &QueryMsg::Subscriptions {
                owner: None,
                start_after: None,
                limit: None,
            },
        );
        Snapshot {
            balances,
            subscriptions: subscriptions.subscriptions,
            totals: self.totals(),
            runs: self.s.query(
                &self.registry,
                &agents::QueryMsg::Runs {
                    buyer: None,
                    start_after: None,
                    limit: None,
                },
            ),
        }
    }
}

#[test]
fn the_routine_wires_subscriptions_to_the_agent_registry() {
    let w = world();
    let c: ConfigResponse = w.s.query(&w.subs, &QueryMsg::Config {});
    assert_eq!(c.agents, Some(w.registry.clone()));
}

#[test]
fn an_agent_subscription_runs_several_times_each_runs_escrow_and_refund_exact() {
    let mut w = world();
    let alice0 = w.usdc("alice");
    let id = w.create("alice", None, 3 * RUN).unwrap();
    assert_eq!(w.sub(id).target, target(Some(1)), "the version is pinned");
    let mut balance = 3 * RUN;
    for n in 1..=3u64 {
        let (dev0, keeper0) = (w.usdc("dev"), w.usdc("keeper"));
        let started = w.s.block().time;
        let res = w.trigger(id).unwrap();
        let run_id: u64 = attr(&res, "subscription_agent_run_id")
            .unwrap()
            .parse()
            .unwrap();
        assert_eq!(attr(&res, "escrow").unwrap(), ESCROW.to_string());
        assert_eq!(attr(&res, "escrow_excess").unwrap(), "0");
        let run = w.run(run_id);
        assert_eq!(run.buyer, w.subs);
        assert_eq!((run.version, run.escrow.u128()), (1, ESCROW));
        assert_eq!(run.callback.as_ref().unwrap().gas_limit, 250_000);
        balance -= RUN;
        let sub = w.sub(id);
        assert_eq!(sub.balance.u128(), balance);
        assert_eq!(sub.in_flight.as_ref().unwrap().agent_run_id, Some(run_id));
        assert_eq!(sub.in_flight.as_ref().unwrap().price.u128(), ESCROW);
        assert_eq!(w.subs_usdc(), balance, "the escrow went to the registry");
        assert_eq!(w.usdc("keeper"), keeper0 + REWARD);
        assert_eq!(
            w.in_flight_runs(),
            vec![AgentRunInFlight { run_id, id }],
            "a keeper finds the run to move on"
        );
        let e = w.trigger(id).unwrap_err();
        assert_eq!(
            err(e),
            ContractError::RunInFlight {
                id,
                run: n,
                what: format!("agent run {run_id}")
            }
        );

        let res = w.complete(run_id);
        assert_eq!(attr(&res, "agent_run_id").unwrap(), run_id.to_string());
        let run = w.run(run_id);
        assert_eq!(run.status, RunStatus::Completed);
        assert_eq!(run.refunded.u128(), COMPLETED_REFUND);
        assert_eq!(w.usdc("dev"), dev0 + FEE, "the developer is paid per run");
        balance += COMPLETED_REFUND;
        let sub = w.sub(id);
        assert_eq!(sub.balance.u128(), balance, "the refund is credited");
        assert_eq!(sub.in_flight, None);
        assert_eq!(sub.next_due, Some(started.plus_seconds(INTERVAL)));
        assert_eq!(w.subs_usdc(), balance);
        assert!(w.in_flight_runs().is_empty());
        let runs: acn_interface::subscriptions::RunsResponse = w.s.query(
            &w.subs,
            &QueryMsg::Runs {
                id,
                start_after: Some(n - 1),
                limit: Some(1),
            },
        );
        let record = runs.runs[0].clone();
        assert_eq!(record.run, n);
        assert_eq!(record.agent_run_id, Some(run_id));
        assert_eq!(record.job_id, None);
        assert_eq!(record.price.u128(), ESCROW);
        assert_eq!(record.run_status, Some(RunStatus::Completed));
        assert_eq!(record.status, None);
        assert_eq!(record.output, Some(labels_output(&[2])));
        assert_eq!(record.refunded.u128(), COMPLETED_REFUND);
        w.s.advance_time(INTERVAL);
    }
    let sub = w.sub(id);
    assert_eq!(sub.runs, 3);
    assert_eq!(sub.spent.u128(), 3 * (ESCROW - COMPLETED_REFUND));
    assert_eq!(sub.rewards_paid.u128(), 3 * REWARD);
    assert_eq!(sub.balance.u128(), 3 * RUN - 3 * RUN_SPENT);
    let t = w.totals();
    assert_eq!((t.runs, t.results), (3, 3));
    assert_eq!(t.balances.u128(), w.subs_usdc());

    // Cancel: the whole balance back; alice lost exactly the three runs' cost.
    w.exec("alice", &ExecuteMsg::Cancel { id }, 0).unwrap();
    assert_eq!(w.usdc("alice"), alice0 - 3 * RUN_SPENT);
    assert_eq!(w.subs_usdc(), 0);
}

#[test]
fn cancelling_with_a_run_in_flight_loses_nothing() {
    let mut w = world();
    let alice0 = w.usdc("alice");
    let id = w.create("alice", None, 2 * RUN).unwrap();
    w.trigger(id).unwrap();
    let run_id = w.agent_run_in_flight(id);
    w.work_step(run_id, 3);
    w.advance(run_id);

    // Cancelled while step 1 is in flight: the unspent balance comes back now.
    let res = w.exec("alice", &ExecuteMsg::Cancel { id }, 0).unwrap();
    assert_eq!(attr(&res, "refunded").unwrap(), RUN.to_string());
    assert_eq!(
        attr(&res, "run_in_flight").unwrap(),
        format!("agent run {run_id}")
    );
    assert_eq!(w.usdc("alice"), alice0 - RUN);
    assert_eq!(w.subs_usdc(), 0);

    // Step 1 expires: the run fails, and everything the registry gives back (step 1's budget
    // less what the market kept, the fee) reaches alice.
    w.s.advance_time(3_601);
    let job_id = w.run(run_id).steps[1].job_id.unwrap();
    w.s.expire("bob", job_id).unwrap();
    let res = w.advance(run_id);
    let run = w.run(run_id);
    assert_eq!(run.status, RunStatus::Failed);
    let step1 = &run.steps[1];
    let refund = ESCROW - PRICE - (step1.price.u128() - step1.market_refund.u128());
    assert_eq!(run.refunded.u128(), refund);
    assert_eq!(attr(&res, "refunded").unwrap(), refund.to_string());
    assert_eq!(w.usdc("alice"), alice0 - RUN + refund);
    assert_eq!(w.usdc("dev"), 0, "a failed run pays no fee");
    assert_eq!(w.subs_usdc(), 0, "nothing stays behind");
    let t = w.totals();
    assert_eq!(t.refunds_forwarded.u128(), refund);
    assert_eq!(t.balances.u128(), 0);
    let sub = w.sub(id);
    assert_eq!(sub.status, SubscriptionStatus::Cancelled);
    assert_eq!(sub.next_due, None);
    assert!(w.in_flight_runs().is_empty());
}

#[test]
fn a_balance_drained_mid_way_stops_the_runs_until_a_top_up() {
    let mut w = world();
    let id = w.create("alice", None, RUN).unwrap();
    w.trigger(id).unwrap();
    let run_id = w.agent_run_in_flight(id);
    w.complete(run_id);
    assert_eq!(w.sub(id).balance.u128(), COMPLETED_REFUND);
    w.s.advance_time(INTERVAL);

    // The balance no longer covers a run plus the reward: drained, nothing paid.
    let before = (w.usdc("keeper"), w.subs_usdc());
    let res = w.trigger(id).unwrap();
    assert_eq!(attr(&res, "drained").unwrap(), "true");
    assert_eq!(attr(&res, "run_cost").unwrap(), RUN.to_string());
    assert_eq!((w.usdc("keeper"), w.subs_usdc()), before);
    let sub = w.sub(id);
    assert_eq!(sub.status, SubscriptionStatus::Drained);
    assert_eq!(sub.runs, 1);
    let e = w.trigger(id).unwrap_err();
    assert_eq!(
        err(e),
        ContractError::NotActive {
            id,
            status: SubscriptionStatus::Drained
        }
    );

    // A top-up makes it due again; the next run goes through.
    w.exec("bob", &ExecuteMsg::TopUp { id }, RUN).unwrap();
    w.trigger(id).unwrap();
    let run2 = w.agent_run_in_flight(id);
    assert_ne!(run2, run_id);
    w.complete(run2);
    assert_eq!(
        w.sub(id).balance.u128(),
        2 * COMPLETED_REFUND + RUN - RUN,
        "two runs' refunds, one top-up, one run"
    );
}

#[test]
fn a_forged_run_result_is_refused_and_nothing_moves() {
    let mut w = world();
    let id = w.create("alice", None, 2 * RUN).unwrap();
    w.trigger(id).unwrap();
    let run_id = w.agent_run_in_flight(id);
    let forged = RunResult {
        run_id,
        status: RunStatus::Failed,
        output: None,
        refunded: Uint128::new(ESCROW),
    };
    let before = w.snapshot();
    // From an account, and from the market: not the registry.
    for sender in [w.s.addr("bob"), w.s.market()] {
        let e =
            w.s.app
                .execute_contract(
                    sender.clone(),
                    w.subs.clone(),
                    &ExecuteMsg::ReceiveRunResult(forged.clone()),
                    &[],
                )
                .unwrap_err();
        assert_eq!(
            err(e),
            ContractError::NotTheAgentRegistry {
                registry: w.registry.to_string(),
                sender: sender.to_string(),
            }
        );
        assert_eq!(w.snapshot(), before, "nothing moved");
    }
    // From the registry's address, for a run that is not in flight here.
    let other = RunResult {
        run_id: run_id + 7,
        ..forged
    };
    let e =
        w.s.app
            .execute_contract(
                w.registry.clone(),
                w.subs.clone(),
                &ExecuteMsg::ReceiveRunResult(other),
                &[],
            )
            .unwrap_err();
    assert_eq!(
        err(e),
        ContractError::UnknownAgentRun { run_id: run_id + 7 }
    );
    assert_eq!(w.snapshot(), before, "nothing moved");

    // The real result still lands.
    w.complete(run_id);
    assert_eq!(w.sub(id).balance.u128(), 2 * RUN - RUN + COMPLETED_REFUND);
}

#[test]
fn a_pinned_version_is_not_changed_by_a_newer_one() {
    let mut w = world();
    let id = w.create("alice", None, 3 * RUN).unwrap();
    // The developer publishes version 2: one step, a higher fee.
    let dev = w.s.addr("dev");
    w.s.execute(
        &dev,
        &w.registry.clone(),
        &agents::ExecuteMsg::Publish {
            agent: agent_spec(true, 5 * FEE),
        },
    )
    .unwrap();
    let res = w.trigger(id).unwrap();
    assert_eq!(attr(&res, "escrow").unwrap(), ESCROW.to_string());
    let run = w.run(w.agent_run_in_flight(id));
    assert_eq!((run.version, run.steps.len()), (1, 2));
    assert_eq!(w.sub(id).target, target(Some(1)));

    // A new subscription without a version takes (and pins) version 2; one naming version 1
    // keeps it.
    let v2 = w.create("bob", None, 3 * RUN).unwrap();
    assert_eq!(w.sub(v2).target, target(Some(2)));
    let v1 = w.create("bob", Some(1), 3 * RUN).unwrap();
    assert_eq!(w.sub(v1).target, target(Some(1)));
    let res = w.trigger(v2).unwrap();
    assert_eq!(
        attr(&res, "escrow").unwrap(),
        (BUDGET + 5 * FEE).to_string()
    );
}

#[test]
fn bad_agent_targets_are_refused_with_the_field_named() {
    let mut w = world();
    let with = |f: &dyn Fn(&mut Target)| {
        let mut t = target(None);
        f(&mut t);
        t
    };
    let cases: Vec<(Target, RunSettings, ContractError)> = vec![
        (
            with(&|t| {
                if let Target::Agent { version, .. } = t {
                    *version = Some(9);
                }
            }),
            settings(),
            ContractError::InvalidField {
                field: "target.agent_id".into(),
                reason: format!(
                    "{AGENT} (version 9) is not published in {}: Generic error: Querier contract error: agent {AGENT} version Some(9) not found",
                    w.registry
                ),
            },
        ),
        (
            with(&|t| {
                if let Target::Agent { redundancy, .. } = t {
                    *redundancy = 1;
                }
            }),
            settings(),
            ContractError::InvalidField {
                field: "target.redundancy".into(),
                reason: "1 outside 2..=7 (every step's model's minimum, and at least 2: a \
                         contract cannot keep a redundancy-1 job's audit secret)"
                    .into(),
            },
        ),
        (
            with(&|t| {
                if let Target::Agent { input, .. } = t {
                    *input = Binary::from(vec![1u8; 3]);
                }
            }),
            settings(),
            ContractError::InvalidField {
                field: "target.input".into(),
                reason: String::new(),
            },
        ),
        (
            target(None),
            RunSettings {
                callback_gas: DEFAULT_RUN_CALLBACK_GAS + 1,
                ..settings()
            },
            ContractError::InvalidField {
                field: "settings.callback_gas".into(),
                reason: format!(
                    "{} outside 1..={DEFAULT_RUN_CALLBACK_GAS} (the agent registry's max_callback_gas)",
                    DEFAULT_RUN_CALLBACK_GAS + 1
                ),
            },
        ),
    ];
    let before = w.snapshot();
    for (t, s, expected) in cases {
        let msg = ExecuteMsg::Create {
            target: t,
            settings: s,
            notify: None,
        };
        let e = err(w.exec("alice", &msg, 3 * RUN).unwrap_err());
        match (&e, &expected) {
            // The input's reason is the model spec's own message: only the field is pinned.
            (
                ContractError::InvalidField { field, .. },
                ContractError::InvalidField {
                    field: f2,
                    reason: r2,
                },
            ) if r2.is_empty() => assert_eq!(field, f2),
            _ => assert_eq!(e, expected),
        }
        assert_eq!(w.snapshot(), before, "nothing moved");
    }

    // Less than one run plus the reward.
    let e = err(w.create("alice", None, RUN - 1).unwrap_err());
    assert_eq!(
        e,
        ContractError::InsufficientFunds {
            required: Uint128::new(RUN),
            price: Uint128::new(ESCROW),
            reward: Uint128::new(REWARD),
            paid: Uint128::new(RUN - 1),
        }
    );

    // Only the owner sets the registry; without one, agent targets are refused.
    let e = w
        .exec("bob", &ExecuteMsg::UpdateAgentRegistry { agents: None }, 0)
        .unwrap_err();
    assert_eq!(
        err(e),
        ContractError::Ownership(cw_ownable::OwnershipError::NotOwner)
    );
    let owner = w.s.owner.clone();
    w.s.execute(
        &owner,
        &w.subs.clone(),
        &ExecuteMsg::UpdateAgentRegistry { agents: None },
    )
    .unwrap();
    let e = err(w.create("alice", None, 3 * RUN).unwrap_err());
    assert_eq!(e, ContractError::NoAgentRegistry {});
    // A registry on another market (here: not a registry at all) is refused.
    let market = w.s.market();
    let e =
        w.s.execute(
            &owner,
            &w.subs.clone(),
            &ExecuteMsg::UpdateAgentRegistry {
                agents: Some(market.to_string()),
            },
        )
        .unwrap_err();
    assert!(
        matches!(err(e), ContractError::InvalidField { field, .. } if field == "agents"),
        "the market is not an agent registry"
    );
}

#[test]
fn an_agent_run_whose_callback_failed_is_finished_by_anyones_sync() {
    let mut w = world();
    let id = w.create("alice", None, 2 * RUN).unwrap();
    callbacks_fail(&mut w.s, &w.subs);
    let res = w.trigger(id).unwrap();
    let run_id: u64 = attr(&res, "subscription_agent_run_id")
        .unwrap()
        .parse()
        .unwrap();
    let before = w.snapshot();
    let e = w.exec("bob", &ExecuteMsg::Sync { id }, 0).unwrap_err();
    assert_eq!(
        err(e),
        ContractError::StillGoing {
            id,
            what: format!("agent run {run_id}"),
            status: "Running".into(),
        }
    );
    assert_eq!(w.snapshot(), before, "nothing moved");
    // The run completes; the registry's callback fails, its refund reached the contract.
    w.complete(run_id);
    assert_eq!(w.run(run_id).status, RunStatus::Completed);
    let balance = w.sub(id).balance.u128();
    assert_eq!(balance, RUN);
    assert_eq!(w.subs_usdc(), balance + COMPLETED_REFUND);
    assert!(w.sub(id).in_flight.is_some());
    // Sync applies the registry's record.
    w.exec("bob", &ExecuteMsg::Sync { id }, 0).unwrap();
    let sub = w.sub(id);
    assert_eq!(sub.in_flight, None);
    assert_eq!(sub.balance.u128(), balance + COMPLETED_REFUND);
    assert!(w.in_flight_runs().is_empty());
    assert_eq!(w.totals().balances.u128(), w.subs_usdc());
    let runs: acn_interface::subscriptions::RunsResponse = w.s.query(
        &w.subs,
        &QueryMsg::Runs {
            id,
            start_after: None,
            limit: None,
        },
    );
    assert_eq!(runs.runs[0].run_status, Some(RunStatus::Completed));
    assert_eq!(runs.runs[0].output, Some(labels_output(&[2])));
    assert_eq!(runs.runs[0].refunded.u128(), COMPLETED_REFUND);
}

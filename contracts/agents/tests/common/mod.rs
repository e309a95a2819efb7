//! Fixtures shared by the run tests: three test models, the three-step `digit-router` agent,
//! the registry deployed on a suite's market with it published.

#![allow(dead_code)]

use acn_agents::contract;
use acn_agents::ContractError;
use acn_interface::agents::{
    Adapter, AgentParams, AgentSpec, ExecuteMsg, InstantiateMsg, QueryMsg, RunMsg, RunResponse,
    Step, DEFAULT_RUN_CALLBACK_GAS,
};
use acn_interface::market::{Callback, DType, InputSpec, ModelSpec, OutputSpec};
use acn_testing::*;
use cosmwasm_std::{Addr, Binary, Uint128};
use cw_multi_test::{AppResponse, ContractWrapper, Executor};

/// Each buyer's genesis balance (100 tokens of the market's unit).
pub const USDC: u128 = 100 * TOKEN;
/// The developer's fee per run (0.5 USDC).
pub const FEE: u128 = TOKEN / 2;
/// The run's price bound per unit: twice the market's 1 000 uusdc.
pub const MAX_UNIT_PRICE: u128 = 2_000;
/// Each step: 1 item × 1 unit × 3 slots × 2 000.
pub const BUDGET: u128 = 6_000;
/// Each step's price: 1 item × 1 unit × 3 slots × 1 000.
pub const PRICE: u128 = 3_000;
/// Three budgets and the fee.
pub const ESCROW: u128 = 3 * BUDGET + FEE;
/// The three providers, each serving the three models.
pub const PROVIDERS: [&str; 3] = ["p1", "p2", "p3"];

pub fn model(id: &str, input: InputSpec, output: OutputSpec) -> ModelSpec {
    ModelSpec {
        id: id.into(),
        name: id.into(),
        architecture: "test".into(),
        weights_sha256: "ab".repeat(32),
        weights_uri: format!("file://{id}"),
        input,
        output,
        tolerance: 0,
        cost_units_per_item: 1,
        min_redundancy: 1,
    }
}

pub fn labels(n: u32) -> OutputSpec {
    OutputSpec::ClassLabels {
        num_classes: n,
        labels: vec![],
    }
}

pub fn models() -> Vec<ModelSpec> {
    let text = InputSpec {
        shape: vec![32, 16],
        dtype: DType::Utf8,
        max_batch: 8,
    };
    let i32_1 = InputSpec {
        shape: vec![1],
        dtype: DType::I32,
        max_batch: 8,
    };
    vec![
        digits_model(), // u8 [64] → 10 labels
        model("toxicity-v1", text, labels(2)),
        model("route-v1", i32_1, labels(3)),
    ]
}

pub fn digit_text(d: u32) -> String {
    format!("the digit {d}")
}

/// Digits → the digit's name as text → a text classifier → its label routed by an i32 model.
pub fn digit_router(fee: u128) -> AgentSpec {
    AgentSpec {
        id: "digit-router".into(),
        name: "Digit router".into(),
        description: "reads a digit, classifies its name, routes it".into(),
        steps: vec![
            Step {
                model_id: "digits-mlp-v1".into(),
                adapter: None,
            },
            Step {
                model_id: "toxicity-v1".into(),
                adapter: Some(Adapter::LabelText {
                    texts: (0..10).map(digit_text).collect(),
                }),
            },
            Step {
                model_id: "route-v1".into(),
                adapter: Some(Adapter::Direct {}),
            },
        ],
        fee: Uint128::new(fee),
    }
}

/// Register `PROVIDERS` for the three models, deploy the registry on the suite's market and
/// publish `digit-router` (fee [`FEE`]) as `dev`.
pub fn registry_with_digit_router(s: &mut Suite) -> Addr {
    for p in PROVIDERS {
        s.make_provider(
            p,
            PROVIDER_STAKE,
            &["digits-mlp-v1", "toxicity-v1", "route-v1"],
        )
        .unwrap();
    }
    s.advance_time(1_800);
    let code = s.app.store_code(Box::new(
        ContractWrapper::new(contract::execute, contract::instantiate, contract::query)
            .with_reply(contract::reply),
    ));
    let owner = s.owner.clone();
    let registry = s
        .app
        .instantiate_contract(
            code,
            owner,
            &InstantiateMsg {
                owner: None,
                market: s.market().to_string(),
                params: AgentParams {
                    max_steps: 4,
                    max_run_fee: Uint128::new(5 * TOKEN),
                    max_callback_gas: DEFAULT_RUN_CALLBACK_GAS,
                },
            },
            &[],
            "agents",
            None,
        )
        .unwrap();
    let dev = s.addr("dev");
    s.execute(
        &dev,
        &registry,
        &ExecuteMsg::Publish {
            agent: digit_router(FEE),
        },
    )
    .unwrap();
    registry
}

pub fn err(e: anyhow::Error) -> ContractError {
    e.downcast().expect("a registry error")
}

pub fn run_args(callback: Option<Callback>) -> RunMsg {
    RunMsg {
        agent_id: "digit-router".into(),
        version: None,
        input: digits_input(1),
        batch: 1,
        redundancy: 3,
        max_unit_price: Uint128::new(MAX_UNIT_PRICE),
        step_lifetime: 3_600,
        callback,
    }
}

/// The suite every run test starts from: the three models on the market, prices steady for a
/// day. Each test adds its buyers' funds (and a pool for a stable-priced market).
pub fn base_suite() -> SuiteBuilder {
    SuiteBuilder::new()
        .with_owner_funds(10_000_000 * TOKEN)
        .with_market_params(|m| {
            m.models = models();
            m.params.pricing.window = 86_400;
        })
}

/// A suite and its registry (with `digit-router` published).
pub struct World {
    /// The chain and every contract.
    pub s: Suite,
    /// The agent registry.
    pub registry: Addr,
}

impl World {
    /// Run `id` as the registry holds it.
    pub fn run(&self, id: u64) -> RunResponse {
        self.s.query(&self.registry, &QueryMsg::RunInfo { id })
    }

    /// The job of a run's step.
    pub fn job_of(&self, run_id: u64, step: usize) -> u64 {
        self.run(run_id).steps[step].job_id.expect("submitted")
    }

    /// Every assigned provider commits and reveals `output`; the last reveal settles the job
    /// and the market's callback records it in the run. The providers, by name.
    pub fn work(&mut self, job_id: u64, output: Binary) -> Vec<&'static str> {
        let names = self.s.assigned_names(job_id, &PROVIDERS);
        let work: Vec<(&str, Binary)> = names.iter().map(|n| (*n, output.clone())).collect();
        self.s.run_job(job_id, &work).unwrap();
        names
    }

    /// `who` moves the run on.
    pub fn advance(&mut self, who: &str, run_id: u64) -> anyhow::Result<AppResponse> {
        let sender = self.s.addr(who);
        self.s.execute(
            &sender,
            &self.registry.clone(),
            &ExecuteMsg::Advance { run_id },
        )
    }
}

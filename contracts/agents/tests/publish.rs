//! Publishing agents on the embedded chain next to a market deployed by the one deployment
//! routine: a valid three-step pipeline, immutable versions, the queries, and every refused
//! publication with its exact error and nothing stored.

mod common;

use acn_agents::contract;
use acn_agents::ContractError;
use acn_interface::agents::{
    Adapter, AgentParams, AgentResponse, AgentSpec, AgentsResponse, ConfigResponse, ExecuteMsg,
    InstantiateMsg, QueryMsg, Step, DEFAULT_RUN_CALLBACK_GAS, MAX_STEPS_LIMIT,
};
use acn_interface::market::{self, DType, InputSpec, ModelSpec, OutputSpec};
use acn_testing::*;
use common::model as spec;
use cosmwasm_std::{Addr, Uint128};
use cw_multi_test::{ContractWrapper, Executor};

const MAX_FEE: u128 = 5 * TOKEN;

fn input(shape: &[u32], dtype: DType) -> InputSpec {
    InputSpec {
        shape: shape.to_vec(),
        dtype,
        max_batch: 8,
    }
}

fn labels(n: u32) -> OutputSpec {
    OutputSpec::ClassLabels {
        num_classes: n,
        labels: vec![],
    }
}

fn fixed(shape: &[u32]) -> OutputSpec {
    OutputSpec::FixedPoint {
        shape: shape.to_vec(),
        scale: 10_000,
    }
}

/// The models the pipelines are built from (besides `digits-mlp-v1` and `regressor-v1`).
fn models() -> Vec<ModelSpec> {
    vec![
        digits_model(),     // u8 [64] → 10 labels
        regression_model(), // f32 [8] → fixed [1]
        spec("toxicity-v1", input(&[32, 16], DType::Utf8), labels(2)),
        spec("embed-v1", input(&[256, 64], DType::Utf8), fixed(&[8])),
        spec("score-i32", input(&[8], DType::I32), fixed(&[1])),
        spec("route-v1", input(&[1], DType::I32), labels(3)),
    ]
}

struct World {
    s: Suite,
    code: u64,
    registry: Addr,
}

fn world() -> World {
    let mut s = SuiteBuilder::new()
        .with_market_params(|m| m.models = models())
        .build();
    let code = s.app.store_code(Box::new(ContractWrapper::new(
        contract::execute,
        contract::instantiate,
        contract::query,
    )));
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
                    max_run_fee: Uint128::new(MAX_FEE),
                    max_callback_gas: DEFAULT_RUN_CALLBACK_GAS,
                },
            },
            &[],
            "agents",
            None,
        )
        .unwrap();
    World { s, code, registry }
}

fn step(model_id: &str, adapter: Option<Adapter>) -> Step {
    Step {
        model_id: model_id.into(),
        adapter,
    }
}

fn digit_texts() -> Vec<String> {
    (0..10).map(|d| format!("the digit {d}")).collect()
}

/// Digits → their names as text → a text classifier → its label routed by an i32 model.
fn three_steps() -> AgentSpec {
    AgentSpec {
        id: "digit-router".into(),
        name: "Digit router".into(),
        description: "reads a digit, classifies its name, routes it".into(),
        steps: vec![
            step("digits-mlp-v1", None),
            step(
                "toxicity-v1",
                Some(Adapter::LabelText {
                    texts: digit_texts(),
                }),
            ),
            step("route-v1", Some(Adapter::Direct {})),
        ],
        fee: Uint128::new(TOKEN),
    }
}

fn err(e: anyhow::Error) -> ContractError {
    e.downcast().expect("a registry error")
}

impl World {
    fn publish(
        &mut self,
        who: &str,
        agent: &AgentSpec,
    ) -> anyhow::Result<cw_multi_test::AppResponse> {
        let sender = self.s.addr(who);
        self.s.app.execute_contract(
            sender,
            self.registry.clone(),
            &ExecuteMsg::Publish {
                agent: agent.clone(),
            },
            &[],
        )
    }

    fn agent(&self, id: &str, version: Option<u32>) -> AgentResponse {
        self.s.query(
            &self.registry,
            &QueryMsg::Agent {
                id: id.into(),
                version,
            },
        )
    }

    fn all(&self) -> (AgentsResponse, AgentsResponse) {
        let latest = self.s.query(
            &self.registry,
            &QueryMsg::Agents {
                start_after: None,
                limit: None,
            },
        );
        let versions = self.s.query(
            &self.registry,
            &QueryMsg::Versions {
                id: "digit-router".into(),
                start_after: None,
                limit: None,
            },
        );
        (latest, versions)
    }

    /// Publishing `agent` as `dev` is refused with `expected`, and nothing is stored.
    fn refused(&mut self, agent: &AgentSpec, expected: ContractError) {
        let before = self.all();
        let e = self.publish("dev", agent).unwrap_err();
        assert_eq!(err(e), expected, "{agent:?}");
        assert_eq!(self.all(), before, "nothing stored");
    }
}

#[test]
fn a_three_step_pipeline_is_published_and_its_versions_are_immutable() {
    let mut w = world();
    let cfg: ConfigResponse = w.s.query(&w.registry, &QueryMsg::Config {});
    assert_eq!(cfg.market, w.s.market());
    let res = w.publish("dev", &three_steps()).unwrap();
    assert!(res
        .events
        .iter()
        .flat_map(|e| e.attributes.iter())
        .any(|a| a.key == "version" && a.value == "1"));
    let v1 = w.agent("digit-router", None);
    assert_eq!(
        (v1.version, v1.developer.clone(), v1.spec.clone()),
        (1, w.s.addr("dev"), three_steps())
    );

    // A second version: two steps, a higher fee. Version 1 stays as it was.
    let mut changed = three_steps();
    changed.steps.pop();
    changed.fee = Uint128::new(MAX_FEE);
    w.s.advance_time(60);
    w.publish("dev", &changed).unwrap();
    let v2 = w.agent("digit-router", None);
    assert_eq!((v2.version, v2.spec.clone()), (2, changed));
    assert_eq!(
        w.agent("digit-router", Some(1)),
        v1,
        "version 1 is immutable"
    );
    assert!(v2.published_at > v1.published_at);

    // Another developer's agent, built with the other two adapters.
    let embed = AgentSpec {
        id: "embed-score".into(),
        name: "Embed and score".into(),
        description: String::new(),
        steps: vec![
            step("embed-v1", None),
            step("regressor-v1", Some(Adapter::Dequantize {})),
        ],
        fee: Uint128::zero(),
    };
    w.publish("other", &embed).unwrap();
    let direct = AgentSpec {
        id: "embed-score-i32".into(),
        steps: vec![
            step("embed-v1", None),
            step("score-i32", Some(Adapter::Direct {})),
        ],
        ..embed.clone()
    };
    w.publish("other", &direct).unwrap();

    let (latest, versions) = w.all();
    assert_eq!(
        latest
            .agents
            .iter()
            .map(|a| (a.id.as_str(), a.version))
            .collect::<Vec<_>>(),
        vec![
            ("digit-router", 2),
            ("embed-score", 1),
            ("embed-score-i32", 1)
        ]
    );
    assert_eq!(
        versions
            .agents
            .iter()
            .map(|a| a.version)
            .collect::<Vec<_>>(),
        vec![1, 2]
    );
    let page: AgentsResponse = w.s.query(
        &w.registry,
        &QueryMsg::Agents {
            start_after: Some("digit-router".into()),
            limit: Some(1),
        },
    );
    assert_eq!(page.agents[0].id, "embed-score");
    let page: AgentsResponse = w.s.query(
        &w.registry,
        &QueryMsg::Versions {
            id: "digit-router".into(),
            start_after: Some(1),
            limit: None,
        },
    );
    assert_eq!(page.agents.len(), 1);
    assert_eq!(page.agents[0].version, 2);

    // Unknown agents and versions.
    let e =
        w.s.try_query::<_, AgentResponse>(
            &w.registry,
            &QueryMsg::Agent {
                id: "digit-router".into(),
                version: Some(3),
            },
        )
        .unwrap_err();
    assert!(
        e.to_string()
            .contains("agent digit-router version Some(3) not found"),
        "{e}"
    );
}

#[test]
fn only_its_developer_publishes_new_versions_of_an_agent() {
    let mut w = world();
    w.publish("dev", &three_steps()).unwrap();
    let dev = w.s.addr("dev");
    let before = w.all();
    let e = w.publish("mallory", &three_steps()).unwrap_err();
    assert_eq!(
        err(e),
        ContractError::NotDeveloper {
            id: "digit-router".into(),
            developer: dev.to_string()
        }
    );
    assert_eq!(w.all(), before);
}

#[test]
fn a_malformed_agent_is_refused_naming_the_field() {
    let mut w = world();
    let cases = vec![
        (
            AgentSpec {
                id: "Digit Router".into(),
                ..three_steps()
            },
            ContractError::InvalidAgent {
                field: "id".into(),
                reason: "\"Digit Router\" is not 1–64 chars of [a-z0-9._-]".into(),
            },
        ),
        (
            AgentSpec {
                id: String::new(),
                ..three_steps()
            },
            ContractError::InvalidAgent {
                field: "id".into(),
                reason: "\"\" is not 1–64 chars of [a-z0-9._-]".into(),
            },
        ),
        (
            AgentSpec {
                name: String::new(),
                ..three_steps()
            },
            ContractError::InvalidAgent {
                field: "name".into(),
                reason: "empty".into(),
            },
        ),
        (
            AgentSpec {
                description: "x".repeat(257),
                ..three_steps()
            },
            ContractError::InvalidAgent {
                field: "description".into(),
                reason: "257 bytes, at most 256".into(),
            },
        ),
        (
            AgentSpec {
                steps: vec![],
                ..three_steps()
            },
            ContractError::InvalidAgent {
                field: "steps".into(),
                reason: "0 steps, expected 1..=4".into(),
            },
        ),
        (
            AgentSpec {
                steps: vec![
                    step("digits-mlp-v1", None),
                    step("route-v1", Some(Adapter::Direct {})),
                    step("route-v1", Some(Adapter::Direct {})),
                    step("route-v1", Some(Adapter::Direct {})),
                    step("route-v1", Some(Adapter::Direct {})),
                ],
                ..three_steps()
            },
            ContractError::InvalidAgent {
                field: "steps".into(),
                reason: "5 steps, expected 1..=4".into(),
            },
        ),
    ];
    for (agent, expected) in cases {
        w.refused(&agent, expected);
    }
}

#[test]
fn a_developer_fee_above_its_bound_is_refused() {
    let mut w = world();
    w.refused(
        &AgentSpec {
            fee: Uint128::new(MAX_FEE + 1),
            ..three_steps()
        },
        ContractError::FeeAboveMax {
            fee: Uint128::new(MAX_FEE + 1),
            max: Uint128::new(MAX_FEE),
        },
    );
    // Exactly the bound is fine.
    w.publish(
        "dev",
        &AgentSpec {
            fee: Uint128::new(MAX_FEE),
            ..three_steps()
        },
    )
    .unwrap();
}

#[test]
fn a_step_naming_an_unknown_or_inactive_model_is_refused_naming_the_step() {
    let mut w = world();
    let mut agent = three_steps();
    agent.steps[1].model_id = "no-such-model".into();
    w.refused(
        &agent,
        ContractError::ModelNotFound {
            step: 1,
            model_id: "no-such-model".into(),
        },
    );
    let (owner, market) = (w.s.owner.clone(), w.s.market());
    w.s.execute(
        &owner,
        &market,
        &market::ExecuteMsg::DeactivateModel {
            id: "route-v1".into(),
        },
    )
    .unwrap();
    w.refused(
        &three_steps(),
        ContractError::ModelInactive {
            step: 2,
            model_id: "route-v1".into(),
        },
    );
}

#[test]
fn adapters_in_the_wrong_places_are_refused() {
    let mut w = world();
    let mut agent = three_steps();
    agent.steps[0].adapter = Some(Adapter::Direct {});
    w.refused(
        &agent,
        ContractError::BadAdapter {
            step: 0,
            reason: "the first step takes the run's input and has no adapter".into(),
        },
    );
    let mut agent = three_steps();
    agent.steps[2].adapter = None;
    w.refused(
        &agent,
        ContractError::BadAdapter {
            step: 2,
            reason: "every step after the first needs an adapter".into(),
        },
    );
}

#[test]
fn a_pipeline_whose_specs_do_not_fit_is_refused_naming_the_steps_and_the_mismatch() {
    let mut w = world();
    let two = |first: &str, second: &str, adapter: Adapter| AgentSpec {
        steps: vec![step(first, None), step(second, Some(adapter))],
        ..three_steps()
    };
    let mismatch =
        |step: usize, model: &str, prev_model: &str, reason: &str| ContractError::StepMismatch {
            step,
            model_id: model.into(),
            prev: step - 1,
            prev_model_id: prev_model.into(),
            reason: reason.into(),
        };
    let cases = vec![
        // direct: labels need an i32 [1] input
        (
            two("digits-mlp-v1", "score-i32", Adapter::Direct {}),
            mismatch(
                1,
                "score-i32",
                "digits-mlp-v1",
                "direct: a class label needs an i32 input of shape [1], the model takes I32 [8]",
            ),
        ),
        // direct: fixed point [8] into u8 [64]
        (
            two("embed-v1", "digits-mlp-v1", Adapter::Direct {}),
            mismatch(
                1,
                "digits-mlp-v1",
                "embed-v1",
                "direct: a fixed-point output of shape [8] needs an i32 input of that shape, the model takes U8 [64]",
            ),
        ),
        // dequantize: from labels
        (
            two("digits-mlp-v1", "regressor-v1", Adapter::Dequantize {}),
            mismatch(
                1,
                "regressor-v1",
                "digits-mlp-v1",
                "dequantize: the previous step outputs class labels, not fixed-point values",
            ),
        ),
        // dequantize: one value into eight floats
        (
            two("regressor-v1", "regressor-v1", Adapter::Dequantize {}),
            mismatch(
                1,
                "regressor-v1",
                "regressor-v1",
                "dequantize: 1 fixed-point values need an f32 input of 1 elements, the model takes F32 [8]",
            ),
        ),
        // label_text: into a non-text model
        (
            two(
                "digits-mlp-v1",
                "route-v1",
                Adapter::LabelText {
                    texts: digit_texts(),
                },
            ),
            mismatch(
                1,
                "route-v1",
                "digits-mlp-v1",
                "label_text: the model takes I32 [1], not text",
            ),
        ),
        // label_text: one text short
        (
            two(
                "digits-mlp-v1",
                "toxicity-v1",
                Adapter::LabelText {
                    texts: digit_texts()[..9].to_vec(),
                },
            ),
            mismatch(
                1,
                "toxicity-v1",
                "digits-mlp-v1",
                "label_text: 9 texts for 10 classes",
            ),
        ),
        // label_text: a text longer than the model reads
        (
            two(
                "digits-mlp-v1",
                "toxicity-v1",
                Adapter::LabelText {
                    texts: {
                        let mut t = digit_texts();
                        t[7] = "y".repeat(33);
                        t
                    },
                },
            ),
            mismatch(
                1,
                "toxicity-v1",
                "digits-mlp-v1",
                "label_text: text 7 is 33 bytes, the model takes at most 32",
            ),
        ),
        // label_text: from fixed-point values
        (
            two(
                "regressor-v1",
                "toxicity-v1",
                Adapter::LabelText { texts: vec![] },
            ),
            mismatch(
                1,
                "toxicity-v1",
                "regressor-v1",
                "label_text: the previous step outputs fixed-point values, not class labels",
            ),
        ),
    ];
    for (agent, expected) in cases {
        w.refused(&agent, expected);
    }
    // The third step of the valid pipeline, mis-adapted: the error names steps[2] and steps[1].
    let mut agent = three_steps();
    agent.steps[2].adapter = Some(Adapter::Dequantize {});
    w.refused(
        &agent,
        mismatch(
            2,
            "route-v1",
            "toxicity-v1",
            "dequantize: the previous step outputs class labels, not fixed-point values",
        ),
    );
}

#[test]
fn the_parameters_are_bounded_and_only_the_owner_changes_them() {
    let mut w = world();
    let (owner, stranger) = (w.s.owner.clone(), w.s.addr("stranger"));
    let params = AgentParams {
        max_steps: 2,
        max_run_fee: Uint128::new(TOKEN),
        max_callback_gas: DEFAULT_RUN_CALLBACK_GAS,
    };
    let e =
        w.s.execute(
            &stranger,
            &w.registry.clone(),
            &ExecuteMsg::UpdateParams {
                params: params.clone(),
            },
        )
        .unwrap_err();
    assert_eq!(
        err(e),
        ContractError::Ownership(cw_ownable::OwnershipError::NotOwner)
    );
    for max_steps in [0, MAX_STEPS_LIMIT + 1] {
        let e =
            w.s.execute(
                &owner,
                &w.registry.clone(),
                &ExecuteMsg::UpdateParams {
                    params: AgentParams {
                        max_steps,
                        ..params.clone()
                    },
                },
            )
            .unwrap_err();
        assert_eq!(
            err(e),
            ContractError::InvalidParams {
                field: "max_steps".into(),
                reason: format!("{max_steps} outside 1..={MAX_STEPS_LIMIT}"),
            }
        );
    }
    w.s.execute(
        &owner,
        &w.registry.clone(),
        &ExecuteMsg::UpdateParams {
            params: params.clone(),
        },
    )
    .unwrap();
    w.refused(
        &three_steps(),
        ContractError::InvalidAgent {
            field: "steps".into(),
            reason: "3 steps, expected 1..=2".into(),
        },
    );
    // A registry must point at a market.
    let e =
        w.s.app
            .instantiate_contract(
                w.code,
                owner.clone(),
                &InstantiateMsg {
                    owner: None,
                    market: w.s.staking.to_string(),
                    params,
                },
                &[],
                "bad",
                None,
            )
            .unwrap_err();
    assert!(matches!(err(e), ContractError::InvalidParams { field, .. } if field == "market"),);
}

//! The demo's agent run: a developer publishes a two-step agent of the demo's real models, a
//! buyer pays one escrow in ACN for a run over handwritten digits, and the run is moved on
//! (`Advance`) while the demo's other jobs are worked on: each step is a market job the
//! providers take like any other.
//!
//! The agent, `digit-menu`, reads a phone-menu choice written by hand: the digit's label (the
//! MLP) becomes the request that menu entry stands for (`LabelText`), and the intent classifier
//! (MiniLM + head) names the department that request goes to. Every item's true digit gives the
//! intent the run should end with, so the run is scored like the other jobs.

use std::time::Duration;

use acn_cli::agent::{self, RunRequest, RunView};
use acn_cli::job::SecretStore;
use acn_client::codec::EncodedInput;
use acn_client::Chain;
use acn_interface::agents::{Adapter, AgentSpec, RunStatus, Step};
use acn_models::intent::{INTENT_ID, INTENT_LABELS};
use acn_models::ModelKind;
use cosmwasm_std::Uint128;

/// The agent's id.
pub const AGENT_ID: &str = "digit-menu";

/// What menu entry `d` asks for, and the intent (index into [`INTENT_LABELS`]) it belongs to.
const MENU: [(&str, usize); 10] = [
    ("what will the weather be like tomorrow", 0),
    ("play some relaxing music", 1),
    ("set an alarm for six thirty tomorrow morning", 2),
    ("book me a flight to Lisbon next week", 3),
    ("order a large pizza for delivery", 4),
    ("what is the balance of my checking account", 5),
    ("my laptop will not connect to the wifi", 6),
    ("hello, how are you doing today", 7),
    ("is it going to rain this afternoon", 0),
    ("transfer fifty dollars to my savings account", 5),
];

/// The agent as its developer publishes it.
pub fn spec() -> AgentSpec {
    AgentSpec {
        id: AGENT_ID.into(),
        name: "Digit menu".into(),
        description: "reads a handwritten menu choice, routes its request by intent".into(),
        steps: vec![
            Step {
                model_id: ModelKind::DigitsMlp.id().into(),
                adapter: None,
            },
            Step {
                model_id: INTENT_ID.into(),
                adapter: Some(Adapter::LabelText {
                    texts: MENU.iter().map(|(t, _)| t.to_string()).collect(),
                }),
            },
        ],
        // 1 ACN per run to the developer.
        fee: Uint128::new(acn_interface::market::TOKEN),
    }
}

/// A run the demo follows.
pub struct DemoRun {
    /// Run id.
    pub id: u64,
    /// The buyer (moves the run on).
    pub buyer: String,
    /// The intent each item should end with (from its true digit).
    pub expected: Vec<usize>,
    secrets: SecretStore,
}

/// Publish the agent as `developer` and start a run as `buyer` over `images` (64 bytes each),
/// whose true digits are `labels`.
pub fn start(
    chain: &(impl Chain + ?Sized),
    developer: &str,
    buyer: &str,
    images: &[&[u8]],
    labels: &[u8],
    redundancy: u8,
) -> anyhow::Result<(DemoRun, RunView)> {
    agent::publish(chain, developer, spec())?;
    let req = RunRequest {
        agent_id: AGENT_ID.into(),
        version: None,
        input: EncodedInput {
            bytes: images.concat(),
            batch: images.len() as u32,
        },
        redundancy: redundancy.max(2),
        max_unit_price: None,
        step_lifetime: 6 * 3_600,
    };
    let view = agent::run(chain, buyer, &req)?;
    let run = DemoRun {
        id: view.run.id,
        buyer: buyer.to_string(),
        expected: labels.iter().map(|d| MENU[*d as usize].1).collect(),
        secrets: SecretStore::new(std::env::temp_dir().join("acn-demo-secrets")),
    };
    Ok((run, view))
}

impl DemoRun {
    /// One look: move the run on if its step's job is final. The run, once it has ended.
    pub fn poll(&self, chain: &(impl Chain + ?Sized)) -> anyhow::Result<Option<RunView>> {
        let view = agent::run_view(chain, self.id)?;
        if view.run.is_over() {
            return Ok(Some(view));
        }
        agent::move_on(chain, &self.buyer, &view.run, &self.secrets, &mut |_| {})?;
        Ok(None)
    }

    /// Follow the run to its end (blocks go on being produced), at most `timeout`.
    pub fn finish(
        &self,
        chain: &(impl Chain + ?Sized),
        poll: Duration,
        timeout: Duration,
    ) -> anyhow::Result<RunView> {
        agent::wait(
            chain,
            Some(&self.buyer),
            self.id,
            poll,
            Some(timeout),
            |_| {},
        )
    }

    /// Items whose final intent is the one their true digit's menu entry belongs to, of all.
    pub fn correct(&self, view: &RunView) -> (usize, usize) {
        let ok = final_labels(view)
            .iter()
            .zip(&self.expected)
            .filter(|(g, e)| g == e)
            .count();
        (ok, self.expected.len())
    }
}

/// The intent label of each item of a completed run (none otherwise).
fn final_labels(view: &RunView) -> Vec<usize> {
    match (&view.run.status, view.run.steps.last()) {
        (RunStatus::Completed, Some(last)) => last
            .output
            .as_ref()
            .map(|o| {
                o.chunks_exact(4)
                    .map(|w| u32::from_le_bytes([w[0], w[1], w[2], w[3]]) as usize)
                    .collect()
            })
            .unwrap_or_default(),
        _ => vec![],
    }
}

/// The intent names of a completed run's items, comma-separated.
pub fn intents(view: &RunView) -> String {
    let names: Vec<&str> = final_labels(view)
        .iter()
        .map(|l| INTENT_LABELS.get(*l).copied().unwrap_or("?"))
        .collect();
    if names.is_empty() {
        "-".into()
    } else {
        names.join(", ")
    }
}

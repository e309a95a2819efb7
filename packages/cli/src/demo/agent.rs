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
use acn_client::amount::tokens;
use acn_client::codec::EncodedInput;
use acn_client::{Chain, ChainExt};
use acn_interface::agents::{Adapter, AgentSpec, RunStatus, Step};
use acn_interface::market;
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
    /// One look: move the run on if its step's job is final. The run, once it has ended or
    /// its step's job is disputed (the run then waits for the market owner's resolution).
    pub fn poll(&self, chain: &(impl Chain + ?Sized)) -> anyhow::Result<Option<RunView>> {
        let view = agent::run_view(chain, self.id)?;
        if view.run.is_over() || disputed(chain, &view)? {
            return Ok(Some(view));
        }
        agent::move_on(chain, &self.buyer, &view.run, &self.secrets, &mut |_| {})?;
        Ok(None)
    }

    /// Follow the run until [`DemoRun::poll`] has it (blocks go on being produced), at most
    /// `timeout`; then the run as it is.
    pub fn finish(
        &self,
        chain: &(impl Chain + ?Sized),
        poll: Duration,
        timeout: Duration,
    ) -> anyhow::Result<RunView> {
        let until = std::time::Instant::now() + timeout;
        loop {
            if let Some(view) = self.poll(chain)? {
                return Ok(view);
            }
            if std::time::Instant::now() >= until {
                return agent::run_view(chain, self.id);
            }
            std::thread::sleep(poll);
        }
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

/// Whether the job of the run's current step is disputed.
pub fn disputed(chain: &(impl Chain + ?Sized), view: &RunView) -> anyhow::Result<bool> {
    let Some(job_id) = view
        .run
        .steps
        .get(view.run.current as usize)
        .and_then(|s| s.job_id)
    else {
        return Ok(false);
    };
    let job: market::JobResponse = chain.market(&market::QueryMsg::Job { id: job_id })?;
    Ok(job.status == market::JobStatus::Disputed)
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

/// What the demo reports of its run.
pub struct RunOutcome {
    /// The run as it ended (or stalled on a disputed step).
    pub view: RunView,
    /// Its steps' market jobs.
    pub jobs: Vec<market::JobResponse>,
    /// Items routed as their digits say, of all.
    pub correct: (usize, usize),
    /// Whether it waits on a disputed step (a cheater among too few providers).
    pub disputed: bool,
}

/// Read what the demo reports of `run`, seen as `view`.
pub fn outcome(
    chain: &(impl Chain + ?Sized),
    run: &DemoRun,
    view: RunView,
) -> anyhow::Result<RunOutcome> {
    let jobs = view
        .run
        .steps
        .iter()
        .filter_map(|s| s.job_id)
        .map(|id| chain.market(&market::QueryMsg::Job { id }))
        .collect::<Result<_, _>>()?;
    Ok(RunOutcome {
        correct: run.correct(&view),
        disputed: disputed(chain, &view)?,
        view,
        jobs,
    })
}

impl RunOutcome {
    /// Its rows of the demo's table.
    pub fn rows(&self) -> Vec<String> {
        let r = &self.view.run;
        let (ok, items) = self.correct;
        let status = match r.status {
            RunStatus::Running if self.disputed => {
                format!("waiting: step {}'s job is disputed", r.current + 1)
            }
            s => format!("{s:?}").to_lowercase(),
        };
        let spent: u128 = r
            .steps
            .iter()
            .map(|s| s.price.u128() - s.market_refund.u128())
            .sum();
        vec![
            format!(
                "| agent run {} ({}, {} steps, jobs {}): status / final intents / routed as the digits say | {status} / {} / {ok} of {items} |",
                r.id,
                r.agent_id,
                r.steps.len(),
                r.steps
                    .iter()
                    .map(|s| s.job_id.map_or("-".into(), |j| j.to_string()))
                    .collect::<Vec<_>>()
                    .join(", "),
                intents(&self.view),
            ),
            format!(
                "| agent run: escrow / spent on steps / developer fee / refunded to the buyer | {} / {} / {} / {} |",
                tokens(r.escrow.u128()),
                tokens(spent),
                tokens(r.developer_paid.u128()),
                tokens(r.refunded.u128()),
            ),
        ]
    }

    /// The demo's check: the run completed with at least 3 of 4 items routed as their digits
    /// say — unless a cheater among too few providers had a step disputed.
    pub fn check(&self) -> anyhow::Result<()> {
        if self.disputed {
            return Ok(());
        }
        let r = &self.view.run;
        anyhow::ensure!(
            r.status == RunStatus::Completed,
            "the agent run ended {:?}",
            r.status
        );
        let (ok, items) = self.correct;
        anyhow::ensure!(
            4 * ok >= 3 * items,
            "the agent run routed only {ok} of {items} items as their digits say"
        );
        Ok(())
    }
}

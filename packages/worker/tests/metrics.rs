//! The running worker's `/metrics` and `/healthz`, scraped over HTTP from workers that took a
//! real job to settlement on the embedded chain.

mod common;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use acn_client::{Chain, ChainExt};
use acn_interface::market::{JobStatus, SlotOutcome};
use acn_worker::{Behaviour, Metrics, MetricsServer, Worker};

use common::*;

/// The samples of an OpenMetrics text: `name{labels}` → value.
fn samples(text: &str) -> HashMap<String, f64> {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.rsplit_once(' '))
        .map(|(name, value)| (name.to_string(), value.parse().unwrap()))
        .collect()
}

#[test]
fn a_scrape_after_a_settled_job_counts_it_its_earnings_and_the_slash() {
    let chain = chain(&["p1", "p2", "p3"]);
    let dir = tempfile::tempdir().unwrap();
    let max_age = Duration::from_millis(1_500);
    let honest_metrics = Arc::new(Metrics::new(max_age));
    let cheat_metrics = Arc::new(Metrics::new(max_age));
    let honest_server = MetricsServer::start("127.0.0.1:0", honest_metrics.clone()).unwrap();
    let cheat_server = MetricsServer::start("127.0.0.1:0", cheat_metrics.clone()).unwrap();
    let mut honest =
        worker(&chain, "p1", &dir.path().join("1"), engine()).with_metrics(honest_metrics);
    let mut other = worker(&chain, "p2", &dir.path().join("2"), engine());
    let mut cfg = config("p3", &dir.path().join("3"));
    cfg.behaviour = Behaviour::Cheat;
    let mut cheat = Worker::new(
        chain.clone() as Arc<dyn Chain + Send + Sync>,
        engine(),
        cfg,
        &specs(),
    )
    .unwrap()
    .with_metrics(cheat_metrics);

    let (code, body) = http_get(honest_server.local_addr(), "/healthz");
    assert_eq!(
        (code, body.as_str()),
        (503, "unhealthy: the chain has not been polled yet\n")
    );

    let p1 = chain.address("p1").unwrap();
    let p3 = chain.address("p3").unwrap();
    let before = (chain.balance(&p1).unwrap(), chain.balance(&p3).unwrap());
    let (id, _) = submit_digits(&chain, 8, 3);
    for _ in 0..6 {
        honest.tick().unwrap();
        other.tick().unwrap();
        cheat.tick().unwrap();
        chain.wait_blocks(1).unwrap();
    }
    honest.tick().unwrap();
    let height = chain.block().unwrap().height;
    let j = job(&chain, id);
    assert_eq!(j.status, JobStatus::Settled);
    let slot = |a: &str| j.slots.iter().find(|s| s.provider.as_str() == a).unwrap();
    assert_eq!(slot(&p1).outcome, Some(SlotOutcome::Agreed));
    assert_eq!(slot(&p3).outcome, Some(SlotOutcome::Outvoted));

    let (code, text) = http_get(honest_server.local_addr(), "/metrics");
    assert_eq!(code, 200);
    let m = samples(&text);
    let earned = chain.balance(&p1).unwrap() - before.0;
    assert!(earned > 0);
    assert_eq!(earned, slot(&p1).paid.u128());
    for (name, value) in [
        ("acn_worker_jobs_assigned_total", 1.0),
        ("acn_worker_jobs_committed_total", 1.0),
        ("acn_worker_jobs_revealed_total", 1.0),
        ("acn_worker_jobs_settled_total", 1.0),
        ("acn_worker_jobs_slashed_total", 0.0),
        ("acn_worker_earnings_base_units_total", earned as f64),
        (
            "acn_worker_model_latency_seconds_count{model=\"digits-mlp-v1\"}",
            1.0,
        ),
        ("acn_worker_chain_height", height as f64),
    ] {
        assert_eq!(m.get(name), Some(&value), "{name} in\n{text}");
    }
    let latency = m["acn_worker_model_latency_seconds_sum{model=\"digits-mlp-v1\"}"];
    assert!(latency > 0.0 && latency < 60.0, "{latency}");
    assert!(text.contains("# TYPE acn_worker_model_latency_seconds histogram"));

    let m = samples(&http_get(cheat_server.local_addr(), "/metrics").1);
    assert_eq!(m["acn_worker_jobs_settled_total"], 0.0);
    assert_eq!(m["acn_worker_jobs_slashed_total"], 1.0);
    assert_eq!(m["acn_worker_earnings_base_units_total"], 0.0);
    assert_eq!(
        chain.balance(&p3).unwrap(),
        before.1,
        "the cheater earned nothing"
    );

    let (code, body) = http_get(honest_server.local_addr(), "/healthz");
    assert_eq!(code, 200, "{body}");
    assert!(
        body.starts_with("ok: last poll of the chain ")
            && body.ends_with(&format!(" s ago (height {height})\n")),
        "{body}"
    );
    // The loop stops polling: unhealthy once the allowed age has passed.
    std::thread::sleep(max_age + Duration::from_millis(200));
    let (code, body) = http_get(honest_server.local_addr(), "/healthz");
    assert_eq!(code, 503);
    assert!(
        body.starts_with("unhealthy: last poll of the chain ")
            && body.ends_with(&format!(" s ago (height {height}), limit 1.5 s\n")),
        "{body}"
    );
    assert_eq!(http_get(honest_server.local_addr(), "/nothing").0, 404);
}

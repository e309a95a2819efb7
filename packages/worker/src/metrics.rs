//! What a running worker reports: Prometheus metrics (OpenMetrics text) and a health check,
//! served over HTTP on the address of the config's `[metrics]` table (or `acn-worker run
//! --metrics-addr`); off unless asked for.
//!
//! - `GET /metrics` — the counters, the model latency histogram and the chain height below.
//! - `GET /healthz` — `200 ok` while the job loop has polled the chain within
//!   `health_max_age_secs`, `503` before its first poll and once polls stop (the chain
//!   unreachable, the loop stuck or ended).

use std::net::SocketAddr;
use std::sync::atomic::{AtomicI64, AtomicU64};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

/// Seconds since the last poll after which `/healthz` answers 503, unless configured.
pub const DEFAULT_HEALTH_MAX_AGE_SECS: u64 = 60;

/// Labels of the model latency histogram.
type ModelLabels = Vec<(&'static str, String)>;
/// Builds one latency histogram per model.
type HistogramFn = fn() -> Histogram;

fn latency_histogram() -> Histogram {
    // 1 ms … ~33 s, doubling: one digit on flex to a large batch on lavapipe.
    Histogram::new(exponential_buckets(0.001, 2.0, 16))
}

/// The worker's metrics and health state; shared by the job loop (which records) and the HTTP
/// server (which reads).
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    jobs_assigned: Counter,
    jobs_committed: Counter,
    jobs_revealed: Counter,
    jobs_settled: Counter,
    jobs_slashed: Counter,
    earnings: Counter,
    model_latency: Family<ModelLabels, Histogram, HistogramFn>,
    chain_height: Gauge<i64, AtomicI64>,
    last_poll_time: Gauge<f64, AtomicU64>,
    last_poll: Mutex<Option<Instant>>,
    health_max_age: Duration,
}

/// The answer of the health check.
#[derive(Clone, Debug, PartialEq)]
pub struct Health {
    /// True when the loop polled the chain within the allowed age.
    pub ok: bool,
    /// Time since the last poll (`None`: not polled yet).
    pub since_last_poll: Option<Duration>,
    /// Last chain height seen.
    pub height: i64,
}

impl Metrics {
    /// Fresh metrics; `/healthz` fails once `health_max_age` passes without a poll.
    pub fn new(health_max_age: Duration) -> Self {
        let mut registry = Registry::with_prefix("acn_worker");
        let jobs_assigned = Counter::default();
        let jobs_committed = Counter::default();
        let jobs_revealed = Counter::default();
        let jobs_settled = Counter::default();
        let jobs_slashed = Counter::default();
        let earnings = Counter::default();
        let model_latency = Family::new_with_constructor(latency_histogram as HistogramFn);
        let chain_height = Gauge::default();
        let last_poll_time = Gauge::default();
        registry.register(
            "jobs_assigned",
            "Jobs the market assigned to this provider, taken into the journal",
            jobs_assigned.clone(),
        );
        registry.register(
            "jobs_committed",
            "Commitments this worker sent",
            jobs_committed.clone(),
        );
        registry.register(
            "jobs_revealed",
            "Reveals this worker sent",
            jobs_revealed.clone(),
        );
        registry.register(
            "jobs_settled",
            "Jobs seen final in which this worker's slot agreed with the majority and was paid",
            jobs_settled.clone(),
        );
        registry.register(
            "jobs_slashed",
            "Jobs seen final in which this worker's slot was slashed (outvoted or missed)",
            jobs_slashed.clone(),
        );
        registry.register(
            "earnings_base_units",
            "Base units (1e-6 token) paid to this provider for the jobs seen final",
            earnings.clone(),
        );
        registry.register(
            "model_latency_seconds",
            "Wall time of one model run (a job's whole batch), by model",
            model_latency.clone(),
        );
        registry.register(
            "chain_height",
            "Last block height the job loop read from the chain",
            chain_height.clone(),
        );
        registry.register(
            "last_poll_timestamp_seconds",
            "Unix time of the job loop's last successful poll of the chain",
            last_poll_time.clone(),
        );
        Metrics {
            registry,
            jobs_assigned,
            jobs_committed,
            jobs_revealed,
            jobs_settled,
            jobs_slashed,
            earnings,
            model_latency,
            chain_height,
            last_poll_time,
            last_poll: Mutex::new(None),
            health_max_age,
        }
    }

    /// The metrics in the OpenMetrics text format (what `/metrics` serves).
    pub fn encode(&self) -> String {
        let mut text = String::new();
        // Writing into a String cannot fail.
        let _ = encode(&mut text, &self.registry);
        text
    }

    /// The health check's answer now.
    pub fn health(&self) -> Health {
        let since_last_poll = self
            .last_poll
            .lock()
            .ok()
            .and_then(|t| *t)
            .map(|t| t.elapsed());
        Health {
            ok: since_last_poll.is_some_and(|age| age <= self.health_max_age),
            since_last_poll,
            height: self.chain_height.get(),
        }
    }

    /// The loop read block `height` from the chain.
    pub(crate) fn polled(&self, height: u64) {
        self.chain_height
            .set(i64::try_from(height).unwrap_or(i64::MAX));
        self.last_poll_time.set(
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0.0, |d| d.as_secs_f64()),
        );
        if let Ok(mut t) = self.last_poll.lock() {
            *t = Some(Instant::now());
        }
    }

    pub(crate) fn assigned(&self) {
        self.jobs_assigned.inc();
    }

    pub(crate) fn committed(&self) {
        self.jobs_committed.inc();
    }

    pub(crate) fn revealed(&self) {
        self.jobs_revealed.inc();
    }

    /// A job is final: count our slot's outcome and what it was paid.
    pub(crate) fn finished(&self, outcome: Option<acn_interface::market::SlotOutcome>, paid: u128) {
        use acn_interface::market::SlotOutcome;
        match outcome {
            Some(SlotOutcome::Agreed) => {
                self.jobs_settled.inc();
            }
            Some(SlotOutcome::Outvoted | SlotOutcome::Missed) => {
                self.jobs_slashed.inc();
            }
            Some(SlotOutcome::NoMajority) | None => {}
        }
        self.earnings
            .inc_by(u64::try_from(paid).unwrap_or(u64::MAX));
    }

    pub(crate) fn model_run(&self, model: &str, took: Duration) {
        self.model_latency
            .get_or_create(&vec![("model", model.to_string())])
            .observe(took.as_secs_f64());
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new(Duration::from_secs(DEFAULT_HEALTH_MAX_AGE_SECS))
    }
}

/// The HTTP server of `/metrics` and `/healthz`, on its own thread; stopped when dropped.
pub struct MetricsServer {
    server: Arc<tiny_http::Server>,
    addr: SocketAddr,
    thread: Option<JoinHandle<()>>,
}

impl MetricsServer {
    /// Listen on `addr` (e.g. `127.0.0.1:9464`; port 0 picks a free one) and serve `metrics`.
    pub fn start(addr: &str, metrics: Arc<Metrics>) -> anyhow::Result<Self> {
        Self::start_with_weights(addr, metrics, None)
    }

    /// [`Self::start`], also serving the trained weights of `store` at `/weights/<sha256>`.
    pub fn start_with_weights(
        addr: &str,
        metrics: Arc<Metrics>,
        store: Option<crate::training::TrainedStore>,
    ) -> anyhow::Result<Self> {
        let server = tiny_http::Server::http(addr)
            .map_err(|e| anyhow::anyhow!("metrics: cannot listen on {addr}: {e}"))?;
        let addr = server
            .server_addr()
            .to_ip()
            .ok_or_else(|| anyhow::anyhow!("metrics: {addr} is not an IP address"))?;
        let server = Arc::new(server);
        let thread = {
            let server = server.clone();
            std::thread::Builder::new()
                .name("metrics-http".into())
                .spawn(move || {
                    for request in server.incoming_requests() {
                        let response =
                            respond(&metrics, store.as_ref(), request.method(), request.url());
                        if let Err(e) = request.respond(response) {
                            tracing::debug!(error = %e, "metrics: response not sent");
                        }
                    }
                })?
        };
        Ok(MetricsServer {
            server,
            addr,
            thread: Some(thread),
        })
    }

    /// The address it listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }
}

impl Drop for MetricsServer {
    fn drop(&mut self) {
        self.server.unblock();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn respond(
    metrics: &Metrics,
    store: Option<&crate::training::TrainedStore>,
    method: &tiny_http::Method,
    url: &str,
) -> tiny_http::Response<std::io::Cursor<Vec<u8>>> {
    let with_type =
        |response: tiny_http::Response<_>, value: &str| match tiny_http::Header::from_bytes(
            &b"Content-Type"[..],
            value.as_bytes(),
        ) {
            Ok(header) => response.with_header(header),
            Err(()) => response,
        };
    let text = |code: u16, body: String| {
        with_type(
            tiny_http::Response::from_string(body).with_status_code(code),
            "text/plain; charset=utf-8",
        )
    };
    if *method != tiny_http::Method::Get {
        return text(405, "only GET\n".into());
    }
    match url.split('?').next().unwrap_or("") {
        "/metrics" => with_type(
            tiny_http::Response::from_string(metrics.encode()),
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        ),
        "/healthz" => {
            let h = metrics.health();
            match h.since_last_poll {
                None => text(503, "unhealthy: the chain has not been polled yet\n".into()),
                Some(age) if !h.ok => text(
                    503,
                    format!(
                        "unhealthy: last poll of the chain {:.1} s ago (height {}), limit {} s\n",
                        age.as_secs_f64(),
                        h.height,
                        metrics.health_max_age.as_secs_f64()
                    ),
                ),
                Some(age) => text(
                    200,
                    format!(
                        "ok: last poll of the chain {:.1} s ago (height {})\n",
                        age.as_secs_f64(),
                        h.height
                    ),
                ),
            }
        }
        path if path.starts_with("/weights/") => {
            match store.and_then(|s| s.get(&path["/weights/".len()..])) {
                Some(bytes) => with_type(
                    tiny_http::Response::from_data(bytes),
                    "application/octet-stream",
                ),
                None => text(404, "no trained weights with this sha256 here\n".into()),
            }
        }
        _ => text(404, "not found: try /metrics or /healthz\n".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn health_is_503_before_a_poll_and_after_the_allowed_age() {
        let m = Metrics::new(Duration::from_millis(50));
        assert!(!m.health().ok);
        m.polled(7);
        let h = m.health();
        assert!(h.ok);
        assert_eq!(h.height, 7);
        std::thread::sleep(Duration::from_millis(80));
        assert!(!m.health().ok);
    }

    #[test]
    fn the_text_format_names_every_metric() {
        let m = Metrics::default();
        m.assigned();
        m.finished(Some(acn_interface::market::SlotOutcome::Agreed), 1_500);
        m.model_run("digits-mlp-v1", Duration::from_millis(3));
        let text = m.encode();
        for line in [
            "acn_worker_jobs_assigned_total 1",
            "acn_worker_jobs_committed_total 0",
            "acn_worker_jobs_settled_total 1",
            "acn_worker_jobs_slashed_total 0",
            "acn_worker_earnings_base_units_total 1500",
            "acn_worker_model_latency_seconds_count{model=\"digits-mlp-v1\"} 1",
            "acn_worker_chain_height 0",
        ] {
            assert!(text.lines().any(|l| l == line), "{line} missing in\n{text}");
        }
    }
}

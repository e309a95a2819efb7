//! The worker's TOML configuration.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

pub use acn_models::Backend;

/// How the worker computes outputs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Behaviour {
    /// Report what the model computes.
    #[default]
    Honest,
    /// Demo only: report a deliberately wrong output (to show slashing).
    Cheat,
}

/// Where the worker's chain is (a wasmd node), for `acn-worker run`.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ChainConfig {
    /// CometBFT RPC endpoint, e.g. `http://127.0.0.1:26657`.
    pub rpc: String,
    /// Accounts file (name → mnemonic) holding the worker's key, e.g.
    /// `scripts/localnet-accounts.json`.
    pub accounts: PathBuf,
    /// Deployment JSON written by `acn deploy` (contract addresses and code ids).
    pub deployment: PathBuf,
    /// Seconds to wait for a broadcast transaction to be in a block before giving up on it (a
    /// transaction lost with a restarting node's mempool must not stall the worker for long;
    /// the journal and the chain tell what happened to it).
    #[serde(default = "default_tx_timeout")]
    pub tx_timeout_secs: u64,
}

fn default_tx_timeout() -> u64 {
    15
}

/// The running worker's `/metrics` and `/healthz` HTTP endpoints (`[metrics]` table; without
/// it, and without `acn-worker run --metrics-addr`, nothing is served).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct MetricsConfig {
    /// Address to listen on (default `127.0.0.1:9464`). Listen on `0.0.0.0` only behind a
    /// firewall: the endpoints have no authentication.
    #[serde(default = "default_metrics_listen")]
    pub listen: String,
    /// `/healthz` answers 503 once the job loop has not polled the chain for this many seconds.
    #[serde(default = "default_health_max_age")]
    pub health_max_age_secs: u64,
    /// The URL buyers reach this server at (`http(s)://host:port`), registered on chain as the
    /// provider's endpoint: buyers fetch the weights of its training jobs from
    /// `<endpoint>/weights/<sha256>`. `None`: not registered.
    #[serde(default)]
    pub endpoint: Option<String>,
}

/// The address the metrics endpoints listen on unless configured.
pub const DEFAULT_METRICS_LISTEN: &str = "127.0.0.1:9464";

fn default_metrics_listen() -> String {
    DEFAULT_METRICS_LISTEN.into()
}
fn default_health_max_age() -> u64 {
    crate::metrics::DEFAULT_HEALTH_MAX_AGE_SECS
}

impl MetricsConfig {
    /// Serve on `listen` with the default health age.
    pub fn on(listen: &str) -> Self {
        MetricsConfig {
            listen: listen.into(),
            health_max_age_secs: default_health_max_age(),
            endpoint: None,
        }
    }

    /// Check the values.
    pub fn check(&self) -> anyhow::Result<()> {
        self.listen
            .parse::<std::net::SocketAddr>()
            .map_err(|e| {
                anyhow::anyhow!(
                    "metrics.listen: expected an IP address and port such as 127.0.0.1:9464, got {:?} ({e})",
                    self.listen
                )
            })?;
        anyhow::ensure!(
            self.health_max_age_secs >= 1,
            "metrics.health_max_age_secs: expected a whole number of seconds of at least 1, got 0"
        );
        if let Some(endpoint) = &self.endpoint {
            anyhow::ensure!(
                (endpoint.starts_with("http://") || endpoint.starts_with("https://"))
                    && !endpoint.contains(char::is_whitespace),
                "metrics.endpoint: expected an http:// or https:// URL, got {endpoint:?}"
            );
        }
        Ok(())
    }
}

/// Worker configuration (TOML).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkerConfig {
    /// Account (key name) the worker signs with.
    pub account: String,
    /// Backend.
    #[serde(default)]
    pub backend: Backend,
    /// Model ids to serve (each in the registry).
    pub models: Vec<String>,
    /// Path of the model registry (registry.json).
    pub registry: PathBuf,
    /// Directory of the weights files; defaults to `weights/` beside the registry.
    #[serde(default)]
    pub weights_dir: Option<PathBuf>,
    /// Path of the journal file.
    pub journal: PathBuf,
    /// Most newly assigned jobs taken per pass (the rest are taken on the next passes, while
    /// their commit window is open).
    #[serde(default = "default_capacity")]
    pub capacity: usize,
    /// Milliseconds between polls when idle.
    #[serde(default = "default_poll_ms")]
    pub poll_interval_ms: u64,
    /// Lowest unit price the worker works for (registered on chain; the market assigns this
    /// provider only jobs that pay at least this).
    #[serde(default)]
    pub min_unit_price: u128,
    /// Retries of a transient chain error before giving up on a call (exponential backoff).
    #[serde(default = "default_retries")]
    pub max_retries: u32,
    /// Honest (default) or a demo cheater.
    #[serde(default)]
    pub behaviour: Behaviour,
    /// The chain to work on (`[chain]` table); needed by `acn-worker run`.
    #[serde(default)]
    pub chain: Option<ChainConfig>,
    /// Serve `/metrics` and `/healthz` while running (`[metrics]` table); `None`: off.
    #[serde(default)]
    pub metrics: Option<MetricsConfig>,
    /// Where the weights of training jobs are kept (and served from); defaults to the
    /// journal's path with the extension `trained` (e.g. `p1.trained/` beside `p1.journal`).
    #[serde(default)]
    pub trained_dir: Option<PathBuf>,
}

fn default_capacity() -> usize {
    4
}
fn default_poll_ms() -> u64 {
    500
}
fn default_retries() -> u32 {
    6
}

impl WorkerConfig {
    /// Read and check a TOML file.
    pub fn load(path: &Path) -> anyhow::Result<Self> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| anyhow::anyhow!("cannot read config {}: {e}", path.display()))?;
        let config: WorkerConfig = toml::from_str(&text)
            .map_err(|e| anyhow::anyhow!("invalid config {}: {e}", path.display()))?;
        config.check()?;
        Ok(config)
    }

    /// Check values a TOML parser cannot.
    pub fn check(&self) -> anyhow::Result<()> {
        anyhow::ensure!(!self.account.is_empty(), "account must not be empty");
        anyhow::ensure!(!self.models.is_empty(), "serve at least one model");
        anyhow::ensure!(self.capacity >= 1, "capacity must be at least 1");
        if let Some(metrics) = &self.metrics {
            metrics.check()?;
        }
        Ok(())
    }

    /// The trained weights directory.
    pub fn trained_dir(&self) -> PathBuf {
        self.trained_dir
            .clone()
            .unwrap_or_else(|| self.journal.with_extension("trained"))
    }

    /// The weights directory.
    pub fn weights_dir(&self) -> PathBuf {
        self.weights_dir.clone().unwrap_or_else(|| {
            self.registry
                .parent()
                .unwrap_or_else(|| Path::new("."))
                .join("weights")
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_minimal_config_with_defaults() {
        let c: WorkerConfig = toml::from_str(
            r#"
            account = "provider-1"
            models = ["digits-mlp-v1"]
            registry = "packages/models/registry.json"
            journal = "/var/lib/acn/p1.journal"
            "#,
        )
        .unwrap();
        c.check().unwrap();
        assert_eq!(c.backend, Backend::Wgpu);
        assert_eq!(c.capacity, 4);
        assert_eq!(c.behaviour, Behaviour::Honest);
        assert_eq!(c.weights_dir(), PathBuf::from("packages/models/weights"));
        assert_eq!(c.chain, None);
        assert_eq!(c.metrics, None);
    }

    #[test]
    fn parses_a_metrics_table_and_checks_its_address() {
        let text = |listen: &str| {
            format!(
                r#"
                account = "provider-1"
                models = ["digits-mlp-v1"]
                registry = "r"
                journal = "j"
                [metrics]
                {listen}
                "#
            )
        };
        let c: WorkerConfig = toml::from_str(&text("")).unwrap();
        c.check().unwrap();
        assert_eq!(
            c.metrics,
            Some(MetricsConfig {
                listen: "127.0.0.1:9464".into(),
                health_max_age_secs: 60,
                endpoint: None,
            })
        );
        let c: WorkerConfig = toml::from_str(&text(r#"listen = "localhost""#)).unwrap();
        let err = c.check().unwrap_err().to_string();
        assert!(
            err.starts_with("metrics.listen: expected an IP address and port such as 127.0.0.1:9464, got \"localhost\""),
            "{err}"
        );
    }

    #[test]
    fn parses_a_chain_table() {
        let c: WorkerConfig = toml::from_str(
            r#"
            account = "provider-1"
            models = ["digits-mlp-v1"]
            registry = "packages/models/registry.json"
            journal = "p1.journal"
            [chain]
            rpc = "http://127.0.0.1:26657"
            accounts = "scripts/localnet-accounts.json"
            deployment = ".localnet/deployment.json"
            "#,
        )
        .unwrap();
        let chain = c.chain.unwrap();
        assert_eq!(chain.rpc, "http://127.0.0.1:26657");
        assert_eq!(chain.deployment, PathBuf::from(".localnet/deployment.json"));
        assert_eq!(chain.tx_timeout_secs, 15);
    }

    #[test]
    fn unknown_keys_are_refused() {
        let err = toml::from_str::<WorkerConfig>(
            r#"
            account = "p"
            models = ["m"]
            registry = "r"
            journal = "j"
            gpu = "yes"
            "#,
        )
        .unwrap_err();
        assert!(err.to_string().contains("unknown field"), "{err}");
    }
}

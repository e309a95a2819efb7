//! The ACN provider worker: polls the market for jobs it can serve, runs the model with burn,
//! commits `sha256(output ‖ salt ‖ address)`, reveals after the commit phase and follows
//! settlement. A fsync'd journal records each job's stage and salt, so a worker killed at any
//! point resumes without losing a salt, committing twice, or revealing anything it did not compute.

pub mod config;
pub mod executor;
pub mod journal;
pub mod keeper;
pub mod metrics;
pub mod provider;
pub mod status;
pub mod training;
pub mod units;
pub mod worker;

pub use config::{Behaviour, MetricsConfig, WorkerConfig};
pub use executor::{validate_input, Executor};
pub use journal::{Durability, Entry, Journal, Stage};
pub use metrics::{Health, Metrics, MetricsServer};
pub use worker::{Earnings, TickReport, Worker};

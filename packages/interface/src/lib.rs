//! The one interface crate of ACN: every contract's messages, responses and shared types.
//!
//! Contracts re-export their module from here; clients (the CLI, the worker, the tests) import
//! this crate only, so a message used by two parties is defined once.

pub mod agents;
pub mod buyback;
pub mod common;
pub mod dao;
pub mod emissions;
pub mod lifecycle;
pub mod market;
pub mod market_view;
pub mod moderation;
pub mod oracle;
pub mod pool;
pub mod staking;
pub mod subscriptions;
pub mod token;
pub mod training;
pub mod treasury;

pub use common::{bps_of, Bps, BPS_DENOMINATOR};

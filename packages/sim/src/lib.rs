//! ACN tokenomics: the genesis config and its deployment on the embedded chain, and a simulator
//! that drives the real contracts day by day under an adoption scenario — buyers paying in USD,
//! the token's price set by the ACN / USD pool and moved by buybacks and trades — checks
//! conservation every day, and writes a CSV and plots.

pub mod config;
pub mod deploy;
pub mod engine;
pub mod pool;
pub mod report;
pub mod traders;
pub mod wash;

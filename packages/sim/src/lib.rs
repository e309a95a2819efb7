//! ACN tokenomics: the genesis config and its deployment, and a simulator that drives the real
//! contracts day by day under an adoption scenario — buyers paying in USD, the token's price set
//! by the ACN / USD pool and moved by buybacks and trades — checks conservation every day, and
//! writes a CSV and plots. It drives the contracts only through the chain trait
//! ([`acn_client::Chain`], see [`chain`]), so the same simulation runs on the embedded chain (the
//! default: years in minutes) and on a wasmd node (a few scaled-down days).

pub mod chain;
pub mod config;
pub mod deploy;
pub mod engine;
pub mod pool;
pub mod report;
pub mod traders;
pub mod wash;
pub mod work;

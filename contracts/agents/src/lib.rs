//! The agent registry (Agent Forge, `acn_interface::agents`): developers publish versioned,
//! immutable pipelines of market models, validated step by step against the market's model
//! specs at publish time.

/// Entry points.
pub mod contract;
/// The contract's errors.
pub mod error;
/// `Publish` and its checks.
pub mod publish;
/// Storage layout.
pub mod state;

/// The messages (from `acn-interface`).
pub use acn_interface::agents as msg;
pub use error::ContractError;

//! The agent registry (Agent Forge, `acn_interface::agents`): developers publish versioned,
//! immutable pipelines of market models, validated step by step against the market's model
//! specs at publish time, and runs them step by step as market jobs paid from one escrow.

/// Entry points.
pub mod contract;
/// The contract's errors.
pub mod error;
/// `Publish` and its checks.
pub mod publish;
/// Agent runs: `Run`, the market's `ReceiveResult`, `Advance`, `Cancel`.
pub mod runs;
/// Storage layout.
pub mod state;

/// The messages (from `acn-interface`).
pub use acn_interface::agents as msg;
pub use error::ContractError;

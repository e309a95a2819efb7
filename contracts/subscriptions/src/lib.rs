//! The subscriptions contract (`acn_interface::subscriptions`): recurring market jobs or agent
//! runs (bought from the agent registry, with a run callback) paid from
//! a prepaid balance in the market's stable asset. Keepers start due runs (`Trigger`, paid a
//! governed reward from the balance); each run is a market job this contract buys with a result
//! callback to itself, which records the outcome and credits the market's refund. Due
//! subscriptions sit in a queue ordered by due time, so no transaction loops over them.

/// `Agent` targets: checks, escrow, the registry's `Run` and its result.
pub mod agent;
/// Entry points and dispatch.
pub mod contract;
/// The contract's errors.
pub mod error;
/// `Create`, `TopUp`, `Cancel`.
pub mod manage;
/// `Trigger`, the market's submission reply and its result callback.
pub mod run;
/// Storage layout.
pub mod state;

/// The messages (from `acn-interface`).
pub use acn_interface::subscriptions as msg;
pub use error::ContractError;

//! ACN governance: cw3-flex-multisig 2.0 (cw-plus, `library` feature) as the engine, wrapped in
//! this crate's own entry points with the timing of mature governors: a voting delay, a fixed
//! voting period, one snapshot height for every weight and the total, a timelock between the end
//! of voting and execution, and an execution window after which a passed proposal lapses.
//!
//! The staking contract is the cw4 group: voting weight = bonded stake, read at the start of
//! each proposal's start height. See [`acn_interface::dao`] for the messages and the rules.

pub mod contract;
pub mod error;
pub mod governor;
pub mod state;

pub use acn_interface::dao as msg;
pub use error::ContractError;

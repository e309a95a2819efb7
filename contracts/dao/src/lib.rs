//! ACN governance: cw3-flex-multisig 2.0 (cw-plus, `library` feature) exposed as this crate's
//! own entry points, so it builds to wasm in this workspace, plus a cw2-checked `migrate`.
//!
//! The staking contract is the cw4 group: voting weight = bonded stake, read at each proposal's
//! start height. See [`acn_interface::dao`] for the messages and the voting rule.

pub mod contract;

pub use acn_interface::dao as msg;
pub use cw3_flex_multisig::ContractError;

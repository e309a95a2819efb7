//! The ACN treasury: takes protocol fees through CW20 `Send` (`Deposit {}`), splits them with a
//! permissionless `Distribute {}` (burn / stakers / kept / executor), spends the reserve on the
//! owner's (DAO's) order and locks allocations into linear vesting schedules with a cliff.
//!
//! Reserve accounting: `spendable = token balance − pending − vesting_locked`; tokens that arrive
//! by plain `Transfer` (e.g. the genesis allocation) are simply part of the reserve.

pub mod config;
pub mod contract;
pub mod deposit;
pub mod distribute;
pub mod error;
pub mod queries;
pub mod spend;
pub mod state;
pub mod vesting;

pub use acn_interface::treasury as msg;
pub use error::ContractError;

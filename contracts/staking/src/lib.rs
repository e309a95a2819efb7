//! ACN staking contract (being written).
pub mod contract;
pub use acn_interface::staking as msg;

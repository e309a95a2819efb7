//! ACN treasury contract (being written).
pub mod contract;
pub use acn_interface::treasury as msg;

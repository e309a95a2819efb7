//! ACN market contract (being written).
pub mod contract;
pub use acn_interface::market as msg;

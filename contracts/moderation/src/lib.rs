//! The moderation contract: the example consumer of the market's result callbacks
//! (`acn_interface::moderation`). It submits one text-classification job per request as the
//! job's buyer, asking for a callback, and acts on the result the market delivers: records the
//! label and whether it is flagged, or forwards the refund of a job that ended without a result.

/// Entry points.
pub mod contract;
/// The contract's errors.
pub mod error;
/// Storage layout.
pub mod state;

/// The messages (from `acn-interface`).
pub use acn_interface::moderation as msg;
pub use error::ContractError;

//! The ACN price oracle: a TWAP of ACN in the stable asset from the cumulative prices of an
//! Astroport-compatible pair (`acn_interface::oracle`).
//!
//! It is its own small contract, not part of the buyback vault, because two contracts need the
//! same price: the vault (a buy must execute near the TWAP) and the market (ACN payments at the
//! TWAP of a USD price), and because a chain with a real Astroport pair points it at that pair
//! without touching either of them.

/// Entry points.
pub mod contract;
/// The contract's errors.
pub mod error;
/// Storage layout.
pub mod state;
/// Observations and the TWAP.
pub mod twap;

/// The messages (from `acn-interface`).
pub use acn_interface::oracle as msg;
pub use error::ContractError;

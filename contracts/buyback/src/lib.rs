//! The buyback vault (`acn_interface::buyback`): protocol fees in the stable asset are spent
//! on ACN through the pool by a permissionless `Buyback {}`, guarded by the oracle's TWAP, the
//! pool's spot price, a size per buy, an interval and a daily cap; every ACN the vault holds
//! (bought, or paid as fees in ACN) is split into burn / community treasury / caller.

/// Deposits, the buy and the split.
pub mod buyback;
/// Entry points.
pub mod contract;
/// The contract's errors.
pub mod error;
/// Storage layout.
pub mod state;

/// The messages (from `acn-interface`).
pub use acn_interface::buyback as msg;
pub use error::ContractError;

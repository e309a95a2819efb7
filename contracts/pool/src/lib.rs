//! The ACN / stable pool: a constant-product (x · y = k) pair of the ACN CW20 and a native
//! stable denom that speaks the Astroport pair interface (`acn_interface::pool`).
//!
//! Reserves are kept in the contract's state, not read from balances: tokens sent to the pool
//! outside its messages are not part of the pool and cannot be used to move its price. The
//! fee stays in the reserves, so it accrues to the liquidity providers' shares. Every change of
//! the reserves first adds the time since the last change × the price before it to the
//! cumulative prices (Uniswap v2's rule), so a price moved inside one block weighs nothing in
//! a TWAP read from them.

/// Entry points.
pub mod contract;
/// The contract's errors.
pub mod error;
/// Attached funds and transfers out of the pool.
pub mod funds;
/// Deposits and withdrawals.
pub mod liquidity;
/// The constant-product curve.
pub mod math;
/// Queries.
pub mod queries;
/// Storage layout.
pub mod state;
/// Swaps.
pub mod swap;

/// The messages (from `acn-interface`).
pub use acn_interface::pool as msg;
pub use error::ContractError;

//! The ACN token: cw20-base used as a library, with a minter capped by the token's own cap (on
//! everything ever minted, kept apart from cw20-base's `MinterData` so it survives any
//! `UpdateMinter`),
//! genesis balances at instantiation, a cw-ownable owner that may replace the minter, cw2
//! versioning and a `migrate` entry point.

pub mod contract;
pub mod error;
pub mod state;

pub use acn_interface::token as msg;
pub use error::ContractError;

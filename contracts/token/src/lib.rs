//! The ACN token: cw20-base used as a library, with a capped minter (cap = max supply),
//! genesis balances at instantiation, a cw-ownable owner that may replace the minter, cw2
//! versioning and a `migrate` entry point.

pub mod contract;
pub mod error;

pub use acn_interface::token as msg;
pub use error::ContractError;

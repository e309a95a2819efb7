//! The ACN emissions contract ("compute mining"): the token's minter for everything beyond the
//! genesis supply. Each epoch releases part of a fixed pool on a decaying schedule (halving or
//! exponential); providers share an epoch's release in proportion to the compute units the market
//! reported as settled and agreed for them in that epoch. An optional share goes to stakers.
//!
//! Every claim and every work report does constant work (see `acn_interface::emissions`).

pub mod contract;
pub mod error;
pub mod params;
pub mod queries;
pub mod state;
pub mod work;

pub use acn_interface::emissions as msg;
pub use error::ContractError;

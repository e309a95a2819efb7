//! The ACN emissions contract ("compute mining"): a pool moved here from the community treasury's
//! allocation at genesis (nothing is minted), released per epoch to providers in proportion to the
//! protocol fees their settled, verified work paid, each epoch capped by those fees. An optional
//! share goes to stakers.
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

//! The ACN compute market: a model registry, a provider registry, jobs paid into escrow through a
//! CW20 `Send`, commit–reveal of results, an agreement check, settlement that pays the agreeing
//! majority, slashing of outliers and no-shows through staking, refunds, disputes the owner (DAO)
//! resolves, and a dynamic unit price.

pub mod audit;
pub mod callback;
pub mod contract;
pub mod emissions;
pub mod error;
pub mod helpers;
pub mod jobs;
pub mod models;
pub mod payment;
pub mod pricing;
pub mod providers;
pub mod queries;
pub mod risk;
pub mod selection;
pub mod settle;
pub mod state;
pub mod validation;

pub use acn_interface::market as msg;
pub use error::ContractError;

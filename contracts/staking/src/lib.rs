//! ACN staking: bond the ACN token by CW20 `Send`, unbond through a cooldown into
//! `cw_controllers::Claims`, get slashed (bonded stake first, then unbonding claims), earn reward
//! rounds streamed over a governed `reward_duration` through an O(1) reward-per-token index that
//! accrues with time, and vote with bonded weight through the cw4 group interface so a
//! cw3-flex-multisig can use this contract as its group.

pub mod bond;
pub mod config;
pub mod contract;
pub mod cw4;
pub mod error;
pub mod queries;
pub mod rewards;
pub mod slash;
pub mod state;
pub mod unbond;

pub use acn_interface::staking as msg;
pub use error::ContractError;

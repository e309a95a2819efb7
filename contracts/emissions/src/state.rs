//! Storage layout of the emissions contract.

use acn_interface::emissions::EmissionParams;
use cosmwasm_schema::cw_serde;
use cosmwasm_std::{Addr, Timestamp, Uint128};
use cw_storage_plus::{Item, Map};

/// Addresses, the pool, the epoch clock and the parameters.
#[cw_serde]
pub struct Config {
    /// The CW20 this contract mints (it must be the token's minter).
    pub token: Addr,
    /// The market allowed to report work.
    pub market: Option<Addr>,
    /// Staking contract receiving the stakers' share.
    pub staking: Option<Addr>,
    /// Most this contract may ever mint.
    pub pool: Uint128,
    /// Epoch length in seconds (fixed at instantiation).
    pub epoch_seconds: u64,
    /// Start of epoch 0.
    pub genesis_time: Timestamp,
    /// Owner-changeable schedule and shares.
    pub params: EmissionParams,
}

/// Lifetime totals.
#[cw_serde]
#[derive(Default)]
pub struct Totals {
    /// Sum of the releases of started epochs (never above the pool).
    pub allocated: Uint128,
    /// Minted to providers by `Claim`.
    pub minted_to_providers: Uint128,
    /// Minted to stakers when epochs started.
    pub minted_to_stakers: Uint128,
    /// Units recorded over all epochs.
    pub units: Uint128,
}

/// One started epoch: its release is fixed when its first work is recorded.
#[cw_serde]
pub struct Epoch {
    /// Part of the release shared by the epoch's providers.
    pub provider_release: Uint128,
    /// Part of the release minted to stakers.
    pub staker_release: Uint128,
    /// Units recorded in the epoch.
    pub units: Uint128,
}

/// A provider's record: its open epoch and what it accrued from closed ones.
#[cw_serde]
#[derive(Default)]
pub struct ProviderState {
    /// The last epoch the provider recorded work in (its open epoch).
    pub epoch: u64,
    /// Units in the open epoch.
    pub units: u64,
    /// Earned in closed epochs and not yet claimed.
    pub accrued: Uint128,
    /// Minted to the provider so far.
    pub claimed: Uint128,
}

/// The configuration.
pub const CONFIG: Item<Config> = Item::new("config");
/// Lifetime totals.
pub const TOTALS: Item<Totals> = Item::new("totals");
/// Started epochs by index.
pub const EPOCHS: Map<u64, Epoch> = Map::new("epochs");
/// Provider records by address.
pub const PROVIDERS: Map<&Addr, ProviderState> = Map::new("providers");

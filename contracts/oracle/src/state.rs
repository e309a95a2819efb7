//! Storage layout of the oracle.

use acn_interface::oracle::{Observation, OracleParams};
use acn_interface::pool::AssetInfo;
use cosmwasm_schema::cw_serde;
use cosmwasm_std::Addr;
use cw_storage_plus::{Item, Map};

/// The oracle's configuration.
#[cw_serde]
pub struct Config {
    /// The pair.
    pub pair: Addr,
    /// The asset priced.
    pub base: AssetInfo,
    /// The asset it is priced in.
    pub quote: AssetInfo,
    /// The parameters.
    pub params: OracleParams,
}

/// The configuration.
pub const CONFIG: Item<Config> = Item::new("config");
/// The ring of observations by slot (0 ..= MAX_OBSERVATIONS − 1).
pub const OBSERVATIONS: Map<u32, Observation> = Map::new("observations");
/// Number of observations ever recorded (the next slot is `count % MAX_OBSERVATIONS`).
pub const COUNT: Item<u64> = Item::new("count");

use cosmwasm_std::Addr;
use cw_storage_plus::{Item, Map};

use acn_interface::agents::{AgentParams, AgentResponse};

/// The market whose models the steps name.
pub const MARKET: Item<Addr> = Item::new("market");
/// The parameters.
pub const PARAMS: Item<AgentParams> = Item::new("params");
/// Every published version, by (agent id, version): written once, never changed.
pub const VERSIONS: Map<(&str, u32), AgentResponse> = Map::new("versions");
/// The latest version of each agent (its version count).
pub const LATEST: Map<&str, u32> = Map::new("latest");

use cosmwasm_std::Addr;
use cw_storage_plus::{Item, Map};

use acn_interface::agents::{AgentParams, AgentResponse, RunResponse};

/// The market whose models the steps name.
pub const MARKET: Item<Addr> = Item::new("market");
/// The parameters.
pub const PARAMS: Item<AgentParams> = Item::new("params");
/// Every published version, by (agent id, version): written once, never changed.
pub const VERSIONS: Map<(&str, u32), AgentResponse> = Map::new("versions");
/// The latest version of each agent (its version count).
pub const LATEST: Map<&str, u32> = Map::new("latest");

/// Last run id given out (ids start at 1).
pub const RUN_SEQ: Item<u64> = Item::new("run_seq");
/// Every run, by id.
pub const RUNS: Map<u64, RunResponse> = Map::new("runs");
/// Runs by buyer: (buyer, run id).
pub const BUYER_RUNS: Map<(&Addr, u64), ()> = Map::new("buyer_runs");
/// The run and step index of each market job the registry bought.
pub const JOB_STEPS: Map<u64, (u64, u32)> = Map::new("job_steps");

use cosmwasm_std::Addr;
use cw_storage_plus::{Item, Map};

use acn_interface::moderation::{ConfigResponse, RequestResponse};

/// The configuration as stored is the configuration the query returns.
pub type Config = ConfigResponse;
/// A request as stored is the request the queries return.
pub type Request = RequestResponse;

/// Configuration.
pub const CONFIG: Item<Config> = Item::new("config");
/// Requests by market job id.
pub const REQUESTS: Map<u64, Request> = Map::new("requests");
/// The request being submitted (requester, text), between `Moderate` and the market's reply
/// that names its job id.
pub const SUBMITTING: Item<(Addr, String)> = Item::new("submitting");

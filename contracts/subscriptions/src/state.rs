use cosmwasm_std::{Addr, Uint128};
use cw_storage_plus::{Item, Map};
use serde::{Deserialize, Serialize};

use acn_interface::subscriptions::{Params, RunRecord, SubscriptionResponse, TotalsResponse};

/// The market and the stable denom balances are held in.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Config {
    /// The market.
    pub market: Addr,
    /// The market's stable denom.
    pub denom: String,
    /// The agent registry agent subscriptions run on, if any.
    #[serde(default)]
    pub agents: Option<Addr>,
}

/// A subscription as stored is the subscription the queries return.
pub type Subscription = SubscriptionResponse;

/// A `Trigger`'s submission, carried to the market's reply as the submessage's payload.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Triggering {
    /// Subscription id.
    pub id: u64,
    /// The caller, paid the reward when the submission succeeds.
    pub keeper: Addr,
    /// The market's quote, sent with the submission.
    pub price: Uint128,
    /// The keeper reward.
    pub reward: Uint128,
}

/// Configuration.
pub const CONFIG: Item<Config> = Item::new("config");
/// Governed parameters.
pub const PARAMS: Item<Params> = Item::new("params");
/// The last subscription id given out.
pub const LAST_ID: Item<u64> = Item::new("last_id");
/// Subscriptions by id.
pub const SUBSCRIPTIONS: Map<u64, Subscription> = Map::new("subscriptions");
/// Index of subscriptions by owner.
pub const BY_OWNER: Map<(&Addr, u64), ()> = Map::new("by_owner");
/// The due queue: (due time in seconds, subscription id). A subscription is in it exactly when
/// it is active with no run in flight.
pub const QUEUE: Map<(u64, u64), ()> = Map::new("queue");
/// Subscription id by the market job of its run in flight.
pub const JOBS: Map<u64, u64> = Map::new("jobs");
/// Subscription id by the registry's agent run in flight.
pub const AGENT_RUNS: Map<u64, u64> = Map::new("agent_runs");
/// Runs by (subscription id, run number).
pub const RUNS: Map<(u64, u64), RunRecord> = Map::new("runs");
/// Totals.
pub const TOTALS: Item<TotalsResponse> = Item::new("totals");

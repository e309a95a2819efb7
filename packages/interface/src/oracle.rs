//! Oracle: a time-weighted average price (TWAP) of ACN in the stable asset, read from the
//! cumulative prices of an Astroport-compatible pair (our pool, or a real Astroport pair).
//!
//! `Update {}` (anyone; the buyback vault calls it after every buy) records the pair's
//! cumulative price at most once per `window / 8`, in a ring of [`MAX_OBSERVATIONS`]. `Twap {}`
//! takes the newest observation at least `window` old and the pair's cumulative price now:
//! TWAP = Δcumulative / Δt. A pair whose reserves have not changed for a whole window (its
//! `block_time_last` at least `window` old) has that window's average equal to its spot price,
//! which is served as is. It refuses a pool thinner than the minimum reserves, and, after a
//! recent trade, a window not yet observed or an observation older than `window +
//! max_staleness` (nobody updated).

use cosmwasm_schema::{cw_serde, QueryResponses};
use cosmwasm_std::{Addr, Decimal, Uint128};
use cw_ownable::{cw_ownable_execute, cw_ownable_query};

use crate::pool::AssetInfo;

/// Default TWAP window: 30 minutes.
pub const DEFAULT_WINDOW: u64 = 1_800;
/// Shortest window the owner may set: 1 minute.
pub const MIN_WINDOW: u64 = 60;
/// Longest window the owner may set: 1 day.
pub const MAX_WINDOW: u64 = 86_400;
/// Observations kept (a ring); with one per `window / 8` they cover 4 windows.
pub const MAX_OBSERVATIONS: u32 = 32;

/// The oracle's governed parameters.
#[cw_serde]
pub struct OracleParams {
    /// TWAP window in seconds ([`MIN_WINDOW`] ..= [`MAX_WINDOW`]).
    pub window: u64,
    /// Seconds an observation may be older than `window` before the TWAP is stale
    /// (≤ 2 × window).
    pub max_staleness: u64,
    /// Smallest reserve of the quote (stable) asset for a price, base units.
    pub min_quote_reserve: Uint128,
    /// Smallest reserve of the base (ACN) asset for a price, base units.
    pub min_base_reserve: Uint128,
}

impl Default for OracleParams {
    /// 30-minute window, stale 30 minutes after that, at least 1 000 stable and 1 000 ACN in
    /// the pool (6 decimals).
    fn default() -> Self {
        OracleParams {
            window: DEFAULT_WINDOW,
            max_staleness: DEFAULT_WINDOW,
            min_quote_reserve: Uint128::new(1_000_000_000),
            min_base_reserve: Uint128::new(1_000_000_000),
        }
    }
}

/// Creates the oracle.
#[cw_serde]
pub struct InstantiateMsg {
    /// Owner (cw-ownable, later the DAO): may change the parameters.
    pub owner: Option<String>,
    /// The pair (Astroport pair interface).
    pub pair: String,
    /// The asset priced (ACN).
    pub base: AssetInfo,
    /// The asset it is priced in (the stable).
    pub quote: AssetInfo,
    /// Parameters; defaults to [`OracleParams::default`].
    pub params: Option<OracleParams>,
}

/// Execute messages of the oracle.
#[cw_ownable_execute]
#[cw_serde]
pub enum ExecuteMsg {
    /// Anyone: record the pair's cumulative price (a no-op within `window / 8` of the last).
    Update {},
    /// Owner only: new parameters (bounded).
    UpdateParams {
        /// The parameters.
        params: OracleParams,
    },
}

/// Query messages of the oracle.
#[cw_ownable_query]
#[cw_serde]
#[derive(QueryResponses)]
pub enum QueryMsg {
    /// Pair, assets and parameters.
    #[returns(ConfigResponse)]
    Config {},
    /// The TWAP over the last window (an error when stale, not ready or too thin).
    #[returns(TwapResponse)]
    Twap {},
    /// The recorded observations, oldest first.
    #[returns(Vec<Observation>)]
    Observations {},
}

/// Pair, assets and parameters.
#[cw_serde]
pub struct ConfigResponse {
    /// The pair.
    pub pair: Addr,
    /// The asset priced.
    pub base: AssetInfo,
    /// The asset it is priced in.
    pub quote: AssetInfo,
    /// The parameters.
    pub params: OracleParams,
}

/// One recorded cumulative price.
#[cw_serde]
pub struct Observation {
    /// Block time, seconds.
    pub time: u64,
    /// The pair's cumulative price of base in quote at that time.
    pub cumulative: Uint128,
}

/// A TWAP.
#[cw_serde]
pub struct TwapResponse {
    /// Average price of one base unit of ACN in base units of the stable over `[from, to]`.
    pub price: Decimal,
    /// The spot price now (quote reserve / base reserve).
    pub spot: Decimal,
    /// Start of the averaged interval (the observation's time), seconds.
    pub from: u64,
    /// End of the averaged interval (now), seconds.
    pub to: u64,
    /// Base (ACN) reserve now.
    pub base_reserve: Uint128,
    /// Quote (stable) reserve now.
    pub quote_reserve: Uint128,
}

/// Migrates the oracle (cw2-checked).
#[cw_serde]
pub struct MigrateMsg {}

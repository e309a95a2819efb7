//! Storage layout of the vault.

use acn_interface::buyback::{BuybackParams, BuybackTotals};
use cosmwasm_schema::cw_serde;
use cosmwasm_std::{Addr, Decimal, Uint128};
use cw_storage_plus::Item;

/// The vault's configuration.
#[cw_serde]
pub struct Config {
    /// The ACN CW20.
    pub token: Addr,
    /// The stable denom.
    pub stable_denom: String,
    /// The pair.
    pub pair: Addr,
    /// The oracle.
    pub oracle: Addr,
    /// The community treasury.
    pub treasury: Addr,
    /// The staking contract (stakers' share), if any.
    #[serde(default)]
    pub staking: Option<Addr>,
    /// The parameters.
    pub params: BuybackParams,
}

/// Spending of one UTC day.
#[cw_serde]
#[derive(Default)]
pub struct Day {
    /// Day number (block time / 86 400).
    pub day: u64,
    /// Stable spent that day.
    pub spent: Uint128,
}

/// A buy between its swap and the swap's reply.
#[cw_serde]
pub struct PendingBuy {
    /// ACN held before the swap (fees paid in ACN).
    pub acn_before: Uint128,
    /// Stable offered.
    pub stable_in: Uint128,
    /// The TWAP.
    pub twap: Decimal,
    /// Execution price (simulated).
    pub price: Decimal,
    /// Spot price before the buy.
    pub spot: Decimal,
    /// Who called `Buyback`.
    pub caller: Addr,
}

/// The configuration.
pub const CONFIG: Item<Config> = Item::new("config");
/// Today's spending.
pub const DAY: Item<Day> = Item::new("day");
/// Time of the last buy.
pub const LAST_BUY: Item<u64> = Item::new("last_buy");
/// Lifetime totals.
pub const TOTALS: Item<BuybackTotals> = Item::new("totals");
/// The buy in flight (saved before the swap, removed by its reply).
pub const PENDING: Item<PendingBuy> = Item::new("pending");

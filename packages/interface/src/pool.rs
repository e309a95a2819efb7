//! Pool: an ACN (CW20) / stable (native bank denom) constant-product pair.
//!
//! The messages speak the JSON interface of an Astroport XYK pair (`Swap`, `ProvideLiquidity`,
//! the CW20 hooks `Swap` and `WithdrawLiquidity`, the queries `Pair`, `Pool`, `Simulation`,
//! `ReverseSimulation`, `CumulativePrices`, with the same field names and shapes), so a contract
//! that talks to this pool (the TWAP oracle, the buyback vault) can point at a real Astroport
//! pair instead. The types are our own; nothing of Astroport's code is used.
//!
//! Liquidity shares are a CW20 (the ACN token code, with the pool as its minter) that the pool
//! instantiates itself; withdrawing is a CW20 `Send` of shares to the pool with the
//! `WithdrawLiquidity` hook.

use std::fmt;

use cosmwasm_schema::{cw_serde, QueryResponses};
use cosmwasm_std::{Addr, Decimal, Uint128};
use cw20::Cw20ReceiveMsg;
use cw_ownable::{cw_ownable_execute, cw_ownable_query};

use crate::common::Bps;

/// Default swap fee: 0.3 %, paid to the liquidity providers (it stays in the reserves).
pub const DEFAULT_FEE_BPS: Bps = 30;
/// Largest swap fee the owner may set: 10 %.
pub const MAX_FEE_BPS: Bps = 1_000;
/// Default `max_spread` of a swap that names none: 0.5 % (Astroport's default).
pub const DEFAULT_MAX_SPREAD: Decimal = Decimal::permille(5);
/// Largest `max_spread` a swap may name: 50 % (Astroport's limit).
pub const MAX_ALLOWED_SPREAD: Decimal = Decimal::percent(50);
/// Shares minted to the pool itself (locked forever) by the first deposit, so the share price
/// can never be inflated by a first depositor who then withdraws (Uniswap v2's rule).
pub const MINIMUM_LIQUIDITY: Uint128 = Uint128::new(1_000);
/// Scale of the cumulative prices: each second adds the price × 10^6 (Astroport's
/// `TWAP_PRECISION` of 6 decimals).
pub const TWAP_PRECISION: u128 = 1_000_000;

/// An asset: a CW20 contract or a native bank denom (Astroport's `AssetInfo`).
#[cw_serde]
#[derive(Eq, PartialOrd, Ord)]
pub enum AssetInfo {
    /// A CW20 token.
    Token {
        /// The token contract.
        contract_addr: Addr,
    },
    /// A native bank denom.
    NativeToken {
        /// The denom, e.g. `uusdc`.
        denom: String,
    },
}

impl AssetInfo {
    /// A CW20 asset.
    pub fn cw20(contract_addr: impl Into<String>) -> Self {
        AssetInfo::Token {
            contract_addr: Addr::unchecked(contract_addr.into()),
        }
    }

    /// A native asset.
    pub fn native(denom: impl Into<String>) -> Self {
        AssetInfo::NativeToken {
            denom: denom.into(),
        }
    }

    /// True for a native bank denom.
    pub fn is_native(&self) -> bool {
        matches!(self, AssetInfo::NativeToken { .. })
    }

    /// This asset with an amount.
    pub fn with(&self, amount: impl Into<Uint128>) -> Asset {
        Asset {
            info: self.clone(),
            amount: amount.into(),
        }
    }
}

impl fmt::Display for AssetInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AssetInfo::Token { contract_addr } => write!(f, "{contract_addr}"),
            AssetInfo::NativeToken { denom } => write!(f, "{denom}"),
        }
    }
}

/// An amount of an asset (Astroport's `Asset`).
#[cw_serde]
pub struct Asset {
    /// Which asset.
    pub info: AssetInfo,
    /// Base units.
    pub amount: Uint128,
}

impl fmt::Display for Asset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.amount, self.info)
    }
}

/// The kind of pair (Astroport's `PairType`); this pool is always `Xyk {}`.
#[cw_serde]
pub enum PairType {
    /// Constant product x · y = k.
    Xyk {},
    /// Stableswap.
    Stable {},
    /// Another curve.
    Custom(String),
}

/// The pair's assets, address, share token and kind (Astroport's `PairInfo`).
#[cw_serde]
pub struct PairInfo {
    /// The two assets, in the order given at instantiation.
    pub asset_infos: Vec<AssetInfo>,
    /// The pair contract.
    pub contract_addr: Addr,
    /// The CW20 of the liquidity shares.
    pub liquidity_token: Addr,
    /// Always `Xyk {}`.
    pub pair_type: PairType,
}

/// Creates the pool; it instantiates its share token (a CW20 of code `token_code_id`) itself.
#[cw_serde]
pub struct InstantiateMsg {
    /// Owner (cw-ownable, later the DAO): may change the fee.
    pub owner: Option<String>,
    /// The two assets: exactly one CW20 and one native denom, in any order.
    pub asset_infos: Vec<AssetInfo>,
    /// Code id of a cw20-base compatible token (the ACN token code) for the share token.
    pub token_code_id: u64,
    /// Swap fee in bps (≤ [`MAX_FEE_BPS`]); defaults to [`DEFAULT_FEE_BPS`].
    pub fee_bps: Option<Bps>,
}

/// Execute messages of the pool (Astroport's pair messages, plus the owner's fee update).
#[cw_ownable_execute]
#[cw_serde]
pub enum ExecuteMsg {
    /// CW20 receive hook ([`Cw20HookMsg`]): a swap of the CW20 side, or a withdrawal of shares.
    Receive(Cw20ReceiveMsg),
    /// Deposit both assets: the native one attached as funds (exactly that amount, no other
    /// denom), the CW20 one by an allowance to the pool. The first deposit sets the price; later
    /// ones take both assets in the pool's ratio (the excess native amount is refunded, the
    /// excess CW20 amount is simply not taken).
    ProvideLiquidity {
        /// Both assets with the amounts offered.
        assets: Vec<Asset>,
        /// Refuse the deposit when less than (1 − tolerance) of either offered amount would
        /// be taken (the pool's ratio moved); no check when absent.
        slippage_tolerance: Option<Decimal>,
        /// Astroport's generator staking; only `None` or `false` is accepted.
        auto_stake: Option<bool>,
        /// Who receives the shares; defaults to the sender.
        receiver: Option<String>,
    },
    /// Swap the native asset (attached as funds, exactly `offer_asset.amount`) for the other.
    Swap {
        /// The native asset offered.
        offer_asset: Asset,
        /// The asset asked for (optional: the other one).
        ask_asset_info: Option<AssetInfo>,
        /// The price (offer per ask) the trader expects; with `max_spread`, the swap fails if
        /// it returns less than `offer / belief_price × (1 − max_spread)`.
        belief_price: Option<Decimal>,
        /// Largest spread accepted (default 0.5 %, at most 50 %).
        max_spread: Option<Decimal>,
        /// Receiver of the asked asset; defaults to the sender.
        to: Option<String>,
    },
    /// Owner only: change the swap fee (≤ [`MAX_FEE_BPS`]).
    UpdateConfig {
        /// New fee in bps.
        fee_bps: Bps,
    },
}

/// Hook messages inside a CW20 `Send` to the pool.
#[cw_serde]
pub enum Cw20HookMsg {
    /// Swap the sent CW20 (the pool's CW20 asset) for the native asset.
    Swap {
        /// The asset asked for (optional: the other one).
        ask_asset_info: Option<AssetInfo>,
        /// The price (offer per ask) the trader expects.
        belief_price: Option<Decimal>,
        /// Largest spread accepted (default 0.5 %, at most 50 %).
        max_spread: Option<Decimal>,
        /// Receiver of the asked asset; defaults to the sender of the CW20.
        to: Option<String>,
    },
    /// Burn the sent shares (only from the pool's share token) for both assets in proportion.
    WithdrawLiquidity {
        /// Astroport's imbalanced withdrawal; only an empty list (proportional) is accepted.
        #[serde(default)]
        assets: Vec<Asset>,
    },
}

/// Query messages of the pool.
#[cw_ownable_query]
#[cw_serde]
#[derive(QueryResponses)]
pub enum QueryMsg {
    /// The assets, address, share token and kind.
    #[returns(PairInfo)]
    Pair {},
    /// The reserves and the total shares.
    #[returns(PoolResponse)]
    Pool {},
    /// Fee and the time of the last cumulative-price update.
    #[returns(ConfigResponse)]
    Config {},
    /// The assets `amount` shares withdraw.
    #[returns(Vec<Asset>)]
    Share {
        /// Shares.
        amount: Uint128,
    },
    /// What a swap of `offer_asset` returns now.
    #[returns(SimulationResponse)]
    Simulation {
        /// The asset offered.
        offer_asset: Asset,
        /// The asset asked for (optional).
        ask_asset_info: Option<AssetInfo>,
    },
    /// What a swap must offer now to return `ask_asset`.
    #[returns(ReverseSimulationResponse)]
    ReverseSimulation {
        /// The asset offered (optional).
        offer_asset_info: Option<AssetInfo>,
        /// The asset and amount wanted.
        ask_asset: Asset,
    },
    /// Reserves, shares and the cumulative prices up to the current block time.
    #[returns(CumulativePricesResponse)]
    CumulativePrices {},
}

/// Reserves and shares (Astroport's `PoolResponse`).
#[cw_serde]
pub struct PoolResponse {
    /// Both assets with their reserves, in the pair's order.
    pub assets: Vec<Asset>,
    /// Shares outstanding (the locked [`MINIMUM_LIQUIDITY`] included).
    pub total_share: Uint128,
}

/// The pool's configuration.
#[cw_serde]
pub struct ConfigResponse {
    /// Block time (seconds) of the last cumulative-price update.
    pub block_time_last: u64,
    /// Swap fee in bps.
    pub fee_bps: Bps,
}

/// A swap's outcome (Astroport's `SimulationResponse`).
#[cw_serde]
pub struct SimulationResponse {
    /// What the trader receives.
    pub return_amount: Uint128,
    /// What the swap loses to the pool's curve against the spot price.
    pub spread_amount: Uint128,
    /// The fee, kept in the pool for the liquidity providers.
    pub commission_amount: Uint128,
}

/// A reverse swap's outcome (Astroport's `ReverseSimulationResponse`).
#[cw_serde]
pub struct ReverseSimulationResponse {
    /// What the trader must offer.
    pub offer_amount: Uint128,
    /// What the swap loses to the pool's curve against the spot price.
    pub spread_amount: Uint128,
    /// The fee, kept in the pool.
    pub commission_amount: Uint128,
}

/// Cumulative prices (Astroport's `CumulativePricesResponse`): for each ordered pair of
/// assets (A, B), the sum over time of (seconds × price of one base unit of A in base units of
/// B × 10^6), up to the current block time, wrapping at 2^128. A TWAP over [t0, t1] is
/// (c(t1) − c(t0)) / (t1 − t0) / 10^6.
#[cw_serde]
pub struct CumulativePricesResponse {
    /// Both assets with their reserves.
    pub assets: Vec<Asset>,
    /// Shares outstanding.
    pub total_share: Uint128,
    /// `(from, to, cumulative price of from in to)` for both directions.
    pub cumulative_prices: Vec<(AssetInfo, AssetInfo, Uint128)>,
}

impl CumulativePricesResponse {
    /// The cumulative price of `from` in `to`, if the pool has that pair.
    pub fn cumulative(&self, from: &AssetInfo, to: &AssetInfo) -> Option<Uint128> {
        self.cumulative_prices
            .iter()
            .find(|(a, b, _)| a == from && b == to)
            .map(|(_, _, c)| *c)
    }

    /// The reserve of `info`, if the pool holds it.
    pub fn reserve(&self, info: &AssetInfo) -> Option<Uint128> {
        self.assets
            .iter()
            .find(|a| &a.info == info)
            .map(|a| a.amount)
    }
}

/// Migrates the pool (cw2-checked).
#[cw_serde]
pub struct MigrateMsg {}

#[cfg(test)]
mod tests {
    use super::*;
    use cosmwasm_std::to_json_string;

    #[test]
    fn json_shapes_match_astroport() {
        let swap = ExecuteMsg::Swap {
            offer_asset: AssetInfo::native("uusdc").with(5u128),
            ask_asset_info: None,
            belief_price: None,
            max_spread: Some(Decimal::percent(1)),
            to: None,
        };
        assert_eq!(
            to_json_string(&swap).unwrap(),
            r#"{"swap":{"offer_asset":{"info":{"native_token":{"denom":"uusdc"}},"amount":"5"},"ask_asset_info":null,"belief_price":null,"max_spread":"0.01","to":null}}"#
        );
        let hook: Cw20HookMsg = cosmwasm_std::from_json(r#"{"withdraw_liquidity":{}}"#).unwrap();
        assert_eq!(hook, Cw20HookMsg::WithdrawLiquidity { assets: vec![] });
        assert_eq!(
            to_json_string(&AssetInfo::cw20("acn")).unwrap(),
            r#"{"token":{"contract_addr":"acn"}}"#
        );
        assert_eq!(to_json_string(&PairType::Xyk {}).unwrap(), r#"{"xyk":{}}"#);
    }
}

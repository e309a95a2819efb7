//! Storage layout of the pool.

use acn_interface::common::Bps;
use acn_interface::pool::{AssetInfo, TWAP_PRECISION};
use cosmwasm_schema::cw_serde;
use cosmwasm_std::{Addr, Uint128, Uint256};
use cw_storage_plus::Item;

/// The pool's configuration.
#[cw_serde]
pub struct Config {
    /// The two assets, in the order given at instantiation.
    pub asset_infos: [AssetInfo; 2],
    /// The share token (empty until its instantiation reply).
    pub liquidity_token: Addr,
    /// Swap fee in bps.
    pub fee_bps: Bps,
}

impl Config {
    /// Index of `info` in `asset_infos`.
    pub fn index_of(&self, info: &AssetInfo) -> Option<usize> {
        self.asset_infos.iter().position(|a| a == info)
    }

    /// Index of the native asset.
    pub fn native_index(&self) -> usize {
        if self.asset_infos[0].is_native() {
            0
        } else {
            1
        }
    }

    /// The native denom.
    pub fn denom(&self) -> &str {
        match &self.asset_infos[self.native_index()] {
            AssetInfo::NativeToken { denom } => denom,
            AssetInfo::Token { .. } => unreachable!("validated at instantiation"),
        }
    }

    /// The CW20 asset's contract.
    pub fn cw20(&self) -> &Addr {
        match &self.asset_infos[1 - self.native_index()] {
            AssetInfo::Token { contract_addr } => contract_addr,
            AssetInfo::NativeToken { .. } => unreachable!("validated at instantiation"),
        }
    }

    /// Both assets, for error messages.
    pub fn describe(&self) -> String {
        format!("{}, {}", self.asset_infos[0], self.asset_infos[1])
    }
}

/// Reserves, shares and the price accumulators.
#[cw_serde]
#[derive(Default)]
pub struct PoolState {
    /// Reserves, in the order of `Config::asset_infos`.
    pub reserves: [Uint128; 2],
    /// Shares outstanding (equal to the share token's supply).
    pub total_share: Uint128,
    /// `cumulative[0]`: price of asset 0 in asset 1; `cumulative[1]`: of asset 1 in asset 0
    /// (seconds × price × 10^6, wrapping).
    pub cumulative: [Uint128; 2],
    /// Block time (seconds) of the last accumulation.
    pub block_time_last: u64,
}

impl PoolState {
    /// The accumulators brought forward to `now` with the current reserves (which held since
    /// `block_time_last`). Nothing accrues while a side is empty.
    pub fn accumulated(&self, now: u64) -> [Uint128; 2] {
        let dt = now.saturating_sub(self.block_time_last);
        let [r0, r1] = self.reserves;
        if dt == 0 || r0.is_zero() || r1.is_zero() {
            return self.cumulative;
        }
        let per_second = |num: Uint128, den: Uint128| -> Uint128 {
            let p = Uint256::from(num) * Uint256::from(TWAP_PRECISION) / Uint256::from(den);
            Uint128::try_from(p).unwrap_or(Uint128::MAX)
        };
        [
            self.cumulative[0].wrapping_add(per_second(r1, r0).wrapping_mul(dt.into())),
            self.cumulative[1].wrapping_add(per_second(r0, r1).wrapping_mul(dt.into())),
        ]
    }

    /// Accumulate up to `now` (call before any change of the reserves).
    pub fn accumulate(&mut self, now: u64) {
        self.cumulative = self.accumulated(now);
        self.block_time_last = now;
    }
}

/// The configuration.
pub const CONFIG: Item<Config> = Item::new("config");
/// Reserves, shares, accumulators.
pub const POOL: Item<PoolState> = Item::new("pool");

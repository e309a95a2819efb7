//! Buyback vault: holds protocol fees in the stable asset and in ACN; a permissionless
//! `Buyback {}` buys ACN with the stable fees on the pool — only near the oracle's TWAP, with
//! bounded slippage, a bounded size per buy, a minimum interval between buys and a daily cap —
//! and splits every ACN it holds (bought, or paid as fees in ACN) into burn / stakers /
//! community treasury / caller.

use cosmwasm_schema::{cw_serde, QueryResponses};
use cosmwasm_std::{Addr, Uint128};
use cw20::Cw20ReceiveMsg;
use cw_ownable::{cw_ownable_execute, cw_ownable_query};

use crate::common::{Bps, BPS_DENOMINATOR};

/// Largest caller reward: 5 %.
pub const MAX_CALLER_BPS: Bps = 500;
/// Largest deviation of a buy's execution price from the TWAP the owner may allow: 10 %.
pub const MAX_TWAP_DEVIATION_BPS: Bps = 1_000;
/// Largest slippage of a buy against the spot price: 1 %.
pub const MAX_SLIPPAGE_BPS: Bps = 100;
/// Largest share of the pool's stable reserve one buy may spend: 1 %.
pub const MAX_BUY_POOL_BPS: Bps = 100;

/// How the vault splits the ACN it holds, in bps summing to 10 000.
#[cw_serde]
pub struct BuybackSplit {
    /// Burned (`Cw20ExecuteMsg::Burn`).
    pub burn_bps: Bps,
    /// Sent to staking as a reward round (`DistributeRewards`); needs the vault's `staking`.
    #[serde(default)]
    pub stakers_bps: Bps,
    /// Sent to the community treasury (also receives rounding dust).
    pub treasury_bps: Bps,
    /// Paid to whoever called `Buyback` (≤ [`MAX_CALLER_BPS`]).
    pub caller_bps: Bps,
}

impl BuybackSplit {
    /// The seed split: 70 % burned, 29 % to the community treasury, 1 % to the caller.
    pub const fn seed() -> Self {
        BuybackSplit {
            burn_bps: 7_000,
            stakers_bps: 0,
            treasury_bps: 2_900,
            caller_bps: 100,
        }
    }

    /// Sum of the parts (must be 10 000).
    pub fn total(&self) -> u32 {
        self.burn_bps as u32
            + self.stakers_bps as u32
            + self.treasury_bps as u32
            + self.caller_bps as u32
    }

    /// True when the parts sum to exactly 10 000.
    pub fn is_valid(&self) -> bool {
        self.total() == BPS_DENOMINATOR as u32
    }
}

/// The vault's governed parameters.
#[cw_serde]
pub struct BuybackParams {
    /// A buy's execution price (stable in / ACN out) must be within this of the TWAP, either
    /// way (1 ..= [`MAX_TWAP_DEVIATION_BPS`]).
    pub max_twap_deviation_bps: Bps,
    /// A buy's execution price may exceed the pool's spot price by at most this, fee included
    /// (1 ..= [`MAX_SLIPPAGE_BPS`]).
    pub max_slippage_bps: Bps,
    /// One buy spends at most this share of the pool's stable reserve (1 ..=
    /// [`MAX_BUY_POOL_BPS`]). Keep it below the pool's fee: then the price a buy moves is
    /// worth less to a sandwich than the two fees the sandwich pays.
    pub max_buy_pool_bps: Bps,
    /// Stable base units the vault may spend per UTC day.
    pub daily_cap: Uint128,
    /// Seconds between two buys (≤ 1 day).
    pub min_interval: u64,
    /// How the ACN is split.
    pub split: BuybackSplit,
}

impl Default for BuybackParams {
    /// 2 % around the TWAP, 1 % slippage, 0.2 % of the stable reserve per buy, 10 000 stable
    /// per day (6 decimals), 5 minutes between buys, the seed split.
    fn default() -> Self {
        BuybackParams {
            max_twap_deviation_bps: 200,
            max_slippage_bps: 100,
            max_buy_pool_bps: 20,
            daily_cap: Uint128::new(10_000_000_000),
            min_interval: 300,
            split: BuybackSplit::seed(),
        }
    }
}

/// Creates the vault.
#[cw_serde]
pub struct InstantiateMsg {
    /// Owner (cw-ownable, later the DAO).
    pub owner: Option<String>,
    /// The ACN CW20.
    pub token: String,
    /// The stable bank denom (e.g. `uusdc`).
    pub stable_denom: String,
    /// The ACN / stable pair (Astroport pair interface).
    pub pair: String,
    /// The TWAP oracle.
    pub oracle: String,
    /// The community treasury (receives `treasury_bps`).
    pub treasury: String,
    /// The staking contract (receives `stakers_bps` as reward rounds); required when the split
    /// gives stakers a share.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub staking: Option<String>,
    /// Parameters; defaults to [`BuybackParams::default`].
    pub params: Option<BuybackParams>,
}

/// Hook messages inside a CW20 `Send` of ACN to the vault.
#[cw_serde]
pub enum ReceiveMsg {
    /// ACN fees: split by the next `Buyback`.
    Deposit {},
}

/// Execute messages of the vault.
#[cw_ownable_execute]
#[cw_serde]
pub enum ExecuteMsg {
    /// CW20 receive hook ([`ReceiveMsg`]); only from the ACN token.
    Receive(Cw20ReceiveMsg),
    /// Stable fees attached as funds (only the stable denom).
    Deposit {},
    /// Anyone: buy ACN with the stable fees (if allowed now) and split all the ACN held.
    Buyback {},
    /// Owner only: new parameters, community treasury and/or staking contract.
    UpdateConfig {
        /// New parameters (bounded; the split sums to 10 000).
        params: Option<BuybackParams>,
        /// New community treasury.
        treasury: Option<String>,
        /// New staking contract.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        staking: Option<String>,
    },
}

/// Query messages of the vault.
#[cw_ownable_query]
#[cw_serde]
#[derive(QueryResponses)]
pub enum QueryMsg {
    /// Addresses and parameters.
    #[returns(ConfigResponse)]
    Config {},
    /// Holdings, today's spending and lifetime totals.
    #[returns(StateResponse)]
    State {},
}

/// Addresses and parameters.
#[cw_serde]
pub struct ConfigResponse {
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

/// Lifetime totals of the vault.
#[cw_serde]
#[derive(Default)]
pub struct BuybackTotals {
    /// Stable received by `Deposit {}` (the market's stable fees arrive by bank send: they are
    /// in the balance, and in the market's totals, not here).
    pub stable_deposited: Uint128,
    /// ACN received by the `Deposit {}` hook.
    pub acn_deposited: Uint128,
    /// Stable spent on buys.
    pub stable_spent: Uint128,
    /// ACN bought.
    pub acn_bought: Uint128,
    /// ACN burned.
    pub burned: Uint128,
    /// ACN sent to stakers.
    #[serde(default)]
    pub to_stakers: Uint128,
    /// ACN sent to the community treasury.
    pub to_treasury: Uint128,
    /// ACN paid to callers.
    pub to_callers: Uint128,
    /// Buys made.
    pub buys: u64,
}

/// Holdings, today's spending and lifetime totals.
#[cw_serde]
pub struct StateResponse {
    /// Stable held.
    pub stable_balance: Uint128,
    /// ACN held (split by the next `Buyback`).
    pub acn_balance: Uint128,
    /// Stable spent in the current UTC day.
    pub spent_today: Uint128,
    /// Block time of the last buy, if any.
    pub last_buy: Option<u64>,
    /// Lifetime totals.
    pub totals: BuybackTotals,
}

/// Migrates the vault (cw2-checked).
#[cw_serde]
pub struct MigrateMsg {}

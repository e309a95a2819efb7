//! The pool on cw-multi-test: the ACN token, a native `uusdc`, a pool, and helpers that read
//! like a script.
#![allow(dead_code)]

use acn_interface::pool::{
    Asset, AssetInfo, CumulativePricesResponse, Cw20HookMsg, ExecuteMsg, InstantiateMsg, PairInfo,
    PoolResponse, QueryMsg, SimulationResponse,
};
use acn_interface::token;
use cosmwasm_std::{coin, coins, to_json_binary, Addr, Coin, Decimal, Empty, Uint128};
use cw_multi_test::{App, AppBuilder, AppResponse, Contract, ContractWrapper, Executor};

/// The stable denom.
pub const USDC: &str = "uusdc";
/// Every account's starting balance of each asset.
pub const START: u128 = 1_000_000_000_000;
/// The accounts funded at the start.
pub const ACCOUNTS: [&str; 4] = ["lp", "trader", "attacker", "other"];

pub fn token_contract() -> Box<dyn Contract<Empty>> {
    Box::new(ContractWrapper::new(
        acn_token::contract::execute,
        acn_token::contract::instantiate,
        acn_token::contract::query,
    ))
}

pub fn pool_contract() -> Box<dyn Contract<Empty>> {
    Box::new(
        ContractWrapper::new(
            acn_pool::contract::execute,
            acn_pool::contract::instantiate,
            acn_pool::contract::query,
        )
        .with_reply(acn_pool::contract::reply),
    )
}

pub struct Suite {
    pub app: App,
    pub token: Addr,
    pub pool: Addr,
    pub lp_token: Addr,
    pub owner: Addr,
}

/// Balances of one account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Holdings {
    pub acn: u128,
    pub usdc: u128,
    pub shares: u128,
}

/// Everything that can move.
#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot {
    pub accounts: Vec<Holdings>,
    pub pool_acn: u128,
    pub pool_usdc: u128,
    pub reserves: Vec<Asset>,
    pub total_share: u128,
}

impl Suite {
    pub fn new(fee_bps: u16) -> Self {
        let mut app = AppBuilder::new().build(|router, api, storage| {
            for who in ACCOUNTS {
                router
                    .bank
                    .init_balance(
                        storage,
                        &api.addr_make(who),
                        vec![coin(START, USDC), coin(START, "uatom")],
                    )
                    .unwrap();
            }
        });
        let owner = app.api().addr_make("owner");
        let token_code = app.store_code(token_contract());
        let pool_code = app.store_code(pool_contract());
        let initial_balances = ACCOUNTS
            .iter()
            .map(|w| cw20::Cw20Coin {
                address: app.api().addr_make(w).to_string(),
                amount: Uint128::new(START),
            })
            .collect();
        let token = app
            .instantiate_contract(
                token_code,
                owner.clone(),
                &token::InstantiateMsg {
                    owner: None,
                    name: "ACN Token".into(),
                    symbol: "ACN".into(),
                    decimals: 6,
                    initial_balances,
                    mint: None,
                    marketing: None,
                },
                &[],
                "acn",
                None,
            )
            .unwrap();
        let pool = app
            .instantiate_contract(
                pool_code,
                owner.clone(),
                &InstantiateMsg {
                    owner: None,
                    asset_infos: vec![AssetInfo::cw20(token.as_str()), AssetInfo::native(USDC)],
                    token_code_id: token_code,
                    fee_bps: Some(fee_bps),
                },
                &[],
                "pool",
                None,
            )
            .unwrap();
        let pair: PairInfo = app
            .wrap()
            .query_wasm_smart(&pool, &QueryMsg::Pair {})
            .unwrap();
        Suite {
            app,
            token,
            pool,
            lp_token: pair.liquidity_token,
            owner,
        }
    }

    pub fn addr(&self, who: &str) -> Addr {
        self.app.api().addr_make(who)
    }

    pub fn acn(&self) -> AssetInfo {
        AssetInfo::cw20(self.token.as_str())
    }

    pub fn usdc(&self) -> AssetInfo {
        AssetInfo::native(USDC)
    }

    pub fn cw20_balance(&self, token: &Addr, who: &Addr) -> u128 {
        let r: token::BalanceResponse = self
            .app
            .wrap()
            .query_wasm_smart(
                token,
                &token::QueryMsg::Balance {
                    address: who.to_string(),
                },
            )
            .unwrap();
        r.balance.u128()
    }

    pub fn holdings(&self, who: &str) -> Holdings {
        let a = self.addr(who);
        self.holdings_of(&a)
    }

    pub fn holdings_of(&self, a: &Addr) -> Holdings {
        Holdings {
            acn: self.cw20_balance(&self.token, a),
            usdc: self
                .app
                .wrap()
                .query_balance(a, USDC)
                .unwrap()
                .amount
                .u128(),
            shares: self.cw20_balance(&self.lp_token, a),
        }
    }

    pub fn pool_state(&self) -> PoolResponse {
        self.app
            .wrap()
            .query_wasm_smart(&self.pool, &QueryMsg::Pool {})
            .unwrap()
    }

    /// (ACN reserve, USDC reserve).
    pub fn reserves(&self) -> (u128, u128) {
        let p = self.pool_state();
        (p.assets[0].amount.u128(), p.assets[1].amount.u128())
    }

    pub fn snapshot(&self) -> Snapshot {
        let p = self.pool_state();
        let pool = self.holdings_of(&self.pool.clone());
        Snapshot {
            accounts: ACCOUNTS.iter().map(|w| self.holdings(w)).collect(),
            pool_acn: pool.acn,
            pool_usdc: pool.usdc,
            reserves: p.assets,
            total_share: p.total_share.u128(),
        }
    }

    pub fn cumulative(&self) -> CumulativePricesResponse {
        self.app
            .wrap()
            .query_wasm_smart(&self.pool, &QueryMsg::CumulativePrices {})
            .unwrap()
    }

    pub fn simulate(&self, offer: Asset) -> SimulationResponse {
        self.app
            .wrap()
            .query_wasm_smart(
                &self.pool,
                &QueryMsg::Simulation {
                    offer_asset: offer,
                    ask_asset_info: None,
                },
            )
            .unwrap()
    }

    /// Approve the pool and provide `acn` + `usdc` (attached exactly).
    pub fn provide(&mut self, who: &str, acn: u128, usdc: u128) -> anyhow::Result<AppResponse> {
        let sender = self.addr(who);
        let funds = if usdc == 0 { vec![] } else { coins(usdc, USDC) };
        self.provide_with(who, acn, usdc, funds, None, sender.to_string())
    }

    pub fn provide_with(
        &mut self,
        who: &str,
        acn: u128,
        usdc: u128,
        funds: Vec<Coin>,
        slippage_tolerance: Option<Decimal>,
        receiver: String,
    ) -> anyhow::Result<AppResponse> {
        let sender = self.addr(who);
        self.app.execute_contract(
            sender.clone(),
            self.token.clone(),
            &token::ExecuteMsg::IncreaseAllowance {
                spender: self.pool.to_string(),
                amount: Uint128::new(acn),
                expires: None,
            },
            &[],
        )?;
        let msg = ExecuteMsg::ProvideLiquidity {
            assets: vec![self.acn().with(acn), self.usdc().with(usdc)],
            slippage_tolerance,
            auto_stake: None,
            receiver: Some(receiver),
        };
        self.app
            .execute_contract(sender, self.pool.clone(), &msg, &funds)
    }

    /// Swap `usdc` of the stable for ACN.
    pub fn swap_usdc(
        &mut self,
        who: &str,
        usdc: u128,
        belief_price: Option<Decimal>,
        max_spread: Option<Decimal>,
    ) -> anyhow::Result<AppResponse> {
        let sender = self.addr(who);
        let msg = ExecuteMsg::Swap {
            offer_asset: self.usdc().with(usdc),
            ask_asset_info: Some(self.acn()),
            belief_price,
            max_spread,
            to: None,
        };
        let funds = if usdc == 0 { vec![] } else { coins(usdc, USDC) };
        self.app
            .execute_contract(sender, self.pool.clone(), &msg, &funds)
    }

    /// Swap `acn` for the stable (CW20 `Send` with the swap hook).
    pub fn swap_acn(
        &mut self,
        who: &str,
        acn: u128,
        max_spread: Option<Decimal>,
    ) -> anyhow::Result<AppResponse> {
        let sender = self.addr(who);
        let hook = Cw20HookMsg::Swap {
            ask_asset_info: None,
            belief_price: None,
            max_spread,
            to: None,
        };
        self.app.execute_contract(
            sender,
            self.token.clone(),
            &token::ExecuteMsg::Send {
                contract: self.pool.to_string(),
                amount: Uint128::new(acn),
                msg: to_json_binary(&hook).unwrap(),
            },
            &[],
        )
    }

    /// Withdraw `shares` (CW20 `Send` of the share token with the withdraw hook).
    pub fn withdraw(&mut self, who: &str, shares: u128) -> anyhow::Result<AppResponse> {
        let sender = self.addr(who);
        self.app.execute_contract(
            sender,
            self.lp_token.clone(),
            &token::ExecuteMsg::Send {
                contract: self.pool.to_string(),
                amount: Uint128::new(shares),
                msg: to_json_binary(&Cw20HookMsg::WithdrawLiquidity { assets: vec![] }).unwrap(),
            },
            &[],
        )
    }

    pub fn advance(&mut self, seconds: u64) {
        self.app.update_block(|b| {
            b.time = b.time.plus_seconds(seconds);
            b.height += (seconds / 5).max(1);
        });
    }
}

/// The contract error of a failed execution.
pub fn err(e: anyhow::Error) -> acn_pool::ContractError {
    e.downcast().expect("a pool ContractError")
}

//! The vault on cw-multi-test with the real pool and oracle, and helpers.
#![allow(dead_code)]

#[path = "../../../pool/tests/common/mod.rs"]
pub mod common;

pub use acn_buyback::ContractError;
pub use common::*;

use acn_interface::buyback::{
    BuybackParams, ExecuteMsg, InstantiateMsg, QueryMsg, ReceiveMsg, StateResponse,
};
use acn_interface::{oracle, token};
use cosmwasm_std::{coins, to_json_binary, Addr, Uint128};
use cw_multi_test::{AppResponse, ContractWrapper, Executor};

pub struct Vault {
    pub s: Suite,
    pub oracle: Addr,
    pub vault: Addr,
    pub treasury: Addr,
}

impl Vault {
    /// A pool of 500 000 ACN and 10 000 USDC (0.02 USDC per ACN), an oracle at its defaults
    /// observed once, 30 minutes ago, and a vault with `params`.
    pub fn new(params: BuybackParams) -> Self {
        let mut s = Suite::new(30);
        s.provide("lp", 500_000_000_000, 10_000_000_000).unwrap();
        let oracle_code = s.app.store_code(Box::new(ContractWrapper::new(
            acn_oracle::contract::execute,
            acn_oracle::contract::instantiate,
            acn_oracle::contract::query,
        )));
        let vault_code = s.app.store_code(Box::new(
            ContractWrapper::new(
                acn_buyback::contract::execute,
                acn_buyback::contract::instantiate,
                acn_buyback::contract::query,
            )
            .with_reply(acn_buyback::contract::reply),
        ));
        let owner = s.owner.clone();
        let oracle = s
            .app
            .instantiate_contract(
                oracle_code,
                owner.clone(),
                &oracle::InstantiateMsg {
                    owner: None,
                    pair: s.pool.to_string(),
                    base: s.acn(),
                    quote: s.usdc(),
                    params: None,
                },
                &[],
                "oracle",
                None,
            )
            .unwrap();
        let treasury = s.addr("community");
        let vault = s
            .app
            .instantiate_contract(
                vault_code,
                owner,
                &InstantiateMsg {
                    owner: None,
                    token: s.token.to_string(),
                    stable_denom: USDC.into(),
                    pair: s.pool.to_string(),
                    oracle: oracle.to_string(),
                    treasury: treasury.to_string(),
                    staking: None,
                    params: Some(params),
                },
                &[],
                "vault",
                None,
            )
            .unwrap();
        let mut v = Vault {
            s,
            oracle,
            vault,
            treasury,
        };
        v.observe();
        v.s.advance(1_800);
        v
    }

    pub fn observe(&mut self) {
        let who = self.s.addr("other");
        self.s
            .app
            .execute_contract(
                who,
                self.oracle.clone(),
                &oracle::ExecuteMsg::Update {},
                &[],
            )
            .unwrap();
    }

    pub fn deposit_stable(&mut self, amount: u128) {
        let who = self.s.addr("other");
        self.s
            .app
            .execute_contract(
                who,
                self.vault.clone(),
                &ExecuteMsg::Deposit {},
                &coins(amount, USDC),
            )
            .unwrap();
    }

    pub fn deposit_acn(&mut self, amount: u128) {
        let who = self.s.addr("other");
        let token = self.s.token.clone();
        self.s
            .app
            .execute_contract(
                who,
                token,
                &token::ExecuteMsg::Send {
                    contract: self.vault.to_string(),
                    amount: Uint128::new(amount),
                    msg: to_json_binary(&ReceiveMsg::Deposit {}).unwrap(),
                },
                &[],
            )
            .unwrap();
    }

    pub fn buyback(&mut self, caller: &str) -> anyhow::Result<AppResponse> {
        let who = self.s.addr(caller);
        self.s
            .app
            .execute_contract(who, self.vault.clone(), &ExecuteMsg::Buyback {}, &[])
    }

    pub fn state(&self) -> StateResponse {
        self.s
            .app
            .wrap()
            .query_wasm_smart(&self.vault, &QueryMsg::State {})
            .unwrap()
    }

    pub fn supply(&self) -> u128 {
        let r: token::TokenInfoResponse = self
            .s
            .app
            .wrap()
            .query_wasm_smart(&self.s.token, &token::QueryMsg::TokenInfo {})
            .unwrap();
        r.total_supply.u128()
    }

    pub fn acn_of(&self, a: &Addr) -> u128 {
        self.s.cw20_balance(&self.s.token, a)
    }

    /// Everything a refused buyback must leave as it was.
    pub fn snapshot(&self) -> (Snapshot, StateResponse, u128, u128) {
        (
            self.s.snapshot(),
            self.state(),
            self.supply(),
            self.acn_of(&self.treasury),
        )
    }
}

pub fn vault_err(e: anyhow::Error) -> ContractError {
    e.downcast().expect("a vault ContractError")
}

pub fn event_attr(res: &AppResponse, key: &str) -> String {
    res.events
        .iter()
        .filter(|e| e.ty == "wasm-buyback")
        .flat_map(|e| e.attributes.iter())
        .find(|a| a.key == key)
        .unwrap_or_else(|| panic!("no {key} in the buyback event"))
        .value
        .clone()
}

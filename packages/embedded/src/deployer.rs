//! A borrowed cw-multi-test `App` as a [`Chain`] and a [`Deployer`].

use std::cell::RefCell;

use acn_client::deploy::{Contract, Deployer};
use acn_client::{Block, Chain, ChainError, Deployment, TxResult};
use cosmwasm_std::{Addr, CosmosMsg, WasmMsg};
use cw_multi_test::{App, Executor};

use crate::{contracts, CHAIN_ID};

/// An `App` borrowed for a deployment (or any single-threaded use of the [`Chain`] trait).
pub struct AppDeployer<'a> {
    app: RefCell<&'a mut App>,
    deployment: Deployment,
}

impl<'a> AppDeployer<'a> {
    /// Borrow `app`.
    pub fn new(app: &'a mut App) -> Self {
        AppDeployer {
            app: RefCell::new(app),
            deployment: Deployment {
                chain_id: CHAIN_ID.into(),
                ..Deployment::default()
            },
        }
    }
}

impl Chain for AppDeployer<'_> {
    fn deployment(&self) -> &Deployment {
        &self.deployment
    }

    fn address(&self, account: &str) -> Result<String, ChainError> {
        Ok(self.app.borrow().api().addr_make(account).to_string())
    }

    fn query_json(&self, contract: &str, msg: &[u8]) -> Result<Vec<u8>, ChainError> {
        crate::query_json(&self.app.borrow(), contract, msg)
    }

    fn execute_json_with_funds(
        &self,
        account: &str,
        contract: &str,
        msg: &[u8],
        funds: &[(String, u128)],
    ) -> Result<TxResult, ChainError> {
        crate::execute_json(&mut self.app.borrow_mut(), account, contract, msg, funds)
    }

    fn execute_batch(
        &self,
        account: &str,
        calls: &[acn_client::Call],
    ) -> Result<TxResult, ChainError> {
        crate::execute_calls(&mut self.app.borrow_mut(), account, calls)
    }

    fn bank_balance(&self, address: &str, denom: &str) -> Result<u128, ChainError> {
        crate::bank_balance(&self.app.borrow(), address, denom)
    }

    fn block(&self) -> Result<Block, ChainError> {
        Ok(crate::block(&self.app.borrow()))
    }

    fn wait_blocks(&self, blocks: u64) -> Result<Block, ChainError> {
        crate::advance_blocks(&mut self.app.borrow_mut(), blocks);
        self.block()
    }

    fn wait_seconds(&self, seconds: u64) -> Result<Block, ChainError> {
        crate::advance_time(&mut self.app.borrow_mut(), seconds);
        self.block()
    }
}

impl Deployer for AppDeployer<'_> {
    fn store_code(
        &self,
        _account: &str,
        contract: Contract,
    ) -> Result<(u64, TxResult), ChainError> {
        let mut app = self.app.borrow_mut();
        let id = app.store_code(contracts::wrapper(contract));
        let tx = TxResult {
            height: app.block_info().height,
            ..TxResult::default()
        };
        Ok((id, tx))
    }

    fn instantiate_json(
        &self,
        account: &str,
        code_id: u64,
        msg: &[u8],
        label: &str,
        admin: Option<&str>,
    ) -> Result<(String, TxResult), ChainError> {
        let value: serde_json::Value =
            serde_json::from_slice(msg).map_err(|e| ChainError::Serde(e.to_string()))?;
        let mut app = self.app.borrow_mut();
        let sender = crate::resolve(&app, account);
        let admin = admin.map(|a| crate::resolve(&app, a).to_string());
        let addr = app
            .instantiate_contract(code_id, sender, &value, &[], label, admin)
            .map_err(|e| crate::rejection(&e))?;
        let tx = TxResult {
            height: app.block_info().height,
            ..TxResult::default()
        };
        Ok((addr.to_string(), tx))
    }

    fn update_admin(
        &self,
        account: &str,
        contract: &str,
        new_admin: &str,
    ) -> Result<TxResult, ChainError> {
        let mut app = self.app.borrow_mut();
        let sender = crate::resolve(&app, account);
        let admin = crate::resolve(&app, new_admin).to_string();
        let res = app
            .execute(
                sender,
                CosmosMsg::Wasm(WasmMsg::UpdateAdmin {
                    contract_addr: contract.to_string(),
                    admin,
                }),
            )
            .map_err(|e| crate::rejection(&e))?;
        Ok(crate::tx_result(&app, &res))
    }

    fn resolve(&self, name: &str) -> Result<String, ChainError> {
        Ok(crate::resolve(&self.app.borrow(), name).to_string())
    }

    fn contract_exists(&self, address: &str) -> Result<bool, ChainError> {
        Ok(self
            .app
            .borrow()
            .contract_data(&Addr::unchecked(address))
            .is_ok())
    }
}

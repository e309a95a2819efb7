//! The messages of the wasm (and bank) modules as one account sends them: store code,
//! instantiate, execute, migrate, update admin, bank send.

use std::io::Write;
use std::path::Path;

use cosmrs::cosmwasm::{
    MsgExecuteContract, MsgInstantiateContract, MsgMigrateContract, MsgStoreCode, MsgUpdateAdmin,
};
use cosmrs::tx::Msg;
use cosmrs::{Any, Coin};
use serde::Serialize;

use super::{event_attr, WasmdChain};
use crate::{Call, Chain, ChainError, TxResult};

pub(super) fn to_any<M: Msg>(msg: &M) -> Result<Any, ChainError> {
    msg.to_any()
        .map_err(|e| ChainError::Serde(format!("message encoding: {e}")))
}

fn json<M: Serialize>(msg: &M) -> Result<Vec<u8>, ChainError> {
    serde_json::to_vec(msg).map_err(|e| ChainError::Serde(e.to_string()))
}

fn gzip(bytes: &[u8]) -> Result<Vec<u8>, ChainError> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    enc.write_all(bytes)
        .and_then(|_| enc.finish())
        .map_err(|e| ChainError::Serde(format!("gzip: {e}")))
}

impl WasmdChain {
    /// Store wasm code (gzipped on the way unless it already is); returns the code id.
    pub fn store_code(&self, account: &str, wasm: &[u8]) -> Result<(u64, TxResult), ChainError> {
        let signer = self.signer(account)?;
        let wasm_byte_code = if wasm.starts_with(&[0x1f, 0x8b]) {
            wasm.to_vec()
        } else {
            gzip(wasm)?
        };
        let msg = MsgStoreCode {
            sender: signer.address.clone(),
            wasm_byte_code,
            instantiate_permission: None,
        };
        let tx = self.execute_msgs(account, vec![to_any(&msg)?])?;
        let code_id = event_attr(&tx, "store_code", "code_id")
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| {
                ChainError::Rejected(format!("no code_id in store tx {}", tx.tx_hash))
            })?;
        Ok((code_id, tx))
    }

    /// Store the wasm file at `path`.
    pub fn store_code_file(
        &self,
        account: &str,
        path: impl AsRef<Path>,
    ) -> Result<(u64, TxResult), ChainError> {
        let path = path.as_ref();
        let wasm = std::fs::read(path).map_err(|source| ChainError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        self.store_code(account, &wasm)
    }

    /// Instantiate `code_id` with a JSON message; returns the contract address.
    pub fn instantiate<M: Serialize>(
        &self,
        account: &str,
        code_id: u64,
        msg: &M,
        label: &str,
        admin: Option<&str>,
    ) -> Result<(String, TxResult), ChainError> {
        let signer = self.signer(account)?;
        let admin = admin
            .map(|a| self.resolve(a).and_then(|a| self.account_id(&a)))
            .transpose()?;
        let msg = MsgInstantiateContract {
            sender: signer.address.clone(),
            admin,
            code_id,
            label: Some(label.to_string()),
            msg: json(msg)?,
            funds: vec![],
        };
        let tx = self.execute_msgs(account, vec![to_any(&msg)?])?;
        let address = event_attr(&tx, "instantiate", "_contract_address")
            .map(str::to_string)
            .ok_or_else(|| {
                ChainError::Rejected(format!(
                    "no contract address in instantiate tx {}",
                    tx.tx_hash
                ))
            })?;
        Ok((address, tx))
    }

    /// Migrate `contract` to `code_id` (the account must be its admin).
    pub fn migrate<M: Serialize>(
        &self,
        account: &str,
        contract: &str,
        code_id: u64,
        msg: &M,
    ) -> Result<TxResult, ChainError> {
        let signer = self.signer(account)?;
        let msg = MsgMigrateContract {
            sender: signer.address.clone(),
            contract: self.account_id(contract)?,
            code_id,
            msg: json(msg)?,
        };
        self.execute_msgs(account, vec![to_any(&msg)?])
    }

    /// Make `new_admin` the wasm admin of `contract` (the account must be its admin).
    pub fn update_admin(
        &self,
        account: &str,
        contract: &str,
        new_admin: &str,
    ) -> Result<TxResult, ChainError> {
        let signer = self.signer(account)?;
        let msg = MsgUpdateAdmin {
            sender: signer.address.clone(),
            new_admin: self.account_id(&self.resolve(new_admin)?)?,
            contract: self.account_id(contract)?,
        };
        self.execute_msgs(account, vec![to_any(&msg)?])
    }

    /// A contract execution by `account` of raw JSON with native `funds` (`(denom, amount)`)
    /// attached, in its own transaction.
    pub fn execute_raw_with_funds(
        &self,
        account: &str,
        contract: &str,
        msg: &[u8],
        funds: &[(String, u128)],
    ) -> Result<TxResult, ChainError> {
        let call = Call {
            contract: contract.to_string(),
            msg: msg.to_vec(),
            funds: funds.to_vec(),
        };
        self.execute_calls(account, std::slice::from_ref(&call))
    }

    /// Several contract calls by `account` in one transaction (all or nothing).
    pub fn execute_calls(&self, account: &str, calls: &[Call]) -> Result<TxResult, ChainError> {
        let signer = self.signer(account)?;
        let mut msgs = Vec::with_capacity(calls.len());
        for call in calls {
            let mut coins = vec![];
            for (denom, amount) in &call.funds {
                coins.push(Coin {
                    denom: denom
                        .parse()
                        .map_err(|e| ChainError::Config(format!("denom {denom}: {e}")))?,
                    amount: *amount,
                });
            }
            msgs.push(to_any(&MsgExecuteContract {
                sender: signer.address.clone(),
                contract: self.account_id(&call.contract)?,
                msg: call.msg.clone(),
                funds: coins,
            })?);
        }
        self.execute_msgs(account, msgs)
    }

    /// A contract execution by `account` as a protobuf `Any`, to batch several in one
    /// transaction with [`WasmdChain::execute_msgs`].
    pub fn execute_any<M: Serialize>(
        &self,
        account: &str,
        contract: &str,
        msg: &M,
    ) -> Result<Any, ChainError> {
        let signer = self.signer(account)?;
        to_any(&MsgExecuteContract {
            sender: signer.address.clone(),
            contract: self.account_id(contract)?,
            msg: json(msg)?,
            funds: vec![],
        })
    }

    /// A bank send of `amount` of the fee denom from `account` to `to` as a protobuf `Any`.
    pub fn bank_send_any(&self, account: &str, to: &str, amount: u128) -> Result<Any, ChainError> {
        let signer = self.signer(account)?;
        let coin =
            Coin {
                denom: self.config.denom.parse().map_err(|e| {
                    ChainError::Config(format!("fee denom {}: {e}", self.config.denom))
                })?,
                amount,
            };
        to_any(&cosmrs::bank::MsgSend {
            from_address: signer.address.clone(),
            to_address: self.account_id(to)?,
            amount: vec![coin],
        })
    }

    /// A bank send of `coins` (`(denom, amount)`, any denoms) from `account` to the address `to`,
    /// in its own transaction.
    pub fn bank_send(
        &self,
        account: &str,
        to: &str,
        coins: &[(String, u128)],
    ) -> Result<TxResult, ChainError> {
        let signer = self.signer(account)?;
        let mut amount = vec![];
        for (denom, a) in coins {
            amount.push(Coin {
                denom: denom
                    .parse()
                    .map_err(|e| ChainError::Config(format!("denom {denom}: {e}")))?,
                amount: *a,
            });
        }
        let msg = cosmrs::bank::MsgSend {
            from_address: signer.address.clone(),
            to_address: self.account_id(to)?,
            amount,
        };
        self.execute_msgs(account, vec![to_any(&msg)?])
    }

    /// Execute a typed message (what [`crate::ChainExt::execute`] does, usable before a
    /// deployment is set).
    pub fn execute_typed<M: Serialize>(
        &self,
        account: &str,
        contract: &str,
        msg: &M,
    ) -> Result<TxResult, ChainError> {
        self.execute_json(account, contract, &json(msg)?)
    }
}

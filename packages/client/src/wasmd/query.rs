//! Queries over ABCI: smart contract queries (`/cosmwasm.wasm.v1.Query/SmartContractState`),
//! contract info (wasm admin, code id), auth accounts (number, sequence); and the latest block,
//! which the waits poll.

use std::time::{Duration, Instant};

use cosmrs::proto::cosmos::auth::v1beta1::{
    BaseAccount, QueryAccountRequest, QueryAccountResponse,
};
use cosmrs::proto::cosmwasm::wasm::v1::{
    QueryContractInfoRequest, QueryContractInfoResponse, QueryRawContractStateRequest,
    QueryRawContractStateResponse, QuerySmartContractStateRequest, QuerySmartContractStateResponse,
};
use cosmrs::proto::prost::Message;
use cosmrs::rpc::Client;

use super::tx::contract_message;
use super::{transient, WasmdChain};
use crate::{Block, ChainError};

const SMART_QUERY_PATH: &str = "/cosmwasm.wasm.v1.Query/SmartContractState";
const ACCOUNT_QUERY_PATH: &str = "/cosmos.auth.v1beta1.Query/Account";
const BANK_BALANCE_PATH: &str = "/cosmos.bank.v1beta1.Query/Balance";
const CONTRACT_INFO_PATH: &str = "/cosmwasm.wasm.v1.Query/ContractInfo";
const RAW_STATE_PATH: &str = "/cosmwasm.wasm.v1.Query/RawContractState";

/// A contract's cw2 record: its crate name and version (stored under the key `contract_info`).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ContractVersion {
    /// Contract (crate) name, e.g. `crates.io:acn-token`.
    pub contract: String,
    /// Semver version.
    pub version: String,
}
const BASE_ACCOUNT_TYPE_URL: &str = "/cosmos.auth.v1beta1.BaseAccount";

/// Why an ABCI query failed.
pub(super) enum AbciFail {
    /// The RPC call itself failed (connection, timeout).
    Rpc(String),
    /// The node answered with an error code.
    Code {
        code: u32,
        codespace: String,
        log: String,
    },
}

impl AbciFail {
    /// As a query error: the contract's message, or a transient RPC failure.
    fn into_query_error(self) -> ChainError {
        match self {
            AbciFail::Rpc(e) => transient("query", e),
            AbciFail::Code { log, .. } => ChainError::Query(contract_message(&log)),
        }
    }
}

impl WasmdChain {
    /// Smart-query `contract` with a JSON message; the JSON response bytes.
    pub(super) fn smart_query(&self, contract: &str, msg: &[u8]) -> Result<Vec<u8>, ChainError> {
        let req = QuerySmartContractStateRequest {
            address: contract.to_string(),
            query_data: msg.to_vec(),
        };
        let bytes = self
            .rt
            .block_on(self.abci_query(SMART_QUERY_PATH, req.encode_to_vec()))
            .map_err(AbciFail::into_query_error)?;
        let res = QuerySmartContractStateResponse::decode(bytes.as_slice())
            .map_err(|e| ChainError::Serde(format!("smart query response: {e}")))?;
        Ok(res.data)
    }

    /// Wasm admin (empty when none) and code id of `contract`.
    pub fn contract_info(&self, contract: &str) -> Result<(String, u64), ChainError> {
        let req = QueryContractInfoRequest {
            address: contract.to_string(),
        };
        let bytes = self
            .rt
            .block_on(self.abci_query(CONTRACT_INFO_PATH, req.encode_to_vec()))
            .map_err(AbciFail::into_query_error)?;
        let res = QueryContractInfoResponse::decode(bytes.as_slice())
            .map_err(|e| ChainError::Serde(format!("contract info response: {e}")))?;
        let info = res
            .contract_info
            .ok_or_else(|| ChainError::Query(format!("no contract info for {contract}")))?;
        Ok((info.admin, info.code_id))
    }

    /// The cw2 name and version `contract` stored at instantiation (or migration); `None` when
    /// it stored none.
    pub fn contract_version(&self, contract: &str) -> Result<Option<ContractVersion>, ChainError> {
        let req = QueryRawContractStateRequest {
            address: contract.to_string(),
            query_data: b"contract_info".to_vec(),
        };
        let bytes = self
            .rt
            .block_on(self.abci_query(RAW_STATE_PATH, req.encode_to_vec()))
            .map_err(AbciFail::into_query_error)?;
        let res = QueryRawContractStateResponse::decode(bytes.as_slice())
            .map_err(|e| ChainError::Serde(format!("raw state response: {e}")))?;
        if res.data.is_empty() {
            return Ok(None);
        }
        serde_json::from_slice(&res.data)
            .map(Some)
            .map_err(|e| ChainError::Serde(format!("cw2 record of {contract}: {e}")))
    }

    /// Account number and sequence of `address` (the auth module's view).
    pub fn account_info(&self, address: &str) -> Result<(u64, u64), ChainError> {
        self.rt.block_on(self.query_account(address))
    }

    pub(super) async fn abci_query(&self, path: &str, data: Vec<u8>) -> Result<Vec<u8>, AbciFail> {
        let res = self
            .client
            .abci_query(Some(path.to_string()), data, None, false)
            .await
            .map_err(|e| AbciFail::Rpc(e.to_string()))?;
        if res.code.is_err() {
            return Err(AbciFail::Code {
                code: res.code.value(),
                codespace: res.codespace,
                log: res.log,
            });
        }
        Ok(res.value)
    }

    pub(super) async fn query_account(&self, address: &str) -> Result<(u64, u64), ChainError> {
        let req = QueryAccountRequest {
            address: address.to_string(),
        };
        let bytes = self
            .abci_query(ACCOUNT_QUERY_PATH, req.encode_to_vec())
            .await
            .map_err(|e| match e {
                AbciFail::Rpc(e) => transient("account query", e),
                AbciFail::Code { log, .. } => {
                    ChainError::Rejected(format!("account {address}: {log}"))
                }
            })?;
        let res = QueryAccountResponse::decode(bytes.as_slice())
            .map_err(|e| ChainError::Serde(format!("account response: {e}")))?;
        let any = res
            .account
            .ok_or_else(|| ChainError::Rejected(format!("account {address} not found")))?;
        if any.type_url != BASE_ACCOUNT_TYPE_URL {
            return Err(ChainError::Rejected(format!(
                "account {address} is a {}, not a base account",
                any.type_url
            )));
        }
        let acc = BaseAccount::decode(any.value.as_slice())
            .map_err(|e| ChainError::Serde(format!("base account: {e}")))?;
        Ok((acc.account_number, acc.sequence))
    }

    pub(super) async fn query_bank_balance(
        &self,
        address: &str,
        denom: &str,
    ) -> Result<u128, ChainError> {
        use cosmrs::proto::cosmos::bank::v1beta1::{QueryBalanceRequest, QueryBalanceResponse};
        let req = QueryBalanceRequest {
            address: address.to_string(),
            denom: denom.to_string(),
        };
        let bytes = self
            .abci_query(BANK_BALANCE_PATH, req.encode_to_vec())
            .await
            .map_err(|e| match e {
                AbciFail::Rpc(e) => transient("bank balance query", e),
                AbciFail::Code { log, .. } => {
                    ChainError::Rejected(format!("{denom} balance of {address}: {log}"))
                }
            })?;
        let res = QueryBalanceResponse::decode(bytes.as_slice())
            .map_err(|e| ChainError::Serde(format!("bank balance response: {e}")))?;
        match res.balance {
            None => Ok(0),
            Some(c) => c
                .amount
                .parse()
                .map_err(|e| ChainError::Serde(format!("bank balance {:?}: {e}", c.amount))),
        }
    }

    /// Transactions in the block at `height` and the gas they used.
    pub fn block_load(&self, height: u64) -> Result<BlockLoad, ChainError> {
        self.rt.block_on(async {
            let h = cosmrs::tendermint::block::Height::try_from(height)
                .map_err(|e| ChainError::Config(format!("height {height}: {e}")))?;
            let results = self
                .client
                .block_results(h)
                .await
                .map_err(|e| transient("block_results", e))?;
            let txs = results.txs_results.unwrap_or_default();
            Ok(BlockLoad {
                txs: txs.len() as u64,
                gas_used: txs.iter().map(|t| t.gas_used.max(0) as u64).sum(),
            })
        })
    }

    pub(super) async fn latest_block(&self) -> Result<Block, ChainError> {
        // The application's last committed height, not the block store's: CometBFT stores a block
        // before the application has executed it, so `status` can name a block whose time the
        // queries (and gas simulation, which runs on the committed state) do not see yet. A wait
        // on `status` returned early, and a timelocked execute was then refused.
        let info = self
            .client
            .abci_info()
            .await
            .map_err(|e| transient("abci_info", e))?;
        let height = info.last_block_height;
        let commit = self
            .client
            .commit(height)
            .await
            .map_err(|e| transient("commit", e))?;
        Ok(Block {
            height: height.value(),
            time: u64::try_from(commit.signed_header.header.time.unix_timestamp())
                .unwrap_or_default(),
        })
    }

    /// Poll the latest block until `done` holds for it, at most `timeout`.
    pub(super) async fn wait_until(
        &self,
        what: &str,
        timeout: Duration,
        done: impl Fn(&Block) -> bool,
    ) -> Result<Block, ChainError> {
        let start = Instant::now();
        loop {
            let block = self.latest_block().await?;
            if done(&block) {
                return Ok(block);
            }
            if start.elapsed() >= timeout {
                return Err(ChainError::Transient(format!(
                    "{what}: still at height {} after {timeout:?}",
                    block.height
                )));
            }
            tokio::time::sleep(self.config.poll_interval).await;
        }
    }
}

/// What one block carried ([`WasmdChain::block_load`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BlockLoad {
    /// Transactions in the block.
    pub txs: u64,
    /// Gas they used.
    pub gas_used: u64,
}

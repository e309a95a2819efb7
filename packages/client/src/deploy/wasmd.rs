//! [`Deployer`] on a wasmd node: code from the release artifacts (`scripts/build-wasm.sh`).

use std::path::PathBuf;

use super::{Contract, Deployer};
use crate::wasmd::WasmdChain;
use crate::{Block, Chain, ChainError, Deployment, TxResult};

/// A [`WasmdChain`] that stores contracts from a folder of release artifacts
/// (`acn_token.wasm`, …).
pub struct WasmdDeployer<'a> {
    chain: &'a WasmdChain,
    artifacts: PathBuf,
}

impl<'a> WasmdDeployer<'a> {
    /// Deploy on `chain` with the artifacts in `artifacts`.
    pub fn new(chain: &'a WasmdChain, artifacts: impl Into<PathBuf>) -> Self {
        WasmdDeployer {
            chain,
            artifacts: artifacts.into(),
        }
    }
}

impl Chain for WasmdDeployer<'_> {
    fn deployment(&self) -> &Deployment {
        self.chain.deployment()
    }
    fn address(&self, account: &str) -> Result<String, ChainError> {
        self.chain.address(account)
    }
    fn query_json(&self, contract: &str, msg: &[u8]) -> Result<Vec<u8>, ChainError> {
        self.chain.query_json(contract, msg)
    }
    fn execute_json_with_funds(
        &self,
        account: &str,
        contract: &str,
        msg: &[u8],
        funds: &[(String, u128)],
    ) -> Result<TxResult, ChainError> {
        self.chain
            .execute_json_with_funds(account, contract, msg, funds)
    }
    fn execute_batch(&self, account: &str, calls: &[crate::Call]) -> Result<TxResult, ChainError> {
        self.chain.execute_batch(account, calls)
    }
    fn bank_balance(&self, address: &str, denom: &str) -> Result<u128, ChainError> {
        self.chain.bank_balance(address, denom)
    }
    fn block(&self) -> Result<Block, ChainError> {
        self.chain.block()
    }
    fn wait_blocks(&self, blocks: u64) -> Result<Block, ChainError> {
        self.chain.wait_blocks(blocks)
    }
    fn wait_seconds(&self, seconds: u64) -> Result<Block, ChainError> {
        self.chain.wait_seconds(seconds)
    }
}

impl Deployer for WasmdDeployer<'_> {
    fn store_code(&self, account: &str, contract: Contract) -> Result<(u64, TxResult), ChainError> {
        self.chain
            .store_code_file(account, self.artifacts.join(contract.artifact()))
    }

    fn instantiate_json(
        &self,
        account: &str,
        code_id: u64,
        msg: &[u8],
        label: &str,
        admin: Option<&str>,
    ) -> Result<(String, TxResult), ChainError> {
        let msg: serde_json::Value =
            serde_json::from_slice(msg).map_err(|e| ChainError::Serde(e.to_string()))?;
        self.chain.instantiate(account, code_id, &msg, label, admin)
    }

    fn update_admin(
        &self,
        account: &str,
        contract: &str,
        new_admin: &str,
    ) -> Result<TxResult, ChainError> {
        self.chain.update_admin(account, contract, new_admin)
    }

    fn resolve(&self, name: &str) -> Result<String, ChainError> {
        self.chain.resolve(name)
    }

    fn contract_exists(&self, address: &str) -> Result<bool, ChainError> {
        match self.chain.contract_info(address) {
            Ok(_) => Ok(true),
            Err(ChainError::Transient(e)) => Err(ChainError::Transient(e)),
            Err(_) => Ok(false),
        }
    }
}

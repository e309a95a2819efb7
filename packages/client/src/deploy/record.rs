//! The deployment file: every address and code id, the steps done (to resume), what is owed.

use std::path::Path;

use cosmwasm_std::Uint128;
use serde::{Deserialize, Serialize};

use crate::{ChainError, Deployment};

/// Code ids of the stored ACN contracts (0: not stored).
#[derive(Clone, Copy, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct CodeIds {
    /// Token code.
    pub token: u64,
    /// Staking code.
    pub staking: u64,
    /// Treasury code.
    pub treasury: u64,
    /// Market code.
    pub market: u64,
    /// Emissions code.
    #[serde(default)]
    pub emissions: u64,
    /// DAO code.
    #[serde(default)]
    pub dao: u64,
    /// Pool code.
    #[serde(default)]
    pub pool: u64,
    /// Oracle code.
    #[serde(default)]
    pub oracle: u64,
    /// Buyback vault code.
    #[serde(default)]
    pub buyback: u64,
    /// Agent registry code.
    #[serde(default)]
    pub agents: u64,
    /// Subscriptions code.
    #[serde(default)]
    pub subscriptions: u64,
    /// Moderation example code.
    #[serde(default)]
    pub moderation: u64,
}

/// The deployment file: contract addresses (the plain [`Deployment`] fields, flattened, so the
/// file also reads as a [`Deployment`]), code ids, the owner, the registered models, the DAO,
/// and the steps done so far (a re-run of the deployment skips them).
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct DeploymentRecord {
    /// Chain id and contract addresses.
    #[serde(flatten)]
    pub deployment: Deployment,
    /// Code ids.
    pub code_ids: CodeIds,
    /// Deployer: owner (and admin) of every contract unless `dao` is set.
    pub owner: String,
    /// Ids of the models registered at deployment.
    #[serde(default)]
    pub models: Vec<String>,
    /// Height of the last deployment transaction.
    #[serde(default)]
    pub height: u64,
    /// The DAO: cw-ownable owner of every contract and wasm admin of every contract (`owner`
    /// above is then only the deployer).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dao: Option<String>,
    /// Steps done, in order (`instantiate token`, …): what a re-run skips.
    #[serde(default)]
    pub done: Vec<String>,
    /// Base units of the treasury's genesis funding the deployer still owes it: the stake that
    /// carried the DAO's first proposal, unbonding. A re-run after the unbonding period claims
    /// and pays it.
    #[serde(default, skip_serializing_if = "Uint128::is_zero")]
    pub owed_to_treasury: Uint128,
}

impl DeploymentRecord {
    /// A record with nothing deployed yet on `chain_id`.
    pub fn empty(chain_id: &str, owner: &str) -> Self {
        DeploymentRecord {
            deployment: Deployment {
                chain_id: chain_id.to_string(),
                ..Deployment::default()
            },
            owner: owner.to_string(),
            ..DeploymentRecord::default()
        }
    }

    /// Whether a step is done.
    pub fn is_done(&self, step: &str) -> bool {
        self.done.iter().any(|s| s == step)
    }

    /// Whether every step of the deployment is done.
    pub fn is_complete(&self) -> bool {
        self.is_done(super::routine::COMPLETE)
    }

    /// Read a deployment file.
    pub fn load(path: impl AsRef<Path>) -> Result<Self, ChainError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| ChainError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        serde_json::from_str(&text)
            .map_err(|e| ChainError::Serde(format!("deployment file {}: {e}", path.display())))
    }

    /// Write the deployment file (pretty JSON; written to a temporary file, then renamed).
    pub fn save(&self, path: impl AsRef<Path>) -> Result<(), ChainError> {
        let path = path.as_ref();
        let json =
            serde_json::to_string_pretty(self).map_err(|e| ChainError::Serde(e.to_string()))?;
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| ChainError::Io {
                path: dir.to_path_buf(),
                source,
            })?;
        }
        let tmp = path.with_extension("json.tmp");
        std::fs::write(&tmp, json + "\n")
            .and_then(|_| std::fs::rename(&tmp, path))
            .map_err(|source| ChainError::Io {
                path: path.to_path_buf(),
                source,
            })
    }
}

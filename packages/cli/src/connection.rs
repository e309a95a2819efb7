//! Where the chain and the deployment are, for the role commands (`acn job`, `acn stake`).
//!
//! One small function, [`connect`], so the shared connection flags (chain profile, keys,
//! `--deployment`) can replace it in one place.

use std::path::PathBuf;

use anyhow::Context;

use acn_client::WasmdChain;

/// Connection flags: a wasmd node, the accounts that sign, the deployment file.
#[derive(clap::Args, Clone, Debug)]
pub struct Connection {
    /// RPC endpoint of the wasmd node (default: $ACN_WASMD_RPC, then http://127.0.0.1:26657).
    #[arg(long, global = true)]
    pub rpc: Option<String>,
    /// Accounts file (names and mnemonics) the signers come from.
    #[arg(long, global = true, default_value = "scripts/localnet-accounts.json")]
    pub accounts: PathBuf,
    /// Deployment file written at deployment (contract addresses).
    #[arg(long, global = true, default_value = "deployment.json")]
    pub deployment: PathBuf,
}

/// Connect to the node with the accounts and the deployment file.
pub fn connect(c: &Connection) -> anyhow::Result<WasmdChain> {
    let rpc = c
        .rpc
        .clone()
        .or_else(|| {
            std::env::var("ACN_WASMD_RPC")
                .ok()
                .filter(|s| !s.is_empty())
        })
        .unwrap_or_else(|| "http://127.0.0.1:26657".into());
    WasmdChain::connect(&rpc, &c.accounts, &c.deployment).with_context(|| {
        format!(
            "connect to {rpc} with the deployment {}",
            c.deployment.display()
        )
    })
}

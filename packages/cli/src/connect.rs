//! The connection flags every chain command shares, and the connection they make.
//!
//! Each setting comes from its flag, else its environment variable, else the chain profile
//! (`--chain`, default `localnet`; see `acn_client::wasmd::config` for the profiles file):
//!
//! | flag | variable | default |
//! |---|---|---|
//! | `--chain NAME` | `ACN_CHAIN` | `localnet` (acn-local-1, prefix wasm, 0.025ustake, × 1.3) |
//! | `--rpc URL` | `ACN_RPC` | the profile's |
//! | `--chain-id ID` | `ACN_CHAIN_ID` | the profile's |
//! | `--gas-price P` | `ACN_GAS_PRICE` | the profile's (`0.025` or `0.025ustake`) |
//! | `--gas-adjustment X` | `ACN_GAS_ADJUSTMENT` | the profile's |
//! | — | `ACN_BECH32_PREFIX`, `ACN_FEE_DENOM` | the profile's |
//! | `--deployment FILE` | `ACN_DEPLOYMENT` | `.localnet/deployment.json` |
//! | `--from NAME` | `ACN_FROM` | — (the signing account) |
//! | `--keys test\|env\|os` | `ACN_KEYS` | `test` on the localnet, `os` elsewhere |
//! | `--accounts FILE` | `ACN_ACCOUNTS` | `scripts/localnet-accounts.json` (for `--keys test`) |
//!
//! `--keys env` reads the `--from` account's mnemonic from `ACN_MNEMONIC`; `--keys os` from the
//! OS keyring (service `acn`, user = the account name).

use std::path::PathBuf;

use anyhow::Context;

use acn_client::wasmd::config::{parse_gas_adjustment, GasPrice, ProfileOverrides};
use acn_client::wasmd::{ChainProfile, KeyKind, KeySource};
use acn_client::{DeploymentRecord, WasmdChain};

/// Environment variable naming the deployment file.
pub const ENV_DEPLOYMENT: &str = "ACN_DEPLOYMENT";
/// Environment variable naming the signing account.
pub const ENV_FROM: &str = "ACN_FROM";
/// The deployment file when neither `--deployment` nor `ACN_DEPLOYMENT` names one.
pub const DEFAULT_DEPLOYMENT: &str = ".localnet/deployment.json";

/// Where the keys come from (`--keys`).
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeysArg {
    /// The localnet's TEST-ONLY accounts file (`--accounts`).
    Test,
    /// The `--from` account's mnemonic in `ACN_MNEMONIC`.
    Env,
    /// The `--from` account's mnemonic in the OS keyring (service `acn`).
    Os,
}

impl From<KeysArg> for KeyKind {
    fn from(k: KeysArg) -> Self {
        match k {
            KeysArg::Test => KeyKind::Test,
            KeysArg::Env => KeyKind::Env,
            KeysArg::Os => KeyKind::Os,
        }
    }
}

/// The connection flags of every chain command (global: they may follow the subcommand).
#[derive(clap::Args, Clone, Debug, Default)]
pub struct ConnectArgs {
    /// Chain profile: `localnet` (built in) or a table of $ACN_CHAINS /
    /// ~/.config/acn/chains.toml [env: ACN_CHAIN; default: localnet].
    #[arg(long, global = true, value_name = "NAME")]
    pub chain: Option<String>,
    /// CometBFT RPC URL of a node [env: ACN_RPC; default: the profile's].
    #[arg(long, global = true, value_name = "URL")]
    pub rpc: Option<String>,
    /// Chain id the node must be on [env: ACN_CHAIN_ID; default: the profile's].
    #[arg(long, global = true, value_name = "ID")]
    pub chain_id: Option<String>,
    /// Fee per gas, e.g. 0.025 or 0.025ustake [env: ACN_GAS_PRICE; default: the profile's].
    #[arg(long, global = true, value_name = "PRICE")]
    pub gas_price: Option<GasPrice>,
    /// Simulated gas × this = gas limit, at least 1 [env: ACN_GAS_ADJUSTMENT; default: the
    /// profile's].
    #[arg(long, global = true, value_name = "X", value_parser = parse_gas_adjustment)]
    pub gas_adjustment: Option<f64>,
    /// Deployment file (contract addresses) [env: ACN_DEPLOYMENT; default:
    /// .localnet/deployment.json].
    #[arg(long, global = true, value_name = "FILE")]
    pub deployment: Option<PathBuf>,
    /// Account that signs [env: ACN_FROM].
    #[arg(long, global = true, value_name = "NAME")]
    pub from: Option<String>,
    /// Where keys come from [env: ACN_KEYS; default: test on the localnet, os elsewhere].
    #[arg(long, global = true, value_enum)]
    pub keys: Option<KeysArg>,
    /// Accounts file of `--keys test` [env: ACN_ACCOUNTS; default:
    /// scripts/localnet-accounts.json].
    #[arg(long, global = true, value_name = "FILE")]
    pub accounts: Option<PathBuf>,
}

/// A connected chain with its deployment.
#[derive(Debug)]
pub struct Connection {
    /// The chain, its keys loaded and the deployment's contracts set.
    pub chain: WasmdChain,
    /// The deployment file's contents.
    pub deployment: DeploymentRecord,
    /// The deployment file.
    pub deployment_path: PathBuf,
    /// The signing account (`--from`), when named.
    pub from: Option<String>,
}

impl Connection {
    /// The signing account, or an error saying which flag names it.
    pub fn signer(&self) -> anyhow::Result<&str> {
        self.from
            .as_deref()
            .context("name the signing account with --from NAME (or ACN_FROM)")
    }
}

fn process_env(k: &str) -> Option<String> {
    std::env::var(k).ok()
}

impl ConnectArgs {
    /// The flags' profile overrides.
    pub fn overrides(&self) -> ProfileOverrides {
        ProfileOverrides {
            chain: self.chain.clone(),
            rpc: self.rpc.clone(),
            chain_id: self.chain_id.clone(),
            gas_price: self.gas_price.clone(),
            gas_adjustment: self.gas_adjustment,
            ..ProfileOverrides::default()
        }
    }

    /// The chain profile: the named one, with the environment's and then the flags' overrides.
    pub fn profile(&self) -> anyhow::Result<ChainProfile> {
        Ok(ChainProfile::from_env_and(&self.overrides())?)
    }

    /// The deployment file: `--deployment`, else `env(ACN_DEPLOYMENT)`, else
    /// [`DEFAULT_DEPLOYMENT`].
    pub fn deployment_path(&self, env: &dyn Fn(&str) -> Option<String>) -> PathBuf {
        self.deployment
            .clone()
            .or_else(|| {
                env(ENV_DEPLOYMENT)
                    .filter(|v| !v.is_empty())
                    .map(PathBuf::from)
            })
            .unwrap_or_else(|| PathBuf::from(DEFAULT_DEPLOYMENT))
    }

    /// The signing account: `--from`, else `env(ACN_FROM)`.
    pub fn signing_account(&self, env: &dyn Fn(&str) -> Option<String>) -> Option<String> {
        self.from
            .clone()
            .or_else(|| env(ENV_FROM).filter(|v| !v.is_empty()))
    }

    /// Where keys come from for `profile`.
    pub fn key_source(
        &self,
        profile: &ChainProfile,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> anyhow::Result<KeySource> {
        Ok(KeySource::from_env_or(
            self.keys.map(KeyKind::from),
            self.accounts.clone(),
            profile.is_localnet(),
            env,
        )?)
    }

    /// Connect to `profile`'s chain and load the keys, without a deployment (for commands that
    /// make one: `acn deploy`). Returns the chain (its settings in [`WasmdChain::config`]) and
    /// the signing account.
    pub fn connect_profile(
        &self,
        profile: &ChainProfile,
    ) -> anyhow::Result<(WasmdChain, Option<String>)> {
        let from = self.signing_account(&process_env);
        let keys = self.key_source(profile, &process_env)?;
        let chain = WasmdChain::from_profile(profile).with_context(|| {
            format!(
                "cannot connect to {} (chain profile {}, chain id {})",
                profile.rpc, profile.name, profile.chain_id
            )
        })?;
        chain
            .load_keys(&keys, from.as_deref(), &process_env)
            .with_context(|| format!("cannot load the keys ({})", describe(&keys)))?;
        Ok((chain, from))
    }

    /// Connect to the chain, load the keys and the deployment file (the settings are checked
    /// first, then the file is read, then the node is contacted).
    pub fn connect(&self) -> anyhow::Result<Connection> {
        let profile = self.profile()?;
        let deployment_path = self.deployment_path(&process_env);
        let deployment = DeploymentRecord::load(&deployment_path)
            .context("the deployment file (set it with --deployment FILE or ACN_DEPLOYMENT)")?;
        let (mut chain, from) = self.connect_profile(&profile)?;
        chain
            .set_deployment(deployment.deployment.clone())
            .with_context(|| format!("deployment file {}", deployment_path.display()))?;
        Ok(Connection {
            chain,
            deployment,
            deployment_path,
            from,
        })
    }
}

/// A key source in words, for error messages.
fn describe(keys: &KeySource) -> String {
    match keys {
        KeySource::Test { accounts } => {
            format!("--keys test, accounts file {}", accounts.display())
        }
        KeySource::Env { var } => format!("--keys env, mnemonic in {var}"),
        KeySource::Os { service } => format!("--keys os, OS keyring service {service}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser, Debug)]
    struct Cli {
        #[command(flatten)]
        connect: ConnectArgs,
        #[command(subcommand)]
        command: Sub,
    }

    #[derive(clap::Subcommand, Debug)]
    enum Sub {
        Run {
            #[arg(long)]
            id: u64,
        },
    }

    #[test]
    fn the_flags_parse_before_and_after_the_subcommand() {
        let cli = Cli::try_parse_from([
            "acn",
            "--chain",
            "testnet",
            "--rpc",
            "http://n:1",
            "run",
            "--id",
            "3",
            "--gas-price",
            "0.05uacn",
            "--gas-adjustment",
            "1.5",
            "--from",
            "buyer-1",
            "--keys",
            "env",
        ])
        .unwrap();
        let Sub::Run { id } = cli.command;
        assert_eq!(id, 3);
        let c = cli.connect;
        let o = c.overrides();
        assert_eq!(o.chain.as_deref(), Some("testnet"));
        assert_eq!(o.rpc.as_deref(), Some("http://n:1"));
        assert_eq!(o.gas_adjustment, Some(1.5));
        let p = o.gas_price.unwrap();
        assert_eq!((p.amount, p.denom.as_deref()), (0.05, Some("uacn")));
        assert_eq!(c.keys, Some(KeysArg::Env));
        assert_eq!(c.from.as_deref(), Some("buyer-1"));
    }

    #[test]
    fn bad_flag_values_name_the_flag_and_the_expected_form() {
        let err = Cli::try_parse_from(["acn", "--gas-adjustment", "0.5", "run", "--id", "1"])
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("--gas-adjustment") && err.contains("expected a gas adjustment >= 1"),
            "{err}"
        );
        let err = Cli::try_parse_from(["acn", "--gas-price", "lots", "run", "--id", "1"])
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("--gas-price") && err.contains("expected a number"),
            "{err}"
        );
        let err = Cli::try_parse_from(["acn", "--keys", "file", "run", "--id", "1"])
            .unwrap_err()
            .to_string();
        assert!(err.contains("possible values: test, env, os"), "{err}");
    }

    #[test]
    fn flags_win_over_the_environment_which_wins_over_the_defaults() {
        let env = |k: &str| match k {
            ENV_DEPLOYMENT => Some("/env/deployment.json".to_string()),
            ENV_FROM => Some("env-account".to_string()),
            "ACN_KEYS" => Some("env".to_string()),
            _ => None,
        };
        let none = |_: &str| None;
        let mut c = ConnectArgs::default();
        assert_eq!(c.deployment_path(&none), PathBuf::from(DEFAULT_DEPLOYMENT));
        assert_eq!(c.signing_account(&none), None);
        assert_eq!(
            c.deployment_path(&env),
            PathBuf::from("/env/deployment.json")
        );
        assert_eq!(c.signing_account(&env).as_deref(), Some("env-account"));
        let localnet = ChainProfile::localnet();
        assert!(matches!(
            c.key_source(&localnet, &none).unwrap(),
            KeySource::Test { .. }
        ));
        assert!(matches!(
            c.key_source(&localnet, &env).unwrap(),
            KeySource::Env { .. }
        ));
        c.deployment = Some("/flag/d.json".into());
        c.from = Some("flag-account".into());
        c.keys = Some(KeysArg::Os);
        assert_eq!(c.deployment_path(&env), PathBuf::from("/flag/d.json"));
        assert_eq!(c.signing_account(&env).as_deref(), Some("flag-account"));
        assert!(matches!(
            c.key_source(&localnet, &env).unwrap(),
            KeySource::Os { .. }
        ));
    }
}

//! Chain settings: a named [`ChainProfile`] (chain id, RPC, bech32 prefix, fee denom, gas price,
//! gas adjustment), the profiles file it may come from, the environment variables and flags that
//! override it, and the [`WasmdConfig`] a [`super::WasmdChain`] is built from.
//!
//! Precedence, lowest first: the profile (the built-in [`LOCALNET`] one, or a table of the
//! profiles file) < the environment ([`ProfileOverrides::from_env`]) < flags (a
//! [`ProfileOverrides`] the command line fills). The environment variables:
//!
//! | variable | what |
//! |---|---|
//! | `ACN_CHAINS` | the profiles file (default `$XDG_CONFIG_HOME/acn/chains.toml`, else `~/.config/acn/chains.toml`) |
//! | `ACN_CHAIN` | the profile's name (default `localnet`) |
//! | `ACN_RPC` | CometBFT RPC URL |
//! | `ACN_CHAIN_ID` | chain id the node must report |
//! | `ACN_BECH32_PREFIX` | account address prefix |
//! | `ACN_FEE_DENOM` | fee denom |
//! | `ACN_GAS_PRICE` | fee per gas: `0.025`, or `0.025ustake` (which also sets the fee denom) |
//! | `ACN_GAS_ADJUSTMENT` | simulated gas × this = gas limit |
//!
//! A profiles file holds one table per profile:
//!
//! ```toml
//! [testnet]
//! chain_id = "acn-testnet-1"
//! rpc = "https://rpc.example.invalid:443"
//! bech32_prefix = "wasm"
//! fee_denom = "uacn"
//! gas_price = 0.05
//! gas_adjustment = 1.4   # optional, default 1.3
//! ```
//!
//! A `[localnet]` table in the file replaces the built-in localnet profile.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::keys::COSMOS_HD_PATH;
use crate::ChainError;

/// Name of the built-in profile of `scripts/localnet.sh`'s chain.
pub const LOCALNET: &str = "localnet";
/// Environment variable naming the profiles file.
pub const ENV_CHAINS: &str = "ACN_CHAINS";
/// Environment variable naming the profile.
pub const ENV_CHAIN: &str = "ACN_CHAIN";
/// Environment variable overriding the RPC URL.
pub const ENV_RPC: &str = "ACN_RPC";
/// Environment variable overriding the chain id.
pub const ENV_CHAIN_ID: &str = "ACN_CHAIN_ID";
/// Environment variable overriding the bech32 prefix.
pub const ENV_BECH32_PREFIX: &str = "ACN_BECH32_PREFIX";
/// Environment variable overriding the fee denom.
pub const ENV_FEE_DENOM: &str = "ACN_FEE_DENOM";
/// Environment variable overriding the gas price (`0.025` or `0.025ustake`).
pub const ENV_GAS_PRICE: &str = "ACN_GAS_PRICE";
/// Environment variable overriding the gas adjustment.
pub const ENV_GAS_ADJUSTMENT: &str = "ACN_GAS_ADJUSTMENT";

/// Gas adjustment of a profile that does not set one: wasmd's simulation reports ~16 % less gas
/// than the delivery uses, so anything below ~1.2 runs out of gas.
pub const DEFAULT_GAS_ADJUSTMENT: f64 = 1.3;

/// The settings of one chain.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChainProfile {
    /// The profile's name (the table's name in the profiles file; not a field of it).
    #[serde(skip)]
    pub name: String,
    /// Chain id; the node must report it.
    pub chain_id: String,
    /// CometBFT RPC endpoint, e.g. `http://127.0.0.1:26657`.
    pub rpc: String,
    /// Bech32 prefix of account addresses, e.g. `wasm`.
    pub bech32_prefix: String,
    /// Denom fees are paid in, e.g. `ustake`.
    pub fee_denom: String,
    /// Fee per unit of gas, in `fee_denom`.
    pub gas_price: f64,
    /// Simulated gas × this = the gas limit (at least 1; default [`DEFAULT_GAS_ADJUSTMENT`]).
    #[serde(default = "default_gas_adjustment")]
    pub gas_adjustment: f64,
    /// HD derivation path of the account keys (default [`COSMOS_HD_PATH`]).
    #[serde(default = "default_hd_path")]
    pub hd_path: String,
}

fn default_gas_adjustment() -> f64 {
    DEFAULT_GAS_ADJUSTMENT
}

fn default_hd_path() -> String {
    COSMOS_HD_PATH.into()
}

impl ChainProfile {
    /// The built-in profile of `scripts/localnet.sh`: chain `acn-local-1`, prefix `wasm`, fees in
    /// `ustake` at 0.025 per gas, gas × 1.3, RPC `http://127.0.0.1:26657`.
    pub fn localnet() -> Self {
        ChainProfile {
            name: LOCALNET.into(),
            chain_id: "acn-local-1".into(),
            rpc: "http://127.0.0.1:26657".into(),
            bech32_prefix: "wasm".into(),
            fee_denom: "ustake".into(),
            gas_price: 0.025,
            gas_adjustment: DEFAULT_GAS_ADJUSTMENT,
            hd_path: COSMOS_HD_PATH.into(),
        }
    }

    /// The profile named by `flags`, else by the environment, else [`LOCALNET`], from `profiles`
    /// (or the built-in localnet), with the environment's overrides and then the flags' applied.
    pub fn resolve(
        profiles: &ChainProfiles,
        env: &ProfileOverrides,
        flags: &ProfileOverrides,
    ) -> Result<Self, ChainError> {
        let name = flags
            .chain
            .as_deref()
            .or(env.chain.as_deref())
            .unwrap_or(LOCALNET);
        let mut profile = profiles.get(name)?;
        env.apply(&mut profile);
        flags.apply(&mut profile);
        profile.check()?;
        Ok(profile)
    }

    /// [`ChainProfile::resolve`] with the profiles file and the overrides of this process's
    /// environment.
    pub fn from_env_and(flags: &ProfileOverrides) -> Result<Self, ChainError> {
        let env = |k: &str| std::env::var(k).ok();
        let profiles = ChainProfiles::discover(&env)?;
        let overrides = ProfileOverrides::from_env(&env)?;
        Self::resolve(&profiles, &overrides, flags)
    }

    /// Check the values a parser cannot.
    pub fn check(&self) -> Result<(), ChainError> {
        let bad = |field: &str, why: &str| {
            Err(ChainError::Config(format!(
                "chain profile {}: {field} {why}",
                self.name
            )))
        };
        for (field, value) in [
            ("chain_id", &self.chain_id),
            ("rpc", &self.rpc),
            ("bech32_prefix", &self.bech32_prefix),
            ("fee_denom", &self.fee_denom),
        ] {
            if value.trim().is_empty() {
                return bad(field, "must not be empty");
            }
        }
        if !self.gas_price.is_finite() || self.gas_price < 0.0 {
            return bad(
                "gas_price",
                &format!("must be a number >= 0, got {}", self.gas_price),
            );
        }
        if !self.gas_adjustment.is_finite() || self.gas_adjustment < 1.0 {
            return bad(
                "gas_adjustment",
                &format!("must be a number >= 1, got {}", self.gas_adjustment),
            );
        }
        Ok(())
    }

    /// Whether this is the localnet's chain (where the TEST-ONLY keys may be used).
    pub fn is_localnet(&self) -> bool {
        self.name == LOCALNET
    }
}

/// The profiles of a profiles file, by name.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ChainProfiles {
    /// The file they were read from (`None`: no file).
    pub path: Option<PathBuf>,
    /// The profiles, by name.
    pub profiles: BTreeMap<String, ChainProfile>,
}

impl ChainProfiles {
    /// Parse a profiles file's text; `origin` names it in errors.
    pub fn parse(text: &str, origin: &Path) -> Result<Self, ChainError> {
        let mut profiles: BTreeMap<String, ChainProfile> = toml::from_str(text).map_err(|e| {
            ChainError::Config(format!("chain profiles file {}: {e}", origin.display()))
        })?;
        for (name, profile) in &mut profiles {
            profile.name = name.clone();
        }
        Ok(ChainProfiles {
            path: Some(origin.to_path_buf()),
            profiles,
        })
    }

    /// Read and parse a profiles file.
    pub fn load(path: impl AsRef<Path>) -> Result<Self, ChainError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| ChainError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Self::parse(&text, path)
    }

    /// Where the profiles file is: `$ACN_CHAINS`, else `$XDG_CONFIG_HOME/acn/chains.toml`, else
    /// `$HOME/.config/acn/chains.toml` (`None` without any of these variables).
    pub fn default_path(env: &dyn Fn(&str) -> Option<String>) -> Option<PathBuf> {
        let var = |k: &str| env(k).filter(|v| !v.is_empty());
        if let Some(p) = var(ENV_CHAINS) {
            return Some(PathBuf::from(p));
        }
        let config = var("XDG_CONFIG_HOME")
            .map(PathBuf::from)
            .or_else(|| var("HOME").map(|h| Path::new(&h).join(".config")))?;
        Some(config.join("acn").join("chains.toml"))
    }

    /// The profiles file of [`ChainProfiles::default_path`]: one named by `$ACN_CHAINS` must
    /// exist; the default one is read when it exists (none: no profiles but the built-in one).
    pub fn discover(env: &dyn Fn(&str) -> Option<String>) -> Result<Self, ChainError> {
        let explicit = env(ENV_CHAINS).is_some_and(|v| !v.is_empty());
        match Self::default_path(env) {
            Some(path) if explicit || path.is_file() => Self::load(path),
            _ => Ok(ChainProfiles::default()),
        }
    }

    /// The profile `name`: the file's, else the built-in one for [`LOCALNET`].
    pub fn get(&self, name: &str) -> Result<ChainProfile, ChainError> {
        if let Some(p) = self.profiles.get(name) {
            return Ok(p.clone());
        }
        if name == LOCALNET {
            return Ok(ChainProfile::localnet());
        }
        let known: Vec<&str> = std::iter::once(LOCALNET)
            .chain(
                self.profiles
                    .keys()
                    .map(String::as_str)
                    .filter(|n| *n != LOCALNET),
            )
            .collect();
        let file = match &self.path {
            Some(p) => format!("in {}", p.display()),
            None => {
                format!("(no profiles file: set {ENV_CHAINS} or write ~/.config/acn/chains.toml)")
            }
        };
        Err(ChainError::Config(format!(
            "no chain profile {name} {file}; known: {}",
            known.join(", ")
        )))
    }
}

/// A gas price as written on a command line: `0.025` (in the profile's fee denom) or
/// `0.025ustake` (which also sets the fee denom), like wasmd's `--gas-prices`.
#[derive(Clone, Debug, PartialEq)]
pub struct GasPrice {
    /// Fee per unit of gas.
    pub amount: f64,
    /// Fee denom, when given.
    pub denom: Option<String>,
}

impl FromStr for GasPrice {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        let split = s
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(s.len());
        let (number, denom) = s.split_at(split);
        let amount: f64 = number.parse().map_err(|_| {
            format!("expected a number of fee units per gas, e.g. 0.025 or 0.025ustake, got {s:?}")
        })?;
        if !amount.is_finite() || amount < 0.0 {
            return Err(format!("expected a gas price >= 0, got {s:?}"));
        }
        let denom = (!denom.is_empty()).then(|| denom.to_string());
        if let Some(d) = &denom {
            let valid = d.len() >= 2
                && d.starts_with(|c: char| c.is_ascii_alphabetic())
                && d.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "/:._-".contains(c));
            if !valid {
                return Err(format!(
                    "expected a denom after the number, got {d:?} in {s:?}"
                ));
            }
        }
        Ok(GasPrice { amount, denom })
    }
}

/// Settings that override a profile's (each `None` keeps the profile's value).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ProfileOverrides {
    /// The profile's name.
    pub chain: Option<String>,
    /// RPC URL.
    pub rpc: Option<String>,
    /// Chain id.
    pub chain_id: Option<String>,
    /// Bech32 prefix.
    pub bech32_prefix: Option<String>,
    /// Fee denom.
    pub fee_denom: Option<String>,
    /// Gas price (its denom, when given, sets the fee denom; it wins over `fee_denom`).
    pub gas_price: Option<GasPrice>,
    /// Gas adjustment.
    pub gas_adjustment: Option<f64>,
}

impl ProfileOverrides {
    /// The overrides of the `ACN_*` variables (see the module docs), read through `env` (e.g.
    /// `|k| std::env::var(k).ok()`); empty values count as unset. A malformed value is an error
    /// naming the variable and the expected form.
    pub fn from_env(env: &dyn Fn(&str) -> Option<String>) -> Result<Self, ChainError> {
        let var = |k: &str| env(k).filter(|v| !v.trim().is_empty());
        let gas_price = var(ENV_GAS_PRICE)
            .map(|v| v.parse::<GasPrice>())
            .transpose()
            .map_err(|e| ChainError::Config(format!("{ENV_GAS_PRICE}: {e}")))?;
        let gas_adjustment = var(ENV_GAS_ADJUSTMENT)
            .map(|v| parse_gas_adjustment(&v))
            .transpose()
            .map_err(|e| ChainError::Config(format!("{ENV_GAS_ADJUSTMENT}: {e}")))?;
        Ok(ProfileOverrides {
            chain: var(ENV_CHAIN),
            rpc: var(ENV_RPC),
            chain_id: var(ENV_CHAIN_ID),
            bech32_prefix: var(ENV_BECH32_PREFIX),
            fee_denom: var(ENV_FEE_DENOM),
            gas_price,
            gas_adjustment,
        })
    }

    /// Write the overrides that are set into `profile`.
    pub fn apply(&self, profile: &mut ChainProfile) {
        if let Some(v) = &self.rpc {
            profile.rpc = v.clone();
        }
        if let Some(v) = &self.chain_id {
            profile.chain_id = v.clone();
        }
        if let Some(v) = &self.bech32_prefix {
            profile.bech32_prefix = v.clone();
        }
        if let Some(v) = &self.fee_denom {
            profile.fee_denom = v.clone();
        }
        if let Some(p) = &self.gas_price {
            profile.gas_price = p.amount;
            if let Some(d) = &p.denom {
                profile.fee_denom = d.clone();
            }
        }
        if let Some(v) = self.gas_adjustment {
            profile.gas_adjustment = v;
        }
    }
}

/// Parse a gas adjustment (a number >= 1).
pub fn parse_gas_adjustment(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(v) if v.is_finite() && v >= 1.0 => Ok(v),
        _ => Err(format!(
            "expected a gas adjustment >= 1 (e.g. {DEFAULT_GAS_ADJUSTMENT}), got {s:?}"
        )),
    }
}

/// How a [`super::WasmdChain`] talks to its node and pays for transactions.
#[derive(Clone, Debug)]
pub struct WasmdConfig {
    /// CometBFT RPC endpoint, e.g. `http://127.0.0.1:26657`.
    pub rpc_url: String,
    /// Expected chain id; `None` takes the node's.
    pub chain_id: Option<String>,
    /// Bech32 account prefix.
    pub prefix: String,
    /// Fee denom.
    pub denom: String,
    /// Fee per unit of gas, in `denom`.
    pub gas_price: f64,
    /// Simulated gas is multiplied by this to get the gas limit.
    pub gas_adjustment: f64,
    /// HD derivation path of keys added from mnemonics.
    pub hd_path: String,
    /// How long to wait for a broadcast transaction to be in a block.
    pub tx_timeout: Duration,
    /// How often to poll for a transaction or a new block.
    pub poll_interval: Duration,
    /// Timeout of one RPC request.
    pub request_timeout: Duration,
}

impl WasmdConfig {
    /// The built-in localnet profile's settings at `rpc_url`, taking the node's chain id: prefix
    /// `wasm`, 0.025ustake per gas, gas × 1.3, 60 s for inclusion, 200 ms polls.
    pub fn new(rpc_url: impl Into<String>) -> Self {
        let mut config = Self::from_profile(&ChainProfile::localnet());
        config.rpc_url = rpc_url.into();
        config.chain_id = None;
        config
    }

    /// A profile's settings (the node must be on the profile's chain id); 60 s for inclusion,
    /// 200 ms polls, 30 s per request.
    pub fn from_profile(profile: &ChainProfile) -> Self {
        WasmdConfig {
            rpc_url: profile.rpc.clone(),
            chain_id: Some(profile.chain_id.clone()),
            prefix: profile.bech32_prefix.clone(),
            denom: profile.fee_denom.clone(),
            gas_price: profile.gas_price,
            gas_adjustment: profile.gas_adjustment,
            hd_path: profile.hd_path.clone(),
            tx_timeout: Duration::from_secs(60),
            poll_interval: Duration::from_millis(200),
            request_timeout: Duration::from_secs(30),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env_of(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let vars: BTreeMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| vars.get(k).cloned()
    }

    const FILE: &str = r#"
        [testnet]
        chain_id = "acn-testnet-1"
        rpc = "https://rpc.testnet.invalid:443"
        bech32_prefix = "acn"
        fee_denom = "uacn"
        gas_price = 0.05

        [localnet]
        chain_id = "acn-local-1"
        rpc = "http://127.0.0.1:36657"
        bech32_prefix = "wasm"
        fee_denom = "ustake"
        gas_price = 0.025
        gas_adjustment = 1.5
    "#;

    fn profiles() -> ChainProfiles {
        ChainProfiles::parse(FILE, Path::new("chains.toml")).unwrap()
    }

    #[test]
    fn the_builtin_localnet_profile_is_the_localnet_scripts_chain() {
        let p = ChainProfiles::default().get(LOCALNET).unwrap();
        assert_eq!(p, ChainProfile::localnet());
        assert_eq!(p.chain_id, "acn-local-1");
        assert_eq!(p.bech32_prefix, "wasm");
        assert_eq!(p.fee_denom, "ustake");
        assert_eq!(p.gas_price, 0.025);
        assert_eq!(p.gas_adjustment, 1.3);
        assert_eq!(p.rpc, "http://127.0.0.1:26657");
        // Nothing set anywhere: the localnet.
        let r = ChainProfile::resolve(
            &ChainProfiles::default(),
            &ProfileOverrides::default(),
            &ProfileOverrides::default(),
        )
        .unwrap();
        assert_eq!(r, ChainProfile::localnet());
    }

    #[test]
    fn a_file_profile_has_defaults_and_its_name_and_may_replace_the_localnet() {
        let p = profiles();
        let t = p.get("testnet").unwrap();
        assert_eq!(t.name, "testnet");
        assert_eq!(t.bech32_prefix, "acn");
        assert_eq!(t.gas_adjustment, DEFAULT_GAS_ADJUSTMENT);
        assert_eq!(t.hd_path, COSMOS_HD_PATH);
        let l = p.get(LOCALNET).unwrap();
        assert_eq!(l.rpc, "http://127.0.0.1:36657");
        assert_eq!(l.gas_adjustment, 1.5);
    }

    #[test]
    fn precedence_is_file_then_env_then_flags() {
        let profiles = profiles();
        let env = ProfileOverrides::from_env(&env_of(&[
            (ENV_CHAIN, "testnet"),
            (ENV_RPC, "http://env:26657"),
            (ENV_GAS_PRICE, "0.07"),
            (ENV_GAS_ADJUSTMENT, "1.4"),
        ]))
        .unwrap();
        // File < env.
        let p = ChainProfile::resolve(&profiles, &env, &ProfileOverrides::default()).unwrap();
        assert_eq!(p.name, "testnet");
        assert_eq!(p.chain_id, "acn-testnet-1"); // from the file
        assert_eq!(p.rpc, "http://env:26657"); // env over file
        assert_eq!(p.gas_price, 0.07);
        assert_eq!(p.gas_adjustment, 1.4);
        assert_eq!(p.fee_denom, "uacn");
        // Env < flags, including the profile's name.
        let flags = ProfileOverrides {
            chain: Some(LOCALNET.into()),
            rpc: Some("http://flag:26657".into()),
            gas_price: Some("0.1uflag".parse().unwrap()),
            ..Default::default()
        };
        let p = ChainProfile::resolve(&profiles, &env, &flags).unwrap();
        assert_eq!(p.name, LOCALNET);
        assert_eq!(p.chain_id, "acn-local-1"); // the file's localnet
        assert_eq!(p.rpc, "http://flag:26657"); // flag over env over file
        assert_eq!(p.gas_price, 0.1); // flag over env
        assert_eq!(p.fee_denom, "uflag"); // the flag's gas price denom
        assert_eq!(p.gas_adjustment, 1.4); // env over the file's 1.5
    }

    #[test]
    fn bad_values_name_the_variable_or_field_and_the_expected_form() {
        let err = ProfileOverrides::from_env(&env_of(&[(ENV_GAS_PRICE, "cheap")])).unwrap_err();
        assert!(
            matches!(&err, ChainError::Config(m) if m.starts_with("ACN_GAS_PRICE: expected a number")),
            "{err}"
        );
        let err = ProfileOverrides::from_env(&env_of(&[(ENV_GAS_ADJUSTMENT, "0.9")])).unwrap_err();
        assert!(
            err.to_string()
                .contains("ACN_GAS_ADJUSTMENT: expected a gas adjustment >= 1"),
            "{err}"
        );
        let err = ChainProfiles::parse("[x]\nchain_id = 5\n", Path::new("c.toml")).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("c.toml") && msg.contains("chain_id"), "{msg}");
        let err = ChainProfiles::parse(
            "[x]\nchain_id = \"a\"\nrpc = \"r\"\nbech32_prefix = \"p\"\nfee_denom = \"d\"\n\
             gas_price = 0.1\ngas = 3\n",
            Path::new("c.toml"),
        )
        .unwrap_err();
        assert!(err.to_string().contains("unknown field `gas`"), "{err}");
        let err = ChainProfiles::parse("[x]\nchain_id = \"a\"\n", Path::new("c.toml")).unwrap_err();
        assert!(err.to_string().contains("missing field `rpc`"), "{err}");
        let mut p = ChainProfile::localnet();
        p.gas_adjustment = 0.5;
        let err = p.check().unwrap_err().to_string();
        assert!(
            err.contains("gas_adjustment must be a number >= 1"),
            "{err}"
        );
    }

    #[test]
    fn an_unknown_profile_lists_the_known_ones() {
        let err = profiles().get("mainnet").unwrap_err().to_string();
        assert!(
            err.contains("no chain profile mainnet in chains.toml"),
            "{err}"
        );
        assert!(err.contains("known: localnet, testnet"), "{err}");
        let err = ChainProfiles::default()
            .get("mainnet")
            .unwrap_err()
            .to_string();
        assert!(err.contains("no profiles file"), "{err}");
    }

    #[test]
    fn gas_prices_parse_with_and_without_a_denom() {
        let p: GasPrice = "0.025".parse().unwrap();
        assert_eq!((p.amount, p.denom), (0.025, None));
        let p: GasPrice = "0.025ustake".parse().unwrap();
        assert_eq!((p.amount, p.denom.as_deref()), (0.025, Some("ustake")));
        let p: GasPrice = "1ibc/27394FB092D2ECCD56123C74F36E4C1F926001CEADA9CA97EA622B25F41E5EB2"
            .parse()
            .unwrap();
        assert_eq!(p.amount, 1.0);
        assert!("ustake".parse::<GasPrice>().is_err());
        assert!("0.02 5".parse::<GasPrice>().is_err());
        assert!("-1".parse::<GasPrice>().is_err());
    }

    #[test]
    fn the_profiles_file_is_found_by_env_then_xdg_then_home() {
        let p = ChainProfiles::default_path(&env_of(&[
            (ENV_CHAINS, "/etc/acn/chains.toml"),
            ("HOME", "/home/u"),
        ]));
        assert_eq!(p, Some(PathBuf::from("/etc/acn/chains.toml")));
        let p =
            ChainProfiles::default_path(&env_of(&[("XDG_CONFIG_HOME", "/x"), ("HOME", "/home/u")]));
        assert_eq!(p, Some(PathBuf::from("/x/acn/chains.toml")));
        let p = ChainProfiles::default_path(&env_of(&[("HOME", "/home/u")]));
        assert_eq!(p, Some(PathBuf::from("/home/u/.config/acn/chains.toml")));
        // A missing default file is no error; a missing named one is, as an I/O error.
        let none = ChainProfiles::discover(&env_of(&[("HOME", "/nonexistent-acn-home")])).unwrap();
        assert!(none.profiles.is_empty() && none.path.is_none());
        let err = ChainProfiles::discover(&env_of(&[(ENV_CHAINS, "/nonexistent-acn/chains.toml")]))
            .unwrap_err();
        assert!(matches!(err, ChainError::Io { .. }), "{err:?}");
        assert!(
            err.to_string().contains("/nonexistent-acn/chains.toml"),
            "{err}"
        );
    }

    #[test]
    fn a_profile_becomes_a_wasmd_config() {
        let mut p = ChainProfile::localnet();
        p.gas_price = 0.5;
        let c = WasmdConfig::from_profile(&p);
        assert_eq!(c.chain_id.as_deref(), Some("acn-local-1"));
        assert_eq!((c.prefix.as_str(), c.denom.as_str()), ("wasm", "ustake"));
        assert_eq!((c.gas_price, c.gas_adjustment), (0.5, 1.3));
        let c = WasmdConfig::new("http://node:1");
        assert_eq!((c.rpc_url.as_str(), c.chain_id), ("http://node:1", None));
    }
}

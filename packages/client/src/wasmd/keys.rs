//! Signing keys: secp256k1 keys derived from BIP-39 mnemonics (on [`COSMOS_HD_PATH`] unless the
//! chain profile says otherwise), and where the mnemonics come from ([`KeySource`]):
//!
//! * `test` — the localnet's TEST-ONLY accounts file (`scripts/localnet-accounts.json`): every
//!   account in it, by name. Refused on a chain other than the file's.
//! * `env` — the mnemonic of the one `--from` account in an environment variable
//!   ([`ENV_MNEMONIC`]).
//! * `os` — the OS keyring (the Secret Service on Linux, the Keychain on macOS, the credential
//!   store on Windows): the entry of service [`KEYRING_SERVICE`] and user = the account name
//!   holds its mnemonic; [`store_os_key`] puts it there.
//!
//! Mnemonics are never read from any other plaintext file.

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Mutex;

use bip32::{DerivationPath, Language, Mnemonic};
use cosmrs::crypto::secp256k1::SigningKey;
use cosmrs::crypto::PublicKey;
use cosmrs::AccountId;
use serde::{Deserialize, Serialize};

use super::tx::SeqState;
use super::WasmdChain;
use crate::ChainError;

/// The Cosmos HD path (coin type 118) the localnet's keys live on.
pub const COSMOS_HD_PATH: &str = "m/44'/118'/0'/0/0";
/// The localnet's TEST-ONLY accounts file, relative to the repository root.
pub const LOCALNET_ACCOUNTS: &str = "scripts/localnet-accounts.json";
/// Environment variable choosing the key source (`test`, `env` or `os`).
pub const ENV_KEYS: &str = "ACN_KEYS";
/// Environment variable naming the accounts file of the `test` key source.
pub const ENV_ACCOUNTS: &str = "ACN_ACCOUNTS";
/// Environment variable holding the `--from` account's mnemonic for the `env` key source.
pub const ENV_MNEMONIC: &str = "ACN_MNEMONIC";
/// Service name of ACN's entries in the OS keyring.
pub const KEYRING_SERVICE: &str = "acn";

/// One account of an accounts file.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct AccountEntry {
    /// Name the account is used by.
    pub name: String,
    /// Its address (checked against the derived key when present).
    #[serde(default)]
    pub address: Option<String>,
    /// BIP-39 mnemonic.
    pub mnemonic: String,
}

/// An accounts file: the localnet's TEST-ONLY key source (`scripts/localnet-accounts.json`).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct AccountsFile {
    /// The only chain these keys may be used on (`None`: any).
    #[serde(default)]
    pub chain_id: Option<String>,
    /// HD derivation path (defaults to [`COSMOS_HD_PATH`]).
    #[serde(default = "default_hd_path")]
    pub hd_path: String,
    /// Bech32 prefix of the listed addresses (`None`: the client's).
    #[serde(default)]
    pub bech32_prefix: Option<String>,
    /// The accounts.
    pub accounts: Vec<AccountEntry>,
}

fn default_hd_path() -> String {
    COSMOS_HD_PATH.into()
}

impl AccountsFile {
    /// Read and parse an accounts file.
    pub fn load(path: impl AsRef<Path>) -> Result<Self, ChainError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| ChainError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        serde_json::from_str(&text)
            .map_err(|e| ChainError::Serde(format!("accounts file {}: {e}", path.display())))
    }
}

/// Which kind of [`KeySource`] (`--keys test|env|os`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyKind {
    /// The TEST-ONLY accounts file.
    Test,
    /// An environment variable.
    Env,
    /// The OS keyring.
    Os,
}

impl FromStr for KeyKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "test" => Ok(KeyKind::Test),
            "env" => Ok(KeyKind::Env),
            "os" => Ok(KeyKind::Os),
            other => Err(format!("expected test, env or os, got {other:?}")),
        }
    }
}

/// Where signing keys come from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeySource {
    /// Every account of a TEST-ONLY accounts file (the localnet's).
    Test {
        /// The accounts file.
        accounts: PathBuf,
    },
    /// The mnemonic of the one `--from` account, in an environment variable.
    Env {
        /// The variable (default [`ENV_MNEMONIC`]).
        var: String,
    },
    /// The `--from` account's mnemonic in the OS keyring.
    Os {
        /// Service of the keyring entry (default [`KEYRING_SERVICE`]; the user is the account
        /// name).
        service: String,
    },
}

impl KeySource {
    /// The source of `kind` (default: `test` on the localnet, `os` elsewhere), the accounts file
    /// of `test` being `accounts` or [`LOCALNET_ACCOUNTS`].
    pub fn choose(kind: Option<KeyKind>, accounts: Option<PathBuf>, localnet: bool) -> Self {
        let kind = kind.unwrap_or(if localnet { KeyKind::Test } else { KeyKind::Os });
        match kind {
            KeyKind::Test => KeySource::Test {
                accounts: accounts.unwrap_or_else(|| PathBuf::from(LOCALNET_ACCOUNTS)),
            },
            KeyKind::Env => KeySource::Env {
                var: ENV_MNEMONIC.into(),
            },
            KeyKind::Os => KeySource::Os {
                service: KEYRING_SERVICE.into(),
            },
        }
    }

    /// [`KeySource::choose`] with the kind and the accounts file of the environment
    /// ([`ENV_KEYS`], [`ENV_ACCOUNTS`]) where `kind` / `accounts` are `None`.
    pub fn from_env_or(
        kind: Option<KeyKind>,
        accounts: Option<PathBuf>,
        localnet: bool,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Self, ChainError> {
        let var = |k: &str| env(k).filter(|v| !v.trim().is_empty());
        let kind = match kind {
            Some(k) => Some(k),
            None => var(ENV_KEYS)
                .map(|v| v.parse())
                .transpose()
                .map_err(|e| ChainError::Config(format!("{ENV_KEYS}: {e}")))?,
        };
        let accounts = accounts.or_else(|| var(ENV_ACCOUNTS).map(PathBuf::from));
        Ok(Self::choose(kind, accounts, localnet))
    }

    /// The mnemonic of account `name` from an `env` or `os` source (`env` read through `env`).
    pub fn mnemonic(
        &self,
        name: &str,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<String, ChainError> {
        match self {
            KeySource::Test { accounts } => {
                let file = AccountsFile::load(accounts)?;
                file.accounts
                    .into_iter()
                    .find(|a| a.name == name)
                    .map(|a| a.mnemonic)
                    .ok_or_else(|| ChainError::UnknownAccount(name.to_string()))
            }
            KeySource::Env { var } => env(var).filter(|m| !m.trim().is_empty()).ok_or_else(|| {
                ChainError::Config(format!(
                    "--keys env: {var} is not set (it holds the mnemonic of the --from \
                         account {name})"
                ))
            }),
            KeySource::Os { service } => os_entry(service, name)?
                .get_password()
                .map_err(|e| os_error(service, name, e)),
        }
    }
}

fn os_entry(service: &str, name: &str) -> Result<keyring::Entry, ChainError> {
    keyring::Entry::new(service, name).map_err(|e| os_error(service, name, e))
}

fn os_error(service: &str, name: &str, e: keyring::Error) -> ChainError {
    match e {
        keyring::Error::NoEntry => ChainError::Config(format!(
            "no key {name} in the OS keyring (service {service}); store its mnemonic there first with `acn keys add {name}`"
        )),
        keyring::Error::PlatformFailure(_) | keyring::Error::NoStorageAccess(_) => {
            ChainError::Config(format!(
                "the OS keyring is not available (service {service}, user {name}): {e}; on \
                 Linux it needs a running Secret Service (GNOME Keyring, KeePassXC, KWallet) on \
                 the D-Bus session bus"
            ))
        }
        e => ChainError::Config(format!("OS keyring, service {service}, user {name}: {e}")),
    }
}

/// Store the mnemonic of account `name` in the OS keyring (entry `service`/`name`), after
/// checking that it is a valid BIP-39 mnemonic.
pub fn store_os_key(service: &str, name: &str, mnemonic: &str) -> Result<(), ChainError> {
    derive_key(mnemonic, COSMOS_HD_PATH)
        .map_err(|e| ChainError::Config(format!("account {name}: {e}")))?;
    os_entry(service, name)?
        .set_password(mnemonic.trim())
        .map_err(|e| os_error(service, name, e))
}

/// Remove the entry of account `name` from the OS keyring.
pub fn delete_os_key(service: &str, name: &str) -> Result<(), ChainError> {
    os_entry(service, name)?
        .delete_credential()
        .map_err(|e| os_error(service, name, e))
}

/// A signing account.
pub(super) struct Signer {
    pub(super) key: SigningKey,
    pub(super) public_key: PublicKey,
    pub(super) address: AccountId,
    /// Account number and next sequence; the lock is held for a whole transaction.
    pub(super) state: Mutex<SeqState>,
}

/// The secp256k1 key of a BIP-39 mnemonic (English, no passphrase) on an HD path.
pub fn derive_key(mnemonic: &str, hd_path: &str) -> Result<SigningKey, String> {
    let phrase = Mnemonic::new(mnemonic.trim(), Language::English)
        .map_err(|e| format!("bad mnemonic: {e}"))?;
    let path: DerivationPath = hd_path
        .parse()
        .map_err(|e| format!("bad HD path {hd_path}: {e}"))?;
    let seed = phrase.to_seed("");
    SigningKey::derive_from_path(seed.as_bytes(), &path).map_err(|e| format!("derivation: {e}"))
}

/// The bech32 address (with `prefix`) of a mnemonic's key on `hd_path`.
pub fn address_of(mnemonic: &str, hd_path: &str, prefix: &str) -> Result<String, ChainError> {
    let key = derive_key(mnemonic, hd_path).map_err(ChainError::Config)?;
    key.public_key()
        .account_id(prefix)
        .map(|a| a.to_string())
        .map_err(|e| ChainError::Config(format!("address prefix {prefix}: {e}")))
}

impl WasmdChain {
    /// Add a named account from a BIP-39 mnemonic on the configured HD path; returns its address.
    pub fn add_account(&self, name: &str, mnemonic: &str) -> Result<String, ChainError> {
        let hd_path = self.config.hd_path.clone();
        self.add_account_at(name, mnemonic, &hd_path)
    }

    /// Add a named account from a mnemonic on an HD path; returns its address.
    pub fn add_account_at(
        &self,
        name: &str,
        mnemonic: &str,
        hd_path: &str,
    ) -> Result<String, ChainError> {
        let key = derive_key(mnemonic, hd_path)
            .map_err(|e| ChainError::Config(format!("account {name}: {e}")))?;
        let public_key = key.public_key();
        let address = public_key
            .account_id(&self.config.prefix)
            .map_err(|e| ChainError::Config(format!("account {name}: {e}")))?;
        let bech32 = address.to_string();
        let signer = std::sync::Arc::new(Signer {
            key,
            public_key,
            address,
            state: Mutex::new(SeqState::default()),
        });
        self.accounts
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(name.to_string(), signer);
        Ok(bech32)
    }

    /// Add every account of an accounts file; each derived address must equal the listed one,
    /// and the file's chain (when it names one) must be the node's. Returns the names added.
    pub fn load_accounts(&self, path: impl AsRef<Path>) -> Result<Vec<String>, ChainError> {
        let path = path.as_ref();
        let file = AccountsFile::load(path)?;
        if let Some(chain_id) = &file.chain_id {
            if chain_id != self.chain_id() {
                return Err(ChainError::Config(format!(
                    "accounts file {} holds keys for chain {chain_id} only, the node is on {}",
                    path.display(),
                    self.chain_id()
                )));
            }
        }
        if let Some(prefix) = &file.bech32_prefix {
            if *prefix != self.config.prefix {
                return Err(ChainError::Config(format!(
                    "accounts file {} uses prefix {prefix}, the client {}",
                    path.display(),
                    self.config.prefix
                )));
            }
        }
        let mut names = Vec::with_capacity(file.accounts.len());
        for entry in &file.accounts {
            let address = self.add_account_at(&entry.name, &entry.mnemonic, &file.hd_path)?;
            if let Some(listed) = &entry.address {
                if *listed != address {
                    return Err(ChainError::Config(format!(
                        "account {}: the mnemonic derives {address}, the file lists {listed}",
                        entry.name
                    )));
                }
            }
            names.push(entry.name.clone());
        }
        Ok(names)
    }

    /// Add the keys of `source`: every account of a `test` accounts file, or the one account
    /// `from` of an `env` or `os` source (`env` read through `env`). Returns the names added.
    pub fn load_keys(
        &self,
        source: &KeySource,
        from: Option<&str>,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Vec<String>, ChainError> {
        if let KeySource::Test { accounts } = source {
            return self.load_accounts(accounts);
        }
        let Some(name) = from else {
            return Err(ChainError::Config(
                "name the signing account with --from (or ACN_FROM): the env and os key sources \
                 hold one account's key"
                    .into(),
            ));
        };
        let mnemonic = source.mnemonic(name, env)?;
        self.add_account(name, &mnemonic)?;
        Ok(vec![name.to_string()])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn localnet_accounts() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../..")
            .join(LOCALNET_ACCOUNTS)
    }

    #[test]
    fn localnet_mnemonics_derive_the_listed_addresses() {
        let file = AccountsFile::load(localnet_accounts()).unwrap();
        assert!(!file.accounts.is_empty());
        assert_eq!(file.chain_id.as_deref(), Some("acn-local-1"));
        let prefix = file.bech32_prefix.as_deref().unwrap();
        for a in &file.accounts {
            let addr = address_of(&a.mnemonic, &file.hd_path, prefix).unwrap();
            assert_eq!(Some(addr), a.address, "{}", a.name);
        }
        let err = address_of("one two three", COSMOS_HD_PATH, "wasm").unwrap_err();
        assert!(err.to_string().contains("bad mnemonic"), "{err}");
    }

    #[test]
    fn the_key_source_is_chosen_by_flag_then_env_then_chain() {
        let none = |_: &str| None;
        assert_eq!(
            KeySource::from_env_or(None, None, true, &none).unwrap(),
            KeySource::Test {
                accounts: PathBuf::from(LOCALNET_ACCOUNTS)
            }
        );
        assert_eq!(
            KeySource::from_env_or(None, None, false, &none).unwrap(),
            KeySource::Os {
                service: KEYRING_SERVICE.into()
            }
        );
        let env = |k: &str| match k {
            ENV_KEYS => Some("env".to_string()),
            ENV_ACCOUNTS => Some("/tmp/a.json".to_string()),
            _ => None,
        };
        assert_eq!(
            KeySource::from_env_or(None, None, true, &env).unwrap(),
            KeySource::Env {
                var: ENV_MNEMONIC.into()
            }
        );
        assert_eq!(
            KeySource::from_env_or(Some(KeyKind::Test), None, false, &env).unwrap(),
            KeySource::Test {
                accounts: PathBuf::from("/tmp/a.json")
            }
        );
        let bad = |k: &str| (k == ENV_KEYS).then(|| "file".to_string());
        let err = KeySource::from_env_or(None, None, true, &bad).unwrap_err();
        assert_eq!(
            err.to_string(),
            "configuration: ACN_KEYS: expected test, env or os, got \"file\""
        );
    }

    #[test]
    fn the_env_source_reads_the_mnemonic_of_the_from_account() {
        let file = AccountsFile::load(localnet_accounts()).unwrap();
        let buyer = file.accounts.iter().find(|a| a.name == "buyer-1").unwrap();
        let env = |k: &str| (k == ENV_MNEMONIC).then(|| buyer.mnemonic.clone());
        let source = KeySource::choose(Some(KeyKind::Env), None, false);
        assert_eq!(source.mnemonic("me", &env).unwrap(), buyer.mnemonic);
        let err = source.mnemonic("me", &|_: &str| None).unwrap_err();
        assert!(
            err.to_string().contains("ACN_MNEMONIC is not set") && err.to_string().contains("me"),
            "{err}"
        );
        // The test source finds an account by name, and says so when there is none.
        let test = KeySource::choose(Some(KeyKind::Test), Some(localnet_accounts()), true);
        assert_eq!(test.mnemonic("buyer-1", &env).unwrap(), buyer.mnemonic);
        assert!(matches!(
            test.mnemonic("nobody", &env),
            Err(ChainError::UnknownAccount(n)) if n == "nobody"
        ));
        // A missing accounts file is a local I/O error, not a chain rejection.
        let missing =
            KeySource::choose(Some(KeyKind::Test), Some("/nonexistent.json".into()), true);
        let err = missing.mnemonic("x", &env).unwrap_err();
        assert!(matches!(err, ChainError::Io { .. }), "{err:?}");
        assert!(err.to_string().starts_with("/nonexistent.json: "), "{err}");
    }

    #[test]
    fn a_bad_mnemonic_is_refused_before_it_reaches_the_keyring() {
        let err = store_os_key("acn-test", "x", "not a mnemonic").unwrap_err();
        assert!(err.to_string().contains("account x: bad mnemonic"), "{err}");
    }

    /// The OS keyring round trip. On Linux it needs a Secret Service on the session bus; where
    /// there is none (CI containers, this project's machines) the store fails, and the error must
    /// say that the keyring is unavailable rather than something obscure.
    #[test]
    fn the_os_source_round_trips_through_the_keyring_or_says_it_is_unavailable() {
        let file = AccountsFile::load(localnet_accounts()).unwrap();
        let mnemonic = &file.accounts[0].mnemonic;
        let service = "acn-unit-test";
        let name = format!("key-{}", std::process::id());
        let source = KeySource::Os {
            service: service.into(),
        };
        let none = |_: &str| None;
        match store_os_key(service, &name, mnemonic) {
            Ok(()) => {
                assert_eq!(source.mnemonic(&name, &none).unwrap(), *mnemonic);
                delete_os_key(service, &name).unwrap();
                let err = source.mnemonic(&name, &none).unwrap_err();
                assert!(err.to_string().contains("no key"), "{err}");
            }
            Err(e) => {
                let msg = e.to_string();
                eprintln!("no OS keyring here, only the error is checked: {msg}");
                assert!(matches!(e, ChainError::Config(_)), "{e:?}");
                assert!(msg.contains("OS keyring"), "{msg}");
                let err = source.mnemonic(&name, &none).unwrap_err();
                assert!(err.to_string().contains("OS keyring"), "{err}");
            }
        }
    }
}

//! The buyer's audit secrets, kept on disk.

use std::path::{Path, PathBuf};

use anyhow::Context;
use cosmwasm_std::HexBinary;

/// Where a buyer keeps the audit secrets of its redundancy-1 jobs: one file per job, named by
/// the commitment the job carries, so a secret is found from the job alone.
#[derive(Clone, Debug)]
pub struct SecretStore {
    dir: PathBuf,
}

impl SecretStore {
    /// Secrets under `data_dir/audit-secrets`.
    pub fn new(data_dir: impl Into<PathBuf>) -> Self {
        SecretStore {
            dir: data_dir.into().join("audit-secrets"),
        }
    }

    /// `data_dir` if given, else `$ACN_DATA_DIR`, `$XDG_DATA_HOME/acn`, `~/.local/share/acn`.
    pub fn at(data_dir: Option<&Path>) -> anyhow::Result<Self> {
        let env = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty());
        let dir = match data_dir {
            Some(d) => d.to_path_buf(),
            None => env("ACN_DATA_DIR")
                .map(PathBuf::from)
                .or_else(|| env("XDG_DATA_HOME").map(|d| PathBuf::from(d).join("acn")))
                .or_else(|| env("HOME").map(|h| PathBuf::from(h).join(".local/share/acn")))
                .context("no data directory: pass --data-dir or set ACN_DATA_DIR")?,
        };
        Ok(Self::new(dir))
    }

    /// The file holding the secret behind `commitment` on `chain_id`'s `market`.
    pub fn path(&self, chain_id: &str, market: &str, commitment: &[u8]) -> PathBuf {
        self.dir
            .join(chain_id)
            .join(market)
            .join(format!("{}.hex", hex_string(commitment)))
    }

    /// Write a secret (readable by the owner only) before it is committed to; returns its file.
    pub fn save(
        &self,
        chain_id: &str,
        market: &str,
        commitment: &[u8],
        secret: &[u8],
    ) -> anyhow::Result<PathBuf> {
        let path = self.path(chain_id, market, commitment);
        let dir = path.parent().context("secret path has no parent")?;
        std::fs::create_dir_all(dir).with_context(|| format!("create {}", dir.display()))?;
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options
            .open(&path)
            .with_context(|| format!("write {}", path.display()))?;
        std::io::Write::write_all(&mut file, hex_string(secret).as_bytes())?;
        file.sync_all()?;
        Ok(path)
    }

    /// The secret behind `commitment`, if this store has it.
    pub fn load(
        &self,
        chain_id: &str,
        market: &str,
        commitment: &[u8],
    ) -> anyhow::Result<Option<Vec<u8>>> {
        let path = self.path(chain_id, market, commitment);
        match std::fs::read_to_string(&path) {
            Ok(text) => Ok(Some(
                HexBinary::from_hex(text.trim())
                    .with_context(|| format!("{} is not a hex secret", path.display()))?
                    .to_vec(),
            )),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e).with_context(|| format!("read {}", path.display())),
        }
    }
}

fn hex_string(bytes: &[u8]) -> String {
    HexBinary::from(bytes).to_hex()
}

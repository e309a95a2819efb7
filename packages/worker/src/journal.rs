//! The job journal: one JSON file, replaced atomically (write a temp file, fsync it, rename it
//! over the old one, fsync the directory), so a crash leaves either the old or the new journal.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// Where a job stands for this worker.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Stage {
    /// Slot claimed; nothing computed yet.
    Claimed,
    /// Output computed, salt drawn and commitment derived — all on disk before the commit is sent.
    Computed,
    /// Commitment accepted on chain.
    Committed,
    /// Output revealed on chain.
    Revealed,
    /// The job is final on chain (settled, disputed, expired or resolved).
    Finished,
}

/// One job in the journal.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// Job id.
    pub job_id: u64,
    /// Model id.
    pub model_id: String,
    /// Stage reached.
    pub stage: Stage,
    /// Hex salt (set at `Computed`).
    pub salt: Option<String>,
    /// Hex canonical output (set at `Computed`).
    pub output: Option<String>,
    /// Hex commitment (set at `Computed`).
    pub commitment: Option<String>,
    /// Final status of the job on chain, e.g. `Settled`.
    pub status: Option<String>,
    /// Outcome of this worker's slot, e.g. `Agreed`.
    pub outcome: Option<String>,
    /// Base units paid to this worker for the job.
    pub paid: u128,
}

impl Entry {
    /// A freshly claimed job.
    pub fn claimed(job_id: u64, model_id: &str) -> Self {
        Entry {
            job_id,
            model_id: model_id.to_string(),
            stage: Stage::Claimed,
            salt: None,
            output: None,
            commitment: None,
            status: None,
            outcome: None,
            paid: 0,
        }
    }
}

#[derive(Default, Serialize, Deserialize)]
struct JournalFile {
    entries: BTreeMap<u64, Entry>,
    /// Jobs looked at and refused (e.g. malformed input): never claimed.
    refused: BTreeSet<u64>,
}

/// The journal of one worker.
pub struct Journal {
    path: PathBuf,
    data: JournalFile,
}

impl Journal {
    /// Open (or start) the journal at `path`. A corrupt file is an error, never silently reset.
    pub fn open(path: &Path) -> anyhow::Result<Self> {
        let data = match fs::read(path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| {
                anyhow::anyhow!(
                    "journal {} is corrupt ({e}); refusing to start",
                    path.display()
                )
            })?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => JournalFile::default(),
            Err(e) => {
                return Err(anyhow::anyhow!(
                    "cannot read journal {}: {e}",
                    path.display()
                ))
            }
        };
        Ok(Journal {
            path: path.to_path_buf(),
            data,
        })
    }

    /// Path of the journal file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// One entry.
    pub fn get(&self, job_id: u64) -> Option<&Entry> {
        self.data.entries.get(&job_id)
    }

    /// Every entry, by job id.
    pub fn entries(&self) -> impl Iterator<Item = &Entry> {
        self.data.entries.values()
    }

    /// Entries not yet finished.
    pub fn in_flight(&self) -> Vec<Entry> {
        self.data
            .entries
            .values()
            .filter(|e| e.stage != Stage::Finished)
            .cloned()
            .collect()
    }

    /// Whether a job was refused before.
    pub fn is_refused(&self, job_id: u64) -> bool {
        self.data.refused.contains(&job_id)
    }

    /// Record (insert or replace) an entry and persist durably before returning.
    pub fn record(&mut self, entry: Entry) -> anyhow::Result<()> {
        self.data.entries.insert(entry.job_id, entry);
        self.persist()
    }

    /// Remember a refused job and persist.
    pub fn refuse(&mut self, job_id: u64) -> anyhow::Result<()> {
        self.data.refused.insert(job_id);
        self.persist()
    }

    fn persist(&self) -> anyhow::Result<()> {
        let dir = self
            .path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or_else(|| Path::new("."));
        fs::create_dir_all(dir)?;
        let tmp = self.path.with_extension("tmp");
        {
            let mut f = File::create(&tmp)?;
            f.write_all(&serde_json::to_vec_pretty(&self.data)?)?;
            f.sync_all()?;
        }
        fs::rename(&tmp, &self.path)?;
        File::open(dir)?.sync_all()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_survive_a_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.journal");
        let mut j = Journal::open(&path).unwrap();
        let mut e = Entry::claimed(7, "m");
        e.stage = Stage::Computed;
        e.salt = Some("aa".repeat(32));
        j.record(e.clone()).unwrap();
        j.refuse(9).unwrap();
        let j2 = Journal::open(&path).unwrap();
        assert_eq!(j2.get(7), Some(&e));
        assert!(j2.is_refused(9));
        assert_eq!(j2.in_flight().len(), 1);
        assert!(!path.with_extension("tmp").exists());
    }

    #[test]
    fn a_corrupt_journal_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.journal");
        fs::write(&path, b"{ not json").unwrap();
        let err = Journal::open(&path).err().unwrap();
        assert!(err.to_string().contains("corrupt"), "{err}");
    }
}

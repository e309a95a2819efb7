//! The job journal: an append-only file of JSON lines, one per change of a job's stage. Only
//! the lines that must survive a power loss (the salt and output, before the commitment is
//! sent) are synced; everything else the worker can rebuild from the chain, so it is buffered
//! and written once per pass.

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

#[derive(Default)]
struct JournalFile {
    entries: BTreeMap<u64, Entry>,
    /// Jobs looked at and refused (e.g. malformed input): never claimed.
    refused: BTreeSet<u64>,
}

/// One line of the journal file.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Record {
    /// An entry, replacing any earlier line for the same job.
    Entry(Entry),
    /// A refused job.
    Refused(u64),
}

/// How durable a write must be before [`Journal::record_with`] returns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Durability {
    /// On disk (fdatasync): survives a power loss. Needed for what the chain cannot tell us
    /// again — the salt and output, before the commitment is sent.
    Synced,
    /// Buffered, and handed to the OS (written, not synced) by the next [`Journal::flush`] —
    /// the worker flushes at the end of every pass — or [`Journal::sync`]: survives neither a
    /// kill before that nor a power loss. Enough for stages the worker can rebuild from the
    /// chain on restart (claims are adopted, commitments and reveals are seen on chain, final
    /// jobs are re-read); it saves the worker a write system call per record.
    Written,
}

/// The journal of one worker: an append-only file of JSON lines, one per change, replayed on
/// open (the last line for a job wins). A crash can only tear the very last line, which was
/// never acknowledged; it is dropped on open. Any other bad line is corruption: refused. The
/// file is compacted (one line per job, written to a temp file, synced and renamed over the
/// old one) when it opens with many superseded lines.
pub struct Journal {
    path: PathBuf,
    data: JournalFile,
    file: File,
    /// fdatasyncs issued since open.
    syncs: u64,
    /// Lines recorded but not yet written to the file.
    pending: Vec<u8>,
}

impl Journal {
    /// Open (or start) the journal at `path`. A corrupt file is an error, never silently reset.
    pub fn open(path: &Path) -> anyhow::Result<Self> {
        let bytes = match fs::read(path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => vec![],
            Err(e) => {
                return Err(anyhow::anyhow!(
                    "cannot read journal {}: {e}",
                    path.display()
                ))
            }
        };
        let corrupt = |e: &dyn std::fmt::Display| {
            anyhow::anyhow!(
                "journal {} is corrupt ({e}); refusing to start",
                path.display()
            )
        };
        let mut data = JournalFile::default();
        let mut lines = 0usize;
        let complete = bytes.last().is_none_or(|b| *b == b'\n');
        let mut parts: Vec<&[u8]> = bytes.split(|b| *b == b'\n').collect();
        if complete {
            parts.pop(); // the empty piece after the final newline
        }
        let n = parts.len();
        for (i, line) in parts.into_iter().enumerate() {
            match serde_json::from_slice::<Record>(line) {
                Ok(Record::Entry(e)) => {
                    data.entries.insert(e.job_id, e);
                }
                Ok(Record::Refused(id)) => {
                    data.refused.insert(id);
                }
                // A torn last line: the write never completed, so it was never relied on.
                Err(_) if i + 1 == n && !complete => {
                    lines = usize::MAX; // rewrite without it
                    break;
                }
                Err(e) => return Err(corrupt(&format!("line {}: {e}", i + 1))),
            }
            lines += 1;
        }
        let live = data.entries.len() + data.refused.len();
        if lines > 2 * live + 64 {
            write_compacted(path, &data)?;
        }
        let file = fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(|e| anyhow::anyhow!("cannot open journal {}: {e}", path.display()))?;
        // Lines written but not yet synced by a killed predecessor are in the OS's cache only:
        // make them durable before anything (a commitment) is sent on their strength.
        file.sync_data()
            .map_err(|e| anyhow::anyhow!("cannot sync journal {}: {e}", path.display()))?;
        Ok(Journal {
            path: path.to_path_buf(),
            data,
            file,
            syncs: 0,
            pending: Vec::new(),
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

    /// Record (insert or replace) an entry, synced to disk before returning.
    pub fn record(&mut self, entry: Entry) -> anyhow::Result<()> {
        self.record_with(entry, Durability::Synced)
    }

    /// Record an entry with the given durability.
    pub fn record_with(&mut self, entry: Entry, durability: Durability) -> anyhow::Result<()> {
        self.append(&Record::Entry(entry.clone()), durability)?;
        self.data.entries.insert(entry.job_id, entry);
        Ok(())
    }

    /// Put every line written so far on disk (one fdatasync). The worker records the salts of
    /// all jobs it computed in a pass as [`Durability::Written`] and then syncs once, before
    /// any of their commitments is sent: a group commit.
    pub fn sync(&mut self) -> anyhow::Result<()> {
        self.flush()?;
        self.file
            .sync_data()
            .map_err(|e| anyhow::anyhow!("cannot sync journal {}: {e}", self.path.display()))?;
        self.syncs += 1;
        Ok(())
    }

    /// Write the buffered lines to the file (one write; no sync).
    pub fn flush(&mut self) -> anyhow::Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        self.file
            .write_all(&self.pending)
            .map_err(|e| anyhow::anyhow!("cannot write journal {}: {e}", self.path.display()))?;
        self.pending.clear();
        Ok(())
    }

    /// fdatasyncs issued since the journal was opened.
    pub fn syncs(&self) -> u64 {
        self.syncs
    }

    /// Remember a refused job (written, not synced: a lost refusal is only checked again).
    pub fn refuse(&mut self, job_id: u64) -> anyhow::Result<()> {
        self.append(&Record::Refused(job_id), Durability::Written)?;
        self.data.refused.insert(job_id);
        Ok(())
    }

    fn append(&mut self, record: &Record, durability: Durability) -> anyhow::Result<()> {
        // Serialised apart first: a failure leaves no partial line in the buffer.
        let mut line = serde_json::to_vec(record)?;
        line.push(b'\n');
        self.pending.extend_from_slice(&line);
        if durability == Durability::Synced {
            self.sync()?;
        }
        Ok(())
    }
}

impl Drop for Journal {
    /// Hand what is buffered to the OS (a graceful stop loses nothing).
    fn drop(&mut self) {
        if let Err(e) = self.flush() {
            tracing::warn!(error = %e, "journal: buffered lines lost");
        }
    }
}

/// Replace the journal at `path` by one line per job: temp file, fsync, rename, fsync the
/// directory — a crash leaves the old file or the new one.
fn write_compacted(path: &Path, data: &JournalFile) -> anyhow::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or_else(|| Path::new("."));
    fs::create_dir_all(dir)?;
    let tmp = path.with_extension("tmp");
    {
        let mut f = File::create(&tmp)?;
        for e in data.entries.values() {
            serde_json::to_writer(&mut f, &Record::Entry(e.clone()))?;
            f.write_all(b"\n")?;
        }
        for id in &data.refused {
            serde_json::to_writer(&mut f, &Record::Refused(*id))?;
            f.write_all(b"\n")?;
        }
        f.sync_all()?;
    }
    fs::rename(&tmp, path)?;
    File::open(dir)?.sync_all()?;
    Ok(())
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
        j.flush().unwrap();
        let j2 = Journal::open(&path).unwrap();
        assert_eq!(j2.get(7), Some(&e));
        assert!(j2.is_refused(9));
        assert_eq!(j2.in_flight().len(), 1);
        assert!(!path.with_extension("tmp").exists());
    }

    #[test]
    fn the_last_line_for_a_job_wins_and_a_torn_last_line_is_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.journal");
        let mut j = Journal::open(&path).unwrap();
        let mut e = Entry::claimed(7, "m");
        j.record_with(e.clone(), Durability::Written).unwrap();
        e.stage = Stage::Computed;
        e.salt = Some("bb".repeat(32));
        j.record(e.clone()).unwrap();
        drop(j);
        // A crash in the middle of the next append.
        let mut f = fs::OpenOptions::new().append(true).open(&path).unwrap();
        f.write_all(br#"{"entry":{"job_id":7,"model_id":"m","sta"#)
            .unwrap();
        drop(f);
        let j = Journal::open(&path).unwrap();
        assert_eq!(j.get(7), Some(&e));
        // the torn line is gone from the file too, so later appends stay parseable
        let mut j = j;
        j.refuse(8).unwrap();
        j.flush().unwrap();
        let j = Journal::open(&path).unwrap();
        assert_eq!(j.get(7), Some(&e));
        assert!(j.is_refused(8));
    }

    #[test]
    fn a_bad_line_before_the_end_is_corruption() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.journal");
        let mut j = Journal::open(&path).unwrap();
        j.record(Entry::claimed(1, "m")).unwrap();
        drop(j);
        let mut text = fs::read_to_string(&path).unwrap();
        text.insert_str(0, "garbage\n");
        fs::write(&path, text).unwrap();
        let err = Journal::open(&path).err().unwrap();
        assert!(err.to_string().contains("line 1"), "{err}");
    }

    #[test]
    fn superseded_lines_are_compacted_on_open() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.journal");
        let mut j = Journal::open(&path).unwrap();
        for id in 0..30u64 {
            let mut e = Entry::claimed(id, "m");
            for stage in [
                Stage::Claimed,
                Stage::Computed,
                Stage::Committed,
                Stage::Revealed,
            ] {
                e.stage = stage;
                j.record_with(e.clone(), Durability::Written).unwrap();
            }
            e.stage = Stage::Finished;
            e.paid = id as u128;
            j.record_with(e, Durability::Written).unwrap();
        }
        drop(j);
        assert_eq!(fs::read_to_string(&path).unwrap().lines().count(), 150);
        let j = Journal::open(&path).unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap().lines().count(), 30);
        assert_eq!(j.entries().map(|e| e.paid).sum::<u128>(), 435);
        assert!(j.in_flight().is_empty());
    }

    #[test]
    fn written_lines_reach_the_file_on_flush_or_sync_and_synced_ones_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.journal");
        let lines = || {
            fs::read_to_string(&path)
                .map(|t| t.lines().count())
                .unwrap_or(0)
        };
        let mut j = Journal::open(&path).unwrap();
        j.record_with(Entry::claimed(1, "m"), Durability::Written)
            .unwrap();
        j.refuse(2).unwrap();
        assert_eq!(lines(), 0, "buffered");
        j.flush().unwrap();
        assert_eq!(lines(), 2);
        j.record_with(Entry::claimed(3, "m"), Durability::Written)
            .unwrap();
        j.record(Entry::claimed(4, "m")).unwrap(); // synced: everything before it too
        assert_eq!((lines(), j.syncs()), (4, 1));
        j.record_with(Entry::claimed(5, "m"), Durability::Written)
            .unwrap();
        drop(j); // a graceful stop flushes
        let j = Journal::open(&path).unwrap();
        assert_eq!(j.entries().count(), 4);
        assert!(j.is_refused(2));
    }

    #[test]
    fn a_corrupt_journal_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.journal");
        // A complete line that is not a record (a torn write never ends in a newline).
        fs::write(&path, b"{ not json\n").unwrap();
        let err = Journal::open(&path).err().unwrap();
        assert!(err.to_string().contains("corrupt"), "{err}");
    }
}

//! Training jobs on the worker: fetch a buyer's served dataset, keep the trained weights, hand
//! them out by sha256.
//!
//! The weights of every training job the worker ran are kept in its trained-weights directory
//! (`<sha256>.bpk`); the HTTP server of `/metrics` serves them at `/weights/<sha256>` so the
//! buyer can fetch the weights of a job its provider won and check them against the sha256 the
//! market settled (`acn job weights`).

use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;

use acn_interface::training::{sha256, TrainingStatus};

/// Largest dataset file a worker downloads (128 MiB: a request holds at most a million items).
pub const MAX_DATASET_BYTES: u64 = 128 * 1024 * 1024;
/// How long a dataset download may take, connection included.
pub const DATASET_TIMEOUT: Duration = Duration::from_secs(60);

/// The directory of trained weights files, by sha256.
#[derive(Clone, Debug)]
pub struct TrainedStore {
    dir: PathBuf,
}

impl TrainedStore {
    /// The store in `dir` (created when missing).
    pub fn open(dir: &Path) -> anyhow::Result<TrainedStore> {
        std::fs::create_dir_all(dir)
            .map_err(|e| anyhow::anyhow!("trained weights directory {}: {e}", dir.display()))?;
        Ok(TrainedStore {
            dir: dir.to_path_buf(),
        })
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Keep `weights`; returns their sha256 (hex). Written to a temporary file and renamed, so
    /// a file under a hash's name always holds those bytes.
    pub fn put(&self, weights: &[u8]) -> anyhow::Result<String> {
        let hash = hex::encode(sha256(weights));
        let path = self.dir.join(format!("{hash}.bpk"));
        let tmp = self.dir.join(format!("{hash}.bpk.tmp"));
        std::fs::write(&tmp, weights)
            .and_then(|()| std::fs::rename(&tmp, &path))
            .map_err(|e| anyhow::anyhow!("cannot keep trained weights {}: {e}", path.display()))?;
        Ok(hash)
    }

    /// The weights whose sha256 is `hash` (64 lowercase hex), if kept here and intact.
    pub fn get(&self, hash: &str) -> Option<Vec<u8>> {
        if hash.len() != 64 || !hash.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
            return None;
        }
        let bytes = std::fs::read(self.dir.join(format!("{hash}.bpk"))).ok()?;
        (hex::encode(sha256(&bytes)) == hash).then_some(bytes)
    }
}

/// Download a served dataset: `Ok` with its bytes when they hash to `expected`;
/// [`TrainingStatus::DatasetMismatch`] when other bytes came; [`TrainingStatus::DatasetUnavailable`]
/// when the server cannot be reached, answers with an error status, takes longer than
/// [`DATASET_TIMEOUT`] or sends more than [`MAX_DATASET_BYTES`].
pub fn fetch_dataset(uri: &str, expected: &[u8; 32]) -> Result<Vec<u8>, TrainingStatus> {
    let unavailable = |reason: String| {
        tracing::warn!(%uri, %reason, "training dataset unavailable");
        TrainingStatus::DatasetUnavailable
    };
    let agent = ureq::AgentBuilder::new().timeout(DATASET_TIMEOUT).build();
    let response = agent
        .get(uri)
        .call()
        .map_err(|e| unavailable(e.to_string()))?;
    let mut bytes = Vec::new();
    response
        .into_reader()
        .take(MAX_DATASET_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| unavailable(e.to_string()))?;
    if bytes.len() as u64 > MAX_DATASET_BYTES {
        return Err(unavailable(format!("more than {MAX_DATASET_BYTES} bytes")));
    }
    if sha256(&bytes) != *expected {
        tracing::warn!(%uri, "training dataset: its sha256 is not the request's");
        return Err(TrainingStatus::DatasetMismatch);
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_store_hands_out_only_intact_files_under_their_hash() {
        let dir = tempfile::tempdir().unwrap();
        let store = TrainedStore::open(&dir.path().join("trained")).unwrap();
        let hash = store.put(b"weights").unwrap();
        assert_eq!(store.get(&hash).unwrap(), b"weights");
        assert_eq!(store.get("../etc/passwd"), None);
        assert_eq!(store.get(&"0".repeat(64)), None);
        std::fs::write(store.dir().join(format!("{hash}.bpk")), b"tampered").unwrap();
        assert_eq!(store.get(&hash), None);
    }

    #[test]
    fn a_dataset_is_taken_only_with_the_requested_hash() {
        let server = tiny_http::Server::http("127.0.0.1:0").unwrap();
        let addr = server.server_addr().to_ip().unwrap();
        let thread = std::thread::spawn(move || {
            for _ in 0..3 {
                let request = server.recv().unwrap();
                let response = match request.url() {
                    "/data.bin" => tiny_http::Response::from_data(b"items".to_vec()),
                    _ => tiny_http::Response::from_data(b"gone".to_vec()).with_status_code(404),
                };
                request.respond(response).unwrap();
            }
        });
        let uri = |path: &str| format!("http://{addr}{path}");
        assert_eq!(
            fetch_dataset(&uri("/data.bin"), &sha256(b"items")).unwrap(),
            b"items"
        );
        assert_eq!(
            fetch_dataset(&uri("/data.bin"), &sha256(b"other")),
            Err(TrainingStatus::DatasetMismatch)
        );
        assert_eq!(
            fetch_dataset(&uri("/missing"), &sha256(b"items")),
            Err(TrainingStatus::DatasetUnavailable)
        );
        thread.join().unwrap();
        // Nobody listens any more.
        assert_eq!(
            fetch_dataset(&uri("/data.bin"), &sha256(b"items")),
            Err(TrainingStatus::DatasetUnavailable)
        );
    }
}

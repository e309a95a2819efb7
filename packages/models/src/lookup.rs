//! `faq-lookup-v1`: a tool step, not a network — the nearest entry of a published vector index
//! to each input vector, by exact integer dot product.
//!
//! The "weights" are the index file (`weights/faq-lookup-v1.idx`, pinned by sha256 in the
//! registry like any weights): the all-MiniLM-L6-v2 embeddings of the questions of a small
//! customer-support FAQ the crate ships (`data/faq.tsv`), in the encoder's fixed point
//! ([`crate::registry::MINILM_SCALE`]), exactly the bytes a `minilm-l6-v2` job puts out for those questions. A
//! job's input is such an embedding per item (`i32 [384]`, so a `minilm-l6-v2` step feeds it
//! through the `direct` adapter); its output is the label of the entry with the largest
//! dot product, ties to the lowest index. The arithmetic is integer (`i32 × i32` products summed
//! in `i128`, which no input can overflow): every provider on every backend gives the same
//! bytes, so the model's tolerance is 0. An agent turns the label into the entry's answer with
//! a `label_text` adapter (see [`faq_answers`]).
//!
//! Index file: the 8 bytes [`INDEX_MAGIC`], the dimension and the number of entries (`u32` LE
//! each), then `entries × dim` `i32` LE values, row-major.

use std::path::Path;

use acn_interface::market::{DType, InputSpec, ModelSpec, OutputSpec};

use crate::engine::{sha256_hex, Backend, Engine};
use crate::error::{DataError, EngineError, TrainError};
use crate::minilm::EMBEDDING_DIM;
use crate::registry::{
    load_registry, minilm_entry, registry_json, RegistryEntry, MAX_BATCH, MINILM_ID,
    MINILM_MAX_BYTES, REGISTRY_FILE, WEIGHTS_DIR, WEIGHTS_URI_PREFIX,
};

/// On-chain id of the FAQ lookup.
pub const LOOKUP_ID: &str = "faq-lookup-v1";
/// Architecture tag of a nearest-neighbour lookup over 384-dim `i32` vectors by exact dot
/// product (the number of entries is the spec's `num_classes`).
pub const LOOKUP_ARCHITECTURE: &str = "nn-dot-i32-384";
/// First 8 bytes of an index file.
pub const INDEX_MAGIC: [u8; 8] = *b"ACNVIDX1";
/// Bytes before the vectors: magic, dimension, entries.
pub const INDEX_HEADER_BYTES: usize = 16;

/// The FAQ (`name<TAB>question<TAB>answer` per line after a header line).
const FAQ_TSV: &str = include_str!("../data/faq.tsv");

/// A vector index: `entries` vectors of `dim` `i32` values.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VectorIndex {
    dim: usize,
    /// `[entries, dim]` row-major.
    vectors: Vec<i32>,
}

impl VectorIndex {
    /// An index of the rows of `vectors` (`[entries, dim]` row-major); at least one entry of at
    /// least one value.
    pub fn new(dim: usize, vectors: Vec<i32>) -> Result<VectorIndex, String> {
        if dim == 0 || vectors.is_empty() || !vectors.len().is_multiple_of(dim) {
            return Err(format!(
                "{} values do not make whole vectors of dimension {dim}",
                vectors.len()
            ));
        }
        Ok(VectorIndex { dim, vectors })
    }

    /// Parse an index file's bytes (see the module docs).
    pub fn from_bytes(bytes: &[u8]) -> Result<VectorIndex, String> {
        if bytes.len() < INDEX_HEADER_BYTES || bytes[..8] != INDEX_MAGIC {
            return Err("not a vector index (the file must start with ACNVIDX1)".into());
        }
        let word = |at: usize| {
            u32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]])
        };
        let (dim, entries) = (word(8) as usize, word(12) as usize);
        let body = &bytes[INDEX_HEADER_BYTES..];
        if Some(body.len()) != dim.checked_mul(entries).and_then(|n| n.checked_mul(4)) {
            return Err(format!(
                "{} bytes of vectors, {entries} entries of dimension {dim} need {}",
                body.len(),
                dim as u128 * entries as u128 * 4
            ));
        }
        let vectors = body
            .chunks_exact(4)
            .map(|c| i32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
        VectorIndex::new(dim, vectors)
    }

    /// The index file's bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(INDEX_HEADER_BYTES + self.vectors.len() * 4);
        out.extend_from_slice(&INDEX_MAGIC);
        out.extend_from_slice(&(self.dim as u32).to_le_bytes());
        out.extend_from_slice(&(self.entries() as u32).to_le_bytes());
        out.extend(self.vectors.iter().flat_map(|v| v.to_le_bytes()));
        out
    }

    /// Values per vector.
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// Number of vectors.
    pub fn entries(&self) -> usize {
        self.vectors.len() / self.dim
    }

    /// Vector `i`.
    pub fn vector(&self, i: usize) -> &[i32] {
        &self.vectors[i * self.dim..(i + 1) * self.dim]
    }

    /// The exact dot product of every entry with `query` (which has [`Self::dim`] values).
    pub fn scores(&self, query: &[i32]) -> Vec<i128> {
        self.vectors
            .chunks_exact(self.dim)
            .map(|v| dot(v, query))
            .collect()
    }

    /// The entry with the largest dot product with `query`, ties to the lowest index; `None`
    /// when `query` does not have [`Self::dim`] values.
    pub fn nearest(&self, query: &[i32]) -> Option<usize> {
        if query.len() != self.dim {
            return None;
        }
        let mut best = (0, dot(self.vector(0), query));
        for (i, v) in self.vectors.chunks_exact(self.dim).enumerate().skip(1) {
            let score = dot(v, query);
            if score > best.1 {
                best = (i, score);
            }
        }
        Some(best.0)
    }
}

/// `Σ a·b` exactly: each product fits an `i64`, the sum of up to 2^64 of them an `i128`.
fn dot(a: &[i32], b: &[i32]) -> i128 {
    a.iter()
        .zip(b)
        .map(|(x, y)| i128::from(i64::from(*x) * i64::from(*y)))
        .sum()
}

/// Price units per item of a lookup in `entries` vectors of `dim` values: `dim × entries`
/// multiply-accumulates, in thousands, rounded up (at least 1).
pub const fn lookup_cost_units(dim: usize, entries: usize) -> u64 {
    let units = (dim as u64 * entries as u64).div_ceil(1000);
    if units == 0 {
        1
    } else {
        units
    }
}

/// The dimension and entry count a lookup spec implies, after checking that it names
/// [`LOOKUP_ARCHITECTURE`], takes `i32 [384]` items and puts out one of its entries' labels.
pub fn check_lookup_spec(spec: &ModelSpec) -> Result<(usize, usize), EngineError> {
    if spec.architecture != LOOKUP_ARCHITECTURE {
        return Err(EngineError::UnknownArchitecture {
            model: spec.id.clone(),
            architecture: spec.architecture.clone(),
        });
    }
    let mismatch = |reason: &str| EngineError::SpecMismatch {
        model: spec.id.clone(),
        architecture: spec.architecture.clone(),
        reason: reason.to_string(),
    };
    if spec.input.dtype != DType::I32 || spec.input.shape != [EMBEDDING_DIM as u32] {
        return Err(mismatch("input must be I32 of shape [384]"));
    }
    if spec.input.max_batch == 0 {
        return Err(mismatch("max_batch must be positive"));
    }
    match &spec.output {
        OutputSpec::ClassLabels { num_classes, .. } if *num_classes >= 1 => {
            Ok((EMBEDDING_DIM, *num_classes as usize))
        }
        _ => Err(mismatch(
            "output must be ClassLabels, one class per index entry",
        )),
    }
}

/// Run a lookup job: `batch` items of `i32 [dim]` (LE) in `input`, one `u32` LE label per item
/// out. Wrong lengths and batches are refused with the reason.
pub fn run_lookup(
    spec: &ModelSpec,
    index: &VectorIndex,
    input: &[u8],
    batch: u32,
) -> Result<Vec<u8>, EngineError> {
    let bad = |reason: String| EngineError::BadInput {
        model: spec.id.clone(),
        reason,
    };
    if batch == 0 || batch > spec.input.max_batch {
        return Err(bad(format!(
            "batch {batch} outside 1..={}",
            spec.input.max_batch
        )));
    }
    let item = index.dim() * 4;
    if input.len() != item * batch as usize {
        return Err(bad(format!(
            "{} bytes for a batch of {batch}, expected {} ({} i32 LE values per item)",
            input.len(),
            item * batch as usize,
            index.dim()
        )));
    }
    let mut query = vec![0i32; index.dim()];
    let mut out = Vec::with_capacity(batch as usize * 4);
    for chunk in input.chunks_exact(item) {
        for (q, c) in query.iter_mut().zip(chunk.chunks_exact(4)) {
            *q = i32::from_le_bytes([c[0], c[1], c[2], c[3]]);
        }
        let label = index.nearest(&query).unwrap_or(0) as u32;
        out.extend_from_slice(&label.to_le_bytes());
    }
    Ok(out)
}

/// One FAQ entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FaqEntry {
    /// Its label (`[a-z0-9-]`, unique).
    pub name: String,
    /// The question whose embedding is the entry's vector.
    pub question: String,
    /// The answer an agent returns for it.
    pub answer: String,
}

/// The shipped FAQ (`data/faq.tsv`), in file (= label) order. Refuses a malformed line, a name
/// outside `[a-z0-9-]` or used twice, and a question or answer that is empty or longer than the
/// encoder's 1 024 bytes.
pub fn faq_entries() -> Result<Vec<FaqEntry>, DataError> {
    parse_faq(FAQ_TSV)
}

fn parse_faq(tsv: &str) -> Result<Vec<FaqEntry>, DataError> {
    let mut lines = tsv.lines().enumerate();
    if lines.next().map(|(_, l)| l) != Some("name\tquestion\tanswer") {
        return Err(DataError::Faq {
            line: 1,
            reason: "the header must be `name<TAB>question<TAB>answer`".into(),
        });
    }
    let mut entries: Vec<FaqEntry> = Vec::new();
    for (index, line) in lines.filter(|(_, l)| !l.trim().is_empty()) {
        let bad = |reason: String| DataError::Faq {
            line: index + 1,
            reason,
        };
        let fields: Vec<&str> = line.split('\t').map(str::trim).collect();
        let [name, question, answer] = fields[..] else {
            return Err(bad("expected `name<TAB>question<TAB>answer`".into()));
        };
        let name_ok = !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !name_ok {
            return Err(bad(format!("name `{name}` must be 1+ chars of [a-z0-9-]")));
        }
        if entries.iter().any(|e| e.name == name) {
            return Err(bad(format!("name `{name}` is used twice")));
        }
        for (field, text) in [("question", question), ("answer", answer)] {
            if text.is_empty() || text.len() > MINILM_MAX_BYTES as usize {
                return Err(bad(format!(
                    "the {field} must be 1..={MINILM_MAX_BYTES} bytes"
                )));
            }
        }
        entries.push(FaqEntry {
            name: name.into(),
            question: question.into(),
            answer: answer.into(),
        });
    }
    if entries.len() < 2 {
        return Err(DataError::Faq {
            line: tsv.lines().count(),
            reason: "an index needs at least 2 entries".into(),
        });
    }
    Ok(entries)
}

/// The answers of the shipped FAQ in label order: the texts of an agent's `label_text` adapter
/// after the lookup.
pub fn faq_answers() -> Result<Vec<String>, DataError> {
    Ok(faq_entries()?.into_iter().map(|e| e.answer).collect())
}

/// Index file name of the lookup.
pub fn index_file_name() -> String {
    format!("{LOOKUP_ID}.idx")
}

/// The registry entry of [`LOOKUP_ID`] over `entries`, its index file hashing to `index_sha256`.
pub fn lookup_entry(index_sha256: &str, entries: &[FaqEntry]) -> RegistryEntry {
    RegistryEntry {
        spec: ModelSpec {
            id: LOOKUP_ID.to_string(),
            name: format!(
                "FAQ answer lookup: nearest of {} all-MiniLM-L6-v2 question embeddings, exact \
                 integer dot product",
                entries.len()
            ),
            architecture: LOOKUP_ARCHITECTURE.to_string(),
            weights_sha256: index_sha256.to_string(),
            weights_uri: format!("{WEIGHTS_URI_PREFIX}{}", index_file_name()),
            input: InputSpec {
                shape: vec![EMBEDDING_DIM as u32],
                dtype: DType::I32,
                max_batch: MAX_BATCH,
            },
            output: OutputSpec::ClassLabels {
                num_classes: entries.len() as u32,
                labels: entries.iter().map(|e| e.name.clone()).collect(),
            },
            tolerance: 0,
            cost_units_per_item: lookup_cost_units(EMBEDDING_DIM, entries.len()),
            min_redundancy: 1,
        },
        weights_file: index_file_name(),
        tokenizer: None,
        encoder: None,
    }
}

/// The index of `entries`: each question's `minilm-l6-v2` output on `engine` (which has
/// [`MINILM_ID`] loaded), in jobs of the encoder's `max_batch` — the exact bytes a provider on
/// that backend would put on chain.
pub fn build_index(engine: &Engine, entries: &[FaqEntry]) -> Result<VectorIndex, EngineError> {
    let max_batch = engine
        .spec(MINILM_ID)
        .ok_or_else(|| EngineError::UnknownModel(MINILM_ID.to_string()))?
        .input
        .max_batch as usize;
    let mut vectors = Vec::with_capacity(entries.len() * EMBEDDING_DIM);
    for chunk in entries.chunks(max_batch) {
        let texts: Vec<&str> = chunk.iter().map(|e| e.question.as_str()).collect();
        let input = acn_interface::market::encode_text_items(&texts);
        let out = engine.run(MINILM_ID, &input, texts.len() as u32)?;
        vectors.extend(
            out.chunks_exact(4)
                .map(|c| i32::from_le_bytes([c[0], c[1], c[2], c[3]])),
        );
    }
    VectorIndex::new(EMBEDDING_DIM, vectors).map_err(EngineError::Backend)
}

/// The shipped FAQ's index built on the ndarray backend (the reference, as for the trained
/// weights), with the MiniLM files of [`crate::text::minilm_dir`]. Embeddings are in
/// fixed point at [`crate::registry::MINILM_SCALE`].
pub fn build_faq_index() -> Result<(Vec<FaqEntry>, VectorIndex), TrainError> {
    let entries = faq_entries()?;
    let mut engine = Engine::new(Backend::Ndarray)?;
    engine.load(&minilm_entry(), Path::new("."))?;
    let index = build_index(&engine, &entries)?;
    Ok((entries, index))
}

/// Write the shipped FAQ's index into `<weights_dir>/faq-lookup-v1.idx` and return its
/// registry entry.
pub fn write_faq_index(weights_dir: &Path) -> Result<RegistryEntry, TrainError> {
    let (entries, index) = build_faq_index()?;
    let bytes = index.to_bytes();
    std::fs::create_dir_all(weights_dir).map_err(|source| TrainError::Io {
        path: weights_dir.to_path_buf(),
        source,
    })?;
    let path = weights_dir.join(index_file_name());
    std::fs::write(&path, &bytes).map_err(|source| TrainError::Io { path, source })?;
    Ok(lookup_entry(&sha256_hex(&bytes), &entries))
}

/// Rebuild the FAQ index in `<models_dir>/weights/` and put its entry into
/// `<models_dir>/registry.json` (replacing the entry of the same id, else appended), leaving
/// every other entry as it is. Returns the entry.
pub fn regenerate_lookup(models_dir: &Path) -> Result<RegistryEntry, TrainError> {
    let entry = write_faq_index(&models_dir.join(WEIGHTS_DIR))?;
    let path = models_dir.join(REGISTRY_FILE);
    let mut entries = load_registry(&path)?;
    match entries.iter_mut().find(|e| e.spec.id == LOOKUP_ID) {
        Some(old) => *old = entry.clone(),
        None => entries.push(entry.clone()),
    }
    std::fs::write(&path, registry_json(&entries)?)
        .map_err(|source| TrainError::Io { path, source })?;
    Ok(entry)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(entries: usize) -> ModelSpec {
        let faq: Vec<FaqEntry> = (0..entries)
            .map(|i| FaqEntry {
                name: format!("e{i}"),
                question: "q".into(),
                answer: "a".into(),
            })
            .collect();
        lookup_entry(&"0".repeat(64), &faq).spec
    }

    fn items(rows: &[Vec<i32>]) -> Vec<u8> {
        rows.iter()
            .flatten()
            .flat_map(|v| v.to_le_bytes())
            .collect()
    }

    fn labels(out: &[u8]) -> Vec<u32> {
        out.chunks_exact(4)
            .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect()
    }

    /// A 384-dim vector with `value` at `at`, zeros elsewhere.
    fn one_hot(at: usize, value: i32) -> Vec<i32> {
        let mut v = vec![0; EMBEDDING_DIM];
        v[at] = value;
        v
    }

    #[test]
    fn the_largest_exact_dot_product_wins_and_ties_go_to_the_lowest_index() {
        // Entries 1 and 3 are the same vector: a tie between them goes to 1.
        let rows = [one_hot(0, 5), one_hot(1, 7), one_hot(2, 7), one_hot(1, 7)];
        let index = VectorIndex::new(EMBEDDING_DIM, rows.concat()).unwrap();
        assert_eq!(index.entries(), 4);
        let spec = spec(4);
        let queries = [
            one_hot(0, 1),                  // 5 vs 0s → entry 0
            one_hot(1, 1),                  // entries 1 and 3 tie at 7 → 1
            one_hot(2, -1),                 // -7 for entry 2, 0 for the rest → 0 (first of the 0s)
            vec![1_000_000; EMBEDDING_DIM], // all equal 7e6 except entry 0 (5e6) → 1
        ];
        let out = run_lookup(&spec, &index, &items(&queries), 4).unwrap();
        assert_eq!(labels(&out), [0, 1, 0, 1]);
        // Products near the i32 limits are summed exactly: a float would call these equal.
        let big = VectorIndex::new(
            EMBEDDING_DIM,
            [vec![i32::MAX; EMBEDDING_DIM], {
                let mut v = vec![i32::MAX; EMBEDDING_DIM];
                v[383] = i32::MAX - 1;
                v
            }]
            .concat(),
        )
        .unwrap();
        let q = vec![i32::MAX; EMBEDDING_DIM];
        assert_eq!(big.nearest(&q), Some(0));
        let mut q = vec![i32::MAX; EMBEDDING_DIM];
        q[383] = i32::MIN;
        // Entry 1 loses 1 × i32::MIN less: it wins by 2^31, out of a sum near 2^70.
        assert_eq!(big.nearest(&q), Some(1));
        assert_eq!(big.scores(&q)[1] - big.scores(&q)[0], 1 << 31);
    }

    #[test]
    fn a_wrong_input_length_or_batch_is_refused_with_the_reason() {
        let index =
            VectorIndex::new(EMBEDDING_DIM, [one_hot(0, 1), one_hot(1, 1)].concat()).unwrap();
        let spec = spec(2);
        let e = run_lookup(&spec, &index, &[0u8; 383 * 4], 1).unwrap_err();
        assert_eq!(
            e.to_string(),
            "model `faq-lookup-v1`: invalid input: 1532 bytes for a batch of 1, expected 1536 \
             (384 i32 LE values per item)"
        );
        let e = run_lookup(&spec, &index, &[0u8; 1536 * 2], 1).unwrap_err();
        assert!(e.to_string().contains("3072 bytes for a batch of 1"), "{e}");
        let e = run_lookup(&spec, &index, &[], 0).unwrap_err();
        assert!(e.to_string().contains("batch 0 outside 1..=64"), "{e}");
        let e = run_lookup(&spec, &index, &[0u8; 1536 * 65], 65).unwrap_err();
        assert!(e.to_string().contains("batch 65 outside 1..=64"), "{e}");
        assert_eq!(index.nearest(&[1, 2, 3]), None);
    }

    #[test]
    fn index_files_round_trip_and_malformed_ones_are_refused() {
        let index = VectorIndex::new(3, vec![1, -2, 3, i32::MIN, 0, i32::MAX]).unwrap();
        let bytes = index.to_bytes();
        assert_eq!(bytes.len(), INDEX_HEADER_BYTES + 6 * 4);
        assert_eq!(VectorIndex::from_bytes(&bytes).unwrap(), index);
        let e = VectorIndex::from_bytes(&bytes[..bytes.len() - 1]).unwrap_err();
        assert_eq!(e, "23 bytes of vectors, 2 entries of dimension 3 need 24");
        let mut wrong = bytes.clone();
        wrong[0] = b'X';
        assert!(VectorIndex::from_bytes(&wrong)
            .unwrap_err()
            .contains("ACNVIDX1"));
        assert!(VectorIndex::new(3, vec![1, 2]).is_err());
        assert!(VectorIndex::new(0, vec![]).is_err());
    }

    #[test]
    fn the_spec_must_be_the_architecture_s() {
        let good = spec(4);
        assert_eq!(check_lookup_spec(&good).unwrap(), (384, 4));
        let mut s = good.clone();
        s.input.dtype = DType::F32;
        let e = check_lookup_spec(&s).unwrap_err().to_string();
        assert!(e.contains("input must be I32 of shape [384]"), "{e}");
        let mut s = good.clone();
        s.output = OutputSpec::FixedPoint {
            shape: vec![1],
            scale: 1,
        };
        let e = check_lookup_spec(&s).unwrap_err().to_string();
        assert!(e.contains("output must be ClassLabels"), "{e}");
        let mut s = good;
        s.architecture = "nn-dot-f32-384".into();
        assert!(matches!(
            check_lookup_spec(&s),
            Err(EngineError::UnknownArchitecture { .. })
        ));
        assert_eq!(lookup_cost_units(384, 24), 10);
        assert_eq!(lookup_cost_units(1, 1), 1);
    }

    #[test]
    fn the_shipped_faq_parses_and_bad_lines_are_refused() {
        let faq = faq_entries().unwrap();
        assert_eq!(faq.len(), 24);
        assert_eq!(faq[0].name, "card-lost");
        let header = "name\tquestion\tanswer\n";
        let e = parse_faq(&format!("{header}a\tq\n"))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("line 2: expected `name<TAB>question<TAB>answer`"),
            "{e}"
        );
        let e = parse_faq(&format!("{header}a\tq\tx\na\tq2\ty\n"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 3: name `a` is used twice"), "{e}");
        let e = parse_faq(&format!("{header}A b\tq\tx\n"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("[a-z0-9-]"), "{e}");
        let e = parse_faq(&format!("{header}a\t\tx\n"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("the question must be 1..=1024 bytes"), "{e}");
        let e = parse_faq("label\ttext\n").unwrap_err().to_string();
        assert!(e.contains("line 1: the header"), "{e}");
    }
}

//! A model's input and output formats as people write and read them: job inputs encoded from
//! CSV, JSON or text into the little-endian bytes of the model's [`InputSpec`], and results
//! decoded from the canonical output bytes into class labels (with their names) or tensors (as
//! numbers).
//!
//! - **CSV**: one item per row, its elements (`shape` flattened, row-major) separated by commas;
//!   several rows make a batch. A first row with no number in it is a header and is skipped;
//!   empty lines are skipped. Rows are numbered by their line in the file.
//! - **JSON**: an array of numbers (one item, or nested arrays matching the item's shape), or an
//!   array of such arrays (a batch).
//! - **Text** (models taking `u8`): each non-empty line is one item, its UTF-8 bytes padded with
//!   zeros to the item's size. For models taking text (`utf8`), each non-empty line is one text
//!   item (length-prefixed, see [`acn_interface::market::encode_text_items`]); these models take
//!   only text.
//!
//! Values are checked against the element type: `u8` 0 to 255 and `i32` take whole numbers
//! (`3.0` is 3), `f32` takes finite numbers. A bad value is reported with where it is, what it
//! is and what was expected: `row 2, column 5: 300 does not fit u8 (0 to 255)`.

use std::fmt;
use std::path::Path;
use std::str::FromStr;

use serde::Serialize;

use acn_interface::market::{DType, InputSpec, ModelSpec, OutputSpec, SpecError};

/// How an input file is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum InputFormat {
    /// Comma-separated values, one item per row.
    Csv,
    /// A JSON array (one item) or an array of arrays (a batch).
    Json,
    /// Raw text, one item per line (models taking `u8`).
    Text,
}

impl InputFormat {
    /// The format a file's extension names (`.csv`, `.json`, `.txt`), if any.
    pub fn from_path(path: &Path) -> Option<Self> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "csv" => Some(InputFormat::Csv),
            "json" => Some(InputFormat::Json),
            "txt" | "text" => Some(InputFormat::Text),
            _ => None,
        }
    }
}

impl FromStr for InputFormat {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "csv" => Ok(InputFormat::Csv),
            "json" => Ok(InputFormat::Json),
            "text" | "txt" => Ok(InputFormat::Text),
            other => Err(format!(
                "unknown input format {other:?}: expected csv, json or text"
            )),
        }
    }
}

impl fmt::Display for InputFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            InputFormat::Csv => "csv",
            InputFormat::Json => "json",
            InputFormat::Text => "text",
        })
    }
}

/// What is wrong with one value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValueProblem {
    /// Not a number at all.
    NotANumber,
    /// A number with a fraction where the type takes whole numbers.
    NotWhole,
    /// Outside the type's range.
    OutOfRange,
    /// NaN or infinite.
    NotFinite,
}

/// Why an input could not be encoded for a model.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum InputError {
    /// No item in the input.
    #[error("the input holds no items (expected at least one {format} item of {elements} values)")]
    Empty {
        /// The format read.
        format: InputFormat,
        /// Values per item.
        elements: u64,
    },
    /// One value does not fit the element type.
    #[error("{}", value_message(at, value, *problem, *dtype))]
    Value {
        /// Where: `row 2, column 5` or `item 2, element 5` (1-based).
        at: String,
        /// The value as written.
        value: String,
        /// What is wrong with it.
        problem: ValueProblem,
        /// The element type expected.
        dtype: DType,
    },
    /// An item with the wrong number of values.
    #[error("{at} has {found} values, but the model takes {expected} per item (shape {shape:?})")]
    ItemLength {
        /// Which item: `row 3` or `item 3`.
        at: String,
        /// Values found.
        found: u64,
        /// Values per item.
        expected: u64,
        /// The item's shape.
        shape: Vec<u32>,
    },
    /// More items than a job may carry.
    #[error("{items} items, but the model takes at most {max} per job (max_batch)")]
    TooManyItems {
        /// Items given.
        items: u64,
        /// The model's `max_batch`.
        max: u32,
    },
    /// The JSON does not parse.
    #[error("not valid JSON: {0}")]
    Json(String),
    /// The JSON parses but is not an array of numbers or of arrays.
    #[error("{at}: expected {expected}, found {found}")]
    JsonShape {
        /// Where (`the input`, `item 2`, `item 2, element 3`).
        at: String,
        /// What was expected there.
        expected: String,
        /// What is there.
        found: String,
    },
    /// Text given to a model that does not take bytes.
    #[error("text input needs a model that takes u8 bytes; this model takes {dtype} (write the values as CSV or JSON)", dtype = dtype_name(*dtype))]
    TextNeedsBytes {
        /// The model's element type.
        dtype: DType,
    },
    /// CSV or JSON given to a model that takes text.
    #[error(
        "this model takes text, one item per line (--text \"…\" or a .txt file), not {format:?}"
    )]
    TextModel {
        /// The format given.
        format: InputFormat,
    },
    /// A training model's input is a training request, not values.
    #[error("this model trains: its input is a training request (acn job train), not values")]
    TrainingModel,
    /// A line of text longer than an item.
    #[error(
        "line {line} is {bytes} bytes of text, but the model takes at most {max} bytes per item"
    )]
    TextTooLong {
        /// Line number (1-based).
        line: usize,
        /// Its UTF-8 length.
        bytes: u64,
        /// Bytes per item.
        max: u64,
    },
}

fn dtype_name(dtype: DType) -> &'static str {
    match dtype {
        DType::U8 => "u8",
        DType::I32 => "i32",
        DType::F32 => "f32",
        DType::Utf8 => "utf8 text",
        DType::Training => "training request",
    }
}

fn dtype_expected(dtype: DType) -> &'static str {
    match dtype {
        DType::U8 => "u8, 0 to 255",
        DType::I32 => "i32, -2147483648 to 2147483647",
        DType::F32 => "f32",
        DType::Utf8 => "utf8 text, one item per line",
        DType::Training => "a training request",
    }
}

fn value_message(at: &str, value: &str, problem: ValueProblem, dtype: DType) -> String {
    match problem {
        ValueProblem::NotANumber => format!(
            "{at}: {value:?} is not a number (expected {})",
            dtype_expected(dtype)
        ),
        ValueProblem::NotWhole => format!(
            "{at}: {value} is not a whole number (expected {})",
            dtype_expected(dtype)
        ),
        ValueProblem::OutOfRange => match dtype {
            DType::F32 => format!("{at}: {value} does not fit f32"),
            _ => format!(
                "{at}: {value} does not fit {} ({})",
                dtype_name(dtype),
                &dtype_expected(dtype)[dtype_name(dtype).len() + 2..]
            ),
        },
        ValueProblem::NotFinite => {
            format!("{at}: {value} is not a finite number (expected f32)")
        }
    }
}

/// An input encoded for a model: the bytes of `batch` items.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EncodedInput {
    /// Little-endian elements of every item, item after item.
    pub bytes: Vec<u8>,
    /// Items.
    pub batch: u32,
}

/// Encode one value written as `text` as `dtype`, appending its little-endian bytes.
fn encode_value(text: &str, dtype: DType, out: &mut Vec<u8>) -> Result<(), ValueProblem> {
    let text = text.trim();
    match dtype {
        DType::U8 | DType::I32 => {
            let whole: i128 = match text.parse::<i128>() {
                Ok(v) => v,
                Err(_) => {
                    let f: f64 = text.parse().map_err(|_| ValueProblem::NotANumber)?;
                    if !f.is_finite() {
                        return Err(ValueProblem::NotANumber);
                    }
                    if f.fract() != 0.0 {
                        return Err(ValueProblem::NotWhole);
                    }
                    if f.abs() > 1e30 {
                        return Err(ValueProblem::OutOfRange);
                    }
                    f as i128
                }
            };
            match dtype {
                DType::U8 => out.push(u8::try_from(whole).map_err(|_| ValueProblem::OutOfRange)?),
                _ => out.extend(
                    i32::try_from(whole)
                        .map_err(|_| ValueProblem::OutOfRange)?
                        .to_le_bytes(),
                ),
            }
        }
        DType::Utf8 | DType::Training => return Err(ValueProblem::NotANumber),
        DType::F32 => {
            let wide: f64 = text.parse().map_err(|_| ValueProblem::NotANumber)?;
            if !wide.is_finite() {
                return Err(ValueProblem::NotFinite);
            }
            let v = wide as f32;
            if !v.is_finite() {
                return Err(ValueProblem::OutOfRange);
            }
            out.extend(v.to_le_bytes());
        }
    }
    Ok(())
}

/// Encode `text` (the content of an input file) in `format` for a model taking `spec`.
pub fn encode_input(
    spec: &InputSpec,
    format: InputFormat,
    text: &str,
) -> Result<EncodedInput, InputError> {
    let mut bytes = vec![];
    let items = match format {
        _ if spec.dtype == DType::Training => return Err(InputError::TrainingModel),
        _ if spec.dtype == DType::Utf8 && format != InputFormat::Text => {
            return Err(InputError::TextModel { format });
        }
        InputFormat::Csv => encode_csv(spec, text, &mut bytes)?,
        InputFormat::Json => encode_json(spec, text, &mut bytes)?,
        InputFormat::Text => encode_text(spec, text, &mut bytes)?,
    };
    if items == 0 {
        return Err(InputError::Empty {
            format,
            elements: spec.item_elements(),
        });
    }
    if items > spec.max_batch as u64 {
        return Err(InputError::TooManyItems {
            items,
            max: spec.max_batch,
        });
    }
    Ok(EncodedInput {
        bytes,
        batch: items as u32,
    })
}

/// CSV rows → items; returns the number of items.
fn encode_csv(spec: &InputSpec, text: &str, out: &mut Vec<u8>) -> Result<u64, InputError> {
    let expected = spec.item_elements();
    let mut items = 0u64;
    let mut first = true;
    for (index, line) in text.lines().enumerate() {
        let row = index + 1;
        if line.trim().is_empty() {
            continue;
        }
        let cells: Vec<&str> = line.split(',').collect();
        if std::mem::take(&mut first)
            && cells
                .iter()
                .all(|c| encode_value(c, spec.dtype, &mut vec![]) == Err(ValueProblem::NotANumber))
        {
            continue; // a header
        }
        if cells.len() as u64 != expected {
            return Err(InputError::ItemLength {
                at: format!("row {row}"),
                found: cells.len() as u64,
                expected,
                shape: spec.shape.clone(),
            });
        }
        for (c, cell) in cells.iter().enumerate() {
            encode_value(cell, spec.dtype, out).map_err(|problem| InputError::Value {
                at: format!("row {row}, column {}", c + 1),
                value: cell.trim().to_string(),
                problem,
                dtype: spec.dtype,
            })?;
        }
        items += 1;
    }
    Ok(items)
}

fn json_kind(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}

/// How many array levels `v` nests, following first elements.
fn json_depth(v: &serde_json::Value) -> usize {
    match v {
        serde_json::Value::Array(a) => 1 + a.first().map(json_depth).unwrap_or(0),
        _ => 0,
    }
}

/// Flatten one item (nested arrays, row-major) into its numbers.
fn flatten_item<'a>(v: &'a serde_json::Value, values: &mut Vec<&'a serde_json::Value>) {
    match v {
        serde_json::Value::Array(a) => a.iter().for_each(|e| flatten_item(e, values)),
        other => values.push(other),
    }
}

/// A JSON array (one item) or array of arrays (a batch) → items; returns the number of items.
fn encode_json(spec: &InputSpec, text: &str, out: &mut Vec<u8>) -> Result<u64, InputError> {
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| InputError::Json(e.to_string()))?;
    let serde_json::Value::Array(top) = &value else {
        return Err(InputError::JsonShape {
            at: "the input".into(),
            expected: "an array of numbers (one item) or an array of arrays (a batch)".into(),
            found: json_kind(&value).into(),
        });
    };
    if top.is_empty() {
        return Ok(0);
    }
    let depth = json_depth(&value);
    // One item: a flat array, or nested arrays as deep as the item's shape.
    let single = depth <= 1 || (spec.shape.len() > 1 && depth == spec.shape.len());
    let items: Vec<&serde_json::Value> = if single {
        vec![&value]
    } else {
        top.iter().collect()
    };
    let expected = spec.item_elements();
    for (i, item) in items.iter().enumerate() {
        let at = format!("item {}", i + 1);
        if !item.is_array() {
            return Err(InputError::JsonShape {
                at,
                expected: "an array of numbers".into(),
                found: json_kind(item).into(),
            });
        }
        let mut values = vec![];
        flatten_item(item, &mut values);
        if values.len() as u64 != expected {
            return Err(InputError::ItemLength {
                at,
                found: values.len() as u64,
                expected,
                shape: spec.shape.clone(),
            });
        }
        for (e, v) in values.iter().enumerate() {
            let encoded = match v {
                serde_json::Value::Number(n) => encode_value(&n.to_string(), spec.dtype, out)
                    .map_err(|problem| (n.to_string(), problem)),
                serde_json::Value::String(s) => Err((s.clone(), ValueProblem::NotANumber)),
                other => Err((json_kind(other).to_string(), ValueProblem::NotANumber)),
            };
            encoded.map_err(|(value, problem)| InputError::Value {
                at: format!("{at}, element {}", e + 1),
                value,
                problem,
                dtype: spec.dtype,
            })?;
        }
    }
    Ok(items.len() as u64)
}

/// Lines of text → `u8` items padded with zeros; returns the number of items.
fn encode_text(spec: &InputSpec, text: &str, out: &mut Vec<u8>) -> Result<u64, InputError> {
    if let Some((max_bytes, _)) = spec.text_limits() {
        let lines: Vec<(usize, &str)> = text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
            .collect();
        if let Some((index, line)) = lines.iter().find(|(_, l)| l.len() > max_bytes as usize) {
            return Err(InputError::TextTooLong {
                line: index + 1,
                bytes: line.len() as u64,
                max: u64::from(max_bytes),
            });
        }
        let texts: Vec<&str> = lines.iter().map(|(_, l)| *l).collect();
        out.extend(acn_interface::market::encode_text_items(&texts));
        return Ok(texts.len() as u64);
    }
    if spec.dtype != DType::U8 {
        return Err(InputError::TextNeedsBytes { dtype: spec.dtype });
    }
    let max = spec.item_bytes();
    let mut items = 0u64;
    for (index, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let bytes = line.as_bytes();
        if bytes.len() as u64 > max {
            return Err(InputError::TextTooLong {
                line: index + 1,
                bytes: bytes.len() as u64,
                max,
            });
        }
        out.extend_from_slice(bytes);
        out.resize(out.len() + (max as usize - bytes.len()), 0);
        items += 1;
    }
    Ok(items)
}

/// One decoded class label.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Label {
    /// The class index.
    pub label: u32,
    /// Its name from the model's spec, if the spec names its classes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// A job's result decoded per the model's output spec.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum DecodedOutput {
    /// One class label per item.
    Labels {
        /// Labels, item by item.
        items: Vec<Label>,
    },
    /// A tensor per item, `fixed-point word / scale`.
    Tensors {
        /// Shape of one item's tensor.
        shape: Vec<u32>,
        /// The fixed-point scale the words were divided by.
        scale: u32,
        /// Values of each item, flattened row-major.
        items: Vec<Vec<f64>>,
    },
    /// A training job's result.
    Trained {
        /// `trained`, `dataset_unavailable` or `dataset_mismatch`.
        status: String,
        /// sha256 of the trained weights (hex; zeros unless trained).
        weights_sha256: String,
        /// Held-out metrics by name, `fixed-point word / scale`.
        metrics: Vec<(String, f64)>,
    },
}

/// Decode a canonical output of `batch` items for `spec` (checking its size and labels).
pub fn decode_output(
    spec: &ModelSpec,
    output: &[u8],
    batch: u32,
) -> Result<DecodedOutput, SpecError> {
    let words = spec.decode_output(output, batch)?;
    Ok(match &spec.output {
        OutputSpec::ClassLabels { labels, .. } => DecodedOutput::Labels {
            items: words
                .iter()
                .map(|w| Label {
                    label: *w as u32,
                    name: labels.get(*w as usize).cloned(),
                })
                .collect(),
        },
        OutputSpec::FixedPoint { shape, scale } => {
            let per_item = spec.output.item_words().max(1) as usize;
            DecodedOutput::Tensors {
                shape: shape.clone(),
                scale: *scale,
                items: words
                    .chunks(per_item)
                    .map(|c| c.iter().map(|w| *w as f64 / *scale as f64).collect())
                    .collect(),
            }
        }
        OutputSpec::Trained { metrics, scale } => {
            use acn_interface::training::{TrainedOutput, TrainingStatus};
            let out = TrainedOutput::decode(output, metrics.len()).ok_or(
                SpecError::OutputSizeMismatch {
                    expected: 36 + 4 * metrics.len() as u64,
                    actual: output.len() as u64,
                },
            )?;
            DecodedOutput::Trained {
                status: match out.status {
                    TrainingStatus::Trained => "trained",
                    TrainingStatus::DatasetUnavailable => "dataset_unavailable",
                    TrainingStatus::DatasetMismatch => "dataset_mismatch",
                }
                .to_string(),
                weights_sha256: out.weights_sha256_hex(),
                metrics: metrics
                    .iter()
                    .cloned()
                    .zip(out.metrics.iter().map(|m| *m as f64 / *scale as f64))
                    .collect(),
            }
        }
    })
}

/// Values of a tensor [`DecodedOutput::render`] shows in full; a longer one is abbreviated.
pub const RENDER_MAX_VALUES: usize = 8;

impl DecodedOutput {
    /// One line per item: `item 1: 4` (with ` (name)` when the class name is not the number) or
    /// `item 1: [0.1234, -2.5]` (as many decimals as the scale has). A tensor of more than
    /// [`RENDER_MAX_VALUES`] values shows its first ones, its size and its L2 norm:
    /// `item 1: [0.0367, 0.0218, …] (384 values, L2 norm 1.0000)`.
    pub fn render(&self) -> String {
        let mut out = String::new();
        match self {
            DecodedOutput::Labels { items } => {
                for (i, l) in items.iter().enumerate() {
                    out.push_str(&format!("item {}: {}", i + 1, l.label));
                    if let Some(name) = l.name.as_ref().filter(|n| **n != l.label.to_string()) {
                        out.push_str(&format!(" ({name})"));
                    }
                    out.push('\n');
                }
            }
            DecodedOutput::Tensors { scale, items, .. } => {
                let decimals = (*scale.max(&1) as f64).log10().ceil() as usize;
                for (i, values) in items.iter().enumerate() {
                    let vals: Vec<String> = values
                        .iter()
                        .take(RENDER_MAX_VALUES)
                        .map(|v| format!("{v:.decimals$}"))
                        .collect();
                    if values.len() <= RENDER_MAX_VALUES {
                        out.push_str(&format!("item {}: [{}]\n", i + 1, vals.join(", ")));
                    } else {
                        let norm = values.iter().map(|v| v * v).sum::<f64>().sqrt();
                        out.push_str(&format!(
                            "item {}: [{}, …] ({} values, L2 norm {norm:.decimals$})\n",
                            i + 1,
                            vals.join(", "),
                            values.len()
                        ));
                    }
                }
            }
            DecodedOutput::Trained {
                status,
                weights_sha256,
                metrics,
            } => {
                out.push_str(&format!(
                    "status: {status}\nweights sha256: {weights_sha256}\n"
                ));
                for (name, value) in metrics {
                    out.push_str(&format!("{name}: {value:.6}\n"));
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(shape: Vec<u32>, dtype: DType, max_batch: u32) -> InputSpec {
        InputSpec {
            shape,
            dtype,
            max_batch,
        }
    }

    fn err(spec: &InputSpec, format: InputFormat, text: &str) -> String {
        encode_input(spec, format, text).unwrap_err().to_string()
    }

    #[test]
    fn text_models_take_one_text_item_per_line() {
        let s = spec(vec![12, 8], DType::Utf8, 3);
        let e = encode_input(&s, InputFormat::Text, "Hello world\n\nZoë 😀\n").unwrap();
        assert_eq!(e.batch, 2);
        assert_eq!(
            e.bytes,
            acn_interface::market::encode_text_items(&["Hello world", "Zoë 😀"])
        );
        assert_eq!(
            err(&s, InputFormat::Text, "ok\nthirteen byte"),
            "line 2 is 13 bytes of text, but the model takes at most 12 bytes per item"
        );
        assert_eq!(
            err(&s, InputFormat::Csv, "1,2"),
            "this model takes text, one item per line (--text \"…\" or a .txt file), not Csv"
        );
        assert_eq!(
            err(&s, InputFormat::Text, "a\nb\nc\nd"),
            "4 items, but the model takes at most 3 per job (max_batch)"
        );
    }

    #[test]
    fn long_tensors_render_their_first_values_and_norm() {
        let out = DecodedOutput::Tensors {
            shape: vec![10],
            scale: 10_000,
            items: vec![vec![0.6, 0.8, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]],
        };
        assert_eq!(
            out.render(),
            "item 1: [0.6000, 0.8000, 0.0000, 0.0000, 0.0000, 0.0000, 0.0000, 0.0000, …] (10 values, L2 norm 1.0000)\n"
        );
    }

    #[test]
    fn csv_rows_are_items_and_a_header_is_skipped() {
        let s = spec(vec![3], DType::U8, 4);
        let e = encode_input(&s, InputFormat::Csv, "a,b,c\n1, 2 ,3\n\n255,0,7.0\n").unwrap();
        assert_eq!(e.batch, 2);
        assert_eq!(e.bytes, vec![1, 2, 3, 255, 0, 7]);
        let s = spec(vec![2], DType::I32, 4);
        let e = encode_input(&s, InputFormat::Csv, "-1,2147483647").unwrap();
        assert_eq!(e.bytes[..4], (-1i32).to_le_bytes());
        assert_eq!(e.bytes[4..], i32::MAX.to_le_bytes());
        let s = spec(vec![2], DType::F32, 4);
        let e = encode_input(&s, InputFormat::Csv, "0.5,-1e3").unwrap();
        assert_eq!(e.bytes[..4], 0.5f32.to_le_bytes());
        assert_eq!(e.bytes[4..], (-1000f32).to_le_bytes());
    }

    #[test]
    fn bad_csv_values_name_row_column_type_and_range() {
        let s = spec(vec![5], DType::U8, 4);
        assert_eq!(
            err(&s, InputFormat::Csv, "1,2,3,4,5\n1,2,3,4,300\n"),
            "row 2, column 5: 300 does not fit u8 (0 to 255)"
        );
        assert_eq!(
            err(&s, InputFormat::Csv, "1,2,3,4,5\n1,-2,3,4,5"),
            "row 2, column 2: -2 does not fit u8 (0 to 255)"
        );
        assert_eq!(
            err(&s, InputFormat::Csv, "1,2,x,4,5"),
            "row 1, column 3: \"x\" is not a number (expected u8, 0 to 255)"
        );
        assert_eq!(
            err(&s, InputFormat::Csv, "1,2,3,4.5,5"),
            "row 1, column 4: 4.5 is not a whole number (expected u8, 0 to 255)"
        );
        assert_eq!(
            err(&s, InputFormat::Csv, "1,2,3,4,5\n\n1,2,3,4"),
            "row 3 has 4 values, but the model takes 5 per item (shape [5])"
        );
        let s = spec(vec![1], DType::I32, 4);
        assert_eq!(
            err(&s, InputFormat::Csv, "2147483648"),
            "row 1, column 1: 2147483648 does not fit i32 (-2147483648 to 2147483647)"
        );
        let s = spec(vec![2], DType::F32, 4);
        assert_eq!(
            err(&s, InputFormat::Csv, "1,NaN"),
            "row 1, column 2: NaN is not a finite number (expected f32)"
        );
        assert_eq!(
            err(&s, InputFormat::Csv, "1,1e39"),
            "row 1, column 2: 1e39 does not fit f32"
        );
    }

    #[test]
    fn batch_limits_and_empty_inputs_are_refused() {
        let s = spec(vec![1], DType::U8, 2);
        assert_eq!(
            err(&s, InputFormat::Csv, "1\n2\n3\n"),
            "3 items, but the model takes at most 2 per job (max_batch)"
        );
        assert_eq!(
            err(&s, InputFormat::Csv, "\n\n"),
            "the input holds no items (expected at least one csv item of 1 values)"
        );
        assert_eq!(
            err(&s, InputFormat::Json, "[]"),
            "the input holds no items (expected at least one json item of 1 values)"
        );
    }

    #[test]
    fn json_takes_one_item_a_batch_or_nested_shapes() {
        let s = spec(vec![3], DType::U8, 4);
        let one = encode_input(&s, InputFormat::Json, "[1, 2, 3]").unwrap();
        assert_eq!((one.batch, one.bytes), (1, vec![1, 2, 3]));
        let two = encode_input(&s, InputFormat::Json, "[[1,2,3],[4,5,6]]").unwrap();
        assert_eq!((two.batch, two.bytes), (2, vec![1, 2, 3, 4, 5, 6]));
        let s = spec(vec![2, 2], DType::U8, 4);
        let nested = encode_input(&s, InputFormat::Json, "[[1,2],[3,4]]").unwrap();
        assert_eq!((nested.batch, nested.bytes), (1, vec![1, 2, 3, 4]));
        let batch = encode_input(&s, InputFormat::Json, "[[[1,2],[3,4]],[[5,6],[7,8]]]").unwrap();
        assert_eq!(batch.batch, 2);
    }

    #[test]
    fn bad_json_names_item_element_and_type() {
        let s = spec(vec![3], DType::U8, 4);
        assert_eq!(
            err(&s, InputFormat::Json, "[[1,2,3],[4,256,6]]"),
            "item 2, element 2: 256 does not fit u8 (0 to 255)"
        );
        assert_eq!(
            err(&s, InputFormat::Json, "[1,\"2\",3]"),
            "item 1, element 2: \"2\" is not a number (expected u8, 0 to 255)"
        );
        assert_eq!(
            err(&s, InputFormat::Json, "[[1,2,3],[4,5]]"),
            "item 2 has 2 values, but the model takes 3 per item (shape [3])"
        );
        assert_eq!(
            err(&s, InputFormat::Json, "{\"a\": 1}"),
            "the input: expected an array of numbers (one item) or an array of arrays (a batch), found an object"
        );
        assert_eq!(
            err(&s, InputFormat::Json, "[[1,2,3], 4]"),
            "item 2: expected an array of numbers, found a number"
        );
        assert!(err(&s, InputFormat::Json, "[1,2").starts_with("not valid JSON: "));
    }

    #[test]
    fn text_lines_are_zero_padded_byte_items() {
        let s = spec(vec![4], DType::U8, 4);
        let e = encode_input(&s, InputFormat::Text, "hi\n\nabcd\n").unwrap();
        assert_eq!((e.batch, e.bytes), (2, b"hi\0\0abcd".to_vec()));
        assert_eq!(
            err(&s, InputFormat::Text, "ok\nabcde"),
            "line 2 is 5 bytes of text, but the model takes at most 4 bytes per item"
        );
        let s = spec(vec![4], DType::F32, 4);
        assert_eq!(
            err(&s, InputFormat::Text, "hi"),
            "text input needs a model that takes u8 bytes; this model takes f32 (write the values as CSV or JSON)"
        );
    }

    #[test]
    fn formats_come_from_names_and_extensions() {
        assert_eq!("CSV".parse::<InputFormat>(), Ok(InputFormat::Csv));
        assert!("xml".parse::<InputFormat>().is_err());
        assert_eq!(
            InputFormat::from_path(Path::new("in.json")),
            Some(InputFormat::Json)
        );
        assert_eq!(InputFormat::from_path(Path::new("in")), None);
    }

    fn model(output: OutputSpec) -> ModelSpec {
        ModelSpec {
            id: "m".into(),
            name: "m".into(),
            architecture: "a".into(),
            weights_sha256: "ab".repeat(32),
            weights_uri: "x".into(),
            input: spec(vec![1], DType::U8, 4),
            output,
            tolerance: 0,
            cost_units_per_item: 1,
            min_redundancy: 1,
        }
    }

    #[test]
    fn outputs_decode_to_named_labels_and_scaled_tensors() {
        let m = model(OutputSpec::ClassLabels {
            num_classes: 3,
            labels: vec!["cat".into(), "dog".into(), "2".into()],
        });
        let bytes: Vec<u8> = [1u32, 2].iter().flat_map(|w| w.to_le_bytes()).collect();
        let d = decode_output(&m, &bytes, 2).unwrap();
        assert_eq!(d.render(), "item 1: 1 (dog)\nitem 2: 2\n");
        assert_eq!(
            serde_json::to_value(&d).unwrap(),
            serde_json::json!({"kind": "labels", "items": [
                {"label": 1, "name": "dog"}, {"label": 2, "name": "2"}]})
        );
        let bad: Vec<u8> = 3u32.to_le_bytes().to_vec();
        assert!(decode_output(&m, &bad, 1).is_err());

        let m = model(OutputSpec::FixedPoint {
            shape: vec![2],
            scale: 10_000,
        });
        let bytes: Vec<u8> = [12_345i32, -25_000, 1, 0]
            .iter()
            .flat_map(|w| w.to_le_bytes())
            .collect();
        let d = decode_output(&m, &bytes, 2).unwrap();
        assert_eq!(
            d.render(),
            "item 1: [1.2345, -2.5000]\nitem 2: [0.0001, 0.0000]\n"
        );
    }
}

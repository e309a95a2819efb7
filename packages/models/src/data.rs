//! Datasets: the 8×8 handwritten digits (shipped with the crate) and a synthetic regression
//! task generated in code.
//!
//! Both are deterministic: the digits split is by index, the regression set comes from a seeded
//! [`SplitMix64`] and uses only `+ − × ÷` (correctly rounded everywhere), so every platform
//! produces the same bytes.

use std::io::Read;

use flate2::read::GzDecoder;

use crate::error::DataError;

/// The digits dataset as shipped by scikit-learn (`digits.csv.gz`, see `data/README.md`).
const DIGITS_CSV_GZ: &[u8] = include_bytes!("../data/digits.csv.gz");

/// Pixels per digit image (8 × 8).
pub const DIGIT_PIXELS: usize = 64;
/// Largest pixel value in the digits dataset.
pub const DIGIT_MAX_PIXEL: u8 = 16;
/// Number of digit classes.
pub const DIGIT_CLASSES: usize = 10;
/// Samples in the digits dataset.
pub const DIGIT_SAMPLES: usize = 1_797;
/// Every `HELD_OUT_EVERY`-th digit (index ≡ `HELD_OUT_EVERY − 1` mod `HELD_OUT_EVERY`) is held
/// out: 359 held-out and 1 438 training samples.
pub const HELD_OUT_EVERY: usize = 5;

/// Features of one regression item.
pub const REGRESSION_FEATURES: usize = 8;
/// Training items of the regression task.
pub const REGRESSION_TRAIN: usize = 4_096;
/// Held-out items of the regression task.
pub const REGRESSION_HELD_OUT: usize = 1_024;
/// Seed of the regression dataset (fixed: the dataset is part of the task definition, unlike the
/// training seed).
pub const REGRESSION_DATA_SEED: u64 = 0x00AC_4E00_D47A_5EED;

/// Labelled 8×8 digit images.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Digits {
    /// Row-major pixels, 0–16, one array per image.
    pub images: Vec<[u8; DIGIT_PIXELS]>,
    /// Class label (0–9) per image.
    pub labels: Vec<u8>,
}

impl Digits {
    /// The first `n` samples (all of them if there are fewer).
    pub fn first(&self, n: usize) -> Digits {
        let n = n.min(self.len());
        Digits {
            images: self.images[..n].to_vec(),
            labels: self.labels[..n].to_vec(),
        }
    }

    /// Number of samples.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// True if there are no samples.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// The images concatenated as the on-chain input encoding: `U8`, 64 bytes per item.
    pub fn input_bytes(&self) -> Vec<u8> {
        self.images.iter().flatten().copied().collect()
    }

    fn push(&mut self, image: [u8; DIGIT_PIXELS], label: u8) {
        self.images.push(image);
        self.labels.push(label);
    }
}

/// The digits dataset split into training and held-out parts.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DigitsSplit {
    /// Training samples (indices not ≡ 4 mod 5), in file order.
    pub train: Digits,
    /// Held-out samples (indices ≡ 4 mod 5), in file order.
    pub held_out: Digits,
}

/// Load all 1 797 digits from the embedded file, in file order.
pub fn load_digits() -> Result<Digits, DataError> {
    let mut text = String::new();
    GzDecoder::new(DIGITS_CSV_GZ)
        .read_to_string(&mut text)
        .map_err(|e| DataError::Decompress(e.to_string()))?;
    let mut digits = Digits::default();
    for (line_no, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let bad = |reason: &str| DataError::Parse {
            line: line_no + 1,
            reason: reason.to_string(),
        };
        let mut image = [0u8; DIGIT_PIXELS];
        let mut fields = line.split(',');
        for pixel in image.iter_mut() {
            let value: u8 = fields
                .next()
                .ok_or_else(|| bad("too few fields"))?
                .trim()
                .parse()
                .map_err(|_| bad("pixel is not an integer"))?;
            if value > DIGIT_MAX_PIXEL {
                return Err(bad("pixel above 16"));
            }
            *pixel = value;
        }
        let label: u8 = fields
            .next()
            .ok_or_else(|| bad("missing label"))?
            .trim()
            .parse()
            .map_err(|_| bad("label is not an integer"))?;
        if usize::from(label) >= DIGIT_CLASSES {
            return Err(bad("label above 9"));
        }
        if fields.next().is_some() {
            return Err(bad("too many fields"));
        }
        digits.push(image, label);
    }
    if digits.len() != DIGIT_SAMPLES {
        return Err(DataError::Count {
            expected: DIGIT_SAMPLES,
            found: digits.len(),
        });
    }
    Ok(digits)
}

/// Load the digits and split them: every 5th sample (index 4, 9, 14, …) is held out.
pub fn digits_split() -> Result<DigitsSplit, DataError> {
    let all = load_digits()?;
    let mut split = DigitsSplit::default();
    for (i, (image, label)) in all.images.into_iter().zip(all.labels).enumerate() {
        if i % HELD_OUT_EVERY == HELD_OUT_EVERY - 1 {
            split.held_out.push(image, label);
        } else {
            split.train.push(image, label);
        }
    }
    Ok(split)
}

/// Items of the synthetic regression task.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Regression {
    /// Features, each in [−1, 1).
    pub features: Vec<[f32; REGRESSION_FEATURES]>,
    /// Targets: [`regression_target`] plus small noise.
    pub targets: Vec<f32>,
}

impl Regression {
    /// Number of items.
    pub fn len(&self) -> usize {
        self.targets.len()
    }

    /// True if there are no items.
    pub fn is_empty(&self) -> bool {
        self.targets.is_empty()
    }

    /// The features concatenated as the on-chain input encoding: `F32` little-endian, 32 bytes
    /// per item.
    pub fn input_bytes(&self) -> Vec<u8> {
        self.features
            .iter()
            .flatten()
            .flat_map(|v| v.to_le_bytes())
            .collect()
    }
}

/// The regression task split into training and held-out parts.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RegressionSplit {
    /// The first [`REGRESSION_TRAIN`] items drawn.
    pub train: Regression,
    /// The next [`REGRESSION_HELD_OUT`] items drawn.
    pub held_out: Regression,
}

/// The noise-free target: a smooth nonlinear function of the 8 features built from `+ − × ÷`
/// only, so it evaluates bit-identically on every IEEE-754 platform.
///
/// `f(x) = x0·x1 + 0.5·x2² − 0.4·x3·x4 + 0.3·x5 − 0.25·x6³ + 0.8 / (1 + 4·x7²) + 0.2·x0·x7`
pub fn regression_target(x: &[f64; REGRESSION_FEATURES]) -> f64 {
    x[0] * x[1] + 0.5 * x[2] * x[2] - 0.4 * x[3] * x[4] + 0.3 * x[5] - 0.25 * x[6] * x[6] * x[6]
        + 0.8 / (1.0 + 4.0 * x[7] * x[7])
        + 0.2 * x[0] * x[7]
}

/// Generate the regression task from [`REGRESSION_DATA_SEED`].
///
/// Features are uniform in [−1, 1); the noise is `0.01 × (u1 + u2 + u3 + u4 − 2)` with uniform
/// `u`s (Irwin–Hall, standard deviation ≈ 0.0058).
pub fn regression_split() -> RegressionSplit {
    let mut rng = SplitMix64::new(REGRESSION_DATA_SEED);
    let mut draw = |n: usize| {
        let mut set = Regression::default();
        for _ in 0..n {
            let mut x = [0f64; REGRESSION_FEATURES];
            for v in x.iter_mut() {
                *v = rng.next_f64() * 2.0 - 1.0;
            }
            let noise =
                0.01 * (rng.next_f64() + rng.next_f64() + rng.next_f64() + rng.next_f64() - 2.0);
            set.features.push(x.map(|v| v as f32));
            set.targets.push((regression_target(&x) + noise) as f32);
        }
        set
    };
    let train = draw(REGRESSION_TRAIN);
    let held_out = draw(REGRESSION_HELD_OUT);
    RegressionSplit { train, held_out }
}

/// SplitMix64: a tiny, well-mixed, seedable PRNG whose output is fixed by its definition (no
/// dependency on a crate's version).
#[derive(Clone, Debug)]
pub struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    /// A generator starting from `seed`.
    pub const fn new(seed: u64) -> Self {
        Self { state: seed }
    }

    /// Next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1), 53 bits of precision.
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform in `0..n` (`n > 0`; returns 0 for `n == 0`), by rejection so without bias.
    pub fn below(&mut self, n: usize) -> usize {
        let n = n as u64;
        if n == 0 {
            return 0;
        }
        let zone = u64::MAX - u64::MAX % n;
        loop {
            let v = self.next_u64();
            if v < zone {
                return (v % n) as usize;
            }
        }
    }

    /// Fisher–Yates shuffle.
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i + 1);
            items.swap(i, j);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_load_and_split() {
        let split = digits_split().unwrap();
        assert_eq!(split.train.len(), 1_438);
        assert_eq!(split.held_out.len(), 359);
        // Every class appears in the held-out part.
        for class in 0..DIGIT_CLASSES as u8 {
            assert!(split.held_out.labels.contains(&class));
        }
    }

    #[test]
    fn regression_is_deterministic() {
        let a = regression_split();
        let b = regression_split();
        assert_eq!(a, b);
        assert_eq!(a.train.len(), REGRESSION_TRAIN);
        assert_eq!(a.held_out.len(), REGRESSION_HELD_OUT);
        assert!(a
            .train
            .features
            .iter()
            .flatten()
            .all(|v| (-1.0..1.0).contains(v)));
    }

    #[test]
    fn splitmix_reference_values() {
        // Reference outputs of SplitMix64 seeded with 0 (Vigna's reference implementation).
        let mut rng = SplitMix64::new(0);
        assert_eq!(rng.next_u64(), 0xE220_A839_7B1D_CDAF);
        assert_eq!(rng.next_u64(), 0x6E78_9E6A_A1B9_65F4);
    }
}

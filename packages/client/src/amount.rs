//! Token amounts and times as people write and read them: `"12.5"` ACN ↔ 12 500 000 base units
//! (the token has 6 decimals), and block times (unix seconds) as UTC dates.

/// Decimals of the ACN token.
pub const DECIMALS: u32 = 6;
/// One whole token in base units.
pub const TOKEN: u128 = 10u128.pow(DECIMALS);

/// Why a token amount could not be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AmountError {
    /// Nothing was given.
    #[error("empty amount: expected a number of ACN such as 12 or 12.5")]
    Empty,
    /// Not a plain decimal number.
    #[error("{input:?} is not an amount of ACN: expected digits with at most one '.', such as 12 or 12.5")]
    Invalid {
        /// What was given.
        input: String,
    },
    /// More fractional digits than the token has.
    #[error(
        "{input:?} has {decimals} decimals, but ACN has {max}: the smallest amount is 0.000001 ACN"
    )]
    TooManyDecimals {
        /// What was given.
        input: String,
        /// Fractional digits given.
        decimals: usize,
        /// Fractional digits the token has.
        max: u32,
    },
    /// Larger than a `u128` of base units.
    #[error("{input:?} ACN is too large")]
    TooLarge {
        /// What was given.
        input: String,
    },
}

/// Read an amount of whole tokens with up to 6 decimals (`"12"`, `"12.5"`, `"0.000001"`) into
/// base units. Surrounding spaces are ignored; signs, exponents, thousands separators, a leading
/// or trailing `.` and more than 6 decimals are refused with an [`AmountError`].
pub fn parse_tokens(input: &str) -> Result<u128, AmountError> {
    let s = input.trim();
    if s.is_empty() {
        return Err(AmountError::Empty);
    }
    let invalid = || AmountError::Invalid {
        input: input.to_string(),
    };
    let (whole, frac) = match s.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (s, None),
    };
    let digits = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
    if !digits(whole) || frac.is_some_and(|f| !digits(f)) {
        return Err(invalid());
    }
    let frac = frac.unwrap_or("");
    if frac.len() > DECIMALS as usize {
        return Err(AmountError::TooManyDecimals {
            input: input.to_string(),
            decimals: frac.len(),
            max: DECIMALS,
        });
    }
    let too_large = || AmountError::TooLarge {
        input: input.to_string(),
    };
    let whole: u128 = whole.parse().map_err(|_| too_large())?;
    let frac_units: u128 = if frac.is_empty() {
        0
    } else {
        // Right-pad to 6 digits: "5" → 500 000.
        format!("{frac:0<6}").parse().map_err(|_| invalid())?
    };
    whole
        .checked_mul(TOKEN)
        .and_then(|w| w.checked_add(frac_units))
        .ok_or_else(too_large)
}

/// Base units as a decimal number of tokens, without trailing zeros: 12 500 000 → `"12.5"`,
/// 1 → `"0.000001"`, 3 000 000 → `"3"`.
pub fn format_tokens(base: u128) -> String {
    let whole = base / TOKEN;
    let frac = base % TOKEN;
    if frac == 0 {
        whole.to_string()
    } else {
        let frac = format!("{frac:06}");
        format!("{whole}.{}", frac.trim_end_matches('0'))
    }
}

/// Base units as `"12.5 ACN"`.
pub fn tokens(base: u128) -> String {
    format!("{} ACN", format_tokens(base))
}

/// `base` units of an asset with 6 decimals: ACN (`denom` `None`), or a bank denom shown by
/// its display name (`uusdc` → `USDC`; a denom without the `u` prefix as is).
pub fn asset(base: u128, denom: Option<&str>) -> String {
    match denom {
        None => tokens(base),
        Some(d) => format!("{} {}", format_tokens(base), display_denom(d)),
    }
}

/// The display name of a 6-decimal bank denom: `uusdc` → `USDC`.
pub fn display_denom(denom: &str) -> String {
    match denom.strip_prefix('u') {
        Some(rest) if !rest.is_empty() => rest.to_uppercase(),
        _ => denom.to_string(),
    }
}

/// A unix time as a UTC date and time: `2026-12-15 17:30:05 UTC`.
pub fn format_utc(unix_seconds: u64) -> String {
    let days = (unix_seconds / 86_400) as i64;
    let secs = unix_seconds % 86_400;
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02} UTC",
        secs / 3_600,
        (secs % 3_600) / 60,
        secs % 60
    )
}

/// A span of seconds in the largest fitting unit: `45 s`, `12 min`, `3.5 h`, `14 days`.
pub fn format_span(seconds: u64) -> String {
    match seconds {
        s if s < 120 => format!("{s} s"),
        s if s < 2 * 3_600 => format!("{} min", s / 60),
        s if s < 2 * 86_400 => format!("{} h", one_decimal(s as f64 / 3_600.0)),
        s => format!("{} days", one_decimal(s as f64 / 86_400.0)),
    }
}

/// `v` with one decimal, without a trailing `.0`: 14.0 → `14`, 3.46 → `3.5`.
fn one_decimal(v: f64) -> String {
    let s = format!("{v:.1}");
    s.strip_suffix(".0").map(str::to_string).unwrap_or(s)
}

/// `at` relative to `now` (both unix seconds): `in 14 days` or `3 min ago`.
pub fn format_relative(at: u64, now: u64) -> String {
    if at >= now {
        format!("in {}", format_span(at - now))
    } else {
        format!("{} ago", format_span(now - at))
    }
}

/// Days since 1970-01-01 → (year, month, day) in the proleptic Gregorian calendar (Howard
/// Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_and_fractional_amounts_parse_to_base_units() {
        assert_eq!(parse_tokens("12"), Ok(12 * TOKEN));
        assert_eq!(parse_tokens("12.5"), Ok(12_500_000));
        assert_eq!(parse_tokens(" 0.000001 "), Ok(1));
        assert_eq!(parse_tokens("0"), Ok(0));
        assert_eq!(parse_tokens("007.250"), Ok(7_250_000));
        assert_eq!(parse_tokens("1.000000"), Ok(TOKEN));
    }

    #[test]
    fn bad_amounts_are_refused_with_the_reason() {
        assert_eq!(
            parse_tokens("1.0000001").unwrap_err().to_string(),
            "\"1.0000001\" has 7 decimals, but ACN has 6: the smallest amount is 0.000001 ACN"
        );
        assert_eq!(parse_tokens("").unwrap_err(), AmountError::Empty);
        for bad in [
            "-1", "+1", "1e6", "1,5", "1.", ".5", "1.2.3", "abc", "1 000", "0x10",
        ] {
            assert_eq!(
                parse_tokens(bad),
                Err(AmountError::Invalid { input: bad.into() }),
                "{bad}"
            );
        }
        assert_eq!(
            parse_tokens("abc").unwrap_err().to_string(),
            "\"abc\" is not an amount of ACN: expected digits with at most one '.', such as 12 or 12.5"
        );
        let huge = "340282366920938463463374607431768211455";
        assert_eq!(
            parse_tokens(huge),
            Err(AmountError::TooLarge { input: huge.into() })
        );
        // The largest u128 of base units still parses.
        assert_eq!(
            parse_tokens("340282366920938463463374607431768.211455"),
            Ok(u128::MAX)
        );
    }

    #[test]
    fn amounts_format_without_trailing_zeros() {
        assert_eq!(format_tokens(12_500_000), "12.5");
        assert_eq!(format_tokens(1), "0.000001");
        assert_eq!(format_tokens(3 * TOKEN), "3");
        assert_eq!(tokens(1_940), "0.00194 ACN");
        for base in [0, 1, 10, 999_999, TOKEN, 123_456_789, u128::MAX] {
            assert_eq!(parse_tokens(&format_tokens(base)), Ok(base));
        }
    }

    #[test]
    fn unix_times_format_as_utc_dates() {
        assert_eq!(format_utc(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(format_utc(951_782_400), "2000-02-29 00:00:00 UTC");
        assert_eq!(format_utc(1_796_232_605), "2026-12-02 17:30:05 UTC");
        assert_eq!(format_utc(4_107_542_399), "2100-02-28 23:59:59 UTC");
        assert_eq!(format_relative(100 + 14 * 86_400, 100), "in 14 days");
        assert_eq!(format_relative(100, 280), "3 min ago");
        assert_eq!(format_span(90), "90 s");
        assert_eq!(format_span(14 * 86_400 - 1), "14 days");
        assert_eq!(format_span(3 * 86_400 + 43_200), "3.5 days");
        assert_eq!(format_span(3 * 3_600), "3 h");
    }
}

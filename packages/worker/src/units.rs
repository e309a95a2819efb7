//! Amounts and dates for a person: tokens with 6 decimals typed and printed as `12.5` /
//! `12.5 ACN` (JSON carries base units, as strings, like the contracts), unix seconds as UTC
//! dates.

use acn_interface::market::TOKEN;

/// Decimals of the ACN token.
pub const DECIMALS: u32 = 6;

/// Parse an amount of tokens (`250`, `12.5`, `0.000001`) into base units.
pub fn parse_tokens(text: &str) -> Result<u128, String> {
    let bad = || {
        format!(
            "amount: expected a positive number of tokens with at most {DECIMALS} decimals (e.g. 250 or 12.5), got {text:?}"
        )
    };
    let (whole, frac) = text.trim().split_once('.').unwrap_or((text.trim(), ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() && frac.is_empty()
        || !digits(whole)
        || !digits(frac)
        || frac.len() > DECIMALS as usize
    {
        return Err(bad());
    }
    let whole: u128 = if whole.is_empty() {
        0
    } else {
        whole.parse().map_err(|_| bad())?
    };
    let frac: u128 = format!("{frac:0<width$}", width = DECIMALS as usize)
        .parse()
        .map_err(|_| bad())?;
    let base = whole
        .checked_mul(TOKEN)
        .and_then(|w| w.checked_add(frac))
        .ok_or_else(bad)?;
    if base == 0 {
        return Err(bad());
    }
    Ok(base)
}

/// Base units as tokens: `1900 ACN`, `0.5 ACN`, `12.000001 ACN`.
pub fn format_tokens(base: u128) -> String {
    let (whole, frac) = (base / TOKEN, base % TOKEN);
    if frac == 0 {
        format!("{whole} ACN")
    } else {
        let frac = format!("{frac:06}");
        format!("{whole}.{} ACN", frac.trim_end_matches('0'))
    }
}

/// Unix seconds as a UTC date: `2026-12-15 17:26:28 UTC`.
pub fn format_time(unix_seconds: u64) -> String {
    i64::try_from(unix_seconds)
        .ok()
        .and_then(|s| chrono::DateTime::from_timestamp(s, 0))
        .map_or_else(
            || format!("{unix_seconds} (unix seconds)"),
            |t| t.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
        )
}

/// A span of seconds for a person: `14 d 0 h`, `3 h 20 min`, `45 s`.
pub fn format_span(seconds: u64) -> String {
    match seconds {
        s if s >= 86_400 => format!("{} d {} h", s / 86_400, s % 86_400 / 3_600),
        s if s >= 3_600 => format!("{} h {} min", s / 3_600, s % 3_600 / 60),
        s if s >= 60 => format!("{} min {} s", s / 60, s % 60),
        s => format!("{s} s"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_parse_with_six_decimals() {
        assert_eq!(parse_tokens("250"), Ok(250 * TOKEN));
        assert_eq!(parse_tokens("12.5"), Ok(12_500_000));
        assert_eq!(parse_tokens("0.000001"), Ok(1));
        assert_eq!(parse_tokens(".5"), Ok(500_000));
        for bad in [
            "",
            "0",
            "0.0",
            "-1",
            "1e3",
            "1.0000001",
            "abc",
            "1.2.3",
            ".",
        ] {
            assert_eq!(
                parse_tokens(bad),
                Err(format!("amount: expected a positive number of tokens with at most 6 decimals (e.g. 250 or 12.5), got {bad:?}")),
                "{bad}"
            );
        }
    }

    #[test]
    fn tokens_and_times_format_for_a_person() {
        assert_eq!(format_tokens(1_900 * TOKEN), "1900 ACN");
        assert_eq!(format_tokens(500_000), "0.5 ACN");
        assert_eq!(format_tokens(12_000_001), "12.000001 ACN");
        assert_eq!(format_time(1_765_000_000), "2025-12-06 05:46:40 UTC");
        assert_eq!(format_span(14 * 86_400 + 3_600), "14 d 1 h");
        assert_eq!(format_span(200), "3 min 20 s");
    }
}

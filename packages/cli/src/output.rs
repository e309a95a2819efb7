//! How reads print: text for people, `--output json` for programs; token amounts in whole ACN.

use acn_interface::market::TOKEN;

/// Output format of a read.
#[derive(clap::ValueEnum, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Output {
    /// Lines for people.
    #[default]
    Text,
    /// One JSON document on stdout.
    Json,
}

/// Base units as whole tokens with up to 6 decimals (`1234.5 ACN`).
pub fn tokens(base: u128) -> String {
    let whole = base / TOKEN;
    let frac = base % TOKEN;
    if frac == 0 {
        format!("{whole} ACN")
    } else {
        let frac = format!("{frac:06}");
        format!("{whole}.{} ACN", frac.trim_end_matches('0'))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_print_whole_and_trimmed_decimals() {
        assert_eq!(tokens(0), "0 ACN");
        assert_eq!(tokens(12 * TOKEN), "12 ACN");
        assert_eq!(tokens(12 * TOKEN + 500_000), "12.5 ACN");
        assert_eq!(tokens(1), "0.000001 ACN");
    }
}

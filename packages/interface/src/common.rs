//! Small types shared by several contracts.

use cosmwasm_std::Uint128;

/// Basis points: 1 bps = 0.01 %, 10 000 bps = 100 %.
pub type Bps = u16;

/// The denominator of a basis-point fraction.
pub const BPS_DENOMINATOR: u16 = 10_000;

/// Default number of items a paginated list query returns.
pub const DEFAULT_LIMIT: u32 = 10;
/// Largest number of items a paginated list query returns.
pub const MAX_LIMIT: u32 = 100;

/// `amount × bps / 10 000`, rounded down. Never overflows for any `Uint128` amount.
pub fn bps_of(amount: Uint128, bps: Bps) -> Uint128 {
    amount.multiply_ratio(bps as u128, BPS_DENOMINATOR as u128)
}

/// Clamp a caller's `limit` to `[1, MAX_LIMIT]`, `DEFAULT_LIMIT` when absent.
pub fn page_limit(limit: Option<u32>) -> usize {
    limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bps_rounds_down_and_never_exceeds_whole() {
        assert_eq!(bps_of(Uint128::new(10_000), 7_000), Uint128::new(7_000));
        assert_eq!(bps_of(Uint128::new(1), 9_999), Uint128::zero());
        assert_eq!(bps_of(Uint128::MAX, 10_000), Uint128::MAX);
    }

    #[test]
    fn page_limit_is_clamped() {
        assert_eq!(page_limit(None), 10);
        assert_eq!(page_limit(Some(0)), 1);
        assert_eq!(page_limit(Some(1_000)), 100);
    }
}

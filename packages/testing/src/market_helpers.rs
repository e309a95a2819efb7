//! Market helpers (filled in with the market contract).

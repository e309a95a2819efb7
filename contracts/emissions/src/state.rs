//! Storage layout of the emissions contract.

use acn_interface::bps_of;
use acn_interface::common::Bps;
use acn_interface::emissions::EmissionParams;
use cosmwasm_schema::cw_serde;
use cosmwasm_std::{Addr, Timestamp, Uint128};
use cw_storage_plus::{Item, Map};

/// Addresses, the epoch clock and the parameters.
#[cw_serde]
pub struct Config {
    /// The CW20 paid out (and the only one accepted into the pool).
    pub token: Addr,
    /// The market allowed to report work.
    pub market: Option<Addr>,
    /// Staking contract receiving the stakers' share.
    pub staking: Option<Addr>,
    /// Epoch length in seconds (fixed at instantiation).
    pub epoch_seconds: u64,
    /// Start of epoch 0.
    pub genesis_time: Timestamp,
    /// Owner-changeable budget rate, fee cap and staker share.
    pub params: EmissionParams,
}

/// Lifetime totals.
#[cw_serde]
#[derive(Default)]
pub struct Totals {
    /// Everything received into the pool.
    pub funded: Uint128,
    /// Releases of closed epochs (never above `funded`).
    pub released: Uint128,
    /// Paid to providers by `Claim`.
    pub paid_to_providers: Uint128,
    /// Sent to stakers when epochs closed.
    pub paid_to_stakers: Uint128,
    /// Fees reported over all epochs.
    pub fees: Uint128,
    /// The last started epoch while it is not closed.
    pub open_epoch: Option<u64>,
}

impl Totals {
    /// The pool not yet released (what later budgets are drawn from).
    pub fn unreleased(&self) -> Uint128 {
        self.funded.saturating_sub(self.released)
    }
}

/// One started epoch: its budget and shares are fixed when its first work is reported; its fees
/// grow until it is over.
#[cw_serde]
pub struct Epoch {
    /// Most it may release: `budget_rate` of the unreleased pool when it started.
    pub budget: Uint128,
    /// Cap on its release in bps of its fees (the parameter when it started).
    pub fee_cap_bps: Bps,
    /// Stakers' share of its release (the parameter when it started; 0 without staking).
    pub staker_share_bps: Bps,
    /// Fees of the work reported in it.
    pub fees: Uint128,
    /// Whether it was closed (its release counted, the stakers' part sent).
    pub closed: bool,
}

impl Epoch {
    /// Its release: `min(budget, fee_cap_bps × fees)` (final once the epoch is over).
    pub fn release(&self) -> Uint128 {
        self.budget.min(bps_of(self.fees, self.fee_cap_bps))
    }

    /// The stakers' part of the release.
    pub fn staker_release(&self) -> Uint128 {
        bps_of(self.release(), self.staker_share_bps)
    }

    /// The providers' part of the release.
    pub fn provider_release(&self) -> Uint128 {
        self.release() - self.staker_release()
    }
}

/// A provider's record: its open epoch and what it accrued from closed ones.
#[cw_serde]
#[derive(Default)]
pub struct ProviderState {
    /// The last epoch the provider had work reported in (its open epoch).
    pub epoch: u64,
    /// Fees of its work in the open epoch.
    pub fees: Uint128,
    /// Earned in closed epochs and not yet claimed.
    pub accrued: Uint128,
    /// Paid to the provider so far.
    pub claimed: Uint128,
}

/// The configuration.
pub const CONFIG: Item<Config> = Item::new("config");
/// Lifetime totals.
pub const TOTALS: Item<Totals> = Item::new("totals");
/// Started epochs by index.
pub const EPOCHS: Map<u64, Epoch> = Map::new("epochs");
/// Provider records by address.
pub const PROVIDERS: Map<&Addr, ProviderState> = Map::new("providers");

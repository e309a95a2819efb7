//! Storage layout of the treasury.

use acn_interface::treasury::{Split, TotalsResponse};
use cosmwasm_schema::cw_serde;
use cosmwasm_std::{Addr, Empty, OverflowError, Timestamp, Uint128};
use cw_storage_plus::{Item, Map};

/// Most open (not fully claimed) vesting schedules one beneficiary may have (keeps `ClaimVested`
/// bounded).
pub const MAX_VESTINGS_PER_BENEFICIARY: u32 = 50;

/// Treasury configuration.
#[cw_serde]
pub struct Config {
    /// The CW20 the treasury holds; the only token accepted by the receive hook.
    pub token: Addr,
    /// Staking contract receiving the stakers' share as reward rounds.
    pub staking: Option<Addr>,
    /// How `Distribute` splits pending deposits.
    pub split: Split,
}

/// Lifetime totals of every flow (and the deposits currently pending).
#[cw_serde]
#[derive(Default)]
pub struct Totals {
    /// Everything received through `Deposit {}`.
    pub deposited: Uint128,
    /// Everything received through `Fund {}`.
    pub funded: Uint128,
    /// Deposits waiting for the next distribution.
    pub pending: Uint128,
    /// Burned by distributions.
    pub burned: Uint128,
    /// Sent to staking as reward rounds.
    pub to_stakers: Uint128,
    /// Kept in the reserve by distributions (rounding dust included).
    pub kept: Uint128,
    /// Paid to distribution executors.
    pub executor_paid: Uint128,
    /// Paid out by `Spend`.
    pub spent: Uint128,
    /// Locked into vesting schedules.
    pub vesting_created: Uint128,
    /// Paid out of vesting schedules.
    pub vested_claimed: Uint128,
    /// Number of distributions run.
    pub distributions: u64,
}

impl Totals {
    /// Tokens locked in vesting schedules and not yet claimed.
    pub fn vesting_locked(&self) -> Result<Uint128, OverflowError> {
        self.vesting_created.checked_sub(self.vested_claimed)
    }
}

impl From<Totals> for TotalsResponse {
    fn from(t: Totals) -> Self {
        TotalsResponse {
            deposited: t.deposited,
            funded: t.funded,
            pending: t.pending,
            burned: t.burned,
            to_stakers: t.to_stakers,
            kept: t.kept,
            executor_paid: t.executor_paid,
            spent: t.spent,
            vesting_created: t.vesting_created,
            vested_claimed: t.vested_claimed,
            distributions: t.distributions,
        }
    }
}

/// One vesting schedule.
#[cw_serde]
pub struct Vesting {
    /// Who may claim it.
    pub beneficiary: Addr,
    /// Total amount locked.
    pub amount: Uint128,
    /// When vesting starts.
    pub start: Timestamp,
    /// Seconds after `start` before anything is claimable.
    pub cliff: u64,
    /// Seconds after `start` when everything is vested (> 0).
    pub duration: u64,
    /// Already paid out.
    pub claimed: Uint128,
}

/// The configuration.
pub const CONFIG: Item<Config> = Item::new("config");
/// Lifetime totals and pending deposits.
pub const TOTALS: Item<Totals> = Item::new("totals");
/// Total deposited per source (the `Send`'s sender), keyed by address.
pub const SOURCES: Map<&Addr, Uint128> = Map::new("sources");
/// Vesting schedules by id.
pub const VESTINGS: Map<u64, Vesting> = Map::new("vestings");
/// Index of the open (not fully claimed) schedule ids per beneficiary: `(beneficiary, id)` →
/// nothing. `ClaimVested` removes a schedule once it has paid it out in full.
pub const VESTINGS_BY_BENEFICIARY: Map<(&Addr, u64), Empty> = Map::new("vestings_by_beneficiary");
/// Id of the last vesting schedule created (0 = none yet).
pub const LAST_VESTING_ID: Item<u64> = Item::new("last_vesting_id");

//! `acn-dao`'s own storage, next to cw3-flex-multisig's (`config`, `proposals`, `votes`, …).

use cosmwasm_schema::cw_serde;
use cosmwasm_std::{StdResult, Storage};
use cw_storage_plus::{Item, Map};

use acn_interface::dao::{ProposalTimes, Timing};

use crate::ContractError;

/// The timing new proposals get (changed by `UpdateTiming`).
pub const TIMING: Item<Timing> = Item::new("acn_timing");

/// What `acn-dao` records about each proposal when it is opened.
#[cw_serde]
pub struct Timeline {
    /// Its times (from the timing at the time it was opened).
    pub times: ProposalTimes,
    /// Whether it passed but was closed after its execution window without being executed.
    pub lapsed: bool,
}

/// Per proposal id: its timeline.
pub const TIMELINES: Map<u64, Timeline> = Map::new("acn_timelines");

/// A proposal's timeline, or [`ContractError::NoTimeline`].
pub fn load_timeline(storage: &dyn Storage, proposal_id: u64) -> Result<Timeline, ContractError> {
    TIMELINES
        .may_load(storage, proposal_id)?
        .ok_or(ContractError::NoTimeline { proposal_id })
}

/// Store the timing after checking its bounds.
pub fn save_timing(storage: &mut dyn Storage, timing: &Timing) -> Result<(), ContractError> {
    timing.validate()?;
    TIMING.save(storage, timing)?;
    Ok(())
}

/// The timing, if stored.
pub fn may_load_timing(storage: &dyn Storage) -> StdResult<Option<Timing>> {
    TIMING.may_load(storage)
}

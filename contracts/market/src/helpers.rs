//! Small pieces used by several handlers.

use cosmwasm_std::{
    wasm_execute, Addr, CosmosMsg, Deps, QuerierWrapper, StdResult, Storage, Uint128,
};

use acn_interface::staking;

use crate::error::ContractError;
use crate::state::{jobs, Job};

/// A staking `Slash` of a fixed amount.
pub fn slash(
    staking_addr: &Addr,
    provider: &Addr,
    amount: Uint128,
    reason: &str,
) -> StdResult<CosmosMsg> {
    let msg = staking::ExecuteMsg::Slash {
        address: provider.to_string(),
        amount: staking::SlashAmount::Absolute { amount },
        reason: reason.to_string(),
    };
    Ok(wasm_execute(staking_addr, &msg, vec![])?.into())
}

/// Bonded and unbonding stake of an address, read from the staking contract's storage by a raw
/// query (no contract call: on wasmd this saves the ~60 000 gas of loading the staking contract).
pub fn stake_of(
    querier: &QuerierWrapper,
    staking_addr: &Addr,
    addr: &Addr,
) -> StdResult<staking::Stake> {
    staking::query_stake_raw(querier, staking_addr, addr)
}

/// Load a job or fail with `JobNotFound`.
pub fn load_job(storage: &dyn Storage, id: u64) -> Result<Job, ContractError> {
    jobs()
        .may_load(storage, id)?
        .ok_or(ContractError::JobNotFound { id })
}

/// Load a job that still holds its escrow, or fail with `JobNotFound` / `JobFinal`.
pub fn load_unfinished_job(storage: &dyn Storage, id: u64) -> Result<Job, ContractError> {
    let job = load_job(storage, id)?;
    if job.status.is_final() {
        return Err(ContractError::JobFinal {
            id,
            status: job.status,
        });
    }
    Ok(job)
}

/// Discount (bps) of the highest tier the buyer's bonded stake reaches.
pub fn discount_bps(deps: Deps, buyer: &Addr) -> Result<u16, ContractError> {
    let config = crate::state::CONFIG.load(deps.storage)?;
    let tiers = &config.params.discount_tiers;
    if tiers.is_empty() {
        return Ok(0);
    }
    let bonded = stake_of(&deps.querier, &config.staking, buyer)?.bonded;
    Ok(tiers
        .iter()
        .filter(|t| bonded >= t.min_stake)
        .map(|t| t.discount_bps)
        .max()
        .unwrap_or(0))
}

//! Read-only queries, and the reserve accounting shared with `Spend` / `CreateVesting`.

use acn_interface::common::page_limit;
use acn_interface::treasury::{
    BalancesResponse, ConfigResponse, SourceResponse, SourcesResponse, TotalsResponse,
    VestingsResponse,
};
use cosmwasm_std::{Deps, Env, Order, StdResult, Uint128};
use cw20::{BalanceResponse, Cw20QueryMsg};
use cw_storage_plus::Bound;
use cw_utils::maybe_addr;

use crate::state::{CONFIG, SOURCES, TOTALS, VESTINGS, VESTINGS_BY_BENEFICIARY};
use crate::vesting::vesting_response;

/// The configuration.
pub fn config(deps: Deps) -> StdResult<ConfigResponse> {
    let config = CONFIG.load(deps.storage)?;
    Ok(ConfigResponse {
        token: config.token,
        staking: config.staking,
        split: config.split,
    })
}

/// Lifetime totals.
pub fn totals(deps: Deps) -> StdResult<TotalsResponse> {
    Ok(TOTALS.load(deps.storage)?.into())
}

/// The treasury's token balance (a CW20 `Balance` query on itself) and how it is committed:
/// `spendable = balance − pending − vesting_locked`.
pub fn balances(deps: Deps, env: &Env) -> StdResult<BalancesResponse> {
    let config = CONFIG.load(deps.storage)?;
    let totals = TOTALS.load(deps.storage)?;
    let BalanceResponse { balance } = deps.querier.query_wasm_smart(
        &config.token,
        &Cw20QueryMsg::Balance {
            address: env.contract.address.to_string(),
        },
    )?;
    let vesting_locked = totals.vesting_locked()?;
    let spendable = balance
        .checked_sub(totals.pending)?
        .checked_sub(vesting_locked)?;
    Ok(BalancesResponse {
        balance,
        pending: totals.pending,
        vesting_locked,
        spendable,
    })
}

/// Deposits from one source (zero if it never deposited).
pub fn source(deps: Deps, address: String) -> StdResult<SourceResponse> {
    let address = deps.api.addr_validate(&address)?;
    let deposited = SOURCES
        .may_load(deps.storage, &address)?
        .unwrap_or(Uint128::zero());
    Ok(SourceResponse { address, deposited })
}

/// Deposits by source, in address order after `start_after`.
pub fn sources(
    deps: Deps,
    start_after: Option<String>,
    limit: Option<u32>,
) -> StdResult<SourcesResponse> {
    let start_after = maybe_addr(deps.api, start_after)?;
    let sources = SOURCES
        .range(
            deps.storage,
            start_after.as_ref().map(Bound::exclusive),
            None,
            Order::Ascending,
        )
        .take(page_limit(limit))
        .map(|item| item.map(|(address, deposited)| SourceResponse { address, deposited }))
        .collect::<StdResult<_>>()?;
    Ok(SourcesResponse { sources })
}

/// One beneficiary's schedules, in id order after `start_after`, as of the current block.
pub fn vestings(
    deps: Deps,
    env: &Env,
    beneficiary: String,
    start_after: Option<u64>,
    limit: Option<u32>,
) -> StdResult<VestingsResponse> {
    let beneficiary = deps.api.addr_validate(&beneficiary)?;
    let vestings = VESTINGS_BY_BENEFICIARY
        .prefix(&beneficiary)
        .keys(
            deps.storage,
            start_after.map(Bound::exclusive),
            None,
            Order::Ascending,
        )
        .take(page_limit(limit))
        .map(|id| {
            let id = id?;
            let vesting = VESTINGS.load(deps.storage, id)?;
            vesting_response(id, vesting, env)
        })
        .collect::<StdResult<_>>()?;
    Ok(VestingsResponse { vestings })
}

/// Every schedule, in id order after `start_after`, as of the current block.
pub fn all_vestings(
    deps: Deps,
    env: &Env,
    start_after: Option<u64>,
    limit: Option<u32>,
) -> StdResult<VestingsResponse> {
    let vestings = VESTINGS
        .range(
            deps.storage,
            start_after.map(Bound::exclusive),
            None,
            Order::Ascending,
        )
        .take(page_limit(limit))
        .map(|item| {
            let (id, vesting) = item?;
            vesting_response(id, vesting, env)
        })
        .collect::<StdResult<_>>()?;
    Ok(VestingsResponse { vestings })
}

//! Staking queries: configuration, stakes, claims, totals and pending rewards.

use cosmwasm_std::{Addr, Deps, Env, Order, StdError, StdResult};
use cw_storage_plus::Bound;
use cw_utils::maybe_addr;

use acn_interface::common::page_limit;

use crate::bond::lock_tier;
use crate::cw4::weight_of;
use crate::error::ContractError;
use crate::msg::{
    ClaimsResponse, ConfigResponse, PendingRewardsResponse, StakeResponse, StakersResponse,
    TotalsResponse,
};
use crate::rewards::{current, load_stream, settled};
use crate::state::{Stake, CLAIMS, CONFIG, LOCK_TIERS, MARKET, STAKES};

/// Current configuration.
pub fn config(deps: Deps) -> StdResult<ConfigResponse> {
    let cfg = CONFIG.load(deps.storage)?;
    Ok(ConfigResponse {
        token: cfg.token,
        unbonding_period: cfg.unbonding_period,
        max_claims: cfg.max_claims,
        tokens_per_weight: cfg.tokens_per_weight,
        min_bond: cfg.min_bond,
        slashers: cfg.slashers,
        slash_destination: cfg.slash_destination,
        market: MARKET.may_load(deps.storage)?,
        reward_duration: load_stream(deps.storage).map_err(into_std)?.duration,
        lock_tiers: (0..=LOCK_TIERS.may_load(deps.storage)?.unwrap_or_default().len() as u8)
            .map(|t| lock_tier(deps.storage, t))
            .collect::<Result<_, _>>()
            .map_err(into_std)?,
    })
}

/// One address's stake and weight.
pub fn stake(deps: Deps, address: String) -> Result<StakeResponse, ContractError> {
    let address = deps.api.addr_validate(&address)?;
    let stake = STAKES.may_load(deps.storage, &address)?.unwrap_or_default();
    let cfg = CONFIG.load(deps.storage)?;
    stake_response(address, stake, cfg.tokens_per_weight)
}

/// Open claims of one address.
pub fn claims(deps: Deps, address: String) -> StdResult<ClaimsResponse> {
    let address = deps.api.addr_validate(&address)?;
    CLAIMS.query_claims(deps, &address)
}

/// Contract-wide totals, with the reward stream released up to the block time.
pub fn totals(deps: Deps, env: &Env) -> Result<TotalsResponse, ContractError> {
    let (totals, stream) = current(deps.storage, env.block.time)?;
    Ok(TotalsResponse {
        bonded: totals.bonded,
        unbonding: totals.unbonding,
        slashed: totals.slashed,
        rewards_funded: totals.rewards_funded,
        rewards_claimed: totals.rewards_claimed,
        rewards_carried: totals.rewards_carried,
        reward_weight: totals.reward_weight,
        reward_per_token: totals.reward_per_token,
        reward_stream_end: stream.end,
    })
}

/// Rewards `address` could claim now (the stream released up to the block time).
pub fn pending_rewards(
    deps: Deps,
    env: &Env,
    address: String,
) -> Result<PendingRewardsResponse, ContractError> {
    let address = deps.api.addr_validate(&address)?;
    let weight = STAKES
        .may_load(deps.storage, &address)?
        .unwrap_or_default()
        .reward_weight();
    let index = current(deps.storage, env.block.time)?.0.reward_per_token;
    let pending = settled(deps.storage, &address, weight, index)?.accrued;
    Ok(PendingRewardsResponse { address, pending })
}

/// Addresses with bonded or unbonding stake, in address order.
pub fn list_stakers(
    deps: Deps,
    start_after: Option<String>,
    limit: Option<u32>,
) -> Result<StakersResponse, ContractError> {
    let start = maybe_addr(deps.api, start_after)?;
    let tokens_per_weight = CONFIG.load(deps.storage)?.tokens_per_weight;
    let stakers = STAKES
        .range(
            deps.storage,
            start.as_ref().map(Bound::exclusive),
            None,
            Order::Ascending,
        )
        .take(page_limit(limit))
        .map(|item| {
            let (address, stake) = item?;
            stake_response(address, stake, tokens_per_weight)
        })
        .collect::<Result<_, _>>()?;
    Ok(StakersResponse { stakers })
}

/// A stake as returned by the queries.
fn stake_response(
    address: Addr,
    stake: Stake,
    tokens_per_weight: cosmwasm_std::Uint128,
) -> Result<StakeResponse, ContractError> {
    Ok(StakeResponse {
        weight: weight_of(stake.bonded, tokens_per_weight)?,
        address,
        bonded: stake.bonded,
        unbonding: stake.unbonding,
        tier: stake.tier,
        reward_bps: stake.reward_bps,
        lock_seconds: stake.lock_seconds,
    })
}

/// A contract error as the `StdError` a plain query answers with.
fn into_std(err: ContractError) -> StdError {
    match err {
        ContractError::Std(err) => err,
        other => StdError::generic_err(other.to_string()),
    }
}

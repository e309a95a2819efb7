//! Queries: the pair, reserves, simulations and cumulative prices.

use cosmwasm_std::{Deps, Env, StdError, StdResult, Uint128};

use acn_interface::pool::{
    Asset, AssetInfo, ConfigResponse, CumulativePricesResponse, PairInfo, PairType, PoolResponse,
    ReverseSimulationResponse, SimulationResponse,
};

use crate::math::{self, mul_div_floor};
use crate::state::{Config, PoolState, CONFIG, POOL};

fn assets(config: &Config, pool: &PoolState) -> Vec<Asset> {
    vec![
        config.asset_infos[0].with(pool.reserves[0]),
        config.asset_infos[1].with(pool.reserves[1]),
    ]
}

/// `Pair {}`.
pub fn pair(deps: Deps, env: &Env) -> StdResult<PairInfo> {
    let c = CONFIG.load(deps.storage)?;
    Ok(PairInfo {
        asset_infos: c.asset_infos.to_vec(),
        contract_addr: env.contract.address.clone(),
        liquidity_token: c.liquidity_token,
        pair_type: PairType::Xyk {},
    })
}

/// `Pool {}`.
pub fn pool(deps: Deps) -> StdResult<PoolResponse> {
    let c = CONFIG.load(deps.storage)?;
    let p = POOL.load(deps.storage)?;
    Ok(PoolResponse {
        assets: assets(&c, &p),
        total_share: p.total_share,
    })
}

/// `Config {}`.
pub fn config(deps: Deps) -> StdResult<ConfigResponse> {
    let c = CONFIG.load(deps.storage)?;
    let p = POOL.load(deps.storage)?;
    Ok(ConfigResponse {
        block_time_last: p.block_time_last,
        fee_bps: c.fee_bps,
    })
}

/// `Share { amount }`.
pub fn share(deps: Deps, amount: Uint128) -> StdResult<Vec<Asset>> {
    let c = CONFIG.load(deps.storage)?;
    let p = POOL.load(deps.storage)?;
    if p.total_share.is_zero() {
        return Ok(assets(&c, &p));
    }
    let out = |r| mul_div_floor(amount, r, p.total_share).map_err(to_std);
    Ok(vec![
        c.asset_infos[0].with(out(p.reserves[0])?),
        c.asset_infos[1].with(out(p.reserves[1])?),
    ])
}

fn to_std(e: crate::ContractError) -> StdError {
    StdError::generic_err(e.to_string())
}

/// Indexes (given, other) of a simulation: `given` is the asset named with an amount (field
/// `given_field`), `other` the optional other asset (field `other_field`), which must be the
/// pool's other asset.
fn sides(
    c: &Config,
    given: &AssetInfo,
    given_field: &str,
    other: Option<&AssetInfo>,
    other_field: &str,
) -> StdResult<(usize, usize)> {
    let find = |info: &AssetInfo, field: &str| {
        c.index_of(info).ok_or_else(|| {
            StdError::generic_err(format!(
                "{field}: asset {info} is not one of this pool's assets ({})",
                c.describe()
            ))
        })
    };
    let g = find(given, given_field)?;
    if let Some(o) = other {
        if find(o, other_field)? != 1 - g {
            return Err(StdError::generic_err(format!(
                "{other_field}: {o} must be the pool's other asset, {}",
                c.asset_infos[1 - g]
            )));
        }
    }
    Ok((g, 1 - g))
}

/// `Simulation { offer_asset, ask_asset_info }`.
pub fn simulation(
    deps: Deps,
    offer_asset: Asset,
    ask_asset_info: Option<AssetInfo>,
) -> StdResult<SimulationResponse> {
    let c = CONFIG.load(deps.storage)?;
    let p = POOL.load(deps.storage)?;
    let (o, a) = sides(
        &c,
        &offer_asset.info,
        "offer_asset.info",
        ask_asset_info.as_ref(),
        "ask_asset_info",
    )?;
    math::swap(p.reserves[o], p.reserves[a], offer_asset.amount, c.fee_bps).map_err(to_std)
}

/// `ReverseSimulation { offer_asset_info, ask_asset }`.
pub fn reverse_simulation(
    deps: Deps,
    offer_asset_info: Option<AssetInfo>,
    ask_asset: Asset,
) -> StdResult<ReverseSimulationResponse> {
    let c = CONFIG.load(deps.storage)?;
    let p = POOL.load(deps.storage)?;
    let (a, o) = sides(
        &c,
        &ask_asset.info,
        "ask_asset.info",
        offer_asset_info.as_ref(),
        "offer_asset_info",
    )?;
    math::reverse_swap(p.reserves[o], p.reserves[a], ask_asset.amount, c.fee_bps).map_err(to_std)
}

/// `CumulativePrices {}`: accumulated up to the current block time.
pub fn cumulative_prices(deps: Deps, env: &Env) -> StdResult<CumulativePricesResponse> {
    let c = CONFIG.load(deps.storage)?;
    let p = POOL.load(deps.storage)?;
    let cum = p.accumulated(env.block.time.seconds());
    let [a0, a1] = c.asset_infos.clone();
    Ok(CumulativePricesResponse {
        assets: assets(&c, &p),
        total_share: p.total_share,
        cumulative_prices: vec![(a0.clone(), a1.clone(), cum[0]), (a1, a0, cum[1])],
    })
}

//! Swaps: the native side by `Swap` with attached funds, the CW20 side by the `Swap` hook.

use cosmwasm_std::{Addr, Decimal, DepsMut, Env, MessageInfo, Response, Uint128};

use acn_interface::pool::{
    Asset, AssetInfo, SimulationResponse, DEFAULT_MAX_SPREAD, MAX_ALLOWED_SPREAD,
};

use crate::error::ContractError;
use crate::funds;
use crate::math;
use crate::state::{CONFIG, POOL};

/// The trader's limits of a swap (Astroport's fields).
pub struct Limits {
    /// The asset asked for (must be the other asset when given).
    pub ask_asset_info: Option<AssetInfo>,
    /// Expected price, offer per ask.
    pub belief_price: Option<Decimal>,
    /// Largest spread accepted.
    pub max_spread: Option<Decimal>,
}

/// `Swap` of the native asset, attached as funds.
pub fn swap_native(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    offer_asset: Asset,
    limits: Limits,
    to: Option<String>,
) -> Result<Response, ContractError> {
    let config = CONFIG.load(deps.storage)?;
    match config.index_of(&offer_asset.info) {
        Some(i) if i == config.native_index() => {}
        Some(_) => return Err(ContractError::Cw20SwapNeedsSend),
        None => {
            return Err(ContractError::AssetMismatch {
                field: "offer_asset.info".into(),
                asset: offer_asset.info.to_string(),
                expected: config.describe(),
            })
        }
    }
    funds::expect_native(&config, &info.funds, offer_asset.amount)?;
    swap(deps, env, info.sender, offer_asset, limits, to)
}

/// Swap `offer` (already received) for the other asset, paid to `to` or `sender`.
pub fn swap(
    deps: DepsMut,
    env: Env,
    sender: Addr,
    offer: Asset,
    limits: Limits,
    to: Option<String>,
) -> Result<Response, ContractError> {
    let config = CONFIG.load(deps.storage)?;
    let offer_idx = config
        .index_of(&offer.info)
        .ok_or_else(|| ContractError::AssetMismatch {
            field: "offer_asset.info".into(),
            asset: offer.info.to_string(),
            expected: config.describe(),
        })?;
    let ask_idx = 1 - offer_idx;
    if let Some(ask) = &limits.ask_asset_info {
        if config.index_of(ask) != Some(ask_idx) {
            return Err(ContractError::AssetMismatch {
                field: "ask_asset_info".into(),
                asset: ask.to_string(),
                expected: config.asset_infos[ask_idx].to_string(),
            });
        }
    }
    if offer.amount.is_zero() {
        return Err(ContractError::ZeroAmount {
            field: "offer_asset.amount".into(),
        });
    }
    let receiver = match to {
        Some(to) => deps.api.addr_validate(&to)?,
        None => sender.clone(),
    };
    let mut pool = POOL.load(deps.storage)?;
    let sim = math::swap(
        pool.reserves[offer_idx],
        pool.reserves[ask_idx],
        offer.amount,
        config.fee_bps,
    )?;
    check_spread(offer.amount, &sim, limits.belief_price, limits.max_spread)?;
    if sim.return_amount.is_zero() {
        return Err(ContractError::TooSmall);
    }
    pool.accumulate(env.block.time.seconds());
    pool.reserves[offer_idx] = pool.reserves[offer_idx].checked_add(offer.amount)?;
    pool.reserves[ask_idx] = pool.reserves[ask_idx].checked_sub(sim.return_amount)?;
    POOL.save(deps.storage, &pool)?;

    let ask_info = &config.asset_infos[ask_idx];
    Ok(Response::new()
        .add_message(funds::transfer(ask_info, &receiver, sim.return_amount)?)
        .add_attribute("action", "swap")
        .add_attribute("sender", sender)
        .add_attribute("receiver", receiver)
        .add_attribute("offer_asset", offer.info.to_string())
        .add_attribute("ask_asset", ask_info.to_string())
        .add_attribute("offer_amount", offer.amount)
        .add_attribute("return_amount", sim.return_amount)
        .add_attribute("spread_amount", sim.spread_amount)
        .add_attribute("commission_amount", sim.commission_amount))
}

/// Refuse a swap whose spread is above `max_spread` (default 0.5 %, at most 50 %): with a
/// belief price, the shortfall of the return against `offer / belief_price`; without one, the
/// curve's spread against the spot return.
pub fn check_spread(
    offer: Uint128,
    sim: &SimulationResponse,
    belief_price: Option<Decimal>,
    max_spread: Option<Decimal>,
) -> Result<(), ContractError> {
    let max_spread = max_spread.unwrap_or(DEFAULT_MAX_SPREAD);
    if max_spread > MAX_ALLOWED_SPREAD {
        return Err(ContractError::MaxSpreadTooHigh { max_spread });
    }
    let spread = match belief_price {
        Some(price) if price.is_zero() => return Err(ContractError::ZeroBeliefPrice),
        Some(price) => {
            let expected = math::mul_div_floor(offer, Decimal::one().atomics(), price.atomics())?;
            if sim.return_amount >= expected {
                return Ok(());
            }
            Decimal::from_ratio(expected - sim.return_amount, expected)
        }
        None => {
            let ideal = sim.return_amount + sim.spread_amount;
            if ideal.is_zero() {
                return Ok(());
            }
            Decimal::from_ratio(sim.spread_amount, ideal)
        }
    };
    if spread > max_spread {
        return Err(ContractError::MaxSpreadAssertion { spread, max_spread });
    }
    Ok(())
}

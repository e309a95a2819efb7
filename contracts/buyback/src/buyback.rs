//! Deposits, the buy, and the split.

use cosmwasm_std::{
    coins, from_json, to_json_binary, Addr, Decimal, Deps, DepsMut, Env, Event, MessageInfo, Reply,
    Response, StdResult, SubMsg, Uint128, WasmMsg,
};
use cw20::{BalanceResponse, Cw20ExecuteMsg, Cw20QueryMsg, Cw20ReceiveMsg};

use acn_interface::buyback::{
    BuybackParams, ReceiveMsg, MAX_BUY_POOL_BPS, MAX_CALLER_BPS, MAX_SLIPPAGE_BPS,
    MAX_TWAP_DEVIATION_BPS,
};
use acn_interface::common::{bps_of, Bps, BPS_DENOMINATOR};
use acn_interface::oracle::{QueryMsg as OracleQuery, TwapResponse};
use acn_interface::pool::{
    AssetInfo, ExecuteMsg as PairMsg, PoolResponse, QueryMsg as PairQuery, SimulationResponse,
};

use crate::error::ContractError;
use crate::state::{Config, Day, PendingBuy, CONFIG, DAY, LAST_BUY, PENDING, TOTALS};

/// Reply id of the buy's swap.
pub const SWAP_REPLY: u64 = 1;
/// Seconds in a UTC day.
pub const DAY_SECONDS: u64 = 86_400;

/// Check the parameters' bounds and the split.
pub fn validate(p: &BuybackParams) -> Result<(), ContractError> {
    if !p.split.is_valid() {
        return Err(ContractError::InvalidSplit {
            total: p.split.total(),
        });
    }
    let bounded = |field: &str, v: Bps, max: Bps| {
        if v == 0 || v > max {
            Err(ContractError::InvalidParam {
                field: field.into(),
                value: v.to_string(),
                expected: format!("1 ..= {max} bps"),
            })
        } else {
            Ok(())
        }
    };
    bounded(
        "max_twap_deviation_bps",
        p.max_twap_deviation_bps,
        MAX_TWAP_DEVIATION_BPS,
    )?;
    bounded("max_slippage_bps", p.max_slippage_bps, MAX_SLIPPAGE_BPS)?;
    bounded("max_buy_pool_bps", p.max_buy_pool_bps, MAX_BUY_POOL_BPS)?;
    if p.split.caller_bps > MAX_CALLER_BPS {
        return Err(ContractError::InvalidParam {
            field: "split.caller_bps".into(),
            value: p.split.caller_bps.to_string(),
            expected: format!("0 ..= {MAX_CALLER_BPS} bps"),
        });
    }
    if p.min_interval > DAY_SECONDS {
        return Err(ContractError::InvalidParam {
            field: "min_interval".into(),
            value: p.min_interval.to_string(),
            expected: format!("0 ..= {DAY_SECONDS} seconds"),
        });
    }
    Ok(())
}

/// A split giving stakers a share needs a staking contract to send it to.
pub fn check_stakers(config: &Config) -> Result<(), ContractError> {
    if config.params.split.stakers_bps > 0 && config.staking.is_none() {
        return Err(ContractError::InvalidParam {
            field: "split.stakers_bps".into(),
            value: config.params.split.stakers_bps.to_string(),
            expected: "0 without a staking contract (set `staking` first)".into(),
        });
    }
    Ok(())
}

/// `Deposit {}` with stable attached.
pub fn deposit_stable(deps: DepsMut, info: MessageInfo) -> Result<Response, ContractError> {
    let config = CONFIG.load(deps.storage)?;
    let mut amount = Uint128::zero();
    for c in &info.funds {
        if c.denom != config.stable_denom {
            return Err(ContractError::UnexpectedDenom {
                denom: c.denom.clone(),
                expected: config.stable_denom.clone(),
            });
        }
        amount += c.amount;
    }
    if amount.is_zero() {
        return Err(ContractError::ZeroAmount {
            field: "funds".into(),
        });
    }
    let mut totals = TOTALS.load(deps.storage)?;
    totals.stable_deposited += amount;
    TOTALS.save(deps.storage, &totals)?;
    Ok(Response::new()
        .add_attribute("action", "deposit")
        .add_attribute("from", info.sender)
        .add_attribute("amount", amount)
        .add_attribute("denom", config.stable_denom))
}

/// The ACN `Deposit {}` hook.
pub fn receive(
    deps: DepsMut,
    info: MessageInfo,
    wrapper: Cw20ReceiveMsg,
) -> Result<Response, ContractError> {
    let config = CONFIG.load(deps.storage)?;
    if info.sender != config.token {
        return Err(ContractError::UnknownToken {
            token: info.sender.to_string(),
            expected: config.token.to_string(),
        });
    }
    let ReceiveMsg::Deposit {} = from_json(&wrapper.msg)?;
    let mut totals = TOTALS.load(deps.storage)?;
    totals.acn_deposited += wrapper.amount;
    TOTALS.save(deps.storage, &totals)?;
    Ok(Response::new()
        .add_attribute("action", "deposit")
        .add_attribute("from", wrapper.sender)
        .add_attribute("amount", wrapper.amount)
        .add_attribute("denom", "acn"))
}

/// ACN held by the vault.
pub fn acn_balance(deps: Deps, env: &Env, config: &Config) -> StdResult<Uint128> {
    let r: BalanceResponse = deps.querier.query_wasm_smart(
        &config.token,
        &Cw20QueryMsg::Balance {
            address: env.contract.address.to_string(),
        },
    )?;
    Ok(r.balance)
}

/// Today's spending (a new day starts at zero).
pub fn today(deps: Deps, now: u64) -> StdResult<Day> {
    let day = now / DAY_SECONDS;
    Ok(match DAY.may_load(deps.storage)? {
        Some(d) if d.day == day => d,
        _ => Day {
            day,
            spent: Uint128::zero(),
        },
    })
}

/// Why no buy can happen now (`None`: a buy may be tried).
fn blocked(
    config: &Config,
    stable: Uint128,
    day: &Day,
    last: Option<u64>,
    now: u64,
) -> Option<ContractError> {
    if stable.is_zero() {
        return Some(ContractError::NothingToBuy {
            denom: config.stable_denom.clone(),
        });
    }
    if day.spent >= config.params.daily_cap {
        return Some(ContractError::DailyCapReached {
            cap: config.params.daily_cap,
            spent: day.spent,
            resumes_at: (day.day + 1) * DAY_SECONDS,
        });
    }
    if let Some(last) = last {
        let next_at = last + config.params.min_interval;
        if now < next_at {
            return Some(ContractError::TooSoon { last, next_at });
        }
    }
    None
}

/// `Buyback {}`.
pub fn buyback(deps: DepsMut, env: Env, info: MessageInfo) -> Result<Response, ContractError> {
    let config = CONFIG.load(deps.storage)?;
    let now = env.block.time.seconds();
    let stable = deps
        .querier
        .query_balance(&env.contract.address, &config.stable_denom)?
        .amount;
    let acn = acn_balance(deps.as_ref(), &env, &config)?;
    let mut day = today(deps.as_ref(), now)?;
    let last = LAST_BUY.may_load(deps.storage)?;

    if let Some(why) = blocked(&config, stable, &day, last, now) {
        if acn.is_zero() {
            return Err(why);
        }
        // No buy now, but ACN fees are waiting: split them.
        let (msgs, event, parts) = split(&config, acn, &info.sender, None)?;
        record_split(deps, parts, Uint128::zero(), Uint128::zero())?;
        return Ok(Response::new()
            .add_messages(msgs)
            .add_event(event.add_attribute("buy_skipped", why.to_string()))
            .add_attribute("action", "buyback"));
    }

    let p = &config.params;
    let twap: TwapResponse = deps
        .querier
        .query_wasm_smart(&config.oracle, &OracleQuery::Twap {})
        .map_err(|e| ContractError::Oracle {
            reason: e.to_string(),
        })?;
    let stable_info = AssetInfo::NativeToken {
        denom: config.stable_denom.clone(),
    };
    let acn_info = AssetInfo::Token {
        contract_addr: config.token.clone(),
    };
    let pool: PoolResponse = deps
        .querier
        .query_wasm_smart(&config.pair, &PairQuery::Pool {})?;
    let reserve = |info: &AssetInfo| {
        pool.assets
            .iter()
            .find(|a| &a.info == info)
            .map(|a| a.amount)
            .unwrap_or_default()
    };
    let (stable_reserve, acn_reserve) = (reserve(&stable_info), reserve(&acn_info));
    let stable_in = stable
        .min(p.daily_cap - day.spent)
        .min(bps_of(stable_reserve, p.max_buy_pool_bps));
    let sim: Option<SimulationResponse> = if stable_in.is_zero() || acn_reserve.is_zero() {
        None
    } else {
        Some(deps.querier.query_wasm_smart(
            &config.pair,
            &PairQuery::Simulation {
                offer_asset: stable_info.with(stable_in),
                ask_asset_info: Some(acn_info.clone()),
            },
        )?)
    };
    let Some(sim) = sim.filter(|s| !s.return_amount.is_zero()) else {
        return Err(ContractError::BuyTooSmall {
            stable_in,
            denom: config.stable_denom.clone(),
        });
    };
    let price = Decimal::from_ratio(stable_in, sim.return_amount);
    let spot = Decimal::from_ratio(stable_reserve, acn_reserve);
    let bps = |b: Bps| Decimal::from_ratio(b, BPS_DENOMINATOR);
    if price > spot * (Decimal::one() + bps(p.max_slippage_bps)) {
        return Err(ContractError::SlippageTooHigh {
            price,
            spot,
            max_slippage_bps: p.max_slippage_bps,
        });
    }
    let band = twap.price * bps(p.max_twap_deviation_bps);
    if price > twap.price + band || price < twap.price.saturating_sub(band) {
        return Err(ContractError::PriceOffTwap {
            price,
            twap: twap.price,
            max_deviation_bps: p.max_twap_deviation_bps,
        });
    }

    day.spent += stable_in;
    DAY.save(deps.storage, &day)?;
    LAST_BUY.save(deps.storage, &now)?;
    PENDING.save(
        deps.storage,
        &PendingBuy {
            acn_before: acn,
            stable_in,
            twap: twap.price,
            price,
            spot,
            caller: info.sender,
        },
    )?;
    // The pair itself enforces the slippage bound against the spot price too.
    let swap = WasmMsg::Execute {
        contract_addr: config.pair.to_string(),
        msg: to_json_binary(&PairMsg::Swap {
            offer_asset: stable_info.with(stable_in),
            ask_asset_info: Some(acn_info),
            belief_price: Some(spot),
            max_spread: Some(bps(p.max_slippage_bps)),
            to: None,
        })?,
        funds: coins(stable_in.u128(), &config.stable_denom),
    };
    let refresh = WasmMsg::Execute {
        contract_addr: config.oracle.to_string(),
        msg: to_json_binary(&acn_interface::oracle::ExecuteMsg::Update {})?,
        funds: vec![],
    };
    Ok(Response::new()
        .add_submessage(SubMsg::reply_on_success(swap, SWAP_REPLY))
        .add_message(refresh)
        .add_attribute("action", "buyback"))
}

/// The swap's reply: split every ACN now held and report the buy.
pub fn reply(deps: DepsMut, env: Env, msg: Reply) -> Result<Response, ContractError> {
    if msg.id != SWAP_REPLY {
        return Err(ContractError::UnknownReply { id: msg.id });
    }
    let config = CONFIG.load(deps.storage)?;
    let pending = PENDING.load(deps.storage)?;
    PENDING.remove(deps.storage);
    let held = acn_balance(deps.as_ref(), &env, &config)?;
    let bought = held.checked_sub(pending.acn_before)?;
    let (msgs, event, parts) = split(&config, held, &pending.caller, Some((&pending, bought)))?;
    record_split(deps, parts, pending.stable_in, bought)?;
    Ok(Response::new().add_messages(msgs).add_event(event))
}

/// Amounts of one split.
#[derive(Clone, Copy, Debug, Default)]
pub struct Parts {
    /// Burned.
    pub burn: Uint128,
    /// To stakers.
    pub stakers: Uint128,
    /// To the community treasury (with the rounding dust).
    pub treasury: Uint128,
    /// To the caller.
    pub caller: Uint128,
}

/// Split `amount` of ACN: burn, stakers, treasury (with the dust), caller; and the `buyback`
/// event.
fn split(
    config: &Config,
    amount: Uint128,
    caller: &Addr,
    buy: Option<(&PendingBuy, Uint128)>,
) -> Result<(Vec<WasmMsg>, Event, Parts), ContractError> {
    let s = &config.params.split;
    let burn = bps_of(amount, s.burn_bps);
    let to_stakers = bps_of(amount, s.stakers_bps);
    let to_caller = bps_of(amount, s.caller_bps);
    let to_treasury = amount - burn - to_stakers - to_caller;
    let call = |msg: &Cw20ExecuteMsg| -> StdResult<WasmMsg> {
        Ok(WasmMsg::Execute {
            contract_addr: config.token.to_string(),
            msg: to_json_binary(msg)?,
            funds: vec![],
        })
    };
    let mut msgs = vec![];
    if !burn.is_zero() {
        msgs.push(call(&Cw20ExecuteMsg::Burn { amount: burn })?);
    }
    if !to_stakers.is_zero() {
        // `check_stakers` keeps a staking address whenever stakers have a share.
        let staking = config.staking.as_ref().ok_or(ContractError::InvalidParam {
            field: "staking".into(),
            value: "none".into(),
            expected: "a staking contract for stakers_bps > 0".into(),
        })?;
        msgs.push(call(&Cw20ExecuteMsg::Send {
            contract: staking.to_string(),
            amount: to_stakers,
            msg: to_json_binary(&acn_interface::staking::ReceiveMsg::DistributeRewards {})?,
        })?);
    }
    if !to_treasury.is_zero() {
        msgs.push(call(&Cw20ExecuteMsg::Transfer {
            recipient: config.treasury.to_string(),
            amount: to_treasury,
        })?);
    }
    if !to_caller.is_zero() {
        msgs.push(call(&Cw20ExecuteMsg::Transfer {
            recipient: caller.to_string(),
            amount: to_caller,
        })?);
    }
    let mut event = Event::new("buyback").add_attribute("caller", caller);
    if let Some((p, bought)) = buy {
        event = event
            .add_attribute("stable_in", p.stable_in)
            .add_attribute("acn_out", bought)
            .add_attribute("twap", p.twap.to_string())
            .add_attribute("price", p.price.to_string())
            .add_attribute("spot", p.spot.to_string())
            .add_attribute("acn_from_fees", p.acn_before);
    } else {
        event = event
            .add_attribute("stable_in", "0")
            .add_attribute("acn_out", "0")
            .add_attribute("acn_from_fees", amount);
    }
    let event = event
        .add_attribute("burned", burn)
        .add_attribute("to_stakers", to_stakers)
        .add_attribute("to_treasury", to_treasury)
        .add_attribute("to_caller", to_caller);
    let parts = Parts {
        burn,
        stakers: to_stakers,
        treasury: to_treasury,
        caller: to_caller,
    };
    Ok((msgs, event, parts))
}

fn record_split(
    deps: DepsMut,
    parts: Parts,
    stable_in: Uint128,
    bought: Uint128,
) -> Result<(), ContractError> {
    let mut totals = TOTALS.load(deps.storage)?;
    totals.burned += parts.burn;
    totals.to_stakers += parts.stakers;
    totals.to_treasury += parts.treasury;
    totals.to_callers += parts.caller;
    if !stable_in.is_zero() {
        totals.stable_spent += stable_in;
        totals.acn_bought += bought;
        totals.buys += 1;
    }
    TOTALS.save(deps.storage, &totals)?;
    Ok(())
}

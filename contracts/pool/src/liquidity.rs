//! Deposits (shares minted in proportion) and withdrawals (shares burned for both assets).

use cosmwasm_std::{Addr, Decimal, DepsMut, Env, MessageInfo, Response, Uint128};
use cw20::Cw20ExecuteMsg;

use acn_interface::pool::{Asset, MINIMUM_LIQUIDITY};

use crate::error::ContractError;
use crate::funds;
use crate::math::{mul_div_ceil, mul_div_floor, sqrt_product};
use crate::state::{CONFIG, POOL};

/// `ProvideLiquidity`: take both assets in the pool's ratio and mint shares to `receiver`.
pub fn provide(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    assets: Vec<Asset>,
    slippage_tolerance: Option<Decimal>,
    receiver: Option<String>,
) -> Result<Response, ContractError> {
    let config = CONFIG.load(deps.storage)?;
    if assets.len() != 2 {
        return Err(ContractError::AssetMismatch {
            field: "assets".into(),
            asset: format!("{} assets", assets.len()),
            expected: config.describe(),
        });
    }
    // Offered amounts in the pool's order; each asset exactly once.
    let mut offered = [None, None];
    for a in &assets {
        match config.index_of(&a.info) {
            Some(i) if offered[i].is_none() => offered[i] = Some(a.amount),
            _ => {
                return Err(ContractError::AssetMismatch {
                    field: "assets".into(),
                    asset: a.info.to_string(),
                    expected: config.describe(),
                })
            }
        }
    }
    let offered = [
        offered[0].unwrap_or_default(),
        offered[1].unwrap_or_default(),
    ];
    let native = config.native_index();
    funds::expect_native(&config, &info.funds, offered[native])?;
    for (i, amount) in offered.iter().enumerate() {
        if amount.is_zero() {
            return Err(ContractError::ZeroAmount {
                field: format!("assets[{}] ({})", i, config.asset_infos[i]),
            });
        }
    }
    if let Some(t) = slippage_tolerance {
        if t > Decimal::percent(50) {
            return Err(ContractError::SlippageToleranceTooHigh { tolerance: t });
        }
    }
    let receiver = match receiver {
        Some(r) => deps.api.addr_validate(&r)?,
        None => info.sender.clone(),
    };

    let mut pool = POOL.load(deps.storage)?;
    let (shares, used, locked) = if pool.total_share.is_zero() {
        let shares = sqrt_product(offered[0], offered[1]);
        if shares <= MINIMUM_LIQUIDITY {
            return Err(ContractError::FirstDepositTooSmall {
                shares,
                minimum: MINIMUM_LIQUIDITY,
            });
        }
        (shares - MINIMUM_LIQUIDITY, offered, MINIMUM_LIQUIDITY)
    } else {
        let [r0, r1] = pool.reserves;
        if r0.is_zero() || r1.is_zero() {
            return Err(ContractError::EmptyPool {
                reserve0: r0,
                reserve1: r1,
            });
        }
        let total = pool.total_share;
        let shares =
            mul_div_floor(offered[0], total, r0)?.min(mul_div_floor(offered[1], total, r1)?);
        if shares.is_zero() {
            return Err(ContractError::TooSmall);
        }
        let used = [
            mul_div_ceil(shares, r0, total)?,
            mul_div_ceil(shares, r1, total)?,
        ];
        (shares, used, Uint128::zero())
    };
    if let Some(tolerance) = slippage_tolerance {
        for i in 0..2 {
            let min = offered[i].mul_floor(Decimal::one() - tolerance);
            if used[i] < min {
                return Err(ContractError::SlippageExceeded {
                    tolerance,
                    used: used[i],
                    offered: offered[i],
                });
            }
        }
    }

    pool.accumulate(env.block.time.seconds());
    pool.reserves[0] = pool.reserves[0].checked_add(used[0])?;
    pool.reserves[1] = pool.reserves[1].checked_add(used[1])?;
    pool.total_share = pool.total_share.checked_add(shares)?.checked_add(locked)?;
    POOL.save(deps.storage, &pool)?;

    let cw20_idx = 1 - native;
    let mut res = Response::new().add_message(funds::cw20_call(
        config.cw20(),
        &Cw20ExecuteMsg::TransferFrom {
            owner: info.sender.to_string(),
            recipient: env.contract.address.to_string(),
            amount: used[cw20_idx],
        },
    )?);
    let refund = offered[native] - used[native];
    if !refund.is_zero() {
        res = res.add_message(funds::transfer(
            &config.asset_infos[native],
            &info.sender,
            refund,
        )?);
    }
    if !locked.is_zero() {
        res = res.add_message(funds::cw20_call(
            &config.liquidity_token,
            &Cw20ExecuteMsg::Mint {
                recipient: env.contract.address.to_string(),
                amount: locked,
            },
        )?);
    }
    Ok(res
        .add_message(funds::cw20_call(
            &config.liquidity_token,
            &Cw20ExecuteMsg::Mint {
                recipient: receiver.to_string(),
                amount: shares,
            },
        )?)
        .add_attribute("action", "provide_liquidity")
        .add_attribute("sender", info.sender)
        .add_attribute("receiver", receiver)
        .add_attribute(
            "assets",
            format!(
                "{}{}, {}{}",
                used[0], config.asset_infos[0], used[1], config.asset_infos[1]
            ),
        )
        .add_attribute("refund", refund)
        .add_attribute("share", shares))
}

/// `WithdrawLiquidity`: burn `share` (received from `sender`) for both assets in proportion.
pub fn withdraw(
    deps: DepsMut,
    env: Env,
    sender: Addr,
    share: Uint128,
) -> Result<Response, ContractError> {
    let config = CONFIG.load(deps.storage)?;
    let mut pool = POOL.load(deps.storage)?;
    if share.is_zero() {
        return Err(ContractError::ZeroAmount {
            field: "amount".into(),
        });
    }
    let total = pool.total_share;
    let out = [
        mul_div_floor(share, pool.reserves[0], total)?,
        mul_div_floor(share, pool.reserves[1], total)?,
    ];
    if out[0].is_zero() && out[1].is_zero() {
        return Err(ContractError::TooSmall);
    }
    pool.accumulate(env.block.time.seconds());
    pool.reserves[0] = pool.reserves[0].checked_sub(out[0])?;
    pool.reserves[1] = pool.reserves[1].checked_sub(out[1])?;
    pool.total_share = total.checked_sub(share)?;
    POOL.save(deps.storage, &pool)?;

    let mut res = Response::new().add_message(funds::cw20_call(
        &config.liquidity_token,
        &Cw20ExecuteMsg::Burn { amount: share },
    )?);
    for (i, amount) in out.iter().enumerate() {
        if !amount.is_zero() {
            res = res.add_message(funds::transfer(&config.asset_infos[i], &sender, *amount)?);
        }
    }
    Ok(res
        .add_attribute("action", "withdraw_liquidity")
        .add_attribute("sender", sender)
        .add_attribute("withdrawn_share", share)
        .add_attribute(
            "refund_assets",
            format!(
                "{}{}, {}{}",
                out[0], config.asset_infos[0], out[1], config.asset_infos[1]
            ),
        ))
}

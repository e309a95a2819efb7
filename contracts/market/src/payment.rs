//! The two payment assets — ACN (the CW20) and, in a stable-priced market, the stable bank
//! denom — and the oracle's TWAP that converts between them. The one place that knows which
//! asset a job's money moves in.

use cosmwasm_std::{
    BankMsg, Coin, CosmosMsg, Decimal, MessageInfo, QuerierWrapper, StdResult, Uint128,
};
use cw20::{Cw20Contract, Cw20ExecuteMsg};

use acn_interface::oracle::{QueryMsg as OracleQuery, TwapResponse};

use crate::error::ContractError;
use crate::state::{Config, Job, Stable};

/// What a submission was paid with.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Payment {
    /// ACN sent through the CW20 `Send` (the amount sent).
    Acn(Uint128),
    /// The stable asset attached as funds (the amount attached).
    Stable(Uint128),
}

/// A transfer of `amount` of the asset `pay_denom` names (`None`: ACN) to `to`.
pub fn transfer(
    config: &Config,
    pay_denom: Option<&str>,
    to: &cosmwasm_std::Addr,
    amount: Uint128,
) -> StdResult<CosmosMsg> {
    match pay_denom {
        None => Cw20Contract(config.token.clone()).call(Cw20ExecuteMsg::Transfer {
            recipient: to.to_string(),
            amount,
        }),
        Some(denom) => Ok(BankMsg::Send {
            to_address: to.to_string(),
            amount: vec![Coin::new(amount, denom)],
        }
        .into()),
    }
}

/// The stable attached to a `SubmitJob`: exactly one coin, of the market's stable denom.
pub fn stable_paid(config: &Config, info: &MessageInfo) -> Result<Uint128, ContractError> {
    let stable = config
        .stable
        .as_ref()
        .ok_or(ContractError::StablePaymentsDisabled {})?;
    let coin = cw_utils::one_coin(info)?;
    if coin.denom != stable.denom {
        return Err(ContractError::WrongDenom {
            denom: coin.denom,
            expected: stable.denom.clone(),
        });
    }
    Ok(coin.amount)
}

/// The oracle's TWAP of ACN in the stable asset (stable base units per ACN base unit), or why
/// there is none (stale, not yet observed, too thin a pool).
pub fn twap(querier: &QuerierWrapper, stable: &Stable) -> Result<Decimal, ContractError> {
    let r: TwapResponse = querier
        .query_wasm_smart(&stable.oracle, &OracleQuery::Twap {})
        .map_err(|e| ContractError::NoAcnPrice {
            reason: e.to_string(),
        })?;
    if r.price.is_zero() {
        return Err(ContractError::NoAcnPrice {
            reason: "the TWAP is zero".into(),
        });
    }
    Ok(r.price)
}

/// ACN worth `stable` base units at `acn_price`, rounded up (what an ACN payer owes, what a
/// stable job's stake at risk is sized on).
pub fn acn_for(stable: Uint128, acn_price: Decimal) -> Result<Uint128, ContractError> {
    stable
        .checked_div_ceil(acn_price)
        .map_err(|e| ContractError::Std(cosmwasm_std::StdError::generic_err(e.to_string())))
}

/// `amount` of a job's payment asset in ACN, rounded down: ACN as is; stable at the TWAP the
/// job was priced with (the value of a fee reported to emissions).
pub fn acn_value_floor(job: &Job, amount: Uint128) -> Result<Uint128, ContractError> {
    match (&job.pay_denom, job.acn_price) {
        (Some(_), Some(p)) => amount
            .checked_div_floor(p)
            .map_err(|e| ContractError::Std(cosmwasm_std::StdError::generic_err(e.to_string()))),
        _ => Ok(amount),
    }
}

/// A job's price in ACN, rounded up (what its slots' stake at risk is sized on).
pub fn acn_value_of_price(job: &Job) -> Result<Uint128, ContractError> {
    match (&job.pay_denom, job.acn_price) {
        (Some(_), Some(p)) => acn_for(job.price, p),
        _ => Ok(job.price),
    }
}

//! Attached funds checked against the pool's native denom, and transfers out of the pool.

use cosmwasm_std::{to_json_binary, Addr, BankMsg, Coin, CosmosMsg, StdResult, Uint128, WasmMsg};
use cw20::Cw20ExecuteMsg;

use acn_interface::pool::AssetInfo;

use crate::error::ContractError;
use crate::state::Config;

/// The native amount attached: only the pool's denom, exactly `declared` of it.
pub fn expect_native(
    config: &Config,
    funds: &[Coin],
    declared: Uint128,
) -> Result<(), ContractError> {
    let denom = config.denom();
    let mut sent = Uint128::zero();
    for coin in funds {
        if coin.denom != denom {
            return Err(ContractError::UnexpectedDenom {
                denom: coin.denom.clone(),
                expected: denom.to_string(),
            });
        }
        sent += coin.amount;
    }
    if sent != declared {
        return Err(ContractError::NativeAmountMismatch {
            denom: denom.to_string(),
            declared,
            sent,
        });
    }
    Ok(())
}

/// Refuse any attached funds.
pub fn expect_none(funds: &[Coin]) -> Result<(), ContractError> {
    if funds.is_empty() {
        Ok(())
    } else {
        Err(ContractError::UnexpectedFunds {
            funds: funds
                .iter()
                .map(|c| c.to_string())
                .collect::<Vec<_>>()
                .join(","),
        })
    }
}

/// Pay `amount` of `info` from the pool to `to`.
pub fn transfer(info: &AssetInfo, to: &Addr, amount: Uint128) -> StdResult<CosmosMsg> {
    Ok(match info {
        AssetInfo::NativeToken { denom } => BankMsg::Send {
            to_address: to.to_string(),
            amount: vec![Coin::new(amount, denom)],
        }
        .into(),
        AssetInfo::Token { contract_addr } => WasmMsg::Execute {
            contract_addr: contract_addr.to_string(),
            msg: to_json_binary(&Cw20ExecuteMsg::Transfer {
                recipient: to.to_string(),
                amount,
            })?,
            funds: vec![],
        }
        .into(),
    })
}

/// A CW20 call by the pool.
pub fn cw20_call(token: &Addr, msg: &Cw20ExecuteMsg) -> StdResult<CosmosMsg> {
    Ok(WasmMsg::Execute {
        contract_addr: token.to_string(),
        msg: to_json_binary(msg)?,
        funds: vec![],
    }
    .into())
}

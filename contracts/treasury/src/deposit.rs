//! The CW20 receive hook: fee deposits (`Deposit {}`) and reserve funding (`Fund {}`).

use acn_interface::treasury::ReceiveMsg;
use cosmwasm_std::{from_json, DepsMut, MessageInfo, Response};
use cw20::Cw20ReceiveMsg;

use crate::error::ContractError;
use crate::state::{CONFIG, SOURCES, TOTALS};

/// Accepts a CW20 `Send` from the configured token only.
pub fn receive(
    deps: DepsMut,
    info: MessageInfo,
    wrapper: Cw20ReceiveMsg,
) -> Result<Response, ContractError> {
    let config = CONFIG.load(deps.storage)?;
    if info.sender != config.token {
        return Err(ContractError::UnknownToken {
            token: info.sender.into_string(),
        });
    }
    if wrapper.amount.is_zero() {
        return Err(ContractError::ZeroAmount);
    }
    let sender = deps.api.addr_validate(&wrapper.sender)?;
    let amount = wrapper.amount;

    match from_json(&wrapper.msg)? {
        ReceiveMsg::Deposit {} => {
            let mut totals = TOTALS.load(deps.storage)?;
            totals.deposited = totals.deposited.checked_add(amount)?;
            totals.pending = totals.pending.checked_add(amount)?;
            TOTALS.save(deps.storage, &totals)?;
            SOURCES.update(deps.storage, &sender, |prev| {
                prev.unwrap_or_default()
                    .checked_add(amount)
                    .map_err(ContractError::from)
            })?;
            Ok(Response::new()
                .add_attribute("action", "deposit")
                .add_attribute("source", sender)
                .add_attribute("amount", amount)
                .add_attribute("pending", totals.pending))
        }
        ReceiveMsg::Fund {} => {
            let mut totals = TOTALS.load(deps.storage)?;
            totals.funded = totals.funded.checked_add(amount)?;
            TOTALS.save(deps.storage, &totals)?;
            Ok(Response::new()
                .add_attribute("action", "fund")
                .add_attribute("from", sender)
                .add_attribute("amount", amount))
        }
    }
}

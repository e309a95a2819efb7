//! Owner-only `Spend`: pays grants out of the spendable reserve.

use cosmwasm_std::{DepsMut, Env, MessageInfo, Response, Uint128};
use cw20::{Cw20Contract, Cw20ExecuteMsg};

use crate::error::ContractError;
use crate::queries::balances;
use crate::state::{CONFIG, TOTALS};

/// Fails with `InsufficientSpendable` unless `amount` fits in the spendable reserve.
pub fn ensure_spendable(deps: &DepsMut, env: &Env, amount: Uint128) -> Result<(), ContractError> {
    let available = balances(deps.as_ref(), env)?.spendable;
    if amount > available {
        return Err(ContractError::InsufficientSpendable {
            needed: amount,
            available,
        });
    }
    Ok(())
}

/// Owner only: transfer `amount` of the spendable reserve to `recipient`.
pub fn spend(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    recipient: String,
    amount: Uint128,
    memo: String,
) -> Result<Response, ContractError> {
    cw_ownable::assert_owner(deps.storage, &info.sender)?;
    let recipient = deps.api.addr_validate(&recipient)?;
    if amount.is_zero() {
        return Err(ContractError::ZeroAmount);
    }
    ensure_spendable(&deps, &env, amount)?;

    let config = CONFIG.load(deps.storage)?;
    let mut totals = TOTALS.load(deps.storage)?;
    totals.spent = totals.spent.checked_add(amount)?;
    TOTALS.save(deps.storage, &totals)?;

    let transfer = Cw20Contract(config.token).call(Cw20ExecuteMsg::Transfer {
        recipient: recipient.to_string(),
        amount,
    })?;
    Ok(Response::new()
        .add_message(transfer)
        .add_attribute("action", "spend")
        .add_attribute("recipient", recipient)
        .add_attribute("amount", amount)
        .add_attribute("memo", memo))
}

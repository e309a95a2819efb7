//! The optional report of settled, verified work to the emissions contract: one `RecordWork`
//! message per settled job, only when an emissions address is configured, carrying each agreeing
//! provider's part of the job's protocol fee. What counts (the one place for this rule):
//! - only work verified by agreement: at least two providers agreed on the output. A
//!   redundancy-1 job counts only when it was drawn for audit and the second provider agreed
//!   (it then settles as a two-provider job); an unaudited redundancy-1 job earns nothing, so a
//!   provider buying its own jobs cannot farm emissions by skipping the check;
//! - never a provider that is the job's buyer (self-dealing earns nothing);
//! - the weight is the fee paid, not units or stake, and emissions caps each epoch's release at a
//!   share of those fees.
//!
//! It is a
//! reply-on-error submessage: when the emissions contract refuses it (it cannot mint, it was
//! reconfigured, it ran out of pool…), only the report is rolled back; the settlement, its
//! payments and slashes stand, and the failure is counted (`TotalsResponse::emissions_failures`,
//! the last error kept in `LAST_EMISSIONS_ERROR`, an `emissions_error` event attribute).

use cosmwasm_std::{
    wasm_execute, Addr, Deps, DepsMut, Env, MessageInfo, Response, StdResult, Storage, SubMsg,
    SubMsgResult, Uint128,
};
use cw_storage_plus::Item;

use acn_interface::emissions::{
    ConfigResponse as EmissionsConfig, ExecuteMsg as EmissionsMsg, QueryMsg as EmissionsQuery,
    WorkFee,
};
use acn_interface::market::EmissionsResponse;

use crate::error::ContractError;
use crate::state::{LAST_EMISSIONS_ERROR, TOTALS};

/// The emissions contract told of settled work (absent: no reports).
pub const EMISSIONS: Item<Addr> = Item::new("emissions");

/// Reply id of the `RecordWork` submessage.
pub const RECORD_WORK_REPLY: u64 = 1;

/// Owner only: set or clear the emissions contract. It must already name this market as the
/// reporter: every `RecordWork` it refuses is a report lost (settlement goes on without it).
pub fn set_emissions(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    address: Option<String>,
) -> Result<Response, ContractError> {
    cw_ownable::assert_owner(deps.storage, &info.sender)?;
    let shown = match address {
        Some(address) => {
            let addr = deps.api.addr_validate(&address)?;
            let config: EmissionsConfig = deps
                .querier
                .query_wasm_smart(&addr, &EmissionsQuery::Config {})
                .map_err(|e| ContractError::InvalidParams {
                    reason: format!("{addr} is not an emissions contract: {e}"),
                })?;
            if config.market.as_ref() != Some(&env.contract.address) {
                return Err(ContractError::InvalidParams {
                    reason: format!(
                        "emissions contract {addr} does not accept work from this market"
                    ),
                });
            }
            EMISSIONS.save(deps.storage, &addr)?;
            addr.into_string()
        }
        None => {
            EMISSIONS.remove(deps.storage);
            "none".into()
        }
    };
    Ok(Response::new()
        .add_attribute("action", "set_emissions")
        .add_attribute("emissions", shown))
}

/// Fewest agreeing providers for a job's work to count: agreement is the verification.
pub const MIN_VERIFIERS: usize = 2;

/// The `RecordWork` submessage (reply on error only) crediting each agreeing provider (`agreed`)
/// but the buyer with an equal part of the job's protocol fee `fee`, or `None` when no emissions
/// contract is configured, fewer than [`MIN_VERIFIERS`] providers agreed, or nothing is left to
/// report. One storage read when unset.
pub fn work_message(
    storage: &dyn Storage,
    buyer: &Addr,
    agreed: &[&Addr],
    fee: Uint128,
) -> StdResult<Option<SubMsg>> {
    let Some(emissions) = EMISSIONS.may_load(storage)? else {
        return Ok(None);
    };
    if agreed.len() < MIN_VERIFIERS {
        return Ok(None);
    }
    let part = fee.multiply_ratio(1u128, agreed.len() as u128);
    if part.is_zero() {
        return Ok(None);
    }
    let work: Vec<WorkFee> = agreed
        .iter()
        .filter(|p| **p != buyer)
        .map(|p| WorkFee {
            provider: p.to_string(),
            fee: part,
        })
        .collect();
    if work.is_empty() {
        return Ok(None);
    }
    let msg = wasm_execute(emissions, &EmissionsMsg::RecordWork { work }, vec![])?;
    Ok(Some(SubMsg::reply_on_error(msg, RECORD_WORK_REPLY)))
}

/// The reply to a refused `RecordWork`: count it and keep the error; the settlement stands.
pub fn record_failure(deps: DepsMut, result: SubMsgResult) -> Result<Response, ContractError> {
    let error = match result {
        SubMsgResult::Err(error) => error,
        // reply_on_error never replies on success; nothing to record if it ever did
        SubMsgResult::Ok(_) => {
            return Ok(Response::new().add_attribute("action", "record_work_reply"));
        }
    };
    let mut totals = TOTALS.load(deps.storage)?;
    totals.emissions_failures = totals.emissions_failures.saturating_add(1);
    TOTALS.save(deps.storage, &totals)?;
    LAST_EMISSIONS_ERROR.save(deps.storage, &error)?;
    Ok(Response::new()
        .add_attribute("action", "record_work_failed")
        .add_attribute("emissions_failures", totals.emissions_failures.to_string())
        .add_attribute("emissions_error", error))
}

/// The configured emissions contract.
pub fn query(deps: Deps) -> StdResult<EmissionsResponse> {
    Ok(EmissionsResponse {
        address: EMISSIONS.may_load(deps.storage)?,
        last_error: LAST_EMISSIONS_ERROR.may_load(deps.storage)?,
    })
}

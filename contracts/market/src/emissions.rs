//! The optional report of settled and agreed work to the emissions contract: one
//! `RecordWork` message per settled job, only when an emissions address is configured. It is a
//! reply-on-error submessage: when the emissions contract refuses it (it cannot mint, it was
//! reconfigured, it ran out of pool…), only the report is rolled back; the settlement, its
//! payments and slashes stand, and the failure is counted (`TotalsResponse::emissions_failures`,
//! the last error kept in `LAST_EMISSIONS_ERROR`, an `emissions_error` event attribute).

use cosmwasm_std::{
    wasm_execute, Addr, Deps, DepsMut, Env, MessageInfo, Response, StdResult, Storage, SubMsg,
    SubMsgResult,
};
use cw_storage_plus::Item;

use acn_interface::emissions::{
    ConfigResponse as EmissionsConfig, ExecuteMsg as EmissionsMsg, QueryMsg as EmissionsQuery,
    WorkUnits,
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

/// The `RecordWork` submessage (reply on error only) crediting `units` to each agreeing
/// provider, or `None` when no emissions contract is configured or the job had no units. One
/// storage read when unset.
pub fn work_message<'a>(
    storage: &dyn Storage,
    providers: impl Iterator<Item = &'a Addr>,
    units: u64,
) -> StdResult<Option<SubMsg>> {
    let Some(emissions) = EMISSIONS.may_load(storage)? else {
        return Ok(None);
    };
    if units == 0 {
        return Ok(None);
    }
    let work: Vec<WorkUnits> = providers
        .map(|p| WorkUnits {
            provider: p.to_string(),
            units,
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

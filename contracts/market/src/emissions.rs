//! The optional report of settled and agreed work to the emissions contract: one
//! `RecordWork` message per settled job, only when an emissions address is configured.

use cosmwasm_std::{
    to_json_binary, Addr, CosmosMsg, Deps, DepsMut, MessageInfo, Response, StdResult, Storage,
    WasmMsg,
};
use cw_storage_plus::Item;

use acn_interface::emissions::{ExecuteMsg as EmissionsMsg, WorkUnits};
use acn_interface::market::EmissionsResponse;

use crate::error::ContractError;

/// The emissions contract told of settled work (absent: no reports).
pub const EMISSIONS: Item<Addr> = Item::new("emissions");

/// Owner only: set or clear the emissions contract.
pub fn set_emissions(
    deps: DepsMut,
    info: MessageInfo,
    address: Option<String>,
) -> Result<Response, ContractError> {
    cw_ownable::assert_owner(deps.storage, &info.sender)?;
    let shown = match address {
        Some(address) => {
            let addr = deps.api.addr_validate(&address)?;
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

/// The `RecordWork` message crediting `units` to each agreeing provider, or `None` when no
/// emissions contract is configured or the job had no units. One storage read when unset.
pub fn work_message<'a>(
    storage: &dyn Storage,
    providers: impl Iterator<Item = &'a Addr>,
    units: u64,
) -> StdResult<Option<CosmosMsg>> {
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
    Ok(Some(
        WasmMsg::Execute {
            contract_addr: emissions.into_string(),
            msg: to_json_binary(&EmissionsMsg::RecordWork { work })?,
            funds: vec![],
        }
        .into(),
    ))
}

/// The configured emissions contract.
pub fn query(deps: Deps) -> StdResult<EmissionsResponse> {
    Ok(EmissionsResponse {
        address: EMISSIONS.may_load(deps.storage)?,
    })
}

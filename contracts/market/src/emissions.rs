//! The optional report of settled and agreed work to the emissions contract: one
//! `RecordWork` message per settled job, only when an emissions address is configured.

use cosmwasm_std::{
    to_json_binary, Addr, CosmosMsg, Deps, DepsMut, Env, MessageInfo, Response, StdResult, Storage,
    WasmMsg,
};
use cw_storage_plus::Item;

use acn_interface::emissions::{
    ConfigResponse as EmissionsConfig, ExecuteMsg as EmissionsMsg, QueryMsg as EmissionsQuery,
    WorkUnits,
};
use acn_interface::market::EmissionsResponse;

use crate::error::ContractError;

/// The emissions contract told of settled work (absent: no reports).
pub const EMISSIONS: Item<Addr> = Item::new("emissions");

/// Owner only: set or clear the emissions contract. It must already name this market as the
/// reporter: a `RecordWork` it refuses would revert every settlement.
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

//! Entry points of the oracle.

#[cfg(not(feature = "library"))]
use cosmwasm_std::entry_point;
use cosmwasm_std::{
    to_json_binary, Binary, Deps, DepsMut, Env, MessageInfo, Response, StdError, StdResult,
};

use acn_interface::oracle::{ConfigResponse, ExecuteMsg, InstantiateMsg, MigrateMsg, QueryMsg};
use acn_interface::pool::AssetInfo;

use crate::error::ContractError;
use crate::state::{Config, CONFIG};
use crate::twap;

/// cw2 contract name.
pub const CONTRACT_NAME: &str = "crates.io:acn-oracle";
/// cw2 contract version.
pub const CONTRACT_VERSION: &str = env!("CARGO_PKG_VERSION");

fn check_asset(deps: Deps, a: AssetInfo) -> StdResult<AssetInfo> {
    Ok(match a {
        AssetInfo::Token { contract_addr } => AssetInfo::Token {
            contract_addr: deps.api.addr_validate(contract_addr.as_str())?,
        },
        native => native,
    })
}

/// Instantiate entry point.
#[cfg_attr(not(feature = "library"), entry_point)]
pub fn instantiate(
    deps: DepsMut,
    _env: Env,
    info: MessageInfo,
    msg: InstantiateMsg,
) -> Result<Response, ContractError> {
    cw_utils::nonpayable(&info)?;
    cw2::set_contract_version(deps.storage, CONTRACT_NAME, CONTRACT_VERSION)?;
    let owner = msg.owner.as_deref().unwrap_or(info.sender.as_str());
    cw_ownable::initialize_owner(deps.storage, deps.api, Some(owner))?;
    let params = msg.params.unwrap_or_default();
    twap::validate(&params)?;
    let config = Config {
        pair: deps.api.addr_validate(&msg.pair)?,
        base: check_asset(deps.as_ref(), msg.base)?,
        quote: check_asset(deps.as_ref(), msg.quote)?,
        params,
    };
    CONFIG.save(deps.storage, &config)?;
    Ok(Response::new()
        .add_attribute("action", "instantiate")
        .add_attribute("pair", config.pair)
        .add_attribute("window", config.params.window.to_string()))
}

/// Execute entry point: dispatch to one handler per message family.
#[cfg_attr(not(feature = "library"), entry_point)]
pub fn execute(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    msg: ExecuteMsg,
) -> Result<Response, ContractError> {
    cw_utils::nonpayable(&info)?;
    match msg {
        ExecuteMsg::Update {} => twap::update(deps, env),
        ExecuteMsg::UpdateParams { params } => {
            cw_ownable::assert_owner(deps.storage, &info.sender)?;
            twap::validate(&params)?;
            CONFIG.update(deps.storage, |mut c| -> StdResult<_> {
                c.params = params.clone();
                Ok(c)
            })?;
            Ok(Response::new()
                .add_attribute("action", "update_params")
                .add_attribute("window", params.window.to_string())
                .add_attribute("max_staleness", params.max_staleness.to_string()))
        }
        ExecuteMsg::UpdateOwnership(action) => Ok(acn_interface::lifecycle::update_ownership(
            deps,
            &env.block,
            &info.sender,
            action,
        )?),
    }
}

/// Query entry point.
#[cfg_attr(not(feature = "library"), entry_point)]
pub fn query(deps: Deps, env: Env, msg: QueryMsg) -> StdResult<Binary> {
    match msg {
        QueryMsg::Config {} => {
            let c = CONFIG.load(deps.storage)?;
            to_json_binary(&ConfigResponse {
                pair: c.pair,
                base: c.base,
                quote: c.quote,
                params: c.params,
            })
        }
        QueryMsg::Twap {} => to_json_binary(
            &twap::twap(deps, &env).map_err(|e| StdError::generic_err(e.to_string()))?,
        ),
        QueryMsg::Observations {} => to_json_binary(&twap::observations(deps)?),
        QueryMsg::Ownership {} => to_json_binary(&cw_ownable::get_ownership(deps.storage)?),
    }
}

/// Migrate entry point: cw2-checked, same contract name, same or newer version.
#[cfg_attr(not(feature = "library"), entry_point)]
pub fn migrate(deps: DepsMut, _env: Env, _msg: MigrateMsg) -> Result<Response, ContractError> {
    Ok(acn_interface::lifecycle::migrate(
        deps.storage,
        CONTRACT_NAME,
        CONTRACT_VERSION,
    )?)
}

//! Entry points of the buyback vault.

#[cfg(not(feature = "library"))]
use cosmwasm_std::entry_point;
use cosmwasm_std::{
    to_json_binary, Binary, Deps, DepsMut, Env, MessageInfo, Reply, Response, StdResult,
};

use acn_interface::buyback::{
    BuybackTotals, ConfigResponse, ExecuteMsg, InstantiateMsg, MigrateMsg, QueryMsg, StateResponse,
};

use crate::buyback;
use crate::error::ContractError;
use crate::state::{Config, CONFIG, LAST_BUY, TOTALS};

/// cw2 contract name.
pub const CONTRACT_NAME: &str = "crates.io:acn-buyback";
/// cw2 contract version.
pub const CONTRACT_VERSION: &str = env!("CARGO_PKG_VERSION");

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
    buyback::validate(&params)?;
    if msg.stable_denom.is_empty() {
        return Err(ContractError::InvalidParam {
            field: "stable_denom".into(),
            value: "\"\"".into(),
            expected: "a bank denom".into(),
        });
    }
    let config = Config {
        token: deps.api.addr_validate(&msg.token)?,
        stable_denom: msg.stable_denom,
        pair: deps.api.addr_validate(&msg.pair)?,
        oracle: deps.api.addr_validate(&msg.oracle)?,
        treasury: deps.api.addr_validate(&msg.treasury)?,
        staking: msg
            .staking
            .map(|s| deps.api.addr_validate(&s))
            .transpose()?,
        params,
    };
    buyback::check_stakers(&config)?;
    CONFIG.save(deps.storage, &config)?;
    TOTALS.save(deps.storage, &BuybackTotals::default())?;
    Ok(Response::new()
        .add_attribute("action", "instantiate")
        .add_attribute("pair", config.pair)
        .add_attribute("oracle", config.oracle))
}

/// Execute entry point: dispatch to one handler per message family.
#[cfg_attr(not(feature = "library"), entry_point)]
pub fn execute(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    msg: ExecuteMsg,
) -> Result<Response, ContractError> {
    if !matches!(msg, ExecuteMsg::Deposit {}) {
        cw_utils::nonpayable(&info)?;
    }
    match msg {
        ExecuteMsg::Receive(wrapper) => buyback::receive(deps, info, wrapper),
        ExecuteMsg::Deposit {} => buyback::deposit_stable(deps, info),
        ExecuteMsg::Buyback {} => buyback::buyback(deps, env, info),
        ExecuteMsg::UpdateConfig {
            params,
            treasury,
            staking,
        } => {
            cw_ownable::assert_owner(deps.storage, &info.sender)?;
            let mut config = CONFIG.load(deps.storage)?;
            if let Some(params) = params {
                buyback::validate(&params)?;
                config.params = params;
            }
            if let Some(t) = treasury {
                config.treasury = deps.api.addr_validate(&t)?;
            }
            if let Some(s) = staking {
                config.staking = Some(deps.api.addr_validate(&s)?);
            }
            buyback::check_stakers(&config)?;
            CONFIG.save(deps.storage, &config)?;
            Ok(Response::new()
                .add_attribute("action", "update_config")
                .add_attribute("treasury", config.treasury))
        }
        ExecuteMsg::UpdateOwnership(action) => Ok(acn_interface::lifecycle::update_ownership(
            deps,
            &env.block,
            &info.sender,
            action,
        )?),
    }
}

/// Reply entry point.
#[cfg_attr(not(feature = "library"), entry_point)]
pub fn reply(deps: DepsMut, env: Env, msg: Reply) -> Result<Response, ContractError> {
    buyback::reply(deps, env, msg)
}

/// Query entry point.
#[cfg_attr(not(feature = "library"), entry_point)]
pub fn query(deps: Deps, env: Env, msg: QueryMsg) -> StdResult<Binary> {
    match msg {
        QueryMsg::Config {} => {
            let c = CONFIG.load(deps.storage)?;
            to_json_binary(&ConfigResponse {
                token: c.token,
                stable_denom: c.stable_denom,
                pair: c.pair,
                oracle: c.oracle,
                treasury: c.treasury,
                staking: c.staking,
                params: c.params,
            })
        }
        QueryMsg::State {} => {
            let c = CONFIG.load(deps.storage)?;
            let now = env.block.time.seconds();
            to_json_binary(&StateResponse {
                stable_balance: deps
                    .querier
                    .query_balance(&env.contract.address, &c.stable_denom)?
                    .amount,
                acn_balance: buyback::acn_balance(deps, &env, &c)?,
                spent_today: buyback::today(deps, now)?.spent,
                last_buy: LAST_BUY.may_load(deps.storage)?,
                totals: TOTALS.load(deps.storage)?,
            })
        }
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

//! Entry points: instantiation (with the share token's submessage), dispatch, the reply that
//! records the share token, queries and migration.

#[cfg(not(feature = "library"))]
use cosmwasm_std::entry_point;
use cosmwasm_std::{
    from_json, to_json_binary, Addr, Binary, Deps, DepsMut, Env, MessageInfo, Reply, Response,
    StdResult, SubMsg, Uint128, WasmMsg,
};
use cw20::{Cw20ReceiveMsg, MinterResponse};

use acn_interface::pool::{
    AssetInfo, Cw20HookMsg, ExecuteMsg, InstantiateMsg, MigrateMsg, QueryMsg, DEFAULT_FEE_BPS,
    MAX_FEE_BPS,
};
use acn_interface::token;

use crate::error::ContractError;
use crate::state::{Config, PoolState, CONFIG, POOL};
use crate::{liquidity, queries, swap};

/// cw2 contract name.
pub const CONTRACT_NAME: &str = "crates.io:acn-pool";
/// cw2 contract version.
pub const CONTRACT_VERSION: &str = env!("CARGO_PKG_VERSION");
/// Reply id of the share token's instantiation.
pub const INSTANTIATE_LP_REPLY: u64 = 1;

/// Instantiate entry point.
#[cfg_attr(not(feature = "library"), entry_point)]
pub fn instantiate(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    msg: InstantiateMsg,
) -> Result<Response, ContractError> {
    cw_utils::nonpayable(&info).map_err(|_| ContractError::UnexpectedFunds {
        funds: format!("{:?}", info.funds),
    })?;
    cw2::set_contract_version(deps.storage, CONTRACT_NAME, CONTRACT_VERSION)?;
    let owner = msg.owner.as_deref().unwrap_or(info.sender.as_str());
    cw_ownable::initialize_owner(deps.storage, deps.api, Some(owner))?;

    let infos: [AssetInfo; 2] =
        msg.asset_infos
            .clone()
            .try_into()
            .map_err(|v: Vec<AssetInfo>| ContractError::InvalidAssetInfos {
                got: format!("{} assets", v.len()),
            })?;
    if infos[0].is_native() == infos[1].is_native() {
        return Err(ContractError::InvalidAssetInfos {
            got: format!("{}, {}", infos[0], infos[1]),
        });
    }
    let mut checked = vec![];
    for a in infos {
        checked.push(match a {
            AssetInfo::Token { contract_addr } => AssetInfo::Token {
                contract_addr: deps.api.addr_validate(contract_addr.as_str())?,
            },
            AssetInfo::NativeToken { denom } if denom.is_empty() => {
                return Err(ContractError::InvalidAssetInfos {
                    got: "an empty denom".into(),
                })
            }
            native => native,
        });
    }
    let fee_bps = msg.fee_bps.unwrap_or(DEFAULT_FEE_BPS);
    if fee_bps > MAX_FEE_BPS {
        return Err(ContractError::FeeTooHigh {
            fee_bps,
            max: MAX_FEE_BPS,
        });
    }
    let config = Config {
        asset_infos: [checked[0].clone(), checked[1].clone()],
        liquidity_token: Addr::unchecked(""),
        fee_bps,
    };
    CONFIG.save(deps.storage, &config)?;
    POOL.save(
        deps.storage,
        &PoolState {
            block_time_last: env.block.time.seconds(),
            ..PoolState::default()
        },
    )?;

    let lp = WasmMsg::Instantiate {
        admin: None,
        code_id: msg.token_code_id,
        msg: to_json_binary(&token::InstantiateMsg {
            owner: None,
            name: "ACN pool share".into(),
            symbol: "ACN-LP".into(),
            decimals: 6,
            initial_balances: vec![],
            mint: Some(MinterResponse {
                minter: env.contract.address.to_string(),
                cap: Some(Uint128::MAX),
            }),
            marketing: None,
        })?,
        funds: vec![],
        label: "acn-pool-share".into(),
    };
    Ok(Response::new()
        .add_submessage(SubMsg::reply_on_success(lp, INSTANTIATE_LP_REPLY))
        .add_attribute("action", "instantiate")
        .add_attribute("asset_infos", config.describe())
        .add_attribute("fee_bps", fee_bps.to_string()))
}

/// Execute entry point: dispatch to one handler per message family.
#[cfg_attr(not(feature = "library"), entry_point)]
pub fn execute(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    msg: ExecuteMsg,
) -> Result<Response, ContractError> {
    match msg {
        ExecuteMsg::Receive(wrapper) => receive(deps, env, info, wrapper),
        ExecuteMsg::ProvideLiquidity {
            assets,
            slippage_tolerance,
            auto_stake,
            receiver,
        } => {
            if auto_stake == Some(true) {
                return Err(ContractError::AutoStakeUnsupported);
            }
            liquidity::provide(deps, env, info, assets, slippage_tolerance, receiver)
        }
        ExecuteMsg::Swap {
            offer_asset,
            ask_asset_info,
            belief_price,
            max_spread,
            to,
        } => swap::swap_native(
            deps,
            env,
            info,
            offer_asset,
            swap::Limits {
                ask_asset_info,
                belief_price,
                max_spread,
            },
            to,
        ),
        ExecuteMsg::UpdateConfig { fee_bps } => {
            cw_utils::nonpayable(&info).map_err(|_| ContractError::UnexpectedFunds {
                funds: format!("{:?}", info.funds),
            })?;
            cw_ownable::assert_owner(deps.storage, &info.sender)?;
            if fee_bps > MAX_FEE_BPS {
                return Err(ContractError::FeeTooHigh {
                    fee_bps,
                    max: MAX_FEE_BPS,
                });
            }
            CONFIG.update(deps.storage, |mut c| -> StdResult<_> {
                c.fee_bps = fee_bps;
                Ok(c)
            })?;
            Ok(Response::new()
                .add_attribute("action", "update_config")
                .add_attribute("fee_bps", fee_bps.to_string()))
        }
        ExecuteMsg::UpdateOwnership(action) => Ok(acn_interface::lifecycle::update_ownership(
            deps,
            &env.block,
            &info.sender,
            action,
        )?),
    }
}

/// The CW20 hooks: a swap of the pool's CW20 asset, or a withdrawal of shares.
fn receive(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    wrapper: Cw20ReceiveMsg,
) -> Result<Response, ContractError> {
    if !info.funds.is_empty() {
        return Err(ContractError::UnexpectedFunds {
            funds: format!("{:?}", info.funds),
        });
    }
    let config = CONFIG.load(deps.storage)?;
    let token = info.sender;
    let is_asset = token == *config.cw20();
    let is_share = token == config.liquidity_token;
    if !is_asset && !is_share {
        return Err(ContractError::UnknownToken {
            token: token.to_string(),
            cw20: config.cw20().to_string(),
        });
    }
    let sender = deps.api.addr_validate(&wrapper.sender)?;
    match from_json(&wrapper.msg)? {
        Cw20HookMsg::Swap {
            ask_asset_info,
            belief_price,
            max_spread,
            to,
        } => {
            if !is_asset {
                return Err(ContractError::WrongHookForToken {
                    hook: "swap".into(),
                    token: token.to_string(),
                });
            }
            let offer = AssetInfo::Token {
                contract_addr: token,
            }
            .with(wrapper.amount);
            swap::swap(
                deps,
                env,
                sender,
                offer,
                swap::Limits {
                    ask_asset_info,
                    belief_price,
                    max_spread,
                },
                to,
            )
        }
        Cw20HookMsg::WithdrawLiquidity { assets } => {
            if !is_share {
                return Err(ContractError::WrongHookForToken {
                    hook: "withdraw_liquidity".into(),
                    token: token.to_string(),
                });
            }
            if !assets.is_empty() {
                return Err(ContractError::ImbalancedWithdrawUnsupported);
            }
            liquidity::withdraw(deps, env, sender, wrapper.amount)
        }
    }
}

/// Reply entry point.
#[cfg_attr(not(feature = "library"), entry_point)]
pub fn reply(deps: DepsMut, _env: Env, msg: Reply) -> Result<Response, ContractError> {
    if msg.id != INSTANTIATE_LP_REPLY {
        return Err(ContractError::UnknownReply { id: msg.id });
    }
    let res = msg
        .result
        .into_result()
        .map_err(cosmwasm_std::StdError::generic_err)?;
    #[allow(deprecated)]
    let data = res
        .msg_responses
        .first()
        .map(|r| r.value.clone())
        .or(res.data)
        .ok_or(cw_utils::ParseReplyError::ParseFailure(
            "the share token's instantiation returned no data".into(),
        ))?;
    let created = cw_utils::parse_instantiate_response_data(&data)?;
    let lp = deps.api.addr_validate(&created.contract_address)?;
    CONFIG.update(deps.storage, |mut c| -> StdResult<_> {
        c.liquidity_token = lp.clone();
        Ok(c)
    })?;
    Ok(Response::new()
        .add_attribute("action", "register_share_token")
        .add_attribute("liquidity_token", lp))
}

/// Query entry point.
#[cfg_attr(not(feature = "library"), entry_point)]
pub fn query(deps: Deps, env: Env, msg: QueryMsg) -> StdResult<Binary> {
    match msg {
        QueryMsg::Pair {} => to_json_binary(&queries::pair(deps, &env)?),
        QueryMsg::Pool {} => to_json_binary(&queries::pool(deps)?),
        QueryMsg::Config {} => to_json_binary(&queries::config(deps)?),
        QueryMsg::Share { amount } => to_json_binary(&queries::share(deps, amount)?),
        QueryMsg::Simulation {
            offer_asset,
            ask_asset_info,
        } => to_json_binary(&queries::simulation(deps, offer_asset, ask_asset_info)?),
        QueryMsg::ReverseSimulation {
            offer_asset_info,
            ask_asset,
        } => to_json_binary(&queries::reverse_simulation(
            deps,
            offer_asset_info,
            ask_asset,
        )?),
        QueryMsg::CumulativePrices {} => to_json_binary(&queries::cumulative_prices(deps, &env)?),
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

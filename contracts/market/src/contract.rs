#[cfg(not(feature = "library"))]
use cosmwasm_std::entry_point;
use cosmwasm_std::{
    from_json, to_json_binary, Binary, Deps, DepsMut, Env, MessageInfo, Reply, Response,
};

use crate::error::ContractError;
use crate::jobs::{self, Submission};
use crate::msg::{ExecuteMsg, InstantiateMsg, MigrateMsg, QueryMsg, ReceiveMsg};
use crate::payment::{self, Payment};
use crate::state::Stable;
use crate::state::{
    Config, PriceState, Totals, CONFIG, ELIGIBLE_PROVIDERS, JOB_SEQ, PRICE, TOTALS,
};
use crate::validation::validate_params;
use crate::{audit, callback, emissions, models, providers, queries, settle};
use acn_interface::oracle;
use acn_interface::pool::AssetInfo;

/// cw2 contract name.
pub const CONTRACT_NAME: &str = "crates.io:acn-market";
/// cw2 contract version.
pub const CONTRACT_VERSION: &str = env!("CARGO_PKG_VERSION");

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn instantiate(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    msg: InstantiateMsg,
) -> Result<Response, ContractError> {
    cw2::set_contract_version(deps.storage, CONTRACT_NAME, CONTRACT_VERSION)?;
    let owner = msg.owner.unwrap_or_else(|| info.sender.to_string());
    cw_ownable::initialize_owner(deps.storage, deps.api, Some(&owner))?;
    validate_params(&msg.params)?;
    let pricing = &msg.params.pricing;
    if msg.initial_unit_price < pricing.floor || msg.initial_unit_price > pricing.ceiling {
        return Err(ContractError::InvalidParams {
            reason: "initial unit price must be within floor and ceiling".into(),
        });
    }
    let token = deps.api.addr_validate(&msg.token)?;
    let stable = match &msg.stable {
        Some(s) => Some(check_stable(deps.as_ref(), &token, &s.denom, &s.oracle)?),
        None => None,
    };
    let config = Config {
        token,
        staking: deps.api.addr_validate(&msg.staking)?,
        treasury: deps.api.addr_validate(&msg.treasury)?,
        params: msg.params,
        stable,
    };
    CONFIG.save(deps.storage, &config)?;
    PRICE.save(
        deps.storage,
        &PriceState {
            unit_price: msg.initial_unit_price,
            window_start: env.block.time,
            window_units: 0,
        },
    )?;
    ELIGIBLE_PROVIDERS.save(deps.storage, &0)?;
    JOB_SEQ.save(deps.storage, &0)?;
    TOTALS.save(deps.storage, &Totals::default())?;
    Ok(Response::new()
        .add_attribute("action", "instantiate")
        .add_attribute("owner", owner)
        .add_attribute("token", config.token)
        .add_attribute("staking", config.staking)
        .add_attribute("treasury", config.treasury))
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn execute(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    msg: ExecuteMsg,
) -> Result<Response, ContractError> {
    if !matches!(msg, ExecuteMsg::SubmitJob { .. }) {
        // Only a stable `SubmitJob` takes funds: anything else attached would be stranded.
        cw_utils::nonpayable(&info)?;
    }
    match msg {
        ExecuteMsg::SubmitJob {
            model_id,
            input,
            batch,
            redundancy,
            max_unit_price,
            deadline,
            audit_commitment,
            callback,
        } => {
            let config = CONFIG.load(deps.storage)?;
            let paid = payment::stable_paid(&config, &info)?;
            jobs::submit(
                deps,
                env,
                info.sender,
                Payment::Stable(paid),
                Submission {
                    model_id,
                    input,
                    batch,
                    redundancy,
                    max_unit_price,
                    deadline,
                    audit_commitment,
                    callback,
                },
            )
        }
        ExecuteMsg::Receive(wrapper) => {
            let config = CONFIG.load(deps.storage)?;
            if info.sender != config.token {
                return Err(ContractError::UnknownToken {
                    token: info.sender.to_string(),
                });
            }
            let buyer = deps.api.addr_validate(&wrapper.sender)?;
            match from_json(&wrapper.msg)? {
                ReceiveMsg::SubmitJob {
                    model_id,
                    input,
                    batch,
                    redundancy,
                    max_unit_price,
                    deadline,
                    audit_commitment,
                    callback,
                } => jobs::submit(
                    deps,
                    env,
                    buyer,
                    Payment::Acn(wrapper.amount),
                    Submission {
                        model_id,
                        input,
                        batch,
                        redundancy,
                        max_unit_price,
                        deadline,
                        audit_commitment,
                        callback,
                    },
                ),
            }
        }
        ExecuteMsg::RegisterModel { model } => models::register(deps, info, model),
        ExecuteMsg::UpdateModel { model } => models::update(deps, info, model),
        ExecuteMsg::DeactivateModel { id } => models::set_active(deps, info, id, false),
        ExecuteMsg::ActivateModel { id } => models::set_active(deps, info, id, true),
        ExecuteMsg::RegisterProvider {
            hardware,
            models,
            min_unit_price,
        } => providers::register(deps, info, hardware, models, min_unit_price),
        ExecuteMsg::UpdateProvider {
            hardware,
            models,
            min_unit_price,
        } => providers::update(deps, info, hardware, models, min_unit_price),
        ExecuteMsg::Deregister {} => providers::deregister(deps, info),
        ExecuteMsg::RefreshProvider { address } => providers::refresh(deps, address),
        ExecuteMsg::RevealAuditSecret { job_id, secret } => {
            audit::reveal_secret(deps, env, info, job_id, secret)
        }
        ExecuteMsg::CommitResult { job_id, commitment } => {
            jobs::commit(deps, env, info, job_id, commitment)
        }
        ExecuteMsg::RevealResult {
            job_id,
            output,
            salt,
        } => jobs::reveal(deps, env, info, job_id, output, salt),
        ExecuteMsg::Settle { job_id } => settle::settle(deps, env, job_id),
        ExecuteMsg::FlushFees {} => settle::flush_fees(deps),
        ExecuteMsg::Expire { job_id } => settle::expire(deps, env, job_id),
        ExecuteMsg::ResolveDispute { job_id, resolution } => {
            settle::resolve_dispute(deps, env, info, job_id, resolution)
        }
        ExecuteMsg::CloseDispute { job_id } => settle::close_dispute(deps, env, job_id),
        ExecuteMsg::UpdateParams { params } => update_params(deps, env, info, params),
        ExecuteMsg::SetEmissions { address } => emissions::set_emissions(deps, env, info, address),
        ExecuteMsg::UpdateConfig {
            fee_recipient,
            oracle,
        } => update_config(deps, info, fee_recipient, oracle),
        ExecuteMsg::UpdateOwnership(action) => Ok(acn_interface::lifecycle::update_ownership(
            deps,
            &env.block,
            &info.sender,
            action,
        )?),
    }
}

/// Check a stable asset: a valid bank denom, and an oracle that prices this market's token in
/// it (its `Config` names the token as base and the denom as quote).
fn check_stable(
    deps: Deps,
    token: &cosmwasm_std::Addr,
    denom: &str,
    oracle: &str,
) -> Result<Stable, ContractError> {
    let valid_denom = (3..=128).contains(&denom.len())
        && denom.starts_with(|c: char| c.is_ascii_alphabetic())
        && denom
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "/:._-".contains(c));
    if !valid_denom {
        return Err(ContractError::InvalidParams {
            reason: format!(
                "stable.denom {denom:?} is not a bank denom (3–128 chars of [a-zA-Z0-9/:._-], a letter first)"
            ),
        });
    }
    let oracle = deps.api.addr_validate(oracle)?;
    let cfg: oracle::ConfigResponse = deps
        .querier
        .query_wasm_smart(&oracle, &oracle::QueryMsg::Config {})
        .map_err(|e| ContractError::InvalidParams {
            reason: format!("stable.oracle {oracle} is not an ACN oracle: {e}"),
        })?;
    let (base, quote) = (AssetInfo::cw20(token.as_str()), AssetInfo::native(denom));
    if cfg.base != base || cfg.quote != quote {
        return Err(ContractError::InvalidParams {
            reason: format!(
                "stable.oracle {oracle} prices {:?} in {:?}, not this market's token in {denom}",
                cfg.base, cfg.quote
            ),
        });
    }
    Ok(Stable {
        denom: denom.to_string(),
        oracle,
    })
}

/// Owner only: a new fee recipient (pending ACN fees go to the old one first) and/or oracle.
fn update_config(
    deps: DepsMut,
    info: MessageInfo,
    fee_recipient: Option<String>,
    oracle: Option<String>,
) -> Result<Response, ContractError> {
    cw_ownable::assert_owner(deps.storage, &info.sender)?;
    let mut config = CONFIG.load(deps.storage)?;
    let mut res = Response::new().add_attribute("action", "update_config");
    if let Some(oracle) = oracle {
        let Some(stable) = &config.stable else {
            return Err(ContractError::NotStablePriced {
                field: "oracle".into(),
            });
        };
        let checked = check_stable(deps.as_ref(), &config.token, &stable.denom, &oracle)?;
        res = res.add_attribute("oracle", checked.oracle.as_str());
        config.stable = Some(checked);
    }
    if let Some(recipient) = fee_recipient {
        let recipient = deps.api.addr_validate(&recipient)?;
        // Fees charged so far belong to the recipient of their time.
        res = res.add_submessages(settle::flush_pending(deps.storage, &config)?);
        res = res.add_attribute("fee_recipient", recipient.as_str());
        config.treasury = recipient;
    }
    CONFIG.save(deps.storage, &config)?;
    Ok(res)
}

/// Owner only: replace the parameters; the current unit price is rolled and clamped into the
/// new floor and ceiling.
fn update_params(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    params: acn_interface::market::MarketParams,
) -> Result<Response, ContractError> {
    cw_ownable::assert_owner(deps.storage, &info.sender)?;
    validate_params(&params)?;
    let mut config = CONFIG.load(deps.storage)?;
    check_unbonding_bound(deps.as_ref(), &env, &config.staking, &params)?;
    let eligible = ELIGIBLE_PROVIDERS
        .may_load(deps.storage)?
        .unwrap_or_default();
    let mut price = crate::pricing::roll(
        PRICE.load(deps.storage)?,
        &config.params,
        eligible,
        env.block.time,
    );
    price.unit_price = price
        .unit_price
        .clamp(params.pricing.floor, params.pricing.ceiling);
    PRICE.save(deps.storage, &price)?;
    config.params = params;
    CONFIG.save(deps.storage, &config)?;
    Ok(Response::new()
        .add_attribute("action", "update_params")
        .add_attribute(
            "protocol_fee_bps",
            config.params.protocol_fee_bps.to_string(),
        )
        .add_attribute("unit_price", price.unit_price))
}

/// When staking has linked this market, refuse a `max_job_lifetime` longer than staking's
/// unbonding period: a provider could otherwise unbond and withdraw before a slash for a job it
/// holds lands. (Staking checks the same rule when its unbonding period changes.)
fn check_unbonding_bound(
    deps: Deps,
    env: &Env,
    staking: &cosmwasm_std::Addr,
    params: &acn_interface::market::MarketParams,
) -> Result<(), ContractError> {
    use acn_interface::staking;
    let staking_cfg: staking::ConfigResponse = deps
        .querier
        .query_wasm_smart(staking, &staking::QueryMsg::Config {})?;
    if staking_cfg.market.as_ref() != Some(&env.contract.address) {
        return Ok(());
    }
    match staking_cfg.unbonding_period {
        cw_utils::Duration::Time(unbonding) if params.max_job_lifetime <= unbonding => Ok(()),
        cw_utils::Duration::Time(unbonding) => Err(ContractError::InvalidParams {
            reason: format!(
                "max job lifetime {} s exceeds staking's unbonding period {unbonding} s",
                params.max_job_lifetime
            ),
        }),
        cw_utils::Duration::Height(_) => Err(ContractError::InvalidParams {
            reason: "staking's unbonding period is in blocks; job lifetimes are in seconds".into(),
        }),
    }
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn query(deps: Deps, env: Env, msg: QueryMsg) -> Result<Binary, ContractError> {
    Ok(match msg {
        QueryMsg::Config {} => to_json_binary(&queries::config(deps)?)?,
        QueryMsg::Model { id } => to_json_binary(&queries::model(deps, id)?)?,
        QueryMsg::Models { start_after, limit } => {
            to_json_binary(&queries::models(deps, start_after, limit)?)?
        }
        QueryMsg::Provider { address } => to_json_binary(&queries::provider(deps, address)?)?,
        QueryMsg::Providers { start_after, limit } => {
            to_json_binary(&queries::providers(deps, start_after, limit)?)?
        }
        QueryMsg::Job { id } => to_json_binary(&queries::job(deps, id)?)?,
        QueryMsg::Jobs {
            filter,
            start_after,
            limit,
        } => to_json_binary(&queries::jobs_by(deps, filter, start_after, limit)?)?,
        QueryMsg::AssignedJobs {
            provider,
            start_after,
            limit,
        } => to_json_binary(&queries::assigned_jobs(
            deps,
            env,
            provider,
            start_after,
            limit,
        )?)?,
        QueryMsg::Selection { model_id } => to_json_binary(&queries::selection(deps, model_id)?)?,
        QueryMsg::UnitPrice {} => to_json_binary(&queries::unit_price(deps, env)?)?,
        QueryMsg::Quote {
            model_id,
            batch,
            redundancy,
            buyer,
            input,
        } => to_json_binary(&queries::quote(
            deps, env, model_id, batch, redundancy, buyer, input,
        )?)?,
        QueryMsg::Totals {} => to_json_binary(&queries::totals(deps)?)?,
        QueryMsg::Emissions {} => to_json_binary(&emissions::query(deps)?)?,
        QueryMsg::Exposure { provider } => {
            to_json_binary(&queries::exposure(deps, env, provider)?)?
        }
        QueryMsg::Ownership {} => to_json_binary(&cw_ownable::get_ownership(deps.storage)?)?,
    })
}

/// Replies: the reply-on-error of a `RecordWork` report (see [`emissions::record_failure`]) and
/// of a result callback (see [`callback::record_failure`]).
#[cfg_attr(not(feature = "library"), entry_point)]
pub fn reply(deps: DepsMut, _env: Env, msg: Reply) -> Result<Response, ContractError> {
    match msg.id {
        emissions::RECORD_WORK_REPLY => emissions::record_failure(deps, msg.result),
        callback::CALLBACK_REPLY => callback::record_failure(deps, &msg.payload, msg.result),
        id => Err(ContractError::UnknownReply { id }),
    }
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn migrate(deps: DepsMut, _env: Env, _msg: MigrateMsg) -> Result<Response, ContractError> {
    Ok(acn_interface::lifecycle::migrate(
        deps.storage,
        CONTRACT_NAME,
        CONTRACT_VERSION,
    )?)
}

#[cfg(not(feature = "library"))]
use cosmwasm_std::entry_point;
use cosmwasm_std::{
    coins, to_json_binary, wasm_execute, BankMsg, Binary, Deps, DepsMut, Env, MessageInfo, Order,
    Reply, Response, StdError, StdResult, SubMsg, Uint128,
};
use cw_storage_plus::Bound;

use acn_interface::market::{self, encode_text_items, Callback, DType, JobResult, OutputSpec};
use acn_interface::market_view::{JobPaymentView, MarketConfigView};
use acn_interface::moderation::{
    ExecuteMsg, InstantiateMsg, MigrateMsg, QueryMsg, RequestsResponse, Verdict,
};

use crate::error::ContractError;
use crate::state::{Config, Request, CONFIG, REQUESTS, SUBMITTING};

/// cw2 contract name.
pub const CONTRACT_NAME: &str = "crates.io:acn-moderation";
/// cw2 contract version.
pub const CONTRACT_VERSION: &str = env!("CARGO_PKG_VERSION");
/// Reply id of the market's `SubmitJob` (its events name the job id).
pub const SUBMIT_REPLY: u64 = 1;

fn config_err(field: &str, reason: impl Into<String>) -> ContractError {
    ContractError::InvalidConfig {
        field: field.into(),
        reason: reason.into(),
    }
}

/// Check the market (stable-priced) and the model (text in, class labels out), and the bounds
/// of redundancy, callback gas and job lifetime against the market's parameters.
#[cfg_attr(not(feature = "library"), entry_point)]
pub fn instantiate(
    deps: DepsMut,
    _env: Env,
    _info: MessageInfo,
    msg: InstantiateMsg,
) -> Result<Response, ContractError> {
    cw2::set_contract_version(deps.storage, CONTRACT_NAME, CONTRACT_VERSION)?;
    let market = deps.api.addr_validate(&msg.market)?;
    let mcfg: MarketConfigView = deps
        .querier
        .query_wasm_smart(&market, &market::QueryMsg::Config {})
        .map_err(|e| config_err("market", format!("{market} is not an ACN market: {e}")))?;
    let denom = mcfg
        .stable
        .map(|s| s.denom)
        .ok_or_else(|| config_err("market", "the market takes no stable payments"))?;
    let model: market::ModelResponse = deps
        .querier
        .query_wasm_smart(
            &market,
            &market::QueryMsg::Model {
                id: msg.model_id.clone(),
            },
        )
        .map_err(|e| ContractError::InvalidModel {
            reason: format!("{} is not registered: {e}", msg.model_id),
        })?;
    if model.spec.input.dtype != DType::Utf8 || model.spec.input.text_limits().is_none() {
        return Err(ContractError::InvalidModel {
            reason: format!("{} does not take text input", msg.model_id),
        });
    }
    let OutputSpec::ClassLabels {
        num_classes,
        labels,
    } = model.spec.output
    else {
        return Err(ContractError::InvalidModel {
            reason: format!("{} does not output class labels", msg.model_id),
        });
    };
    if let Some(l) = msg.flagged_labels.iter().find(|l| **l >= num_classes) {
        return Err(config_err(
            "flagged_labels",
            format!("label {l} is not below the model's {num_classes} classes"),
        ));
    }
    let p = &mcfg.params;
    let min = model.spec.min_redundancy.max(2);
    if msg.redundancy < min || msg.redundancy > p.max_redundancy {
        return Err(config_err(
            "redundancy",
            format!(
                "{} outside {min}..={} (a redundancy-1 job needs an audit secret, which a contract cannot keep)",
                msg.redundancy, p.max_redundancy
            ),
        ));
    }
    if msg.callback_gas == 0 || msg.callback_gas > p.max_callback_gas {
        return Err(config_err(
            "callback_gas",
            format!(
                "{} outside 1..={} (the market's max_callback_gas)",
                msg.callback_gas, p.max_callback_gas
            ),
        ));
    }
    let earliest = p.commit_window + p.reveal_window;
    if msg.job_lifetime < earliest || msg.job_lifetime > p.max_job_lifetime {
        return Err(config_err(
            "job_lifetime",
            format!(
                "{} s outside {earliest}..={} s (the market's windows and max job lifetime)",
                msg.job_lifetime, p.max_job_lifetime
            ),
        ));
    }
    let config = Config {
        market,
        model_id: msg.model_id,
        labels,
        flagged_labels: msg.flagged_labels,
        redundancy: msg.redundancy,
        callback_gas: msg.callback_gas,
        job_lifetime: msg.job_lifetime,
        denom,
    };
    CONFIG.save(deps.storage, &config)?;
    Ok(Response::new()
        .add_attribute("action", "instantiate")
        .add_attribute("market", config.market)
        .add_attribute("model_id", config.model_id))
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn execute(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    msg: ExecuteMsg,
) -> Result<Response, ContractError> {
    match msg {
        ExecuteMsg::Moderate { text } => moderate(deps, env, info, text),
        ExecuteMsg::ReceiveResult(result) => {
            cw_utils::nonpayable(&info)?;
            receive_result(deps, info, result)
        }
    }
}

/// `Moderate`: pay the market's quote for one item from the attached stable, return the rest,
/// and submit the job (as its buyer) with a callback.
fn moderate(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    text: String,
) -> Result<Response, ContractError> {
    let config = CONFIG.load(deps.storage)?;
    let paid = cw_utils::must_pay(&info, &config.denom)?;
    let quote: market::QuoteResponse = deps.querier.query_wasm_smart(
        &config.market,
        &market::QueryMsg::Quote {
            model_id: config.model_id.clone(),
            batch: 1,
            redundancy: config.redundancy,
            buyer: Some(env.contract.address.to_string()),
            input: None,
        },
    )?;
    if paid < quote.price {
        return Err(ContractError::InsufficientFunds {
            required: quote.price,
            paid,
        });
    }
    let submit = market::ExecuteMsg::SubmitJob {
        model_id: config.model_id.clone(),
        input: Binary::from(encode_text_items(&[&text])),
        batch: 1,
        redundancy: config.redundancy,
        max_unit_price: quote.unit_price,
        deadline: env.block.time.plus_seconds(config.job_lifetime),
        audit_commitment: None,
        callback: Some(Callback {
            gas_limit: config.callback_gas,
        }),
    };
    SUBMITTING.save(deps.storage, &(info.sender.clone(), text))?;
    let mut res = Response::new()
        .add_attribute("action", "moderate")
        .add_attribute("requester", info.sender.as_str())
        .add_attribute("price", quote.price)
        .add_submessage(SubMsg::reply_on_success(
            wasm_execute(
                &config.market,
                &submit,
                coins(quote.price.u128(), &config.denom),
            )?,
            SUBMIT_REPLY,
        ));
    let excess = paid - quote.price;
    if !excess.is_zero() {
        res = res.add_message(BankMsg::Send {
            to_address: info.sender.into_string(),
            amount: coins(excess.u128(), &config.denom),
        });
    }
    Ok(res)
}

/// `ReceiveResult`: from the market only, for a job this contract submitted, once. A label is
/// recorded with its name and whether it is flagged; a job without a result forwards its refund
/// to the requester.
fn receive_result(
    deps: DepsMut,
    info: MessageInfo,
    result: JobResult,
) -> Result<Response, ContractError> {
    let config = CONFIG.load(deps.storage)?;
    if info.sender != config.market {
        return Err(ContractError::NotTheMarket {
            market: config.market.into_string(),
            sender: info.sender.into_string(),
        });
    }
    let job_id = result.job_id;
    let mut request = REQUESTS
        .may_load(deps.storage, job_id)?
        .ok_or(ContractError::UnknownJob { job_id })?;
    if request.verdict != Verdict::Pending {
        return Err(ContractError::AlreadyDecided { job_id });
    }
    let mut res = Response::new()
        .add_attribute("action", "receive_result")
        .add_attribute("job_id", job_id.to_string())
        .add_attribute("status", format!("{:?}", result.status));
    request.verdict = match result.output {
        Some(output) => {
            let bytes: [u8; 4] = output
                .as_slice()
                .try_into()
                .map_err(|_| ContractError::BadOutput { job_id })?;
            let label = u32::from_le_bytes(bytes);
            let name = config
                .labels
                .get(label as usize)
                .cloned()
                .unwrap_or_default();
            let flagged = config.flagged_labels.contains(&label);
            res = res
                .add_attribute("label", label.to_string())
                .add_attribute("label_name", &name)
                .add_attribute("flagged", flagged.to_string());
            Verdict::Decided {
                label,
                name,
                flagged,
            }
        }
        None => {
            let job: JobPaymentView = deps
                .querier
                .query_wasm_smart(&config.market, &market::QueryMsg::Job { id: job_id })?;
            let refunded = if job.pay_denom.as_deref() == Some(config.denom.as_str()) {
                job.refunded
            } else {
                Uint128::zero()
            };
            if !refunded.is_zero() {
                res = res.add_message(BankMsg::Send {
                    to_address: request.requester.to_string(),
                    amount: coins(refunded.u128(), &config.denom),
                });
            }
            res = res.add_attribute("refunded", refunded);
            Verdict::NoResult {
                status: result.status,
                refunded,
            }
        }
    };
    REQUESTS.save(deps.storage, job_id, &request)?;
    Ok(res)
}

/// The market's reply to `SubmitJob`: file the request under the job id its events name.
#[cfg_attr(not(feature = "library"), entry_point)]
pub fn reply(deps: DepsMut, _env: Env, msg: Reply) -> Result<Response, ContractError> {
    if msg.id != SUBMIT_REPLY {
        return Err(ContractError::UnknownReply { id: msg.id });
    }
    let config = CONFIG.load(deps.storage)?;
    let response = msg.result.into_result().map_err(StdError::generic_err)?;
    let job_id = response
        .events
        .iter()
        .filter(|e| {
            e.ty == "wasm"
                && e.attributes
                    .iter()
                    .any(|a| a.key == "_contract_address" && a.value == config.market.as_str())
        })
        .flat_map(|e| e.attributes.iter())
        .find(|a| a.key == "job_id")
        .and_then(|a| a.value.parse::<u64>().ok())
        .ok_or(ContractError::NoJobId {})?;
    let (requester, text) = SUBMITTING.load(deps.storage)?;
    SUBMITTING.remove(deps.storage);
    REQUESTS.save(
        deps.storage,
        job_id,
        &Request {
            job_id,
            requester,
            text,
            verdict: Verdict::Pending,
        },
    )?;
    Ok(Response::new()
        .add_attribute("moderation_job_id", job_id.to_string())
        .set_data(to_json_binary(&job_id)?))
}

/// Default page size of `Requests`.
const DEFAULT_LIMIT: u32 = 30;
/// Largest page size of `Requests`.
const MAX_LIMIT: u32 = 100;

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn query(deps: Deps, _env: Env, msg: QueryMsg) -> StdResult<Binary> {
    match msg {
        QueryMsg::Config {} => to_json_binary(&CONFIG.load(deps.storage)?),
        QueryMsg::Request { job_id } => to_json_binary(&REQUESTS.load(deps.storage, job_id)?),
        QueryMsg::Requests { start_after, limit } => {
            let limit = limit.unwrap_or(DEFAULT_LIMIT).min(MAX_LIMIT) as usize;
            let requests = REQUESTS
                .range(
                    deps.storage,
                    start_after.map(Bound::exclusive),
                    None,
                    Order::Ascending,
                )
                .take(limit)
                .map(|r| r.map(|(_, v)| v))
                .collect::<StdResult<Vec<_>>>()?;
            to_json_binary(&RequestsResponse { requests })
        }
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

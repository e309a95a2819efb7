//! Queries.

use cosmwasm_std::{Addr, Deps, Env, Order, StdResult};
use cw_storage_plus::Bound;
use cw_utils::maybe_addr;

use acn_interface::common::page_limit;
use acn_interface::market::{
    ConfigResponse, ExposureResponse, JobFilter, JobResponse, JobStatus, JobsResponse,
    ModelResponse, ModelsResponse, ProviderResponse, ProvidersResponse, QuoteResponse,
    SelectionResponse, TotalsResponse, UnitPriceResponse,
};

use crate::error::ContractError;
use crate::helpers::{discount_bps, load_job};
use crate::jobs::quote as price_job;
use crate::pricing::{capacity, roll};
use crate::state::{
    jobs, with_input, Model, Provider, CONFIG, ELIGIBLE_PROVIDERS, MODELS, OPEN_SLOTS, PRICE,
    PROVIDERS, PROVIDER_JOBS, SELECTION_COUNT, TOTALS,
};

/// Configuration.
pub fn config(deps: Deps) -> StdResult<ConfigResponse> {
    let c = CONFIG.load(deps.storage)?;
    Ok(ConfigResponse {
        token: c.token,
        staking: c.staking,
        treasury: c.treasury,
        params: c.params,
        stable: c.stable.map(|s| acn_interface::market::StablePayments {
            denom: s.denom,
            oracle: s.oracle.into_string(),
        }),
    })
}

fn model_response(m: Model) -> ModelResponse {
    ModelResponse {
        spec: m.spec,
        active: m.active,
    }
}

/// One model.
pub fn model(deps: Deps, id: String) -> Result<ModelResponse, ContractError> {
    let m = MODELS
        .may_load(deps.storage, &id)?
        .ok_or(ContractError::ModelNotFound { id })?;
    Ok(model_response(m))
}

/// Models by id.
pub fn models(
    deps: Deps,
    start_after: Option<String>,
    limit: Option<u32>,
) -> StdResult<ModelsResponse> {
    let start = start_after.as_deref().map(Bound::exclusive);
    let models = MODELS
        .range(deps.storage, start, None, Order::Ascending)
        .take(page_limit(limit))
        .map(|r| r.map(|(_, m)| model_response(m)))
        .collect::<StdResult<_>>()?;
    Ok(ModelsResponse { models })
}

fn provider_response(address: Addr, p: Provider) -> ProviderResponse {
    ProviderResponse {
        address,
        hardware: p.hardware,
        models: p.models,
        min_unit_price: p.min_unit_price,
        active: p.active,
        active_jobs: p.active_jobs,
        locked: p.locked,
        reputation: p.reputation,
        weight: p.weight,
    }
}

/// One provider.
pub fn provider(deps: Deps, address: String) -> Result<ProviderResponse, ContractError> {
    let addr = deps.api.addr_validate(&address)?;
    let p = PROVIDERS
        .may_load(deps.storage, &addr)?
        .ok_or(ContractError::ProviderNotFound { address })?;
    Ok(provider_response(addr, p))
}

/// A provider's stake at risk in unfinished slots (zero for an address that is no provider).
pub fn exposure(deps: Deps, env: Env, provider: String) -> Result<ExposureResponse, ContractError> {
    let addr = deps.api.addr_validate(&provider)?;
    let p = PROVIDERS.may_load(deps.storage, &addr)?;
    Ok(ExposureResponse {
        locked: p.as_ref().map(|p| p.locked).unwrap_or_default(),
        unfinished_jobs: p.as_ref().map_or(0, |p| p.active_jobs),
        jailed_until: p
            .and_then(|p| p.reputation.jailed_until)
            .filter(|until| env.block.time < *until),
        provider: addr,
    })
}

/// Providers by address.
pub fn providers(
    deps: Deps,
    start_after: Option<String>,
    limit: Option<u32>,
) -> StdResult<ProvidersResponse> {
    let start_addr = maybe_addr(deps.api, start_after)?;
    let start = start_addr.as_ref().map(Bound::exclusive);
    let providers = PROVIDERS
        .range(deps.storage, start, None, Order::Ascending)
        .take(page_limit(limit))
        .map(|r| r.map(|(a, p)| provider_response(a, p)))
        .collect::<StdResult<_>>()?;
    Ok(ProvidersResponse { providers })
}

/// One job.
pub fn job(deps: Deps, id: u64) -> Result<JobResponse, ContractError> {
    Ok(with_input(deps.storage, load_job(deps.storage, id)?)?)
}

/// Jobs by status, buyer or provider.
pub fn jobs_by(
    deps: Deps,
    filter: JobFilter,
    start_after: Option<u64>,
    limit: Option<u32>,
) -> StdResult<JobsResponse> {
    let start = start_after.map(Bound::exclusive);
    let take = page_limit(limit);
    let jobs_list = match filter {
        JobFilter::Status { status } => jobs()
            .idx
            .status
            .prefix(status.code())
            .range(deps.storage, start, None, Order::Ascending)
            .take(take)
            .map(|r| r.map(|(_, j)| j))
            .collect::<StdResult<Vec<_>>>()?,
        JobFilter::Buyer { address } => {
            let buyer = deps.api.addr_validate(&address)?;
            jobs()
                .idx
                .buyer
                .prefix(buyer)
                .range(deps.storage, start, None, Order::Ascending)
                .take(take)
                .map(|r| r.map(|(_, j)| j))
                .collect::<StdResult<Vec<_>>>()?
        }
        JobFilter::Provider { address } => {
            let provider = deps.api.addr_validate(&address)?;
            PROVIDER_JOBS
                .prefix(&provider)
                .keys(deps.storage, start, None, Order::Ascending)
                .take(take)
                .map(|k| k.and_then(|id| jobs().load(deps.storage, id)))
                .collect::<StdResult<Vec<_>>>()?
        }
    };
    let jobs_list = jobs_list
        .into_iter()
        .map(|j| with_input(deps.storage, j))
        .collect::<StdResult<Vec<_>>>()?;
    Ok(JobsResponse { jobs: jobs_list })
}

/// Open jobs in which `provider` holds a slot it has not committed, commit window open.
pub fn assigned_jobs(
    deps: Deps,
    env: Env,
    provider: String,
    start_after: Option<u64>,
    limit: Option<u32>,
) -> StdResult<JobsResponse> {
    let provider = deps.api.addr_validate(&provider)?;
    let start = start_after.map(Bound::exclusive);
    let jobs_list = OPEN_SLOTS
        .prefix(&provider)
        .keys(deps.storage, start, None, Order::Ascending)
        .map(|k| k.and_then(|id| jobs().load(deps.storage, id)))
        .filter(|r| match r {
            Ok(j) => j.status == JobStatus::Open && env.block.time < j.commit_deadline,
            Err(_) => true,
        })
        .take(page_limit(limit))
        .map(|r| r.and_then(|j| with_input(deps.storage, j)))
        .collect::<StdResult<Vec<_>>>()?;
    Ok(JobsResponse { jobs: jobs_list })
}

/// A model's selection tree: total weight, indexes used, and the eligible provider count.
pub fn selection(deps: Deps, model_id: String) -> Result<SelectionResponse, ContractError> {
    Ok(SelectionResponse {
        total_weight: crate::selection::total_weight(deps.storage, &model_id)?,
        indexes: SELECTION_COUNT
            .may_load(deps.storage, &model_id)?
            .unwrap_or_default(),
        eligible_providers: ELIGIBLE_PROVIDERS
            .may_load(deps.storage)?
            .unwrap_or_default(),
    })
}

/// The unit price a submission pays now.
pub fn unit_price(deps: Deps, env: Env) -> StdResult<UnitPriceResponse> {
    let config = CONFIG.load(deps.storage)?;
    let eligible = ELIGIBLE_PROVIDERS
        .may_load(deps.storage)?
        .unwrap_or_default();
    let state = roll(
        PRICE.load(deps.storage)?,
        &config.params,
        eligible,
        env.block.time,
    );
    Ok(UnitPriceResponse {
        unit_price: state.unit_price,
        window_units: state.window_units,
        capacity_units: capacity(&config.params.pricing, eligible),
        window_start: state.window_start,
    })
}

/// A price quote.
pub fn quote(
    deps: Deps,
    env: Env,
    model_id: String,
    batch: u32,
    redundancy: u8,
    buyer: Option<String>,
    input: Option<cosmwasm_std::Binary>,
) -> Result<QuoteResponse, ContractError> {
    let spec = MODELS
        .may_load(deps.storage, &model_id)?
        .ok_or(ContractError::ModelNotFound { id: model_id })?
        .spec;
    let unit_price = unit_price(deps, env)?.unit_price;
    let discount = match maybe_addr(deps.api, buyer)? {
        Some(buyer) => discount_bps(deps, &buyer)?,
        None => 0,
    };
    let units = match (spec.input.dtype, input) {
        (acn_interface::market::DType::Training, None) => {
            return Err(ContractError::InvalidInput {
                reason: format!(
                    "input: {} trains, its price depends on the request: pass the job's input",
                    spec.id
                ),
            })
        }
        (_, input) => spec.job_units(input.as_deref().unwrap_or_default(), batch)?,
    };
    let q = price_job(units, redundancy, unit_price, discount)?;
    let config = CONFIG.load(deps.storage)?;
    let (mut price_acn, mut acn_price, mut acn_price_error) = (None, None, None);
    if let Some(stable) = &config.stable {
        match crate::payment::twap(&deps.querier, stable)
            .and_then(|p| Ok((p, crate::payment::acn_for(q.price, p)?)))
        {
            Ok((p, acn)) => {
                acn_price = Some(p);
                price_acn = Some(acn);
            }
            Err(e) => acn_price_error = Some(e.to_string()),
        }
    }
    Ok(QuoteResponse {
        gross: q.gross,
        discount: q.discount,
        price: q.price,
        unit_price,
        units: q.units,
        denom: config.stable.map(|s| s.denom),
        price_acn,
        acn_price,
        acn_price_error,
    })
}

/// Lifetime totals.
pub fn totals(deps: Deps) -> StdResult<TotalsResponse> {
    TOTALS.load(deps.storage)
}

//! Provider registry.

use cosmwasm_std::{DepsMut, MessageInfo, Response, Uint128};

use acn_interface::market::Hardware;

use crate::error::ContractError;
use crate::helpers::stake_of;
use crate::selection::{set_weight, target_weight};
use crate::state::{Provider, CONFIG, MODELS, PROVIDERS};
use crate::validation::validate_hardware;

/// Most models one provider may declare.
pub const MAX_MODELS_PER_PROVIDER: usize = 32;

/// Fail unless `models` names 1..=`MAX_MODELS_PER_PROVIDER` registered models.
fn check_models(deps: &DepsMut, models: &[String]) -> Result<(), ContractError> {
    if models.is_empty() || models.len() > MAX_MODELS_PER_PROVIDER {
        return Err(ContractError::InvalidModels {
            reason: format!(
                "models must list 1..={MAX_MODELS_PER_PROVIDER} model ids, got {}",
                models.len()
            ),
        });
    }
    for id in models {
        if !MODELS.has(deps.storage, id) {
            return Err(ContractError::ModelNotFound { id: id.clone() });
        }
    }
    Ok(())
}

/// Fail unless `addr` has at least `min_provider_stake` bonded; returns the bonded stake.
pub fn assert_stake(deps: &DepsMut, addr: &cosmwasm_std::Addr) -> Result<Uint128, ContractError> {
    let config = CONFIG.load(deps.storage)?;
    let bonded = stake_of(&deps.querier, &config.staking, addr)?.bonded;
    if bonded < config.params.min_provider_stake {
        return Err(ContractError::InsufficientStake {
            required: config.params.min_provider_stake,
            bonded,
        });
    }
    Ok(bonded)
}

/// Register the sender (or re-activate it, keeping its reputation).
pub fn register(
    deps: DepsMut,
    info: MessageInfo,
    hardware: Hardware,
    models: Vec<String>,
    min_unit_price: Uint128,
) -> Result<Response, ContractError> {
    validate_hardware(&hardware)?;
    check_models(&deps, &models)?;
    let bonded = assert_stake(&deps, &info.sender)?;
    let existing = PROVIDERS.may_load(deps.storage, &info.sender)?;
    if existing.as_ref().is_some_and(|p| p.active) {
        return Err(ContractError::ProviderExists {
            address: info.sender.to_string(),
        });
    }
    // A returning provider keeps its reputation: leaving never wipes a bad record.
    let (reputation, active_jobs, locked) = existing
        .map(|p| (p.reputation, p.active_jobs, p.locked))
        .unwrap_or_default();
    // A deregistered provider's weight is 0, so its old leaves need no removal.
    let mut provider = Provider {
        hardware: hardware.clone(),
        models,
        min_unit_price,
        active: true,
        active_jobs,
        locked,
        reputation,
        weight: Uint128::zero(),
    };
    set_weight(deps.storage, &info.sender, &mut provider, &[], bonded)?;
    Ok(Response::new()
        .add_attribute("action", "register_provider")
        .add_attribute("provider", info.sender)
        .add_attribute("backend", hardware.backend)
        .add_attribute("device", hardware.device))
}

/// Change the sender's declared hardware, models or price.
pub fn update(
    deps: DepsMut,
    info: MessageInfo,
    hardware: Option<Hardware>,
    models: Option<Vec<String>>,
    min_unit_price: Option<Uint128>,
) -> Result<Response, ContractError> {
    let mut provider = PROVIDERS
        .may_load(deps.storage, &info.sender)?
        .ok_or_else(|| ContractError::ProviderNotFound {
            address: info.sender.to_string(),
        })?;
    if let Some(h) = hardware {
        validate_hardware(&h)?;
        provider.hardware = h;
    }
    let old_models = provider.models.clone();
    if let Some(m) = models {
        check_models(&deps, &m)?;
        provider.models = m;
    }
    if let Some(p) = min_unit_price {
        provider.min_unit_price = p;
    }
    // Move the leaves to the new model list, at the stake bonded now.
    let config = CONFIG.load(deps.storage)?;
    let bonded = stake_of(&deps.querier, &config.staking, &info.sender)?.bonded;
    let weight = target_weight(&config.params, &provider, bonded);
    set_weight(
        deps.storage,
        &info.sender,
        &mut provider,
        &old_models,
        weight,
    )?;
    Ok(Response::new()
        .add_attribute("action", "update_provider")
        .add_attribute("provider", info.sender))
}

/// Leave the market (no unfinished jobs allowed). The record and reputation stay.
pub fn deregister(deps: DepsMut, info: MessageInfo) -> Result<Response, ContractError> {
    let mut provider = PROVIDERS
        .may_load(deps.storage, &info.sender)?
        .ok_or_else(|| ContractError::ProviderNotFound {
            address: info.sender.to_string(),
        })?;
    if !provider.active {
        return Err(ContractError::ProviderInactive {
            address: info.sender.to_string(),
        });
    }
    if provider.active_jobs > 0 {
        return Err(ContractError::ProviderHasActiveJobs {
            count: provider.active_jobs,
        });
    }
    provider.active = false;
    let models = provider.models.clone();
    set_weight(
        deps.storage,
        &info.sender,
        &mut provider,
        &models,
        Uint128::zero(),
    )?;
    Ok(Response::new()
        .add_attribute("action", "deregister_provider")
        .add_attribute("provider", info.sender))
}

/// `RefreshProvider`: anyone; set a provider's selection weight to its bonded stake now (0 if
/// below the minimum or inactive).
pub fn refresh(deps: DepsMut, address: String) -> Result<Response, ContractError> {
    let addr = deps.api.addr_validate(&address)?;
    let mut provider = PROVIDERS
        .may_load(deps.storage, &addr)?
        .ok_or(ContractError::ProviderNotFound { address })?;
    let config = CONFIG.load(deps.storage)?;
    let bonded = stake_of(&deps.querier, &config.staking, &addr)?.bonded;
    let weight = target_weight(&config.params, &provider, bonded);
    let models = provider.models.clone();
    set_weight(deps.storage, &addr, &mut provider, &models, weight)?;
    Ok(Response::new()
        .add_attribute("action", "refresh_provider")
        .add_attribute("provider", addr)
        .add_attribute("weight", weight))
}

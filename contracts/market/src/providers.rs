//! Provider registry.

use cosmwasm_std::{DepsMut, MessageInfo, Response, Uint128};

use acn_interface::market::Hardware;

use crate::error::ContractError;
use crate::helpers::stake_of;
use crate::state::{Provider, ACTIVE_PROVIDERS, CONFIG, MODELS, PROVIDERS};
use crate::validation::validate_hardware;

/// Most models one provider may declare.
pub const MAX_MODELS_PER_PROVIDER: usize = 32;

fn check_models(deps: &DepsMut, models: &[String]) -> Result<(), ContractError> {
    if models.is_empty() || models.len() > MAX_MODELS_PER_PROVIDER {
        return Err(ContractError::InvalidHardware {
            reason: format!("declare 1..={MAX_MODELS_PER_PROVIDER} models"),
        });
    }
    for id in models {
        if !MODELS.has(deps.storage, id) {
            return Err(ContractError::ModelNotFound { id: id.clone() });
        }
    }
    Ok(())
}

/// Fail unless `addr` has at least `min_provider_stake` bonded.
pub fn assert_stake(deps: &DepsMut, addr: &cosmwasm_std::Addr) -> Result<(), ContractError> {
    let config = CONFIG.load(deps.storage)?;
    let bonded = stake_of(&deps.querier, &config.staking, addr)?.bonded;
    if bonded < config.params.min_provider_stake {
        return Err(ContractError::InsufficientStake {
            required: config.params.min_provider_stake,
            bonded,
        });
    }
    Ok(())
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
    assert_stake(&deps, &info.sender)?;
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
    PROVIDERS.save(
        deps.storage,
        &info.sender,
        &Provider {
            hardware: hardware.clone(),
            models,
            min_unit_price,
            active: true,
            active_jobs,
            locked,
            reputation,
        },
    )?;
    ACTIVE_PROVIDERS.update(deps.storage, |n| -> Result<u64, ContractError> {
        Ok(n.checked_add(1)
            .ok_or_else(|| cosmwasm_std::StdError::generic_err("provider count overflow"))?)
    })?;
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
    if let Some(m) = models {
        check_models(&deps, &m)?;
        provider.models = m;
    }
    if let Some(p) = min_unit_price {
        provider.min_unit_price = p;
    }
    PROVIDERS.save(deps.storage, &info.sender, &provider)?;
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
    PROVIDERS.save(deps.storage, &info.sender, &provider)?;
    ACTIVE_PROVIDERS.update(deps.storage, |n| -> Result<u64, ContractError> {
        Ok(n.saturating_sub(1))
    })?;
    Ok(Response::new()
        .add_attribute("action", "deregister_provider")
        .add_attribute("provider", info.sender))
}

//! Model registry (owner only).

use cosmwasm_std::{DepsMut, MessageInfo, Response};

use acn_interface::market::ModelSpec;

use crate::error::ContractError;
use crate::state::{Model, CONFIG, MODELS};
use crate::validation::validate_model;

/// Register a new model.
pub fn register(
    deps: DepsMut,
    info: MessageInfo,
    spec: ModelSpec,
) -> Result<Response, ContractError> {
    cw_ownable::assert_owner(deps.storage, &info.sender)?;
    let config = CONFIG.load(deps.storage)?;
    validate_model(&spec, &config.params)?;
    if MODELS.has(deps.storage, &spec.id) {
        return Err(ContractError::ModelExists { id: spec.id });
    }
    MODELS.save(
        deps.storage,
        &spec.id,
        &Model {
            spec: spec.clone(),
            active: true,
        },
    )?;
    Ok(Response::new()
        .add_attribute("action", "register_model")
        .add_attribute("model_id", spec.id)
        .add_attribute("weights_sha256", spec.weights_sha256))
}

/// Replace a model's spec (same id), keeping its active flag.
pub fn update(
    deps: DepsMut,
    info: MessageInfo,
    spec: ModelSpec,
) -> Result<Response, ContractError> {
    cw_ownable::assert_owner(deps.storage, &info.sender)?;
    let config = CONFIG.load(deps.storage)?;
    validate_model(&spec, &config.params)?;
    let mut model =
        MODELS
            .may_load(deps.storage, &spec.id)?
            .ok_or_else(|| ContractError::ModelNotFound {
                id: spec.id.clone(),
            })?;
    model.spec = spec.clone();
    MODELS.save(deps.storage, &spec.id, &model)?;
    Ok(Response::new()
        .add_attribute("action", "update_model")
        .add_attribute("model_id", spec.id)
        .add_attribute("weights_sha256", spec.weights_sha256))
}

/// Turn job intake for a model on or off.
pub fn set_active(
    deps: DepsMut,
    info: MessageInfo,
    id: String,
    active: bool,
) -> Result<Response, ContractError> {
    cw_ownable::assert_owner(deps.storage, &info.sender)?;
    let mut model = MODELS
        .may_load(deps.storage, &id)?
        .ok_or_else(|| ContractError::ModelNotFound { id: id.clone() })?;
    model.active = active;
    MODELS.save(deps.storage, &id, &model)?;
    Ok(Response::new()
        .add_attribute(
            "action",
            if active {
                "activate_model"
            } else {
                "deactivate_model"
            },
        )
        .add_attribute("model_id", id))
}

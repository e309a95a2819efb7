//! Model registry (owner only).

use cosmwasm_std::{DepsMut, MessageInfo, Response};

use acn_interface::market::{ModelSpec, OutputSpec};

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

/// Whether outputs valid under `old` decode identically under `new` (class names may differ).
fn same_output(old: &OutputSpec, new: &OutputSpec) -> bool {
    match (old, new) {
        (
            OutputSpec::ClassLabels { num_classes: a, .. },
            OutputSpec::ClassLabels { num_classes: b, .. },
        ) => a == b,
        (a @ OutputSpec::FixedPoint { .. }, b @ OutputSpec::FixedPoint { .. }) => a == b,
        (OutputSpec::Trained { metrics: a, .. }, OutputSpec::Trained { metrics: b, .. }) => {
            a.len() == b.len()
        }
        _ => false,
    }
}

/// Replace a model's spec (same id), keeping its active flag.
///
/// The output spec may not change (except class names): outputs committed and revealed for jobs
/// in flight are decoded with the current spec at settlement, so a change would make them
/// undecodable and strand those jobs' escrow.
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
    if !same_output(&model.spec.output, &spec.output) {
        return Err(ContractError::InvalidModel {
            reason: "the output spec cannot change (outputs of jobs in flight are decoded with \
                     it); register a new model id instead"
                .into(),
        });
    }
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

//! Guard rails: parameters, model specs, hardware, inputs and outputs.

use cosmwasm_std::Uint128;

use acn_interface::market::{
    DType, Hardware, MarketParams, ModelSpec, OutputSpec, SpecError, MAX_CALLBACK_GAS_LIMIT,
    MAX_PROTOCOL_FEE_BPS,
};

use acn_interface::BPS_DENOMINATOR;

use crate::error::ContractError;

/// Largest redundancy the contract can ever be configured for.
pub const REDUNDANCY_LIMIT: u8 = 15;
/// Largest input a job may ever carry (the parameter may only be lower).
pub const INPUT_BYTES_LIMIT: u32 = 256 * 1024;
/// Largest discount a tier may give.
pub const MAX_DISCOUNT_BPS: u16 = 5_000;
/// Largest price move per window.
pub const MAX_PRICE_CHANGE_BPS: u16 = 5_000;
/// Longest text field (names, URIs, labels).
pub const MAX_TEXT_LEN: usize = 256;
/// Most metrics a training model reports.
pub const MAX_TRAINED_METRICS: usize = 8;

fn params_err(reason: impl Into<String>) -> ContractError {
    ContractError::InvalidParams {
        reason: reason.into(),
    }
}

/// Check market parameters against the guard rails.
pub fn validate_params(p: &MarketParams) -> Result<(), ContractError> {
    if p.protocol_fee_bps > MAX_PROTOCOL_FEE_BPS {
        return Err(params_err(format!(
            "protocol fee {} bps exceeds the maximum {MAX_PROTOCOL_FEE_BPS} bps",
            p.protocol_fee_bps
        )));
    }
    if p.commit_window == 0 || p.reveal_window == 0 {
        return Err(params_err("commit and reveal windows must be positive"));
    }
    let windows = p.commit_window.saturating_add(p.reveal_window);
    if p.max_job_lifetime < windows {
        return Err(params_err(format!(
            "max job lifetime {} s is shorter than commit + reveal windows {windows} s",
            p.max_job_lifetime
        )));
    }
    if p.max_input_bytes == 0 || p.max_input_bytes > INPUT_BYTES_LIMIT {
        return Err(params_err(format!(
            "max input bytes must be within 1..={INPUT_BYTES_LIMIT}"
        )));
    }
    if p.max_redundancy == 0 || p.max_redundancy > REDUNDANCY_LIMIT {
        return Err(params_err(format!(
            "max redundancy must be within 1..={REDUNDANCY_LIMIT}"
        )));
    }
    if p.audit_bps == 0 || p.audit_bps > 10_000 {
        return Err(params_err("audit bps must be within 1..=10000"));
    }
    if p.max_callback_gas > MAX_CALLBACK_GAS_LIMIT {
        return Err(params_err(format!(
            "max callback gas {} exceeds the limit {MAX_CALLBACK_GAS_LIMIT}",
            p.max_callback_gas
        )));
    }
    if p.max_active_jobs_per_provider == 0 {
        return Err(params_err("max active jobs per provider must be positive"));
    }
    check_slashing(p)?;
    let mut last: Option<Uint128> = None;
    for tier in &p.discount_tiers {
        if tier.discount_bps > MAX_DISCOUNT_BPS {
            return Err(params_err(format!(
                "discount {} bps exceeds {MAX_DISCOUNT_BPS} bps",
                tier.discount_bps
            )));
        }
        if last.is_some_and(|l| tier.min_stake <= l) {
            return Err(params_err(
                "discount tiers must be sorted by strictly increasing min_stake",
            ));
        }
        last = Some(tier.min_stake);
    }
    let pr = &p.pricing;
    if pr.window == 0 || pr.units_per_provider == 0 {
        return Err(params_err(
            "price window and units per provider must be positive",
        ));
    }
    if pr.max_change_bps == 0 || pr.max_change_bps > MAX_PRICE_CHANGE_BPS {
        return Err(params_err(format!(
            "max price change must be within 1..={MAX_PRICE_CHANGE_BPS} bps"
        )));
    }
    if pr.floor.is_zero() || pr.floor > pr.ceiling {
        return Err(params_err(
            "price floor must be positive and at most the ceiling",
        ));
    }
    Ok(())
}

/// Stake at risk, slashes, jail and disputes.
fn check_slashing(p: &MarketParams) -> Result<(), ContractError> {
    let full = BPS_DENOMINATOR;
    if p.wrong_result_slash_bps == 0 || p.wrong_result_slash_bps > full {
        return Err(params_err(format!(
            "wrong result slash {} bps must be within 1..={full}",
            p.wrong_result_slash_bps
        )));
    }
    if p.no_show_slash_bps < p.wrong_result_slash_bps || p.no_show_slash_bps > full {
        return Err(params_err(format!(
            "no-show slash {} bps must be within the wrong result slash {} bps..={full}: \
             withholding a losing result must cost at least revealing it",
            p.no_show_slash_bps, p.wrong_result_slash_bps
        )));
    }
    if p.min_slot_stake.is_zero() {
        return Err(params_err("min slot stake must be positive"));
    }
    if p.jail_after_offences == 0 {
        return Err(params_err("jail after offences must be positive"));
    }
    if p.dispute_timeout == 0 {
        return Err(params_err("dispute timeout must be positive"));
    }
    Ok(())
}

fn model_err(reason: impl Into<String>) -> ContractError {
    ContractError::InvalidModel {
        reason: reason.into(),
    }
}

fn check_text(field: &str, value: &str, allow_empty: bool) -> Result<(), ContractError> {
    if (!allow_empty && value.is_empty()) || value.len() > MAX_TEXT_LEN {
        return Err(model_err(format!(
            "{field} must be {}..={MAX_TEXT_LEN} bytes",
            if allow_empty { 0 } else { 1 }
        )));
    }
    Ok(())
}

fn check_shape(field: &str, shape: &[u32]) -> Result<u64, ContractError> {
    if shape.is_empty() || shape.len() > 8 || shape.contains(&0) {
        return Err(model_err(format!(
            "{field} must have 1–8 dimensions, none zero"
        )));
    }
    shape
        .iter()
        .try_fold(1u64, |acc, d| acc.checked_mul(*d as u64))
        .filter(|n| *n <= INPUT_BYTES_LIMIT as u64)
        .ok_or_else(|| model_err(format!("{field} has too many elements")))
}

/// Check a model spec.
pub fn validate_model(m: &ModelSpec, params: &MarketParams) -> Result<(), ContractError> {
    let id_ok = !m.id.is_empty()
        && m.id.len() <= 64
        && m.id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b));
    if !id_ok {
        return Err(model_err("id must be 1–64 chars of [a-z0-9._-]"));
    }
    check_text("name", &m.name, false)?;
    check_text("architecture", &m.architecture, false)?;
    check_text("weights_uri", &m.weights_uri, false)?;
    let hash_ok = m.weights_sha256.len() == 64
        && m.weights_sha256
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    if !hash_ok {
        return Err(model_err("weights_sha256 must be 64 lowercase hex chars"));
    }
    check_shape("input shape", &m.input.shape)?;
    if m.input.dtype == DType::Utf8 && m.input.text_limits().is_none() {
        return Err(model_err(
            "a text input's shape must be [max_bytes, max_tokens]",
        ));
    }
    if m.input.max_batch == 0 {
        return Err(model_err("max_batch must be positive"));
    }
    let trains = m.input.dtype == DType::Training;
    if trains != matches!(m.output, OutputSpec::Trained { .. }) {
        return Err(model_err(
            "a training input and a trained output go together (input dtype training, output trained)",
        ));
    }
    if trains && (m.input.shape.len() != 1 || m.input.max_batch != 1) {
        return Err(model_err(
            "a training model's input shape must be [item_bytes] and its max_batch 1",
        ));
    }
    match &m.output {
        OutputSpec::ClassLabels {
            num_classes,
            labels,
        } => {
            if *num_classes < 2 {
                return Err(model_err("a classifier needs at least 2 classes"));
            }
            if !labels.is_empty() && labels.len() != *num_classes as usize {
                return Err(model_err("labels must be empty or one per class"));
            }
            for l in labels {
                check_text("label", l, false)?;
            }
            if m.tolerance != 0 {
                return Err(model_err(
                    "class labels must agree exactly: tolerance must be 0",
                ));
            }
        }
        OutputSpec::FixedPoint { shape, scale } => {
            check_shape("output shape", shape)?;
            if *scale == 0 {
                return Err(model_err("fixed-point scale must be positive"));
            }
        }
        OutputSpec::Trained { metrics, scale } => {
            if metrics.is_empty() || metrics.len() > MAX_TRAINED_METRICS {
                return Err(model_err(format!(
                    "a trained output needs 1..={MAX_TRAINED_METRICS} metrics"
                )));
            }
            for name in metrics {
                check_text("metric", name, false)?;
            }
            if *scale == 0 {
                return Err(model_err("fixed-point scale must be positive"));
            }
            if m.tolerance != 0 {
                return Err(model_err(
                    "trained weights must agree exactly: tolerance must be 0",
                ));
            }
        }
    }
    if m.cost_units_per_item == 0 {
        return Err(model_err("cost_units_per_item must be positive"));
    }
    if m.min_redundancy == 0 || m.min_redundancy > params.max_redundancy {
        return Err(model_err(format!(
            "min_redundancy must be within 1..={}",
            params.max_redundancy
        )));
    }
    Ok(())
}

/// Check declared hardware.
pub fn validate_hardware(h: &Hardware) -> Result<(), ContractError> {
    let bad = |f: &str| ContractError::InvalidHardware {
        reason: format!("{f} must be 1..=64 bytes"),
    };
    if h.backend.is_empty() || h.backend.len() > 64 {
        return Err(bad("backend"));
    }
    if h.device.is_empty() || h.device.len() > 64 {
        return Err(bad("device"));
    }
    if let Some(endpoint) = &h.endpoint {
        let scheme_ok = endpoint.starts_with("http://") || endpoint.starts_with("https://");
        if !scheme_ok
            || endpoint.len() > MAX_TEXT_LEN
            || endpoint
                .chars()
                .any(|c| c.is_whitespace() || c.is_control())
        {
            return Err(ContractError::InvalidHardware {
                reason: format!(
                    "endpoint must be an http:// or https:// URL of at most {MAX_TEXT_LEN} \
                     bytes without spaces"
                ),
            });
        }
    }
    Ok(())
}

impl From<SpecError> for ContractError {
    fn from(e: SpecError) -> Self {
        match e {
            SpecError::InputTooLarge { size, max } => ContractError::InputTooLarge { size, max },
            SpecError::InvalidBatch { batch, max } => ContractError::InvalidBatch { batch, max },
            SpecError::InputSizeMismatch { expected, actual } => {
                ContractError::InputSizeMismatch { expected, actual }
            }
            SpecError::NonFinite { .. }
            | SpecError::BadText { .. }
            | SpecError::TextTrailingBytes { .. }
            | SpecError::BadTrainingRequest { .. }
            | SpecError::UnitsOverflow => ContractError::InvalidInput {
                reason: e.to_string(),
            },
            SpecError::OutputSizeMismatch { .. } | SpecError::LabelOutOfRange { .. } => {
                ContractError::InvalidOutput {
                    reason: e.to_string(),
                }
            }
        }
    }
}

/// Check a job input against the model's input spec and the size limit.
pub fn validate_input(
    model: &ModelSpec,
    input: &[u8],
    batch: u32,
    max_input_bytes: u32,
) -> Result<(), ContractError> {
    Ok(model.validate_input(input, batch, max_input_bytes)?)
}

/// Decode a canonical output into its words, checking it against the output spec.
pub fn decode_output(
    model: &ModelSpec,
    output: &[u8],
    batch: u32,
) -> Result<Vec<i64>, ContractError> {
    Ok(model.decode_output(output, batch)?)
}

pub use acn_interface::market::outputs_agree as agree;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agreement_respects_tolerance() {
        assert!(agree(&[1, 2, 3], &[1, 2, 3], 0));
        assert!(!agree(&[1, 2, 3], &[1, 2, 4], 0));
        assert!(agree(&[1, 2, 3], &[2, 1, 4], 1));
        assert!(!agree(&[1, 2, 3], &[1, 2], 5));
        assert!(agree(&[i32::MIN as i64], &[i32::MAX as i64], u32::MAX));
    }

    #[test]
    fn default_params_pass_the_guard_rails() {
        validate_params(&MarketParams::default()).unwrap();
    }
}

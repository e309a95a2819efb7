//! Slim views of the market's query responses, for contracts that query the market.
//!
//! The full responses (`market::ConfigResponse`, `market::JobResponse`, …) are `#[cw_serde]`
//! structs with dozens of fields and `deny_unknown_fields`; deserializing one inside a contract
//! compiles into a single function with more locals than wasmd's VM accepts (it refuses a
//! function with more than 100: `acn_moderation.wasm` had one with 105 from
//! `from_json::<ConfigResponse>`). These views name only the fields a consumer reads and ignore
//! the rest, so they also keep working when the market adds a field.

use cosmwasm_std::Uint128;
use serde::Deserialize;

use crate::market::JobStatus;

/// The part of `market::ConfigResponse` a consumer reads.
#[derive(Deserialize, Clone, Debug, PartialEq)]
pub struct MarketConfigView {
    /// The market's parameters (the bounds a job must respect).
    pub params: MarketParamsView,
    /// The stable payment asset, if the market has one.
    #[serde(default)]
    pub stable: Option<StableView>,
}

/// The part of `market::MarketParams` a consumer's job must fit.
#[derive(Deserialize, Clone, Debug, PartialEq)]
pub struct MarketParamsView {
    /// Seconds for claims and commitments after submission.
    pub commit_window: u64,
    /// Seconds for reveals once the reveal phase opens.
    pub reveal_window: u64,
    /// Longest allowed `deadline - now` at submission, in seconds.
    pub max_job_lifetime: u64,
    /// Largest input, in bytes.
    pub max_input_bytes: u32,
    /// Largest redundancy a job may ask for.
    pub max_redundancy: u8,
    /// Largest gas limit a result callback may ask for.
    pub max_callback_gas: u64,
}

/// The part of `market::StablePayments` a consumer reads.
#[derive(Deserialize, Clone, Debug, PartialEq)]
pub struct StableView {
    /// The stable bank denom.
    pub denom: String,
}

/// The part of `market::JobResponse` a buyer settling its accounts reads.
#[derive(Deserialize, Clone, Debug, PartialEq)]
pub struct JobPaymentView {
    /// Job id.
    pub id: u64,
    /// Status.
    pub status: JobStatus,
    /// Price paid (escrow at submission, after discount).
    pub price: Uint128,
    /// Refunded to the buyer.
    pub refunded: Uint128,
    /// The bank denom the job was paid in; absent: paid in ACN.
    #[serde(default)]
    pub pay_denom: Option<String>,
    /// The agreed (or accepted) output, once settled or resolved.
    #[serde(default)]
    pub result: Option<cosmwasm_std::Binary>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::market::{ConfigResponse, MarketParams, StablePayments};
    use cosmwasm_std::{from_json, to_json_vec, Addr};

    #[test]
    fn the_config_view_reads_a_full_config_response() {
        let params = MarketParams::default();
        let full = ConfigResponse {
            token: Addr::unchecked("token"),
            staking: Addr::unchecked("staking"),
            treasury: Addr::unchecked("treasury"),
            params: params.clone(),
            stable: Some(StablePayments {
                denom: "uusdc".into(),
                oracle: "oracle".into(),
            }),
        };
        let view: MarketConfigView = from_json(to_json_vec(&full).unwrap()).unwrap();
        assert_eq!(
            view,
            MarketConfigView {
                params: MarketParamsView {
                    commit_window: params.commit_window,
                    reveal_window: params.reveal_window,
                    max_job_lifetime: params.max_job_lifetime,
                    max_input_bytes: params.max_input_bytes,
                    max_redundancy: params.max_redundancy,
                    max_callback_gas: params.max_callback_gas,
                },
                stable: Some(StableView {
                    denom: "uusdc".into()
                }),
            }
        );
    }
}

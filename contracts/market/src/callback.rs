//! Result callbacks: a buyer contract that asked for one (`SubmitJob { callback }`) is sent
//! [`CallbackMsg::ReceiveResult`] when its job reaches its outcome (settled, expired, resolved).
//!
//! The receiver is always the buyer, and must be a contract (checked at submission). The call is
//! a submessage with reply-on-error and the buyer's gas limit (at most `max_callback_gas`), the
//! last message of the finalizing transaction: when it fails or runs out of gas, only the
//! callback is reverted — the job's payouts, refund, fee and slashes stand — and the reply
//! records the failure in the job ([`CallbackStatus::Failed`]), in
//! `TotalsResponse::callback_failures` and in a `callback_error` attribute. A callback that
//! re-enters the market finds the job already final and saved.

use cosmwasm_std::{wasm_execute, Deps, DepsMut, Response, SubMsg, SubMsgResult};

use acn_interface::market::{
    Callback, CallbackMsg, CallbackStatus, JobCallback, JobResult, JobStatus, MarketParams,
    MAX_CALLBACK_ERROR_LEN,
};

use crate::error::ContractError;
use crate::state::{jobs, Job, TOTALS};

/// Reply id of the `ReceiveResult` submessage (its payload: the job id, big-endian).
pub const CALLBACK_REPLY: u64 = 2;

/// Check a submission's callback request: callbacks enabled, a gas limit within
/// 1..=`max_callback_gas`, and a buyer that is a contract.
pub fn check_request(
    deps: Deps,
    params: &MarketParams,
    buyer: &cosmwasm_std::Addr,
    callback: Option<Callback>,
) -> Result<Option<JobCallback>, ContractError> {
    let Some(callback) = callback else {
        return Ok(None);
    };
    if params.max_callback_gas == 0 {
        return Err(ContractError::CallbacksDisabled {});
    }
    if callback.gas_limit == 0 || callback.gas_limit > params.max_callback_gas {
        return Err(ContractError::InvalidCallbackGas {
            gas_limit: callback.gas_limit,
            max: params.max_callback_gas,
        });
    }
    if deps.querier.query_wasm_contract_info(buyer).is_err() {
        return Err(ContractError::CallbackReceiverNotContract {
            address: buyer.to_string(),
        });
    }
    Ok(Some(JobCallback {
        gas_limit: callback.gas_limit,
        status: CallbackStatus::Pending,
    }))
}

/// The `ReceiveResult` submessage of a job that reached its outcome and asked for a callback
/// (`None` otherwise, and for a `Disputed` job, which waits for its resolution). Marks the
/// callback `Delivered`; a failure's reply turns that into `Failed`. Call before saving the job.
pub fn message(job: &mut Job) -> Result<Option<SubMsg>, ContractError> {
    let Some(callback) = job.callback.as_mut() else {
        return Ok(None);
    };
    if !job.status.is_final()
        || job.status == JobStatus::Disputed
        || callback.status != CallbackStatus::Pending
    {
        return Ok(None);
    }
    callback.status = CallbackStatus::Delivered;
    let msg = wasm_execute(
        &job.buyer,
        &CallbackMsg::ReceiveResult(JobResult {
            job_id: job.id,
            status: job.status,
            output: job.result.clone(),
        }),
        vec![],
    )?;
    Ok(Some(
        SubMsg::reply_on_error(msg, CALLBACK_REPLY)
            .with_gas_limit(callback.gas_limit)
            .with_payload(job.id.to_be_bytes().to_vec()),
    ))
}

/// The reply to a failed `ReceiveResult`: record the failure in the job and the totals. Never
/// fails on a well-formed reply (a failing reply would revert the settlement it follows).
pub fn record_failure(
    deps: DepsMut,
    payload: &[u8],
    result: SubMsgResult,
) -> Result<Response, ContractError> {
    let SubMsgResult::Err(error) = result else {
        return Ok(Response::new().add_attribute("action", "callback_reply"));
    };
    let error = truncate(error, MAX_CALLBACK_ERROR_LEN);
    let job_id = <[u8; 8]>::try_from(payload).map(u64::from_be_bytes).ok();
    let mut res = Response::new().add_attribute("action", "callback_failed");
    if let Some(id) = job_id {
        if let Some(mut job) = jobs().may_load(deps.storage, id)? {
            if let Some(cb) = job.callback.as_mut() {
                cb.status = CallbackStatus::Failed {
                    error: error.clone(),
                };
                jobs().save(deps.storage, id, &job)?;
            }
        }
        res = res.add_attribute("job_id", id.to_string());
    }
    let mut totals = TOTALS.load(deps.storage)?;
    totals.callback_failures = totals.callback_failures.saturating_add(1);
    TOTALS.save(deps.storage, &totals)?;
    Ok(res
        .add_attribute("callback_failures", totals.callback_failures.to_string())
        .add_attribute("callback_error", error))
}

/// `s` cut to at most `max` bytes, at a character boundary.
fn truncate(mut s: String, max: usize) -> String {
    if s.len() > max {
        let mut end = max;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        s.truncate(end);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use cosmwasm_std::{from_json, Addr, CosmosMsg, ReplyOn, Timestamp, Uint128, WasmMsg};

    fn job(status: JobStatus, callback: Option<JobCallback>) -> Job {
        Job {
            id: 7,
            buyer: Addr::unchecked("consumer"),
            model_id: "m".into(),
            input: Default::default(),
            batch: 1,
            redundancy: 1,
            unit_price: Uint128::one(),
            units: 1,
            escrow: Uint128::zero(),
            price: Uint128::one(),
            status,
            created_at: Timestamp::from_seconds(1),
            created_height: 1,
            commit_deadline: Timestamp::from_seconds(2),
            reveal_deadline: None,
            deadline: Timestamp::from_seconds(3),
            slots: vec![],
            disputed_at: None,
            result: Some(vec![3, 0, 0, 0].into()),
            audit: None,
            fee: Uint128::zero(),
            refunded: Uint128::zero(),
            pay_denom: None,
            acn_price: None,
            callback,
        }
    }

    fn pending(gas_limit: u64) -> Option<JobCallback> {
        Some(JobCallback {
            gas_limit,
            status: CallbackStatus::Pending,
        })
    }

    #[test]
    fn the_callback_is_a_reply_on_error_submessage_with_the_buyers_bounded_gas_limit() {
        let mut j = job(JobStatus::Settled, pending(123_456));
        let sub = message(&mut j).unwrap().expect("a callback");
        assert_eq!(sub.reply_on, ReplyOn::Error);
        assert_eq!(sub.id, CALLBACK_REPLY);
        assert_eq!(sub.gas_limit, Some(123_456));
        assert_eq!(sub.payload.as_slice(), 7u64.to_be_bytes());
        let CosmosMsg::Wasm(WasmMsg::Execute {
            contract_addr,
            msg,
            funds,
        }) = sub.msg
        else {
            panic!("not a wasm execute: {:?}", sub.msg);
        };
        assert_eq!(contract_addr, "consumer");
        assert!(funds.is_empty(), "a callback carries no funds");
        let CallbackMsg::ReceiveResult(r) = from_json(&msg).unwrap();
        assert_eq!(
            r,
            JobResult {
                job_id: 7,
                status: JobStatus::Settled,
                output: Some(vec![3, 0, 0, 0].into())
            }
        );
        assert_eq!(
            j.callback.as_ref().unwrap().status,
            CallbackStatus::Delivered
        );
        // Sent once: a second finalization path finds it no longer pending.
        assert!(message(&mut j).unwrap().is_none());
    }

    #[test]
    fn no_callback_while_a_job_is_open_or_disputed_nor_without_a_request() {
        for status in [JobStatus::Open, JobStatus::Revealing, JobStatus::Disputed] {
            let mut j = job(status, pending(1));
            assert!(message(&mut j).unwrap().is_none(), "{status:?}");
            assert_eq!(j.callback.unwrap().status, CallbackStatus::Pending);
        }
        assert!(message(&mut job(JobStatus::Settled, None))
            .unwrap()
            .is_none());
    }

    #[test]
    fn a_long_error_is_cut_at_a_character_boundary() {
        let s = "é".repeat(200); // 400 bytes
        let cut = truncate(s, MAX_CALLBACK_ERROR_LEN);
        assert_eq!(cut.len(), MAX_CALLBACK_ERROR_LEN);
        assert_eq!(truncate("short".into(), 10), "short");
        assert_eq!(truncate("aé".into(), 2), "a");
    }
}

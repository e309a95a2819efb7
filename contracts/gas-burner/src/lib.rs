//! **Test fixture, not part of ACN and never deployed by the deployment routine**: a buyer
//! contract whose result callback burns all the gas it is given. It exists for the wasmd test
//! of the market's bounded callbacks (cw-multi-test does not meter gas, so only a real chain
//! can show that a callback which runs out of gas leaves the settlement standing and is recorded
//! as failed).
//!
//! * `{"forward": {"contract": ADDR, "msg": BASE64}}` executes `msg` on `contract` with the
//!   funds attached (the fixture submits a job, so it is the job's buyer and receives its
//!   callback).
//! * `{"receive_result": {...}}` (the market's `ReceiveResult`) writes to storage in an endless
//!   loop: it ends only when its gas limit is exhausted.
//!
//! Its messages are defined here, not in `acn-interface`, because no ACN component sends them.

use cosmwasm_std::{
    entry_point, Binary, Deps, DepsMut, Env, MessageInfo, Response, StdError, StdResult, WasmMsg,
};
use serde::{Deserialize, Serialize};

/// Instantiate message: nothing to configure.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, schemars::JsonSchema)]
pub struct InstantiateMsg {}

/// Execute messages.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ExecuteMsg {
    /// Execute `msg` on `contract` with the funds attached to this call.
    Forward {
        /// The contract to call (the market).
        contract: String,
        /// The JSON message.
        msg: Binary,
    },
    /// The market's result callback (its content is ignored): burn every unit of gas given.
    ReceiveResult(Ignored),
}

/// Any JSON object (unknown fields are ignored).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, schemars::JsonSchema)]
pub struct Ignored {}

/// Query messages.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum QueryMsg {
    /// How many loop iterations a callback ever committed (always 0: it never finishes).
    Burned {},
}

/// Nothing to set up.
#[cfg_attr(not(feature = "library"), entry_point)]
pub fn instantiate(_: DepsMut, _: Env, _: MessageInfo, _: InstantiateMsg) -> StdResult<Response> {
    Ok(Response::new().add_attribute("action", "instantiate"))
}

/// Forward, or burn.
#[cfg_attr(not(feature = "library"), entry_point)]
pub fn execute(deps: DepsMut, _: Env, info: MessageInfo, msg: ExecuteMsg) -> StdResult<Response> {
    match msg {
        ExecuteMsg::Forward { contract, msg } => Ok(Response::new()
            .add_attribute("action", "forward")
            .add_message(WasmMsg::Execute {
                contract_addr: contract,
                msg,
                funds: info.funds,
            })),
        ExecuteMsg::ReceiveResult(_) => {
            let mut n: u64 = 0;
            loop {
                n = n.wrapping_add(1);
                deps.storage.set(b"burned", &n.to_le_bytes());
                if n == u64::MAX {
                    return Err(StdError::generic_err("the loop ended"));
                }
            }
        }
    }
}

/// The counter (never written by a finished callback).
#[cfg_attr(not(feature = "library"), entry_point)]
pub fn query(deps: Deps, _: Env, msg: QueryMsg) -> StdResult<Binary> {
    match msg {
        QueryMsg::Burned {} => {
            let n = deps
                .storage
                .get(b"burned")
                .map(|b| u64::from_le_bytes(b.try_into().unwrap_or_default()))
                .unwrap_or_default();
            cosmwasm_std::to_json_binary(&n)
        }
    }
}

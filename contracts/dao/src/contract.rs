//! Entry points: cw3-flex-multisig's engine behind `acn-dao`'s timing rules
//! ([`crate::governor`]), this crate's cw2 name, and a migrate.

#[cfg(not(feature = "library"))]
use cosmwasm_std::entry_point;
use cosmwasm_std::{to_json_binary, Binary, Deps, DepsMut, Env, MessageInfo, Response, StdResult};
use cw3_fixed_multisig::state::PROPOSALS;
use cw3_flex_multisig::contract as engine;

use acn_interface::dao::{MultisigExecuteMsg, MultisigQueryMsg, TimelineResponse};

use crate::governor::{self, engine_voting_period};
use crate::msg::{ExecuteMsg, InstantiateMsg, MigrateMsg, QueryMsg};
use crate::state::{load_timeline, may_load_timing, save_timing, TIMING};
use crate::ContractError;

/// cw2 contract name.
pub const CONTRACT_NAME: &str = "crates.io:acn-dao";
/// cw2 contract version.
pub const CONTRACT_VERSION: &str = env!("CARGO_PKG_VERSION");

/// Check and store the timing, then cw3-flex-multisig's instantiate (checks the group,
/// threshold and deposit) with `max_voting_period` = delay + period, then record this crate as
/// the cw2 contract so that only an `acn-dao` code can migrate it.
#[cfg_attr(not(feature = "library"), entry_point)]
pub fn instantiate(
    mut deps: DepsMut,
    env: Env,
    info: MessageInfo,
    msg: InstantiateMsg,
) -> Result<Response, ContractError> {
    save_timing(deps.storage, &msg.timing)?;
    let mut multisig = msg.multisig;
    multisig.max_voting_period = engine_voting_period(&msg.timing);
    let res = engine::instantiate(deps.branch(), env, info, multisig)?;
    cw2::set_contract_version(deps.storage, CONTRACT_NAME, CONTRACT_VERSION)?;
    Ok(res
        .add_attribute("action", "instantiate")
        .add_attribute("voting_delay", msg.timing.voting_delay.to_string())
        .add_attribute("voting_period", msg.timing.voting_period.to_string())
        .add_attribute("timelock", msg.timing.timelock.to_string())
        .add_attribute("execution_window", msg.timing.execution_window.to_string()))
}

/// Propose, vote, execute, close (cw3-flex-multisig behind the timing rules), the group's hook,
/// and `UpdateTiming`.
#[cfg_attr(not(feature = "library"), entry_point)]
pub fn execute(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    msg: ExecuteMsg,
) -> Result<Response, ContractError> {
    match msg {
        ExecuteMsg::Propose {
            title,
            description,
            msgs,
            latest,
        } => governor::propose(deps, env, info, title, description, msgs, latest),
        ExecuteMsg::Vote { proposal_id, vote } => {
            governor::vote(deps, env, info, proposal_id, vote)
        }
        ExecuteMsg::Execute { proposal_id } => governor::execute(deps, env, info, proposal_id),
        ExecuteMsg::Close { proposal_id } => governor::close(deps, env, info, proposal_id),
        ExecuteMsg::MemberChangedHook(hook) => {
            Ok(
                engine::execute(deps, env, info, MultisigExecuteMsg::MemberChangedHook(hook))?
                    .add_attribute("action", "member_changed_hook"),
            )
        }
        ExecuteMsg::UpdateTiming { timing } => governor::update_timing(deps, env, info, timing),
    }
}

/// cw3-flex-multisig's queries, the timing, and a proposal's timeline.
#[cfg_attr(not(feature = "library"), entry_point)]
pub fn query(deps: Deps, env: Env, msg: QueryMsg) -> StdResult<Binary> {
    let engine_msg = match msg {
        QueryMsg::Timing {} => return to_json_binary(&TIMING.load(deps.storage)?),
        QueryMsg::Timeline { proposal_id } => {
            return to_json_binary(&query_timeline(deps, env, proposal_id)?)
        }
        QueryMsg::Threshold {} => MultisigQueryMsg::Threshold {},
        QueryMsg::Proposal { proposal_id } => MultisigQueryMsg::Proposal { proposal_id },
        QueryMsg::ListProposals { start_after, limit } => {
            MultisigQueryMsg::ListProposals { start_after, limit }
        }
        QueryMsg::ReverseProposals {
            start_before,
            limit,
        } => MultisigQueryMsg::ReverseProposals {
            start_before,
            limit,
        },
        QueryMsg::Vote { proposal_id, voter } => MultisigQueryMsg::Vote { proposal_id, voter },
        QueryMsg::ListVotes {
            proposal_id,
            start_after,
            limit,
        } => MultisigQueryMsg::ListVotes {
            proposal_id,
            start_after,
            limit,
        },
        QueryMsg::Voter { address } => MultisigQueryMsg::Voter { address },
        QueryMsg::ListVoters { start_after, limit } => {
            MultisigQueryMsg::ListVoters { start_after, limit }
        }
        QueryMsg::Config {} => MultisigQueryMsg::Config {},
    };
    engine::query(deps, env, engine_msg)
}

/// A proposal's phase now, its snapshot and its times.
fn query_timeline(deps: Deps, env: Env, proposal_id: u64) -> StdResult<TimelineResponse> {
    let prop = PROPOSALS.load(deps.storage, proposal_id)?;
    let timeline = load_timeline(deps.storage, proposal_id)
        .map_err(|e| cosmwasm_std::StdError::generic_err(e.to_string()))?;
    Ok(TimelineResponse {
        proposal_id,
        phase: governor::phase(prop.current_status(&env.block), &timeline, &env.block),
        snapshot_height: prop.start_height,
        total_weight: prop.total_weight,
        times: timeline.times,
    })
}

/// Refuse another contract or a downgrade; record the new cw2 version; store a timing when the
/// migrated DAO has none (`msg.timing`, or the default).
#[cfg_attr(not(feature = "library"), entry_point)]
pub fn migrate(deps: DepsMut, _env: Env, msg: MigrateMsg) -> Result<Response, ContractError> {
    let res = acn_interface::lifecycle::migrate(deps.storage, CONTRACT_NAME, CONTRACT_VERSION)?;
    if may_load_timing(deps.storage)?.is_none() {
        let timing = msg.timing.unwrap_or_default();
        save_timing(deps.storage, &timing)?;
        cw3_flex_multisig::state::CONFIG.update(deps.storage, |mut cfg| -> StdResult<_> {
            cfg.max_voting_period = engine_voting_period(&timing);
            Ok(cfg)
        })?;
    }
    Ok(res)
}

//! The governor around the engine: each handler checks `acn-dao`'s timing, calls
//! cw3-flex-multisig's own handler, and (for `Propose`) patches the stored proposal so that every
//! weight is read at one snapshot.

use cosmwasm_std::{
    Attribute, BlockInfo, CosmosMsg, DepsMut, Env, MessageInfo, QuerierWrapper, Response, StdResult,
};
use cw3::{Ballot, Status, Vote, Votes};
use cw3_fixed_multisig::state::{BALLOTS, PROPOSALS, PROPOSAL_COUNT};
use cw3_flex_multisig::contract as engine;
use cw3_flex_multisig::state::CONFIG;
use cw4::{Cw4Contract, Cw4QueryMsg, TotalWeightResponse};
use cw_utils::{Duration, Expiration};

use acn_interface::dao::{Phase, Timing};

use crate::state::{load_timeline, save_timing, Timeline, TIMELINES, TIMING};
use crate::ContractError;

/// The group's total weight at the start of `height`.
pub fn total_weight_at(
    querier: &QuerierWrapper,
    group: &Cw4Contract,
    height: u64,
) -> StdResult<u64> {
    let res: TotalWeightResponse = querier.query_wasm_smart(
        group.addr(),
        &Cw4QueryMsg::TotalWeight {
            at_height: Some(height),
        },
    )?;
    Ok(res.weight)
}

/// cw3-flex-multisig's `max_voting_period` for a timing: delay + period (informative: `acn-dao`
/// sets every proposal's expiry itself).
pub fn engine_voting_period(timing: &Timing) -> Duration {
    Duration::Time(timing.voting_delay.saturating_add(timing.voting_period))
}

/// `Propose`: refuse a `latest`, let the engine open the proposal (membership, deposit), then
/// rewrite its total weight, the proposer's yes and its expiry from the snapshot at the start
/// height and the timing, and record its timeline.
pub fn propose(
    mut deps: DepsMut,
    env: Env,
    info: MessageInfo,
    title: String,
    description: String,
    msgs: Vec<CosmosMsg>,
    latest: Option<Expiration>,
) -> Result<Response, ContractError> {
    let timing = TIMING.load(deps.storage)?;
    let times = timing.timeline(env.block.time);
    if latest.is_some() {
        return Err(ContractError::LatestNotAllowed {
            voting_ends: times.voting_ends,
        });
    }
    let res = engine::execute_propose(
        deps.branch(),
        env.clone(),
        info.clone(),
        title,
        description,
        msgs,
        None,
    )?;

    let group = CONFIG.load(deps.storage)?.group_addr;
    let height = env.block.height;
    let total_weight = total_weight_at(&deps.querier, &group, height)?;
    if total_weight == 0 {
        return Err(ContractError::NoWeightAtSnapshot { height });
    }
    let proposer_weight = group
        .member_at_height(&deps.querier, info.sender.as_str(), Some(height))?
        .unwrap_or_default();

    let id = PROPOSAL_COUNT.load(deps.storage)?;
    let mut prop = PROPOSALS.load(deps.storage, id)?;
    prop.total_weight = total_weight;
    prop.votes = Votes::yes(proposer_weight);
    prop.expires = Expiration::AtTime(times.voting_ends);
    prop.status = Status::Open;
    prop.update_status(&env.block);
    PROPOSALS.save(deps.storage, id, &prop)?;
    BALLOTS.save(
        deps.storage,
        (id, &info.sender),
        &Ballot {
            weight: proposer_weight,
            vote: Vote::Yes,
        },
    )?;
    TIMELINES.save(
        deps.storage,
        id,
        &Timeline {
            times: times.clone(),
            lapsed: false,
        },
    )?;

    let status = format!("{:?}", prop.status);
    let mut res = res;
    res.attributes
        .iter_mut()
        .filter(|a| a.key == "status")
        .for_each(|a| a.value.clone_from(&status));
    Ok(res.add_attributes([
        Attribute::new("snapshot_height", height.to_string()),
        Attribute::new("total_weight", total_weight.to_string()),
        Attribute::new("proposer_weight", proposer_weight.to_string()),
        Attribute::new("voting_starts", times.voting_starts.seconds().to_string()),
        Attribute::new("voting_ends", times.voting_ends.seconds().to_string()),
        Attribute::new(
            "executable_from",
            times.executable_from.seconds().to_string(),
        ),
        Attribute::new(
            "executable_until",
            times.executable_until.seconds().to_string(),
        ),
    ]))
}

/// `Vote`: refused during the voting delay, then the engine's vote (weight at the start height,
/// refused after voting ends).
pub fn vote(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    proposal_id: u64,
    vote: Vote,
) -> Result<Response, ContractError> {
    if PROPOSALS.has(deps.storage, proposal_id) {
        let timeline = load_timeline(deps.storage, proposal_id)?;
        if env.block.time < timeline.times.voting_starts {
            return Err(ContractError::VotingNotOpen {
                proposal_id,
                opens_at: timeline.times.voting_starts,
            });
        }
    }
    Ok(engine::execute_vote(deps, env, info, proposal_id, vote)?)
}

/// `Execute`: an open or passed proposal is refused before voting end + timelock and a passed
/// one from the end of its execution window; the engine checks the status and runs it.
pub fn execute(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    proposal_id: u64,
) -> Result<Response, ContractError> {
    if let Some(prop) = PROPOSALS.may_load(deps.storage, proposal_id)? {
        let times = load_timeline(deps.storage, proposal_id)?.times;
        let status = prop.current_status(&env.block);
        let now = env.block.time;
        if matches!(status, Status::Open | Status::Passed) && now < times.executable_from {
            return Err(ContractError::ExecutionTooEarly {
                proposal_id,
                ready_at: times.executable_from,
            });
        }
        if status == Status::Passed && now >= times.executable_until {
            return Err(ContractError::ExecutionWindowOver {
                proposal_id,
                expired_at: times.executable_until,
            });
        }
    }
    Ok(engine::execute_execute(deps, env, info, proposal_id)?)
}

/// `Close`: a passed proposal whose execution window is over lapses (stored `Rejected`, phase
/// `Expired`, deposit returned to the proposer); anything else is the engine's close.
pub fn close(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    proposal_id: u64,
) -> Result<Response, ContractError> {
    if let Some(mut prop) = PROPOSALS.may_load(deps.storage, proposal_id)? {
        let mut timeline = load_timeline(deps.storage, proposal_id)?;
        if prop.current_status(&env.block) == Status::Passed
            && env.block.time >= timeline.times.executable_until
        {
            prop.status = Status::Rejected;
            PROPOSALS.save(deps.storage, proposal_id, &prop)?;
            timeline.lapsed = true;
            TIMELINES.save(deps.storage, proposal_id, &timeline)?;
            let mut res = Response::new();
            if let Some(deposit) = prop.deposit {
                res = res.add_message(deposit.get_return_deposit_message(&prop.proposer)?);
            }
            return Ok(res
                .add_attribute("action", "close")
                .add_attribute("sender", info.sender)
                .add_attribute("proposal_id", proposal_id.to_string())
                .add_attribute("reason", "execution_window_over"));
        }
    }
    Ok(engine::execute_close(deps, env, info, proposal_id)?)
}

/// `UpdateTiming`: the DAO itself only; bounded; new proposals only.
pub fn update_timing(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    timing: Timing,
) -> Result<Response, ContractError> {
    if info.sender != env.contract.address {
        return Err(ContractError::NotSelf {});
    }
    save_timing(deps.storage, &timing)?;
    CONFIG.update(deps.storage, |mut cfg| -> StdResult<_> {
        cfg.max_voting_period = engine_voting_period(&timing);
        Ok(cfg)
    })?;
    Ok(Response::new()
        .add_attribute("action", "update_timing")
        .add_attribute("voting_delay", timing.voting_delay.to_string())
        .add_attribute("voting_period", timing.voting_period.to_string())
        .add_attribute("timelock", timing.timelock.to_string())
        .add_attribute("execution_window", timing.execution_window.to_string()))
}

/// A proposal's phase at `block`.
pub fn phase(status: Status, timeline: &Timeline, block: &BlockInfo) -> Phase {
    let now = block.time;
    let times = &timeline.times;
    match status {
        Status::Executed => Phase::Executed,
        _ if timeline.lapsed => Phase::Expired,
        Status::Rejected => Phase::Rejected,
        _ if now < times.voting_starts => Phase::Pending,
        _ if now < times.voting_ends => Phase::Active,
        Status::Passed if now < times.executable_from => Phase::Queued,
        Status::Passed if now < times.executable_until => Phase::Executable,
        Status::Passed => Phase::Expired,
        // After voting ends the engine reports an unpassed proposal as rejected.
        Status::Open | Status::Pending => Phase::Rejected,
    }
}

//! Governance over any [`Chain`]: propose, vote, execute and list DAO proposals, follow a
//! proposal's timeline (voting delay, voting period, timelock, execution window: see
//! [`acn_interface::dao`]) and wait for its phases, and the proposal messages of the seven kinds
//! the DAO is used for. (The deployment hands itself over to the DAO: [`crate::deploy`].)

use cosmwasm_std::{to_json_binary, CosmosMsg, Uint128, WasmMsg};
use serde::Serialize;

use acn_interface::{buyback, dao, market, staking, token, treasury};

use crate::{Chain, ChainError, ChainExt, TxResult};

fn ser_err(e: impl std::fmt::Display) -> ChainError {
    ChainError::Serde(e.to_string())
}

/// A `WasmMsg::Execute` of `msg` on `contract`, as a proposal message.
pub fn wasm_execute<M: Serialize>(contract: &str, msg: &M) -> Result<CosmosMsg, ChainError> {
    cosmwasm_std::wasm_execute(contract, msg, vec![])
        .map(CosmosMsg::from)
        .map_err(ser_err)
}

/// Proposal message: replace the market parameters.
pub fn update_market_params(
    market: &str,
    params: market::MarketParams,
) -> Result<CosmosMsg, ChainError> {
    wasm_execute(market, &market::ExecuteMsg::UpdateParams { params })
}

/// Proposal message: replace the treasury's fee split (burn / stakers / kept / executor).
pub fn update_split(treasury: &str, split: treasury::Split) -> Result<CosmosMsg, ChainError> {
    wasm_execute(
        treasury,
        &treasury::ExecuteMsg::UpdateConfig {
            split: Some(split),
            staking: None,
        },
    )
}

/// Proposal message: the buyback vault's split of the ACN it holds (burn / stakers / treasury /
/// caller), its other parameters kept as `current`.
pub fn update_buyback_split(
    vault: &str,
    current: buyback::BuybackParams,
    split: buyback::BuybackSplit,
) -> Result<CosmosMsg, ChainError> {
    wasm_execute(
        vault,
        &buyback::ExecuteMsg::UpdateConfig {
            params: Some(buyback::BuybackParams { split, ..current }),
            treasury: None,
            staking: None,
        },
    )
}

/// Proposal message: the market's fee recipient (treasury or buyback vault).
pub fn set_fee_recipient(market: &str, recipient: &str) -> Result<CosmosMsg, ChainError> {
    wasm_execute(
        market,
        &market::ExecuteMsg::UpdateConfig {
            fee_recipient: Some(recipient.to_string()),
            oracle: None,
        },
    )
}

/// Proposal message: register a model in the market.
pub fn register_model(market: &str, model: market::ModelSpec) -> Result<CosmosMsg, ChainError> {
    wasm_execute(market, &market::ExecuteMsg::RegisterModel { model })
}

/// Proposal message: pay a grant from the treasury reserve.
pub fn grant(
    treasury: &str,
    recipient: &str,
    amount: u128,
    memo: &str,
) -> Result<CosmosMsg, ChainError> {
    wasm_execute(
        treasury,
        &treasury::ExecuteMsg::Spend {
            recipient: recipient.to_string(),
            amount: Uint128::new(amount),
            memo: memo.to_string(),
        },
    )
}

/// Proposal message: change staking's unbonding period (seconds).
pub fn update_unbonding_period(staking: &str, seconds: u64) -> Result<CosmosMsg, ChainError> {
    wasm_execute(
        staking,
        &staking::ExecuteMsg::UpdateConfig {
            unbonding_period: Some(cw_utils::Duration::Time(seconds)),
            max_claims: None,
            min_bond: None,
            slash_destination: None,
        },
    )
}

/// Proposal message: migrate a contract (the DAO is its wasm admin) to `code_id`; every ACN
/// contract takes an empty `MigrateMsg {}`.
pub fn migrate(contract: &str, code_id: u64) -> Result<CosmosMsg, ChainError> {
    Ok(CosmosMsg::Wasm(WasmMsg::Migrate {
        contract_addr: contract.to_string(),
        new_code_id: code_id,
        msg: to_json_binary(&market::MigrateMsg {}).map_err(ser_err)?,
    }))
}

/// Proposal message: resolve a disputed job.
pub fn resolve_dispute(
    market: &str,
    job_id: u64,
    resolution: market::DisputeResolution,
) -> Result<CosmosMsg, ChainError> {
    wasm_execute(
        market,
        &market::ExecuteMsg::ResolveDispute { job_id, resolution },
    )
}

/// Open a proposal as `account` (approving the DAO for the deposit first when one is
/// configured); returns the proposal id and the `Propose` transaction.
pub fn propose(
    chain: &(impl Chain + ?Sized),
    dao_addr: &str,
    account: &str,
    title: &str,
    description: &str,
    msgs: Vec<CosmosMsg>,
) -> Result<(u64, TxResult), ChainError> {
    let cfg: dao::ConfigResponse = chain.query(dao_addr, &dao::QueryMsg::Config {})?;
    if let Some(deposit) = cfg.proposal_deposit {
        if let cw20::Denom::Cw20(token_addr) = &deposit.denom {
            chain.execute(
                account,
                token_addr.as_str(),
                &token::ExecuteMsg::IncreaseAllowance {
                    spender: dao_addr.to_string(),
                    amount: deposit.amount,
                    expires: None,
                },
            )?;
        }
    }
    let tx = chain.execute(
        account,
        dao_addr,
        &dao::ExecuteMsg::Propose {
            title: title.to_string(),
            description: description.to_string(),
            msgs,
            latest: None,
        },
    )?;
    let id = tx
        .attr("proposal_id")
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| ChainError::Rejected(format!("no proposal_id in tx {}", tx.tx_hash)))?;
    Ok((id, tx))
}

/// Vote on a proposal as `account`.
pub fn vote(
    chain: &(impl Chain + ?Sized),
    dao_addr: &str,
    account: &str,
    proposal_id: u64,
    vote: dao::Vote,
) -> Result<TxResult, ChainError> {
    chain.execute(
        account,
        dao_addr,
        &dao::ExecuteMsg::Vote { proposal_id, vote },
    )
}

/// Execute a passed proposal as `account`.
pub fn execute(
    chain: &(impl Chain + ?Sized),
    dao_addr: &str,
    account: &str,
    proposal_id: u64,
) -> Result<TxResult, ChainError> {
    chain.execute(account, dao_addr, &dao::ExecuteMsg::Execute { proposal_id })
}

/// One proposal.
pub fn proposal(
    chain: &(impl Chain + ?Sized),
    dao_addr: &str,
    proposal_id: u64,
) -> Result<dao::ProposalResponse, ChainError> {
    chain.query(dao_addr, &dao::QueryMsg::Proposal { proposal_id })
}

/// A proposal's phase and times.
pub fn timeline(
    chain: &(impl Chain + ?Sized),
    dao_addr: &str,
    proposal_id: u64,
) -> Result<dao::TimelineResponse, ChainError> {
    chain.query(dao_addr, &dao::QueryMsg::Timeline { proposal_id })
}

/// The DAO's timing for new proposals.
pub fn timing(chain: &(impl Chain + ?Sized), dao_addr: &str) -> Result<dao::Timing, ChainError> {
    chain.query(dao_addr, &dao::QueryMsg::Timing {})
}

/// Let chain time pass until block time reaches `time` (nothing if it already has).
pub fn wait_until(
    chain: &(impl Chain + ?Sized),
    time: cosmwasm_std::Timestamp,
) -> Result<(), ChainError> {
    // Block times are read in whole seconds: a target with a fraction is reached only once a
    // block is a whole second past it (a wasmd block at .5 s is still before a target at .7 s).
    let need = time.seconds() + u64::from(time.subsec_nanos() > 0);
    let now = chain.block()?.time;
    if need > now {
        chain.wait_seconds(need - now)?;
    }
    Ok(())
}

/// Wait until voting on a proposal opens (its voting delay is over).
pub fn wait_for_voting(
    chain: &(impl Chain + ?Sized),
    dao_addr: &str,
    proposal_id: u64,
) -> Result<(), ChainError> {
    wait_until(
        chain,
        timeline(chain, dao_addr, proposal_id)?.times.voting_starts,
    )
}

/// Wait until voting on a proposal has ended.
pub fn wait_for_voting_end(
    chain: &(impl Chain + ?Sized),
    dao_addr: &str,
    proposal_id: u64,
) -> Result<(), ChainError> {
    wait_until(
        chain,
        timeline(chain, dao_addr, proposal_id)?.times.voting_ends,
    )
}

/// Wait until a proposal can execute (voting end + timelock).
pub fn wait_for_execution(
    chain: &(impl Chain + ?Sized),
    dao_addr: &str,
    proposal_id: u64,
) -> Result<(), ChainError> {
    wait_until(
        chain,
        timeline(chain, dao_addr, proposal_id)?
            .times
            .executable_from,
    )
}

/// Up to `limit` proposals, newest first, starting before `start_before` (exclusive).
pub fn list(
    chain: &(impl Chain + ?Sized),
    dao_addr: &str,
    start_before: Option<u64>,
    limit: u32,
) -> Result<Vec<dao::ProposalResponse>, ChainError> {
    let res: dao::ProposalListResponse = chain.query(
        dao_addr,
        &dao::QueryMsg::ReverseProposals {
            start_before,
            limit: Some(limit),
        },
    )?;
    Ok(res.proposals)
}

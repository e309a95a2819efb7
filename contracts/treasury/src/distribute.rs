//! The permissionless `Distribute {}`: splits every pending deposit into burn / stakers / kept /
//! executor.

use acn_interface::bps_of;
use acn_interface::staking::ReceiveMsg as StakingReceiveMsg;
use acn_interface::treasury::Split;
use cosmwasm_std::{
    to_json_binary, CosmosMsg, DepsMut, MessageInfo, OverflowError, OverflowOperation, Response,
    Uint128,
};
use cw20::{Cw20Contract, Cw20ExecuteMsg};

use crate::error::ContractError;
use crate::state::{CONFIG, TOTALS};

/// One distribution's parts; they always add up to exactly the distributed amount.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Parts {
    /// Burned with `Cw20ExecuteMsg::Burn`.
    pub burn: Uint128,
    /// Sent to staking as a reward round.
    pub stakers: Uint128,
    /// Paid to the caller.
    pub executor: Uint128,
    /// Left in the reserve: the whole minus the other three (takes the rounding dust).
    pub kept: Uint128,
}

/// Splits `amount`: burn, stakers and executor are rounded down, `kept` is the remainder.
pub fn split_amount(amount: Uint128, split: &Split) -> Result<Parts, ContractError> {
    let burn = bps_of(amount, split.burn_bps);
    let stakers = bps_of(amount, split.stakers_bps);
    let executor = bps_of(amount, split.executor_bps);
    let kept = amount
        .checked_sub(burn)?
        .checked_sub(stakers)?
        .checked_sub(executor)?;
    Ok(Parts {
        burn,
        stakers,
        executor,
        kept,
    })
}

/// Anyone: distributes everything pending; the caller receives the executor share.
pub fn distribute(deps: DepsMut, info: MessageInfo) -> Result<Response, ContractError> {
    let config = CONFIG.load(deps.storage)?;
    let mut totals = TOTALS.load(deps.storage)?;
    let amount = totals.pending;
    if amount.is_zero() {
        return Err(ContractError::NothingToDistribute);
    }
    let parts = split_amount(amount, &config.split)?;

    let token = Cw20Contract(config.token.clone());
    let mut messages: Vec<CosmosMsg> = Vec::with_capacity(3);
    if !parts.burn.is_zero() {
        messages.push(token.call(Cw20ExecuteMsg::Burn { amount: parts.burn })?);
    }
    if !parts.stakers.is_zero() {
        let staking = config
            .staking
            .as_ref()
            .ok_or(ContractError::StakingRequired {
                stakers_bps: config.split.stakers_bps,
            })?;
        messages.push(token.call(Cw20ExecuteMsg::Send {
            contract: staking.to_string(),
            amount: parts.stakers,
            msg: to_json_binary(&StakingReceiveMsg::DistributeRewards {})?,
        })?);
    }
    if !parts.executor.is_zero() {
        messages.push(token.call(Cw20ExecuteMsg::Transfer {
            recipient: info.sender.to_string(),
            amount: parts.executor,
        })?);
    }

    totals.pending = Uint128::zero();
    totals.burned = totals.burned.checked_add(parts.burn)?;
    totals.to_stakers = totals.to_stakers.checked_add(parts.stakers)?;
    totals.kept = totals.kept.checked_add(parts.kept)?;
    totals.executor_paid = totals.executor_paid.checked_add(parts.executor)?;
    totals.distributions = totals
        .distributions
        .checked_add(1)
        .ok_or(OverflowError::new(OverflowOperation::Add))?;
    TOTALS.save(deps.storage, &totals)?;

    Ok(Response::new()
        .add_messages(messages)
        .add_attribute("action", "distribute")
        .add_attribute("amount", amount)
        .add_attribute("burned", parts.burn)
        .add_attribute("to_stakers", parts.stakers)
        .add_attribute("kept", parts.kept)
        .add_attribute("executor_reward", parts.executor)
        .add_attribute("executor", info.sender))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sum(p: &Parts) -> Uint128 {
        p.burn + p.stakers + p.executor + p.kept
    }

    #[test]
    fn parts_always_add_up() {
        let splits = [
            Split::seed(),
            Split {
                burn_bps: 3_333,
                stakers_bps: 3_333,
                kept_bps: 3_333,
                executor_bps: 1,
            },
            Split {
                burn_bps: 10_000,
                stakers_bps: 0,
                kept_bps: 0,
                executor_bps: 0,
            },
        ];
        let amounts = [
            1u128,
            7,
            9_999,
            10_001,
            123_456_789,
            u64::MAX as u128,
            u128::MAX,
        ];
        for split in &splits {
            for &a in &amounts {
                let amount = Uint128::new(a);
                let parts = split_amount(amount, split).unwrap();
                assert_eq!(sum(&parts), amount, "split {split:?} amount {a}");
            }
        }
    }

    #[test]
    fn dust_goes_to_kept() {
        let parts = split_amount(Uint128::new(7), &Split::seed()).unwrap();
        assert_eq!(
            parts,
            Parts {
                burn: Uint128::new(4),
                stakers: Uint128::zero(),
                executor: Uint128::zero(),
                kept: Uint128::new(3),
            }
        );
    }
}

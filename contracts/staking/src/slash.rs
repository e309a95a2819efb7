//! Slashing: take stake from an address, bonded stake first, then its unbonding claims from the
//! newest to the oldest, so unbonding never dodges a slash. The take is capped at what the
//! address has; slashed tokens are burned or sent to the treasury.

use cosmwasm_std::{
    to_json_binary, Addr, Decimal, DepsMut, Env, MessageInfo, Response, StdError, Storage, Uint128,
};
use cw20::{Cw20Contract, Cw20ExecuteMsg};

use crate::cw4::update_membership;
use crate::error::ContractError;
use crate::msg::{SlashAmount, SlashDestination};
use crate::rewards;
use crate::state::{CLAIMS_EDIT, CONFIG, STAKES, TOTALS};

/// Slashers and owner only: slash `address` by `amount` (capped at its stake; slashing an
/// address with nothing at stake succeeds with `slashed = 0` and sends nothing).
pub fn slash(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    address: String,
    amount: SlashAmount,
    reason: String,
) -> Result<Response, ContractError> {
    let cfg = CONFIG.load(deps.storage)?;
    if !cfg.slashers.contains(&info.sender) && !cw_ownable::is_owner(deps.storage, &info.sender)? {
        return Err(ContractError::NotSlasher {});
    }
    let addr = deps.api.addr_validate(&address)?;
    let mut stake = STAKES.may_load(deps.storage, &addr)?.unwrap_or_default();
    let at_stake = stake.bonded.checked_add(stake.unbonding)?;
    let slashed = match amount {
        SlashAmount::Absolute { amount } => amount.min(at_stake),
        SlashAmount::Fraction { fraction } => {
            if fraction.is_zero() || fraction > Decimal::one() {
                return Err(ContractError::InvalidFraction { fraction });
            }
            at_stake.checked_mul_floor(fraction)?
        }
    };
    let from_bonded = slashed.min(stake.bonded);
    let from_unbonding = slashed.checked_sub(from_bonded)?;

    let mut response = Response::new();
    if !slashed.is_zero() {
        let mut totals = TOTALS.load(deps.storage)?;
        rewards::checkpoint(deps.storage, &mut totals, env.block.time)?;
        if !from_bonded.is_zero() {
            let weight_before = stake.reward_weight();
            stake.bonded = stake.bonded.checked_sub(from_bonded)?;
            totals.bonded = totals.bonded.checked_sub(from_bonded)?;
            rewards::settle(
                deps.storage,
                &mut totals,
                &addr,
                weight_before,
                stake.reward_weight(),
            )?;
            let hooks =
                update_membership(deps.storage, &addr, stake.bonded, &cfg, env.block.height)?;
            response = response.add_submessages(hooks);
        }
        if !from_unbonding.is_zero() {
            take_from_claims(deps.storage, &addr, from_unbonding)?;
            stake.unbonding = stake.unbonding.checked_sub(from_unbonding)?;
            totals.unbonding = totals.unbonding.checked_sub(from_unbonding)?;
        }
        totals.slashed = totals.slashed.checked_add(slashed)?;
        TOTALS.save(deps.storage, &totals)?;
        if stake.is_empty() {
            STAKES.remove(deps.storage, &addr);
        } else {
            STAKES.save(deps.storage, &addr, &stake)?;
        }
        response = response.add_message(
            Cw20Contract(cfg.token.clone())
                .call(destination_msg(&cfg.slash_destination, slashed)?)?,
        );
    }

    let destination = match &cfg.slash_destination {
        SlashDestination::Burn => "burn".to_string(),
        SlashDestination::Treasury { address } => address.clone(),
    };
    Ok(response
        .add_attribute("action", "slash")
        .add_attribute("address", addr)
        .add_attribute("slashed", slashed)
        .add_attribute("from_bonded", from_bonded)
        .add_attribute("from_unbonding", from_unbonding)
        .add_attribute("reason", reason)
        .add_attribute("destination", destination))
}

/// Reduce `addr`'s claims by `amount`, newest claim first, dropping emptied claims.
fn take_from_claims(
    storage: &mut dyn Storage,
    addr: &Addr,
    amount: Uint128,
) -> Result<(), ContractError> {
    let mut claims = CLAIMS_EDIT.may_load(storage, addr)?.unwrap_or_default();
    let mut remaining = amount;
    for claim in claims.iter_mut().rev() {
        if remaining.is_zero() {
            break;
        }
        let take = remaining.min(claim.amount);
        claim.amount = claim.amount.checked_sub(take)?;
        remaining = remaining.checked_sub(take)?;
    }
    if !remaining.is_zero() {
        // Claims and `Stake::unbonding` disagree: refuse rather than slash phantom stake.
        return Err(ContractError::Std(StdError::generic_err(
            "unbonding claims are smaller than the recorded unbonding stake",
        )));
    }
    claims.retain(|claim| !claim.amount.is_zero());
    if claims.is_empty() {
        CLAIMS_EDIT.remove(storage, addr);
    } else {
        CLAIMS_EDIT.save(storage, addr, &claims)?;
    }
    Ok(())
}

/// The CW20 message that disposes of `amount` slashed tokens.
fn destination_msg(
    destination: &SlashDestination,
    amount: Uint128,
) -> Result<Cw20ExecuteMsg, ContractError> {
    Ok(match destination {
        SlashDestination::Burn => Cw20ExecuteMsg::Burn { amount },
        SlashDestination::Treasury { address } => Cw20ExecuteMsg::Send {
            contract: address.clone(),
            amount,
            msg: to_json_binary(&acn_interface::treasury::ReceiveMsg::Deposit {})?,
        },
    })
}

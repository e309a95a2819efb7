//! Stake at risk: what each slot locks, whether a provider may take more work, and the
//! escalating slash (with jail) of an offence.
//!
//! Every slot locks `max(min_slot_stake, slot_stake_multiple × price / redundancy)` of the
//! provider's bonded stake until the job is final (a disputed slot until the dispute ends). The
//! market keeps the sum per provider (`Provider::locked`, the `Exposure` query) and staking
//! refuses an `Unbond` that would leave less bonded than that. A wrong result or a no-show is
//! slashed a fraction of the slot's stake at risk, doubled for each earlier offence within
//! `offence_window` (at most `2^MAX_SLASH_DOUBLINGS`), and `jail_after_offences` offences within
//! the window jail the provider for `jail_duration`.

use cosmwasm_std::{Timestamp, Uint128};

use acn_interface::bps_of;
use acn_interface::market::{MarketParams, Slot, MAX_SLASH_DOUBLINGS};

use crate::error::ContractError;
use crate::state::Provider;

/// What a provider did wrong in a slot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Offence {
    /// Revealed an output the majority (or the owner) rejected.
    WrongResult,
    /// Claimed and did not commit, or committed and did not reveal.
    NoShow,
}

impl Offence {
    /// The `reason` sent with the staking `Slash`.
    pub fn reason(self) -> &'static str {
        match self {
            Offence::WrongResult => "wrong_result",
            Offence::NoShow => "no_show",
        }
    }

    /// The offence's slash before escalation, in bps of the stake at risk.
    fn slash_bps(self, params: &MarketParams) -> u16 {
        match self {
            Offence::WrongResult => params.wrong_result_slash_bps,
            Offence::NoShow => params.no_show_slash_bps,
        }
    }
}

/// Stake one slot of a job priced `price` with `redundancy` slots puts at risk:
/// `max(min_slot_stake, slot_stake_multiple × price / redundancy)`.
pub fn slot_at_risk(
    params: &MarketParams,
    price: Uint128,
    redundancy: u8,
) -> Result<Uint128, ContractError> {
    let slot_pay = price.multiply_ratio(1u128, u128::from(redundancy.max(1)));
    let by_pay = slot_pay.checked_mul(Uint128::from(params.slot_stake_multiple))?;
    Ok(params.min_slot_stake.max(by_pay))
}

/// The stake a slot's offence is measured against (slots claimed before stake at risk existed
/// recorded none: they count the minimum).
pub fn base_of(params: &MarketParams, slot: &Slot) -> Uint128 {
    slot.at_risk.max(params.min_slot_stake)
}

/// Whether `provider` (with `bonded` stake) may take a new slot putting `at_risk` at stake now:
/// not jailed, and its locked stake plus the new slot's within its bonded stake. The one
/// eligibility rule of exposure; claim (or assignment) calls it before giving a slot.
pub fn can_take(
    provider: &Provider,
    bonded: Uint128,
    at_risk: Uint128,
    now: Timestamp,
) -> Result<(), ContractError> {
    if let Some(until) = provider.reputation.jailed_until {
        if now < until {
            return Err(ContractError::ProviderJailed {
                until: until.seconds(),
            });
        }
    }
    let needed = provider.locked.checked_add(at_risk)?;
    if needed > bonded {
        return Err(ContractError::ExposureAboveStake {
            locked: provider.locked,
            at_risk,
            bonded,
        });
    }
    Ok(())
}

/// Lock a new slot's stake at risk on its provider.
pub fn lock(provider: &mut Provider, at_risk: Uint128) -> Result<(), ContractError> {
    provider.locked = provider.locked.checked_add(at_risk)?;
    provider.active_jobs = provider.active_jobs.saturating_add(1);
    Ok(())
}

/// Release a finished slot's stake at risk.
pub fn release(provider: &mut Provider, slot: &Slot) -> Result<(), ContractError> {
    provider.locked = provider.locked.checked_sub(slot.at_risk)?;
    provider.active_jobs = provider.active_jobs.saturating_sub(1);
    Ok(())
}

/// Record an offence at `now` and return what to slash for it: the offence's bps of `base`,
/// doubled for every earlier offence within the window (at most `2^MAX_SLASH_DOUBLINGS`). The
/// offence that reaches `jail_after_offences` jails the provider for `jail_duration`.
pub fn offend(
    provider: &mut Provider,
    params: &MarketParams,
    base: Uint128,
    offence: Offence,
    now: Timestamp,
) -> Result<Uint128, ContractError> {
    let rep = &mut provider.reputation;
    let window_over = rep
        .last_offence
        .is_none_or(|t| now >= t.plus_seconds(params.offence_window));
    if window_over {
        rep.strikes = 0;
    }
    let factor = 1u128 << rep.strikes.min(MAX_SLASH_DOUBLINGS);
    let amount = bps_of(base, offence.slash_bps(params)).checked_mul(Uint128::new(factor))?;
    rep.strikes = rep.strikes.saturating_add(1);
    rep.last_offence = Some(now);
    if rep.strikes >= params.jail_after_offences {
        rep.jailed_until = Some(now.plus_seconds(params.jail_duration));
    }
    Ok(amount)
}

#[cfg(test)]
mod tests {
    use super::*;
    use acn_interface::market::{Hardware, Reputation, TOKEN};

    fn provider(locked: u128) -> Provider {
        Provider {
            hardware: Hardware {
                backend: "wgpu".into(),
                device: "llvmpipe".into(),
                memory_mb: 1,
                endpoint: None,
            },
            models: vec![],
            min_unit_price: Uint128::zero(),
            active: true,
            active_jobs: 0,
            locked: Uint128::new(locked),
            reputation: Reputation::default(),
            weight: Uint128::zero(),
        }
    }

    #[test]
    fn a_slot_locks_the_minimum_or_ten_times_its_pay() {
        let p = MarketParams::default();
        // 0.128 ACN job, 2 slots: the 100 ACN minimum
        assert_eq!(
            slot_at_risk(&p, Uint128::new(128_000), 2).unwrap(),
            Uint128::new(100 * TOKEN)
        );
        // 70 ACN job, 7 slots: 10 × 10 ACN = 100 ACN; 140 ACN: 200 ACN
        assert_eq!(
            slot_at_risk(&p, Uint128::new(140 * TOKEN), 7).unwrap(),
            Uint128::new(200 * TOKEN)
        );
    }

    #[test]
    fn slashes_double_per_repeat_offence_and_the_third_jails() {
        let p = MarketParams::default();
        let mut prov = provider(0);
        let base = Uint128::new(100 * TOKEN);
        let t0 = Timestamp::from_seconds(1_000);
        let amounts: Vec<u128> = (0..5)
            .map(|k| {
                offend(
                    &mut prov,
                    &p,
                    base,
                    Offence::WrongResult,
                    t0.plus_seconds(k),
                )
                .unwrap()
            })
            .map(|a| a.u128())
            .collect();
        assert_eq!(
            amounts,
            vec![
                100 * TOKEN,
                200 * TOKEN,
                400 * TOKEN,
                800 * TOKEN,
                800 * TOKEN
            ]
        );
        // jailed by the third offence; each later one in the window restarts the jail
        assert_eq!(
            prov.reputation.jailed_until,
            Some(t0.plus_seconds(4 + p.jail_duration))
        );
        // a week without offence: back to the base slash
        let later = t0.plus_seconds(4 + p.offence_window);
        assert_eq!(
            offend(&mut prov, &p, base, Offence::NoShow, later).unwrap(),
            base
        );
        assert_eq!(prov.reputation.strikes, 1);
    }

    #[test]
    fn can_take_refuses_jailed_providers_and_exposure_above_stake() {
        let now = Timestamp::from_seconds(10);
        let mut prov = provider(1_900 * TOKEN);
        let bonded = Uint128::new(2_000 * TOKEN);
        assert_eq!(
            can_take(&prov, bonded, Uint128::new(101 * TOKEN), now),
            Err(ContractError::ExposureAboveStake {
                locked: Uint128::new(1_900 * TOKEN),
                at_risk: Uint128::new(101 * TOKEN),
                bonded,
            })
        );
        assert_eq!(
            can_take(&prov, bonded, Uint128::new(100 * TOKEN), now),
            Ok(())
        );
        prov.reputation.jailed_until = Some(now.plus_seconds(1));
        assert_eq!(
            can_take(&prov, bonded, Uint128::new(100 * TOKEN), now),
            Err(ContractError::ProviderJailed { until: 11 })
        );
        assert_eq!(
            can_take(&prov, bonded, Uint128::zero(), now.plus_seconds(1)),
            Ok(())
        );
    }
}

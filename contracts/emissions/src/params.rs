//! Parameter bounds and the release schedule.

use acn_interface::bps_of;
use acn_interface::emissions::{
    Decay, EmissionParams, MAX_EPOCH_RELEASE_BPS_OF_POOL, MAX_EPOCH_SECONDS, MAX_HALVING_INTERVAL,
    MAX_STAKER_SHARE_BPS, MIN_EPOCH_SECONDS, MIN_HALVING_INTERVAL, MIN_RETAIN,
};
use cosmwasm_std::{Addr, Decimal, Timestamp, Uint128};

use crate::error::ContractError;

/// Checks the epoch length against its bounds.
pub fn validate_epoch_seconds(epoch_seconds: u64) -> Result<(), ContractError> {
    if !(MIN_EPOCH_SECONDS..=MAX_EPOCH_SECONDS).contains(&epoch_seconds) {
        return Err(ContractError::InvalidEpochSeconds {
            epoch_seconds,
            min: MIN_EPOCH_SECONDS,
            max: MAX_EPOCH_SECONDS,
        });
    }
    Ok(())
}

/// Checks every parameter against its bound, given the pool and the staking contract.
pub fn validate_params(
    params: &EmissionParams,
    pool: Uint128,
    staking: Option<&Addr>,
) -> Result<(), ContractError> {
    if pool.is_zero() {
        return Err(ContractError::ZeroPool);
    }
    let max = bps_of(pool, MAX_EPOCH_RELEASE_BPS_OF_POOL);
    if params.initial_epoch_release.is_zero() || params.initial_epoch_release > max {
        return Err(ContractError::InvalidInitialRelease {
            release: params.initial_epoch_release,
            max,
        });
    }
    match &params.decay {
        Decay::Halving { interval_epochs } => {
            if !(MIN_HALVING_INTERVAL..=MAX_HALVING_INTERVAL).contains(interval_epochs) {
                return Err(ContractError::InvalidHalvingInterval {
                    interval: *interval_epochs,
                    min: MIN_HALVING_INTERVAL,
                    max: MAX_HALVING_INTERVAL,
                });
            }
        }
        Decay::Exponential { retain } => {
            if *retain < MIN_RETAIN || *retain >= Decimal::one() {
                return Err(ContractError::InvalidRetain {
                    retain: *retain,
                    min: MIN_RETAIN,
                });
            }
        }
    }
    if params.staker_share_bps > MAX_STAKER_SHARE_BPS {
        return Err(ContractError::InvalidStakerShare {
            bps: params.staker_share_bps,
            max: MAX_STAKER_SHARE_BPS,
        });
    }
    if params.staker_share_bps > 0 && staking.is_none() {
        return Err(ContractError::StakingRequired {
            bps: params.staker_share_bps,
        });
    }
    Ok(())
}

/// `release(epoch)` under `params`, before the pool bound. Constant work: a shift for halvings,
/// at most 32 squarings for the exponential decay.
pub fn scheduled_release(params: &EmissionParams, epoch: u64) -> Uint128 {
    let initial = params.initial_epoch_release;
    match &params.decay {
        Decay::Halving { interval_epochs } => {
            let halvings = epoch / (*interval_epochs).max(1);
            if halvings >= 128 {
                Uint128::zero()
            } else {
                initial >> (halvings as u32)
            }
        }
        Decay::Exponential { retain } => {
            let Ok(exp) = u32::try_from(epoch) else {
                return Uint128::zero();
            };
            // retain < 1, so the power cannot overflow; an error would mean "no release".
            match retain.checked_pow(exp) {
                Ok(factor) => initial.mul_floor(factor),
                Err(_) => Uint128::zero(),
            }
        }
    }
}

/// The epoch index of `now` (epoch 0 before and at genesis).
pub fn epoch_at(genesis: Timestamp, epoch_seconds: u64, now: Timestamp) -> u64 {
    now.seconds().saturating_sub(genesis.seconds()) / epoch_seconds.max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(decay: Decay) -> EmissionParams {
        EmissionParams {
            initial_epoch_release: Uint128::new(1_000_000),
            decay,
            staker_share_bps: 0,
        }
    }

    #[test]
    fn halving_schedule_steps_down_every_interval() {
        let p = params(Decay::Halving {
            interval_epochs: 10,
        });
        assert_eq!(scheduled_release(&p, 0).u128(), 1_000_000);
        assert_eq!(scheduled_release(&p, 9).u128(), 1_000_000);
        assert_eq!(scheduled_release(&p, 10).u128(), 500_000);
        assert_eq!(scheduled_release(&p, 25).u128(), 250_000);
        assert_eq!(scheduled_release(&p, 10 * 127).u128(), 0);
        assert_eq!(scheduled_release(&p, u64::MAX).u128(), 0);
    }

    #[test]
    fn exponential_schedule_halves_after_one_half_life() {
        // retain = 2^(-1/10): a half-life of 10 epochs.
        let retain =
            Decimal::from_ratio(933_032_991_536_807_416u128, 1_000_000_000_000_000_000u128);
        let p = params(Decay::Exponential { retain });
        assert_eq!(scheduled_release(&p, 0).u128(), 1_000_000);
        assert_eq!(scheduled_release(&p, 1).u128(), 933_032);
        let half = scheduled_release(&p, 10).u128();
        assert!((499_999..=500_000).contains(&half), "{half}");
        let quarter = scheduled_release(&p, 20).u128();
        assert!((249_999..=250_000).contains(&quarter), "{quarter}");
        assert_eq!(scheduled_release(&p, u64::MAX).u128(), 0);
    }

    #[test]
    fn bounds_are_enforced() {
        let pool = Uint128::new(100_000_000);
        let ok = params(Decay::Halving {
            interval_epochs: 10,
        });
        validate_params(&ok, pool, None).unwrap();
        let too_big = EmissionParams {
            initial_epoch_release: Uint128::new(1_000_001),
            ..ok.clone()
        };
        assert_eq!(
            validate_params(&too_big, pool, None),
            Err(ContractError::InvalidInitialRelease {
                release: Uint128::new(1_000_001),
                max: Uint128::new(1_000_000)
            })
        );
        let retain_one = params(Decay::Exponential {
            retain: Decimal::one(),
        });
        assert!(matches!(
            validate_params(&retain_one, pool, None),
            Err(ContractError::InvalidRetain { .. })
        ));
        let short = params(Decay::Halving { interval_epochs: 6 });
        assert!(matches!(
            validate_params(&short, pool, None),
            Err(ContractError::InvalidHalvingInterval { .. })
        ));
        let stakers = EmissionParams {
            staker_share_bps: 100,
            ..ok.clone()
        };
        assert_eq!(
            validate_params(&stakers, pool, None),
            Err(ContractError::StakingRequired { bps: 100 })
        );
        let too_much = EmissionParams {
            staker_share_bps: 5_001,
            ..ok
        };
        assert!(matches!(
            validate_params(&too_much, pool, Some(&Addr::unchecked("s"))),
            Err(ContractError::InvalidStakerShare { .. })
        ));
        assert_eq!(
            validate_epoch_seconds(3_599),
            Err(ContractError::InvalidEpochSeconds {
                epoch_seconds: 3_599,
                min: 3_600,
                max: 30 * 86_400
            })
        );
    }
}

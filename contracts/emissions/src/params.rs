//! Parameter bounds and the epoch clock.

use acn_interface::emissions::{
    EmissionParams, MAX_BUDGET_RATE, MAX_EPOCH_SECONDS, MAX_FEE_CAP_BPS, MAX_STAKER_SHARE_BPS,
    MIN_EPOCH_SECONDS,
};
use cosmwasm_std::{Addr, Timestamp};

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

/// Checks every parameter against its bound, given the staking contract.
pub fn validate_params(
    params: &EmissionParams,
    staking: Option<&Addr>,
) -> Result<(), ContractError> {
    if params.budget_rate.is_zero() || params.budget_rate > MAX_BUDGET_RATE {
        return Err(ContractError::InvalidBudgetRate {
            rate: params.budget_rate,
            max: MAX_BUDGET_RATE,
        });
    }
    if params.fee_cap_bps == 0 || params.fee_cap_bps > MAX_FEE_CAP_BPS {
        return Err(ContractError::InvalidFeeCap {
            bps: params.fee_cap_bps,
            max: MAX_FEE_CAP_BPS,
        });
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

/// The epoch index of `now` (epoch 0 before and at genesis).
pub fn epoch_at(genesis: Timestamp, epoch_seconds: u64, now: Timestamp) -> u64 {
    now.seconds().saturating_sub(genesis.seconds()) / epoch_seconds.max(1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use cosmwasm_std::Decimal;

    fn params() -> EmissionParams {
        EmissionParams {
            budget_rate: Decimal::permille(1),
            fee_cap_bps: 5_000,
            staker_share_bps: 0,
        }
    }

    #[test]
    fn bounds_are_enforced() {
        validate_params(&params(), None).unwrap();
        let rate = |budget_rate| EmissionParams {
            budget_rate,
            ..params()
        };
        assert_eq!(
            validate_params(&rate(Decimal::zero()), None),
            Err(ContractError::InvalidBudgetRate {
                rate: Decimal::zero(),
                max: Decimal::percent(1)
            })
        );
        assert!(matches!(
            validate_params(&rate(Decimal::permille(11)), None),
            Err(ContractError::InvalidBudgetRate { .. })
        ));
        for fee_cap_bps in [0, 7_001] {
            let p = EmissionParams {
                fee_cap_bps,
                ..params()
            };
            assert_eq!(
                validate_params(&p, None),
                Err(ContractError::InvalidFeeCap {
                    bps: fee_cap_bps,
                    max: 7_000
                })
            );
        }
        let stakers = EmissionParams {
            staker_share_bps: 100,
            ..params()
        };
        assert_eq!(
            validate_params(&stakers, None),
            Err(ContractError::StakingRequired { bps: 100 })
        );
        let too_much = EmissionParams {
            staker_share_bps: 5_001,
            ..params()
        };
        assert!(matches!(
            validate_params(&too_much, Some(&Addr::unchecked("s"))),
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

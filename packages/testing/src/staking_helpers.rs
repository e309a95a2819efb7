//! Staking helpers: slashing, claims, cw4 weights and the staking accounting invariant.

use anyhow::Result as AnyResult;
use cosmwasm_std::{Addr, Decimal, Uint128};
use cw_multi_test::AppResponse;

use acn_interface::staking;

use crate::Suite;

/// The staking contract's own error behind a failed execution (panics, this is test code, if
/// the failure came from somewhere else).
#[track_caller]
pub fn staking_error(err: anyhow::Error) -> acn_staking::ContractError {
    match err.downcast::<acn_staking::ContractError>() {
        Ok(e) => e,
        Err(other) => panic!("expected a staking error, got {other:?}"),
    }
}

/// The staking error of a result that must have failed.
#[track_caller]
pub fn expect_staking_error<T: std::fmt::Debug>(res: AnyResult<T>) -> acn_staking::ContractError {
    match res {
        Ok(v) => panic!("expected a staking error, got Ok({v:?})"),
        Err(e) => staking_error(e),
    }
}

impl Suite {
    /// Bond `amount` from any address.
    pub fn bond_from(&mut self, sender: &Addr, amount: u128) -> AnyResult<AppResponse> {
        let staking = self.staking.clone();
        self.send_tokens(
            sender,
            &staking,
            amount,
            &staking::ReceiveMsg::Bond { tier: None },
        )
    }

    /// Fund a reward round from any address.
    pub fn fund_rewards_from(&mut self, sender: &Addr, amount: u128) -> AnyResult<AppResponse> {
        let staking = self.staking.clone();
        self.send_tokens(
            sender,
            &staking,
            amount,
            &staking::ReceiveMsg::DistributeRewards {},
        )
    }

    /// Execute any staking message as `sender`.
    pub fn staking_exec(
        &mut self,
        sender: &Addr,
        msg: &staking::ExecuteMsg,
    ) -> AnyResult<AppResponse> {
        let staking = self.staking.clone();
        self.execute(sender, &staking, msg)
    }

    /// `Slash` a named account as `sender`.
    pub fn slash(
        &mut self,
        sender: &Addr,
        name: &str,
        amount: staking::SlashAmount,
    ) -> AnyResult<AppResponse> {
        let address = self.addr(name).to_string();
        self.staking_exec(
            sender,
            &staking::ExecuteMsg::Slash {
                address,
                amount,
                reason: "test".into(),
            },
        )
    }

    /// `Slash` a named account by an absolute amount, as the owner.
    pub fn slash_absolute(&mut self, name: &str, amount: u128) -> AnyResult<AppResponse> {
        let owner = self.owner.clone();
        self.slash(
            &owner,
            name,
            staking::SlashAmount::Absolute {
                amount: Uint128::new(amount),
            },
        )
    }

    /// `Slash` a named account by a fraction, as the owner.
    pub fn slash_fraction(&mut self, name: &str, fraction: Decimal) -> AnyResult<AppResponse> {
        let owner = self.owner.clone();
        self.slash(&owner, name, staking::SlashAmount::Fraction { fraction })
    }

    /// Open unbonding claims of a named account.
    pub fn staking_claims(&self, name: &str) -> Vec<staking::Claim> {
        let res: staking::ClaimsResponse = self.query(
            &self.staking,
            &staking::QueryMsg::Claims {
                address: self.addr(name).to_string(),
            },
        );
        res.claims
    }

    /// Staking configuration.
    pub fn staking_config(&self) -> staking::ConfigResponse {
        self.query(&self.staking, &staking::QueryMsg::Config {})
    }

    /// cw4 weight of a named account, now or at the start of a past height.
    pub fn member_weight(&self, name: &str, at_height: Option<u64>) -> Option<u64> {
        let res: staking::MemberResponse = self.query(
            &self.staking,
            &staking::QueryMsg::Member {
                addr: self.addr(name).to_string(),
                at_height,
            },
        );
        res.weight
    }

    /// cw4 total weight, now or at the start of a past height.
    pub fn total_weight(&self, at_height: Option<u64>) -> u64 {
        let res: staking::TotalWeightResponse =
            self.query(&self.staking, &staking::QueryMsg::TotalWeight { at_height });
        res.weight
    }

    /// One page of cw4 members.
    pub fn list_members(
        &self,
        start_after: Option<&Addr>,
        limit: Option<u32>,
    ) -> Vec<staking::Member> {
        let res: staking::MemberListResponse = self.query(
            &self.staking,
            &staking::QueryMsg::ListMembers {
                start_after: start_after.map(Addr::to_string),
                limit,
            },
        );
        res.members
    }

    /// One page of stakers.
    pub fn list_stakers(
        &self,
        start_after: Option<&Addr>,
        limit: Option<u32>,
    ) -> Vec<staking::StakeResponse> {
        let res: staking::StakersResponse = self.query(
            &self.staking,
            &staking::QueryMsg::ListStakers {
                start_after: start_after.map(Addr::to_string),
                limit,
            },
        );
        res.stakers
    }

    /// Every staker (walks all pages).
    pub fn all_stakers(&self) -> Vec<staking::StakeResponse> {
        let mut all: Vec<staking::StakeResponse> = vec![];
        loop {
            let start = all.last().map(|s| s.address.clone());
            let page = self.list_stakers(start.as_ref(), Some(100));
            if page.is_empty() {
                return all;
            }
            all.extend(page);
        }
    }

    /// Pending rewards of any address.
    pub fn pending_rewards_of(&self, addr: &Addr) -> u128 {
        let res: staking::PendingRewardsResponse = self.query(
            &self.staking,
            &staking::QueryMsg::PendingRewards {
                address: addr.to_string(),
            },
        );
        res.pending.u128()
    }

    /// Assert the staking accounting invariant over `addrs` (every address that may be owed
    /// rewards): per-staker stakes add up to the totals, and the contract's token balance
    /// covers bonded + unbonding + pending rewards + carried rewards.
    #[track_caller]
    pub fn assert_staking_solvent(&self, addrs: &[Addr]) {
        let totals = self.staking_totals();
        let stakers = self.all_stakers();
        let bonded: u128 = stakers.iter().map(|s| s.bonded.u128()).sum();
        let unbonding: u128 = stakers.iter().map(|s| s.unbonding.u128()).sum();
        assert_eq!(bonded, totals.bonded.u128(), "sum of bonded stakes");
        assert_eq!(
            unbonding,
            totals.unbonding.u128(),
            "sum of unbonding stakes"
        );
        for staker in &stakers {
            let claims: staking::ClaimsResponse = self.query(
                &self.staking,
                &staking::QueryMsg::Claims {
                    address: staker.address.to_string(),
                },
            );
            let in_claims: u128 = claims.claims.iter().map(|c| c.amount.u128()).sum();
            assert_eq!(
                in_claims,
                staker.unbonding.u128(),
                "claims of {}",
                staker.address
            );
        }
        let pending: u128 = addrs.iter().map(|a| self.pending_rewards_of(a)).sum();
        let owed = bonded + unbonding + pending + totals.rewards_carried.u128();
        let balance = self.balance(self.staking.clone());
        assert!(
            balance >= owed,
            "staking balance {balance} < bonded {bonded} + unbonding {unbonding} + pending \
             {pending} + carried {}",
            totals.rewards_carried
        );
    }
}

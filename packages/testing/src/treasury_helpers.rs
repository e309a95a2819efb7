//! Treasury helpers: spending, vesting, configuration and the accounting invariants.

use anyhow::Result as AnyResult;
use cosmwasm_std::{Addr, Timestamp, Uint128};
use cw_multi_test::AppResponse;

use acn_interface::treasury;

use crate::Suite;

/// The treasury's own error behind a failed execution (panics, this is test code, if the
/// failure came from somewhere else).
#[track_caller]
pub fn treasury_error(err: anyhow::Error) -> acn_treasury::ContractError {
    match err.downcast::<acn_treasury::ContractError>() {
        Ok(e) => e,
        Err(other) => panic!("expected a treasury error, got {other:?}"),
    }
}

/// The treasury error of a result that must have failed.
#[track_caller]
pub fn expect_treasury_error<T: std::fmt::Debug>(res: AnyResult<T>) -> acn_treasury::ContractError {
    match res {
        Ok(v) => panic!("expected a treasury error, got Ok({v:?})"),
        Err(e) => treasury_error(e),
    }
}

/// The value of attribute `key` in the `wasm` event of `contract` in `res`.
#[track_caller]
pub fn wasm_attr(res: &AppResponse, contract: &Addr, key: &str) -> String {
    res.events
        .iter()
        .filter(|e| e.ty == "wasm")
        .filter(|e| {
            e.attributes
                .iter()
                .any(|a| a.key == "_contract_address" && a.value == contract.as_str())
        })
        .flat_map(|e| e.attributes.iter())
        .find(|a| a.key == key)
        .map(|a| a.value.clone())
        .unwrap_or_else(|| panic!("no attribute {key:?} from {contract} in {:?}", res.events))
}

impl Suite {
    /// Send `amount` to the treasury's reserve (`Fund {}`) from any address.
    pub fn fund_treasury(&mut self, sender: &Addr, amount: u128) -> AnyResult<AppResponse> {
        let treasury = self.treasury.clone();
        self.send_tokens(sender, &treasury, amount, &treasury::ReceiveMsg::Fund {})
    }

    /// Deposit a fee (`Deposit {}`) from any address.
    pub fn deposit_fee_from(&mut self, sender: &Addr, amount: u128) -> AnyResult<AppResponse> {
        let treasury = self.treasury.clone();
        self.send_tokens(sender, &treasury, amount, &treasury::ReceiveMsg::Deposit {})
    }

    /// `Distribute {}` as any address.
    pub fn distribute_as(&mut self, sender: &Addr) -> AnyResult<AppResponse> {
        let treasury = self.treasury.clone();
        self.execute(sender, &treasury, &treasury::ExecuteMsg::Distribute {})
    }

    /// `Spend` as `sender` (the owner, unless testing refusals).
    pub fn spend(
        &mut self,
        sender: &Addr,
        recipient: &Addr,
        amount: u128,
        memo: &str,
    ) -> AnyResult<AppResponse> {
        let treasury = self.treasury.clone();
        self.execute(
            sender,
            &treasury,
            &treasury::ExecuteMsg::Spend {
                recipient: recipient.to_string(),
                amount: Uint128::new(amount),
                memo: memo.to_string(),
            },
        )
    }

    /// `CreateVesting` as `sender`; `start` in seconds since the epoch (`None` = now).
    pub fn create_vesting(
        &mut self,
        sender: &Addr,
        beneficiary: &Addr,
        amount: u128,
        start: Option<u64>,
        cliff: u64,
        duration: u64,
    ) -> AnyResult<AppResponse> {
        let treasury = self.treasury.clone();
        self.execute(
            sender,
            &treasury,
            &treasury::ExecuteMsg::CreateVesting {
                beneficiary: beneficiary.to_string(),
                amount: Uint128::new(amount),
                start: start.map(Timestamp::from_seconds),
                cliff,
                duration,
            },
        )
    }

    /// `ClaimVested` as any address.
    pub fn claim_vested(&mut self, sender: &Addr) -> AnyResult<AppResponse> {
        let treasury = self.treasury.clone();
        self.execute(sender, &treasury, &treasury::ExecuteMsg::ClaimVested {})
    }

    /// `UpdateConfig` as `sender`.
    pub fn update_treasury_config(
        &mut self,
        sender: &Addr,
        split: Option<treasury::Split>,
        staking: Option<&Addr>,
    ) -> AnyResult<AppResponse> {
        let treasury = self.treasury.clone();
        self.execute(
            sender,
            &treasury,
            &treasury::ExecuteMsg::UpdateConfig {
                split,
                staking: staking.map(Addr::to_string),
            },
        )
    }

    /// Treasury configuration.
    pub fn treasury_config(&self) -> treasury::ConfigResponse {
        self.query(&self.treasury, &treasury::QueryMsg::Config {})
    }

    /// Base units deposited by one source.
    pub fn treasury_source(&self, address: &Addr) -> u128 {
        let res: treasury::SourceResponse = self.query(
            &self.treasury,
            &treasury::QueryMsg::Source {
                address: address.to_string(),
            },
        );
        res.deposited.u128()
    }

    /// A page of sources.
    pub fn treasury_sources(
        &self,
        start_after: Option<&Addr>,
        limit: Option<u32>,
    ) -> Vec<treasury::SourceResponse> {
        let res: treasury::SourcesResponse = self.query(
            &self.treasury,
            &treasury::QueryMsg::Sources {
                start_after: start_after.map(Addr::to_string),
                limit,
            },
        );
        res.sources
    }

    /// A page of one beneficiary's schedules.
    pub fn vestings(
        &self,
        beneficiary: &Addr,
        start_after: Option<u64>,
        limit: Option<u32>,
    ) -> Vec<treasury::VestingResponse> {
        let res: treasury::VestingsResponse = self.query(
            &self.treasury,
            &treasury::QueryMsg::Vestings {
                beneficiary: beneficiary.to_string(),
                start_after,
                limit,
            },
        );
        res.vestings
    }

    /// A page of every schedule.
    pub fn all_vestings(
        &self,
        start_after: Option<u64>,
        limit: Option<u32>,
    ) -> Vec<treasury::VestingResponse> {
        let res: treasury::VestingsResponse = self.query(
            &self.treasury,
            &treasury::QueryMsg::AllVestings { start_after, limit },
        );
        res.vestings
    }

    /// Assert the treasury's accounting identities:
    /// `deposited == burned + to_stakers + kept + executor_paid + pending` and
    /// `balance == pending + vesting_locked + spendable`, with `balance` read from the token.
    #[track_caller]
    pub fn assert_treasury_invariants(&self) {
        let t = self.treasury_totals();
        assert_eq!(
            t.deposited,
            t.burned + t.to_stakers + t.kept + t.executor_paid + t.pending,
            "deposited must equal burned + to_stakers + kept + executor_paid + pending: {t:?}"
        );
        let b = self.treasury_balances();
        assert_eq!(
            b.balance.u128(),
            self.balance(self.treasury.clone()),
            "balance"
        );
        assert_eq!(b.pending, t.pending, "pending");
        assert_eq!(
            b.vesting_locked,
            t.vesting_created - t.vested_claimed,
            "vesting_locked"
        );
        assert_eq!(
            b.balance,
            b.pending + b.vesting_locked + b.spendable,
            "{b:?}"
        );
    }
}

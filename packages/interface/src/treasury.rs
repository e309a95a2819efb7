//! Treasury: takes protocol fees, splits them (burn / stakers / kept / executor) with a
//! permissionless `Distribute`, spends on the owner's (DAO's) order and vests allocations.

use cosmwasm_schema::{cw_serde, QueryResponses};
use cosmwasm_std::{Addr, Timestamp, Uint128};
use cw20::Cw20ReceiveMsg;
use cw_ownable::{cw_ownable_execute, cw_ownable_query};

use crate::common::{Bps, BPS_DENOMINATOR};

/// How a distribution splits pending fees, in basis points that sum to 10 000.
#[cw_serde]
pub struct Split {
    /// Share destroyed with `Cw20ExecuteMsg::Burn`.
    pub burn_bps: Bps,
    /// Share sent to staking as a reward round.
    pub stakers_bps: Bps,
    /// Share kept by the treasury (spendable by the owner); also receives rounding dust.
    pub kept_bps: Bps,
    /// Share paid to whoever calls `Distribute`.
    pub executor_bps: Bps,
}

impl Split {
    /// The seed split: 70 % burned, 0 % to stakers, 29 % kept, 1 % to the executor.
    pub const fn seed() -> Self {
        Split {
            burn_bps: 7_000,
            stakers_bps: 0,
            kept_bps: 2_900,
            executor_bps: 100,
        }
    }

    /// Sum of the four parts (must be 10 000).
    pub fn total(&self) -> u32 {
        self.burn_bps as u32
            + self.stakers_bps as u32
            + self.kept_bps as u32
            + self.executor_bps as u32
    }

    /// True when the parts sum to exactly 10 000.
    pub fn is_valid(&self) -> bool {
        self.total() == BPS_DENOMINATOR as u32
    }
}

impl Default for Split {
    fn default() -> Self {
        Self::seed()
    }
}

/// Creates the treasury.
#[cw_serde]
pub struct InstantiateMsg {
    /// Owner (cw-ownable, later the DAO). Defaults to the instantiator.
    pub owner: Option<String>,
    /// The CW20 the treasury holds.
    pub token: String,
    /// Staking contract that receives the stakers' share (required if `stakers_bps` > 0).
    pub staking: Option<String>,
    /// Fee split; defaults to the seed split 7000 / 0 / 2900 / 100.
    pub split: Option<Split>,
}

/// Hook messages accepted inside a CW20 `Send` to the treasury.
#[cw_serde]
pub enum ReceiveMsg {
    /// A fee (or slash) deposit: waits for the next `Distribute`. The sender is recorded as its source.
    Deposit {},
    /// Funds for the treasury's own reserve (not distributed).
    Fund {},
}

/// Execute messages of the treasury.
#[cw_ownable_execute]
#[cw_serde]
pub enum ExecuteMsg {
    /// CW20 receive hook (`Deposit {}` or `Fund {}`); only from the configured token.
    Receive(Cw20ReceiveMsg),
    /// Anyone: split everything pending into burn / stakers / kept / executor (the caller).
    Distribute {},
    /// Owner only: pay `amount` from the spendable reserve to `recipient`.
    Spend {
        /// Receiver of the grant.
        recipient: String,
        /// Base units to pay.
        amount: Uint128,
        /// Why (recorded in the event).
        memo: String,
    },
    /// Owner only: lock `amount` of the reserve into a vesting schedule for `beneficiary`.
    /// Nothing is claimable before `start + cliff`; then the vested part grows linearly from
    /// `start` to `start + duration`.
    CreateVesting {
        /// Who receives the tokens.
        beneficiary: String,
        /// Base units to vest.
        amount: Uint128,
        /// Schedule start; defaults to the current block time.
        start: Option<Timestamp>,
        /// Seconds after `start` before anything can be claimed (≤ duration).
        cliff: u64,
        /// Seconds after `start` when everything is vested (> 0).
        duration: u64,
    },
    /// Beneficiary: claim everything vested and unclaimed across the sender's schedules.
    ClaimVested {},
    /// Owner only: change the split and/or the staking contract.
    UpdateConfig {
        /// New split (must sum to 10 000).
        split: Option<Split>,
        /// New staking contract.
        staking: Option<String>,
    },
}

/// Query messages of the treasury.
#[cw_ownable_query]
#[cw_serde]
#[derive(QueryResponses)]
pub enum QueryMsg {
    /// Current configuration.
    #[returns(ConfigResponse)]
    Config {},
    /// Lifetime totals of every flow.
    #[returns(TotalsResponse)]
    Totals {},
    /// Token held and how it is committed (pending, vesting, spendable).
    #[returns(BalancesResponse)]
    Balances {},
    /// Deposits received from one source.
    #[returns(SourceResponse)]
    Source {
        /// The depositing address (e.g. the market).
        address: String,
    },
    /// Deposits by source (paginated by address).
    #[returns(SourcesResponse)]
    Sources {
        /// Exclusive start.
        start_after: Option<String>,
        /// Page size (max 100).
        limit: Option<u32>,
    },
    /// Open vesting schedules of one beneficiary, i.e. not yet paid out in full (paginated by
    /// schedule id; a finished schedule is still listed by `AllVestings`).
    #[returns(VestingsResponse)]
    Vestings {
        /// Beneficiary.
        beneficiary: String,
        /// Exclusive start (schedule id).
        start_after: Option<u64>,
        /// Page size (max 100).
        limit: Option<u32>,
    },
    /// Every vesting schedule (paginated by schedule id).
    #[returns(VestingsResponse)]
    AllVestings {
        /// Exclusive start (schedule id).
        start_after: Option<u64>,
        /// Page size (max 100).
        limit: Option<u32>,
    },
}

/// Treasury configuration.
#[cw_serde]
pub struct ConfigResponse {
    /// Held CW20.
    pub token: Addr,
    /// Staking contract (reward rounds).
    pub staking: Option<Addr>,
    /// Fee split.
    pub split: Split,
}

/// Lifetime totals. Invariant: `deposited == burned + to_stakers + kept + executor_paid + pending`.
#[cw_serde]
pub struct TotalsResponse {
    /// Everything received through `Deposit {}`.
    pub deposited: Uint128,
    /// Everything received through `Fund {}`.
    pub funded: Uint128,
    /// Deposits waiting for the next distribution.
    pub pending: Uint128,
    /// Burned by distributions.
    pub burned: Uint128,
    /// Sent to staking as reward rounds.
    pub to_stakers: Uint128,
    /// Kept in the reserve by distributions.
    pub kept: Uint128,
    /// Paid to distribution executors.
    pub executor_paid: Uint128,
    /// Paid out by `Spend`.
    pub spent: Uint128,
    /// Locked into vesting schedules.
    pub vesting_created: Uint128,
    /// Paid out of vesting schedules.
    pub vested_claimed: Uint128,
    /// Number of distributions run.
    pub distributions: u64,
}

/// What the treasury holds and how it is committed.
#[cw_serde]
pub struct BalancesResponse {
    /// Token balance of the treasury.
    pub balance: Uint128,
    /// Deposits waiting for distribution.
    pub pending: Uint128,
    /// Locked in vesting schedules and not yet claimed.
    pub vesting_locked: Uint128,
    /// What `Spend` / `CreateVesting` may use: balance − pending − vesting_locked.
    pub spendable: Uint128,
}

/// Deposits from one source.
#[cw_serde]
pub struct SourceResponse {
    /// The depositor.
    pub address: Addr,
    /// Base units deposited in total.
    pub deposited: Uint128,
}

/// A page of sources.
#[cw_serde]
pub struct SourcesResponse {
    /// Sources in address order.
    pub sources: Vec<SourceResponse>,
}

/// One vesting schedule and where it stands now.
#[cw_serde]
pub struct VestingResponse {
    /// Schedule id.
    pub id: u64,
    /// Beneficiary.
    pub beneficiary: Addr,
    /// Total amount of the schedule.
    pub amount: Uint128,
    /// Schedule start.
    pub start: Timestamp,
    /// Seconds from start before anything is claimable.
    pub cliff: u64,
    /// Seconds from start until everything is vested.
    pub duration: u64,
    /// Already paid out.
    pub claimed: Uint128,
    /// Vested as of the current block.
    pub vested: Uint128,
    /// `vested − claimed`.
    pub claimable: Uint128,
}

/// A page of vesting schedules.
#[cw_serde]
pub struct VestingsResponse {
    /// Schedules in id order.
    pub vestings: Vec<VestingResponse>,
}

/// Migration parameters (none yet).
#[cw_serde]
pub struct MigrateMsg {}

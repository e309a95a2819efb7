//! Governance: the DAO is cw3-flex-multisig 2.0 (cw-plus) wrapped by `acn-dao`, with the staking
//! contract as its cw4 group, so a member's voting weight is its bonded stake
//! (`bonded / tokens_per_weight`).
//!
//! The DAO owns (cw-ownable) the token, staking, treasury and market, and is the wasm admin of
//! every contract including itself; a passed proposal's `CosmosMsg`s run as the DAO.
//!
//! # A proposal's life
//!
//! `acn-dao` keeps cw3-flex-multisig as the engine (its messages, ballots and tally) and adds the
//! timing mature governors have (OpenZeppelin Governor with a timelock, Compound Governor Bravo),
//! in seconds of block time, fixed per proposal when it is opened ([`Timing`], defaults 1 day,
//! 3 days, 2 days, 7 days):
//!
//! ```text
//! propose ─ voting_delay ─▶ voting opens ─ voting_period ─▶ voting ends ─ timelock ─▶ executable ─ execution_window ─▶ expired
//!  Pending                   Active                          Queued (if passed)       Executable                     Expired
//! ```
//!
//! - **Snapshot.** Every weight of a proposal — each voter's, the proposer's automatic yes and
//!   the total that quorum and threshold are measured against — is read at the proposal's start
//!   height with cw4 snapshot semantics: the value at the *start* of that block. Stake bonded in
//!   the proposal's own block has no weight in it; stake unbonded in that block keeps its weight
//!   *and* stays in the total. A proposal opened when the total weight at the start height is 0
//!   is refused (`NoWeightAtSnapshot`): with nothing to measure quorum against it would pass
//!   without a vote.
//! - `ExecuteMsg::Propose { title, description, msgs, latest }`: a member (weight > 0 now)
//!   opens a proposal; its yes counts with its weight at the start height (0 if it bonded in
//!   this block). `latest` must be `None`: the voting period is fixed by the DAO and no proposer
//!   can shorten it. With a CW20 deposit configured the proposer must first `IncreaseAllowance`
//!   the DAO for it (taken by `TransferFrom`, returned on execution or when a passed proposal
//!   lapses, and on a rejected proposal only if `refund_failed_proposals`).
//! - `ExecuteMsg::Vote { proposal_id, vote }`: from `voting_delay` after the proposal until the
//!   end of voting, a member with weight at the start height votes once.
//! - `ExecuteMsg::Execute { proposal_id }`: anyone (no executor restriction) runs a passed
//!   proposal from `voting end + timelock` (inclusive) until `execution_window` later
//!   (exclusive). If one of its messages fails, the whole execution reverts and the proposal
//!   stays `Passed`: it can be retried inside the window only.
//! - `ExecuteMsg::Close { proposal_id }`: anyone closes an unpassed proposal after voting ends
//!   (`Rejected`), or a passed one whose execution window is over (recorded as `Rejected`, its
//!   phase `Expired`, its deposit returned).
//! - `ExecuteMsg::UpdateTiming { timing }`: only the DAO itself (a passed proposal) changes the
//!   timing; each value is bounded ([`Timing::validate`]); open proposals keep theirs.
//! - `QueryMsg::Timeline { proposal_id }`: the proposal's [`Phase`] and its times.
//!
//! Threshold and quorum are `Threshold::ThresholdQuorum`: after voting ends a proposal passed
//! when the votes cast reach `quorum` of the total weight at the snapshot and the yes votes
//! reach `threshold` of the votes cast (minus abstentions). Before voting ends it counts as
//! passed only if the yes votes already reach the threshold counting every missing vote as no
//! (it still cannot execute before voting end + timelock).

use cosmwasm_schema::{cw_serde, QueryResponses};
use cosmwasm_std::{CosmosMsg, Decimal, Empty, Timestamp, Uint128};

pub use cw3::{
    DepositInfo, ProposalListResponse, ProposalResponse, Status, UncheckedDepositInfo, Vote,
    VoteInfo, VoteListResponse, VoteResponse, VoterDetail, VoterListResponse, VoterResponse,
};
pub use cw3_flex_multisig::msg::{
    ExecuteMsg as MultisigExecuteMsg, InstantiateMsg as MultisigInstantiateMsg,
    QueryMsg as MultisigQueryMsg,
};
pub use cw3_flex_multisig::state::{Config as ConfigResponse, Executor};
pub use cw4::MemberChangedHookMsg;
pub use cw_utils::{Duration, Expiration, Threshold, ThresholdResponse};

/// One day in seconds.
const DAY: u64 = 24 * 60 * 60;

/// Default share of the votes cast (minus abstentions) that must be yes: 50 %.
pub const DEFAULT_THRESHOLD: Decimal = Decimal::percent(50);
/// Default share of the total weight that must vote: 33 %.
pub const DEFAULT_QUORUM: Decimal = Decimal::percent(33);
/// Default seconds between proposing and voting opening: 1 day.
pub const DEFAULT_VOTING_DELAY: u64 = DAY;
/// Default seconds voting stays open: 3 days.
pub const DEFAULT_VOTING_PERIOD: u64 = 3 * DAY;
/// Default seconds between the end of voting and the earliest execution: 2 days.
pub const DEFAULT_TIMELOCK: u64 = 2 * DAY;
/// Default seconds a passed proposal stays executable once its timelock is over: 7 days.
pub const DEFAULT_EXECUTION_WINDOW: u64 = 7 * DAY;

/// Largest voting delay: 30 days.
pub const MAX_VOTING_DELAY: u64 = 30 * DAY;
/// Smallest voting period: 1 second (0 would let nobody vote).
pub const MIN_VOTING_PERIOD: u64 = 1;
/// Largest voting period: 30 days.
pub const MAX_VOTING_PERIOD: u64 = 30 * DAY;
/// Largest timelock: 30 days.
pub const MAX_TIMELOCK: u64 = 30 * DAY;
/// Smallest execution window: 1 second (0 would let nothing execute).
pub const MIN_EXECUTION_WINDOW: u64 = 1;
/// Largest execution window: 90 days.
pub const MAX_EXECUTION_WINDOW: u64 = 90 * DAY;

/// The DAO's timing, in seconds of block time; fixed per proposal when it is opened.
#[cw_serde]
#[derive(Copy)]
pub struct Timing {
    /// Seconds between proposing and voting opening (0 to [`MAX_VOTING_DELAY`]).
    pub voting_delay: u64,
    /// Seconds voting stays open; no proposer can shorten it ([`MIN_VOTING_PERIOD`] to
    /// [`MAX_VOTING_PERIOD`]).
    pub voting_period: u64,
    /// Seconds between the end of voting and the earliest execution (0 to [`MAX_TIMELOCK`]).
    pub timelock: u64,
    /// Seconds a passed proposal stays executable after its timelock; after it the proposal
    /// lapses ([`MIN_EXECUTION_WINDOW`] to [`MAX_EXECUTION_WINDOW`]).
    pub execution_window: u64,
}

impl Default for Timing {
    /// 1-day delay, 3-day voting, 2-day timelock, 7-day execution window.
    fn default() -> Self {
        Timing {
            voting_delay: DEFAULT_VOTING_DELAY,
            voting_period: DEFAULT_VOTING_PERIOD,
            timelock: DEFAULT_TIMELOCK,
            execution_window: DEFAULT_EXECUTION_WINDOW,
        }
    }
}

/// A [`Timing`] value outside its bounds: the field, the value and the bounds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TimingOutOfBounds {
    /// Name of the field (`voting_delay`, `voting_period`, `timelock`, `execution_window`).
    pub field: &'static str,
    /// The value given.
    pub value: u64,
    /// Smallest allowed value.
    pub min: u64,
    /// Largest allowed value.
    pub max: u64,
}

impl Timing {
    /// Every field within its bounds (the first one outside is reported).
    pub fn validate(&self) -> Result<(), TimingOutOfBounds> {
        let bounds = [
            ("voting_delay", self.voting_delay, 0, MAX_VOTING_DELAY),
            (
                "voting_period",
                self.voting_period,
                MIN_VOTING_PERIOD,
                MAX_VOTING_PERIOD,
            ),
            ("timelock", self.timelock, 0, MAX_TIMELOCK),
            (
                "execution_window",
                self.execution_window,
                MIN_EXECUTION_WINDOW,
                MAX_EXECUTION_WINDOW,
            ),
        ];
        match bounds
            .into_iter()
            .find(|(_, value, min, max)| value < min || value > max)
        {
            Some((field, value, min, max)) => Err(TimingOutOfBounds {
                field,
                value,
                min,
                max,
            }),
            None => Ok(()),
        }
    }

    /// The times of a proposal opened at `proposed_at` (within the bounds every sum stays below
    /// 200 days, far from overflowing a `Timestamp`).
    pub fn timeline(&self, proposed_at: Timestamp) -> ProposalTimes {
        let voting_starts = proposed_at.plus_seconds(self.voting_delay);
        let voting_ends = voting_starts.plus_seconds(self.voting_period);
        let executable_from = voting_ends.plus_seconds(self.timelock);
        let executable_until = executable_from.plus_seconds(self.execution_window);
        ProposalTimes {
            proposed_at,
            voting_starts,
            voting_ends,
            executable_from,
            executable_until,
        }
    }

    /// Seconds from proposing to the earliest execution: delay + period + timelock.
    pub fn to_execution(&self) -> u64 {
        self.voting_delay
            .saturating_add(self.voting_period)
            .saturating_add(self.timelock)
    }
}

/// The times of one proposal, fixed when it is opened.
#[cw_serde]
pub struct ProposalTimes {
    /// Block time of the `Propose`.
    pub proposed_at: Timestamp,
    /// First second votes are accepted (`proposed_at + voting_delay`).
    pub voting_starts: Timestamp,
    /// First second votes are refused (`voting_starts + voting_period`); the cw3 `expires`.
    pub voting_ends: Timestamp,
    /// First second a passed proposal can be executed (`voting_ends + timelock`).
    pub executable_from: Timestamp,
    /// First second a passed proposal can no longer be executed
    /// (`executable_from + execution_window`).
    pub executable_until: Timestamp,
}

/// Where a proposal stands (OpenZeppelin Governor's states, without cancel).
#[cw_serde]
#[derive(Copy)]
pub enum Phase {
    /// Opened; voting not yet open.
    Pending,
    /// Voting open.
    Active,
    /// Voting over and not passed (or closed unpassed).
    Rejected,
    /// Passed; in the timelock.
    Queued,
    /// Passed, timelock over, execution window open.
    Executable,
    /// Executed.
    Executed,
    /// Passed but not executed within its execution window (closed or not).
    Expired,
}

/// `QueryMsg::Timeline`: a proposal's phase now and its times.
#[cw_serde]
pub struct TimelineResponse {
    /// The proposal.
    pub proposal_id: u64,
    /// Its phase at the current block.
    pub phase: Phase,
    /// Height whose start the weights and total are read at.
    pub snapshot_height: u64,
    /// Total weight at the snapshot (what quorum is measured against).
    pub total_weight: u64,
    /// Its times.
    pub times: ProposalTimes,
}

/// How a deployment configures the DAO (turned into an [`InstantiateMsg`] by [`DaoParams::msg`]).
#[cw_serde]
pub struct DaoParams {
    /// Share of the votes cast (minus abstentions) that must be yes.
    pub threshold: Decimal,
    /// Share of the total weight at the snapshot that must vote.
    pub quorum: Decimal,
    /// Seconds between proposing and voting opening.
    pub voting_delay: u64,
    /// Seconds voting stays open (fixed: no proposer can shorten it).
    pub voting_period: u64,
    /// Seconds between the end of voting and the earliest execution.
    pub timelock: u64,
    /// Seconds a passed proposal stays executable after its timelock.
    pub execution_window: u64,
    /// Proposal deposit in base units of the ACN token (`None` = no deposit).
    pub deposit: Option<Uint128>,
    /// Whether a rejected proposal's deposit is returned.
    pub refund_failed_proposals: bool,
}

impl Default for DaoParams {
    /// 50 % threshold, 33 % quorum, the default [`Timing`] (1 d + 3 d + 2 d, 7-day window), no
    /// deposit.
    fn default() -> Self {
        DaoParams::with_timing(Timing::default())
    }
}

impl DaoParams {
    /// 50 % threshold, 33 % quorum, no deposit, and this timing.
    pub fn with_timing(timing: Timing) -> Self {
        DaoParams {
            threshold: DEFAULT_THRESHOLD,
            quorum: DEFAULT_QUORUM,
            voting_delay: timing.voting_delay,
            voting_period: timing.voting_period,
            timelock: timing.timelock,
            execution_window: timing.execution_window,
            deposit: None,
            refund_failed_proposals: true,
        }
    }

    /// Timing for a local node with ~0.5 s blocks (tests, localnet, gas measurements): 1 s
    /// delay, 10 s voting, 1 s timelock, 1-hour window. Never for a real network.
    pub fn localnet() -> Self {
        DaoParams::with_timing(Timing {
            voting_delay: 1,
            voting_period: 10,
            timelock: 1,
            execution_window: 60 * 60,
        })
    }

    /// The timing part.
    pub fn timing(&self) -> Timing {
        Timing {
            voting_delay: self.voting_delay,
            voting_period: self.voting_period,
            timelock: self.timelock,
            execution_window: self.execution_window,
        }
    }

    /// The DAO's instantiate message: `staking` is the cw4 group, `token` the deposit's CW20;
    /// anyone may execute a passed proposal.
    pub fn msg(&self, staking: &str, token: &str) -> InstantiateMsg {
        let timing = self.timing();
        InstantiateMsg {
            multisig: MultisigInstantiateMsg {
                group_addr: staking.to_string(),
                threshold: Threshold::ThresholdQuorum {
                    threshold: self.threshold,
                    quorum: self.quorum,
                },
                max_voting_period: Duration::Time(
                    timing.voting_delay.saturating_add(timing.voting_period),
                ),
                executor: None,
                proposal_deposit: self.deposit.map(|amount| UncheckedDepositInfo {
                    amount,
                    denom: cw20::UncheckedDenom::Cw20(token.to_string()),
                    refund_failed_proposals: self.refund_failed_proposals,
                }),
            },
            timing,
        }
    }
}

/// `acn-dao`'s instantiate: cw3-flex-multisig's, plus the timing.
#[cw_serde]
pub struct InstantiateMsg {
    /// cw3-flex-multisig's instantiate (group, threshold with quorum, executor, deposit). Its
    /// `max_voting_period` is replaced by `voting_delay + voting_period`.
    pub multisig: MultisigInstantiateMsg,
    /// Voting delay, voting period, timelock and execution window.
    pub timing: Timing,
}

/// `acn-dao`'s execute messages: cw3-flex-multisig's (same JSON), plus `UpdateTiming`.
#[cw_serde]
pub enum ExecuteMsg {
    /// Open a proposal (a member now; its yes counts with its weight at the start height).
    Propose {
        /// Short title.
        title: String,
        /// What it does and why.
        description: String,
        /// Messages the DAO runs when the proposal is executed.
        msgs: Vec<CosmosMsg<Empty>>,
        /// Must be `None`: the voting period is fixed by the DAO.
        latest: Option<Expiration>,
    },
    /// Vote on an active proposal with the weight at its start height.
    Vote {
        /// The proposal.
        proposal_id: u64,
        /// Yes, no, abstain or veto.
        vote: Vote,
    },
    /// Run a passed proposal's messages inside its execution window (anyone).
    Execute {
        /// The proposal.
        proposal_id: u64,
    },
    /// Close a proposal that can no longer pass or execute (anyone).
    Close {
        /// The proposal.
        proposal_id: u64,
    },
    /// cw4 hook from the group (staking); accepted from the group only, changes nothing.
    MemberChangedHook(MemberChangedHookMsg),
    /// Replace the timing (the DAO itself only, i.e. by proposal); open proposals keep theirs.
    UpdateTiming {
        /// The new timing, each value within its bounds.
        timing: Timing,
    },
}

/// `acn-dao`'s queries: cw3-flex-multisig's (same JSON), plus `Timing` and `Timeline`.
#[cw_serde]
#[derive(QueryResponses)]
pub enum QueryMsg {
    /// Threshold with the current total weight.
    #[returns(ThresholdResponse)]
    Threshold {},
    /// One proposal (status as cw3 computes it; see `Timeline` for the phase).
    #[returns(ProposalResponse)]
    Proposal {
        /// The proposal.
        proposal_id: u64,
    },
    /// Proposals in id order.
    #[returns(ProposalListResponse)]
    ListProposals {
        /// Exclusive lower bound.
        start_after: Option<u64>,
        /// Page size (at most 30).
        limit: Option<u32>,
    },
    /// Proposals newest first.
    #[returns(ProposalListResponse)]
    ReverseProposals {
        /// Exclusive upper bound.
        start_before: Option<u64>,
        /// Page size (at most 30).
        limit: Option<u32>,
    },
    /// One voter's ballot on a proposal.
    #[returns(VoteResponse)]
    Vote {
        /// The proposal.
        proposal_id: u64,
        /// The voter.
        voter: String,
    },
    /// Ballots on a proposal.
    #[returns(VoteListResponse)]
    ListVotes {
        /// The proposal.
        proposal_id: u64,
        /// Exclusive lower bound (voter address).
        start_after: Option<String>,
        /// Page size (at most 30).
        limit: Option<u32>,
    },
    /// A member's weight now.
    #[returns(VoterResponse)]
    Voter {
        /// The member.
        address: String,
    },
    /// Members with their weights now.
    #[returns(VoterListResponse)]
    ListVoters {
        /// Exclusive lower bound.
        start_after: Option<String>,
        /// Page size (at most 30).
        limit: Option<u32>,
    },
    /// cw3-flex-multisig's configuration.
    #[returns(ConfigResponse)]
    Config {},
    /// The DAO's timing for new proposals.
    #[returns(Timing)]
    Timing {},
    /// A proposal's phase and times.
    #[returns(TimelineResponse)]
    Timeline {
        /// The proposal.
        proposal_id: u64,
    },
}

/// Migration parameters of the DAO.
#[cw_serde]
#[derive(Default)]
pub struct MigrateMsg {
    /// Timing to store when the migrated DAO has none (from a version without timing);
    /// `None` = [`Timing::default`]. Ignored when a timing is already stored.
    #[serde(default)]
    pub timing: Option<Timing>,
}

//! Errors of `acn-dao`: cw3-flex-multisig's, and the timing rules it adds.

use cosmwasm_std::{StdError, Timestamp};
use thiserror::Error;

use acn_interface::dao::TimingOutOfBounds;

/// Everything `acn-dao` can refuse.
#[derive(Error, Debug, PartialEq)]
pub enum ContractError {
    /// Storage, serialization or query failure.
    #[error(transparent)]
    Std(#[from] StdError),

    /// Refused by the engine (cw3-flex-multisig): unauthorized, already voted, wrong status…
    #[error(transparent)]
    Multisig(#[from] cw3_flex_multisig::ContractError),

    /// `Propose` with a `latest`: the voting period is fixed by the DAO.
    #[error("`latest` is not accepted: the voting period is fixed by the DAO (this proposal's voting would end at {voting_ends})")]
    LatestNotAllowed {
        /// When voting on the proposal would end.
        voting_ends: Timestamp,
    },

    /// `Propose` when the group's total weight at the start height is 0.
    #[error("no voting weight at the snapshot height {height}: bond stake before proposing")]
    NoWeightAtSnapshot {
        /// The proposal's start height.
        height: u64,
    },

    /// `Vote` during the voting delay.
    #[error("voting on proposal {proposal_id} opens at {opens_at}")]
    VotingNotOpen {
        /// The proposal.
        proposal_id: u64,
        /// First second votes are accepted.
        opens_at: Timestamp,
    },

    /// `Execute` before voting end + timelock.
    #[error("proposal {proposal_id} cannot execute before {ready_at} (voting end + timelock)")]
    ExecutionTooEarly {
        /// The proposal.
        proposal_id: u64,
        /// First second it can execute.
        ready_at: Timestamp,
    },

    /// `Execute` after the execution window.
    #[error("proposal {proposal_id} expired at {expired_at}: its execution window is over")]
    ExecutionWindowOver {
        /// The proposal.
        proposal_id: u64,
        /// First second it could no longer execute.
        expired_at: Timestamp,
    },

    /// `UpdateTiming` with a value outside its bounds.
    #[error("{} {} out of bounds [{}, {}] seconds", .0.field, .0.value, .0.min, .0.max)]
    TimingOutOfBounds(TimingOutOfBounds),

    /// `UpdateTiming` not sent by the DAO itself.
    #[error("only the DAO itself (a passed proposal) can update its timing")]
    NotSelf {},

    /// A proposal without an `acn-dao` timeline (opened before the timing existed).
    #[error("proposal {proposal_id} has no timeline (opened by an older version of the DAO)")]
    NoTimeline {
        /// The proposal.
        proposal_id: u64,
    },
}

impl From<TimingOutOfBounds> for ContractError {
    fn from(e: TimingOutOfBounds) -> Self {
        ContractError::TimingOutOfBounds(e)
    }
}

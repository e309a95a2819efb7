//! Governance: the DAO is cw3-flex-multisig 2.0 (cw-plus) with the staking contract as its cw4
//! group, so a member's voting weight is its bonded stake (`bonded / tokens_per_weight`) and a
//! proposal counts every vote at the weight the voter had at the proposal's start height.
//!
//! The DAO owns (cw-ownable) the token, staking, treasury and market, and is the wasm admin of
//! every contract including itself; a passed proposal's `CosmosMsg`s run as the DAO. Its
//! messages are cw3-flex-multisig's own, re-exported here so that clients import one crate:
//!
//! - `ExecuteMsg::Propose { title, description, msgs, latest }`: a member (weight > 0 now)
//!   opens a proposal and votes yes with its current weight; with a CW20 deposit configured the
//!   proposer must first `IncreaseAllowance` the DAO for it (taken by `TransferFrom`, returned on
//!   execution, and on a rejected proposal only if `refund_failed_proposals`).
//! - `ExecuteMsg::Vote { proposal_id, vote }`: a member with weight at the start height votes.
//! - `ExecuteMsg::Execute { proposal_id }`: anyone (no executor restriction) runs a passed
//!   proposal; if one of its messages fails, the whole execution reverts and the proposal stays
//!   `Passed`.
//! - `ExecuteMsg::Close { proposal_id }`: anyone closes an expired, unpassed proposal.
//!
//! Threshold and quorum are `Threshold::ThresholdQuorum`: a proposal passes when yes votes reach
//! `threshold` of the votes cast (minus abstentions) and the votes cast reach `quorum` of the
//! total weight at the time of the proposal; before expiry, only if the yes votes already
//! reach the threshold counting every missing vote as no.

use cosmwasm_schema::cw_serde;
use cosmwasm_std::{Decimal, Uint128};

pub use cw3::{
    DepositInfo, ProposalListResponse, ProposalResponse, Status, UncheckedDepositInfo, Vote,
    VoteInfo, VoteListResponse, VoteResponse, VoterDetail, VoterListResponse, VoterResponse,
};
pub use cw3_flex_multisig::msg::{ExecuteMsg, InstantiateMsg, QueryMsg};
pub use cw3_flex_multisig::state::{Config as ConfigResponse, Executor};
pub use cw_utils::{Duration, Expiration, Threshold, ThresholdResponse};

/// Default share of the votes cast (minus abstentions) that must be yes: 50 %.
pub const DEFAULT_THRESHOLD: Decimal = Decimal::percent(50);
/// Default share of the total weight that must vote: 33 %.
pub const DEFAULT_QUORUM: Decimal = Decimal::percent(33);
/// Default voting period: 3 days.
pub const DEFAULT_VOTING_PERIOD: Duration = Duration::Time(3 * 24 * 60 * 60);

/// How a deployment configures the DAO (turned into an [`InstantiateMsg`] by [`DaoParams::msg`]).
#[cw_serde]
pub struct DaoParams {
    /// Share of the votes cast (minus abstentions) that must be yes.
    pub threshold: Decimal,
    /// Share of the total weight that must vote.
    pub quorum: Decimal,
    /// How long a proposal stays open.
    pub voting_period: Duration,
    /// Proposal deposit in base units of the ACN token (`None` = no deposit).
    pub deposit: Option<Uint128>,
    /// Whether a rejected proposal's deposit is returned.
    pub refund_failed_proposals: bool,
}

impl Default for DaoParams {
    /// 50 % threshold, 33 % quorum, 3-day voting, no deposit.
    fn default() -> Self {
        DaoParams {
            threshold: DEFAULT_THRESHOLD,
            quorum: DEFAULT_QUORUM,
            voting_period: DEFAULT_VOTING_PERIOD,
            deposit: None,
            refund_failed_proposals: true,
        }
    }
}

impl DaoParams {
    /// The DAO's instantiate message: `staking` is the cw4 group, `token` the deposit's CW20;
    /// anyone may execute a passed proposal.
    pub fn msg(&self, staking: &str, token: &str) -> InstantiateMsg {
        InstantiateMsg {
            group_addr: staking.to_string(),
            threshold: Threshold::ThresholdQuorum {
                threshold: self.threshold,
                quorum: self.quorum,
            },
            max_voting_period: self.voting_period,
            executor: None,
            proposal_deposit: self.deposit.map(|amount| UncheckedDepositInfo {
                amount,
                denom: cw20::UncheckedDenom::Cw20(token.to_string()),
                refund_failed_proposals: self.refund_failed_proposals,
            }),
        }
    }
}

/// Migration parameters of the DAO (none yet).
#[cw_serde]
pub struct MigrateMsg {}

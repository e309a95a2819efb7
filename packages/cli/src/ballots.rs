//! What `acn gov show ID` prints — a proposal's phase, tally, ballots and (with `--from`) the
//! voter's weight at the proposal's snapshot — and `acn gov close ID`.

use serde::Serialize;

use acn_client::amount::{format_relative, format_utc};
use acn_client::{governance, Chain, ChainExt, TxResult};
use acn_interface::{dao, staking};

/// Votes per option, in weight.
#[derive(Clone, Debug, Default, Serialize, PartialEq, Eq)]
pub struct Tally {
    /// Yes.
    pub yes: u64,
    /// No.
    pub no: u64,
    /// Abstain.
    pub abstain: u64,
    /// Veto.
    pub veto: u64,
}

impl Tally {
    /// Every weight cast.
    pub fn cast(&self) -> u64 {
        self.yes + self.no + self.abstain + self.veto
    }
}

/// One ballot.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Ballot {
    /// Voter address.
    pub voter: String,
    /// yes, no, abstain or veto.
    pub vote: String,
    /// Weight at the snapshot.
    pub weight: u64,
}

/// A voter's standing on the proposal.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct YourWeight {
    /// The voter.
    pub address: String,
    /// Weight at the proposal's snapshot (what a vote counts with).
    pub weight_at_snapshot: u64,
    /// Weight now.
    pub weight_now: u64,
    /// Its ballot, if it voted.
    pub vote: Option<String>,
}

/// A proposal as `acn gov show` prints it.
#[derive(Clone, Debug, Serialize)]
pub struct ProposalView {
    /// Id.
    pub id: u64,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Proposer.
    pub proposer: String,
    /// cw3 status.
    pub status: dao::Status,
    /// Phase (Pending, Active, Rejected, Queued, Executable, Executed, Expired).
    pub phase: dao::Phase,
    /// Messages it runs.
    pub msgs: usize,
    /// Height whose start every weight is read at.
    pub snapshot_height: u64,
    /// Total weight at the snapshot.
    pub total_weight: u64,
    /// Share of the votes cast (minus abstentions) that must be yes, and of the total that must
    /// vote, as decimals (`"0.5"`, `"0.33"`).
    pub threshold: Option<String>,
    /// Quorum share.
    pub quorum: Option<String>,
    /// Votes by option.
    pub tally: Tally,
    /// Every ballot.
    pub votes: Vec<Ballot>,
    /// The `--from` voter's weight and ballot.
    pub you: Option<YourWeight>,
    /// Times (unix seconds): proposed, voting starts, voting ends, executable from, until.
    pub times: dao::ProposalTimes,
    /// Chain time the view was read at.
    pub now: u64,
}

fn vote_name(v: dao::Vote) -> String {
    format!("{v:?}").to_lowercase()
}

/// Read proposal `id` of the DAO at `dao_addr`: its phase, tally, every ballot and, for
/// `voter` (an address), its weight at the snapshot (read from `staking`, the DAO's group).
pub fn proposal_view(
    chain: &(impl Chain + ?Sized),
    dao_addr: &str,
    staking_addr: &str,
    id: u64,
    voter: Option<&str>,
) -> anyhow::Result<ProposalView> {
    let p = governance::proposal(chain, dao_addr, id)?;
    let t = governance::timeline(chain, dao_addr, id)?;
    let mut votes = vec![];
    let mut start_after = None;
    loop {
        let page: dao::VoteListResponse = chain.query(
            dao_addr,
            &dao::QueryMsg::ListVotes {
                proposal_id: id,
                start_after: start_after.clone(),
                limit: Some(30),
            },
        )?;
        let Some(last) = page.votes.last() else { break };
        start_after = Some(last.voter.clone());
        votes.extend(page.votes);
    }
    let mut tally = Tally::default();
    for v in &votes {
        match v.vote {
            dao::Vote::Yes => tally.yes += v.weight,
            dao::Vote::No => tally.no += v.weight,
            dao::Vote::Abstain => tally.abstain += v.weight,
            dao::Vote::Veto => tally.veto += v.weight,
        }
    }
    let (threshold, quorum) = match &p.threshold {
        dao::ThresholdResponse::ThresholdQuorum {
            threshold, quorum, ..
        } => (Some(threshold.to_string()), Some(quorum.to_string())),
        dao::ThresholdResponse::AbsolutePercentage { percentage, .. } => {
            (Some(percentage.to_string()), None)
        }
        dao::ThresholdResponse::AbsoluteCount { weight, .. } => (Some(weight.to_string()), None),
    };
    let you = voter
        .map(|address| -> anyhow::Result<YourWeight> {
            let at = |height: Option<u64>| -> anyhow::Result<u64> {
                let m: staking::MemberResponse = chain.query(
                    staking_addr,
                    &staking::QueryMsg::Member {
                        addr: address.to_string(),
                        at_height: height,
                    },
                )?;
                Ok(m.weight.unwrap_or(0))
            };
            Ok(YourWeight {
                address: address.to_string(),
                weight_at_snapshot: at(Some(t.snapshot_height))?,
                weight_now: at(None)?,
                vote: votes
                    .iter()
                    .find(|v| v.voter == address)
                    .map(|v| vote_name(v.vote)),
            })
        })
        .transpose()?;
    Ok(ProposalView {
        id,
        title: p.title,
        description: p.description,
        proposer: p.proposer.to_string(),
        status: p.status,
        phase: t.phase,
        msgs: p.msgs.len(),
        snapshot_height: t.snapshot_height,
        total_weight: t.total_weight,
        threshold,
        quorum,
        tally,
        votes: votes
            .into_iter()
            .map(|v| Ballot {
                voter: v.voter,
                vote: vote_name(v.vote),
                weight: v.weight,
            })
            .collect(),
        you,
        times: t.times,
        now: chain.block()?.time,
    })
}

fn pct(part: u64, whole: u64) -> String {
    if whole == 0 {
        "-".into()
    } else {
        format!("{:.1} %", 100.0 * part as f64 / whole as f64)
    }
}

impl ProposalView {
    /// The proposal in lines.
    pub fn render(&self) -> String {
        let mut s = format!(
            "proposal {}: {} ({:?}, {} messages)\n",
            self.id, self.title, self.status, self.msgs
        );
        s += &format!(
            "  phase {:?}; snapshot at height {} (total weight {})\n",
            self.phase, self.snapshot_height, self.total_weight
        );
        s += &format!("  proposer {}\n", self.proposer);
        for (name, at) in [
            ("voting opens", self.times.voting_starts),
            ("voting ends", self.times.voting_ends),
            ("executable from", self.times.executable_from),
            ("expires", self.times.executable_until),
        ] {
            s += &format!(
                "  {name:<16} {} ({})\n",
                format_utc(at.seconds()),
                format_relative(at.seconds(), self.now)
            );
        }
        let t = &self.tally;
        s += &format!(
            "  tally: yes {} · no {} · abstain {} · veto {} — {} of {} cast ({}; quorum {}, threshold {})\n",
            t.yes,
            t.no,
            t.abstain,
            t.veto,
            t.cast(),
            self.total_weight,
            pct(t.cast(), self.total_weight),
            self.quorum.as_deref().unwrap_or("-"),
            self.threshold.as_deref().unwrap_or("-"),
        );
        for b in &self.votes {
            s += &format!("  vote  {:<8} {:>12}  {}\n", b.vote, b.weight, b.voter);
        }
        if let Some(y) = &self.you {
            s += &format!(
                "  you ({}): weight {} at the snapshot (now {}); {}\n",
                y.address,
                y.weight_at_snapshot,
                y.weight_now,
                match &y.vote {
                    Some(v) => format!("voted {v}"),
                    None if y.weight_at_snapshot == 0 =>
                        "no weight at the snapshot: cannot vote on this proposal".into(),
                    None => "not voted".into(),
                }
            );
        }
        s
    }
}

/// Close proposal `id` as `account` (a proposal voted down or expired unpassed, or a passed one
/// whose execution window is over); refused by the DAO otherwise.
pub fn close(
    chain: &(impl Chain + ?Sized),
    dao_addr: &str,
    account: &str,
    id: u64,
) -> anyhow::Result<TxResult> {
    Ok(chain.execute(
        account,
        dao_addr,
        &dao::ExecuteMsg::Close { proposal_id: id },
    )?)
}

//! Governance on the embedded chain: deploying the DAO over the suite (`SuiteBuilder::with_dao`)
//! and proposing, voting and executing as named accounts.

use anyhow::{anyhow, Result as AnyResult};
use cosmwasm_std::{to_json_binary, Addr, CosmosMsg, WasmMsg};
use cw_multi_test::AppResponse;
use serde::Serialize;

use acn_interface::{dao, market, staking, token, treasury};

use crate::{Suite, SuiteBuilder};

/// A `WasmMsg::Execute` of `msg` on `contract`, as a proposal message.
pub fn wasm_execute<M: Serialize>(contract: &Addr, msg: &M) -> CosmosMsg {
    CosmosMsg::Wasm(WasmMsg::Execute {
        contract_addr: contract.to_string(),
        msg: to_json_binary(msg).expect("serialize proposal message"),
        funds: vec![],
    })
}

impl SuiteBuilder {
    /// Govern the deployment by a DAO with these parameters: after everything is deployed, the
    /// DAO (staking as its cw4 group) becomes the wasm admin of every contract (itself included)
    /// and, through its first proposal, the cw-ownable owner of token, staking, treasury and
    /// market; staking is linked to the market (unbonding period ≥ max job lifetime).
    pub fn with_dao(mut self, params: dao::DaoParams) -> Self {
        self.dao = Some(params);
        self
    }
}

impl Suite {
    /// The DAO address (panics if the suite was built without it).
    pub fn dao(&self) -> Addr {
        self.dao.clone().expect("suite built without a DAO")
    }

    /// Every contract the DAO owns (cw-ownable): token, staking, treasury, and market if deployed.
    pub fn owned_contracts(&self) -> Vec<Addr> {
        let mut owned = vec![
            self.token.clone(),
            self.staking.clone(),
            self.treasury.clone(),
        ];
        owned.extend(self.market.clone());
        owned
    }

    /// Every deployed contract (the DAO's wasm-admin domain, the DAO included).
    pub fn all_contracts(&self) -> Vec<Addr> {
        let mut all = self.owned_contracts();
        all.extend(self.dao.clone());
        all
    }

    /// The contract's own `UpdateOwnership(action)` message (each contract has its own type).
    pub fn ownership_msg(&self, contract: &Addr, action: cw_ownable::Action) -> CosmosMsg {
        if *contract == self.token {
            wasm_execute(contract, &token::ExecuteMsg::UpdateOwnership(action))
        } else if *contract == self.staking {
            wasm_execute(contract, &staking::ExecuteMsg::UpdateOwnership(action))
        } else if *contract == self.treasury {
            wasm_execute(contract, &treasury::ExecuteMsg::UpdateOwnership(action))
        } else {
            wasm_execute(contract, &market::ExecuteMsg::UpdateOwnership(action))
        }
    }

    /// cw-ownable owner of a contract.
    pub fn owner_of(&self, contract: &Addr) -> Option<Addr> {
        let res: cw_ownable::Ownership<Addr> =
            self.query(contract, &staking::QueryMsg::Ownership {});
        res.owner
    }

    /// Wasm admin and code id of a contract.
    pub fn contract_info(&self, contract: &Addr) -> cosmwasm_std::ContractInfoResponse {
        self.app
            .wrap()
            .query_wasm_contract_info(contract)
            .expect("contract info")
    }

    /// The DAO's configuration (threshold, voting period, group, deposit).
    pub fn dao_config(&self) -> dao::ConfigResponse {
        self.query(&self.dao(), &dao::QueryMsg::Config {})
    }

    /// Open a proposal as a named account (approving the DAO for the deposit first, if one is
    /// configured); returns the proposal id.
    pub fn propose(&mut self, name: &str, title: &str, msgs: Vec<CosmosMsg>) -> AnyResult<u64> {
        let who = self.addr(name);
        self.propose_as(&who, title, msgs)
    }

    /// [`Suite::propose`] for any address.
    pub fn propose_as(&mut self, who: &Addr, title: &str, msgs: Vec<CosmosMsg>) -> AnyResult<u64> {
        let dao = self.dao();
        if let Some(deposit) = self.dao_config().proposal_deposit {
            self.execute(
                who,
                &self.token.clone(),
                &token::ExecuteMsg::IncreaseAllowance {
                    spender: dao.to_string(),
                    amount: deposit.amount,
                    expires: None,
                },
            )?;
        }
        let res = self.propose_raw(who, title, msgs)?;
        proposal_id_from(&res)
    }

    /// `Propose` exactly as given (no allowance for the deposit).
    pub fn propose_raw(
        &mut self,
        who: &Addr,
        title: &str,
        msgs: Vec<CosmosMsg>,
    ) -> AnyResult<AppResponse> {
        let dao = self.dao();
        self.execute(
            who,
            &dao,
            &dao::ExecuteMsg::Propose {
                title: title.into(),
                description: format!("{title} (test proposal)"),
                msgs,
                latest: None,
            },
        )
    }

    /// Vote as a named account.
    pub fn vote(
        &mut self,
        name: &str,
        proposal_id: u64,
        vote: dao::Vote,
    ) -> AnyResult<AppResponse> {
        let (who, dao) = (self.addr(name), self.dao());
        self.execute(&who, &dao, &dao::ExecuteMsg::Vote { proposal_id, vote })
    }

    /// Execute a passed proposal as a named account.
    pub fn execute_proposal(&mut self, name: &str, proposal_id: u64) -> AnyResult<AppResponse> {
        let who = self.addr(name);
        self.execute_proposal_as(&who, proposal_id)
    }

    /// [`Suite::execute_proposal`] for any address.
    pub fn execute_proposal_as(&mut self, who: &Addr, proposal_id: u64) -> AnyResult<AppResponse> {
        let dao = self.dao();
        self.execute(who, &dao, &dao::ExecuteMsg::Execute { proposal_id })
    }

    /// Close an unpassed proposal after voting, or a passed one after its execution window, as
    /// a named account.
    pub fn close_proposal(&mut self, name: &str, proposal_id: u64) -> AnyResult<AppResponse> {
        let (who, dao) = (self.addr(name), self.dao());
        self.execute(&who, &dao, &dao::ExecuteMsg::Close { proposal_id })
    }

    /// One proposal.
    pub fn proposal(&self, proposal_id: u64) -> dao::ProposalResponse {
        self.query(&self.dao(), &dao::QueryMsg::Proposal { proposal_id })
    }

    /// A voter's weight as the DAO sees it now.
    pub fn voter_weight(&self, name: &str) -> Option<u64> {
        let res: dao::VoterResponse = self.query(
            &self.dao(),
            &dao::QueryMsg::Voter {
                address: self.addr(name).to_string(),
            },
        );
        res.weight
    }

    /// A recorded vote on a proposal.
    pub fn vote_of(&self, proposal_id: u64, name: &str) -> Option<dao::VoteInfo> {
        let res: dao::VoteResponse = self.query(
            &self.dao(),
            &dao::QueryMsg::Vote {
                proposal_id,
                voter: self.addr(name).to_string(),
            },
        );
        res.vote
    }

    /// A proposal's phase and times.
    pub fn timeline(&self, proposal_id: u64) -> dao::TimelineResponse {
        self.query(&self.dao(), &dao::QueryMsg::Timeline { proposal_id })
    }

    /// The DAO's timing for new proposals.
    pub fn dao_timing(&self) -> dao::Timing {
        self.query(&self.dao(), &dao::QueryMsg::Timing {})
    }

    /// Move block time forward to `time` (nothing if it is already there), at least one block
    /// per `BLOCK_SECONDS`.
    pub fn advance_to(&mut self, time: cosmwasm_std::Timestamp) {
        let now = self.block().time;
        if time > now {
            self.advance_time(time.seconds() - now.seconds());
        }
    }

    /// Move time to the opening of a proposal's voting (end of its voting delay).
    pub fn advance_to_voting(&mut self, proposal_id: u64) {
        let at = self.timeline(proposal_id).times.voting_starts;
        self.advance_to(at);
    }

    /// Move time to the end of a proposal's voting.
    pub fn advance_to_voting_end(&mut self, proposal_id: u64) {
        let at = self.timeline(proposal_id).times.voting_ends;
        self.advance_to(at);
    }

    /// Move time to the first second a passed proposal can execute (voting end + timelock).
    pub fn advance_to_execution(&mut self, proposal_id: u64) {
        let at = self.timeline(proposal_id).times.executable_from;
        self.advance_to(at);
    }

    /// Propose as `proposer`, wait out the voting delay, vote yes with each of `voters`, and
    /// return the id; the proposal is expected to have passed (asserted by the caller where it
    /// matters). It executes after [`Suite::advance_to_execution`].
    pub fn propose_and_pass(
        &mut self,
        proposer: &str,
        voters: &[&str],
        title: &str,
        msgs: Vec<CosmosMsg>,
    ) -> AnyResult<u64> {
        let id = self.propose(proposer, title, msgs)?;
        self.advance_to_voting(id);
        for voter in voters {
            self.vote(voter, id, dao::Vote::Yes)?;
        }
        Ok(id)
    }
}

/// The `proposal_id` attribute of a `Propose` response.
pub fn proposal_id_from(res: &AppResponse) -> AnyResult<u64> {
    res.events
        .iter()
        .flat_map(|e| e.attributes.iter())
        .find(|a| a.key == "proposal_id")
        .ok_or_else(|| anyhow!("no proposal_id attribute"))?
        .value
        .parse()
        .map_err(|e| anyhow!("bad proposal_id: {e}"))
}

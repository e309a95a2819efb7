//! The deployment routine: a [`DeployPlan`] run step by step over any [`Deployer`].

use cosmwasm_std::{to_json_binary, Uint128};
use serde::Serialize;

use acn_interface::pool::AssetInfo;
use acn_interface::{
    agents, buyback, dao, emissions, market, moderation, oracle, pool, staking, subscriptions,
    token, treasury,
};

use super::{Contract, DeployPlan, Deployer, DeploymentRecord};
use crate::{governance, ChainError, ChainExt, TxResult};

/// The last step: everything before it is done.
pub(super) const COMPLETE: &str = "complete";

/// One transaction of a deployment.
#[derive(Clone, Debug)]
pub struct DeployStep {
    /// What it did (`store token`, `instantiate market`, …).
    pub name: String,
    /// The contract it concerns (`token`, `staking`, …).
    pub contract: String,
    /// Its result (gas, height, hash).
    pub tx: TxResult,
}

fn ser(e: impl std::fmt::Display) -> ChainError {
    ChainError::Serde(e.to_string())
}

/// A deployment in progress: the record so far, the transactions, and where to save.
struct Run<'a, D: Deployer + ?Sized> {
    d: &'a D,
    plan: &'a DeployPlan,
    owner: String,
    rec: DeploymentRecord,
    steps: Vec<DeployStep>,
    save: &'a mut dyn FnMut(&DeploymentRecord) -> Result<(), ChainError>,
}

impl<D: Deployer + ?Sized> Run<'_, D> {
    /// Record a finished step (and its transaction) and save the record.
    fn finish(
        &mut self,
        step: &str,
        contract: &str,
        tx: Option<&TxResult>,
    ) -> Result<(), ChainError> {
        if let Some(tx) = tx {
            self.rec.height = self.rec.height.max(tx.height);
            self.steps.push(DeployStep {
                name: step.to_string(),
                contract: contract.to_string(),
                tx: tx.clone(),
            });
        }
        self.rec.done.push(step.to_string());
        (self.save)(&self.rec)
    }

    /// Execute `msg` on `addr` as the owner as step `step`, unless it is done.
    fn exec<M: Serialize>(
        &mut self,
        step: &str,
        contract: Contract,
        addr: &str,
        msg: &M,
    ) -> Result<(), ChainError> {
        if self.rec.is_done(step) {
            return Ok(());
        }
        let msg = serde_json::to_vec(msg).map_err(ser)?;
        let tx = self.d.execute_json(&self.plan.owner, addr, &msg)?;
        self.finish(step, contract.name(), Some(&tx))
    }

    /// Instantiate `contract` (admin: the owner) as step `instantiate NAME`, unless it is done;
    /// its address.
    fn instantiate<M: Serialize>(
        &mut self,
        contract: Contract,
        msg: &M,
    ) -> Result<String, ChainError> {
        let step = format!("instantiate {}", contract.name());
        if self.rec.is_done(&step) {
            return self.address_of(contract);
        }
        let code_id = self.code_id(contract);
        let label = format!("{}-{}", self.plan.label_prefix, contract.name());
        let msg = serde_json::to_vec(msg).map_err(ser)?;
        let (addr, tx) =
            self.d
                .instantiate_json(&self.plan.owner, code_id, &msg, &label, Some(&self.owner))?;
        let d = &mut self.rec.deployment;
        match contract {
            Contract::Token => d.token = addr.clone(),
            Contract::Staking => d.staking = addr.clone(),
            Contract::Treasury => d.treasury = addr.clone(),
            Contract::Market => d.market = addr.clone(),
            Contract::Emissions => d.emissions = Some(addr.clone()),
            Contract::Pool => d.pool = Some(addr.clone()),
            Contract::Oracle => d.oracle = Some(addr.clone()),
            Contract::Buyback => d.buyback = Some(addr.clone()),
            Contract::Agents => d.agents = Some(addr.clone()),
            Contract::Subscriptions => d.subscriptions = Some(addr.clone()),
            Contract::Moderation => d.moderation = Some(addr.clone()),
            Contract::Dao => self.rec.dao = Some(addr.clone()),
        }
        self.finish(&step, contract.name(), Some(&tx))?;
        Ok(addr)
    }

    fn address_of(&self, contract: Contract) -> Result<String, ChainError> {
        let d = &self.rec.deployment;
        let addr = match contract {
            Contract::Token => Some(d.token.clone()),
            Contract::Staking => Some(d.staking.clone()),
            Contract::Treasury => Some(d.treasury.clone()),
            Contract::Market => Some(d.market.clone()),
            Contract::Emissions => d.emissions.clone(),
            Contract::Pool => d.pool.clone(),
            Contract::Oracle => d.oracle.clone(),
            Contract::Buyback => d.buyback.clone(),
            Contract::Agents => d.agents.clone(),
            Contract::Subscriptions => d.subscriptions.clone(),
            Contract::Moderation => d.moderation.clone(),
            Contract::Dao => self.rec.dao.clone(),
        };
        addr.filter(|a| !a.is_empty()).ok_or_else(|| {
            ChainError::Rejected(format!(
                "the deployment record marks {} instantiated but has no address for it",
                contract.name()
            ))
        })
    }

    fn code_id(&self, contract: Contract) -> u64 {
        let c = &self.rec.code_ids;
        match contract {
            Contract::Token => c.token,
            Contract::Staking => c.staking,
            Contract::Treasury => c.treasury,
            Contract::Market => c.market,
            Contract::Emissions => c.emissions,
            Contract::Pool => c.pool,
            Contract::Oracle => c.oracle,
            Contract::Buyback => c.buyback,
            Contract::Agents => c.agents,
            Contract::Subscriptions => c.subscriptions,
            Contract::Moderation => c.moderation,
            Contract::Dao => c.dao,
        }
    }

    /// Store every contract the plan needs.
    fn store(&mut self) -> Result<(), ChainError> {
        let plan = self.plan;
        for contract in Contract::ALL {
            let needed = match contract {
                Contract::Market => plan.market.is_some(),
                Contract::Emissions => plan.emissions.is_some(),
                Contract::Dao => plan.dao.is_some(),
                Contract::Pool | Contract::Oracle | Contract::Buyback => plan.pool.is_some(),
                Contract::Agents => plan.agents.is_some(),
                Contract::Subscriptions => plan.subscriptions.is_some(),
                Contract::Moderation => plan.moderation.is_some(),
                _ => true,
            };
            let step = format!("store {}", contract.name());
            if !needed || self.rec.is_done(&step) {
                continue;
            }
            let (id, tx) = self.d.store_code(&plan.owner, contract)?;
            let c = &mut self.rec.code_ids;
            *match contract {
                Contract::Token => &mut c.token,
                Contract::Staking => &mut c.staking,
                Contract::Treasury => &mut c.treasury,
                Contract::Market => &mut c.market,
                Contract::Emissions => &mut c.emissions,
                Contract::Pool => &mut c.pool,
                Contract::Oracle => &mut c.oracle,
                Contract::Buyback => &mut c.buyback,
                Contract::Agents => &mut c.agents,
                Contract::Subscriptions => &mut c.subscriptions,
                Contract::Moderation => &mut c.moderation,
                Contract::Dao => &mut c.dao,
            } = id;
            self.finish(&step, contract.name(), Some(&tx))?;
        }
        Ok(())
    }

    /// Every address the record lists must hold a contract on this chain.
    fn check_recorded(&self) -> Result<(), ChainError> {
        for contract in Contract::ALL {
            if !self
                .rec
                .is_done(&format!("instantiate {}", contract.name()))
            {
                continue;
            }
            let addr = self.address_of(contract)?;
            if !self.d.contract_exists(&addr)? {
                return Err(ChainError::Rejected(format!(
                    "the deployment record lists the {} at {addr}, but there is no contract \
                     there on chain {} (a reset chain?): move the record away to deploy anew",
                    contract.name(),
                    self.rec.deployment.chain_id
                )));
            }
        }
        Ok(())
    }
}

/// Run `plan` on `d`. `record` is a previous run's deployment record (from the deployment
/// file) or `None` for a fresh deployment: a finished record is only checked (and a matured
/// bootstrap claim paid to the treasury), an interrupted one resumes after its last step.
/// `save` is called with the record after every step (write it to the deployment file).
/// Returns the record and the transactions this run sent.
pub fn deploy<D: Deployer + ?Sized>(
    d: &D,
    plan: &DeployPlan,
    record: Option<DeploymentRecord>,
    save: &mut dyn FnMut(&DeploymentRecord) -> Result<(), ChainError>,
) -> Result<(DeploymentRecord, Vec<DeployStep>), ChainError> {
    let owner = d.address(&plan.owner)?;
    let chain_id = d.deployment().chain_id.clone();
    let rec = match record {
        Some(rec) => {
            if rec.deployment.chain_id != chain_id {
                return Err(ChainError::Rejected(format!(
                    "the deployment record is for chain {}, this chain is {chain_id}",
                    rec.deployment.chain_id
                )));
            }
            if rec.owner != owner {
                return Err(ChainError::Rejected(format!(
                    "the deployment record was deployed by {}, not by {} ({owner})",
                    rec.owner, plan.owner
                )));
            }
            rec
        }
        None => DeploymentRecord::empty(&chain_id, &owner),
    };
    let stable_market =
        plan.market.is_some() && plan.pool.as_ref().is_some_and(|p| p.stable_payments());
    if (plan.subscriptions.is_some() || plan.moderation.is_some()) && !stable_market {
        return Err(ChainError::Rejected(
            "plan.subscriptions and plan.moderation need a market that takes the stable asset \
             (plan.market and a seeded plan.pool)"
                .into(),
        ));
    }
    if plan.emissions.is_some() && plan.market.is_none() {
        return Err(ChainError::Rejected(
            "plan.emissions needs plan.market: emissions pay for work settled in the market".into(),
        ));
    }
    if plan.agents.is_some() && plan.market.is_none() {
        return Err(ChainError::Rejected(
            "plan.agents needs plan.market: agent runs are market jobs".into(),
        ));
    }
    let mut run = Run {
        d,
        plan,
        owner,
        rec,
        steps: vec![],
        save,
    };
    run.check_recorded()?;
    if !run.rec.is_complete() {
        run.store()?;
        contracts(&mut run)?;
        agent_registry(&mut run)?;
        subscriptions(&mut run)?;
        fund_treasury(&mut run)?;
        if let Some(params) = &plan.dao {
            hand_over(&mut run, params)?;
        }
        run.finish(COMPLETE, "", None)?;
    }
    repay_bootstrap(&mut run)?;
    Ok((run.rec, run.steps))
}

/// Instantiate and wire token, staking, treasury, market (models), emissions.
fn contracts<D: Deployer + ?Sized>(run: &mut Run<'_, D>) -> Result<(), ChainError> {
    let plan = run.plan;
    let mut initial_balances = vec![];
    for (name, amount) in &plan.token.balances {
        initial_balances.push(cw20::Cw20Coin {
            address: run.d.resolve(name)?,
            amount: Uint128::new(*amount),
        });
    }
    let token = run.instantiate(
        Contract::Token,
        &token::InstantiateMsg {
            owner: None,
            name: plan.token.name.clone(),
            symbol: plan.token.symbol.clone(),
            decimals: plan.token.decimals,
            initial_balances,
            mint: Some(cw20::MinterResponse {
                minter: run.owner.clone(),
                cap: Some(Uint128::new(plan.token.cap)),
            }),
            marketing: None,
        },
    )?;
    let s = &plan.staking;
    let staking_addr = run.instantiate(
        Contract::Staking,
        &staking::InstantiateMsg {
            owner: None,
            token: token.clone(),
            unbonding_period: Some(s.unbonding_period),
            max_claims: Some(s.max_claims),
            tokens_per_weight: Uint128::new(s.tokens_per_weight),
            min_bond: Uint128::new(s.min_bond),
            slashers: vec![],
            slash_destination: staking::SlashDestination::Burn,
            lock_tiers: None,
        },
    )?;
    let treasury_addr = run.instantiate(
        Contract::Treasury,
        &treasury::InstantiateMsg {
            owner: None,
            token: token.clone(),
            staking: Some(staking_addr.clone()),
            split: Some(plan.treasury.split.clone()),
        },
    )?;
    if s.slashes_to_treasury {
        run.exec(
            "staking: slashes to the treasury",
            Contract::Staking,
            &staking_addr,
            &staking::ExecuteMsg::UpdateConfig {
                unbonding_period: None,
                max_claims: None,
                min_bond: None,
                slash_destination: Some(staking::SlashDestination::Treasury {
                    address: treasury_addr.clone(),
                }),
            },
        )?;
    }
    acn_market(run)?;
    let Some(m) = &plan.market else {
        return Ok(());
    };
    // With a buyback vault, fees go to it (it burns, rewards stakers and funds the treasury
    // from what it buys); with a seeded pool the market prices in the stable asset too.
    let d = run.rec.deployment.clone();
    let fee_recipient = d.buyback.clone().unwrap_or_else(|| treasury_addr.clone());
    let stable = match (&plan.pool, &d.oracle) {
        (Some(p), Some(oracle)) if p.stable_payments() => Some(market::StablePayments {
            denom: p.stable_denom.clone(),
            oracle: oracle.clone(),
        }),
        _ => None,
    };
    let market_addr = run.instantiate(
        Contract::Market,
        &market::InstantiateMsg {
            owner: None,
            token: token.clone(),
            staking: staking_addr.clone(),
            treasury: fee_recipient,
            params: m.params.clone(),
            initial_unit_price: Uint128::new(m.initial_unit_price),
            stable,
        },
    )?;
    run.exec(
        "staking: market as slasher",
        Contract::Staking,
        &staking_addr,
        &staking::ExecuteMsg::UpdateSlashers {
            add: vec![market_addr.clone()],
            remove: vec![],
        },
    )?;
    for model in &m.models {
        run.exec(
            &format!("market: register model {}", model.id),
            Contract::Market,
            &market_addr,
            &market::ExecuteMsg::RegisterModel {
                model: model.clone(),
            },
        )?;
        if !run.rec.models.contains(&model.id) {
            run.rec.models.push(model.id.clone());
        }
    }
    if s.link_market {
        run.exec(
            "staking: link the market",
            Contract::Staking,
            &staking_addr,
            &staking::ExecuteMsg::SetMarket {
                address: Some(market_addr.clone()),
            },
        )?;
    }
    if let Some(e) = &plan.emissions {
        let emissions_addr = run.instantiate(
            Contract::Emissions,
            &emissions::InstantiateMsg {
                owner: None,
                token: token.clone(),
                market: Some(market_addr.clone()),
                staking: Some(staking_addr.clone()),
                epoch_seconds: e.epoch_seconds,
                genesis_time: None,
                params: e.params.clone(),
            },
        )?;
        if e.pool > 0 {
            run.exec(
                "fund the emissions pool",
                Contract::Token,
                &token,
                &token::ExecuteMsg::Send {
                    contract: emissions_addr.clone(),
                    amount: Uint128::new(e.pool),
                    msg: cosmwasm_std::to_json_binary(&emissions::ReceiveMsg::Fund {})
                        .map_err(ser)?,
                },
            )?;
        }
        run.exec(
            "market: report work to emissions",
            Contract::Market,
            &market_addr,
            &market::ExecuteMsg::SetEmissions {
                address: Some(emissions_addr),
            },
        )?;
    }
    consumers(run, &market_addr)
}

/// The contracts that buy jobs from the market: the moderation example (subscriptions, which
/// also buy agent runs, come after the agent registry: [`subscriptions`]).
fn consumers<D: Deployer + ?Sized>(
    run: &mut Run<'_, D>,
    market_addr: &str,
) -> Result<(), ChainError> {
    let plan = run.plan;
    if let Some(m) = &plan.moderation {
        run.instantiate(
            Contract::Moderation,
            &moderation::InstantiateMsg {
                market: market_addr.to_string(),
                model_id: m.model_id.clone(),
                flagged_labels: m.flagged_labels.clone(),
                redundancy: m.redundancy,
                callback_gas: m.callback_gas,
                job_lifetime: m.job_lifetime,
            },
        )?;
    }
    Ok(())
}

/// The agent registry on the market (after the market's models are registered).
fn agent_registry<D: Deployer + ?Sized>(run: &mut Run<'_, D>) -> Result<(), ChainError> {
    let Some(a) = &run.plan.agents else {
        return Ok(());
    };
    let market = run.rec.deployment.market.clone();
    run.instantiate(
        Contract::Agents,
        &agents::InstantiateMsg {
            owner: None,
            market,
            params: a.params.clone(),
        },
    )?;
    Ok(())
}

/// Subscriptions on the market, running agents on the registry when the plan has one (after
/// the agent registry, whose address they take).
fn subscriptions<D: Deployer + ?Sized>(run: &mut Run<'_, D>) -> Result<(), ChainError> {
    let Some(p) = &run.plan.subscriptions else {
        return Ok(());
    };
    let d = &run.rec.deployment;
    let msg = subscriptions::InstantiateMsg {
        owner: None,
        market: d.market.clone(),
        params: Some(p.params.clone()),
        agents: d.agents.clone(),
    };
    run.instantiate(Contract::Subscriptions, &msg)?;
    Ok(())
}

/// The ACN / stable pool (its share token of the token's code), the TWAP oracle on it, the
/// buyback vault (community share to the treasury), and the seed liquidity with the oracle's
/// first observation. Before the treasury is funded: the genesis plan's seed ACN is the part
/// of the deployer's balance the treasury does not get.
fn acn_market<D: Deployer + ?Sized>(run: &mut Run<'_, D>) -> Result<(), ChainError> {
    let Some(p) = &run.plan.pool else {
        return Ok(());
    };
    let d = run.rec.deployment.clone();
    let acn = AssetInfo::cw20(d.token.as_str());
    let stable = AssetInfo::native(p.stable_denom.as_str());
    let pool_addr = run.instantiate(
        Contract::Pool,
        &pool::InstantiateMsg {
            owner: None,
            asset_infos: vec![acn.clone(), stable.clone()],
            token_code_id: run.rec.code_ids.token,
            fee_bps: Some(p.fee_bps),
        },
    )?;
    let oracle_addr = run.instantiate(
        Contract::Oracle,
        &oracle::InstantiateMsg {
            owner: None,
            pair: pool_addr.clone(),
            base: acn.clone(),
            quote: stable.clone(),
            params: Some(p.oracle.clone()),
        },
    )?;
    run.instantiate(
        Contract::Buyback,
        &buyback::InstantiateMsg {
            owner: None,
            token: d.token.clone(),
            stable_denom: p.stable_denom.clone(),
            pair: pool_addr.clone(),
            oracle: oracle_addr.clone(),
            treasury: d.treasury.clone(),
            staking: Some(d.staking.clone()),
            params: Some(p.buyback.clone()),
        },
    )?;
    if p.seed_acn == 0 || p.seed_stable == 0 {
        return Ok(());
    }
    run.exec(
        "token: allow the pool the seed",
        Contract::Token,
        &d.token,
        &token::ExecuteMsg::IncreaseAllowance {
            spender: pool_addr.clone(),
            amount: Uint128::new(p.seed_acn),
            expires: None,
        },
    )?;
    let step = "pool: seed liquidity";
    if !run.rec.is_done(step) {
        let receiver = match &p.seed_shares_to {
            Some(who) => run.d.resolve(who)?,
            None => d.treasury.clone(),
        };
        let msg = serde_json::to_vec(&pool::ExecuteMsg::ProvideLiquidity {
            assets: vec![acn.with(p.seed_acn), stable.with(p.seed_stable)],
            slippage_tolerance: None,
            auto_stake: None,
            receiver: Some(receiver),
        })
        .map_err(ser)?;
        let tx = run.d.execute_json_with_funds(
            &run.plan.owner,
            &pool_addr,
            &msg,
            &[(p.stable_denom.clone(), p.seed_stable)],
        )?;
        run.finish(step, Contract::Pool.name(), Some(&tx))?;
    }
    run.exec(
        "oracle: first observation",
        Contract::Oracle,
        &oracle_addr,
        &oracle::ExecuteMsg::Update {},
    )
}

/// The stake that carries the DAO's first proposal (one unit of weight, at least the minimum
/// bond).
fn bootstrap_stake(plan: &DeployPlan) -> u128 {
    plan.staking.tokens_per_weight.max(plan.staking.min_bond)
}

/// Transfer the reserve and the vesting amounts to the treasury and create the schedules. With
/// a DAO to bootstrap and a deployer holding nothing else, the bootstrap stake is held back
/// from the reserve and owed to the treasury (paid by a re-run once it has unbonded).
fn fund_treasury<D: Deployer + ?Sized>(run: &mut Run<'_, D>) -> Result<(), ChainError> {
    let plan = run.plan;
    let funding = plan.treasury_funding();
    let treasury_addr = run.rec.deployment.treasury.clone();
    let token = run.rec.deployment.token.clone();
    if funding > 0 && !run.rec.is_done("fund the treasury") {
        let mut held_back = 0;
        if plan.dao.is_some() {
            let r: token::BalanceResponse = run.d.query(
                &token,
                &token::QueryMsg::Balance {
                    address: run.owner.clone(),
                },
            )?;
            let left = r.balance.u128().saturating_sub(funding);
            held_back = bootstrap_stake(plan)
                .saturating_sub(left)
                .min(plan.treasury.reserve);
        }
        run.rec.owed_to_treasury = Uint128::new(held_back);
        run.exec(
            "fund the treasury",
            Contract::Token,
            &token,
            &token::ExecuteMsg::Transfer {
                recipient: treasury_addr.clone(),
                amount: Uint128::new(funding - held_back),
            },
        )?;
    }
    let now = run.d.block()?.time;
    for v in &plan.treasury.vestings {
        let step = format!("treasury: vesting {}", v.name);
        if run.rec.is_done(&step) {
            continue;
        }
        let beneficiary = run.d.resolve(&v.beneficiary)?;
        run.exec(
            &step,
            Contract::Treasury,
            &treasury_addr,
            &treasury::ExecuteMsg::CreateVesting {
                beneficiary,
                amount: Uint128::new(v.amount),
                start: Some(cosmwasm_std::Timestamp::from_seconds(now + v.start_delay)),
                cliff: v.cliff,
                duration: v.duration,
            },
        )?;
    }
    Ok(())
}

/// Hand everything to a DAO: instantiate it (staking as its group), offer cw-ownable ownership
/// of every contract to it, give it the token's minter role (bounded by the cap), make it
/// the wasm admin of every contract (itself included), and accept the ownership by its first
/// proposal, carried by a bootstrap stake the deployer bonds a block before proposing
/// (weights are read at the start of the proposal's block) and unbonds after executing it,
/// once the voting delay, voting period and timelock are over (use short ones on a local node,
/// e.g. [`dao::DaoParams::localnet`]).
fn hand_over<D: Deployer + ?Sized>(
    run: &mut Run<'_, D>,
    params: &dao::DaoParams,
) -> Result<(), ChainError> {
    let d = run.rec.deployment.clone();
    let dao_addr = run.instantiate(Contract::Dao, &params.msg(&d.staking, &d.token))?;
    let mut owned = vec![
        (Contract::Token, d.token.clone()),
        (Contract::Staking, d.staking.clone()),
        (Contract::Treasury, d.treasury.clone()),
    ];
    if run.plan.market.is_some() {
        owned.push((Contract::Market, d.market.clone()));
    }
    if let Some(e) = &d.emissions {
        owned.push((Contract::Emissions, e.clone()));
    }
    for (contract, addr) in [
        (Contract::Pool, &d.pool),
        (Contract::Oracle, &d.oracle),
        (Contract::Buyback, &d.buyback),
        (Contract::Agents, &d.agents),
        (Contract::Subscriptions, &d.subscriptions),
    ] {
        if let Some(addr) = addr {
            owned.push((contract, addr.clone()));
        }
    }
    let offer = cw_ownable::Action::TransferOwnership {
        new_owner: dao_addr.clone(),
        expiry: None,
    };
    let mut accept = vec![];
    for (contract, addr) in &owned {
        // Every contract's ExecuteMsg has the same cw-ownable `update_ownership` variant.
        run.exec(
            &format!("{}: offer ownership to the dao", contract.name()),
            *contract,
            addr,
            &staking::ExecuteMsg::UpdateOwnership(offer.clone()),
        )?;
        accept.push(governance::wasm_execute(
            addr,
            &staking::ExecuteMsg::UpdateOwnership(cw_ownable::Action::AcceptOwnership),
        )?);
    }
    // The minter role goes to the DAO; the token's cap bounds it (with a genesis plan the cap is
    // the genesis supply: nothing can be minted).
    run.exec(
        "token: minter to the dao",
        Contract::Token,
        &d.token,
        &token::ExecuteMsg::UpdateMinter {
            new_minter: Some(dao_addr.clone()),
        },
    )?;
    // The moderation example has no owner, only a wasm admin.
    let admin_only = d
        .moderation
        .iter()
        .map(|m| (Contract::Moderation, m.clone()))
        .chain([(Contract::Dao, dao_addr.clone())])
        .collect::<Vec<_>>();
    for (contract, addr) in owned.iter().chain(admin_only.iter()) {
        let step = format!("{}: wasm admin to the dao", contract.name());
        if run.rec.is_done(&step) {
            continue;
        }
        let tx = run.d.update_admin(&run.plan.owner, addr, &dao_addr)?;
        run.finish(&step, contract.name(), Some(&tx))?;
    }

    let bootstrap = Uint128::new(bootstrap_stake(run.plan));
    if !run.rec.is_done("staking: bootstrap bond") {
        run.exec(
            "staking: bootstrap bond",
            Contract::Token,
            &d.token,
            &token::ExecuteMsg::Send {
                contract: d.staking.clone(),
                amount: bootstrap,
                msg: to_json_binary(&staking::ReceiveMsg::Bond { tier: None }).map_err(ser)?,
            },
        )?;
        run.d.wait_blocks(1)?;
    }
    let step = "dao: propose accepting ownership";
    let id = match run.rec.done.iter().find_map(|s| {
        s.strip_prefix(step)
            .and_then(|rest| rest.trim_start_matches(" #").parse::<u64>().ok())
    }) {
        Some(id) => id,
        None => {
            let (id, tx) = governance::propose(
                run.d,
                &dao_addr,
                &run.plan.owner,
                "Accept ownership",
                "The DAO accepts cw-ownable ownership of every ACN contract.",
                accept,
            )?;
            // The proposal id is part of the step, so a resumed run executes the same proposal.
            run.finish(&format!("{step} #{id}"), "dao", Some(&tx))?;
            id
        }
    };
    if !run.rec.is_done("dao: execute accepting ownership") {
        governance::wait_for_execution(run.d, &dao_addr, id)?;
        let tx = governance::execute(run.d, &dao_addr, &run.plan.owner, id)?;
        run.finish("dao: execute accepting ownership", "dao", Some(&tx))?;
    }
    run.exec(
        "staking: unbond the bootstrap",
        Contract::Staking,
        &d.staking,
        &staking::ExecuteMsg::Unbond { amount: bootstrap },
    )
}

/// Pay the treasury what the deployer owes it once the bootstrap stake has unbonded.
fn repay_bootstrap<D: Deployer + ?Sized>(run: &mut Run<'_, D>) -> Result<(), ChainError> {
    let owed = run.rec.owed_to_treasury;
    if owed.is_zero() {
        return Ok(());
    }
    let d = run.rec.deployment.clone();
    let r: token::BalanceResponse = run.d.query(
        &d.token,
        &token::QueryMsg::Balance {
            address: run.owner.clone(),
        },
    )?;
    if r.balance < owed {
        let claims: staking::ClaimsResponse = run.d.query(
            &d.staking,
            &staking::QueryMsg::Claims {
                address: run.owner.clone(),
            },
        )?;
        let now = run.d.block()?;
        let block = cosmwasm_std::BlockInfo {
            height: now.height,
            time: cosmwasm_std::Timestamp::from_seconds(now.time),
            chain_id: String::new(),
        };
        if !claims
            .claims
            .iter()
            .any(|c| c.release_at.is_expired(&block))
        {
            return Ok(()); // still unbonding: a later run pays it
        }
        let tx = run
            .d
            .execute(&run.plan.owner, &d.staking, &staking::ExecuteMsg::Claim {})?;
        run.steps.push(DeployStep {
            name: "staking: claim the bootstrap".into(),
            contract: "staking".into(),
            tx,
        });
    }
    let tx = run.d.execute(
        &run.plan.owner,
        &d.token,
        &token::ExecuteMsg::Transfer {
            recipient: d.treasury.clone(),
            amount: owed,
        },
    )?;
    run.steps.push(DeployStep {
        name: "token: pay the treasury its held-back funding".into(),
        contract: "token".into(),
        tx,
    });
    run.rec.owed_to_treasury = Uint128::zero();
    (run.save)(&run.rec)
}

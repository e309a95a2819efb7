//! A suite builder that deploys the whole ACN system (token, staking, treasury and, on request,
//! market) on cw-multi-test, plus the helpers tests read like scripts with:
//! `advance_time`, `assert_balance`, `bond`, `unbond`, …
//!
//! ```ignore
//! let mut suite = SuiteBuilder::new().with_funds("alice", 1_000).build();
//! suite.bond("alice", 600).unwrap();
//! suite.advance_time(14 * DAY);
//! ```

use acn_client::deploy::{deploy, DeployPlan, DeploymentRecord, MarketPlan, PoolPlan, StakingPlan};
use acn_embedded::AppDeployer;
use anyhow::Result as AnyResult;
use cosmwasm_std::{to_json_binary, Addr, BlockInfo, Uint128};
use cw_multi_test::{App, AppBuilder, AppResponse, Executor};
use serde::{de::DeserializeOwned, Serialize};

use acn_interface::{market, staking, token, treasury};

pub mod dao_helpers;
pub use dao_helpers::*;
pub mod emissions_helpers;
pub mod market_helpers;
pub use market_helpers::*;
pub mod staking_helpers;
pub mod treasury_helpers;

/// One whole token in base units (6 decimals).
pub const TOKEN: u128 = 1_000_000;
/// Seconds in a day.
pub const DAY: u64 = 24 * 60 * 60;
/// Maximum supply (the minter's cap): 10 000 000 000 tokens.
pub const MAX_SUPPLY: u128 = 10_000_000_000 * TOKEN;
/// The deployer's account name (`Suite::owner` is its address).
pub const OWNER: &str = "owner";

pub use acn_client::deploy::CodeIds;
pub use acn_embedded::contracts::{
    dao_contract, emissions_contract, market_contract, staking_contract, token_contract,
    treasury_contract,
};
pub use acn_embedded::BLOCK_SECONDS;

/// Configures and deploys a [`Suite`].
pub struct SuiteBuilder {
    funds: Vec<(String, u128)>,
    owner_funds: u128,
    treasury_reserve: u128,
    unbonding_period: cw_utils::Duration,
    max_claims: u32,
    tokens_per_weight: u128,
    min_bond: u128,
    slash_to_treasury: bool,
    split: treasury::Split,
    market: Option<MarketSetup>,
    dao: Option<acn_interface::dao::DaoParams>,
    pool: Option<PoolPlan>,
    subscriptions: Option<acn_client::deploy::SubscriptionsPlan>,
    moderation: Option<acn_client::deploy::ModerationPlan>,
    agents: Option<acn_client::deploy::AgentsPlan>,
    native: Vec<(String, u128)>,
}

/// The stable bank denom of suites with a pool.
pub const STABLE: &str = "uusdc";

/// How the builder deploys the market.
#[derive(Clone)]
pub struct MarketSetup {
    /// Market parameters.
    pub params: market::MarketParams,
    /// Starting unit price.
    pub initial_unit_price: u128,
    /// Models registered right after deployment.
    pub models: Vec<market::ModelSpec>,
}

impl Default for SuiteBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl SuiteBuilder {
    /// Defaults: owner holds 1 000 000 tokens, 14-day unbonding, 32 claims, 1 token = 1 weight,
    /// slashes go to the treasury, seed split, no market.
    pub fn new() -> Self {
        SuiteBuilder {
            funds: vec![],
            owner_funds: 1_000_000 * TOKEN,
            treasury_reserve: 0,
            unbonding_period: staking::DEFAULT_UNBONDING_PERIOD,
            max_claims: staking::DEFAULT_MAX_CLAIMS,
            tokens_per_weight: TOKEN,
            min_bond: 1,
            slash_to_treasury: true,
            split: treasury::Split::seed(),
            market: None,
            dao: None,
            pool: None,
            subscriptions: None,
            moderation: None,
            agents: None,
            native: vec![],
        }
    }

    /// Deploy the ACN / [`STABLE`] pool, its oracle and the buyback vault, seeded with
    /// `seed_acn` and `seed_stable` base units from the deployer (given the stable at genesis):
    /// the market then prices in the stable asset and sends its fees to the vault. `f` may
    /// change the pool plan (oracle window, vault split…).
    pub fn with_stable_pool(
        mut self,
        seed_acn: u128,
        seed_stable: u128,
        f: impl FnOnce(&mut PoolPlan),
    ) -> Self {
        let mut p = PoolPlan::new(STABLE);
        p.seed_acn = seed_acn;
        p.seed_stable = seed_stable;
        f(&mut p);
        self.native.push((OWNER.to_string(), seed_stable));
        self.pool = Some(p);
        self
    }

    /// Deploy the subscriptions contract with `params` (needs [`SuiteBuilder::with_stable_pool`]
    /// and a market).
    pub fn with_subscriptions(mut self, params: acn_interface::subscriptions::Params) -> Self {
        self.subscriptions = Some(acn_client::deploy::SubscriptionsPlan { params });
        self
    }

    /// Deploy the agent registry with `params` (runs need [`SuiteBuilder::with_stable_pool`]
    /// and a market).
    pub fn with_agents(mut self, params: acn_interface::agents::AgentParams) -> Self {
        self.agents = Some(acn_client::deploy::AgentsPlan { params });
        self
    }

    /// Deploy the moderation example (needs [`SuiteBuilder::with_stable_pool`] and the model
    /// among the market's).
    pub fn with_moderation(mut self, plan: acn_client::deploy::ModerationPlan) -> Self {
        self.moderation = Some(plan);
        self
    }

    /// Give the named account `amount` base units of [`STABLE`] at genesis.
    pub fn with_stable(mut self, name: &str, amount: u128) -> Self {
        self.native.push((name.to_string(), amount));
        self
    }

    /// Give the named account `amount` base units at genesis.
    pub fn with_funds(mut self, name: &str, amount: u128) -> Self {
        self.funds.push((name.to_string(), amount));
        self
    }

    /// Owner's genesis balance.
    pub fn with_owner_funds(mut self, amount: u128) -> Self {
        self.owner_funds = amount;
        self
    }

    /// Treasury's genesis balance (its spendable reserve).
    pub fn with_treasury_reserve(mut self, amount: u128) -> Self {
        self.treasury_reserve = amount;
        self
    }

    /// Unbonding cooldown.
    pub fn with_unbonding_period(mut self, period: cw_utils::Duration) -> Self {
        self.unbonding_period = period;
        self
    }

    /// Cap on open claims per address.
    pub fn with_max_claims(mut self, max_claims: u32) -> Self {
        self.max_claims = max_claims;
        self
    }

    /// Base units per unit of voting weight.
    pub fn with_tokens_per_weight(mut self, tokens_per_weight: u128) -> Self {
        self.tokens_per_weight = tokens_per_weight;
        self
    }

    /// Smallest single bond.
    pub fn with_min_bond(mut self, min_bond: u128) -> Self {
        self.min_bond = min_bond;
        self
    }

    /// Burn slashed tokens instead of sending them to the treasury.
    pub fn with_slash_burn(mut self) -> Self {
        self.slash_to_treasury = false;
        self
    }

    /// Treasury fee split.
    pub fn with_split(mut self, split: treasury::Split) -> Self {
        self.split = split;
        self
    }

    /// Deploy the market with default parameters and no models.
    pub fn with_market(self) -> Self {
        self.with_market_setup(MarketSetup {
            params: market::MarketParams::default(),
            initial_unit_price: 1_000,
            models: vec![],
        })
    }

    /// Deploy the market as described.
    pub fn with_market_setup(mut self, setup: MarketSetup) -> Self {
        self.market = Some(setup);
        self
    }

    /// Change the market setup (deploys the market if it was not requested yet).
    pub fn with_market_params(mut self, f: impl FnOnce(&mut MarketSetup)) -> Self {
        if self.market.is_none() {
            self = self.with_market();
        }
        if let Some(setup) = self.market.as_mut() {
            f(setup);
        }
        self
    }

    /// The deployment plan this builder describes.
    pub fn plan(&self) -> DeployPlan {
        let mut plan = DeployPlan::new(OWNER);
        plan.token.cap = MAX_SUPPLY;
        plan.token.balances = vec![(OWNER.to_string(), self.owner_funds)];
        plan.token.balances.extend(self.funds.iter().cloned());
        plan.staking = StakingPlan {
            unbonding_period: self.unbonding_period,
            max_claims: self.max_claims,
            tokens_per_weight: self.tokens_per_weight,
            min_bond: self.min_bond,
            slashes_to_treasury: self.slash_to_treasury,
            // The DAO's deployment links them (unbonding refuses locked stake); a bare suite
            // leaves staking unlinked so tests can use any unbonding period.
            link_market: self.dao.is_some() && self.market.is_some(),
        };
        plan.treasury.split = self.split.clone();
        plan.treasury.reserve = self.treasury_reserve;
        plan.market = self.market.as_ref().map(|m| MarketPlan {
            params: m.params.clone(),
            initial_unit_price: m.initial_unit_price,
            models: m.models.clone(),
        });
        plan.dao = self.dao.clone();
        plan.pool = self.pool.clone();
        plan.subscriptions = self.subscriptions.clone();
        plan.moderation = self.moderation.clone();
        plan.agents = self.agents.clone();
        plan
    }

    /// Deploy everything with the one deployment routine. Panics (this is test code) if a
    /// deployment step fails.
    pub fn build(self) -> Suite {
        let plan = self.plan();
        let native = self.native.clone();
        let mut app = AppBuilder::new().build(|router, api, storage| {
            for (name, amount) in &native {
                router
                    .bank
                    .init_balance(
                        storage,
                        &api.addr_make(name),
                        cosmwasm_std::coins(*amount, STABLE),
                    )
                    .expect("stable genesis balance");
            }
        });
        let (record, _) = deploy(&AppDeployer::new(&mut app), &plan, None, &mut |_| Ok(()))
            .unwrap_or_else(|e| panic!("deployment failed: {e}"));
        Suite::from_record(app, &record, OWNER, plan.genesis_supply())
    }
}

/// An embedded chain running a suite.
pub type SuiteChain = acn_embedded::EmbeddedChain<Suite>;

/// A suite runs on an [`acn_embedded::EmbeddedChain`] too (`EmbeddedChain::start(|| builder.build())`).
impl acn_embedded::EmbeddedState for Suite {
    fn app(&self) -> &App {
        &self.app
    }
    fn app_mut(&mut self) -> &mut App {
        &mut self.app
    }
    fn deployment(&self) -> acn_client::Deployment {
        acn_client::Deployment {
            chain_id: acn_embedded::CHAIN_ID.into(),
            token: self.token.to_string(),
            staking: self.staking.to_string(),
            treasury: self.treasury.to_string(),
            market: self
                .market
                .as_ref()
                .map(|m| m.to_string())
                .unwrap_or_default(),
            emissions: None,
            pool: self.pool.as_ref().map(|a| a.to_string()),
            oracle: self.oracle.as_ref().map(|a| a.to_string()),
            buyback: self.buyback.as_ref().map(|a| a.to_string()),
            agents: self.agents.as_ref().map(|a| a.to_string()),
            subscriptions: self.subscriptions.as_ref().map(|a| a.to_string()),
            moderation: self.moderation.as_ref().map(|a| a.to_string()),
        }
    }
}

/// The deployed system and its helpers.
pub struct Suite {
    /// The embedded chain.
    pub app: App,
    /// Deployer, and owner of every contract unless the suite has a DAO (then the DAO owns and
    /// administers them).
    pub owner: Addr,
    /// Token contract.
    pub token: Addr,
    /// Staking contract.
    pub staking: Addr,
    /// Treasury contract.
    pub treasury: Addr,
    /// Market contract, when deployed.
    pub market: Option<Addr>,
    /// The DAO, when deployed (`SuiteBuilder::with_dao`).
    pub dao: Option<Addr>,
    /// The ACN / stable pool, when deployed (`SuiteBuilder::with_stable_pool`).
    pub pool: Option<Addr>,
    /// Its TWAP oracle.
    pub oracle: Option<Addr>,
    /// The buyback vault (the market's fee recipient).
    pub buyback: Option<Addr>,
    /// Subscriptions, when deployed (`SuiteBuilder::with_subscriptions`).
    pub subscriptions: Option<Addr>,
    /// The agent registry, when deployed (`SuiteBuilder::with_agents`).
    pub agents: Option<Addr>,
    /// The moderation example, when deployed (`SuiteBuilder::with_moderation`).
    pub moderation: Option<Addr>,
    /// Stored code ids (0: not stored).
    pub code_ids: CodeIds,
    /// Total supply at genesis.
    pub genesis_supply: u128,
}

impl Suite {
    /// The suite over what the deployment routine deployed on `app` (deployer: the account
    /// `owner`).
    pub fn from_record(
        app: App,
        record: &DeploymentRecord,
        owner: &str,
        genesis_supply: u128,
    ) -> Suite {
        let d = &record.deployment;
        let addr = |a: &str| (!a.is_empty()).then(|| Addr::unchecked(a));
        Suite {
            owner: app.api().addr_make(owner),
            token: Addr::unchecked(&d.token),
            staking: Addr::unchecked(&d.staking),
            treasury: Addr::unchecked(&d.treasury),
            market: addr(&d.market),
            dao: record.dao.as_deref().and_then(addr),
            pool: d.pool.as_deref().and_then(addr),
            oracle: d.oracle.as_deref().and_then(addr),
            buyback: d.buyback.as_deref().and_then(addr),
            subscriptions: d.subscriptions.as_deref().and_then(addr),
            agents: d.agents.as_deref().and_then(addr),
            moderation: d.moderation.as_deref().and_then(addr),
            code_ids: record.code_ids,
            genesis_supply,
            app,
        }
    }

    /// The bech32 address of a named test account.
    pub fn addr(&self, name: &str) -> Addr {
        self.app.api().addr_make(name)
    }

    /// The market address (panics if the suite was built without it).
    pub fn market(&self) -> Addr {
        self.market.clone().expect("suite built without a market")
    }

    /// Current block.
    pub fn block(&self) -> BlockInfo {
        self.app.block_info()
    }

    /// Move time forward by `seconds` (and height by one block per `BLOCK_SECONDS`, at least 1).
    pub fn advance_time(&mut self, seconds: u64) {
        acn_embedded::advance_time(&mut self.app, seconds);
    }

    /// Move forward `n` blocks of `BLOCK_SECONDS` each.
    pub fn advance_blocks(&mut self, n: u64) {
        acn_embedded::advance_blocks(&mut self.app, n);
    }

    // ---- token -------------------------------------------------------------------------

    /// Token balance of any address.
    pub fn balance(&self, addr: impl Into<String>) -> u128 {
        let res: token::BalanceResponse = self
            .app
            .wrap()
            .query_wasm_smart(
                &self.token,
                &token::QueryMsg::Balance {
                    address: addr.into(),
                },
            )
            .expect("balance query");
        res.balance.u128()
    }

    /// Token balance of a named account.
    pub fn balance_of(&self, name: &str) -> u128 {
        self.balance(self.addr(name))
    }

    /// Assert an exact token balance.
    #[track_caller]
    pub fn assert_balance(&self, addr: impl Into<String>, expected: u128) {
        let addr = addr.into();
        let actual = self.balance(addr.clone());
        assert_eq!(actual, expected, "token balance of {addr}");
    }

    /// Total token supply.
    pub fn total_supply(&self) -> u128 {
        let res: token::TokenInfoResponse = self
            .app
            .wrap()
            .query_wasm_smart(&self.token, &token::QueryMsg::TokenInfo {})
            .expect("token info query");
        res.total_supply.u128()
    }

    /// Transfer tokens between addresses.
    pub fn transfer_from(
        &mut self,
        from: &Addr,
        to: &Addr,
        amount: u128,
    ) -> AnyResult<AppResponse> {
        self.app.execute_contract(
            from.clone(),
            self.token.clone(),
            &token::ExecuteMsg::Transfer {
                recipient: to.to_string(),
                amount: Uint128::new(amount),
            },
            &[],
        )
    }

    /// Transfer tokens from the owner to a named account.
    pub fn fund(&mut self, name: &str, amount: u128) -> AnyResult<AppResponse> {
        let (owner, to) = (self.owner.clone(), self.addr(name));
        self.transfer_from(&owner, &to, amount)
    }

    /// CW20 `Send` of `amount` from `sender` to `contract` with a JSON hook message.
    pub fn send_tokens<M: Serialize>(
        &mut self,
        sender: &Addr,
        contract: &Addr,
        amount: u128,
        hook: &M,
    ) -> AnyResult<AppResponse> {
        self.app.execute_contract(
            sender.clone(),
            self.token.clone(),
            &token::ExecuteMsg::Send {
                contract: contract.to_string(),
                amount: Uint128::new(amount),
                msg: to_json_binary(hook)?,
            },
            &[],
        )
    }

    /// Instantiate a second, unrelated CW20 (same code) holding `balances` — for fake-token tests.
    pub fn instantiate_fake_token(&mut self, balances: &[(&Addr, u128)]) -> Addr {
        let initial_balances = balances
            .iter()
            .map(|(a, amount)| cw20::Cw20Coin {
                address: a.to_string(),
                amount: Uint128::new(*amount),
            })
            .collect();
        self.app
            .instantiate_contract(
                self.code_ids.token,
                self.owner.clone(),
                &token::InstantiateMsg {
                    owner: None,
                    name: "Fake Token".into(),
                    symbol: "FAKE".into(),
                    decimals: 6,
                    initial_balances,
                    mint: None,
                    marketing: None,
                },
                &[],
                "fake-token",
                None,
            )
            .expect("instantiate fake token")
    }

    /// CW20 `Send` through an arbitrary token contract (e.g. a fake one).
    pub fn send_via<M: Serialize>(
        &mut self,
        token: &Addr,
        sender: &Addr,
        contract: &Addr,
        amount: u128,
        hook: &M,
    ) -> AnyResult<AppResponse> {
        self.app.execute_contract(
            sender.clone(),
            token.clone(),
            &token::ExecuteMsg::Send {
                contract: contract.to_string(),
                amount: Uint128::new(amount),
                msg: to_json_binary(hook)?,
            },
            &[],
        )
    }

    // ---- generic contract access ---------------------------------------------------------

    /// Execute any message on any contract.
    pub fn execute<M: Serialize + std::fmt::Debug>(
        &mut self,
        sender: &Addr,
        contract: &Addr,
        msg: &M,
    ) -> AnyResult<AppResponse> {
        self.app
            .execute_contract(sender.clone(), contract.clone(), msg, &[])
    }

    /// Smart-query any contract.
    pub fn query<M: Serialize, T: DeserializeOwned>(&self, contract: &Addr, msg: &M) -> T {
        self.app
            .wrap()
            .query_wasm_smart(contract, msg)
            .expect("smart query")
    }

    /// Smart-query any contract, keeping the error.
    pub fn try_query<M: Serialize, T: DeserializeOwned>(
        &self,
        contract: &Addr,
        msg: &M,
    ) -> cosmwasm_std::StdResult<T> {
        self.app.wrap().query_wasm_smart(contract, msg)
    }

    // ---- staking -------------------------------------------------------------------------

    /// Bond `amount` for a named account (CW20 `Send` with `Bond {}`).
    pub fn bond(&mut self, name: &str, amount: u128) -> AnyResult<AppResponse> {
        let (who, staking) = (self.addr(name), self.staking.clone());
        self.send_tokens(
            &who,
            &staking,
            amount,
            &staking::ReceiveMsg::Bond { tier: None },
        )
    }

    /// Unbond `amount` for a named account.
    pub fn unbond(&mut self, name: &str, amount: u128) -> AnyResult<AppResponse> {
        let (who, staking) = (self.addr(name), self.staking.clone());
        self.execute(
            &who,
            &staking,
            &staking::ExecuteMsg::Unbond {
                amount: Uint128::new(amount),
            },
        )
    }

    /// Claim matured unbonding claims for a named account.
    pub fn claim(&mut self, name: &str) -> AnyResult<AppResponse> {
        let (who, staking) = (self.addr(name), self.staking.clone());
        self.execute(&who, &staking, &staking::ExecuteMsg::Claim {})
    }

    /// Claim rewards for a named account.
    pub fn claim_rewards(&mut self, name: &str) -> AnyResult<AppResponse> {
        let (who, staking) = (self.addr(name), self.staking.clone());
        self.execute(&who, &staking, &staking::ExecuteMsg::ClaimRewards {})
    }

    /// Fund a reward round from a named account.
    pub fn fund_rewards(&mut self, name: &str, amount: u128) -> AnyResult<AppResponse> {
        let (who, staking) = (self.addr(name), self.staking.clone());
        self.send_tokens(
            &who,
            &staking,
            amount,
            &staking::ReceiveMsg::DistributeRewards {},
        )
    }

    /// Stake of any address.
    pub fn stake_of(&self, addr: &Addr) -> staking::StakeResponse {
        self.query(
            &self.staking,
            &staking::QueryMsg::Stake {
                address: addr.to_string(),
            },
        )
    }

    /// Stake of a named account.
    pub fn stake(&self, name: &str) -> staking::StakeResponse {
        self.stake_of(&self.addr(name))
    }

    /// Pending rewards of a named account.
    pub fn pending_rewards(&self, name: &str) -> u128 {
        let res: staking::PendingRewardsResponse = self.query(
            &self.staking,
            &staking::QueryMsg::PendingRewards {
                address: self.addr(name).to_string(),
            },
        );
        res.pending.u128()
    }

    /// Staking totals.
    pub fn staking_totals(&self) -> staking::TotalsResponse {
        self.query(&self.staking, &staking::QueryMsg::Totals {})
    }

    // ---- treasury ------------------------------------------------------------------------

    /// Deposit a fee into the treasury from a named account.
    pub fn deposit_fee(&mut self, name: &str, amount: u128) -> AnyResult<AppResponse> {
        let (who, treasury) = (self.addr(name), self.treasury.clone());
        self.send_tokens(&who, &treasury, amount, &treasury::ReceiveMsg::Deposit {})
    }

    /// Run `Distribute {}` as a named account.
    pub fn distribute(&mut self, name: &str) -> AnyResult<AppResponse> {
        let (who, treasury) = (self.addr(name), self.treasury.clone());
        self.execute(&who, &treasury, &treasury::ExecuteMsg::Distribute {})
    }

    /// Treasury totals.
    pub fn treasury_totals(&self) -> treasury::TotalsResponse {
        self.query(&self.treasury, &treasury::QueryMsg::Totals {})
    }

    /// Treasury balances.
    pub fn treasury_balances(&self) -> treasury::BalancesResponse {
        self.query(&self.treasury, &treasury::QueryMsg::Balances {})
    }
}

/// Assert that an execution failed with an error whose message contains `expected`.
#[track_caller]
pub fn assert_err_contains<T: std::fmt::Debug>(res: AnyResult<T>, expected: &str) {
    match res {
        Ok(v) => panic!("expected error containing {expected:?}, got Ok({v:?})"),
        Err(e) => {
            let chain: Vec<String> = e.chain().map(|c| c.to_string()).collect();
            assert!(
                chain.iter().any(|m| m.contains(expected)),
                "expected error containing {expected:?}, got {chain:?}"
            );
        }
    }
}

//! What a deployment deploys: a [`DeployPlan`], from the genesis file or built by hand.

use anyhow::{Context, Result};
use cosmwasm_std::Uint128;

use acn_interface::buyback::BuybackParams;
use acn_interface::common::Bps;
use acn_interface::emissions::EmissionParams;
use acn_interface::oracle::OracleParams;
use acn_interface::{dao, market, staking, treasury};

use crate::genesis::{tokens_to_base, AllocationKind, Genesis, DAY, TOKEN};

/// The token.
#[derive(Clone, Debug, PartialEq)]
pub struct TokenPlan {
    /// Display name.
    pub name: String,
    /// Ticker.
    pub symbol: String,
    /// Decimals (6).
    pub decimals: u8,
    /// Lifetime mint cap: everything ever minted, genesis balances included.
    pub cap: u128,
    /// Genesis balances: account name (or address) and base units. The deployer's own line
    /// funds the treasury's reserve and vesting schedules.
    pub balances: Vec<(String, u128)>,
}

/// Staking.
#[derive(Clone, Debug, PartialEq)]
pub struct StakingPlan {
    /// Unbonding cooldown.
    pub unbonding_period: cw_utils::Duration,
    /// Open claims per address.
    pub max_claims: u32,
    /// Base units per unit of voting weight.
    pub tokens_per_weight: u128,
    /// Smallest bond.
    pub min_bond: u128,
    /// Slashed stake goes to the treasury (`false`: burned).
    pub slashes_to_treasury: bool,
    /// Link staking to the market (unbonding refuses stake locked by assigned jobs). Needs an
    /// unbonding period at least the market's `max_job_lifetime`.
    pub link_market: bool,
}

/// One vesting schedule the treasury holds.
#[derive(Clone, Debug, PartialEq)]
pub struct VestingPlan {
    /// Allocation name (for messages).
    pub name: String,
    /// Beneficiary: account name or address.
    pub beneficiary: String,
    /// Base units.
    pub amount: u128,
    /// Seconds from deployment to the schedule's start.
    pub start_delay: u64,
    /// Seconds after the start before anything can be claimed.
    pub cliff: u64,
    /// Seconds after the start when everything is vested.
    pub duration: u64,
}

/// Treasury.
#[derive(Clone, Debug, PartialEq)]
pub struct TreasuryPlan {
    /// How `Distribute` splits protocol fees.
    pub split: treasury::Split,
    /// Spendable reserve, transferred from the deployer.
    pub reserve: u128,
    /// Vesting schedules, funded from the deployer.
    pub vestings: Vec<VestingPlan>,
}

/// Market.
#[derive(Clone, Debug, PartialEq)]
pub struct MarketPlan {
    /// Parameters.
    pub params: market::MarketParams,
    /// Starting unit price (base units per compute unit).
    pub initial_unit_price: u128,
    /// Models registered at deployment.
    pub models: Vec<market::ModelSpec>,
}

/// Emissions: paying useful work from a pool moved into it at deployment (nothing is minted).
#[derive(Clone, Debug, PartialEq)]
pub struct EmissionsPlan {
    /// Base units the deployer sends into its pool (from the community treasury's allocation).
    pub pool: u128,
    /// Epoch length, seconds.
    pub epoch_seconds: u64,
    /// Schedule and shares.
    pub params: EmissionParams,
}

/// A market for ACN: the ACN / stable pool, its TWAP oracle and the buyback vault (which
/// sends its community share to the treasury).
#[derive(Clone, Debug, PartialEq)]
pub struct PoolPlan {
    /// The stable bank denom (e.g. `uusdc`).
    pub stable_denom: String,
    /// The pool's swap fee.
    pub fee_bps: Bps,
    /// ACN base units the deployer provides as seed liquidity (0 with `seed_stable` 0: none).
    /// The genesis deployment takes it out of the treasury's reserve.
    pub seed_acn: u128,
    /// Stable base units the deployer provides as seed liquidity (it must hold them).
    pub seed_stable: u128,
    /// Who receives the seed's liquidity shares: an account name or address; `None`: the
    /// treasury (protocol-owned liquidity, locked there).
    pub seed_shares_to: Option<String>,
    /// The oracle's parameters.
    pub oracle: OracleParams,
    /// The vault's parameters.
    pub buyback: BuybackParams,
}

impl PoolPlan {
    /// Whether the market prices in the stable asset and takes it as payment: only with a
    /// seeded pool (an empty one gives the oracle no price, and a stable-priced market needs
    /// one for every job).
    pub fn stable_payments(&self) -> bool {
        self.seed_acn > 0 && self.seed_stable > 0
    }

    /// `uusdc`, a 0.3 % fee, no seed, the oracle's and the vault's defaults.
    pub fn new(stable_denom: &str) -> Self {
        PoolPlan {
            stable_denom: stable_denom.to_string(),
            fee_bps: acn_interface::pool::DEFAULT_FEE_BPS,
            seed_acn: 0,
            seed_stable: 0,
            seed_shares_to: None,
            oracle: OracleParams::default(),
            buyback: BuybackParams::default(),
        }
    }
}

/// The agent registry: its parameters (it runs agents on the plan's market).
#[derive(Clone, Debug, PartialEq)]
pub struct AgentsPlan {
    /// Steps per pipeline, the developer-fee bound, the run-callback gas bound.
    pub params: acn_interface::agents::AgentParams,
}

impl Default for AgentsPlan {
    /// At most 8 steps, a developer fee of at most 100 tokens of the market's unit (100 USDC in
    /// a stable-priced market), run callbacks of at most 300 000 gas.
    fn default() -> Self {
        AgentsPlan {
            params: acn_interface::agents::AgentParams {
                max_steps: 8,
                max_run_fee: cosmwasm_std::Uint128::new(100 * TOKEN),
                max_callback_gas: acn_interface::agents::DEFAULT_RUN_CALLBACK_GAS,
            },
        }
    }
}

/// Subscriptions (needs a market that takes the stable asset): owned by the DAO with the rest.
#[derive(Clone, Debug, PartialEq)]
pub struct SubscriptionsPlan {
    /// The keeper reward and the shortest interval.
    pub params: acn_interface::subscriptions::Params,
}

/// The moderation example (needs a market that takes the stable asset, and the model
/// registered): instantiated by the deployer, its wasm admin handed to the DAO with the rest.
#[derive(Clone, Debug, PartialEq)]
pub struct ModerationPlan {
    /// A registered classifier with text input and class-label output.
    pub model_id: String,
    /// The labels that flag a text.
    pub flagged_labels: Vec<u32>,
    /// Provider slots per job.
    pub redundancy: u8,
    /// Gas the market gives the callback.
    pub callback_gas: u64,
    /// Seconds from a submission to its job's deadline.
    pub job_lifetime: u64,
}

/// Everything a deployment deploys.
#[derive(Clone, Debug, PartialEq)]
pub struct DeployPlan {
    /// Account that deploys (and owns everything until the DAO, if any, takes over).
    pub owner: String,
    /// Prefix of the contract labels (`acn` → `acn-token`, …).
    pub label_prefix: String,
    /// Token.
    pub token: TokenPlan,
    /// Staking.
    pub staking: StakingPlan,
    /// Treasury.
    pub treasury: TreasuryPlan,
    /// Market (`None`: token, staking and treasury only).
    pub market: Option<MarketPlan>,
    /// Emissions (needs the market).
    pub emissions: Option<EmissionsPlan>,
    /// The ACN / stable pool, oracle and buyback vault (`None`: not deployed).
    pub pool: Option<PoolPlan>,
    /// The agent registry on the market (needs the market; `None`: not deployed).
    pub agents: Option<AgentsPlan>,
    /// Subscriptions (`None`: not deployed; needs a stable-priced market).
    pub subscriptions: Option<SubscriptionsPlan>,
    /// The moderation example (`None`: not deployed; needs a stable-priced market).
    pub moderation: Option<ModerationPlan>,
    /// Hand everything to a DAO with these parameters (`None`: the owner keeps it).
    pub dao: Option<dao::DaoParams>,
}

impl DeployPlan {
    /// A plain deployment, the test suite's and the demo's starting point: `owner` holds
    /// 1 000 000 tokens under a 10 000 000 000-token cap and is the minter; 14-day unbonding, 32
    /// claims, 1 token = 1 weight, minimum bond 1, slashes to the treasury; the seed split, no
    /// reserve, no vesting; no market, emissions or DAO.
    pub fn new(owner: &str) -> Self {
        DeployPlan {
            owner: owner.to_string(),
            label_prefix: "acn".into(),
            token: TokenPlan {
                name: "ACN Token".into(),
                symbol: "ACN".into(),
                decimals: 6,
                cap: 10_000_000_000 * TOKEN,
                balances: vec![(owner.to_string(), 1_000_000 * TOKEN)],
            },
            staking: StakingPlan {
                unbonding_period: staking::DEFAULT_UNBONDING_PERIOD,
                max_claims: staking::DEFAULT_MAX_CLAIMS,
                tokens_per_weight: TOKEN,
                min_bond: 1,
                slashes_to_treasury: true,
                link_market: false,
            },
            treasury: TreasuryPlan {
                split: treasury::Split::seed(),
                reserve: 0,
                vestings: vec![],
            },
            market: None,
            emissions: None,
            pool: None,
            agents: None,
            subscriptions: None,
            moderation: None,
            dao: None,
        }
    }

    /// The wasmd tests' and benchmarks' plan: [`DeployPlan::new`] with the deployer `deployer`,
    /// a market at its default parameters and unit price 1 000 (no models), staking linked to
    /// it, and a DAO with the local-node timing ([`dao::DaoParams::localnet`]: 1 s delay, 10 s
    /// voting, 1 s timelock).
    pub fn localnet() -> Self {
        let mut plan = DeployPlan::new("deployer");
        plan.market = Some(MarketPlan {
            params: market::MarketParams::default(),
            initial_unit_price: 1_000,
            models: vec![],
        });
        plan.staking.link_market = true;
        plan.agents = Some(AgentsPlan::default());
        plan.dao = Some(dao::DaoParams::localnet());
        plan
    }

    /// The market's plan (panics if the plan has no market: a programming error).
    pub fn market_mut(&mut self) -> &mut MarketPlan {
        self.market.as_mut().expect("the plan deploys no market")
    }

    /// Set the genesis balance of `account` (replacing an earlier line of the same account).
    pub fn set_balance(&mut self, account: &str, amount: u128) {
        self.token.balances.retain(|(name, _)| name != account);
        self.token.balances.push((account.to_string(), amount));
    }

    /// The economy of a genesis file: the token with its cap (the genesis supply: fixed) and
    /// every liquid allocation paid to its recipient; staking with the file's unbonding
    /// period, linked to the market; the treasury with the file's split, its reserve and every
    /// vesting schedule; the market with the file's fee, provider stake and prices (no models:
    /// add them to `market.models`); emissions funded with the pool, carved out of the community
    /// treasury's allocation; subscriptions at their default parameters when the market takes
    /// the stable asset; and a DAO with the default timing. `owner` names the deploying account.
    pub fn from_genesis(genesis: &Genesis, owner: &str) -> Result<Self> {
        genesis.validate()?;
        let held_by_treasury =
            genesis.total_of(AllocationKind::Treasury) + genesis.total_of(AllocationKind::Vesting);
        let mut balances = vec![(owner.to_string(), held_by_treasury)];
        let mut vestings = vec![];
        for (a, amount) in genesis.allocation_amounts() {
            match a.kind {
                AllocationKind::Liquid => {
                    let recipient = a.recipient.clone().context("liquid allocation")?;
                    balances.push((recipient, amount));
                }
                AllocationKind::Vesting => vestings.push(VestingPlan {
                    name: a.name.clone(),
                    beneficiary: a.beneficiary.clone().context("vesting beneficiary")?,
                    amount,
                    start_delay: a.start_delay_days.unwrap_or_default() * DAY,
                    cliff: a.cliff_days.unwrap_or_default() * DAY,
                    duration: a.duration_days.unwrap_or_default() * DAY,
                }),
                AllocationKind::Treasury => {}
            }
        }
        let t = &genesis.treasury;
        let pool = genesis.amm_plan()?;
        let subscriptions =
            pool.as_ref()
                .filter(|p| p.stable_payments())
                .map(|_| SubscriptionsPlan {
                    params: acn_interface::subscriptions::Params::default(),
                });
        Ok(DeployPlan {
            owner: owner.to_string(),
            label_prefix: "acn".into(),
            token: TokenPlan {
                name: genesis.token.name.clone(),
                symbol: genesis.token.symbol.clone(),
                decimals: genesis.token.decimals,
                cap: genesis.cap(),
                balances,
            },
            staking: StakingPlan {
                unbonding_period: cw_utils::Duration::Time(genesis.staking.unbonding_days * DAY),
                max_claims: staking::DEFAULT_MAX_CLAIMS,
                tokens_per_weight: TOKEN,
                min_bond: 1,
                slashes_to_treasury: true,
                link_market: true,
            },
            treasury: TreasuryPlan {
                split: treasury::Split {
                    burn_bps: t.burn_bps,
                    stakers_bps: t.stakers_bps,
                    kept_bps: t.kept_bps,
                    executor_bps: t.executor_bps,
                },
                reserve: genesis.total_of(AllocationKind::Treasury)
                    - genesis.pool()
                    - genesis
                        .amm
                        .as_ref()
                        .map_or(0, |a| a.seed_acn as u128 * TOKEN),
                vestings,
            },
            market: Some(MarketPlan {
                params: genesis.market_params()?,
                initial_unit_price: tokens_to_base(
                    "market.initial_unit_price",
                    genesis.market.initial_unit_price,
                )?
                .u128(),
                models: vec![],
            }),
            emissions: Some(EmissionsPlan {
                pool: genesis.pool(),
                epoch_seconds: genesis.emissions.epoch_days * DAY,
                params: genesis.emission_params()?,
            }),
            pool,
            agents: Some(AgentsPlan::default()),
            subscriptions,
            moderation: None,
            dao: Some(dao::DaoParams::default()),
        })
    }

    /// Replace a genesis recipient or beneficiary name by another account name or address
    /// (e.g. the allocation `community-sale` paid to `buyer-1` on a localnet). Errors when no
    /// allocation names `from`.
    pub fn rename_recipient(&mut self, from: &str, to: &str) -> Result<()> {
        let mut found = false;
        for (name, _) in &mut self.token.balances {
            if name == from {
                *name = to.to_string();
                found = true;
            }
        }
        for v in &mut self.treasury.vestings {
            if v.beneficiary == from {
                v.beneficiary = to.to_string();
                found = true;
            }
        }
        anyhow::ensure!(
            found,
            "--recipient {from}={to}: no allocation of the genesis file names {from:?}"
        );
        Ok(())
    }

    /// Base units the deployer must transfer to the treasury (reserve + vesting schedules).
    pub fn treasury_funding(&self) -> u128 {
        // (the emissions pool is funded separately, right after emissions are instantiated)
        self.treasury.reserve
            + self
                .treasury
                .vestings
                .iter()
                .map(|v| v.amount)
                .sum::<u128>()
    }

    /// Genesis supply (the sum of the genesis balances).
    pub fn genesis_supply(&self) -> u128 {
        self.token.balances.iter().map(|(_, a)| a).sum()
    }
}

impl Genesis {
    /// The pool, oracle and buyback vault of the file's `[amm]` table, if any (its seed ACN
    /// comes out of the treasury's reserve; the shares go to the treasury).
    pub fn amm_plan(&self) -> Result<Option<PoolPlan>> {
        let Some(p) = &self.amm else {
            return Ok(None);
        };
        let mut plan = PoolPlan::new(&p.stable_denom);
        plan.fee_bps = p.fee_bps;
        plan.seed_acn = p.seed_acn as u128 * TOKEN;
        plan.seed_stable = p.seed_stable as u128 * TOKEN;
        plan.oracle.window = p.twap_window_minutes * 60;
        plan.oracle.max_staleness = plan.oracle.window;
        plan.buyback.daily_cap = Uint128::new(p.buyback_daily_cap as u128 * TOKEN);
        // The vault splits what it buys as the treasury splits fees: one split, genesis's.
        let t = &self.treasury;
        plan.buyback.split = acn_interface::buyback::BuybackSplit {
            burn_bps: t.burn_bps,
            stakers_bps: t.stakers_bps,
            treasury_bps: t.kept_bps,
            caller_bps: t.executor_bps,
        };
        Ok(Some(plan))
    }

    /// The market parameters of the file (fee, provider stake, price window, floor and ceiling);
    /// everything else at the market's defaults.
    pub fn market_params(&self) -> Result<market::MarketParams> {
        let m = &self.market;
        let defaults = market::MarketParams::default();
        Ok(market::MarketParams {
            protocol_fee_bps: m.protocol_fee_bps,
            min_provider_stake: Uint128::new(m.min_provider_stake as u128 * TOKEN),
            pricing: market::PricingParams {
                window: m.price_window_days * DAY,
                floor: tokens_to_base("market.price_floor", m.price_floor)?,
                ceiling: tokens_to_base("market.price_ceiling", m.price_ceiling)?,
                ..defaults.pricing.clone()
            },
            ..defaults
        })
    }
}

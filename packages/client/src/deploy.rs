//! Deployment of the ACN contracts on a wasmd node, and the deployment file that records it.

use std::path::{Path, PathBuf};

use cosmwasm_std::Uint128;
use serde::{Deserialize, Serialize};

use acn_interface::{market, staking, token, treasury};

use crate::wasmd::WasmdChain;
use crate::{Chain, ChainError, Deployment, TxResult};

/// Code ids of the stored ACN contracts.
#[derive(Clone, Copy, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct WasmdCodeIds {
    /// Token code.
    pub token: u64,
    /// Staking code.
    pub staking: u64,
    /// Treasury code.
    pub treasury: u64,
    /// Market code.
    pub market: u64,
    /// DAO code (0 when the deployment has no DAO).
    #[serde(default)]
    pub dao: u64,
}

/// The deployment file: contract addresses (the plain [`Deployment`] fields, flattened, so the
/// file also reads as a [`Deployment`]), code ids, the owner and the registered models.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct WasmdDeployment {
    /// Chain id and contract addresses.
    #[serde(flatten)]
    pub deployment: Deployment,
    /// Code ids.
    pub code_ids: WasmdCodeIds,
    /// Deployer: owner (and admin) of every contract unless `dao` is set.
    pub owner: String,
    /// Ids of the models registered at deployment.
    #[serde(default)]
    pub models: Vec<String>,
    /// Height of the last deployment transaction.
    #[serde(default)]
    pub height: u64,
    /// The DAO: cw-ownable owner of token, staking, treasury and market and wasm admin of every
    /// contract (`owner` above is then only the deployer).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dao: Option<String>,
}

impl WasmdDeployment {
    /// Read a deployment file.
    pub fn load(path: impl AsRef<Path>) -> Result<Self, ChainError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path)
            .map_err(|e| ChainError::Rejected(format!("cannot read {}: {e}", path.display())))?;
        serde_json::from_str(&text)
            .map_err(|e| ChainError::Serde(format!("deployment file {}: {e}", path.display())))
    }

    /// Write the deployment file (pretty JSON; written to a temporary file, then renamed).
    pub fn save(&self, path: impl AsRef<Path>) -> Result<(), ChainError> {
        let path = path.as_ref();
        let json =
            serde_json::to_string_pretty(self).map_err(|e| ChainError::Serde(e.to_string()))?;
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| {
                ChainError::Rejected(format!("cannot create {}: {e}", dir.display()))
            })?;
        }
        let tmp = path.with_extension("json.tmp");
        std::fs::write(&tmp, json + "\n")
            .and_then(|_| std::fs::rename(&tmp, path))
            .map_err(|e| ChainError::Rejected(format!("cannot write {}: {e}", path.display())))
    }
}

// ---- deployment --------------------------------------------------------------------------------

/// How [`deploy_with`] deploys the ACN contracts (the defaults mirror the embedded suite's).
#[derive(Clone, Debug)]
pub struct DeployOptions {
    /// Folder holding `acn_{token,staking,treasury,market}.wasm`.
    pub artifacts_dir: PathBuf,
    /// Account that deploys every contract (and owns and administers them until the DAO, when
    /// deployed, takes over).
    pub owner: String,
    /// Owner's genesis token balance.
    pub owner_funds: u128,
    /// Genesis token balances: account name (or address) and amount.
    pub genesis: Vec<(String, u128)>,
    /// Treasury's reserve, transferred from the owner after deployment.
    pub treasury_reserve: u128,
    /// Token minter cap.
    pub max_supply: u128,
    /// Staking unbonding period.
    pub unbonding_period: cw_utils::Duration,
    /// Staking claim cap per address.
    pub max_claims: u32,
    /// Base units per unit of voting weight.
    pub tokens_per_weight: u128,
    /// Smallest bond.
    pub min_bond: u128,
    /// Treasury split.
    pub split: treasury::Split,
    /// Market parameters.
    pub market_params: market::MarketParams,
    /// Market starting unit price.
    pub initial_unit_price: u128,
    /// Models registered after deployment.
    pub models: Vec<market::ModelSpec>,
    /// Prefix of the contract labels.
    pub label_prefix: String,
    /// Hand the deployment to a DAO with these parameters (`None`: the owner keeps it). With a
    /// DAO, staking is linked to the market, so the unbonding period must be at least the
    /// market's `max_job_lifetime`. The deployment waits out the DAO's voting delay, voting
    /// period and timelock once (its first proposal accepts the ownership).
    pub dao: Option<acn_interface::dao::DaoParams>,
}

impl DeployOptions {
    /// Defaults: owner `deployer` holding 1 000 000 tokens, minter cap 10 000 000 000 tokens,
    /// 14-day unbonding, seed split, default market parameters at unit price 1 000, no models,
    /// and a DAO with the local-node timing ([`acn_interface::dao::DaoParams::localnet`]: 1 s
    /// delay, 10 s voting, 1 s timelock) — set `dao` to `DaoParams::default()` (1 d, 3 d, 2 d)
    /// for a real network.
    pub fn new(artifacts_dir: impl Into<PathBuf>) -> Self {
        DeployOptions {
            artifacts_dir: artifacts_dir.into(),
            owner: "deployer".into(),
            owner_funds: 1_000_000 * market::TOKEN,
            genesis: vec![],
            treasury_reserve: 0,
            max_supply: 10_000_000_000 * market::TOKEN,
            unbonding_period: staking::DEFAULT_UNBONDING_PERIOD,
            max_claims: staking::DEFAULT_MAX_CLAIMS,
            tokens_per_weight: market::TOKEN,
            min_bond: 1,
            split: treasury::Split::seed(),
            market_params: market::MarketParams::default(),
            initial_unit_price: 1_000,
            models: vec![],
            label_prefix: "acn".into(),
            dao: Some(acn_interface::dao::DaoParams::localnet()),
        }
    }
}

/// One transaction of a deployment.
#[derive(Clone, Debug)]
pub struct DeployStep {
    /// What it did (`store token`, `instantiate market`, …).
    pub name: String,
    /// The contract it concerns (`token`, `staking`, `treasury` or `market`).
    pub contract: String,
    /// Its result (gas, height, hash).
    pub tx: TxResult,
}

/// Store the four optimized contracts, instantiate and wire them exactly like the embedded suite
/// (token with genesis balances and the owner as capped minter; staking; treasury with staking;
/// staking slashes → treasury; market; market as slasher; models registered) with default
/// parameters. Save the result with [`WasmdDeployment::save`] and use it with
/// [`WasmdChain::set_deployment`].
pub fn deploy(
    chain: &WasmdChain,
    artifacts_dir: impl AsRef<Path>,
    models: &[market::ModelSpec],
    genesis: &[(&str, u128)],
) -> Result<WasmdDeployment, ChainError> {
    let mut opts = DeployOptions::new(artifacts_dir.as_ref());
    opts.models = models.to_vec();
    opts.genesis = genesis.iter().map(|(n, a)| (n.to_string(), *a)).collect();
    deploy_with(chain, &opts).map(|(d, _)| d)
}

/// [`deploy`] with every option; also returns each transaction (for gas reports).
pub fn deploy_with(
    chain: &WasmdChain,
    opts: &DeployOptions,
) -> Result<(WasmdDeployment, Vec<DeployStep>), ChainError> {
    let owner_name = opts.owner.as_str();
    let owner = chain.address(owner_name)?;
    let mut steps: Vec<DeployStep> = vec![];
    fn push(steps: &mut Vec<DeployStep>, contract: &str, name: String, tx: &TxResult) {
        steps.push(DeployStep {
            name,
            contract: contract.to_string(),
            tx: tx.clone(),
        })
    }

    let mut code_ids = WasmdCodeIds::default();
    for (name, slot) in [
        ("token", &mut code_ids.token),
        ("staking", &mut code_ids.staking),
        ("treasury", &mut code_ids.treasury),
        ("market", &mut code_ids.market),
        ("dao", &mut code_ids.dao),
    ] {
        if name == "dao" && opts.dao.is_none() {
            continue;
        }
        let path = opts.artifacts_dir.join(format!("acn_{name}.wasm"));
        let (id, tx) = chain.store_code_file(owner_name, &path)?;
        *slot = id;
        push(&mut steps, name, format!("store {name}"), &tx);
    }

    let mut initial_balances = vec![cw20::Cw20Coin {
        address: owner.clone(),
        amount: Uint128::new(opts.owner_funds),
    }];
    for (name, amount) in &opts.genesis {
        initial_balances.push(cw20::Cw20Coin {
            address: chain.resolve(name)?,
            amount: Uint128::new(*amount),
        });
    }
    let label = |name: &str| format!("{}-{name}", opts.label_prefix);
    let admin = Some(owner.as_str());

    let (token, tx) = chain.instantiate(
        owner_name,
        code_ids.token,
        &token::InstantiateMsg {
            owner: None,
            name: "ACN Token".into(),
            symbol: "ACN".into(),
            decimals: 6,
            initial_balances,
            mint: Some(cw20::MinterResponse {
                minter: owner.clone(),
                cap: Some(Uint128::new(opts.max_supply)),
            }),
            marketing: None,
        },
        &label("token"),
        admin,
    )?;
    push(&mut steps, "token", "instantiate token".into(), &tx);

    let (staking_addr, tx) = chain.instantiate(
        owner_name,
        code_ids.staking,
        &staking::InstantiateMsg {
            owner: None,
            token: token.clone(),
            unbonding_period: Some(opts.unbonding_period),
            max_claims: Some(opts.max_claims),
            tokens_per_weight: Uint128::new(opts.tokens_per_weight),
            min_bond: Uint128::new(opts.min_bond),
            slashers: vec![],
            slash_destination: staking::SlashDestination::Burn,
        },
        &label("staking"),
        admin,
    )?;
    push(&mut steps, "staking", "instantiate staking".into(), &tx);

    let (treasury_addr, tx) = chain.instantiate(
        owner_name,
        code_ids.treasury,
        &treasury::InstantiateMsg {
            owner: None,
            token: token.clone(),
            staking: Some(staking_addr.clone()),
            split: Some(opts.split.clone()),
        },
        &label("treasury"),
        admin,
    )?;
    push(&mut steps, "treasury", "instantiate treasury".into(), &tx);

    let tx = chain.execute_typed(
        owner_name,
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
    push(
        &mut steps,
        "staking",
        "staking: slashes to treasury".into(),
        &tx,
    );

    let (market_addr, tx) = chain.instantiate(
        owner_name,
        code_ids.market,
        &market::InstantiateMsg {
            owner: None,
            token: token.clone(),
            staking: staking_addr.clone(),
            treasury: treasury_addr.clone(),
            params: opts.market_params.clone(),
            initial_unit_price: Uint128::new(opts.initial_unit_price),
        },
        &label("market"),
        admin,
    )?;
    push(&mut steps, "market", "instantiate market".into(), &tx);

    let tx = chain.execute_typed(
        owner_name,
        &staking_addr,
        &staking::ExecuteMsg::UpdateSlashers {
            add: vec![market_addr.clone()],
            remove: vec![],
        },
    )?;
    push(
        &mut steps,
        "staking",
        "staking: market as slasher".into(),
        &tx,
    );

    for model in &opts.models {
        let tx = chain.execute_typed(
            owner_name,
            &market_addr,
            &market::ExecuteMsg::RegisterModel {
                model: model.clone(),
            },
        )?;
        push(
            &mut steps,
            "market",
            format!("register model {}", model.id),
            &tx,
        );
    }

    let mut height = steps.last().map(|s| s.tx.height).unwrap_or_default();
    if opts.treasury_reserve > 0 {
        let tx = chain.execute_typed(
            owner_name,
            &token,
            &token::ExecuteMsg::Transfer {
                recipient: treasury_addr.clone(),
                amount: Uint128::new(opts.treasury_reserve),
            },
        )?;
        height = tx.height;
        push(&mut steps, "token", "fund treasury reserve".into(), &tx);
    }

    let mut deployment = WasmdDeployment {
        deployment: Deployment {
            chain_id: chain.chain_id().to_string(),
            token,
            staking: staking_addr,
            treasury: treasury_addr,
            market: market_addr,
        },
        code_ids,
        owner,
        models: opts.models.iter().map(|m| m.id.clone()).collect(),
        height,
        dao: None,
    };
    if let Some(params) = &opts.dao {
        crate::governance::hand_over(
            chain,
            owner_name,
            params,
            &label("dao"),
            &mut deployment,
            &mut steps,
        )?;
    }
    Ok((deployment, steps))
}

//! Instantiation and the owner's configuration messages.

use cosmwasm_std::{Addr, Api, Deps, DepsMut, Env, MessageInfo, Response, Uint128};
use cw_utils::Duration;

use crate::error::ContractError;
use crate::msg::{
    InstantiateMsg, SlashDestination, DEFAULT_MAX_CLAIMS, DEFAULT_REWARD_DURATION,
    DEFAULT_UNBONDING_PERIOD, MAX_CLAIMS_LIMIT,
};
use crate::state::{
    Config, RewardStream, Totals, CONFIG, LOCK_TIERS, MARKET, REWARD_STREAM, TOTALS, TOTAL_WEIGHT,
};
use acn_interface::staking::{
    base_reward_bps, default_lock_tiers, LockTier, MAX_LOCK_SECONDS, MAX_LOCK_TIERS,
    MAX_TIER_REWARD_BPS,
};

/// Validate and store the configuration; start with nothing bonded and a cw4 total weight of 0.
pub fn instantiate(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    msg: InstantiateMsg,
) -> Result<Response, ContractError> {
    let owner = msg.owner.unwrap_or_else(|| info.sender.to_string());
    cw_ownable::initialize_owner(deps.storage, deps.api, Some(&owner))?;

    if msg.tokens_per_weight.is_zero() {
        return Err(ContractError::ZeroTokensPerWeight {});
    }
    let cfg = Config {
        token: deps.api.addr_validate(&msg.token)?,
        unbonding_period: check_unbonding_period(
            msg.unbonding_period.unwrap_or(DEFAULT_UNBONDING_PERIOD),
        )?,
        max_claims: check_max_claims(msg.max_claims.unwrap_or(DEFAULT_MAX_CLAIMS))?,
        tokens_per_weight: msg.tokens_per_weight,
        min_bond: msg.min_bond,
        slashers: validate_all(deps.api, &msg.slashers)?,
        slash_destination: check_destination(deps.api, msg.slash_destination)?,
    };
    CONFIG.save(deps.storage, &cfg)?;
    let tiers = msg.lock_tiers.unwrap_or_else(default_lock_tiers);
    check_lock_tiers(&tiers)?;
    LOCK_TIERS.save(deps.storage, &tiers)?;
    TOTALS.save(deps.storage, &Totals::default())?;
    REWARD_STREAM.save(
        deps.storage,
        &RewardStream {
            duration: DEFAULT_REWARD_DURATION,
            end: env.block.time.seconds(),
            last_update: env.block.time.seconds(),
        },
    )?;
    // cw3-flex-multisig reads the total weight raw: it must exist from the start.
    TOTAL_WEIGHT.save(deps.storage, &0, env.block.height)?;

    Ok(Response::new()
        .add_attribute("action", "instantiate")
        .add_attribute("owner", owner)
        .add_attribute("token", cfg.token))
}

/// Owner only: change the parameters given, keep the others.
pub fn update_config(
    deps: DepsMut,
    info: MessageInfo,
    unbonding_period: Option<Duration>,
    max_claims: Option<u32>,
    min_bond: Option<Uint128>,
    slash_destination: Option<SlashDestination>,
) -> Result<Response, ContractError> {
    cw_ownable::assert_owner(deps.storage, &info.sender)?;
    let mut cfg = CONFIG.load(deps.storage)?;
    if let Some(period) = unbonding_period {
        cfg.unbonding_period = check_unbonding_period(period)?;
        if let Some(market) = MARKET.may_load(deps.storage)? {
            check_against_market(deps.as_ref(), &market, cfg.unbonding_period)?;
        }
    }
    if let Some(max) = max_claims {
        cfg.max_claims = check_max_claims(max)?;
    }
    if let Some(min) = min_bond {
        cfg.min_bond = min;
    }
    if let Some(destination) = slash_destination {
        cfg.slash_destination = check_destination(deps.api, destination)?;
    }
    CONFIG.save(deps.storage, &cfg)?;
    Ok(Response::new()
        .add_attribute("action", "update_config")
        .add_attribute("unbonding_period", cfg.unbonding_period.to_string())
        .add_attribute("max_claims", cfg.max_claims.to_string())
        .add_attribute("min_bond", cfg.min_bond))
}

/// Lock tiers 1, 2, …: at most `MAX_LOCK_TIERS`, each lock longer than the one before (the
/// first longer than none) and at most `MAX_LOCK_SECONDS`, each weight at least the one before
/// (the first at least 1×) and at most `MAX_TIER_REWARD_BPS`.
pub fn check_lock_tiers(tiers: &[LockTier]) -> Result<(), ContractError> {
    if tiers.len() > MAX_LOCK_TIERS {
        return Err(ContractError::InvalidLockTiers {
            reason: format!("{} tiers, at most {MAX_LOCK_TIERS}", tiers.len()),
        });
    }
    let (mut lock, mut bps) = (0u64, base_reward_bps());
    for (i, t) in tiers.iter().enumerate() {
        let tier = i + 1;
        if t.lock_seconds <= lock || t.lock_seconds > MAX_LOCK_SECONDS {
            return Err(ContractError::InvalidLockTiers {
                reason: format!(
                    "tier {tier}: lock_seconds {} must be above {lock} and at most {MAX_LOCK_SECONDS}",
                    t.lock_seconds
                ),
            });
        }
        if t.reward_bps < bps || t.reward_bps > MAX_TIER_REWARD_BPS {
            return Err(ContractError::InvalidLockTiers {
                reason: format!(
                    "tier {tier}: reward_bps {} must be at least {bps} and at most {MAX_TIER_REWARD_BPS}",
                    t.reward_bps
                ),
            });
        }
        (lock, bps) = (t.lock_seconds, t.reward_bps);
    }
    Ok(())
}

/// Owner only: replace the lock tiers 1, 2, … (stakes keep the terms they bonded at).
pub fn update_lock_tiers(
    deps: DepsMut,
    info: MessageInfo,
    tiers: Vec<LockTier>,
) -> Result<Response, ContractError> {
    cw_ownable::assert_owner(deps.storage, &info.sender)?;
    check_lock_tiers(&tiers)?;
    LOCK_TIERS.save(deps.storage, &tiers)?;
    Ok(Response::new()
        .add_attribute("action", "update_lock_tiers")
        .add_attribute("tiers", tiers.len().to_string()))
}

/// Owner only: add then remove slashers.
pub fn update_slashers(
    deps: DepsMut,
    info: MessageInfo,
    add: Vec<String>,
    remove: Vec<String>,
) -> Result<Response, ContractError> {
    cw_ownable::assert_owner(deps.storage, &info.sender)?;
    let mut cfg = CONFIG.load(deps.storage)?;
    for slasher in validate_all(deps.api, &add)? {
        if !cfg.slashers.contains(&slasher) {
            cfg.slashers.push(slasher);
        }
    }
    let remove = validate_all(deps.api, &remove)?;
    cfg.slashers.retain(|slasher| !remove.contains(slasher));
    CONFIG.save(deps.storage, &cfg)?;
    Ok(Response::new()
        .add_attribute("action", "update_slashers")
        .add_attribute("added", add.join(","))
        .add_attribute("removed", remove.len().to_string())
        .add_attribute("slashers", cfg.slashers.len().to_string()))
}

/// Owner only: link (or unlink) the market whose longest job lifetime bounds the unbonding
/// period; linking checks the current period against it.
pub fn set_market(
    deps: DepsMut,
    info: MessageInfo,
    address: Option<String>,
) -> Result<Response, ContractError> {
    cw_ownable::assert_owner(deps.storage, &info.sender)?;
    let Some(address) = address else {
        MARKET.remove(deps.storage);
        return Ok(Response::new()
            .add_attribute("action", "set_market")
            .add_attribute("market", "none"));
    };
    let market = deps.api.addr_validate(&address)?;
    let cfg = CONFIG.load(deps.storage)?;
    check_against_market(deps.as_ref(), &market, cfg.unbonding_period)?;
    MARKET.save(deps.storage, &market)?;
    Ok(Response::new()
        .add_attribute("action", "set_market")
        .add_attribute("market", market))
}

/// The one field of the market's `Config` response staking reads; serde skips the others.
/// Decoding the whole `market::ConfigResponse` inlined every market parameter's deserializer
/// into one wasm function of 104 locals, past the CosmWasm VM's limit of 100 (wasmd refused
/// to store the contract), and would tie staking to every future market parameter.
#[derive(serde::Deserialize)]
struct MarketLifetime {
    params: MarketLifetimeParams,
}

/// See [`MarketLifetime`].
#[derive(serde::Deserialize)]
struct MarketLifetimeParams {
    max_job_lifetime: u64,
}

/// Require an unbonding period in seconds of at least the market's `max_job_lifetime`.
fn check_against_market(
    deps: Deps,
    market: &Addr,
    unbonding_period: Duration,
) -> Result<(), ContractError> {
    let Duration::Time(unbonding_period) = unbonding_period else {
        return Err(ContractError::UnbondingPeriodInBlocks {});
    };
    let market_cfg: MarketLifetime = deps
        .querier
        .query_wasm_smart(market, &acn_interface::market::QueryMsg::Config {})?;
    let max_job_lifetime = market_cfg.params.max_job_lifetime;
    if unbonding_period < max_job_lifetime {
        return Err(ContractError::UnbondingShorterThanJobs {
            unbonding_period,
            max_job_lifetime,
        });
    }
    Ok(())
}

/// Reject a zero unbonding period.
fn check_unbonding_period(period: Duration) -> Result<Duration, ContractError> {
    match period {
        Duration::Height(0) | Duration::Time(0) => Err(ContractError::ZeroUnbondingPeriod {}),
        period => Ok(period),
    }
}

/// Reject a claims cap outside 1..=MAX_CLAIMS_LIMIT.
fn check_max_claims(max_claims: u32) -> Result<u32, ContractError> {
    if (1..=MAX_CLAIMS_LIMIT).contains(&max_claims) {
        Ok(max_claims)
    } else {
        Err(ContractError::InvalidMaxClaims {
            max_claims,
            limit: MAX_CLAIMS_LIMIT,
        })
    }
}

/// Validate the treasury address of a slash destination.
fn check_destination(
    api: &dyn Api,
    destination: SlashDestination,
) -> Result<SlashDestination, ContractError> {
    Ok(match destination {
        SlashDestination::Burn => SlashDestination::Burn,
        SlashDestination::Treasury { address } => SlashDestination::Treasury {
            address: api.addr_validate(&address)?.into_string(),
        },
    })
}

/// Validate a list of addresses, dropping duplicates.
fn validate_all(api: &dyn Api, addrs: &[String]) -> Result<Vec<Addr>, ContractError> {
    let mut out: Vec<Addr> = Vec::with_capacity(addrs.len());
    for addr in addrs {
        let addr = api.addr_validate(addr)?;
        if !out.contains(&addr) {
            out.push(addr);
        }
    }
    Ok(out)
}

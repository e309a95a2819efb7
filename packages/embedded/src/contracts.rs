//! Every ACN contract wrapped for cw-multi-test (entry points, reply, migrate).

use acn_client::deploy::Contract as Kind;
use cosmwasm_std::Empty;
use cw_multi_test::{Contract, ContractWrapper};

/// The token contract.
pub fn token_contract() -> Box<dyn Contract<Empty>> {
    Box::new(
        ContractWrapper::new(
            acn_token::contract::execute,
            acn_token::contract::instantiate,
            acn_token::contract::query,
        )
        .with_migrate(acn_token::contract::migrate),
    )
}

/// The staking contract.
pub fn staking_contract() -> Box<dyn Contract<Empty>> {
    Box::new(
        ContractWrapper::new(
            acn_staking::contract::execute,
            acn_staking::contract::instantiate,
            acn_staking::contract::query,
        )
        .with_migrate(acn_staking::contract::migrate),
    )
}

/// The treasury contract.
pub fn treasury_contract() -> Box<dyn Contract<Empty>> {
    Box::new(
        ContractWrapper::new(
            acn_treasury::contract::execute,
            acn_treasury::contract::instantiate,
            acn_treasury::contract::query,
        )
        .with_migrate(acn_treasury::contract::migrate),
    )
}

/// The market contract.
pub fn market_contract() -> Box<dyn Contract<Empty>> {
    Box::new(
        ContractWrapper::new(
            acn_market::contract::execute,
            acn_market::contract::instantiate,
            acn_market::contract::query,
        )
        .with_reply(acn_market::contract::reply)
        .with_migrate(acn_market::contract::migrate),
    )
}

/// The emissions contract.
pub fn emissions_contract() -> Box<dyn Contract<Empty>> {
    Box::new(
        ContractWrapper::new(
            acn_emissions::contract::execute,
            acn_emissions::contract::instantiate,
            acn_emissions::contract::query,
        )
        .with_migrate(acn_emissions::contract::migrate),
    )
}

/// The DAO contract.
pub fn dao_contract() -> Box<dyn Contract<Empty>> {
    Box::new(
        ContractWrapper::new(
            acn_dao::contract::execute,
            acn_dao::contract::instantiate,
            acn_dao::contract::query,
        )
        .with_migrate(acn_dao::contract::migrate),
    )
}

/// The pool contract.
pub fn pool_contract() -> Box<dyn Contract<Empty>> {
    Box::new(
        ContractWrapper::new(
            acn_pool::contract::execute,
            acn_pool::contract::instantiate,
            acn_pool::contract::query,
        )
        .with_reply(acn_pool::contract::reply)
        .with_migrate(acn_pool::contract::migrate),
    )
}

/// The oracle contract.
pub fn oracle_contract() -> Box<dyn Contract<Empty>> {
    Box::new(
        ContractWrapper::new(
            acn_oracle::contract::execute,
            acn_oracle::contract::instantiate,
            acn_oracle::contract::query,
        )
        .with_migrate(acn_oracle::contract::migrate),
    )
}

/// The buyback vault contract.
pub fn buyback_contract() -> Box<dyn Contract<Empty>> {
    Box::new(
        ContractWrapper::new(
            acn_buyback::contract::execute,
            acn_buyback::contract::instantiate,
            acn_buyback::contract::query,
        )
        .with_reply(acn_buyback::contract::reply)
        .with_migrate(acn_buyback::contract::migrate),
    )
}

/// The agent registry contract (replies: a step's submission, a run callback).
pub fn agents_contract() -> Box<dyn Contract<Empty>> {
    Box::new(
        ContractWrapper::new(
            acn_agents::contract::execute,
            acn_agents::contract::instantiate,
            acn_agents::contract::query,
        )
        .with_reply(acn_agents::contract::reply)
        .with_migrate(acn_agents::contract::migrate),
    )
}

/// The subscriptions contract.
pub fn subscriptions_contract() -> Box<dyn Contract<Empty>> {
    Box::new(
        ContractWrapper::new(
            acn_subscriptions::contract::execute,
            acn_subscriptions::contract::instantiate,
            acn_subscriptions::contract::query,
        )
        .with_reply(acn_subscriptions::contract::reply)
        .with_migrate(acn_subscriptions::contract::migrate),
    )
}

/// The moderation example contract.
pub fn moderation_contract() -> Box<dyn Contract<Empty>> {
    Box::new(
        ContractWrapper::new(
            acn_moderation::contract::execute,
            acn_moderation::contract::instantiate,
            acn_moderation::contract::query,
        )
        .with_reply(acn_moderation::contract::reply)
        .with_migrate(acn_moderation::contract::migrate),
    )
}

/// The wrapper of a contract kind.
pub fn wrapper(kind: Kind) -> Box<dyn Contract<Empty>> {
    match kind {
        Kind::Token => token_contract(),
        Kind::Staking => staking_contract(),
        Kind::Treasury => treasury_contract(),
        Kind::Market => market_contract(),
        Kind::Emissions => emissions_contract(),
        Kind::Dao => dao_contract(),
        Kind::Pool => pool_contract(),
        Kind::Oracle => oracle_contract(),
        Kind::Buyback => buyback_contract(),
        Kind::Agents => agents_contract(),
        Kind::Subscriptions => subscriptions_contract(),
        Kind::Moderation => moderation_contract(),
    }
}

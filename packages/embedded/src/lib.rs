//! The embedded chain: the real ACN contracts in-process on cw-multi-test.
//!
//! * [`contracts`]: each contract wrapped for cw-multi-test.
//! * [`AppDeployer`]: a borrowed cw-multi-test `App` as a [`Chain`] and a [`Deployer`], so the one
//!   deployment routine ([`acn_client::deploy::deploy`]) deploys on it exactly as on wasmd.
//! * [`EmbeddedChain`]: an `App` on its own thread behind a `Send + Sync` handle, so worker
//!   threads share one chain exactly as processes share a node.
//!
//! Accounts are named: the account `alice` is `app.api().addr_make("alice")`. Blocks are
//! [`BLOCK_SECONDS`] apart when time passes.

mod chain;
pub mod contracts;
mod deployer;

pub use chain::{EmbeddedChain, EmbeddedState, World};
pub use deployer::AppDeployer;

use acn_client::{Attribute, Block, ChainError, TxResult};
use cosmwasm_std::{Addr, Api};
use cw_multi_test::{App, Executor};

/// Seconds the embedded chain's blocks are apart when time advances.
pub const BLOCK_SECONDS: u64 = 5;

/// Chain id of the embedded chain.
pub const CHAIN_ID: &str = "embedded";

/// The address of a named account, or `name` itself when it already is a valid address.
pub fn resolve(app: &App, name: &str) -> Addr {
    match app.api().addr_validate(name) {
        Ok(addr) => addr,
        Err(_) => app.api().addr_make(name),
    }
}

/// Smart-query `contract` with a JSON message; the JSON response.
pub fn query_json(app: &App, contract: &str, msg: &[u8]) -> Result<Vec<u8>, ChainError> {
    let value: serde_json::Value =
        serde_json::from_slice(msg).map_err(|e| ChainError::Serde(e.to_string()))?;
    let res: serde_json::Value = app
        .wrap()
        .query_wasm_smart(contract, &value)
        .map_err(|e| ChainError::Query(e.to_string()))?;
    serde_json::to_vec(&res).map_err(|e| ChainError::Serde(e.to_string()))
}

/// The error chain of a failed cw-multi-test call as one rejection.
pub fn rejection(e: &cw_multi_test::error::AnyError) -> ChainError {
    let chain: Vec<String> = e.chain().map(|c| c.to_string()).collect();
    ChainError::Rejected(chain.join(": "))
}

/// Execute a JSON message on `contract` as the named account `account`, with bank coins
/// `funds` (`(denom, amount)`) attached.
pub fn execute_json(
    app: &mut App,
    account: &str,
    contract: &str,
    msg: &[u8],
    funds: &[(String, u128)],
) -> Result<TxResult, ChainError> {
    let value: serde_json::Value =
        serde_json::from_slice(msg).map_err(|e| ChainError::Serde(e.to_string()))?;
    let sender = resolve(app, account);
    let coins: Vec<cosmwasm_std::Coin> = funds
        .iter()
        .map(|(d, a)| cosmwasm_std::Coin::new(*a, d))
        .collect();
    let res = app
        .execute_contract(sender, Addr::unchecked(contract), &value, &coins)
        .map_err(|e| rejection(&e))?;
    Ok(tx_result(app, &res))
}

/// Execute several contract calls as `account` in one atomic transaction (cw-multi-test's
/// `execute_multi`: one refusal reverts them all).
pub fn execute_calls(
    app: &mut App,
    account: &str,
    calls: &[acn_client::Call],
) -> Result<TxResult, ChainError> {
    let sender = resolve(app, account);
    let msgs = calls
        .iter()
        .map(|c| {
            Ok(cosmwasm_std::CosmosMsg::Wasm(
                cosmwasm_std::WasmMsg::Execute {
                    contract_addr: c.contract.clone(),
                    msg: cosmwasm_std::Binary::from(c.msg.clone()),
                    funds: c
                        .funds
                        .iter()
                        .map(|(d, a)| cosmwasm_std::Coin::new(*a, d))
                        .collect(),
                },
            ))
        })
        .collect::<Result<Vec<_>, ChainError>>()?;
    let responses = app.execute_multi(sender, msgs).map_err(|e| rejection(&e))?;
    let mut result = TxResult {
        height: app.block_info().height,
        ..TxResult::default()
    };
    for res in &responses {
        result.attributes.extend(tx_result(app, res).attributes);
    }
    Ok(result)
}

/// Bank balance of `address` in `denom`.
pub fn bank_balance(app: &App, address: &str, denom: &str) -> Result<u128, ChainError> {
    app.wrap()
        .query_balance(address, denom)
        .map(|c| c.amount.u128())
        .map_err(|e| ChainError::Rejected(e.to_string()))
}

/// A cw-multi-test response as a [`TxResult`] (no gas: cw-multi-test does not meter it).
pub fn tx_result(app: &App, res: &cw_multi_test::AppResponse) -> TxResult {
    let attributes = res
        .events
        .iter()
        .flat_map(|e| {
            e.attributes.iter().map(|a| Attribute {
                event: e.ty.clone(),
                key: a.key.clone(),
                value: a.value.clone(),
            })
        })
        .collect();
    TxResult {
        height: app.block_info().height,
        gas_used: 0,
        tx_hash: String::new(),
        attributes,
    }
}

/// The current block.
pub fn block(app: &App) -> Block {
    let b = app.block_info();
    Block {
        height: b.height,
        time: b.time.seconds(),
    }
}

/// Let `n` blocks of [`BLOCK_SECONDS`] pass.
pub fn advance_blocks(app: &mut App, n: u64) {
    app.update_block(|b| {
        b.time = b.time.plus_seconds(n * BLOCK_SECONDS);
        b.height += n;
    });
}

/// Let `seconds` pass (and one block per [`BLOCK_SECONDS`], at least one).
pub fn advance_time(app: &mut App, seconds: u64) {
    app.update_block(|b| {
        b.time = b.time.plus_seconds(seconds);
        b.height += (seconds / BLOCK_SECONDS).max(1);
    });
}

/// Mint `amount` base units of the bank denom `denom` to the account `name` (the embedded
/// chain's genesis of a native asset, e.g. the stable a deployer seeds the pool with).
pub fn mint_native(app: &mut App, name: &str, denom: &str, amount: u128) -> anyhow::Result<()> {
    let to_address = app.api().addr_make(name).to_string();
    app.sudo(cw_multi_test::SudoMsg::Bank(
        cw_multi_test::BankSudo::Mint {
            to_address,
            amount: cosmwasm_std::coins(amount, denom),
        },
    ))?;
    Ok(())
}

//! Issue 12 item 10, "mint cap stripped": the cap is the token's own, fixed at instantiation, and
//! bounds everything ever minted whatever sequence of `UpdateMinter` came before.

use acn_interface::token::{self, MintStatusResponse, MinterResponse};
use acn_testing::{Suite, SuiteBuilder, MAX_SUPPLY, TOKEN};
use acn_token::ContractError;
use anyhow::Result as AnyResult;
use cosmwasm_std::{Addr, Uint128};
use cw_multi_test::{AppResponse, Executor};

/// The token's own error behind a failed execution.
#[track_caller]
fn token_error(res: AnyResult<AppResponse>) -> ContractError {
    match res {
        Ok(r) => panic!("expected a token error, got Ok({r:?})"),
        Err(e) => match e.downcast::<ContractError>() {
            Ok(e) => e,
            Err(other) => panic!("expected a token error, got {other:?}"),
        },
    }
}

fn exec(suite: &mut Suite, sender: &Addr, msg: &token::ExecuteMsg) -> AnyResult<AppResponse> {
    let token = suite.token.clone();
    suite.app.execute_contract(sender.clone(), token, msg, &[])
}

fn update_minter(suite: &mut Suite, sender: &Addr, new_minter: Option<&Addr>) {
    exec(
        suite,
        sender,
        &token::ExecuteMsg::UpdateMinter {
            new_minter: new_minter.map(Addr::to_string),
        },
    )
    .unwrap();
}

fn mint(
    suite: &mut Suite,
    minter: &Addr,
    recipient: &Addr,
    amount: u128,
) -> AnyResult<AppResponse> {
    exec(
        suite,
        minter,
        &token::ExecuteMsg::Mint {
            recipient: recipient.to_string(),
            amount: Uint128::new(amount),
        },
    )
}

fn minter(suite: &Suite) -> Option<MinterResponse> {
    suite.query(&suite.token, &token::QueryMsg::Minter {})
}

fn mint_status(suite: &Suite) -> MintStatusResponse {
    suite.query(&suite.token, &token::QueryMsg::MintStatus {})
}

/// Supply, the attacker's balance and the mint status: what must not move.
fn snapshot(suite: &Suite, who: &Addr) -> (u128, u128, MintStatusResponse) {
    (suite.total_supply(), suite.balance(who), mint_status(suite))
}

#[test]
fn owner_dropping_the_minter_then_setting_a_new_one_keeps_the_cap() {
    let mut suite = SuiteBuilder::new().build();
    let owner = suite.owner.clone();
    let mallory = suite.addr("mallory");
    let genesis = suite.total_supply();
    assert_eq!(
        mint_status(&suite),
        MintStatusResponse {
            cap: Uint128::new(MAX_SUPPLY),
            total_minted: Uint128::new(genesis),
            mintable: Uint128::new(MAX_SUPPLY - genesis),
        }
    );

    // The attack of the review: minter → none (cw20-base dropped its cap with `MinterData`),
    // then a new minter (cw20-base would create it without a cap).
    update_minter(&mut suite, &owner, None);
    assert_eq!(minter(&suite), None);
    update_minter(&mut suite, &owner, Some(&mallory));
    assert_eq!(
        minter(&suite),
        Some(MinterResponse {
            minter: mallory.to_string(),
            cap: Some(Uint128::new(MAX_SUPPLY)),
        })
    );

    // One base unit over the cap: refused with the exact error, nothing moved.
    let before = snapshot(&suite, &mallory);
    let over = MAX_SUPPLY - genesis + 1;
    assert_eq!(
        token_error(mint(&mut suite, &mallory, &mallory, over)),
        ContractError::MintCapExceeded {
            amount: Uint128::new(over),
            total_minted: Uint128::new(genesis),
            cap: Uint128::new(MAX_SUPPLY),
        }
    );
    assert_eq!(snapshot(&suite, &mallory), before);
    assert_eq!(suite.total_supply(), genesis);

    // Exactly up to the cap is allowed, and then not one unit more.
    mint(&mut suite, &mallory, &mallory, over - 1).unwrap();
    assert_eq!(suite.total_supply(), MAX_SUPPLY);
    assert_eq!(mint_status(&suite).mintable, Uint128::zero());
    let before = snapshot(&suite, &mallory);
    assert_eq!(
        token_error(mint(&mut suite, &mallory, &mallory, 1)),
        ContractError::MintCapExceeded {
            amount: Uint128::new(1),
            total_minted: Uint128::new(MAX_SUPPLY),
            cap: Uint128::new(MAX_SUPPLY),
        }
    );
    assert_eq!(snapshot(&suite, &mallory), before);
}

#[test]
fn minter_dropping_itself_through_cw20_base_keeps_the_cap() {
    let mut suite = SuiteBuilder::new().build();
    let owner = suite.owner.clone();
    let mallory = suite.addr("mallory");
    let genesis = suite.total_supply();

    // The owner hands the role to mallory; mallory removes it herself (the cw20-base path,
    // which drops `MinterData` and its cap); the owner sets mallory again.
    update_minter(&mut suite, &owner, Some(&mallory));
    update_minter(&mut suite, &mallory, None);
    assert_eq!(minter(&suite), None);
    update_minter(&mut suite, &owner, Some(&mallory));
    // Mallory passes the role on through cw20-base, and it comes back.
    let accomplice = suite.addr("accomplice");
    update_minter(&mut suite, &mallory, Some(&accomplice));
    update_minter(&mut suite, &accomplice, Some(&mallory));
    assert_eq!(
        minter(&suite).and_then(|m| m.cap),
        Some(Uint128::new(MAX_SUPPLY))
    );

    let before = snapshot(&suite, &mallory);
    let over = MAX_SUPPLY - genesis + 1;
    assert_eq!(
        token_error(mint(&mut suite, &mallory, &mallory, over)),
        ContractError::MintCapExceeded {
            amount: Uint128::new(over),
            total_minted: Uint128::new(genesis),
            cap: Uint128::new(MAX_SUPPLY),
        }
    );
    assert_eq!(snapshot(&suite, &mallory), before);
}

#[test]
fn burned_tokens_cannot_be_minted_again() {
    let mut suite = SuiteBuilder::new().build();
    let owner = suite.owner.clone();
    let genesis = suite.total_supply();

    // Mint up to the cap, burn 1 000 tokens: the supply drops, what was minted does not.
    mint(&mut suite, &owner, &owner, MAX_SUPPLY - genesis).unwrap();
    exec(
        &mut suite,
        &owner,
        &token::ExecuteMsg::Burn {
            amount: Uint128::new(1_000 * TOKEN),
        },
    )
    .unwrap();
    assert_eq!(suite.total_supply(), MAX_SUPPLY - 1_000 * TOKEN);

    let before = snapshot(&suite, &owner);
    assert_eq!(
        token_error(mint(&mut suite, &owner, &owner, 1_000 * TOKEN)),
        ContractError::MintCapExceeded {
            amount: Uint128::new(1_000 * TOKEN),
            total_minted: Uint128::new(MAX_SUPPLY),
            cap: Uint128::new(MAX_SUPPLY),
        }
    );
    assert_eq!(snapshot(&suite, &owner), before);
}

#[test]
fn only_the_minter_mints() {
    let mut suite = SuiteBuilder::new().build();
    let mallory = suite.addr("mallory");
    let before = snapshot(&suite, &mallory);
    assert_eq!(
        token_error(mint(&mut suite, &mallory, &mallory, 1)),
        ContractError::Cw20(cw20_base::ContractError::Unauthorized {})
    );
    assert_eq!(snapshot(&suite, &mallory), before);
}

#[test]
fn migrating_a_token_from_before_the_own_cap_keeps_its_cap() {
    use acn_token::contract::{execute, instantiate, migrate};
    use acn_token::state::{MINT_CAP, TOTAL_MINTED};
    use cosmwasm_std::testing::{message_info, mock_dependencies, mock_env};

    let mut deps = mock_dependencies();
    let minter = deps.api.addr_make("minter");
    let holder = deps.api.addr_make("holder");
    let msg = token::InstantiateMsg {
        owner: None,
        name: "Test".into(),
        symbol: "TST".into(),
        decimals: 6,
        initial_balances: vec![cw20::Cw20Coin {
            address: holder.to_string(),
            amount: Uint128::new(600),
        }],
        mint: Some(MinterResponse {
            minter: minter.to_string(),
            cap: Some(Uint128::new(1_000)),
        }),
        marketing: None,
    };
    instantiate(deps.as_mut(), mock_env(), message_info(&minter, &[]), msg).unwrap();
    // State as the previous version wrote it: the cap only in cw20-base's `MinterData`.
    MINT_CAP.remove(deps.as_mut().storage);
    TOTAL_MINTED.remove(deps.as_mut().storage);

    migrate(deps.as_mut(), mock_env(), token::MigrateMsg {}).unwrap();
    assert_eq!(MINT_CAP.load(&deps.storage).unwrap(), Uint128::new(1_000));
    assert_eq!(TOTAL_MINTED.load(&deps.storage).unwrap(), Uint128::new(600));
    let over = token::ExecuteMsg::Mint {
        recipient: minter.to_string(),
        amount: Uint128::new(401),
    };
    assert_eq!(
        execute(deps.as_mut(), mock_env(), message_info(&minter, &[]), over).unwrap_err(),
        ContractError::MintCapExceeded {
            amount: Uint128::new(401),
            total_minted: Uint128::new(600),
            cap: Uint128::new(1_000),
        }
    );
}

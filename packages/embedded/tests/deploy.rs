//! The one deployment routine on the embedded chain: the genesis economy with its DAO, resuming
//! an interrupted deployment, re-running a finished one, and refusing a record of another chain.

use acn_client::deploy::{deploy, DeployPlan, DeploymentRecord};
use acn_client::genesis::{Genesis, DAY, TOKEN};
use acn_client::ChainError;
use acn_embedded::AppDeployer;
use acn_interface::{dao, staking, token, treasury};
use cosmwasm_std::Addr;
use cw_multi_test::App;
use serde::de::DeserializeOwned;

fn query<R: DeserializeOwned>(app: &App, contract: &str, msg: &impl serde::Serialize) -> R {
    app.wrap().query_wasm_smart(contract, msg).unwrap()
}

fn balance(app: &App, token_addr: &str, who: &str) -> u128 {
    let r: token::BalanceResponse = query(
        app,
        token_addr,
        &token::QueryMsg::Balance {
            address: who.to_string(),
        },
    );
    r.balance.u128()
}

/// An embedded chain on which the deployer holds the stable half of the genesis pool's seed.
fn genesis_app() -> App {
    let mut app = App::default();
    acn_embedded::mint_native(&mut app, "deployer", "uusdc", 1_000_000 * TOKEN).unwrap();
    app
}

fn genesis_plan() -> DeployPlan {
    DeployPlan::from_genesis(&Genesis::load(None).unwrap(), "deployer").unwrap()
}

fn run(app: &mut App, plan: &DeployPlan, record: Option<DeploymentRecord>) -> DeploymentRecord {
    deploy(&AppDeployer::new(app), plan, record, &mut |_| Ok(()))
        .unwrap()
        .0
}

#[test]
fn the_genesis_economy_deploys_with_a_fixed_supply_and_the_dao_owning_everything() {
    let plan = genesis_plan();
    let mut app = genesis_app();
    let rec = run(&mut app, &plan, None);
    let d = &rec.deployment;
    let dao_addr = rec.dao.clone().unwrap();
    let emissions = d.emissions.clone().unwrap();
    // The genesis pool is seeded, so the market takes the stable asset and subscriptions are
    // deployed with the rest.
    let subscriptions = d.subscriptions.clone().expect("subscriptions deployed");
    assert_eq!(
        d.moderation, None,
        "the moderation example only when a plan asks for it"
    );

    // Supply: exactly the genesis 10 B, and the cap is that supply: nothing can ever be minted
    // (the DAO holds the minter role, bounded by the cap). The emissions pool came out of the
    // community treasury's allocation.
    let info: token::TokenInfoResponse = query(&app, &d.token, &token::QueryMsg::TokenInfo {});
    assert_eq!(info.total_supply.u128(), 10_000_000_000 * TOKEN);
    let mint: token::MintStatusResponse = query(&app, &d.token, &token::QueryMsg::MintStatus {});
    assert_eq!(
        (mint.cap.u128(), mint.mintable.u128()),
        (10_000_000_000 * TOKEN, 0)
    );
    let minter: Option<cw20::MinterResponse> = query(&app, &d.token, &token::QueryMsg::Minter {});
    assert_eq!(minter.unwrap().minter, dao_addr);
    let pool: token::BalanceResponse = query(
        &app,
        &d.token,
        &token::QueryMsg::Balance {
            address: emissions.clone(),
        },
    );
    assert_eq!(pool.balance.u128(), 2_000_000_000 * TOKEN);

    // Every contract is owned (cw-ownable) and administered (wasm admin) by the DAO.
    let agents = d
        .agents
        .clone()
        .expect("the genesis plan deploys the agent registry");
    for addr in [
        &d.token,
        &d.staking,
        &d.treasury,
        &d.market,
        &emissions,
        &agents,
        &subscriptions,
    ] {
        let o: cw_ownable::Ownership<String> = query(&app, addr, &staking::QueryMsg::Ownership {});
        assert_eq!(
            o.owner.as_deref(),
            Some(dao_addr.as_str()),
            "owner of {addr}"
        );
        let info = app.wrap().query_wasm_contract_info(addr).unwrap();
        assert_eq!(
            info.admin.map(String::from),
            Some(dao_addr.clone()),
            "admin of {addr}"
        );
    }
    let dao_info = app.wrap().query_wasm_contract_info(&dao_addr).unwrap();
    assert_eq!(dao_info.admin.map(String::from), Some(dao_addr.clone()));
    let timing: dao::Timing = query(&app, &dao_addr, &dao::QueryMsg::Timing {});
    assert_eq!(timing, dao::DaoParams::default().timing());

    // The treasury holds its reserve (40.4 % less the 20 % emissions pool and the pool's 50 M
    // ACN seed) and the locked vesting (54.6 %) but the bootstrap stake (1 ACN), which the
    // deployer owes it; the liquid allocations reached their owners.
    assert_eq!(rec.owed_to_treasury.u128(), TOKEN);
    let b: treasury::BalancesResponse = query(&app, &d.treasury, &treasury::QueryMsg::Balances {});
    assert_eq!(b.balance.u128(), 7_450_000_000 * TOKEN - TOKEN);
    assert_eq!(b.vesting_locked.u128(), 5_460_000_000 * TOKEN);
    let api = app.api();
    let sale = api.addr_make("community-sale").to_string();
    assert_eq!(balance(&app, &d.token, &sale), 300_000_000 * TOKEN);
    let deployer = api.addr_make("deployer").to_string();
    assert_eq!(balance(&app, &d.token, &deployer), 0);
    let claims: staking::ClaimsResponse = query(
        &app,
        &d.staking,
        &staking::QueryMsg::Claims {
            address: deployer.clone(),
        },
    );
    assert_eq!(claims.claims.len(), 1);
    assert_eq!(claims.claims[0].amount.u128(), TOKEN);

    // Re-running the finished deployment sends nothing while the stake unbonds…
    let (again, steps) = deploy(
        &AppDeployer::new(&mut app),
        &plan,
        Some(rec.clone()),
        &mut |_| Ok(()),
    )
    .unwrap();
    assert!(steps.is_empty(), "{steps:?}");
    assert_eq!(again, rec);
    // …and pays the treasury once it has.
    acn_embedded::advance_time(&mut app, 14 * DAY + 1);
    let (paid, steps) = deploy(
        &AppDeployer::new(&mut app),
        &plan,
        Some(rec.clone()),
        &mut |_| Ok(()),
    )
    .unwrap();
    assert_eq!(steps.len(), 2, "claim and transfer: {steps:?}");
    assert!(paid.owed_to_treasury.is_zero());
    let b: treasury::BalancesResponse = query(&app, &d.treasury, &treasury::QueryMsg::Balances {});
    assert_eq!(b.balance.u128(), 7_450_000_000 * TOKEN);
    assert_eq!(balance(&app, &d.token, &deployer), 0);
    let info: token::TokenInfoResponse = query(&app, &d.token, &token::QueryMsg::TokenInfo {});
    assert_eq!(info.total_supply.u128(), 10_000_000_000 * TOKEN);
}

#[test]
fn an_interrupted_deployment_resumes_without_deploying_twice() {
    let plan = genesis_plan();
    let mut app = genesis_app();
    // The first run stops (as if the process died) right after the market is instantiated.
    let mut saved: Option<DeploymentRecord> = None;
    let err = deploy(&AppDeployer::new(&mut app), &plan, None, &mut |rec| {
        saved = Some(rec.clone());
        if rec.is_done("instantiate market") {
            return Err(ChainError::Transient("killed".into()));
        }
        Ok(())
    })
    .unwrap_err();
    assert_eq!(err.to_string(), "transient: killed");
    let partial = saved.unwrap();
    assert!(!partial.is_complete());
    assert!(partial.deployment.emissions.is_none());

    let (rec, steps) = deploy(
        &AppDeployer::new(&mut app),
        &plan,
        Some(partial.clone()),
        &mut |_| Ok(()),
    )
    .unwrap();
    assert!(rec.is_complete());
    // The contracts of the first run are kept; none was stored or instantiated again.
    assert_eq!(rec.deployment.token, partial.deployment.token);
    assert_eq!(rec.deployment.market, partial.deployment.market);
    assert_eq!(rec.code_ids.token, partial.code_ids.token);
    for step in &steps {
        assert!(
            !partial.is_done(&step.name),
            "step {:?} ran twice",
            step.name
        );
    }
    assert!(steps.iter().any(|s| s.name == "instantiate emissions"));
    let names: Vec<&String> = rec.done.iter().collect();
    let mut unique = names.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(
        unique.len(),
        names.len(),
        "a step is recorded twice: {names:?}"
    );
    let info: token::TokenInfoResponse =
        query(&app, &rec.deployment.token, &token::QueryMsg::TokenInfo {});
    assert_eq!(info.total_supply.u128(), 10_000_000_000 * TOKEN);
}

#[test]
fn a_record_of_another_chain_or_of_vanished_contracts_is_refused() {
    let plan = genesis_plan();
    let mut app = genesis_app();
    let rec = run(&mut app, &plan, None);

    let mut other = rec.clone();
    other.deployment.chain_id = "acn-local-1".into();
    let err = deploy(&AppDeployer::new(&mut app), &plan, Some(other), &mut |_| {
        Ok(())
    })
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "rejected: the deployment record is for chain acn-local-1, this chain is embedded"
    );

    // A fresh chain (a reset localnet) does not hold the recorded contracts.
    let mut fresh = genesis_app();
    let err = deploy(
        &AppDeployer::new(&mut fresh),
        &plan,
        Some(rec.clone()),
        &mut |_| Ok(()),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "rejected: the deployment record lists the token at {}, but there is no contract \
             there on chain embedded (a reset chain?): move the record away to deploy anew",
            rec.deployment.token
        )
    );

    let mut by_other = rec;
    by_other.owner = fresh.api().addr_make("mallory").to_string();
    let err = deploy(
        &AppDeployer::new(&mut app),
        &plan,
        Some(by_other.clone()),
        &mut |_| Ok(()),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "rejected: the deployment record was deployed by {}, not by deployer ({})",
            by_other.owner,
            app.api().addr_make("deployer")
        )
    );
}

#[test]
fn recipients_are_renamed_or_the_name_is_reported() {
    let mut plan = genesis_plan();
    plan.rename_recipient("community-sale", "buyer-1").unwrap();
    plan.rename_recipient("team", "keeper").unwrap();
    assert!(plan
        .token
        .balances
        .iter()
        .any(|(n, a)| n == "buyer-1" && *a == 300_000_000 * TOKEN));
    assert!(plan
        .treasury
        .vestings
        .iter()
        .any(|v| v.beneficiary == "keeper"));
    let err = plan.rename_recipient("nobody", "buyer-2").unwrap_err();
    assert_eq!(
        err.to_string(),
        "--recipient nobody=buyer-2: no allocation of the genesis file names \"nobody\""
    );

    let mut app = genesis_app();
    let rec = run(&mut app, &plan, None);
    let buyer = app.api().addr_make("buyer-1").to_string();
    assert_eq!(
        balance(&app, &rec.deployment.token, &buyer),
        300_000_000 * TOKEN
    );
    let keeper = Addr::unchecked(app.api().addr_make("keeper"));
    let v: treasury::VestingsResponse = query(
        &app,
        &rec.deployment.treasury,
        &treasury::QueryMsg::Vestings {
            beneficiary: keeper.to_string(),
            start_after: None,
            limit: None,
        },
    );
    assert_eq!(v.vestings.len(), 1);
    assert_eq!(v.vestings[0].amount.u128(), 2_500_000_000 * TOKEN);
}

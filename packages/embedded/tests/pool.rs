//! The pool, oracle and buyback vault through the one deployment routine on the embedded
//! chain: owned and administered by the DAO, seeded, observed, and a buyback that burns
//! exactly 70 % of what it bought.

use acn_client::deploy::{deploy, DeployPlan, PoolPlan};
use acn_client::genesis::{Genesis, TOKEN};
use acn_embedded::AppDeployer;
use acn_interface::{buyback, dao, market, oracle, pool, staking, token};
use cosmwasm_std::{coins, Addr};
use cw_multi_test::{App, AppBuilder, Executor};
use serde::de::DeserializeOwned;

const USDC: &str = "uusdc";

fn query<R: DeserializeOwned>(app: &App, contract: &str, msg: &impl serde::Serialize) -> R {
    app.wrap().query_wasm_smart(contract, msg).unwrap()
}

#[test]
fn the_genesis_deployment_hands_pool_oracle_and_vault_to_the_dao() {
    let plan = DeployPlan::from_genesis(&Genesis::load(None).unwrap(), "deployer").unwrap();
    let p = plan.pool.clone().expect("genesis.toml has an [amm] table");
    assert_eq!(p.stable_denom, USDC);
    assert_eq!(p.oracle.window, 1_800);
    let mut app = App::default();
    acn_embedded::mint_native(&mut app, "deployer", USDC, 1_000_000 * TOKEN).unwrap();
    let rec = deploy(&AppDeployer::new(&mut app), &plan, None, &mut |_| Ok(()))
        .unwrap()
        .0;
    let d = &rec.deployment;
    let dao_addr = rec.dao.clone().unwrap();
    for addr in [&d.pool, &d.oracle, &d.buyback] {
        let addr = addr.clone().unwrap();
        let o: cw_ownable::Ownership<String> = query(&app, &addr, &staking::QueryMsg::Ownership {});
        assert_eq!(
            o.owner.as_deref(),
            Some(dao_addr.as_str()),
            "owner of {addr}"
        );
        let info = app.wrap().query_wasm_contract_info(&addr).unwrap();
        assert_eq!(info.admin.map(String::from), Some(dao_addr.clone()));
    }
    let pair: pool::PairInfo = query(&app, d.pool.as_ref().unwrap(), &pool::QueryMsg::Pair {});
    assert_eq!(
        pair.asset_infos,
        vec![
            pool::AssetInfo::cw20(d.token.as_str()),
            pool::AssetInfo::native(USDC)
        ]
    );
    let cfg: buyback::ConfigResponse = query(
        &app,
        d.buyback.as_ref().unwrap(),
        &buyback::QueryMsg::Config {},
    );
    assert_eq!(cfg.treasury.as_str(), d.treasury);
    assert_eq!(cfg.params.daily_cap.u128(), 10_000 * TOKEN);
    // The genesis seed: 50 M ACN against 1 M USDC, $0.02 per ACN; the market prices in uusdc
    // and sends its fees to the vault.
    let reserves: pool::PoolResponse =
        query(&app, d.pool.as_ref().unwrap(), &pool::QueryMsg::Pool {});
    assert_eq!(reserves.assets[0].amount.u128(), 50_000_000 * TOKEN);
    assert_eq!(reserves.assets[1].amount.u128(), 1_000_000 * TOKEN);
    let m: market::ConfigResponse = query(&app, &d.market, &market::QueryMsg::Config {});
    assert_eq!(m.stable.map(|s| s.denom), Some(USDC.to_string()));
    assert_eq!(m.treasury.as_str(), d.buyback.as_deref().unwrap());
    // A window after the deployment the oracle prices ACN at the seed's price.
    acn_embedded::advance_time(&mut app, 1_800);
    let t: oracle::TwapResponse =
        query(&app, d.oracle.as_ref().unwrap(), &oracle::QueryMsg::Twap {});
    assert_eq!(t.price, cosmwasm_std::Decimal::percent(2));
}

#[test]
fn a_seeded_deployment_buys_back_and_burns_seventy_percent_of_what_it_bought() {
    let mut plan = DeployPlan::new("deployer");
    let mut p = PoolPlan::new(USDC);
    p.seed_acn = 500_000 * TOKEN;
    p.seed_stable = 10_000 * TOKEN;
    plan.pool = Some(p);
    plan.dao = Some(dao::DaoParams::localnet());
    let mut app = AppBuilder::new().build(|router, api, storage| {
        for who in ["deployer", "fee-payer"] {
            router
                .bank
                .init_balance(storage, &api.addr_make(who), coins(100_000 * TOKEN, USDC))
                .unwrap();
        }
    });
    let rec = deploy(&AppDeployer::new(&mut app), &plan, None, &mut |_| Ok(()))
        .unwrap()
        .0;
    let d = rec.deployment.clone();
    let (pool_addr, oracle_addr, vault) = (
        d.pool.clone().unwrap(),
        d.oracle.clone().unwrap(),
        Addr::unchecked(d.buyback.clone().unwrap()),
    );
    let reserves: pool::PoolResponse = query(&app, &pool_addr, &pool::QueryMsg::Pool {});
    assert_eq!(reserves.assets[0].amount.u128(), 500_000 * TOKEN);
    assert_eq!(reserves.assets[1].amount.u128(), 10_000 * TOKEN);
    // The seed's shares are the treasury's.
    let pair: pool::PairInfo = query(&app, &pool_addr, &pool::QueryMsg::Pair {});
    let shares: token::BalanceResponse = query(
        &app,
        pair.liquidity_token.as_str(),
        &token::QueryMsg::Balance {
            address: d.treasury.clone(),
        },
    );
    // √(5e11 · 1e10) shares, less the 1 000 locked in the pool.
    assert_eq!(shares.balance.u128(), 70_710_678_118 - 1_000);
    let obs: Vec<oracle::Observation> =
        query(&app, &oracle_addr, &oracle::QueryMsg::Observations {});
    assert_eq!(obs.len(), 1);

    // 30 USDC of fees; 30 minutes later anyone buys back.
    let payer = app.api().addr_make("fee-payer");
    app.execute_contract(
        payer,
        vault.clone(),
        &buyback::ExecuteMsg::Deposit {},
        &coins(30 * TOKEN, USDC),
    )
    .unwrap();
    acn_embedded::advance_time(&mut app, 1_800);
    let supply = |app: &App| {
        let i: token::TokenInfoResponse = query(app, &d.token, &token::QueryMsg::TokenInfo {});
        i.total_supply.u128()
    };
    let before = supply(&app);
    let caller = app.api().addr_make("keeper");
    app.execute_contract(caller, vault.clone(), &buyback::ExecuteMsg::Buyback {}, &[])
        .unwrap();
    let st: buyback::StateResponse = query(&app, vault.as_str(), &buyback::QueryMsg::State {});
    let bought = st.totals.acn_bought.u128();
    assert_eq!(st.totals.stable_spent.u128(), 20 * TOKEN);
    assert_eq!(bought, 995_009_980);
    assert_eq!(before - supply(&app), bought * 7 / 10);
    assert_eq!(st.totals.burned.u128(), bought * 7 / 10);
}

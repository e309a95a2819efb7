//! The pool, oracle and buyback vault on a wasmd node (`#[ignore]`d: run by the wasmd stage
//! with `ACN_WASMD_RPC` set). The localnet has no stable denom, so the pool pairs ACN with the
//! fee denom `ustake` in the stable's place: the contracts do not care which bank denom it is.
//! Deploys through the one routine (seeded, handed to the DAO), swaps, buys back, and prints
//! the gas of a swap and of a buyback.

use std::path::{Path, PathBuf};
use std::process::Command;

use acn_client::deploy::{deploy_wasmd, DeployPlan, PoolPlan};
use acn_client::wasmd::WasmdConfig;
use acn_client::{Chain, ChainExt, WasmdChain};
use acn_interface::{buyback, pool, token};

const TOKEN: u128 = 1_000_000;
const STABLE: &str = "ustake";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn artifacts() -> PathBuf {
    let dir = root().join("artifacts");
    let missing = [
        "token", "staking", "treasury", "pool", "oracle", "buyback", "dao",
    ]
    .iter()
    .any(|c| !dir.join(format!("acn_{c}.wasm")).is_file());
    if missing {
        let status = Command::new("bash")
            .arg(root().join("scripts/build-wasm.sh"))
            .current_dir(root())
            .status()
            .expect("run scripts/build-wasm.sh");
        assert!(status.success(), "scripts/build-wasm.sh failed");
    }
    dir
}

#[test]
#[ignore = "needs a wasmd node: run by scripts/wasmd-e2e.sh"]
fn a_swap_and_a_buyback_on_wasmd_with_their_gas() {
    let rpc = std::env::var("ACN_WASMD_RPC")
        .expect("ACN_WASMD_RPC is not set: start a node with `scripts/localnet.sh up`");
    let chain = WasmdChain::new(WasmdConfig::new(&rpc)).expect("connect to the node");
    chain
        .load_accounts(root().join("scripts/localnet-accounts.json"))
        .expect("load accounts");
    let mut plan = DeployPlan::localnet();
    plan.market = None;
    plan.staking.link_market = false;
    let mut p = PoolPlan::new(STABLE);
    p.seed_acn = 500_000 * TOKEN;
    p.seed_stable = 10_000 * TOKEN;
    p.oracle.window = 60;
    p.oracle.max_staleness = 60;
    plan.pool = Some(p);
    let (rec, steps) = deploy_wasmd(&chain, artifacts(), &plan).expect("deploy");
    let gas: u64 = steps.iter().map(|s| s.tx.gas_used).sum();
    eprintln!("deployed in {} transactions, {gas} gas", steps.len());
    let d = rec.deployment.clone();
    let (pool_addr, vault) = (d.pool.clone().unwrap(), d.buyback.clone().unwrap());
    let dao = rec.dao.clone().unwrap();
    let o: cw_ownable::Ownership<String> = chain
        .query(&vault, &buyback::QueryMsg::Ownership {})
        .unwrap();
    assert_eq!(o.owner.as_deref(), Some(dao.as_str()));

    // A swap of 1 stable for ACN.
    let swap = serde_json::to_vec(&pool::ExecuteMsg::Swap {
        offer_asset: pool::AssetInfo::native(STABLE).with(TOKEN),
        ask_asset_info: None,
        belief_price: None,
        max_spread: Some(cosmwasm_std::Decimal::percent(1)),
        to: None,
    })
    .unwrap();
    let tx = chain
        .execute_raw_with_funds("buyer-1", &pool_addr, &swap, &[(STABLE.into(), TOKEN)])
        .expect("swap");
    eprintln!("swap: {} gas", tx.gas_used);

    // 30 stable of fees, a window later a buyback.
    let deposit = serde_json::to_vec(&buyback::ExecuteMsg::Deposit {}).unwrap();
    chain
        .execute_raw_with_funds("buyer-1", &vault, &deposit, &[(STABLE.into(), 30 * TOKEN)])
        .expect("deposit");
    chain.wait_seconds(61).unwrap();
    let supply = |c: &WasmdChain| -> u128 {
        let i: token::TokenInfoResponse =
            c.query(&d.token, &token::QueryMsg::TokenInfo {}).unwrap();
        i.total_supply.u128()
    };
    let before = supply(&chain);
    let tx = chain
        .execute("keeper", &vault, &buyback::ExecuteMsg::Buyback {})
        .expect("buyback");
    eprintln!("buyback: {} gas", tx.gas_used);
    let st: buyback::StateResponse = chain.query(&vault, &buyback::QueryMsg::State {}).unwrap();
    assert_eq!(st.totals.buys, 1);
    // 0.2 % of the stable reserve (10 000 seeded + 1 swapped in).
    assert_eq!(st.totals.stable_spent.u128(), 20_002_000);
    let bought = st.totals.acn_bought.u128();
    assert!(bought > 0);
    assert_eq!(before - supply(&chain), bought * 7 / 10);
}

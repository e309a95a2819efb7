//! The stable-priced market on a wasmd node (`#[ignore]`d: run by the wasmd stage with
//! `ACN_WASMD_RPC` set): the one routine deploys the market with a seeded ACN / uusdc pool, its
//! TWAP oracle (a one-minute window) and the buyback vault, handed to the DAO; the shared
//! scenario pays a job in uusdc and one in ACN, buys the fees back and burns 70 %; the gas of
//! each message is printed.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use acn_client::deploy::{deploy_wasmd, DeployPlan, PoolPlan};
use acn_client::wasmd::WasmdConfig;
use acn_client::{ChainExt, WasmdChain};
use acn_interface::{buyback, pool};
use acn_testing::digits_model;

const TOKEN: u128 = 1_000_000;
const STABLE: &str = common::STABLE;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn artifacts() -> PathBuf {
    let dir = root().join("artifacts");
    let missing = [
        "token", "staking", "treasury", "pool", "oracle", "buyback", "agents", "dao",
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
fn a_stable_paid_job_a_swap_and_a_buyback_on_wasmd_with_their_gas() {
    let rpc = std::env::var("ACN_WASMD_RPC")
        .expect("ACN_WASMD_RPC is not set: start a node with `scripts/localnet.sh up`");
    let mut chain = WasmdChain::new(WasmdConfig::new(&rpc)).expect("connect to the node");
    chain
        .load_accounts(root().join("scripts/localnet-accounts.json"))
        .expect("load accounts");
    let mut plan = DeployPlan::localnet();
    plan.market_mut().models = vec![digits_model()];
    plan.token.balances.extend([
        ("provider-2".to_string(), 5_000 * TOKEN),
        ("buyer-2".to_string(), 1_000 * TOKEN),
    ]);
    let mut p = PoolPlan::new(STABLE);
    p.seed_acn = 500_000 * TOKEN;
    p.seed_stable = 25_000 * TOKEN;
    p.oracle.window = 60;
    p.oracle.max_staleness = 60;
    plan.pool = Some(p);
    let (rec, steps) = deploy_wasmd(&chain, artifacts(), &plan).expect("deploy");
    let gas: u64 = steps.iter().map(|s| s.tx.gas_used).sum();
    eprintln!("deployed in {} transactions, {gas} gas", steps.len());
    let d = rec.deployment.clone();
    chain.set_deployment(d.clone()).expect("set deployment");
    let dao = rec.dao.clone().unwrap();
    let vault = d.buyback.clone().unwrap();
    let o: cw_ownable::Ownership<String> = chain
        .query(&vault, &buyback::QueryMsg::Ownership {})
        .unwrap();
    assert_eq!(o.owner.as_deref(), Some(dao.as_str()));

    let g = common::stable_job_and_buyback(&chain, "buyer-2", "provider-2");

    // A swap of 1 USDC for ACN.
    let swap = serde_json::to_vec(&pool::ExecuteMsg::Swap {
        offer_asset: pool::AssetInfo::native(STABLE).with(TOKEN),
        ask_asset_info: None,
        belief_price: None,
        max_spread: Some(cosmwasm_std::Decimal::percent(1)),
        to: None,
    })
    .unwrap();
    let pool_addr = d.pool.clone().unwrap();
    let tx = chain
        .execute_raw_with_funds("buyer-2", &pool_addr, &swap, &[(STABLE.into(), TOKEN)])
        .expect("swap");
    let lifecycle = g.submit + g.commit + g.audit + g.reveal_settle;
    eprintln!("| message | gas |\n|---|---:|");
    eprintln!("| SubmitJob (uusdc attached) | {} |", g.submit);
    eprintln!("| CommitResult | {} |", g.commit);
    eprintln!("| RevealAuditSecret | {} |", g.audit);
    eprintln!(
        "| RevealResult (settles, fee to the vault) | {} |",
        g.reveal_settle
    );
    eprintln!("| stable-paid redundancy-1 lifecycle | {lifecycle} |");
    eprintln!("| Buyback (swap, split, burn) | {} |", g.buyback);
    eprintln!("| pool Swap | {} |", tx.gas_used);
}

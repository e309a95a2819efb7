//! `acn gov` against a running wasmd node: a fresh deployment handed to its DAO, then a fee
//! change proposed, voted, executed and listed through the `acn` binary. `#[ignore]`d (a plain
//! `cargo test` has no node); `scripts/wasmd-e2e.sh` runs it with `--ignored`, `ACN_WASMD_RPC`
//! set (e.g. `http://127.0.0.1:26657` after `scripts/localnet.sh up`) and the wasm artifacts
//! built (`scripts/build-wasm.sh`). Without them it fails, saying which is missing.

use std::path::{Path, PathBuf};
use std::process::Command;

use cosmwasm_std::{to_json_binary, Uint128};

use acn_client::deploy::{deploy_wasmd, DeployPlan};
use acn_client::wasmd::WasmdConfig;
use acn_client::{Chain, ChainExt, WasmdChain};
use acn_interface::{market, staking, token};
use acn_testing::TOKEN;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Run `acn gov --deployment FILE ARGS…`; the stdout, or a panic with stderr.
fn acn_gov(rpc: &str, deployment: &Path, args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_acn"))
        .current_dir(root())
        .args(["gov", "--rpc", rpc, "--deployment"])
        .arg(deployment)
        .args(args)
        .output()
        .expect("run acn");
    assert!(
        out.status.success(),
        "acn gov {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
#[ignore = "needs a wasmd node: run by scripts/wasmd-e2e.sh"]
fn a_fee_change_goes_through_the_cli() {
    let rpc = match std::env::var("ACN_WASMD_RPC") {
        Ok(url) if !url.is_empty() => url,
        _ => {
            panic!("ACN_WASMD_RPC is not set: run scripts/wasmd-e2e.sh, or set it to a node's RPC")
        }
    };
    let artifacts = root().join("artifacts");
    assert!(
        artifacts.join("acn_dao.wasm").is_file(),
        "artifacts/acn_dao.wasm is missing (run scripts/build-wasm.sh)"
    );
    let mut chain = WasmdChain::new(WasmdConfig::new(&rpc)).unwrap();
    chain
        .load_accounts(root().join("scripts/localnet-accounts.json"))
        .unwrap();
    let mut plan = DeployPlan::localnet();
    let artifacts_dir = &artifacts;
    plan.label_prefix = "acn-cli-gov".into();
    plan.token.balances.extend(vec![
        ("buyer-1".into(), 1_000 * TOKEN),
        ("buyer-2".into(), 1_000 * TOKEN),
    ]);
    let (deployment, _) = deploy_wasmd(&chain, artifacts_dir, &plan).unwrap();
    let file = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("acn-cli-gov-{}.json", std::process::id()));
    deployment.save(&file).unwrap();
    chain.set_deployment(deployment.deployment.clone()).unwrap();
    let d = chain.deployment().clone();
    for (account, amount) in [("buyer-1", 600 * TOKEN), ("buyer-2", 400 * TOKEN)] {
        chain
            .execute(
                account,
                &d.token,
                &token::ExecuteMsg::Send {
                    contract: d.staking.clone(),
                    amount: Uint128::new(amount),
                    msg: to_json_binary(&staking::ReceiveMsg::Bond { tier: None }).unwrap(),
                },
            )
            .unwrap();
    }
    chain.wait_blocks(1).unwrap();

    let out = acn_gov(
        &rpc,
        &file,
        &[
            "propose",
            "--from",
            "buyer-2",
            "--title",
            "Fee to 5 %",
            "fee",
            "--bps",
            "500",
        ],
    );
    assert!(out.contains("proposal 2 opened (Open)"), "{out}");
    let out = acn_gov(
        &rpc,
        &file,
        &[
            "vote", "--from", "buyer-1", "--id", "2", "--vote", "yes", "--wait",
        ],
    );
    assert!(out.contains("(Passed)"), "{out}");
    let out = acn_gov(&rpc, &file, &["show", "--id", "2"]);
    assert!(
        out.contains("phase Active") || out.contains("phase Queued"),
        "{out}"
    );
    let out = acn_gov(
        &rpc,
        &file,
        &["execute", "--from", "keeper", "--id", "2", "--wait"],
    );
    assert!(out.contains("proposal 2 executed"), "{out}");
    let out = acn_gov(&rpc, &file, &["list"]);
    assert!(
        out.contains("Fee to 5 %") && out.contains("Executed"),
        "{out}"
    );
    let cfg: market::ConfigResponse = chain.market(&market::QueryMsg::Config {}).unwrap();
    assert_eq!(cfg.params.protocol_fee_bps, 500);

    // A guard rail through the CLI: the vote passes, execution fails with the market's error.
    let out = acn_gov(
        &rpc,
        &file,
        &[
            "propose", "--from", "buyer-2", "--title", "Too much", "fee", "--bps", "1001",
        ],
    );
    assert!(out.contains("proposal 3 opened"), "{out}");
    acn_gov(
        &rpc,
        &file,
        &[
            "vote", "--from", "buyer-1", "--id", "3", "--vote", "yes", "--wait",
        ],
    );
    let out = Command::new(env!("CARGO_BIN_EXE_acn"))
        .current_dir(root())
        .args(["gov", "--rpc", &rpc, "--deployment"])
        .arg(&file)
        .args(["execute", "--from", "keeper", "--id", "3", "--wait"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("exceeds the maximum 1000 bps"), "{stderr}");
    let cfg: market::ConfigResponse = chain.market(&market::QueryMsg::Config {}).unwrap();
    assert_eq!(cfg.params.protocol_fee_bps, 500);
}

//! The wasmd chain client against a running node: every test is `#[ignore]`d, so that a plain
//! `cargo test` reports it as ignored rather than passed; `scripts/wasmd-e2e.sh` starts a node and
//! runs them with `--ignored` and `ACN_WASMD_RPC` set (e.g. `http://127.0.0.1:26657` after
//! `scripts/localnet.sh up`). Without it they fail, saying so. The tests share one fresh deployment of the contracts, handed to the DAO
//! (built with `scripts/build-wasm.sh` when `artifacts/` lacks them) and run the same scenario as
//! the embedded chain's tests; the governance test deploys its own instance with a short voting
//! period.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, OnceLock};

use cosmwasm_std::Uint128;

use acn_client::deploy::{deploy_wasmd, DeployPlan};
use acn_client::wasmd::{AccountsFile, WasmdConfig};
use acn_client::{Chain, ChainError, ChainExt, DeploymentRecord, WasmdChain};
use acn_interface::{dao, market, staking, token};
use acn_testing::{digits_model, TOKEN};

/// Every contract crate under `contracts/`, by artifact name `acn_<name>.wasm`.
/// The contracts `scripts/build-wasm.sh` builds that wasmd's VM accepts (the routine deploys
/// them all, except `gas_burner`: a test fixture, see `contracts/gas-burner`).
const CONTRACTS: [&str; 13] = [
    "token",
    "staking",
    "treasury",
    "market",
    "dao",
    "emissions",
    "pool",
    "oracle",
    "buyback",
    "agents",
    "moderation",
    "subscriptions",
    "gas_burner",
];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn accounts_file() -> PathBuf {
    root().join("scripts/localnet-accounts.json")
}

fn rpc() -> String {
    match std::env::var("ACN_WASMD_RPC") {
        Ok(url) if !url.is_empty() => url,
        _ => panic!(
            "ACN_WASMD_RPC is not set: start a node with `scripts/localnet.sh up` and set \
             ACN_WASMD_RPC=http://127.0.0.1:26657, or run scripts/wasmd-e2e.sh"
        ),
    }
}

/// Build the wasm artifacts when one is missing.
fn ensure_artifacts() -> PathBuf {
    let dir = root().join("artifacts");
    let missing = CONTRACTS
        .iter()
        .any(|c| !dir.join(format!("acn_{c}.wasm")).is_file());
    if missing {
        eprintln!("building the wasm artifacts (scripts/build-wasm.sh)");
        let status = Command::new("bash")
            .arg(root().join("scripts/build-wasm.sh"))
            .current_dir(root())
            .status()
            .expect("run scripts/build-wasm.sh");
        assert!(status.success(), "scripts/build-wasm.sh failed");
    }
    dir
}

fn deployment_file() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("acn-wasmd-deployment-{}.json", std::process::id()))
}

/// The shared chain with a fresh deployment.
fn chain() -> &'static WasmdChain {
    static CHAIN: OnceLock<WasmdChain> = OnceLock::new();
    let rpc = rpc();
    CHAIN.get_or_init(|| {
        let artifacts = ensure_artifacts();
        let mut chain = WasmdChain::new(WasmdConfig::new(&rpc)).expect("connect to the node");
        chain.load_accounts(accounts_file()).expect("load accounts");
        let t = std::time::Instant::now();
        let mut plan = DeployPlan::localnet();
        plan.market_mut().models = vec![digits_model()];
        plan.token.balances.extend([
            ("provider-1".to_string(), 5_000 * TOKEN),
            ("buyer-1".to_string(), 1_000 * TOKEN),
            ("buyer-2".to_string(), 1_000 * TOKEN),
        ]);
        let (deployment, _) = deploy_wasmd(&chain, &artifacts, &plan).expect("deploy");
        eprintln!(
            "deployed to {} in {:.1} s: {:#?}",
            chain.chain_id(),
            t.elapsed().as_secs_f64(),
            deployment
        );
        deployment.save(deployment_file()).expect("save deployment");
        chain
            .set_deployment(deployment.deployment)
            .expect("set deployment");
        chain
    })
}

#[test]
#[ignore = "needs a wasmd node: run by scripts/wasmd-e2e.sh"]
fn addresses_are_those_of_the_accounts_file() {
    let chain = chain();
    let file = AccountsFile::load(accounts_file()).unwrap();
    for a in &file.accounts {
        assert_eq!(
            Some(chain.address(&a.name).unwrap()),
            a.address,
            "{}",
            a.name
        );
    }
    assert!(matches!(
        chain.address("nobody"),
        Err(ChainError::UnknownAccount(_))
    ));
}

#[test]
#[ignore = "needs a wasmd node: run by scripts/wasmd-e2e.sh"]
fn a_job_runs_end_to_end_through_the_trait() {
    let chain = chain();
    common::job_end_to_end(chain, "buyer-1", "provider-1");
    let provider = chain.address("provider-1").unwrap();
    assert_eq!(chain.balance(&provider).unwrap(), 3_000 * TOKEN + 1_940);
}

#[test]
#[ignore = "needs a wasmd node: run by scripts/wasmd-e2e.sh"]
fn contract_errors_are_rejections_not_transient() {
    let chain = chain();
    common::contract_error_is_a_rejection(chain, "keeper");
    // A failing query is a query error with the contract's message.
    let err = chain
        .market::<market::JobResponse>(&market::QueryMsg::Job { id: 4242 })
        .unwrap_err();
    assert!(
        matches!(err, ChainError::Query(ref m) if m.contains("not found")),
        "{err}"
    );
    // An unknown signer is refused before anything is sent.
    let err = chain
        .market_exec("nobody", &market::ExecuteMsg::FlushFees {})
        .unwrap_err();
    assert!(matches!(err, ChainError::UnknownAccount(_)), "{err}");
}

fn transfer(chain: &dyn Chain, from: &str, to: &str, amount: u128) -> acn_client::TxResult {
    let token = chain.deployment().token.clone();
    chain
        .execute(
            from,
            &token,
            &token::ExecuteMsg::Transfer {
                recipient: to.to_string(),
                amount: Uint128::new(amount),
            },
        )
        .unwrap()
}

#[test]
#[ignore = "needs a wasmd node: run by scripts/wasmd-e2e.sh"]
fn two_threads_of_one_account_do_not_race_on_sequences() {
    let chain = chain();
    let keeper = chain.address("keeper").unwrap();
    let before = chain.balance(&keeper).unwrap();
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..2)
            .map(|_| {
                let keeper = keeper.clone();
                s.spawn(move || {
                    (0..3)
                        .map(|_| transfer(chain, "buyer-2", &keeper, 7).height)
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        for h in handles {
            assert_eq!(h.join().unwrap().len(), 3);
        }
    });
    assert_eq!(chain.balance(&keeper).unwrap(), before + 6 * 7);
}

#[test]
#[ignore = "needs a wasmd node: run by scripts/wasmd-e2e.sh"]
fn a_stale_sequence_cache_is_refreshed() {
    let chain = chain();
    // A second client for the same account keeps its own (soon stale) sequence cache.
    let other = WasmdChain::new(WasmdConfig::new(rpc()))
        .unwrap()
        .with_deployment(chain.deployment().clone())
        .unwrap();
    other.load_accounts(accounts_file()).unwrap();
    let to = chain.address("buyer-2").unwrap();
    // Both learn the sequence, then each sends in turn: every second send is stale.
    for _ in 0..2 {
        transfer(&other, "buyer-1", &to, 1);
        transfer(chain, "buyer-1", &to, 1);
    }
    let (_, sequence) = chain
        .account_info(&chain.address("buyer-1").unwrap())
        .unwrap();
    assert!(sequence >= 4);
}

#[test]
#[ignore = "needs a wasmd node: run by scripts/wasmd-e2e.sh"]
fn connect_reads_the_deployment_file() {
    let chain = chain();
    let file = deployment_file();
    let saved = DeploymentRecord::load(&file).unwrap();
    assert_eq!(&saved.deployment, chain.deployment());
    assert_eq!(saved.models, vec!["digits-mlp-v1".to_string()]);
    assert!(
        saved.code_ids.dao > saved.code_ids.market && saved.code_ids.market > saved.code_ids.token
    );
    assert!(saved.dao.is_some());
    let again = Arc::new(WasmdChain::connect(&rpc(), accounts_file(), &file).unwrap());
    let info: token::TokenInfoResponse = again
        .query(&again.deployment().token, &token::QueryMsg::TokenInfo {})
        .unwrap();
    assert_eq!(info.symbol, "ACN");
    let b = again.wait_blocks(1).unwrap();
    assert!(again.block().unwrap().height >= b.height);
    let t0 = again.block().unwrap().time;
    assert!(again.wait_seconds(1).unwrap().time > t0);
}

/// Every artifact `scripts/build-wasm.sh` made is accepted by wasmd's VM (wasmvm's static
/// checks: exports, imports, memory, no unsupported operators such as bulk memory) and stored
/// with the checksum of the file — this is what the test command relies on instead of
/// cosmwasm-check. A module the VM cannot run is refused.
#[test]
#[ignore = "needs a wasmd node: run by scripts/wasmd-e2e.sh"]
fn every_artifact_is_accepted_by_the_chains_vm() {
    let chain = chain();
    let artifacts = ensure_artifacts();
    let on_disk = std::fs::read_dir(&artifacts)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "wasm")
        })
        .count();
    assert_eq!(
        on_disk,
        CONTRACTS.len(),
        "artifacts/ holds other wasm files"
    );
    for name in CONTRACTS {
        let wasm = std::fs::read(artifacts.join(format!("acn_{name}.wasm"))).unwrap();
        let (code_id, tx) = chain
            .store_code("deployer", &wasm)
            .unwrap_or_else(|e| panic!("acn_{name}.wasm refused by wasmd: {e}"));
        assert!(code_id > 0);
        assert_eq!(
            acn_client::wasmd::event_attr(&tx, "store_code", "code_checksum"),
            Some(cosmwasm_std::Checksum::generate(&wasm).to_hex().as_str()),
            "{name}"
        );
        eprintln!(
            "acn_{name}.wasm: {} bytes stored as code {code_id}, {} gas",
            wasm.len(),
            tx.gas_used
        );
    }
    // The bare wasm header: a module without a memory or the CosmWasm exports.
    let err = chain
        .store_code("deployer", b"\0asm\x01\0\0\0")
        .unwrap_err();
    assert!(matches!(err, ChainError::Rejected(_)), "{err:?}");
}

/// cw-ownable owner of a contract.
fn owner_of(chain: &WasmdChain, contract: &str) -> Option<String> {
    let res: cw_ownable::Ownership<String> = chain
        .query(contract, &staking::QueryMsg::Ownership {})
        .unwrap();
    res.owner
}

#[test]
#[ignore = "needs a wasmd node: run by scripts/wasmd-e2e.sh"]
fn governance_proposals_execute_end_to_end() {
    let chain = chain();
    // A separate instance: its own electorate (provider-3: 60 %, provider-4: 40 %), a treasury
    // reserve, a CW20 proposal deposit and the local-node timing (1 s delay, 10 s voting, 1 s
    // timelock).
    let mut plan = DeployPlan::localnet();
    let artifacts_dir = ensure_artifacts();
    plan.label_prefix = "acn-gov".into();
    plan.token.balances.extend(vec![
        ("provider-3".into(), 1_000 * TOKEN),
        ("provider-4".into(), 1_000 * TOKEN),
    ]);
    plan.treasury.reserve = 10_000 * TOKEN;
    plan.dao = Some(dao::DaoParams {
        deposit: Some(Uint128::new(10 * TOKEN)),
        ..dao::DaoParams::localnet()
    });
    let (deployment, steps) =
        deploy_wasmd(chain, &artifacts_dir, &plan).expect("deploy with a DAO");
    let d = deployment.deployment.clone();
    let dao_addr = deployment
        .dao
        .clone()
        .expect("the deployment records the DAO");

    // The DAO owns and administers everything; the deployer nothing.
    for contract in [&d.token, &d.staking, &d.treasury, &d.market] {
        assert_eq!(
            owner_of(chain, contract).as_ref(),
            Some(&dao_addr),
            "{contract}"
        );
    }
    for contract in [&d.token, &d.staking, &d.treasury, &d.market, &dao_addr] {
        assert_eq!(
            chain.contract_info(contract).unwrap().0,
            dao_addr,
            "{contract}"
        );
    }
    let minter: Option<token::MinterResponse> =
        chain.query(&d.token, &token::QueryMsg::Minter {}).unwrap();
    assert_eq!(
        minter.map(|m| m.minter),
        Some(dao_addr.clone()),
        "token minter"
    );
    assert!(steps
        .iter()
        .any(|s| s.name == "dao: execute accepting ownership"));

    let gas =
        common::governance_end_to_end(chain, &d, &dao_addr, ["provider-3", "provider-4", "keeper"]);
    eprintln!(
        "governance gas on {}: propose {} (incl. CW20 deposit), vote {}, execute {} (fee change + grant)",
        chain.chain_id(),
        gas.propose,
        gas.vote,
        gas.execute
    );
}

//! Chain profiles and key sources against a running wasmd node (`#[ignore]`d; run with
//! `--ignored` and `ACN_WASMD_RPC` set, e.g. by `scripts/wasmd-e2e.sh`): the profile's chain id
//! is enforced, an `env` key signs a real transaction paid in the profile's fee denom, and the
//! TEST-ONLY accounts file is refused on another chain.

use std::path::{Path, PathBuf};

use acn_client::wasmd::{AccountsFile, ChainProfile, KeyKind, KeySource, ENV_MNEMONIC};
use acn_client::{ChainError, WasmdChain};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn profile() -> ChainProfile {
    let rpc = match std::env::var("ACN_WASMD_RPC") {
        Ok(url) if !url.is_empty() => url,
        _ => {
            panic!("ACN_WASMD_RPC is not set: run scripts/wasmd-e2e.sh, or set it to a node's RPC")
        }
    };
    ChainProfile {
        rpc,
        ..ChainProfile::localnet()
    }
}

fn accounts() -> AccountsFile {
    AccountsFile::load(root().join("scripts/localnet-accounts.json")).unwrap()
}

#[test]
#[ignore = "needs a wasmd node: run by scripts/wasmd-e2e.sh"]
fn a_node_on_another_chain_than_the_profiles_is_refused() {
    let mut p = profile();
    p.chain_id = "other-chain-1".into();
    let err = WasmdChain::from_profile(&p).unwrap_err();
    assert!(matches!(err, ChainError::Config(_)), "{err:?}");
    assert!(
        err.to_string()
            .contains("is on chain acn-local-1, expected other-chain-1"),
        "{err}"
    );
}

#[test]
#[ignore = "needs a wasmd node: run by scripts/wasmd-e2e.sh"]
fn an_env_key_signs_a_transaction_paid_in_the_profiles_denom() {
    let p = profile();
    let chain = WasmdChain::from_profile(&p).unwrap();
    let file = accounts();
    let buyer = file.accounts.iter().find(|a| a.name == "buyer-2").unwrap();
    let env = |k: &str| (k == ENV_MNEMONIC).then(|| buyer.mnemonic.clone());
    let source = KeySource::choose(Some(KeyKind::Env), None, false);
    assert_eq!(
        chain.load_keys(&source, Some("me"), &env).unwrap(),
        vec!["me".to_string()]
    );
    let me = chain.resolve("me").unwrap();
    assert_eq!(Some(&me), buyer.address.as_ref());
    // Without --from the env source has nobody to load.
    let err = chain.load_keys(&source, None, &env).unwrap_err();
    assert!(err.to_string().contains("--from"), "{err}");
    // A real transaction: 1 ustake to itself, the fee in the profile's denom and price.
    let (_, before) = chain.account_info(&me).unwrap();
    let send = chain.bank_send_any("me", &me, 1).unwrap();
    let tx = chain.execute_msgs("me", vec![send]).unwrap();
    assert!(tx.gas_used > 0);
    let fee = tx
        .attributes
        .iter()
        .find(|a| a.event == "tx" && a.key == "fee")
        .map(|a| a.value.clone())
        .expect("a fee attribute");
    assert!(fee.ends_with(&p.fee_denom), "fee {fee}");
    let (_, after) = chain.account_info(&me).unwrap();
    assert!(after > before);
}

#[test]
#[ignore = "needs a wasmd node: run by scripts/wasmd-e2e.sh"]
fn the_test_accounts_file_is_refused_on_another_chain() {
    let chain = WasmdChain::from_profile(&profile()).unwrap();
    let mut file = accounts();
    file.chain_id = Some("acn-mainnet-1".into());
    let path = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("acn-accounts-other-{}.json", std::process::id()));
    std::fs::write(&path, serde_json::to_string(&file).unwrap()).unwrap();
    let err = chain.load_accounts(&path).unwrap_err();
    assert!(
        err.to_string()
            .contains("holds keys for chain acn-mainnet-1 only, the node is on acn-local-1"),
        "{err}"
    );
    std::fs::remove_file(&path).unwrap();
    // The real file names the localnet's chain and loads.
    let names = chain
        .load_keys(
            &KeySource::choose(
                Some(KeyKind::Test),
                Some(root().join("scripts/localnet-accounts.json")),
                true,
            ),
            None,
            &|_: &str| None,
        )
        .unwrap();
    assert!(names.contains(&"deployer".to_string()));
}

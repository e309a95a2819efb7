//! `acn keys` through the binary: the address of an account from each key source (the
//! localnet's TEST-ONLY accounts file, `ACN_MNEMONIC`, the OS keyring), on the prefix of the
//! chain profile chosen by `--chain` / `ACN_CHAINS`, and the errors a person gets. No node.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use acn_client::wasmd::AccountsFile;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// `acn keys ARGS…` with no ACN_* variable but `env`, and `stdin` on standard input.
fn acn_keys(args: &[&str], env: &[(&str, &str)], stdin: &str) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_acn"));
    cmd.current_dir(root()).arg("keys").args(args);
    for (k, _) in std::env::vars() {
        if k.starts_with("ACN_") {
            cmd.env_remove(k);
        }
    }
    cmd.env("XDG_CONFIG_HOME", env!("CARGO_TARGET_TMPDIR"));
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run acn");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn err(out: &Output) -> String {
    assert!(
        !out.status.success(),
        "succeeded: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8_lossy(&out.stderr).trim().to_string()
}

fn buyer() -> (String, String) {
    let file = AccountsFile::load(root().join("scripts/localnet-accounts.json")).unwrap();
    let a = file.accounts.iter().find(|a| a.name == "buyer-1").unwrap();
    (a.mnemonic.clone(), a.address.clone().unwrap())
}

#[test]
fn the_test_and_env_sources_give_the_same_address() {
    let (mnemonic, address) = buyer();
    let out = acn_keys(&["show", "buyer-1"], &[], "");
    assert_eq!(ok(&out), format!("buyer-1 {address}"));
    let out = acn_keys(
        &["show", "me", "--keys", "env"],
        &[("ACN_MNEMONIC", &mnemonic)],
        "",
    );
    assert_eq!(ok(&out), format!("me {address}"));
    // The source chosen by ACN_KEYS, the flag winning over it.
    let out = acn_keys(
        &["show", "buyer-1", "--keys", "test"],
        &[("ACN_KEYS", "env")],
        "",
    );
    assert_eq!(ok(&out), format!("buyer-1 {address}"));
    let msg = err(&acn_keys(&["show", "me"], &[("ACN_KEYS", "env")], ""));
    assert!(msg.contains("ACN_MNEMONIC is not set"), "{msg}");
    let msg = err(&acn_keys(&["show", "nobody"], &[], ""));
    assert!(msg.contains("unknown account nobody"), "{msg}");
}

#[test]
fn the_chain_profile_gives_the_prefix_and_bad_settings_are_named() {
    let (mnemonic, _) = buyer();
    let file = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("acn-keys-chains-{}.toml", std::process::id()));
    std::fs::write(
        &file,
        "[other]\nchain_id = \"other-1\"\nrpc = \"http://127.0.0.1:1\"\n\
         bech32_prefix = \"acn\"\nfee_denom = \"uacn\"\ngas_price = 0.1\n",
    )
    .unwrap();
    let chains = file.to_str().unwrap();
    let env = [("ACN_CHAINS", chains), ("ACN_MNEMONIC", mnemonic.as_str())];
    let out = acn_keys(
        &["show", "me", "--keys", "env", "--chain", "other"],
        &env,
        "",
    );
    let shown = ok(&out);
    assert!(shown.starts_with("me acn1"), "{shown}");
    // Off the localnet, the default key source is the OS keyring, not the test file.
    let env = [("ACN_CHAINS", chains), ("ACN_CHAIN", "other")];
    let msg = err(&acn_keys(&["show", "buyer-1"], &env, ""));
    assert!(msg.contains("OS keyring"), "{msg}");
    let msg = err(&acn_keys(&["show", "me", "--chain", "mainnet"], &env, ""));
    assert!(
        msg.contains("no chain profile mainnet") && msg.contains("known: localnet, other"),
        "{msg}"
    );
    let msg = err(&acn_keys(
        &["show", "me"],
        &[("ACN_GAS_PRICE", "cheap")],
        "",
    ));
    assert!(msg.contains("ACN_GAS_PRICE: expected a number"), "{msg}");
    std::fs::remove_file(&file).unwrap();
}

/// `acn keys add` stores in the OS keyring when there is one (a Secret Service on the D-Bus
/// session bus); without one it must fail saying so, and never fall back to a file.
#[test]
fn add_show_delete_through_the_os_keyring_or_a_clear_error() {
    let (mnemonic, address) = buyer();
    let name = format!("acn-test-key-{}", std::process::id());
    let out = acn_keys(&["add", &name], &[], &format!("{mnemonic}\n"));
    if out.status.success() {
        assert_eq!(
            ok(&out),
            format!("{name} {address} stored in the OS keyring (service acn)")
        );
        let out = acn_keys(&["show", &name, "--keys", "os"], &[], "");
        assert_eq!(ok(&out), format!("{name} {address}"));
        ok(&acn_keys(&["delete", &name], &[], ""));
        let msg = err(&acn_keys(&["show", &name, "--keys", "os"], &[], ""));
        assert!(
            msg.contains(&format!("no key {name} in the OS keyring")),
            "{msg}"
        );
    } else {
        let msg = err(&out);
        eprintln!("no OS keyring here; checked the error only: {msg}");
        assert!(msg.contains("the OS keyring is not available"), "{msg}");
    }
    let msg = err(&acn_keys(&["add", &name], &[], "not a mnemonic\n"));
    assert!(msg.contains("bad mnemonic"), "{msg}");
}

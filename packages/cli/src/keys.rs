//! `acn keys add|show|delete`: the signing keys of `--keys os` in the OS keyring (service
//! `acn`, user = the account name, secret = its BIP-39 mnemonic), and any key source's address.
//!
//! ```text
//! acn keys add provider-1 < mnemonic.txt     # stores it; prints the address on --chain's prefix
//! acn keys show provider-1 --keys os         # the address, from the OS keyring
//! acn keys show buyer-1                      # from the localnet's TEST-ONLY accounts file
//! ACN_MNEMONIC="…" acn keys show me --keys env
//! acn keys delete provider-1
//! ```
//!
//! No node is contacted: the chain profile only gives the address prefix and HD path.

use std::io::BufRead;

use anyhow::Context;

use acn_client::wasmd::{address_of, delete_os_key, store_os_key, KEYRING_SERVICE};

use acn_cli::connect::ConnectArgs;

/// Key management.
#[derive(clap::Args, Clone, Debug)]
pub struct KeysOptions {
    /// Chain profile (for the address prefix) and key source.
    #[command(flatten)]
    connect: ConnectArgs,
    #[command(subcommand)]
    command: KeysCommand,
}

/// What to do.
#[derive(clap::Subcommand, Clone, Debug)]
enum KeysCommand {
    /// Store an account's BIP-39 mnemonic, read from standard input (one line), in the OS
    /// keyring; prints its address.
    Add {
        /// Account name (the keyring entry's user).
        name: String,
    },
    /// Print an account's address, its key read from the key source of --keys.
    Show {
        /// Account name.
        name: String,
    },
    /// Remove an account's mnemonic from the OS keyring.
    Delete {
        /// Account name.
        name: String,
    },
}

fn process_env(k: &str) -> Option<String> {
    std::env::var(k).ok()
}

/// Run a `keys` command.
pub fn run(opts: KeysOptions) -> anyhow::Result<()> {
    let profile = opts.connect.profile()?;
    match opts.command {
        KeysCommand::Add { name } => {
            let mut mnemonic = String::new();
            std::io::stdin()
                .lock()
                .read_line(&mut mnemonic)
                .context("read the mnemonic from standard input")?;
            let address = address_of(&mnemonic, &profile.hd_path, &profile.bech32_prefix)
                .with_context(|| format!("account {name}"))?;
            store_os_key(KEYRING_SERVICE, &name, &mnemonic)?;
            println!("{name} {address} stored in the OS keyring (service {KEYRING_SERVICE})");
        }
        KeysCommand::Show { name } => {
            let source = opts.connect.key_source(&profile, &process_env)?;
            let mnemonic = source.mnemonic(&name, &process_env)?;
            let address = address_of(&mnemonic, &profile.hd_path, &profile.bech32_prefix)?;
            println!("{name} {address}");
        }
        KeysCommand::Delete { name } => {
            delete_os_key(KEYRING_SERVICE, &name)?;
            println!("{name} removed from the OS keyring (service {KEYRING_SERVICE})");
        }
    }
    Ok(())
}

//! The chains the simulator drives: anything that implements [`acn_client::Chain`] plus the
//! three things a simulation needs beyond what a client does ([`SimChain`]): open the named
//! accounts of its actors, bring money from outside the system (USD bought by card, a
//! stablecoin), and say how long a simulated day lasts in chain time.
//!
//! * [`EmbeddedSim`] — the default: the real contracts in-process on cw-multi-test
//!   (`acn_embedded`); accounts are `addr_make(name)`, USD is minted, a day is 86 400 s and time
//!   jumps.
//! * [`LocalnetSim`] — a wasmd node: each actor gets a key derived for this run (so runs never
//!   share accounts or sequences with each other or with other users of the node) and a little
//!   gas from a funder account of the node's accounts file; USD is a bank send of the stable
//!   denom from that funder (money from outside, as on the embedded chain); a day lasts
//!   `day_seconds` of the node's real clock (see `crate::deploy::sim_plan` for what is scaled).

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use acn_client::{Block, Call, Chain, ChainError, Deployment, TxResult, WasmdChain};
use anyhow::{Context, Result};
use bip32::{Language, Mnemonic};
use cw_multi_test::App;
use sha2::{Digest, Sha256};

use crate::config::DAY;

/// A chain the simulator can run on.
pub trait SimChain: Chain {
    /// Seconds of chain time one simulated day lasts (86 400 on the embedded chain).
    fn day_seconds(&self) -> u64;
    /// Make the named account usable (on a node: a key of this run, with gas) and return its
    /// address. Idempotent.
    fn open_account(&self, name: &str) -> Result<String>;
    /// Bring `amount` base units of the bank denom `denom` from outside the system to the
    /// address `to`.
    fn bring(&self, to: &str, denom: &str, amount: u128) -> Result<()>;
    /// A short name of the chain, for messages (`embedded`, the node's chain id).
    fn label(&self) -> String;
    /// Transactions sent so far through this handle (contract executions; on a node also the
    /// bank sends that pay gas and bring USD in).
    fn transactions(&self) -> u64;
}

/// The embedded chain: a cw-multi-test `App` owned by the simulation (single-threaded, so no
/// thread hop per call), driven only through [`Chain`]. Time passes exactly as asked (one block
/// per `acn_embedded::BLOCK_SECONDS`).
pub struct EmbeddedSim {
    app: RefCell<App>,
    deployment: Deployment,
    txs: Cell<u64>,
}

impl EmbeddedSim {
    /// The chain of `app`, with the contracts of `deployment`.
    pub fn new(app: App, deployment: Deployment) -> Self {
        EmbeddedSim {
            app: RefCell::new(app),
            deployment,
            txs: Cell::new(0),
        }
    }

    /// Run `f` on the app (tests use it to tamper with the chain behind the simulation's back).
    pub fn with_app<T>(&self, f: impl FnOnce(&mut App) -> T) -> T {
        f(&mut self.app.borrow_mut())
    }

    /// The app and the deployment back.
    pub fn into_parts(self) -> (App, Deployment) {
        (self.app.into_inner(), self.deployment)
    }
}

impl Chain for EmbeddedSim {
    fn deployment(&self) -> &Deployment {
        &self.deployment
    }

    fn address(&self, account: &str) -> Result<String, ChainError> {
        Ok(acn_embedded::resolve(&self.app.borrow(), account).to_string())
    }

    fn query_json(&self, contract: &str, msg: &[u8]) -> Result<Vec<u8>, ChainError> {
        acn_embedded::query_json(&self.app.borrow(), contract, msg)
    }

    fn execute_json_with_funds(
        &self,
        account: &str,
        contract: &str,
        msg: &[u8],
        funds: &[(String, u128)],
    ) -> Result<TxResult, ChainError> {
        self.txs.set(self.txs.get() + 1);
        acn_embedded::execute_json(&mut self.app.borrow_mut(), account, contract, msg, funds)
    }

    fn execute_batch(&self, account: &str, calls: &[Call]) -> Result<TxResult, ChainError> {
        self.txs.set(self.txs.get() + 1);
        acn_embedded::execute_calls(&mut self.app.borrow_mut(), account, calls)
    }

    fn bank_balance(&self, address: &str, denom: &str) -> Result<u128, ChainError> {
        acn_embedded::bank_balance(&self.app.borrow(), address, denom)
    }

    fn block(&self) -> Result<Block, ChainError> {
        Ok(acn_embedded::block(&self.app.borrow()))
    }

    fn wait_blocks(&self, blocks: u64) -> Result<Block, ChainError> {
        acn_embedded::advance_blocks(&mut self.app.borrow_mut(), blocks);
        self.block()
    }

    fn wait_seconds(&self, seconds: u64) -> Result<Block, ChainError> {
        acn_embedded::advance_time(&mut self.app.borrow_mut(), seconds);
        self.block()
    }
}

impl SimChain for EmbeddedSim {
    fn day_seconds(&self) -> u64 {
        DAY
    }

    fn open_account(&self, name: &str) -> Result<String> {
        Ok(self.address(name)?)
    }

    fn bring(&self, to: &str, denom: &str, amount: u128) -> Result<()> {
        self.app
            .borrow_mut()
            .sudo(cw_multi_test::SudoMsg::Bank(
                cw_multi_test::BankSudo::Mint {
                    to_address: to.to_string(),
                    amount: cosmwasm_std::coins(amount, denom),
                },
            ))
            .with_context(|| format!("minting {amount} {denom} to {to}"))?;
        Ok(())
    }

    fn label(&self) -> String {
        acn_embedded::CHAIN_ID.to_string()
    }

    fn transactions(&self) -> u64 {
        self.txs.get()
    }
}

/// Gas (fee-denom base units) each actor's account receives when it is opened on a node: 5
/// tokens, hundreds of transactions at the localnet's gas price.
pub const ACTOR_GAS: u128 = 5_000_000;
/// Gas the deployer's account receives: the deployment stores and instantiates every contract.
pub const DEPLOYER_GAS: u128 = 200_000_000;

/// A wasmd node as a simulation chain (see the module's documentation).
pub struct LocalnetSim {
    chain: WasmdChain,
    funder: String,
    run: String,
    day_seconds: u64,
    stable_denom: String,
    opened: Mutex<BTreeMap<String, String>>,
    txs: AtomicU64,
}

/// The name the funder's key is held under in the client (never an actor's name).
const FUNDER: &str = "sim-funder";

impl LocalnetSim {
    /// Use `chain` (connected, no deployment yet); `funder_mnemonic` is the mnemonic of the
    /// account that pays every actor's gas and brings the USD (it needs the fee denom and
    /// `stable_denom`); `run` names this run (the actors' keys derive from it: a new run, new
    /// accounts); a simulated day lasts `day_seconds` of the node's clock.
    pub fn new(
        chain: WasmdChain,
        funder_mnemonic: &str,
        run: &str,
        day_seconds: u64,
        stable_denom: &str,
    ) -> Result<Self> {
        chain
            .add_account(FUNDER, funder_mnemonic)
            .context("the funder's key")?;
        Ok(LocalnetSim {
            chain,
            funder: FUNDER.into(),
            run: run.to_string(),
            day_seconds,
            stable_denom: stable_denom.to_string(),
            opened: Mutex::new(BTreeMap::new()),
            txs: AtomicU64::new(0),
        })
    }

    /// The client.
    pub fn client(&self) -> &WasmdChain {
        &self.chain
    }

    /// Use the contracts of `deployment`.
    pub fn set_deployment(&mut self, deployment: Deployment) -> Result<()> {
        Ok(self.chain.set_deployment(deployment)?)
    }

    /// The run's name.
    pub fn run(&self) -> &str {
        &self.run
    }

    /// Bank-send `coins` from the funder to `to`.
    fn fund(&self, to: &str, coins: &[(String, u128)]) -> Result<()> {
        self.txs.fetch_add(1, Ordering::Relaxed);
        self.chain
            .bank_send(&self.funder, to, coins)
            .with_context(|| format!("the funder sends {coins:?} to {to}"))?;
        Ok(())
    }

    /// Open `name` with `gas` fee-denom base units instead of [`ACTOR_GAS`].
    pub fn open_account_with_gas(&self, name: &str, gas: u128) -> Result<String> {
        if let Some(a) = self
            .opened
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(name)
        {
            return Ok(a.clone());
        }
        let entropy: [u8; 32] = Sha256::new()
            .chain_update(b"acn-sim actor key\0")
            .chain_update(self.run.as_bytes())
            .chain_update(b"\0")
            .chain_update(name.as_bytes())
            .finalize()
            .into();
        let phrase = Mnemonic::from_entropy(entropy, Language::English);
        let address = self
            .chain
            .add_account(name, phrase.phrase())
            .with_context(|| format!("the key of {name}"))?;
        let fee_denom = self.chain.config().denom.clone();
        self.fund(&address, &[(fee_denom, gas)])?;
        self.opened
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(name.to_string(), address.clone());
        Ok(address)
    }
}

impl Chain for LocalnetSim {
    fn deployment(&self) -> &Deployment {
        self.chain.deployment()
    }
    fn address(&self, account: &str) -> Result<String, ChainError> {
        self.chain.address(account)
    }
    fn query_json(&self, contract: &str, msg: &[u8]) -> Result<Vec<u8>, ChainError> {
        self.chain.query_json(contract, msg)
    }
    fn execute_json_with_funds(
        &self,
        account: &str,
        contract: &str,
        msg: &[u8],
        funds: &[(String, u128)],
    ) -> Result<TxResult, ChainError> {
        self.txs.fetch_add(1, Ordering::Relaxed);
        self.chain
            .execute_json_with_funds(account, contract, msg, funds)
    }
    fn execute_batch(&self, account: &str, calls: &[Call]) -> Result<TxResult, ChainError> {
        self.txs.fetch_add(1, Ordering::Relaxed);
        self.chain.execute_batch(account, calls)
    }
    fn bank_balance(&self, address: &str, denom: &str) -> Result<u128, ChainError> {
        self.chain.bank_balance(address, denom)
    }
    fn block(&self) -> Result<Block, ChainError> {
        self.chain.block()
    }
    fn wait_blocks(&self, blocks: u64) -> Result<Block, ChainError> {
        self.chain.wait_blocks(blocks)
    }
    fn wait_seconds(&self, seconds: u64) -> Result<Block, ChainError> {
        self.chain.wait_seconds(seconds)
    }
}

impl SimChain for LocalnetSim {
    fn day_seconds(&self) -> u64 {
        self.day_seconds
    }

    fn open_account(&self, name: &str) -> Result<String> {
        self.open_account_with_gas(name, ACTOR_GAS)
    }

    fn bring(&self, to: &str, denom: &str, amount: u128) -> Result<()> {
        anyhow::ensure!(
            denom == self.stable_denom,
            "only {} is brought in on a node, not {denom}",
            self.stable_denom
        );
        self.fund(to, &[(denom.to_string(), amount)])
    }

    fn label(&self) -> String {
        self.chain.chain_id().to_string()
    }

    fn transactions(&self) -> u64 {
        self.txs.load(Ordering::Relaxed)
    }
}

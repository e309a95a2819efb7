//! The embedded chain: cw-multi-test with the real contracts. The cw-multi-test `App` is not
//! `Send`, so it lives on its own thread and the handle talks to it over a channel — which makes
//! the handle `Send + Sync`, so worker threads share one chain exactly as processes share a node.

use std::sync::mpsc;
use std::sync::Mutex;
use std::thread;

use cosmwasm_std::Addr;
use cw_multi_test::Executor;

use acn_testing::{Suite, BLOCK_SECONDS};

use crate::{Attribute, Block, Chain, ChainError, Deployment, TxResult};

type Job = Box<dyn FnOnce(&mut Suite) + Send>;

/// An in-process chain holding every ACN contract.
pub struct EmbeddedChain {
    jobs: Mutex<mpsc::Sender<Job>>,
    deployment: Deployment,
}

impl EmbeddedChain {
    /// Start the chain thread and deploy with `build` (e.g. `|| SuiteBuilder::new().with_market().build()`).
    pub fn start(build: impl FnOnce() -> Suite + Send + 'static) -> Result<Self, ChainError> {
        let (job_tx, job_rx) = mpsc::channel::<Job>();
        let (ready_tx, ready_rx) = mpsc::channel::<Deployment>();
        thread::Builder::new()
            .name("embedded-chain".into())
            .spawn(move || {
                let mut suite = build();
                let deployment = Deployment {
                    chain_id: "embedded".into(),
                    token: suite.token.to_string(),
                    staking: suite.staking.to_string(),
                    treasury: suite.treasury.to_string(),
                    market: suite
                        .market
                        .as_ref()
                        .map(|m| m.to_string())
                        .unwrap_or_default(),
                };
                if ready_tx.send(deployment).is_err() {
                    return;
                }
                while let Ok(job) = job_rx.recv() {
                    job(&mut suite);
                }
            })
            .map_err(|e| ChainError::Transient(format!("cannot start the chain thread: {e}")))?;
        let deployment = ready_rx
            .recv()
            .map_err(|_| ChainError::Rejected("deployment failed on the embedded chain".into()))?;
        Ok(EmbeddedChain {
            jobs: Mutex::new(job_tx),
            deployment,
        })
    }

    /// Run `f` on the chain thread with exclusive access to the suite.
    pub fn with_suite<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Suite) -> T + Send + 'static,
    ) -> Result<T, ChainError> {
        let (tx, rx) = mpsc::channel();
        let job: Job = Box::new(move |suite| {
            let _ = tx.send(f(suite));
        });
        {
            let sender = self
                .jobs
                .lock()
                .map_err(|_| ChainError::Transient("chain handle poisoned".into()))?;
            sender
                .send(job)
                .map_err(|_| ChainError::Transient("the embedded chain stopped".into()))?;
        }
        rx.recv()
            .map_err(|_| ChainError::Transient("the embedded chain stopped".into()))
    }

    fn account_addr(suite: &Suite, account: &str) -> Addr {
        if account == "owner" {
            suite.owner.clone()
        } else {
            suite.addr(account)
        }
    }
}

impl Chain for EmbeddedChain {
    fn deployment(&self) -> &Deployment {
        &self.deployment
    }

    fn address(&self, account: &str) -> Result<String, ChainError> {
        let account = account.to_string();
        self.with_suite(move |s| Self::account_addr(s, &account).to_string())
    }

    fn query_json(&self, contract: &str, msg: &[u8]) -> Result<Vec<u8>, ChainError> {
        let value: serde_json::Value =
            serde_json::from_slice(msg).map_err(|e| ChainError::Serde(e.to_string()))?;
        let contract = contract.to_string();
        self.with_suite(move |s| {
            let res: serde_json::Value = s
                .app
                .wrap()
                .query_wasm_smart(contract, &value)
                .map_err(|e| ChainError::Query(e.to_string()))?;
            serde_json::to_vec(&res).map_err(|e| ChainError::Serde(e.to_string()))
        })?
    }

    fn execute_json(
        &self,
        account: &str,
        contract: &str,
        msg: &[u8],
    ) -> Result<TxResult, ChainError> {
        let value: serde_json::Value =
            serde_json::from_slice(msg).map_err(|e| ChainError::Serde(e.to_string()))?;
        let (account, contract) = (account.to_string(), contract.to_string());
        self.with_suite(move |s| {
            let sender = Self::account_addr(s, &account);
            let res = s
                .app
                .execute_contract(sender, Addr::unchecked(contract), &value, &[])
                .map_err(|e| {
                    let chain: Vec<String> = e.chain().map(|c| c.to_string()).collect();
                    ChainError::Rejected(chain.join(": "))
                })?;
            let height = s.app.block_info().height;
            let attributes = res
                .events
                .iter()
                .flat_map(|e| {
                    e.attributes.iter().map(|a| Attribute {
                        event: e.ty.clone(),
                        key: a.key.clone(),
                        value: a.value.clone(),
                    })
                })
                .collect();
            Ok(TxResult {
                height,
                gas_used: 0,
                tx_hash: String::new(),
                attributes,
            })
        })?
    }

    fn block(&self) -> Result<Block, ChainError> {
        self.with_suite(|s| {
            let b = s.app.block_info();
            Block {
                height: b.height,
                time: b.time.seconds(),
            }
        })
    }

    fn wait_blocks(&self, blocks: u64) -> Result<Block, ChainError> {
        self.with_suite(move |s| s.advance_blocks(blocks))?;
        self.block()
    }

    fn wait_seconds(&self, seconds: u64) -> Result<Block, ChainError> {
        self.wait_blocks(seconds.div_ceil(BLOCK_SECONDS).max(1))
    }
}

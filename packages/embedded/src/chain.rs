//! [`EmbeddedChain`]: an `App` on its own thread behind a `Send + Sync` handle. The cw-multi-test
//! `App` is not `Send`, so it lives on its own thread and the handle talks to it over a channel.

use std::sync::mpsc;
use std::sync::Mutex;
use std::thread;

use acn_client::deploy::{deploy, DeployPlan, DeploymentRecord};
use acn_client::{Block, Chain, ChainError, Deployment, TxResult};
use cw_multi_test::App;

use crate::AppDeployer;

/// What an [`EmbeddedChain`] runs: a cw-multi-test `App` and the contracts deployed on it.
pub trait EmbeddedState: 'static {
    /// The app.
    fn app(&self) -> &App;
    /// The app, mutably.
    fn app_mut(&mut self) -> &mut App;
    /// The deployed contracts.
    fn deployment(&self) -> Deployment;
}

/// An `App` with the contracts deployed by the deployment routine.
pub struct World {
    /// The app.
    pub app: App,
    /// What the deployment recorded.
    pub record: DeploymentRecord,
}

impl World {
    /// Deploy `plan` on a fresh `App` with the one deployment routine.
    pub fn deploy(plan: &DeployPlan) -> Result<Self, ChainError> {
        let mut app = App::default();
        let (record, _) = deploy(&AppDeployer::new(&mut app), plan, None, &mut |_| Ok(()))?;
        Ok(World { app, record })
    }
}

impl EmbeddedState for World {
    fn app(&self) -> &App {
        &self.app
    }
    fn app_mut(&mut self) -> &mut App {
        &mut self.app
    }
    fn deployment(&self) -> Deployment {
        self.record.deployment.clone()
    }
}

type Job<S> = Box<dyn FnOnce(&mut S) + Send>;

/// An in-process chain holding the ACN contracts, shareable across threads.
pub struct EmbeddedChain<S: EmbeddedState = World> {
    jobs: Mutex<mpsc::Sender<Job<S>>>,
    deployment: Deployment,
}

impl EmbeddedChain<World> {
    /// Start a chain with `plan` deployed on it.
    pub fn deploy(plan: DeployPlan) -> Result<Self, ChainError> {
        Self::try_start(move || World::deploy(&plan))
    }
}

impl<S: EmbeddedState> EmbeddedChain<S> {
    /// Start the chain thread with the state `build` makes (e.g. a test suite).
    pub fn start(build: impl FnOnce() -> S + Send + 'static) -> Result<Self, ChainError> {
        Self::try_start(move || Ok(build()))
    }

    /// [`Self::start`] with a fallible `build`, whose error is returned.
    pub fn try_start(
        build: impl FnOnce() -> Result<S, ChainError> + Send + 'static,
    ) -> Result<Self, ChainError> {
        let (job_tx, job_rx) = mpsc::channel::<Job<S>>();
        let (ready_tx, ready_rx) = mpsc::channel::<Result<Deployment, ChainError>>();
        thread::Builder::new()
            .name("embedded-chain".into())
            .spawn(move || {
                let mut state = match build() {
                    Ok(state) => state,
                    Err(e) => {
                        let _ = ready_tx.send(Err(e));
                        return;
                    }
                };
                if ready_tx.send(Ok(state.deployment())).is_err() {
                    return;
                }
                while let Ok(job) = job_rx.recv() {
                    job(&mut state);
                }
            })
            .map_err(|e| ChainError::Transient(format!("cannot start the chain thread: {e}")))?;
        let deployment = ready_rx.recv().map_err(|_| {
            ChainError::Transient("the embedded chain stopped while deploying".into())
        })??;
        Ok(EmbeddedChain {
            jobs: Mutex::new(job_tx),
            deployment,
        })
    }

    /// Run `f` on the chain thread with exclusive access to the state.
    pub fn with_state<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut S) -> T + Send + 'static,
    ) -> Result<T, ChainError> {
        let (tx, rx) = mpsc::channel();
        let job: Job<S> = Box::new(move |state| {
            let _ = tx.send(f(state));
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
}

impl<S: EmbeddedState> Chain for EmbeddedChain<S> {
    fn deployment(&self) -> &Deployment {
        &self.deployment
    }

    fn address(&self, account: &str) -> Result<String, ChainError> {
        let account = account.to_string();
        self.with_state(move |s| s.app().api().addr_make(&account).to_string())
    }

    fn query_json(&self, contract: &str, msg: &[u8]) -> Result<Vec<u8>, ChainError> {
        let (contract, msg) = (contract.to_string(), msg.to_vec());
        self.with_state(move |s| crate::query_json(s.app(), &contract, &msg))?
    }

    fn execute_json_with_funds(
        &self,
        account: &str,
        contract: &str,
        msg: &[u8],
        funds: &[(String, u128)],
    ) -> Result<TxResult, ChainError> {
        let (account, contract, msg) = (account.to_string(), contract.to_string(), msg.to_vec());
        let funds = funds.to_vec();
        self.with_state(move |s| {
            crate::execute_json(s.app_mut(), &account, &contract, &msg, &funds)
        })?
    }

    fn execute_batch(
        &self,
        account: &str,
        calls: &[acn_client::Call],
    ) -> Result<TxResult, ChainError> {
        let (account, calls) = (account.to_string(), calls.to_vec());
        self.with_state(move |s| crate::execute_calls(s.app_mut(), &account, &calls))?
    }

    fn bank_balance(&self, address: &str, denom: &str) -> Result<u128, ChainError> {
        let (address, denom) = (address.to_string(), denom.to_string());
        self.with_state(move |s| crate::bank_balance(s.app(), &address, &denom))?
    }

    fn block(&self) -> Result<Block, ChainError> {
        self.with_state(|s| crate::block(s.app()))
    }

    fn wait_blocks(&self, blocks: u64) -> Result<Block, ChainError> {
        self.with_state(move |s| {
            crate::advance_blocks(s.app_mut(), blocks);
            crate::block(s.app())
        })
    }

    fn wait_seconds(&self, seconds: u64) -> Result<Block, ChainError> {
        self.wait_blocks(seconds.div_ceil(crate::BLOCK_SECONDS).max(1))
    }
}

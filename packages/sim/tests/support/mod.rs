//! The simulator's deployment as the test suite's `Suite`, for tests that poke the contracts
//! directly (the simulator itself drives them only through the chain trait).

#![allow(dead_code)]

use acn_client::{Block, Chain, ChainError, Deployment, TxResult};
use acn_sim::config::Genesis;
use acn_sim::deploy::{check_genesis, deploy_app, OWNER};
use acn_testing::Suite;
use cosmwasm_std::Addr;
use cw_multi_test::App;

/// The deployed system on a `Suite`.
pub struct World {
    /// Contracts and helpers (the owner is the deployer, standing for the DAO).
    pub suite: Suite,
    /// The emissions contract.
    pub emissions: Addr,
    /// The config it was deployed from.
    pub genesis: Genesis,
    deployment: Deployment,
}

/// Deploy the simulator's plan for `genesis` (as `acn_sim::deploy::deploy_embedded` does) and
/// check it.
pub fn deploy(genesis: &Genesis, units_per_provider: u64) -> anyhow::Result<World> {
    let (app, record) = deploy_app(genesis, units_per_provider)?;
    let emissions = Addr::unchecked(record.deployment.emissions.clone().unwrap());
    let world = World {
        suite: Suite::from_record(app, &record, OWNER, genesis.genesis_supply()),
        emissions,
        genesis: genesis.clone(),
        deployment: record.deployment,
    };
    world.check_genesis()?;
    Ok(world)
}

impl World {
    /// `acn_sim::deploy::check_genesis` on the suite's app.
    pub fn check_genesis(&self) -> anyhow::Result<()> {
        check_genesis(
            &ReadOnly {
                app: &self.suite.app,
                deployment: &self.deployment,
            },
            &self.genesis,
        )
    }
}

/// A borrowed app as a chain that only answers queries.
struct ReadOnly<'a> {
    app: &'a App,
    deployment: &'a Deployment,
}

impl Chain for ReadOnly<'_> {
    fn deployment(&self) -> &Deployment {
        self.deployment
    }
    fn address(&self, account: &str) -> Result<String, ChainError> {
        Ok(acn_embedded::resolve(self.app, account).to_string())
    }
    fn query_json(&self, contract: &str, msg: &[u8]) -> Result<Vec<u8>, ChainError> {
        acn_embedded::query_json(self.app, contract, msg)
    }
    fn execute_json_with_funds(
        &self,
        _: &str,
        _: &str,
        _: &[u8],
        _: &[(String, u128)],
    ) -> Result<TxResult, ChainError> {
        Err(ChainError::Rejected("read-only".into()))
    }
    fn execute_batch(&self, _: &str, _: &[acn_client::Call]) -> Result<TxResult, ChainError> {
        Err(ChainError::Rejected("read-only".into()))
    }
    fn bank_balance(&self, address: &str, denom: &str) -> Result<u128, ChainError> {
        acn_embedded::bank_balance(self.app, address, denom)
    }
    fn block(&self) -> Result<Block, ChainError> {
        Ok(acn_embedded::block(self.app))
    }
    fn wait_blocks(&self, _: u64) -> Result<Block, ChainError> {
        Err(ChainError::Rejected("read-only".into()))
    }
    fn wait_seconds(&self, _: u64) -> Result<Block, ChainError> {
        Err(ChainError::Rejected("read-only".into()))
    }
}

//! Emissions helpers: the contract wrapper, deployment funded from the owner's tokens and wired to
//! the market, and one method per message.

use anyhow::Result as AnyResult;
use cosmwasm_std::{Addr, Uint128};
use cw_multi_test::{AppResponse, Executor};

pub use crate::emissions_contract;

use acn_interface::emissions::{self, EmissionParams};
use acn_interface::{market, token};

use crate::Suite;

impl Suite {
    /// Store and instantiate the emissions contract (epoch 0 starts now), fund its pool with
    /// `pool` of the owner's tokens (nothing is minted) and, if the suite has a market, make it the
    /// market's emissions contract. Returns its address.
    pub fn deploy_emissions(
        &mut self,
        pool: u128,
        epoch_seconds: u64,
        params: EmissionParams,
        with_staking: bool,
    ) -> AnyResult<Addr> {
        let code = self.app.store_code(emissions_contract());
        let emissions = self.app.instantiate_contract(
            code,
            self.owner.clone(),
            &emissions::InstantiateMsg {
                owner: None,
                token: self.token.to_string(),
                market: self.market.as_ref().map(|m| m.to_string()),
                staking: with_staking.then(|| self.staking.to_string()),
                epoch_seconds,
                genesis_time: None,
                params,
            },
            &[],
            "acn-emissions",
            Some(self.owner.to_string()),
        )?;
        let (owner, token) = (self.owner.clone(), self.token.clone());
        if pool > 0 {
            self.execute(
                &owner,
                &token,
                &token::ExecuteMsg::Send {
                    contract: emissions.to_string(),
                    amount: Uint128::new(pool),
                    msg: cosmwasm_std::to_json_binary(&emissions::ReceiveMsg::Fund {})?,
                },
            )?;
        }
        if let Some(m) = self.market.clone() {
            self.execute(
                &owner,
                &m,
                &market::ExecuteMsg::SetEmissions {
                    address: Some(emissions.to_string()),
                },
            )?;
        }
        Ok(emissions)
    }

    /// `Claim {}` on the emissions contract as `sender`.
    pub fn claim_emissions(&mut self, emissions: &Addr, sender: &Addr) -> AnyResult<AppResponse> {
        self.execute(sender, emissions, &emissions::ExecuteMsg::Claim {})
    }

    /// Emissions totals.
    pub fn emissions_totals(&self, emissions: &Addr) -> emissions::TotalsResponse {
        self.query(emissions, &emissions::QueryMsg::Totals {})
    }

    /// One provider's emissions record.
    pub fn emissions_provider(
        &self,
        emissions: &Addr,
        provider: &Addr,
    ) -> emissions::ProviderResponse {
        self.query(
            emissions,
            &emissions::QueryMsg::Provider {
                address: provider.to_string(),
            },
        )
    }

    /// One epoch of the emissions contract.
    pub fn emissions_epoch(&self, emissions: &Addr, epoch: u64) -> emissions::EpochResponse {
        self.query(
            emissions,
            &emissions::QueryMsg::Epoch { epoch: Some(epoch) },
        )
    }
}

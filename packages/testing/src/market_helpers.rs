//! Market helpers: sample models, provider set-up, and one method per job step.

use anyhow::Result as AnyResult;
use cosmwasm_std::{Binary, HexBinary, Timestamp, Uint128};
use cw_multi_test::{AppResponse, Executor};

use acn_interface::market::{
    self, commitment, DType, Hardware, InputSpec, JobResponse, ModelSpec, OutputSpec,
};

use crate::{Suite, TOKEN};

/// A digit classifier spec: 64 u8 pixels in, one of 10 labels out, 1 unit per item.
pub fn digits_model() -> ModelSpec {
    ModelSpec {
        id: "digits-mlp-v1".into(),
        name: "8x8 digits MLP".into(),
        architecture: "mlp-64-64-10".into(),
        weights_sha256: "ab".repeat(32),
        weights_uri: "file://models/digits-mlp-v1.bpk".into(),
        input: InputSpec {
            shape: vec![64],
            dtype: DType::U8,
            max_batch: 64,
        },
        output: OutputSpec::ClassLabels {
            num_classes: 10,
            labels: vec![],
        },
        tolerance: 0,
        cost_units_per_item: 1,
        min_redundancy: 1,
    }
}

/// A regression spec: 8 f32 features in, one fixed-point value (scale 10 000) out, tolerance 2.
pub fn regression_model() -> ModelSpec {
    ModelSpec {
        id: "regressor-v1".into(),
        name: "tabular regressor".into(),
        architecture: "mlp-8-16-1".into(),
        weights_sha256: "cd".repeat(32),
        weights_uri: "file://models/regressor-v1.bpk".into(),
        input: InputSpec {
            shape: vec![8],
            dtype: DType::F32,
            max_batch: 16,
        },
        output: OutputSpec::FixedPoint {
            shape: vec![1],
            scale: 10_000,
        },
        tolerance: 2,
        cost_units_per_item: 2,
        min_redundancy: 1,
    }
}

/// `batch` digit inputs (all pixels = item index).
pub fn digits_input(batch: u32) -> Binary {
    Binary::from(
        (0..batch)
            .flat_map(|i| std::iter::repeat_n(i as u8, 64))
            .collect::<Vec<u8>>(),
    )
}

/// Canonical class-label output: one little-endian u32 per item.
pub fn labels_output(labels: &[u32]) -> Binary {
    Binary::from(
        labels
            .iter()
            .flat_map(|l| l.to_le_bytes())
            .collect::<Vec<u8>>(),
    )
}

/// Canonical fixed-point output: one little-endian i32 per element.
pub fn fixed_output(values: &[i32]) -> Binary {
    Binary::from(
        values
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect::<Vec<u8>>(),
    )
}

/// The audit secret the helpers' `buyer` commits to in its redundancy-1 jobs.
pub fn audit_secret(buyer: &cosmwasm_std::Addr) -> Binary {
    Binary::from(format!("audit secret of {buyer}").into_bytes())
}

/// The `audit_commitment` of a submission by `buyer`: `sha256(audit_secret(buyer))` at
/// redundancy 1, none above.
pub fn audit_commitment_for(buyer: &cosmwasm_std::Addr, redundancy: u8) -> Option<HexBinary> {
    (redundancy == 1)
        .then(|| HexBinary::from(market::audit_commitment(&audit_secret(buyer)).to_vec()))
}

/// A 16-byte salt derived from a seed.
pub fn salt(seed: u8) -> Binary {
    Binary::from(vec![seed; 16])
}

/// Default declared hardware.
pub fn hardware() -> Hardware {
    Hardware {
        backend: "wgpu".into(),
        device: "llvmpipe".into(),
        memory_mb: 4_096,
        endpoint: None,
    }
}

impl Suite {
    /// Fund `name`, bond `stake`, and register it as a provider of `models` at min price 0.
    pub fn make_provider(
        &mut self,
        name: &str,
        stake: u128,
        models: &[&str],
    ) -> AnyResult<AppResponse> {
        self.fund(name, stake)?;
        self.bond(name, stake)?;
        self.register_provider(name, models)
    }

    /// Register `name` as a provider.
    pub fn register_provider(&mut self, name: &str, models: &[&str]) -> AnyResult<AppResponse> {
        let (who, m) = (self.addr(name), self.market());
        self.execute(
            &who,
            &m,
            &market::ExecuteMsg::RegisterProvider {
                hardware: hardware(),
                models: models.iter().map(|s| s.to_string()).collect(),
                min_unit_price: Uint128::zero(),
            },
        )
    }

    /// Seconds from now to a deadline that suits the default windows (one hour).
    pub fn default_deadline(&self) -> Timestamp {
        self.block().time.plus_seconds(3_600)
    }

    /// Submit a job paying `pay`; returns the job id.
    #[allow(clippy::too_many_arguments)]
    pub fn try_submit(
        &mut self,
        buyer: &str,
        model_id: &str,
        input: Binary,
        batch: u32,
        redundancy: u8,
        pay: u128,
        deadline: Timestamp,
    ) -> AnyResult<u64> {
        let (who, m) = (self.addr(buyer), self.market());
        let res = self.send_tokens(
            &who,
            &m,
            pay,
            &market::ReceiveMsg::SubmitJob {
                model_id: model_id.into(),
                input,
                batch,
                redundancy,
                max_unit_price: Uint128::new(u128::MAX),
                deadline,
                audit_commitment: audit_commitment_for(&who, redundancy),
                callback: None,
            },
        )?;
        job_id_from(&res)
    }

    /// Submit a digits job paid in the stable asset with `funds` attached; returns the job id.
    pub fn try_submit_stable(
        &mut self,
        buyer: &str,
        batch: u32,
        redundancy: u8,
        funds: &[cosmwasm_std::Coin],
    ) -> AnyResult<u64> {
        let (who, m) = (self.addr(buyer), self.market());
        let msg = market::ExecuteMsg::SubmitJob {
            model_id: "digits-mlp-v1".into(),
            input: digits_input(batch),
            batch,
            redundancy,
            max_unit_price: Uint128::new(u128::MAX),
            deadline: self.default_deadline(),
            audit_commitment: audit_commitment_for(&who, redundancy),
            callback: None,
        };
        let res = self.app.execute_contract(who, m, &msg, funds)?;
        job_id_from(&res)
    }

    /// Base units of [`crate::STABLE`] held by `addr`.
    pub fn stable_balance(&self, addr: &cosmwasm_std::Addr) -> u128 {
        self.app
            .wrap()
            .query_balance(addr, crate::STABLE)
            .expect("bank balance")
            .amount
            .u128()
    }

    /// `RevealAuditSecret` of a redundancy-1 job, as its buyer (with [`audit_secret`]).
    pub fn reveal_audit_secret(&mut self, job_id: u64) -> AnyResult<AppResponse> {
        let (buyer, m) = (self.job(job_id).buyer, self.market());
        self.execute(
            &buyer,
            &m,
            &market::ExecuteMsg::RevealAuditSecret {
                job_id,
                secret: audit_secret(&buyer),
            },
        )
    }

    /// Submit a digits job with `batch` items, paying exactly the quote.
    pub fn submit_digits(&mut self, buyer: &str, batch: u32, redundancy: u8) -> AnyResult<u64> {
        let price = self
            .quote(buyer, "digits-mlp-v1", batch, redundancy)
            .price
            .u128();
        let deadline = self.default_deadline();
        self.try_submit(
            buyer,
            "digits-mlp-v1",
            digits_input(batch),
            batch,
            redundancy,
            price,
            deadline,
        )
    }

    /// Price quote for `buyer`.
    pub fn quote(
        &self,
        buyer: &str,
        model_id: &str,
        batch: u32,
        redundancy: u8,
    ) -> market::QuoteResponse {
        self.query(
            &self.market(),
            &market::QueryMsg::Quote {
                model_id: model_id.into(),
                batch,
                redundancy,
                buyer: Some(self.addr(buyer).to_string()),
                input: None,
            },
        )
    }

    /// The providers assigned to a job's slots, in slot order.
    pub fn assigned(&self, job_id: u64) -> Vec<cosmwasm_std::Addr> {
        self.job(job_id)
            .slots
            .into_iter()
            .map(|s| s.provider)
            .collect()
    }

    /// The names among `candidates` assigned to a job, in slot order.
    pub fn assigned_names<'a>(&self, job_id: u64, candidates: &[&'a str]) -> Vec<&'a str> {
        self.assigned(job_id)
            .iter()
            .filter_map(|a| candidates.iter().find(|c| self.addr(c) == *a).copied())
            .collect()
    }

    /// The slot `name` holds in a job (panics if it holds none).
    pub fn slot_of(&self, job_id: u64, name: &str) -> market::Slot {
        let addr = self.addr(name);
        self.job(job_id)
            .slots
            .into_iter()
            .find(|s| s.provider == addr)
            .unwrap_or_else(|| panic!("{name} holds no slot in job {job_id}"))
    }

    /// Jobs in which `name` holds a slot it has not committed (what a worker polls).
    pub fn assigned_jobs(&self, name: &str) -> Vec<JobResponse> {
        let r: market::JobsResponse = self.query(
            &self.market(),
            &market::QueryMsg::AssignedJobs {
                provider: self.addr(name).to_string(),
                start_after: None,
                limit: Some(100),
            },
        );
        r.jobs
    }

    /// `RefreshProvider` of `provider`, sent by `caller`.
    pub fn refresh_provider(&mut self, caller: &str, provider: &str) -> AnyResult<AppResponse> {
        let (who, m) = (self.addr(caller), self.market());
        let address = self.addr(provider).to_string();
        self.execute(&who, &m, &market::ExecuteMsg::RefreshProvider { address })
    }

    /// A model's selection tree (total weight, indexes, eligible providers).
    pub fn selection(&self, model_id: &str) -> market::SelectionResponse {
        self.query(
            &self.market(),
            &market::QueryMsg::Selection {
                model_id: model_id.into(),
            },
        )
    }

    /// Commit [`commitment`]`(output, salt, address, job_id, market)`.
    pub fn commit_result(
        &mut self,
        name: &str,
        job_id: u64,
        output: &Binary,
        salt: &Binary,
    ) -> AnyResult<AppResponse> {
        let (who, m) = (self.addr(name), self.market());
        let c = commitment(output, salt, who.as_str(), job_id, m.as_str());
        self.execute(
            &who,
            &m,
            &market::ExecuteMsg::CommitResult {
                job_id,
                commitment: HexBinary::from(c.to_vec()),
            },
        )
    }

    /// Reveal output and salt.
    pub fn reveal_result(
        &mut self,
        name: &str,
        job_id: u64,
        output: &Binary,
        salt: &Binary,
    ) -> AnyResult<AppResponse> {
        let (who, m) = (self.addr(name), self.market());
        self.execute(
            &who,
            &m,
            &market::ExecuteMsg::RevealResult {
                job_id,
                output: output.clone(),
                salt: salt.clone(),
            },
        )
    }

    /// Commit for each (assigned provider, output) pair; then reveal each. (Slots are assigned
    /// at submission: a provider not assigned to the job fails with `NotAssigned`.) A
    /// redundancy-1 job's buyer reveals its audit secret after the commit; if that draws an
    /// auditor, the auditor honestly commits and reveals the first pair's output too.
    pub fn run_job(&mut self, job_id: u64, work: &[(&str, Binary)]) -> AnyResult<()> {
        for (i, (name, out)) in work.iter().enumerate() {
            self.commit_result(name, job_id, out, &salt(i as u8 + 1))?;
        }
        let auditor = self.audit(job_id)?;
        if let (Some(auditor), Some((_, out))) = (&auditor, work.first()) {
            self.commit_as(auditor, job_id, out, &salt(99))?;
        }
        for (i, (name, out)) in work.iter().enumerate() {
            self.reveal_result(name, job_id, out, &salt(i as u8 + 1))?;
        }
        if let (Some(auditor), Some((_, out))) = (&auditor, work.first()) {
            let m = self.market();
            self.execute(
                auditor,
                &m,
                &market::ExecuteMsg::RevealResult {
                    job_id,
                    output: out.clone(),
                    salt: salt(99),
                },
            )?;
        }
        Ok(())
    }

    /// If the job waits for its buyer's audit secret, reveal it; returns the auditor drawn, if
    /// any.
    pub fn audit(&mut self, job_id: u64) -> AnyResult<Option<cosmwasm_std::Addr>> {
        let job = self.job(job_id);
        let pending = job.audit.as_ref().is_some_and(|a| a.audited.is_none())
            && job.slots.iter().all(|s| s.commitment.is_some());
        if !pending {
            return Ok(None);
        }
        self.reveal_audit_secret(job_id)?;
        Ok(self.job(job_id).slots.get(1).map(|s| s.provider.clone()))
    }

    /// Commit `commitment(output, salt, address, job id, market)` as `who` (an address).
    pub fn commit_as(
        &mut self,
        who: &cosmwasm_std::Addr,
        job_id: u64,
        output: &Binary,
        salt: &Binary,
    ) -> AnyResult<AppResponse> {
        let m = self.market();
        let c = commitment(output, salt, who.as_str(), job_id, m.as_str());
        self.execute(
            who,
            &m,
            &market::ExecuteMsg::CommitResult {
                job_id,
                commitment: HexBinary::from(c.to_vec()),
            },
        )
    }

    /// `Settle` as `caller`.
    pub fn settle(&mut self, caller: &str, job_id: u64) -> AnyResult<AppResponse> {
        let (who, m) = (self.addr(caller), self.market());
        self.execute(&who, &m, &market::ExecuteMsg::Settle { job_id })
    }

    /// `Expire` as `caller`.
    pub fn expire(&mut self, caller: &str, job_id: u64) -> AnyResult<AppResponse> {
        let (who, m) = (self.addr(caller), self.market());
        self.execute(&who, &m, &market::ExecuteMsg::Expire { job_id })
    }

    /// One job.
    pub fn job(&self, id: u64) -> JobResponse {
        self.query(&self.market(), &market::QueryMsg::Job { id })
    }

    /// One provider.
    pub fn provider(&self, name: &str) -> market::ProviderResponse {
        self.query(
            &self.market(),
            &market::QueryMsg::Provider {
                address: self.addr(name).to_string(),
            },
        )
    }

    /// `FlushFees` as `name`: the market's pending fees go to the treasury.
    pub fn flush_fees(&mut self, name: &str) -> AnyResult<AppResponse> {
        let (who, market) = (self.addr(name), self.market());
        self.execute(&who, &market, &market::ExecuteMsg::FlushFees {})
    }

    /// Market totals.
    pub fn market_totals(&self) -> market::TotalsResponse {
        self.query(&self.market(), &market::QueryMsg::Totals {})
    }

    /// Current unit price.
    pub fn unit_price(&self) -> u128 {
        let r: market::UnitPriceResponse =
            self.query(&self.market(), &market::QueryMsg::UnitPrice {});
        r.unit_price.u128()
    }
}

/// The `job_id` attribute of a submission's events.
pub fn job_id_from(res: &AppResponse) -> AnyResult<u64> {
    res.events
        .iter()
        .flat_map(|e| e.attributes.iter())
        .find(|a| a.key == "job_id")
        .ok_or_else(|| anyhow::anyhow!("no job_id attribute"))?
        .value
        .parse()
        .map_err(Into::into)
}

/// A provider stake comfortably above the default minimum (1 000 tokens).
pub const PROVIDER_STAKE: u128 = 2_000 * TOKEN;

/// Everything a refused market transaction must leave untouched: the block, the token balances of
/// the named actors, the market, staking, treasury and owner, the supply, every job, provider and
/// model, the market's config, totals and price, every stake and the staking and treasury totals.
#[derive(Debug, PartialEq)]
pub struct MarketSnapshot {
    /// (height, time in seconds).
    pub block: (u64, u64),
    /// Token balance of each actor and system contract.
    pub balances: Vec<(cosmwasm_std::Addr, u128)>,
    /// Stable ([`crate::STABLE`]) balance of each actor and system contract, the buyback vault
    /// included.
    pub stable_balances: Vec<(cosmwasm_std::Addr, u128)>,
    /// Token supply.
    pub supply: u128,
    /// Every job, by id.
    pub jobs: Vec<market::JobResponse>,
    /// Every provider (first 100).
    pub providers: Vec<market::ProviderResponse>,
    /// Every model (first 100).
    pub models: Vec<market::ModelResponse>,
    /// The market's config.
    pub config: market::ConfigResponse,
    /// The market's totals.
    pub totals: market::TotalsResponse,
    /// The market's price state.
    pub price: market::UnitPriceResponse,
    /// Every stake.
    pub stakers: Vec<acn_interface::staking::StakeResponse>,
    /// Staking totals.
    pub staking_totals: acn_interface::staking::TotalsResponse,
    /// Treasury totals.
    pub treasury_totals: acn_interface::treasury::TotalsResponse,
}

impl Suite {
    /// The state a refused market transaction must leave as it was (see [`MarketSnapshot`]);
    /// `actors` are the account names whose balances are included.
    pub fn market_snapshot(&self, actors: &[&str]) -> MarketSnapshot {
        let market = self.market();
        let mut addrs: Vec<cosmwasm_std::Addr> = actors.iter().map(|n| self.addr(n)).collect();
        addrs.extend([
            market.clone(),
            self.staking.clone(),
            self.treasury.clone(),
            self.owner.clone(),
        ]);
        addrs.extend(self.buyback.clone());
        let totals = self.market_totals();
        let providers: market::ProvidersResponse = self.query(
            &market,
            &market::QueryMsg::Providers {
                start_after: None,
                limit: Some(100),
            },
        );
        let models: market::ModelsResponse = self.query(
            &market,
            &market::QueryMsg::Models {
                start_after: None,
                limit: Some(100),
            },
        );
        let block = self.block();
        MarketSnapshot {
            block: (block.height, block.time.seconds()),
            stable_balances: addrs
                .iter()
                .map(|a| (a.clone(), self.stable_balance(a)))
                .collect(),
            balances: addrs
                .into_iter()
                .map(|a| (a.clone(), self.balance(a)))
                .collect(),
            supply: self.total_supply(),
            jobs: (1..=totals.jobs_submitted).map(|id| self.job(id)).collect(),
            providers: providers.providers,
            models: models.models,
            config: self.query(&market, &market::QueryMsg::Config {}),
            totals,
            price: self.query(&market, &market::QueryMsg::UnitPrice {}),
            stakers: self.all_stakers(),
            staking_totals: self.staking_totals(),
            treasury_totals: self.treasury_totals(),
        }
    }
}

/// Run `f`, which must fail with exactly the market error `expected` (variant and message), and
/// check that nothing changed: the [`Suite::market_snapshot`] of `actors` before and after.
#[track_caller]
pub fn assert_market_refused<T: std::fmt::Debug>(
    suite: &mut Suite,
    actors: &[&str],
    expected: acn_market::ContractError,
    f: impl FnOnce(&mut Suite) -> AnyResult<T>,
) {
    let before = suite.market_snapshot(actors);
    let res = f(suite);
    let message = expected.to_string();
    match res {
        Ok(v) => panic!("expected {expected:?}, got Ok({v:?})"),
        Err(e) => {
            let chain: Vec<String> = e.chain().map(|c| c.to_string()).collect();
            assert!(
                chain.iter().any(|m| m.contains(&message)),
                "expected an error containing {message:?}, got {chain:?}"
            );
            let got = e
                .downcast_ref::<acn_market::ContractError>()
                .unwrap_or_else(|| panic!("expected a market error, got {chain:?}"));
            assert_eq!(got, &expected);
        }
    }
    let after = suite.market_snapshot(actors);
    assert_eq!(after, before, "a refused transaction changed state");
}

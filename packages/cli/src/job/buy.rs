//! Models, inputs, quotes and submissions.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use cosmwasm_std::{Binary, HexBinary, Timestamp, Uint128};
use rand::RngCore;
use serde::Serialize;

use acn_client::amount::{asset, display_denom, tokens};
use acn_client::codec::{encode_input, EncodedInput, InputFormat};
use acn_client::{Chain, ChainError, ChainExt};
use acn_interface::market::{self, JobResponse, MarketParams, ModelResponse, ModelSpec};

use super::SecretStore;

/// A registered model, or an error naming the models the market has.
pub fn model(chain: &(impl Chain + ?Sized), id: &str) -> anyhow::Result<ModelResponse> {
    match chain.market::<ModelResponse>(&market::QueryMsg::Model { id: id.to_string() }) {
        Ok(m) => Ok(m),
        Err(ChainError::Query(_)) => {
            let models: market::ModelsResponse = chain.market(&market::QueryMsg::Models {
                start_after: None,
                limit: Some(100),
            })?;
            let ids: Vec<String> = models.models.into_iter().map(|m| m.spec.id).collect();
            bail!(
                "no model {id:?} on the market (registered: {})",
                if ids.is_empty() {
                    "none".to_string()
                } else {
                    ids.join(", ")
                }
            )
        }
        Err(e) => Err(e.into()),
    }
}

/// Read and encode an input file for `spec` (format from `format` or the file's extension).
pub fn read_input(
    spec: &ModelSpec,
    path: &Path,
    format: Option<InputFormat>,
) -> anyhow::Result<EncodedInput> {
    let format = format
        .or_else(|| InputFormat::from_path(path))
        .with_context(|| {
            format!(
            "{}: cannot tell the input format from the file name; pass --format csv, json or text",
            path.display()
        )
        })?;
    let text = std::fs::read_to_string(path).with_context(|| format!("read {}", path.display()))?;
    encode_input(&spec.input, format, &text).with_context(|| {
        format!(
            "{} is not a valid {format} input for {} (items of shape {:?}, {:?}, at most {} per job)",
            path.display(),
            spec.id,
            spec.input.shape,
            spec.input.dtype,
            spec.input.max_batch
        )
    })
}

/// Encode `--text` items for `spec` (one item each; a text may not hold a line break).
pub fn text_input(spec: &ModelSpec, texts: &[String]) -> anyhow::Result<EncodedInput> {
    if let Some(t) = texts.iter().find(|t| t.contains(['\n', '\r'])) {
        anyhow::bail!("--text {t:?}: one item per --text, without line breaks");
    }
    if let Some(t) = texts.iter().find(|t| t.trim().is_empty()) {
        anyhow::bail!("--text {t:?}: an item needs some text");
    }
    encode_input(&spec.input, InputFormat::Text, &texts.join("\n")).with_context(|| {
        format!(
            "--text is not a valid input for {} (it takes {:?} items of shape {:?}, at most {} per job)",
            spec.id, spec.input.dtype, spec.input.shape, spec.input.max_batch
        )
    })
}

/// What a job costs now.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct PriceQuote {
    /// Model id.
    pub model_id: String,
    /// Items.
    pub batch: u32,
    /// Provider slots.
    pub redundancy: u8,
    /// Price units (batch × cost units per item).
    pub units: u64,
    /// Base units per price unit now.
    pub unit_price: u128,
    /// units × unit price × redundancy.
    pub gross: u128,
    /// Staker discount.
    pub discount: u128,
    /// What the buyer pays (base units).
    pub price: u128,
    /// Protocol fee rate.
    pub fee_bps: u16,
    /// Protocol fee the market takes from the price at settlement (included in it).
    pub fee: u128,
    /// What the providers share if the job settles.
    pub to_providers: u128,
    /// The asset of the prices above: the market's stable denom, or `None` for ACN.
    pub denom: Option<String>,
    /// In a stable-priced market: the same job paid in ACN at the oracle's TWAP now.
    pub price_acn: Option<u128>,
    /// The TWAP (stable per ACN).
    pub acn_price: Option<String>,
    /// Why there is no ACN price now.
    pub acn_price_error: Option<String>,
}

impl PriceQuote {
    /// The amount `base` in the quote's asset.
    fn amount(&self, base: u128) -> String {
        asset(base, self.denom.as_deref())
    }

    /// The price, line by line, in the market's asset (and in ACN at the TWAP).
    pub fn render(&self) -> String {
        let mut s = format!(
            "{} × {} items, redundancy {}\n",
            self.model_id, self.batch, self.redundancy
        );
        s += &format!(
            "  units        {} ({} per slot × {} slot{})\n",
            self.units * self.redundancy as u64,
            self.units,
            self.redundancy,
            if self.redundancy == 1 { "" } else { "s" }
        );
        s += &format!("  unit price   {}\n", self.amount(self.unit_price));
        if self.discount > 0 {
            s += &format!("  gross        {}\n", self.amount(self.gross));
            s += &format!("  discount     -{}\n", self.amount(self.discount));
        }
        s += &format!(
            "  fee          {} ({}.{:02} %, included; providers share {})\n",
            self.amount(self.fee),
            self.fee_bps / 100,
            self.fee_bps % 100,
            self.amount(self.to_providers)
        );
        s += &format!("  total        {}\n", self.amount(self.price));
        match (self.price_acn, &self.acn_price, &self.acn_price_error) {
            (Some(acn), Some(p), _) => {
                let unit = self.denom.as_deref().map(display_denom).unwrap_or_default();
                s += &format!(
                    "  or in ACN    {} (at the TWAP, {p} {unit} per ACN)\n",
                    tokens(acn)
                );
            }
            (_, _, Some(e)) => s += &format!("  or in ACN    not now: {e}\n"),
            _ => {}
        }
        s
    }
}

/// The protocol fee on `price`: `ceil(price × bps / 10 000)`, as the market rounds it.
fn protocol_fee(price: u128, bps: u16) -> u128 {
    (price * bps as u128).div_ceil(10_000)
}

/// The market's parameters.
pub fn market_params(chain: &(impl Chain + ?Sized)) -> anyhow::Result<MarketParams> {
    let cfg: market::ConfigResponse = chain.market(&market::QueryMsg::Config {})?;
    Ok(cfg.params)
}

/// Quote a job of `batch` items at `redundancy` (the model's minimum if `None`) for `buyer`
/// (an address; its bonded stake sets the discount). A training job's price depends on its
/// request: give its `input`.
pub fn quote(
    chain: &(impl Chain + ?Sized),
    model_id: &str,
    batch: u32,
    input: Option<&[u8]>,
    redundancy: Option<u8>,
    buyer: Option<&str>,
) -> anyhow::Result<PriceQuote> {
    let spec = model(chain, model_id)?.spec;
    let redundancy = redundancy.unwrap_or(spec.min_redundancy);
    let q: market::QuoteResponse = chain.market(&market::QueryMsg::Quote {
        model_id: model_id.to_string(),
        batch,
        redundancy,
        buyer: buyer.map(str::to_string),
        input: input.map(Binary::from),
    })?;
    let fee_bps = market_params(chain)?.protocol_fee_bps;
    let price = q.price.u128();
    let fee = protocol_fee(price, fee_bps);
    Ok(PriceQuote {
        denom: q.denom,
        price_acn: q.price_acn.map(|p| p.u128()),
        acn_price: q.acn_price.map(|p| p.to_string()),
        acn_price_error: q.acn_price_error,
        model_id: model_id.to_string(),
        batch,
        redundancy,
        units: q.units,
        unit_price: q.unit_price.u128(),
        gross: q.gross.u128(),
        discount: q.discount.u128(),
        price,
        fee_bps,
        fee,
        to_providers: price - fee,
    })
}

/// A job to submit.
#[derive(Clone, Debug)]
pub struct SubmitRequest {
    /// Model id.
    pub model_id: String,
    /// The encoded input.
    pub input: EncodedInput,
    /// Provider slots (`None`: the model's minimum).
    pub redundancy: Option<u8>,
    /// Highest unit price accepted (`None`: the quoted one + 12.5 %).
    pub max_unit_price: Option<u128>,
    /// Refuse a price above this (in the asset paid).
    pub max_price: Option<u128>,
    /// Pay in ACN at the TWAP rather than in the market's stable asset (ACN is the only
    /// payment of a market without one).
    pub pay_acn: bool,
    /// Seconds until the job may be expired (`None`: 3 600, within the market's bounds).
    pub deadline_secs: Option<u64>,
}

/// A submitted job.
#[derive(Clone, Debug, Serialize)]
pub struct Submitted {
    /// Job id.
    pub job_id: u64,
    /// The account that paid.
    pub buyer: String,
    /// The quote the payment was made from.
    pub quote: PriceQuote,
    /// The asset paid: a bank denom, or `None` for ACN.
    pub denom: Option<String>,
    /// Base units sent with the submission.
    pub sent: u128,
    /// The job's price: what the buyer paid (the rest came back in the same transaction).
    pub charged: u128,
    /// The providers drawn for the job.
    pub providers: Vec<String>,
    /// When the job may be expired (unix seconds).
    pub deadline: u64,
    /// The file holding the audit secret (redundancy 1).
    pub audit_secret_file: Option<PathBuf>,
    /// Transaction hash (empty on the embedded chain).
    pub tx_hash: String,
    /// Gas used (0 on the embedded chain).
    pub gas_used: u64,
}

/// Largest move of the unit price in one price window: 12.5 %.
const PRICE_MARGIN_NUM: u128 = 9;
const PRICE_MARGIN_DEN: u128 = 8;

/// Submit a job as `account`: check the input against the model, quote, keep the audit secret
/// (redundancy 1) in `secrets`, pay through the token's `Send` with the market's `SubmitJob`
/// hook (sending the price at the highest accepted unit price; the market refunds the excess
/// in the same transaction).
pub fn submit(
    chain: &(impl Chain + ?Sized),
    account: &str,
    req: &SubmitRequest,
    secrets: &SecretStore,
) -> anyhow::Result<Submitted> {
    let m = model(chain, &req.model_id)?;
    if !m.active {
        bail!("model {} is not accepting jobs (deactivated)", req.model_id);
    }
    let params = market_params(chain)?;
    m.spec
        .validate_input(&req.input.bytes, req.input.batch, params.max_input_bytes)
        .map_err(|e| anyhow::anyhow!("input for {}: {e}", req.model_id))?;
    let redundancy = req.redundancy.unwrap_or(m.spec.min_redundancy);
    if redundancy < m.spec.min_redundancy || redundancy > params.max_redundancy {
        bail!(
            "redundancy {redundancy} is outside {}..={} for {}",
            m.spec.min_redundancy,
            params.max_redundancy,
            req.model_id
        );
    }
    let buyer = chain.address(account)?;
    let quote = quote(
        chain,
        &req.model_id,
        req.input.batch,
        Some(&req.input.bytes),
        Some(redundancy),
        Some(&buyer),
    )?;
    // The asset paid and the job's price in it now.
    let (denom, price) = match (&quote.denom, req.pay_acn) {
        (Some(d), false) => (Some(d.clone()), quote.price),
        (None, _) => (None, quote.price),
        (Some(_), true) => match quote.price_acn {
            Some(p) => (None, p),
            None => bail!(
                "no ACN price now ({}): pay in {} instead (without --pay-acn)",
                quote
                    .acn_price_error
                    .as_deref()
                    .unwrap_or("the oracle has none"),
                quote
                    .denom
                    .as_deref()
                    .map(display_denom)
                    .unwrap_or_default()
            ),
        },
    };
    let amount = |base: u128| asset(base, denom.as_deref());
    if let Some(max) = req.max_price {
        if price > max {
            bail!(
                "the price is {}, above --max-price {}",
                amount(price),
                amount(max)
            );
        }
    }
    let max_unit_price = req
        .max_unit_price
        .unwrap_or_else(|| (quote.unit_price * PRICE_MARGIN_NUM).div_ceil(PRICE_MARGIN_DEN));
    if quote.unit_price > max_unit_price {
        bail!(
            "the unit price is {}, above the highest accepted {}",
            quote.amount(quote.unit_price),
            quote.amount(max_unit_price)
        );
    }
    // Enough for the price at the highest accepted unit price (for ACN, a TWAP that moves as
    // much again); the market refunds the excess at once. With --max-price, at most that.
    let mut sent = (price * max_unit_price).div_ceil(quote.unit_price.max(1));
    if quote.denom.is_some() && denom.is_none() {
        sent = (sent * PRICE_MARGIN_NUM).div_ceil(PRICE_MARGIN_DEN);
    }
    if let Some(max) = req.max_price {
        sent = sent.min(max);
    }
    let balance = match &denom {
        Some(d) => chain.bank_balance(&buyer, d)?,
        None => chain.balance(&buyer)?,
    };
    if balance < price {
        bail!(
            "{account} holds {} but the job costs {}",
            amount(balance),
            amount(price)
        );
    }
    sent = sent.min(balance);

    let now = chain.block()?.time;
    let earliest = params.commit_window + params.reveal_window;
    let deadline_secs = req
        .deadline_secs
        .unwrap_or(3_600)
        .clamp(earliest, params.max_job_lifetime.max(earliest));
    let deadline = now + deadline_secs;

    let d = chain.deployment().clone();
    let (audit_commitment, audit_secret_file) = if redundancy == 1 {
        let mut secret = [0u8; 32];
        rand::thread_rng().fill_bytes(&mut secret);
        let commitment = market::audit_commitment(&secret);
        // Written (and synced) before the job commits to it.
        let file = secrets.save(&d.chain_id, &d.market, &commitment, &secret)?;
        (Some(HexBinary::from(commitment.to_vec())), Some(file))
    } else {
        (None, None)
    };
    let (model_id, input) = (req.model_id.clone(), Binary::from(req.input.bytes.clone()));
    let (batch, max_unit_price) = (req.input.batch, Uint128::new(max_unit_price));
    let deadline = Timestamp::from_seconds(deadline);
    let tx = match &denom {
        None => chain.send_tokens(
            account,
            &d.market,
            sent,
            &market::ReceiveMsg::SubmitJob {
                model_id,
                input,
                batch,
                redundancy,
                max_unit_price,
                deadline,
                audit_commitment,
                callback: None,
            },
        )?,
        Some(stable) => {
            let msg = serde_json::to_vec(&market::ExecuteMsg::SubmitJob {
                model_id,
                input,
                batch,
                redundancy,
                max_unit_price,
                deadline,
                audit_commitment,
                callback: None,
            })?;
            chain.execute_json_with_funds(account, &d.market, &msg, &[(stable.clone(), sent)])?
        }
    };
    let job_id: u64 = tx
        .attr("job_id")
        .context("the submission returned no job id")?
        .parse()
        .context("job id")?;
    let job: JobResponse = chain.market(&market::QueryMsg::Job { id: job_id })?;
    Ok(Submitted {
        job_id,
        buyer: account.to_string(),
        quote,
        denom,
        sent,
        charged: job.price.u128(),
        providers: job.slots.iter().map(|s| s.provider.to_string()).collect(),
        deadline: job.deadline.seconds(),
        audit_secret_file,
        tx_hash: tx.tx_hash,
        gas_used: tx.gas_used,
    })
}

//! Compute market: a model registry, a provider registry, jobs paid into escrow, commit–reveal
//! of results, an agreement check, settlement, slashing, refunds and a dynamic unit price.
//!
//! **Two units.** A market created with [`StablePayments`] quotes its unit price (and the
//! dynamic rule's floor and ceiling, and providers' minimum prices) in a stable bank denom
//! (6 decimals, e.g. `uusdc`), and takes two payments: the stable asset attached to
//! [`ExecuteMsg::SubmitJob`] at the quoted price, or ACN through a CW20 `Send` with
//! [`ReceiveMsg::SubmitJob`] at the oracle's TWAP (the amount sent is the most the buyer pays).
//! A job's escrow, payouts, refunds and fee stay in the asset its buyer paid; stake at risk and
//! slashing stay in ACN (a stable-paid job's value is converted at the TWAP). A market created
//! without it prices and takes payment in ACN only.
//!
//! **Result callbacks.** A contract that buys a job with `callback: Some(`[`Callback`]`)` is
//! sent [`CallbackMsg::ReceiveResult`] (job id, status, output) when the job is settled, expired
//! or resolved: a submessage with reply-on-error and a bounded gas limit, so a receiver that
//! fails or runs out of gas cannot undo or block the settlement (see [`Callback`]).

use cosmwasm_schema::{cw_serde, QueryResponses};
use cosmwasm_std::{Addr, Binary, Decimal, HexBinary, Timestamp, Uint128};
use cw20::Cw20ReceiveMsg;
use cw_ownable::{cw_ownable_execute, cw_ownable_query};
use sha2::{Digest, Sha256};

use crate::common::Bps;

/// Largest protocol fee the contract accepts: 10 %.
pub const MAX_PROTOCOL_FEE_BPS: Bps = 1_000;
/// Shortest accepted salt, in bytes.
pub const MIN_SALT_LEN: usize = 16;
/// Longest accepted salt, in bytes.
pub const MAX_SALT_LEN: usize = 64;

/// Domain tag hashed first into every commitment (bump the version to change the scheme).
pub const COMMITMENT_DOMAIN: &[u8] = b"acn-market-commitment-v2";

/// The commitment a provider posts:
/// `sha256(domain ‖ len ‖ market ‖ job_id ‖ len ‖ provider ‖ len ‖ output ‖ len ‖ salt)`, each
/// variable field prefixed by its length as a big-endian `u32` and the job id as a big-endian
/// `u64`.
///
/// Binding the address makes a copied (output, salt) pair useless to anyone else; binding the
/// market contract and the job id makes a commitment (or a reveal) from another job or another
/// market useless here, even when a provider reuses a salt; the length prefixes keep the
/// boundary between output and salt unambiguous.
pub fn commitment(
    output: &[u8],
    salt: &[u8],
    provider: &str,
    job_id: u64,
    market: &str,
) -> [u8; 32] {
    fn field(hasher: &mut Sha256, bytes: &[u8]) {
        hasher.update((bytes.len() as u32).to_be_bytes());
        hasher.update(bytes);
    }
    let mut hasher = Sha256::new();
    hasher.update(COMMITMENT_DOMAIN);
    field(&mut hasher, market.as_bytes());
    hasher.update(job_id.to_be_bytes());
    field(&mut hasher, provider.as_bytes());
    field(&mut hasher, output);
    field(&mut hasher, salt);
    hasher.finalize().into()
}

/// Element type of a model input tensor; inputs are little-endian.
#[cw_serde]
#[derive(Copy, Eq)]
pub enum DType {
    /// Unsigned byte (e.g. pixel intensities).
    U8,
    /// 32-bit signed integer.
    I32,
    /// 32-bit IEEE float (must be finite).
    F32,
    /// UTF-8 text. The input spec's `shape` is `[max_bytes, max_tokens]`; each item is a
    /// little-endian `u32` byte length followed by that many bytes of valid UTF-8, at most
    /// `max_bytes` ([`encode_text_items`]). The model truncates a longer text to its first
    /// `max_tokens` tokens (special tokens included), so every provider computes the same thing.
    Utf8,
    /// A training request ([`crate::training::TrainingRequest`]): one per job (`max_batch` 1).
    /// The input spec's `shape` is `[item_bytes]`, the size of one dataset item of the model's
    /// architecture (e.g. 64 pixels and a label byte).
    Training,
}

impl DType {
    /// Bytes per element.
    pub const fn size(self) -> usize {
        match self {
            DType::U8 | DType::Utf8 | DType::Training => 1,
            DType::I32 | DType::F32 => 4,
        }
    }
}

/// Shape and type of one input item, and how many items a job may carry.
#[cw_serde]
pub struct InputSpec {
    /// Shape of one item, e.g. `[64]` or `[1, 8, 8]`.
    pub shape: Vec<u32>,
    /// Element type.
    pub dtype: DType,
    /// Most items per job.
    pub max_batch: u32,
}

impl InputSpec {
    /// Elements in one item.
    pub fn item_elements(&self) -> u64 {
        self.shape.iter().map(|d| *d as u64).product()
    }

    /// Bytes one item occupies (for text: its largest size, length prefix included).
    pub fn item_bytes(&self) -> u64 {
        match self.text_limits() {
            Some((max_bytes, _)) => TEXT_LENGTH_PREFIX + max_bytes as u64,
            None => self.item_elements() * self.dtype.size() as u64,
        }
    }

    /// `(max_bytes, max_tokens)` of a text input (`shape` `[max_bytes, max_tokens]`); `None`
    /// for a tensor input or a text shape without exactly two dimensions.
    pub fn text_limits(&self) -> Option<(u32, u32)> {
        match (self.dtype, self.shape.as_slice()) {
            (DType::Utf8, [max_bytes, max_tokens]) => Some((*max_bytes, *max_tokens)),
            _ => None,
        }
    }
}

/// Bytes of the little-endian `u32` length in front of every text item.
pub const TEXT_LENGTH_PREFIX: u64 = 4;

/// Encode texts as a text input: per item, its UTF-8 length as a little-endian `u32`, then its
/// bytes.
pub fn encode_text_items<S: AsRef<str>>(texts: &[S]) -> Vec<u8> {
    let mut out = Vec::new();
    for text in texts {
        let bytes = text.as_ref().as_bytes();
        out.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
        out.extend_from_slice(bytes);
    }
    out
}

/// Split a text input into exactly `batch` texts of at most `max_bytes` bytes of valid UTF-8
/// each, with no byte left over.
pub fn decode_text_items(input: &[u8], batch: u32, max_bytes: u32) -> Result<Vec<&str>, SpecError> {
    let mut rest = input;
    let mut texts = Vec::with_capacity(batch.min(1024) as usize);
    for item in 0..batch {
        let bad = |reason: String| SpecError::BadText { item, reason };
        let (len, tail) = rest
            .split_first_chunk::<4>()
            .ok_or_else(|| bad("the input ends before its length prefix".to_string()))?;
        let len = u32::from_le_bytes(*len);
        if len > max_bytes {
            return Err(bad(format!(
                "{len} bytes, more than the model's {max_bytes}"
            )));
        }
        if tail.len() < len as usize {
            return Err(bad(format!("{len} bytes announced, {} left", tail.len())));
        }
        let (text, tail) = tail.split_at(len as usize);
        texts.push(std::str::from_utf8(text).map_err(|e| bad(format!("not valid UTF-8: {e}")))?);
        rest = tail;
    }
    if !rest.is_empty() {
        return Err(SpecError::TextTrailingBytes {
            count: rest.len() as u64,
        });
    }
    Ok(texts)
}

/// What a model produces per item, in its canonical (agreement-checkable) form.
#[cw_serde]
pub enum OutputSpec {
    /// One class label per item, encoded as a little-endian `u32`; labels must be < `num_classes`.
    ClassLabels {
        /// Number of classes.
        num_classes: u32,
        /// Human-readable names of the classes (optional; may be empty).
        labels: Vec<String>,
    },
    /// A fixed-point tensor per item: `round(value × scale)` as little-endian `i32`.
    FixedPoint {
        /// Shape of one item's output.
        shape: Vec<u32>,
        /// Fixed-point scale (e.g. 10 000 = four decimals).
        scale: u32,
    },
    /// A training job's result per item ([`crate::training::TrainedOutput`]): a status word,
    /// the trained weights' sha256 (eight words) and one fixed-point `i32` per metric.
    /// Compared exactly (tolerance 0).
    Trained {
        /// Names of the held-out metrics, e.g. `held_out_accuracy`.
        metrics: Vec<String>,
        /// Fixed-point scale of the metrics.
        scale: u32,
    },
}

impl OutputSpec {
    /// `i32`/`u32` words one item's output occupies.
    pub fn item_words(&self) -> u64 {
        match self {
            OutputSpec::ClassLabels { .. } => 1,
            OutputSpec::FixedPoint { shape, .. } => shape.iter().map(|d| *d as u64).product(),
            OutputSpec::Trained { metrics, .. } => {
                crate::training::TrainedOutput::HEADER_WORDS + metrics.len() as u64
            }
        }
    }
}

/// A model as registered on chain (the worker's registry file holds exactly this).
#[cw_serde]
pub struct ModelSpec {
    /// Unique id, e.g. `digits-mlp-v1` (1–64 chars of `[a-z0-9._-]`).
    pub id: String,
    /// Display name.
    pub name: String,
    /// Architecture tag, e.g. `mlp-64-128-10`.
    pub architecture: String,
    /// Hex sha256 of the weights file (64 lowercase hex chars).
    pub weights_sha256: String,
    /// Where the weights can be fetched.
    pub weights_uri: String,
    /// Input spec.
    pub input: InputSpec,
    /// Output spec.
    pub output: OutputSpec,
    /// Largest absolute difference per element (in fixed-point units) for two outputs to agree;
    /// must be 0 for class labels.
    pub tolerance: u32,
    /// Price units charged per item.
    pub cost_units_per_item: u64,
    /// Smallest redundancy a job for this model may ask for.
    pub min_redundancy: u8,
}

/// A registered model.
#[cw_serde]
pub struct ModelResponse {
    /// The spec.
    pub spec: ModelSpec,
    /// Whether new jobs are accepted.
    pub active: bool,
}

/// A provider's hardware, as it declares it.
#[cw_serde]
pub struct Hardware {
    /// Backend, e.g. `wgpu` or `ndarray`.
    pub backend: String,
    /// Device name, e.g. `llvmpipe` or `NVIDIA L4`.
    pub device: String,
    /// Device memory in MiB.
    pub memory_mb: u64,
    /// Where the provider serves files to buyers (`http(s)://host:port`): the weights of a
    /// training job it won at `<endpoint>/weights/<sha256>`. `None`: it serves nothing.
    #[serde(default)]
    pub endpoint: Option<String>,
}

/// A provider's track record.
#[cw_serde]
#[derive(Default)]
pub struct Reputation {
    /// Jobs settled in which the provider held a slot.
    pub jobs_done: u64,
    /// Jobs in which the provider was in the agreeing majority.
    pub agreed: u64,
    /// Jobs in which the provider revealed an output outside the majority.
    pub outvoted: u64,
    /// Jobs in which the provider held a slot and failed to commit or reveal.
    pub missed: u64,
    /// Base units slashed from the provider by the market.
    pub slashed: Uint128,
    /// Sum over reveals of blocks from claim to reveal.
    pub reveal_blocks_total: u64,
    /// Number of reveals counted in `reveal_blocks_total`.
    pub reveals: u64,
    /// Time of the last miss; the provider cannot claim for `miss_cooldown` after it.
    pub last_miss: Option<Timestamp>,
    /// Offences (wrong results and no-shows) in the current offence window: each one is slashed
    /// twice as hard as the one before (up to `2^MAX_SLASH_DOUBLINGS`), and reaching
    /// `jail_after_offences` jails the provider. Back to zero once `offence_window` passes
    /// without an offence.
    #[serde(default)]
    pub strikes: u32,
    /// Time of the last offence (starts the offence window).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_offence: Option<Timestamp>,
    /// The provider takes no new work before this time (jailed after repeat offences).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jailed_until: Option<Timestamp>,
}

/// A registered provider.
#[cw_serde]
pub struct ProviderResponse {
    /// Provider address.
    pub address: Addr,
    /// Declared hardware.
    pub hardware: Hardware,
    /// Models served.
    pub models: Vec<String>,
    /// Lowest unit price the provider works for.
    pub min_unit_price: Uint128,
    /// Whether the provider takes jobs.
    pub active: bool,
    /// Jobs assigned and not yet finalized.
    pub active_jobs: u32,
    /// Stake at risk in unfinished slots (see [`ExposureResponse`]).
    #[serde(default)]
    pub locked: Uint128,
    /// Track record.
    pub reputation: Reputation,
    /// Selection weight in the trees of its models: its bonded stake when last seen eligible,
    /// 0 when inactive or below `min_provider_stake`.
    #[serde(default)]
    pub weight: Uint128,
}

/// Lifecycle of a job.
#[cw_serde]
#[derive(Copy, Eq)]
pub enum JobStatus {
    /// Taking claims and commitments.
    Open,
    /// Every slot committed or the commit window closed: taking reveals.
    Revealing,
    /// A majority agreed; winners paid, fee sent, result stored.
    Settled,
    /// Reveals disagreed with no strict majority: the escrow stays in the market until the owner
    /// resolves the dispute or anyone closes it after `dispute_timeout`.
    Disputed,
    /// A dispute resolved by the owner or closed after its timeout; the escrow is paid out.
    Resolved,
    /// Fewer than a strict majority of the slots revealed when the job was finalized (by the
    /// last reveal, `Settle` or `Expire`): the buyer is refunded the whole escrow and every slot
    /// that did not commit or reveal is slashed as a no-show.
    Expired,
}

impl JobStatus {
    /// True once the job takes no more claims, commitments, reveals, `Settle` or `Expire`. Every
    /// final job's escrow is paid out or refunded, except a `Disputed` one's: that waits for
    /// `ResolveDispute` or `CloseDispute` (see [`JobStatus::holds_escrow`]).
    pub fn is_final(self) -> bool {
        !matches!(self, JobStatus::Open | JobStatus::Revealing)
    }

    /// True while the market holds the job's escrow (before it is paid out or refunded).
    pub fn holds_escrow(self) -> bool {
        matches!(
            self,
            JobStatus::Open | JobStatus::Revealing | JobStatus::Disputed
        )
    }

    /// Stable one-byte code used as an index key.
    pub fn code(self) -> u8 {
        match self {
            JobStatus::Open => 0,
            JobStatus::Revealing => 1,
            JobStatus::Settled => 2,
            JobStatus::Disputed => 3,
            JobStatus::Resolved => 4,
            JobStatus::Expired => 5,
        }
    }
}

/// What became of one slot at finalization.
#[cw_serde]
#[derive(Copy, Eq)]
pub enum SlotOutcome {
    /// In the agreeing majority: paid.
    Agreed,
    /// Revealed an output outside the majority: slashed.
    Outvoted,
    /// Claimed but did not commit, or committed but did not reveal: slashed.
    Missed,
    /// Revealed, but no majority formed (dispute): neither paid nor slashed until the dispute is
    /// resolved or closed (then `Agreed`/`Outvoted`, or left as is by a void or a timeout).
    NoMajority,
}

/// One provider's slot in a job. (Empty optional fields are left out of the JSON: the job is
/// stored as it is returned, and storage gas is charged per byte.)
#[cw_serde]
pub struct Slot {
    /// Provider holding the slot.
    pub provider: Addr,
    /// Block height at which the slot was assigned (the job's submission height).
    pub claimed_height: u64,
    /// Posted commitment, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commitment: Option<HexBinary>,
    /// Revealed output, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output: Option<Binary>,
    /// Block height of the reveal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revealed_height: Option<u64>,
    /// Outcome, once the job is final.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<SlotOutcome>,
    /// Base units paid to this provider.
    pub paid: Uint128,
    /// Bonded stake this slot keeps locked until the job is final (and the base of its slash):
    /// `max(min_slot_stake, slot_stake_multiple × price / redundancy)` at the claim.
    #[serde(default)]
    pub at_risk: Uint128,
}

/// A job and everything that happened to it.
#[cw_serde]
pub struct JobResponse {
    /// Job id.
    pub id: u64,
    /// Who paid.
    pub buyer: Addr,
    /// Model to run.
    pub model_id: String,
    /// Encoded input (`batch` items per the model's input spec).
    pub input: Binary,
    /// Items in the input.
    pub batch: u32,
    /// Provider slots.
    pub redundancy: u8,
    /// Unit price at submission.
    pub unit_price: Uint128,
    /// Price units (batch × cost units per item).
    pub units: u64,
    /// Tokens held in escrow for this job (0 once final).
    pub escrow: Uint128,
    /// Price paid (escrow at submission, after discount).
    pub price: Uint128,
    /// Status.
    pub status: JobStatus,
    /// Submission time.
    pub created_at: Timestamp,
    /// Submission height.
    pub created_height: u64,
    /// Claims and commitments close at this time.
    pub commit_deadline: Timestamp,
    /// Reveals close at this time (set when the reveal phase opens).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reveal_deadline: Option<Timestamp>,
    /// After this time anyone may `Expire` the job.
    pub deadline: Timestamp,
    /// Slots taken so far.
    pub slots: Vec<Slot>,
    /// When the job became `Disputed` (starts `dispute_timeout`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disputed_at: Option<Timestamp>,
    /// Agreed output, once settled or resolved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<Binary>,
    /// Verification of a redundancy-1 job (its buyer's audit commitment and decision).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audit: Option<Audit>,
    /// Protocol fee charged (sent to the fee recipient, or pending in the market until a flush).
    pub fee: Uint128,
    /// Refunded to the buyer.
    pub refunded: Uint128,
    /// The bank denom the job was paid in (the market's stable asset); absent: paid in ACN.
    /// `price`, `escrow`, `fee`, `refunded` and every slot's `paid` are in this asset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pay_denom: Option<String>,
    /// In a stable-priced market: the oracle's TWAP (stable base units per ACN base unit) the
    /// job was priced with (an ACN payment's price, a stable payment's stake at risk and the
    /// fee reported to emissions are converted at it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acn_price: Option<Decimal>,
    /// The result callback its buyer asked for, and whether it was delivered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub callback: Option<JobCallback>,
}

/// A submission's request to be told of the job's outcome.
///
/// **The receiver is always the buyer** (the sender of a stable `SubmitJob`, the sender of the
/// CW20 `Send` of a paid-in-ACN one), and it must be a contract: a market-signed
/// `ReceiveResult` then always reaches a contract that asked for and paid for that very job, so
/// a consumer that checks `info.sender == market` knows the job is its own. Naming another
/// receiver would let anyone push authentic-looking results of jobs it chose into any contract
/// (and make it pay the callback's gas on someone else's settlement).
///
/// The callback is a submessage with reply-on-error and a gas limit (at most the market's
/// `max_callback_gas`): a receiver that fails, or runs out of gas, has only its own call
/// reverted; the settlement, payouts, refund and fee stand and the failure is recorded in the
/// job ([`CallbackStatus::Failed`]), in `TotalsResponse::callback_failures` and in a
/// `callback_error` event attribute. Whoever finalizes the job (the last revealing provider,
/// or the caller of `Settle`, `Expire`, `ResolveDispute` or `CloseDispute`) pays for that gas,
/// which is why it is bounded.
#[cw_serde]
pub struct Callback {
    /// Gas the receiver's `ReceiveResult` may use (1..=`max_callback_gas`).
    pub gas_limit: u64,
}

/// A job's result callback as the job records it.
#[cw_serde]
pub struct JobCallback {
    /// The gas limit the buyer asked for.
    pub gas_limit: u64,
    /// What became of it.
    pub status: CallbackStatus,
}

/// Delivery of a result callback.
#[cw_serde]
pub enum CallbackStatus {
    /// The job has not reached its outcome yet (a `Disputed` job waits for its resolution).
    Pending,
    /// `ReceiveResult` was executed on the buyer and succeeded.
    Delivered,
    /// `ReceiveResult` failed (an error or out of gas); the job's outcome stands.
    Failed {
        /// The error the chain returned (its first [`MAX_CALLBACK_ERROR_LEN`] bytes at most;
        /// wasmd redacts a submessage's error to its code, e.g. `codespace: wasm, code: 5`).
        error: String,
    },
}

/// Longest callback error a job records, in bytes.
pub const MAX_CALLBACK_ERROR_LEN: usize = 256;

/// Ceiling of `MarketParams::max_callback_gas` (the guard rail governance cannot pass).
pub const MAX_CALLBACK_GAS_LIMIT: u64 = 2_000_000;

/// Default `MarketParams::max_callback_gas`: 300 000 (a few storage writes and a message).
pub const DEFAULT_MAX_CALLBACK_GAS: u64 = 300_000;

fn default_max_callback_gas() -> u64 {
    DEFAULT_MAX_CALLBACK_GAS
}

/// What the market sends a buyer that asked for a callback: a consumer contract accepts
/// `ReceiveResult(JobResult)` in its own execute message (the JSON is
/// `{"receive_result":{"job_id":…,"status":…,"output":…}}`) and checks that the sender is the
/// market.
#[cw_serde]
pub enum CallbackMsg {
    /// The job reached its outcome.
    ReceiveResult(JobResult),
}

/// A job's outcome, as delivered by [`CallbackMsg::ReceiveResult`].
#[cw_serde]
pub struct JobResult {
    /// Job id.
    pub job_id: u64,
    /// `Settled` (an agreed output), `Resolved` (a dispute's end: an accepted output, or none
    /// when voided or closed by timeout) or `Expired` (no output; the escrow was refunded).
    pub status: JobStatus,
    /// The agreed or accepted output (`batch` items per the model's output spec), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output: Option<Binary>,
}

/// A market's stable unit of account and payment asset.
#[cw_serde]
pub struct StablePayments {
    /// The stable bank denom (6 decimals), e.g. `uusdc`.
    pub denom: String,
    /// The TWAP oracle pricing ACN in `denom` (see [`crate::oracle`]).
    pub oracle: String,
}

/// A staker discount for buyers: at least `min_stake` bonded → `discount_bps` off.
#[cw_serde]
pub struct DiscountTier {
    /// Bonded stake needed.
    pub min_stake: Uint128,
    /// Discount in basis points (≤ 5 000).
    pub discount_bps: Bps,
}

/// The dynamic unit price rule (EIP-1559-like).
#[cw_serde]
pub struct PricingParams {
    /// Length of a price window in seconds.
    pub window: u64,
    /// Units per window one active provider is expected to serve; capacity = this × active providers.
    pub units_per_provider: u64,
    /// Largest move per window, in bps of the price (e.g. 1 250 = 12.5 %).
    pub max_change_bps: Bps,
    /// Lowest unit price.
    pub floor: Uint128,
    /// Highest unit price.
    pub ceiling: Uint128,
}

/// Market parameters (all owner-changeable within guard rails).
#[cw_serde]
pub struct MarketParams {
    /// Protocol fee in bps of a settled job's escrow (≤ 1 000).
    pub protocol_fee_bps: Bps,
    /// Bonded stake a provider needs to register and to claim.
    pub min_provider_stake: Uint128,
    /// Slash of a provider outvoted by the majority, in bps of its slot's stake at risk (before
    /// escalation for repeat offences).
    #[serde(default = "default_slash_bps")]
    pub wrong_result_slash_bps: Bps,
    /// Slash of a provider that claimed and did not commit or reveal, in bps of its slot's stake
    /// at risk (before escalation); at least `wrong_result_slash_bps`, so withholding a losing
    /// result never costs less than revealing it.
    #[serde(default = "default_slash_bps")]
    pub no_show_slash_bps: Bps,
    /// Smallest stake at risk per slot: each claimed slot locks
    /// `max(min_slot_stake, slot_stake_multiple × price / redundancy)` of the provider's bonded
    /// stake until the job is final, and a provider takes a slot only while its locked stake
    /// plus the new slot's stays within its bonded stake.
    #[serde(default = "default_min_slot_stake")]
    pub min_slot_stake: Uint128,
    /// Stake at risk per slot as a multiple of the slot's pay (price / redundancy).
    #[serde(default = "default_slot_stake_multiple")]
    pub slot_stake_multiple: u32,
    /// Seconds after an offence during which the next one counts as a repeat (escalated slash).
    #[serde(default = "default_offence_window")]
    pub offence_window: u64,
    /// Offences within the offence window that jail a provider (≥ 1).
    #[serde(default = "default_jail_after_offences")]
    pub jail_after_offences: u32,
    /// Seconds a jailed provider takes no new work.
    #[serde(default = "default_jail_duration")]
    pub jail_duration: u64,
    /// Seconds after a job becomes `Disputed` from which anyone may `CloseDispute` it if the owner
    /// has not resolved it.
    #[serde(default = "default_dispute_timeout")]
    pub dispute_timeout: u64,
    /// Seconds after submission during which slots can be claimed and committed.
    pub commit_window: u64,
    /// Seconds the reveal phase lasts.
    pub reveal_window: u64,
    /// Longest allowed time from submission to a job's deadline.
    pub max_job_lifetime: u64,
    /// Largest input, in bytes.
    pub max_input_bytes: u32,
    /// Largest redundancy.
    pub max_redundancy: u8,
    /// Seconds after a miss during which a provider cannot claim.
    pub miss_cooldown: u64,
    /// Most unfinished jobs a provider may hold at once.
    pub max_active_jobs_per_provider: u32,
    /// Buyer discounts by bonded stake.
    pub discount_tiers: Vec<DiscountTier>,
    /// Dynamic price rule.
    pub pricing: PricingParams,
    /// Protocol fees collect in the market and go to the treasury as one `Deposit` once at
    /// least this much is pending (or on `FlushFees`); zero sends each job's fee at settlement.
    /// Batching saves every settlement the two contract calls of a deposit.
    #[serde(default)]
    pub fee_flush_threshold: Uint128,
    /// Share of redundancy-1 jobs re-executed by a second, drawn provider when the buyer
    /// reveals its audit secret, in bps (1..=10 000; default 1 000 = 10 %). Cheating on a
    /// redundancy-1 job must lose money in expectation, (1 − p)·pay − p·slash < 0 with slash the
    /// first-offence slash of the slot's stake at risk: true at every price with the defaults;
    /// under parameters where it is not, the market bounds the price of a redundancy-1 job.
    #[serde(default = "default_audit_bps")]
    pub audit_bps: Bps,
    /// Most gas a job's result callback may be given (a `Callback::gas_limit` above it is
    /// refused; 0 turns callbacks off; at most [`MAX_CALLBACK_GAS_LIMIT`]).
    #[serde(default = "default_max_callback_gas")]
    pub max_callback_gas: u64,
}

/// Default audit share of redundancy-1 jobs: 10 %.
pub const DEFAULT_AUDIT_BPS: Bps = 1_000;

fn default_audit_bps() -> Bps {
    DEFAULT_AUDIT_BPS
}

/// Whether a revealed audit secret sends a redundancy-1 job to a second provider:
/// `sha256(secret ‖ job id ‖ provider's commitment) mod 10 000 < audit_bps`. The buyer fixed
/// the secret (by its hash) before the provider committed, and the provider does not know it,
/// so neither can steer the decision.
pub fn audit_selected(
    secret: &[u8],
    job_id: u64,
    provider_commitment: &[u8],
    audit_bps: Bps,
) -> bool {
    let mut hasher = Sha256::new();
    hasher.update(secret);
    hasher.update(job_id.to_be_bytes());
    hasher.update(provider_commitment);
    let digest: [u8; 32] = hasher.finalize().into();
    let word = u64::from_be_bytes([
        digest[0], digest[1], digest[2], digest[3], digest[4], digest[5], digest[6], digest[7],
    ]);
    word % 10_000 < audit_bps as u64
}

/// The audit commitment a buyer puts in a redundancy-1 `SubmitJob`: `sha256(secret)`.
pub fn audit_commitment(secret: &[u8]) -> [u8; 32] {
    Sha256::digest(secret).into()
}

/// The verification state of a redundancy-1 job.
#[cw_serde]
pub struct Audit {
    /// `sha256(secret)`, committed by the buyer at submission.
    pub commitment: HexBinary,
    /// `None` until the buyer reveals the secret; then whether a second provider was drawn.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audited: Option<bool>,
}

/// Default `wrong_result_slash_bps` and `no_show_slash_bps`: the whole stake at risk.
fn default_slash_bps() -> Bps {
    10_000
}

/// Default `min_slot_stake`: 100 tokens.
fn default_min_slot_stake() -> Uint128 {
    Uint128::new(100 * TOKEN)
}

/// Default `slot_stake_multiple`: 10 × the slot's pay (≥ the whole job's price for any
/// redundancy up to 10, so a no-show buyer's node never gains from a refund).
fn default_slot_stake_multiple() -> u32 {
    10
}

/// Default `offence_window`: 7 days.
fn default_offence_window() -> u64 {
    7 * 24 * 60 * 60
}

/// Default `jail_after_offences`: 3.
fn default_jail_after_offences() -> u32 {
    3
}

/// Default `jail_duration`: 1 day.
fn default_jail_duration() -> u64 {
    24 * 60 * 60
}

/// Default `dispute_timeout`: 7 days.
fn default_dispute_timeout() -> u64 {
    7 * 24 * 60 * 60
}

/// Most doublings of a slash for repeat offences (the factor is at most `2^this` = 8).
pub const MAX_SLASH_DOUBLINGS: u32 = 3;

/// Creates the market.
#[cw_serde]
pub struct InstantiateMsg {
    /// Owner (cw-ownable, later the DAO). Defaults to the instantiator.
    pub owner: Option<String>,
    /// The CW20 jobs are paid in.
    pub token: String,
    /// Staking contract (stake checks, slashing).
    pub staking: String,
    /// Receives the protocol fees (the treasury, or the buyback vault): ACN as a CW20 `Send`
    /// with `{"deposit":{}}`, the stable asset by a bank send.
    pub treasury: String,
    /// Parameters.
    pub params: MarketParams,
    /// Starting unit price (within floor and ceiling), in the market's unit.
    pub initial_unit_price: Uint128,
    /// Price in a stable denom and take it as payment (see the module docs); absent: the market
    /// prices and takes payment in ACN only. Fixed for the market's life (the unit of every
    /// stored price depends on it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stable: Option<StablePayments>,
}

/// Hook messages accepted inside a CW20 `Send` to the market.
#[cw_serde]
pub enum ReceiveMsg {
    /// Submit a job paid in ACN by the sent tokens; any excess over the price is refunded in the
    /// same tx. In a stable-priced market the price is converted at the oracle's TWAP, and the
    /// amount sent is the buyer's guard: the most it pays.
    SubmitJob {
        /// Registered, active model.
        model_id: String,
        /// `batch` items encoded per the model's input spec.
        input: Binary,
        /// Items in `input` (1..=max_batch).
        batch: u32,
        /// Provider slots (min_redundancy..=max_redundancy).
        redundancy: u8,
        /// Refuse if the current unit price (in the market's unit) is above this.
        max_unit_price: Uint128,
        /// Time after which the job can be expired; at least commit + reveal windows away.
        deadline: Timestamp,
        /// Required for redundancy 1 (and refused otherwise): `sha256(secret)` of a secret the
        /// buyer may reveal with `RevealAuditSecret` once the provider has committed, which
        /// sends the job to a second provider with probability `audit_bps`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        audit_commitment: Option<HexBinary>,
        /// Tell the buyer of the outcome: once the job is settled, expired or resolved, the
        /// market executes [`CallbackMsg::ReceiveResult`] on the buyer (the contract that sent
        /// the tokens), which must be a contract. See [`Callback`].
        #[serde(default, skip_serializing_if = "Option::is_none")]
        callback: Option<Callback>,
    },
}

/// How the owner settles a dispute.
#[cw_serde]
pub enum DisputeResolution {
    /// The output revealed by `provider` is correct: it becomes the result; providers whose
    /// outputs agree with it are paid as in a settlement (escrow minus the protocol fee, shared
    /// equally), providers whose outputs disagree with it are slashed for a wrong result.
    AcceptOutputOf {
        /// Provider whose output is accepted.
        provider: String,
    },
    /// No output is accepted; nobody is slashed; the buyer is refunded the escrow.
    Void {},
}

/// Execute messages of the market.
#[cw_ownable_execute]
#[cw_serde]
pub enum ExecuteMsg {
    /// CW20 receive hook (`SubmitJob`); only from the configured token.
    Receive(Cw20ReceiveMsg),
    /// Submit a job paid in the market's stable asset, attached as funds (exactly one coin, of
    /// the stable denom); any excess over the price is refunded in the same tx. The fields are
    /// those of [`ReceiveMsg::SubmitJob`]. Refused by a market without stable payments.
    SubmitJob {
        /// Registered, active model.
        model_id: String,
        /// `batch` items encoded per the model's input spec.
        input: Binary,
        /// Items in `input` (1..=max_batch).
        batch: u32,
        /// Provider slots (min_redundancy..=max_redundancy).
        redundancy: u8,
        /// Refuse if the current unit price (stable base units) is above this.
        max_unit_price: Uint128,
        /// Time after which the job can be expired; at least commit + reveal windows away.
        deadline: Timestamp,
        /// Required for redundancy 1 (and refused otherwise): `sha256(secret)` of the buyer's
        /// audit secret.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        audit_commitment: Option<HexBinary>,
        /// Tell the buyer (the sender, which must be a contract) of the outcome by
        /// [`CallbackMsg::ReceiveResult`]. See [`Callback`].
        #[serde(default, skip_serializing_if = "Option::is_none")]
        callback: Option<Callback>,
    },
    /// Owner only: register a new model.
    RegisterModel {
        /// The model.
        model: ModelSpec,
    },
    /// Owner only: replace an existing model's spec (same id). The output spec cannot change
    /// (jobs in flight are checked against it); register a new id for a different output.
    UpdateModel {
        /// The new spec.
        model: ModelSpec,
    },
    /// Owner only: stop accepting jobs for a model.
    DeactivateModel {
        /// Model id.
        id: String,
    },
    /// Owner only: accept jobs for a model again.
    ActivateModel {
        /// Model id.
        id: String,
    },
    /// Register the sender as a provider (needs `min_provider_stake` bonded).
    RegisterProvider {
        /// Declared hardware.
        hardware: Hardware,
        /// Models served (each registered).
        models: Vec<String>,
        /// Lowest unit price the provider works for.
        min_unit_price: Uint128,
    },
    /// Provider: change declared hardware, models, price; `None` keeps the value.
    UpdateProvider {
        /// New hardware.
        hardware: Option<Hardware>,
        /// New model list.
        models: Option<Vec<String>>,
        /// New minimum unit price.
        min_unit_price: Option<Uint128>,
    },
    /// Provider: leave the market (only with no unfinished jobs).
    Deregister {},
    /// Anyone: re-read a provider's bonded stake and set its selection weight to it (0 if it is
    /// below `min_provider_stake` or the provider is inactive). Submissions do this lazily for
    /// every provider they draw; this lets anyone drop an unbonded provider from the price
    /// rule's capacity at once. O(log n) gas.
    RefreshProvider {
        /// Provider address.
        address: String,
    },
    /// Buyer of a redundancy-1 job, after its provider committed and before the commit window
    /// closes: reveal the audit secret. If `audit_selected`, a second provider is drawn (seed
    /// mixed with the secret), the job becomes a redundancy-2 job with a new commit window, and
    /// disagreement makes it a dispute; otherwise its reveal phase opens at once. Without this
    /// reveal the reveal phase opens when the commit window closes, unaudited.
    RevealAuditSecret {
        /// Job id.
        job_id: u64,
        /// The secret whose sha256 the submission carried.
        secret: Binary,
    },
    /// Provider holding a slot: post [`commitment`]`(output, salt, address, job_id, market)`
    /// within the commit window.
    CommitResult {
        /// Job id.
        job_id: u64,
        /// 32-byte commitment.
        commitment: HexBinary,
    },
    /// Provider that committed: reveal output and salt during the reveal phase.
    RevealResult {
        /// Job id.
        job_id: u64,
        /// Canonical output bytes.
        output: Binary,
        /// Salt used in the commitment (16–64 bytes).
        salt: Binary,
    },
    /// Anyone: settle a job whose reveal phase is over.
    Settle {
        /// Job id.
        job_id: u64,
    },
    /// Anyone: send the protocol fees pending in the market to the treasury as one `Deposit`
    /// (nothing pending is not an error: the call then sends nothing).
    FlushFees {},
    /// Anyone: finalize a job after its deadline; refunds what was not earned, slashes no-shows.
    Expire {
        /// Job id.
        job_id: u64,
    },
    /// Owner only: resolve a disputed job.
    ResolveDispute {
        /// Job id.
        job_id: u64,
        /// The decision.
        resolution: DisputeResolution,
    },
    /// Anyone: close a dispute the owner left unresolved for `dispute_timeout`. The escrow minus
    /// the protocol fee is shared equally by every provider that revealed; nobody is slashed and
    /// the buyer gets nothing back (so causing a dispute never pays the buyer).
    CloseDispute {
        /// Job id.
        job_id: u64,
    },
    /// Owner only: replace the parameters (checked against the guard rails).
    UpdateParams {
        /// New parameters.
        params: MarketParams,
    },
    /// Owner only: set (or with `None` clear) the emissions contract told of the settled and
    /// agreed compute units of every provider (one `RecordWork` per settled job).
    SetEmissions {
        /// Emissions contract address.
        address: Option<String>,
    },
    /// Owner only: a new fee recipient (the ACN fees pending are first sent to the old one, in
    /// the same transaction) and/or, in a stable-priced market, a new oracle (e.g. one reading
    /// a deeper pair). `None` keeps the value.
    UpdateConfig {
        /// New fee recipient (treasury or buyback vault).
        fee_recipient: Option<String>,
        /// New TWAP oracle (stable-priced markets only).
        oracle: Option<String>,
    },
}

/// Which jobs a `Jobs` query lists.
#[cw_serde]
pub enum JobFilter {
    /// Jobs with this status.
    Status {
        /// Status.
        status: JobStatus,
    },
    /// Jobs paid by this buyer.
    Buyer {
        /// Buyer.
        address: String,
    },
    /// Jobs in which this provider holds a slot.
    Provider {
        /// Provider.
        address: String,
    },
}

/// Query messages of the market.
#[cw_ownable_query]
#[cw_serde]
#[derive(QueryResponses)]
pub enum QueryMsg {
    /// Addresses and parameters.
    #[returns(ConfigResponse)]
    Config {},
    /// One model.
    #[returns(ModelResponse)]
    Model {
        /// Model id.
        id: String,
    },
    /// Models (paginated by id).
    #[returns(ModelsResponse)]
    Models {
        /// Exclusive start.
        start_after: Option<String>,
        /// Page size (max 100).
        limit: Option<u32>,
    },
    /// One provider.
    #[returns(ProviderResponse)]
    Provider {
        /// Provider address.
        address: String,
    },
    /// Providers (paginated by address).
    #[returns(ProvidersResponse)]
    Providers {
        /// Exclusive start.
        start_after: Option<String>,
        /// Page size (max 100).
        limit: Option<u32>,
    },
    /// One job.
    #[returns(JobResponse)]
    Job {
        /// Job id.
        id: u64,
    },
    /// Jobs by status, buyer or provider (paginated by id, ascending).
    #[returns(JobsResponse)]
    Jobs {
        /// Which jobs.
        filter: JobFilter,
        /// Exclusive start (job id).
        start_after: Option<u64>,
        /// Page size (max 100).
        limit: Option<u32>,
    },
    /// Open jobs in which `provider` was assigned a slot it has not committed yet, while the
    /// commit window is open — what workers poll (paginated by id, ascending).
    #[returns(JobsResponse)]
    AssignedJobs {
        /// Provider address.
        provider: String,
        /// Exclusive start (job id).
        start_after: Option<u64>,
        /// Page size (max 100).
        limit: Option<u32>,
    },
    /// The selection tree of a model: total eligible weight and number of slot indexes used.
    #[returns(SelectionResponse)]
    Selection {
        /// Model id.
        model_id: String,
    },
    /// The unit price a submission would pay now.
    #[returns(UnitPriceResponse)]
    UnitPrice {},
    /// What a job would cost now, with the discount of `buyer` (if given).
    #[returns(QuoteResponse)]
    Quote {
        /// Model id.
        model_id: String,
        /// Items.
        batch: u32,
        /// Slots.
        redundancy: u8,
        /// Buyer whose bonded stake sets the discount.
        buyer: Option<String>,
        /// The job's input: needed for a training model, whose price depends on its request
        /// (steps × batch size); ignored for other models.
        #[serde(default)]
        input: Option<Binary>,
    },
    /// Lifetime totals.
    #[returns(TotalsResponse)]
    Totals {},
    /// The emissions contract told of settled work, if any.
    #[returns(EmissionsResponse)]
    Emissions {},
    /// A provider's stake at risk in unfinished slots: staking refuses to unbond below it.
    #[returns(ExposureResponse)]
    Exposure {
        /// Provider address.
        provider: String,
    },
}

/// A provider's exposure: bonded stake that must stay bonded while it holds unfinished slots.
#[cw_serde]
pub struct ExposureResponse {
    /// Provider address.
    pub provider: Addr,
    /// Sum of the stake at risk of the provider's unfinished slots (0 for an unknown address).
    pub locked: Uint128,
    /// Unfinished jobs the provider holds a slot in (disputed ones included).
    pub unfinished_jobs: u32,
    /// Until when the provider is jailed, if it is now.
    pub jailed_until: Option<Timestamp>,
}

/// A model's provider-selection state.
#[cw_serde]
pub struct SelectionResponse {
    /// Sum of the selection weights of the model's providers (bonded stake of each provider
    /// last seen eligible; stale weights are corrected lazily when drawn).
    pub total_weight: Uint128,
    /// Slot indexes handed out in the model's tree (one per provider that ever served it).
    pub indexes: u32,
    /// Providers with a non-zero selection weight, over all models (the price rule's capacity
    /// counts these).
    pub eligible_providers: u64,
}

/// The emissions contract the market reports settled work to.
#[cw_serde]
pub struct EmissionsResponse {
    /// Its address (`None`: no reports).
    pub address: Option<Addr>,
    /// The last error it answered a `RecordWork` with (the settlement went on without the
    /// report), if any.
    #[serde(default)]
    pub last_error: Option<String>,
}

/// Market configuration.
#[cw_serde]
pub struct ConfigResponse {
    /// Payment CW20.
    pub token: Addr,
    /// Staking contract.
    pub staking: Addr,
    /// Fee recipient (treasury or buyback vault).
    pub treasury: Addr,
    /// Parameters.
    pub params: MarketParams,
    /// The stable unit and payment asset, if the market has one.
    #[serde(default)]
    pub stable: Option<StablePayments>,
}

/// A page of models.
#[cw_serde]
pub struct ModelsResponse {
    /// Models in id order.
    pub models: Vec<ModelResponse>,
}

/// A page of providers.
#[cw_serde]
pub struct ProvidersResponse {
    /// Providers in address order.
    pub providers: Vec<ProviderResponse>,
}

/// A page of jobs.
#[cw_serde]
pub struct JobsResponse {
    /// Jobs in id order.
    pub jobs: Vec<JobResponse>,
}

/// The current unit price and the window state behind it.
#[cw_serde]
pub struct UnitPriceResponse {
    /// Price per unit a submission pays now.
    pub unit_price: Uint128,
    /// Units delivered so far in the current window (units × agreeing slots of every job settled
    /// or resolved in it): the demand the price rule weighs.
    pub window_units: u64,
    /// Target units per window (capacity: providers with a non-zero selection weight, i.e.
    /// at least `min_provider_stake` bonded when last seen, × units per provider).
    pub capacity_units: u64,
    /// Start of the current window.
    pub window_start: Timestamp,
}

/// A price quote.
#[cw_serde]
pub struct QuoteResponse {
    /// Units × unit price × redundancy.
    pub gross: Uint128,
    /// Discount applied.
    pub discount: Uint128,
    /// What the buyer must send.
    pub price: Uint128,
    /// Unit price used.
    pub unit_price: Uint128,
    /// Price units (batch × cost per item).
    pub units: u64,
    /// The asset `gross`, `discount`, `price` and `unit_price` are in: the stable denom, or
    /// absent for ACN.
    #[serde(default)]
    pub denom: Option<String>,
    /// In a stable-priced market: what the job costs paid in ACN now (at the TWAP); absent when
    /// the oracle has no price (see `acn_price_error`).
    #[serde(default)]
    pub price_acn: Option<Uint128>,
    /// The TWAP `price_acn` was computed with (stable base units per ACN base unit).
    #[serde(default)]
    pub acn_price: Option<Decimal>,
    /// Why there is no ACN price now (a stale, unobserved or too-thin pool).
    #[serde(default)]
    pub acn_price_error: Option<String>,
}

/// Lifetime totals of the stable asset's flows (a stable-priced market).
#[cw_serde]
#[derive(Default)]
pub struct StableTotals {
    /// Stable paid into escrow.
    pub volume: Uint128,
    /// Stable paid to providers.
    pub paid_to_providers: Uint128,
    /// Stable protocol fees (sent to the fee recipient at settlement).
    pub fees: Uint128,
    /// Stable refunded to buyers (disputes, expiries; not same-tx excess).
    pub refunded: Uint128,
    /// Stable currently in escrow.
    pub escrow: Uint128,
}

/// Lifetime totals of the market.
#[cw_serde]
#[derive(Default)]
pub struct TotalsResponse {
    /// Jobs submitted.
    pub jobs_submitted: u64,
    /// Jobs settled with an agreed result.
    pub jobs_settled: u64,
    /// Jobs that ended in a dispute.
    pub jobs_disputed: u64,
    /// Jobs expired.
    pub jobs_expired: u64,
    /// ACN paid into escrow.
    pub volume: Uint128,
    /// ACN paid to providers.
    pub paid_to_providers: Uint128,
    /// ACN protocol fees charged on settled jobs (sent to the fee recipient, or pending).
    pub fees: Uint128,
    /// Protocol fees held by the market, not yet sent to the treasury (see
    /// `MarketParams::fee_flush_threshold`).
    #[serde(default)]
    pub fees_pending: Uint128,
    /// ACN refunded to buyers (disputes, expiries; not same-tx excess).
    pub refunded: Uint128,
    /// Tokens slashed from providers at the market's request.
    pub slashed: Uint128,
    /// ACN currently in escrow.
    pub escrow: Uint128,
    /// `RecordWork` reports the emissions contract refused (settlement went on without them).
    #[serde(default)]
    pub emissions_failures: u64,
    /// Result callbacks that failed (the jobs' outcomes stood; see [`CallbackStatus::Failed`]).
    #[serde(default)]
    pub callback_failures: u64,
    /// The stable asset's flows (the fields above count ACN).
    #[serde(default)]
    pub stable: StableTotals,
}

/// Migration parameters (none yet).
#[cw_serde]
pub struct MigrateMsg {}

/// One whole token in base units (6 decimals).
pub const TOKEN: u128 = 1_000_000;

impl Default for PricingParams {
    /// 10-minute windows, 1 000 units per provider per window, ±12.5 % per window,
    /// unit price between 0.000001 and 1 000 tokens.
    fn default() -> Self {
        PricingParams {
            window: 600,
            units_per_provider: 1_000,
            max_change_bps: 1_250,
            floor: Uint128::new(1),
            ceiling: Uint128::new(1_000 * TOKEN),
        }
    }
}

impl Default for MarketParams {
    /// Seed parameters: 3 % fee, 1 000 tokens of stake to provide, each slot puts
    /// max(100 tokens, 10 × its pay) at risk and a wrong result or a no-show loses all of it
    /// (doubling per repeat offence within 7 days, jail for a day at the third), 10-minute commit
    /// and reveal windows, jobs live at most a day, disputes close after 7 days, fees sent to
    /// the treasury once a whole token is pending, 10 % of redundancy-1 jobs audited (when their
    /// buyer reveals its secret), result callbacks given at most 300 000 gas.
    fn default() -> Self {
        MarketParams {
            protocol_fee_bps: 300,
            min_provider_stake: Uint128::new(1_000 * TOKEN),
            wrong_result_slash_bps: default_slash_bps(),
            no_show_slash_bps: default_slash_bps(),
            min_slot_stake: default_min_slot_stake(),
            slot_stake_multiple: default_slot_stake_multiple(),
            offence_window: default_offence_window(),
            jail_after_offences: default_jail_after_offences(),
            jail_duration: default_jail_duration(),
            dispute_timeout: default_dispute_timeout(),
            commit_window: 600,
            reveal_window: 600,
            max_job_lifetime: 24 * 60 * 60,
            max_input_bytes: 64 * 1024,
            max_redundancy: 7,
            miss_cooldown: 60 * 60,
            max_active_jobs_per_provider: 16,
            discount_tiers: vec![
                DiscountTier {
                    min_stake: Uint128::new(10_000 * TOKEN),
                    discount_bps: 500,
                },
                DiscountTier {
                    min_stake: Uint128::new(100_000 * TOKEN),
                    discount_bps: 1_000,
                },
            ],
            pricing: PricingParams::default(),
            fee_flush_threshold: Uint128::new(TOKEN),
            audit_bps: DEFAULT_AUDIT_BPS,
            max_callback_gas: DEFAULT_MAX_CALLBACK_GAS,
        }
    }
}

/// Why an input or output does not fit a model's spec.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SpecError {
    /// Input bigger than the size limit.
    InputTooLarge {
        /// Input size.
        size: u64,
        /// Limit.
        max: u64,
    },
    /// Batch outside 1..=max_batch.
    InvalidBatch {
        /// Requested.
        batch: u32,
        /// Model's max batch.
        max: u32,
    },
    /// Input length differs from batch × item size.
    InputSizeMismatch {
        /// Expected bytes.
        expected: u64,
        /// Actual bytes.
        actual: u64,
    },
    /// An f32 element is NaN or infinite.
    NonFinite {
        /// Element index.
        index: usize,
    },
    /// Output length differs from batch × item words × 4.
    OutputSizeMismatch {
        /// Expected bytes.
        expected: u64,
        /// Actual bytes.
        actual: u64,
    },
    /// A text item is cut short, too long or not UTF-8.
    BadText {
        /// Item index (0-based).
        item: u32,
        /// What is wrong with it.
        reason: String,
    },
    /// Bytes left after the last text item.
    TextTrailingBytes {
        /// How many.
        count: u64,
    },
    /// A training request is malformed or out of range.
    BadTrainingRequest {
        /// The request's field at fault.
        field: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The job's price units do not fit in 64 bits.
    UnitsOverflow,
    /// A class label is not below the number of classes.
    LabelOutOfRange {
        /// The label.
        label: u32,
        /// Number of classes.
        num_classes: u32,
    },
}

impl std::fmt::Display for SpecError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SpecError::InputTooLarge { size, max } => {
                write!(f, "input of {size} bytes exceeds the limit of {max} bytes")
            }
            SpecError::InvalidBatch { batch, max } => write!(f, "batch {batch} outside 1..={max}"),
            SpecError::InputSizeMismatch { expected, actual } => write!(
                f,
                "input is {actual} bytes but the model's spec needs {expected} for this batch"
            ),
            SpecError::NonFinite { index } => write!(f, "element {index} is not a finite float"),
            SpecError::BadText { item, reason } => write!(f, "text item {item}: {reason}"),
            SpecError::TextTrailingBytes { count } => {
                write!(f, "{count} bytes after the last text item")
            }
            SpecError::BadTrainingRequest { field, reason } => {
                write!(f, "training request: {field}: {reason}")
            }
            SpecError::UnitsOverflow => write!(f, "the job's price units overflow"),
            SpecError::OutputSizeMismatch { expected, actual } => {
                write!(f, "{actual} bytes, expected {expected}")
            }
            SpecError::LabelOutOfRange { label, num_classes } => {
                write!(f, "label {label} is not below {num_classes}")
            }
        }
    }
}

impl ModelSpec {
    /// Check a job input: size limit, batch range, exact length, finite floats; for text,
    /// `batch` length-prefixed items of valid UTF-8 within the byte limit.
    pub fn validate_input(
        &self,
        input: &[u8],
        batch: u32,
        max_input_bytes: u32,
    ) -> Result<(), SpecError> {
        let size = input.len() as u64;
        if size > max_input_bytes as u64 {
            return Err(SpecError::InputTooLarge {
                size,
                max: max_input_bytes as u64,
            });
        }
        if batch == 0 || batch > self.input.max_batch {
            return Err(SpecError::InvalidBatch {
                batch,
                max: self.input.max_batch,
            });
        }
        if self.input.dtype == DType::Utf8 {
            let (max_bytes, _) = self.input.text_limits().ok_or(SpecError::BadText {
                item: 0,
                reason: "the model's text shape is not [max_bytes, max_tokens]".to_string(),
            })?;
            return decode_text_items(input, batch, max_bytes).map(drop);
        }
        if self.input.dtype == DType::Training {
            return self.training_request(input).map(drop);
        }
        let expected = self.input.item_bytes().saturating_mul(batch as u64);
        if size != expected {
            return Err(SpecError::InputSizeMismatch {
                expected,
                actual: size,
            });
        }
        if self.input.dtype == DType::F32 {
            for (index, chunk) in input.chunks_exact(4).enumerate() {
                let v = f32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
                if !v.is_finite() {
                    return Err(SpecError::NonFinite { index });
                }
            }
        }
        Ok(())
    }

    /// Decode a canonical output into its words (labels or fixed-point values), checking it.
    pub fn decode_output(&self, output: &[u8], batch: u32) -> Result<Vec<i64>, SpecError> {
        let words = self.output.item_words().saturating_mul(batch as u64);
        let expected = words.saturating_mul(4);
        if output.len() as u64 != expected {
            return Err(SpecError::OutputSizeMismatch {
                expected,
                actual: output.len() as u64,
            });
        }
        output
            .chunks_exact(4)
            .map(|chunk| {
                let bytes = [chunk[0], chunk[1], chunk[2], chunk[3]];
                match &self.output {
                    OutputSpec::ClassLabels { num_classes, .. } => {
                        let label = u32::from_le_bytes(bytes);
                        if label >= *num_classes {
                            Err(SpecError::LabelOutOfRange {
                                label,
                                num_classes: *num_classes,
                            })
                        } else {
                            Ok(label as i64)
                        }
                    }
                    OutputSpec::FixedPoint { .. } => Ok(i32::from_le_bytes(bytes) as i64),
                    // Status and hash words as unsigned, metrics signed: compared exactly.
                    OutputSpec::Trained { .. } => Ok(i32::from_le_bytes(bytes) as i64),
                }
            })
            .collect()
    }

    /// The training request of a training model's job input (see [`DType::Training`]).
    pub fn training_request(
        &self,
        input: &[u8],
    ) -> Result<crate::training::TrainingRequest, SpecError> {
        let item_bytes = match (self.input.dtype, self.input.shape.as_slice()) {
            (DType::Training, [item_bytes]) => *item_bytes,
            _ => {
                return Err(SpecError::BadTrainingRequest {
                    field: "model".to_string(),
                    reason: format!(
                        "{} does not train (or its shape is not [item_bytes])",
                        self.id
                    ),
                })
            }
        };
        crate::training::TrainingRequest::decode(input, item_bytes)
    }

    /// Price units of a valid job: `cost_units_per_item` × `batch`, or for a training job
    /// `cost_units_per_item` × its request's [`crate::training::TrainingRequest::work_items`]
    /// (training steps × batch size + held-out items).
    pub fn job_units(&self, input: &[u8], batch: u32) -> Result<u64, SpecError> {
        let items = if self.input.dtype == DType::Training {
            self.training_request(input)?.work_items()
        } else {
            batch as u64
        };
        self.cost_units_per_item
            .checked_mul(items)
            .ok_or(SpecError::UnitsOverflow)
    }
}

/// Two decoded outputs agree when every element differs by at most `tolerance`.
pub fn outputs_agree(a: &[i64], b: &[i64], tolerance: u32) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|(x, y)| (x - y).unsigned_abs() <= tolerance as u64)
}

use cosmwasm_schema::cw_serde;
use cosmwasm_std::{Addr, Binary, StdResult, Storage, Timestamp, Uint128};
use cw_storage_plus::{Index, IndexList, IndexedMap, Item, Map, MultiIndex};

use acn_interface::market::{
    Hardware, JobResponse, MarketParams, ModelSpec, Reputation, TotalsResponse,
};

/// Addresses of the contracts the market talks to, and its parameters.
#[cw_serde]
pub struct Config {
    /// CW20 jobs are paid in.
    pub token: Addr,
    /// Staking contract: stake checks and slashing.
    pub staking: Addr,
    /// Fee recipient (the treasury, or the buyback vault): receives protocol fees.
    pub treasury: Addr,
    /// Owner-changeable parameters.
    pub params: MarketParams,
    /// The stable unit of account and payment asset (absent: the market prices in ACN).
    #[serde(default)]
    pub stable: Option<Stable>,
}

/// A stable-priced market's stable asset and the oracle pricing ACN in it.
#[cw_serde]
pub struct Stable {
    /// Bank denom.
    pub denom: String,
    /// TWAP oracle.
    pub oracle: Addr,
}

/// A registered model.
#[cw_serde]
pub struct Model {
    /// The spec as registered.
    pub spec: ModelSpec,
    /// Whether new jobs are accepted.
    pub active: bool,
}

/// A registered provider.
#[cw_serde]
pub struct Provider {
    /// Declared hardware.
    pub hardware: Hardware,
    /// Models served.
    pub models: Vec<String>,
    /// Lowest unit price accepted.
    pub min_unit_price: Uint128,
    /// Whether the provider takes jobs (false after `Deregister`).
    pub active: bool,
    /// Jobs assigned and not final (disputed ones included until the dispute ends).
    pub active_jobs: u32,
    /// Stake at risk in the provider's unfinished slots (sum of their `at_risk`).
    #[serde(default)]
    pub locked: Uint128,
    /// Track record (kept across deregistration, so leaving never wipes it).
    pub reputation: Reputation,
    /// Weight of this provider's leaf in the selection tree of each model it serves: its
    /// bonded stake when last seen eligible, 0 while inactive or below the minimum stake.
    #[serde(default)]
    pub weight: Uint128,
}

/// The dynamic unit price and the demand counted in the current window.
#[cw_serde]
pub struct PriceState {
    /// Current unit price.
    pub unit_price: Uint128,
    /// Start of the current window.
    pub window_start: Timestamp,
    /// Units delivered (units × agreeing slots of the jobs settled) in the current window.
    pub window_units: u64,
}

/// Lifetime totals as stored are exactly the totals the query returns.
pub type Totals = TotalsResponse;

/// A job as stored is the job the queries return, except its `input`: that is stored once, in
/// [`JOB_INPUTS`], and left empty here, so the record that every claim, commit and reveal
/// rewrites stays small (storage gas is charged per byte written).
pub type Job = JobResponse;

/// Secondary indexes over jobs.
pub struct JobIndexes<'a> {
    /// By status code.
    pub status: MultiIndex<'a, u8, Job, u64>,
    /// By buyer.
    pub buyer: MultiIndex<'a, Addr, Job, u64>,
}

impl IndexList<Job> for JobIndexes<'_> {
    fn get_indexes(&'_ self) -> Box<dyn Iterator<Item = &'_ dyn Index<Job>> + '_> {
        let v: Vec<&dyn Index<Job>> = vec![&self.status, &self.buyer];
        Box::new(v.into_iter())
    }
}

/// The job store with its indexes.
pub fn jobs<'a>() -> IndexedMap<u64, Job, JobIndexes<'a>> {
    IndexedMap::new(
        "jobs",
        JobIndexes {
            status: MultiIndex::new(|_pk, j: &Job| j.status.code(), "jobs", "jobs__status"),
            buyer: MultiIndex::new(|_pk, j: &Job| j.buyer.clone(), "jobs", "jobs__buyer"),
        },
    )
}

/// Configuration.
pub const CONFIG: Item<Config> = Item::new("config");
/// Models by id.
pub const MODELS: Map<&str, Model> = Map::new("models");
/// Providers by address.
pub const PROVIDERS: Map<&Addr, Provider> = Map::new("providers");
/// Number of providers with a non-zero selection weight (active, at least `min_provider_stake`
/// bonded when last seen): the price rule's capacity counts these.
pub const ELIGIBLE_PROVIDERS: Item<u64> = Item::new("eligible_providers");
/// Per-model Fenwick (binary indexed) tree over provider slot indexes 1..=`TREE_SIZE`: node
/// (model, i) holds the sum of the leaf weights in (i − lowbit(i), i]. Absent nodes are 0.
pub const SELECTION_TREE: Map<(&str, u32), Uint128> = Map::new("sel_tree");
/// A provider's slot index in a model's tree (kept for life, so re-joining reuses it).
pub const SELECTION_INDEX: Map<(&str, &Addr), u32> = Map::new("sel_index");
/// The provider at a slot index of a model's tree.
pub const SELECTION_OWNER: Map<(&str, u32), Addr> = Map::new("sel_owner");
/// Slot indexes handed out per model (the next one is this + 1).
pub const SELECTION_COUNT: Map<&str, u32> = Map::new("sel_count");
/// Entropy pool: sha256 chain re-hashed with every revealed salt; part of each selection seed.
pub const ENTROPY: Item<Binary> = Item::new("entropy");
/// (provider, job id) for every slot assigned and not yet committed: what `AssignedJobs` lists.
pub const OPEN_SLOTS: Map<(&Addr, u64), ()> = Map::new("open_slots");
/// Last job id handed out.
pub const JOB_SEQ: Item<u64> = Item::new("job_seq");
/// (provider, job id) for every slot a provider ever held: the by-provider job index.
pub const PROVIDER_JOBS: Map<(&Addr, u64), ()> = Map::new("provider_jobs");
/// Dynamic price state.
pub const PRICE: Item<PriceState> = Item::new("price");
/// Lifetime totals.
pub const TOTALS: Item<Totals> = Item::new("totals");
/// The last error the emissions contract answered a `RecordWork` with (absent: none yet).
pub const LAST_EMISSIONS_ERROR: Item<String> = Item::new("last_emissions_error");

/// Each job's input, written once at submission (see [`Job`]).
pub const JOB_INPUTS: Map<u64, Binary> = Map::new("job_inputs");

/// A stored job with its input put back from [`JOB_INPUTS`], as the queries return it.
pub fn with_input(storage: &dyn Storage, mut job: Job) -> StdResult<Job> {
    job.input = JOB_INPUTS.load(storage, job.id)?;
    Ok(job)
}

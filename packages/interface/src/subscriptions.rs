//! Subscriptions: a recurring market job or agent run every `interval` seconds, paid from a
//! prepaid balance in the market's stable asset.
//!
//! * `Create` (with the stable attached) opens a subscription due at once; `TopUp` adds to its
//!   balance; `Cancel` (its owner) ends it and returns the unspent balance.
//! * `Trigger { id }`: anyone (a keeper) starts a due run. The subscriptions contract buys the
//!   run as a market job (it is the job's buyer, with a result callback to itself) for the
//!   market's quote, paid from the balance, and pays the caller the governed `keeper_reward`
//!   from the balance too. One run is in flight at a time: a subscription leaves the due queue
//!   when a run starts and is queued again, `interval` seconds after that run's start, when its
//!   result comes back. A subscription whose balance no longer covers one run plus the reward
//!   is `Drained` instead (nothing is paid; `TopUp` queues it again, `Cancel` returns the
//!   balance). A submission the market refuses (no eligible provider, no price, …) pays
//!   nothing and queues the subscription again `interval` seconds later.
//! * The market's `ReceiveResult` records the run's outcome and credits what the market
//!   refunded for the job (an expired job's escrow) to the balance — or, when the subscription
//!   was cancelled while the run was in flight, sends it to the owner: nothing is lost. The
//!   result is optionally forwarded to a `notify` contract as [`SubscriptionCallbackMsg`]
//!   (a failing receiver is recorded and undoes nothing).
//! * Due subscriptions are found through a queue ordered by due time ([`QueryMsg::Due`],
//!   paginated): no transaction loops over the subscriptions.
//!
//! **Agent runs** ([`Target::Agent`]): a due `Trigger` sends the agent registry
//! [`crate::agents::ExecuteMsg::Run`] for the pinned version, paying the registry's escrow
//! (`Σ cost_units_per_item × batch × redundancy × max_unit_price + fee`, computed here by the
//! registry's rule; any excess the registry sends back at once is credited to the balance), with
//! a run callback to this contract. The registry's
//! [`crate::agents::RunCallbackMsg::ReceiveRunResult`] (accepted only from the configured
//! registry) records the run's outcome and credits what the registry refunded (the budgets the
//! run did not spend, the fee of a run that did not complete) — to the owner when the
//! subscription was cancelled meanwhile. A run moves from step to step by the registry's
//! `Advance`, which anyone may send; [`QueryMsg::AgentRunsInFlight`] lists the runs in flight
//! so a keeper can move them on.

use cosmwasm_schema::{cw_serde, QueryResponses};
use cosmwasm_std::{Addr, Binary, Timestamp, Uint128};
use cw_ownable::{cw_ownable_execute, cw_ownable_query};

use crate::market::JobStatus;

/// Largest keeper reward the owner may set: 1 unit of a 6-decimal stable asset (1 USDC).
pub const MAX_KEEPER_REWARD: Uint128 = Uint128::new(1_000_000);
/// Default keeper reward: 0.01 of a 6-decimal stable asset.
pub const DEFAULT_KEEPER_REWARD: Uint128 = Uint128::new(10_000);
/// Shortest interval the owner may allow: 10 seconds.
pub const MIN_INTERVAL_FLOOR: u64 = 10;
/// Default shortest interval: 60 seconds.
pub const DEFAULT_MIN_INTERVAL: u64 = 60;
/// Longest interval a subscription may have: one year.
pub const MAX_INTERVAL: u64 = 365 * 86_400;
/// Most bytes of a job input a subscription may store.
pub const MAX_INPUT_BYTES: u32 = 16_384;

/// The governed parameters.
#[cw_serde]
pub struct Params {
    /// Paid to the caller of a `Trigger` that starts a run, from the subscription's balance
    /// (at most [`MAX_KEEPER_REWARD`]).
    pub keeper_reward: Uint128,
    /// Shortest `interval` a new subscription may have (at least [`MIN_INTERVAL_FLOOR`]).
    pub min_interval: u64,
}

impl Default for Params {
    /// A 0.01 reward, a one-minute shortest interval.
    fn default() -> Self {
        Params {
            keeper_reward: DEFAULT_KEEPER_REWARD,
            min_interval: DEFAULT_MIN_INTERVAL,
        }
    }
}

/// Creates the subscriptions contract.
#[cw_serde]
pub struct InstantiateMsg {
    /// Owner (cw-ownable, later the DAO): may change the parameters; `None`: the sender.
    pub owner: Option<String>,
    /// The market (it must take a stable asset as payment; that asset funds subscriptions).
    pub market: String,
    /// Parameters; defaults to [`Params::default`].
    pub params: Option<Params>,
    /// The agent registry agent subscriptions run on (it must run agents on the same market);
    /// `None`: no agent subscriptions until the owner sets one (`UpdateAgentRegistry`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agents: Option<String>,
}

/// What a subscription runs.
#[cw_serde]
pub enum Target {
    /// One market job per run.
    Job {
        /// A registered, active model.
        model_id: String,
        /// The job input (`batch` items per the model's input spec; at most
        /// [`MAX_INPUT_BYTES`] and the market's `max_input_bytes`).
        input: Binary,
        /// Items in the input.
        batch: u32,
        /// Provider slots (at least 2 and the model's `min_redundancy`: a contract cannot keep
        /// the audit secret of a redundancy-1 job; at most the market's `max_redundancy`).
        redundancy: u8,
        /// Highest unit price a run accepts (a run above it is refused by the market and
        /// skipped, nothing paid).
        max_unit_price: Uint128,
    },
    /// One agent run per run, bought from the configured agent registry.
    Agent {
        /// A published agent.
        agent_id: String,
        /// Its version. `None` at `Create` means the latest, resolved and pinned then: the
        /// stored subscription always names a version, so a newer version never changes it.
        version: Option<u32>,
        /// The first step's input (`batch` items per its model's input spec; at most
        /// [`MAX_INPUT_BYTES`] and the market's `max_input_bytes`).
        input: Binary,
        /// Items (kept through every step; at most every step model's `max_batch`).
        batch: u32,
        /// Provider slots of every step's job (at least 2 and every step model's
        /// `min_redundancy`, at most the market's `max_redundancy`).
        redundancy: u8,
        /// The most each step pays per unit; sizes each run's escrow (a step quoted above it
        /// is refused by the registry: the run is skipped, nothing paid).
        max_unit_price: Uint128,
        /// Seconds from a step's submission to its job's deadline (within the market's commit
        /// + reveal windows and `max_job_lifetime`).
        step_lifetime: u64,
    },
}

/// A subscription's run settings besides its target.
#[cw_serde]
pub struct RunSettings {
    /// Seconds between the starts of two runs (at least the governed `min_interval`, at most
    /// [`MAX_INTERVAL`]).
    pub interval: u64,
    /// `Job` target: seconds from a run's start to its job's deadline (within the market's
    /// commit + reveal windows and `max_job_lifetime`). Not used by an `Agent` target, whose
    /// steps take the target's `step_lifetime` (any value is accepted).
    pub job_lifetime: u64,
    /// Gas the market (`Job` target) or the agent registry (`Agent` target) gives the result
    /// callback to this contract (at most that contract's `max_callback_gas`; 250 000 is plenty
    /// without `notify`).
    pub callback_gas: u64,
}

/// Execute messages of the subscriptions contract.
#[cw_ownable_execute]
#[cw_serde]
pub enum ExecuteMsg {
    /// Open a subscription owned by the sender, funded by the stable asset attached (at least
    /// one run at today's quote plus the keeper reward). Its first run is due at once.
    Create {
        /// What each run buys.
        target: Target,
        /// Interval, job lifetime and callback gas.
        settings: RunSettings,
        /// A contract to forward each run's result to (as
        /// [`SubscriptionCallbackMsg::SubscriptionResult`]), if any.
        notify: Option<String>,
    },
    /// Anyone: add the stable asset attached to a subscription's balance. A `Drained`
    /// subscription becomes `Active` and due at once.
    TopUp {
        /// Subscription id.
        id: u64,
    },
    /// The owner: end the subscription and receive its unspent balance now; a run in flight
    /// finishes, and what the market (or the agent registry) refunds for it goes to the owner
    /// too.
    Cancel {
        /// Subscription id.
        id: u64,
    },
    /// Anyone: start the due run of a subscription (paying the caller the keeper reward), or
    /// mark it `Drained` when its balance no longer covers a run plus the reward (a job's
    /// quote, or an agent run's escrow).
    Trigger {
        /// Subscription id.
        id: u64,
    },
    /// The market's result callback: only the market, only for a run in flight.
    ReceiveResult(crate::market::JobResult),
    /// Anyone: finish the run in flight whose result callback never arrived (it failed, e.g.
    /// out of the gas the subscription gave it): the outcome is read from the market (a job)
    /// or the agent registry (a run) and applied exactly as the callback would have — the
    /// refund credited (to the owner of a cancelled subscription), the next run queued, `notify`
    /// told. Refused while the job or run is still going. Nothing is ever stuck in flight.
    Sync {
        /// Subscription id.
        id: u64,
    },
    /// The agent registry's run callback (`{"receive_run_result":{…}}`): only the configured
    /// registry, only for an agent run in flight.
    ReceiveRunResult(crate::agents::RunResult),
    /// Owner only: set (or clear) the agent registry. It must run agents on this contract's
    /// market. Runs in flight keep reporting to the registry that started them: change it only
    /// when no agent run is in flight ([`QueryMsg::AgentRunsInFlight`] is empty).
    UpdateAgentRegistry {
        /// The registry (`None`: no new agent runs).
        agents: Option<String>,
    },
    /// Owner only: new parameters (bounded).
    UpdateParams {
        /// The parameters.
        params: Params,
    },
}

/// What a subscription's `notify` contract receives after each run.
#[cw_serde]
pub enum SubscriptionCallbackMsg {
    /// A run's outcome.
    SubscriptionResult {
        /// Subscription id.
        id: u64,
        /// Run number (1, 2, …).
        run: u64,
        /// The market's result.
        result: crate::market::JobResult,
    },
    /// An agent run's outcome (an `Agent` target).
    SubscriptionRunResult {
        /// Subscription id.
        id: u64,
        /// Run number (1, 2, …).
        run: u64,
        /// The registry's result.
        result: crate::agents::RunResult,
    },
}

/// Query messages of the subscriptions contract.
#[cw_ownable_query]
#[cw_serde]
#[derive(QueryResponses)]
pub enum QueryMsg {
    /// Market, stable denom and parameters.
    #[returns(ConfigResponse)]
    Config {},
    /// One subscription.
    #[returns(SubscriptionResponse)]
    Subscription {
        /// Subscription id.
        id: u64,
    },
    /// Subscriptions by id (ascending), optionally only one owner's.
    #[returns(SubscriptionsResponse)]
    Subscriptions {
        /// Only this owner's.
        owner: Option<String>,
        /// Exclusive start (id).
        start_after: Option<u64>,
        /// Page size (at most 100, default 30).
        limit: Option<u32>,
    },
    /// Subscriptions due now, earliest due first (what a keeper triggers).
    #[returns(DueResponse)]
    Due {
        /// Page size (at most 100, default 30).
        limit: Option<u32>,
    },
    /// A subscription's runs, by run number (ascending).
    #[returns(RunsResponse)]
    Runs {
        /// Subscription id.
        id: u64,
        /// Exclusive start (run number).
        start_after: Option<u64>,
        /// Page size (at most 100, default 30).
        limit: Option<u32>,
    },
    /// Totals over every subscription.
    #[returns(TotalsResponse)]
    Totals {},
    /// The agent runs in flight, by registry run id (ascending): what a keeper moves on with
    /// the registry's `Advance`.
    #[returns(AgentRunsInFlightResponse)]
    AgentRunsInFlight {
        /// Exclusive start (registry run id).
        start_after: Option<u64>,
        /// Page size (at most 100, default 30).
        limit: Option<u32>,
    },
}

/// One agent run in flight.
#[cw_serde]
pub struct AgentRunInFlight {
    /// The registry's run id.
    pub run_id: u64,
    /// The subscription it runs for.
    pub id: u64,
}

/// The agent runs in flight.
#[cw_serde]
pub struct AgentRunsInFlightResponse {
    /// By registry run id.
    pub runs: Vec<AgentRunInFlight>,
}

/// Market, stable denom and parameters.
#[cw_serde]
pub struct ConfigResponse {
    /// The market.
    pub market: Addr,
    /// The stable denom balances are held in.
    pub denom: String,
    /// The parameters.
    pub params: Params,
    /// The agent registry agent subscriptions run on, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agents: Option<Addr>,
}

/// A subscription's state.
#[cw_serde]
#[derive(Copy, Eq)]
pub enum SubscriptionStatus {
    /// Runs when due.
    Active,
    /// Its balance did not cover a run plus the keeper reward when last triggered; `TopUp`
    /// makes it active again.
    Drained,
    /// Cancelled by its owner (a run in flight still finishes).
    Cancelled,
}

/// A run in flight.
#[cw_serde]
pub struct InFlight {
    /// Run number.
    pub run: u64,
    /// The market job (`Job` target).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job_id: Option<u64>,
    /// The registry's agent run (`Agent` target).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_run_id: Option<u64>,
    /// Paid for it: the job's price, or the agent run's escrow.
    pub price: Uint128,
    /// When it started.
    pub started_at: Timestamp,
}

/// A subscription.
#[cw_serde]
pub struct SubscriptionResponse {
    /// Id.
    pub id: u64,
    /// Owner (may cancel; receives the balance back).
    pub owner: Addr,
    /// What each run buys.
    pub target: Target,
    /// Interval, job lifetime, callback gas.
    pub settings: RunSettings,
    /// Where results are forwarded, if anywhere.
    pub notify: Option<Addr>,
    /// Status.
    pub status: SubscriptionStatus,
    /// Unspent balance (stable base units).
    pub balance: Uint128,
    /// When the next run is due (`None`: not queued — a run in flight, drained or cancelled).
    pub next_due: Option<Timestamp>,
    /// The run in flight, if any.
    pub in_flight: Option<InFlight>,
    /// Runs started.
    pub runs: u64,
    /// Paid to the market (or the agent registry), net of refunds.
    pub spent: Uint128,
    /// Paid to keepers.
    pub rewards_paid: Uint128,
    /// Results forwarded to `notify` that failed there.
    pub notify_failures: u64,
}

/// A page of subscriptions.
#[cw_serde]
pub struct SubscriptionsResponse {
    /// Subscriptions in id order.
    pub subscriptions: Vec<SubscriptionResponse>,
}

/// One due subscription.
#[cw_serde]
pub struct DueEntry {
    /// Subscription id.
    pub id: u64,
    /// When it became due.
    pub due_at: Timestamp,
}

/// Subscriptions due now.
#[cw_serde]
pub struct DueResponse {
    /// Earliest due first.
    pub due: Vec<DueEntry>,
}

/// One finished (or in-flight) run.
#[cw_serde]
pub struct RunRecord {
    /// Run number.
    pub run: u64,
    /// The market job (`Job` target).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job_id: Option<u64>,
    /// The registry's agent run (`Agent` target).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_run_id: Option<u64>,
    /// Paid for it: the job's price to the market, or the agent run's escrow to the registry
    /// (net of any excess it sent back).
    pub price: Uint128,
    /// Paid to the keeper that started it.
    pub keeper_reward: Uint128,
    /// The keeper.
    pub keeper: Addr,
    /// When it started.
    pub started_at: Timestamp,
    /// The job's final status (`Job` target; `None` while in flight).
    pub status: Option<JobStatus>,
    /// The agent run's final status (`Agent` target; `None` while in flight).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_status: Option<crate::agents::RunStatus>,
    /// The agreed output (an agent run's last step's), if any.
    pub output: Option<Binary>,
    /// Refunded by the market for the job, or by the registry for the agent run (credited to
    /// the balance, or sent to the owner of a cancelled subscription).
    pub refunded: Uint128,
}

/// A page of runs.
#[cw_serde]
pub struct RunsResponse {
    /// Runs by number.
    pub runs: Vec<RunRecord>,
}

/// Totals over every subscription.
#[cw_serde]
#[derive(Default)]
pub struct TotalsResponse {
    /// Subscriptions created.
    pub subscriptions: u64,
    /// Runs started.
    pub runs: u64,
    /// Runs whose result came back.
    pub results: u64,
    /// Runs the market (or the agent registry) refused at submission (nothing paid).
    pub skipped: u64,
    /// Sum of the balances held (must equal the contract's stable balance).
    pub balances: Uint128,
    /// Paid to the market, net of refunds.
    pub spent: Uint128,
    /// Paid to keepers.
    pub rewards_paid: Uint128,
    /// Refunds owed to owners of cancelled subscriptions, sent when their run's result came back.
    pub refunds_forwarded: Uint128,
}

/// Migrates the contract (cw2 version check only).
#[cw_serde]
pub struct MigrateMsg {}

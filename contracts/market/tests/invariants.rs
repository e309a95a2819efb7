//! Property-based test of the whole system's accounting: random sequences of actions by
//! providers, buyers and token holders over many blocks — bonding, unbonding, rewards, jobs
//! (honest, colluding, lazy or tampering providers), settlement, expiry, disputes, fee
//! distribution and time jumps past every window and deadline. Actions may fail; a failed
//! action must change nothing. After every step the conservation invariants are checked.
//!
//! The driver mixes a `Progress` action (the next natural step of a live job) with raw commits
//! and reveals by slot holders or outsiders and weight refreshes, so jobs do get settled,
//! disputed and expired while every wrong-phase or wrong-party attempt is also tried. Slots are
//! assigned at submission by the market's draw; the selection tree is checked against the
//! providers' weights after every step.
//!
//! `ACN_PROPTEST_CASES` sets the number of cases (default 1 000); with `ACN_PROPTEST_STATS` set
//! (and `--nocapture`) the test prints how often each action succeeded and how the jobs ended.

use std::collections::HashMap;

use acn_interface::market::{self, DisputeResolution, JobResponse, JobStatus, ReceiveMsg};
use acn_interface::{staking, treasury};
use acn_testing::*;
use cosmwasm_std::{Addr, Binary, Uint128};
use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;

const DIGITS: &str = "digits-mlp-v1";
const PROVIDERS: [&str; 4] = ["p0", "p1", "p2", "p3"];
const BUYERS: [&str; 2] = ["b0", "b1"];
const HOLDERS: [&str; 2] = ["h0", "h1"];
/// Accounts that bond, unbond and fund rewards: providers, buyers and holders.
const STAKERS: [&str; 8] = ["p0", "p1", "p2", "p3", "b0", "b1", "h0", "h1"];
/// Stake each provider starts with (the minimum is 1 000 tokens).
const START_STAKE: u128 = 1_500 * TOKEN;
/// Unbonding period, short enough for claims to mature within a case — and shorter than a job's
/// life, so a provider can unbond and withdraw before a slash lands (the slash is then capped).
const UNBONDING: u64 = 900;
/// The market's reveal window (default parameters).
const REVEAL_WINDOW: u64 = 600;
/// The market's dispute timeout (default parameters: 7 days).
const DISPUTE_TIMEOUT: u64 = 7 * 24 * 60 * 60;

// ---- actions ----------------------------------------------------------------------------------

#[derive(Debug, Clone)]
enum Pay {
    Exact,
    Excess(u32),
    Short,
    Zero,
}

#[derive(Debug, Clone)]
enum Action {
    Bond {
        who: usize,
        tokens: u128,
    },
    Unbond {
        who: usize,
        tokens: u128,
    },
    ClaimUnbonded {
        who: usize,
    },
    FundRewards {
        who: usize,
        amount: u128,
    },
    ClaimRewards {
        who: usize,
    },
    Submit {
        buyer: usize,
        batch: u32,
        redundancy: u8,
        pay: Pay,
        deadline: u64,
        capped: bool,
    },
    /// The buyer of a redundancy-1 job reveals its audit secret (which may draw an auditor).
    Audit {
        job: usize,
    },
    /// Anyone refreshes provider `who`'s selection weight from its bonded stake.
    Refresh {
        who: usize,
    },
    /// The holder of slot `who` commits the true output (`lie == 0`) or a wrong one (equal lies
    /// collude); an `outsider` is `PROVIDERS[who]` whether or not it holds a slot.
    Commit {
        who: usize,
        outsider: bool,
        job: usize,
        lie: u32,
    },
    /// The holder of slot `who` (or an outsider) reveals what it committed, or tampers with
    /// the salt.
    Reveal {
        who: usize,
        outsider: bool,
        job: usize,
        tamper: bool,
    },
    /// The next natural step of a job: claim a free slot, commit (truthfully unless `lie`),
    /// reveal, or settle — whatever its phase calls for.
    Progress {
        who: usize,
        job: usize,
        lie: u32,
    },
    Settle {
        job: usize,
    },
    Expire {
        job: usize,
    },
    Resolve {
        job: usize,
        accept: Option<usize>,
    },
    /// Anyone closes a dispute, right away (too early) or after `wait`ing out its timeout.
    CloseDispute {
        job: usize,
        wait: bool,
    },
    Distribute,
    /// Anyone sends the market's pending fees to the treasury.
    FlushFees,
    /// An active provider deregisters; an inactive one registers again.
    Toggle {
        provider: usize,
    },
    Advance {
        seconds: u64,
    },
}

fn action() -> impl Strategy<Value = Action> {
    let who = 0..STAKERS.len();
    let provider = 0..PROVIDERS.len();
    let job = 0..16usize;
    prop_oneof![
        2 => (who.clone(), prop::sample::select(vec![1u128, 10, 100, 600, 2_000, 12_000]))
            .prop_map(|(who, t)| Action::Bond { who, tokens: t * TOKEN }),
        2 => (who.clone(), prop::sample::select(vec![1u128, 100, 501, 1_500, 5_000]))
            .prop_map(|(who, t)| Action::Unbond { who, tokens: t * TOKEN }),
        2 => who.clone().prop_map(|who| Action::ClaimUnbonded { who }),
        1 => (who.clone(), prop::sample::select(vec![1u128, 999, TOKEN, 50 * TOKEN]))
            .prop_map(|(who, amount)| Action::FundRewards { who, amount }),
        1 => who.prop_map(|who| Action::ClaimRewards { who }),
        6 => (
            0..BUYERS.len(),
            1u32..=3,
            prop_oneof![9 => 1u8..=3, 1 => Just(0u8), 1 => Just(8u8)],
            prop_oneof![
                6 => Just(Pay::Exact),
                2 => (1u32..5_000).prop_map(Pay::Excess),
                1 => Just(Pay::Short),
                1 => Just(Pay::Zero),
            ],
            prop_oneof![
                8 => prop::sample::select(vec![1_200u64, 1_800, 3_600, 86_400]),
                1 => prop::sample::select(vec![0u64, 1_199, 86_401]),
            ],
            prop::bool::weighted(0.1),
        )
            .prop_map(|(buyer, batch, redundancy, pay, deadline, capped)| Action::Submit {
                buyer,
                batch,
                redundancy,
                pay,
                deadline,
                capped,
            }),
        3 => provider.clone().prop_map(|who| Action::Refresh { who }),
        3 => job.clone().prop_map(|job| Action::Audit { job }),
        8 => (
            provider.clone(),
            prop::bool::weighted(0.1),
            job.clone(),
            prop_oneof![4 => Just(0u32), 1 => Just(1), 1 => Just(2)],
        )
            .prop_map(|(who, outsider, job, lie)| Action::Commit { who, outsider, job, lie }),
        8 => (provider.clone(), prop::bool::weighted(0.1), job.clone(), prop::bool::weighted(0.1))
            .prop_map(|(who, outsider, job, tamper)| Action::Reveal { who, outsider, job, tamper }),
        10 => (
            provider.clone(),
            job.clone(),
            prop_oneof![6 => Just(0u32), 1 => Just(1), 1 => Just(2)],
        )
            .prop_map(|(who, job, lie)| Action::Progress { who, job, lie }),
        2 => job.clone().prop_map(|job| Action::Settle { job }),
        2 => job.clone().prop_map(|job| Action::Expire { job }),
        1 => (job.clone(), prop::option::of(provider.clone()))
            .prop_map(|(job, accept)| Action::Resolve { job, accept }),
        1 => (job, prop::bool::ANY)
            .prop_map(|(job, wait)| Action::CloseDispute { job: job.max(12), wait }),
        1 => Just(Action::Distribute),
        1 => Just(Action::FlushFees),
        1 => provider.prop_map(|provider| Action::Toggle { provider }),
        5 => prop_oneof![
            7 => prop::sample::select(vec![1u64, 5, 30, 60, 120, 299]),
            2 => prop::sample::select(vec![600u64, 601, UNBONDING, 1_199, 1_200, DISPUTE_TIMEOUT]),
            1 => prop::sample::select(vec![3_600u64, 7_200, 86_400, 90_000, DISPUTE_TIMEOUT]),
        ]
        .prop_map(|seconds| Action::Advance { seconds }),
    ]
}

// ---- the harness ------------------------------------------------------------------------------

/// What the test driver knows off chain: submitted jobs and its providers' secret commitments.
struct Driver {
    /// Addresses of `PROVIDERS`.
    providers: Vec<Addr>,
    /// Batch of every submitted job, by id.
    batches: HashMap<u64, u32>,
    /// (job, provider) → (output, salt) of a successful commitment.
    secrets: HashMap<(u64, usize), (Binary, Binary)>,
    /// Stakers that unbonded, most recent last.
    unbonders: Vec<usize>,
}

impl Driver {
    /// The job `sel` points at in the current state `o`: mostly an unfinished job (oldest
    /// first), sometimes a disputed one, the newest one, or one that does not exist.
    fn job_id(&self, o: &Observed, sel: usize) -> u64 {
        let n = o.jobs.len() as u64;
        let pick = |ids: Vec<u64>| (!ids.is_empty()).then(|| ids[sel % ids.len()]);
        let live = || {
            o.jobs
                .iter()
                .filter(|j| !j.status.is_final())
                .map(|j| j.id)
                .collect::<Vec<u64>>()
        };
        let disputed = || {
            o.jobs
                .iter()
                .filter(|j| j.status == JobStatus::Disputed)
                .map(|j| j.id)
                .collect()
        };
        match sel {
            0..=6 => live().first().copied().unwrap_or(n),
            7..=11 => pick(live()).unwrap_or(n),
            12 | 13 => pick(disputed()).unwrap_or(n),
            14 => n,
            _ => n + 1,
        }
    }

    /// Index of the provider acting as `who` in `job`: an outsider is `PROVIDERS[who]`; an
    /// insider is a slot holder, preferring those that still have to `commit` (or to reveal).
    fn actor(&self, o: &Observed, job: u64, who: usize, outsider: bool, commit: bool) -> usize {
        let slots = match o.jobs.iter().find(|j| j.id == job) {
            Some(j) if !outsider && !j.slots.is_empty() => &j.slots,
            _ => return who,
        };
        let pending: Vec<_> = slots
            .iter()
            .filter(|s| {
                if commit {
                    s.commitment.is_none()
                } else {
                    s.commitment.is_some() && s.output.is_none()
                }
            })
            .collect();
        let holder = if pending.is_empty() {
            &slots[who % slots.len()].provider
        } else {
            &pending[who % pending.len()].provider
        };
        self.providers.iter().position(|p| p == holder).unwrap()
    }

    fn output(&self, job: u64, lie: u32) -> Binary {
        let batch = self.batches.get(&job).copied().unwrap_or(1);
        let labels: Vec<u32> = (0..batch)
            .map(|i| ((job as u32) * 7 + i * 3 + lie) % 10)
            .collect();
        labels_output(&labels)
    }
}

fn build() -> Suite {
    let mut builder = SuiteBuilder::new()
        .with_unbonding_period(cw_utils::Duration::Time(UNBONDING))
        .with_market_params(|m| {
            m.models = vec![digits_model()];
            m.params.miss_cooldown = 600;
            // Small enough that settlements flush by themselves now and then, too.
            m.params.fee_flush_threshold = Uint128::new(5_000);
        });
    for b in BUYERS {
        builder = builder.with_funds(b, 50_000 * TOKEN);
    }
    for h in HOLDERS {
        builder = builder.with_funds(h, 20_000 * TOKEN);
    }
    for p in PROVIDERS {
        builder = builder.with_funds(p, 5_000 * TOKEN);
    }
    let mut suite = builder.build();
    for p in PROVIDERS {
        suite.bond(p, START_STAKE).unwrap();
        suite.register_provider(p, &[DIGITS]).unwrap();
    }
    suite
}

fn apply(
    suite: &mut Suite,
    driver: &mut Driver,
    o: &Observed,
    action: &Action,
) -> anyhow::Result<()> {
    let market = suite.market();
    match action {
        Action::Bond { who, tokens } => suite.bond(STAKERS[*who], *tokens).map(drop),
        Action::Unbond { who, tokens } => {
            suite.unbond(STAKERS[*who], *tokens)?;
            driver.unbonders.push(*who);
            Ok(())
        }
        Action::ClaimUnbonded { who } => {
            // mostly someone who unbonded
            let n = driver.unbonders.len();
            let who = if n > 0 && *who < 6 {
                driver.unbonders[n - 1 - who % n]
            } else {
                *who
            };
            suite.claim(STAKERS[who]).map(drop)
        }
        Action::FundRewards { who, amount } => suite.fund_rewards(STAKERS[*who], *amount).map(drop),
        Action::ClaimRewards { who } => suite.claim_rewards(STAKERS[*who]).map(drop),
        Action::Submit {
            buyer,
            batch,
            redundancy,
            pay,
            deadline,
            capped,
        } => {
            let buyer = BUYERS[*buyer];
            let quote = suite
                .try_query::<_, market::QuoteResponse>(
                    &market,
                    &market::QueryMsg::Quote {
                        model_id: DIGITS.into(),
                        batch: *batch,
                        redundancy: *redundancy,
                        buyer: Some(suite.addr(buyer).to_string()),
                        input: None,
                    },
                )
                .map(|q| q.price.u128())
                .unwrap_or(1_000);
            let amount = match pay {
                Pay::Exact => quote,
                Pay::Excess(extra) => quote + *extra as u128,
                Pay::Short => quote.saturating_sub(1),
                Pay::Zero => 0,
            };
            let hook = ReceiveMsg::SubmitJob {
                model_id: DIGITS.into(),
                input: digits_input(*batch),
                batch: *batch,
                redundancy: *redundancy,
                max_unit_price: Uint128::new(if *capped { 1 } else { u128::MAX }),
                deadline: suite.block().time.plus_seconds(*deadline),
                audit_commitment: audit_commitment_for(&suite.addr(buyer), *redundancy),
                callback: None,
            };
            let who = suite.addr(buyer);
            let res = suite.send_tokens(&who, &market, amount, &hook)?;
            let id = job_id_from(&res)?;
            assert_eq!(
                id,
                driver.batches.len() as u64 + 1,
                "job ids are sequential"
            );
            driver.batches.insert(id, *batch);
            Ok(())
        }
        Action::Audit { job } => {
            let id = driver.job_id(o, *job);
            let buyer = o
                .jobs
                .iter()
                .find(|j| j.id == id)
                .map_or_else(|| suite.addr(BUYERS[0]), |j| j.buyer.clone());
            let secret = audit_secret(&buyer);
            suite
                .execute(
                    &buyer,
                    &market,
                    &market::ExecuteMsg::RevealAuditSecret { job_id: id, secret },
                )
                .map(drop)
        }
        Action::Refresh { who } => suite.refresh_provider("keeper", PROVIDERS[*who]).map(drop),
        Action::Commit {
            who,
            outsider,
            job,
            lie,
        } => {
            let id = driver.job_id(o, *job);
            let provider = &driver.actor(o, id, *who, *outsider, true);
            let output = driver.output(id, *lie);
            let salt = Binary::from(vec![(id as u8) ^ (*provider as u8 + 1); 16 + *provider]);
            suite.commit_result(PROVIDERS[*provider], id, &output, &salt)?;
            driver.secrets.insert((id, *provider), (output, salt));
            Ok(())
        }
        Action::Reveal {
            who,
            outsider,
            job,
            tamper,
        } => {
            let id = driver.job_id(o, *job);
            let provider = &driver.actor(o, id, *who, *outsider, false);
            let (output, mut secret) = driver
                .secrets
                .get(&(id, *provider))
                .cloned()
                .unwrap_or_else(|| (driver.output(id, 0), salt(9)));
            if *tamper {
                let mut bytes = secret.to_vec();
                bytes[0] ^= 0xff;
                secret = Binary::from(bytes);
            }
            suite
                .reveal_result(PROVIDERS[*provider], id, &output, &secret)
                .map(drop)
        }
        Action::Progress { who, job, lie } => {
            let next = match o.jobs.iter().find(|j| j.id == driver.job_id(o, *job)) {
                Some(j) if !j.status.is_final() => {
                    let now = suite.block().time;
                    let reveal_deadline = j
                        .reveal_deadline
                        .unwrap_or_else(|| j.commit_deadline.plus_seconds(REVEAL_WINDOW));
                    let committing = j.status == JobStatus::Open && now < j.commit_deadline;
                    let waiting = |commit: bool| {
                        j.slots.iter().any(|s| {
                            if commit {
                                s.commitment.is_none()
                            } else {
                                s.commitment.is_some() && s.output.is_none()
                            }
                        })
                    };
                    if committing {
                        Action::Commit {
                            who: *who,
                            outsider: false,
                            job: *job,
                            lie: *lie,
                        }
                    } else if now < reveal_deadline && waiting(false) {
                        Action::Reveal {
                            who: *who,
                            outsider: false,
                            job: *job,
                            tamper: false,
                        }
                    } else {
                        Action::Settle { job: *job }
                    }
                }
                _ => Action::Settle { job: *job },
            };
            apply(suite, driver, o, &next)
        }
        Action::Settle { job } => suite.settle("keeper", driver.job_id(o, *job)).map(drop),
        Action::Expire { job } => suite.expire("keeper", driver.job_id(o, *job)).map(drop),
        Action::Resolve { job, accept } => {
            // mostly a disputed job
            let job = &(*job).max(12);
            let resolution = match accept {
                Some(p) => DisputeResolution::AcceptOutputOf {
                    provider: suite.addr(PROVIDERS[*p]).to_string(),
                },
                None => DisputeResolution::Void {},
            };
            let owner = suite.owner.clone();
            suite
                .execute(
                    &owner,
                    &market,
                    &market::ExecuteMsg::ResolveDispute {
                        job_id: driver.job_id(o, *job),
                        resolution,
                    },
                )
                .map(drop)
        }
        // the wait, if any, is a step of its own (see `run`)
        Action::CloseDispute { job, .. } => {
            let id = driver.job_id(o, *job);
            suite
                .execute(
                    &suite.addr("keeper"),
                    &market,
                    &market::ExecuteMsg::CloseDispute { job_id: id },
                )
                .map(drop)
        }
        Action::Distribute => suite.distribute("keeper").map(drop),
        Action::FlushFees => suite.flush_fees("keeper").map(drop),
        Action::Toggle { provider } => {
            let addr = &driver.providers[*provider];
            let active = o.providers.iter().any(|(a, p)| a == addr && p.active);
            if active {
                suite
                    .execute(addr, &market, &market::ExecuteMsg::Deregister {})
                    .map(drop)
            } else {
                suite
                    .register_provider(PROVIDERS[*provider], &[DIGITS])
                    .map(drop)
            }
        }
        Action::Advance { seconds } => {
            suite.advance_time(*seconds);
            Ok(())
        }
    }
}

// ---- observation and invariants ----------------------------------------------------------------

/// Everything the invariants read; a failed action must leave it identical.
///
/// The token's and the market's state are read straight from contract storage (a smart query
/// costs ~0.15 ms in the dev profile, mostly bech32 address checks; reading storage is ~10×
/// cheaper), staking's and the treasury's through their queries.
#[derive(Debug, Clone, PartialEq)]
struct Observed {
    supply: u128,
    /// Every token balance, by address.
    balances: Vec<(Addr, u128)>,
    market: acn_market::state::Totals,
    jobs: Vec<JobResponse>,
    providers: Vec<(Addr, acn_market::state::Provider)>,
    eligible_providers: u64,
    /// Total weight of the digits model's selection tree.
    selection_total: Uint128,
    staking: staking::TotalsResponse,
    treasury: treasury::TotalsResponse,
}

fn observe(suite: &Suite) -> Observed {
    use acn_market::state::{jobs, with_input, ELIGIBLE_PROVIDERS, PROVIDERS, TOTALS};
    use cosmwasm_std::Order;

    let token = suite.app.contract_storage(&suite.token);
    let supply = cw20_base::state::TOKEN_INFO
        .load(token.as_ref())
        .unwrap()
        .total_supply
        .u128();
    let balances = cw20_base::state::BALANCES
        .range(token.as_ref(), None, None, Order::Ascending)
        .map(|r| r.map(|(a, b)| (a, b.u128())))
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    let market = suite.app.contract_storage(&suite.market());
    let store = market.as_ref();
    Observed {
        supply,
        balances,
        market: TOTALS.load(store).unwrap(),
        jobs: jobs()
            .range(store, None, None, Order::Ascending)
            .map(|r| r.and_then(|(_, j)| with_input(store, j)))
            .collect::<Result<Vec<_>, _>>()
            .unwrap(),
        providers: PROVIDERS
            .range(store, None, None, Order::Ascending)
            .collect::<Result<Vec<_>, _>>()
            .unwrap(),
        eligible_providers: ELIGIBLE_PROVIDERS.load(store).unwrap(),
        selection_total: acn_market::selection::total_weight(store, DIGITS).unwrap(),
        staking: suite.staking_totals(),
        treasury: suite.treasury_totals(),
    }
}

fn check(suite: &Suite, known: &[Addr], o: &Observed, step: usize) {
    let ctx = format!("after step {step}");
    let balance = |a: &Addr| {
        o.balances
            .iter()
            .find(|(b, _)| b == a)
            .map_or(0, |(_, amount)| *amount)
    };

    // (a) supply: nothing minted; everything missing from genesis was burned by the treasury
    // (slashes go to the treasury in this suite).
    assert_eq!(
        o.supply + o.treasury.burned.u128(),
        suite.genesis_supply,
        "{ctx}: supply + burned == genesis"
    );
    let held: u128 = o.balances.iter().map(|(_, b)| b).sum();
    assert_eq!(held, o.supply, "{ctx}: balances add up to the supply");
    for (a, b) in &o.balances {
        assert!(
            *b == 0 || known.contains(a),
            "{ctx}: {b} tokens went to an unknown address {a}"
        );
    }

    // (b) escrow: the market holds exactly the escrow of its unfinished and disputed jobs.
    let t = &o.market;
    let mut open_escrow = 0u128;
    let (mut settled, mut disputed, mut expired) = (0u64, 0u64, 0u64);
    // unfinished slots per provider, and the stake they lock
    let mut active_jobs: HashMap<Addr, u32> = HashMap::new();
    let mut locked: HashMap<Addr, u128> = HashMap::new();
    for j in &o.jobs {
        assert!(
            j.slots.len() <= j.redundancy as usize,
            "{ctx}: slots of job {}",
            j.id
        );
        let paid: u128 = j.slots.iter().map(|s| s.paid.u128()).sum();
        match j.status {
            JobStatus::Open | JobStatus::Revealing => {
                assert_eq!(j.escrow, j.price, "{ctx}: escrow of open job {}", j.id);
                assert_eq!(
                    paid + j.fee.u128() + j.refunded.u128(),
                    0,
                    "{ctx}: job {}",
                    j.id
                );
                open_escrow += j.escrow.u128();
                for s in &j.slots {
                    *active_jobs.entry(s.provider.clone()).or_default() += 1;
                    *locked.entry(s.provider.clone()).or_default() += s.at_risk.u128();
                }
            }
            JobStatus::Disputed => {
                // the escrow waits for the resolution; the revealers' stake stays at risk
                disputed += 1;
                assert_eq!(j.escrow, j.price, "{ctx}: escrow of disputed job {}", j.id);
                assert_eq!(
                    paid + j.fee.u128() + j.refunded.u128(),
                    0,
                    "{ctx}: job {}",
                    j.id
                );
                assert!(j.disputed_at.is_some(), "{ctx}: job {}", j.id);
                open_escrow += j.escrow.u128();
                for s in j.slots.iter().filter(|s| s.output.is_some()) {
                    *active_jobs.entry(s.provider.clone()).or_default() += 1;
                    *locked.entry(s.provider.clone()).or_default() += s.at_risk.u128();
                }
            }
            JobStatus::Resolved => {
                // accepted (paid + fee) or closed after the timeout (paid + fee), or void (refund)
                disputed += 1;
                assert!(j.escrow.is_zero(), "{ctx}: escrow of final job {}", j.id);
                assert_eq!(
                    paid + j.fee.u128() + j.refunded.u128(),
                    j.price.u128(),
                    "{ctx}: split of resolved job {}",
                    j.id
                );
                assert!(
                    j.refunded.is_zero() || j.refunded == j.price,
                    "{ctx}: job {}",
                    j.id
                );
            }
            JobStatus::Settled => {
                settled += 1;
                assert!(j.escrow.is_zero(), "{ctx}: escrow of final job {}", j.id);
                assert_eq!(
                    paid + j.fee.u128(),
                    j.price.u128(),
                    "{ctx}: split of job {}",
                    j.id
                );
                assert!(
                    j.refunded.is_zero() && j.result.is_some(),
                    "{ctx}: job {}",
                    j.id
                );
            }
            JobStatus::Expired => {
                expired += 1;
                assert!(j.escrow.is_zero(), "{ctx}: escrow of final job {}", j.id);
                assert_eq!(j.refunded, j.price, "{ctx}: refund of job {}", j.id);
                assert_eq!(paid + j.fee.u128(), 0, "{ctx}: job {}", j.id);
            }
        }
    }
    assert_eq!(
        t.jobs_submitted,
        o.jobs.len() as u64,
        "{ctx}: jobs submitted"
    );
    assert_eq!(
        (t.jobs_settled, t.jobs_disputed, t.jobs_expired),
        (settled, disputed, expired),
        "{ctx}: final job counts"
    );
    assert_eq!(
        t.escrow.u128(),
        open_escrow,
        "{ctx}: totals.escrow == Σ open escrow"
    );
    assert_eq!(
        balance(&suite.market()),
        open_escrow + t.fees_pending.u128(),
        "{ctx}: market balance == Σ open escrow + fees not yet flushed"
    );
    assert!(t.fees_pending <= t.fees, "{ctx}: pending fees ≤ fees");
    assert_eq!(
        t.volume,
        t.paid_to_providers + t.fees + t.refunded + t.escrow,
        "{ctx}: volume == paid + fees + refunded + escrow"
    );
    let mut rep_slashed = 0u128;
    for (addr, p) in &o.providers {
        assert_eq!(
            p.active_jobs,
            active_jobs.get(addr).copied().unwrap_or(0),
            "{ctx}: active jobs of {addr}"
        );
        assert_eq!(
            p.locked.u128(),
            locked.get(addr).copied().unwrap_or(0),
            "{ctx}: stake locked by {addr} == Σ at risk of its unfinished slots"
        );
        rep_slashed += p.reputation.slashed.u128();
    }
    assert_eq!(rep_slashed, t.slashed.u128(), "{ctx}: Σ reputation.slashed");
    // the selection tree holds exactly the weights of the active providers, and the price
    // rule's capacity counts exactly the providers with a non-zero weight
    for (addr, p) in &o.providers {
        assert!(
            p.active || p.weight.is_zero(),
            "{ctx}: inactive {addr} weighs"
        );
        assert!(
            p.weight.is_zero() || p.weight.u128() >= 1_000 * TOKEN,
            "{ctx}: {addr} weighs less than the minimum stake"
        );
    }
    assert_eq!(
        o.selection_total,
        o.providers.iter().map(|(_, p)| p.weight).sum::<Uint128>(),
        "{ctx}: selection tree total"
    );
    assert_eq!(
        o.eligible_providers,
        o.providers
            .iter()
            .filter(|(_, p)| !p.weight.is_zero())
            .count() as u64,
        "{ctx}: eligible provider count"
    );
    // every job has all its slots, held by distinct providers other than its buyer
    for j in &o.jobs {
        assert_eq!(
            j.slots.len(),
            j.redundancy as usize,
            "{ctx}: slots of job {}",
            j.id
        );
        for (i, s) in j.slots.iter().enumerate() {
            assert!(s.provider != j.buyer, "{ctx}: buyer serves job {}", j.id);
            assert!(
                j.slots[..i].iter().all(|t| t.provider != s.provider),
                "{ctx}: a provider holds two slots of job {}",
                j.id
            );
        }
    }

    // (c) staking holds every stake and every unpaid reward.
    let s = &o.staking;
    assert!(
        balance(&suite.staking) + s.rewards_claimed.u128()
            >= s.bonded.u128() + s.unbonding.u128() + s.rewards_funded.u128(),
        "{ctx}: staking balance {} < bonded + unbonding + unpaid rewards: {s:?}",
        balance(&suite.staking)
    );
    // only the market slashes here, and it records exactly what staking took
    assert_eq!(
        s.slashed, t.slashed,
        "{ctx}: staking.slashed == market.slashed"
    );

    // (d) treasury: every deposit is accounted for and covered.
    let tr = &o.treasury;
    assert_eq!(
        tr.deposited,
        tr.burned + tr.to_stakers + tr.kept + tr.executor_paid + tr.pending,
        "{ctx}: treasury deposits: {tr:?}"
    );
    assert_eq!(
        tr.deposited,
        t.fees - t.fees_pending + s.slashed,
        "{ctx}: treasury deposits == market fees flushed + slashes"
    );
    let locked = tr.vesting_created - tr.vested_claimed;
    assert!(
        balance(&suite.treasury) >= (tr.pending + locked).u128(),
        "{ctx}: treasury balance covers pending + vesting"
    );
}

/// The cheap storage reads agree with what the contracts answer to queries.
fn check_queries(suite: &Suite, o: &Observed) {
    let totals = suite.market_totals();
    assert_eq!(
        (
            totals.escrow,
            totals.fees,
            totals.fees_pending,
            totals.slashed,
            totals.jobs_submitted
        ),
        (
            o.market.escrow,
            o.market.fees,
            o.market.fees_pending,
            o.market.slashed,
            o.market.jobs_submitted
        )
    );
    for j in &o.jobs {
        assert_eq!(&suite.job(j.id), j);
    }
    for a in [&suite.market(), &suite.staking, &suite.treasury] {
        let stored = o
            .balances
            .iter()
            .find(|(b, _)| b == a)
            .map_or(0, |(_, n)| *n);
        assert_eq!(suite.balance(a.clone()), stored);
    }
    assert_eq!(suite.total_supply(), o.supply);
    // per-staker stakes add up to the staking totals
    let stakers = suite.all_stakers();
    let bonded: u128 = stakers.iter().map(|x| x.bonded.u128()).sum();
    let unbonding: u128 = stakers.iter().map(|x| x.unbonding.u128()).sum();
    assert_eq!(
        (bonded, unbonding),
        (o.staking.bonded.u128(), o.staking.unbonding.u128())
    );
    let b = suite.treasury_balances();
    assert_eq!(b.pending, o.treasury.pending);
    assert_eq!(
        b.vesting_locked,
        o.treasury.vesting_created - o.treasury.vested_claimed
    );
}

fn run(actions: &[Action]) {
    let mut suite = build();
    let mut driver = Driver {
        providers: PROVIDERS.iter().map(|p| suite.addr(p)).collect(),
        batches: HashMap::new(),
        secrets: HashMap::new(),
        unbonders: vec![],
    };
    let mut known = vec![
        suite.market(),
        suite.staking.clone(),
        suite.treasury.clone(),
        suite.owner.clone(),
        suite.addr("keeper"),
    ];
    known.extend(STAKERS.iter().map(|n| suite.addr(n)));
    // one job is waiting when the case starts
    let first = Action::Submit {
        buyer: 0,
        batch: 2,
        redundancy: 2,
        pay: Pay::Exact,
        deadline: 3_600,
        capped: false,
    };
    let start = observe(&suite);
    apply(&mut suite, &mut driver, &start, &first).unwrap();
    let mut before = observe(&suite);
    check(&suite, &known, &before, 0);
    for (i, action) in actions.iter().enumerate() {
        if let Action::CloseDispute { wait: true, .. } = action {
            // time passes first, as its own step; then the close is tried
            suite.advance_time(DISPUTE_TIMEOUT);
            before = observe(&suite);
            check(&suite, &known, &before, i + 1);
        }
        let res = apply(&mut suite, &mut driver, &before, action);
        stats::action(action, res.is_ok());
        let after = observe(&suite);
        check(&suite, &known, &after, i + 1);
        if let Err(err) = res {
            assert_eq!(
                after,
                before,
                "failed step {} ({action:?}: {err}) changed state",
                i + 1
            );
        }
        before = after;
    }
    check_queries(&suite, &before);
    stats::case(&before);
}

/// Coverage counts, printed after the last case when `ACN_PROPTEST_STATS` is set (run with
/// `--nocapture`): how often each action succeeded or failed, and how the jobs ended.
mod stats {
    use std::collections::BTreeMap;
    use std::sync::Mutex;

    use super::{cases, Action, Observed};

    static COUNTS: Mutex<BTreeMap<String, u64>> = Mutex::new(BTreeMap::new());

    fn enabled() -> bool {
        std::env::var_os("ACN_PROPTEST_STATS").is_some()
    }

    fn bump(key: String) {
        *COUNTS.lock().unwrap().entry(key).or_default() += 1;
    }

    pub fn action(action: &Action, ok: bool) {
        if enabled() {
            let debug = format!("{action:?}");
            let name = debug.split([' ', '{']).next().unwrap_or_default();
            bump(format!(
                "action {name} {}",
                if ok { "ok" } else { "failed" }
            ));
        }
    }

    pub fn case(end: &Observed) {
        if !enabled() {
            return;
        }
        for j in &end.jobs {
            bump(format!("job {:?}", j.status));
        }
        if !end.market.slashed.is_zero() {
            bump("cases with a slash".into());
        }
        if !end.treasury.burned.is_zero() {
            bump("cases with a burn".into());
        }
        bump("cases".into());
        let counts = COUNTS.lock().unwrap();
        if counts["cases"] == cases() as u64 {
            for (key, n) in counts.iter() {
                eprintln!("{key}: {n}");
            }
        }
    }
}

fn cases() -> u32 {
    std::env::var("ACN_PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000)
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: cases(),
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(
            "tests/proptest-regressions/invariants.txt",
        ))),
        ..ProptestConfig::default()
    })]

    #[test]
    fn accounting_invariants_hold_under_random_actions(
        actions in prop::collection::vec(action(), 20..60)
    ) {
        run(&actions);
    }
}

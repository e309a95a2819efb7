//! Slot assignment (issue 12, items 5 and 16): slots are drawn at submission, stake-weighted
//! among eligible providers, so no provider can grab a slot; an attacker with a fraction f of
//! the eligible stake fills every slot of a job with probability ≈ f^r (at most f^r); the draw
//! never picks an ineligible provider; too few eligible providers refuse the submission and
//! move nothing; capacity counts only providers with the minimum stake.

use acn_interface::market::{self, ExecuteMsg, JobStatus, SlotOutcome};
use acn_market::ContractError;
use acn_testing::*;
use cosmwasm_std::{Addr, Binary, Uint128};

const DIGITS: &str = "digits-mlp-v1";
const REGRESSOR: &str = "regressor-v1";

/// Exact probability that successive stake-weighted sampling without replacement of `r`
/// providers picks only the attacker's, when the attacker holds `sybils` accounts of `a` each
/// and the honest providers hold `honest` in total: Π_k (A − k·a) / (T − k·a).
fn p_all_slots(sybils: u32, a: u128, honest: u128, r: u32) -> f64 {
    let big_a = sybils as u128 * a;
    let t = big_a + honest;
    (0..r as u128)
        .map(|k| (big_a.saturating_sub(k * a)) as f64 / (t - k * a) as f64)
        .product()
}

fn market_error(err: anyhow::Error) -> ContractError {
    err.downcast::<ContractError>()
        .expect("a market contract error")
}

/// Balances, stakes, jobs and providers that a refused submission must leave untouched.
#[derive(Debug, PartialEq)]
struct Snapshot {
    balances: Vec<u128>,
    stakes: Vec<(u128, u128)>,
    providers: Vec<market::ProviderResponse>,
    totals: market::TotalsResponse,
    selection: market::SelectionResponse,
}

fn snapshot(suite: &Suite, names: &[&str]) -> Snapshot {
    let mut balances: Vec<u128> = names.iter().map(|n| suite.balance_of(n)).collect();
    balances.push(suite.balance(suite.market()));
    balances.push(suite.balance(suite.staking.clone()));
    let providers: market::ProvidersResponse = suite.query(
        &suite.market(),
        &market::QueryMsg::Providers {
            start_after: None,
            limit: Some(100),
        },
    );
    Snapshot {
        balances,
        stakes: names
            .iter()
            .map(|n| {
                let s = suite.stake(n);
                (s.bonded.u128(), s.unbonding.u128())
            })
            .collect(),
        providers: providers.providers,
        totals: suite.market_totals(),
        selection: suite.selection(DIGITS),
    }
}

/// A market of 8 honest providers with 2 000 tokens each, an attacker holding `sybils`
/// accounts of `sybil_stake` each, a 100-token minimum stake, and no cap on a provider's jobs
/// (the draws below never finish their jobs).
fn sybil_market(sybils: u32, sybil_stake: u128) -> (Suite, Vec<Addr>) {
    let mut suite = SuiteBuilder::new()
        .with_market_params(|m| {
            m.models = vec![digits_model()];
            m.params.min_provider_stake = Uint128::new(100 * TOKEN);
            m.params.max_active_jobs_per_provider = u32::MAX;
            // These jobs stay open: a slot locks one base unit, so the exposure cap (tested in
            // settlement_attacks.rs) never binds and the draw's distribution is measured alone.
            m.params.min_slot_stake = Uint128::one();
            m.params.slot_stake_multiple = 0;
        })
        .with_funds("buyer", 10_000 * TOKEN)
        .build();
    for i in 0..8 {
        suite
            .make_provider(&format!("honest{i}"), 2_000 * TOKEN, &[DIGITS])
            .unwrap();
    }
    let mut attacker = vec![];
    for i in 0..sybils {
        let name = format!("sybil{i}");
        suite.make_provider(&name, sybil_stake, &[DIGITS]).unwrap();
        attacker.push(suite.addr(&name));
    }
    (suite, attacker)
}

/// Submit `jobs` jobs of redundancy `r` and count those whose every slot went to `attacker`.
fn count_captured(suite: &mut Suite, attacker: &[Addr], r: u8, jobs: u32) -> u32 {
    let mut captured = 0;
    for _ in 0..jobs {
        let id = suite.submit_digits("buyer", 1, r).unwrap();
        let slots = suite.assigned(id);
        assert_eq!(slots.len(), r as usize);
        if slots.iter().all(|a| attacker.contains(a)) {
            captured += 1;
        }
    }
    captured
}

/// The empirical share must be within 4 standard deviations (plus one count) of `p`.
#[track_caller]
fn assert_share(captured: u32, jobs: u32, p: f64, what: &str) {
    let share = captured as f64 / jobs as f64;
    let sigma = (p * (1.0 - p) / jobs as f64).sqrt();
    assert!(
        (share - p).abs() <= 4.0 * sigma + 1.0 / jobs as f64,
        "{what}: {captured}/{jobs} = {share:.4}, expected {p:.4} ± {:.4}",
        4.0 * sigma
    );
}

#[test]
fn an_attacker_with_a_fraction_f_of_the_stake_fills_every_slot_with_probability_f_to_the_r() {
    const JOBS: u32 = 2_000;
    // The attacker splits its stake into 100-token Sybils (the minimum): its best split, which
    // brings the chance of filling all slots closest to f^r from below.
    let honest = 16_000 * TOKEN;
    for (f, sybils) in [(0.2f64, 40u32), (0.5, 160)] {
        let (mut suite, attacker) = sybil_market(sybils, 100 * TOKEN);
        assert_eq!(
            suite.selection(DIGITS).total_weight.u128(),
            honest + sybils as u128 * 100 * TOKEN
        );
        for r in [2u8, 3] {
            let exact = p_all_slots(sybils, 100 * TOKEN, honest, r as u32);
            let f_r = f.powi(r as i32);
            // without replacement the chance is at most f^r, and with fine Sybils close to it
            assert!(exact <= f_r && exact >= 0.9 * f_r, "f={f} r={r}: {exact}");
            let captured = count_captured(&mut suite, &attacker, r, JOBS);
            assert_share(captured, JOBS, exact, &format!("f={f} r={r}"));
            println!(
                "f = {f}, r = {r}: attacker filled every slot of {captured} of {JOBS} jobs \
                 ({:.4}; exact {exact:.4}; f^r = {f_r:.4})",
                captured as f64 / JOBS as f64
            );
        }
    }
}

#[test]
fn two_sybils_can_no_longer_take_a_redundancy_three_job_by_claiming_first() {
    // The review's attack: two Sybil nodes grab two of three slots and outvote the honest one.
    // Now the draw decides: with 8 honest providers and 2 Sybils of 2 000 tokens each (f = 0.2),
    // both Sybils are drawn into a job with probability C(8,1)/C(10,3) = 8/120 = 1/15.
    const JOBS: u32 = 1_200;
    let (mut suite, attacker) = sybil_market(2, 2_000 * TOKEN);
    let mut both = 0;
    let mut first_without: Option<u64> = None;
    for _ in 0..JOBS {
        let id = suite.submit_digits("buyer", 1, 3).unwrap();
        let held = suite
            .assigned(id)
            .iter()
            .filter(|a| attacker.contains(a))
            .count();
        if held == 2 {
            both += 1;
        } else if held == 0 && first_without.is_none() {
            first_without = Some(id);
        }
    }
    assert_share(both, JOBS, 8.0 / 120.0, "both Sybils in a redundancy-3 job");
    println!("both Sybils drawn into {both} of {JOBS} redundancy-3 jobs (exact 1/15)");

    // Taking a slot it was not drawn for is refused: there is no claim any more, and a commit
    // from a Sybil outside the job fails with `NotAssigned`, moving nothing.
    let id = first_without.expect("a job without Sybils");
    let names = ["buyer", "sybil0", "sybil1", "honest0"];
    let before = snapshot(&suite, &names);
    let job_before = suite.job(id);
    for sybil in ["sybil0", "sybil1"] {
        let err = suite
            .commit_result(sybil, id, &labels_output(&[9]), &salt(7))
            .unwrap_err();
        assert_eq!(market_error(err), ContractError::NotAssigned { id });
    }
    assert_eq!(snapshot(&suite, &names), before);
    assert_eq!(suite.job(id), job_before);
}

#[test]
fn the_draw_never_picks_an_ineligible_provider() {
    let mut suite = SuiteBuilder::new()
        .with_market_params(|m| {
            m.models = vec![digits_model(), regression_model()];
            m.params.max_active_jobs_per_provider = u32::MAX;
            // These jobs stay open: a slot locks one base unit, so the exposure cap (tested in
            // settlement_attacks.rs) never binds and the draw's distribution is measured alone.
            m.params.min_slot_stake = Uint128::one();
            m.params.slot_stake_multiple = 0;
        })
        .with_funds("buyer", 1_000 * TOKEN)
        .build();
    // two eligible providers with the minimum stake, and big-stake providers that must never
    // serve: one unbonds (its tree weight is stale until a draw or a refresh meets it), one
    // deregisters, one serves another model, one asks more than the job pays, and the buyer
    // itself is a provider.
    let eligible = ["e1", "e2"];
    for p in eligible {
        suite.make_provider(p, 1_000 * TOKEN, &[DIGITS]).unwrap();
    }
    for p in ["unbonded", "leaver", "pricey"] {
        suite.make_provider(p, 50_000 * TOKEN, &[DIGITS]).unwrap();
    }
    suite
        .make_provider("other-model", 50_000 * TOKEN, &[REGRESSOR])
        .unwrap();
    suite.fund("buyer", 50_000 * TOKEN).unwrap();
    suite.bond("buyer", 50_000 * TOKEN).unwrap();
    suite.register_provider("buyer", &[DIGITS]).unwrap();
    suite.unbond("unbonded", 49_001 * TOKEN).unwrap();
    let (leaver, market) = (suite.addr("leaver"), suite.market());
    suite
        .execute(&leaver, &market, &ExecuteMsg::Deregister {})
        .unwrap();
    let pricey = suite.addr("pricey");
    suite
        .execute(
            &pricey,
            &market,
            &ExecuteMsg::UpdateProvider {
                hardware: None,
                models: None,
                min_unit_price: Some(Uint128::new(1_001)),
            },
        )
        .unwrap();
    // The unbonded provider still weighs 50 000 in the tree: of the 152 000 the tree holds
    // (the leaver weighs 0 and the other model's provider is in another tree), the eligible
    // two weigh 2 000.
    assert_eq!(suite.provider("unbonded").weight.u128(), 50_000 * TOKEN);
    assert_eq!(
        suite.selection(DIGITS).total_weight.u128(),
        (2_000 + 50_000 + 50_000 + 50_000) * TOKEN
    );
    for _ in 0..100 {
        let id = suite.submit_digits("buyer", 1, 2).unwrap();
        let mut names = suite.assigned_names(id, &["e1", "e2"]);
        names.sort();
        assert_eq!(names, eligible, "job {id}: {:?}", suite.assigned(id));
    }
    // the first draw that met the unbonded provider set its weight to 0 (999 < 1 000 bonded)
    assert!(suite.provider("unbonded").weight.is_zero());
    assert!(suite.provider("leaver").weight.is_zero());
    assert!(suite.provider("pricey").active_jobs == 0 && suite.provider("buyer").active_jobs == 0);
    // the slots of a redundancy-3 job cannot be filled by the two eligible providers
    let err = suite.submit_digits("buyer", 1, 3).unwrap_err();
    assert_eq!(
        market_error(err),
        ContractError::NotEnoughEligibleProviders {
            model_id: DIGITS.into(),
            needed: 3,
            found: 2,
        }
    );
}

#[test]
fn too_few_eligible_providers_refuse_the_submission_and_nothing_moves() {
    let mut suite = SuiteBuilder::new()
        .with_market_params(|m| m.models = vec![digits_model(), regression_model()])
        .with_funds("buyer", 1_000 * TOKEN)
        .build();
    for p in ["p1", "p2"] {
        suite.make_provider(p, PROVIDER_STAKE, &[DIGITS]).unwrap();
    }
    let names = ["buyer", "p1", "p2"];
    let before = snapshot(&suite, &names);
    // three slots, two providers
    let pay = suite.quote("buyer", DIGITS, 1, 3).price.u128();
    let deadline = suite.default_deadline();
    let err = suite
        .try_submit("buyer", DIGITS, digits_input(1), 1, 3, pay, deadline)
        .unwrap_err();
    assert_eq!(
        market_error(err),
        ContractError::NotEnoughEligibleProviders {
            model_id: DIGITS.into(),
            needed: 3,
            found: 2,
        }
    );
    // a model nobody serves
    let deadline = suite.default_deadline();
    let input = cosmwasm_std::Binary::from(vec![0u8; 32]);
    let err = suite
        .try_submit("buyer", REGRESSOR, input, 1, 1, 10 * TOKEN, deadline)
        .unwrap_err();
    assert_eq!(
        market_error(err),
        ContractError::NotEnoughEligibleProviders {
            model_id: REGRESSOR.into(),
            needed: 1,
            found: 0,
        }
    );
    assert_eq!(snapshot(&suite, &names), before);
    assert_eq!(suite.market_totals().jobs_submitted, 0);
}

#[test]
fn capacity_counts_only_providers_with_the_minimum_stake() {
    let mut suite = SuiteBuilder::new()
        .with_market_params(|m| {
            m.models = vec![digits_model()];
            m.params.max_active_jobs_per_provider = 100;
        })
        .with_funds("buyer", 1_000 * TOKEN)
        .build();
    for p in ["p1", "p2", "p3"] {
        suite.make_provider(p, PROVIDER_STAKE, &[DIGITS]).unwrap();
    }
    let capacity = |s: &Suite| -> u64 {
        let r: market::UnitPriceResponse = s.query(&s.market(), &market::QueryMsg::UnitPrice {});
        r.capacity_units
    };
    assert_eq!(capacity(&suite), 3_000);
    // p3 unbonds everything: until anyone refreshes it (or a draw meets it) its weight is stale
    suite.unbond("p3", PROVIDER_STAKE).unwrap();
    assert_eq!(suite.selection(DIGITS).eligible_providers, 3);
    suite.refresh_provider("anyone", "p3").unwrap();
    assert_eq!(suite.selection(DIGITS).eligible_providers, 2);
    assert_eq!(capacity(&suite), 2_000);
    assert!(suite.provider("p3").weight.is_zero());
    assert!(
        suite.provider("p3").active,
        "still registered, just not counted"
    );
    // The review's case, with demand counted as delivered work: a window in which 20 jobs of
    // 64 items × 2 agreeing slots settle, 2 560 units. Counting the unbonded provider, capacity
    // 3 000 would push the price down; counting only the staked two, capacity 2 000 pushes it up.
    suite.fund("buyer", 10_000 * TOKEN).unwrap();
    let out = labels_output(&[3; 64]);
    for _ in 0..20 {
        let id = suite.submit_digits("buyer", 64, 2).unwrap();
        let names = suite.assigned_names(id, &["p1", "p2", "p3"]);
        let work: Vec<(&str, Binary)> = names.iter().map(|n| (*n, out.clone())).collect();
        suite.run_job(id, &work).unwrap();
        assert_eq!(suite.job(id).status, JobStatus::Settled);
    }
    let r: market::UnitPriceResponse =
        suite.query(&suite.market(), &market::QueryMsg::UnitPrice {});
    assert_eq!(r.window_units, 20 * 128);
    suite.advance_time(600);
    // demand 2 560 vs capacity 2 000: gap 560 → +12.5 % × 560 / 2 000 = +3.5 % → 1 035
    // (with the unbonded provider counted, 2 560 < 3 000 would have pushed it down to 982)
    assert_eq!(suite.unit_price(), 1_035);
    // bonding back and refreshing counts p3 again
    suite.fund("p3", PROVIDER_STAKE).unwrap();
    suite.bond("p3", PROVIDER_STAKE).unwrap();
    suite.refresh_provider("p1", "p3").unwrap();
    assert_eq!(suite.selection(DIGITS).eligible_providers, 3);
    // refreshing an unknown provider is refused
    let address = suite.addr("nobody").to_string();
    let err = suite.refresh_provider("anyone", "nobody").unwrap_err();
    assert_eq!(
        market_error(err),
        ContractError::ProviderNotFound { address }
    );
}

#[test]
fn reputation_feeds_selection_by_rejection_sampling() {
    // Two providers: one with a clean record, one outvoted 3 times in 4 jobs (slashed 1, 2 and
    // 4 base units: one base unit at risk, doubled per repeat offence), about the same stake.
    // The second is accepted when drawn with probability
    // (agreed + 1) / (agreed + outvoted + missed + 1) = 2/5, and a rejected provider is left out
    // of the job, so it gets a redundancy-1 job with probability ≈ ½ × 2/5 = 0.2 (0.5 by stake
    // alone).
    let mut suite = SuiteBuilder::new()
        .with_market_params(|m| {
            m.models = vec![digits_model()];
            m.params.max_active_jobs_per_provider = u32::MAX;
            // These jobs stay open: a slot locks one base unit, so the exposure cap (tested in
            // settlement_attacks.rs) never binds and the draw's distribution is measured alone.
            m.params.min_slot_stake = Uint128::one();
            m.params.slot_stake_multiple = 0;
            // …and with so little at risk a redundancy-1 job needs every job audited to be
            // allowed at all (audit::max_unverified_pay); the audits are never revealed here.
            m.params.audit_bps = 10_000;
        })
        .with_funds("buyer", 1_000 * TOKEN)
        .build();
    for p in ["good", "bad", "third"] {
        suite.make_provider(p, PROVIDER_STAKE, &[DIGITS]).unwrap();
    }
    // build the record: 4 jobs of redundancy 3 where "bad" disagrees 3 times
    for k in 0..4 {
        let id = suite.submit_digits("buyer", 1, 3).unwrap();
        let bad_out = if k == 0 { 1 } else { 2 };
        suite
            .run_job(
                id,
                &[
                    ("good", labels_output(&[1])),
                    ("third", labels_output(&[1])),
                    ("bad", labels_output(&[bad_out])),
                ],
            )
            .unwrap();
        assert_eq!(suite.job(id).status, JobStatus::Settled);
    }
    let rep = suite.provider("bad").reputation;
    assert_eq!((rep.agreed, rep.outvoted, rep.missed), (1, 3, 0));
    // three offences jailed "bad" for a day: wait it out, only the record should count now
    let jailed_until = rep.jailed_until.expect("jailed at its third offence");
    let now = suite.block().time;
    suite.advance_time(jailed_until.seconds() - now.seconds());
    // take "third" out, so the draw is between "good" and "bad"
    let (third, market) = (suite.addr("third"), suite.market());
    suite
        .execute(&third, &market, &ExecuteMsg::Deregister {})
        .unwrap();
    const JOBS: u32 = 1_400;
    let mut bad = 0;
    for _ in 0..JOBS {
        let id = suite.submit_digits("buyer", 1, 1).unwrap();
        if suite.assigned_names(id, &["bad"]).len() == 1 {
            bad += 1;
        }
    }
    // the outvoted provider's weight is its stake: reputation never rewrote the tree
    let (good_w, bad_w) = (
        suite.provider("good").weight.u128(),
        suite.provider("bad").weight.u128(),
    );
    assert_eq!((good_w, bad_w), (PROVIDER_STAKE, PROVIDER_STAKE - 7));
    let by_stake = bad_w as f64 / (good_w + bad_w) as f64;
    assert_share(bad, JOBS, by_stake * 0.4, "outvoted provider's share");
    println!(
        "the outvoted provider served {bad} of {JOBS} jobs (exact {:.3}; {by_stake:.3} by stake)",
        by_stake * 0.4
    );
    assert_eq!(
        suite.slot_of(1, "bad").outcome,
        Some(SlotOutcome::Agreed),
        "the first job was agreed"
    );
}

// ---- gas: a submission's storage work does not grow with the number of providers ----------

mod storage_ops {
    use std::cell::Cell;

    use acn_interface::market::{InstantiateMsg, MarketParams, ReceiveMsg};
    use acn_interface::staking::Stake;
    use acn_market::contract::{execute, instantiate};
    use acn_testing::{digits_input, digits_model, hardware};
    use cosmwasm_std::testing::{message_info, mock_dependencies, mock_env, MockStorage};
    use cosmwasm_std::{
        to_json_binary, ContractResult, DepsMut, Order, QuerierWrapper, Record, Storage,
        SystemResult, Uint128, WasmQuery,
    };
    use cw20::Cw20ReceiveMsg;

    use super::{ExecuteMsg, DIGITS, TOKEN};

    /// Storage that counts reads and writes.
    #[derive(Default)]
    struct Counting {
        inner: MockStorage,
        reads: Cell<u32>,
        writes: u32,
    }

    impl Storage for Counting {
        fn get(&self, key: &[u8]) -> Option<Vec<u8>> {
            self.reads.set(self.reads.get() + 1);
            self.inner.get(key)
        }
        fn range<'a>(
            &'a self,
            start: Option<&[u8]>,
            end: Option<&[u8]>,
            order: Order,
        ) -> Box<dyn Iterator<Item = Record> + 'a> {
            self.inner.range(start, end, order)
        }
        fn set(&mut self, key: &[u8], value: &[u8]) {
            self.writes += 1;
            self.inner.set(key, value)
        }
        fn remove(&mut self, key: &[u8]) {
            self.writes += 1;
            self.inner.remove(key)
        }
    }

    /// (reads, writes, raw stake queries) of one redundancy-3 submission with `n` providers.
    fn submission_ops(n: usize) -> (u32, u32, u32) {
        let mut deps = mock_dependencies();
        let api = deps.api;
        let stake_queries = std::rc::Rc::new(Cell::new(0u32));
        let counter = stake_queries.clone();
        deps.querier.update_wasm(move |q| match q {
            WasmQuery::Raw { .. } => {
                counter.set(counter.get() + 1);
                let stake = Stake {
                    bonded: Uint128::new(2_000 * TOKEN),
                    ..Stake::default()
                };
                SystemResult::Ok(ContractResult::Ok(to_json_binary(&stake).unwrap()))
            }
            _ => panic!("unexpected query {q:?}"),
        });
        let mut storage = Counting::default();
        let owner = api.addr_make("owner");
        let token = api.addr_make("token");
        let env = mock_env();
        let params = MarketParams::default();
        {
            let deps = DepsMut {
                storage: &mut storage,
                api: &api,
                querier: QuerierWrapper::new(&deps.querier),
            };
            instantiate(
                deps,
                env.clone(),
                message_info(&owner, &[]),
                InstantiateMsg {
                    owner: None,
                    token: token.to_string(),
                    staking: api.addr_make("staking").to_string(),
                    treasury: api.addr_make("treasury").to_string(),
                    params,
                    initial_unit_price: Uint128::new(1_000),
                    stable: None,
                },
            )
            .unwrap();
        }
        let run = |storage: &mut Counting, sender: &cosmwasm_std::Addr, msg: ExecuteMsg| {
            let deps = DepsMut {
                storage,
                api: &api,
                querier: QuerierWrapper::new(&deps.querier),
            };
            execute(deps, env.clone(), message_info(sender, &[]), msg).unwrap();
        };
        run(
            &mut storage,
            &owner,
            ExecuteMsg::RegisterModel {
                model: digits_model(),
            },
        );
        for i in 0..n {
            let p = api.addr_make(&format!("provider{i}"));
            run(
                &mut storage,
                &p,
                ExecuteMsg::RegisterProvider {
                    hardware: hardware(),
                    models: vec![DIGITS.into()],
                    min_unit_price: Uint128::zero(),
                },
            );
        }
        storage.reads.set(0);
        storage.writes = 0;
        stake_queries.set(0);
        let submit = ExecuteMsg::Receive(Cw20ReceiveMsg {
            sender: api.addr_make("buyer").to_string(),
            amount: Uint128::new(3_000),
            msg: to_json_binary(&ReceiveMsg::SubmitJob {
                model_id: DIGITS.into(),
                input: digits_input(1),
                batch: 1,
                redundancy: 3,
                max_unit_price: Uint128::new(1_000),
                deadline: env.block.time.plus_seconds(3_600),
                audit_commitment: None,
                callback: None,
            })
            .unwrap(),
        });
        run(&mut storage, &token, submit);
        (storage.reads.get(), storage.writes, stake_queries.get())
    }

    #[test]
    fn a_submission_reads_and_writes_as_much_with_10_as_with_1_000_providers() {
        let small = submission_ops(10);
        let large = submission_ops(1_000);
        println!("redundancy-3 submission, (reads, writes, stake queries): 10 providers {small:?}, 1 000 providers {large:?}");
        // three draws of one 17-node descent each, whatever the number of providers
        assert_eq!(small, large);
        assert_eq!(
            small.2, 4,
            "the buyer's discount and one stake read per draw"
        );
    }
}

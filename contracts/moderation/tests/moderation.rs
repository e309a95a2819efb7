//! The moderation contract on the embedded chain, with the whole system deployed by the one
//! deployment routine (a stable-priced market): a text is classified by a job the contract
//! buys with a callback, and the contract acts on the label the market delivers.

use acn_interface::market::{self, DType, InputSpec, JobStatus, ModelSpec, OutputSpec};
use acn_interface::moderation::{
    ConfigResponse, ExecuteMsg, InstantiateMsg, QueryMsg, RequestResponse, RequestsResponse,
    Verdict,
};
use acn_moderation::contract;
use acn_moderation::ContractError;
use acn_testing::*;
use cosmwasm_std::{coins, Addr, Uint128};
use cw_multi_test::{AppResponse, ContractWrapper, Executor};

const TOXICITY: &str = "toxicity-v1";
const USER_USDC: u128 = 100 * TOKEN;
/// 1 item × 1 unit × 1 000 uusdc × 3 slots.
const PRICE: u128 = 3_000;

/// A text classifier spec: one text of at most 256 bytes in, "ok" or "toxic" out.
fn toxicity_model() -> ModelSpec {
    ModelSpec {
        id: TOXICITY.into(),
        name: "toxicity classifier".into(),
        architecture: "bert-tiny-cls-2".into(),
        weights_sha256: "ef".repeat(32),
        weights_uri: "file://models/toxicity-v1.bpk".into(),
        input: InputSpec {
            shape: vec![256, 64],
            dtype: DType::Utf8,
            max_batch: 8,
        },
        output: OutputSpec::ClassLabels {
            num_classes: 2,
            labels: vec!["ok".into(), "toxic".into()],
        },
        tolerance: 0,
        cost_units_per_item: 1,
        min_redundancy: 1,
    }
}

struct World {
    s: Suite,
    code: u64,
    moderation: Addr,
}

fn init_msg(s: &Suite) -> InstantiateMsg {
    InstantiateMsg {
        market: s.market().to_string(),
        model_id: TOXICITY.into(),
        flagged_labels: vec![1],
        redundancy: 3,
        callback_gas: 250_000,
        job_lifetime: 3_600,
    }
}

fn world() -> World {
    let mut s = SuiteBuilder::new()
        .with_owner_funds(10_000_000 * TOKEN)
        .with_market_params(|m| {
            m.models = vec![toxicity_model(), digits_model()];
            m.params.pricing.window = 86_400;
        })
        .with_stable("alice", USER_USDC)
        .with_stable("bob", USER_USDC)
        .with_stable_pool(500_000 * TOKEN, 25_000 * TOKEN, |_| {})
        .build();
    for p in ["p1", "p2", "p3"] {
        s.make_provider(p, PROVIDER_STAKE, &[TOXICITY]).unwrap();
    }
    s.advance_time(1_800);
    let code = s.app.store_code(Box::new(
        ContractWrapper::new(contract::execute, contract::instantiate, contract::query)
            .with_reply(contract::reply),
    ));
    let owner = s.owner.clone();
    let msg = init_msg(&s);
    let moderation = s
        .app
        .instantiate_contract(code, owner, &msg, &[], "moderation", None)
        .unwrap();
    World {
        s,
        code,
        moderation,
    }
}

fn err(e: anyhow::Error) -> ContractError {
    e.downcast().expect("a moderation error")
}

impl World {
    fn moderate(&mut self, who: &str, text: &str, pay: u128) -> anyhow::Result<AppResponse> {
        let sender = self.s.addr(who);
        self.s.app.execute_contract(
            sender,
            self.moderation.clone(),
            &ExecuteMsg::Moderate { text: text.into() },
            &coins(pay, STABLE),
        )
    }

    fn request(&self, job_id: u64) -> RequestResponse {
        self.s
            .query(&self.moderation, &QueryMsg::Request { job_id })
    }

    /// Every assigned provider commits and reveals `label`; the last reveal settles.
    fn classify(&mut self, job_id: u64, label: u32) -> AppResponse {
        let out = labels_output(&[label]);
        let names = self.s.assigned_names(job_id, &["p1", "p2", "p3"]);
        for (i, n) in names.iter().enumerate() {
            self.s
                .commit_result(n, job_id, &out, &salt(i as u8 + 1))
                .unwrap();
        }
        let mut last = None;
        for (i, n) in names.iter().enumerate() {
            last = Some(
                self.s
                    .reveal_result(n, job_id, &out, &salt(i as u8 + 1))
                    .unwrap(),
            );
        }
        last.unwrap()
    }
}

fn attr(res: &AppResponse, key: &str) -> Option<String> {
    res.events
        .iter()
        .flat_map(|e| e.attributes.iter())
        .find(|a| a.key == key)
        .map(|a| a.value.clone())
}

#[test]
fn a_text_is_classified_by_a_job_the_contract_buys_and_the_label_it_receives_is_acted_on() {
    let mut w = world();
    let alice = w.s.addr("alice");
    let cfg: ConfigResponse = w.s.query(&w.moderation, &QueryMsg::Config {});
    assert_eq!(cfg.labels, vec!["ok".to_string(), "toxic".to_string()]);
    assert_eq!(cfg.denom, STABLE);

    // Alice overpays: the quote is paid, the rest comes back in the same transaction.
    let res = w
        .moderate("alice", "you are all wonderful", 20_000)
        .unwrap();
    let job_id: u64 = attr(&res, "moderation_job_id").unwrap().parse().unwrap();
    assert_eq!(w.s.stable_balance(&alice), USER_USDC - PRICE);
    assert_eq!(w.s.stable_balance(&w.moderation), 0);
    let job = w.s.job(job_id);
    assert_eq!(job.buyer, w.moderation, "the contract is the buyer");
    assert_eq!(job.price.u128(), PRICE);
    assert_eq!(job.callback.as_ref().unwrap().gas_limit, 250_000);
    assert_eq!(
        job.input.as_slice(),
        market::encode_text_items(&["you are all wonderful"]).as_slice()
    );
    let pending = w.request(job_id);
    assert_eq!(
        (pending.requester.clone(), pending.verdict),
        (alice.clone(), Verdict::Pending)
    );

    // Bob's text is a second job.
    let res = w.moderate("bob", "a very rude text", PRICE).unwrap();
    let rude: u64 = attr(&res, "moderation_job_id").unwrap().parse().unwrap();
    assert_ne!(rude, job_id);

    let res = w.classify(job_id, 0);
    assert_eq!(attr(&res, "flagged").as_deref(), Some("false"));
    assert_eq!(
        w.request(job_id).verdict,
        Verdict::Decided {
            label: 0,
            name: "ok".into(),
            flagged: false
        }
    );
    let res = w.classify(rude, 1);
    assert_eq!(attr(&res, "flagged").as_deref(), Some("true"));
    assert_eq!(attr(&res, "label_name").as_deref(), Some("toxic"));
    assert_eq!(
        w.request(rude).verdict,
        Verdict::Decided {
            label: 1,
            name: "toxic".into(),
            flagged: true
        }
    );
    // The market recorded both deliveries; nothing failed.
    for id in [job_id, rude] {
        assert_eq!(
            w.s.job(id).callback.unwrap().status,
            market::CallbackStatus::Delivered
        );
    }
    assert_eq!(w.s.market_totals().callback_failures, 0);

    let page: RequestsResponse = w.s.query(
        &w.moderation,
        &QueryMsg::Requests {
            start_after: None,
            limit: None,
        },
    );
    assert_eq!(
        page.requests.iter().map(|r| r.job_id).collect::<Vec<_>>(),
        vec![job_id, rude]
    );
    let page: RequestsResponse = w.s.query(
        &w.moderation,
        &QueryMsg::Requests {
            start_after: Some(job_id),
            limit: Some(1),
        },
    );
    assert_eq!(page.requests.len(), 1);
    assert_eq!(page.requests[0].text, "a very rude text");
}

#[test]
fn a_job_that_expires_forwards_the_markets_refund_to_the_requester() {
    let mut w = world();
    let alice = w.s.addr("alice");
    let res = w
        .moderate("alice", "nobody will answer this", PRICE)
        .unwrap();
    let job_id: u64 = attr(&res, "moderation_job_id").unwrap().parse().unwrap();
    assert_eq!(w.s.stable_balance(&alice), USER_USDC - PRICE);
    w.s.advance_time(3_600);
    let res = w.s.expire("keeper", job_id).unwrap();
    assert_eq!(attr(&res, "refunded").as_deref(), Some("3000"));
    assert_eq!(
        w.request(job_id).verdict,
        Verdict::NoResult {
            status: JobStatus::Expired,
            refunded: Uint128::new(PRICE)
        }
    );
    assert_eq!(
        w.s.stable_balance(&alice),
        USER_USDC,
        "alice has it all back"
    );
    assert_eq!(w.s.stable_balance(&w.moderation), 0, "nothing stuck");
}

#[test]
fn only_the_market_delivers_results_and_only_once_for_a_job_this_contract_submitted() {
    let mut w = world();
    let res = w.moderate("alice", "hello", PRICE).unwrap();
    let job_id: u64 = attr(&res, "moderation_job_id").unwrap().parse().unwrap();
    let forged = ExecuteMsg::ReceiveResult(market::JobResult {
        job_id,
        status: JobStatus::Settled,
        output: Some(labels_output(&[1])),
    });
    let (mallory, market) = (w.s.addr("mallory"), w.s.market());
    let e =
        w.s.app
            .execute_contract(mallory.clone(), w.moderation.clone(), &forged, &[])
            .unwrap_err();
    assert_eq!(
        err(e),
        ContractError::NotTheMarket {
            market: market.to_string(),
            sender: mallory.to_string()
        }
    );
    assert_eq!(w.request(job_id).verdict, Verdict::Pending);

    // Even the market's address cannot file a job this contract never bought.
    let unknown = ExecuteMsg::ReceiveResult(market::JobResult {
        job_id: 999,
        status: JobStatus::Settled,
        output: Some(labels_output(&[1])),
    });
    let e =
        w.s.app
            .execute_contract(market.clone(), w.moderation.clone(), &unknown, &[])
            .unwrap_err();
    assert_eq!(err(e), ContractError::UnknownJob { job_id: 999 });

    w.classify(job_id, 0);
    let e =
        w.s.app
            .execute_contract(market, w.moderation.clone(), &forged, &[])
            .unwrap_err();
    assert_eq!(err(e), ContractError::AlreadyDecided { job_id });
    assert_eq!(
        w.request(job_id).verdict,
        Verdict::Decided {
            label: 0,
            name: "ok".into(),
            flagged: false
        },
        "the market's verdict stands"
    );
}

#[test]
fn underpaying_or_paying_in_another_denom_is_refused_and_nothing_moves() {
    let mut w = world();
    let alice = w.s.addr("alice");
    let e = w.moderate("alice", "hello", PRICE - 1).unwrap_err();
    assert_eq!(
        err(e),
        ContractError::InsufficientFunds {
            required: Uint128::new(PRICE),
            paid: Uint128::new(PRICE - 1)
        }
    );
    let e =
        w.s.app
            .execute_contract(
                alice.clone(),
                w.moderation.clone(),
                &ExecuteMsg::Moderate {
                    text: "hello".into(),
                },
                &[],
            )
            .unwrap_err();
    assert_eq!(
        err(e),
        ContractError::Payment(cw_utils::PaymentError::NoFunds {})
    );
    assert_eq!(w.s.stable_balance(&alice), USER_USDC);
    assert_eq!(w.s.market_totals().jobs_submitted, 0);
    // A text longer than the model takes is refused by the market, and the whole request with it.
    let long = "x".repeat(257);
    let e = w.moderate("alice", &long, PRICE).unwrap_err();
    assert!(
        format!("{e:#}").contains("257 bytes, more than the model's 256"),
        "{e:#}"
    );
    assert_eq!(w.s.stable_balance(&alice), USER_USDC);
    assert_eq!(w.s.market_totals().jobs_submitted, 0);
}

#[test]
fn a_configuration_the_market_cannot_serve_is_refused_naming_the_field() {
    let mut w = world();
    let owner = w.s.owner.clone();
    let base = init_msg(&w.s);
    let cases: Vec<(InstantiateMsg, ContractError)> = vec![
        (
            InstantiateMsg {
                model_id: "digits-mlp-v1".into(),
                ..base.clone()
            },
            ContractError::InvalidModel {
                reason: "digits-mlp-v1 does not take text input".into(),
            },
        ),
        (
            InstantiateMsg {
                flagged_labels: vec![1, 2],
                ..base.clone()
            },
            ContractError::InvalidConfig {
                field: "flagged_labels".into(),
                reason: "label 2 is not below the model's 2 classes".into(),
            },
        ),
        (
            InstantiateMsg {
                redundancy: 1,
                ..base.clone()
            },
            ContractError::InvalidConfig {
                field: "redundancy".into(),
                reason: "1 outside 2..=7 (a redundancy-1 job needs an audit secret, which a contract cannot keep)".into(),
            },
        ),
        (
            InstantiateMsg {
                callback_gas: market::DEFAULT_MAX_CALLBACK_GAS + 1,
                ..base.clone()
            },
            ContractError::InvalidConfig {
                field: "callback_gas".into(),
                reason: "300001 outside 1..=300000 (the market's max_callback_gas)".into(),
            },
        ),
        (
            InstantiateMsg {
                job_lifetime: 600,
                ..base.clone()
            },
            ContractError::InvalidConfig {
                field: "job_lifetime".into(),
                reason: "600 s outside 1200..=86400 s (the market's windows and max job lifetime)"
                    .into(),
            },
        ),
    ];
    for (msg, expected) in cases {
        let e =
            w.s.app
                .instantiate_contract(w.code, owner.clone(), &msg, &[], "bad", None)
                .unwrap_err();
        assert_eq!(err(e), expected);
    }
    let e =
        w.s.app
            .instantiate_contract(
                w.code,
                owner,
                &InstantiateMsg {
                    model_id: "nope".into(),
                    ..base
                },
                &[],
                "bad",
                None,
            )
            .unwrap_err();
    assert!(
        matches!(err(e), ContractError::InvalidModel { reason } if reason.starts_with("nope is not registered"))
    );
}

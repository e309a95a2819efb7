//! The tool step `faq-lookup-v1` served by the worker like any model: a job of MiniLM
//! embeddings settles with providers on two backends, each answering with the FAQ entry the
//! lookup finds.

mod common;

use cosmwasm_std::{Binary, Timestamp, Uint128};

use acn_client::{Chain, ChainExt};
use acn_interface::market::{self, encode_text_items, JobStatus};
use acn_models::lookup::{faq_entries, LOOKUP_ID};
use acn_models::registry::MINILM_ID;
use acn_testing::TOKEN;

use common::*;

#[test]
fn a_lookup_job_settles_with_providers_on_two_backends() {
    let chain = chain_with(&["p1", "p2"], |b| {
        b.with_market_params(|m| m.initial_unit_price = 1)
    });
    let dir = tempfile::tempdir().unwrap();
    let ndarray = engine();
    // The buyer's input: MiniLM embeddings of three questions not in the FAQ, as a
    // `minilm-l6-v2` job puts them out.
    let questions = [
        "What is the maximum amount I can wire per day?",
        "Is it possible to move my flight to another day?",
        "Wake me up at 6 am tomorrow",
    ];
    let input = ndarray
        .run(MINILM_ID, &encode_text_items(&questions), 3)
        .unwrap();
    let mut w1 = worker(&chain, "p1", &dir.path().join("p1.journal"), ndarray);
    let flex = engine_on(acn_models::Backend::Flex);
    let mut w2 = worker(&chain, "p2", &dir.path().join("p2.journal"), flex);
    let now = chain.block().unwrap().time;
    let tx = chain
        .send_tokens(
            "buyer",
            &chain.deployment().market,
            TOKEN,
            &market::ReceiveMsg::SubmitJob {
                model_id: LOOKUP_ID.into(),
                input: Binary::from(input),
                batch: 3,
                redundancy: 2,
                max_unit_price: Uint128::new(1_000),
                deadline: Timestamp::from_seconds(now + 3_600),
                audit_commitment: None,
                callback: None,
            },
        )
        .unwrap();
    let id: u64 = tx.attr("job_id").unwrap().parse().unwrap();
    for _ in 0..6 {
        w1.tick().unwrap();
        w2.tick().unwrap();
        chain.wait_blocks(1).unwrap();
    }
    let j = job(&chain, id);
    assert_eq!(j.status, JobStatus::Settled);
    // 384 × 24 multiply-accumulates per item: 10 units.
    assert_eq!(j.units, 30);
    let faq = faq_entries().unwrap();
    let found: Vec<&str> = j
        .result
        .unwrap()
        .chunks_exact(4)
        .map(|c| {
            faq[u32::from_le_bytes([c[0], c[1], c[2], c[3]]) as usize]
                .name
                .as_str()
        })
        .collect();
    assert_eq!(found, ["transfer-limit", "flight-change", "alarm-set"]);
    for (w, p) in [(&w1, "p1"), (&w2, "p2")] {
        let e = w.earnings();
        assert_eq!((e.finished, e.agreed, e.in_flight), (1, 1, 0), "{p}");
        assert!(e.paid > 0, "{p}");
    }
}

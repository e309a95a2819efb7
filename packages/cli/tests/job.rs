//! `acn job` on the embedded chain: input encoding errors, the quote against what submit
//! charges, a job served by a real worker and waited for until its labels decode, and refunded
//! jobs that say why.

mod common;

use std::time::Duration;

use acn_cli::job::{self, SecretStore, SubmitRequest};
use acn_client::amount::{format_utc, tokens};
use acn_client::codec::{DecodedOutput, InputFormat};
use acn_client::{Chain, ChainExt};
use acn_interface::market::{self, JobStatus};
use acn_interface::staking;
use acn_testing::TOKEN;

use common::{chain, digits_csv, file, Running, MLP};

fn request(input: acn_client::codec::EncodedInput, redundancy: u8) -> SubmitRequest {
    SubmitRequest {
        model_id: MLP.into(),
        input,
        redundancy: Some(redundancy),
        max_unit_price: None,
        max_price: None,
        pay_acn: false,
        deadline_secs: None,
    }
}

#[test]
fn bad_inputs_are_refused_naming_the_row_column_and_type() {
    let chain = chain(&[]);
    let spec = job::model(&*chain, MLP).unwrap().spec;
    let (mut csv, _) = digits_csv(2);
    // Row 2, column 5 becomes 300.
    let mut rows: Vec<Vec<String>> = csv
        .lines()
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect();
    rows[1][4] = "300".into();
    csv = rows
        .iter()
        .map(|r| r.join(","))
        .collect::<Vec<_>>()
        .join("\n");
    let (_d, path) = file("digits.csv", &csv);
    let err = format!("{:#}", job::read_input(&spec, &path, None).unwrap_err());
    assert_eq!(
        err,
        format!(
            "{} is not a valid csv input for digits-mlp-v1 (items of shape [64], U8, at most 64 per job): row 2, column 5: 300 does not fit u8 (0 to 255)",
            path.display()
        )
    );

    let (_d, path) = file("short.csv", "1,2,3\n");
    let err = job::read_input(&spec, &path, None).unwrap_err();
    assert_eq!(
        err.root_cause().to_string(),
        "row 1 has 3 values, but the model takes 64 per item (shape [64])"
    );

    let json = format!("[[0, 1.5{}]]", ", 0".repeat(62));
    let (_d, path) = file("x.json", &json);
    let err = job::read_input(&spec, &path, None).unwrap_err();
    assert_eq!(
        err.root_cause().to_string(),
        "item 1, element 2: 1.5 is not a whole number (expected u8, 0 to 255)"
    );

    let (_d, path) = file("input.bin", "1,2");
    let err = job::read_input(&spec, &path, None).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "{}: cannot tell the input format from the file name; pass --format csv, json or text",
            path.display()
        )
    );
    // …and with the format given it is read as CSV.
    let err = job::read_input(&spec, &path, Some(InputFormat::Csv)).unwrap_err();
    assert!(err
        .root_cause()
        .to_string()
        .starts_with("row 1 has 2 values"));

    let too_many = (0..65)
        .map(|_| "0,".repeat(63) + "0")
        .collect::<Vec<_>>()
        .join("\n");
    let (_d, path) = file("many.csv", &too_many);
    let err = job::read_input(&spec, &path, None).unwrap_err();
    assert_eq!(
        err.root_cause().to_string(),
        "65 items, but the model takes at most 64 per job (max_batch)"
    );

    let err = job::model(&*chain, "digits-v9").unwrap_err();
    assert_eq!(
        err.to_string(),
        "no model \"digits-v9\" on the market (registered: digits-cnn-v1, digits-mlp-v1, faq-lookup-v1, minilm-intent-v1, minilm-l6-v2, regressor-v1, train-digits-cnn-v1, train-digits-mlp-v1, train-regressor-v1)"
    );
}

#[test]
fn the_quote_is_what_submit_charges_and_a_staker_discount_applies() {
    let chain = chain(&["p1", "p2"]);
    let buyer = chain.address("buyer").unwrap();
    let spec = job::model(&*chain, MLP).unwrap().spec;
    let secrets = SecretStore::new(tempfile::tempdir().unwrap().keep());
    let (csv, _) = digits_csv(8);
    let (_d, path) = file("digits.csv", &csv);
    let input = job::read_input(&spec, &path, None).unwrap();
    assert_eq!(input.batch, 8);

    for (redundancy, bonded) in [(2u8, 0u128), (1, 10_000 * TOKEN)] {
        if bonded > 0 {
            let d = chain.deployment().clone();
            chain
                .send_tokens(
                    "buyer",
                    &d.staking,
                    bonded,
                    &staking::ReceiveMsg::Bond { tier: None },
                )
                .unwrap();
        }
        let q = job::quote(&*chain, MLP, 8, None, Some(redundancy), Some(&buyer)).unwrap();
        // 8 items × 5 units × 0.05 ACN × redundancy, minus 5 % once 10 000 ACN are bonded.
        let gross = 8 * 5 * 50_000 * redundancy as u128;
        assert_eq!(q.gross, gross);
        assert_eq!(q.discount, if bonded > 0 { gross / 20 } else { 0 });
        assert_eq!(q.price, q.gross - q.discount);
        assert_eq!(q.fee, (q.price * 300).div_ceil(10_000));
        let text = q.render();
        assert!(
            text.contains(&format!("  total        {}", tokens(q.price))),
            "{text}"
        );
        assert!(text.contains("(3.00 %, included;"), "{text}");

        let before = chain.balance(&buyer).unwrap();
        let s = job::submit(
            &*chain,
            "buyer",
            &request(input.clone(), redundancy),
            &secrets,
        )
        .unwrap();
        let after = chain.balance(&buyer).unwrap();
        assert_eq!(s.quote, q);
        assert_eq!(before - after, q.price, "charged exactly the quote");
        assert_eq!(s.charged, q.price);
        assert!(
            s.sent > s.charged,
            "sent with a margin, the excess came back"
        );
        assert_eq!(s.providers.len(), redundancy as usize);
        // Redundancy 1 keeps an audit secret whose hash the job carries.
        let j: market::JobResponse = chain
            .market(&market::QueryMsg::Job { id: s.job_id })
            .unwrap();
        match (redundancy, &s.audit_secret_file) {
            (1, Some(f)) => {
                let d = chain.deployment();
                let commitment = j.audit.unwrap().commitment;
                let secret = secrets
                    .load(&d.chain_id, &d.market, &commitment)
                    .unwrap()
                    .unwrap();
                assert_eq!(
                    market::audit_commitment(&secret).to_vec(),
                    commitment.to_vec()
                );
                assert_eq!(*f, secrets.path(&d.chain_id, &d.market, &commitment));
            }
            (_, None) => assert!(j.audit.is_none()),
            other => panic!("{other:?}"),
        }
    }

    // A price above --max-price is refused before anything is paid.
    let before = chain.balance(&buyer).unwrap();
    let q = job::quote(&*chain, MLP, 8, None, Some(2), Some(&buyer)).unwrap();
    let mut req = request(input, 2);
    req.max_price = Some(1);
    let err = job::submit(&*chain, "buyer", &req, &secrets).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "the price is {}, above --max-price 0.000001 ACN",
            tokens(q.price)
        )
    );
    assert_eq!(chain.balance(&buyer).unwrap(), before);
}

#[test]
fn a_submitted_job_is_served_and_wait_decodes_its_labels() {
    let chain = chain(&["p1"]);
    let secrets = SecretStore::new(tempfile::tempdir().unwrap().keep());
    let spec = job::model(&*chain, MLP).unwrap().spec;
    let (csv, truth) = digits_csv(16);
    let (_d, path) = file("digits.csv", &csv);
    let input = job::read_input(&spec, &path, None).unwrap();
    let s = job::submit(&*chain, "buyer", &request(input, 1), &secrets).unwrap();

    let running = Running::start(&chain, &["p1"], 20);
    let mut phases = vec![];
    let mut notes = vec![];
    let done = job::wait(
        &*chain,
        Some("buyer"),
        s.job_id,
        &secrets,
        Duration::from_millis(10),
        Some(Duration::from_secs(120)),
        |j, note| {
            phases.push(job::phase(j));
            notes.extend(note.map(str::to_string));
        },
    )
    .unwrap();
    running.stop();

    assert_eq!(done.status, JobStatus::Settled, "{phases:?}");
    assert_eq!(
        phases.first().unwrap(),
        "assigned to 1 provider, committed 0/1"
    );
    assert_eq!(phases.last().unwrap(), "settled");
    // The buyer's secret was revealed when the market asked for it (one provider: no auditor).
    assert_eq!(
        notes,
        vec!["audit secret revealed: not audited".to_string()]
    );
    assert_eq!(done.audit.as_ref().unwrap().audited, Some(false));

    let view = job::job_view(&*chain, s.job_id).unwrap();
    let Some(DecodedOutput::Labels { items }) = &view.result else {
        panic!("{:?}", view.result)
    };
    let labels: Vec<u32> = items.iter().map(|l| l.label).collect();
    let words: Vec<u32> = done
        .result
        .unwrap()
        .chunks_exact(4)
        .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect();
    assert_eq!(labels, words, "decoded from the job's result");
    let correct = labels
        .iter()
        .zip(&truth)
        .filter(|(l, t)| **l == **t as u32)
        .count();
    assert!(correct >= 15, "{correct}/16 correct");
    assert!(items.iter().all(|l| l.name == Some(l.label.to_string())));
    let text = view.render(chain.block().unwrap().time);
    assert!(
        text.contains(&format!("result:\nitem 1: {}\n", labels[0])),
        "{text}"
    );
    assert!(
        text.contains("settled: 1 of 1 provider agreed on the result"),
        "{text}"
    );
    let paid = view.price - view.fee;
    assert_eq!(view.providers[0].paid, paid);
    let json = serde_json::to_value(&view).unwrap();
    assert_eq!(json["status"], "settled");
    assert_eq!(json["result"]["kind"], "labels");
    assert_eq!(json["result"]["items"][0]["label"], labels[0]);
}

/// `acn job submit --model minilm-intent-v1 --text "…"` then `acn job wait`: a worker runs the
/// text encoder and the classifier head, and the result is shown by the class's name.
#[test]
fn a_text_job_of_the_intent_classifier_shows_the_intent_by_name() {
    // 344 003 units per text: start the price at its floor.
    let chain = common::chain_priced(&["p1"], 1);
    let secrets = SecretStore::new(tempfile::tempdir().unwrap().keep());
    let model = acn_models::intent::INTENT_ID;
    let spec = job::model(&*chain, model).unwrap().spec;
    let texts = ["Will it rain in Lisbon tomorrow?".to_string()];
    let input = job::text_input(&spec, &texts).unwrap();
    let s = job::submit(
        &*chain,
        "buyer",
        &SubmitRequest {
            model_id: model.into(),
            ..request(input, 1)
        },
        &secrets,
    )
    .unwrap();
    let running = Running::start(&chain, &["p1"], 20);
    let done = job::wait(
        &*chain,
        Some("buyer"),
        s.job_id,
        &secrets,
        Duration::from_millis(10),
        Some(Duration::from_secs(120)),
        |_, _| {},
    )
    .unwrap();
    running.stop();
    assert_eq!(done.status, JobStatus::Settled);
    let view = job::job_view(&*chain, s.job_id).unwrap();
    let Some(DecodedOutput::Labels { items }) = &view.result else {
        panic!("{:?}", view.result)
    };
    assert_eq!(items[0].label, 0);
    assert_eq!(items[0].name.as_deref(), Some("weather"));
    let text = view.render(chain.block().unwrap().time);
    assert!(text.contains("result:\nitem 1: 0 (weather)\n"), "{text}");
}

#[test]
fn refunded_jobs_say_why_and_expire_waits_for_the_deadline() {
    // p1 and p2 are registered but serve nothing: no-shows (one per job: a miss keeps a
    // provider out of new jobs for the market's miss cooldown).
    let chain = chain(&["p1", "p2"]);
    let secrets = SecretStore::new(tempfile::tempdir().unwrap().keep());
    let spec = job::model(&*chain, MLP).unwrap().spec;
    let (csv, _) = digits_csv(2);
    let (_d, path) = file("digits.csv", &csv);
    let input = job::read_input(&spec, &path, None).unwrap();
    let buyer = chain.address("buyer").unwrap();

    // 1. Nobody commits: `wait` settles the job once the commit window is over; refunded.
    let before = chain.balance(&buyer).unwrap();
    let a = job::submit(&*chain, "buyer", &request(input.clone(), 1), &secrets).unwrap();
    let running = Running::start(&chain, &[], 5);
    let done = job::wait(
        &*chain,
        Some("buyer"),
        a.job_id,
        &secrets,
        Duration::from_millis(5),
        Some(Duration::from_secs(60)),
        |_, _| {},
    )
    .unwrap();
    running.stop();
    assert_eq!(done.status, JobStatus::Expired);
    assert_eq!(chain.balance(&buyer).unwrap(), before, "refunded in full");
    let view = job::job_view(&*chain, a.job_id).unwrap();
    assert_eq!(view.phase, "expired, refunded");
    let no_show = &view.providers[0].provider;
    assert_eq!(
        view.explanation,
        format!(
            "refunded {}: no provider committed a result within the 600 s commit window (no-show: {no_show}); the no-shows were slashed",
            tokens(a.charged)
        )
    );

    // 2. `expire` before the deadline says when; after it, refunds.
    let b = job::submit(&*chain, "buyer", &request(input, 1), &secrets).unwrap();
    let err = job::expire(&*chain, "buyer", b.job_id).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "job {} can be expired from its deadline, {} (in 60 min)",
            b.job_id,
            format_utc(b.deadline)
        )
    );
    chain.wait_seconds(3_600).unwrap();
    let before = chain.balance(&buyer).unwrap();
    let view = job::expire(&*chain, "buyer", b.job_id).unwrap();
    assert_eq!(view.status, JobStatus::Expired);
    assert_eq!(view.refunded, b.charged);
    assert_eq!(chain.balance(&buyer).unwrap(), before + b.charged);
    assert!(
        view.explanation.starts_with("refunded "),
        "{}",
        view.explanation
    );
    let err = job::expire(&*chain, "buyer", b.job_id).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("job {} is already final (expired, refunded)", b.job_id)
    );

    // 3. The list: newest first, filtered by status.
    let listed = job::list(&*chain, &buyer, Some(JobStatus::Expired), 10).unwrap();
    let ids: Vec<u64> = listed.iter().map(|j| j.id).collect();
    assert_eq!(ids, vec![b.job_id, a.job_id]);
    assert!(job::list(&*chain, &buyer, Some(JobStatus::Settled), 10)
        .unwrap()
        .is_empty());
    let table = job::render_list(&listed);
    assert!(table.lines().nth(1).unwrap().contains("Expired"), "{table}");
}

/// A job record as the market returns it, with `n` slots.
fn job_record(status: JobStatus, n: usize) -> market::JobResponse {
    use cosmwasm_std::{Addr, Binary, HexBinary, Timestamp, Uint128};
    market::JobResponse {
        id: 9,
        buyer: Addr::unchecked("buyer"),
        model_id: MLP.into(),
        input: Binary::default(),
        batch: 1,
        redundancy: n as u8,
        unit_price: Uint128::new(1_000),
        units: 5,
        escrow: Uint128::zero(),
        price: Uint128::new(3 * TOKEN),
        status,
        created_at: Timestamp::from_seconds(1_000),
        created_height: 1,
        commit_deadline: Timestamp::from_seconds(1_600),
        reveal_deadline: None,
        deadline: Timestamp::from_seconds(4_600),
        slots: (0..n)
            .map(|i| market::Slot {
                provider: Addr::unchecked(format!("p{}", i + 1)),
                claimed_height: 1,
                commitment: Some(HexBinary::from(vec![0u8; 32])),
                output: Some(Binary::from(vec![0u8; 4])),
                revealed_height: Some(2),
                outcome: None,
                paid: Uint128::zero(),
                at_risk: Uint128::new(100 * TOKEN),
            })
            .collect(),
        disputed_at: None,
        result: None,
        audit: None,
        fee: Uint128::zero(),
        refunded: Uint128::zero(),
        pay_denom: None,
        acn_price: None,
        callback: None,
    }
}

#[test]
fn every_final_state_is_explained_from_the_market_record() {
    use cosmwasm_std::{Timestamp, Uint128};
    use market::SlotOutcome;
    let params = market::MarketParams::default();

    // Expired with one reveal of three: who did not commit, who did not reveal.
    let mut j = job_record(JobStatus::Expired, 3);
    j.slots[1].output = None;
    j.slots[2].output = None;
    j.slots[2].commitment = None;
    j.refunded = Uint128::new(3 * TOKEN);
    assert_eq!(
        job::explain(&j, &params),
        "refunded 3 ACN: only 1 of 3 providers revealed a result and a majority needs 2 (did not commit: p3; committed but did not reveal: p2); the no-shows were slashed"
    );

    // Disputed: the escrow waits for the DAO or the timeout.
    let mut j = job_record(JobStatus::Disputed, 2);
    j.escrow = Uint128::new(3 * TOKEN);
    j.disputed_at = Some(Timestamp::from_seconds(2_000));
    assert_eq!(
        job::explain(&j, &params),
        format!(
            "disputed: the 2 reveals formed no majority (at least 2 of 2 must agree); 3 ACN stays in escrow until the DAO resolves the dispute, or anyone closes it from {} (the providers who revealed then share it and nothing is refunded)",
            format_utc(2_000 + 7 * 86_400)
        )
    );

    // Resolved three ways: voided (refunded), an output accepted, closed after the timeout.
    let mut j = job_record(JobStatus::Resolved, 2);
    j.refunded = Uint128::new(3 * TOKEN);
    assert_eq!(
        job::explain(&j, &params),
        "refunded 3 ACN: the DAO voided the dispute (no output accepted, nobody slashed)"
    );
    assert_eq!(job::phase(&j), "dispute voided, refunded");
    let mut j = job_record(JobStatus::Resolved, 2);
    j.fee = Uint128::new(90_000);
    j.slots[0].outcome = Some(SlotOutcome::Agreed);
    j.slots[1].outcome = Some(SlotOutcome::Outvoted);
    assert_eq!(
        job::explain(&j, &params),
        "resolved by the DAO: an output was accepted and the providers agreeing with it were paid 2.91 ACN"
    );
    let j = job_record(JobStatus::Resolved, 2);
    assert_eq!(
        job::explain(&j, &params),
        "dispute closed after its 604800 s timeout: the providers who revealed shared the escrow; nothing was refunded"
    );

    // Settled by 3 of 5, with an outvoted provider and a no-show.
    let mut j = job_record(JobStatus::Settled, 5);
    j.fee = Uint128::new(90_000);
    for slot in &mut j.slots[..3] {
        slot.outcome = Some(SlotOutcome::Agreed);
    }
    j.slots[3].outcome = Some(SlotOutcome::Outvoted);
    j.slots[4].outcome = Some(SlotOutcome::Missed);
    j.slots[4].output = None;
    j.slots[4].commitment = None;
    assert_eq!(
        job::explain(&j, &params),
        "settled: 3 of 5 providers agreed on the result; they were paid 2.91 ACN, the protocol fee was 0.09 ACN; outvoted and slashed: p4; no-shows, slashed: did not commit: p5"
    );
}

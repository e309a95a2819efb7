//! Adversarial tests: every way a buyer, a provider, a stranger or a careless owner can try to
//! misuse the market. Each test asserts the exact `ContractError` (variant and message) and that
//! the failed transaction changed nothing: balances, jobs, providers, models, totals, price,
//! stakes and the treasury are snapshotted before and compared after.

use std::fmt::Debug;

use acn_interface::market::{
    self, DisputeResolution, ExecuteMsg, JobStatus, MarketParams, ModelSpec, ReceiveMsg,
    SlotOutcome,
};
use acn_interface::token;
use acn_market::providers::MAX_MODELS_PER_PROVIDER;
use acn_market::ContractError;
use acn_testing::*;
use cosmwasm_std::{Addr, Binary, HexBinary, Timestamp, Uint128};
use cw_ownable::OwnershipError;

const DIGITS: &str = "digits-mlp-v1";
const REGRESSOR: &str = "regressor-v1";
const BUYER_FUNDS: u128 = 1_000 * TOKEN;
const MIN_STAKE: u128 = 1_000 * TOKEN;
/// Every named account the tests use.
const ACTORS: &[&str] = &["buyer", "p1", "p2", "p3", "p4", "stranger", "newbie"];

// ---- set-up ------------------------------------------------------------------------------

fn suite_with(f: impl FnOnce(&mut MarketSetup)) -> Suite {
    let mut suite = SuiteBuilder::new()
        .with_market_params(|m| {
            m.models = vec![digits_model(), regression_model()];
            f(m);
        })
        .with_funds("buyer", BUYER_FUNDS)
        .build();
    for p in ["p1", "p2", "p3"] {
        suite
            .make_provider(p, PROVIDER_STAKE, &[DIGITS, REGRESSOR])
            .unwrap();
    }
    suite
}

fn suite() -> Suite {
    suite_with(|_| {})
}

fn exec(suite: &mut Suite, sender: &str, msg: &ExecuteMsg) -> anyhow::Result<()> {
    let (who, market) = (suite.addr(sender), suite.market());
    suite.execute(&who, &market, msg).map(|_| ())
}

fn exec_owner(suite: &mut Suite, msg: &ExecuteMsg) -> anyhow::Result<()> {
    let (owner, market) = (suite.owner.clone(), suite.market());
    suite.execute(&owner, &market, msg).map(|_| ())
}

/// A `SubmitJob` hook.
fn submit_msg(
    model_id: &str,
    input: Binary,
    batch: u32,
    redundancy: u8,
    max_unit_price: u128,
    deadline: Timestamp,
) -> ReceiveMsg {
    ReceiveMsg::SubmitJob {
        model_id: model_id.into(),
        input,
        batch,
        redundancy,
        max_unit_price: Uint128::new(max_unit_price),
        deadline,
        audit_commitment: audit_commitment_for(
            &cosmwasm_std::testing::MockApi::default().addr_make("buyer"),
            redundancy,
        ),
        callback: None,
    }
}

/// CW20 `Send` of `pay` from `buyer` to the market with `hook`.
fn send_hook(suite: &mut Suite, buyer: &str, pay: u128, hook: &ReceiveMsg) -> anyhow::Result<()> {
    let (who, market) = (suite.addr(buyer), suite.market());
    suite.send_tokens(&who, &market, pay, hook).map(|_| ())
}

/// A digits submission paying the quote with the default deadline and no price limit.
fn digits_hook(suite: &Suite, batch: u32, redundancy: u8) -> ReceiveMsg {
    submit_msg(
        DIGITS,
        digits_input(batch),
        batch,
        redundancy,
        u128::MAX,
        suite.default_deadline(),
    )
}

/// Eight little-endian f32 features.
fn f32_input(values: [f32; 8]) -> Binary {
    Binary::from(
        values
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect::<Vec<u8>>(),
    )
}

/// The providers assigned to a job, in slot order (slots are drawn at submission).
#[track_caller]
fn assigned<const N: usize>(suite: &Suite, id: u64) -> [&'static str; N] {
    let names = suite.assigned_names(id, &["p1", "p2", "p3", "p4"]);
    names
        .clone()
        .try_into()
        .unwrap_or_else(|_| panic!("expected {N} assigned providers, got {names:?}"))
}

/// The registered providers (p1..p3) not assigned to a job.
fn unassigned(suite: &Suite, id: u64) -> Vec<&'static str> {
    let names = suite.assigned_names(id, &["p1", "p2", "p3"]);
    ["p1", "p2", "p3"]
        .into_iter()
        .filter(|p| !names.contains(p))
        .collect()
}

fn commit_msg(job_id: u64, bytes: Vec<u8>) -> ExecuteMsg {
    ExecuteMsg::CommitResult {
        job_id,
        commitment: HexBinary::from(bytes),
    }
}

// ---- assertions --------------------------------------------------------------------------

fn snapshot(suite: &Suite) -> MarketSnapshot {
    suite.market_snapshot(ACTORS)
}

/// Run `f`, which must fail with exactly `expected`, and check that nothing changed.
#[track_caller]
fn refused<T: Debug>(
    suite: &mut Suite,
    expected: ContractError,
    f: impl FnOnce(&mut Suite) -> anyhow::Result<T>,
) {
    assert_market_refused(suite, ACTORS, expected, f);
}

/// Run `f`, which must fail with an error (from any contract) containing `needle`, and check
/// that nothing changed.
#[track_caller]
fn refused_with<T: Debug>(
    suite: &mut Suite,
    needle: &str,
    f: impl FnOnce(&mut Suite) -> anyhow::Result<T>,
) {
    let before = snapshot(suite);
    assert_err_contains(f(suite), needle);
    let after = snapshot(suite);
    assert_eq!(after, before, "a refused transaction changed state");
}

fn fake_balance(suite: &Suite, fake: &Addr, addr: &Addr) -> u128 {
    let res: token::BalanceResponse = suite.query(
        fake,
        &token::QueryMsg::Balance {
            address: addr.to_string(),
        },
    );
    res.balance.u128()
}

// ---- payment ------------------------------------------------------------------------------

#[test]
fn a_job_paid_with_a_fake_token_is_refused_and_the_fake_tokens_stay_with_the_buyer() {
    let mut suite = suite();
    let (buyer, market) = (suite.addr("buyer"), suite.market());
    let fake = suite.instantiate_fake_token(&[(&buyer, 1_000_000 * TOKEN)]);
    let hook = digits_hook(&suite, 4, 1);
    refused(
        &mut suite,
        ContractError::UnknownToken {
            token: fake.to_string(),
        },
        |s| s.send_via(&fake, &buyer, &market, 1_000 * TOKEN, &hook),
    );
    assert_eq!(fake_balance(&suite, &fake, &buyer), 1_000_000 * TOKEN);
    assert_eq!(fake_balance(&suite, &fake, &market), 0);
    assert_eq!(suite.market_totals().jobs_submitted, 0);
    suite.assert_balance(buyer, BUYER_FUNDS);
    suite.assert_balance(market, 0);
}

#[test]
fn a_zero_payment_is_refused() {
    let mut suite = suite();
    let hook = digits_hook(&suite, 1, 1);
    // cw20-base 2.x passes a zero `Send` through to the hook (1.x refused it with "Invalid zero
    // amount"), so the market's own payment check is what stops it.
    refused(
        &mut suite,
        ContractError::InsufficientPayment {
            required: Uint128::new(1_000),
            paid: Uint128::zero(),
        },
        |s| send_hook(s, "buyer", 0, &hook),
    );
    suite.assert_balance(suite.addr("buyer"), BUYER_FUNDS);
    suite.assert_balance(suite.market(), 0);
}

#[test]
fn paying_more_than_the_buyer_holds_is_refused_by_the_token() {
    let mut suite = suite();
    let hook = digits_hook(&suite, 1, 1);
    refused_with(&mut suite, "Cannot Sub", |s| {
        send_hook(s, "buyer", BUYER_FUNDS + 1, &hook)
    });
    suite.assert_balance(suite.addr("buyer"), BUYER_FUNDS);
    suite.assert_balance(suite.market(), 0);
}

#[test]
fn too_little_payment_is_refused_and_the_buyer_keeps_everything() {
    let mut suite = suite();
    // 4 items × 1 unit × 1 000 per unit × redundancy 2
    assert_eq!(suite.quote("buyer", DIGITS, 4, 2).price.u128(), 8_000);
    let hook = digits_hook(&suite, 4, 2);
    refused(
        &mut suite,
        ContractError::InsufficientPayment {
            required: Uint128::new(8_000),
            paid: Uint128::new(7_999),
        },
        |s| send_hook(s, "buyer", 7_999, &hook),
    );
    suite.assert_balance(suite.addr("buyer"), BUYER_FUNDS);
    suite.assert_balance(suite.market(), 0);
    // the exact price goes through
    send_hook(&mut suite, "buyer", 8_000, &hook).unwrap();
    suite.assert_balance(suite.market(), 8_000);
}

#[test]
fn a_unit_price_above_the_buyers_maximum_is_refused() {
    let mut suite = suite();
    assert_eq!(suite.unit_price(), 1_000);
    let deadline = suite.default_deadline();
    let hook = submit_msg(DIGITS, digits_input(1), 1, 1, 999, deadline);
    refused(
        &mut suite,
        ContractError::PriceAboveMax {
            unit_price: Uint128::new(1_000),
            max_unit_price: Uint128::new(999),
        },
        |s| send_hook(s, "buyer", 10 * TOKEN, &hook),
    );
    suite.assert_balance(suite.addr("buyer"), BUYER_FUNDS);
    suite.assert_balance(suite.market(), 0);
    // a limit equal to the price is fine
    let hook = submit_msg(DIGITS, digits_input(1), 1, 1, 1_000, deadline);
    send_hook(&mut suite, "buyer", 1_000, &hook).unwrap();
}

// ---- submission validation ----------------------------------------------------------------

#[test]
fn a_job_for_an_unknown_model_is_refused() {
    let mut suite = suite();
    let deadline = suite.default_deadline();
    let hook = submit_msg("no-such-model", digits_input(1), 1, 1, u128::MAX, deadline);
    refused(
        &mut suite,
        ContractError::ModelNotFound {
            id: "no-such-model".into(),
        },
        |s| send_hook(s, "buyer", 1_000, &hook),
    );
    suite.assert_balance(suite.addr("buyer"), BUYER_FUNDS);
    suite.assert_balance(suite.market(), 0);
}

#[test]
fn a_job_for_an_inactive_model_is_refused_until_it_is_reactivated() {
    let mut suite = suite();
    exec_owner(
        &mut suite,
        &ExecuteMsg::DeactivateModel { id: DIGITS.into() },
    )
    .unwrap();
    let hook = digits_hook(&suite, 1, 1);
    refused(
        &mut suite,
        ContractError::ModelInactive { id: DIGITS.into() },
        |s| send_hook(s, "buyer", 1_000, &hook),
    );
    suite.assert_balance(suite.addr("buyer"), BUYER_FUNDS);
    suite.assert_balance(suite.market(), 0);
    exec_owner(&mut suite, &ExecuteMsg::ActivateModel { id: DIGITS.into() }).unwrap();
    send_hook(&mut suite, "buyer", 1_000, &hook).unwrap();
}

#[test]
fn an_oversized_input_is_refused() {
    let mut suite = suite();
    let max = MarketParams::default().max_input_bytes as u64;
    let input = Binary::from(vec![0u8; max as usize + 1]);
    let deadline = suite.default_deadline();
    let hook = submit_msg(DIGITS, input, 64, 1, u128::MAX, deadline);
    refused(
        &mut suite,
        ContractError::InputTooLarge { size: max + 1, max },
        |s| send_hook(s, "buyer", 100 * TOKEN, &hook),
    );
    suite.assert_balance(suite.addr("buyer"), BUYER_FUNDS);
    suite.assert_balance(suite.market(), 0);
}

#[test]
fn an_input_whose_size_does_not_match_the_batch_is_refused() {
    let mut suite = suite();
    let deadline = suite.default_deadline();
    let mut bytes = digits_input(2).to_vec();
    bytes.pop();
    let short = submit_msg(DIGITS, Binary::from(bytes), 2, 1, u128::MAX, deadline);
    refused(
        &mut suite,
        ContractError::InputSizeMismatch {
            expected: 128,
            actual: 127,
        },
        |s| send_hook(s, "buyer", 10_000, &short),
    );
    // three items' worth of input for a batch of two
    let long = submit_msg(DIGITS, digits_input(3), 2, 1, u128::MAX, deadline);
    refused(
        &mut suite,
        ContractError::InputSizeMismatch {
            expected: 128,
            actual: 192,
        },
        |s| send_hook(s, "buyer", 10_000, &long),
    );
    suite.assert_balance(suite.addr("buyer"), BUYER_FUNDS);
    suite.assert_balance(suite.market(), 0);
}

#[test]
fn a_non_finite_float_input_is_refused() {
    let mut suite = suite();
    let deadline = suite.default_deadline();
    for (i, bad) in [f32::NAN, f32::INFINITY, f32::NEG_INFINITY]
        .into_iter()
        .enumerate()
    {
        let mut values = [0.5f32; 8];
        values[3 + i] = bad;
        let hook = submit_msg(REGRESSOR, f32_input(values), 1, 1, u128::MAX, deadline);
        refused(
            &mut suite,
            ContractError::InvalidInput {
                reason: format!("element {} is not a finite float", 3 + i),
            },
            |s| send_hook(s, "buyer", 10_000, &hook),
        );
    }
    suite.assert_balance(suite.addr("buyer"), BUYER_FUNDS);
    suite.assert_balance(suite.market(), 0);
    // finite values pass
    let hook = submit_msg(REGRESSOR, f32_input([0.5; 8]), 1, 1, u128::MAX, deadline);
    send_hook(&mut suite, "buyer", 10_000, &hook).unwrap();
}

/// A text model: UTF-8 items of at most 16 bytes, 8 tokens; 4 fixed-point values out.
fn text_model() -> ModelSpec {
    ModelSpec {
        id: "text-v1".into(),
        name: "text embeddings".into(),
        architecture: "bert-l6-h384-meanpool-l2".into(),
        weights_sha256: "ef".repeat(32),
        weights_uri: "pypi:text==1".into(),
        input: market::InputSpec {
            shape: vec![16, 8],
            dtype: market::DType::Utf8,
            max_batch: 4,
        },
        output: market::OutputSpec::FixedPoint {
            shape: vec![4],
            scale: 1_000_000,
        },
        tolerance: 100,
        cost_units_per_item: 1,
        min_redundancy: 1,
    }
}

#[test]
fn text_inputs_are_checked_item_by_item() {
    let mut suite = suite_with(|m| m.models.push(text_model()));
    suite
        .make_provider("p4", PROVIDER_STAKE, &["text-v1"])
        .unwrap();
    let deadline = suite.default_deadline();
    let text = |items: &[&str]| Binary::from(market::encode_text_items(items));
    let mut not_utf8 = 2u32.to_le_bytes().to_vec();
    not_utf8.extend([0xc3, 0x28]);
    let cases = [
        (
            text(&["hello", "world"]),
            3,
            "text item 2: the input ends before its length prefix",
        ),
        (
            text(&["hello", "world"]),
            1,
            "9 bytes after the last text item",
        ),
        (
            text(&["seventeen bytes!!"]),
            1,
            "text item 0: 17 bytes, more than the model's 16",
        ),
        (
            Binary::from(not_utf8),
            1,
            "text item 0: not valid UTF-8: invalid utf-8 sequence of 1 bytes from index 0",
        ),
    ];
    for (input, batch, reason) in cases {
        let hook = submit_msg("text-v1", input, batch, 1, u128::MAX, deadline);
        refused(
            &mut suite,
            ContractError::InvalidInput {
                reason: reason.into(),
            },
            |s| send_hook(s, "buyer", 10_000, &hook),
        );
    }
    suite.assert_balance(suite.addr("buyer"), BUYER_FUNDS);
    // Well-formed texts of any length up to the limit pass.
    let hook = submit_msg(
        "text-v1",
        text(&["hi", "", "Zoë 😀"]),
        3,
        1,
        u128::MAX,
        deadline,
    );
    send_hook(&mut suite, "buyer", 10_000, &hook).unwrap();

    // A text model must say how many bytes and tokens an item may have.
    let mut m = text_model();
    m.id = "text-v2".into();
    m.input.shape = vec![16];
    refused(
        &mut suite,
        ContractError::InvalidModel {
            reason: "a text input's shape must be [max_bytes, max_tokens]".into(),
        },
        |s| exec_owner(s, &ExecuteMsg::RegisterModel { model: m }),
    );
}

#[test]
fn a_batch_of_zero_or_above_max_batch_is_refused() {
    let mut suite = suite();
    let deadline = suite.default_deadline();
    let zero = submit_msg(DIGITS, Binary::default(), 0, 1, u128::MAX, deadline);
    refused(
        &mut suite,
        ContractError::InvalidBatch { batch: 0, max: 64 },
        |s| send_hook(s, "buyer", 10_000, &zero),
    );
    let over = submit_msg(DIGITS, digits_input(65), 65, 1, u128::MAX, deadline);
    refused(
        &mut suite,
        ContractError::InvalidBatch { batch: 65, max: 64 },
        |s| send_hook(s, "buyer", 100_000, &over),
    );
    suite.assert_balance(suite.addr("buyer"), BUYER_FUNDS);
    suite.assert_balance(suite.market(), 0);
}

#[test]
fn a_redundancy_of_zero_or_above_the_maximum_is_refused() {
    let mut suite = suite();
    for redundancy in [0u8, 8] {
        let hook = digits_hook(&suite, 1, redundancy);
        refused(
            &mut suite,
            ContractError::InvalidRedundancy {
                redundancy,
                min: 1,
                max: 7,
            },
            |s| send_hook(s, "buyer", 100_000, &hook),
        );
    }
    suite.assert_balance(suite.addr("buyer"), BUYER_FUNDS);
    suite.assert_balance(suite.market(), 0);
}

#[test]
fn a_redundancy_below_the_models_minimum_is_refused() {
    let mut suite = suite_with(|m| {
        m.models[0].min_redundancy = 3;
    });
    let hook = digits_hook(&suite, 1, 2);
    refused(
        &mut suite,
        ContractError::InvalidRedundancy {
            redundancy: 2,
            min: 3,
            max: 7,
        },
        |s| send_hook(s, "buyer", 100_000, &hook),
    );
}

#[test]
fn a_deadline_too_soon_or_too_far_is_refused() {
    let mut suite = suite();
    let now = suite.block().time;
    let (earliest, latest) = (now.seconds() + 1_200, now.seconds() + 24 * 3_600);
    for got in [now.seconds(), earliest - 1, latest + 1] {
        let hook = submit_msg(
            DIGITS,
            digits_input(1),
            1,
            1,
            u128::MAX,
            Timestamp::from_seconds(got),
        );
        refused(
            &mut suite,
            ContractError::InvalidDeadline {
                earliest,
                latest,
                got,
            },
            |s| send_hook(s, "buyer", 10_000, &hook),
        );
    }
    suite.assert_balance(suite.addr("buyer"), BUYER_FUNDS);
    suite.assert_balance(suite.market(), 0);
    // both bounds are inclusive
    for got in [earliest, latest] {
        let hook = submit_msg(
            DIGITS,
            digits_input(1),
            1,
            1,
            u128::MAX,
            Timestamp::from_seconds(got),
        );
        send_hook(&mut suite, "buyer", 1_000, &hook).unwrap();
    }
}

// ---- models (owner only) --------------------------------------------------------------------

#[test]
fn only_the_owner_registers_updates_deactivates_or_activates_models() {
    let mut suite = suite();
    let mut new_model = digits_model();
    new_model.id = "digits-mlp-v2".into();
    let mut changed = digits_model();
    changed.cost_units_per_item = 99;
    let msgs = [
        ExecuteMsg::RegisterModel { model: new_model },
        ExecuteMsg::UpdateModel { model: changed },
        ExecuteMsg::DeactivateModel { id: DIGITS.into() },
        ExecuteMsg::ActivateModel { id: DIGITS.into() },
    ];
    for msg in &msgs {
        for who in ["stranger", "p1", "buyer"] {
            refused(
                &mut suite,
                ContractError::Ownership(OwnershipError::NotOwner),
                |s| exec(s, who, msg),
            );
        }
    }
    let model: market::ModelResponse = suite.query(
        &suite.market(),
        &market::QueryMsg::Model { id: DIGITS.into() },
    );
    assert_eq!(model.spec, digits_model());
    assert!(model.active);
}

#[test]
fn registering_a_model_twice_is_refused() {
    let mut suite = suite();
    let mut again = digits_model();
    again.name = "an impostor with the same id".into();
    refused(
        &mut suite,
        ContractError::ModelExists { id: DIGITS.into() },
        |s| exec_owner(s, &ExecuteMsg::RegisterModel { model: again }),
    );
}

#[test]
fn updating_or_toggling_an_unknown_model_is_refused() {
    let mut suite = suite();
    let mut ghost = digits_model();
    ghost.id = "ghost".into();
    refused(
        &mut suite,
        ContractError::ModelNotFound { id: "ghost".into() },
        |s| exec_owner(s, &ExecuteMsg::UpdateModel { model: ghost }),
    );
    refused(
        &mut suite,
        ContractError::ModelNotFound { id: "ghost".into() },
        |s| exec_owner(s, &ExecuteMsg::DeactivateModel { id: "ghost".into() }),
    );
}

#[test]
fn malformed_model_specs_are_refused() {
    let mut suite = suite();
    let hash_err = || ContractError::InvalidModel {
        reason: "weights_sha256 must be 64 lowercase hex chars".into(),
    };
    let bad_hashes = [
        "AB".repeat(32),       // upper case
        "ab".repeat(31) + "a", // 63 chars
        "ab".repeat(33),       // 66 chars
        "zz".repeat(32),       // not hex
        String::new(),
    ];
    for hash in bad_hashes {
        let mut m = digits_model();
        m.id = "bad-hash".into();
        m.weights_sha256 = hash.clone();
        refused(&mut suite, hash_err(), |s| {
            exec_owner(s, &ExecuteMsg::RegisterModel { model: m })
        });
        // an update cannot sneak it in either
        let mut m = digits_model();
        m.weights_sha256 = hash;
        refused(&mut suite, hash_err(), |s| {
            exec_owner(s, &ExecuteMsg::UpdateModel { model: m })
        });
    }

    let mut m = digits_model();
    m.id = "fuzzy-labels".into();
    m.tolerance = 1;
    refused(
        &mut suite,
        ContractError::InvalidModel {
            reason: "class labels must agree exactly: tolerance must be 0".into(),
        },
        |s| exec_owner(s, &ExecuteMsg::RegisterModel { model: m }),
    );

    let mut m = digits_model();
    m.id = "Upper-Case".into();
    refused(
        &mut suite,
        ContractError::InvalidModel {
            reason: "id must be 1–64 chars of [a-z0-9._-]".into(),
        },
        |s| exec_owner(s, &ExecuteMsg::RegisterModel { model: m }),
    );

    let mut m = digits_model();
    m.id = "one-class".into();
    m.output = market::OutputSpec::ClassLabels {
        num_classes: 1,
        labels: vec![],
    };
    refused(
        &mut suite,
        ContractError::InvalidModel {
            reason: "a classifier needs at least 2 classes".into(),
        },
        |s| exec_owner(s, &ExecuteMsg::RegisterModel { model: m }),
    );

    let mut m: ModelSpec = regression_model();
    m.id = "zero-dim".into();
    m.input.shape = vec![8, 0];
    refused(
        &mut suite,
        ContractError::InvalidModel {
            reason: "input shape must have 1–8 dimensions, none zero".into(),
        },
        |s| exec_owner(s, &ExecuteMsg::RegisterModel { model: m }),
    );
}

// ---- providers ------------------------------------------------------------------------------

#[test]
fn registering_without_enough_bonded_stake_is_refused() {
    let mut suite = suite();
    suite.fund("newbie", 5_000 * TOKEN).unwrap();
    // nothing bonded, only a wallet balance
    refused(
        &mut suite,
        ContractError::InsufficientStake {
            required: Uint128::new(MIN_STAKE),
            bonded: Uint128::zero(),
        },
        |s| s.register_provider("newbie", &[DIGITS]),
    );
    // one base unit short
    suite.bond("newbie", MIN_STAKE - 1).unwrap();
    refused(
        &mut suite,
        ContractError::InsufficientStake {
            required: Uint128::new(MIN_STAKE),
            bonded: Uint128::new(MIN_STAKE - 1),
        },
        |s| s.register_provider("newbie", &[DIGITS]),
    );
    assert!(suite
        .try_query::<_, market::ProviderResponse>(
            &suite.market(),
            &market::QueryMsg::Provider {
                address: suite.addr("newbie").to_string(),
            },
        )
        .is_err());
    // exactly the minimum is enough
    suite.bond("newbie", 1).unwrap();
    suite.register_provider("newbie", &[DIGITS]).unwrap();
}

#[test]
fn registering_twice_is_refused() {
    let mut suite = suite();
    let address = suite.addr("p1").to_string();
    refused(&mut suite, ContractError::ProviderExists { address }, |s| {
        s.register_provider("p1", &[DIGITS])
    });
}

#[test]
fn registering_for_an_unknown_model_or_with_bad_hardware_is_refused() {
    let mut suite = suite();
    suite.fund("newbie", PROVIDER_STAKE).unwrap();
    suite.bond("newbie", PROVIDER_STAKE).unwrap();
    refused(
        &mut suite,
        ContractError::ModelNotFound {
            id: "no-such-model".into(),
        },
        |s| s.register_provider("newbie", &[DIGITS, "no-such-model"]),
    );
    // A wrong number of models is a `models` error, not a hardware one, on registration and on
    // update alike.
    let too_many = vec![DIGITS; MAX_MODELS_PER_PROVIDER + 1];
    for (models, got) in [(&[][..], 0), (&too_many[..], MAX_MODELS_PER_PROVIDER + 1)] {
        let error = || ContractError::InvalidModels {
            reason: format!("models must list 1..={MAX_MODELS_PER_PROVIDER} model ids, got {got}"),
        };
        refused(&mut suite, error(), |s| {
            s.register_provider("newbie", models)
        });
        let update = ExecuteMsg::UpdateProvider {
            hardware: None,
            models: Some(models.iter().map(|m| m.to_string()).collect()),
            min_unit_price: None,
        };
        refused(&mut suite, error(), |s| exec(s, "p1", &update));
    }
    let mut hw = hardware();
    hw.backend = String::new();
    let msg = ExecuteMsg::RegisterProvider {
        hardware: hw,
        models: vec![DIGITS.into()],
        min_unit_price: Uint128::zero(),
    };
    refused(
        &mut suite,
        ContractError::InvalidHardware {
            reason: "backend must be 1..=64 bytes".into(),
        },
        |s| exec(s, "newbie", &msg),
    );
}

#[test]
fn deregistering_with_unfinished_jobs_is_refused() {
    let mut suite = suite();
    // with redundancy 3 every provider is assigned: p1 holds both jobs
    let a = suite.submit_digits("buyer", 1, 3).unwrap();
    let b = suite.submit_digits("buyer", 1, 3).unwrap();
    refused(
        &mut suite,
        ContractError::ProviderHasActiveJobs { count: 2 },
        |s| exec(s, "p1", &ExecuteMsg::Deregister {}),
    );
    assert!(suite.provider("p1").active);
    // once both jobs are final the provider may leave
    let out = labels_output(&[0]);
    suite
        .run_job(a, &[("p1", out.clone()), ("p2", out.clone()), ("p3", out)])
        .unwrap();
    suite.advance_time(3_600);
    suite.expire("anyone", b).unwrap();
    exec(&mut suite, "p1", &ExecuteMsg::Deregister {}).unwrap();
    assert!(!suite.provider("p1").active);
    // leaving twice is refused
    let address = suite.addr("p1").to_string();
    refused(
        &mut suite,
        ContractError::ProviderInactive { address },
        |s| exec(s, "p1", &ExecuteMsg::Deregister {}),
    );
}

#[test]
fn strangers_cannot_update_or_deregister_a_provider_record() {
    let mut suite = suite();
    let address = suite.addr("stranger").to_string();
    refused(
        &mut suite,
        ContractError::ProviderNotFound {
            address: address.clone(),
        },
        |s| exec(s, "stranger", &ExecuteMsg::Deregister {}),
    );
    refused(
        &mut suite,
        ContractError::ProviderNotFound { address },
        |s| {
            exec(
                s,
                "stranger",
                &ExecuteMsg::UpdateProvider {
                    hardware: None,
                    models: None,
                    min_unit_price: Some(Uint128::new(5)),
                },
            )
        },
    );
}

// ---- commits --------------------------------------------------------------------------------

#[test]
fn committing_twice_is_refused() {
    let mut suite = suite();
    let id = suite.submit_digits("buyer", 1, 2).unwrap();
    let [p1, _] = assigned(&suite, id);
    suite
        .commit_result(p1, id, &labels_output(&[1]), &salt(1))
        .unwrap();
    let first = suite.job(id).slots[0].commitment.clone();
    // a second commitment (e.g. after seeing someone else's reveal) cannot replace the first
    refused(&mut suite, ContractError::AlreadyCommitted { id }, |s| {
        s.commit_result(p1, id, &labels_output(&[2]), &salt(9))
    });
    assert_eq!(suite.job(id).slots[0].commitment, first);
}

#[test]
fn committing_without_holding_a_slot_is_refused() {
    let mut suite = suite();
    let id = suite.submit_digits("buyer", 1, 2).unwrap();
    let [outsider] = unassigned(&suite, id)[..] else {
        panic!("one provider is left out")
    };
    for who in [outsider, "stranger", "buyer"] {
        refused(&mut suite, ContractError::NotAssigned { id }, |s| {
            s.commit_result(who, id, &labels_output(&[1]), &salt(2))
        });
    }
}

#[test]
fn committing_after_the_commit_window_is_refused() {
    let mut suite = suite();
    let id = suite.submit_digits("buyer", 1, 2).unwrap();
    let [p1, p2] = assigned(&suite, id);
    suite.advance_time(599);
    suite
        .commit_result(p1, id, &labels_output(&[1]), &salt(1))
        .unwrap();
    suite.advance_time(1);
    refused(&mut suite, ContractError::CommitWindowClosed { id }, |s| {
        s.commit_result(p2, id, &labels_output(&[1]), &salt(2))
    });
    assert!(suite.job(id).slots[1].commitment.is_none());
}

#[test]
fn a_commitment_that_is_not_32_bytes_is_refused() {
    let mut suite = suite();
    let id = suite.submit_digits("buyer", 1, 1).unwrap();
    let [p1] = assigned(&suite, id);
    for len in [0usize, 1, 31, 33, 64] {
        refused(&mut suite, ContractError::InvalidCommitment { len }, |s| {
            exec(s, p1, &commit_msg(id, vec![7; len]))
        });
    }
    assert!(suite.job(id).slots[0].commitment.is_none());
    exec(&mut suite, p1, &commit_msg(id, vec![7; 32])).unwrap();
}

#[test]
fn committing_to_a_final_job_is_refused() {
    let mut suite = suite();
    let id = suite.submit_digits("buyer", 1, 1).unwrap();
    let [p1] = assigned(&suite, id);
    suite.run_job(id, &[(p1, labels_output(&[5]))]).unwrap();
    refused(
        &mut suite,
        ContractError::JobFinal {
            id,
            status: JobStatus::Settled,
        },
        |s| s.commit_result(p1, id, &labels_output(&[5]), &salt(1)),
    );
}

// ---- reveals --------------------------------------------------------------------------------

#[test]
fn revealing_before_the_reveal_phase_is_refused() {
    let mut suite = suite();
    let id = suite.submit_digits("buyer", 1, 2).unwrap();
    let out = labels_output(&[3]);
    let [p1, _p2] = assigned(&suite, id);
    suite.commit_result(p1, id, &out, &salt(1)).unwrap();
    // p2 has not committed and the commit window is open: revealing would leak p1's answer
    refused(&mut suite, ContractError::RevealNotOpen { id }, |s| {
        s.reveal_result(p1, id, &out, &salt(1))
    });
    assert_eq!(suite.job(id).status, JobStatus::Open);
}

#[test]
fn a_reveal_with_the_wrong_salt_or_the_wrong_output_is_refused() {
    let mut suite = suite();
    let id = suite.submit_digits("buyer", 2, 1).unwrap();
    let out = labels_output(&[3, 4]);
    let [p1] = assigned(&suite, id);
    suite.commit_result(p1, id, &out, &salt(1)).unwrap();
    // the buyer reveals its audit secret: not audited, the reveal phase opens
    assert_eq!(suite.audit(id).unwrap(), None);
    refused(&mut suite, ContractError::CommitmentMismatch {}, |s| {
        s.reveal_result(p1, id, &out, &salt(2))
    });
    refused(&mut suite, ContractError::CommitmentMismatch {}, |s| {
        s.reveal_result(p1, id, &labels_output(&[3, 5]), &salt(1))
    });
    assert_eq!(suite.job(id).status, JobStatus::Revealing);
    suite.reveal_result(p1, id, &out, &salt(1)).unwrap();
    assert_eq!(suite.job(id).status, JobStatus::Settled);
}

#[test]
fn a_copied_output_and_salt_are_useless_without_an_own_commitment() {
    let mut suite = suite();
    let id = suite.submit_digits("buyer", 1, 3).unwrap();
    let out = labels_output(&[8]);
    suite.commit_result("p1", id, &out, &salt(1)).unwrap();
    suite.commit_result("p2", id, &out, &salt(2)).unwrap();
    // p3 never commits; the window closes, p1 reveals publicly
    suite.advance_time(600);
    suite.reveal_result("p1", id, &out, &salt(1)).unwrap();
    // p3 (a slot holder) and a stranger replay p1's reveal
    for who in ["p3", "stranger"] {
        refused(&mut suite, ContractError::NoCommitment { id }, |s| {
            s.reveal_result(who, id, &out, &salt(1))
        });
    }
    // and p3 cannot commit now that it has seen the answer
    refused(&mut suite, ContractError::CommitWindowClosed { id }, |s| {
        s.commit_result("p3", id, &out, &salt(1))
    });
    suite.reveal_result("p2", id, &out, &salt(2)).unwrap();
    assert_eq!(suite.job(id).status, JobStatus::Settled);
    let p3 = suite.slot_of(id, "p3");
    assert_eq!(p3.outcome, Some(SlotOutcome::Missed));
    assert_eq!(p3.paid.u128(), 0);
}

#[test]
fn a_copied_output_and_salt_do_not_open_someone_elses_commitment() {
    let mut suite = suite();
    let id = suite.submit_digits("buyer", 1, 3).unwrap();
    let out = labels_output(&[8]);
    suite.commit_result("p1", id, &out, &salt(1)).unwrap();
    // p2 commits to something else; p3 copies p1's commitment byte for byte
    suite
        .commit_result("p2", id, &labels_output(&[0]), &salt(2))
        .unwrap();
    let p1_commitment = suite.slot_of(id, "p1").commitment.unwrap();
    exec(&mut suite, "p3", &commit_msg(id, p1_commitment.to_vec())).unwrap();
    assert_eq!(suite.job(id).status, JobStatus::Revealing);
    suite.reveal_result("p1", id, &out, &salt(1)).unwrap();
    // the commitment binds the address: neither can open it with p1's output and salt
    for who in ["p2", "p3"] {
        refused(&mut suite, ContractError::CommitmentMismatch {}, |s| {
            s.reveal_result(who, id, &out, &salt(1))
        });
    }
    // after the reveal window: p1 alone revealed, no majority of 2 → expired, refunded
    suite.advance_time(600);
    suite.settle("anyone", id).unwrap();
    assert_eq!(suite.job(id).status, JobStatus::Expired);
    assert_eq!(suite.slot_of(id, "p2").outcome, Some(SlotOutcome::Missed));
    assert_eq!(suite.slot_of(id, "p3").outcome, Some(SlotOutcome::Missed));
}

#[test]
fn a_salt_outside_16_to_64_bytes_is_refused() {
    let mut suite = suite();
    let id = suite.submit_digits("buyer", 1, 1).unwrap();
    let out = labels_output(&[1]);
    let [p1] = assigned(&suite, id);
    let short = Binary::from(vec![1u8; 15]);
    let long = Binary::from(vec![1u8; 65]);
    // commit to the short salt: the reveal is still refused on the salt length
    suite.commit_result(p1, id, &out, &short).unwrap();
    assert_eq!(suite.audit(id).unwrap(), None);
    refused(&mut suite, ContractError::InvalidSalt { len: 15 }, |s| {
        s.reveal_result(p1, id, &out, &short)
    });
    refused(&mut suite, ContractError::InvalidSalt { len: 65 }, |s| {
        s.reveal_result(p1, id, &out, &long)
    });
    refused(&mut suite, ContractError::InvalidSalt { len: 0 }, |s| {
        s.reveal_result(p1, id, &out, &Binary::default())
    });
}

#[test]
fn a_revealed_output_that_violates_the_models_output_spec_is_refused() {
    let mut suite = suite();
    let id = suite.submit_digits("buyer", 2, 1).unwrap();
    let [p1] = assigned(&suite, id);
    // the provider committed to a label ≥ num_classes: it can never reveal it
    let bad_label = labels_output(&[3, 10]);
    suite.commit_result(p1, id, &bad_label, &salt(1)).unwrap();
    assert_eq!(suite.audit(id).unwrap(), None);
    refused(
        &mut suite,
        ContractError::InvalidOutput {
            reason: "label 10 is not below 10".into(),
        },
        |s| s.reveal_result(p1, id, &bad_label, &salt(1)),
    );
    let huge = labels_output(&[3, u32::MAX]);
    refused(
        &mut suite,
        ContractError::InvalidOutput {
            reason: format!("label {} is not below 10", u32::MAX),
        },
        |s| s.reveal_result(p1, id, &huge, &salt(1)),
    );
    for len in [0usize, 4, 7, 9, 12] {
        refused(
            &mut suite,
            ContractError::InvalidOutput {
                reason: format!("{len} bytes, expected 8"),
            },
            |s| s.reveal_result(p1, id, &Binary::from(vec![0u8; len]), &salt(1)),
        );
    }
    // it ends up a no-show: slashed, buyer refunded
    suite.advance_time(600);
    suite.settle("anyone", id).unwrap();
    let job = suite.job(id);
    assert_eq!(job.status, JobStatus::Expired);
    assert_eq!(job.slots[0].outcome, Some(SlotOutcome::Missed));
    suite.assert_balance(suite.addr("buyer"), BUYER_FUNDS);
}

#[test]
fn revealing_twice_is_refused() {
    let mut suite = suite();
    let id = suite.submit_digits("buyer", 1, 2).unwrap();
    let out = labels_output(&[6]);
    let [p1, p2] = assigned(&suite, id);
    suite.commit_result(p1, id, &out, &salt(1)).unwrap();
    suite.commit_result(p2, id, &out, &salt(2)).unwrap();
    suite.reveal_result(p1, id, &out, &salt(1)).unwrap();
    refused(&mut suite, ContractError::AlreadyRevealed { id }, |s| {
        s.reveal_result(p1, id, &out, &salt(1))
    });
    suite.reveal_result(p2, id, &out, &salt(2)).unwrap();
    // once final, any further reveal is refused as such
    refused(
        &mut suite,
        ContractError::JobFinal {
            id,
            status: JobStatus::Settled,
        },
        |s| s.reveal_result(p2, id, &out, &salt(2)),
    );
}

#[test]
fn revealing_after_the_reveal_window_is_refused() {
    let mut suite = suite();
    let id = suite.submit_digits("buyer", 1, 2).unwrap();
    let out = labels_output(&[6]);
    let [p1, p2] = assigned(&suite, id);
    suite.commit_result(p1, id, &out, &salt(1)).unwrap();
    suite.commit_result(p2, id, &out, &salt(2)).unwrap();
    suite.advance_time(599);
    suite.reveal_result(p1, id, &out, &salt(1)).unwrap();
    suite.advance_time(1);
    refused(&mut suite, ContractError::RevealWindowClosed { id }, |s| {
        s.reveal_result(p2, id, &out, &salt(2))
    });
    // p1 alone is not a majority of 2: refunded, p2 slashed as a no-show (its slot's whole
    // stake at risk: the 100-token minimum)
    suite.settle("anyone", id).unwrap();
    let job = suite.job(id);
    assert_eq!(job.status, JobStatus::Expired);
    assert_eq!(job.slots[1].outcome, Some(SlotOutcome::Missed));
    assert_eq!(suite.stake(p2).bonded.u128(), PROVIDER_STAKE - 100 * TOKEN);
}

// ---- settlement, expiry, disputes -----------------------------------------------------------

#[test]
fn settling_twice_is_refused() {
    let mut suite = suite();
    let id = suite.submit_digits("buyer", 1, 1).unwrap();
    suite.advance_time(1_200);
    suite.settle("anyone", id).unwrap();
    refused(
        &mut suite,
        ContractError::JobFinal {
            id,
            status: JobStatus::Expired,
        },
        |s| s.settle("anyone", id),
    );
    // a job settled by its last reveal cannot be settled again either
    let id = suite.submit_digits("buyer", 1, 1).unwrap();
    let [p] = assigned(&suite, id);
    suite.run_job(id, &[(p, labels_output(&[5]))]).unwrap();
    refused(
        &mut suite,
        ContractError::JobFinal {
            id,
            status: JobStatus::Settled,
        },
        |s| s.settle("anyone", id),
    );
}

#[test]
fn settling_too_early_is_refused() {
    let mut suite = suite();
    let id = suite.submit_digits("buyer", 1, 2).unwrap();
    let out = labels_output(&[2]);
    // open, nothing committed
    refused(&mut suite, ContractError::SettleTooEarly { id }, |s| {
        s.settle("anyone", id)
    });
    let [p1, p2] = assigned(&suite, id);
    suite.commit_result(p1, id, &out, &salt(1)).unwrap();
    suite.commit_result(p2, id, &out, &salt(2)).unwrap();
    suite.reveal_result(p1, id, &out, &salt(1)).unwrap();
    // revealing, p2 still has time to reveal
    suite.advance_time(599);
    refused(&mut suite, ContractError::SettleTooEarly { id }, |s| {
        s.settle(p1, id)
    });
    refused(&mut suite, ContractError::JobNotFound { id: 99 }, |s| {
        s.settle("anyone", 99)
    });
}

#[test]
fn expiring_before_the_deadline_is_refused() {
    let mut suite = suite();
    let id = suite.submit_digits("buyer", 1, 1).unwrap();
    let deadline = suite.job(id).deadline.seconds();
    suite.advance_time(3_599);
    refused(
        &mut suite,
        ContractError::DeadlineNotReached { id, deadline },
        |s| s.expire("anyone", id),
    );
    suite.advance_time(1);
    suite.expire("anyone", id).unwrap();
}

#[test]
fn expiring_a_settled_or_expired_job_is_refused() {
    let mut suite = suite();
    let id = suite.submit_digits("buyer", 1, 1).unwrap();
    let [p1] = assigned(&suite, id);
    suite.run_job(id, &[(p1, labels_output(&[5]))]).unwrap();
    suite.advance_time(3_600);
    refused(
        &mut suite,
        ContractError::JobFinal {
            id,
            status: JobStatus::Settled,
        },
        |s| s.expire("anyone", id),
    );
    let id = suite.submit_digits("buyer", 1, 1).unwrap();
    suite.advance_time(3_600);
    suite.expire("anyone", id).unwrap();
    refused(
        &mut suite,
        ContractError::JobFinal {
            id,
            status: JobStatus::Expired,
        },
        |s| s.expire("anyone", id),
    );
}

#[test]
fn resolving_a_job_that_is_not_disputed_is_refused() {
    let mut suite = suite();
    let open = suite.submit_digits("buyer", 1, 1).unwrap();
    let settled = suite.submit_digits("buyer", 1, 1).unwrap();
    let [p1] = assigned(&suite, settled);
    suite
        .run_job(settled, &[(p1, labels_output(&[1]))])
        .unwrap();
    for id in [open, settled] {
        for resolution in [
            DisputeResolution::Void {},
            DisputeResolution::AcceptOutputOf {
                provider: suite.addr(p1).to_string(),
            },
        ] {
            refused(&mut suite, ContractError::NotDisputed { id }, |s| {
                exec_owner(
                    s,
                    &ExecuteMsg::ResolveDispute {
                        job_id: id,
                        resolution,
                    },
                )
            });
        }
    }
    refused(&mut suite, ContractError::JobNotFound { id: 77 }, |s| {
        exec_owner(
            s,
            &ExecuteMsg::ResolveDispute {
                job_id: 77,
                resolution: DisputeResolution::Void {},
            },
        )
    });
}

#[test]
fn a_dispute_cannot_be_resolved_by_a_stranger_or_for_a_provider_without_output() {
    let mut suite = suite();
    let id = suite.submit_digits("buyer", 1, 3).unwrap();
    suite
        .run_job(
            id,
            &[
                ("p1", labels_output(&[1])),
                ("p2", labels_output(&[2])),
                ("p3", labels_output(&[3])),
            ],
        )
        .unwrap();
    assert_eq!(suite.job(id).status, JobStatus::Disputed);
    refused(
        &mut suite,
        ContractError::Ownership(OwnershipError::NotOwner),
        |s| {
            exec(
                s,
                "p1",
                &ExecuteMsg::ResolveDispute {
                    job_id: id,
                    resolution: DisputeResolution::AcceptOutputOf {
                        provider: s.addr("p1").to_string(),
                    },
                },
            )
        },
    );
    let stranger = suite.addr("stranger").to_string();
    refused(
        &mut suite,
        ContractError::NoOutputFrom {
            id,
            provider: stranger.clone(),
        },
        |s| {
            exec_owner(
                s,
                &ExecuteMsg::ResolveDispute {
                    job_id: id,
                    resolution: DisputeResolution::AcceptOutputOf { provider: stranger },
                },
            )
        },
    );
}

// ---- parameters -----------------------------------------------------------------------------

#[test]
fn a_protocol_fee_above_ten_percent_is_refused_and_only_the_owner_changes_parameters() {
    let mut suite = suite();
    let mut params = MarketParams {
        protocol_fee_bps: 1_001,
        ..MarketParams::default()
    };
    refused(
        &mut suite,
        ContractError::InvalidParams {
            reason: "protocol fee 1001 bps exceeds the maximum 1000 bps".into(),
        },
        |s| {
            exec_owner(
                s,
                &ExecuteMsg::UpdateParams {
                    params: params.clone(),
                },
            )
        },
    );
    // a stranger cannot change them at all, even to valid values
    params.protocol_fee_bps = 1_000;
    for who in ["stranger", "p1", "buyer"] {
        refused(
            &mut suite,
            ContractError::Ownership(OwnershipError::NotOwner),
            |s| {
                exec(
                    s,
                    who,
                    &ExecuteMsg::UpdateParams {
                        params: params.clone(),
                    },
                )
            },
        );
    }
    let config: market::ConfigResponse = suite.query(&suite.market(), &market::QueryMsg::Config {});
    assert_eq!(config.params.protocol_fee_bps, 300);
    // exactly 10 % is allowed
    exec_owner(&mut suite, &ExecuteMsg::UpdateParams { params }).unwrap();
    let config: market::ConfigResponse = suite.query(&suite.market(), &market::QueryMsg::Config {});
    assert_eq!(config.params.protocol_fee_bps, 1_000);
}

#[test]
fn parameters_that_break_other_guard_rails_are_refused() {
    let mut suite = suite();
    type Change = Box<dyn Fn(&mut MarketParams)>;
    let cases: Vec<(Change, &str)> = vec![
        (
            Box::new(|p| p.commit_window = 0),
            "commit and reveal windows must be positive",
        ),
        (
            Box::new(|p| p.max_job_lifetime = 1_199),
            "max job lifetime 1199 s is shorter than commit + reveal windows 1200 s",
        ),
        (
            Box::new(|p| p.max_redundancy = 16),
            "max redundancy must be within 1..=15",
        ),
        (
            Box::new(|p| p.max_active_jobs_per_provider = 0),
            "max active jobs per provider must be positive",
        ),
        (
            Box::new(|p| p.discount_tiers[1].min_stake = p.discount_tiers[0].min_stake),
            "discount tiers must be sorted by strictly increasing min_stake",
        ),
        (
            Box::new(|p| p.pricing.floor = Uint128::zero()),
            "price floor must be positive and at most the ceiling",
        ),
    ];
    for (change, reason) in cases {
        let mut params = MarketParams::default();
        change(&mut params);
        refused(
            &mut suite,
            ContractError::InvalidParams {
                reason: reason.into(),
            },
            |s| exec_owner(s, &ExecuteMsg::UpdateParams { params }),
        );
    }
}

#[test]
fn changing_a_models_output_spec_cannot_strand_jobs_in_flight() {
    let mut suite = suite();
    let buyer_before = suite.balance_of("buyer");
    let id = suite.submit_digits("buyer", 1, 2).unwrap();
    let out = labels_output(&[7]);
    let [p1, p2] = assigned(&suite, id);
    suite.commit_result(p1, id, &out, &salt(1)).unwrap();
    suite.commit_result(p2, id, &out, &salt(2)).unwrap();
    suite.reveal_result(p1, id, &out, &salt(1)).unwrap();

    // shrinking the label range would make the revealed label 7 undecodable: every later
    // settle or expire would fail and the escrow would be stuck
    let mut fewer = digits_model();
    fewer.output = market::OutputSpec::ClassLabels {
        num_classes: 5,
        labels: vec![],
    };
    refused(
        &mut suite,
        ContractError::InvalidModel {
            reason: "the output spec cannot change (outputs of jobs in flight are decoded \
                     with it); register a new model id instead"
                .into(),
        },
        |s| exec_owner(s, &ExecuteMsg::UpdateModel { model: fewer }),
    );
    let mut regression = digits_model();
    regression.output = market::OutputSpec::FixedPoint {
        shape: vec![2],
        scale: 100,
    };
    refused(
        &mut suite,
        ContractError::InvalidModel {
            reason: "the output spec cannot change (outputs of jobs in flight are decoded \
                     with it); register a new model id instead"
                .into(),
        },
        |s| exec_owner(s, &ExecuteMsg::UpdateModel { model: regression }),
    );

    // everything else may still change, including the class names
    let mut renamed = digits_model();
    renamed.name = "8x8 digits MLP, retrained".into();
    renamed.weights_sha256 = "ef".repeat(32);
    renamed.cost_units_per_item = 3;
    renamed.output = market::OutputSpec::ClassLabels {
        num_classes: 10,
        labels: (0..10).map(|d| d.to_string()).collect(),
    };
    exec_owner(&mut suite, &ExecuteMsg::UpdateModel { model: renamed }).unwrap();

    // and the job in flight finishes normally
    suite.reveal_result(p2, id, &out, &salt(2)).unwrap();
    assert_eq!(suite.job(id).status, JobStatus::Settled);
    // nothing is stranded: the market holds only the fee that waits for the flush threshold
    suite.assert_balance(suite.market(), suite.market_totals().fees_pending.u128());
    assert_eq!(suite.balance_of("buyer"), buyer_before - 2_000);
}

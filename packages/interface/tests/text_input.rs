//! Text job inputs: the length-prefixed UTF-8 items, and the spec check the market and the
//! worker share.

use acn_interface::market::{
    decode_text_items, encode_text_items, DType, InputSpec, ModelSpec, OutputSpec, SpecError,
};

fn text_model(max_bytes: u32, max_batch: u32) -> ModelSpec {
    ModelSpec {
        id: "text".into(),
        name: "text".into(),
        architecture: "bert-l6-h384-meanpool-l2".into(),
        weights_sha256: "0".repeat(64),
        weights_uri: "pypi:x".into(),
        input: InputSpec {
            shape: vec![max_bytes, 128],
            dtype: DType::Utf8,
            max_batch,
        },
        output: OutputSpec::FixedPoint {
            shape: vec![384],
            scale: 1_000_000,
        },
        tolerance: 100,
        cost_units_per_item: 1,
        min_redundancy: 1,
    }
}

#[test]
fn texts_round_trip_through_their_encoding() {
    let texts = ["A man is eating food.", "", "Zoë — 東京 😀"];
    let bytes = encode_text_items(&texts);
    assert_eq!(&bytes[..4], &21u32.to_le_bytes());
    assert_eq!(decode_text_items(&bytes, 3, 64).unwrap(), texts);
    let spec = text_model(64, 4);
    assert_eq!(spec.input.text_limits(), Some((64, 128)));
    assert_eq!(spec.input.item_bytes(), 68);
    spec.validate_input(&bytes, 3, 65_536).unwrap();
}

#[test]
fn malformed_text_inputs_are_refused_naming_the_item() {
    let spec = text_model(8, 4);
    let check = |input: &[u8], batch| spec.validate_input(input, batch, 65_536).unwrap_err();
    let two = encode_text_items(&["short", "tiny"]);
    // Fewer items than the batch says.
    assert_eq!(
        check(&two, 3).to_string(),
        "text item 2: the input ends before its length prefix"
    );
    // More bytes than the items.
    assert_eq!(check(&two, 1), SpecError::TextTrailingBytes { count: 8 });
    // Longer than max_bytes.
    let long = encode_text_items(&["nine byte"]);
    assert_eq!(
        check(&long, 1).to_string(),
        "text item 0: 9 bytes, more than the model's 8"
    );
    // A length prefix running past the end.
    let mut cut = encode_text_items(&["abcdef"]);
    cut.truncate(8);
    assert_eq!(
        check(&cut, 1).to_string(),
        "text item 0: 6 bytes announced, 4 left"
    );
    // Not UTF-8.
    let mut bad = 2u32.to_le_bytes().to_vec();
    bad.extend([0xc3, 0x28]);
    assert!(check(&bad, 1)
        .to_string()
        .starts_with("text item 0: not valid UTF-8"));
    // The batch range and the size limit still apply.
    assert_eq!(check(&two, 5), SpecError::InvalidBatch { batch: 5, max: 4 });
    assert_eq!(
        spec.validate_input(&two, 2, 10).unwrap_err(),
        SpecError::InputTooLarge { size: 17, max: 10 }
    );
}

#[test]
fn a_text_shape_needs_max_bytes_and_max_tokens() {
    let mut spec = text_model(64, 4);
    spec.input.shape = vec![64];
    assert_eq!(spec.input.text_limits(), None);
    assert!(matches!(
        spec.validate_input(&encode_text_items(&["x"]), 1, 65_536),
        Err(SpecError::BadText { .. })
    ));
}

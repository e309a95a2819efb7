// Run by scripts/check-ts.sh (node's test runner through tsx).
import assert from "node:assert/strict";
import { test } from "node:test";

import { contractError, decodeResult, encodeInput, UsageError } from "./codec";
import type { ModelSpec } from "./contracts/AcnMarket.types";

const spec = (dtype: "u8" | "i32" | "f32", shape: number[], maxBatch = 4): ModelSpec => ({
  id: "m",
  name: "m",
  architecture: "a",
  weights_sha256: "0".repeat(64),
  weights_uri: "u",
  input: { shape, dtype, max_batch: maxBatch },
  output: { class_labels: { num_classes: 3, labels: ["a", "b", "c"] } },
  tolerance: 0,
  cost_units_per_item: 1,
  min_redundancy: 1,
});

test("u8 items are bytes, the batch is counted in items of the shape", () => {
  const { bytes, batch } = encodeInput(spec("u8", [2, 2]), [0, 1, 2, 255, 16, 0, 0, 3]);
  assert.equal(batch, 2);
  assert.deepEqual([...bytes], [0, 1, 2, 255, 16, 0, 0, 3]);
});

test("i32 and f32 are little-endian", () => {
  assert.deepEqual([...encodeInput(spec("i32", [1]), [-2]).bytes], [0xfe, 0xff, 0xff, 0xff]);
  assert.deepEqual([...encodeInput(spec("f32", [1]), [1.5]).bytes], [0, 0, 0xc0, 0x3f]);
});

test("bad inputs are refused naming the element and the expected type", () => {
  assert.throws(() => encodeInput(spec("u8", [2]), [1, 2, 3]), {
    name: "Error",
    message: /--input: 3 numbers is not a whole number of items of shape \[2\]/,
  });
  assert.throws(() => encodeInput(spec("u8", [1]), [1, 256]), /--input\[1\]: expected an integer in 0..=255 \(u8\), got 256/);
  assert.throws(() => encodeInput(spec("i32", [1]), [0.5]), /--input\[0\]: expected an integer/);
  assert.throws(() => encodeInput(spec("u8", [1], 2), [1, 2, 3]), /3 items, model m takes at most 2/);
  assert.throws(() => encodeInput(spec("u8", [1]), [300]), UsageError);
});

test("class labels decode to their names, unnamed ones to their number", () => {
  const result = new Uint8Array([2, 0, 0, 0, 0, 0, 0, 0, 7, 0, 0, 0]);
  assert.deepEqual(decodeResult(spec("u8", [1]).output, result, 3), ["c", "a", "7"]);
});

test("fixed-point tensors decode to numbers per item", () => {
  const words = new Int32Array([12_345, -20_000, 5, 0]);
  const output = { fixed_point: { shape: [2], scale: 10_000 } };
  assert.deepEqual(decodeResult(output, new Uint8Array(words.buffer), 2), [
    [1.2345, -2],
    [0.0005, 0],
  ]);
});

test("a training job's result decodes to its status, weights hash and metrics", () => {
  const bytes = new Uint8Array(36 + 8);
  const view = new DataView(bytes.buffer);
  bytes.fill(0xab, 4, 36);
  view.setInt32(36, 930_000, true);
  view.setInt32(40, 339_779, true);
  const output = { trained: { metrics: ["held_out_accuracy", "held_out_loss"], scale: 1_000_000 } };
  assert.deepEqual(decodeResult(output, bytes, 1), [
    `trained, weights sha256 ${"ab".repeat(32)}, held_out_accuracy 0.93, held_out_loss 0.339779`,
  ]);
  const trainer = { ...spec("u8", [65], 1), input: { shape: [65], dtype: "training" as const, max_batch: 1 } };
  assert.throws(() => encodeInput(trainer, [1]), UsageError);
});

test("a contract's error is taken out of the node's answer", () => {
  const execute =
    "Query failed with (6): rpc error: code = Unknown desc = failed to execute message; message index: 0: " +
    "not enough eligible providers for model m: 3 needed, 2 found: execute wasm contract failed " +
    "[CosmWasm/wasmd/x/wasm/keeper/keeper.go:452] with gas used: '267083': unknown request";
  assert.equal(contractError(execute), "not enough eligible providers for model m: 3 needed, 2 found");
  const query = "Query failed with (6): model nope not found: query wasm contract failed: unknown request";
  assert.equal(contractError(query), "model nope not found");
  assert.equal(contractError("fetch failed"), "fetch failed");
});

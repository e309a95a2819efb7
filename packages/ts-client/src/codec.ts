// The encodings the job script needs, apart from any chain: a model input from numbers, a
// result to labels or numbers, a contract's error out of a node's answer.

import type { ModelSpec, OutputSpec } from "./contracts/AcnMarket.types";

/// A refusal with a message a person can act on (printed without a stack trace).
export class UsageError extends Error {}

/// The input bytes of `values` for `spec`, and the number of items they hold.
export function encodeInput(spec: ModelSpec, values: number[]): { bytes: Uint8Array; batch: number } {
  const perItem = spec.input.shape.reduce((a, b) => a * b, 1);
  if (values.length % perItem !== 0) {
    throw new UsageError(
      `--input: ${values.length} numbers is not a whole number of items of shape ` +
        `[${spec.input.shape.join(", ")}] (${perItem} numbers each) for model ${spec.id}`,
    );
  }
  const batch = values.length / perItem;
  if (batch > spec.input.max_batch) {
    throw new UsageError(`--input: ${batch} items, model ${spec.id} takes at most ${spec.input.max_batch}`);
  }
  const dtype = spec.input.dtype;
  if (dtype === "training") {
    throw new UsageError(`model ${spec.id} trains: its input is a training request (acn job train), not numbers`);
  }
  const size = dtype === "u8" ? 1 : 4;
  const view = new DataView(new ArrayBuffer(values.length * size));
  values.forEach((value, i) => {
    const range = (lo: number, hi: number) => {
      if (!Number.isInteger(value) || value < lo || value > hi) {
        throw new UsageError(`--input[${i}]: expected an integer in ${lo}..=${hi} (${dtype}), got ${value}`);
      }
    };
    if (dtype === "u8") {
      range(0, 255);
      view.setUint8(i, value);
    } else if (dtype === "i32") {
      range(-2_147_483_648, 2_147_483_647);
      view.setInt32(i * 4, value, true);
    } else {
      view.setFloat32(i * 4, value, true);
    }
  });
  return { bytes: new Uint8Array(view.buffer), batch };
}

/// One item's decoded output: a class name (or number) or a tensor of numbers.
export type Decoded = string | number[];

/// Decode a final job's `result` per the model's output spec.
export function decodeResult(output: OutputSpec, result: Uint8Array, batch: number): Decoded[] {
  const view = new DataView(result.buffer, result.byteOffset, result.byteLength);
  if ("class_labels" in output) {
    const { labels } = output.class_labels;
    return Array.from({ length: batch }, (_, i) => {
      const label = view.getUint32(i * 4, true);
      return labels[label] ?? String(label);
    });
  }
  if ("trained" in output) {
    // Per item: a status word, the weights' sha256, one fixed-point word per metric.
    const { metrics, scale } = output.trained;
    const statuses = ["trained", "dataset_unavailable", "dataset_mismatch"];
    const itemBytes = 36 + 4 * metrics.length;
    return Array.from({ length: batch }, (_, i) => {
      const at = i * itemBytes;
      const status = view.getUint32(at, true);
      const hash = Array.from(result.subarray(at + 4, at + 36), (b) => b.toString(16).padStart(2, "0")).join("");
      const values = metrics.map((name, j) => `${name} ${view.getInt32(at + 36 + 4 * j, true) / scale}`);
      return [statuses[status] ?? `status ${status}`, `weights sha256 ${hash}`, ...values].join(", ");
    });
  }
  const { shape, scale } = output.fixed_point;
  const words = shape.reduce((a, b) => a * b, 1);
  return Array.from({ length: batch }, (_, i) =>
    Array.from({ length: words }, (_, j) => view.getInt32((i * words + j) * 4, true) / scale),
  );
}

/// The contract's own error inside a node's answer, without the RPC and keeper text around it
/// ("... message index: 0: <error>: execute wasm contract failed [...]"), or the whole message.
export function contractError(message: string): string {
  const execute = /message index: \d+: (.*?): execute wasm contract failed/s;
  const query = /Query failed with \(\d+\): (.*?): query wasm contract failed/s;
  return execute.exec(message)?.[1] ?? query.exec(message)?.[1] ?? message;
}


// Submit one ACN job with CosmJS and the generated clients, wait until it is final, print its
// result.
//
//   ACN_BUYER_MNEMONIC="..." npx tsx src/job.ts --deployment FILE --rpc URL \
//       --model ID --input '[0, 3, 16, ...]' [--redundancy R] [--gas-price 0.025ustake]
//       [--gas-adjustment 1.4] [--deadline-secs 3600] [--timeout-secs 600] [--json]
//
// (scripts/cosmjs-job.sh wraps this.) The buyer's mnemonic comes from the environment variable
// ACN_BUYER_MNEMONIC only. The deployment file is the JSON the deployment writes (top-level
// `chain_id`, `token`, `market`, ...). The input is a JSON array of numbers: one or more items
// of the model's input shape, flattened, encoded as the model's dtype (u8, i32 or f32,
// little-endian). The job is paid with the token's CW20 `Send` to the market carrying the
// market's `SubmitJob` hook (in a stable-priced market: the stable attached to the market's
// `SubmitJob`), exactly the quoted price. A redundancy-1 job commits to a random
// audit secret and reveals it once its provider has committed (so its reveal phase opens at
// once; the market may then draw a second provider to audit it). The result is decoded per the
// model's output spec: class labels by name, fixed-point tensors as numbers. Exits 0 when the
// job settled (or its dispute was resolved) with a result, 1 otherwise (expired, disputed,
// timed out, refused; ACN_DEBUG=1 adds the stack of an error).

import { createHash, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";

import { type ExecuteResult, SigningCosmWasmClient } from "@cosmjs/cosmwasm-stargate";
import { fromBase64, fromBech32, toBase64, toHex, toUtf8 } from "@cosmjs/encoding";
import { DirectSecp256k1HdWallet } from "@cosmjs/proto-signing";
import { GasPrice } from "@cosmjs/stargate";

import { AcnMarketClient } from "./contracts/AcnMarket.client";
import type { JobResponse } from "./contracts/AcnMarket.types";
import type { ReceiveMsg } from "./contracts/AcnMarketHooks.types";
import { AcnTokenClient } from "./contracts/AcnToken.client";
import { contractError, decodeResult, encodeInput, UsageError } from "./codec";
import { connectCometBft, signingClient } from "./cosmjs";

/// The environment variable holding the buyer's mnemonic.
const MNEMONIC_VAR = "ACN_BUYER_MNEMONIC";

/// Command-line options, checked.
interface Options {
  deployment: Deployment;
  rpc: string;
  model: string;
  input: number[];
  redundancy?: number;
  gasPrice: string;
  gasAdjustment: number;
  deadlineSecs: number;
  timeoutSecs: number;
  json: boolean;
}

/// The fields of the deployment file this script reads.
interface Deployment {
  chain_id: string;
  token: string;
  market: string;
}

function usage(): string {
  return readFileSync(__filename, "utf8")
    .split("\n")
    .slice(0, 8)
    .map((line) => line.replace(/^\/\/ ?/, ""))
    .join("\n");
}

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      deployment: { type: "string" },
      rpc: { type: "string" },
      model: { type: "string" },
      input: { type: "string" },
      redundancy: { type: "string" },
      "gas-price": { type: "string", default: "0.025ustake" },
      "gas-adjustment": { type: "string", default: "1.4" },
      "deadline-secs": { type: "string", default: "3600" },
      "timeout-secs": { type: "string", default: "600" },
      json: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(usage());
    process.exit(0);
  }
  const required = (name: "deployment" | "rpc" | "model" | "input"): string => {
    const value = values[name];
    if (value === undefined || value === "") {
      throw new UsageError(`--${name} is required\n\n${usage()}`);
    }
    return value;
  };
  return {
    deployment: readDeployment(required("deployment")),
    rpc: required("rpc"),
    model: required("model"),
    input: parseInput(required("input")),
    redundancy:
      values.redundancy === undefined ? undefined : integer("--redundancy", values.redundancy, 1, 255),
    gasPrice: values["gas-price"]!,
    gasAdjustment: positive("--gas-adjustment", values["gas-adjustment"]!, 1),
    deadlineSecs: integer("--deadline-secs", values["deadline-secs"]!, 1, 365 * 86_400),
    timeoutSecs: integer("--timeout-secs", values["timeout-secs"]!, 1, 86_400),
    json: values.json!,
  };
}

function integer(flag: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new UsageError(`${flag}: expected an integer in ${min}..=${max}, got ${JSON.stringify(text)}`);
  }
  return value;
}

function positive(flag: string, text: string, min: number): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value < min) {
    throw new UsageError(`${flag}: expected a number >= ${min}, got ${JSON.stringify(text)}`);
  }
  return value;
}

function readDeployment(path: string): Deployment {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new UsageError(`--deployment ${path}: cannot read it as JSON: ${(e as Error).message}`);
  }
  const record = parsed as Record<string, unknown>;
  for (const key of ["chain_id", "token", "market"]) {
    if (typeof record?.[key] !== "string" || record[key] === "") {
      throw new UsageError(`--deployment ${path}: field \`${key}\` is missing (expected a string)`);
    }
  }
  return record as unknown as Deployment;
}

function parseInput(text: string): number[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`--input: expected a JSON array of numbers: ${(e as Error).message}`);
  }
  if (!Array.isArray(parsed) || parsed.length === 0) {
    throw new UsageError("--input: expected a non-empty JSON array of numbers");
  }
  parsed.forEach((value, i) => {
    if (typeof value !== "number" || !Number.isFinite(value)) {
      throw new UsageError(`--input[${i}]: expected a finite number, got ${JSON.stringify(value)}`);
    }
  });
  return parsed as number[];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const nanos = (seconds: number) => (BigInt(seconds) * 1_000_000_000n).toString();

async function main(): Promise<number> {
  const opts = parseOptions(process.argv.slice(2));
  const log = (line: string) => (opts.json ? console.error(line) : console.log(line));
  const mnemonic = process.env[MNEMONIC_VAR]?.trim();
  if (!mnemonic) {
    throw new UsageError(`${MNEMONIC_VAR} is not set: export the buyer's mnemonic in it`);
  }
  const { deployment } = opts;
  // An explicit length limit: CosmJS 0.37's default (Infinity) is refused by the @scure/base 2.4
  // it resolves to. Bech32 addresses are at most 90 characters (BIP-173); contract ones are 63.
  const prefix = fromBech32(deployment.market, 90).prefix;
  const wallet = await DirectSecp256k1HdWallet.fromMnemonic(mnemonic, { prefix });
  const [{ address: buyer }] = await wallet.getAccounts();
  const comet = await connectCometBft(opts.rpc).catch((e: Error) => {
    throw new Error(`cannot reach the node at --rpc ${opts.rpc}: ${e.message}`);
  });
  const client = SigningCosmWasmClient.createWithSigner(comet, wallet, {
    gasPrice: GasPrice.fromString(opts.gasPrice),
  });
  const chainId = await client.getChainId();
  if (chainId !== deployment.chain_id) {
    throw new UsageError(`--rpc ${opts.rpc} serves chain ${chainId}, the deployment is on ${deployment.chain_id}`);
  }
  const market = new AcnMarketClient(signingClient(client), buyer, deployment.market);
  const token = new AcnTokenClient(signingClient(client), buyer, deployment.token);

  const { spec, active } = await market.model({ id: opts.model });
  if (!active) {
    throw new UsageError(`--model ${opts.model}: the model is deactivated`);
  }
  const { bytes, batch } = encodeInput(spec, opts.input);
  const redundancy = opts.redundancy ?? spec.min_redundancy;
  const quote = await market.quote({ modelId: spec.id, batch, redundancy, buyer });
  // A stable-priced market (the quote names its denom) is paid in that bank denom, attached
  // to the market's SubmitJob; a market in ACN through the token's Send with the SubmitJob hook.
  const denom = quote.denom ?? undefined;
  const balance = denom
    ? (await client.getBalance(buyer, denom)).amount
    : (await token.balance({ address: buyer })).balance;
  const unit = denom ?? "ACN base units";
  log(
    `buyer ${buyer}: balance ${balance} ${unit}; quote for ${batch} item(s) of ${spec.id} at ` +
      `redundancy ${redundancy}: ${quote.price} ${unit} (unit price ${quote.unit_price}, ${quote.units} units, ` +
      `discount ${quote.discount}` +
      (quote.price_acn ? `; or ${quote.price_acn} ACN base units at the TWAP ${quote.acn_price}` : "") +
      ")",
  );

  const block = await client.getBlock();
  const now = Math.floor(new Date(block.header.time).getTime() / 1000);
  const secret = randomBytes(32);
  const request = {
    model_id: spec.id,
    input: toBase64(bytes),
    batch,
    redundancy,
    max_unit_price: quote.unit_price,
    deadline: nanos(now + opts.deadlineSecs),
    audit_commitment: redundancy === 1 ? createHash("sha256").update(secret).digest("hex") : undefined,
  };
  const tx: ExecuteResult = denom
    ? await market.submitJob(
        {
          modelId: request.model_id,
          input: request.input,
          batch: request.batch,
          redundancy: request.redundancy,
          maxUnitPrice: request.max_unit_price,
          deadline: request.deadline,
          auditCommitment: request.audit_commitment,
        },
        opts.gasAdjustment,
        undefined,
        [{ denom, amount: quote.price }],
      )
    : await token.send(
        {
          contract: deployment.market,
          amount: quote.price,
          msg: toBase64(toUtf8(JSON.stringify({ submit_job: request } satisfies ReceiveMsg))),
        },
        opts.gasAdjustment,
      );
  const jobId = Number(
    tx.events
      .filter((e) => e.type === "wasm")
      .flatMap((e) => e.attributes)
      .find((a) => a.key === "job_id")?.value,
  );
  if (!Number.isSafeInteger(jobId)) {
    throw new Error(`the submission ${tx.transactionHash} has no job_id attribute`);
  }
  log(`submitted job ${jobId} in tx ${tx.transactionHash} (height ${tx.height}, gas ${tx.gasUsed})`);

  const started = Date.now();
  let job: JobResponse = await market.job({ id: jobId });
  log(`job ${jobId}: ${job.status}, providers ${job.slots.map((s) => s.provider).join(", ")}`);
  let shown = job.status;
  let auditRevealed = false;
  while (job.status === "open" || job.status === "revealing") {
    if (Date.now() - started > opts.timeoutSecs * 1000) {
      log(`job ${jobId}: still ${job.status} after ${opts.timeoutSecs} s; giving up (it stays on chain)`);
      return 1;
    }
    // Redundancy 1: reveal the audit secret once the provider has committed.
    const committed = job.slots.length > 0 && job.slots.every((s) => s.commitment);
    if (job.audit && job.audit.audited == null && committed && !auditRevealed) {
      await market.revealAuditSecret({ jobId, secret: toBase64(secret) }, opts.gasAdjustment);
      auditRevealed = true;
      job = await market.job({ id: jobId });
      log(`job ${jobId}: audit secret revealed; audited: ${job.audit?.audited}`);
    }
    await sleep(1000);
    job = await market.job({ id: jobId });
    if (job.status !== shown) {
      log(`job ${jobId}: ${job.status}`);
      shown = job.status;
    }
  }

  const result = job.result ? decodeResult(spec.output, fromBase64(job.result), job.batch) : null;
  const summary = {
    job_id: jobId,
    status: job.status,
    model_id: spec.id,
    price: job.price,
    fee: job.fee,
    refunded: job.refunded,
    providers: job.slots.map((s) => ({ provider: s.provider, outcome: s.outcome ?? null })),
    result,
    result_hex: job.result ? toHex(fromBase64(job.result)) : null,
  };
  if (opts.json) {
    console.log(JSON.stringify(summary));
  } else {
    for (const slot of summary.providers) {
      log(`  ${slot.provider}: ${slot.outcome}`);
    }
    if (result) {
      log(`result (${job.status}, fee ${job.fee}): ${JSON.stringify(result)}`);
    } else {
      log(`no result: job ${job.status}, ${job.refunded} refunded`);
    }
  }
  return result ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    const message = e instanceof Error ? e.message : String(e);
    const refused = contractError(message);
    console.error(refused === message ? `error: ${message}` : `refused by the contract: ${refused}`);
    if (process.env.ACN_DEBUG && e instanceof Error && e.stack) {
      console.error(e.stack);
    }
    process.exit(e instanceof UsageError ? 2 : 1);
  },
);

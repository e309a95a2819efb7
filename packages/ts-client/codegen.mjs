// Generates the TypeScript client of every ACN contract from the committed schemas.
//
//   node codegen.mjs [OUT_DIR]        (default: src/contracts)
//
// Used through `npm run codegen` (or scripts/check-ts.sh --write).
//
// Every folder of schema/ is one input: the contracts (schema/acn-market/, ...) get types and a
// query + signing client, the CW20 hook messages (schema/acn-market-hooks/, ...) get their types
// (`ReceiveMsg`). scripts/check-ts.sh runs this into a temp dir and diffs the result with the
// committed src/contracts/.
import { readdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import tsCodegen from "@cosmwasm/ts-codegen";

// A CommonJS module: its default export arrives as `.default` of the namespace.
const codegen = tsCodegen.default ?? tsCodegen;

const here = dirname(fileURLToPath(import.meta.url));
const schemaRoot = resolve(here, "../../schema");
const outPath = resolve(process.argv[2] ?? join(here, "src/contracts"));

// acn-market-hooks -> AcnMarketHooks
const pascal = (name) =>
  name
    .split("-")
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join("");

const contracts = readdirSync(schemaRoot, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort()
  .map((name) => ({ name: pascal(name), dir: join(schemaRoot, name) }));

const options = {
  bundle: { enabled: false },
  types: { enabled: true },
  client: { enabled: true, execExtendsQuery: true },
  reactQuery: { enabled: false },
  recoil: { enabled: false },
  messageComposer: { enabled: false },
  messageBuilder: { enabled: false },
  useContractsHook: { enabled: false },
};
// The DAO has an execute `vote` and a query `vote` (cw3), so its signing client cannot extend its
// query client: it gets the two apart (AcnDaoQueryClient for reads, AcnDaoClient for votes).
const apart = new Set(["AcnDao"]);
const isHooks = (c) => c.name.endsWith("Hooks");
const groups = [
  [contracts.filter((c) => !isHooks(c) && !apart.has(c.name)), options],
  [
    contracts.filter((c) => apart.has(c.name)),
    { ...options, client: { enabled: true, execExtendsQuery: false } },
  ],
  // Hook messages are no contract of their own: types only (sent with the token's `send`).
  [contracts.filter(isHooks), { ...options, client: { enabled: false } }],
];

// A hook folder holds one plain JSON Schema (`ReceiveMsg`), not a contract IDL: ts-codegen warns
// about every such folder that it reads it in its legacy mode. That is the mode we mean.
const warn = console.warn;
console.warn = (...args) => {
  if (!String(args[0]).startsWith("Found a single schema file with missing idl_version")) {
    warn(...args);
  }
};
for (const [group, groupOptions] of groups) {
  await codegen({ contracts: group, outPath, options: groupOptions });
}
console.warn = warn;
console.log(`generated ${contracts.map((c) => c.name).join(", ")} into ${outPath}`);

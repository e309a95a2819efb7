#!/usr/bin/env bash
# The README's third block, run as written, through the binaries (a stage of
# the wasmd tests; also a walkthrough to read):
#
#   bash scripts/quickstart.sh [--keep]
#
#   1. a wasmd localnet (scripts/localnet.sh up) and its WASMD_*/ACN_* variables;
#   2. `acn deploy`: the whole system from the genesis file, handed to the DAO,
#      then `acn deploy` again (finds it deployed, sends nothing) and `acn status`;
#   3. a provider: `acn-worker register`, then `acn-worker run` in the background;
#   4. a buyer: `acn job quote` (in USDC and in ACN at the TWAP), `acn job submit …`
#      (paid in uusdc) `&& acn job wait` printing the decoded labels, `acn job show`;
#   5. a holder: `acn stake bond`, `acn stake status`;
#   6. the CosmJS script (scripts/cosmjs-job.sh) submits a job and reads its result.
# Uses its own deployment file and worker journal in a temporary folder, so it
# runs beside other deployments on the same localnet. Exits non-zero when any
# step fails. The worker is stopped at the end; the localnet is left running
# unless this script started it and --keep is not given.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ACN_ROOT" || exit 1

KEEP=0
[[ ${1:-} == --keep ]] && KEEP=1

ensure_wasmd
for c in token staking treasury market emissions pool oracle buyback agents subscriptions dao; do
    [[ -f artifacts/acn_$c.wasm ]] || bash "$ACN_ROOT/scripts/build-wasm.sh"
done
step "build: acn, acn-worker (the installed binaries: no embedded chain)"
cargo build --locked -q -p acn-cli -p acn-worker --bin acn --bin acn-worker
BIN="$CARGO_TARGET_DIR/debug"
acn() { "$BIN/acn" "$@"; }
acn-worker() { "$BIN/acn-worker" "$@"; }

WORK="$(mktemp -d "${TMPDIR:-/tmp}/acn-quickstart.XXXXXX")"
WORKER_PID=""
STARTED=0
cleanup() {
    local rc=$?
    if [[ -n $WORKER_PID ]]; then
        kill "$WORKER_PID" 2>/dev/null || true
        wait "$WORKER_PID" 2>/dev/null || true
    fi
    if ((STARTED && !KEEP)); then bash "$ACN_ROOT/scripts/localnet.sh" down >/dev/null 2>&1 || true; fi
    rm -rf "$WORK"
    exit "$rc"
}
trap cleanup EXIT
set -euo pipefail

step "1. localnet"
if ! curl -sf "${ACN_WASMD_RPC:-http://127.0.0.1:26657}/status" >/dev/null; then
    bash scripts/localnet.sh up
    STARTED=1
fi
eval "$(bash scripts/localnet.sh env)"
D="$WORK/deployment.json"

step "2. operator: acn deploy"
t=$(timer_start)
acn deploy --deployment "$D" --recipient community-sale=buyer-1 --recipient testnet-rewards=provider-1 \
    --recipient investors=keeper --recipient team=keeper
info "acn deploy took $(timer_elapsed "$t")"
acn deploy --deployment "$D" --recipient community-sale=buyer-1 --recipient testnet-rewards=provider-1 \
    --recipient investors=keeper --recipient team=keeper | tee "$WORK/again.txt"
grep -q '^already deployed' "$WORK/again.txt"
acn status --deployment "$D"

step "3. provider: acn-worker register, acn-worker run"
cat >"$WORK/worker.toml" <<TOML
account = "provider-1"
backend = "ndarray"
models = ["digits-mlp-v1"]
registry = "$ACN_ROOT/packages/models/registry.json"
journal = "$WORK/provider-1.journal"

[chain]
rpc = "${ACN_WASMD_RPC:-http://127.0.0.1:26657}"
accounts = "$ACN_ROOT/scripts/localnet-accounts.json"
deployment = "$D"
TOML
acn-worker register --config "$WORK/worker.toml"
"$BIN/acn-worker" run --config "$WORK/worker.toml" --metrics-addr 127.0.0.1:9464 \
    >"$WORK/worker.log" 2>&1 &
WORKER_PID=$!
sleep 2
kill -0 "$WORKER_PID" || { cat "$WORK/worker.log"; die "acn-worker run exited"; }

step "4. buyer: acn job quote | submit | wait | show"
# One held-out digit of the shipped data set (64 pixels, 0..16), as a CSV row.
zcat packages/models/data/digits.csv.gz | sed -n 2p | cut -d, -f1-64 >"$WORK/digit.csv"
# The market prices in uusdc; every job needs the oracle's ACN price (a stable job's stake at
# risk is sized in ACN), which the localnet's one-minute TWAP gives a minute after the seed.
for _ in $(seq 1 24); do
    acn job quote --deployment "$D" --model digits-mlp-v1 --input "$WORK/digit.csv" --output json |
        python3 -c 'import json,sys; sys.exit(json.load(sys.stdin)["price_acn"] is None)' && break
    sleep 5
done
acn job quote --deployment "$D" --model digits-mlp-v1 --input "$WORK/digit.csv"
JOB=$(acn job submit --deployment "$D" --from buyer-1 --model digits-mlp-v1 --input "$WORK/digit.csv" --output json |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["job_id"])')
acn job wait "$JOB" --deployment "$D" --from buyer-1 --timeout-secs 300
acn job show "$JOB" --deployment "$D"

step "5. holder: acn stake bond | status"
acn stake bond 1000 --deployment "$D" --from buyer-1
acn stake status --deployment "$D" --from buyer-1

step "6. CosmJS: scripts/cosmjs-job.sh"
ACN_BUYER_MNEMONIC="$(python3 -c 'import json,sys; print(next(a["mnemonic"] for a in json.load(open(sys.argv[1]))["accounts"] if a["name"] == "buyer-1"))' scripts/localnet-accounts.json)" \
    bash scripts/cosmjs-job.sh --deployment "$D" --model digits-mlp-v1 \
    --input "[$(cat "$WORK/digit.csv")]"

curl -sf 127.0.0.1:9464/metrics | grep -E '^acn_worker_jobs_settled_total'
info "quickstart: every step passed"

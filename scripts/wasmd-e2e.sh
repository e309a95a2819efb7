#!/usr/bin/env bash
# End to end on a real wasmd localnet (a stage of scripts/test.sh):
#
#   bash scripts/wasmd-e2e.sh
#
# Installs wasmd (cached), builds the optimized wasm when artifacts/ lacks it,
# then:
#   1. starts a fresh single-node localnet and runs the wasmd tests of the chain
#      client (packages/client/tests/wasmd.rs, with a DAO proposal end to end),
#      the CLI's governance test (packages/cli/tests/gov.rs) and the end-to-end test
#      (packages/worker/tests/wasmd_e2e.rs): deployment, three acn-worker
#      processes running the real models, 13+ jobs from two buyers, every
#      balance, fee and burn checked; a worker killed between commit and reveal
#      and restarted; the node stopped and restarted with jobs in flight;
#      then every role's command through the binaries (packages/cli/tests/
#      wasmd_roles.rs) and the README's quick start as written
#      (scripts/quickstart.sh: acn deploy from the genesis file, a provider
#      registering and running, a buyer's job submitted and waited for, a holder
#      bonding, the CosmJS script);
#   2. restarts the localnet with 4 validators, and runs the same system with
#      one validator stopped.
# The localnet is brought down (and wiped) at the end, also on failure. Test
# output goes to stdout, so the "test result:" lines count in the summary.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ACN_ROOT" || exit 1

LOCALNET_SH="$ACN_ROOT/scripts/localnet.sh"
cleanup() { bash "$LOCALNET_SH" down --reset >/dev/null 2>&1 || true; }
trap cleanup EXIT

ensure_wasmd
ensure_gpu_runtime
for c in token staking treasury market emissions pool oracle buyback agents subscriptions dao; do
    [[ -f artifacts/acn_$c.wasm ]] || bash "$ACN_ROOT/scripts/build-wasm.sh"
done

rc=0
step "single-node localnet"
bash "$LOCALNET_SH" up --reset
# WASMD_* for the wasmd CLI, ACN_* for acn, ACN_WASMD_RPC for the tests.
eval "$(bash "$LOCALNET_SH" env)"
# --workspace (with --test selecting the targets) keeps cargo's feature unification the same
# as the test stage's, so nothing is compiled again.
ACN_WASMD_VALIDATORS=1 cargo test --workspace --features acn-cli/embedded --locked --test wasmd --test wasmd_profile --test gov -- --ignored --test-threads 2 || rc=1
ACN_WASMD_VALIDATORS=1 cargo test --workspace --features acn-cli/embedded --locked --test wasmd_e2e -- --ignored --exact \
    single_node_jobs_money_worker_crash_and_node_restart --nocapture || rc=1
# Every role's command through the binaries (acn job/stake/gov, acn-worker).
ACN_WASMD_VALIDATORS=1 cargo test --workspace --features acn-cli/embedded --locked --test wasmd_roles -- --ignored || rc=1
# The stable-priced market: a job paid in uusdc, one in ACN, the fees bought back and burned.
ACN_WASMD_VALIDATORS=1 cargo test --workspace --features acn-cli/embedded --locked --test wasmd_pool -- --ignored --nocapture || rc=1
# A three-step agent run paid in uusdc, settled step by step, with its gas and wall time.
ACN_WASMD_VALIDATORS=1 cargo test --workspace --features acn-cli/embedded --locked --test wasmd_agents -- --ignored --nocapture || rc=1
# Result callbacks and subscriptions with real workers (the acn-worker binary the run above
# built): the moderation example, a callback burning its gas, a subscription run three times.
ACN_WASMD_VALIDATORS=1 cargo test --workspace --features acn-cli/embedded --locked --test wasmd_callbacks -- --ignored --nocapture || rc=1
# The simulator's engine on the node: two 120-second days of the base scenario, conservation checked daily.
ACN_WASMD_VALIDATORS=1 cargo test --workspace --features acn-cli/embedded --locked --test wasmd_sim -- --ignored --nocapture || rc=1
step "the README's quick start on the localnet: acn deploy, acn-worker, acn job, acn stake, CosmJS"
bash "$ACN_ROOT/scripts/quickstart.sh" --keep || rc=1

step "4-validator localnet"
bash "$LOCALNET_SH" down --reset
bash "$LOCALNET_SH" up --validators 4 --reset
ACN_WASMD_VALIDATORS=4 cargo test --workspace --features acn-cli/embedded --locked --test wasmd_e2e -- --ignored --exact \
    four_validators_keep_settling_with_one_stopped --nocapture || rc=1
exit "$rc"

#!/usr/bin/env bash
# THE test command of the repository (also what .ci/run executes):
#
#   bash scripts/test.sh
#
# Installs what is missing (Rust components, wasm32 target, wasm-opt; all
# cached in ~/.cache/acn), then runs, in order:
#   fmt     cargo fmt --all -- --check
#   deps    the production binaries (acn, acn-worker) link no test code
#   clippy  cargo clippy --workspace --all-targets --features acn-cli/embedded -- -D warnings
#   test    cargo test --workspace --features acn-cli/embedded (the demo and
#           the simulator are behind the feature: the installed acn omits them)
#   schema  scripts/check-schema.sh      (committed JSON schemas are current)
#   ts      scripts/check-ts.sh          (committed TypeScript client is current
#                                         and type-checks; npm ci of its pinned
#                                         packages once, cached in ~/.cache/acn)
#   wasm    scripts/build-wasm.sh        (release wasm, wasm-opt)
#   wasmd   scripts/wasmd-e2e.sh         (wasmd localnet: every artifact stored
#                                         in wasmd's VM, deploy, worker processes,
#                                         jobs, crash/restart, 4 validators)
# cosmwasm-check is skipped (ACN_COSMWASM_CHECK=0): storing the artifacts in
# wasmd's wasmvm runs the same static checks, and building the tool costs a
# fresh machine 10-30 minutes. ACN_COSMWASM_CHECK=1 runs it as well.
# Every stage runs even when an earlier one failed, so one run shows every
# problem. Ends with a per-stage summary and the line "N passed, M failed":
# N and M are summed over cargo test's "test result:" lines; a failing stage
# other than the tests themselves (or a test build that does not compile)
# counts as one more failure. Exits non-zero if anything failed.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ACN_ROOT" || exit 1

export ACN_COSMWASM_CHECK="${ACN_COSMWASM_CHECK:-0}"

LOG_DIR="$(mktemp -d "${TMPDIR:-/tmp}/acn-test.XXXXXX")"
trap 'rm -rf "$LOG_DIR"' EXIT

STAGES=()
declare -A STATUS=() TIME=()

# run_stage NAME CMD...: run CMD, record its status and wall time.
run_stage() {
    local name=$1 t rc=0
    shift
    step "$name: $*"
    t=$(timer_start)
    "$@" || rc=$?
    STAGES+=("$name")
    TIME[$name]=$(timer_seconds "$t")
    if ((rc == 0)); then
        STATUS[$name]=ok
    else
        STATUS[$name]="FAILED (exit $rc)"
        warn "stage $name failed (exit $rc)"
    fi
}

wasmd_e2e() {
    bash "$ACN_ROOT/scripts/wasmd-e2e.sh" 2>&1 | tee "$LOG_DIR/wasmd-e2e.log"
}

# The installed binaries (acn without the `embedded` feature, acn-worker) must
# not link the embedded chain, cw-multi-test or the test helpers.
production_deps() {
    local linked
    linked=$(cargo tree --locked -e normal -p acn-cli -p acn-worker --prefix none 2>/dev/null |
        grep -oE '^(cw-multi-test|acn-testing|acn-embedded) ' | sort -u | tr '\n' ' ')
    if [[ -n $linked ]]; then
        warn "production binaries link test code: $linked"
        return 1
    fi
    info "acn and acn-worker link none of cw-multi-test, acn-testing, acn-embedded"
}

cargo_test() {
    # --no-fail-fast: run every test binary so the counts are complete.
    cargo test --workspace --features acn-cli/embedded --locked --no-fail-fast 2>&1 | tee "$LOG_DIR/cargo-test.log"
}

# Not through run_stage: bash ignores `set -e` inside a function called as
# `f || ...`, and a failed install must stop everything here.
step "tools: ensure_tools"
t=$(timer_start)
ensure_tools
ensure_minilm # the pretrained text model the models' and worker's tests load
STAGES+=(tools)
STATUS[tools]=ok
TIME[tools]=$(timer_seconds "$t")
# On a fresh machine wasmd's Go build takes ~10 minutes: run it in the
# background, niced, so that it fills the cores the Rust stages leave idle
# (single-crate compiles, links, test runs). The wasmd stage's ensure_wasmd
# waits for it through the build lock (and builds itself if this one failed).
if ! wasmd_ok; then
    info "building wasmd in the background (log: $ACN_LOGS/wasmd-build.log)"
    (nice -n 10 bash -c "source '$ACN_ROOT/scripts/lib.sh' && ensure_wasmd") \
        >"$LOG_DIR/wasmd-build.out" 2>&1 &
fi
run_stage fmt cargo fmt --all -- --check
run_stage deps production_deps
run_stage clippy cargo clippy --workspace --all-targets --features acn-cli/embedded --locked -- -D warnings
run_stage test cargo_test
run_stage schema bash "$ACN_ROOT/scripts/check-schema.sh"
run_stage ts bash "$ACN_ROOT/scripts/check-ts.sh"
run_stage wasm bash "$ACN_ROOT/scripts/build-wasm.sh"
run_stage wasmd wasmd_e2e

# Sum "test result: ok. 12 passed; 0 failed; 0 ignored; ..." over all lines
# (unit tests, integration tests and doc tests of every crate).
read -r passed failed < <(
    awk '/test result:/ {
            for (i = 1; i <= NF; i++) {
                if ($(i + 1) ~ /^passed/) p += $i
                if ($(i + 1) ~ /^failed/) f += $i
            }
        }
        END { printf "%d %d\n", p, f }' "$LOG_DIR"/cargo-test.log "$LOG_DIR"/wasmd-e2e.log 2>/dev/null || echo 0 0
)
failed_stages=0
for name in "${STAGES[@]}"; do
    [[ ${STATUS[$name]} == ok ]] && continue
    # A failing test is already counted by cargo's own lines; a test stage that
    # failed without any failing test (a compile error) counts as one failure.
    if [[ $name != test && $name != wasmd ]] || ((failed == 0)); then
        failed_stages=$((failed_stages + 1))
    fi
done

step "summary"
{
    printf '%-8s %-20s %10s\n' "stage" "status" "wall time"
    for name in "${STAGES[@]}"; do
        printf '%-8s %-20s %10s\n' "$name" "${STATUS[$name]}" "$(fmt_duration "${TIME[$name]}")"
    done
    printf '%-8s %-20s %10s\n' "total" "" "$(fmt_duration $((SECONDS - ACN_T0)))"
    echo
} >&2
printf '%d passed, %d failed\n' "$passed" $((failed + failed_stages))
((failed + failed_stages == 0))

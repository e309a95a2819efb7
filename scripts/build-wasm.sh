#!/usr/bin/env bash
# Build the CosmWasm contracts into artifacts/ and validate them.
#
#   bash scripts/build-wasm.sh               # every crate under contracts/
#   bash scripts/build-wasm.sh acn-token     # only these (package or dir names)
#
# For each contract crate: cargo build --release (panic = abort) --lib for wasm32-unknown-unknown
# (one crate per cargo call, so that no "library" feature leaks in through
# feature unification), then wasm-opt lowers the bulk-memory and sign-extension
# ops that recent Rust emits but the CosmWasm VM rejects, and strips debug
# info. The result goes to artifacts/<crate_name>.wasm; artifacts/checksums.txt
# holds their sha256; cosmwasm-check validates every artifact (skipped with
# ACN_COSMWASM_CHECK=0, as the test command does: its wasmd stage stores every
# artifact in wasmd's own VM, which runs the same checks). Prints a table of
# sizes and check results; exits non-zero if any crate fails to build or check.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ARTIFACTS="$ACN_ROOT/artifacts"
WASM_OPT_FLAGS=(
    -Os
    --llvm-memory-copy-fill-lowering # memory.copy/fill -> loops (bulk-memory)
    --signext-lowering               # i32.extend8_s & co -> shifts (sign-ext)
    --strip-debug --strip-producers --strip-target-features
)

crate_list="$(resolve_crates "$@")" || exit 1
[[ -n $crate_list ]] || die "no contract crates found under contracts/"
mapfile -t CRATES <<<"$crate_list"

step "tools"
ensure_wasm_target
ensure_wasm_opt
CHECK=${ACN_COSMWASM_CHECK:-1}
if ((CHECK)); then
    ensure_cosmwasm_check
fi

mkdir -p "$ARTIFACTS"
cd "$ACN_ROOT" || exit 1

# On a full build, drop artifacts of crates that no longer exist.
if (($# == 0)); then
    for f in "$ARTIFACTS"/*.wasm; do
        [[ -e $f ]] || continue
        name="$(basename "$f" .wasm)"
        if ! printf '%s\n' "${CRATES[@]//-/_}" | grep -qx "$name"; then
            info "removing stale artifact $f"
            rm -f "$f"
        fi
    done
fi

declare -A RAW_SIZE=() RESULT=() DETAIL=()
failed=0

for crate in "${CRATES[@]}"; do
    lib="${crate//-/_}"
    step "build $crate"
    t=$(timer_start)
    if ! cargo build --release --config 'profile.release.panic="abort"' --locked --lib \
        --target "$WASM_TARGET" -p "$crate"; then
        RESULT[$crate]="BUILD FAILED"
        failed=1
        continue
    fi
    raw="$CARGO_TARGET_DIR/$WASM_TARGET/release/$lib.wasm"
    [[ -f $raw ]] || die "cargo did not produce $raw"
    RAW_SIZE[$crate]=$(stat -c %s "$raw")
    info "cargo build: $(timer_elapsed "$t")"

    t=$(timer_start)
    if ! "$WASM_OPT" "${WASM_OPT_FLAGS[@]}" "$raw" -o "$ARTIFACTS/$lib.wasm.tmp"; then
        rm -f "$ARTIFACTS/$lib.wasm.tmp"
        RESULT[$crate]="WASM-OPT FAILED"
        failed=1
        continue
    fi
    mv "$ARTIFACTS/$lib.wasm.tmp" "$ARTIFACTS/$lib.wasm"
    info "wasm-opt: $(timer_elapsed "$t")"
done

step "checksums"
(
    cd "$ARTIFACTS" || exit 1
    shopt -s nullglob
    files=(*.wasm)
    if ((${#files[@]} > 0)); then
        sha256sum "${files[@]}" >checksums.txt
    else
        : >checksums.txt
    fi
    cat checksums.txt >&2
)

((CHECK)) && step "cosmwasm-check"
for crate in "${CRATES[@]}"; do
    [[ -n ${RESULT[$crate]:-} ]] && continue # did not build
    if ! ((CHECK)); then
        RESULT[$crate]="built (check skipped)"
        continue
    fi
    art="artifacts/${crate//-/_}.wasm"
    if out="$("$COSMWASM_CHECK" "$art" 2>&1)"; then
        RESULT[$crate]="pass"
    else
        RESULT[$crate]="FAIL"
        failed=1
    fi
    # The tool prints "<file>: pass" or "<file>: failure" and the reason below it.
    report="$(awk -v p="$art: " 'index($0, p) == 1 { on = 1 } on && NF && !/^(Passes|All contracts)/' <<<"$out")"
    printf '%s\n' "${report:-$out}" >&2
    DETAIL[$crate]="$(tr '\n' ' ' <<<"$report")"
done

step "artifacts"
printf '%-14s %-28s %10s %10s %12s  %s\n' "crate" "artifact" "bytes" "KiB" "raw bytes" "cosmwasm-check"
for crate in "${CRATES[@]}"; do
    art="artifacts/${crate//-/_}.wasm"
    if [[ ${RESULT[$crate]} == pass || ${RESULT[$crate]} == FAIL || ${RESULT[$crate]} == built* ]]; then
        bytes=$(stat -c %s "$ACN_ROOT/$art")
        kib=$(awk -v b="$bytes" 'BEGIN { printf "%.1f", b / 1024 }')
        printf '%-14s %-28s %10s %10s %12s  %s\n' "$crate" "$art" "$bytes" "$kib" "${RAW_SIZE[$crate]}" "${RESULT[$crate]}"
    else
        printf '%-14s %-28s %10s %10s %12s  %s\n' "$crate" "-" "-" "-" "${RAW_SIZE[$crate]:--}" "${RESULT[$crate]}"
    fi
done

if ((failed)); then
    echo >&2
    for crate in "${CRATES[@]}"; do
        [[ ${RESULT[$crate]} == pass || ${RESULT[$crate]} == built* ]] || warn "$crate: ${RESULT[$crate]}${DETAIL[$crate]:+ (${DETAIL[$crate]})}"
    done
    die "build-wasm failed after $(fmt_duration $((SECONDS - ACN_T0)))"
fi
if ((CHECK)); then
    info "all ${#CRATES[@]} contract(s) built and passed cosmwasm-check in $(fmt_duration $((SECONDS - ACN_T0)))"
else
    info "all ${#CRATES[@]} contract(s) built in $(fmt_duration $((SECONDS - ACN_T0))) (cosmwasm-check skipped: ACN_COSMWASM_CHECK=0)"
fi

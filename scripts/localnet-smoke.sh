#!/usr/bin/env bash
# Smoke test on the real chain: our optimized wasm runs on wasmd's wasmvm.
#
#   bash scripts/localnet-smoke.sh [--keep] [--home DIR] [--wasm FILE]
#
# Brings the single-node localnet up (scripts/localnet.sh up; a localnet that
# is already running, in either mode, is used as it is), stores
# artifacts/acn_token.wasm (built with scripts/build-wasm.sh acn-token when it
# is missing), instantiates it with genesis balances, reads a balance back
# through a smart query, prints the gas used by store and instantiate, and
# brings the node down again — unless --keep, or unless the localnet was
# already running before (then it is left as it was). Exits non-zero on any
# failure.

# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

KEEP=0
HOME_ARGS=()
WASM="$ACN_ROOT/artifacts/acn_token.wasm"
while (($#)); do
    case $1 in
    --keep)
        KEEP=1
        shift
        ;;
    --home)
        HOME_ARGS=(--home "${2:-}")
        shift 2
        ;;
    --wasm)
        WASM="${2:-}"
        shift 2
        ;;
    -h | --help)
        sed -n '2,/^$/{s/^# \{0,1\}//p}' "${BASH_SOURCE[0]}" >&2
        exit 2
        ;;
    *) die "unknown argument: $1" ;;
    esac
done

LOCALNET_SH="$ACN_ROOT/scripts/localnet.sh"
ensure_wasmd
ensure_command jq jq
ensure_command curl curl

# --- the node ----------------------------------------------------------------

WAS_RUNNING=0
if bash "$LOCALNET_SH" status "${HOME_ARGS[@]}" 2>/dev/null | awk 'NR > 2 && $2 == "running"' | grep -q .; then
    WAS_RUNNING=1
fi

finish() {
    local rc=$?
    if ((KEEP)); then
        info "--keep: the localnet stays up (stop it with scripts/localnet.sh down)"
    elif ((WAS_RUNNING)); then
        info "the localnet was running before this test; leaving it up"
    else
        bash "$LOCALNET_SH" down "${HOME_ARGS[@]}" || rc=1
    fi
    if ((rc == 0)); then
        step "localnet smoke test PASSED in $(fmt_duration $((SECONDS - ACN_T0)))"
    else
        step "localnet smoke test FAILED (exit $rc)"
    fi
    exit "$rc"
}
trap finish EXIT

step "localnet up"
if ((WAS_RUNNING)); then
    info "a localnet is already running; using it as it is"
else
    bash "$LOCALNET_SH" up --validators 1 "${HOME_ARGS[@]}" >/dev/null
fi
eval "$(bash "$LOCALNET_SH" env "${HOME_ARGS[@]}")"
: "${WASMD_NODE:?}" "${WASMD_CHAIN_ID:?}" "${WASMD_KEYRING_DIR:?}" "${WASMD_GAS_PRICES:?}"

# No node, chain id, keyring or gas flags: the WASMD_* variables of `localnet.sh env` set them
# (this test is what checks that the wasmd CLI honours them).
w() { "$WASMD" "$@"; }
TX_FLAGS=(--from deployer -y --output json)
Q_FLAGS=(--output json)

DEPLOYER="$(w keys show deployer -a)"
BUYER="$(w keys show buyer-1 -a)"

# broadcast ARGS...: send a tx, wait until it is in a block, print the result
# JSON. Dies when CheckTx or DeliverTx fails.
broadcast() {
    local out hash code res n=0
    out="$(w tx "$@" "${TX_FLAGS[@]}" 2>&1)" || {
        printf '%s\n' "$out" >&2
        die "wasmd tx $1 $2 failed"
    }
    # `--gas auto` prints "gas estimate: N" before the JSON.
    out="$(sed -n '/^{/,$p' <<<"$out")"
    code="$(jq -r '.code' <<<"$out")"
    hash="$(jq -r '.txhash' <<<"$out")"
    [[ $code == 0 ]] || die "tx $1 $2 rejected by CheckTx (code $code): $(jq -r '.raw_log' <<<"$out")"
    info "tx $hash sent; waiting for inclusion"
    until res="$(w q tx "$hash" "${Q_FLAGS[@]}" 2>/dev/null)" && [[ -n $res ]]; do
        ((++n < 60)) || die "tx $hash not included after 30s"
        sleep 0.5
    done
    code="$(jq -r '.code' <<<"$res")"
    [[ $code == 0 ]] || die "tx $1 $2 failed in block (code $code): $(jq -r '.raw_log' <<<"$res")"
    printf '%s\n' "$res"
}

# event_attr JSON TYPE KEY: the first value of attribute KEY in events of TYPE.
event_attr() {
    jq -r --arg t "$2" --arg k "$3" \
        '[.events[] | select(.type == $t) | .attributes[] | select(.key == $k) | .value][0] // empty' <<<"$1"
}

# --- store -------------------------------------------------------------------

if [[ ! -f $WASM && $WASM == "$ACN_ROOT/artifacts/acn_token.wasm" ]]; then
    step "building artifacts/acn_token.wasm"
    bash "$ACN_ROOT/scripts/build-wasm.sh" acn-token
fi
[[ -f $WASM ]] || die "no wasm file: $WASM"

step "store $(basename "$WASM") ($(stat -c %s "$WASM") bytes)"
STORE="$(broadcast wasm store "$WASM")"
CODE_ID="$(event_attr "$STORE" store_code code_id)"
STORE_GAS="$(jq -r '.gas_used' <<<"$STORE")"
STORE_WANTED="$(jq -r '.gas_wanted' <<<"$STORE")"
[[ -n $CODE_ID ]] || die "no code_id in the store tx events"
info "code id $CODE_ID, checksum $(event_attr "$STORE" store_code code_checksum)"

# --- instantiate -------------------------------------------------------------

step "instantiate code $CODE_ID"
INIT_MSG="$(jq -cn --arg d "$DEPLOYER" --arg b "$BUYER" '{
    owner: $d,
    name: "ACN Compute Token",
    symbol: "ACN",
    decimals: 6,
    initial_balances: [
        {address: $d, amount: "900000000000"},
        {address: $b, amount: "100000000000"}
    ],
    mint: {minter: $d, cap: "10000000000000"},
    marketing: null
}')"
INIT="$(broadcast wasm instantiate "$CODE_ID" "$INIT_MSG" --label "acn-token-smoke-$(date +%s)" --admin "$DEPLOYER")"
CONTRACT="$(event_attr "$INIT" instantiate _contract_address)"
INIT_GAS="$(jq -r '.gas_used' <<<"$INIT")"
INIT_WANTED="$(jq -r '.gas_wanted' <<<"$INIT")"
[[ -n $CONTRACT ]] || die "no contract address in the instantiate tx events"
info "contract $CONTRACT"

# --- query -------------------------------------------------------------------

step "smart queries"
smart() { w q wasm contract-state smart "$CONTRACT" "$1" "${Q_FLAGS[@]}" | jq -c '.data'; }
BAL="$(smart "$(jq -cn --arg a "$BUYER" '{balance: {address: $a}}')")"
INFO="$(smart '{"token_info":{}}')"
info "balance(buyer-1) = $BAL"
info "token_info       = $INFO"
[[ "$(jq -r '.balance' <<<"$BAL")" == 100000000000 ]] || die "buyer-1 balance is $BAL, expected 100000000000"
[[ "$(jq -r '.total_supply' <<<"$INFO")" == 1000000000000 ]] || die "total supply is wrong: $INFO"
[[ "$(jq -r '.symbol' <<<"$INFO")" == ACN ]] || die "symbol is wrong: $INFO"

printf '\n  %-12s %-10s %-12s %-12s %s\n' TX CODE/ADDR GAS_USED GAS_WANTED HEIGHT
printf '  %-12s %-10s %-12s %-12s %s\n' store "$CODE_ID" "$STORE_GAS" "$STORE_WANTED" "$(jq -r '.height' <<<"$STORE")"
printf '  %-12s %-10s %-12s %-12s %s\n' instantiate "${CONTRACT:0:10}…" "$INIT_GAS" "$INIT_WANTED" "$(jq -r '.height' <<<"$INIT")"
printf '  contract %s on %s (wasmd %s)\n\n' "$CONTRACT" "$WASMD_CHAIN_ID" "$WASMD_VERSION"

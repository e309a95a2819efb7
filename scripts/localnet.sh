#!/usr/bin/env bash
# A real wasmd chain on this machine, for running the ACN contracts end to end.
#
#   scripts/localnet.sh up      [--validators 1|4] [--home DIR] [--reset]
#   scripts/localnet.sh down    [--home DIR] [--reset]
#   scripts/localnet.sh status  [--home DIR]
#   scripts/localnet.sh logs    [-f] [N] [--home DIR]
#   scripts/localnet.sh stop-validator N | start-validator N   (4-validator mode)
#   scripts/localnet.sh env     [--home DIR]   (WASMD_* and ACN_* variables: eval "$(... env)")
#
# `up` starts one validator unless --validators 4. Chain id acn-local-1,
# fee/staking denom ustake, every account also holding 10 M uusdc (the market's stable
# asset), minimum gas price 0.025ustake, wasm upload and
# instantiation open to everybody, gov voting period 60 s, blocks every ~0.5 s
# (timeout_commit 500ms, timeout_propose 1s).
# All ports listen on 127.0.0.1 only. Node i (0..3) uses:
#   RPC 26657+10i   P2P 26656+10i   gRPC 9090+10i   REST 1317+10i
# Single-node mode runs node 0 in DIR/node; 4-validator mode runs DIR/val0..val3.
# The accounts (deployer, buyer-1, buyer-2, provider-1..4, keeper, val0..val3)
# come from the TEST-ONLY mnemonics in scripts/localnet-accounts.json, so their
# addresses are the same on every run. Their keys are in the test keyring of
# the client home (DIR/node, or DIR/val0 in 4-validator mode): use
#   $WASMD --home <client home> keys list --keyring-backend test
# Nodes run in the background (pid and log file in each node's home). `up` is
# idempotent: a running chain is left alone, a stopped one restarts with its
# state, --reset wipes it first. `down` keeps the data unless --reset.

# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# This script runs wasmd with explicit flags; the client variables that
# `localnet.sh env` prints (WASMD_NODE, WASMD_GAS=auto, …) would make offline
# commands such as `genesis gentx` try to reach a node that is not up yet.
unset WASMD_NODE WASMD_CHAIN_ID WASMD_KEYRING_DIR WASMD_GAS WASMD_GAS_PRICES \
    WASMD_GAS_ADJUSTMENT WASMD_FEES

CHAIN_ID="acn-local-1"
DENOM="ustake"
MIN_GAS_PRICE="0.025$DENOM"
GAS_ADJUSTMENT="1.3" # wasmd's simulation runs ~16 % under the gas a tx uses
ACCOUNT_BALANCE="1000000000000$DENOM" # 1,000,000 STAKE per account
STABLE_DENOM="uusdc"                  # the market's stable asset (a plain bank denom here)
STABLE_BALANCE="10000000000000"       # 10,000,000 USDC per account
# Bumped whenever init_chain's genesis changes: a localnet initialized by an older layout is
# re-initialized by `up` (and refused while running: `down` or `--reset` first).
GENESIS_VERSION="2" # 2: every account also holds uusdc
VALIDATOR_BOND="100000000000$DENOM"   # 100,000 STAKE self-delegation
TIMEOUT_COMMIT="500ms"
TIMEOUT_PROPOSE="1s"
ACCOUNTS_FILE="$ACN_ROOT/scripts/localnet-accounts.json"
UP_TIMEOUT=120 # seconds to wait for height >= 2

usage() {
    sed -n '2,/^$/{s/^# \{0,1\}//p}' "${BASH_SOURCE[0]}" >&2
    exit 2
}

# --- arguments ---------------------------------------------------------------

CMD="${1:-}"
[[ -n $CMD ]] || usage
shift
LOCALNET="$ACN_ROOT/.localnet"
NVAL=""
RESET=0
FOLLOW=0
NODE_ARG=""
while (($#)); do
    case $1 in
    --validators)
        NVAL="${2:-}"
        shift 2
        ;;
    --validators=*)
        NVAL="${1#*=}"
        shift
        ;;
    --home)
        LOCALNET="${2:-}"
        shift 2
        ;;
    --home=*)
        LOCALNET="${1#*=}"
        shift
        ;;
    --reset)
        RESET=1
        shift
        ;;
    -f | --follow)
        FOLLOW=1
        shift
        ;;
    -h | --help) usage ;;
    [0-9]*)
        NODE_ARG="$1"
        shift
        ;;
    *) die "unknown argument: $1 (try --help)" ;;
    esac
done
[[ -n $LOCALNET ]] || die "--home needs a directory"
mkdir -p "$LOCALNET"
LOCALNET="$(cd "$LOCALNET" && pwd)"
[[ -z $NVAL || $NVAL == 1 || $NVAL == 4 ]] || die "--validators must be 1 or 4"

# The mode of the last `up` is remembered, so that down/status/logs/env need no flag.
MODE_FILE="$LOCALNET/mode"
if [[ -z $NVAL && $CMD == up ]]; then
    NVAL=1 # `up` means a single node unless told otherwise
elif [[ -z $NVAL ]]; then
    NVAL="$(cat "$MODE_FILE" 2>/dev/null || echo 1)"
fi

# --- layout ------------------------------------------------------------------

node_home() { if ((NVAL == 1)); then echo "$LOCALNET/node"; else echo "$LOCALNET/val$1"; fi; }
node_ids() { seq 0 $((NVAL - 1)); }
rpc_port() { echo $((26657 + 10 * $1)); }
p2p_port() { echo $((26656 + 10 * $1)); }
abci_port() { echo $((26658 + 10 * $1)); }
grpc_port() { echo $((9090 + 10 * $1)); }
api_port() { echo $((1317 + 10 * $1)); }
rpc_url() { echo "http://127.0.0.1:$(rpc_port "$1")"; }
client_home() { node_home 0; }

# --- processes -----------------------------------------------------------------

# node_pid I: the pid of node I when it is running (our wasmd on that home).
node_pid() {
    local home pid
    home="$(node_home "$1")"
    pid="$(cat "$home/node.pid" 2>/dev/null)" || return 1
    [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null || return 1
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "start --home $home" || return 1
    echo "$pid"
}

# any_node_running: does any wasmd on a home under $LOCALNET run (either mode)?
any_node_running() {
    pgrep -f -- "wasmd start --home $LOCALNET/" >/dev/null
}

# height I: the latest block height node I reports (empty when unreachable).
height() {
    curl -s --max-time 2 "$(rpc_url "$1")/status" 2>/dev/null |
        jq -r '.result.sync_info.latest_block_height // empty' 2>/dev/null || true
}

start_node() {
    local i=$1 home pid
    home="$(node_home "$i")"
    if pid="$(node_pid "$i")"; then
        info "node $i already running (pid $pid)"
        return 0
    fi
    if [[ -n "$(height "$i")" ]]; then
        die "RPC port $(rpc_port "$i") is already served by another node (a localnet with another --home?)"
    fi
    # setsid: the node outlives this script and the terminal it was started from.
    # The inner shell writes its own pid and then becomes wasmd.
    # shellcheck disable=SC2016
    setsid bash -c 'echo $$ >"$0"; exec "$@"' "$home/node.pid" \
        "$WASMD" start --home "$home" --log_no_color </dev/null >>"$home/node.log" 2>&1 9>&- &
    local n=0
    until pid="$(node_pid "$i")"; do
        ((++n < 50)) || die "node $i did not start; see $home/node.log"
        sleep 0.1
    done
    info "node $i started (pid $pid, log $home/node.log)"
}

# stop_node I [PID]: SIGTERM node I (if running) and wait until it is gone;
# SIGKILL after 15 s. PID: a pid already signalled by stop_all.
stop_node() {
    local i=$1 pid=${2:-} n=0
    if [[ -z $pid ]]; then
        pid="$(node_pid "$i")" || return 0
        kill -TERM "$pid" 2>/dev/null || true
    fi
    while kill -0 "$pid" 2>/dev/null; do
        if ((++n == 150)); then
            warn "node $i (pid $pid) ignores SIGTERM, sending SIGKILL"
            kill -KILL "$pid" 2>/dev/null || true
        fi
        sleep 0.1
    done
    rm -f "$(node_home "$i")/node.pid"
    info "node $i stopped (pid $pid)"
}

# wait_height I MIN: wait until node I reports a height >= MIN.
wait_height() {
    local i=$1 min=$2 h t0=$SECONDS home
    home="$(node_home "$i")"
    while :; do
        h="$(height "$i")"
        [[ -n $h ]] && ((h >= min)) && return 0
        if ! node_pid "$i" >/dev/null; then
            tail -n 30 "$home/node.log" >&2 || true
            die "node $i exited; see $home/node.log"
        fi
        ((SECONDS - t0 < UP_TIMEOUT)) || die "node $i did not reach height $min in ${UP_TIMEOUT}s (height: ${h:-none}); see $home/node.log"
        sleep 0.5
    done
}

# --- initialization ------------------------------------------------------------

# toml_set FILE SECTION KEY VALUE: set KEY in [SECTION] ("" = top level) of a
# TOML file. VALUE is written verbatim (quote strings yourself).
toml_set() {
    local file=$1 section=$2 key=$3 value=$4 tmp
    tmp="$(mktemp)"
    awk -v section="$section" -v key="$key" -v value="$value" '
        BEGIN { cur = ""; done = 0 }
        /^[[:space:]]*\[[^]]*\][[:space:]]*$/ {
            cur = $0; gsub(/^[[:space:]]*\[|\][[:space:]]*$/, "", cur)
        }
        !done && cur == section && $0 ~ "^[[:space:]]*" key "[[:space:]]*=" {
            print key " = " value; done = 1; next
        }
        { print }
        END { if (!done) exit 3 }
    ' "$file" >"$tmp" || {
        rm -f "$tmp"
        die "toml_set: no key '$key' in [$section] of $file"
    }
    cat "$tmp" >"$file"
    rm -f "$tmp"
}

# wasmd_q ARGS...: run wasmd quietly, showing its output only when it fails.
wasmd_q() {
    local out
    if ! out="$("$WASMD" "$@" 2>&1)"; then
        printf '%s\n' "$out" >&2
        die "wasmd $* failed"
    fi
}

accounts() { jq -r '.accounts[].name' "$ACCOUNTS_FILE"; }
mnemonic_of() { jq -r --arg n "$1" '.accounts[] | select(.name == $n) | .mnemonic' "$ACCOUNTS_FILE"; }
address_of() { jq -r --arg n "$1" '.accounts[] | select(.name == $n) | .address' "$ACCOUNTS_FILE"; }

# add_key HOME NAME: import NAME from its mnemonic into the test keyring of HOME.
add_key() {
    local home=$1 name=$2 out addr want
    out="$("$WASMD" keys add "$name" --recover --keyring-backend test --home "$home" --output json \
        <<<"$(mnemonic_of "$name")" 2>&1)" || {
        printf '%s\n' "$out" >&2
        die "cannot import key $name into $home"
    }
    addr="$(sed -n '/^{/,$p' <<<"$out" | jq -r '.address')"
    want="$(address_of "$name")"
    [[ $addr == "$want" ]] || die "key $name: derived $addr, but $ACCOUNTS_FILE says $want"
}

# configure_node I: ports, block times, gas price and APIs of node I.
configure_node() {
    local i=$1 home cfg app
    home="$(node_home "$i")"
    cfg="$home/config/config.toml"
    app="$home/config/app.toml"
    toml_set "$cfg" "" proxy_app "\"tcp://127.0.0.1:$(abci_port "$i")\""
    toml_set "$cfg" rpc laddr "\"tcp://127.0.0.1:$(rpc_port "$i")\""
    toml_set "$cfg" rpc pprof_laddr '""'
    toml_set "$cfg" p2p laddr "\"tcp://127.0.0.1:$(p2p_port "$i")\""
    toml_set "$cfg" p2p addr_book_strict false
    toml_set "$cfg" p2p allow_duplicate_ip true
    toml_set "$cfg" p2p pex "$( ((NVAL == 1)) && echo false || echo true)"
    toml_set "$cfg" consensus timeout_commit "\"$TIMEOUT_COMMIT\""
    toml_set "$cfg" consensus timeout_propose "\"$TIMEOUT_PROPOSE\""
    toml_set "$app" "" minimum-gas-prices "\"$MIN_GAS_PRICE\""
    toml_set "$app" api enable true
    toml_set "$app" api address "\"tcp://127.0.0.1:$(api_port "$i")\""
    toml_set "$app" grpc enable true
    toml_set "$app" grpc address "\"127.0.0.1:$(grpc_port "$i")\""
    # Client defaults, so that `wasmd --home <home> tx ...` needs no extra flags.
    "$WASMD" config set client chain-id "$CHAIN_ID" --home "$home" >/dev/null
    "$WASMD" config set client keyring-backend test --home "$home" >/dev/null
    "$WASMD" config set client node "tcp://127.0.0.1:$(rpc_port "$i")" --home "$home" >/dev/null
}

# init_chain: fresh homes, keys, a genesis with every account funded, one
# gentx per validator, configs. Marks success with $LOCALNET/.initialized-<n>.
init_chain() {
    local i home h0 name gen tmp peers=() id
    ensure_command jq jq
    [[ -f $ACCOUNTS_FILE ]] || die "missing $ACCOUNTS_FILE"
    step "initializing a $NVAL-validator chain $CHAIN_ID in $LOCALNET"
    for i in $(node_ids); do
        home="$(node_home "$i")"
        rm -rf "$home"
        # --recover derives the validator's consensus key from its mnemonic, so
        # validator addresses are stable too.
        wasmd_q init "acn-val$i" --chain-id "$CHAIN_ID" --default-denom "$DENOM" \
            --recover --home "$home" <<<"$(mnemonic_of "val$i")"
        configure_node "$i"
    done
    h0="$(node_home 0)"
    gen="$h0/config/genesis.json"

    # Every account lives in node 0's keyring (the client home) and in genesis.
    for name in $(accounts); do add_key "$h0" "$name"; done
    tmp="$(mktemp)"
    # Coins sorted by denom, as the bank module requires.
    jq --arg amount "${ACCOUNT_BALANCE%"$DENOM"}" --arg denom "$DENOM" \
        --arg samount "$STABLE_BALANCE" --arg sdenom "$STABLE_DENOM" \
        '[.accounts[] | {address, coins: ([{denom: $denom, amount: $amount},
          {denom: $sdenom, amount: $samount}] | sort_by(.denom))}]' "$ACCOUNTS_FILE" >"$tmp"
    wasmd_q genesis bulk-add-genesis-account "$tmp" --home "$h0"
    rm -f "$tmp"

    # Open wasm uploads and instantiation; a short gov voting period for tests.
    tmp="$(mktemp)"
    jq '.app_state.wasm.params.code_upload_access = {"permission": "Everybody", "addresses": []}
        | .app_state.wasm.params.instantiate_default_permission = "Everybody"
        | .app_state.gov.params.voting_period = "60s"
        | .app_state.gov.params.expedited_voting_period = "30s"' "$gen" >"$tmp"
    mv "$tmp" "$gen"

    # One gentx per validator, each signed in its own home with its own key.
    mkdir -p "$h0/config/gentx"
    for i in $(node_ids); do
        home="$(node_home "$i")"
        if ((i != 0)); then
            add_key "$home" "val$i"
            cp "$gen" "$home/config/genesis.json"
        fi
        wasmd_q genesis gentx "val$i" "$VALIDATOR_BOND" --chain-id "$CHAIN_ID" \
            --moniker "acn-val$i" --ip 127.0.0.1 --p2p-port "$(p2p_port "$i")" \
            --keyring-backend test --home "$home" \
            --output-document "$h0/config/gentx/gentx-val$i.json"
    done
    wasmd_q genesis collect-gentxs --home "$h0"
    wasmd_q genesis validate --home "$h0"
    for i in $(node_ids); do
        ((i == 0)) || cp "$gen" "$(node_home "$i")/config/genesis.json"
    done

    # Wire every node to the others (collect-gentxs guesses public IPs; we
    # want loopback).
    if ((NVAL > 1)); then
        for i in $(node_ids); do
            id="$("$WASMD" comet show-node-id --home "$(node_home "$i")")"
            peers+=("$id@127.0.0.1:$(p2p_port "$i")")
        done
        for i in $(node_ids); do
            local others=()
            local j
            for j in $(node_ids); do ((j == i)) || others+=("${peers[j]}"); done
            toml_set "$(node_home "$i")/config/config.toml" p2p persistent_peers "\"$(
                IFS=,
                echo "${others[*]}"
            )\""
        done
    else
        toml_set "$h0/config/config.toml" p2p persistent_peers '""'
    fi
    echo "$GENESIS_VERSION" >"$LOCALNET/.initialized-$NVAL"
    info "genesis ready: $(jq -r '.app_state.genutil.gen_txs | length' "$gen") gentx(s), $(accounts | wc -l) funded accounts"
}

# --- commands ------------------------------------------------------------------

cmd_up() {
    ensure_wasmd
    ensure_command jq jq
    ensure_command curl curl
    local i running=0 t
    if [[ -f $MODE_FILE && "$(cat "$MODE_FILE")" != "$NVAL" ]] && any_node_running; then
        die "the localnet is running in $(cat "$MODE_FILE")-validator mode; run '$0 down' first"
    fi
    if ((RESET)); then
        stop_all
        step "--reset: wiping $LOCALNET"
        rm -rf "${LOCALNET:?}/node" "$LOCALNET"/val[0-9] "$LOCALNET"/.initialized-*
    fi
    for i in $(node_ids); do
        node_pid "$i" >/dev/null && running=$((running + 1))
    done
    if ((running == NVAL)); then
        [[ "$(cat "$LOCALNET/.initialized-$NVAL" 2>/dev/null)" == "$GENESIS_VERSION" ]] ||
            die "the running localnet has an older genesis (no $STABLE_DENOM); run '$0 up --reset'"
        echo "$NVAL" >"$MODE_FILE"
        step "the localnet is already running ($NVAL validator(s))"
        summary
        return 0
    fi
    if [[ "$(cat "$LOCALNET/.initialized-$NVAL" 2>/dev/null)" != "$GENESIS_VERSION" ]]; then
        init_chain
    else
        step "restarting the stopped localnet from its saved state in $LOCALNET"
    fi
    echo "$NVAL" >"$MODE_FILE"
    step "starting $NVAL node(s)"
    t=$(timer_start)
    for i in $(node_ids); do start_node "$i"; done
    for i in $(node_ids); do wait_height "$i" 2; done
    info "producing blocks ($(timer_elapsed "$t") after start; height $(height 0))"
    summary
}

stop_all() {
    local i n pids=() NVAL # a local NVAL: the caller's mode stays as it was
    # Both layouts, whatever the current mode says. SIGTERM them all first,
    # then wait for each.
    for n in 1 4; do
        NVAL=$n
        for i in $(node_ids); do
            if pids[n * 10 + i]="$(node_pid "$i")"; then
                kill -TERM "${pids[n * 10 + i]}" 2>/dev/null || true
            fi
        done
    done
    for n in 1 4; do
        NVAL=$n
        for i in $(node_ids); do
            [[ -n ${pids[n * 10 + i]:-} ]] && stop_node "$i" "${pids[n * 10 + i]}"
        done
    done
    return 0
}

cmd_down() {
    step "stopping the localnet in $LOCALNET"
    stop_all
    if any_node_running; then
        pgrep -af -- "wasmd start --home $LOCALNET/" >&2 || true
        die "some nodes are still running"
    fi
    info "no wasmd process left on $LOCALNET"
    if ((RESET)); then
        rm -rf "${LOCALNET:?}/node" "$LOCALNET"/val[0-9] "$LOCALNET"/.initialized-* "$MODE_FILE"
        info "--reset: wiped the chain data"
    else
        info "chain data kept (use --reset to wipe it)"
    fi
}

# block_time I: the average block interval over the last 20 blocks of node I.
block_time() {
    local i=$1 h t1 t2 base
    h="$(height "$i")"
    [[ -n $h ]] && ((h > 21)) || return 0
    base="$(rpc_url "$i")"
    t1="$(curl -s --max-time 2 "$base/block?height=$((h - 20))" | jq -r '.result.block.header.time')"
    t2="$(curl -s --max-time 2 "$base/block?height=$h" | jq -r '.result.block.header.time')"
    awk -v a="$(date -d "$t1" +%s.%N)" -v b="$(date -d "$t2" +%s.%N)" 'BEGIN { printf "%.2fs", (b - a) / 20 }'
}

cmd_status() {
    ensure_command jq jq
    ensure_command curl curl
    local i home pid h st net
    printf '%s\n' "localnet $LOCALNET ($NVAL-validator mode, chain id $CHAIN_ID)"
    printf '%-6s %-8s %-8s %-10s %-14s %-24s %s\n' NODE STATE PID HEIGHT BLOCK_TIME CHAIN_ID RPC
    for i in $(node_ids); do
        home="$(node_home "$i")"
        if pid="$(node_pid "$i")"; then st=running; else st=stopped pid=-; fi
        h="$(height "$i")"
        net="$(curl -s --max-time 2 "$(rpc_url "$i")/status" 2>/dev/null | jq -r '.result.node_info.network // empty' 2>/dev/null || true)"
        printf '%-6s %-8s %-8s %-10s %-14s %-24s %s\n' "$i" "$st" "$pid" "${h:--}" "$(block_time "$i")" "${net:--}" "$(rpc_url "$i")"
    done
}

cmd_logs() {
    local i=${NODE_ARG:-0} log
    ((i < NVAL)) || die "no node $i in $NVAL-validator mode"
    log="$(node_home "$i")/node.log"
    [[ -f $log ]] || die "no log yet: $log"
    if ((FOLLOW)); then
        exec tail -n 50 -F "$log"
    else
        tail -n 50 "$log"
    fi
}

cmd_validator() {
    local action=$1 i=$NODE_ARG
    ((NVAL == 4)) || die "$CMD needs the 4-validator localnet (up --validators 4)"
    if [[ -z $i ]] || ((i >= NVAL)); then
        die "usage: $0 $CMD N (N = 0..3)"
    fi
    ensure_wasmd
    if [[ $action == stop ]]; then
        node_pid "$i" >/dev/null || {
            info "node $i is not running"
            return 0
        }
        stop_node "$i"
    else
        local h other
        other=$(((i + 1) % NVAL))
        h="$(height "$other")"
        start_node "$i"
        wait_height "$i" "${h:-2}"
        info "node $i is back in sync at height $(height "$i")"
    fi
}

# env: shell variables for clients (eval "$(scripts/localnet.sh env)"), so that
# both the plain wasmd CLI and acn reach this localnet without flags.
# wasmd's client reads WASMD_<FLAG> for its flags and client.toml keys (flag
# name upper-cased, '-' -> '_'); checked with wasmd v0.70.3: WASMD_NODE,
# WASMD_CHAIN_ID, WASMD_KEYRING_BACKEND, WASMD_KEYRING_DIR, WASMD_GAS,
# WASMD_GAS_PRICES, WASMD_GAS_ADJUSTMENT are honoured; WASMD_HOME is not (its
# client commands take the home only from --home), so the keyring is named by
# WASMD_KEYRING_DIR. The ACN_* variables are those of acn's connection flags
# (packages/cli/src/connect.rs); ACN_WASMD_RPC is the node of the wasmd tests.
cmd_env() {
    ensure_wasmd
    local rpc
    rpc="$(rpc_url 0)"
    printf 'export WASMD=%q\n' "$WASMD"
    printf 'export WASMD_NODE=%q\n' "tcp://127.0.0.1:$(rpc_port 0)"
    printf 'export WASMD_CHAIN_ID=%q\n' "$CHAIN_ID"
    printf 'export WASMD_KEYRING_BACKEND=test\n'
    printf 'export WASMD_KEYRING_DIR=%q\n' "$(client_home)"
    printf 'export WASMD_GAS=auto\n'
    printf 'export WASMD_GAS_PRICES=%q\n' "$MIN_GAS_PRICE"
    printf 'export WASMD_GAS_ADJUSTMENT=%q\n' "$GAS_ADJUSTMENT"
    printf 'export ACN_CHAIN=localnet\n'
    printf 'export ACN_RPC=%q\n' "$rpc"
    printf 'export ACN_CHAIN_ID=%q\n' "$CHAIN_ID"
    printf 'export ACN_GAS_PRICE=%q\n' "$MIN_GAS_PRICE"
    printf 'export ACN_GAS_ADJUSTMENT=%q\n' "$GAS_ADJUSTMENT"
    printf 'export ACN_KEYS=test\n'
    printf 'export ACN_ACCOUNTS=%q\n' "$ACCOUNTS_FILE"
    printf 'export ACN_DEPLOYMENT=%q\n' "$LOCALNET/deployment.json"
    printf 'export ACN_WASMD_RPC=%q\n' "$rpc"
}

summary() {
    local i name
    {
        echo
        echo "  ACN localnet is up"
        echo "  chain id      $CHAIN_ID  (denom $DENOM, min gas price $MIN_GAS_PRICE)"
        for i in $(node_ids); do
            echo "  node $i        RPC $(rpc_url "$i")  gRPC 127.0.0.1:$(grpc_port "$i")  REST http://127.0.0.1:$(api_port "$i")  home $(node_home "$i")"
        done
        echo "  height        $(height 0)"
        echo "  wasmd         $WASMD ($WASMD_VERSION)"
        echo "  client home   $(client_home)  (test keyring; TEST-ONLY keys from scripts/localnet-accounts.json)"
        echo "  accounts      (each funded with $ACCOUNT_BALANCE and ${STABLE_BALANCE}$STABLE_DENOM in genesis)"
        for name in $(accounts); do
            printf '    %-12s %s\n' "$name" "$(address_of "$name")"
        done
        echo "  try           $WASMD --home $(client_home) q bank balances $(address_of deployer)"
        echo "  stop          $0 down"
        echo
    }
}

# One command at a time changes a localnet (two `up`s at once would race).
case $CMD in
up | down | stop-validator | start-validator)
    exec 9>"$LOCALNET/.lock"
    flock -w 300 9 || die "another localnet.sh command holds $LOCALNET/.lock"
    ;;
esac

case $CMD in
up) cmd_up ;;
down) cmd_down ;;
status) cmd_status ;;
logs) cmd_logs ;;
stop-validator) cmd_validator stop ;;
start-validator) cmd_validator start ;;
env) cmd_env ;;
*) usage ;;
esac

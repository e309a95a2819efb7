#!/usr/bin/env bash
# The main job of the repository, from a fresh machine:
#
#   bash scripts/demo.sh [DEMO ARGS...]
#
# 1. installs what is missing and builds every contract to validated wasm
#    (scripts/build-wasm.sh: artifacts/*.wasm, checksums, cosmwasm-check);
# 2. runs the demo of the acn CLI (`cargo run --release -p acn-cli -- demo ARGS`)
#    once a workspace package named acn-cli exists; until then it stops after
#    printing the artifact table.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ACN_ROOT" || exit 1

has_package() {
    grep -qs "^name *= *\"$1\"" "$ACN_ROOT"/contracts/*/Cargo.toml "$ACN_ROOT"/packages/*/Cargo.toml
}

step "contracts: build, optimise and validate the wasm"
bash "$ACN_ROOT/scripts/build-wasm.sh"

if has_package acn-cli; then
    step "demo: cargo run --release -p acn-cli -- demo $*"
    cargo run --release --locked -q -p acn-cli -- demo "$@"
else
    info "the acn-cli package does not exist yet; the demo ends with the artifacts above"
fi
step "done in $(fmt_duration $((SECONDS - ACN_T0)))"

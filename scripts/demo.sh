#!/usr/bin/env bash
# The main job of the repository, from a fresh machine:
#
#   bash scripts/demo.sh [DEMO ARGS...]      (e.g. --jobs 48 --backend ndarray)
#
# Installs what is missing (Rust components, a Vulkan driver for burn's wgpu
# backend: Mesa's lavapipe on a CPU-only machine), then runs `acn demo`: the
# real contracts on the embedded chain, provider workers running the shipped
# models with burn/wgpu, buyers submitting real inputs, one cheating provider
# slashed, and a closing table. The build shares cargo's cache with the test
# command (dev profile, target dir in ~/.cache/acn/target).
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ACN_ROOT" || exit 1

step "tools: Rust components, the Vulkan driver and the pretrained text model"
ensure_rust
ensure_gpu_runtime
ensure_minilm

step "demo: cargo run -p acn-cli -- demo $*"
cargo run --locked -q -p acn-cli --features embedded --bin acn -- demo "$@"
step "done in $(fmt_duration $((SECONDS - ACN_T0)))"

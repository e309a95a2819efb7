"""PyTorch CPU column of `cargo bench -p acn-worker` (run by it, not by hand).

Reads a JSON file written by the Rust bench: for each model its architecture, the very weights
the worker loaded (burn layout: Linear weights [in, out], Conv2d [out, in, kh, kw]) and the
decoded 64-item input batch. Builds the same network in PyTorch, checks nothing is missing,
times the forward pass on the CPU and writes items/s and the raw outputs (so the Rust side can
check both frameworks compute the same function) to the output JSON.

    python torch_bench.py IN.json OUT.json SECONDS
"""

import json
import sys
import time

import torch
from torch import nn
import torch.nn.functional as F


class DigitsMlp(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(64, 64)
        self.output = nn.Linear(64, 10)

    def forward(self, x):
        return self.output(F.relu(self.hidden(x / 16.0)))


class DigitsCnn(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 8, 3, padding=1)
        self.conv2 = nn.Conv2d(8, 16, 3, padding=1)
        self.fc1 = nn.Linear(16 * 4, 64)
        self.fc2 = nn.Linear(64, 10)

    def forward(self, x):
        x = (x / 16.0).reshape(-1, 1, 8, 8)
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = torch.flatten(x, 1)
        return self.fc2(F.relu(self.fc1(x)))


class Regressor(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(8, 32)
        self.output = nn.Linear(32, 1)

    def forward(self, x):
        return self.output(F.relu(self.hidden(x)))


NETS = {"digits-mlp-v1": DigitsMlp, "digits-cnn-v1": DigitsCnn, "regressor-v1": Regressor}


def load(model_id, params):
    net = NETS[model_id]()
    state = {}
    for p in params:
        t = torch.tensor(p["values"], dtype=torch.float32).reshape(p["shape"])
        if p["name"].endswith(".weight") and t.dim() == 2:
            t = t.t().contiguous()  # burn Linear [in, out] -> torch [out, in]
        state[p["name"]] = t
    net.load_state_dict(state, strict=True)  # every tensor present, every shape right
    return net.eval()


def main():
    src, dst, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
    with open(src) as f:
        models = json.load(f)
    out = {"torch": torch.__version__, "threads": torch.get_num_threads(), "models": {}}
    for model_id, m in models.items():
        net = load(model_id, m["params"])
        x = torch.tensor(m["input"], dtype=torch.float32).reshape(m["batch"], -1)
        with torch.inference_mode():
            for _ in range(20):
                y = net(x)
            n, t0 = 0, time.perf_counter()
            while time.perf_counter() - t0 < seconds or n < 5:
                y = net(x)
                n += 1
            elapsed = time.perf_counter() - t0
        out["models"][model_id] = {
            "items_per_s": n * m["batch"] / elapsed,
            "ms_per_batch": elapsed * 1e3 / n,
            "output": y.reshape(-1).tolist(),
        }
    with open(dst, "w") as f:
        json.dump(out, f)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Python PyTorch side of bench/bench_models.cpp: the same flat transformer
(tests/ref/flat_reference.py, same architecture and config) timed the way a typical Python
implementation runs it: training steps (forward + backward + AdamW, batch 32, 120 -> 30,
teacher forcing) and a 30-frame autoregressive forecast at batch 1 that re-runs the prefix
every step (no key/value cache).

  models_reference.py --config cfg.json --iters 3 --forecast-iters 3 --threads 1 --out r.json
writes {"train_windows_per_s": .., "forecast_ms": ..}, each from the fastest iteration.
"""
import argparse
import json
import os
import sys
import time

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "ref"))
from flat_reference import FlatTransformer  # noqa: E402


def best_seconds(n, f):
    """Fastest of n runs of f (as bench_models.cpp reports)."""
    best = float("inf")
    for _ in range(n):
        t0 = time.perf_counter()
        f()
        best = min(best, time.perf_counter() - t0)
    return best


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--config", required=True)
    ap.add_argument("--iters", type=int, default=3)
    ap.add_argument("--forecast-iters", type=int, default=3)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    with open(a.config) as f:
        model = FlatTransformer(json.load(f))
    context, target = torch.randn(a.batch, 120, 75), torch.randn(a.batch, 30, 75)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4)
    model.train()

    def train_step():
        loss = model.loss(context, target)
        opt.zero_grad()
        loss.backward()
        opt.step()

    train_step()  # warm-up
    train_s = best_seconds(a.iters, train_step)

    model.eval()
    one = context[:1]
    with torch.no_grad():
        model.forecast(one, 30)  # warm-up
        forecast_s = best_seconds(a.forecast_iters, lambda: model.forecast(one, 30))
    with open(a.out, "w") as f:
        json.dump({"train_windows_per_s": a.batch / train_s, "forecast_ms": 1e3 * forecast_s}, f)


if __name__ == "__main__":
    main()

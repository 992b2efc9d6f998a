#!/usr/bin/env python3
"""Python PyTorch side of bench/bench_distributed.cpp: the same flat transformer
(tests/ref/flat_reference.py, same config) trained with PyTorch's own
DistributedDataParallel over Gloo, so that lmm's 1 -> 2 rank scaling can be compared with
what PyTorch gets on the same machine. One process per rank, launched with the torchrun
environment (RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT); WORLD_SIZE=1 trains without a
process group. Each rank takes batch/WORLD_SIZE random windows per step.

  distributed_reference.py --config cfg.json --steps 20 --batch 32 --threads 1 --out r.json
rank 0 writes {"windows_per_s": ..} (global windows per second over the timed steps).
"""
import argparse
import json
import os
import sys
import time

import torch
import torch.distributed as dist
from torch import nn

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "ref"))
from flat_reference import FlatTransformer  # noqa: E402


class LossModule(nn.Module):
    """DDP hooks run on forward(): expose the model's loss as forward."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, context, target):
        return self.model.loss(context, target)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--config", required=True)
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    world = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))
    torch.manual_seed(0)
    with open(a.config) as f:
        model = LossModule(FlatTransformer(json.load(f)))
    if world > 1:
        dist.init_process_group("gloo", rank=rank, world_size=world)
        model = nn.parallel.DistributedDataParallel(model)
    local = a.batch // world
    torch.manual_seed(1 + rank)
    context, target = torch.randn(local, 120, 75), torch.randn(local, 30, 75)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4)
    model.train()

    def step():
        loss = model(context, target)
        opt.zero_grad()
        loss.backward()
        opt.step()

    for _ in range(a.warmup):
        step()
    if world > 1:
        dist.barrier()
    t0 = time.perf_counter()
    for _ in range(a.steps):
        step()
    if world > 1:
        dist.barrier()
    seconds = time.perf_counter() - t0
    if rank == 0:
        with open(a.out, "w") as f:
            json.dump({"windows_per_s": a.steps * local * world / seconds}, f)
    if world > 1:
        dist.destroy_process_group()


if __name__ == "__main__":
    main()

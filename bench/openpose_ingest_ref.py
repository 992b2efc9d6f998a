#!/usr/bin/env python3
"""numpy reference for bench_openpose_ingest: reads an OpenPose JSON directory the way a
Python pipeline would (json + numpy) and prints the best wall time of `repeats` runs.

  openpose_ingest_ref.py DIR [repeats] [mode]
    mode "track" (default): same work as lmm's read_openpose_dir -- numeric frame order,
        every person parsed, nearest-neighbour tracking of one person (numpy per frame).
    mode "first": load only (people[0] of each frame), no tracking: a lower bound.
Output: one line "seconds cpu_seconds frames" for the best (wall time) run.
"""
import json
import os
import re
import sys
import time

import numpy as np

_IDX = re.compile(r"(\d+)\D*_keypoints\.json$")


def salience(p):
    seen = p[:, 2] > 0
    if seen.sum() < 2:
        return 0.0
    xy = p[seen, :2]
    w, h = xy.max(0) - xy.min(0)
    return float(p[:, 2].clip(min=0).sum() * np.sqrt(w * h))


def diag(p):
    xy = p[p[:, 2] > 0, :2]
    if len(xy) == 0:
        return 0.0
    return float(np.hypot(*(xy.max(0) - xy.min(0))))


def read(d, mode):
    names = [n for n in os.listdir(d) if n.endswith("_keypoints.json")]
    names.sort(key=lambda n: (int(_IDX.search(n).group(1)), n))
    out = np.zeros((len(names), 25, 3), np.float32)
    last, missed, fps = None, 0, 30
    for t, n in enumerate(names):
        with open(os.path.join(d, n)) as f:
            people = json.load(f)["people"]
        if mode == "first":
            if people:
                out[t] = np.asarray(people[0]["pose_keypoints_2d"], np.float32).reshape(25, 3)
            continue
        if not people:
            missed += 1
            continue
        P = np.asarray([p["pose_keypoints_2d"] for p in people], np.float32).reshape(-1, 25, 3)
        if not np.isfinite(P).all():
            raise ValueError(f"{n}: non-finite value")
        if last is None or missed >= fps:
            k = int(np.argmax([salience(p) for p in P]))
        else:
            both = (P[:, :, 2] > 0) & (last[None, :, 2] > 0)          # (P, 25)
            dj = np.hypot(*(P[:, :, :2] - last[None, :, :2]).transpose(2, 0, 1))  # (P, 25)
            cnt = both.sum(1)
            dist = np.where(cnt > 0, (dj * both).sum(1) / np.maximum(cnt, 1), np.inf)
            k = int(np.argmin(dist))
            gate = diag(last)
            if not np.isfinite(dist[k]) or (gate > 0 and dist[k] > gate):
                k = -1
        if k < 0:
            missed += 1
            continue
        out[t] = P[k]
        last, missed = P[k], 0
    return out


def main():
    d = sys.argv[1]
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    mode = sys.argv[3] if len(sys.argv) > 3 else "track"
    best, best_cpu, frames = float("inf"), 0.0, 0
    for _ in range(repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        frames = len(read(d, mode))
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        if wall < best:
            best, best_cpu = wall, cpu
    print(f"{best:.6f} {best_cpu:.6f} {frames}")


if __name__ == "__main__":
    main()

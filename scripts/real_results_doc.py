#!/usr/bin/env python3
"""docs/results.md from a real_results.sh run: fills the summary tables of the template
(docs/results_head.md.in: @INDOMAIN@, @CROSS@, @HELDOUT@) from `lmm compare --json` and appends
the compare Markdown verbatim.
  scripts/real_results_doc.py --compare-json OUT/compare.json --compare-md OUT/compare.md \
      --template docs/results_head.md.in -o docs/results.md
"""
import argparse
import json
import os


def fnum(x):
    """Three significant digits, like lmm's tables."""
    if x == 0:
        return "0"
    if abs(x) >= 0.01:
        return f"{x:.3f}"
    return f"{x:.3g}"


def est(e):
    return f"{fnum(e['value'])} [{fnum(e['lo'])}, {fnum(e['hi'])}]"


def dataset(run):
    return os.path.basename(os.path.normpath(run["dataset"]))


def rows(run, baseline):
    return [r for r in run["rows"] if r["baseline"] == baseline and not r["oracle"]]


def zero_velocity(run):
    return next(r for r in rows(run, True) if r["model"] == "zero-velocity")["mse"][-1]["value"]


def ratio(r, zv):
    """Overall MSE / zero velocity's on the same windows, with the paired interval when the
    report has it (lmm eval's mse_vs_zero_velocity); 1.00x for zero velocity itself."""
    p = r.get("mse_vs_zero_velocity")
    if p and p.get("value") is not None and p.get("lo") is not None:
        return f"{p['value']:.2f}x [{p['lo']:.2f}, {p['hi']:.2f}]"
    return f"{r['mse'][-1]['value'] / zv:.2f}x"


def label(run, r):
    return f"{run['run']} ({r['mode']})" if run["model_kind"] == "diffusion" else run["run"]


def in_domain(runs):
    out, seen = [], None
    for run in runs:
        if run["split"] != "validation" or run["run"] == "run_flat_heldout":
            continue
        zv = zero_velocity(run)
        for r in rows(run, False):
            out.append(f"| {label(run, r)} | {est(r['mse'][-1])} | {ratio(r, zv)} | "
                       f"{est(r['mse'][-2])} |")
        seen = seen or run  # baselines of the first run's windows (the frontal Bandai clips)
    if seen:
        for r in rows(seen, True):
            out.append(f"| {r['model']} (baseline) | {est(r['mse'][-1])} | "
                       f"{ratio(r, zero_velocity(seen))} | {est(r['mse'][-2])} |")
    return "\n".join(out)


def cross(runs):
    domains = ["lab_mocap", "depth", "video"]
    table = {}
    for run in runs:
        if run["split"] == "validation":
            continue
        zv = zero_velocity(run)
        for r in rows(run, False):
            table.setdefault(label(run, r), {})[dataset(run)] = ratio(r, zv)
        for r in rows(run, True):
            table.setdefault(f"{r['model']} (baseline)", {})[dataset(run)] = ratio(r, zv)
    out = []
    for name, by_ds in sorted(table.items(), key=lambda kv: kv[0].endswith("(baseline)")):  # models first
        cells = [by_ds.get(d, "–") for d in domains]
        out.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(out)


def heldout(runs):
    run = next((r for r in runs if r["run"] == "run_flat_heldout"), None)
    if run is None:
        return "(not run)"
    zv = zero_velocity(run)
    out = ["| Model | Overall MSE [95% CI] | / zero velocity | Frame 15 (1 s) |", "|---|---|---|---|"]
    for r in rows(run, False) + rows(run, True):
        name = run["run"] if not r["baseline"] else f"{r['model']} (baseline)"
        out.append(f"| {name} | {est(r['mse'][-1])} | {ratio(r, zv)} | {est(r['mse'][-2])} |")
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--compare-json", required=True)
    ap.add_argument("--compare-md", required=True)
    ap.add_argument("--template", required=True)
    ap.add_argument("-o", "--out", required=True)
    a = ap.parse_args()
    runs = json.load(open(a.compare_json))["runs"]
    doc = open(a.template).read()
    doc = doc.replace("@INDOMAIN@", in_domain(runs)).replace("@CROSS@", cross(runs)).replace("@HELDOUT@", heldout(runs))
    doc += open(a.compare_md).read()
    tmp = a.out + ".tmp"
    with open(tmp, "w") as f:
        f.write(doc)
    os.replace(tmp, a.out)


if __name__ == "__main__":
    main()

#!/usr/bin/env bash
# The main job on the bundled default (about 10 minutes on 2 cores):
#   1. pose estimation on Debian's real street video (opencv-doc vtest.avi) -> OpenPose JSON
#   2. the pretrained model (models/pretrained/, trained on the Bandai Namco mocap corpora,
#      docs/pretrained.md) forecasts that real skeleton: evaluated against the baselines on
#      its windows, and one forecast rendered over the truth
#   3. a procedural corpus: 2D "video" clips (OpenPose JSON) and 3D "mocap" clips (C3D)
#   4. ingest everything -> normalized 15 FPS BODY_25 dataset with QC records
#   5. train the flat baseline (small preset, time-boxed) on the video-domain clips
#   6. evaluate on its validation split and cross-domain on the mocap clips, with reports
# usage: scripts/main_job.sh [OUT_DIR]   (default out/default; LMM_TRAIN_MINUTES=4)
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-out/default}
MIN=${LMM_TRAIN_MINUTES:-4}
LMM=./build/lmm
# OpenMP threads spin while waiting; on a shared machine that makes training many times slower.
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE}
mkdir -p "$OUT"
step() { printf '\n== %s\n' "$*"; }

VTEST=/usr/share/doc/opencv-doc/examples/data/vtest.avi
if [ -f "$VTEST" ] && [ -f models/mediapipe/pose_landmark_full.tflite ]; then
  step "pose estimation: $VTEST"
  $LMM pose "$VTEST" -o "$OUT/raw/video_real" --overlay "$OUT/vtest_overlay.mp4" -q
fi

PRETRAINED=models/pretrained/lmm_bandai_short.ckpt
if [ -d "$OUT/raw/video_real" ] && [ -f "$PRETRAINED" ]; then
  step "the pretrained model on the real vtest.avi skeleton"
  $LMM ingest "$OUT/raw/video_real" -o "$OUT/dataset_vtest" -q
  $LMM eval "$PRETRAINED" "$OUT/dataset_vtest" --report "$OUT/report_vtest_pretrained" -q > /dev/null
  grep -A6 '^| Model' "$OUT/report_vtest_pretrained/report.md" | head -n 6 || true
  # Forecast the last second of the clip from the two before it and draw it over the truth.
  read -r vclip vframes < <($LMM info "$OUT/dataset_vtest" --json |
    /usr/bin/python3 -c 'import json,sys; c=max(json.load(sys.stdin), key=lambda c: c["frames"]); print(c["name"], c["frames"])')
  at=$((vframes - 15))
  $LMM forecast "$OUT/dataset_vtest" --clip "$vclip" --at "$at" -o "$OUT/forecast_vtest" >/dev/null
  $LMM render "$OUT/forecast_vtest" --truth "$OUT/dataset_vtest/clips/$vclip.h5" --start "$at" --lead 30 \
    -o "$OUT/forecast_vtest.gif"
fi

step "synthesize a default corpus"
$LMM synth -o "$OUT/raw/video" --domain video --clips 40 --frames 900 --seed 1 -q
$LMM synth -o "$OUT/raw/mocap" --domain mocap --clips 10 --frames 2000 --seed 1001 -q

step "ingest"
$LMM ingest "$OUT/raw/video" ${VTEST:+$(ls -d "$OUT/raw/video_real" 2>/dev/null)} -o "$OUT/dataset_video" -q
$LMM ingest "$OUT/raw/mocap" -o "$OUT/dataset_mocap" -q
$LMM info "$OUT/dataset_video" | tail -n 3

step "train flat baseline (small preset, ${MIN} min)"
$LMM train "$OUT/dataset_video" --model flat --preset small --max-minutes "$MIN" -o "$OUT/run_flat" -q

step "evaluate (validation split) and cross-domain (mocap)"
$LMM eval "$OUT/run_flat/best.ckpt" "$OUT/dataset_video" --report "$OUT/report_video" -q
$LMM eval "$OUT/run_flat/best.ckpt" "$OUT/dataset_mocap" --report "$OUT/report_mocap" -q
$LMM compare "$OUT/report_video" "$OUT/report_mocap" -o "$OUT/compare.md"

step "forecast and render"
clip=$($LMM info "$OUT/dataset_video" --json | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["name"])')
$LMM forecast "$OUT/run_flat/best.ckpt" "$OUT/dataset_video" --clip "$clip" -o "$OUT/forecast" >/dev/null
$LMM render "$OUT/forecast" --truth "$OUT/dataset_video/clips/$clip.h5" -o "$OUT/forecast.gif"

step "done: results in $OUT (report_vtest_pretrained/report.md, forecast_vtest.gif, report_video/report.md, report_mocap/report.md, compare.md, forecast.gif)"

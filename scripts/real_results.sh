#!/usr/bin/env bash
# Real-data results (docs/results.md) and the pretrained model (models/pretrained/,
# docs/pretrained.md), reproducibly from ../shared/data:
#   1. the corpus datasets (scripts/corpus.sh, once): mocap = Bandai Namco 1 + 2; lab_mocap,
#      depth (Kinect) and video (OpenPose, COCO family, lmm pose of the real videos)
#   2. flat, HTT and diffusion (small preset, short protocol 30 -> 15 frames at 15 FPS) on
#      Bandai, split by clip (10%, seed 1); and the flat model on a split that holds out whole
#      motion contents (run, dash, kick, punch, slash, dance: fast and combat motions)
#   3. lmm eval of every run in-domain (its validation clips) and cross-domain on every clip
#      of lab_mocap, depth and video, with the zero-velocity, constant-velocity and linear
#      ridge baselines on the same windows; lmm compare -> OUT/compare.md, compare.json
#   4. the pretrained model (run_flat_yaw: the flat model fine-tuned with augmentation on the
#      Bandai clips seen from 5 yaw angles) exported as the inference-only fp16 checkpoint
#      that forecasts with mirror averaging
# usage: scripts/real_results.sh [OUT]   (default out/real; about 1.5 hours on 2 cores)
#   env: LMM_CORPUS (out/corpus), LMM_SAMPLES (10), LMM_DOCS (docs), LMM_EXPORT=1 writes
#        models/pretrained/; the narrative of docs/results.md is docs/results_head.md.in
# Training is bounded by steps, not time, and uses one thread per run, so the same command
# and seed give the same checkpoints and numbers.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-out/real}
CORPUS=${LMM_CORPUS:-out/corpus}
SAMPLES=${LMM_SAMPLES:-10}
DOCS=${LMM_DOCS:-docs}
LMM=${LMM:-./build/lmm}
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE}
[ -x "$LMM" ] || { echo "real_results: build lmm first (scripts/build.sh)" >&2; exit 2; }
mkdir -p "$OUT"
step() { printf '\n== %s [%s]\n' "$*" "$(date +%H:%M:%S)"; }

[ -d "$CORPUS/mocap/clips" ] || { step "corpus"; scripts/corpus.sh "$CORPUS"; }

# The training recipe shared by every run (docs/training.md, "Real data"):
#   small preset, short protocol, windows every 5 frames, batch 32, one thread; best.ckpt and
#   early stopping (patience 6) on the validation forecast MSE. AdamW lr 1e-3 from scratch,
#   5e-4 when fine-tuning (an option may be given once).
RECIPE=(--preset small --protocol short --stride 5 --batch 32 --threads 1 --seed 1
        --select val_mse --patience 6 -q)
# Autoregressive models are fed their own free-running rollout, ramped 0 -> 100% over 2 epochs.
ROLLOUT=(--scheduled-sampling on --ss-max 1.0 --ss-epochs 2)
train() {  # train RUN [lmm train options...]; TRAIN_ON=<corpus dataset> (default mocap)
  local run=$1; shift
  if [ -f "$OUT/$run/best.ckpt" ] && [ -f "$OUT/$run/.done" ]; then return; fi
  step "train $run"
  if [ -f "$OUT/$run/last.ckpt" ]; then "$LMM" train --resume -o "$OUT/$run" -q
  else "$LMM" train "$CORPUS/${TRAIN_ON:-mocap}" "${RECIPE[@]}" "$@" -o "$OUT/$run"; fi
  touch "$OUT/$run/.done"
}
train run_flat      --lr 0.001 --model flat "${ROLLOUT[@]}" --max-steps 10000
train run_htt       --lr 0.001 --model htt "${ROLLOUT[@]}" --max-steps 8000
train run_diffusion --lr 0.001 --model diffusion --max-steps 9000
train run_flat_heldout --lr 0.001 --model flat "${ROLLOUT[@]}" --max-steps 6000 \
      --val-match '_(run|dash|kick|punch|slash|dance-short)_'
# The flat model fine-tuned with augmentation (mirror, view foreshortening, roll, scale,
# missing joints: docs/training.md) for the other capture setups; same split as run_flat.
[ -f "$OUT/run_flat/best.ckpt" ] && train run_flat_aug --init "$OUT/run_flat/best.ckpt" --augment \
      --scheduled-sampling on --ss-max 1.0 --ss-epochs 0 --lr 0.0005 --max-steps 5000
# The pretrained model: the same fine-tune on the Bandai clips seen from 5 yaw angles (real
# turns replace the foreshortening augmentation), 25,000 steps (about 10 epochs of its 5x
# windows, as run_flat_aug's 5,000 are of the frontal ones); the split keeps every view of a
# recording on one side, so its validation recordings are run_flat's.
[ -f "$OUT/run_flat/best.ckpt" ] && TRAIN_ON=mocap_yaw train run_flat_yaw --init "$OUT/run_flat/best.ckpt" \
      --augment-config '{"min_x_scale": 1}' --scheduled-sampling on --ss-max 1.0 --ss-epochs 0 --lr 0.0005 \
      --max-steps 25000

reports=()
evaluate() {  # evaluate RUN DATASET [lmm eval options...]
  local rep="$OUT/reports/$1_on_$2" run=$1 ds=$2
  shift 2
  if [ ! -f "$rep/metrics.json" ]; then
    step "eval $run on $ds"
    "$LMM" eval "$OUT/$run/best.ckpt" "$CORPUS/$ds" --stride 15 --samples "$SAMPLES" --report "$rep" -q "$@" > /dev/null
  fi
  reports+=("$rep")
}
for run in run_flat run_flat_aug run_htt run_diffusion; do
  for ds in mocap lab_mocap depth video; do evaluate "$run" "$ds"; done
done
# The pretrained model as it forecasts (mirror-averaged); in-domain = its validation
# recordings from all 5 angles.
if [ -f "$OUT/run_flat_yaw/best.ckpt" ]; then
  for ds in mocap_yaw lab_mocap depth video; do evaluate run_flat_yaw "$ds" --mirror-average; done
fi
evaluate run_flat_heldout mocap

step "compare -> $DOCS/results.md, $DOCS/results/real_compare.json"
"$LMM" compare "${reports[@]}" -o "$OUT/compare.md" --json "$OUT/compare.json" > /dev/null
mkdir -p "$DOCS/results"
cp "$OUT/compare.json" "$DOCS/results/real_compare.json"
python3 scripts/real_results_doc.py --compare-json "$OUT/compare.json" --compare-md "$OUT/compare.md" \
  --template docs/results_head.md.in -o "$DOCS/results.md"
cp "$OUT/reports/run_flat_on_mocap/error_vs_horizon.png" "$DOCS/results/real_flat_on_mocap_error_vs_horizon.png"
cp "$OUT/reports/run_flat_on_lab_mocap/error_vs_horizon.png" "$DOCS/results/real_flat_on_lab_mocap_error_vs_horizon.png"
cp "$OUT/reports/run_flat_on_mocap/sample_forecast.png" "$DOCS/results/real_flat_on_mocap_sample.png"

if [ "${LMM_EXPORT:-0}" = 1 ]; then
  step "export the pretrained model"
  mkdir -p models/pretrained
  "$LMM" export "$OUT/run_flat_yaw/best.ckpt" --mirror-average -o models/pretrained/lmm_bandai_short.ckpt
  sha256sum models/pretrained/lmm_bandai_short.ckpt
fi

#!/usr/bin/env bash
# The real corpus: unpacks the two Bandai Namco BVH archives of ../shared/data/corpora once
# into a cache outside the source tree, ingests everything in ../shared/data into one dataset
# per domain, and writes docs/data.md (per source: clips, minutes, QC classes and reasons,
# a clip-length histogram picture, docs/data_lengths.svg).
#   scripts/corpus.sh [OUT]          default OUT=out/corpus; about 5 minutes on 2 cores
#   env: LMM_DATA (../shared/data), LMM_CACHE (~/.cache/lmm), LMM_DOCS (docs), LMM (build/lmm)
# Datasets (OUT/<name>):
#   mocap      Bandai Namco 1 + 2 (3,076 BVH clips, 30 fps)
#   mocap_yaw  the same seen from 5 yaw angles (0, +-30, +-60 degrees; clips <name>@yaw<a>),
#              what the pretrained model trains on (about 90 s, 1.2 GB)
#   lab_mocap  ../shared/data/c3d and ../shared/data/bvh (Vicon, Qualisys, CMU, ...)
#   depth      ../shared/data/kinect (NTU, KIMORE, LabanotationSuite, LSL, KERAAL, gait)
#   video      ../shared/data/openpose and coco17, and `lmm pose` of every real video in
#              ../shared/data/videos and Debian's vtest.avi
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-out/corpus}
DATA=${LMM_DATA:-../shared/data}
CACHE=${LMM_CACHE:-$HOME/.cache/lmm}
DOCS=${LMM_DOCS:-docs}
LMM=${LMM:-./build/lmm}
[ -x "$LMM" ] || { echo "corpus: build lmm first (scripts/build.sh)" >&2; exit 2; }
[ -d "$DATA" ] || { echo "corpus: $DATA is absent: no real recordings to ingest" >&2; exit 2; }
mkdir -p "$OUT" "$CACHE/corpora"
step() { printf '\n== %s\n' "$*"; }
# lmm ingest exits 1 when some inputs failed (each named on stderr): keep going; 2 is fatal.
ingest() { "$LMM" ingest "$@" -q || [ $? -eq 1 ]; }

step "unpack the corpora into $CACHE/corpora (once)"
for a in "$DATA"/corpora/*.tar.xz; do
  stamp="$CACHE/corpora/.$(basename "$a").unpacked"
  if [ ! -f "$stamp" ] || [ "$a" -nt "$stamp" ]; then
    tar -xJf "$a" -C "$CACHE/corpora" && touch "$stamp"
  fi
done

step "ingest: mocap (Bandai Namco)"
ingest "$CACHE"/corpora/Bandai-Namco-Research-Motiondataset-* -o "$OUT/mocap"
step "ingest: mocap seen from 5 yaw angles"
ingest "$CACHE"/corpora/Bandai-Namco-Research-Motiondataset-* --yaw 0,30,-30,60,-60 -o "$OUT/mocap_yaw"
step "ingest: lab mocap (C3D, other BVH)"
ingest "$DATA/c3d" "$DATA/bvh" -o "$OUT/lab_mocap"
step "ingest: depth (Kinect)"
ingest "$DATA/kinect" -o "$OUT/depth"

step "pose estimation on the real videos"
videos=()
while IFS= read -r v; do videos+=("$v"); done < <(find "$DATA/videos" -type f \( -name '*.mp4' -o -name '*.avi' \) | sort)
VTEST=/usr/share/doc/opencv-doc/examples/data/vtest.avi
[ -f "$VTEST" ] && videos+=("$VTEST")
"$LMM" pose "${videos[@]}" -o "$OUT/raw/video_pose" -q || [ $? -eq 1 ]
step "ingest: video (OpenPose, COCO family, lmm pose)"
ingest "$DATA/openpose" "$DATA/coco17" "$OUT/raw/video_pose" -o "$OUT/video"

step "report: $DOCS/data.md"
python3 scripts/data_report.py --lmm "$LMM" --md "$DOCS/data.md" --svg "$DOCS/data_lengths.svg" \
  "mocap=$OUT/mocap" "lab_mocap=$OUT/lab_mocap" "depth=$OUT/depth" "video=$OUT/video"

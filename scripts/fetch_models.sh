#!/usr/bin/env bash
# Fetches the MediaPipe BlazePose models used by `lmm pose` into models/mediapipe/
# (gitignored; never committed). Source: npm package @mediapipe/pose@0.5.1675469404
# (Apache-2.0), fetched with `npm pack`. The person detector ships inside
# pose_solution_packed_assets.data, which is a plain .tflite file from byte 0; it is stored
# as pose_detection.tflite. Every file is checked against the SHA-256 sums below.
# Idempotent: does nothing when all files are present with the right sums.
#   LMM_MODELS_DIR=dir scripts/fetch_models.sh   stores them elsewhere.
set -euo pipefail
cd "$(dirname "$0")/.."
PKG="@mediapipe/pose@0.5.1675469404"
DEST="${LMM_MODELS_DIR:-models/mediapipe}"

# destination name | file inside the npm package | sha256
MODELS=(
  "pose_detection.tflite|pose_solution_packed_assets.data|a63c614bef30d35947f13be361820b1e4e3bec9cfeebf4d11216a18373108e85"
  "pose_landmark_lite.tflite|pose_landmark_lite.tflite|f17bfbecadb61c3be1baa8b8d851cc6619c870a87167b32848ad20db306b9d61"
  "pose_landmark_full.tflite|pose_landmark_full.tflite|e9a5c5cb17f736fafd4c2ec1da3b3d331d6edbe8a0d32395855aeb2cdfd64b9f"
  "pose_landmark_heavy.tflite|pose_landmark_heavy.tflite|59e42d71bcd44cbdbabc419f0ff76686595fd265419566bd4009ef703ea8e1fe"
)

sha_ok() { [ -f "$1" ] && [ "$(sha256sum "$1" | cut -d' ' -f1)" = "$2" ]; }

all_ok=1
for m in "${MODELS[@]}"; do
  IFS='|' read -r name _ sum <<<"$m"
  sha_ok "$DEST/$name" "$sum" || all_ok=0
done
if [ "$all_ok" = 1 ]; then
  echo "[models] MediaPipe pose models present and verified in $DEST"
  exit 0
fi

if ! command -v npm >/dev/null; then
  echo "[models] error: npm not found (scripts/install_deps.sh installs it)" >&2
  exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "[models] fetching $PKG with npm pack"
(cd "$tmp" && npm pack --silent "$PKG" >/dev/null)
tgz=$(ls "$tmp"/*.tgz)
tar -xzf "$tgz" -C "$tmp"
mkdir -p "$DEST"
for m in "${MODELS[@]}"; do
  IFS='|' read -r name src sum <<<"$m"
  if ! sha_ok "$tmp/package/$src" "$sum"; then
    echo "[models] error: $src from $PKG does not have SHA-256 $sum" >&2
    exit 1
  fi
  install -m 644 "$tmp/package/$src" "$DEST/$name.tmp.$$"
  mv "$DEST/$name.tmp.$$" "$DEST/$name"
  echo "[models] $DEST/$name verified"
done
install -m 644 "$tmp/package/package.json" "$DEST/package.json"  # provenance: version, Apache-2.0

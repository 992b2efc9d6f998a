#!/usr/bin/env bash
# The main job on the bundled default: generate a small motion corpus, ingest it.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-out/default}
mkdir -p "$OUT"
./build/lmm --version

#!/usr/bin/env bash
# The test command: installs missing packages, builds once (build/), runs the fast suite.
#   LMM_TEST_LABEL=slow scripts/test.sh   runs the slow suite instead.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install_deps.sh
bash scripts/fetch_models.sh
bash scripts/build.sh
cd build
ctest --output-on-failure -L "${LMM_TEST_LABEL:-fast}" -j "$(nproc)"

#!/usr/bin/env bash
# Fresh Debian 12 -> working lmm: installs packages, fetches the pose models, builds,
# then runs the main job on the bundled default (scripts/main_job.sh).
set -euo pipefail
cd "$(dirname "$0")"
bash scripts/install_deps.sh
[ -x scripts/fetch_models.sh ] && bash scripts/fetch_models.sh
bash scripts/build.sh
bash scripts/main_job.sh "$@"

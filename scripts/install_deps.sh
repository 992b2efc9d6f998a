#!/usr/bin/env bash
# Installs every Debian 12 package lmm needs to build, test and run (idempotent).
set -euo pipefail
PKGS=(
  build-essential cmake ninja-build pkg-config git ca-certificates
  libtorch-dev libgloo-dev libopenblas0-openmp libblas-dev
  libopencv-dev opencv-doc libgif-dev
  nlohmann-json3-dev libsimdjson-dev libcli11-dev libfmt-dev libflatbuffers-dev
  libhdf5-dev hdf5-tools zlib1g-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  python3 python3-numpy python3-h5py python3-torch
  ccache clang libclang-rt-14-dev
)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# npm fetches the pose models (scripts/fetch_models.sh); any npm on PATH will do.
command -v npm >/dev/null || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  echo "[setup] installing: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

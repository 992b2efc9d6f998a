#!/usr/bin/env bash
# Configures and builds lmm (Release) into build/.
set -euo pipefail
cd "$(dirname "$0")/.."
# ccache (when present): paths relative to the checkout, so that another clone of the same
# sources (CI's fresh clone) reuses the objects; the torch precompiled header is cacheable
# only with these sloppiness settings.
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$PWD}"
export CCACHE_SLOPPINESS="${CCACHE_SLOPPINESS:-pch_defines,time_macros,include_file_mtime,include_file_ctime}"
gen=(); command -v ninja >/dev/null && gen=(-G Ninja)
[ -f build/CMakeCache.txt ] || cmake -S . -B build "${gen[@]}" -DCMAKE_BUILD_TYPE=Release
cmake --build build -j "$(nproc)"

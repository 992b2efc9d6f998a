#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz/fuzz_*.cpp, ASan + UBSan) with clang in build-fuzz/
# and runs each for N seconds (default 60), seeded from tests/fuzz/seeds/<target without fuzz_>/.
#   bench/fuzz.sh [seconds] [target...]      e.g. bench/fuzz.sh 300 fuzz_coco17
# No target = every tests/fuzz/fuzz_*.cpp. Targets run FUZZ_JOBS at a time (default: the
# number of cores). Crashing inputs are saved as build-fuzz/artifacts/<target>-crash-*; the
# script exits 1 when any target found one (copy it to tests/fuzz/seeds/<target>/ as a
# regression seed once fixed). The growing corpus stays in build-fuzz/corpus/<target>/.
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-60}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for src in tests/fuzz/fuzz_*.cpp; do targets+=("$(basename "$src" .cpp)"); done
fi
jobs="${FUZZ_JOBS:-$(nproc)}"
CLANG_CXX="${CLANG_CXX:-$(command -v clang++-14 || command -v clang++)}"
CLANG_CC="${CLANG_CC:-$(command -v clang-14 || command -v clang)}"

# ccache (when present, as in scripts/build.sh): paths relative to the checkout and, as these
# objects carry debug info (-g), the build directory left out of the hash, so that a fresh
# clone (CI) reuses the sanitizer objects of an earlier build.
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$PWD}"
export CCACHE_NOHASHDIR="${CCACHE_NOHASHDIR:-1}"
export CCACHE_SLOPPINESS="${CCACHE_SLOPPINESS:-pch_defines,time_macros,include_file_mtime,include_file_ctime}"

t0=$SECONDS
if [ ! -f build-fuzz/CMakeCache.txt ]; then
  gen=(); command -v ninja >/dev/null && gen=(-G Ninja)
  CC="$CLANG_CC" CXX="$CLANG_CXX" cmake -S . -B build-fuzz "${gen[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DLMM_BUILD_FUZZ=ON -DLMM_BUILD_TESTS=OFF -DLMM_BUILD_BENCH=OFF > build-fuzz.configure.log 2>&1 ||
    { cat build-fuzz.configure.log; exit 1; }
  mv build-fuzz.configure.log build-fuzz/configure.log
fi
cmake --build build-fuzz -j "$(nproc)" --target "${targets[@]}"
echo "[fuzz] build: $((SECONDS - t0)) s; ${#targets[@]} targets x ${secs} s, ${jobs} at a time"

# One target: exit status 0 = no finding, 1 = crash/leak/timeout/OOM (libFuzzer's nonzero exit).
run_one() {
  local t="$1" corpus="build-fuzz/corpus/$1" seeds="tests/fuzz/seeds/${1#fuzz_}" dict=()
  mkdir -p "$corpus"
  [ -d "$seeds" ] && cp -n "$seeds"/* "$corpus"/ 2>/dev/null || true
  case "$t" in *json*|fuzz_coco17) dict=(-dict=tests/fuzz/json.dict) ;; esac
  "build-fuzz/tests/fuzz/$t" "$corpus" "${dict[@]}" -max_total_time="$secs" -max_len=16384 -timeout=10 \
    -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="build-fuzz/artifacts/$t-" \
    > "build-fuzz/$t.log" 2>&1
}

mkdir -p build-fuzz/artifacts
t1=$SECONDS
for t in "${targets[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do sleep 1; done
  echo "[fuzz] $t for ${secs}s"
  { if run_one "$t"; then echo 0; else echo 1; fi > "build-fuzz/$t.status"; } &
done
wait
status=0
for t in "${targets[@]}"; do
  if [ "$(cat "build-fuzz/$t.status")" = 0 ]; then
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "build-fuzz/$t.log")
    new=$(sed -n 's/^stat::new_units_added: *//p' "build-fuzz/$t.log")
    echo "[fuzz] $t ok: ${runs:-?} runs ($(( ${runs:-0} / (secs > 0 ? secs : 1) )) /s), ${new:-?} new units"
  else
    echo "[fuzz] $t FAILED: see build-fuzz/$t.log and build-fuzz/artifacts/$t-*"
    tail -40 "build-fuzz/$t.log"
    status=1
  fi
done
echo "[fuzz] fuzzing: $((SECONDS - t1)) s; total $((SECONDS - t0)) s"
exit $status

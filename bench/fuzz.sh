#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz) with clang in build-fuzz/ and runs each for
# N seconds (default 60), seeded from tests/fuzz/seeds/<target>/.
#   bench/fuzz.sh [seconds] [target...]      e.g. bench/fuzz.sh 300 fuzz_coco17
# Crashing inputs are saved as build-fuzz/artifacts/<target>-crash-*; the script exits 1
# when any target found one. The growing corpus stays in build-fuzz/corpus/<target>/.
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-60}"
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(fuzz_openpose_json fuzz_coco17 fuzz_ntu_skeleton fuzz_c3d fuzz_bvh fuzz_pickle)
CLANG_CXX="${CLANG_CXX:-$(command -v clang++-14 || command -v clang++)}"
CLANG_CC="${CLANG_CC:-$(command -v clang-14 || command -v clang)}"

if [ ! -f build-fuzz/CMakeCache.txt ]; then
  gen=(); command -v ninja >/dev/null && gen=(-G Ninja)
  CC="$CLANG_CC" CXX="$CLANG_CXX" cmake -S . -B build-fuzz "${gen[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DLMM_BUILD_FUZZ=ON -DLMM_BUILD_TESTS=OFF -DLMM_BUILD_BENCH=OFF
fi
cmake --build build-fuzz -j 2 --target "${targets[@]}"

mkdir -p build-fuzz/artifacts
status=0
for t in "${targets[@]}"; do
  corpus="build-fuzz/corpus/$t"
  mkdir -p "$corpus"
  seeds="tests/fuzz/seeds/${t#fuzz_}"
  [ -d "$seeds" ] && cp -n "$seeds"/* "$corpus"/ 2>/dev/null || true
  dict=()
  case "$t" in fuzz_ntu_skeleton|fuzz_pickle) ;; *) dict=(-dict=tests/fuzz/json.dict) ;; esac
  echo "[fuzz] $t for ${secs}s"
  if ! "build-fuzz/tests/fuzz/$t" "$corpus" "${dict[@]}" -max_total_time="$secs" -max_len=16384 -timeout=10 \
      -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="build-fuzz/artifacts/$t-" \
      > "build-fuzz/$t.log" 2>&1; then
    echo "[fuzz] $t FAILED: see build-fuzz/$t.log and build-fuzz/artifacts/"
    tail -40 "build-fuzz/$t.log"
    status=1
  else
    grep -E "stat::number_of_executed_units|stat::new_units_added" "build-fuzz/$t.log" | sed "s/^/[fuzz] $t /"
  fi
done
exit $status

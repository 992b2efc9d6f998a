// libFuzzer target: an NTU RGB+D .skeleton file parsed in memory (parse_ntu_skeleton),
// projected to the view chosen by the input's length.
// Only lmm::Error may escape the library; anything else aborts the fuzzer.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "lmm/core/error.h"
#include "lmm/io/ntu_skeleton.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace lmm::io;
  const lmm::View views[] = {lmm::View::front, lmm::View::side, lmm::View::top};
  try {
    const lmm::RawClip c =
        parse_ntu_skeleton(std::string_view(reinterpret_cast<const char*>(data), size),
                           "fuzz.skeleton", 0, views[size % 3]);
    if (c.frames < 1 || c.pose3d.size() != static_cast<size_t>(c.frames) * lmm::kNumJoints * 4 ||
        c.pose.size() != static_cast<size_t>(c.frames) * lmm::kFrameDim)
      __builtin_trap();
    for (float v : c.pose3d)
      if (!std::isfinite(v)) __builtin_trap();
  } catch (const lmm::Error&) {
  }
  return 0;
}

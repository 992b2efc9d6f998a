// libFuzzer target for the BVH reader: parses the input as BVH text in memory and,
// when it parses, runs forward kinematics and the BODY_25 name mapping on it.
// Only lmm::Error may escape the library.
//   build-fuzz/tests/fuzz/fuzz_bvh -max_total_time=60 corpus/
#include <cmath>
#include <cstdint>
#include <string>

#include "lmm/core/error.h"
#include "lmm/io/bvh.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    const lmm::io::BvhData d = lmm::io::parse_bvh(text, "fuzz.bvh");
    if (d.motion.size() != static_cast<size_t>(d.frames) * d.channels) __builtin_trap();
    const std::vector<float> p = lmm::io::bvh_to_body25(d, "fuzz.bvh");  // (T, 25, 4)
    if (p.size() != static_cast<size_t>(d.frames) * 25 * 4) __builtin_trap();
  } catch (const lmm::Error&) {
  }
  return 0;
}

// libFuzzer target for the BVH reader: parses the input as BVH text in memory and, when it
// parses, decodes it (forward kinematics, position-channel rule, units by anatomy) and
// maps it to BODY_25 with the best "bvh" convention. Only lmm::Error may escape the library.
//   build-fuzz/tests/fuzz/fuzz_bvh -max_total_time=60 corpus/
#include <cmath>
#include <cstdint>
#include <string>

#include "lmm/core/error.h"
#include "lmm/io/bvh.h"
#include "lmm/io/convention.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    const lmm::io::BvhData d = lmm::io::parse_bvh(text, "fuzz.bvh");
    if (d.motion.size() != static_cast<size_t>(d.frames) * d.channels) __builtin_trap();
    const lmm::io::SourceMotion m = lmm::io::bvh_source_motion(d, "fuzz.bvh");  // (T, 1, J, 4)
    if (m.data.size() != static_cast<size_t>(d.frames) * d.joints.size() * 4) __builtin_trap();
    const lmm::io::BoundConvention c = lmm::io::choose_convention(m.points, "bvh", "fuzz.bvh");
    if (c.retarget(m, 0).size() != static_cast<size_t>(d.frames) * 25 * 4) __builtin_trap();
  } catch (const lmm::Error&) {
  }
  return 0;
}

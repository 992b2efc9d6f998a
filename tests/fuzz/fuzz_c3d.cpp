// libFuzzer target for the C3D reader: parses the input bytes as a C3D file in memory
// (parse_c3d, with its repairs), then decodes the result into SourceMotions (units, axes,
// subject split, marker-set choice) and maps each to a BODY_25 RawClip, all without
// touching the disk. Only lmm::Error may escape the library; the documented layouts hold.
//   build-fuzz/tests/fuzz/fuzz_c3d -max_total_time=60 corpus/
#include <cstdint>
#include <string>

#include "lmm/core/error.h"
#include "lmm/io/c3d.h"
#include "lmm/io/reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  try {
    const lmm::io::C3dData d = lmm::io::parse_c3d(bytes, "fuzz.c3d");
    if (d.points.size() != static_cast<size_t>(d.frames) * d.labels.size() * 4) __builtin_trap();  // (T, M, 4)
    const lmm::io::ReadOptions opt;
    for (lmm::io::SourceMotion& m : lmm::io::c3d_source_motions(d, "fuzz.c3d", opt)) {
      if (m.data.size() != static_cast<size_t>(m.frames) * m.frame_size()) __builtin_trap();  // (T, 1, P, 4)
      const lmm::RawClip c = lmm::io::to_raw_clip(std::move(m), opt, "fuzz.c3d", "c3d");
      if (c.pose.size() != static_cast<size_t>(c.frames) * lmm::kFrameDim) __builtin_trap();
    }
  } catch (const lmm::Error&) {
  }
  return 0;
}

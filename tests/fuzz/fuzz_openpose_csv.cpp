// libFuzzer target: OpenPose keypoints CSV (x0,y0,c0,... header) parsed in memory
// (parse_openpose_csv), with and without a frame size and a forced model.
// Only lmm::Error may escape the library; anything else aborts the fuzzer.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "lmm/core/error.h"
#include "lmm/io/openpose_csv.h"
#include "lmm/io/reader.h"

namespace {

// Decoded data must have the declared shape and confidences in [0, 1].
void check(const lmm::io::SourceMotion& m) {
  if (m.data.size() != static_cast<size_t>(m.frames) * m.frame_size()) __builtin_trap();
  for (size_t i = 2; i < m.data.size(); i += 3)
    if (!(m.data[i] >= 0 && m.data[i] <= 1)) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace lmm::io;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  ReadOptions opt;
  for (int k = 0; k < 3; ++k) {
    try {
      check(parse_openpose_csv(text, "fuzz.csv", opt));
    } catch (const lmm::Error&) {
    }
    opt.frame_width = 640, opt.frame_height = 360;
    opt.keypoints = k == 0 ? "body25b" : "coco18";
  }
  return 0;
}

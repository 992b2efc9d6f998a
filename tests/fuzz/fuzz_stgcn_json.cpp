// libFuzzer target: ST-GCN / Kinetics-skeleton JSON parsed in memory (parse_stgcn_json),
// with and without a frame size and a forced model.
// Only lmm::Error may escape the library; anything else aborts the fuzzer.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "lmm/core/error.h"
#include "lmm/io/reader.h"
#include "lmm/io/stgcn_json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace lmm::io;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  ReadOptions opt;
  for (int k = 0; k < 2; ++k) {
    try {
      const SourceMotion m = parse_stgcn_json(text, "fuzz.json", opt);
      if (m.data.size() != static_cast<size_t>(m.frames) * m.frame_size()) __builtin_trap();
      for (size_t i = 2; i < m.data.size(); i += 3)
        if (!(m.data[i] >= 0 && m.data[i] <= 1)) __builtin_trap();
    } catch (const lmm::Error&) {
    }
    opt.frame_width = 1920, opt.frame_height = 1080;
    opt.keypoints = "body25";
  }
  return 0;
}

// libFuzzer target: a Kinect V2 text export probed and parsed in memory (probe_kinect_text,
// parse_kinect_text) as each of the five layouts; checks the probe's score, the decoded shape,
// a finite positive rate and finite coordinates. Only lmm::Error may escape the library; anything else aborts.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "lmm/core/error.h"
#include "lmm/io/kinect_text.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace lmm::io;
  const KinectLayout layouts[] = {KinectLayout::kimore, KinectLayout::laban, KinectLayout::lsl,
                                  KinectLayout::keraal, KinectLayout::gait18};
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  for (const KinectLayout layout : layouts) {
    const int score = probe_kinect_text(layout, text);
    if (score != 0 && score != 100) __builtin_trap();
    try {
      const SourceMotion m = parse_kinect_text(text, layout, "fuzz.txt");
      if (m.frames < 1 || m.people != 1 || m.dims != 3 ||
          m.data.size() != static_cast<size_t>(m.frames) * m.frame_size() || !(m.fps > 0) ||
          !std::isfinite(m.fps))
        __builtin_trap();
      for (float v : m.data)
        if (!std::isfinite(v)) __builtin_trap();
    } catch (const lmm::Error&) {
    }
  }
  return 0;
}

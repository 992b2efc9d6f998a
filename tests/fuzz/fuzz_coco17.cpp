// libFuzzer target: COCO-family keypoint inputs parsed in memory, dispatched by content like
// the file kinds format "coco17" accepts: "\x93NUMPY" -> .npy (also judged COCO-17 vs
// H36M-17), '{' or '[' -> JSON (COCO-17 / Halpe-26 / Halpe-136, several people, track ids,
// natural image-id order, time-stamp rates), else CSV/TXT. The decoded SourceMotion and the
// BODY_25 RawClip must be consistent. Only lmm::Error may escape the library; anything else
// aborts the fuzzer.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "lmm/core/error.h"
#include "lmm/io/coco17.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace lmm::io;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    const size_t first = text.find_first_not_of(" \t\r\n");
    SourceMotion m;
    lmm::RawClip c;
    if (text.substr(0, 6) == std::string_view("\x93NUMPY", 6)) {
      (void)classify_keypoint_npy(text, "fuzz.npy");
      m = decode_coco17_npy(text, "fuzz.npy");
      c = parse_coco17_npy(text, "fuzz.npy", 0);
    } else if (first != std::string_view::npos && (text[first] == '{' || text[first] == '[')) {
      m = decode_coco_json(text, "fuzz.json");
      c = parse_coco17_json(text, "fuzz.json", 0);
    } else {
      m = decode_coco17_csv(text, "fuzz.csv");
      c = parse_coco17_csv(text, "fuzz.csv", 0);
    }
    if (m.data.size() != m.frame_size() * static_cast<size_t>(m.frames)) __builtin_trap();
    if (!m.track_ids.empty() && m.track_ids.size() != static_cast<size_t>(m.frames) * m.people)
      __builtin_trap();
    for (size_t i = m.dims; i < m.data.size(); i += m.stride())
      if (!(m.data[i] >= 0 && m.data[i] <= 1)) __builtin_trap();
    if (c.frames != m.frames || c.pose.size() != static_cast<size_t>(c.frames) * lmm::kFrameDim)
      __builtin_trap();
    for (size_t i = 2; i < c.pose.size(); i += 3)
      if (!(c.pose[i] >= 0 && c.pose[i] <= 1)) __builtin_trap();
  } catch (const lmm::Error&) {
  }
  return 0;
}

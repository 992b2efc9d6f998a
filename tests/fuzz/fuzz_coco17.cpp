// libFuzzer target: COCO-17 inputs parsed in memory, dispatched by content like the
// file kinds read_coco17 accepts: "\x93NUMPY" -> .npy, '{' or '[' -> JSON, else CSV/TXT.
// Only lmm::Error may escape the library; anything else aborts the fuzzer.
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
    lmm::RawClip c;
    if (text.substr(0, 6) == std::string_view("\x93NUMPY", 6))
      c = parse_coco17_npy(text, "fuzz.npy", 0);
    else if (first != std::string_view::npos && (text[first] == '{' || text[first] == '['))
      c = parse_coco17_json(text, "fuzz.json", 0);
    else
      c = parse_coco17_csv(text, "fuzz.csv", 0);
    if (c.frames < 1 || c.pose.size() != static_cast<size_t>(c.frames) * lmm::kFrameDim)
      __builtin_trap();
    for (size_t i = 2; i < c.pose.size(); i += 3)
      if (!(c.pose[i] >= 0 && c.pose[i] <= 1)) __builtin_trap();
  } catch (const lmm::Error&) {
  }
  return 0;
}

// libFuzzer target for the C3D reader: parses the input bytes as a C3D file in
// memory; inputs that parse are also read through read_c3d (temp file) so the unit,
// axis and Plug-in Gait code runs too. Only lmm::Error may escape the library.
//   build-fuzz/tests/fuzz/fuzz_c3d -max_total_time=60 corpus/
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include "lmm/core/error.h"
#include "lmm/io/c3d.h"
#include "lmm/io/reader.h"

namespace {
// One temp file per process, removed at exit.
struct TempFile {
  std::filesystem::path path =
      std::filesystem::temp_directory_path() / ("lmm_fuzz_" + std::to_string(::getpid()) + ".c3d");
  ~TempFile() {
    std::error_code ec;
    std::filesystem::remove(path, ec);
  }
};
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static TempFile tmp_file;
  const std::filesystem::path& tmp = tmp_file.path;
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  try {
    const lmm::io::C3dData d = lmm::io::parse_c3d(bytes, "fuzz.c3d");
    if (d.points.size() != static_cast<size_t>(d.frames) * d.labels.size() * 4 && d.frames > 0 &&
        !d.labels.empty())
      __builtin_trap();  // the documented (T, M, 4) layout must hold
    {
      std::ofstream out(tmp, std::ios::binary);
      out << bytes;
    }
    const lmm::RawClip c = lmm::io::read_c3d(tmp, 0, lmm::View::front);
    if (c.pose.size() != static_cast<size_t>(c.frames) * lmm::kFrameDim) __builtin_trap();
  } catch (const lmm::Error&) {
  }
  return 0;
}

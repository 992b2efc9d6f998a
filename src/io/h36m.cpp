// H36M-17 3D .npy decoder (h36m.h): metres in camera axes (y down) -> mm, Y up; the
// pelvis-rooted array is one person, every joint with confidence 1.
#include "lmm/io/h36m.h"

#include <cmath>

#include "lmm/core/atomic_file.h"
#include "lmm/core/error.h"
#include "lmm/io/coco17.h"
#include "lmm/io/npy.h"
#include "lmm/io/reader.h"

namespace lmm::io {
namespace fs = std::filesystem;

SourceMotion decode_h36m17_npy(std::string_view bytes, const std::string& file) {
  const NpyArray a = parse_npy(bytes, file);
  if (a.shape.size() != 3 || a.shape[1] != kH36mJoints || a.shape[2] != 3)
    throw FormatError(
        file, -1,
        "npy shape " + npy_shape_string(a.shape) + ", expected (T, 17, 3) H36M-17 joints in metres");
  if (a.shape[0] == 0) throw FormatError(file, -1, "npy shape (0, 17, 3): no frames, expected T >= 1");
  SourceMotion m;
  m.skeleton = "h36m17";
  m.points.assign(kH36mJointNames, kH36mJointNames + kH36mJoints);
  m.dims = 3;
  m.units = "mm";
  m.resize(static_cast<int>(a.shape[0]), 1);
  for (int t = 0; t < m.frames; ++t)
    for (int j = 0; j < kH36mJoints; ++j) {
      const float* src = &a.data[(static_cast<size_t>(t) * kH36mJoints + j) * 3];  // x, y down, z far, m
      float* dst = m.at(t, 0, j);                                                  // X, Y up, Z near, mm
      for (int c = 0; c < 3; ++c)
        if (!std::isfinite(src[c]))
          throw FormatError(file, t,
                            std::string("non-finite ") + "xyz"[c] + " of " + kH36mJointNames[j] +
                                ", expected a finite number (metres)");
      dst[0] = 1000.f * src[0];
      dst[1] = -1000.f * src[1];
      dst[2] = -1000.f * src[2];
      dst[3] = 1.f;
    }
  return m;
}

int probe_h36m17(const fs::path& file, std::string_view head) {
  switch (classify_keypoint_npy(head, file.string())) {
    case KeypointNpyKind::h36m17: return 80;
    case KeypointNpyKind::ambiguous: return 20;  // coco17 takes it and asks for --format
    default: return 0;
  }
}

std::vector<SourceMotion> read_h36m17_motion(const fs::path& path, const ReadOptions& opt) {
  const std::string bytes = read_text(path), file = path.string();
  if ((opt.format == "auto" || opt.format.empty()) &&
      classify_keypoint_npy(bytes, file) != KeypointNpyKind::h36m17)
    throw FormatError(file, -1,
                      "this (T, 17, 3) array is not clearly root-relative H36M-17 3D in metres (joint 0 "
                      "within 1 mm of the origin, values within 10 m, some value outside [0, 2]): "
                      "say which with --format h36m17 or --format coco17");
  return {decode_h36m17_npy(bytes, file)};
}

}  // namespace lmm::io

// read_bvh: a BVH file -> RawClip. Forward kinematics gives joint positions, joint
// names map them to BODY_25 (pose3d (T, 25, 4) X, Y-up, Z mm, confidence; BVH is
// Y-up by convention), file units become mm by BvhOptions::mm_per_unit or the
// rest-pose heuristic, the rate comes from "Frame Time" unless fps > 0, and the
// 3D pose is projected orthographically to `view` (pose (T, 25, 3)).
#include <cmath>

#include "lmm/core/error.h"
#include "lmm/io/bvh.h"
#include "lmm/io/reader.h"

namespace lmm::io {

double bvh_frame_rate(double frame_time) {
  const double rate = 1.0 / frame_time, whole = std::round(rate);
  return whole > 0 && std::fabs(rate - whole) <= 2e-4 * whole ? whole : rate;
}

RawClip read_bvh(const std::filesystem::path& file, double fps, View view, const BvhOptions& opt) {
  const std::string name = file.string();
  const BvhData d = read_bvh_data(file);
  if (d.frames <= 0) throw FormatError(name, -1, "MOTION has 0 frames");
  if (!(fps > 0) && !(d.frame_time > 0))
    throw FormatError(name, -1, "Frame Time is 0: cannot tell the frame rate (pass an fps)");
  RawClip clip;
  clip.name = file.stem().string();
  clip.source_path = name;
  clip.source_format = "bvh";
  clip.fps = fps > 0 ? fps : bvh_frame_rate(d.frame_time);
  clip.frames = d.frames;
  clip.pose3d = bvh_to_body25(d, name, opt);
  project_orthographic(clip, view);
  return clip;
}

RawClip read_bvh(const std::filesystem::path& file, double fps, View view) {
  return read_bvh(file, fps, view, BvhOptions{});
}

}  // namespace lmm::io

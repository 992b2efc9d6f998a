#include "lmm/core/clip.h"

#include "lmm/core/error.h"

namespace lmm {

View parse_view(const std::string& s) {
  if (s == "front") return View::front;
  if (s == "side") return View::side;
  if (s == "top") return View::top;
  throw ConfigError("unknown view '" + s + "': expected front, side or top");
}

const char* usability_name(Usability u) {
  switch (u) {
    case Usability::usable: return "usable";
    case Usability::degraded: return "degraded";
    case Usability::unusable: return "unusable";
  }
  return "?";
}

void project_orthographic(RawClip& clip, View view) {
  const size_t n = static_cast<size_t>(clip.frames) * kNumJoints;
  LMM_CHECK(clip.pose3d.size() == n * 4, clip.source_path << ": pose3d has " << clip.pose3d.size()
                                                          << " values, expected " << n * 4);
  clip.pose.assign(n * 3, 0.f);
  for (size_t i = 0; i < n; ++i) {
    const float* p = &clip.pose3d[i * 4];
    float* q = &clip.pose[i * 3];
    switch (view) {
      case View::front: q[0] = p[0]; q[1] = -p[1]; break;
      case View::side: q[0] = p[2]; q[1] = -p[1]; break;
      case View::top: q[0] = p[0]; q[1] = p[2]; break;
    }
    q[2] = p[3];
    if (p[3] <= 0) q[0] = q[1] = 0;
  }
  clip.units = "mm";
}

}  // namespace lmm

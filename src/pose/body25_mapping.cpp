// BlazePose -> BODY_25 conversion using kBody25FromBlazePose (see body25_mapping.h).
#include "lmm/pose/body25_mapping.h"

#include <algorithm>

namespace lmm::pose {

void blazepose_to_body25(const std::array<Landmark, kBlazePoseOutputs>& points, float* out,
                         const Body25Visibility& vis) {
  // Inside [0, width) x [0, height) (a 0 size does not check that axis), within the margin
  // beyond the border, or out.
  auto inside = [](float v, int size, float margin) { return size <= 0 || (v >= -margin && v < size + margin); };
  auto seen = [&](int i) {
    const Landmark& p = points[i];
    if (!(p.visibility >= vis.min_visibility)) return false;
    if (!inside(p.x, vis.width, vis.margin) || !inside(p.y, vis.height, vis.margin)) return false;
    if (inside(p.x, vis.width, 0) && inside(p.y, vis.height, 0)) return true;
    return p.visibility >= vis.min_visibility_outside;  // in the margin
  };
  for (int j = 0; j < kNumJoints; ++j) {
    const auto [a, b] = kBody25FromBlazePose[j];
    float* o = out + j * kChannels;
    if (a < 0 || !seen(a) || (b >= 0 && !seen(b))) {
      o[0] = o[1] = o[2] = 0.f;
    } else if (b < 0) {
      o[0] = points[a].x, o[1] = points[a].y, o[2] = points[a].visibility;
    } else {
      o[0] = 0.5f * (points[a].x + points[b].x);
      o[1] = 0.5f * (points[a].y + points[b].y);
      o[2] = std::min(points[a].visibility, points[b].visibility);
    }
  }
}

}  // namespace lmm::pose

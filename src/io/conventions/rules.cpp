// Derived-point rules of convention recipes (convention_rules.h).
//   harrington_right / harrington_left (LASI, RASI, SACRUM): hip joint centres by Harrington
//   et al. (2007) from the ASIS markers and the sacrum (or mid-PSIS), see c3d.h.
//   waist_hip_right / waist_hip_left (LFWT, RFWT, BACK): hip joint centres from the CMU /
//   HDM05 waist markers (BACK = mean of LBWT and RBWT), see c3d.h.
//   shoulder_centre (SHO, TRUNK_TOP, TRUNK_BOTTOM): the acromion marker 45 mm down the trunk.
#include <algorithm>

#include "lmm/io/c3d.h"
#include "lmm/io/convention_rules.h"

namespace lmm::io {
namespace {

Vec3 v3(const std::array<float, 3>& a) { return {a[0], a[1], a[2]}; }
std::array<float, 3> f3(const Vec3& a) {
  return {static_cast<float>(a[0]), static_cast<float>(a[1]), static_cast<float>(a[2])};
}

std::array<float, 3> harrington_right(const std::vector<std::array<float, 3>>& a) {
  return f3(harrington_hip_centres(v3(a[0]), v3(a[1]), v3(a[2])).right);
}
std::array<float, 3> harrington_left(const std::vector<std::array<float, 3>>& a) {
  return f3(harrington_hip_centres(v3(a[0]), v3(a[1]), v3(a[2])).left);
}

std::array<float, 3> waist_hip_right(const std::vector<std::array<float, 3>>& a) {
  return f3(waist_hip_centres(v3(a[0]), v3(a[1]), v3(a[2])).right);
}
std::array<float, 3> waist_hip_left(const std::vector<std::array<float, 3>>& a) {
  return f3(waist_hip_centres(v3(a[0]), v3(a[1]), v3(a[2])).left);
}

std::array<float, 3> shoulder_centre_rule(const std::vector<std::array<float, 3>>& a) {
  return f3(shoulder_centre(v3(a[0]), v3(a[1]), v3(a[2])));
}

}  // namespace

const std::vector<Rule>& rules() {
  static const std::vector<Rule> all = {
      {"harrington_right", 3, harrington_right,
       "right hip joint centre, Harrington et al. (2007), from (LASI, RASI, sacrum) in mm"},
      {"harrington_left", 3, harrington_left,
       "left hip joint centre, Harrington et al. (2007), from (LASI, RASI, sacrum) in mm"},
      {"waist_hip_right", 3, waist_hip_right,
       "right hip joint centre from the CMU/HDM05 waist markers (LFWT, RFWT, mean of LBWT and RBWT) in mm: "
       "-0.17 PW anterior, -0.61 PW superior, 0.42 PW lateral of mid-front-waist (PW = |RFWT - LFWT|)"},
      {"waist_hip_left", 3, waist_hip_left,
       "left hip joint centre from the CMU/HDM05 waist markers (LFWT, RFWT, mean of LBWT and RBWT) in mm"},
      {"shoulder_centre", 3, shoulder_centre_rule,
       "shoulder joint centre: the acromion marker (SHO) 45 mm down the trunk axis TRUNK_TOP - TRUNK_BOTTOM "
       "(e.g. mean of C7 and CLAV minus mean of T10 and STRN)"},
  };
  return all;
}

const Rule* find_rule(std::string_view name) {
  for (const Rule& r : rules())
    if (r.name == name) return &r;
  return nullptr;
}

}  // namespace lmm::io

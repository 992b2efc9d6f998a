// The identity convention: points already named as OpenPose BODY_25 joints (readers that
// still map to BODY_25 themselves, and BODY_25 sources such as OpenPose and `lmm pose`).
#include "conventions.h"

namespace lmm::io::convention_tables {

void add_body25(std::vector<Convention>& out) {
  Convention c;
  c.id = "body25";
  c.title = "OpenPose BODY_25";
  c.family = "keypoints";
  for (int j = 0; j < kNumJoints; ++j) c.recipe[j] = std::string(joint_name(j));
  out.push_back(std::move(c));
}

}  // namespace lmm::io::convention_tables

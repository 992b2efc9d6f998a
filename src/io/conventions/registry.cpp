// The built-in conventions, family by family (order = preference on equal coverage).
#include "conventions.h"

namespace lmm::io {

const std::vector<Convention>& conventions() {
  static const std::vector<Convention> all = [] {
    std::vector<Convention> v;
    convention_tables::add_body25(v);
    convention_tables::add_openpose(v);
    convention_tables::add_kinect(v);
    convention_tables::add_bvh_rigs(v);
    convention_tables::add_c3d_markers(v);
    convention_tables::add_coco(v);
    return v;
  }();
  return all;
}

}  // namespace lmm::io

// TEMPORARY link stubs for read_c3d / read_bvh until the C3D/BVH readers are merged.
// The lead deletes this file at merge.
#include "lmm/core/error.h"
#include "lmm/io/reader.h"

namespace lmm::io {

RawClip read_c3d(const std::filesystem::path&, double, View) {
  throw ConfigError("read_c3d: not yet implemented");
}
RawClip read_bvh(const std::filesystem::path&, double, View) {
  throw ConfigError("read_bvh: not yet implemented");
}

}  // namespace lmm::io

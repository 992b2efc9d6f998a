// BVH writer: BvhData (joints depth-first, motion (T, C)) -> BVH text with
// tab-indented HIERARCHY and one MOTION line per frame, shortest round-trip numbers.
// Used by tests and fuzz seeds; parse_bvh(format_bvh(d)) reproduces d.
#include <fmt/format.h>

#include "lmm/core/atomic_file.h"
#include "lmm/core/error.h"
#include "lmm/io/bvh.h"

namespace lmm::io {

std::string format_bvh(const BvhData& d) {
  const size_t C = static_cast<size_t>(d.channels);
  LMM_CHECK(d.motion.size() == static_cast<size_t>(d.frames) * C,
            "format_bvh: motion has " << d.motion.size() << " values, expected " << d.frames << " x " << C);
  std::string out = "HIERARCHY\n";
  std::vector<int> open;  // joints whose block is still open
  auto indent = [&](size_t depth) { return std::string(depth, '\t'); };
  for (size_t j = 0; j < d.joints.size(); ++j) {
    const BvhJoint& jt = d.joints[j];
    while (!open.empty() && open.back() != jt.parent) {
      open.pop_back();
      out += indent(open.size()) + "}\n";
    }
    LMM_CHECK(jt.parent < 0 ? open.empty() : !open.empty(),
              "format_bvh: joint " << jt.name << " is not in depth-first order");
    const std::string in = indent(open.size());
    if (jt.end_site) {
      out += in + "End Site\n";
    } else {
      out += in + (jt.parent < 0 ? "ROOT " : "JOINT ") + jt.name + "\n";
    }
    out += in + "{\n";
    out += fmt::format("{}\tOFFSET {} {} {}\n", in, jt.offset[0], jt.offset[1], jt.offset[2]);
    if (!jt.end_site) {
      out += fmt::format("{}\tCHANNELS {}", in, jt.channels.size());
      for (BvhChannel c : jt.channels) out += std::string(" ") + bvh_channel_name(c);
      out += "\n";
    }
    open.push_back(static_cast<int>(j));
  }
  while (!open.empty()) {
    open.pop_back();
    out += indent(open.size()) + "}\n";
  }
  out += fmt::format("MOTION\nFrames: {}\nFrame Time: {}\n", d.frames, d.frame_time);
  for (int t = 0; t < d.frames; ++t) {
    for (size_t c = 0; c < C; ++c) out += fmt::format(c ? " {}" : "{}", d.motion[t * C + c]);
    out += "\n";
  }
  return out;
}

void write_bvh(const std::filesystem::path& path, const BvhData& d) {
  write_text_atomic(path, format_bvh(d));
}

}  // namespace lmm::io

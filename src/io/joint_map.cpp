// Correspondence-table mapping of source skeletons to BODY_25 (see joint_map.h).
#include "lmm/io/joint_map.h"

#include <algorithm>
#include <cmath>

namespace lmm::io {

void apply_joint_map(const JointTable& table, const float* src, int channels, float* dst) {
  const int c = channels - 1;  // confidence channel
  for (int j = 0; j < kNumJoints; ++j) {
    float* d = dst + j * channels;
    std::fill(d, d + channels, 0.f);
    const JointSource s = table[j];
    if (s.a < 0) continue;
    const float* pa = src + s.a * channels;
    if (s.b < 0) {
      if (pa[c] > 0) std::copy(pa, pa + channels, d);
      continue;
    }
    const float* pb = src + s.b * channels;
    const float conf = std::min(pa[c], pb[c]);
    if (conf <= 0) continue;
    for (int k = 0; k < c; ++k) d[k] = 0.5f * (pa[k] + pb[k]);
    d[c] = conf;
  }
}

long first_non_finite(const float* v, long n) {
  for (long i = 0; i < n; ++i)
    if (!std::isfinite(v[i])) return i;
  return -1;
}

std::string joint_table_markdown(const JointTable& table, const char* const* src_names,
                                 const std::string& source_label) {
  std::string md = "| BODY_25 | " + source_label + " |\n|---|---|\n";
  for (int j = 0; j < kNumJoints; ++j) {
    const JointSource s = table[j];
    std::string src = "missing (confidence 0)";
    if (s.a >= 0 && s.b < 0) src = src_names[s.a];
    if (s.a >= 0 && s.b >= 0)
      src = std::string("mean(") + src_names[s.a] + ", " + src_names[s.b] + "), conf = min";
    md += "| " + std::to_string(j) + " " + std::string(joint_name(j)) + " | " + src + " |\n";
  }
  return md;
}

}  // namespace lmm::io

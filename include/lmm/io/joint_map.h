// Mapping a source skeleton to BODY_25 through a correspondence table.
// A table has one JointSource per BODY_25 joint: {a, -1} copies source joint a,
// {a, b} synthesizes the mean of a and b with confidence min(conf a, conf b),
// {-1, -1} marks a joint the source lacks (confidence 0). Joints are `channels`
// floats each (x, y, conf or X, Y, Z, conf); confidence is always the last channel.
#pragma once
#include <array>
#include <cfloat>
#include <cmath>
#include <string>

#include "lmm/core/body25.h"

namespace lmm::io {

struct JointSource {
  int a = -1;  // source joint index, -1 = missing
  int b = -1;  // second source joint for a synthesized midpoint, -1 = direct copy
};
using JointTable = std::array<JointSource, kNumJoints>;

// dst (25, channels) from src (n_src, channels). A joint whose confidence ends up 0
// gets all-zero coordinates.
void apply_joint_map(const JointTable& table, const float* src, int channels, float* dst);

// Index of the first non-finite value among n, or -1 when all are finite.
long first_non_finite(const float* v, long n);

// double -> float without undefined behaviour: out-of-range values become +-inf
// (and are then rejected by the readers' finiteness checks).
inline float narrow_to_float(double d) {
  if (d > FLT_MAX) return HUGE_VALF;
  if (d < -FLT_MAX) return -HUGE_VALF;
  return static_cast<float>(d);
}

// Markdown table "| BODY_25 | <source_label> |" of a correspondence table, for docs
// and tests; src_names[i] is the source's name for joint i.
std::string joint_table_markdown(const JointTable& table, const char* const* src_names,
                                 const std::string& source_label);

}  // namespace lmm::io

// BVH forward kinematics: motion (T, C) -> global joint positions (T, J, 3) in file
// units, the position-channel rule (add to OFFSET or replace it, per joint, from frame 0)
// and the fallback unit heuristic (rest-pose extent vs. a 1.7 m person).
// Local transform of joint j: translate(t) * R, t = OFFSET + position channels (or the
// channels alone when replaces_offset), R the product of its rotation channels in
// declared order; global = parent global * local.
#include <algorithm>
#include <cmath>

#include "lmm/core/error.h"
#include "lmm/io/bvh.h"

namespace lmm::io {
namespace {

using Mat3 = std::array<double, 9>;  // row-major

Mat3 mul(const Mat3& a, const Mat3& b) {
  Mat3 c{};
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j)
      c[i * 3 + j] = a[i * 3] * b[j] + a[i * 3 + 1] * b[3 + j] + a[i * 3 + 2] * b[6 + j];
  return c;
}

// Rotation by `deg` degrees about axis 0 (X), 1 (Y) or 2 (Z).
Mat3 axis_rotation(int axis, double deg) {
  const double r = deg * (M_PI / 180.0), c = std::cos(r), s = std::sin(r);
  switch (axis) {
    case 0: return {1, 0, 0, 0, c, -s, 0, s, c};
    case 1: return {c, 0, s, 0, 1, 0, -s, 0, c};
    default: return {c, -s, 0, s, c, 0, 0, 0, 1};
  }
}

}  // namespace

std::vector<double> bvh_forward_kinematics(const BvhData& d) { return bvh_forward_kinematics(d, 0, d.frames); }

std::vector<double> bvh_forward_kinematics(const BvhData& d, int first, int count) {
  const size_t J = d.joints.size(), C = static_cast<size_t>(d.channels);
  LMM_CHECK(first >= 0 && count >= 0 && first + count <= d.frames && d.motion.size() == d.frames * C,
            "bvh_forward_kinematics: frames [" << first << ", " << first + count << ") of " << d.frames);
  const size_t T = static_cast<size_t>(count);
  std::vector<double> out(T * J * 3);
  std::vector<Mat3> rot(J);
  for (size_t t = 0; t < T; ++t) {
    const double* row = d.motion.data() + (first + t) * C;
    double* pos = &out[t * J * 3];
    for (size_t j = 0; j < J; ++j) {
      const BvhJoint& jt = d.joints[j];
      double trans[3] = {jt.offset[0], jt.offset[1], jt.offset[2]};
      Mat3 r = {1, 0, 0, 0, 1, 0, 0, 0, 1};
      for (size_t k = 0; k < jt.channels.size(); ++k) {
        const int ch = static_cast<int>(jt.channels[k]);
        const double v = row[jt.first_channel + k];
        if (ch < 3) {
          trans[ch] = jt.replaces_offset ? v : trans[ch] + v;
        } else {
          r = mul(r, axis_rotation(ch - 3, v));
        }
      }
      double* p = pos + j * 3;
      if (jt.parent < 0) {
        rot[j] = r;
        std::copy(trans, trans + 3, p);
      } else {
        const Mat3& pr = rot[jt.parent];
        const double* pp = pos + jt.parent * 3;
        for (int i = 0; i < 3; ++i)
          p[i] = pp[i] + pr[i * 3] * trans[0] + pr[i * 3 + 1] * trans[1] + pr[i * 3 + 2] * trans[2];
        rot[j] = mul(pr, r);
      }
    }
  }
  return out;
}

void bvh_resolve_position_channels(BvhData& d) {
  const size_t C = static_cast<size_t>(d.channels);
  if (d.frames <= 0 || d.motion.size() < C) return;
  for (BvhJoint& j : d.joints) {
    j.replaces_offset = false;
    for (size_t k = 0; k < j.channels.size(); ++k) {
      const int ch = static_cast<int>(j.channels[k]);
      if (ch >= 3 || j.offset[ch] == 0) continue;  // rotation, or both readings agree on this axis
      const double v = d.motion[j.first_channel + k];  // frame 0
      if (std::fabs(v - j.offset[ch]) <= 0.5 * std::fabs(j.offset[ch])) j.replaces_offset = true;
    }
  }
}

double bvh_nearest_unit(double length_units, double expected_mm) {
  constexpr double kUnits[] = {1.0, 10.0, 25.4, 25.4 / 0.45, 1000.0};  // mm, cm, inch, CMU/ASF, m
  double best = kUnits[1], best_err = 1e300;
  for (double u : kUnits) {
    const double err = std::fabs(std::log(length_units * u / expected_mm));
    if (err < best_err) best = u, best_err = err;
  }
  return best;
}

double bvh_estimate_mm_per_unit(const BvhData& d) {
  const size_t J = d.joints.size();
  std::vector<std::array<double, 3>> rest(J);
  double lo[3] = {0, 0, 0}, hi[3] = {0, 0, 0};
  for (size_t j = 0; j < J; ++j) {
    const BvhJoint& jt = d.joints[j];
    for (int k = 0; k < 3; ++k) {
      rest[j][k] = jt.parent < 0 ? 0.0 : rest[jt.parent][k] + jt.offset[k];
      lo[k] = std::min(lo[k], rest[j][k]);
      hi[k] = std::max(hi[k], rest[j][k]);
    }
  }
  const double extent = std::max({hi[0] - lo[0], hi[1] - lo[1], hi[2] - lo[2]});
  if (!(extent > 0) || !std::isfinite(extent)) return 10.0;  // no skeleton to measure: cm
  return bvh_nearest_unit(extent, 1700.0);
}

}  // namespace lmm::io

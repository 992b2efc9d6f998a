// Per-clip normalization: validate, resample to 15 FPS, centre on MidHip, scale to the
// standard torso length, derive velocity/acceleration/jerk and run QC. Partial bodies (no
// Neck: lower body; no MidHip: upper body) use a leg- or shoulder-based reference. The steps
// are BlockNormalizer's (normalize_blocks.cpp): normalize() gives it the clip as one block;
// this file holds the time derivatives.
//   raw.pose (T0, 25, 3) source units at raw.fps -> out.pose (T, 25, 3) normalized at 15 FPS
//   out.center (T, 2) source units; out.scale = median Neck-MidHip / torso_length
//   x_norm = (x_src - center[t]) / scale; missing joints are (0, 0, 0).
// Procedure, formulas and fallbacks: docs/normalization.md.
#include "lmm/core/error.h"
#include "lmm/pipeline/normalize.h"
#include "lmm/pipeline/normalize_blocks.h"

namespace lmm::pipeline {
namespace {

// d/dt of x (T, 25, 2) with validity ok (T, 25): central difference inside, one-sided at
// the ends; 0 and invalid where the joint is invalid at t or at a stencil frame.
void differentiate(const std::vector<float>& x, const std::vector<unsigned char>& ok, int T,
                   double fps, std::vector<float>& dx, std::vector<unsigned char>& ok_out) {
  dx.assign(static_cast<size_t>(T) * kNumJoints * 2, 0.f);
  ok_out.assign(static_cast<size_t>(T) * kNumJoints, 0);
  for (int t = 0; t < T; ++t) {
    const int lo = t > 0 ? t - 1 : t;
    const int hi = t < T - 1 ? t + 1 : t;
    if (lo == hi) continue;  // a single frame has no derivative
    const double f = fps / (hi - lo);
    for (int j = 0; j < kNumJoints; ++j) {
      const size_t il = size_t(lo) * kNumJoints + j, it = size_t(t) * kNumJoints + j,
                   ih = size_t(hi) * kNumJoints + j;
      if (!ok[il] || !ok[it] || !ok[ih]) continue;
      ok_out[it] = 1;
      dx[2 * it] = static_cast<float>((double(x[2 * ih]) - x[2 * il]) * f);
      dx[2 * it + 1] = static_cast<float>((double(x[2 * ih + 1]) - x[2 * il + 1]) * f);
    }
  }
}

}  // namespace

Derivatives derivatives(const std::vector<float>& pose, int frames, double fps) {
  LMM_CHECK(frames >= 0 && pose.size() == static_cast<size_t>(frames) * kFrameDim,
            "derivatives: pose has " << pose.size() << " values, expected T*75 = "
                                     << static_cast<size_t>(frames) * kFrameDim);
  LMM_CHECK(fps > 0, "derivatives: frame rate is " << fps << ", expected > 0");
  const size_t n = static_cast<size_t>(frames) * kNumJoints;
  std::vector<float> xy(n * 2);
  std::vector<unsigned char> ok(n), ok1, ok2, ok3;
  for (size_t i = 0; i < n; ++i) {
    xy[2 * i] = pose[3 * i];
    xy[2 * i + 1] = pose[3 * i + 1];
    ok[i] = pose[3 * i + 2] > 0;
  }
  Derivatives d;
  differentiate(xy, ok, frames, fps, d.velocity, ok1);
  differentiate(d.velocity, ok1, frames, fps, d.acceleration, ok2);
  differentiate(d.acceleration, ok2, frames, fps, d.jerk, ok3);
  return d;
}

// The whole clip as one block: the checks, body reference, centre track, centring and QC
// are BlockNormalizer's (normalize_blocks.cpp), the only implementation of them.
NormalizedClip normalize(const RawClip& raw, const NormalizeConfig& cfg) {
  BlockNormalizer n(cfg, raw.frames);
  n.add(raw);
  return n.finish();
}

}  // namespace lmm::pipeline

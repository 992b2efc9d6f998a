// The frame-position rule of resample() (resample.cpp), shared with the block path
// (normalize_blocks.cpp) so that both place output frames on the source the same way.
// Internal to src/pipeline.
//   output frame k at fps_out lies at source position s = k * step, step = fps_in / fps_out
#pragma once
#include <cmath>

namespace lmm::pipeline {

// Source positions this close to an integer (in source frames) fall on that frame.
constexpr double kOnFrameEps = 1e-6;

// Where output frame k falls: source frame `frame` and fraction `a` of the way to the next
// one; a = 0 when s is within kOnFrameEps of a frame (then `frame` is that frame). Not
// clamped to the last source frame: the caller does that.
struct SourcePosition {
  int frame;
  double a;
};

inline SourcePosition source_position(int k, double step) {
  const double s = k * step;
  SourcePosition p{static_cast<int>(std::floor(s)), 0.0};
  p.a = s - p.frame;
  if (p.a < kOnFrameEps) {
    p.a = 0;
  } else if (p.a > 1 - kOnFrameEps) {
    ++p.frame;
    p.a = 0;
  }
  return p;
}

}  // namespace lmm::pipeline

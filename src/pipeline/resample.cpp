// Resampling of pose arrays to a new frame rate with confidence-aware interpolation.
//   in:  x (T0, 25, C) at fps_in; channel C-1 is the confidence, the others positions
//   out: (T, 25, C) at fps_out; frame k at time k / fps_out, i.e. source position
//        s = k * fps_in / fps_out; T = floor((T0 - 1) * fps_out / fps_in) + 1
// Works for any positive rates, fractional ones (29.97) included; equal rates are an
// exact copy. Interpolation is done in double and rounded once to float.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "lmm/core/error.h"
#include "lmm/pipeline/normalize.h"
#include "resample_position.h"

namespace lmm::pipeline {

void interpolate_frame(const float* u0, const float* v0, double a, int channels, float min_confidence,
                       float* q) {
  const int pc = channels - 1;  // confidence channel
  const size_t fd = static_cast<size_t>(kNumJoints) * channels;
  if (a < kOnFrameEps) {
    std::memcpy(q, u0, fd * sizeof(float));
    return;
  }
  if (a > 1 - kOnFrameEps) {
    std::memcpy(q, v0, fd * sizeof(float));
    return;
  }
  for (int j = 0; j < kNumJoints; ++j) {
    const float* u = u0 + j * channels;
    const float* v = v0 + j * channels;
    float* o = q + j * channels;
    std::fill(o, o + channels, 0.f);
    const bool seen_u = is_visible(u[pc], min_confidence);
    const bool seen_v = is_visible(v[pc], min_confidence);
    if (seen_u && seen_v) {
      for (int c = 0; c < channels; ++c)
        o[c] = static_cast<float>(u[c] + a * (static_cast<double>(v[c]) - u[c]));
    } else if (seen_u && a <= 0.5) {
      std::copy(u, u + channels, o);
    } else if (seen_v && a >= 0.5) {
      std::copy(v, v + channels, o);
    }  // else: stays 0 (missing)
  }
}

int resampled_frames(int frames_in, double fps_in, double fps_out) {
  if (frames_in <= 0) return 0;
  return static_cast<int>(std::floor((frames_in - 1) * fps_out / fps_in + kOnFrameEps)) + 1;
}

std::vector<float> resample(const std::vector<float>& x, int frames_in, int channels,
                            double fps_in, double fps_out, int* frames_out,
                            float min_confidence) {
  LMM_CHECK(std::isfinite(fps_in) && fps_in > 0,
            "resample: source frame rate is " << fps_in << ", expected > 0");
  LMM_CHECK(std::isfinite(fps_out) && fps_out > 0,
            "resample: target frame rate is " << fps_out << ", expected > 0");
  LMM_CHECK(channels >= 2, "resample: " << channels << " channels, expected >= 2");
  LMM_CHECK(frames_in >= 0, "resample: " << frames_in << " frames, expected >= 0");
  const size_t fd = static_cast<size_t>(kNumJoints) * channels;  // values per frame
  LMM_CHECK(x.size() == static_cast<size_t>(frames_in) * fd,
            "resample: array has " << x.size() << " values, expected T*25*C = " << frames_in
                                   << "*25*" << channels << " = " << frames_in * fd);

  const int T = resampled_frames(frames_in, fps_in, fps_out);
  if (frames_out) *frames_out = T;
  std::vector<float> out(static_cast<size_t>(T) * fd, 0.f);
  const double step = fps_in / fps_out;

  for (int k = 0; k < T; ++k) {
    auto [i0, a] = source_position(k, step);
    if (i0 >= frames_in - 1) i0 = frames_in - 1, a = 0;
    const float* p0 = x.data() + i0 * fd;
    float* q = out.data() + k * fd;
    if (a == 0) {  // on a source frame: exact copy
      std::memcpy(q, p0, fd * sizeof(float));
      continue;
    }
    interpolate_frame(p0, p0 + fd, a, channels, min_confidence, q);
  }
  return out;
}

}  // namespace lmm::pipeline

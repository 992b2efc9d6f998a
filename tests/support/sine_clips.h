// Test fixtures for training code: clips of smooth sinusoidal motion, every joint
// visible, built in memory (no dataset store needed).
//   ClipFrames.pose (T, 75): x, y, confidence per joint
#pragma once
#include <cmath>
#include <string>
#include <vector>

#include "lmm/core/clip.h"
#include "lmm/train/windows.h"

namespace lmm::test {

// Joint j at frame t: x = 0.1 j + 0.3 sin(w t + 0.4 j + phase), y = -0.05 j + 0.2 cos(...),
// confidence 1; w = 2 pi freq_hz / 15.
inline std::vector<float> sine_pose(int frames, double freq_hz, double phase) {
  std::vector<float> pose(static_cast<size_t>(frames) * kFrameDim);
  const double w = 2 * M_PI * freq_hz / kStandardFps;
  for (int t = 0; t < frames; ++t)
    for (int j = 0; j < kNumJoints; ++j) {
      float* p = pose.data() + (static_cast<size_t>(t) * kNumJoints + j) * 3;
      double a = w * t + 0.4 * j + phase;
      p[0] = static_cast<float>(0.1 * j + 0.3 * std::sin(a));
      p[1] = static_cast<float>(-0.05 * j + 0.2 * std::cos(a));
      p[2] = 1.0f;
    }
  return pose;
}

inline train::ClipFrames sine_clip(const std::string& name, int frames, double freq_hz = 0.5,
                                   double phase = 0) {
  return train::ClipFrames{name, frames, sine_pose(frames, freq_hz, phase)};
}

// n clips "clip_000".. with lengths base_frames + 7 i and varied tempo and phase.
inline std::vector<train::ClipFrames> sine_clips(int n, int base_frames) {
  std::vector<train::ClipFrames> out;
  for (int i = 0; i < n; ++i) {
    char name[32];
    std::snprintf(name, sizeof name, "clip_%03d", i);
    out.push_back(sine_clip(name, base_frames + 7 * i, 0.3 + 0.05 * (i % 7), 0.9 * i));
  }
  return out;
}

}  // namespace lmm::test

// Tiny pose fixtures for the normalization and QC tests: a standing BODY_25 skeleton
// in normalized units (torso 1, image axes with y down, MidHip at the origin) whose
// elbows and wrists swing sinusoidally, and the same motion as a raw pixel clip.
//   swinging_pose: (T, 25, 3) normalized      raw_swing: RawClip pose (T0, 25, 3) in px
#pragma once
#include <array>
#include <cmath>
#include <vector>

#include "lmm/core/body25.h"
#include "lmm/core/clip.h"

namespace lmm::test {

// Rest pose (x, y) per joint in torso lengths.
inline constexpr std::array<std::array<float, 2>, kNumJoints> kRestPose{{
    {0.f, -1.3f},     {0.f, -1.f},      {-0.4f, -1.f},    {-0.5f, -0.6f},  {-0.6f, -0.2f},
    {0.4f, -1.f},     {0.5f, -0.6f},    {0.6f, -0.2f},    {0.f, 0.f},      {-0.2f, 0.f},
    {-0.25f, 0.6f},   {-0.3f, 1.2f},    {0.2f, 0.f},      {0.25f, 0.6f},   {0.3f, 1.2f},
    {-0.05f, -1.35f}, {0.05f, -1.35f},  {-0.12f, -1.3f},  {0.12f, -1.3f},  {0.35f, 1.3f},
    {0.4f, 1.28f},    {0.28f, 1.25f},   {-0.35f, 1.3f},   {-0.4f, 1.28f},  {-0.28f, 1.25f},
}};

// (T, 25, 3) at fps: the rest pose with both forearms (elbow and wrist together) swinging
// by (0.15 sin, 0.1 cos) of 2*pi*0.7*t, every joint at confidence conf.
inline std::vector<float> swinging_pose(int T, double fps, float conf = 0.9f) {
  std::vector<float> p(static_cast<size_t>(T) * kFrameDim);
  for (int t = 0; t < T; ++t) {
    const double w = 2 * M_PI * 0.7 * t / fps;
    for (int j = 0; j < kNumJoints; ++j) {
      float* q = &p[static_cast<size_t>(t) * kFrameDim + j * 3];
      const bool arm = j == RElbow || j == RWrist || j == LElbow || j == LWrist;
      q[0] = kRestPose[j][0] + (arm ? static_cast<float>(0.15 * std::sin(w)) : 0.f);
      q[1] = kRestPose[j][1] + (arm ? static_cast<float>(0.1 * std::cos(w)) : 0.f);
      q[2] = conf;
    }
  }
  return p;
}

// The swinging pose as a raw clip in pixels at fps: x_px = x * torso_px + (320 + 40 t),
// y_px = y * torso_px + (240 + 10 t), t in seconds.
inline RawClip raw_swing(int T0, double fps, float torso_px = 150.f) {
  RawClip c;
  c.name = "swing";
  c.source_path = "/data/swing.json";
  c.source_format = "openpose";
  c.fps = fps;
  c.units = "px";
  c.frames = T0;
  c.pose = swinging_pose(T0, fps);
  for (int t = 0; t < T0; ++t)
    for (int j = 0; j < kNumJoints; ++j) {
      float* q = c.frame(t) + j * 3;
      q[0] = static_cast<float>(q[0] * torso_px + 320 + 40.0 * t / fps);
      q[1] = static_cast<float>(q[1] * torso_px + 240 + 10.0 * t / fps);
    }
  return c;
}

}  // namespace lmm::test

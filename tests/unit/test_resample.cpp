// Resampling to 15 FPS: exact frame picks for integer ratios, identity at 15 -> 15,
// linear motion reproduced exactly from 60/25/100/120/29.97 Hz (and upsampled from
// 10 Hz), confidence-aware handling of joints missing in a bracketing frame, errors.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "lmm/core/error.h"
#include "lmm/pipeline/normalize.h"

using namespace lmm;
using namespace lmm::pipeline;

namespace {

// (T, 25, C) with arbitrary but deterministic values and confidence 1.
std::vector<float> pattern(int T, int C) {
  std::vector<float> x(static_cast<size_t>(T) * kNumJoints * C);
  for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(std::sin(0.37 * i) * 100);
  for (size_t i = C - 1; i < x.size(); i += C) x[i] = 1.f;
  return x;
}

// Joint j at time t (s): x = 0.1 j + 0.5 t, y = -0.2 + 0.03 j - 0.25 t (linear motion).
double lin_x(int j, double t) { return 0.1 * j + 0.5 * t; }
double lin_y(int j, double t) { return -0.2 + 0.03 * j - 0.25 * t; }

std::vector<float> linear_motion(int T, double fps) {
  std::vector<float> x(static_cast<size_t>(T) * kFrameDim);
  for (int t = 0; t < T; ++t)
    for (int j = 0; j < kNumJoints; ++j) {
      float* q = &x[static_cast<size_t>(t) * kFrameDim + j * 3];
      q[0] = static_cast<float>(lin_x(j, t / fps));
      q[1] = static_cast<float>(lin_y(j, t / fps));
      q[2] = 1.f;
    }
  return x;
}

}  // namespace

TEST(Resample, ThirtyToFifteenPicksEveryOtherFrameExactly) {
  const auto x = pattern(31, 3);
  int T = 0;
  const auto y = resample(x, 31, 3, 30.0, 15.0, &T);
  ASSERT_EQ(T, 16);
  ASSERT_EQ(y.size(), 16u * kFrameDim);
  for (int k = 0; k < T; ++k)
    EXPECT_EQ(std::memcmp(&y[k * kFrameDim], &x[2 * k * kFrameDim], kFrameDim * sizeof(float)), 0)
        << "frame " << k;
  // An even count drops the last odd frame: 30 frames span 29/30 s -> 15 frames.
  resample(pattern(30, 3), 30, 3, 30.0, 15.0, &T);
  EXPECT_EQ(T, 15);
}

TEST(Resample, FifteenToFifteenIsExactIdentity) {
  const auto x = pattern(17, 3);
  int T = 0;
  EXPECT_EQ(resample(x, 17, 3, 15.0, 15.0, &T), x);
  EXPECT_EQ(T, 17);
  const auto x4 = pattern(9, 4);
  EXPECT_EQ(resample(x4, 9, 4, 15.0, 15.0, &T), x4);
  EXPECT_EQ(T, 9);
}

TEST(Resample, LinearMotionFromAnyRateIsExactAtFifteen) {
  struct Case {
    double fps;
    int frames_in, frames_out;
  };
  const Case cases[] = {
      {60, 121, 31},   {25, 101, 61},  {100, 201, 31},        {120, 241, 31},
      {29.97, 300, 150},  // floor(299 * 15 / 29.97) = floor(149.65) = 149 -> 150 frames
      {30000.0 / 1001, 300, 150},  {10, 21, 31},  // 10 Hz is upsampled
  };
  for (const Case& c : cases) {
    int T = 0;
    const auto y = resample(linear_motion(c.frames_in, c.fps), c.frames_in, 3, c.fps, 15.0, &T);
    ASSERT_EQ(T, c.frames_out) << c.fps << " Hz";
    EXPECT_EQ(resampled_frames(c.frames_in, c.fps, 15.0), c.frames_out);
    ASSERT_EQ(y.size(), static_cast<size_t>(T) * kFrameDim);
    double worst = 0;
    for (int k = 0; k < T; ++k)
      for (int j = 0; j < kNumJoints; ++j) {
        const float* q = &y[static_cast<size_t>(k) * kFrameDim + j * 3];
        worst = std::max({worst, std::fabs(q[0] - lin_x(j, k / 15.0)),
                          std::fabs(q[1] - lin_y(j, k / 15.0))});
        ASSERT_EQ(q[2], 1.f) << c.fps << " Hz frame " << k;
      }
    EXPECT_LT(worst, 1e-5) << c.fps << " Hz";
  }
}

TEST(Resample, FourChannelArraysUseTheSameTimes) {
  // pose3d (T, 25, 4): X = t in seconds, Y = 2, Z = -t; confidence last.
  const int T0 = 61;
  std::vector<float> x(static_cast<size_t>(T0) * kNumJoints * 4);
  for (int t = 0; t < T0; ++t)
    for (int j = 0; j < kNumJoints; ++j) {
      float* q = &x[(static_cast<size_t>(t) * kNumJoints + j) * 4];
      q[0] = t / 60.f, q[1] = 2.f, q[2] = -t / 60.f, q[3] = 0.8f;
    }
  int T = 0;
  const auto y = resample(x, T0, 4, 60.0, 15.0, &T);
  ASSERT_EQ(T, 16);
  for (int k = 0; k < T; ++k) {
    const float* q = &y[static_cast<size_t>(k) * kNumJoints * 4 + RWrist * 4];
    EXPECT_NEAR(q[0], k / 15.0, 1e-6);
    EXPECT_EQ(q[1], 2.f);
    EXPECT_NEAR(q[2], -k / 15.0, 1e-6);
    EXPECT_EQ(q[3], 0.8f);
  }
}

TEST(Resample, JointMissingInOneBracketingFrameIsCopiedOnlyWhenClose) {
  // 25 -> 15 Hz: output frame 1 is at source position 5/3, between frames 1 and 2
  // (2/3 of the way to frame 2). Output frame 2 is at 10/3, between 3 and 4 (1/3).
  auto x = linear_motion(7, 25.0);
  auto pj = [&x](int t, int j) { return &x[static_cast<size_t>(t) * kFrameDim + j * 3]; };
  pj(1, RWrist)[2] = 0.f;     // frame 2 is 1/3 interval away: copied
  pj(2, LWrist)[2] = 0.f;     // frame 1 is 2/3 interval away: too far -> missing
  pj(1, Nose)[2] = 0.f;       // both bracketing frames missing
  pj(2, Nose)[2] = 0.f;
  pj(4, RElbow)[2] = 0.01f;   // below min_confidence counts as missing: copy frame 3
  pj(2, RElbow)[2] = 0.6f;    // both seen: confidence is interpolated too
  int T = 0;
  const auto y = resample(x, 7, 3, 25.0, 15.0, &T);
  ASSERT_EQ(T, 4);
  auto out = [&y](int k, int j) { return &y[static_cast<size_t>(k) * kFrameDim + j * 3]; };

  EXPECT_EQ(out(1, RWrist)[0], pj(2, RWrist)[0]);
  EXPECT_EQ(out(1, RWrist)[1], pj(2, RWrist)[1]);
  EXPECT_EQ(out(1, RWrist)[2], 1.f);

  EXPECT_EQ(out(1, LWrist)[0], 0.f);
  EXPECT_EQ(out(1, LWrist)[1], 0.f);
  EXPECT_EQ(out(1, LWrist)[2], 0.f);
  EXPECT_EQ(out(1, Nose)[2], 0.f);

  EXPECT_EQ(out(2, RElbow)[0], pj(3, RElbow)[0]);
  EXPECT_EQ(out(2, RElbow)[2], 1.f);
  EXPECT_NEAR(out(1, RElbow)[2], 1.0 / 3 * 1.0 + 2.0 / 3 * 0.6, 1e-6);
  EXPECT_NEAR(out(1, RElbow)[0], lin_x(RElbow, 1 / 15.0), 1e-6);
}

TEST(Resample, BadRatesAndSizesThrowConfigError) {
  const auto x = pattern(4, 3);
  int T = 0;
  EXPECT_THROW(resample(x, 4, 3, 0.0, 15.0, &T), ConfigError);
  EXPECT_THROW(resample(x, 4, 3, -30.0, 15.0, &T), ConfigError);
  EXPECT_THROW(resample(x, 4, 3, std::nan(""), 15.0, &T), ConfigError);
  EXPECT_THROW(resample(x, 4, 3, 30.0, 0.0, &T), ConfigError);
  EXPECT_THROW(resample(x, 5, 3, 30.0, 15.0, &T), ConfigError);
  try {
    resample(x, 5, 3, 30.0, 15.0, &T);
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("T*25*C"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(resample({}, 0, 3, 30.0, 15.0, &T).empty());
  EXPECT_EQ(T, 0);
}

// Per-clip normalization: MidHip centring, robust torso scaling, the round trip back to
// source units, centre interpolation where MidHip is missing, derivatives in normalized
// units per second, pose3d resampling, and FormatErrors naming file, frame and joint.
#include <gtest/gtest.h>

#include <cmath>

#include "lmm/core/error.h"
#include "lmm/pipeline/normalize.h"
#include "pose_fixtures.h"

using namespace lmm;
using namespace lmm::pipeline;

namespace {

const float* joint(const NormalizedClip& c, int k, int j) {
  return &c.pose[static_cast<size_t>(k) * kFrameDim + j * 3];
}

double torso(const NormalizedClip& c, int k) {
  const float* n = joint(c, k, Neck);
  const float* h = joint(c, k, MidHip);
  return std::hypot(n[0] - h[0], n[1] - h[1]);
}

// Expects normalize(raw) to throw FormatError; returns it for inspection.
FormatError expect_format_error(const RawClip& raw) {
  try {
    normalize(raw);
  } catch (const FormatError& e) {
    return e;
  }
  ADD_FAILURE() << "normalize did not throw FormatError";
  return FormatError("", -2, "");
}

bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

}  // namespace

TEST(Normalize, CentresOnMidHipAndScalesTorsoToOne) {
  const RawClip raw = test::raw_swing(61, 30.0);
  const NormalizedClip c = normalize(raw);
  EXPECT_EQ(c.name, "swing");
  EXPECT_EQ(c.source_path, "/data/swing.json");
  EXPECT_EQ(c.source_format, "openpose");
  EXPECT_EQ(c.units, "px");
  EXPECT_EQ(c.source_fps, 30.0);
  EXPECT_EQ(c.source_frames, 61);
  EXPECT_EQ(c.fps, 15.0);
  ASSERT_EQ(c.frames, 31);
  ASSERT_EQ(c.pose.size(), 31u * kFrameDim);
  ASSERT_EQ(c.center.size(), 31u * 2);
  ASSERT_EQ(c.velocity.size(), 31u * kNumJoints * 2);
  EXPECT_NEAR(c.scale, 150.0, 1e-3);
  // The normalized clip is the swinging pose sampled at 15 FPS.
  const auto expected = test::swinging_pose(31, 15.0);
  for (int k = 0; k < c.frames; ++k) {
    EXPECT_EQ(joint(c, k, MidHip)[0], 0.f) << k;
    EXPECT_EQ(joint(c, k, MidHip)[1], 0.f) << k;
    EXPECT_NEAR(torso(c, k), 1.0, 1e-5) << k;
    for (int i = 0; i < kFrameDim; ++i)
      ASSERT_NEAR(c.pose[k * kFrameDim + i], expected[k * kFrameDim + i], 1e-5) << k << " " << i;
  }
  EXPECT_TRUE(c.pose3d.empty());
}

TEST(Normalize, TorsoLengthIsRobustToOutlierFrames) {
  RawClip raw = test::raw_swing(60, 15.0);
  for (int t : {3, 10, 40}) raw.frame(t)[Neck * 3 + 1] -= 300;  // torso 450 px there
  const NormalizedClip c = normalize(raw);
  EXPECT_NEAR(c.scale, 150.0, 1e-3);
  EXPECT_NEAR(torso(c, 20), 1.0, 1e-5);
  EXPECT_NEAR(torso(c, 10), 3.0, 1e-5);

  NormalizeConfig cfg;
  cfg.torso_length = 2.f;  // scale = source units per normalized unit
  const NormalizedClip c2 = normalize(raw, cfg);
  EXPECT_NEAR(c2.scale, 75.0, 1e-3);
  EXPECT_NEAR(torso(c2, 20), 2.0, 1e-5);
}

TEST(Normalize, RoundTripReproducesRawCoordinates) {
  for (double fps : {15.0, 30.0}) {
    const RawClip raw = test::raw_swing(45, fps);
    const NormalizedClip c = normalize(raw);
    const int step = static_cast<int>(fps / 15);
    for (int k = 0; k < c.frames; ++k)
      for (int j = 0; j < kNumJoints; ++j) {
        const float* src = raw.frame(k * step) + j * 3;
        const float* p = joint(c, k, j);
        EXPECT_NEAR(p[0] * c.scale + c.center[2 * k], src[0], 1e-3) << fps << " " << k << " " << j;
        EXPECT_NEAR(p[1] * c.scale + c.center[2 * k + 1], src[1], 1e-3);
        EXPECT_EQ(p[2], src[2]);
      }
  }
}

TEST(Normalize, MissingJointsAreZeroWithConfidenceZero) {
  RawClip raw = test::raw_swing(20, 15.0);
  raw.frame(4)[RWrist * 3 + 2] = 0.02f;  // below min_confidence 0.05
  raw.frame(5)[LKnee * 3 + 2] = 0.f;
  const NormalizedClip c = normalize(raw);
  for (auto [k, j] : {std::pair{4, int(RWrist)}, std::pair{5, int(LKnee)}}) {
    EXPECT_EQ(joint(c, k, j)[0], 0.f);
    EXPECT_EQ(joint(c, k, j)[1], 0.f);
    EXPECT_EQ(joint(c, k, j)[2], 0.f);
  }
  EXPECT_NEAR(joint(c, 4, LWrist)[2], 0.9f, 1e-7);
  EXPECT_NEAR(c.qc.missing_frac[RWrist], 1.0 / 20, 1e-6);
}

TEST(Normalize, CentreIsInterpolatedWhereMidHipIsMissing) {
  RawClip raw = test::raw_swing(30, 15.0);
  for (int t : {0, 1, 10, 11, 12}) raw.frame(t)[MidHip * 3 + 2] = 0.f;
  const NormalizedClip c = normalize(raw);
  ASSERT_EQ(c.frames, 30);
  // The true centre moves linearly, so interpolating across 10..12 recovers it.
  for (int k : {10, 11, 12}) {
    EXPECT_NEAR(c.center[2 * k], 320 + 40.0 * k / 15, 1e-3) << k;
    EXPECT_NEAR(c.center[2 * k + 1], 240 + 10.0 * k / 15, 1e-3) << k;
    EXPECT_EQ(joint(c, k, MidHip)[2], 0.f);
    EXPECT_NEAR(joint(c, k, Neck)[0], 0.0, 1e-5);
    EXPECT_NEAR(joint(c, k, Neck)[1], -1.0, 1e-5);
  }
  // Before the first visible MidHip the centre holds the first one (frame 2).
  for (int k : {0, 1}) {
    EXPECT_EQ(c.center[2 * k], raw.frame(2)[MidHip * 3]);
    EXPECT_EQ(c.center[2 * k + 1], raw.frame(2)[MidHip * 3 + 1]);
  }
}

TEST(Normalize, CentreFallsBackToSourceFramesWhenNoOutputFrameSeesMidHip) {
  // 60 Hz: output frames sit on source frames 0, 4, 8, ...; MidHip is seen only in
  // source frame 2, which no output frame picks up.
  RawClip raw = test::raw_swing(9, 60.0);
  for (int t = 0; t < 9; ++t)
    if (t != 2) raw.frame(t)[MidHip * 3 + 2] = 0.f;
  const NormalizedClip c = normalize(raw);
  ASSERT_EQ(c.frames, 3);
  for (int k = 0; k < 3; ++k) {
    EXPECT_EQ(c.center[2 * k], raw.frame(2)[MidHip * 3]);
    EXPECT_EQ(c.center[2 * k + 1], raw.frame(2)[MidHip * 3 + 1]);
  }
}

TEST(Normalize, ConstantVelocityGivesConstantVelocityAndZeroAcceleration) {
  // RWrist moves at (30, -15) px/s relative to MidHip = (0.2, -0.1) torso lengths/s.
  RawClip raw = test::raw_swing(61, 30.0);
  for (int t = 0; t < raw.frames; ++t) {
    const float* h = raw.frame(t) + MidHip * 3;
    float* w = raw.frame(t) + RWrist * 3;
    w[0] = static_cast<float>(h[0] - 90 + 30.0 * t / 30);
    w[1] = static_cast<float>(h[1] - 30 - 15.0 * t / 30);
  }
  const NormalizedClip c = normalize(raw);
  ASSERT_EQ(c.frames, 31);
  for (int k = 0; k < c.frames; ++k) {
    const size_t i = (static_cast<size_t>(k) * kNumJoints + RWrist) * 2;
    EXPECT_NEAR(c.velocity[i], 0.2, 1e-4) << k;
    EXPECT_NEAR(c.velocity[i + 1], -0.1, 1e-4) << k;
    EXPECT_NEAR(c.acceleration[i], 0.0, 1e-3) << k;
    EXPECT_NEAR(c.acceleration[i + 1], 0.0, 1e-3) << k;
    EXPECT_NEAR(c.jerk[i], 0.0, 1e-2) << k;
    const size_t h = (static_cast<size_t>(k) * kNumJoints + MidHip) * 2;
    EXPECT_EQ(c.velocity[h], 0.f);
    EXPECT_EQ(c.velocity[h + 1], 0.f);
  }
}

TEST(Normalize, DerivativesUseCentralDifferencesAndSkipMissingJoints) {
  // x = t^2 / 2 at 1 FPS: central velocity is t, one-sided 0.5 at frame 0, acceleration 1.
  const int T = 12;
  std::vector<float> pose(T * kFrameDim, 0.f);
  for (int t = 0; t < T; ++t)
    for (int j = 0; j < kNumJoints; ++j) {
      pose[t * kFrameDim + j * 3] = 0.5f * t * t;
      pose[t * kFrameDim + j * 3 + 2] = 1.f;
    }
  pose[5 * kFrameDim + RWrist * 3 + 2] = 0.f;  // RWrist missing in frame 5
  const Derivatives d = derivatives(pose, T, 1.0);
  auto v = [&d](int t, int j) { return d.velocity[(t * kNumJoints + j) * 2]; };
  auto a = [&d](int t, int j) { return d.acceleration[(t * kNumJoints + j) * 2]; };
  EXPECT_EQ(v(0, Nose), 0.5f);
  EXPECT_EQ(v(T - 1, Nose), 0.5f * (2 * T - 3));
  for (int t = 1; t < T - 1; ++t) EXPECT_EQ(v(t, Nose), float(t)) << t;
  for (int t = 2; t < T - 2; ++t) EXPECT_EQ(a(t, Nose), 1.f) << t;
  for (int t : {4, 5, 6}) EXPECT_EQ(v(t, RWrist), 0.f) << t;
  EXPECT_EQ(v(3, RWrist), 3.f);
  EXPECT_EQ(v(7, RWrist), 7.f);
  for (int t : {3, 4, 5, 6, 7}) EXPECT_EQ(a(t, RWrist), 0.f) << t;
  EXPECT_EQ(a(2, RWrist), 1.f);
  EXPECT_EQ(a(8, RWrist), 1.f);
  // A single frame has no derivative.
  const Derivatives one = derivatives(std::vector<float>(pose.begin(), pose.begin() + kFrameDim), 1, 15);
  for (float x : one.velocity) EXPECT_EQ(x, 0.f);
}

TEST(Normalize, Pose3dIsResampledAtTheSameTimes) {
  RawClip raw = test::raw_swing(61, 60.0);
  raw.pose3d.resize(61 * kNumJoints * 4);
  for (size_t i = 0; i < raw.pose3d.size(); ++i)
    raw.pose3d[i] = (i % 4 == 3) ? 1.f : static_cast<float>(i % 997);
  const NormalizedClip c = normalize(raw);
  ASSERT_EQ(c.frames, 16);
  ASSERT_EQ(c.pose3d.size(), 16u * kNumJoints * 4);
  for (int k = 0; k < c.frames; ++k)
    for (int i = 0; i < kNumJoints * 4; ++i)
      ASSERT_EQ(c.pose3d[k * kNumJoints * 4 + i], raw.pose3d[4 * k * kNumJoints * 4 + i]);
}

TEST(Normalize, FractionalRateAndCleanClipIsUsable) {
  const NormalizedClip c = normalize(test::raw_swing(300, 29.97));
  EXPECT_EQ(c.frames, 150);
  for (int k = 0; k < c.frames; ++k) ASSERT_EQ(joint(c, k, MidHip)[0], 0.f);
  EXPECT_EQ(c.qc.usability, Usability::usable) << c.qc.reason;
  EXPECT_TRUE(c.qc.artifacts.empty());
}

TEST(Normalize, NonFiniteValueThrowsNamingFileFrameAndJoint) {
  RawClip raw = test::raw_swing(10, 15.0);
  raw.frame(3)[RElbow * 3 + 1] = std::nanf("");
  const FormatError e = expect_format_error(raw);
  EXPECT_EQ(e.file(), "/data/swing.json");
  EXPECT_EQ(e.frame(), 3);
  EXPECT_TRUE(contains(e.what(), "RElbow")) << e.what();
  EXPECT_TRUE(contains(e.what(), "non-finite y")) << e.what();

  RawClip raw3 = test::raw_swing(10, 15.0);
  raw3.pose3d.assign(10 * kNumJoints * 4, 1.f);
  raw3.pose3d[(7 * kNumJoints + LAnkle) * 4 + 2] = INFINITY;
  const FormatError e3 = expect_format_error(raw3);
  EXPECT_EQ(e3.frame(), 7);
  EXPECT_TRUE(contains(e3.what(), "LAnkle") && contains(e3.what(), "pose3d")) << e3.what();
}

TEST(Normalize, BadClipsThrowFormatError) {
  RawClip empty = test::raw_swing(1, 15.0);
  empty.frames = 0;
  empty.pose.clear();
  FormatError e = expect_format_error(empty);
  EXPECT_EQ(e.file(), "/data/swing.json");
  EXPECT_TRUE(contains(e.what(), "no frames")) << e.what();

  RawClip short_pose = test::raw_swing(10, 15.0);
  short_pose.pose.resize(9 * kFrameDim);
  e = expect_format_error(short_pose);
  EXPECT_TRUE(contains(e.what(), "expected T*75 = 10*75 = 750")) << e.what();

  RawClip no_torso = test::raw_swing(10, 15.0);
  for (int t = 0; t < 10; ++t) no_torso.frame(t)[(t % 2 ? Neck : MidHip) * 3 + 2] = 0.f;
  e = expect_format_error(no_torso);
  EXPECT_TRUE(contains(e.what(), "Neck and MidHip")) << e.what();

  RawClip no_rate = test::raw_swing(10, 15.0);
  no_rate.fps = 0;
  e = expect_format_error(no_rate);
  EXPECT_TRUE(contains(e.what(), "frame rate")) << e.what();

  NormalizeConfig bad;
  bad.fps_out = 0;
  EXPECT_THROW(normalize(test::raw_swing(10, 15.0), bad), ConfigError);
}

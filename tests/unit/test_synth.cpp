// Motion synthesizer: determinism, plausible anatomy, domains.
#include <gtest/gtest.h>

#include <cmath>

#include "lmm/core/error.h"
#include "lmm/pipeline/synth.h"

using namespace lmm;
using lmm::pipeline::SynthConfig;
using lmm::pipeline::SynthDomain;

static float dist3(const RawClip& c, int t, int a, int b) {
  const float* p = &c.pose3d[(t * kNumJoints + a) * 4];
  const float* q = &c.pose3d[(t * kNumJoints + b) * 4];
  return std::sqrt((p[0] - q[0]) * (p[0] - q[0]) + (p[1] - q[1]) * (p[1] - q[1]) + (p[2] - q[2]) * (p[2] - q[2]));
}

TEST(Synth, SameSeedSameClipOtherSeedOtherClip) {
  SynthConfig cfg;
  cfg.seed = 5;
  auto a = pipeline::synthesize(cfg), b = pipeline::synthesize(cfg);
  EXPECT_EQ(a.pose, b.pose);
  cfg.seed = 6;
  EXPECT_NE(pipeline::synthesize(cfg).pose, a.pose);
}

TEST(Synth, MocapBonesKeepTheirLengthAndHeadIsAboveFeet) {
  for (const auto& m : pipeline::synth_motions()) {
    SynthConfig cfg;
    cfg.motion = m;
    cfg.domain = SynthDomain::mocap;
    cfg.fps = 120;
    cfg.frames = 240;
    auto c = pipeline::synthesize(cfg);
    ASSERT_EQ(c.pose3d.size(), 240u * 100);
    EXPECT_EQ(c.units, "mm");
    float thigh0 = dist3(c, 0, RHip, RKnee), fore0 = dist3(c, 0, LElbow, LWrist);
    for (int t = 0; t < c.frames; t += 7) {
      EXPECT_NEAR(dist3(c, t, RHip, RKnee), thigh0, 1e-2) << m;
      EXPECT_NEAR(dist3(c, t, LElbow, LWrist), fore0, 1e-2) << m;
      // image y grows downwards: the nose is above (smaller y than) both ankles
      EXPECT_LT(c.pose[(t * 25 + Nose) * 3 + 1], c.pose[(t * 25 + RAnkle) * 3 + 1]) << m;
    }
  }
}

TEST(Synth, VideoDomainIsPixelsWithNoisyConfidence) {
  SynthConfig cfg;
  cfg.motion = "walk";
  cfg.frames = 200;
  cfg.dropout = 0.05f;
  auto c = pipeline::synthesize(cfg);
  EXPECT_EQ(c.units, "px");
  EXPECT_TRUE(c.pose3d.empty());
  int missing = 0;
  for (int i = 0; i < c.frames * kNumJoints; ++i) {
    float conf = c.pose[i * 3 + 2];
    EXPECT_GE(conf, 0.f);
    EXPECT_LE(conf, 1.f);
    missing += conf == 0;
    if (conf > 0) EXPECT_GT(c.pose[i * 3 + 1], 0.f);  // inside the image
  }
  EXPECT_GT(missing, 0);
  EXPECT_LT(missing, c.frames * kNumJoints / 5);
}

TEST(Synth, UnknownMotionIsAConfigError) {
  SynthConfig cfg;
  cfg.motion = "moonwalk";
  EXPECT_THROW(pipeline::synthesize(cfg), ConfigError);
}

#include "lmm/io/c3d.h"
#include "lmm/io/reader.h"
#include "test_support.h"

TEST(Synth, MocapWrittenAsPluginGaitC3dReadsBackToTheSameJoints) {
  SynthConfig cfg;
  cfg.motion = "walk";
  cfg.domain = SynthDomain::mocap;
  cfg.fps = 100;
  cfg.frames = 50;
  auto clip = pipeline::synthesize(cfg);
  auto m = pipeline::plugin_gait_markers(clip);
  test::TempDir d;
  io::write_c3d(d / "walk.c3d", m.labels, m.points, cfg.fps, -0.1, 2);
  auto back = io::read_c3d(d / "walk.c3d", 0, View::front);
  ASSERT_EQ(back.frames, clip.frames);
  EXPECT_DOUBLE_EQ(back.fps, 100.0);
  for (int t = 0; t < clip.frames; ++t)
    for (int j = 0; j < kNumJoints; ++j) {
      const float* a = &clip.pose3d[(t * 25 + j) * 4];
      const float* b = &back.pose3d[(t * 25 + j) * 4];
      if (j == LSmallToe || j == RSmallToe) {  // Plug-in Gait has no small-toe marker
        EXPECT_EQ(b[3], 0.f);
        continue;
      }
      ASSERT_GT(b[3], 0.f) << joint_name(j);
      // eyes are blends of the front-head markers in Plug-in Gait: approximate (< 6 cm)
      const double tol = (j == REye || j == LEye) ? 60.0 : 0.05;
      for (int k = 0; k < 3; ++k) ASSERT_NEAR(a[k], b[k], tol) << "frame " << t << " " << joint_name(j) << " axis " << k;
    }
}

// Partial bodies: lower-body marker sets (no Neck) and upper-body videos (no hips) are
// normalized with the leg- or shoulder-based reference and QC'd as degraded with the reason;
// 3D geometry findings (segment lengths in mm, inverted up axis) and reader flags reach QC.
#include <gtest/gtest.h>

#include <cmath>

#include "lmm/pipeline/normalize.h"
#include "pose_fixtures.h"

using namespace lmm;
using namespace lmm::pipeline;

namespace {

// The swinging fixture (100 px torso, 30 FPS) with the ankles swinging too (so that a
// lower body is not frozen) and `joints` removed.
RawClip without(std::initializer_list<int> joints) {
  RawClip c = test::raw_swing(30, 30.0, 100.f);
  for (int t = 0; t < c.frames; ++t) {
    c.frame(t)[RAnkle * 3] += static_cast<float>(8 * std::sin(0.5 * t));
    c.frame(t)[LAnkle * 3] -= static_cast<float>(8 * std::sin(0.5 * t));
    for (int j : joints) std::fill(c.frame(t) + j * 3, c.frame(t) + j * 3 + 3, 0.f);
  }
  return c;
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

}  // namespace

TEST(PartialBody, LowerBodyScalesByThighAndIsDegraded) {
  const RawClip raw = without({Nose, Neck, RShoulder, RElbow, RWrist, LShoulder, LElbow, LWrist, REye, LEye, REar, LEar});
  const NormalizedClip n = normalize(raw);
  // Fixture thigh (RHip-RKnee) = hypot(0.05, 0.6) torso lengths of 100 px.
  const double thigh_px = 100.0 * std::hypot(0.05, 0.6);
  EXPECT_NEAR(n.scale, kTorsoPerThigh * thigh_px, 1e-3);
  // Centred on MidHip: MidHip at the origin in every frame.
  for (int k = 0; k < n.frames; ++k) {
    EXPECT_FLOAT_EQ(n.pose[k * kFrameDim + MidHip * 3], 0.f);
    EXPECT_FLOAT_EQ(n.pose[k * kFrameDim + MidHip * 3 + 1], 0.f);
  }
  EXPECT_EQ(n.qc.usability, Usability::degraded) << n.qc.reason;
  EXPECT_TRUE(contains(n.qc.reason, "lower body only")) << n.qc.reason;
  EXPECT_FALSE(contains(n.qc.reason, "main joints missing")) << n.qc.reason;  // counted over the legs
}

TEST(PartialBody, UpperBodyCentresOnNeckAndScalesByShoulders) {
  const RawClip raw = without({MidHip, RHip, RKnee, RAnkle, LHip, LKnee, LAnkle, LBigToe, LSmallToe, LHeel,
                               RBigToe, RSmallToe, RHeel});
  const NormalizedClip n = normalize(raw);
  EXPECT_NEAR(n.scale, kTorsoPerShoulders * 100.0 * 0.8, 1e-3);  // shoulders 0.8 torso apart
  for (int k = 0; k < n.frames; ++k) EXPECT_FLOAT_EQ(n.pose[k * kFrameDim + Neck * 3], 0.f);
  EXPECT_EQ(n.qc.usability, Usability::degraded);
  EXPECT_TRUE(contains(n.qc.reason, "upper body only")) << n.qc.reason;
}

TEST(PartialBody, FullBodyIsUnchangedAndReaderFlagsReachQc) {
  RawClip raw = test::raw_swing(30, 30.0, 100.f);
  EXPECT_NEAR(normalize(raw).scale, 100.0, 1e-3);
  EXPECT_EQ(normalize(raw).qc.usability, Usability::usable);
  raw.qc_flags = {"truncated: 29 of 1149 frames"};
  const NormalizedClip n = normalize(raw);
  EXPECT_EQ(n.qc.usability, Usability::degraded);
  EXPECT_EQ(n.qc.reason, "truncated: 29 of 1149 frames");
}

TEST(PartialBody, GeometryFindingsFlagGiantsAndUpsideDown) {
  RawClip raw;
  raw.frames = 3;
  raw.pose3d.assign(3 * kNumJoints * 4, 0.f);  // (T, 25, 4) mm, Y up
  auto set = [&raw](int t, int j, float x, float y, float z) {
    float* p = raw.pose3d.data() + (t * kNumJoints + j) * 4;
    p[0] = x, p[1] = y, p[2] = z, p[3] = 1.f;
  };
  for (int t = 0; t < 3; ++t) {
    set(t, Neck, 0, 1400, 0), set(t, MidHip, 0, 900, 0);       // torso 500 mm
    set(t, RHip, -100, 900, 0), set(t, RKnee, -100, 480, 0);   // thigh 420 mm
    set(t, LHip, 100, 900, 0), set(t, LKnee, 100, 480, 0);
  }
  EXPECT_TRUE(geometry_findings(raw).empty());
  for (int t = 0; t < 3; ++t) set(t, RKnee, -100, 120, 0), set(t, LKnee, 100, 120, 0);  // thigh 780
  auto f = geometry_findings(raw);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_TRUE(contains(f[0], "thigh 780 mm outside the human range 300-560 mm")) << f[0];
  for (int t = 0; t < 3; ++t) set(t, Neck, 0, 400, 0), set(t, RKnee, -100, 480, 0), set(t, LKnee, 100, 480, 0);
  f = geometry_findings(raw);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_TRUE(contains(f[0], "upside down? Neck below MidHip in 100% of frames")) << f[0];
}

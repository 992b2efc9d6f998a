// Quality control: confidence statistics, each artifact kind injected into a clean
// swinging clip and found at the right frame and joint, the usability classes, and no
// false artifacts on synthesized motion (pipeline/synth.h).
#include <gtest/gtest.h>

#include <algorithm>

#include "lmm/core/error.h"
#include "lmm/pipeline/normalize.h"
#include "lmm/pipeline/qc.h"
#include "lmm/pipeline/synth.h"
#include "pose_fixtures.h"

using namespace lmm;
using namespace lmm::pipeline;

namespace {

constexpr int kT = 90;  // 6 s at 15 FPS

float* pj(std::vector<float>& p, int t, int j) {
  return &p[static_cast<size_t>(t) * kFrameDim + j * 3];
}

std::vector<Artifact> of_kind(const QcRecord& r, const std::string& kind) {
  std::vector<Artifact> out;
  for (const auto& a : r.artifacts)
    if (a.kind == kind) out.push_back(a);
  return out;
}

// Swaps every left/right joint pair of frame t that belongs to `joints` (right side).
void swap_lr(std::vector<float>& p, int t, std::initializer_list<int> right_joints) {
  for (int r : right_joints)
    for (int c = 0; c < 3; ++c) std::swap(pj(p, t, r)[c], pj(p, t, kMirror[r])[c]);
}

// The artifacts of `kind` in r; expects exactly one, at `frame` and `joint`.
Artifact expect_single(const QcRecord& r, const std::string& kind, int frame, int joint) {
  const auto found = of_kind(r, kind);
  EXPECT_EQ(found.size(), 1u) << kind;
  if (found.empty()) return {};
  EXPECT_EQ(found[0].frame, frame) << kind;
  EXPECT_EQ(found[0].joint, joint) << kind;
  return found[0];
}

}  // namespace

TEST(Qc, CleanClipIsUsableWithConfidenceStatistics) {
  auto p = test::swinging_pose(kT, 15.0);
  pj(p, 7, Nose)[2] = 0.3f;
  const QcRecord r = quality_control(p, kT, 15.0);
  EXPECT_EQ(r.usability, Usability::usable);
  EXPECT_EQ(r.reason, "");
  EXPECT_TRUE(r.artifacts.empty());
  EXPECT_EQ(r.n_jumps + r.n_frozen + r.n_bone_outliers + r.n_lr_swaps, 0);
  EXPECT_NEAR(r.conf_mean[Nose], (0.9 * (kT - 1) + 0.3) / kT, 1e-6);
  EXPECT_FLOAT_EQ(r.conf_min[Nose], 0.3f);
  EXPECT_FLOAT_EQ(r.conf_mean[RWrist], 0.9f);
  EXPECT_EQ(r.missing_frac[RWrist], 0.f);
  EXPECT_EQ(r.frame_missing_frac, 0.f);
}

TEST(Qc, JumpIsFoundAtItsFrameAndJointAndASpikeCountsOnce) {
  auto p = test::swinging_pose(kT, 15.0);
  pj(p, 40, RWrist)[0] += 2.f;  // one-frame spike of 2 torso lengths: 30 torso/s out and back
  const QcRecord r = quality_control(p, kT, 15.0);
  EXPECT_NEAR(expect_single(r, "jump", 40, RWrist).value, 30.f, 1.f);
  EXPECT_EQ(r.n_jumps, 1);
  // The spike also stretches the forearm in that frame.
  expect_single(r, "bone_length", 40, RWrist);

  // A step (the joint stays at the new place) is one jump too.
  auto q = test::swinging_pose(kT, 15.0);
  for (int t = 50; t < kT; ++t) pj(q, t, Nose)[1] -= 1.2f;  // 18 torso/s at frame 50
  const QcRecord rs = quality_control(q, kT, 15.0);
  expect_single(rs, "jump", 50, Nose);
}

TEST(Qc, FrozenRunIsFoundAtItsFirstFrame) {
  auto p = test::swinging_pose(kT, 15.0);
  for (int t = 21; t < 32; ++t) std::copy(pj(p, 20, 0), pj(p, 20, 0) + kFrameDim, pj(p, t, 0));
  for (int t = 61; t < 65; ++t)  // a run of 5: shorter than frozen_run (8)
    std::copy(pj(p, 60, 0), pj(p, 60, 0) + kFrameDim, pj(p, t, 0));
  const QcRecord r = quality_control(p, kT, 15.0);
  EXPECT_EQ(expect_single(r, "frozen", 20, -1).value, 12.f);
  EXPECT_EQ(r.n_frozen, 1);
  EXPECT_EQ(r.n_jumps, 0);
  // 11 repeated frames of 90 = 12% of frames: degraded (above 5%), not unusable.
  EXPECT_EQ(r.usability, Usability::degraded);
  EXPECT_NE(r.reason.find("1 frozen"), std::string::npos) << r.reason;
}

TEST(Qc, StretchedBoneIsFoundAtItsFirstFrameAndChildJoint) {
  auto p = test::swinging_pose(kT, 15.0);
  for (int t = 50; t <= 52; ++t) {  // LElbow->LWrist doubled along the forearm
    float* e = pj(p, t, LElbow);
    float* w = pj(p, t, LWrist);
    w[0] += w[0] - e[0];
    w[1] += w[1] - e[1];
  }
  const QcRecord r = quality_control(p, kT, 15.0);
  EXPECT_NEAR(expect_single(r, "bone_length", 50, LWrist).value, 2.f, 1e-3);
  EXPECT_EQ(r.n_bone_outliers, 1);
  EXPECT_EQ(r.n_jumps, 0);
}

TEST(Qc, LeftRightSwapIsFoundPerLimbGroup) {
  // One-frame swap of the whole body at frame 60: one artifact per limb group, no jumps
  // (the wrists move 1.2 torso lengths = 18/s but are explained by the swap).
  auto p = test::swinging_pose(kT, 15.0);
  swap_lr(p, 60, {RShoulder, RElbow, RWrist, RHip, RKnee, RAnkle, REye, REar, RBigToe,
                  RSmallToe, RHeel});
  const QcRecord r = quality_control(p, kT, 15.0);
  const auto s = of_kind(r, "lr_swap");
  ASSERT_EQ(s.size(), 3u);
  EXPECT_EQ(r.n_lr_swaps, 3);
  std::vector<int> joints;
  for (const auto& a : s) {
    EXPECT_EQ(a.frame, 60);
    EXPECT_LT(a.value, 0.5f);
    joints.push_back(a.joint);
  }
  std::sort(joints.begin(), joints.end());
  EXPECT_EQ(joints, (std::vector<int>{RShoulder, RHip, REye}));
  EXPECT_EQ(r.n_jumps, 0);

  // Legs swapped for frames 30..39 (classic OpenPose): the swap and the swap back.
  auto q = test::swinging_pose(kT, 15.0);
  for (int t = 30; t < 40; ++t) swap_lr(q, t, {RHip, RKnee, RAnkle, RBigToe, RSmallToe, RHeel});
  const QcRecord rq = quality_control(q, kT, 15.0);
  const auto sq = of_kind(rq, "lr_swap");
  ASSERT_EQ(sq.size(), 2u);
  EXPECT_EQ(sq[0].frame, 30);
  EXPECT_EQ(sq[1].frame, 40);
  EXPECT_EQ(sq[0].joint, RHip);
}

TEST(Qc, MissingShareDecidesTheClass) {
  auto p = test::swinging_pose(kT, 15.0);
  for (int t = 0; t < 63; ++t)  // 70% of frames lose every joint
    for (int j = 0; j < kNumJoints; ++j) std::fill(pj(p, t, j), pj(p, t, j) + 3, 0.f);
  const QcRecord r = quality_control(p, kT, 15.0);
  EXPECT_EQ(r.usability, Usability::unusable);
  EXPECT_NEAR(r.missing_frac[Neck], 0.7, 1e-6);
  EXPECT_NEAR(r.frame_missing_frac, 0.7, 1e-6);
  EXPECT_EQ(r.conf_min[Neck], 0.f);
  EXPECT_NE(r.reason.find("missing in 70%"), std::string::npos) << r.reason;
  EXPECT_NE(r.reason.find("unusable above 60%"), std::string::npos) << r.reason;

  auto q = test::swinging_pose(kT, 15.0);
  for (int t = 0; t < kT; ++t)  // 5 of the 15 main joints never seen: 33% missing
    for (int j : {RKnee, RAnkle, LKnee, LAnkle, Nose}) pj(q, t, j)[2] = 0.01f;
  const QcRecord rq = quality_control(q, kT, 15.0);
  EXPECT_EQ(rq.usability, Usability::degraded) << rq.reason;
  EXPECT_EQ(rq.missing_frac[RAnkle], 1.f);
  EXPECT_NE(rq.reason.find("degraded above 20%"), std::string::npos) << rq.reason;
}

TEST(Qc, TooShortOrManyArtifactsIsUnusable) {
  auto one = test::swinging_pose(1, 15.0);
  const QcRecord r1 = quality_control(one, 1, 15.0);
  EXPECT_EQ(r1.usability, Usability::unusable);
  EXPECT_NE(r1.reason.find("need >= 2"), std::string::npos) << r1.reason;

  auto p = test::swinging_pose(kT, 15.0);
  for (int t = 3; t < kT; t += 3) pj(p, t, LAnkle)[0] += 3.f;  // a spike every third frame
  const QcRecord r = quality_control(p, kT, 15.0);
  EXPECT_EQ(r.n_jumps, kT / 3 - 1);  // 29 spikes, each counted once
  EXPECT_EQ(r.usability, Usability::unusable) << r.reason;
  EXPECT_NE(r.reason.find("artifacts in"), std::string::npos) << r.reason;

  EXPECT_THROW(quality_control(p, kT + 1, 15.0), ConfigError);
  EXPECT_THROW(quality_control(p, kT, 0.0), ConfigError);
}

TEST(Qc, SynthesizedClipsAreCleanAndInjectedArtifactsAreFound) {
  // Realistic motion (foreshortened limbs, detection jitter, dropouts) must not raise
  // false artifacts; the same clips with a spike, a frozen run and a leg swap must.
  for (auto domain : {SynthDomain::video, SynthDomain::mocap})
    for (const std::string& motion : synth_motions()) {
      SynthConfig sc;
      sc.motion = motion;
      sc.domain = domain;
      sc.fps = 30;
      sc.frames = 300;
      sc.seed = 5;
      const NormalizedClip c = normalize(synthesize(sc));
      SCOPED_TRACE(motion + (domain == SynthDomain::video ? " video" : " mocap"));
      ASSERT_EQ(c.frames, 150);
      EXPECT_EQ(c.qc.usability, Usability::usable) << c.qc.reason;
      EXPECT_TRUE(c.qc.artifacts.empty());

      auto p = c.pose;
      pj(p, 40, RWrist)[0] += 2.f;
      // Frozen to the end (a stall in mid-clip would add real catch-up jumps after it).
      for (int t = 141; t < c.frames; ++t)
        std::copy(pj(p, 140, 0), pj(p, 140, 0) + kFrameDim, pj(p, t, 0));
      swap_lr(p, 100, {RHip, RKnee, RAnkle, RBigToe, RSmallToe, RHeel});
      const QcRecord r = quality_control(p, c.frames, c.fps);
      expect_single(r, "jump", 40, RWrist);
      expect_single(r, "frozen", 140, -1);
      expect_single(r, "lr_swap", 100, RHip);
    }
}

// Training augmentation (augment.h): what it changes and what it must keep.
#include <gtest/gtest.h>

#include "lmm/core/body25.h"
#include "lmm/core/error.h"
#include "lmm/train/augment.h"
#include "test_support.h"

namespace lmm::train {
namespace {

models::Batch standing_batch(int B, int C, int H) {
  auto frame = torch::tensor(test::standing_pose());                      // (75)
  models::Batch b;
  b.context = frame.view({1, 1, 75}).repeat({B, C, 1}).clone();            // (B, C, 75)
  b.target = frame.view({1, 1, 75}).repeat({B, H, 1}).clone();             // (B, H, 75)
  b.context.select(2, 3 * RWrist + 2).fill_(0);                            // right wrist unseen...
  b.context.select(2, 3 * RWrist).fill_(0);
  b.context.select(2, 3 * RWrist + 1).fill_(0);
  return b;
}

// Augmentation on, with every transform off: tests switch on the ones they check.
AugmentConfig nothing_on() {
  AugmentConfig c;
  c.enabled = true;
  c.mirror_prob = 0;
  c.min_x_scale = 1;
  c.max_roll_deg = 0;
  c.scale = 0;
  c.joint_dropout = 0;
  c.bone_jitter = 0;
  c.jitter = 0;
  c.min_confidence = 1;
  c.still_prob = 0;
  c.leg_scale = 0;
  c.arm_scale = 0;
  c.joint_offset = 0;
  c.slow_prob = 0;
  return c;
}

TEST(Augment, OffLeavesTheBatchAlone) {
  auto b = standing_batch(4, 6, 3);
  auto a = augment_batch(b, AugmentConfig{}, 1);
  EXPECT_TRUE(torch::equal(a.context, b.context));
  EXPECT_TRUE(torch::equal(a.target, b.target));
}

TEST(Augment, DeterministicPerSeedAndKeepsBonesConsistentAcrossFrames) {
  AugmentConfig cfg;
  cfg.enabled = true;
  cfg.joint_dropout = 0;
  cfg.jitter = 0;
  cfg.min_confidence = 1;
  cfg.joint_offset = 0;  // offsets, limb scales and slowing down have tests of their own
  cfg.slow_prob = 0;
  cfg.leg_scale = 0;
  cfg.arm_scale = 0;
  auto b = standing_batch(64, 6, 3);
  auto a = augment_batch(b, cfg, 7);
  EXPECT_TRUE(torch::equal(a.context, augment_batch(b, cfg, 7).context));
  EXPECT_FALSE(torch::equal(a.context, augment_batch(b, cfg, 8).context));
  // One transform per window: every frame of a window (context and target) is changed alike.
  EXPECT_LT((a.context - a.context.narrow(1, 0, 1)).abs().max().item<float>(), 1e-6f);
  EXPECT_LT((a.target - a.context.narrow(1, 0, 1).narrow(2, 0, 75)).abs().select(2, 3 * Neck).max().item<float>(), 1e-6f);
  // Confidences are unchanged (mirroring swaps sides, and both sides are seen here except RWrist).
  auto conf = a.context.unflatten(-1, {25, 3}).select(-1, 2);              // (B, C, 25)
  EXPECT_EQ(conf.sum().item<float>(), 64 * 6 * 24);
  // A missing joint stays at (0, 0) wherever it ends up.
  auto xy = a.context.unflatten(-1, {25, 3}).narrow(-1, 0, 2);             // (B, C, 25, 2)
  EXPECT_EQ((xy.abs().sum(-1) * (conf == 0)).sum().item<float>(), 0.0f);
  // Torso length (Neck - MidHip) changes by the scale and foreshortening only: within
  // [0.9 * 0.5, 1.1] of the original 1, and not always 1.
  auto torso = (xy.select(2, Neck) - xy.select(2, MidHip)).norm(2, -1);    // (B, C)
  EXPECT_GE(torso.min().item<float>(), 0.9f * 0.5f - 1e-5f);
  EXPECT_LE(torso.max().item<float>(), 1.1f + 1e-5f);
  EXPECT_GT((torso - 1).abs().max().item<float>(), 0.01f);
}

TEST(Augment, MirrorSwapsLeftAndRight) {
  AugmentConfig cfg = nothing_on();
  cfg.mirror_prob = 1;
  auto b = standing_batch(2, 2, 1);
  auto a = augment_batch(b, cfg, 3);
  auto in = b.target.unflatten(-1, {25, 3}), out = a.target.unflatten(-1, {25, 3});  // (B, H, 25, 3)
  // The left shoulder lands where the right one was, x negated.
  EXPECT_NEAR(out[0][0][LShoulder][0].item<float>(), -in[0][0][RShoulder][0].item<float>(), 1e-6);
  EXPECT_NEAR(out[0][0][LShoulder][1].item<float>(), in[0][0][RShoulder][1].item<float>(), 1e-6);
  // The unseen right wrist of the context is the unseen left wrist after mirroring.
  EXPECT_EQ(a.context.unflatten(-1, {25, 3})[0][0][LWrist][2].item<float>(), 0.0f);
}

TEST(Augment, BoneJitterScalesBonesButNotTheTorso) {
  AugmentConfig cfg = nothing_on();
  cfg.bone_jitter = 0.15;
  auto b = standing_batch(64, 2, 2);
  auto a = augment_batch(b, cfg, 11);
  auto in = b.target.unflatten(-1, {25, 3}).narrow(-1, 0, 2), out = a.target.unflatten(-1, {25, 3}).narrow(-1, 0, 2);
  auto len = [](const torch::Tensor& xy, int p, int c) { return (xy.select(2, c) - xy.select(2, p)).norm(2, -1); };
  EXPECT_LT((len(out, Neck, MidHip) - len(in, Neck, MidHip)).abs().max().item<float>(), 1e-6f);  // torso kept
  auto ratio = len(out, LElbow, LWrist) / len(in, LElbow, LWrist);                                 // (B, H)
  EXPECT_GE(ratio.min().item<float>(), 0.85f - 1e-5f);
  EXPECT_LE(ratio.max().item<float>(), 1.15f + 1e-5f);
  EXPECT_GT((ratio - 1).abs().max().item<float>(), 0.05f);
  // Children move with their parents: the hand keeps its direction from the elbow.
  auto dir_in = in.select(2, LWrist) - in.select(2, LElbow), dir_out = out.select(2, LWrist) - out.select(2, LElbow);
  EXPECT_LT((dir_out / ratio.unsqueeze(-1) - dir_in).abs().max().item<float>(), 1e-5f);
}

TEST(Augment, ContextNoiseAndScoresLeaveTheTargetAndMissingJointsAlone) {
  AugmentConfig cfg = nothing_on();
  cfg.jitter = 0.03;
  cfg.min_confidence = 0.3;
  auto b = standing_batch(256, 4, 2);
  auto a = augment_batch(b, cfg, 13);
  EXPECT_TRUE(torch::allclose(a.target, b.target, 0, 1e-6));
  auto d = (a.context - b.context).unflatten(-1, {25, 3});                       // (B, C, 25, 3)
  auto xy_noise = d.narrow(-1, 0, 2);
  EXPECT_GT(xy_noise.abs().max().item<float>(), 0.01f);
  EXPECT_LT(xy_noise.abs().max().item<float>(), 6 * 0.03f);                    // within 6 sigma
  auto conf = a.context.unflatten(-1, {25, 3}).select(-1, 2);                    // (B, C, 25)
  auto seen = b.context.unflatten(-1, {25, 3}).select(-1, 2) > 0;
  EXPECT_GE(conf.masked_select(seen).min().item<float>(), 0.3f - 1e-6f);
  EXPECT_LE(conf.masked_select(seen).max().item<float>(), 1.0f);
  // About half the windows carry detector-like scores, the others keep mocap's 1.
  auto scored = (conf.masked_fill(~seen, 1) < 1).any(-1).any(-1).to(torch::kFloat).mean().item<float>();
  EXPECT_NEAR(scored, 0.5f, 0.1f);
  EXPECT_EQ(conf.masked_select(~seen).abs().sum().item<float>(), 0.0f);
  EXPECT_EQ(a.context.unflatten(-1, {25, 3}).narrow(-1, 0, 2).select(2, RWrist).abs().sum().item<float>(), 0.0f);
}

TEST(Augment, JointJitterGivesEachJointItsOwnNoiseLevelInTheContextOnly) {
  AugmentConfig cfg = nothing_on();
  cfg.joint_jitter = 0.05;
  auto b = standing_batch(64, 200, 2);
  auto a = augment_batch(b, cfg, 21);
  EXPECT_TRUE(torch::equal(a.target, b.target));
  auto d = (a.context - b.context).unflatten(-1, {25, 3}).narrow(-1, 0, 2);   // (B, C, 25, 2)
  auto sd = d.square().mean({1, 3}).sqrt();                                   // (B, 25) per window and joint
  sd = torch::cat({sd.narrow(1, 0, RWrist), sd.narrow(1, RWrist + 1, 25 - RWrist - 1)}, 1);  // (B, 24) seen joints
  EXPECT_LT(sd.max().item<float>(), 0.05f * 1.2f);                            // std within U(0, 0.05)
  // Within a window, joints differ: one noisy, another nearly still.
  auto spread = (sd.amax(1) - sd.amin(1)).mean().item<float>();
  EXPECT_GT(spread, 0.03f);
  EXPECT_EQ(d.select(2, RWrist).abs().sum().item<float>(), 0.0f);            // unseen joints stay 0
  cfg.joint_jitter = -0.1;
  EXPECT_THROW(cfg.validate(), lmm::ConfigError);
}

TEST(Augment, StillWindowsHoldTheLastContextPose) {
  AugmentConfig cfg = nothing_on();
  cfg.still_prob = 0.5;
  torch::manual_seed(2);
  models::Batch b{torch::rand({200, 6, 75}) + 0.1, torch::rand({200, 3, 75}) + 0.1};  // all joints seen
  auto a = augment_batch(b, cfg, 17);
  auto last = b.context.select(1, 5);                                                  // (B, 75)
  auto still = (a.target - last.unsqueeze(1)).abs().amax({1, 2}) == 0;                // (B,)
  EXPECT_NEAR(still.to(torch::kFloat).mean().item<float>(), 0.5f, 0.1f);
  // A still window is its last context pose everywhere; the others are untouched.
  auto ctx_still = (a.context - last.unsqueeze(1)).abs().amax({1, 2}) == 0;
  EXPECT_TRUE(torch::equal(still, ctx_still));
  EXPECT_TRUE(torch::equal(a.context.index({~still}), b.context.index({~still})));
  EXPECT_TRUE(torch::equal(a.target.index({~still}), b.target.index({~still})));
}

TEST(Augment, LegsStillWindowsHoldTheLowerBodyAndLetTheUpperBodyMove) {
  AugmentConfig cfg = nothing_on();
  cfg.legs_still_prob = 0.5;
  torch::manual_seed(3);
  models::Batch b{torch::rand({200, 6, 75}) + 0.1, torch::rand({200, 3, 75}) + 0.1};  // all joints seen
  auto a = augment_batch(b, cfg, 19);
  auto last = b.context.select(1, 5).unflatten(-1, {kNumJoints, 3});                   // (B, 25, 3)
  auto ctx = a.context.unflatten(-1, {kNumJoints, 3});                                // (B, 6, 25, 3)
  auto tgt = a.target.unflatten(-1, {kNumJoints, 3});                                 // (B, 3, 25, 3)
  const std::vector<int64_t> lower_ids{RHip, RKnee, RAnkle, LHip, LKnee, LAnkle, LBigToe, LSmallToe, LHeel,
                                       RBigToe, RSmallToe, RHeel};
  const std::vector<int64_t> upper_ids{Nose, Neck, RShoulder, RElbow, RWrist, LShoulder, LElbow, LWrist, MidHip,
                                       REye, LEye, REar, LEar};
  auto lower = torch::tensor(lower_ids), upper = torch::tensor(upper_ids);
  auto held = [&](const torch::Tensor& x) {  // (B,) lower body equal to the last context frame in every frame
    return (x.index_select(2, lower) - last.index_select(1, lower).unsqueeze(1)).abs().amax({1, 2, 3}) == 0;
  };
  auto still = held(tgt);
  EXPECT_NEAR(still.to(torch::kFloat).mean().item<float>(), 0.5f, 0.1f);
  EXPECT_TRUE(torch::equal(still, held(ctx)));
  // The upper body is untouched in every window; windows that were not drawn are untouched.
  auto b_ctx = b.context.unflatten(-1, {kNumJoints, 3}), b_tgt = b.target.unflatten(-1, {kNumJoints, 3});
  EXPECT_TRUE(torch::equal(ctx.index_select(2, upper), b_ctx.index_select(2, upper)));
  EXPECT_TRUE(torch::equal(tgt.index_select(2, upper), b_tgt.index_select(2, upper)));
  EXPECT_TRUE(torch::equal(a.context.index({~still}), b.context.index({~still})));
  EXPECT_TRUE(torch::equal(a.target.index({~still}), b.target.index({~still})));
  cfg.legs_still_prob = 1.5;
  EXPECT_THROW(cfg.validate(), lmm::ConfigError);
}

TEST(Augment, JointDropoutHidesContextJointsOnly) {
  AugmentConfig cfg = nothing_on();
  cfg.joint_dropout = 0.25;
  auto b = standing_batch(64, 10, 3);
  auto a = augment_batch(b, cfg, 5);
  auto seen = (a.context.unflatten(-1, {25, 3}).select(-1, 2) > 0).to(torch::kFloat).mean().item<float>();
  EXPECT_NEAR(seen, 0.75f * 24 / 25, 0.03f);
  EXPECT_EQ((a.target.unflatten(-1, {25, 3}).select(-1, 2) > 0).sum().item<int64_t>(), 64 * 3 * 25);
}

TEST(Augment, LimbScalesStretchBothLegsAndBothArmsAlike) {
  AugmentConfig cfg = nothing_on();
  cfg.leg_scale = 0.4;
  cfg.arm_scale = 0.25;
  auto b = standing_batch(256, 2, 2);
  auto a = augment_batch(b, cfg, 29);
  auto in = b.target.unflatten(-1, {25, 3}).narrow(-1, 0, 2), out = a.target.unflatten(-1, {25, 3}).narrow(-1, 0, 2);
  auto ratio = [&](int p, int c) {
    return ((out.select(2, c) - out.select(2, p)).norm(2, -1) / (in.select(2, c) - in.select(2, p)).norm(2, -1)).select(1, 0);  // (B,)
  };
  auto thigh = ratio(RHip, RKnee), arm = ratio(LShoulder, LElbow);
  // One factor per window for all four leg bones, another for all four arm bones.
  for (auto [p, c] : {std::pair<int, int>{RKnee, RAnkle}, {LHip, LKnee}, {LKnee, LAnkle}})
    EXPECT_LT((ratio(p, c) - thigh).abs().max().item<float>(), 1e-5f);
  for (auto [p, c] : {std::pair<int, int>{LElbow, LWrist}, {RShoulder, RElbow}, {RElbow, RWrist}})
    EXPECT_LT((ratio(p, c) - arm).abs().max().item<float>(), 1e-5f);
  EXPECT_NEAR(thigh.min().item<float>(), 0.6f, 0.02f);
  EXPECT_NEAR(thigh.max().item<float>(), 1.4f, 0.02f);
  EXPECT_GE(arm.min().item<float>(), 0.75f - 1e-5f);
  EXPECT_LE(arm.max().item<float>(), 1.25f + 1e-5f);
  EXPECT_GT((thigh - arm).abs().max().item<float>(), 0.1f);  // drawn apart
  // The torso and the shoulders keep their lengths.
  EXPECT_LT((ratio(Neck, MidHip) - 1).abs().max().item<float>(), 1e-5f);
  EXPECT_LT((ratio(Neck, RShoulder) - 1).abs().max().item<float>(), 1e-5f);
}

TEST(Augment, JointOffsetsAreFixedPerWindowAndKeepTheHip) {
  AugmentConfig cfg = nothing_on();
  cfg.joint_offset = 0.04;
  auto b = standing_batch(256, 5, 3);
  auto a = augment_batch(b, cfg, 19);
  auto d_ctx = (a.context - b.context).unflatten(-1, {25, 3});                     // (B, C, 25, 3)
  auto d_tgt = (a.target - b.target).unflatten(-1, {25, 3});                       // (B, H, 25, 3)
  // The same offset in every frame of a window, context and target alike (seen joints).
  auto first = d_tgt.select(1, 0).unsqueeze(1);                                    // (B, 1, 25, 3)
  EXPECT_LT((d_tgt - first).abs().max().item<float>(), 1e-6f);
  auto seen = (b.context.unflatten(-1, {25, 3}).narrow(-1, 2, 1) > 0).to(torch::kFloat32);  // (B, C, 25, 1)
  EXPECT_LT(((d_ctx - first) * seen).abs().max().item<float>(), 1e-6f);
  // Missing joints stay (0, 0, 0), confidences are kept, MidHip (the origin) does not move.
  EXPECT_EQ((d_ctx * (1 - seen)).abs().sum().item<float>(), 0.0f);
  EXPECT_EQ(d_tgt.select(-1, 2).abs().sum().item<float>(), 0.0f);
  EXPECT_EQ(d_tgt.select(2, MidHip).abs().sum().item<float>(), 0.0f);
  // Offsets drawn with the configured spread: std over windows and joints near 0.04.
  auto off = first.squeeze(1).narrow(-1, 0, 2);                                     // (B, 25, 2)
  const float sd = off.index_select(1, torch::tensor({int64_t{Neck}, int64_t{LKnee}, int64_t{RBigToe}})).std().item<float>();
  EXPECT_NEAR(sd, 0.04f, 0.005f);
}

TEST(Augment, SlowedWindowsReplayTheMotionSlowerAroundTheLastContextFrame) {
  AugmentConfig cfg = nothing_on();
  cfg.slow_prob = 0.5;
  cfg.min_speed = 0.4;
  // Every joint moves right at 0.01 per frame: x = 0.01 t over context and target.
  const int B = 200, C = 6, H = 4;
  auto t = torch::arange(C + H, torch::kFloat32).view({1, -1, 1});                   // (1, T, 1)
  auto frames = torch::ones({B, C + H, 25, 3});
  frames.select(-1, 0).copy_((0.01 * t).expand({B, C + H, 25}));
  frames = frames.flatten(-2);                                                       // (B, T, 75)
  models::Batch b{frames.narrow(1, 0, C).clone(), frames.narrow(1, C, H).clone()};
  auto a = augment_batch(b, cfg, 23);
  // The last context frame is where it was; the motion stays linear, at a per-window speed.
  EXPECT_TRUE(torch::allclose(a.context.select(1, C - 1), b.context.select(1, C - 1), 0, 1e-6));
  auto whole = torch::cat({a.context, a.target}, 1).unflatten(-1, {25, 3}).select(-1, 0).select(-1, Nose);  // (B, T)
  auto step = whole.narrow(1, 1, C + H - 1) - whole.narrow(1, 0, C + H - 1);          // (B, T - 1)
  auto speed = step.mean(1) / 0.01;                                                  // (B,)
  EXPECT_LT((step - step.mean(1, true)).abs().max().item<float>(), 1e-5f);
  EXPECT_GE(speed.min().item<float>(), 0.4f - 1e-4f);
  EXPECT_LE(speed.max().item<float>(), 1.0f + 1e-4f);
  auto slowed = (speed < 1 - 1e-4).to(torch::kFloat32).mean().item<float>();
  EXPECT_NEAR(slowed, 0.5f, 0.1f);
  // A joint missing in the last context frame is missing where the slowed target draws on it.
  models::Batch gap{b.context.clone(), b.target.clone()};
  gap.context.select(1, C - 1).unflatten(-1, {25, 3}).select(1, LWrist).zero_();  // (B, 3) of frame C - 1
  auto g = augment_batch(gap, cfg, 23).target.unflatten(-1, {25, 3}).select(2, LWrist).select(-1, 2);  // (B, H)
  auto slowed_mask = speed < 1 - 1e-4;
  EXPECT_EQ(g.select(1, 0).masked_select(slowed_mask).sum().item<float>(), 0.0f);
  EXPECT_EQ(g.select(1, 0).masked_select(~slowed_mask).min().item<float>(), 1.0f);
}

}  // namespace
}  // namespace lmm::train

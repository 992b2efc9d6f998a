// Evaluation metrics: hand-computed per-frame errors, baselines, multi-sample summaries,
// plausibility and bootstrap intervals (include/lmm/eval/metrics.h).
#include <gtest/gtest.h>

#include <cmath>

#include "lmm/core/body25.h"
#include "lmm/core/error.h"
#include "lmm/eval/metrics.h"
#include "lmm/models/forecaster.h"
#include "test_support.h"

using namespace lmm;
using namespace lmm::eval;
using torch::indexing::Slice;

namespace {

// One standing frame (75).
torch::Tensor rest_pose() {
  auto f = lmm::test::standing_pose();
  return torch::tensor(f);
}

// (N, T, 75): the rest pose translated by v * (t0 + t) per frame (every joint).
torch::Tensor moving(int N, int T, int t0, float vx, float vy) {
  auto out = rest_pose().repeat({N, T, 1}).to(torch::kFloat64);
  for (int t = 0; t < T; ++t)
    for (int j = 0; j < kNumJoints; ++j) {
      out.index({Slice(), t, j * 3}) += double(vx) * (t0 + t);
      out.index({Slice(), t, j * 3 + 1}) += double(vy) * (t0 + t);
    }
  return out;
}

// Adds (dx, dy) to every joint's position.
torch::Tensor shifted(torch::Tensor x, double dx, double dy) {
  x = x.clone();
  x.index({"...", Slice(0, kFrameDim, 3)}) += dx;
  x.index({"...", Slice(1, kFrameDim, 3)}) += dy;
  return x;
}

// Scales every joint's position about the origin.
torch::Tensor scaled_pose(torch::Tensor x, double s) {
  x = x.clone();
  x.index({"...", Slice(0, kFrameDim, 3)}) *= s;
  x.index({"...", Slice(1, kFrameDim, 3)}) *= s;
  return x;
}

double val(const torch::Tensor& v, int64_t i) { return v[i].item<double>(); }

}  // namespace

TEST(Metrics, ConstantVelocityBaselineIsExactOnLinearMotionAndZeroVelocityKnown) {
  const float vx = 0.01f, vy = -0.02f;
  auto ctx = moving(3, 120, 0, vx, vy);
  auto tgt = moving(3, 30, 120, vx, vy);
  auto cv = position_error(constant_velocity_forecast(ctx, 30), tgt).value();
  EXPECT_LT(cv.abs().max().item<double>(), 1e-12);
  auto zv = position_error(zero_velocity_forecast(ctx, 30), tgt).value();  // (31)
  ASSERT_EQ(zv.size(0), 31);
  const double v2 = double(vx) * vx + double(vy) * vy;
  // The error AT frame h (not averaged up to it): (h^2 * |v|^2) / 2.
  for (int h : {1, 15, 30}) EXPECT_NEAR(val(zv, h - 1), h * h * v2 / 2, 1e-9) << "frame " << h;
  // Overall: mean over frames of h^2 |v|^2 / 2 = |v|^2 (H+1)(2H+1) / 12.
  EXPECT_NEAR(val(zv, 30), v2 * 31 * 61 / 12.0, 1e-9);
  // Zero velocity predicts no motion: velocity error |v|^2 / 2 at every frame, seam included.
  auto vel = velocity_error(zero_velocity_forecast(ctx, 30), tgt, ctx).value();
  for (int h = 0; h <= 30; ++h) EXPECT_NEAR(val(vel, h), v2 / 2, 1e-12);
}

TEST(Metrics, OnlyJointsVisibleInTheTargetCount) {
  auto tgt = moving(2, 30, 0, 0, 0);
  auto pred = tgt.clone();
  pred.index({Slice(), Slice(), RWrist * 3}) += 100.0;  // wrong only at RWrist
  EXPECT_GT(val(position_error(pred, tgt).value(), 30), 1.0);
  tgt.index({Slice(), Slice(), RWrist * 3 + 2}) = 0.0;  // RWrist missing in the target
  EXPECT_EQ(val(position_error(pred, tgt).value(), 30), 0.0);
  // With one joint off by (3, 4) in frame 5 only: frame-5 error 25 / (2 * 25) over 25 joints.
  auto t2 = moving(1, 30, 0, 0, 0), p2 = t2.clone();
  p2.index({0, 4, Neck * 3}) += 3.0;
  p2.index({0, 4, Neck * 3 + 1}) += 4.0;
  auto v = position_error(p2, t2).value();
  EXPECT_DOUBLE_EQ(val(v, 4), 25.0 / 50.0);
  EXPECT_DOUBLE_EQ(val(v, 3), 0.0);
  EXPECT_DOUBLE_EQ(val(v, 30), 25.0 / (50.0 * 30));
}

TEST(Metrics, PerJointErrorSplitsTheOverallOne) {
  auto tgt = moving(3, 10, 0, 0.01f, 0), pred = tgt.clone();
  pred.index({Slice(), Slice(), RWrist * 3}) += 0.5;         // RWrist off by 0.5 in x everywhere
  pred.index({0, 2, LKnee * 3 + 1}) += 2.0;                  // LKnee off by 2 in y once
  tgt.index({1, Slice(), LEye * 3 + 2}) = 0.0;               // LEye missing in window 1
  auto pj = position_error_per_joint(pred, tgt);             // (3, 25)
  ASSERT_EQ(pj.cols(), kNumJoints);
  auto v = pj.value();
  EXPECT_DOUBLE_EQ(val(v, RWrist), 0.25 / 2);
  EXPECT_DOUBLE_EQ(val(v, LKnee), 4.0 / (2 * 30));
  EXPECT_DOUBLE_EQ(val(v, Nose), 0.0);
  EXPECT_DOUBLE_EQ(pj.den.sum(0)[LEye].item<double>(), 2 * 20);  // 2 windows x 10 frames, x and y
  // Summed over joints, numerators and denominators are the overall column's.
  auto all = position_error(pred, tgt);
  EXPECT_NEAR(pj.num.sum().item<double>(), all.num.select(1, 10).sum().item<double>(), 1e-9);
  EXPECT_DOUBLE_EQ(pj.den.sum().item<double>(), all.den.select(1, 10).sum().item<double>());
}

TEST(Metrics, VelocityErrorCountsTheSeamOnly) {
  auto ctx = moving(2, 120, 0, 0.01f, 0);
  auto tgt = moving(2, 30, 120, 0.01f, 0);
  auto pred = shifted(tgt, 0.3, 0.4);  // right motion, wrong place
  auto pos = position_error(pred, tgt).value();
  auto vel = velocity_error(pred, tgt, ctx).value();
  EXPECT_NEAR(val(pos, 0), 0.25 / 2, 1e-12);
  EXPECT_NEAR(val(pos, 29), 0.25 / 2, 1e-12);
  EXPECT_NEAR(val(vel, 0), 0.25 / 2, 1e-12);  // the jump at the seam
  for (int h = 1; h < 30; ++h) EXPECT_NEAR(val(vel, h), 0.0, 1e-12);
  EXPECT_NEAR(val(vel, 30), 0.25 / 2 / 30, 1e-12);
}

TEST(Metrics, ConstantVelocityKeepsJointsWithoutAVelocityStill) {
  auto ctx = moving(1, 4, 0, 0.1f, 0);
  ctx.index({0, 2, LWrist * 3 + 2}) = 0.0;  // LWrist unseen in the second-to-last frame
  auto f = constant_velocity_forecast(ctx, 2);
  EXPECT_NEAR(f.index({0, 1, Neck * 3}).item<double>(), 0.5, 1e-6);  // 0.3 + 2 * 0.1
  EXPECT_NEAR(f.index({0, 1, LWrist * 3}).item<double>(), 1.2 + 0.3, 1e-6);
  EXPECT_EQ(f.index({0, 1, LWrist * 3 + 2}).item<double>(), 1.0);  // confidence of the last frame
}

TEST(Metrics, BestOfKAndMeanOfKBoundTheSingleSamples) {
  torch::manual_seed(3);
  auto tgt = moving(8, 30, 0, 0.01f, 0);
  auto samples = tgt.unsqueeze(0).repeat({5, 1, 1, 1}) + 0.3 * torch::randn({5, 8, 30, 75}, torch::kFloat64);
  samples.index({Slice(), Slice(), Slice(), Slice(2, kFrameDim, 3)}) = 1.0;  // confidences
  auto best = val(position_error(best_of_k(samples, tgt), tgt).value(), 30);
  auto mean = val(position_error(sample_mean(samples), tgt).value(), 30);
  double avg = 0;
  for (int k = 0; k < 5; ++k) {
    double e = val(position_error(samples[k], tgt).value(), 30);
    EXPECT_LE(best, e + 1e-12);
    avg += e / 5;
  }
  EXPECT_LE(mean, avg);  // Jensen: the mean forecast beats the average sample
  EXPECT_LT(mean, 0.5 * avg);
  // The oracle picks an exact sample when there is one.
  samples.index_put_({2, 4}, tgt[4]);
  auto pick = best_of_k(samples, tgt);
  EXPECT_TRUE(torch::equal(pick[4], tgt[4]));
}

TEST(Metrics, DiversityIsTheMeanPairwiseDistance) {
  auto tgt = moving(2, 30, 0, 0, 0);
  auto s = torch::stack({tgt, shifted(tgt, 3, 4), tgt});  // distances 5, 0, 5
  EXPECT_NEAR(val(sample_diversity(s, tgt).value(), 0), 10.0 / 3, 1e-12);
  auto one = sample_diversity(tgt.unsqueeze(0), tgt);
  EXPECT_EQ(one.den.sum().item<double>(), 0.0);
}

TEST(Metrics, PlausibilityOfRigidScaledShiftedAndOutOfReachForecasts) {
  auto ctx = moving(2, 120, 0, 0, 0);
  auto same = moving(2, 30, 0, 0, 0);
  auto p = plausibility(same, ctx);
  EXPECT_NEAR(val(p.bone_drift.value(), 0), 0.0, 1e-7);
  EXPECT_EQ(val(p.out_of_range.value(), 0), 0.0);
  EXPECT_NEAR(val(p.seam_jump.value(), 0), 0.0, 1e-12);
  EXPECT_NEAR(val(p.context_step.value(), 0), 0.0, 1e-12);

  auto big = plausibility(scaled_pose(same, 1.1), ctx);
  EXPECT_NEAR(val(big.bone_drift.value(), 0), 0.1, 1e-6);
  EXPECT_EQ(val(big.out_of_range.value(), 0), 0.0);  // within 1.25x
  EXPECT_EQ(val(plausibility(scaled_pose(same, 1.5), ctx).out_of_range.value(), 0), 1.0);

  auto jump = plausibility(shifted(same, 0.3, 0.4), ctx);
  EXPECT_NEAR(val(jump.seam_jump.value(), 0), 0.5, 1e-6);
  EXPECT_NEAR(val(jump.bone_drift.value(), 0), 0.0, 1e-6);

  auto reach = same.clone();
  reach.index({0, 7, LWrist * 3}) = 3.5;  // one frame of one window out of reach
  reach.index({0, 7, LWrist * 3 + 1}) = 0.0;
  auto r = plausibility(reach, ctx, PlausibilityLimits{10.f, 3.f, 0.02f});
  EXPECT_NEAR(val(r.out_of_range.value(), 0), 1.0 / 60, 1e-12);
}

TEST(Metrics, GroupScaleAndBootstrap) {
  // Windows 0, 1 from clip 0 and window 2 from clip 1; per-window (num, den).
  RatioStat s{torch::tensor({{1.0}, {3.0}, {2.0}}, torch::kFloat64),
              torch::tensor({{1.0}, {1.0}, {2.0}}, torch::kFloat64)};
  auto g = s.group(torch::tensor({0, 0, 1}), 2);
  EXPECT_DOUBLE_EQ(g.num[0][0].item<double>(), 4.0);
  EXPECT_DOUBLE_EQ(g.den[1][0].item<double>(), 2.0);
  EXPECT_DOUBLE_EQ(val(g.value(), 0), 6.0 / 4.0);
  EXPECT_DOUBLE_EQ(val(s.scaled(torch::tensor({4.0, 4.0, 4.0})).value(), 0), 6.0);
  EXPECT_THROW(s.group(torch::tensor({0, 0, 2}), 2), lmm::ConfigError);

  // Per-clip values drawn around 1: the interval contains the pooled value, repeats with
  // the same seed and narrows with 16x the clips.
  torch::manual_seed(7);
  auto make = [](int G) {
    return RatioStat{1.0 + 0.5 * torch::randn({G, 1}, torch::kFloat64), torch::ones({G, 1}, torch::kFloat64)};
  };
  auto few = make(20), many = make(320);
  auto a = bootstrap_ci(few, 1000, 5), b = bootstrap_ci(few, 1000, 5), c = bootstrap_ci(many, 1000, 5);
  const double v = val(few.value(), 0);
  EXPECT_LT(a[0].lo, v);
  EXPECT_GT(a[0].hi, v);
  EXPECT_EQ(a[0].lo, b[0].lo);
  EXPECT_EQ(a[0].hi, b[0].hi);
  EXPECT_LT(c[0].hi - c[0].lo, 0.5 * (a[0].hi - a[0].lo));
  // Identical clips: no spread.
  auto flat = bootstrap_ci({torch::full({10, 1}, 2.0, torch::kFloat64), torch::ones({10, 1}, torch::kFloat64)});
  EXPECT_DOUBLE_EQ(flat[0].lo, 2.0);
  EXPECT_DOUBLE_EQ(flat[0].hi, 2.0);

  auto e = estimate(s, torch::tensor({0, 0, 1}), 2, 200, 1);
  ASSERT_EQ(e.size(), 1u);
  EXPECT_DOUBLE_EQ(e[0].value, 1.5);
  EXPECT_LE(e[0].lo, e[0].value);
  EXPECT_GE(e[0].hi, e[0].value);
}

TEST(Metrics, PairedRatioCancelsWhatTheClipsShare) {
  // 40 clips of very different difficulty; model a = 0.8 x baseline b on every clip, plus a
  // little noise. Unpaired intervals of a and b overlap; the paired ratio's excludes 1.
  torch::manual_seed(11);
  const int64_t G = 40;
  auto hard = torch::exp(torch::randn({G, 1}, torch::kFloat64));           // (G, 1) per-clip difficulty
  RatioStat b{hard, torch::ones({G, 1}, torch::kFloat64)};
  RatioStat a{0.8 * hard * (1 + 0.05 * torch::randn({G, 1}, torch::kFloat64)), torch::ones({G, 1}, torch::kFloat64)};
  auto clip = torch::arange(G);
  auto ea = estimate(a, clip, G, 1000, 3), eb = estimate(b, clip, G, 1000, 3);
  EXPECT_GT(ea[0].hi, eb[0].lo);  // the separate intervals overlap
  auto r = paired_ratio(a, b, clip, G, 1000, 3);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_NEAR(r[0].value, val(a.value(), 0) / val(b.value(), 0), 1e-12);
  EXPECT_LT(r[0].hi, 1.0);
  EXPECT_GT(r[0].lo, 0.7);
  EXPECT_LE(r[0].lo, r[0].value);
  EXPECT_GE(r[0].hi, r[0].value);
  // Exactly proportional clips: no spread at all.
  RatioStat half{0.5 * hard, torch::ones({G, 1}, torch::kFloat64)};
  auto exact = paired_ratio(half, b, clip, G, 200, 1);
  EXPECT_NEAR(exact[0].lo, 0.5, 1e-12);
  EXPECT_NEAR(exact[0].hi, 0.5, 1e-12);
  RatioStat two_cols{torch::ones({G, 2}, torch::kFloat64), torch::ones({G, 2}, torch::kFloat64)};
  EXPECT_THROW(paired_ratio(two_cols, b, clip, G), lmm::ConfigError);
}

TEST(Metrics, PooledPositionErrorEqualsTheTrainingMse) {
  torch::manual_seed(11);
  auto tgt = torch::randn({6, 30, 75});
  tgt.index_put_({"...", Slice(2, kFrameDim, 3)}, (torch::rand({6, 30, 25}) > 0.2).to(torch::kFloat));
  auto pred = torch::randn({6, 30, 75});
  EXPECT_NEAR(val(position_error(pred, tgt).value(), 30), models::position_mse(pred, tgt).item<double>(), 1e-6);
}

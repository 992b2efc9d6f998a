// Linear ridge baseline (include/lmm/eval/linear_baseline.h): exact shapes, the fit on
// generated motion (constant velocity + noise: as good as constant velocity; a sine: far
// better than zero velocity), confidence-0 joints, the row and fit description in the
// report JSON, and the training-data config read from checkpoint metadata.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "lmm/core/body25.h"
#include "lmm/core/error.h"
#include "lmm/eval/evaluate.h"
#include "lmm/eval/linear_baseline.h"
#include "lmm/train/training_data.h"
#include "test_support.h"

using namespace lmm;
using namespace lmm::eval;
using torch::indexing::Slice;

namespace {

// A clip of T frames: the standing pose with every joint at offset (fx(t), fy(t)).
template <class F>
train::ClipFrames make_clip(const std::string& name, int T, F offset) {
  const auto pose = test::standing_pose();
  train::ClipFrames c{name, T, {}};
  for (int t = 0; t < T; ++t)
    for (int j = 0; j < kNumJoints; ++j) {
      auto [dx, dy] = offset(t, j);
      c.pose.push_back(pose[3 * j] + dx);
      c.pose.push_back(pose[3 * j + 1] + dy);
      c.pose.push_back(pose[3 * j + 2]);
    }
  return c;
}

const train::WindowSpec kSpec{20, 10, 3};  // 20 context -> 10 forecast frames, stride 3

// Clips moving at a per-clip constant velocity, with Gaussian noise of std `noise` on every coordinate.
train::WindowSet constant_velocity_set(int clips, int first_seed, double noise) {
  std::vector<train::ClipFrames> v;
  for (int c = 0; c < clips; ++c) {
    std::mt19937 rng(first_seed + c);
    std::normal_distribution<double> n(0, noise);
    const double vx = 0.004 * ((c % 5) - 2), vy = 0.003 * ((c % 3) - 1);
    v.push_back(make_clip("c" + std::to_string(first_seed + c), 80, [&](int t, int) {
      return std::pair<float, float>(vx * t + n(rng), vy * t + n(rng));
    }));
  }
  return train::WindowSet(std::move(v), kSpec);
}

// Clips swinging every joint along x as a sine of period 24 frames, phase per clip and joint.
train::WindowSet sine_set(int clips, int first) {
  std::vector<train::ClipFrames> v;
  for (int c = 0; c < clips; ++c)
    v.push_back(make_clip("s" + std::to_string(first + c), 80, [&](int t, int j) {
      const double ph = 0.7 * (first + c) + 0.3 * j;
      return std::pair<float, float>(0.2 * std::sin(2 * M_PI * t / 24.0 + ph), 0.f);
    }));
  return train::WindowSet(std::move(v), kSpec);
}

EvalWindows eval_windows(const train::WindowSet& s) {
  auto b = s.batch_range(0, static_cast<int64_t>(s.size()));
  EvalWindows w;
  w.context = b.context;
  w.target = b.target;
  std::vector<int64_t> clip;
  for (const auto& win : s.windows()) clip.push_back(win.clip);
  w.clip = torch::tensor(clip);
  w.scale = torch::ones({w.context.size(0)}, torch::kFloat64);
  for (const auto& c : s.clips()) w.clip_names.push_back(c.name);
  return w;
}

EvalOptions quick() {
  EvalOptions o;
  o.bootstrap = 100;
  o.progress = false;
  return o;
}

const Row& find(const EvalReport& r, const std::string& model) {
  for (const auto& row : r.rows)
    if (row.model == model) return row;
  throw std::runtime_error("no row " + model);
}

}  // namespace

TEST(LinearBaseline, ExactShapes) {
  auto ctx = torch::rand({7, 120, kFrameDim});
  auto tgt = torch::rand({7, 30, kFrameDim});
  EXPECT_EQ(linear_features(ctx, 10).sizes(), (std::vector<int64_t>{7, 10 * 50 + 1}));
  EXPECT_EQ(linear_features(ctx, 10).scalar_type(), torch::kFloat64);
  EXPECT_EQ(linear_targets(ctx, tgt).sizes(), (std::vector<int64_t>{7, 30 * 50}));
  // The last context frame's offsets are 0; the intercept column is 1.
  auto f = linear_features(ctx, 10);
  EXPECT_EQ(f.slice(1, 450, 500).abs().max().item<double>(), 0.0);
  EXPECT_EQ(f.select(1, 500).min().item<double>(), 1.0);
  EXPECT_THROW(linear_features(ctx.slice(1, 0, 5), 10), ConfigError);

  auto set = constant_velocity_set(4, 1, 0.0);
  auto lin = fit_linear_baseline(set);
  EXPECT_EQ(lin.k, 10);
  EXPECT_EQ(lin.horizon, 10);
  EXPECT_EQ(lin.weights.sizes(), (std::vector<int64_t>{10 * 50 + 1, 10 * 50}));
  EXPECT_EQ(lin.weights.scalar_type(), torch::kFloat64);
  EXPECT_EQ(lin.train_windows, static_cast<int64_t>(set.size()));
  auto w = eval_windows(set);
  auto fc = lin.forecast(w.context);
  EXPECT_EQ(fc.sizes(), (std::vector<int64_t>{w.size(), 10, kFrameDim}));
  EXPECT_EQ(fc.scalar_type(), torch::kFloat32);
  // Confidences are the last context frame's.
  EXPECT_TRUE(torch::equal(fc.index({Slice(), Slice(), Slice(2, kFrameDim, 3)}),
                           w.context.index({Slice(), Slice(-1), Slice(2, kFrameDim, 3)}).expand({-1, 10, -1})));
  LinearBaselineOptions too_long;
  too_long.k = 21;
  EXPECT_THROW(fit_linear_baseline(set, too_long), ConfigError);
}

TEST(LinearBaseline, ConstantVelocityWithNoiseMatchesConstantVelocity) {
  torch::manual_seed(3);
  // Noise-free: the ridge fit extrapolates exactly like constant velocity.
  auto exact = fit_linear_baseline(constant_velocity_set(12, 1, 0.0));
  auto held = eval_windows(constant_velocity_set(6, 100, 0.0));
  auto r0 = evaluate_baselines(held, quick(), &exact);
  const double zv0 = find(r0, "zero-velocity").mse.back().value;
  EXPECT_LT(find(r0, exact.name()).mse.back().value, 1e-3 * zv0);

  // With noise (std 0.0005 per coordinate, small enough for constant velocity to beat zero
  // velocity): at least as good as constant velocity (within 10%), overall and at the last frame.
  auto noisy = fit_linear_baseline(constant_velocity_set(12, 1, 0.0005));
  auto held_noisy = eval_windows(constant_velocity_set(6, 100, 0.0005));
  auto r = evaluate_baselines(held_noisy, quick(), &noisy);
  const auto& lin = find(r, noisy.name());
  const auto& cv = find(r, "constant-velocity");
  ASSERT_EQ(lin.mse.size(), 11u);
  EXPECT_LT(cv.mse.back().value, find(r, "zero-velocity").mse.back().value);
  EXPECT_LT(lin.mse.back().value, 1.1 * cv.mse.back().value);
  EXPECT_LT(lin.mse[9].value, 1.1 * cv.mse[9].value);
  EXPECT_LT(lin.mse.back().value, 0.5 * find(r, "zero-velocity").mse.back().value);
  EXPECT_EQ(noisy.lambda_grid.size(), noisy.held_out_mse.size());
  EXPECT_GT(noisy.held_out_windows, 0);
}

TEST(LinearBaseline, SineMotionBeatsZeroVelocity) {
  auto lin = fit_linear_baseline(sine_set(10, 0));
  auto r = evaluate_baselines(eval_windows(sine_set(5, 50)), quick(), &lin);
  const double zv = find(r, "zero-velocity").mse.back().value;
  const auto& l = find(r, lin.name());
  EXPECT_LT(l.mse.back().value, 0.2 * zv);
  EXPECT_LT(l.mse.back().hi, find(r, "zero-velocity").mse.back().lo);  // intervals apart
  EXPECT_LT(l.mse[9].value, 0.2 * find(r, "zero-velocity").mse[9].value);
}

TEST(LinearBaseline, ConfidenceZeroJointsStayPut) {
  auto set = constant_velocity_set(6, 1, 0.0);
  auto lin = fit_linear_baseline(set);
  auto ctx = eval_windows(set).context.slice(0, 0, 2).clone();  // (2, 20, 75)
  ctx.index_put_({Slice(), -1, 3 * 4 + 2}, 0.f);                 // RWrist invisible in the last frame
  ctx.index_put_({Slice(), -3, 3 * 7 + 2}, 0.f);                 // LWrist invisible two frames before
  auto fc = lin.forecast(ctx);
  for (int h = 0; h < 10; ++h)
    for (int c = 0; c < 3; ++c)
      EXPECT_EQ(fc[0][h][3 * 4 + c].item<float>(), ctx[0][-1][3 * 4 + c].item<float>()) << "frame " << h;
  EXPECT_TRUE(torch::isfinite(fc).all().item<bool>());
  // A feature offset is 0 where the joint is invisible in that frame.
  auto f = linear_features(ctx, 10);  // frames 10..19; frame 17 is the third from the end
  EXPECT_EQ(f[0][7 * 50 + 7 * 2].item<double>(), 0.0);
  EXPECT_NE(f[0][6 * 50 + 7 * 2].item<double>(), 0.0);  // LWrist where it is visible (the clip moves)
  for (int t = 0; t < 10; ++t)                          // RWrist: its last frame is invisible, all 0
    EXPECT_EQ(f[1][t * 50 + 4 * 2].item<double>(), 0.0) << "frame " << t;
}

TEST(LinearBaseline, ReportJsonCarriesRowAndFit) {
  auto lin = fit_linear_baseline(constant_velocity_set(8, 1, 0.002));
  auto r = evaluate_baselines(eval_windows(constant_velocity_set(3, 100, 0.002)), quick(), &lin);
  ASSERT_EQ(r.rows.size(), 3u);
  auto j = r.to_json();
  ASSERT_EQ(j["rows"].size(), 3u);
  EXPECT_EQ(j["rows"][2]["model"], "linear ridge (k=10)");
  EXPECT_EQ(j["rows"][2]["mode"], "baseline");
  EXPECT_EQ(j["rows"][2]["baseline"], true);
  EXPECT_EQ(j["rows"][2]["mse"].size(), 11u);
  EXPECT_TRUE(j["rows"][2]["mse"][10]["lo"].is_number());
  EXPECT_EQ(j["linear_fit"]["k"], 10);
  EXPECT_EQ(j["linear_fit"]["train_windows"], lin.train_windows);
  EXPECT_DOUBLE_EQ(j["linear_fit"]["lambda"].get<double>(), lin.lambda);
  auto back = EvalReport::from_json(j);
  EXPECT_EQ(back.rows[2].model, "linear ridge (k=10)");
  EXPECT_DOUBLE_EQ(back.rows[2].mse.back().value, r.rows[2].mse.back().value);
  EXPECT_EQ(back.linear_fit["k"], 10);
  EXPECT_NE(r.to_markdown().find("| linear ridge (k=10) | baseline |"), std::string::npos) << r.to_markdown();
  EXPECT_NE(r.to_markdown().find("ridge on the last 10 context frames"), std::string::npos);
  // Windows of another protocol than the fit's are refused.
  auto other = eval_windows(constant_velocity_set(3, 100, 0.002));
  other.target = other.target.slice(1, 0, 5);
  EXPECT_THROW(evaluate_baselines(other, quick(), &lin), ConfigError);
}

TEST(TrainingData, DataConfigFromCheckpointMeta) {
  nlohmann::json d = {{"dataset", "/tmp/ds"}, {"split_seed", 7},     {"val_frac", 0.2},
                      {"stride", 5},          {"context", 30},       {"horizon", 15},
                      {"skip_unusable", false}, {"val_clips", {"b", "a"}}};
  auto c = train::data_config_from_json(d);
  EXPECT_EQ(c.dataset, "/tmp/ds");
  EXPECT_EQ(c.split_seed, 7u);
  EXPECT_DOUBLE_EQ(c.val_frac, 0.2);
  EXPECT_EQ(c.windows.stride, 5);
  EXPECT_EQ(c.windows.context, 30);
  EXPECT_EQ(c.windows.horizon, 15);
  EXPECT_FALSE(c.skip_unusable);
  EXPECT_TRUE(c.skip_partial);
  EXPECT_EQ(c.val_clips, (std::vector<std::string>{"b", "a"}));
  // Older checkpoints without a protocol: the paper's 120 -> 30.
  auto old = train::data_config_from_json({{"dataset", "/tmp/ds"}});
  EXPECT_EQ(old.windows.context, 120);
  EXPECT_EQ(old.windows.horizon, 30);
}

// Evaluation runs and reports: labelled rows for deterministic and stochastic models,
// baselines on the same windows, source units, oracle rows kept apart in Markdown,
// JSON round trip and the compare table (include/lmm/eval/evaluate.h, report.h).
#include <gtest/gtest.h>

#include <iostream>
#include <sstream>

#include "lmm/core/body25.h"
#include "lmm/core/error.h"
#include "lmm/eval/evaluate.h"
#include "test_support.h"

using namespace lmm;
using namespace lmm::eval;
using torch::indexing::Slice;

namespace {

// Forecasts by constant velocity, plus Gaussian noise of std `noise` (stochastic when > 0).
class StubForecaster : public models::ForecasterImpl {
 public:
  explicit StubForecaster(double noise) : noise_(noise) { w = register_parameter("w", torch::zeros({3})); }
  std::string kind() const override { return noise_ > 0 ? "diffusion" : "flat"; }
  nlohmann::json config_json() const override { return nlohmann::json::object(); }
  models::LossOutput loss(const models::Batch&, const models::StepOptions&) override {
    return {torch::zeros({}), torch::zeros({})};
  }
  torch::Tensor forecast_frames(const torch::Tensor& context, int horizon) override {
    auto f = constant_velocity_forecast(context, horizon);
    if (noise_ > 0) f.index({"...", Slice(0, kFrameDim, 3)}) += noise_ * torch::randn({f.size(0), horizon, kNumJoints});
    return f;
  }
  torch::Tensor w;

 private:
  double noise_;
};

// 12 windows from 4 clips; clip g moves along x at speed 0.01 * (g + 1) per frame.
EvalWindows linear_windows(double scale = 2.0) {
  auto pose = torch::tensor(test::standing_pose());
  std::vector<torch::Tensor> ctx, tgt;
  std::vector<int64_t> clip;
  for (int g = 0; g < 4; ++g)
    for (int k = 0; k < 3; ++k) {
      auto t = torch::arange(150, torch::kFloat).unsqueeze(1);  // (150, 1)
      auto f = pose.repeat({150, 1});
      f.index({Slice(), Slice(0, kFrameDim, 3)}) += 0.01f * (g + 1) * (t + 10 * k);
      ctx.push_back(f.slice(0, 0, 120));
      tgt.push_back(f.slice(0, 120, 150));
      clip.push_back(g);
    }
  EvalWindows w;
  w.context = torch::stack(ctx);
  w.target = torch::stack(tgt);
  w.clip = torch::tensor(clip);
  w.scale = torch::full({12}, scale, torch::kFloat64);
  w.clip_names = {"a", "b", "c", "d"};
  w.units = "px";
  return w;
}

EvalOptions quick() {
  EvalOptions o;
  o.batch_size = 5;  // several batches, a partial last one
  o.bootstrap = 200;
  o.progress = false;
  return o;
}

const Row& find(const EvalReport& r, const std::string& model, const std::string& mode) {
  for (const auto& row : r.rows)
    if (row.model == model && row.mode == mode) return row;
  throw std::runtime_error("no row " + model + " / " + mode);
}

}  // namespace

TEST(Evaluate, DeterministicModelAgainstBaselines) {
  auto w = linear_windows();
  StubForecaster m(0);
  auto r = evaluate_model(m, false, w, quick());
  ASSERT_EQ(r.rows.size(), 3u);
  EXPECT_EQ(r.rows[0].mode, "single rollout");
  EXPECT_EQ(r.windows, 12);
  EXPECT_EQ(r.clips, 4);
  EXPECT_EQ(r.horizon, 30);
  EXPECT_EQ(r.samples, 1);
  EXPECT_EQ(r.params, 3);
  const auto& model = find(r, "flat", "single rollout");
  ASSERT_EQ(model.mse.size(), 31u);
  EXPECT_NEAR(model.mse.back().value, 0.0, 1e-9);
  EXPECT_NEAR(find(r, "constant-velocity", "baseline").mse.back().value, 0.0, 1e-9);
  // Zero velocity at frame 30: (30 v)^2 / 2 per clip, pooled over equal-sized clips.
  double expect = 0;
  for (int g = 1; g <= 4; ++g) expect += std::pow(30 * 0.01 * g, 2) / 2 / 4;
  const auto& zv = find(r, "zero-velocity", "baseline");
  EXPECT_NEAR(zv.mse[29].value, expect, 1e-6);
  EXPECT_LE(zv.mse[29].lo, zv.mse[29].value);
  EXPECT_GE(zv.mse[29].hi, zv.mse[29].value);
  EXPECT_NEAR(zv.mse_source[29].value, 4 * expect, 1e-5);  // scale 2 px per unit
  EXPECT_TRUE(zv.baseline);
  // Every frame h is the error at h, not averaged up to it: (h v)^2 / 2, growing as h^2;
  // the overall column is the mean of the 30 frames (every frame has all 25 joints).
  double mean = 0;
  for (int h = 1; h <= 30; ++h) {
    double at_h = 0;
    for (int g = 1; g <= 4; ++g) at_h += std::pow(h * 0.01 * g, 2) / 2 / 4;
    EXPECT_NEAR(zv.mse[h - 1].value, at_h, 1e-4 * at_h) << "frame " << h;
    mean += at_h / 30;
  }
  EXPECT_NEAR(zv.mse[30].value, mean, 1e-4 * mean);
  EXPECT_LT(zv.mse[30].value, zv.mse[29].value);  // the mean is below the last frame's error
  EXPECT_GT(zv.mse[30].value, zv.mse[14].value);  // and above the middle frame's (convex h^2)
  // `lmm compare`'s Table 1 row shows frames 1 / 15 / 30 and overall from these same values.
  const std::string md = compare_markdown({r});
  const size_t at = md.find("| – | zero-velocity |");
  ASSERT_NE(at, std::string::npos) << md;
  std::vector<std::string> cells;
  std::stringstream line(md.substr(at, md.find('\n', at) - at));
  for (std::string c; std::getline(line, c, '|');) cells.push_back(c);
  ASSERT_GE(cells.size(), 11u) << md;  // "", Run, Model, Params, Forecast, Trained, Evaluated, f1, f15, f30, overall
  const int cols[4] = {7, 8, 9, 10}, frames[4] = {0, 14, 29, 30};
  for (int k = 0; k < 4; ++k)
    EXPECT_NEAR(std::stod(cells[cols[k]]), zv.mse[frames[k]].value, 5e-3 * zv.mse[frames[k]].value)
        << "column " << cols[k] << " of " << md.substr(at, 200);
  // The exact model is 0x zero velocity on the same windows, and the report says it is below.
  EXPECT_NEAR(model.vs_zero_velocity.value, 0.0, 1e-9);
  EXPECT_NEAR(model.vs_zero_velocity.hi, 0.0, 1e-9);
  EXPECT_FALSE(std::isfinite(zv.vs_zero_velocity.value));
  EXPECT_NE(r.to_markdown().find("| flat | single rollout | 0.000 [0.000, 0.000] | below zero velocity |"),
            std::string::npos)
      << r.to_markdown();
  EXPECT_NEAR(EvalReport::from_json(r.to_json()).rows[0].vs_zero_velocity.hi, 0.0, 1e-9);
  ASSERT_EQ(r.teacher_forced.size(), 31u);  // the stub's teacher forcing = its forecast
  EXPECT_NEAR(r.teacher_forced.back().value, 0.0, 1e-9);
  EXPECT_NEAR(r.ground_truth.bone_drift.value, 0.0, 1e-6);
  EXPECT_FALSE(std::isfinite(r.diversity.value));
}

TEST(Evaluate, BySourceSplitsTheWindowsOfAMixedDataset) {
  auto w = linear_windows();
  StubForecaster m(0);
  EXPECT_TRUE(evaluate_model(m, false, w, quick()).by_source.empty());  // sources unknown
  w.clip_sources = {"slow", "slow", "slow", "slow"};
  EXPECT_TRUE(evaluate_model(m, false, w, quick()).by_source.empty());  // one source: nothing to split
  w.clip_sources = {"slow", "slow", "fast", "fast"};                    // clips at 0.01, 0.02 | 0.03, 0.04 per frame
  auto r = evaluate_model(m, false, w, quick());
  ASSERT_EQ(r.by_source.size(), 2u * 3u);                              // (fast, slow) x (flat, zero-, constant-velocity)
  auto at = [&](const std::string& src, const std::string& model) {
    for (const auto& x : r.by_source)
      if (x.source == src && x.model == model) return x;
    throw std::runtime_error("no by_source row " + src + " / " + model);
  };
  // Zero velocity on one source: mean over frames h of (h v)^2 / 2, over that source's clips.
  auto expect = [](std::vector<double> speeds) {
    double e = 0;
    for (int h = 1; h <= 30; ++h)
      for (double v : speeds) e += std::pow(h * v, 2) / 2 / 30 / static_cast<double>(speeds.size());
    return e;
  };
  EXPECT_NEAR(at("slow", "zero-velocity").mse.value, expect({0.01, 0.02}), 1e-4 * expect({0.01, 0.02}));
  EXPECT_NEAR(at("fast", "zero-velocity").mse.value, expect({0.03, 0.04}), 1e-4 * expect({0.03, 0.04}));
  EXPECT_EQ(at("fast", "zero-velocity").clips, 2);
  EXPECT_EQ(at("fast", "zero-velocity").windows, 6);
  EXPECT_FALSE(std::isfinite(at("slow", "zero-velocity").vs_zero_velocity.value));
  EXPECT_NEAR(at("slow", "flat").vs_zero_velocity.hi, 0.0, 1e-9);  // the exact model
  const std::string md = r.to_markdown();
  EXPECT_NE(md.find("## By source format"), std::string::npos) << md;
  auto back = EvalReport::from_json(r.to_json());
  ASSERT_EQ(back.by_source.size(), r.by_source.size());
  EXPECT_EQ(back.by_source[0].source, r.by_source[0].source);
  EXPECT_DOUBLE_EQ(back.by_source[0].mse.value, r.by_source[0].mse.value);
}

TEST(Evaluate, StochasticModelRowsAreLabelledAndOracleKeptApart) {
  auto w = linear_windows();
  StubForecaster m(0.1);
  auto opt = quick();
  opt.samples = 6;
  auto r = evaluate_model(m, true, w, opt);
  ASSERT_EQ(r.rows.size(), 5u);
  EXPECT_EQ(r.samples, 6);
  const auto& single = find(r, "diffusion", "single sample");
  const auto& mean = find(r, "diffusion", "mean of 6");
  const auto& best = r.rows.back();
  EXPECT_EQ(best.mode, "best of 6 (oracle)");
  EXPECT_TRUE(best.oracle);
  EXPECT_FALSE(mean.oracle);
  // Noise on x only: MSE over (x, y) = 0.1^2 / 2; the mean of 6 draws has 1/6 of it.
  EXPECT_NEAR(single.mse.back().value, 0.005, 0.0005);
  EXPECT_NEAR(mean.mse.back().value, 0.005 / 6, 0.0001);
  EXPECT_LT(best.mse.back().value, single.mse.back().value);
  EXPECT_NEAR(r.diversity.value, 0.2 / std::sqrt(M_PI), 0.005);  // E|x - y|, x - y ~ N(0, 2 * 0.1^2)

  // Markdown: every model row carries its label and the oracle row sits only in its own section.
  auto md = r.to_markdown();
  if (getenv("LMM_DUMP_MD")) std::cout << md << compare_markdown({r});
  auto oracle_at = md.find("## Oracle: best of K");
  ASSERT_NE(oracle_at, std::string::npos);
  auto first_best = md.find("best of 6 (oracle)");
  EXPECT_GT(first_best, oracle_at);
  EXPECT_LT(md.find("best of 6 (oracle)", md.find("## Plausibility")), std::string::npos);  // plausibility lists it
  EXPECT_EQ(md.substr(0, oracle_at).find("best of"), std::string::npos);
  EXPECT_NE(md.find("| diffusion | mean of 6 |"), std::string::npos);
  EXPECT_NE(md.find("Position MSE in source units (px²)"), std::string::npos);
  // Per joint: one line per joint the targets show, a column per non-oracle row.
  ASSERT_EQ(single.per_joint.size(), 25u);
  EXPECT_NEAR(single.per_joint[RWrist].value, 0.005, 0.002);
  EXPECT_NE(md.find("## Position MSE per joint (overall)"), std::string::npos);
  EXPECT_NE(md.find("| RWrist |"), std::string::npos);

  // JSON round trip keeps everything the Markdown shows.
  auto back = EvalReport::from_json(nlohmann::json::parse(r.to_json().dump()));
  EXPECT_EQ(back.to_markdown(), md);
  EXPECT_THROW(EvalReport::from_json(nlohmann::json{{"x", 1}}), FormatError);
}

TEST(Evaluate, CompareTableListsRunsAndBaselinesOnce) {
  auto w = linear_windows();
  StubForecaster det(0), sto(0.1);
  auto a = evaluate_model(det, false, w, quick());
  a.run = "flat_run";
  a.dataset = "out/ds/";
  a.trained_on = "/abs/train_ds";
  a.split = "all";
  auto opt = quick();
  opt.samples = 3;
  auto b = evaluate_model(sto, true, w, opt);
  b.run = "diff_run";
  b.dataset = "out/ds/";
  b.split = "all";
  auto md = compare_markdown({a, b});
  EXPECT_NE(md.find("| flat_run | flat | 3 | single rollout | train_ds | ds (all) |"), std::string::npos) << md;
  // The constant-velocity stub is exact on linear motion: 0 x the zero-velocity error.
  EXPECT_NE(md.find("| flat_run | single rollout | train_ds | ds (all) | 0.000 |"), std::string::npos) << md;
  EXPECT_NE(md.find("| – | zero-velocity | – | ds (all) | 1.000 |"), std::string::npos) << md;
  EXPECT_NE(md.find("| diff_run | diffusion | 3 | mean of 3 |"), std::string::npos) << md;
  size_t n = 0;
  const auto table1 = md.substr(0, md.find("### Relative"));
  for (size_t p = table1.find("| zero-velocity |"); p != std::string::npos; p = table1.find("| zero-velocity |", p + 1)) ++n;
  EXPECT_EQ(n, 1u);
  auto oracle_at = md.find("### Oracle");
  ASSERT_NE(oracle_at, std::string::npos);
  EXPECT_GT(md.find("best of 3 (oracle)"), oracle_at);
  EXPECT_EQ(compare_json({a, b})["runs"].size(), 2u);
}

TEST(Evaluate, BaselinesOnlyAndBadInput) {
  auto w = linear_windows();
  auto r = evaluate_baselines(w, quick());
  ASSERT_EQ(r.rows.size(), 2u);
  EXPECT_TRUE(r.teacher_forced.empty());
  w.units = "";
  EXPECT_TRUE(evaluate_baselines(w, quick()).rows[0].mse_source.empty());
  EvalWindows empty;
  EXPECT_THROW(evaluate_baselines(empty, quick()), ConfigError);
}

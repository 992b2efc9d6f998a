// The training loop with a tiny model: early stopping after `patience` epochs without
// improvement, the scheduled-sampling ramp, run-directory outputs (metrics.jsonl lines,
// loss.png, best/last checkpoints) and that learning beats the zero-velocity baseline.
#include <gtest/gtest.h>

#include <fstream>
#include <opencv2/imgcodecs.hpp>
#include <sstream>

#include "lmm/core/atomic_file.h"
#include "lmm/core/error.h"
#include "lmm/train/checkpoint.h"
#include "lmm/train/trainer.h"
#include "sine_clips.h"
#include "test_support.h"
#include "tiny_forecaster.h"

using namespace lmm;
using namespace lmm::train;

namespace {

WindowSet windows(int first, int n, int stride = 10) {
  auto clips = test::sine_clips(first + n, 200);
  WindowSpec s;
  s.stride = stride;
  return WindowSet(std::vector<ClipFrames>(clips.begin() + first, clips.end()), s);
}

TrainConfig quiet(int epochs) {
  TrainConfig c;
  c.max_epochs = epochs;
  c.batch = 16;
  c.progress = false;
  return c;
}

std::vector<nlohmann::json> read_jsonl(const std::filesystem::path& p) {
  std::vector<nlohmann::json> out;
  std::istringstream in(read_text(p));
  for (std::string line; std::getline(in, line);) out.push_back(nlohmann::json::parse(line));
  return out;
}

}  // namespace

TEST(Trainer, EarlyStoppingAfterPatienceEpochsWithoutImprovement) {
  // lr 0: the validation loss never changes, so epoch 1 is the best and epochs
  // 2..1+patience bring no improvement.
  auto train = windows(0, 4), val = windows(4, 1);
  auto model = std::make_shared<test::TinyForecasterImpl>(0.0);
  TrainConfig c = quiet(50);
  c.lr = 0;
  c.patience = 3;
  TrainResult r = train_model(model, train, val, c);
  EXPECT_EQ(r.stop_reason, "early_stopping");
  EXPECT_EQ(r.state.epoch, 4);
  EXPECT_EQ(r.state.best_epoch, 1);
  EXPECT_EQ(r.metrics.size(), 4u);
  EXPECT_EQ(r.state.epochs_since_best, 3);
}

// Clips drifting at constant velocity: the tiny model's ideal gain is 1.
WindowSet drifting(int n, double speed) {
  std::vector<ClipFrames> clips;
  for (int i = 0; i < n; ++i) {
    ClipFrames c{"drift_" + std::to_string(i), 190, std::vector<float>(190 * 75)};
    for (int t = 0; t < 190; ++t)
      for (int j = 0; j < 25; ++j) {
        float* p = c.pose.data() + (t * 25 + j) * 3;
        p[0] = static_cast<float>(0.1 * j + speed * (i + 1) * t);
        p[1] = static_cast<float>(-0.05 * j - 0.5 * speed * t);
        p[2] = 1;
      }
    clips.push_back(c);
  }
  WindowSpec s;
  s.stride = 5;
  return WindowSet(clips, s);
}

TEST(Trainer, KeepsTrainingWhileValidationImproves) {
  auto train = drifting(3, 0.002), val = drifting(1, 0.003);
  auto model = std::make_shared<test::TinyForecasterImpl>(0.0);
  model->offset.set_requires_grad(false);  // only the gain learns
  model->offset.zero_();
  TrainConfig c = quiet(6);
  c.batch = 4;
  c.lr = 0.02;  // slow enough that every epoch still improves
  c.patience = 2;
  TrainResult r = train_model(model, train, val, c);
  EXPECT_EQ(r.stop_reason, "max_epochs");
  EXPECT_EQ(r.state.epoch, 6);
  EXPECT_EQ(r.state.best_epoch, 6);
  EXPECT_LT(r.metrics.back()["val_loss"].get<double>(), r.metrics.front()["val_loss"].get<double>());
  // Learning the velocity gain beats repeating the last frame.
  EXPECT_LT(r.last_val_mse, 0.5 * r.baseline_val_mse);
  EXPECT_GT(model->gain.item<float>(), 0.5f);
}

TEST(Trainer, ScheduledSamplingRampsLinearly) {
  TrainConfig c;
  EXPECT_EQ(sampling_probability(c, 10), 0.0);  // off by default
  c.scheduled_sampling = true;
  EXPECT_DOUBLE_EQ(sampling_probability(c, 0), 0.0);
  EXPECT_DOUBLE_EQ(sampling_probability(c, 5), 0.1);
  EXPECT_DOUBLE_EQ(sampling_probability(c, 25), 0.5);
  EXPECT_DOUBLE_EQ(sampling_probability(c, 80), 0.5);
  c.ss_epochs = 10;
  c.ss_max = 0.3;
  EXPECT_DOUBLE_EQ(sampling_probability(c, 5), 0.15);
}

TEST(Trainer, RunDirectoryHoldsMetricsPlotAndCheckpoints) {
  test::TempDir d;
  auto train = windows(0, 3), val = windows(3, 1);
  auto model = std::make_shared<test::TinyForecasterImpl>(0.01);
  TrainConfig c = quiet(3);
  c.lr = 1e-2;
  c.scheduled_sampling = true;
  c.ss_epochs = 2;
  c.run_dir = d.path();
  c.extra_meta = {{"data", {{"dataset", "/x/y"}, {"split_seed", 9}}}};
  TrainResult r = train_model(model, train, val, c);

  auto lines = read_jsonl(d / "metrics.jsonl");
  ASSERT_EQ(lines.size(), 3u);
  for (int e = 0; e < 3; ++e) {
    for (const char* k : {"epoch", "step", "train_loss", "val_loss", "val_mse", "sampling_prob", "lr",
                          "seconds"})
      EXPECT_TRUE(lines[e].contains(k)) << k;
    EXPECT_EQ(lines[e]["epoch"].get<int>(), e + 1);
    EXPECT_EQ(lines[e]["step"].get<int64_t>(), (e + 1) * int64_t((train.size() + 15) / 16));
    EXPECT_DOUBLE_EQ(lines[e]["sampling_prob"].get<double>(), 0.25 * e);
    EXPECT_DOUBLE_EQ(lines[e]["lr"].get<double>(), 1e-2);
  }
  cv::Mat png = cv::imread((d / "loss.png").string());
  ASSERT_FALSE(png.empty());
  EXPECT_EQ(png.cols, 800);
  EXPECT_EQ(png.rows, 500);

  Checkpoint last = read_checkpoint(d / "last.ckpt");
  EXPECT_EQ(last.meta["model"]["kind"], "tiny");
  EXPECT_EQ(last.meta["data"]["split_seed"], 9);
  EXPECT_EQ(last.meta["state"]["epoch"], 3);
  EXPECT_EQ(last.meta["train"]["lr"], 1e-2);
  Checkpoint best = read_checkpoint(d / "best.ckpt");
  EXPECT_EQ(best.meta["state"]["best_epoch"], r.state.best_epoch);
  double best_val = 1e9;
  for (auto& l : lines) best_val = std::min(best_val, l["val_loss"].get<double>());
  EXPECT_DOUBLE_EQ(best.meta["val_loss"].get<double>(), best_val);
}

TEST(Trainer, RejectsEmptyTrainingSet) {
  WindowSpec s;
  WindowSet empty({test::sine_clip("short", 100)}, s);
  auto model = std::make_shared<test::TinyForecasterImpl>();
  EXPECT_THROW(train_model(model, empty, empty, quiet(1)), ConfigError);
}

TEST(Trainer, ZeroVelocityBaselineIsZeroForStillClips) {
  WindowSpec s;
  ClipFrames still{"still", 160, std::vector<float>(160 * 75, 0.5f)};
  WindowSet set({still}, s);
  EXPECT_DOUBLE_EQ(zero_velocity_mse(set), 0.0);
  EXPECT_GT(zero_velocity_mse(windows(0, 1)), 0.0);
}

// Resume exactness: a run interrupted (at an epoch boundary or mid-epoch) and resumed
// from last.ckpt ends with the same parameters, step and metrics as an uninterrupted run.
#include <gtest/gtest.h>

#include "lmm/core/atomic_file.h"
#include "lmm/core/error.h"
#include "lmm/train/trainer.h"
#include "sine_clips.h"
#include "test_support.h"
#include "tiny_forecaster.h"

using namespace lmm;
using namespace lmm::train;

namespace {

struct Data {
  WindowSet train, val;
};

Data make_data() {
  WindowSpec s;
  s.stride = 5;
  auto clips = test::sine_clips(6, 180);  // 7..14 windows per clip
  std::vector<ClipFrames> tr(clips.begin(), clips.begin() + 5), va(clips.begin() + 5, clips.end());
  return {WindowSet(tr, s), WindowSet(va, s)};
}

TrainConfig base_config(const std::filesystem::path& dir) {
  TrainConfig c;
  c.max_epochs = 4;
  c.batch = 8;
  c.lr = 1e-2;
  c.seed = 5;
  c.patience = 100;
  c.scheduled_sampling = true;  // the tiny model draws coins when sampling_prob > 0
  c.ss_epochs = 2;
  c.progress = false;
  c.run_dir = dir;
  return c;
}

std::shared_ptr<test::TinyForecasterImpl> fresh_model(uint64_t seed) {
  torch::manual_seed(seed);
  return std::make_shared<test::TinyForecasterImpl>(0.02);
}

void expect_same_params(const test::TinyForecasterImpl& a, const test::TinyForecasterImpl& b) {
  EXPECT_LE(test::max_param_diff(a, b), 1e-6);
  EXPECT_TRUE(torch::equal(a.offset, b.offset)) << "not bit-exact";
}

}  // namespace

TEST(Resume, AtEpochBoundaryMatchesUninterruptedRun) {
  Data d = make_data();
  test::TempDir full_dir, cut_dir;
  auto full = fresh_model(1);
  TrainResult rf = train_model(full, d.train, d.val, base_config(full_dir.path()));
  EXPECT_EQ(rf.state.epoch, 4);

  auto cut = fresh_model(1);
  TrainConfig c2 = base_config(cut_dir.path());
  c2.max_epochs = 2;
  train_model(cut, d.train, d.val, c2);
  EXPECT_FALSE(torch::equal(cut->offset, full->offset));

  auto resumed = fresh_model(777);  // weights come from last.ckpt
  TrainConfig c3 = base_config(cut_dir.path());
  c3.resume = true;
  TrainResult rr = train_model(resumed, d.train, d.val, c3);
  EXPECT_EQ(rr.state.step, rf.state.step);
  EXPECT_EQ(rr.state.epoch, 4);
  expect_same_params(*resumed, *full);
  ASSERT_EQ(rr.metrics.size(), rf.metrics.size());
  for (size_t i = 0; i < rf.metrics.size(); ++i) {
    EXPECT_EQ(rr.metrics[i]["step"], rf.metrics[i]["step"]);
    EXPECT_NEAR(rr.metrics[i]["train_loss"].get<double>(), rf.metrics[i]["train_loss"].get<double>(), 1e-9);
    EXPECT_NEAR(rr.metrics[i]["val_loss"].get<double>(), rf.metrics[i]["val_loss"].get<double>(), 1e-9);
  }
}

TEST(Resume, MidEpochMatchesUninterruptedRun) {
  Data d = make_data();
  test::TempDir full_dir, cut_dir;
  auto full = fresh_model(2);
  TrainResult rf = train_model(full, d.train, d.val, base_config(full_dir.path()));

  auto cut = fresh_model(2);
  TrainConfig c2 = base_config(cut_dir.path());
  c2.max_steps = rf.state.step / 4 + 3;  // inside epoch 2
  TrainResult rc = train_model(cut, d.train, d.val, c2);
  EXPECT_EQ(rc.stop_reason, "max_steps");
  EXPECT_GT(rc.state.batch_in_epoch, 0);
  EXPECT_TRUE(rc.metrics.back().value("partial", false));

  auto resumed = fresh_model(3);
  TrainConfig c3 = base_config(cut_dir.path());
  c3.resume = true;
  TrainResult rr = train_model(resumed, d.train, d.val, c3);
  EXPECT_EQ(rr.stop_reason, "max_epochs");
  EXPECT_EQ(rr.state.step, rf.state.step);
  expect_same_params(*resumed, *full);
  // The final epoch's mean train loss includes the batches from before the interruption.
  EXPECT_NEAR(rr.metrics.back()["train_loss"].get<double>(),
              rf.metrics.back()["train_loss"].get<double>(), 1e-9);
}

TEST(Resume, RefusesACheckpointOfAnotherModelKind) {
  Data d = make_data();
  test::TempDir dir;
  TrainConfig c = base_config(dir.path());
  c.max_epochs = 1;
  train_model(fresh_model(1), d.train, d.val, c);
  struct OtherKind : test::TinyForecasterImpl {
    std::string kind() const override { return "flat"; }
  };
  c.resume = true;
  c.max_epochs = 2;
  EXPECT_THROW(train_model(std::make_shared<OtherKind>(), d.train, d.val, c), CheckpointError);
}

TEST(Resume, AFinishedRunResumedTakesNoStepAndRewritesNothing) {
  Data d = make_data();
  test::TempDir dir;
  auto model = fresh_model(4);
  TrainConfig c = base_config(dir.path());
  c.max_steps = 9;  // mid-epoch 2
  TrainResult first = train_model(model, d.train, d.val, c);
  ASSERT_EQ(first.stop_reason, "max_steps");
  const std::string last = read_text(dir / "last.ckpt"), best = read_text(dir / "best.ckpt");
  const std::string metrics = read_text(dir / "metrics.jsonl");

  auto again = fresh_model(5);
  c.resume = true;
  TrainResult r = train_model(again, d.train, d.val, c);
  EXPECT_EQ(r.stop_reason, "max_steps");
  EXPECT_EQ(r.state.step, 9);
  EXPECT_TRUE(torch::equal(again->offset, model->offset));
  EXPECT_EQ(read_text(dir / "last.ckpt"), last);
  EXPECT_EQ(read_text(dir / "best.ckpt"), best);
  EXPECT_EQ(read_text(dir / "metrics.jsonl"), metrics);
  EXPECT_DOUBLE_EQ(r.last_val_mse, first.last_val_mse);
}

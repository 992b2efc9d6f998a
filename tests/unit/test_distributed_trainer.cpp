// train_model with a DistContext: 2 ranks (threads, Gloo over loopback) on disjoint
// shards reproduce a single-process run with the same global batch (weights within
// 1e-5, same reduced validation loss), only rank 0 writes files, early stopping stops
// both ranks together, and a group resumed from rank 0's last.ckpt (broadcast, so rank 1
// needs no copy of the run directory) matches an uninterrupted run.
#include <gtest/gtest.h>

#include <future>

#include "lmm/train/distributed.h"
#include "lmm/train/trainer.h"
#include "sine_clips.h"
#include "test_support.h"
#include "tiny_forecaster.h"

using namespace lmm;
using namespace lmm::train;
namespace fs = std::filesystem;

namespace {

struct Data {
  WindowSet train, val;
};

Data make_data() {
  WindowSpec s;
  s.stride = 5;
  auto clips = test::sine_clips(6, 180);  // 47 training windows (odd: uneven shards)
  std::vector<ClipFrames> tr(clips.begin(), clips.begin() + 5), va(clips.begin() + 5, clips.end());
  return {WindowSet(tr, s), WindowSet(va, s)};
}

TrainConfig base_config(const fs::path& dir) {
  TrainConfig c;
  c.max_epochs = 3;
  c.batch = 8;  // global batch: 4 windows per rank with 2 ranks
  c.lr = 1e-2;
  c.seed = 5;
  c.patience = 100;
  c.progress = false;
  c.run_dir = dir;
  return c;
}

// Deterministic in training (no jitter, no scheduled sampling), so runs are comparable.
std::shared_ptr<test::TinyForecasterImpl> fresh_model(uint64_t seed) {
  torch::manual_seed(seed);
  return std::make_shared<test::TinyForecasterImpl>(0.0);
}

struct RankRun {
  std::shared_ptr<test::TinyForecasterImpl> model;
  TrainResult result;
};

// Trains on 2 ranks in threads; rank r uses dirs[r] as its run directory and, unless
// `same_init`, starts from other weights than rank 0 (broadcast must fix that).
std::vector<RankRun> train_two_ranks(const Data& d, std::function<TrainConfig(int)> config, uint64_t init_seed) {
  const int port = test::free_tcp_port();
  std::vector<RankRun> runs(2);
  for (int r = 0; r < 2; ++r) runs[r].model = fresh_model(r == 0 ? init_seed : init_seed + 100);
  auto rank_main = [&](int r) {
    DistConfig dc;
    dc.backend = "gloo";
    dc.rank = r;
    dc.world_size = 2;
    dc.master_port = port;
    dc.timeout_s = 30;
    DistContext ctx(dc);
    TrainConfig c = config(r);
    c.dist = &ctx;
    runs[r].result = train_model(runs[r].model, d.train, d.val, c);
  };
  auto f0 = std::async(std::launch::async, rank_main, 0), f1 = std::async(std::launch::async, rank_main, 1);
  f0.get();
  f1.get();
  return runs;
}

// Both ranks end with the single-process weights (1e-5), steps and validation numbers.
void check_two_ranks(const std::vector<RankRun>& runs, const test::TinyForecasterImpl& single, const TrainResult& rs) {
  for (int r = 0; r < 2; ++r) {
    EXPECT_LT(test::max_param_diff(*runs[r].model, single), 1e-5) << "rank " << r;
    EXPECT_EQ(runs[r].result.state.step, rs.state.step);
    ASSERT_EQ(runs[r].result.metrics.size(), rs.metrics.size());
    for (size_t e = 0; e < rs.metrics.size(); ++e) {
      // Validation is sharded and reduced: the same numbers as one process on all windows.
      EXPECT_NEAR(runs[r].result.metrics[e]["val_loss"].get<double>(), rs.metrics[e]["val_loss"].get<double>(), 1e-6);
      EXPECT_NEAR(runs[r].result.metrics[e]["val_mse"].get<double>(), rs.metrics[e]["val_mse"].get<double>(), 1e-6);
      EXPECT_NEAR(runs[r].result.metrics[e]["train_loss"].get<double>(), rs.metrics[e]["train_loss"].get<double>(),
                  1e-6);
    }
  }
  EXPECT_TRUE(torch::equal(runs[0].model->offset, runs[1].model->offset)) << "ranks drifted apart";
}

}  // namespace

TEST(DistTrainer, TwoRanksMatchOneProcessAndOnlyRankZeroWrites) {
  Data d = make_data();
  ASSERT_EQ(d.train.size(), 47u);
  // Batch 8: the last global batch (7 windows) splits 4 + 3; batch 2: it holds one
  // window, so rank 1 steps with an empty local batch.
  for (int batch : {8, 2}) {
    SCOPED_TRACE("batch " + std::to_string(batch));
    test::TempDir single_dir, dir0, dir1;
    auto config = [&](const fs::path& dir) {
      TrainConfig c = base_config(dir);
      c.batch = batch;
      return c;
    };
    auto single = fresh_model(1);
    TrainResult rs = train_model(single, d.train, d.val, config(single_dir.path()));
    auto runs = train_two_ranks(d, [&](int r) { return config((r == 0 ? dir0 : dir1) / "run"); }, 1);
    check_two_ranks(runs, *single, rs);
    EXPECT_TRUE(fs::exists(dir0 / "run" / "last.ckpt"));
    EXPECT_TRUE(fs::exists(dir0 / "run" / "metrics.jsonl"));
    EXPECT_FALSE(fs::exists(dir1 / "run")) << "rank 1 wrote files";
  }
}

TEST(DistTrainer, EarlyStoppingStopsBothRanksAtTheSameEpoch) {
  Data d = make_data();
  auto runs = train_two_ranks(d,
                              [&](int) {
                                TrainConfig c = base_config({});
                                c.max_epochs = 50;
                                c.lr = 0.5;  // overshoots: validation stops improving quickly
                                c.patience = 1;
                                return c;
                              },
                              4);
  EXPECT_EQ(runs[0].result.stop_reason, "early_stopping");
  EXPECT_EQ(runs[1].result.stop_reason, "early_stopping");
  EXPECT_EQ(runs[0].result.state.epoch, runs[1].result.state.epoch);
  EXPECT_LT(runs[0].result.state.epoch, 50);
}

TEST(DistTrainer, GroupResumesFromRankZerosCheckpoint) {
  Data d = make_data();
  test::TempDir full_dir, dir0, dir1;
  auto full = fresh_model(2);
  TrainResult rf = train_model(full, d.train, d.val, base_config(full_dir.path()));

  // Interrupted inside epoch 2, then resumed; rank 1's own run directory stays empty.
  auto cut = train_two_ranks(d,
                             [&](int r) {
                               TrainConfig c = base_config(r == 0 ? dir0.path() : dir1 / "none");
                               c.max_steps = rf.state.step / 3 + 2;
                               return c;
                             },
                             2);
  ASSERT_EQ(cut[0].result.stop_reason, "max_steps");
  ASSERT_GT(cut[0].result.state.batch_in_epoch, 0);
  auto resumed = train_two_ranks(d,
                                 [&](int r) {
                                   TrainConfig c = base_config(r == 0 ? dir0.path() : dir1 / "none");
                                   c.resume = true;
                                   return c;
                                 },
                                 99);
  for (int r = 0; r < 2; ++r) {
    EXPECT_EQ(resumed[r].result.state.step, rf.state.step) << "rank " << r;
    EXPECT_LT(test::max_param_diff(*resumed[r].model, *full), 1e-5) << "rank " << r;
  }
  EXPECT_FALSE(fs::exists(dir1 / "none"));
}

// Convergence (slow): each model, small preset, trained for a few CPU minutes on
// synthesized motion (walk, wave, squat, ... with random tempo and proportions), must
// forecast the validation windows with a lower position MSE than the zero-velocity
// baseline (repeating the last context frame). Set LMM_CONVERGENCE_OUT=DIR to keep the
// run directories (metrics.jsonl, loss.png, checkpoints) for inspection.
#include <gtest/gtest.h>

#include <cstdlib>

#include "lmm/train/checkpoint.h"
#include "lmm/train/run.h"
#include "synth_dataset.h"
#include "test_support.h"

using namespace lmm;
namespace fs = std::filesystem;

namespace {

class Convergence : public ::testing::TestWithParam<std::string> {
 protected:
  static void SetUpTestSuite() {
    data_dir_ = new test::TempDir;
    test::make_synth_dataset(data_dir_->path() / "ds", 120, 20.0, 11);  // 120 clips x 300 frames
  }
  static void TearDownTestSuite() {
    delete data_dir_;
    data_dir_ = nullptr;
  }
  static test::TempDir* data_dir_;
};
test::TempDir* Convergence::data_dir_ = nullptr;

}  // namespace

TEST_P(Convergence, SmallModelBeatsZeroVelocityBaseline) {
  const std::string kind = GetParam();
  test::TempDir tmp;
  const char* keep = std::getenv("LMM_CONVERGENCE_OUT");
  fs::path run_dir = (keep && *keep ? fs::path(keep) : tmp.path()) / ("run_" + kind);
  fs::remove_all(run_dir);

  train::RunConfig cfg;
  cfg.data.dataset = data_dir_->path() / "ds";
  cfg.data.windows.stride = 10;
  cfg.model_kind = kind;
  cfg.preset = "small";
  // Without scheduled sampling the flat model's teacher-forced loss falls but its
  // autoregressive rollout drifts (measured: val MSE 2.6x the baseline after 700 steps).
  cfg.scheduled_sampling = kind == "flat" ? "on" : "auto";
  cfg.threads = 1;  // intra-op threads only pay off on an idle machine; results stay comparable
  cfg.train.run_dir = run_dir;
  cfg.train.max_epochs = 200;
  // A step budget keeps the outcome independent of machine load; the time cap is a safety net.
  // About 18 epochs of 108 batches (11 for htt, ~4x dearer per step; it beat the baseline
  // by 40% after 1080 steps). The time cap stays below ctest's 30-minute timeout.
  cfg.train.max_steps = kind == "htt" ? 1200 : 2000;
  cfg.train.max_minutes = 20;
  cfg.train.patience = 200;
  cfg.train.lr = 1e-3;  // faster than the paper's 1e-4 for a few-minute budget
  cfg.train.batch = 16;
  cfg.train.ss_epochs = 5;
  cfg.train.val_forecast_windows = 64;  // keep per-epoch validation cheap; full check below
  cfg.train.seed = 1;
  train::TrainResult r = train::run_training(cfg);
  ASSERT_GE(r.state.step, 500) << "too few steps to judge (time cap hit on a very loaded machine?)";

  // The best checkpoint, forecasting every validation window.
  auto loaded = train::load_model(run_dir / "best.ckpt");
  train::DataConfig dc = cfg.data;
  dc.split_seed = cfg.train.seed;
  dc.progress = false;
  auto data = train::load_training_data(dc);
  auto v = train::validate(*loaded.model, data.val, 32, 0, cfg.train.seed);
  std::printf("%s: %lld steps, %lld epochs; best val loss %.5f; val MSE %.5f vs zero-velocity %.5f (ratio %.3f)\n",
              kind.c_str(), static_cast<long long>(r.state.step), static_cast<long long>(r.state.epoch), v.loss, v.mse,
              v.baseline_mse, v.mse / v.baseline_mse);
  EXPECT_LT(v.mse, v.baseline_mse) << kind << " does not beat the zero-velocity baseline";
}

INSTANTIATE_TEST_SUITE_P(Models, Convergence, ::testing::Values("flat", "htt", "diffusion"),
                         [](const auto& info) { return info.param; });

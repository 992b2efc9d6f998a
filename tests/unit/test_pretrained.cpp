// The pretrained model: inference-only export (fp16 / fp32) round trips through load_model,
// lmm forecast uses the shipped checkpoint when none is given, and the shipped checkpoint
// itself is what docs/pretrained.md says (size, no optimizer, protocol).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "lmm/core/error.h"
#include "lmm/train/checkpoint.h"
#include "lmm/train/pretrained.h"
#include "lmm/train/run.h"
#include "synth_dataset.h"
#include "test_support.h"

namespace lmm {
namespace {

namespace fs = std::filesystem;

// A training checkpoint of a freshly initialized small flat model (short protocol), with
// optimizer-sized state so that export has something to drop.
fs::path write_training_checkpoint(const fs::path& path) {
  torch::manual_seed(3);
  auto model = models::make_model("flat", "small");
  torch::optim::AdamW opt(model->parameters(), torch::optim::AdamWOptions(1e-3));
  train::Checkpoint ck;
  ck.meta = {{"model", {{"kind", "flat"}, {"config", model->config_json()}}},
             {"data", {{"context", 30}, {"horizon", 15}, {"protocol", "short"}}}};
  ck.model_state = train::save_module_state(*model);
  ck.optimizer_state = train::save_optimizer_state(opt);
  ck.rng_state = train::save_torch_rng();
  train::write_checkpoint(path, ck);
  return path;
}

// Sets LMM_PRETRAINED for this process and the CLIs it starts; restores it on destruction.
struct PretrainedEnv {
  explicit PretrainedEnv(const fs::path& p) {
    if (const char* v = std::getenv("LMM_PRETRAINED")) old = v, had = true;
    setenv("LMM_PRETRAINED", p.c_str(), 1);
  }
  ~PretrainedEnv() { had ? setenv("LMM_PRETRAINED", old.c_str(), 1) : unsetenv("LMM_PRETRAINED"); }
  std::string old;
  bool had = false;
};

torch::Tensor forecast(const fs::path& ckpt, const torch::Tensor& context) {
  auto loaded = train::load_model(ckpt);
  torch::NoGradGuard no_grad;
  return loaded.model->forecast(context, 15);  // (B, 15, 75)
}

TEST(Pretrained, ExportKeepsWeightsAndDropsTrainingState) {
  test::TempDir d;
  const auto full = write_training_checkpoint(d / "best.ckpt");
  train::export_inference_checkpoint(full, d / "fp32.ckpt", "float32");
  train::export_inference_checkpoint(full, d / "fp16.ckpt", "float16");
  auto fp16 = train::read_checkpoint(d / "fp16.ckpt");
  EXPECT_TRUE(fp16.optimizer_state.empty());
  EXPECT_TRUE(fp16.rng_state.empty());
  EXPECT_EQ(fp16.meta["export"]["dtype"], "float16");
  EXPECT_EQ(fp16.meta["data"]["horizon"], 15);  // the protocol travels with the weights
  // fp16 weights take about half the bytes of fp32 ones.
  EXPECT_LT(fs::file_size(d / "fp16.ckpt"), 0.6 * fs::file_size(d / "fp32.ckpt"));

  torch::manual_seed(9);
  auto context = torch::randn({2, 30, 75}) * 0.3;  // (B, 30, 75)
  auto ref = forecast(full, context);
  EXPECT_TRUE(torch::equal(forecast(d / "fp32.ckpt", context), ref));
  const float err16 = (forecast(d / "fp16.ckpt", context) - ref).abs().max().item<float>();
  EXPECT_GT(err16, 0.0f);   // weights were rounded...
  EXPECT_LT(err16, 2e-2f);  // ...to half precision only
  EXPECT_EQ(train::load_model(d / "fp16.ckpt").model->parameters()[0].scalar_type(), torch::kFloat);
}

TEST(Pretrained, ExportCanRecordMirrorAveragingForTheLoadedModel) {
  test::TempDir d;
  const auto full = write_training_checkpoint(d / "best.ckpt");
  train::export_inference_checkpoint(full, d / "plain.ckpt", "float32");
  train::export_inference_checkpoint(full, d / "mirror.ckpt", "float32", true);
  EXPECT_FALSE(train::load_model(d / "plain.ckpt").model->mirror_average());
  EXPECT_EQ(train::read_checkpoint(d / "mirror.ckpt").meta["inference"]["mirror_average"], true);
  auto loaded = train::load_model(d / "mirror.ckpt");
  EXPECT_TRUE(loaded.model->mirror_average());
  torch::manual_seed(4);
  auto context = torch::randn({2, 30, 75}) * 0.3;  // (B, 30, 75)
  EXPECT_FALSE(torch::allclose(forecast(d / "mirror.ckpt", context), forecast(d / "plain.ckpt", context)));
}

TEST(Pretrained, ExportRejectsAnUnknownDtype) {
  test::TempDir d;
  const auto full = write_training_checkpoint(d / "best.ckpt");
  EXPECT_THROW(train::export_inference_checkpoint(full, d / "x.ckpt", "int8"), Error);
  EXPECT_FALSE(fs::exists(d / "x.ckpt"));
}

TEST(Pretrained, ForecastWithoutACheckpointUsesLmmPretrained) {
  test::TempDir d;
  auto names = test::make_synth_dataset(d / "ds", 1, 4.0);
  train::export_inference_checkpoint(write_training_checkpoint(d / "best.ckpt"), d / "p.ckpt");
  std::string out;
  const std::string ds = (d / "ds").string();
  {
    PretrainedEnv env(d / "p.ckpt");
    ASSERT_EQ(test::run_cli("forecast " + ds + " --clip " + names[0] + " --threads 1 --at 40", &out), 0) << out;
    EXPECT_NE(out.find("flat model from " + (d / "p.ckpt").string()), std::string::npos) << out;
    EXPECT_NE(out.find("after context frames 10..39"), std::string::npos) << out;
  }
  // A missing pretrained file is a clear error, not a crash.
  PretrainedEnv none(d / "none.ckpt");
  EXPECT_EQ(test::run_cli("forecast " + ds + " --clip " + names[0], &out), 2);
  EXPECT_NE(out.find("LMM_PRETRAINED"), std::string::npos) << out;
}

TEST(Pretrained, FineTuningStartsFromTheGivenWeights) {
  test::TempDir d;
  test::make_synth_dataset(d / "ds", 4, 6.0);
  const auto init = write_training_checkpoint(d / "init.ckpt");
  train::RunConfig cfg;
  cfg.data.dataset = d / "ds";
  cfg.data.windows.context = 30;
  cfg.data.windows.horizon = 15;
  cfg.data.windows.stride = 15;
  cfg.data.val_frac = 0.25;
  cfg.init_from = init;
  cfg.preset = "paper";  // ignored: the model comes from init.ckpt
  cfg.train.lr = 0;      // nothing moves: the run's weights are exactly the initial ones
  cfg.train.max_steps = 2;
  cfg.train.progress = false;
  cfg.train.run_dir = d / "run";
  cfg.threads = 1;
  train::run_training(cfg);
  auto tuned = train::load_model(d / "run/last.ckpt"), orig = train::load_model(init);
  auto a = tuned.model->parameters(), b = orig.model->parameters();
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) EXPECT_TRUE(torch::equal(a[i], b[i])) << "parameter " << i;
  EXPECT_EQ(tuned.meta["init"]["from"], fs::absolute(init).lexically_normal().string());
  EXPECT_EQ(tuned.meta["model"]["config"], orig.meta["model"]["config"]);
}

TEST(Pretrained, ShippedCheckpointIsSmallInferenceOnlyAndShortProtocol) {
  fs::path p;
  try {
    p = train::pretrained_checkpoint();
  } catch (const ConfigError& e) {
    GTEST_SKIP() << "no shipped pretrained model: " << e.what();
  }
  EXPECT_LE(fs::file_size(p), 8u << 20) << p;
  auto ck = train::read_checkpoint(p);
  EXPECT_TRUE(ck.optimizer_state.empty()) << p;
  EXPECT_EQ(ck.meta["export"]["dtype"], "float16");
  EXPECT_EQ(ck.meta["data"]["context"], 30);
  EXPECT_EQ(ck.meta["data"]["horizon"], 15);
  auto loaded = train::load_model(p);
  EXPECT_TRUE(loaded.model->mirror_average()) << "docs/pretrained.md: it forecasts mirror-averaged";
  torch::NoGradGuard no_grad;
  auto y = loaded.model->forecast(torch::zeros({1, 30, 75}), 15);  // (1, 15, 75)
  EXPECT_TRUE(torch::isfinite(y).all().item<bool>());
}

}  // namespace
}  // namespace lmm

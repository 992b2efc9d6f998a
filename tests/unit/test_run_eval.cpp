// `lmm eval` / `lmm compare` end to end on tiny synthesized datasets and an untrained
// small flat model: split choice (validation vs held-out), source units, report files
// (JSON, Markdown, PNGs that decode), the CLI, the linear ridge baseline fitted on the
// training split, and the task protocol (lmm train --protocol short -> eval / forecast).
#include <gtest/gtest.h>

#include <opencv2/imgcodecs.hpp>

#include "lmm/core/atomic_file.h"
#include "lmm/core/error.h"
#include "lmm/eval/run_eval.h"
#include "lmm/io/dataset.h"
#include "lmm/pipeline/normalize.h"
#include "lmm/pipeline/synth.h"
#include "lmm/train/checkpoint.h"
#include "synth_dataset.h"
#include "test_support.h"

using namespace lmm;
namespace fs = std::filesystem;

namespace {

// n clips of 12 s (180 frames at 15 FPS: 4 windows at stride 10) of one capture domain.
void make_dataset(const fs::path& dir, pipeline::SynthDomain domain, int n, uint64_t seed0) {
  io::Dataset ds(dir, true);
  for (int i = 0; i < n; ++i) {
    pipeline::SynthConfig c;
    c.domain = domain;
    c.motion = "walk";
    c.fps = 30;
    c.frames = 360;
    c.seed = seed0 + i;
    ds.write(pipeline::normalize(pipeline::synthesize(c)));
  }
}

// An untrained small flat model saved as a checkpoint trained "on" `train_ds`.
fs::path make_checkpoint(const fs::path& dir, const fs::path& train_ds, const std::vector<std::string>& val) {
  torch::manual_seed(0);
  auto model = models::make_model("flat", "small");
  train::Checkpoint ck;
  ck.meta = {{"model", {{"kind", model->kind()}, {"config", model->config_json()}}},
             {"data", {{"dataset", fs::absolute(train_ds).string()}, {"val_clips", val}, {"stride", 10}}}};
  ck.model_state = train::save_module_state(*model);
  fs::path p = dir / "flat_run" / "best.ckpt";
  train::write_checkpoint(p, ck);
  return p;
}

}  // namespace

TEST(RunEval, ValidationSplitHeldOutDomainReportFilesAndCli) {
  test::TempDir tmp;
  make_dataset(tmp / "video", pipeline::SynthDomain::video, 4, 10);
  make_dataset(tmp / "mocap", pipeline::SynthDomain::mocap, 2, 50);
  auto names = io::Dataset(tmp / "video").list();
  ASSERT_EQ(names.size(), 4u);
  auto ckpt = make_checkpoint(tmp.path(), tmp / "video", {names[1].name, names[3].name});
  EXPECT_EQ(eval::run_name(ckpt), "flat_run");

  eval::EvalConfig cfg;
  cfg.checkpoint = ckpt;
  cfg.dataset = tmp / "video";
  cfg.options.bootstrap = 100;
  cfg.options.progress = false;
  cfg.report_dir = tmp / "report_video";
  auto r = eval::run_eval(cfg);
  EXPECT_EQ(r.split, "validation");
  EXPECT_EQ(r.clips, 2);
  EXPECT_EQ(r.windows, 8);
  EXPECT_EQ(r.units, "px");
  EXPECT_EQ(r.run, "flat_run");
  EXPECT_EQ(r.rows.front().mode, "single rollout");
  ASSERT_EQ(r.rows.front().mse_source.size(), 31u);
  EXPECT_GT(r.rows.front().mse_source.back().value, r.rows.front().mse.back().value);  // px > torso units
  // The linear baseline is fitted on the 2 training clips (4 windows each), never the validation ones.
  ASSERT_EQ(r.rows.size(), 4u);
  EXPECT_EQ(r.rows[3].model, "linear ridge (k=10)");
  EXPECT_TRUE(r.rows[3].baseline);
  ASSERT_EQ(r.rows[3].mse.size(), 31u);
  EXPECT_EQ(r.linear_fit["train_windows"], 8);
  EXPECT_EQ(r.linear_fit["k"], 10);

  for (const char* f : {"metrics.json", "report.md", "error_vs_horizon.png", "sample_forecast.png"})
    EXPECT_TRUE(fs::exists(tmp / "report_video" / f)) << f;
  auto plot = cv::imread((tmp / "report_video" / "error_vs_horizon.png").string());
  EXPECT_EQ(plot.cols, 800);
  EXPECT_EQ(plot.rows, 500);
  auto sheet = cv::imread((tmp / "report_video" / "sample_forecast.png").string());
  EXPECT_EQ(sheet.cols, 4 * 360);
  EXPECT_EQ(sheet.rows, 2 * 360);
  auto back = eval::load_or_eval_run(tmp / "report_video", {});
  EXPECT_EQ(back.to_markdown(), r.to_markdown());

  // Another dataset: every clip, held out, in its own units; --all on the training set.
  cfg.dataset = tmp / "mocap";
  cfg.report_dir.clear();
  auto m = eval::run_eval(cfg);
  EXPECT_EQ(m.split, "all");
  EXPECT_EQ(m.clips, 2);
  EXPECT_EQ(m.units, "mm");
  cfg.dataset = tmp / "video";
  cfg.all = true;
  EXPECT_EQ(eval::run_eval(cfg).clips, 4);

  // Errors name the file.
  write_text_atomic(tmp / "other.json", "{\"a\": 1}");
  try {
    eval::load_or_eval_run(tmp / "other.json", {});
    FAIL() << "expected FormatError";
  } catch (const FormatError& e) {
    EXPECT_NE(std::string(e.what()).find("other.json"), std::string::npos) << e.what();
  }
  EXPECT_THROW(eval::load_or_eval_run(ckpt, {}), ConfigError);  // a checkpoint needs --dataset

  // CLI: eval to a JSON file, then compare it with the report directory.
  std::string out;
  ASSERT_EQ(test::run_cli("eval " + ckpt.string() + " " + (tmp / "mocap").string() + " -q --bootstrap 50 --json " +
                              (tmp / "m.json").string(), &out), 0) << out;
  EXPECT_NE(out.find("| flat | single rollout |"), std::string::npos) << out;
  auto mj = nlohmann::json::parse(read_text(tmp / "m.json"));
  ASSERT_EQ(mj["rows"].size(), 4u);
  EXPECT_EQ(mj["rows"][3]["model"], "linear ridge (k=10)");
  EXPECT_EQ(mj["linear_fit"]["train_windows"], 8);
  // --linear-k 0: no linear row; a training dataset that is gone: the report says why.
  ASSERT_EQ(test::run_cli("eval " + ckpt.string() + " " + (tmp / "mocap").string() +
                              " -q --bootstrap 20 --linear-k 0 --json " + (tmp / "m0.json").string(), &out), 0)
      << out;
  EXPECT_EQ(nlohmann::json::parse(read_text(tmp / "m0.json"))["rows"].size(), 3u);
  fs::rename(tmp / "video", tmp / "video_moved");
  cfg.dataset = tmp / "mocap";
  cfg.all = false;
  auto gone = eval::run_eval(cfg);
  EXPECT_EQ(gone.rows.size(), 3u);
  EXPECT_NE(gone.linear_fit.value("skipped", "").find("not available"), std::string::npos) << gone.linear_fit;
  EXPECT_NE(gone.to_markdown().find("| linear baseline | not fitted:"), std::string::npos);
  ASSERT_EQ(test::run_cli("compare " + (tmp / "report_video").string() + " " + (tmp / "m.json").string() +
                              " -o " + (tmp / "t.md").string(), &out), 0) << out;
  EXPECT_NE(out.find("| flat_run | flat |"), std::string::npos) << out;
  EXPECT_TRUE(fs::exists(tmp / "t.md"));
}

TEST(RunEval, ShortProtocolFromTrainToEvalAndForecast) {
  test::TempDir d;
  auto names = test::make_synth_dataset(d / "ds", 5, 6.0);  // 90 frames: too short for 120 -> 30
  const std::string ds = (d / "ds").string(), run = (d / "run").string();
  std::string out;
  ASSERT_EQ(test::run_cli("train " + ds + " --model flat --preset small --protocol short --epochs 1 --threads 1 "
                          "--stride 15 --val-frac 0.2 -q -o " + run, &out), 0) << out;
  auto meta = train::read_checkpoint(d / "run/best.ckpt").meta;
  EXPECT_EQ(meta["data"]["context"], 30);
  EXPECT_EQ(meta["data"]["horizon"], 15);
  EXPECT_EQ(meta["data"]["protocol"], "short");
  EXPECT_EQ(meta["data"]["train_windows"], 16);  // 4 clips x ((90 - 45) / 15 + 1)

  eval::EvalConfig cfg;
  cfg.checkpoint = d / "run/best.ckpt";
  cfg.dataset = d / "ds";
  cfg.options.bootstrap = 50;
  cfg.options.progress = false;
  auto r = eval::run_eval(cfg);
  EXPECT_EQ(r.split, "validation");
  EXPECT_EQ(r.context, 30);
  EXPECT_EQ(r.horizon, 15);
  EXPECT_EQ(r.windows, 4);
  ASSERT_EQ(r.rows.size(), 4u);
  for (const auto& row : r.rows) EXPECT_EQ(row.mse.size(), 16u) << row.model;
  EXPECT_EQ(r.rows[3].model, "linear ridge (k=10)");
  EXPECT_EQ(r.linear_fit["train_windows"], 16);
  EXPECT_NE(r.to_markdown().find("4 windows of 30 context + 15 forecast frames"), std::string::npos);

  // lmm forecast: the 15 frames after the clip's last 30.
  ASSERT_EQ(test::run_cli("forecast " + run + "/best.ckpt " + ds + " --clip " + names[0] + " --threads 1", &out), 0)
      << out;
  EXPECT_NE(out.find("   15  +1.000"), std::string::npos) << out;
  EXPECT_EQ(out.find("   16  "), std::string::npos) << out;
  EXPECT_NE(out.find("(15 frames at 15 FPS after context frames 60..89"), std::string::npos) << out;

  // Explicit --context/--horizon; htt needs a context that is a multiple of its 5-frame windows.
  EXPECT_NE(test::run_cli("train " + ds + " --model htt --preset small --context 32 --horizon 8 --epochs 1 -q -o " +
                              (d / "run_htt").string(), &out), 0);
  EXPECT_NE(out.find("not a multiple"), std::string::npos) << out;
  ASSERT_EQ(test::run_cli("train " + ds + " --model flat --preset small --context 40 --horizon 10 --epochs 1 "
                          "--threads 1 --stride 15 --val-frac 0.2 -q -o " + (d / "run40").string(), &out), 0) << out;
  auto m40 = train::read_checkpoint(d / "run40/last.ckpt").meta;
  EXPECT_EQ(m40["data"]["context"], 40);
  EXPECT_EQ(m40["data"]["horizon"], 10);
  EXPECT_EQ(m40["data"]["protocol"], "custom");
}

// The real `lmm train` and `lmm forecast` on a tiny synthesized dataset: run files
// (metrics.jsonl, loss.png of the expected size, best/last checkpoints), resume,
// refusing to overwrite a run, forecast summary and OpenPose JSON in both unit modes.
#include <gtest/gtest.h>

#include <opencv2/imgcodecs.hpp>
#include <sstream>

#include "lmm/core/atomic_file.h"
#include "lmm/io/dataset.h"
#include "lmm/train/checkpoint.h"
#include "synth_dataset.h"
#include "test_support.h"

using namespace lmm;
namespace fs = std::filesystem;

namespace {

int count_lines(const fs::path& p) {
  std::istringstream in(read_text(p));
  int n = 0;
  for (std::string line; std::getline(in, line);) n += !line.empty();
  return n;
}

std::vector<float> keypoints(const fs::path& p) {
  auto j = nlohmann::json::parse(read_text(p));
  return j.at("people").at(0).at("pose_keypoints_2d").get<std::vector<float>>();
}

}  // namespace

TEST(CliTrain, TrainResumeAndForecastOnATinyDataset) {
  test::TempDir d;
  auto names = test::make_synth_dataset(d / "ds", 5, 13.0);  // 195 frames at 15 FPS each
  const std::string ds = (d / "ds").string(), run = (d / "run").string();
  std::string out;
  int rc = test::run_cli("train " + ds + " --model flat --preset small --epochs 2 --threads 1 --stride 15 "
                         "--val-frac 0.2 -q -o " + run, &out);
  ASSERT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("stopped: max_epochs after 2 epochs"), std::string::npos) << out;
  EXPECT_EQ(count_lines(d / "run/metrics.jsonl"), 2);
  cv::Mat png = cv::imread((d / "run/loss.png").string());
  ASSERT_FALSE(png.empty());
  EXPECT_EQ(png.cols, 800);
  EXPECT_EQ(png.rows, 500);
  ASSERT_TRUE(fs::exists(d / "run/best.ckpt"));
  auto last = train::read_checkpoint(d / "run/last.ckpt");
  EXPECT_EQ(last.meta["model"]["kind"], "flat");
  EXPECT_EQ(last.meta["preset"], "small");
  EXPECT_EQ(last.meta["data"]["val_clips"].size(), 1u);
  EXPECT_EQ(last.meta["data"]["dataset"], fs::absolute(d / "ds").lexically_normal().string());
  EXPECT_EQ(last.meta["state"]["epoch"], 2);

  // A second fresh run into the same directory is refused; --resume continues it.
  rc = test::run_cli("train " + ds + " --model flat -q -o " + run, &out);
  EXPECT_EQ(rc, 2) << out;
  EXPECT_NE(out.find("--resume"), std::string::npos) << out;
  rc = test::run_cli("train --resume --epochs 3 --threads 1 -q -o " + run, &out);
  ASSERT_EQ(rc, 0) << out;
  EXPECT_EQ(count_lines(d / "run/metrics.jsonl"), 3);
  EXPECT_EQ(train::read_checkpoint(d / "run/last.ckpt").meta["state"]["epoch"], 3);

  // Forecast from the dataset by clip name, in source units (pixels) and normalized.
  const std::string clip = names[0];
  rc = test::run_cli("forecast " + run + "/best.ckpt " + ds + " --clip " + clip + " -o " + (d / "fc_src").string(),
                     &out);
  ASSERT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("units: px"), std::string::npos) << out;
  EXPECT_NE(out.find("   30  +2.000"), std::string::npos) << out;
  int files = 0;
  for (auto& e : fs::directory_iterator(d / "fc_src")) files += e.path().string().find("_keypoints.json") != std::string::npos;
  EXPECT_EQ(files, 30);
  const std::string f0 = clip + "_forecast_000000000000_keypoints.json";
  auto src = keypoints(d / "fc_src" / f0);
  ASSERT_EQ(src.size(), 75u);

  io::Dataset dataset(d / "ds");
  NormalizedClip nc = dataset.read(clip);
  rc = test::run_cli("forecast " + run + "/best.ckpt " + " " + dataset.clip_path(clip).string() +
                         " --units normalized -o " + (d / "fc_norm").string(),
                     &out);
  ASSERT_EQ(rc, 0) << out;
  auto norm = keypoints(d / "fc_norm" / f0);
  // source = normalized * scale + centre of the last context frame, joint by joint.
  const float cx = nc.center[2 * (nc.frames - 1)], cy = nc.center[2 * (nc.frames - 1) + 1];
  for (int j = 0; j < 25; ++j) {
    if (norm[j * 3 + 2] <= 0) continue;
    EXPECT_NEAR(src[j * 3], norm[j * 3] * nc.scale + cx, 1e-3 * nc.scale) << j;
    EXPECT_NEAR(src[j * 3 + 1], norm[j * 3 + 1] * nc.scale + cy, 1e-3 * nc.scale) << j;
  }

  // Usage errors: a dataset without --clip, a broken checkpoint.
  EXPECT_EQ(test::run_cli("forecast " + run + "/best.ckpt " + ds, &out), 2);
  EXPECT_NE(out.find("--clip"), std::string::npos) << out;
  write_text_atomic(d / "bad.ckpt", "not a checkpoint");
  EXPECT_EQ(test::run_cli("forecast " + (d / "bad.ckpt").string() + " " + ds + " --clip " + clip, &out), 2);
  EXPECT_NE(out.find("bad.ckpt"), std::string::npos) << out;
}

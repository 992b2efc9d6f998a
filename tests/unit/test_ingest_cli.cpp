// The real `lmm` CLI: synth -> ingest -> info, and a batch with bad clips that must
// fail one line each, exit 1, and keep every good clip.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "lmm/core/atomic_file.h"
#include "lmm/core/error.h"
#include "lmm/io/dataset.h"
#include "test_support.h"

using namespace lmm;

TEST(IngestCli, SynthIngestInfoRoundTrip) {
  test::TempDir d;
  std::string out;
  ASSERT_EQ(test::run_cli("synth -q -o " + (d / "raw/video").string() + " --clips 2 --frames 90", &out), 0) << out;
  ASSERT_EQ(test::run_cli("synth -q -o " + (d / "raw/mocap").string() + " --domain mocap --clips 1 --frames 200", &out), 0) << out;
  ASSERT_EQ(test::run_cli("ingest -q " + (d / "raw").string() + " -o " + (d / "ds").string(), &out), 0) << out;
  EXPECT_NE(out.find("ingested 3/3"), std::string::npos) << out;
  ASSERT_EQ(test::run_cli("info --json " + (d / "ds").string(), &out), 0) << out;
  auto j = nlohmann::json::parse(out);
  ASSERT_EQ(j.size(), 3u);
  int c3d = 0, openpose = 0;
  for (auto& c : j) {
    if (c["source_format"] == "c3d") {
      ++c3d;
      EXPECT_EQ(c["frames"], 30);  // 200 frames at 100 FPS -> 2 s -> 30 frames at 15 FPS
      EXPECT_DOUBLE_EQ(c["source_fps"].get<double>(), 100.0);
    } else {
      ++openpose;
      EXPECT_EQ(c["frames"], 45);  // 90 frames at 30 FPS
    }
    EXPECT_EQ(c["qc_class"], "usable");
  }
  EXPECT_EQ(c3d, 1);
  EXPECT_EQ(openpose, 2);
}

TEST(IngestCli, BadClipsFailOneLineEachAndGoodClipsAreKept) {
  test::TempDir d;
  std::string out;
  ASSERT_EQ(test::run_cli("synth -q -o " + (d / "in").string() + " --clips 2 --frames 60", &out), 0) << out;
  // a clip directory whose frame 3 holds NaN, and a truncated NTU skeleton file
  ASSERT_EQ(test::run_cli("synth -q -o " + (d / "in/bad").string() + " --clips 1 --frames 10 --seed 9", &out), 0);
  std::filesystem::path frame3;
  for (auto& e : std::filesystem::recursive_directory_iterator(d / "in/bad"))
    if (e.path().filename().string().find("000000000003_keypoints") != std::string::npos) frame3 = e.path();
  ASSERT_FALSE(frame3.empty());
  std::string text = read_text(frame3);
  text.replace(text.find("\"pose_keypoints_2d\":[") + 21, 0, "NaN,");
  write_text_atomic(frame3, text);
  write_text_atomic(d / "in/cut.skeleton", "300\n1\n72057594037931101 0 1 1 1 1 0 0.02 -0.2 2\n25\n0.2 0.1");
  int rc = test::run_cli("ingest -q " + (d / "in").string() + " -o " + (d / "ds").string(), &out);
  EXPECT_EQ(rc, 1) << out;
  EXPECT_NE(out.find("ingested 2/4"), std::string::npos) << out;
  EXPECT_NE(out.find("FAILED " + frame3.string() + " (frame 3)"), std::string::npos) << out;
  EXPECT_NE(out.find("cut.skeleton"), std::string::npos) << out;
  io::Dataset ds(d / "ds");
  EXPECT_EQ(ds.list().size(), 2u);
}

TEST(IngestCli, MissingInputIsAFatalErrorWithExitCode2) {
  test::TempDir d;
  std::string out;
  EXPECT_EQ(test::run_cli("ingest " + (d / "nope").string() + " -o " + (d / "ds").string(), &out), 2);
  EXPECT_NE(out.find("nope"), std::string::npos) << out;
}

#include "lmm/io/openpose_json.h"
#include "lmm/io/reader.h"

TEST(OpenPoseMeta, FrameRateComesFromPoseMetaJsonUnlessOverridden) {
  test::TempDir d;
  RawClip c;
  c.name = "v";
  c.frames = 3;
  c.pose.assign(3 * 75, 0.5f);
  io::write_openpose_dir(c, d / "v");
  EXPECT_DOUBLE_EQ(io::read_openpose_dir(d / "v", 0).fps, 30.0);  // format default
  write_text_atomic(d / "v/pose_meta.json", "{\"fps\": 10, \"frames\": 3}");
  EXPECT_DOUBLE_EQ(io::read_openpose_dir(d / "v", 0).fps, 10.0);
  EXPECT_DOUBLE_EQ(io::read_openpose_dir(d / "v", 25).fps, 25.0);  // --fps-in wins
  write_text_atomic(d / "v/pose_meta.json", "{\"fps\": -1}");
  EXPECT_THROW(io::read_openpose_dir(d / "v", 0), FormatError);
  // the sidecar is not mistaken for a COCO file when the folder is discovered
  auto items = io::discover_inputs({d.path()}, "auto");
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].format, "openpose");
}

// `lmm live` and its JSON lines: the input schema (both forms, bad lines naming the line),
// run_live on JSON lines (a bad line inside a stream is skipped and counted; the output's
// last forecast equals StreamingForecaster's), and the real CLI's errors: missing source
// (exit 2), undecodable video, camera that does not exist, malformed first line.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "lmm/core/error.h"
#include "lmm/live/live_run.h"
#include "lmm/live/pose_lines.h"
#include "test_live_fixtures.h"
#include "test_support.h"

using namespace lmm;
namespace fs = std::filesystem;

namespace {

// One JSON line per pose of `c` at i / fps, the keypoints as OpenPose writes them.
std::string pose_lines(const RawClip& c) {
  std::string s;
  for (int i = 0; i < c.frames; ++i) {
    nlohmann::json j;
    j["t"] = i / c.fps;
    j["pose_keypoints_2d"] = std::vector<float>(c.frame(i), c.frame(i) + kFrameDim);
    s += j.dump() + "\n";
  }
  return s;
}

std::string reason_of(const std::string& line, long line_no) {
  try {
    live::parse_pose_line(line, line_no);
  } catch (const FormatError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST(LivePoseLines, BothSchemasAndBadLinesNameTheLine) {
  std::vector<float> kp(75, 0.f);
  kp[3] = 12.5f, kp[4] = 40.f, kp[5] = 0.9f;  // Neck
  nlohmann::json flat = {{"t", 0.5}, {"pose_keypoints_2d", kp}};
  auto a = live::parse_pose_line(flat.dump(), 1);
  ASSERT_TRUE(a.t.has_value());
  EXPECT_DOUBLE_EQ(*a.t, 0.5);
  EXPECT_TRUE(a.person);
  EXPECT_FLOAT_EQ(a.pose[3], 12.5f);
  EXPECT_FLOAT_EQ(a.pose[5], 0.9f);

  nlohmann::json frame = {{"version", 1.3}, {"people", {{{"person_id", {-1}}, {"pose_keypoints_2d", kp}}}}};
  auto b = live::parse_pose_line(frame.dump(), 2);
  EXPECT_FALSE(b.t.has_value());
  EXPECT_TRUE(b.person);
  EXPECT_FLOAT_EQ(b.pose[4], 40.f);
  auto nobody = live::parse_pose_line(R"({"t": 1, "people": []})", 3);
  EXPECT_FALSE(nobody.person);
  EXPECT_FLOAT_EQ(nobody.pose[5], 0.f);

  EXPECT_EQ(reason_of(R"({"t": 1, "pose_keypoints_2d": [1, 2)", 7),
            R"(stdin: line 7: not valid JSON, expected {"t": seconds, "pose_keypoints_2d": [75 numbers]})");
  EXPECT_EQ(reason_of(R"({"t": 1, "pose_keypoints_2d": [1, 2, 3]})", 8),
            "stdin: line 8: pose_keypoints_2d has 3 values, expected 75 numbers (BODY_25 x, y, confidence)");
  EXPECT_EQ(reason_of(R"({"t": "soon", "pose_keypoints_2d": []})", 9),
            "stdin: line 9: \"t\" is not a finite number of seconds");
  EXPECT_EQ(reason_of(R"([1, 2])", 10),
            R"(stdin: line 10: expected a JSON object {"t": ..., "pose_keypoints_2d": [...]})");
}

TEST(LiveRun, JsonLinesWithOneBadLineMatchTheStreamingForecaster) {
  test::TempDir d;
  auto loaded = test::tiny_checkpoint(d.path());
  const RawClip clip = test::moving_person(70, 30);
  std::string text = pose_lines(clip);
  // Line 41 is broken (a truncated copy): skipped, counted, the stream goes on.
  size_t at = 0;
  for (int i = 0; i < 40; ++i) at = text.find('\n', at) + 1;
  text.insert(at, "{\"t\": 1.3, \"pose_keypoints_2d\": [1, 2\n");
  std::istringstream in(text);

  live::LiveConfig cfg;
  cfg.source = "-";
  cfg.lines = &in;
  cfg.checkpoint = d / "tiny.ckpt";
  std::vector<std::string> out, warnings;
  cfg.on_line = [&](const std::string& l) { out.push_back(l); };
  cfg.on_warning = [&](const std::string& w) { warnings.push_back(w); };
  auto sum = live::run_live(cfg);
  EXPECT_EQ(sum.frames, 70);
  EXPECT_EQ(sum.processed, 70);
  EXPECT_EQ(sum.dropped, 0);
  EXPECT_EQ(sum.bad_lines, 1);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("stdin: line 41: not valid JSON"), std::string::npos) << warnings[0];
  EXPECT_NEAR(sum.source_fps, 30, 1e-9);
  EXPECT_EQ(sum.forecasts, 6);  // 15 FPS frames 29..34 (poses 58, 60, ..., 68)
  EXPECT_EQ(sum.forecast_latency_ms.size(), 6u);
  ASSERT_EQ(out.size(), 70u);

  auto first = nlohmann::json::parse(out.front());
  EXPECT_EQ(first["frame"], 0);
  EXPECT_TRUE(first["forecast"].is_null());
  auto last = nlohmann::json::parse(out.back());
  EXPECT_EQ(last["frame"], 69);
  EXPECT_DOUBLE_EQ(last["t"].get<double>(), 2.3);
  ASSERT_FALSE(last["forecast"].is_null());
  EXPECT_EQ(last["forecast"]["new"], false);  // pose 69 lies between two 15 FPS frames
  EXPECT_EQ(last["forecast"]["index"], 6);
  EXPECT_EQ(last["forecast"]["times"].size(), 15u);
  ASSERT_EQ(last["forecast"]["pose"].size(), 15u);

  live::StreamingForecaster api(test::tiny_checkpoint(d.path()));
  for (int i = 0; i < clip.frames; ++i) api.push(clip.frame(i), i / 30.0);
  const auto& f = *api.latest();
  for (int k = 0; k < 15; ++k)
    for (int c = 0; c < kFrameDim; ++c)
      ASSERT_NEAR(last["forecast"]["pose"][k][c].get<double>(), f.pose[k * kFrameDim + c], c % 3 == 2 ? 5e-4 : 5e-3)
          << "frame " << k << " value " << c;
}

TEST(LiveCli, MissingUndecodableAndBadSourcesExitTwoWithOneClearError) {
  test::TempDir d;
  test::tiny_checkpoint(d.path());
  const std::string ckpt = " --ckpt " + (d / "tiny.ckpt").string();
  std::string out;
  EXPECT_EQ(test::run_cli("live " + (d / "nothing.mp4").string() + ckpt, &out), 2);
  EXPECT_NE(out.find("nothing.mp4' does not exist (expected a video file, a camera"), std::string::npos) << out;

  { std::ofstream(d / "broken.mp4") << "not a video at all"; }
  EXPECT_EQ(test::run_cli("live " + (d / "broken.mp4").string() + ckpt, &out), 2);
  EXPECT_NE(out.find("broken.mp4: cannot open as a video"), std::string::npos) << out;

  EXPECT_EQ(test::run_cli("live /dev/video97" + ckpt, &out), 2);
  EXPECT_NE(out.find("camera /dev/video97: /dev/video97 does not exist"), std::string::npos) << out;
  EXPECT_EQ(test::run_cli("live 97" + ckpt, &out), 2);
  EXPECT_NE(out.find("camera 97: /dev/video97 does not exist"), std::string::npos) << out;

  { std::ofstream(d / "bad.jsonl") << "\n{\"t\": 0, \"keypoints\": []}\n"; }
  EXPECT_EQ(test::run_cli("live -" + ckpt + " < " + (d / "bad.jsonl").string(), &out), 2);
  EXPECT_NE(out.find("stdin: line 2: no \"pose_keypoints_2d\" nor \"people\""), std::string::npos) << out;
}

TEST(LiveCli, JsonLinesFromStdinGiveForecastLinesAndASummary) {
  test::TempDir d;
  test::tiny_checkpoint(d.path());
  { std::ofstream(d / "poses.jsonl") << pose_lines(test::moving_person(64, 30)); }
  std::string out;
  const int rc = test::run_cli("live - --ckpt " + (d / "tiny.ckpt").string() + " -o " + (d / "out.jsonl").string() +
                                   " < " + (d / "poses.jsonl").string(),
                               &out);
  ASSERT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("live: 64 frames (30.00 FPS source), 64 processed, 0 dropped, 0 bad lines, 64 with a person, "
                     "3 forecasts (context 30 -> 15 frames at 15 FPS), 0 skipped"),
            std::string::npos)
      << out;
  std::ifstream f(d / "out.jsonl");
  std::vector<nlohmann::json> lines;
  for (std::string l; std::getline(f, l);) lines.push_back(nlohmann::json::parse(l));
  ASSERT_EQ(lines.size(), 64u);
  EXPECT_TRUE(lines[57]["forecast"].is_null());
  EXPECT_EQ(lines[58]["forecast"]["new"], true);
  EXPECT_EQ(lines[58]["forecast"]["pose"].size(), 15u);
}

// The other OpenPose layouts: the BODY_25 CSV export (OpenPoseR), the ST-GCN /
// Kinetics-skeleton JSON (COCO-18 per frame), the BODY_25B and COCO-18 conventions, and
// their registration as formats; generated fixtures plus the real files of
// ../shared/data/openpose (skipped when absent).
#include <gtest/gtest.h>

#include <string>

#include "expect_format_error.h"
#include "lmm/core/atomic_file.h"
#include "lmm/io/convention.h"
#include "lmm/io/format_registry.h"
#include "lmm/io/openpose_csv.h"
#include "lmm/io/openpose_json.h"
#include "lmm/io/reader.h"
#include "lmm/io/stgcn_json.h"
#include "test_support.h"

using namespace lmm;
using namespace lmm::io;
namespace fs = std::filesystem;

namespace {

// Header "x0","y0","c0",... of P points (quoted as R writes it).
std::string csv_header(int P) {
  std::string s;
  for (int j = 0; j < P; ++j)
    for (char k : {'x', 'y', 'c'}) s += std::string(s.empty() ? "" : ",") + "\"" + k + std::to_string(j) + "\"";
  return s + "\n";
}

// One CSV row of P points: point j at (x0 + j, y0 + j), confidence c.
std::string csv_row(int P, float x0, float y0, float c) {
  std::string s;
  for (int j = 0; j < P; ++j)
    s += (j ? "," : "") + std::to_string(x0 + j) + "," + std::to_string(y0 + j) + "," + std::to_string(c);
  return s + "\n";
}

// ST-GCN frame entry: skeletons given as (x0, score); point j at (x0 + 0.01 j, 0.25 + 0.01 j).
std::string stgcn_frame(int index, const std::vector<std::pair<float, float>>& skeletons, int P = 18) {
  std::string s = "{\"frame_index\": " + std::to_string(index) + ", \"skeleton\": [";
  for (size_t n = 0; n < skeletons.size(); ++n) {
    std::string pose, score;
    for (int j = 0; j < P; ++j) {
      pose += (j ? ", " : "") + std::to_string(skeletons[n].first + 0.01f * j) + ", " +
              std::to_string(0.25f + 0.01f * j);
      score += (j ? ", " : "") + std::to_string(skeletons[n].second);
    }
    s += std::string(n ? ", " : "") + "{\"pose\": [" + pose + "], \"score\": [" + score + "]}";
  }
  return s + "]}";
}

std::string stgcn_doc(const std::vector<std::string>& frames) {
  std::string s = "{\"data\": [";
  for (size_t i = 0; i < frames.size(); ++i) s += (i ? ", " : "") + frames[i];
  return s + "], \"label\": \"sitting\", \"label_index\": 0}";
}

}  // namespace

TEST(OpenPoseCsv, Body25RowsWithQuotedHeader) {
  const std::string text = csv_header(25) + csv_row(25, 100, 200, 0.5f) + "\r\n" +
                           csv_row(25, 110, 210, 1.0297f);
  EXPECT_EQ(probe_openpose_csv(text), 100);
  const SourceMotion m = parse_openpose_csv(text, "sign.csv", {});
  EXPECT_EQ(m.skeleton, "body25");
  EXPECT_EQ(m.frames, 2);  // the blank line is skipped
  EXPECT_EQ(m.people, 1);
  EXPECT_EQ(m.units, "px");
  EXPECT_EQ(m.fps, 0.0);
  EXPECT_EQ(m.at(0, 0, RWrist)[0], 104.f);
  EXPECT_EQ(m.at(1, 0, RHeel)[1], 234.f);
  EXPECT_EQ(m.at(1, 0, RHeel)[2], 1.f);  // 1.0297 clamped
  // NA (R's missing value) makes the point missing.
  std::string na = csv_row(25, 100, 200, 0.5f);
  na.replace(0, na.find(','), "NA");
  const SourceMotion n = parse_openpose_csv(csv_header(25) + na, "na.csv", {});
  EXPECT_EQ(n.at(0, 0, Nose)[2], 0.f);
  EXPECT_EQ(n.at(0, 0, Nose)[1], 0.f);
  EXPECT_EQ(n.at(0, 0, Neck)[0], 101.f);
  // R's write.csv: a row-name column with an empty header cell first.
  const std::string r = "\"\"," + csv_header(25) + "\"1\"," + csv_row(25, 100, 200, 0.5f) + "\"2\"," +
                        csv_row(25, 110, 210, 0.25f);
  EXPECT_EQ(probe_openpose_csv(r), 100);
  const SourceMotion rn = parse_openpose_csv(r, "r.csv", {});
  EXPECT_EQ(rn.frames, 2);
  EXPECT_EQ(rn.at(1, 0, Nose)[0], 110.f);
  EXPECT_EQ(rn.at(1, 0, RHeel)[2], 0.25f);
}

TEST(OpenPoseCsv, Coco18AndBody25bByColumnsAndOption) {
  const std::string coco = csv_header(18) + csv_row(18, 1, 2, 0.25f);
  EXPECT_EQ(probe_openpose_csv(coco), 100);
  const SourceMotion m = parse_openpose_csv(coco, "c.csv", {});
  EXPECT_EQ(m.skeleton, "coco18");
  EXPECT_EQ(m.point_count(), 18);
  ReadOptions opt;
  opt.keypoints = "body25b";
  EXPECT_EQ(parse_openpose_csv(csv_header(25) + csv_row(25, 1, 2, 0.25f), "b.csv", opt).points[17], "UpperNeck");
  EXPECT_TRUE(test::throws_format_error([&] { parse_openpose_csv(coco, "c.csv", opt); }, "c.csv", -1,
                                        {"54 columns", "expected 75"}));
}

TEST(OpenPoseCsv, BrokenFilesThrowFormatErrorNamingFileAndFrame) {
  EXPECT_EQ(probe_openpose_csv("1,2,3\n"), 0);
  EXPECT_EQ(probe_openpose_csv("\"x0\",\"y0\",\"c0\"\n"), 0);  // one point: no OpenPose model
  EXPECT_TRUE(test::throws_format_error([] { parse_openpose_csv("a,b\n1,2\n", "h.csv", {}); }, "h.csv", -1,
                                        {"x0,y0,c0"}));
  EXPECT_TRUE(test::throws_format_error([] { parse_openpose_csv(csv_header(25), "e.csv", {}); }, "e.csv", -1,
                                        {"no data rows"}));
  const std::string good = csv_row(25, 1, 2, 0.5f);
  EXPECT_TRUE(test::throws_format_error(
      [&] { parse_openpose_csv(csv_header(25) + good + "1,2,3\n", "short.csv", {}); }, "short.csv", 1,
      {"3 cells", "expected 75"}));
  std::string word = good;
  word.replace(0, word.find(','), "abc");
  EXPECT_TRUE(test::throws_format_error([&] { parse_openpose_csv(csv_header(25) + word, "w.csv", {}); },
                                        "w.csv", 0, {"'abc'", "column 0"}));
  std::string nan = good;
  nan.replace(0, nan.find(','), "nan");
  EXPECT_TRUE(test::throws_format_error([&] { parse_openpose_csv(csv_header(25) + good + nan, "n.csv", {}); },
                                        "n.csv", 1, {"non-finite x", "Nose"}));
  std::string neg = csv_row(25, 1, 2, -0.5f);
  EXPECT_TRUE(test::throws_format_error([&] { parse_openpose_csv(csv_header(25) + neg, "neg.csv", {}); },
                                        "neg.csv", 0, {"confidence -0.5"}));
}

TEST(StgcnJson, FramesByIndexPeopleKeptAndCoordinatesNormalized) {
  const std::string text = stgcn_doc({stgcn_frame(1, {{0.5f, 0.8f}}), stgcn_frame(0, {{0.25f, 0.5f}, {0.75f, 0.25f}}),
                                      stgcn_frame(3, {})});
  EXPECT_EQ(probe_stgcn_json(text), 95);
  const SourceMotion m = parse_stgcn_json(text, "s.json", {});
  EXPECT_EQ(m.skeleton, "coco18");
  EXPECT_EQ(m.point_count(), 18);
  EXPECT_EQ(m.frames, 4);   // indices 0..3; frame 2 absent = nobody
  EXPECT_EQ(m.people, 2);   // the most skeletons in one frame
  EXPECT_TRUE(m.track_ids.empty());
  EXPECT_EQ(m.at(0, 1, 0)[0], 0.75f);
  EXPECT_EQ(m.at(0, 1, 0)[2], 0.25f);
  EXPECT_EQ(m.at(1, 0, 0)[0], 0.5f);
  EXPECT_EQ(m.at(1, 1, 0)[2], 0.f);  // unused slot
  EXPECT_EQ(m.at(2, 0, 5)[2], 0.f);
  EXPECT_EQ(m.units, "normalized");
  ASSERT_EQ(m.warnings.size(), 1u);
  ReadOptions opt;
  opt.frame_width = 640, opt.frame_height = 360;
  const SourceMotion px = parse_stgcn_json(text, "s.json", opt);
  EXPECT_EQ(px.units, "px");
  EXPECT_EQ(px.at(1, 0, 0)[0], 320.f);
  EXPECT_EQ(px.at(1, 0, 0)[1], 90.f);
  // One person per frame through the COCO-18 convention: frame 0 has two, the track
  // starts on the more confident one.
  const RawClip c = to_raw_clip(px, opt, "s.json", "stgcn");
  EXPECT_EQ(c.frames, 4);
  EXPECT_EQ(c.frame(0)[Nose * 3 + 0], 160.f);
  EXPECT_EQ(c.frame(0)[LEar * 3 + 2], 0.5f);
  EXPECT_EQ(c.frame(0)[LHeel * 3 + 2], 0.f);
}

TEST(StgcnJson, BrokenFilesThrowFormatErrorNamingFileAndFrame) {
  EXPECT_EQ(probe_stgcn_json(R"({"sitting_1_processed": {"has_skeleton": true}})"), 0);
  EXPECT_TRUE(test::throws_format_error([] { parse_stgcn_json("{\"data\": [", "t.json", {}); }, "t.json", -1,
                                        {"invalid JSON"}));
  EXPECT_TRUE(test::throws_format_error([] { parse_stgcn_json("{\"label\": 1}", "t.json", {}); }, "t.json", -1,
                                        {"\"data\""}));
  EXPECT_TRUE(test::throws_format_error([] { parse_stgcn_json("{\"data\": []}", "t.json", {}); }, "t.json", -1,
                                        {"empty"}));
  const std::string f0 = stgcn_frame(0, {{0.5f, 0.5f}});
  EXPECT_TRUE(test::throws_format_error([&] { parse_stgcn_json(stgcn_doc({f0, f0}), "dup.json", {}); },
                                        "dup.json", 1, {"frame_index 0 repeats"}));
  EXPECT_TRUE(test::throws_format_error(
      [&] { parse_stgcn_json(stgcn_doc({f0, stgcn_frame(1, {{0.5f, 0.5f}}, 25)}), "n.json", {}); }, "n.json", 1,
      {"pose has 50", "expected 36"}));
  EXPECT_TRUE(test::throws_format_error(
      [&] { parse_stgcn_json(stgcn_doc({f0, stgcn_frame(1, {{0.5f, -1.f}})}), "neg.json", {}); }, "neg.json", 1,
      {"skeleton 0", "confidence -1", "Nose"}));
  EXPECT_TRUE(test::throws_format_error(
      [&] { parse_stgcn_json(stgcn_doc({f0, stgcn_frame(5000000, {})}), "gap.json", {}); }, "gap.json", -1,
      {"frame_index runs from 0 to 5000000"}));
  std::string str = f0;
  str.replace(str.find("0.500000"), 8, "\"x\"");
  EXPECT_TRUE(test::throws_format_error([&] { parse_stgcn_json(stgcn_doc({str}), "s.json", {}); }, "s.json", 0,
                                        {"not a number"}));
}

TEST(OpenPoseConventions, Body25bAndCoco18AreRegisteredTables) {
  const Convention* b = find_convention("body25b");
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->recipe[Neck], "0.5*LShoulder + 0.5*RShoulder");
  EXPECT_EQ(b->recipe[MidHip], "0.5*LHip + 0.5*RHip");
  EXPECT_EQ(b->recipe[RHeel], "RHeel");
  const Convention* c = find_convention("coco18");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->recipe[Neck], "Neck");
  EXPECT_EQ(c->recipe[LBigToe], "");
  const std::vector<std::string> coco18{"Nose", "Neck", "RShoulder", "RElbow", "RWrist", "LShoulder",
                                        "LElbow", "LWrist", "RHip", "RKnee", "RAnkle", "LHip",
                                        "LKnee", "LAnkle", "REye", "LEye", "REar", "LEar"};
  EXPECT_EQ(BoundConvention(*c, coco18).coverage(), 19);
  ASSERT_NE(find_format("openpose_csv"), nullptr);
  ASSERT_NE(find_format("kinetics"), nullptr);
  EXPECT_EQ(find_format("kinetics")->name, "stgcn");
}

TEST(OpenPoseCsv, RealOpenPoseRExportEqualsItsJsonFrames) {
  const fs::path csv = test::shared_data("openpose/trettenbrein-OpenPoseR/csv/psychologie_body25.csv");
  if (csv.empty()) GTEST_SKIP() << "openpose/trettenbrein-OpenPoseR is absent";
  EXPECT_EQ(probe_file(csv), find_format("openpose_csv"));
  const SourceMotion m = read_openpose_csv(csv, {}).at(0);
  EXPECT_EQ(m.frames, 157);
  EXPECT_EQ(m.skeleton, "body25");
  EXPECT_EQ(m.at(0, 0, Nose)[0], 298.087f);
  EXPECT_EQ(m.at(0, 0, Nose)[2], 0.907027f);
  EXPECT_EQ(m.at(100, 0, RWrist)[1], 251.073f);
  // The same 157 frames as the JSON directory it was exported from, value for value.
  const SourceMotion json = read_openpose_frames(csv.parent_path().parent_path() / "psychologie", {}).at(0);
  EXPECT_EQ(m.data, json.data);
}

TEST(StgcnJson, RealInfantFilesAreCoco18) {
  const fs::path dir = test::shared_data("openpose/shaydamoezzi-ACLab-CodeChallenge/json_processed_stgcn");
  if (dir.empty()) GTEST_SKIP() << "openpose/shaydamoezzi-ACLab-CodeChallenge is absent";
  EXPECT_EQ(probe_file(dir / "sitting_1_processed.json"), find_format("stgcn"));
  EXPECT_EQ(probe_file(dir / "labels.json"), nullptr);
  const SourceMotion s = read_stgcn_json(dir / "sitting_1_processed.json", {}).at(0);
  EXPECT_EQ(s.frames, 300);
  EXPECT_EQ(s.people, 2);
  EXPECT_EQ(s.units, "normalized");
  EXPECT_EQ(s.at(0, 0, 0)[0], 0.519663f);  // Nose x, y, score of frame 0
  EXPECT_EQ(s.at(0, 0, 0)[1], 0.399127f);
  EXPECT_EQ(s.at(0, 0, 0)[2], 0.823695f);
  EXPECT_EQ(s.at(0, 0, 17)[2], 0.828669f);  // LEar score
  const SourceMotion z = read_stgcn_json(dir / "sleeping_3_processed.json", {}).at(0);
  EXPECT_EQ(z.frames, 300);
  EXPECT_EQ(z.people, 4);
}

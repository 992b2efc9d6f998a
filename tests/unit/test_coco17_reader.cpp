// COCO-17 readers: a literal COCO annotation file, list/result JSON, .npy and
// .csv/.txt arrays, the BODY_25 mapping (Neck/MidHip = mean of parents with the min
// confidence), round trips through write_coco17_npy, and broken inputs.
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>

#include "expect_format_error.h"
#include "lmm/core/atomic_file.h"
#include "lmm/io/coco17.h"
#include "lmm/io/npy.h"
#include "lmm/io/reader.h"
#include "test_support.h"

using namespace lmm;
using namespace lmm::io;
namespace fs = std::filesystem;

namespace {

// Images listed out of id order; image 1 has two people (B is larger), image 2 one
// person and a crowd region (ignored), image 3 nobody.
const char* kAnnotationFile = R"({
 "info": {"description": "lmm test"},
 "images": [{"id": 3, "file_name": "f3.jpg", "width": 640, "height": 480},
            {"id": 1, "file_name": "f1.jpg", "width": 640, "height": 480},
            {"id": 2, "file_name": "f2.jpg", "width": 640, "height": 480}],
 "annotations": [
  {"id": 10, "image_id": 1, "category_id": 1, "iscrowd": 0, "area": 5000.0, "num_keypoints": 17,
   "bbox": [400, 50, 16, 16],
   "keypoints": [400,50,2,401,51,2,402,52,2,403,53,2,404,54,2,405,55,2,406,56,2,407,57,2,408,58,2,409,59,2,410,60,2,411,61,2,412,62,2,413,63,2,414,64,2,415,65,2,416,66,2]},
  {"id": 11, "image_id": 1, "category_id": 1, "iscrowd": 0, "area": 20000.0, "num_keypoints": 16,
   "bbox": [100, 200, 16, 32],
   "keypoints": [100,200,2,101,202,2,102,204,2,103,206,2,0,0,0,105,210,2,106,212,2,107,214,2,108,216,2,109,218,2,110,220,2,111,222,1,112,224,2,113,226,2,114,228,2,115,230,2,116,232,2]},
  {"id": 12, "image_id": 2, "category_id": 1, "iscrowd": 0, "area": 3000.0, "num_keypoints": 16,
   "bbox": [300, 100, 48, 16],
   "keypoints": [300,100,2,303,101,2,306,102,2,309,103,2,312,104,2,315,105,2,0,0,0,321,107,2,324,108,2,327,109,2,330,110,2,333,111,2,336,112,2,339,113,2,342,114,2,345,115,2,348,116,2]},
  {"id": 13, "image_id": 2, "category_id": 1, "iscrowd": 1, "area": 90000.0, "num_keypoints": 0,
   "bbox": [0, 0, 300, 300], "keypoints": [0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]}
 ],
 "categories": [{"id": 1, "name": "person", "keypoints": ["nose","left_eye","right_eye","left_ear","right_ear","left_shoulder","right_shoulder","left_elbow","right_elbow","left_wrist","right_wrist","left_hip","right_hip","left_knee","right_knee","left_ankle","right_ankle"]}]
})";

void expect_joint(const RawClip& c, int t, int j, float x, float y, float conf) {
  const float* q = c.frame(t) + j * 3;
  EXPECT_EQ(q[0], x) << "frame " << t << " " << joint_name(j);
  EXPECT_EQ(q[1], y) << "frame " << t << " " << joint_name(j);
  EXPECT_EQ(q[2], conf) << "frame " << t << " " << joint_name(j);
}

// (T, 17, 3): joint k of frame t at (10 k + t, 5 k), confidence conf(t, k).
template <class Conf>
std::vector<float> make_coco(int T, Conf conf) {
  std::vector<float> v(T * kCocoFrameDim);
  for (int t = 0; t < T; ++t)
    for (int k = 0; k < kCocoJoints; ++k) {
      float* q = &v[(t * kCocoJoints + k) * 3];
      q[0] = 10.f * k + t;
      q[1] = 5.f * k;
      q[2] = conf(t, k);
    }
  return v;
}

}  // namespace

TEST(Coco17Reader, AnnotationFileOrdersImagesByIdAndPicksTheLargestPerson) {
  test::TempDir tmp;
  write_text_atomic(tmp / "seq.json", kAnnotationFile);
  const RawClip c = read_coco17(tmp / "seq.json", 0);
  EXPECT_EQ(c.name, "seq");
  EXPECT_EQ(c.source_format, "coco17");
  EXPECT_EQ(c.fps, 30.0);
  ASSERT_EQ(c.frames, 3);
  // Frame 0 = image 1, person B (area 20000). v: 2 -> 1, 1 -> 0.5, 0 -> 0.
  expect_joint(c, 0, Nose, 100, 200, 1);
  expect_joint(c, 0, LEye, 101, 202, 1);
  expect_joint(c, 0, REye, 102, 204, 1);
  expect_joint(c, 0, LEar, 103, 206, 1);
  expect_joint(c, 0, REar, 0, 0, 0);
  expect_joint(c, 0, LShoulder, 105, 210, 1);
  expect_joint(c, 0, RShoulder, 106, 212, 1);
  expect_joint(c, 0, Neck, 105.5f, 211, 1);
  expect_joint(c, 0, LHip, 111, 222, 0.5f);
  expect_joint(c, 0, RHip, 112, 224, 1);
  expect_joint(c, 0, MidHip, 111.5f, 223, 0.5f);  // min(0.5, 1)
  expect_joint(c, 0, RAnkle, 116, 232, 1);
  expect_joint(c, 0, LAnkle, 115, 230, 1);
  for (int j : {LBigToe, LSmallToe, LHeel, RBigToe, RSmallToe, RHeel})
    expect_joint(c, 0, j, 0, 0, 0);
  // Frame 1 = image 2 (the crowd region is ignored); right_shoulder unseen -> Neck missing.
  expect_joint(c, 1, Nose, 300, 100, 1);
  expect_joint(c, 1, RShoulder, 0, 0, 0);
  expect_joint(c, 1, Neck, 0, 0, 0);
  expect_joint(c, 1, RWrist, 330, 110, 1);
  // Frame 2 = image 3: nobody.
  for (int i = 0; i < kFrameDim; ++i) EXPECT_EQ(c.frame(2)[i], 0.f);
}

TEST(Coco17Reader, TrackIdSelectsOnePersonAcrossImages) {
  // Track 7 is in three images, track 3 (larger) in two: track 7 is followed.
  std::string anns;
  auto ann = [&](int image, int track, float x, double area) {
    std::string kp;
    for (int k = 0; k < kCocoJoints; ++k) kp += (k ? "," : "") + std::to_string(x + k) + ",10,2";
    anns += std::string(anns.empty() ? "" : ",") + R"({"image_id":)" + std::to_string(image) +
            R"(,"track_id":)" + std::to_string(track) + R"(,"area":)" + std::to_string(area) +
            R"(,"keypoints":[)" + kp + "]}";
  };
  ann(1, 3, 500, 9000), ann(1, 7, 100, 10);
  ann(2, 7, 101, 10);
  ann(3, 3, 502, 9000), ann(3, 7, 102, 10);
  const RawClip c = parse_coco17_json(R"({"annotations":[)" + anns + "]}", "tracks.json", 25);
  ASSERT_EQ(c.frames, 3);
  EXPECT_EQ(c.fps, 25.0);
  for (int t = 0; t < 3; ++t) EXPECT_EQ(c.frame(t)[Nose * 3], 100.f + t) << t;

  // Tracks 10 and 9 both in two images: the smaller id (numerically) wins.
  anns.clear();
  ann(1, 10, 500, 10), ann(1, 9, 100, 10), ann(2, 10, 501, 10), ann(2, 9, 101, 10);
  const RawClip tie = parse_coco17_json(R"({"annotations":[)" + anns + "]}", "tie.json", 0);
  EXPECT_EQ(tie.frame(1)[Nose * 3], 101.f);
}

TEST(Coco17Reader, ListFormsUseTheScoreAsConfidence) {
  // Plain list, one element per frame; third values are scores.
  std::string list = "[";
  for (int t = 0; t < 2; ++t) {
    list += t ? ",{\"keypoints\":[" : "{\"keypoints\":[";
    for (int k = 0; k < kCocoJoints; ++k)
      list += (k ? "," : "") + std::to_string(10 * k + t) + ",7," + (k == 5 ? "0.25" : "0.75");
    list += "]}";
  }
  list += "]";
  const RawClip c = parse_coco17_json(list, "list.json", 0);
  ASSERT_EQ(c.frames, 2);
  expect_joint(c, 1, Nose, 1, 7, 0.75f);
  expect_joint(c, 1, Neck, 56, 7, 0.25f);  // mean(left 51, right 61), min(0.25, 0.75)
  expect_joint(c, 1, MidHip, 116, 7, 0.75f);

  // Result file: several detections per image_id; the largest bbox is kept.
  const std::string kp_small = [] {
    std::string s;
    for (int k = 0; k < 17; ++k) s += (k ? "," : "") + std::to_string(k) + ",1,0.9";
    return s;
  }();
  const std::string kp_big = [] {
    std::string s;
    for (int k = 0; k < 17; ++k) s += (k ? "," : "") + std::to_string(900 + k) + ",1,0.5";
    return s;
  }();
  const std::string results =
      R"([{"image_id":5,"category_id":1,"bbox":[0,0,10,10],"score":0.99,"keypoints":[)" + kp_small +
      R"(]},{"image_id":5,"category_id":1,"bbox":[0,0,100,100],"score":0.4,"keypoints":[)" +
      kp_big + R"(]},{"image_id":4,"category_id":1,"bbox":[0,0,1,1],"score":0.3,"keypoints":[)" +
      kp_small + "]}]";
  const RawClip r = parse_coco17_json(results, "results.json", 0);
  ASSERT_EQ(r.frames, 2);
  expect_joint(r, 0, Nose, 0, 1, 0.9f);    // image 4
  expect_joint(r, 1, Nose, 900, 1, 0.5f);  // image 5, larger bbox
}

TEST(Coco17Reader, NpyRoundTripMapsToBody25) {
  test::TempDir tmp;
  const auto coco =
      make_coco(4, [](int t, int k) { return k == 12 ? 0.f : 0.25f * (1 + (t + k) % 4); });
  write_coco17_npy(tmp / "walk.npy", coco, 4);
  const RawClip c = read_coco17(tmp / "walk.npy", 12.5);
  ASSERT_EQ(c.frames, 4);
  EXPECT_EQ(c.fps, 12.5);
  for (int t = 0; t < 4; ++t) {
    auto conf = [&](int k) { return k == 12 ? 0.f : 0.25f * (1 + (t + k) % 4); };
    expect_joint(c, t, Nose, 0.f + t, 0, conf(0));
    expect_joint(c, t, RWrist, 100.f + t, 50, conf(10));
    expect_joint(c, t, LKnee, 130.f + t, 65, conf(13));
    expect_joint(c, t, Neck, 55.f + t, 27.5f, std::min(conf(5), conf(6)));
    expect_joint(c, t, MidHip, 0, 0, 0);  // right_hip missing -> synthesized MidHip missing
    expect_joint(c, t, LHip, 110.f + t, 55, conf(11));
  }
  // Flags 0/1/2 in an array are read as visibility.
  const auto flags = make_coco(1, [](int, int k) { return float(k % 3); });
  write_coco17_npy(tmp / "flags.npy", flags, 1);
  const RawClip f = read_coco17(tmp / "flags.npy", 0);
  expect_joint(f, 0, Nose, 0, 0, 0);      // k 0: v 0
  expect_joint(f, 0, LEye, 10, 5, 0.5f);  // k 1: v 1
  expect_joint(f, 0, REye, 20, 10, 1.f);  // k 2: v 2
}

TEST(Coco17Reader, NpyFloat64VersionTwoIsRead) {
  test::TempDir tmp;
  std::string header = "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 17, 3), }";
  header.append(64 - (12 + header.size() + 1) % 64, ' ');
  header += '\n';
  std::string bytes("\x93NUMPY\x02\x00", 8);
  const uint32_t len = static_cast<uint32_t>(header.size());
  bytes.append(reinterpret_cast<const char*>(&len), 4);
  bytes += header;
  const auto coco = make_coco(2, [](int, int) { return 1.f; });
  for (float v : coco) {
    const double d = v;
    bytes.append(reinterpret_cast<const char*>(&d), 8);
  }
  write_text_atomic(tmp / "d.npy", bytes);
  const RawClip c = read_coco17(tmp / "d.npy", 0);
  ASSERT_EQ(c.frames, 2);
  expect_joint(c, 1, RAnkle, 161, 80, 1);
}

TEST(Coco17Reader, CsvAndTxtInBothLayouts) {
  test::TempDir tmp;
  const auto coco = make_coco(3, [](int t, int k) { return t == 1 && k == 11 ? 0.f : 0.5f; });
  std::string wide = "# COCO-17 keypoints, one frame per row\n";
  for (int k = 0; k < kCocoJoints; ++k)
    wide += std::string(k ? "," : "") + "x" + std::to_string(k) + ",y,v";
  wide += "\n";
  std::string tall;
  for (int t = 0; t < 3; ++t) {
    for (int i = 0; i < kCocoFrameDim; ++i) {
      char num[32];
      std::snprintf(num, sizeof num, "%g", coco[t * kCocoFrameDim + i]);
      wide += std::string(i ? "," : "") + num;
      tall += std::string(num) + (i % 3 == 2 ? "\n" : " ");
    }
    wide += "\r\n";
  }
  write_text_atomic(tmp / "wide.csv", wide);
  write_text_atomic(tmp / "tall.txt", tall);
  for (const char* name : {"wide.csv", "tall.txt"}) {
    const RawClip c = read_coco17(tmp / name, 0);
    ASSERT_EQ(c.frames, 3) << name;
    expect_joint(c, 2, LAnkle, 152, 75, 0.5f);
    expect_joint(c, 1, MidHip, 0, 0, 0);
    expect_joint(c, 0, MidHip, 115, 57.5f, 0.5f);
  }
}

TEST(Coco17Reader, BrokenInputsThrowFormatErrorNamingFileAndFrame) {
  test::TempDir tmp;
  const auto coco = make_coco(3, [](int, int) { return 1.f; });
  // .npy with the wrong shape.
  write_text_atomic(tmp / "shape.npy", npy_bytes(coco.data(), {3, 51}));
  EXPECT_TRUE(test::throws_format_error([&] { read_coco17(tmp / "shape.npy", 0); }, "shape.npy", -1,
                                        {"(3, 51)", "expected (T, 17, 3)"}));
  write_text_atomic(tmp / "zero.npy", npy_bytes(coco.data(), {0, 17, 3}));
  EXPECT_TRUE(test::throws_format_error([&] { read_coco17(tmp / "zero.npy", 0); }, "zero.npy", -1,
                                        {"no frames"}));
  // Truncated .npy: the third frame is cut.
  std::string trunc = npy_bytes(coco.data(), {3, 17, 3});
  trunc.resize(trunc.size() - 10);
  write_text_atomic(tmp / "trunc.npy", trunc);
  EXPECT_TRUE(test::throws_format_error([&] { read_coco17(tmp / "trunc.npy", 0); }, "trunc.npy", 2,
                                        {"truncated"}));
  // NaN in frame 1.
  auto nan = coco;
  nan[kCocoFrameDim + 7 * 3 + 1] = std::nanf("");
  write_coco17_npy(tmp / "nan.npy", nan, 3);
  EXPECT_TRUE(test::throws_format_error([&] { read_coco17(tmp / "nan.npy", 0); }, "nan.npy", 1,
                                        {"non-finite y", "left_elbow"}));
  // CSV: wrong row width, wrong row count, a NaN.
  std::string rows50;
  for (int i = 0; i < 50; ++i) rows50 += i ? ",1" : "1";
  write_text_atomic(tmp / "w50.csv", rows50 + "\n");
  EXPECT_TRUE(test::throws_format_error([&] { read_coco17(tmp / "w50.csv", 0); }, "w50.csv", 0,
                                        {"50 values", "(T, 17, 3)"}));
  std::string tall;
  for (int i = 0; i < 20; ++i) tall += (i == 18 ? "1 nan 1\n" : "1 2 1\n");
  write_text_atomic(tmp / "tall.txt", tall);
  EXPECT_TRUE(test::throws_format_error([&] { read_coco17(tmp / "tall.txt", 0); }, "tall.txt", 1,
                                        {"17*T rows"}));
  std::string tallnan = "1 nan 1\n";
  for (int i = 1; i < 17; ++i) tallnan += "1 2 1\n";
  write_text_atomic(tmp / "tallnan.txt", tallnan);
  EXPECT_TRUE(test::throws_format_error([&] { read_coco17(tmp / "tallnan.txt", 0); }, "tallnan.txt",
                                        0, {"non-finite y", "nose"}));
  write_text_atomic(tmp / "empty.csv", "# nothing\n");
  EXPECT_TRUE(test::throws_format_error([&] { read_coco17(tmp / "empty.csv", 0); }, "empty.csv", -1,
                                        {"no frames"}));
  // JSON: truncated, 54 keypoint values, bad visibility, not COCO.
  const std::string ann = kAnnotationFile;
  write_text_atomic(tmp / "trunc.json", ann.substr(0, ann.size() / 2));
  EXPECT_TRUE(test::throws_format_error([&] { read_coco17(tmp / "trunc.json", 0); }, "trunc.json",
                                        -1, {"invalid JSON"}));
  EXPECT_TRUE(test::throws_format_error(
      [&] {
        parse_coco17_json(R"([{"keypoints":[1,2,3]},{"keypoints":[)" + rows50 + ",1,1,1,1]}]",
                          "k54.json", 0);
      },
      "k54.json", 0, {"3 values", "expected 51"}));
  std::string badv = ann;
  badv.replace(badv.find("400,50,2"), 8, "400,50,3");
  EXPECT_TRUE(test::throws_format_error([&] { parse_coco17_json(badv, "badv.json", 0); },
                                        "badv.json", 0, {"visibility", "expected 0, 1 or 2"}));
  EXPECT_TRUE(
      test::throws_format_error([&] { parse_coco17_json(R"({"people":[]})", "op.json", 0); },
                                "op.json", -1, {"annotations"}));
  EXPECT_TRUE(test::throws_format_error([&] { parse_coco17_json("[]", "none.json", 0); },
                                        "none.json", -1, {"no frames"}));
}

TEST(Coco17Reader, DocsTableMatchesCode) {
  const std::string docs = read_text(fs::path(LMM_SOURCE_DIR) / "docs/formats.md");
  EXPECT_NE(docs.find(coco17_table_markdown()), std::string::npos)
      << "docs/formats.md must contain this table verbatim:\n"
      << coco17_table_markdown();
}

TEST(Coco17Reader, RealCocoFilesIfPresent) {
  const fs::path dir = test::shared_data("coco17");
  if (dir.empty()) GTEST_SKIP() << "../shared/data/coco17 is absent: no real COCO-17 data to test";
  for (const auto& item : discover_inputs({dir}, Format::coco17))
    EXPECT_GT(read_clip(item, {}).frames, 0);
}

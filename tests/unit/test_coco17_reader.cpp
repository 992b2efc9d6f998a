// COCO-17 readers: a literal COCO annotation file, list/result JSON, .npy and
// .csv/.txt arrays, the BODY_25 mapping (Neck/MidHip = mean of parents with the min
// confidence), round trips through write_coco17_npy, and broken inputs.
#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <fstream>

#include "expect_format_error.h"
#include "lmm/core/atomic_file.h"
#include "lmm/io/coco17.h"
#include "lmm/io/h36m.h"
#include "lmm/io/convention.h"
#include "lmm/io/npy.h"
#include "lmm/io/person_tracker.h"
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

TEST(Coco17Reader, AnnotationFileKeepsEveryPersonInImageIdOrder) {
  // Decoded: images by id (3 listed first in the file), both people of image 1, crowd ignored.
  const SourceMotion m = decode_coco_json(kAnnotationFile, "seq.json");
  EXPECT_EQ(m.skeleton, "coco17");
  ASSERT_EQ(m.frames, 3);
  ASSERT_EQ(m.people, 2);
  EXPECT_TRUE(m.track_ids.empty());
  EXPECT_EQ(m.at(0, 0, 0)[0], 400.f);  // image 1, first annotation (A)
  EXPECT_EQ(m.at(0, 1, 0)[0], 100.f);  // image 1, B
  EXPECT_EQ(m.at(1, 0, 0)[0], 300.f);  // image 2
  EXPECT_EQ(m.at(1, 1, 0)[2], 0.f);    // image 2 has one person (+ a crowd region)
  EXPECT_EQ(m.at(2, 0, 0)[2], 0.f);    // image 3: nobody
  EXPECT_EQ(m.at(0, 1, 11)[2], 0.5f);  // v 1 -> 0.5

  // Read: the tracker starts on the larger, more confident B. v: 2 -> 1, 1 -> 0.5, 0 -> 0.
  test::TempDir tmp;
  write_text_atomic(tmp / "seq.json", kAnnotationFile);
  const RawClip c = read_coco17(tmp / "seq.json", 0);
  EXPECT_EQ(c.name, "seq");
  EXPECT_EQ(c.source_format, "coco17");
  EXPECT_EQ(c.fps, 30.0);
  ASSERT_EQ(c.frames, 3);
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
  for (int j : {LBigToe, LSmallToe, LHeel, RBigToe, RSmallToe, RHeel}) expect_joint(c, 0, j, 0, 0, 0);
  // Image 2's only person is 200 px away from B (more than B's size): not followed.
  for (int i = 0; i < kFrameDim; ++i) EXPECT_EQ(c.frame(1)[i], 0.f);
  for (int i = 0; i < kFrameDim; ++i) EXPECT_EQ(c.frame(2)[i], 0.f);
}

TEST(Coco17Reader, StringImageIdsInNaturalOrder) {
  // The nose x of each detection is its image's number.
  auto result = [](const std::string& id, const std::string& x) {
    std::string kp = x + ",1,0.5";
    for (int k = 1; k < kCocoJoints; ++k) kp += ",1,1,0.5";
    return R"({"image_id":")" + id + R"(","keypoints":[)" + kp + "]}";
  };
  const std::string list = "[" + result("10.jpg", "10") + "," + result("2.jpg", "2") + "," +
                           result("0.jpg", "0") + "," + result("100.jpg", "100") + "," +
                           result("01.jpg", "-1") + "," + result("1.jpg", "1") + "]";
  const SourceMotion m = decode_coco_json(list, "ids.json");
  ASSERT_EQ(m.frames, 6);
  std::vector<float> order;
  for (int t = 0; t < m.frames; ++t) order.push_back(m.at(t, 0, 0)[0]);
  EXPECT_EQ(order, (std::vector<float>{0, 1, -1, 2, 10, 100}));  // "1.jpg" before "01.jpg"
  EXPECT_EQ(m.fps, 0.0);  // no time stamps in the ids
}

TEST(Coco17Reader, HalpeSkeletonsFromTheKeypointCount) {
  // Point p of a person at (p, 2p), score 0.5; K points per person.
  auto person = [](int K) {
    std::string kp;
    for (int p = 0; p < K; ++p) kp += (p ? "," : "") + std::to_string(p) + "," + std::to_string(2 * p) + ",0.5";
    return "{\"keypoints\":[" + kp + "]}";
  };
  const SourceMotion h26 = decode_coco_json("[" + person(26) + "]", "h26.json");
  EXPECT_EQ(h26.skeleton, "halpe26");
  ASSERT_EQ(h26.point_count(), 26);
  EXPECT_EQ(h26.points[20], "left_big_toe");
  EXPECT_TRUE(h26.warnings.empty());
  const SourceMotion h136 = decode_coco_json("[" + person(136) + "," + person(136) + "]", "h136.json");
  EXPECT_EQ(h136.skeleton, "halpe26");
  ASSERT_EQ(h136.point_count(), 26);  // body and feet; face and hands dropped
  EXPECT_EQ(h136.frames, 2);
  EXPECT_EQ(h136.at(1, 0, 25)[0], 25.f);  // right_heel
  EXPECT_EQ(h136.at(1, 0, 25)[1], 50.f);
  ASSERT_EQ(h136.warnings.size(), 1u);
  EXPECT_NE(h136.warnings[0].find("Halpe-136"), std::string::npos);
  // BODY_25 from Halpe-26: Neck and MidHip are Halpe's own points, feet present.
  const RawClip c = parse_coco17_json("[" + person(26) + "]", "h26.json", 0);
  expect_joint(c, 0, Neck, 18, 36, 0.5f);
  expect_joint(c, 0, MidHip, 19, 38, 0.5f);
  expect_joint(c, 0, LSmallToe, 22, 44, 0.5f);
  expect_joint(c, 0, RBigToe, 21, 42, 0.5f);
  // One skeleton per file.
  EXPECT_TRUE(test::throws_format_error(
      [&] { decode_coco_json("[" + person(17) + "," + person(26) + "]", "mixed.json"); }, "mixed.json", 1,
      {"78 values where earlier ones had 51"}));
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

  // Result file: several detections per image_id, all kept, images in id order.
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
  const SourceMotion r = decode_coco_json(results, "results.json");
  ASSERT_EQ(r.frames, 2);
  ASSERT_EQ(r.people, 2);
  EXPECT_EQ(r.at(0, 0, 0)[0], 0.f);     // image 4
  EXPECT_EQ(r.at(0, 0, 0)[2], 0.9f);
  EXPECT_EQ(r.at(1, 0, 0)[2], 0.9f);    // image 5, in file order
  EXPECT_EQ(r.at(1, 1, 0)[0], 900.f);
  EXPECT_EQ(r.at(1, 1, 0)[2], 0.5f);
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

TEST(Coco17Reader, NpyThatCouldBeEitherNeedsFormat) {
  test::TempDir tmp;
  // Root joint at the origin and every value in [0, 1]: COCO scores or H36M metres?
  std::vector<float> either(2 * kCocoFrameDim, 0.5f);
  for (int t = 0; t < 2; ++t) std::fill_n(&either[t * kCocoFrameDim], 3, 0.f);
  write_coco17_npy(tmp / "either.npy", either, 2);
  const Discovery d = discover({tmp / "either.npy"});
  ASSERT_EQ(d.items.size(), 1u);
  EXPECT_TRUE(test::throws_format_error([&] { read_clips(d.items[0], {}); }, "either.npy", -1,
                                        {"--format coco17", "--format h36m17"}));
  ReadOptions as3d;
  as3d.format = "h36m17";
  const RawClip c3 = read_clips({tmp / "either.npy", "", "either"}, as3d).at(0);
  EXPECT_EQ(c3.units, "mm");
  EXPECT_EQ(c3.pose3d[RHip * 4 + 1], -500.f);  // y down 0.5 m -> Y up -500 mm
  ReadOptions as2d;
  as2d.format = "coco17";
  EXPECT_EQ(read_clips({tmp / "either.npy", "", "either"}, as2d).at(0).frame(0)[RHip * 3], 0.5f);
  // Root-relative metres with depths behind the root: H36M-17, never COCO-17.
  std::vector<float> h36m(2 * kCocoFrameDim, -0.25f);
  for (int t = 0; t < 2; ++t) std::fill_n(&h36m[t * kCocoFrameDim], 3, 0.f);
  write_coco17_npy(tmp / "pose3d.npy", h36m, 2);
  EXPECT_EQ(classify_keypoint_npy(read_text(tmp / "pose3d.npy"), "pose3d.npy"), KeypointNpyKind::h36m17);
  EXPECT_EQ(probe_file(tmp / "pose3d.npy")->name, "h36m17");
  EXPECT_TRUE(test::throws_format_error([&] { read_coco17_motion(tmp / "pose3d.npy", {}); }, "pose3d.npy", -1,
                                        {"H36M-17", "--format"}));
}

TEST(Coco17Reader, NonRecordingsAreSkippedWithANote) {
  test::TempDir tmp;
  write_text_atomic(tmp / "labels.json", R"({"walk_01": "normal", "walk_02": "limp"})");
  write_text_atomic(tmp / "SOURCES.md", "# Sources\nrecorded 2024, 30 fps\n");
  write_coco17_npy(tmp / "walk.npy", std::vector<float>(kCocoFrameDim, 0.5f), 1);
  const Discovery d = discover({tmp.path()});
  ASSERT_EQ(d.items.size(), 1u);
  EXPECT_EQ(d.items[0].path.filename(), "walk.npy");
  ASSERT_EQ(d.skipped.size(), 2u);
  EXPECT_EQ(d.skipped[0].path.filename(), "SOURCES.md");
  EXPECT_EQ(d.skipped[1].path.filename(), "labels.json");
  EXPECT_EQ(probe_coco17(tmp / "labels.json", read_text(tmp / "labels.json")), 0);
}

TEST(Coco17Reader, RealCocoFilesIfPresent) {
  const fs::path dir = test::shared_data("coco17");
  if (dir.empty()) GTEST_SKIP() << "../shared/data/coco17 is absent: no real COCO-17 data to test";
  const Discovery d = discover({dir});  // auto-detection, as `lmm ingest DIR`
  ASSERT_EQ(d.skipped.size(), 1u);
  EXPECT_EQ(d.skipped[0].path.filename(), "SOURCES.md");
  std::map<std::string, int> files, clips;
  for (const auto& item : d.items) {
    ++files[item.format];
    for (const RawClip& c : read_clips(item, {})) {
      EXPECT_GT(c.frames, 0) << c.name;
      ++clips[item.format];
    }
  }
  EXPECT_EQ(files, (std::map<std::string, int>{{"coco17", 5}, {"detectron2", 11}, {"h36m17", 9}, {"videopose3d", 4}}));
  EXPECT_EQ(clips, (std::map<std::string, int>{{"coco17", 5}, {"detectron2", 11}, {"h36m17", 9}, {"videopose3d", 45}}));
}

TEST(Coco17Reader, RealHalpe26InNaturalFrameOrderWithFeet) {
  const fs::path file = test::shared_data("coco17/halpe26_motionbert_jackthgu/alphapose-results.json");
  if (file.empty()) GTEST_SKIP() << "../shared/data/coco17 is absent: no real Halpe-26 file to test";
  const SourceMotion m = decode_coco_json(read_text(file), file.string());
  EXPECT_EQ(m.skeleton, "halpe26");
  ASSERT_EQ(m.point_count(), 26);
  ASSERT_EQ(m.frames, 809);  // "0.jpg" .. "808.jpg"
  EXPECT_EQ(m.people, 2);
  // Frame 10 is "10.jpg" (lexicographic order would put "100.jpg" there).
  EXPECT_EQ(m.at(10, 0, 0)[0], 175.1344451904297f);   // nose
  EXPECT_EQ(m.at(100, 0, 0)[0], 159.4783172607422f);
  EXPECT_EQ(m.at(808, 0, 0)[0], 192.81468200683594f);
  const RawClip c = read_clips({file, "", "halpe"}, {}).at(0);
  ASSERT_EQ(c.frames, 809);
  for (int j = 0; j < kNumJoints; ++j) EXPECT_GT(c.frame(10)[j * 3 + 2], 0.f) << joint_name(j);
  expect_joint(c, 10, LBigToe, 180.7332305908203f, 618.7294311523438f, 0.6097919344902039f);
  expect_joint(c, 10, RHeel, 29.5657901763916f, 641.1246337890625f, 0.8207075595855713f);
  expect_joint(c, 10, Neck, 152.7392578125f, 137.23312377929688f, 0.9398428201675415f);   // Halpe's neck
  expect_joint(c, 10, MidHip, 113.5477066040039f, 349.9873046875f, 0.9544859528541565f);  // Halpe's hip
}

TEST(Coco17Reader, RealAlphaPoseOrderAndRate) {
  const fs::path arnis = test::shared_data("coco17/alphapose_arnis_short/alphapose-results.json");
  if (arnis.empty()) GTEST_SKIP() << "../shared/data/coco17 is absent: no real AlphaPose files to test";
  const RawClip a = read_clips({arnis, "", "arnis"}, {}).at(0);
  ASSERT_EQ(a.frames, 122);
  expect_joint(a, 2, Nose, 919.226806640625f, 514.1771240234375f, 0.978732705116272f);
  expect_joint(a, 10, Nose, 917.8973999023438f, 512.4154052734375f, 0.9559194445610046f);
  expect_joint(a, 121, Nose, 921.6696166992188f, 514.6685180664062f, 0.9543408751487732f);
  // UP-Fall: image ids are time stamps 12_04_17.738369 .. 12_04_27.619046 over 195 images.
  const fs::path upfall = test::shared_data("coco17/alphapose_upfall/alphapose-results.json");
  const SourceMotion u = decode_coco_json(read_text(upfall), upfall.string());
  EXPECT_EQ(u.frames, 195);
  EXPECT_EQ(u.people, 3);
  EXPECT_NEAR(u.fps, 194 / 9.880677, 1e-9);
  EXPECT_NEAR(read_clips({upfall, "", "upfall"}, {}).at(0).fps, 19.634282, 1e-6);
}

TEST(Coco17Reader, RealCrowdTrackerFollowsOnePerson) {
  const fs::path file = test::shared_data("coco17/alphapose_nba_short/alphapose-results.json");
  if (file.empty()) GTEST_SKIP() << "../shared/data/coco17 is absent: no crowded AlphaPose file to test";
  const SourceMotion m = decode_coco_json(read_text(file), file.string());
  ASSERT_EQ(m.frames, 130);
  ASSERT_EQ(m.people, 33);  // every detection kept, no track ids
  EXPECT_TRUE(m.track_ids.empty());
  // Steps of MidHip over 60 px between consecutive frames where the person is seen, and
  // frames seen: for read_clips' tracker, and for picking the most salient person per frame.
  auto steps = [](const std::vector<const float*>& hips, int* seen) {
    int big = 0;
    const float* prev = nullptr;
    *seen = 0;
    for (const float* h : hips) {
      if (!h || h[2] <= 0) continue;
      ++*seen;
      if (prev && std::hypot(h[0] - prev[0], h[1] - prev[1]) > 60) ++big;
      prev = h;
    }
    return big;
  };
  const RawClip c = read_clips({file, "", "nba"}, {}).at(0);
  std::vector<const float*> tracked, salient;
  std::vector<std::vector<float>> body(m.frames * m.people, std::vector<float>(kFrameDim));
  const BoundConvention conv(*find_convention("coco17"), m.points);
  for (int t = 0; t < m.frames; ++t) {
    tracked.push_back(c.frame(t) + MidHip * 3);
    int best = -1;
    for (int n = 0; n < m.people; ++n) {
      conv.apply(m.at(t, n, 0), 2, body[t * m.people + n].data());
      if (best < 0 || person_salience(body[t * m.people + n].data()) > person_salience(body[t * m.people + best].data()))
        best = n;
    }
    salient.push_back(body[t * m.people + best].data() + MidHip * 3);
  }
  int seen_tracked = 0, seen_salient = 0;
  const int big_tracked = steps(tracked, &seen_tracked), big_salient = steps(salient, &seen_salient);
  // With the tracker of 2026-11-29 (gate: 1 x the last pose's diagonal): seen in 73 frames,
  // 21 big steps (broadcast camera pans included), against 98 for the per-frame choice.
  EXPECT_EQ(seen_salient, 130);
  EXPECT_EQ(big_salient, 98);  // per-frame choice hops between players
  EXPECT_GE(seen_tracked, 70);
  EXPECT_LT(3 * big_tracked, big_salient)
      << "the tracker hops between players: " << big_tracked << " steps over 60 px in " << seen_tracked
      << " frames, per-frame choice " << big_salient;
}

TEST(Coco17Reader, RealH36m17InMillimetresYUp) {
  const fs::path file = test::shared_data("coco17/h36m17/yoga_swaroop/Rakesh_Shavasana.npy");
  if (file.empty()) GTEST_SKIP() << "../shared/data/coco17 is absent: no H36M-17 file to test";
  EXPECT_EQ(probe_file(file)->name, "h36m17");
  const RawClip c = read_clips({file, "", "shavasana"}, {}).at(0);
  ASSERT_EQ(c.frames, 1826);
  EXPECT_EQ(c.units, "mm");
  ASSERT_EQ(c.pose3d.size(), 1826u * kNumJoints * 4);
  auto expect3 = [&](int t, int j, float x, float y, float z) {
    const float* q = c.pose3d.data() + (static_cast<size_t>(t) * kNumJoints + j) * 4;
    EXPECT_FLOAT_EQ(q[0], x) << t << " " << joint_name(j);
    EXPECT_FLOAT_EQ(q[1], y) << t << " " << joint_name(j);
    EXPECT_FLOAT_EQ(q[2], z) << t << " " << joint_name(j);
    EXPECT_EQ(q[3], 1.f);
  };
  // File (metres, y down): right_hip (0.0217528, 0.019947, 0.1038369) at frame 0.
  expect3(0, RHip, 21.752756f, -19.947001f, -103.83686f);
  expect3(0, Neck, 417.50653f, 7.5831265f, 54.836987f);     // thorax
  expect3(1000, Nose, 475.54034f, 59.5839f, 87.72883f);     // H36M joint 9
  expect3(1825, RWrist, 82.488487f, -11.212623f, -314.63467f);
  EXPECT_LT(std::fabs(c.pose3d[MidHip * 4]), 0.1f);  // the pelvis root: within 0.1 mm of 0
  EXPECT_EQ(c.pose3d[LEye * 4 + 3], 0.f);             // H36M has no eyes
  // pose is the front view (X, -Y): image axes again.
  EXPECT_FLOAT_EQ(c.frame(0)[RHip * 3 + 1], 19.947001f);
}

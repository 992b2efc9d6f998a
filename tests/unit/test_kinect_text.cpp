// Kinect V2 text exports (kinect_text.h): a generated fixture per layout (KIMORE, Labanotation
// KinectReader, LSL-Kinect, KERAAL, UCalgary gait) decoded to exact values, the frame-rate
// rule from timestamps, the probes (each layout claimed by its own format, notes and other
// layouts not), broken lines throwing FormatError with file, frame and line, the docs tables,
// and the real files under ../shared/data/kinect with values checked by hand.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <set>

#include "expect_format_error.h"
#include "lmm/core/atomic_file.h"
#include "lmm/io/convention.h"
#include "lmm/io/kinect_text.h"
#include "lmm/io/reader.h"
#include "test_support.h"

using namespace lmm;
using namespace lmm::io;
namespace fs = std::filesystem;

namespace {

// Joint k of a fixture frame t: camera metres (0.01 k + 0.1 t, 1 - 0.05 k, 2.5).
double fx(int k, int t) { return 0.01 * k + 0.1 * t; }
double fy(int k) { return 1.0 - 0.05 * k; }

std::string num(double v) {
  char b[32];
  std::snprintf(b, sizeof b, "%.6g", v);
  return b;
}

// 25 joints x (x, y, z, state) of frame t, comma separated with a trailing comma.
std::string state_row(int t, int state = 2, int odd_joint = -1, int odd_state = 1) {
  std::string s;
  for (int k = 0; k < kKinectJoints; ++k)
    s += num(fx(k, t)) + "," + num(fy(k)) + ",2.5," + std::to_string(k == odd_joint ? odd_state : state) + ",";
  return s;
}

std::string lsl_header() {
  std::string h = "TimeSpan";
  for (const char* n : kKinectJointNames)
    for (const char* c : {"_X", "_Y", "_Z", "_Conf"}) h += std::string(",") + n + c;
  return h;
}

std::string lsl_row(double ms, int t) {
  char b[40];
  std::snprintf(b, sizeof b, "%.17g", ms);
  std::string s = b;
  for (int k = 0; k < kKinectJoints; ++k)
    s += "," + num(fx(k, t)) + "," + num(fy(k)) + ",2.5," + (k == 3 ? "0.5" : "1");
  return s;
}

std::string keraal_row(int t) {
  std::string s;
  for (int k = 0; k < kKinectJoints; ++k)
    s += (k == 7 ? "0 0 0" : num(fx(k, t)) + " " + num(fy(k)) + " 2.5") + " 0.1 0.2 0.3 0.9 ";
  return s;
}

const char* kGaitHeader =
    "Foot Left X, Y, Z, Ankle Left X, Y, Z, Knee Left X, Y, Z, Hip Left X, Y, Z, Foot Right X, Y, Z, "
    "Ankle Right X, Y, Z, Knee Right X, Y, Z, Hip Right X, Y, Z,Spine Base X, Y, Z,Spine Mid X, Y, Z , "
    "Neck X, Y, Z, Head X, Y, Z , ShouldL X, Y, Z, ShouldR X, Y, Z,WristLeft X,Y,Z,WristRight X,Y,Z,"
    "ElbowLeft X,Y,Z,ElbowRight X,Y,Z,SholdD,LSHD,RSHD,HIPD,LWristSpineD,RWristSpineD, ShoulDX, HipDX ";

std::string gait_row(int t) {
  std::string s;
  for (int k = 0; k < 18; ++k) s += num(fx(k, t)) + "," + num(fy(k)) + ",4,";
  return s + "1,2,3,4,5,6,7,8";
}

// Point p of person 0 in frame t: X, Y, Z mm, confidence.
const float* pt(const SourceMotion& m, int t, int p) { return m.at(t, 0, p); }

void expect_joint(const SourceMotion& m, int t, int p, double x, double y, double z, float conf) {
  const float* q = pt(m, t, p);
  EXPECT_FLOAT_EQ(q[0], static_cast<float>(-1000 * x)) << m.points[p] << " frame " << t;
  EXPECT_FLOAT_EQ(q[1], static_cast<float>(1000 * y)) << m.points[p] << " frame " << t;
  EXPECT_FLOAT_EQ(q[2], static_cast<float>(-1000 * z)) << m.points[p] << " frame " << t;
  EXPECT_EQ(q[3], conf) << m.points[p] << " frame " << t;
}

}  // namespace

TEST(KinectText, KimoreSkipsLeadingEmptyLinesKeepsInnerOnesAsMissingFrames) {
  const std::string text = "\n\n\n" + state_row(0, 2, 5, 1) + "\n\n" + state_row(2, 2, 9, 0) + "\n\n";
  const SourceMotion m = parse_kinect_text(text, KinectLayout::kimore, "k.csv");
  EXPECT_EQ(m.skeleton, "kinect_v2");
  EXPECT_EQ(m.dims, 3);
  EXPECT_EQ(m.fps, 30.0);
  ASSERT_EQ(m.frames, 3);
  ASSERT_EQ(m.point_count(), 25);
  EXPECT_EQ(m.points[8], "ShoulderRight");
  expect_joint(m, 0, 0, fx(0, 0), fy(0), 2.5, 1);
  expect_joint(m, 0, 5, fx(5, 0), fy(5), 2.5, 0.5f);  // inferred
  for (int p = 0; p < 25; ++p) EXPECT_EQ(pt(m, 1, p)[3], 0.f) << "inner empty line = no body";
  expect_joint(m, 2, 24, fx(24, 2), fy(24), 2.5, 1);
  expect_joint(m, 2, 9, 0, 0, 0, 0);  // not tracked: coordinates 0
  ASSERT_EQ(m.warnings.size(), 1u);
  EXPECT_NE(m.warnings[0].find("skipped 3 empty line"), std::string::npos) << m.warnings[0];
}

TEST(KinectText, LabanRateFromTicksAndDroppedFramesInserted) {
  // 100 ns ticks at 30 Hz (333333 per frame); the sample of frame 3 was dropped.
  std::string text;
  const long ticks[] = {31867373716, 31867707049, 31868040383, 31868707049, 31869040383};
  const int frame_of[] = {0, 1, 2, 4, 5};
  for (int i = 0; i < 5; ++i) text += std::to_string(ticks[i]) + "," + state_row(frame_of[i]) + "\r\n";
  const SourceMotion m = parse_kinect_text(text, KinectLayout::laban, "j.csv");
  ASSERT_EQ(m.frames, 6);
  EXPECT_NEAR(m.fps, 5 / ((31869040383 - 31867373716) * 1e-7), 1e-9);
  EXPECT_NEAR(m.fps, 30.0, 1e-4);
  expect_joint(m, 4, 3, fx(3, 4), fy(3), 2.5, 1);
  for (int p = 0; p < 25; ++p) EXPECT_EQ(pt(m, 3, p)[3], 0.f) << "inserted frame";
  ASSERT_EQ(m.warnings.size(), 1u);
  EXPECT_NE(m.warnings[0].find("1 missing frame(s) inserted"), std::string::npos) << m.warnings[0];
}

TEST(KinectText, LslNamedHeaderMillisecondsAndConfidence) {
  std::string text =
      "Software : LSL_Kinect,Version : 1.0.5.2,Stream nominal rate : 15,Sequence Name : Test\n\n" + lsl_header() + "\n";
  // Jitter (20 ms then 46 ms) keeps every sample; the rate is samples over time.
  text += lsl_row(1604056708714.5, 0) + "\n" + lsl_row(1604056708734.5, 1) + "\n" + lsl_row(1604056708780.5, 2) +
          "\n" + lsl_row(1604056708814.5, 3) + "\n";
  const SourceMotion m = parse_kinect_text(text, KinectLayout::lsl, "MoCap.csv");
  EXPECT_EQ(m.skeleton, "kinect_v2");
  ASSERT_EQ(m.frames, 4);
  EXPECT_NEAR(m.fps, 3 / 0.1, 1e-6);
  ASSERT_EQ(m.point_count(), 25);
  EXPECT_EQ(m.points[10], "WristRight");
  expect_joint(m, 2, 10, fx(10, 2), fy(10), 2.5, 1);
  expect_joint(m, 1, 3, fx(3, 1), fy(3), 2.5, 0.5f);  // Head_Conf 0.5
}

TEST(KinectText, KeraalSpaceSeparatedPositionsAndQuaternions) {
  const std::string text = keraal_row(0) + "\r\n" + keraal_row(1) + "\r\n";
  const SourceMotion m = parse_kinect_text(text, KinectLayout::keraal, "G3-Kinect.txt");
  ASSERT_EQ(m.frames, 2);
  EXPECT_EQ(m.fps, 30.0);
  expect_joint(m, 1, 13, fx(13, 1), fy(13), 2.5, 1);
  expect_joint(m, 1, 7, 0, 0, 0, 0);  // an all-zero position is missing
}

TEST(KinectText, GaitHeaderGivesEighteenNamedJointsAndShoulderNeck) {
  const std::string text = std::string(kGaitHeader) + "\n" + gait_row(0) + "\n" + gait_row(1) + "\n";
  const SourceMotion m = parse_kinect_text(text, KinectLayout::gait18, "g.csv");
  EXPECT_EQ(m.skeleton, "kinect_gait18");
  ASSERT_EQ(m.point_count(), 18);
  EXPECT_EQ(m.points[0], "Foot Left");
  EXPECT_EQ(m.points[12], "ShouldL");
  ASSERT_EQ(m.frames, 2);
  expect_joint(m, 1, 11, fx(11, 1), fy(11), 4, 1);  // Head
  ASSERT_EQ(m.warnings.size(), 1u);
  EXPECT_NE(m.warnings[0].find("SholdD"), std::string::npos);
  // Through the kinect_gait18 convention: Neck = mid-shoulders, RShoulder = ShouldR.
  ReadOptions opt;
  const RawClip c = to_raw_clip(m, opt, "g.csv", "kinect_gait");
  const float* neck = &c.pose3d[(1 * kNumJoints + Neck) * 4];
  EXPECT_FLOAT_EQ(neck[0], static_cast<float>(-1000 * 0.5 * (fx(12, 1) + fx(13, 1))));
  EXPECT_FLOAT_EQ(c.pose3d[(1 * kNumJoints + RShoulder) * 4 + 0], static_cast<float>(-1000 * fx(13, 1)));
  EXPECT_FLOAT_EQ(c.pose3d[(1 * kNumJoints + LBigToe) * 4 + 1], static_cast<float>(1000 * fy(0)));
}

TEST(KinectText, EachLayoutIsClaimedByItsOwnFormatOnly) {
  test::TempDir tmp;
  const std::string lsl = "Software : LSL_Kinect,Version : 1\n\n" + lsl_header() + "\n" + lsl_row(1000, 0) + "\n";
  const std::vector<std::pair<std::string, std::string>> files = {
      {"kimore.csv", "\n\n" + state_row(0) + "\n" + state_row(1) + "\n"},
      {"laban.csv", "31867373716," + state_row(0) + "\r\n31867707049," + state_row(1) + "\r\n"},
      {"MoCap.csv", lsl},
      {"keraal.txt", keraal_row(0) + "\n"},
      {"gait.csv", std::string(kGaitHeader) + "\n" + gait_row(0) + "\n"},
  };
  const char* expect[] = {"kimore", "laban_kinect", "lsl_kinect", "keraal", "kinect_gait"};
  for (size_t i = 0; i < files.size(); ++i) {
    write_text_atomic(tmp / files[i].first, files[i].second);
    const FormatSpec* f = probe_file(tmp / files[i].first);
    ASSERT_NE(f, nullptr) << files[i].first;
    EXPECT_EQ(f->name, expect[i]) << files[i].first;
    for (KinectLayout l : {KinectLayout::kimore, KinectLayout::laban, KinectLayout::lsl, KinectLayout::keraal,
                           KinectLayout::gait18})
      EXPECT_EQ(probe_kinect_text(l, files[i].second), kinect_layout_name(l) == std::string(expect[i]) ? 100 : 0)
          << files[i].first << " as " << kinect_layout_name(l);
  }
  // Notes and the LSL marker stream are nobody's recording.
  write_text_atomic(tmp / "readme_files_format.txt", "KERAAL files format\n\n2. Kinect\n175 values per line\n");
  write_text_atomic(tmp / "Markers.csv",
                    "Software : LSL_Kinect,Version : 1\n\nTimeSpan,Marker Message\n2020-10-30 12:18:28.698,Start\n");
  for (const char* n : {"readme_files_format.txt", "Markers.csv"}) {
    for (KinectLayout l : {KinectLayout::kimore, KinectLayout::laban, KinectLayout::lsl, KinectLayout::keraal,
                           KinectLayout::gait18})
      EXPECT_EQ(probe_kinect_text(l, read_text(tmp / n)), 0) << n;
    EXPECT_EQ(probe_file(tmp / n), nullptr) << n;
  }
}

TEST(KinectText, BrokenLinesThrowFormatErrorNamingFileFrameAndLine) {
  auto bad = [](const std::string& text, KinectLayout l, long frame, std::vector<std::string> parts) {
    return test::throws_format_error([&] { parse_kinect_text(text, l, "bad.csv"); }, "bad.csv", frame, parts);
  };
  const std::string r0 = state_row(0), r1 = state_row(1);
  // A short line (a joint cut off) in frame 1, after two leading empty lines: line 4.
  EXPECT_TRUE(bad("\n\n" + r0 + "\n" + r1.substr(0, r1.size() - 12) + "\n", KinectLayout::kimore, 1,
                  {"line 4", "expected 100", "trackingState"}));
  std::string state = r1;
  state.replace(state.rfind(",2,"), 3, ",3,");
  EXPECT_TRUE(bad(r0 + "\n" + state + "\n", KinectLayout::kimore, 1, {"line 2", "ThumbRight trackingState 3"}));
  std::string nan = r0;
  nan.replace(0, nan.find(','), "nan");
  EXPECT_TRUE(bad(r0 + "\n" + nan + "\n", KinectLayout::kimore, 1, {"SpineBase x 'nan'", "not a finite number"}));
  EXPECT_TRUE(bad("\n\n", KinectLayout::kimore, -1, {"no data lines"}));
  // Timestamps going back in frame 2.
  EXPECT_TRUE(bad("100," + r0 + "\n200," + r1 + "\n150," + r1 + "\n", KinectLayout::laban, 2,
                  {"line 3", "timestamp", "not after"}));
  // Seven samples one frame apart, then three 200 frames apart: 607 frames for 10 samples.
  std::string spread;
  for (long i = 0; i < 10; ++i) spread += std::to_string(333333 * (i < 7 ? i : 6 + 200 * (i - 6))) + "," + r0 + "\n";
  EXPECT_TRUE(bad(spread, KinectLayout::laban, -1, {"not one continuous recording"}));
  // LSL confidence out of range; a header-less LSL file.
  std::string conf = lsl_row(1000, 0);
  conf.replace(conf.rfind(",1"), 2, ",7");
  EXPECT_TRUE(bad(lsl_header() + "\n" + lsl_row(966, 0) + "\n" + conf + "\n", KinectLayout::lsl, 1,
                  {"line 3", "ThumbRight confidence 7"}));
  EXPECT_TRUE(bad(lsl_row(966, 0) + "\n", KinectLayout::lsl, -1, {"no header"}));
  EXPECT_TRUE(bad(std::string(kGaitHeader) + "\n" + gait_row(0) + "\n", KinectLayout::lsl, -1,
                  {"line 1", "no TimeSpan column"}));
  EXPECT_TRUE(bad("TimeSpan,A_X,A_Y,A_Z,B_X,B_Y,B_Z,C_X,C_Y,C_Z\n", KinectLayout::lsl, -1, {"no A_Conf column"}));
  EXPECT_TRUE(bad(keraal_row(0) + "\n1 2 3\n", KinectLayout::keraal, 1, {"line 2", "3 values, expected 175"}));
}

TEST(KinectText, DocsContainTheConventionTables) {
  const std::string docs = read_text(fs::path(LMM_SOURCE_DIR) / "docs/formats_mocap.md");
  for (const char* id : {"kinect_v2", "kinect_gait18"}) {
    const Convention* c = find_convention(id);
    ASSERT_NE(c, nullptr) << id;
    EXPECT_NE(docs.find(convention_markdown(*c)), std::string::npos)
        << "docs/formats_mocap.md must contain this table verbatim:\n"
        << convention_markdown(*c);
  }
}

// ---- real files (../shared/data/kinect, SOURCES.md there) ----

namespace {

fs::path kinect_data(const std::string& rel) { return test::shared_data("kinect/" + rel); }

SourceMotion read_real(const fs::path& p) {
  const FormatSpec* f = probe_file(p);
  if (!f) throw std::runtime_error("no format claims " + p.string());
  auto parts = f->read(p, {});
  return parts.at(0);
}

}  // namespace

TEST(KinectText, RealKimoreFile) {
  const fs::path p = kinect_data("csv/leowei31-KIMORE_Data_Visualization/JointPositionExercise1.csv");
  if (p.empty()) GTEST_SKIP() << "../shared/data/kinect (KIMORE) is absent";
  EXPECT_EQ(probe_file(p)->name, "kimore");
  const SourceMotion m = read_real(p);
  EXPECT_EQ(m.frames, 505);  // 24 leading empty lines skipped
  EXPECT_EQ(m.fps, 30.0);
  // Frame 100, ShoulderRight: -0.0191012, -0.353149, 2.65954, state 2.
  expect_joint(m, 100, 8, -0.0191012, -0.353149, 2.65954, 1);
}

TEST(KinectText, RealLabanotationFiles) {
  const fs::path p = kinect_data("csv/microsoft-LabanotationSuite/joints.csv");
  if (p.empty()) GTEST_SKIP() << "../shared/data/kinect (LabanotationSuite) is absent";
  EXPECT_EQ(probe_file(p)->name, "laban_kinect");
  const SourceMotion m = read_real(p);
  EXPECT_EQ(m.frames, 373);             // 371 samples + 2 dropped frames
  EXPECT_NEAR(m.fps, 29.99998, 1e-4);   // 372 frames in 12.40000 s of 100 ns ticks
  expect_joint(m, 50, 3, 0.087052, 0.231171, 1.35744, 1);  // sample 50, Head
  const fs::path g = kinect_data("csv/microsoft-LabanotationSuite/Ges01_wavehand.csv");
  if (g.empty()) return;
  const SourceMotion w = read_real(g);
  EXPECT_EQ(w.frames, 156);
  EXPECT_NEAR(w.fps, 29.99845, 1e-4);
  expect_joint(w, 50, 3, -0.0109911, 0.383922, 2.6476, 1);
}

TEST(KinectText, RealLslMocapAndMarkers) {
  const fs::path p = kinect_data("csv/DenisMot-LslKInectAnalysis/MoCap.csv");
  if (p.empty()) GTEST_SKIP() << "../shared/data/kinect (LSL-Kinect) is absent";
  EXPECT_EQ(probe_file(p)->name, "lsl_kinect");
  const SourceMotion m = read_real(p);
  EXPECT_EQ(m.frames, 358);
  EXPECT_NEAR(m.fps, 29.98023, 1e-4);  // not the config line's "nominal rate : 15"
  expect_joint(m, 200, 10, 0.36089181900024414, 0.30060762166976929, 1.5624048709869385, 1);  // WristRight
  EXPECT_EQ(probe_file(p.parent_path() / "Markers.csv"), nullptr);
}

TEST(KinectText, RealKeraalFiles) {
  const fs::path p = kinect_data("keraal/nguyensmai-KeraalDataset/G3-Kinect-CTK-P1T1-Unknown-C-0.txt");
  if (p.empty()) GTEST_SKIP() << "../shared/data/kinect (KERAAL) is absent";
  EXPECT_EQ(probe_file(p)->name, "keraal");
  const SourceMotion m = read_real(p);
  EXPECT_EQ(m.frames, 197);
  EXPECT_EQ(m.fps, 30.0);
  expect_joint(m, 10, 13, 0.065891, -0.608917, 2.768026, 1);  // KneeLeft
  EXPECT_EQ(probe_file(p.parent_path() / "readme_files_format.txt"), nullptr);
}

TEST(KinectText, RealGaitFile) {
  const fs::path p =
      kinect_data("gait/patrickkozlow-BT_Labs_Gait_Experiment/subject1_Seq_1_Gen_F_GeometricPositions_N.csv");
  if (p.empty()) GTEST_SKIP() << "../shared/data/kinect (UCalgary gait) is absent";
  EXPECT_EQ(probe_file(p)->name, "kinect_gait");
  const SourceMotion m = read_real(p);
  EXPECT_EQ(m.frames, 120);
  expect_joint(m, 60, 11, -0.20326, 1.06322, 2.82025, 1);  // Head
  EXPECT_EQ(probe_file(p.parent_path() / "README_UCalgary.txt"), nullptr);
}

TEST(KinectText, UiPrmdIsRecognisedAndRejectedWithTheReason) {
  std::string row;
  for (int i = 0; i < 66; ++i) row += (i ? "," : "") + num(i == 2 ? -235.88 : 0.5 * i);
  const std::string text = row + "\n" + row + "\n";
  EXPECT_EQ(probe_kinect_text(KinectLayout::uiprmd, text), 60);
  EXPECT_EQ(probe_kinect_text(KinectLayout::kimore, text), 0);
  EXPECT_TRUE(test::throws_format_error([&] { parse_kinect_text(text, KinectLayout::uiprmd, "m01_positions.txt"); },
                                        "m01_positions.txt", -1, {"UI-PRMD", "parent-relative", "not supported"}));
  const fs::path p = kinect_data("uiprmd/tejas1904-UI-PRMD-Visualize-python-port/m01_s01_e01_positions.txt");
  if (p.empty()) GTEST_SKIP() << "../shared/data/kinect (UI-PRMD) is absent";
  EXPECT_EQ(probe_file(p)->name, "uiprmd");
  EXPECT_EQ(probe_file(p.parent_path() / "m01_s01_e01_angles.txt")->name, "uiprmd");
}

TEST(KinectText, RealFolderEveryFileGoesToItsFormatAndNotesAreSkipped) {
  const fs::path root = test::shared_data("kinect");
  if (root.empty()) GTEST_SKIP() << "../shared/data/kinect is absent";
  // Format by source folder (SOURCES.md): content decides, the shared .csv/.txt do not.
  const std::vector<std::pair<std::string, std::string>> by_folder = {
      {"LevelCA-NTU", "ntu"},          {"KIMORE", "kimore"},       {"LabanotationSuite", "laban_kinect"},
      {"LslKInect", "lsl_kinect"},     {"KeraalDataset", "keraal"}, {"BT_Labs_Gait", "kinect_gait"},
      {"UI-PRMD", "uiprmd"}};
  const Discovery d = discover({root});
  std::map<std::string, int> count;
  for (const InputItem& item : d.items) {
    std::string want;
    for (const auto& [folder, format] : by_folder)
      if (item.path.string().find(folder) != std::string::npos) want = format;
    EXPECT_EQ(item.format, want) << item.path;
    ++count[item.format];
  }
  EXPECT_GE(count["ntu"], 5);
  EXPECT_GE(count["kimore"], 8);
  EXPECT_GE(count["laban_kinect"], 6);
  EXPECT_EQ(count["lsl_kinect"], 1);
  EXPECT_GE(count["keraal"], 3);
  std::set<std::string> skipped;
  for (const auto& s : d.skipped) skipped.insert(s.path.filename().string());
  EXPECT_EQ(skipped, (std::set<std::string>{"Markers.csv", "README_UCalgary.txt", "SOURCES.md",
                                            "readme_files_format.txt"}));
}

// C3D reader/writer and Plug-in Gait mapping: round trips through write_c3d for float
// and int16 storage on Intel, DEC and MIPS with interleaved analog channels, hip joint
// centres against the Harrington (2007) regression worked by hand, broken files
// (truncated data, bad parameter section, missing markers, NaN) and axis/unit handling.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <map>

#include "lmm/core/atomic_file.h"
#include "lmm/core/error.h"
#include "lmm/io/c3d.h"
#include "lmm/io/reader.h"
#include "test_support.h"

using namespace lmm;
using namespace lmm::io;
namespace fs = std::filesystem;

namespace {

// (T, M, 4) test trajectories with exactly representable values.
std::vector<float> ramp(int T, int M) {
  std::vector<float> p(static_cast<size_t>(T) * M * 4);
  for (int t = 0; t < T; ++t)
    for (int m = 0; m < M; ++m) {
      float* q = &p[(static_cast<size_t>(t) * M + m) * 4];
      q[0] = 100.5f * m + 2.0f * t;
      q[1] = -50.0f + 10.0f * m - 1.5f * t;
      q[2] = 900.0f + t;
      q[3] = 1.0f;  // residual, a multiple of the residual unit used below
    }
  return p;
}

std::string slurp(const fs::path& p) { return read_text(p); }

// A standing Plug-in Gait subject in output axes (X, Y up, Z forward), mm; right is -X.
const std::map<std::string, std::array<float, 3>> kStanding = {
    {"LFHD", {70, 1650, 60}},    {"RFHD", {-70, 1650, 60}},   {"LBHD", {70, 1640, -100}},
    {"RBHD", {-70, 1640, -100}}, {"C7", {0, 1480, -80}},      {"CLAV", {0, 1440, 60}},
    {"T10", {0, 1250, -120}},    {"STRN", {0, 1300, 90}},     {"LSHO", {180, 1450, 0}},
    {"RSHO", {-180, 1450, 0}},   {"LELB", {200, 1150, -20}},  {"RELB", {-200, 1150, -20}},
    {"LWRA", {210, 900, 30}},    {"LWRB", {190, 900, -10}},   {"RWRA", {-210, 900, 30}},
    {"RWRB", {-190, 900, -10}},  {"LFIN", {205, 820, 10}},    {"RFIN", {-205, 820, 10}},
    {"LASI", {125, 1000, 100}},  {"RASI", {-125, 1000, 100}}, {"LPSI", {45, 1000, -60}},
    {"RPSI", {-45, 1000, -60}},  {"LTHI", {150, 750, 50}},    {"RTHI", {-150, 750, 50}},
    {"LKNE", {140, 520, 0}},     {"RKNE", {-140, 520, 0}},    {"LTIB", {140, 300, 40}},
    {"RTIB", {-140, 300, 40}},   {"LANK", {130, 80, -20}},    {"RANK", {-130, 80, -20}},
    {"LHEE", {120, 40, -80}},    {"RHEE", {-120, 40, -80}},   {"LTOE", {120, 40, 120}},
    {"RTOE", {-120, 40, 120}}};

struct MarkerFile {
  std::vector<std::string> labels;
  std::vector<float> points;  // (T, M, 4) lab axes
};

// The standing subject in a Z-up lab (x = X, y = -Z, z = Y), translated by 10 mm
// along lab x per frame; `skip` markers are left out; labels get `prefix`.
MarkerFile standing(int T, const std::vector<std::string>& skip = {}, const std::string& prefix = "",
                    float unit_mm = 1.f) {
  MarkerFile f;
  for (auto& [name, p] : kStanding)
    if (std::find(skip.begin(), skip.end(), name) == skip.end()) f.labels.push_back(prefix + name);
  for (int t = 0; t < T; ++t)
    for (auto& label : f.labels) {
      const auto& p = kStanding.at(label.substr(prefix.size()));
      f.points.insert(f.points.end(), {(p[0] + 10.f * t) / unit_mm, -p[2] / unit_mm, p[1] / unit_mm, 0.f});
    }
  return f;
}

const float* joint3d(const RawClip& c, int t, int j) { return &c.pose3d[(static_cast<size_t>(t) * kNumJoints + j) * 4]; }

void expect_joint(const RawClip& c, int t, int j, float x, float y, float z, float tol = 1e-3f) {
  const float* p = joint3d(c, t, j);
  EXPECT_NEAR(p[0], x, tol) << joint_name(j) << " frame " << t;
  EXPECT_NEAR(p[1], y, tol) << joint_name(j) << " frame " << t;
  EXPECT_NEAR(p[2], z, tol) << joint_name(j) << " frame " << t;
  EXPECT_EQ(p[3], 1.f) << joint_name(j) << " frame " << t;
}

}  // namespace

TEST(C3dFormat, DecFloatsMatchKnownBitsAndRoundTrip) {
  // VAX F 1.0 is the byte sequence 80 40 00 00.
  EXPECT_EQ(float_to_dec(1.0f), 0x00004080u);
  EXPECT_EQ(dec_to_float(0x00004080u), 1.0f);
  EXPECT_EQ(float_to_dec(-2.0f), 0x0000C100u);
  EXPECT_EQ(dec_to_float(0u), 0.0f);
  EXPECT_TRUE(std::isnan(dec_to_float(0x00008000u)));  // reserved operand
  for (float v : {0.1f, -123.456f, 1e-30f, 1.0e38f, 65535.f, -0.75f})
    EXPECT_EQ(dec_to_float(float_to_dec(v)), v) << v;
  EXPECT_THROW(float_to_dec(std::numeric_limits<float>::infinity()), ConfigError);
  EXPECT_THROW(float_to_dec(3.4e38f), ConfigError);  // beyond the VAX range
}

// Round trips for every processor x storage, with 3 analog channels at 5 samples per
// frame interleaved after the points: the reader must skip them exactly.
class C3dRoundTrip : public ::testing::TestWithParam<std::tuple<C3dProcessor, bool>> {};

TEST_P(C3dRoundTrip, PointsLabelsAndRateSurviveWithAnalogInterleaved) {
  const auto [proc, is_float] = GetParam();
  test::TempDir dir;
  const int T = 6, M = 3;
  std::vector<std::string> labels = {"Subject01:LASI", "RASI", "A_long_label_name"};
  std::vector<float> pts = ramp(T, M);
  pts[(2 * M + 1) * 4 + 3] = -1.f;  // frame 2, point 1: invalid
  C3dWriteOptions opt;
  opt.processor = proc;
  opt.analog_per_frame = 5;
  const double scale = is_float ? -0.5 : 0.5;  // residual unit / int16 step 0.5 mm
  write_c3d(dir / "r.c3d", labels, pts, 120.0, scale, 3, opt);

  const C3dData d = read_c3d_data(dir / "r.c3d");
  EXPECT_EQ(d.processor, proc);
  EXPECT_EQ(d.labels, labels);
  EXPECT_EQ(d.frames, T);
  EXPECT_EQ(d.rate, 120.0);
  EXPECT_EQ(d.scale, scale);
  EXPECT_EQ(d.units, "mm");
  EXPECT_EQ(d.analog_channels, 3);
  EXPECT_EQ(d.analog_per_frame, 5);
  EXPECT_EQ(d.x_screen, "+X");
  EXPECT_EQ(d.y_screen, "+Z");
  ASSERT_EQ(d.points.size(), pts.size());
  for (int t = 0; t < T; ++t)
    for (int m = 0; m < M; ++m) {
      const float* want = &pts[(t * M + m) * 4];
      const float* got = &d.points[(t * M + m) * 4];
      if (t == 2 && m == 1) {
        EXPECT_EQ(got[3], -1.f);
        EXPECT_EQ(got[0], 0.f);
        continue;
      }
      for (int k = 0; k < 4; ++k) EXPECT_EQ(got[k], want[k]) << "t " << t << " m " << m << " k " << k;
    }
}

INSTANTIATE_TEST_SUITE_P(AllFormats, C3dRoundTrip,
                         ::testing::Combine(::testing::Values(C3dProcessor::intel, C3dProcessor::dec,
                                                              C3dProcessor::mips),
                                            ::testing::Bool()));

TEST(C3dReader, IntegerStorageScalesBy01) {
  test::TempDir dir;
  std::vector<float> pts = {123.4f, -56.7f, 1000.1f, 0.2f};
  write_c3d(dir / "i.c3d", {"M1"}, pts, 100.0, 0.1, 0);
  const C3dData d = read_c3d_data(dir / "i.c3d");
  EXPECT_FLOAT_EQ(d.points[0], 1234 * 0.1f);
  EXPECT_FLOAT_EQ(d.points[1], -567 * 0.1f);
  EXPECT_FLOAT_EQ(d.points[2], 10001 * 0.1f);
  EXPECT_FLOAT_EQ(d.points[3], 2 * 0.1f);  // residual word 2 x |scale|
  EXPECT_EQ(d.analog_channels, 0);
  EXPECT_THROW(write_c3d(dir / "big.c3d", {"M1"}, {4000.f, 0, 0, 0}, 100.0, 0.1, 0), ConfigError);
}

TEST(C3dReader, ManyLabelsUseLabels2AndLongClipsUseTrialFields) {
  test::TempDir dir;
  std::vector<std::string> labels;
  for (int m = 0; m < 300; ++m) labels.push_back("M" + std::to_string(m));
  write_c3d(dir / "l.c3d", labels, ramp(2, 300), 50.0, -1.0, 0);
  EXPECT_EQ(read_c3d_data(dir / "l.c3d").labels, labels);

  const int T = 70000;  // beyond the 16-bit POINT:FRAMES / header words
  write_c3d(dir / "long.c3d", {"M"}, ramp(T, 1), 200.0, -1.0, 0);
  const C3dData d = read_c3d_data(dir / "long.c3d");
  ASSERT_EQ(d.frames, T);
  EXPECT_EQ(d.points[(T - 1) * 4 + 0], 2.0f * (T - 1));
}

TEST(C3dReader, TruncatedPointDataNamesTheFrame) {
  test::TempDir dir;
  const int M = 2;
  write_c3d(dir / "t.c3d", {"A", "B"}, ramp(5, M), 100.0, -1.0, 2);
  std::string bytes = slurp(dir / "t.c3d");
  const size_t frame_bytes = (4 * M + 2) * 4;
  bytes.resize(bytes.size() - 2 * frame_bytes + 7);  // frame 3 incomplete, frame 4 absent
  write_text_atomic(dir / "t.c3d", bytes);
  try {
    read_c3d_data(dir / "t.c3d");
    FAIL() << "expected FormatError";
  } catch (const FormatError& e) {
    EXPECT_EQ(e.frame(), 3);
    EXPECT_EQ(e.file(), (dir / "t.c3d").string());
    EXPECT_NE(std::string(e.what()).find("frame 3"), std::string::npos) << e.what();
    EXPECT_NE(e.reason().find("expected 5 frames"), std::string::npos) << e.what();
  }
}

TEST(C3dReader, BadHeaderOrParameterSectionThrowsFormatError) {
  test::TempDir dir;
  write_c3d(dir / "ok.c3d", {"A"}, ramp(2, 1), 100.0, -1.0, 0);
  const std::string good = slurp(dir / "ok.c3d");
  auto expect_error = [&](std::string bytes, const std::string& needle) {
    write_text_atomic(dir / "bad.c3d", bytes);
    try {
      read_c3d_data(dir / "bad.c3d");
      ADD_FAILURE() << "expected FormatError for " << needle;
    } catch (const FormatError& e) {
      EXPECT_EQ(e.file(), (dir / "bad.c3d").string());
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    }
  };
  std::string b = good;
  b[1] = 0x51;
  expect_error(b, "expected the C3D key 80");
  b = good;
  b[512 + 3] = 90;
  expect_error(b, "expected 84 (Intel), 85 (DEC) or 86 (MIPS)");
  expect_error(good.substr(0, 300), "expected a 512-byte header");
  expect_error(good.substr(0, 512 + 40), "parameter");
  // POINT:RATE's float -> NaN: find the RATE parameter and overwrite its value.
  b = good;
  const size_t at = b.find("RATE");
  ASSERT_NE(at, std::string::npos);
  const float nan = std::numeric_limits<float>::quiet_NaN();
  std::memcpy(&b[at + 4 + 2 + 2], &nan, 4);  // name, next offset, type + ndims
  expect_error(b, "POINT:RATE is not a finite number");
}

TEST(C3dReader, NanCoordinatesBecomeInvalidPoints) {
  test::TempDir dir;
  const int M = 2;
  write_c3d(dir / "n.c3d", {"A", "B"}, ramp(3, M), 100.0, -1.0, 1);
  std::string bytes = slurp(dir / "n.c3d");
  const int data_block = static_cast<unsigned char>(bytes[16]) | static_cast<unsigned char>(bytes[17]) << 8;
  const size_t frame_bytes = (4 * M + 1) * 4;
  const float nan = std::numeric_limits<float>::quiet_NaN();
  std::memcpy(&bytes[(data_block - 1) * 512 + 1 * frame_bytes + 1 * 16 + 4], &nan, 4);  // frame 1, B.y
  write_text_atomic(dir / "n.c3d", bytes);
  const C3dData d = read_c3d_data(dir / "n.c3d");
  const std::vector<float> want = ramp(3, M);
  EXPECT_EQ(d.points[(1 * M + 1) * 4 + 3], -1.f);
  EXPECT_EQ(d.points[(1 * M + 1) * 4 + 1], 0.f);
  for (int i : {0, 1, 2, 3}) EXPECT_EQ(d.points[(1 * M + 0) * 4 + i], want[(1 * M + 0) * 4 + i]);
  for (int i : {0, 1, 2, 3}) EXPECT_EQ(d.points[(2 * M + 1) * 4 + i], want[(2 * M + 1) * 4 + i]);
}

TEST(PluginGait, HipJointCentresFollowHarrington2007) {
  // Pelvis: ASIS 250 mm apart (PW), mid-ASIS 160 mm in front of mid-PSIS (PD).
  //   anterior -0.24*160 - 9.9 = -48.3; superior -0.30*250 - 10.9 = -85.9;
  //   lateral 0.33*250 + 7.3 = 89.8 (right is -X here).
  const HipJointCentres h = harrington_hip_centres({125, 1000, 100}, {-125, 1000, 100}, {0, 1000, -60});
  EXPECT_NEAR(h.right[0], -89.8, 1e-9);
  EXPECT_NEAR(h.right[1], 914.1, 1e-9);
  EXPECT_NEAR(h.right[2], 51.7, 1e-9);
  EXPECT_NEAR(h.left[0], 89.8, 1e-9);
  // The same pelvis turned 90 degrees about the vertical: (X, Y, Z) -> (Z, Y, -X).
  const HipJointCentres r = harrington_hip_centres({100, 1000, -125}, {100, 1000, 125}, {-60, 1000, 0});
  EXPECT_NEAR(r.right[0], 51.7, 1e-9);
  EXPECT_NEAR(r.right[1], 914.1, 1e-9);
  EXPECT_NEAR(r.right[2], 89.8, 1e-9);
  EXPECT_THROW(harrington_hip_centres({0, 0, 0}, {0, 0, 0}, {0, 0, -1}), ConfigError);
}

TEST(PluginGait, StandingSubjectFromZUpC3dGivesBody25) {
  test::TempDir dir;
  const MarkerFile f = standing(2, {}, "Subject01:");
  write_c3d(dir / "walk_01.c3d", f.labels, f.points, 100.0, -0.1, 4);
  const RawClip c = read_c3d(dir / "walk_01.c3d", 0, View::front);
  EXPECT_EQ(c.name, "walk_01");
  EXPECT_EQ(c.source_format, "c3d");
  EXPECT_EQ(c.fps, 100.0);
  EXPECT_EQ(c.units, "mm");
  ASSERT_EQ(c.frames, 2);
  for (int t = 0; t < 2; ++t) {
    const float dx = 10.f * t;  // the lab-x translation per frame
    expect_joint(c, t, RHip, -89.8f + dx, 914.1f, 51.7f);
    expect_joint(c, t, LHip, 89.8f + dx, 914.1f, 51.7f);
    expect_joint(c, t, MidHip, 0.f + dx, 914.1f, 51.7f);
    expect_joint(c, t, Neck, 0.f + dx, 1460.f, -10.f);       // mean of C7 and CLAV
    expect_joint(c, t, Nose, 0.f + dx, 1650.f, 60.f);        // mean of LFHD and RFHD
    expect_joint(c, t, REye, -35.f + dx, 1650.f, 60.f);      // 0.75 RFHD + 0.25 LFHD
    expect_joint(c, t, LEar, 70.f + dx, 1645.f, -20.f);      // mean of LFHD and LBHD
    expect_joint(c, t, RShoulder, -180.f + dx, 1450.f, 0.f);
    expect_joint(c, t, LElbow, 200.f + dx, 1150.f, -20.f);
    expect_joint(c, t, LWrist, 200.f + dx, 900.f, 10.f);     // mean of LWRA and LWRB
    expect_joint(c, t, RWrist, -200.f + dx, 900.f, 10.f);
    expect_joint(c, t, RKnee, -140.f + dx, 520.f, 0.f);
    expect_joint(c, t, LAnkle, 130.f + dx, 80.f, -20.f);
    expect_joint(c, t, LBigToe, 120.f + dx, 40.f, 120.f);
    expect_joint(c, t, RHeel, -120.f + dx, 40.f, -80.f);
    EXPECT_EQ(joint3d(c, t, LSmallToe)[3], 0.f);
    EXPECT_EQ(joint3d(c, t, RSmallToe)[3], 0.f);
  }
  // Front view: x = X, y = -Y.
  EXPECT_NEAR(c.pose[RHip * 3 + 0], -89.8f, 1e-3);
  EXPECT_NEAR(c.pose[RHip * 3 + 1], -914.1f, 1e-3);
  EXPECT_EQ(c.pose[RHip * 3 + 2], 1.f);
  EXPECT_EQ(c.pose[LSmallToe * 3 + 2], 0.f);
}

TEST(PluginGait, SacrumMarkerReplacesPsisAndGapsGiveZeroConfidence) {
  test::TempDir dir;
  MarkerFile f = standing(3, {"LPSI", "RPSI", "LBHD", "RBHD"});
  f.labels.push_back("SACR");
  MarkerFile g;  // rebuild with SACR = mid-PSIS (0, 1000, -60) -> lab (0, 60, 1000)
  const size_t M = f.labels.size();
  for (int t = 0; t < 3; ++t) {
    g.points.insert(g.points.end(), f.points.begin() + t * (M - 1) * 4, f.points.begin() + (t + 1) * (M - 1) * 4);
    g.points.insert(g.points.end(), {10.f * t, 60.f, 1000.f, 0.f});
  }
  const size_t lelb = std::find(f.labels.begin(), f.labels.end(), "LELB") - f.labels.begin();
  g.points[(2 * M + lelb) * 4 + 3] = -1;  // frame 2: LELB not seen
  write_c3d(dir / "s.c3d", f.labels, g.points, 100.0, -0.1, 0);
  const RawClip c = read_c3d(dir / "s.c3d", 50.0, View::front);
  EXPECT_EQ(c.fps, 50.0);
  expect_joint(c, 0, RHip, -89.8f, 914.1f, 51.7f);
  EXPECT_EQ(joint3d(c, 0, REar)[3], 0.f);  // no back-head markers
  expect_joint(c, 2, RElbow, -180.f, 1150.f, -20.f);
  EXPECT_EQ(joint3d(c, 2, LElbow)[3], 0.f);
  EXPECT_EQ(c.pose[(2 * kNumJoints + LElbow) * 3 + 0], 0.f);
}

TEST(PluginGait, MissingMarkersAreAllNamed) {
  test::TempDir dir;
  const MarkerFile f = standing(1, {"LELB", "RWRB", "LPSI"});
  write_c3d(dir / "m.c3d", f.labels, f.points, 100.0, -1.0, 0);
  try {
    read_c3d(dir / "m.c3d", 0, View::front);
    FAIL() << "expected FormatError";
  } catch (const FormatError& e) {
    const std::string w = e.what();
    EXPECT_EQ(e.file(), (dir / "m.c3d").string());
    EXPECT_NE(w.find("missing markers LELB, RWRB, LPSI (or SACR)"), std::string::npos) << w;
    EXPECT_NE(w.find("m.c3d"), std::string::npos) << w;
  }
}

TEST(C3dReader, UnitsAndUpAxisAreConverted) {
  test::TempDir dir;
  // Metres, Z-up, no screen parameters: the up axis is detected from the markers.
  MarkerFile f = standing(1, {}, "", 1000.f);
  C3dWriteOptions opt;
  opt.units = "m";
  opt.x_screen = opt.y_screen = "";
  write_c3d(dir / "m.c3d", f.labels, f.points, 100.0, -0.001, 0, opt);
  RawClip c = read_c3d(dir / "m.c3d", 0, View::front);
  expect_joint(c, 0, RHip, -89.8f, 914.1f, 51.7f, 2e-3f);

  // A Y-up lab that says so: points written as (X, Y, Z) directly.
  MarkerFile y = standing(1);
  for (size_t i = 0; i < y.points.size(); i += 4) {
    const float ly = y.points[i + 1], lz = y.points[i + 2];
    y.points[i + 1] = lz, y.points[i + 2] = -ly;
  }
  opt = {};
  opt.y_screen = "+Y";
  write_c3d(dir / "y.c3d", y.labels, y.points, 100.0, -1.0, 0, opt);
  c = read_c3d(dir / "y.c3d", 0, View::side);
  expect_joint(c, 0, RHip, -89.8f, 914.1f, 51.7f);
  EXPECT_NEAR(c.pose[RHip * 3 + 0], 51.7f, 1e-3);  // side view: x = Z

  opt.units = "furlong";
  write_c3d(dir / "u.c3d", y.labels, y.points, 100.0, -1.0, 0, opt);
  EXPECT_THROW(read_c3d(dir / "u.c3d", 0, View::front), FormatError);
}

TEST(C3dReader, RealViconFileWhenAvailable) {
  const fs::path dir = test::shared_data("c3d");
  if (dir.empty()) GTEST_SKIP() << "no real C3D files under ../shared/data/c3d (absent on this machine)";
  int n = 0;
  for (auto& e : fs::recursive_directory_iterator(dir)) {
    if (e.path().extension() != ".c3d" || n >= 3) continue;
    ++n;
    const C3dData d = read_c3d_data(e.path());
    EXPECT_GT(d.frames, 0) << e.path();
    EXPECT_GT(d.rate, 0) << e.path();
    EXPECT_EQ(d.points.size(), static_cast<size_t>(d.frames) * d.labels.size() * 4) << e.path();
  }
  if (n == 0) GTEST_SKIP() << dir << " holds no .c3d files";
}

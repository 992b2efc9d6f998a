// C3D reader/writer and marker-set conventions on generated files: round trips through
// write_c3d for float and int16 storage on Intel, DEC and MIPS with interleaved analog
// channels; the repairs ezc3d/BTK make (parameters past the declared section, DATA_START 0,
// POINT:USED that does not fit, missing SCALE/RATE, data ending early, (0,0,0) and 65535
// gaps); hip joint centres (Harrington 2007, CMU waist rule) worked by hand; subjects split
// by prefix; broken files and unknown marker sets; axis/unit handling. Real files:
// test_c3d_real.cpp.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <map>

#include "lmm/core/atomic_file.h"
#include "lmm/core/error.h"
#include "expect_format_error.h"
#include "lmm/io/c3d.h"
#include "lmm/io/convention.h"
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

TEST(C3dReader, PointDataEndingEarlyKeepsTheCompleteFrames) {
  test::TempDir dir;
  const int M = 2;
  write_c3d(dir / "t.c3d", {"A", "B"}, ramp(5, M), 100.0, -1.0, 2);
  std::string bytes = slurp(dir / "t.c3d");
  const size_t frame_bytes = (4 * M + 2) * 4;
  bytes.resize(bytes.size() - 2 * frame_bytes + 7);  // frame 3 incomplete, frame 4 absent
  write_text_atomic(dir / "t.c3d", bytes);
  const C3dData d = read_c3d_data(dir / "t.c3d");
  EXPECT_EQ(d.frames, 3);
  EXPECT_EQ(d.declared_frames, 5);
  EXPECT_TRUE(d.truncated);
  ASSERT_EQ(d.warnings.size(), 1u);
  EXPECT_NE(d.warnings[0].find("3 of 5 declared frames"), std::string::npos) << d.warnings[0];
  EXPECT_EQ(d.points, std::vector<float>(ramp(3, M)));
  const std::vector<SourceMotion> m = c3d_source_motions(d, "t.c3d", ReadOptions{});
  EXPECT_EQ(m[0].qc_flags, std::vector<std::string>{"truncated"});

  // Not even one complete frame: an error naming frame 0.
  bytes.resize(bytes.size() - 3 * frame_bytes);
  write_text_atomic(dir / "t.c3d", bytes);
  EXPECT_TRUE(test::throws_format_error([&] { read_c3d_data(dir / "t.c3d"); }, "t.c3d", 0,
                                        {"point data ends early: 0 of 5 declared frames"}));
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

// Offset of the value of a scalar parameter `name` (first occurrence) in a written file:
// name, 2-byte next offset, type and ndims bytes, then the value.
size_t param_value(const std::string& bytes, const std::string& name) {
  const size_t at = bytes.find(name);
  EXPECT_NE(at, std::string::npos) << name;
  return at + name.size() + 4;
}

TEST(C3dRepairs, HeaderStandsInForAZeroOrMissingParameter) {
  test::TempDir dir;
  write_c3d(dir / "ok.c3d", {"A", "B"}, ramp(4, 2), 100.0, -1.0, 1);
  const std::string good = slurp(dir / "ok.c3d");
  const C3dData want = read_c3d_data(dir / "ok.c3d");
  EXPECT_TRUE(want.warnings.empty());

  std::string b = good;  // POINT:DATA_START = 0 (read_NOTworking2, sample13): header word 9
  b[param_value(b, "DATA_START")] = 0, b[param_value(b, "DATA_START") + 1] = 0;
  write_text_atomic(dir / "ds.c3d", b);
  C3dData d = read_c3d_data(dir / "ds.c3d");
  EXPECT_EQ(d.points, want.points);
  ASSERT_EQ(d.warnings.size(), 1u);
  EXPECT_NE(d.warnings[0].find("POINT:DATA_START is 0; using header word 9"), std::string::npos);

  b = good;  // no POINT:SCALE or POINT:RATE (sample28): header words 7-8 and 11-12
  b.replace(b.find("SCALE"), 5, "SCALX");
  b.replace(b.find("RATE"), 4, "RATX");
  write_text_atomic(dir / "sr.c3d", b);
  d = read_c3d_data(dir / "sr.c3d");
  EXPECT_EQ(d.rate, 100.0);
  EXPECT_EQ(d.scale, -1.0);
  EXPECT_EQ(d.points, want.points);

  b = good;  // POINT:USED says one point more than the header and labels (Kyowa Dengyo sample27)
  b[param_value(b, "USED")] = 3;
  write_text_atomic(dir / "used.c3d", b);
  d = read_c3d_data(dir / "used.c3d");
  EXPECT_EQ(d.labels.size(), 2u);
  EXPECT_EQ(d.points, want.points);
  ASSERT_EQ(d.warnings.size(), 1u);
  EXPECT_NE(d.warnings[0].find("POINT:USED is 3 but 2 points"), std::string::npos) << d.warnings[0];
}

TEST(C3dRepairs, ParametersRunningPastTheDeclaredSectionAreRead) {
  // sample13 Dance / BTK parameterOverflow: the section's block count is too small.
  test::TempDir dir;
  std::vector<std::string> labels;
  for (int m = 0; m < 40; ++m) labels.push_back("Subject01:a_rather_long_marker_name_" + std::to_string(m));
  write_c3d(dir / "p.c3d", labels, ramp(2, 40), 100.0, -1.0, 0);
  std::string b = slurp(dir / "p.c3d");
  const size_t pstart = (static_cast<unsigned char>(b[0]) - 1) * 512;
  ASSERT_GT(static_cast<unsigned char>(b[pstart + 2]), 1);
  b[pstart + 2] = 1;
  write_text_atomic(dir / "p.c3d", b);
  const C3dData d = read_c3d_data(dir / "p.c3d");
  EXPECT_EQ(d.labels, labels);
  ASSERT_EQ(d.warnings.size(), 1u);
  EXPECT_NE(d.warnings[0].find("declares 1 blocks but its items run to"), std::string::npos) << d.warnings[0];
}

TEST(C3dRepairs, ZeroPointsAndResidual65535AreGaps) {
  // Workstation codes unreconstructed markers as (0, 0, 0) with a valid residual; Qualisys
  // writes (0, 0, 0) with the residual word 65535.0 (the int16 -1).
  test::TempDir dir;
  std::vector<float> pts = ramp(3, 2);
  pts[(1 * 2 + 0) * 4 + 0] = pts[(1 * 2 + 0) * 4 + 1] = pts[(1 * 2 + 0) * 4 + 2] = 0.f;  // frame 1, A
  write_c3d(dir / "z.c3d", {"A", "B"}, pts, 100.0, -1.0, 0);
  std::string b = slurp(dir / "z.c3d");
  const size_t data = (static_cast<unsigned char>(b[16]) - 1) * 512;
  const float w = 65535.f;
  std::memcpy(&b[data + 2 * 32 + 16 + 12], &w, 4);  // frame 2, B: residual word 65535
  write_text_atomic(dir / "z.c3d", b);
  const C3dData d = read_c3d_data(dir / "z.c3d");
  EXPECT_EQ(d.points[(1 * 2 + 0) * 4 + 3], -1.f);
  EXPECT_EQ(d.points[(2 * 2 + 1) * 4 + 3], -1.f);
  EXPECT_EQ(d.points[(2 * 2 + 1) * 4 + 0], 0.f);
  EXPECT_EQ(d.points[(2 * 2 + 0) * 4 + 3], 1.f);
}

TEST(C3dMotions, SubjectsSplitByPrefixAndSharedPrefixesBecomeSubjects) {
  test::TempDir dir;
  MarkerFile a = standing(2, {}, "Derrick:"), b = standing(2, {}, "Viktor:");
  std::vector<std::string> labels = a.labels;
  labels.insert(labels.end(), b.labels.begin(), b.labels.end());
  const size_t M = a.labels.size();
  std::vector<float> pts;
  for (int t = 0; t < 2; ++t) {
    pts.insert(pts.end(), a.points.begin() + t * M * 4, a.points.begin() + (t + 1) * M * 4);
    for (size_t i = t * M * 4; i < (t + 1) * M * 4; i += 4)
      pts.insert(pts.end(), {b.points[i] + 2000.f, b.points[i + 1], b.points[i + 2], 0.f});
  }
  write_c3d(dir / "two.c3d", labels, pts, 50.0, -1.0, 0);
  const std::vector<RawClip> clips = read_clips({dir / "two.c3d", "", "serve"}, ReadOptions{});
  ASSERT_EQ(clips.size(), 2u);
  EXPECT_EQ(clips[0].name, "serve_Derrick");
  EXPECT_EQ(clips[1].name, "serve_Viktor");
  expect_joint(clips[0], 0, RHip, -89.8f, 914.1f, 51.7f, 1e-2f);
  expect_joint(clips[1], 0, RHip, 2000.f - 89.8f, 914.1f, 51.7f, 1e-2f);

  // A prop with its own prefix and no marker set ("Racket:") is left out with a warning.
  std::vector<std::string> with_prop = a.labels;
  for (const char* n : {"Racket:Top", "Racket:Tip", "Racket:Left", "Racket:Right"}) with_prop.push_back(n);
  std::vector<float> prop_pts;
  for (int t = 0; t < 2; ++t) {
    prop_pts.insert(prop_pts.end(), a.points.begin() + t * M * 4, a.points.begin() + (t + 1) * M * 4);
    for (int k = 0; k < 4; ++k) prop_pts.insert(prop_pts.end(), {500.f + k, 600.f, 1500.f + 10 * k, 0.f});
  }
  write_c3d(dir / "prop.c3d", with_prop, prop_pts, 50.0, -1.0, 0);
  const std::vector<SourceMotion> parts = read_c3d_motions(dir / "prop.c3d", ReadOptions{});
  ASSERT_EQ(parts.size(), 1u);
  EXPECT_EQ(parts[0].part, "Derrick");
  ASSERT_FALSE(parts[0].warnings.empty());
  EXPECT_EQ(parts[0].warnings.back(), "subject Racket (4 points) matches no marker set: left out");

  // Every label starts with "L" (numediart 03_rolling): "LLASI" is read as "L:LASI".
  MarkerFile l = standing(1);
  for (auto& s : l.labels) s = "L" + s;
  write_c3d(dir / "l.c3d", l.labels, l.points, 100.0, -1.0, 0);
  const std::vector<SourceMotion> m = read_c3d_motions(dir / "l.c3d", ReadOptions{});
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].part, "");
  EXPECT_EQ(m[0].points[0], "L:" + l.labels[0].substr(1));
  expect_joint(read_c3d(dir / "l.c3d", 0, View::front), 0, RHip, -89.8f, 914.1f, 51.7f, 1e-2f);
}

TEST(C3dMotions, NoLabelsOrNoSeenMarkersFailWithOneLine) {
  test::TempDir dir;
  write_c3d(dir / "n.c3d", {"", "", ""}, ramp(2, 3), 30.0, -1.0, 0);
  EXPECT_TRUE(test::throws_format_error([&] { read_c3d_motions(dir / "n.c3d", ReadOptions{}); }, "n.c3d", -1,
                                        {"no point labels", "3 markers"}));
  MarkerFile f = standing(2);
  for (size_t i = 3; i < f.points.size(); i += 4) f.points[i] = -1.f;  // every marker a gap
  f.labels.push_back("LHipAngles");
  for (int t = 1; t >= 0; --t) f.points.insert(f.points.begin() + (t + 1) * (f.labels.size() - 1) * 4, {1, 2, 3, 0});
  write_c3d(dir / "g.c3d", f.labels, f.points, 100.0, -1.0, 0);
  EXPECT_TRUE(test::throws_format_error([&] { read_c3d_motions(dir / "g.c3d", ReadOptions{}); }, "g.c3d", -1,
                                        {"markers are gaps in all 2 frames; valid points: LHipAngles"}));
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
    // Shoulder: RSHO 45 mm down the trunk axis mean(C7, CLAV) - mean(T10, STRN) = (0, 185, 5).
    expect_joint(c, t, RShoulder, -180.f + dx, 1405.0165f, -1.2158f, 1e-3f);
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

TEST(C3dConventions, UnknownMarkerSetListsTheLabelsAndTheMarkersFile) {
  test::TempDir dir;
  write_c3d(dir / "m.c3d", {"Marker_1", "Marker_2", "Marker_3"}, ramp(2, 3), 100.0, -1.0, 0);
  EXPECT_TRUE(test::throws_format_error([&] { read_c3d(dir / "m.c3d", 0, View::front); }, "m.c3d", -1,
                                        {"labels seen: Marker_1 Marker_2 Marker_3", "--markers FILE.json"}));
  // The same file with the user's own table.
  std::ofstream(dir / "mine.json") << R"({"id": "mine", "joints": {"RHip": "Marker_1", "LHip": "Marker_2",
      "MidHip": "0.5*Marker_1 + 0.5*Marker_2", "Neck": "Marker_3"}})";
  ReadOptions opt;
  opt.markers = dir / "mine.json";
  const RawClip c = read_clip({dir / "m.c3d", "", ""}, opt);
  EXPECT_EQ(c.frames, 2);
  EXPECT_EQ(joint3d(c, 0, RHip)[3], 1.f);
  EXPECT_EQ(joint3d(c, 0, Nose)[3], 0.f);
}

TEST(C3dConventions, CmuWaistMarkersGiveTheWaistHipCentres) {
  // The standing subject with the pelvis relabelled LFWT/RFWT/LBWT/RBWT. PW = 250; in the
  // pelvis frame HJC = (-0.17 PW, -0.61 PW, +-0.42 PW) = (-42.5, -152.5, +-105) from the
  // mid-front point (0, 1000, 100); right is -X.
  test::TempDir dir;
  MarkerFile f = standing(1, {}, "male:");
  for (auto& l : f.labels)
    for (auto [from, to] : {std::pair{"LASI", "LFWT"}, {"RASI", "RFWT"}, {"LPSI", "LBWT"}, {"RPSI", "RBWT"}})
      if (l == std::string("male:") + from) l = std::string("male:") + to;
  write_c3d(dir / "cmu.c3d", f.labels, f.points, 120.0, -0.05, 0);
  const RawClip c = read_c3d(dir / "cmu.c3d", 0, View::front);
  expect_joint(c, 0, RHip, -105.f, 847.5f, 57.5f, 1e-2f);
  expect_joint(c, 0, LHip, 105.f, 847.5f, 57.5f, 1e-2f);
  expect_joint(c, 0, MidHip, 0.f, 847.5f, 57.5f, 1e-2f);
  const HipJointCentres h = waist_hip_centres({125, 1000, 100}, {-125, 1000, 100}, {0, 1000, -60});
  EXPECT_NEAR(h.right[0], -105.0, 1e-9);
  EXPECT_NEAR(h.right[1], 847.5, 1e-9);
  EXPECT_NEAR(h.right[2], 57.5, 1e-9);
}

TEST(C3dConventions, LowerBodySetGivesTheUpperBodyConfidenceZero) {
  test::TempDir dir;
  const MarkerFile f = standing(1, {"LFHD", "RFHD", "LBHD", "RBHD", "C7", "CLAV", "T10", "STRN", "LSHO", "RSHO",
                                    "LELB", "RELB", "LWRA", "LWRB", "RWRA", "RWRB", "LFIN", "RFIN"});
  write_c3d(dir / "legs.c3d", f.labels, f.points, 100.0, -0.1, 0);
  const RawClip c = read_c3d(dir / "legs.c3d", 0, View::front);
  expect_joint(c, 0, RHip, -89.8f, 914.1f, 51.7f, 1e-2f);
  expect_joint(c, 0, LKnee, 140.f, 520.f, 0.f, 1e-2f);
  for (int j : {Nose, Neck, RShoulder, LWrist, REar}) EXPECT_EQ(joint3d(c, 0, j)[3], 0.f) << joint_name(j);
  const BoundConvention b = choose_convention(f.labels, "c3d", "legs.c3d");
  EXPECT_EQ(b.convention().id, "plugin_gait_lower");
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

TEST(C3dReader, YScreenContradictedByTheBodyIsOverruled) {
  // Qualisys writes Y_SCREEN = -Z for a Z-up lab: the body (hips above the feet) decides.
  test::TempDir dir;
  const MarkerFile f = standing(1);
  C3dWriteOptions opt;
  opt.x_screen = "-X";
  opt.y_screen = "-Z";
  write_c3d(dir / "q.c3d", f.labels, f.points, 200.0, -1.0, 0, opt);
  const std::vector<SourceMotion> m = read_c3d_motions(dir / "q.c3d", ReadOptions{});
  ASSERT_EQ(m[0].warnings.size(), 1u);
  EXPECT_NE(m[0].warnings[0].find("Y_SCREEN says -Z is up but the body (plugin_gait"), std::string::npos)
      << m[0].warnings[0];
  const RawClip c = read_c3d(dir / "q.c3d", 0, View::front);
  // X = -X lab, Y = +Z lab, Z = X x Y = +Y lab: the subject's right (-X) maps to +X.
  expect_joint(c, 0, RHip, 89.8f, 914.1f, -51.7f, 1e-2f);
  EXPECT_GT(joint3d(c, 0, Neck)[1], joint3d(c, 0, MidHip)[1]);
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

// C3D reader on the real files of ../shared/data/c3d (SOURCES.md describes each): values
// read once and checked by hand (file axes and units, as ezc3d reports them), counts
// compared with ezc3d's own test suite (pyomeca/ezc3d test/test_ezc3d.cpp: BTS, Qualisys,
// Optotrak), the six encodings of c3d.org sample01, the repairs each quirky file needs and
// the BODY_25 clips that come out (human-sized, upright). Skips when the data is absent.
#include <gtest/gtest.h>

#include <cmath>

#include "expect_format_error.h"
#include "lmm/io/c3d.h"
#include "lmm/io/convention.h"
#include "lmm/io/reader.h"
#include "test_support.h"

using namespace lmm;
using namespace lmm::io;
namespace fs = std::filesystem;

namespace {

// The file under ../shared/data/c3d, or "" (the test then skips).
fs::path c3d_file(const std::string& rel) {
  const fs::path p = test::shared_data("c3d/" + rel);
  return !p.empty() && fs::exists(p) ? p : fs::path();
}

#define C3D_OR_SKIP(var, rel)                                                         \
  const fs::path var = c3d_file(rel);                                                 \
  if (var.empty()) GTEST_SKIP() << "c3d/" << rel << " is absent (no shared real data)"

int column(const C3dData& d, const std::string& label) {
  for (size_t m = 0; m < d.labels.size(); ++m)
    if (d.labels[m] == label) return static_cast<int>(m);
  ADD_FAILURE() << "no label " << label;
  return 0;
}

// Marker `label` at frame t: x, y, z in file units and axes, to 1e-3 (values printed with 9
// significant digits when the test was written).
void expect_marker(const C3dData& d, int t, const std::string& label, double x, double y, double z) {
  const float* p = &d.points[(static_cast<size_t>(t) * d.labels.size() + column(d, label)) * 4];
  EXPECT_GE(p[3], 0.f) << label << " frame " << t;
  EXPECT_NEAR(p[0], x, 1e-3) << label << " frame " << t;
  EXPECT_NEAR(p[1], y, 1e-3) << label << " frame " << t;
  EXPECT_NEAR(p[2], z, 1e-3) << label << " frame " << t;
}

const float* joint(const RawClip& c, int t, int j) {
  return &c.pose3d[(static_cast<size_t>(t) * kNumJoints + j) * 4];
}

double distance(const float* a, const float* b) {
  return std::sqrt((a[0] - b[0]) * (a[0] - b[0]) + (a[1] - b[1]) * (a[1] - b[1]) + (a[2] - b[2]) * (a[2] - b[2]));
}

// Mean thigh (RHip-RKnee) and torso (Neck-MidHip) lengths and the share of frames with the
// neck above the hips, over the frames where the joints are seen.
struct Body {
  double thigh = 0, torso = 0, upright = 0;
};
Body body_of(const RawClip& c) {
  Body b;
  int nt = 0, nn = 0, up = 0;
  for (int t = 0; t < c.frames; ++t) {
    if (joint(c, t, RHip)[3] > 0 && joint(c, t, RKnee)[3] > 0) b.thigh += distance(joint(c, t, RHip), joint(c, t, RKnee)), ++nt;
    if (joint(c, t, Neck)[3] > 0 && joint(c, t, MidHip)[3] > 0) {
      b.torso += distance(joint(c, t, Neck), joint(c, t, MidHip)), ++nn;
      up += joint(c, t, Neck)[1] > joint(c, t, MidHip)[1];
    }
  }
  if (nt) b.thigh /= nt;
  if (nn) b.torso /= nn, b.upright = static_cast<double>(up) / nn;
  return b;
}

RawClip only_clip(const fs::path& p) { return read_clip({p, "", ""}, ReadOptions{}); }

}  // namespace

TEST(C3dReal, Sample01SixEncodingsGiveTheSameCoordinates) {
  // c3d.org sample01: one gait trial as Intel/DEC/MIPS x int16/float (ezc3d reads four of
  // them and throws on the MIPS pair). Float and int16 storage differ by rounding to the
  // int16 step 0.0833 mm; files of the same storage agree exactly.
  C3D_OR_SKIP(pr, "BTKData/c3d.org__sample01__Eb015pr.c3d");
  const C3dData ref = read_c3d_data(pr);
  EXPECT_EQ(ref.frames, 450);
  EXPECT_EQ(ref.labels.size(), 26u);
  EXPECT_EQ(ref.rate, 50.0);
  EXPECT_EQ(ref.analog_channels, 16);
  EXPECT_EQ(ref.analog_per_frame, 4);
  expect_marker(ref, 47, "PV1", 333.583344, 29.833334, 948.083374);
  expect_marker(ref, 47, "RFT1", 252.5, 226.5, 32.6666679);
  for (const char* name : {"pi", "si", "sr", "vi", "vr"}) {
    const fs::path f = c3d_file(std::string("BTKData/c3d.org__sample01__Eb015") + name + ".c3d");
    if (f.empty()) GTEST_SKIP() << "sample01 Eb015" << name << " is absent";
    const C3dData d = read_c3d_data(f);
    SCOPED_TRACE(name);
    ASSERT_EQ(d.frames, ref.frames);
    EXPECT_EQ(d.labels, ref.labels);
    ASSERT_EQ(d.points.size(), ref.points.size());
    const double tol = name[1] == 'r' ? 0.0 : std::fabs(d.scale) / 2 + 1e-3;
    for (size_t i = 0; i < d.points.size(); i += 4)
      for (int k = 0; k < 3; ++k) ASSERT_NEAR(d.points[i + k], ref.points[i + k], tol) << "value " << i / 4;
  }
}

TEST(C3dReal, CountsAgreeWithEzc3dTests) {
  C3D_OR_SKIP(q, "ezc3d-testFiles/Qualisys.c3d");
  C3D_OR_SKIP(bts, "ezc3d-testFiles/BTS.c3d");
  C3D_OR_SKIP(optotrak, "ezc3d-testFiles/Optotrak.c3d");
  // ezc3d: 340 frames (header first 704, 0-based), 55 points, 200 Hz, scale -0.0762322545,
  // 69 analog channels x 10 subframes.
  C3dData d = read_c3d_data(q);
  EXPECT_EQ(d.frames, 340);
  EXPECT_EQ(d.first_frame, 705);
  EXPECT_EQ(d.labels.size(), 55u);
  EXPECT_EQ(d.rate, 200.0);
  EXPECT_FLOAT_EQ(static_cast<float>(d.scale), -0.0762322545f);
  EXPECT_EQ(d.analog_channels, 69);
  EXPECT_EQ(d.analog_per_frame, 10);
  expect_marker(d, 0, "L_IAS", -220.12262, 306.424805, 846.336121);
  expect_marker(d, 0, "R_FAL", -554.606995, 113.310158, 78.5110779);

  // ezc3d: BTS 675 frames, 22 points, 100 Hz, scale -0.1, 44 channels x 10.
  d = read_c3d_data(bts);
  EXPECT_EQ(d.frames, 675);
  EXPECT_EQ(d.labels.size(), 22u);
  EXPECT_EQ(d.rate, 100.0);
  EXPECT_FLOAT_EQ(static_cast<float>(d.scale), -0.1f);
  EXPECT_EQ(d.analog_channels, 44);
  EXPECT_EQ(d.analog_per_frame, 10);
  expect_marker(d, 300, "r asis", -899.909119, 840.236572, 500.497345);
  expect_marker(d, 300, "c7", -1017.86755, 1321.03552, 403.933838);

  // ezc3d: Optotrak 54 points, 30 Hz, scale -7.8661418 and 30 frames (it rewrites
  // POINT:FRAMES); the file declares 1149 and holds bytes for exactly 29 (25056 bytes from
  // block 8 at 864 bytes a frame): we keep 29 and say so.
  d = read_c3d_data(optotrak);
  EXPECT_EQ(d.labels.size(), 54u);
  EXPECT_EQ(d.rate, 30.0);
  EXPECT_FLOAT_EQ(static_cast<float>(d.scale), -7.8661418f);
  EXPECT_EQ(d.frames, 29);
  EXPECT_EQ(d.declared_frames, 1149);
  EXPECT_TRUE(d.truncated);
  EXPECT_EQ(d.units, "mm");  // POINT:UNITS holds one "mm" per point
  ASSERT_EQ(d.warnings.size(), 1u);
  EXPECT_NE(d.warnings[0].find("29 of 1149 declared frames"), std::string::npos) << d.warnings[0];
  expect_marker(d, 28, "Marker_1", 323.379822, 349.00177, -446.196716);
}

TEST(C3dReal, NamedMarkersPerVendor) {
  C3D_OR_SKIP(vicon, "HuMoN-QualisysMotionCapture/trial025.c3d");
  C3D_OR_SKIP(evart, "BTKData/others__Gait.c3d");
  C3D_OR_SKIP(coda, "BTKData/others__ADemo1_rewrite_c3d_pc_integer.c3d");
  C3D_OR_SKIP(optitrack, "BTKData/others__mocap36.c3d");
  C3D_OR_SKIP(workstation, "BTKData/others__FunctionalLHip.c3d");
  C3D_OR_SKIP(shadow, "kineticstoolkit/many_analogs.c3d");
  C3dData d = read_c3d_data(vicon);  // Vicon Nexus 1.7, Intel float
  EXPECT_EQ(d.frames, 1300);
  EXPECT_EQ(d.rate, 120.0);
  expect_marker(d, 100, "LASI", 3.63822532, 325.359131, 930.280579);
  expect_marker(d, 100, "RTOE", 34.3629684, 64.7331848, 57.6799393);

  d = read_c3d_data(evart);  // Motion Analysis EVaRT 5.0, DEC int16
  EXPECT_EQ(d.processor, C3dProcessor::dec);
  EXPECT_EQ(d.frames, 487);
  expect_marker(d, 200, "RASI", 1183.30176, 91.0003204, 904.348267);
  expect_marker(d, 200, "LHEE", 1572.45276, -79.6903915, 52.0852203);

  d = read_c3d_data(coda);  // Codamotion, Intel int16
  EXPECT_EQ(d.frames, 512);
  EXPECT_EQ(d.rate, 200.0);
  expect_marker(d, 100, "L.ASIS", 720.700012, -121.900002, 820.299988);
  expect_marker(d, 100, "R.Knee", 982, 132.300003, 361.899994);

  d = read_c3d_data(optitrack);  // OptiTrack
  EXPECT_EQ(d.frames, 1380);
  expect_marker(d, 0, "Skeleton_Hip1", 198.91774, 24.8411274, 981.493652);
  expect_marker(d, 0, "Skeleton_Head2", 17.1769619, -89.7540817, 1710.75891);

  d = read_c3d_data(workstation);  // Workstation 5.2, DEC float
  EXPECT_EQ(d.processor, C3dProcessor::dec);
  EXPECT_EQ(d.frames, 1577);
  expect_marker(d, 0, "LASI", 599.278625, 575.053467, 946.697205);
  expect_marker(d, 0, "RTOE", 574.452026, 455.426086, 30.333786);

  d = read_c3d_data(shadow);  // Motion Workshop, ANALOG:RATE 0
  EXPECT_EQ(d.frames, 710);
  EXPECT_EQ(d.analog_channels, 922);
  EXPECT_EQ(d.analog_per_frame, 1);
  expect_marker(d, 0, "Hips", 66.4716187, 1007.21899, -203.824478);
}

TEST(C3dReal, QuirkyFilesAreRepaired) {
  C3D_OR_SKIP(dance, "BTKData/c3d.org__sample13__Dance.c3d");
  C3D_OR_SKIP(nw2, "ezc3d-testFiles/read_NOTworking2.c3d");
  C3D_OR_SKIP(kyowa, "pyc3dserver_examples/Sample27__kyowadengyo.c3d");
  C3D_OR_SKIP(s28, "BTKData/c3d.org__sample28__dynamic.C3D");
  C3D_OR_SKIP(overflow, "BTKData/others__parameterOverflow.c3d");
  C3D_OR_SKIP(rolling, "MocapRecovery/03_rolling.c3d");
  // Parameters run 3 blocks past the declared section, DATA_START 0, 499 of 500 frames.
  C3dData d = read_c3d_data(dance);
  EXPECT_EQ(d.frames, 499);
  EXPECT_EQ(d.declared_frames, 500);
  EXPECT_EQ(d.labels.size(), 40u);
  EXPECT_EQ(d.warnings.size(), 3u);
  expect_marker(d, 498, "Channel101", 1546.63806, -73.2094116, 57.7331161);

  d = read_c3d_data(nw2);  // DATA_START 0, DEC int16
  EXPECT_EQ(d.frames, 670);
  EXPECT_EQ(d.rate, 25.0);
  expect_marker(d, 669, "C7", 12.0267239, -63.6112289, 1516.38159);

  d = read_c3d_data(kyowa);  // USED 12, header 11
  EXPECT_EQ(d.labels.size(), 11u);
  EXPECT_EQ(d.frames, 152);
  EXPECT_FALSE(d.truncated);
  expect_marker(d, 151, "RMT5", 141.424088, 1745.97632, 31.0456409);
  expect_marker(d, 151, "LSHO", -161.229996, 1560.08435, 1301.24341);

  d = read_c3d_data(s28);  // no SCALE/RATE/DATA_START
  EXPECT_EQ(d.rate, 100.0);
  EXPECT_EQ(d.scale, -1.0);
  EXPECT_EQ(d.frames, 296);

  d = read_c3d_data(overflow);  // parameters to block 50
  EXPECT_EQ(d.labels.size(), 142u);
  EXPECT_EQ(d.frames, 101);

  d = read_c3d_data(rolling);  // gaps: (0, 0, 0), residual 65535
  int gaps = 0;
  for (int t = 0; t < d.frames; ++t) gaps += d.points[(static_cast<size_t>(t) * d.labels.size() + column(d, "LRFHD")) * 4 + 3] < 0;
  EXPECT_EQ(gaps, 281);
}

TEST(C3dReal, IrrecoverableFilesFailWithOneLine) {
  C3D_OR_SKIP(s20, "BTKData/c3d.org__sample20__phasespace_sample.c3d");
  C3D_OR_SKIP(overflow, "BTKData/others__parameterOverflow.c3d");
  C3D_OR_SKIP(optotrak, "ezc3d-testFiles/Optotrak.c3d");
  EXPECT_TRUE(test::throws_format_error([&] { read_c3d_motions(s20, ReadOptions{}); }, "sample20", -1,
                                        {"no point labels", "40 markers"}));
  EXPECT_TRUE(test::throws_format_error(
      [&] { read_c3d_motions(overflow, ReadOptions{}); },
      "parameterOverflow", -1, {"plugin_gait markers are gaps in all 101 frames", "LHipAngles"}));
  EXPECT_TRUE(test::throws_format_error([&] { only_clip(optotrak); }, "Optotrak", -1,
                                        {"labels seen: Marker_1 Marker_2", "--markers FILE.json"}));
}

TEST(C3dReal, FunctionalLHipIsUprightLowerBody) {
  // The "upside down, 1.1 m torso" clip: the upper-body markers are (0, 0, 0) in every
  // frame (not reconstructed), once read as points at the lab origin.
  C3D_OR_SKIP(f, "BTKData/others__FunctionalLHip.c3d");
  const RawClip c = only_clip(f);
  EXPECT_EQ(c.frames, 1577);
  for (int t = 0; t < c.frames; t += 100) {
    EXPECT_EQ(joint(c, t, Neck)[3], 0.f);
    ASSERT_GT(joint(c, t, MidHip)[3], 0.f);
    EXPECT_GT(joint(c, t, MidHip)[1], joint(c, t, RKnee)[1] + 200) << "frame " << t;
  }
  const Body b = body_of(c);
  EXPECT_GT(b.thigh, 380);
  EXPECT_LT(b.thigh, 430);
}

TEST(C3dReal, BodiesAreHumanSizedAndUpright) {
  // Each file present is checked (some recordings are kept aside for acceptance checks).
  int checked = 0;
  struct Want {
    const char* file;
    const char* convention;
  };
  for (const Want& w : {Want{"HuMoN-QualisysMotionCapture/trial025.c3d", "plugin_gait"},
                        Want{"HuMoN-QualisysMotionCapture/trial112.c3d", "plugin_gait"},
                        Want{"MocapRecovery/135_02.c3d", "cmu41"},
                        Want{"nimblephysics/c3d__cmu_dribble_shoot_basketball.c3d", "cmu41"},
                        Want{"ezc3d-testFiles/Qualisys.c3d", "isb_qualisys"},
                        Want{"BTKData/others__Gait.c3d", "helen_hayes"},
                        Want{"BTKData/others__mocap36.c3d", "optitrack_skeleton"},
                        Want{"kineticstoolkit/many_analogs.c3d", "motion_workshop"},
                        Want{"kineticstoolkit/kinematics_tennis_serve.c3d", "plugin_gait"}}) {
    SCOPED_TRACE(w.file);
    const fs::path f = c3d_file(w.file);
    if (f.empty()) continue;  // absent here
    ++checked;
    const std::vector<SourceMotion> m = read_c3d_motions(f, ReadOptions{});
    EXPECT_EQ(choose_convention(m[0].points, "c3d", f.string()).convention().id, w.convention);
    const Body b = body_of(only_clip(f));
    EXPECT_GT(b.thigh, 300);
    EXPECT_LT(b.thigh, 560);
    EXPECT_GT(b.torso, 350);
    EXPECT_LT(b.torso, 700);
    EXPECT_GE(b.upright, 0.9);
  }
  if (checked == 0) GTEST_SKIP() << "none of the C3D files is present";
}

TEST(C3dReal, TwoPlayersGiveTwoClipsInMillimetres) {
  C3D_OR_SKIP(f, "kineticstoolkit/kinematics_tennis_serve_2players.c3d");
  const C3dData d = read_c3d_data(f);
  EXPECT_EQ(d.units, "m");
  expect_marker(d, 10, "Derrick:LASI", -0.292325169, 1.95507979, 0.896358252);
  const std::vector<SourceMotion> m = c3d_source_motions(d, f.string(), ReadOptions{});
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(m[0].part, "Derrick");
  EXPECT_EQ(m[1].part, "Viktor");
  EXPECT_EQ(m[0].point_count(), 39);
  // No X/Y_SCREEN, Z up: X = +X, Y = +Z, Z = X x Y = -Y (lab), in mm.
  const float* lasi = m[1].at(10, 0, 3);
  EXPECT_EQ(m[1].points[3], "Viktor:LASI");
  EXPECT_NEAR(lasi[0], 1572.26813, 1e-2);
  EXPECT_NEAR(lasi[1], 849.416316, 1e-2);
  EXPECT_NEAR(lasi[2], 569.325447, 1e-2);
}

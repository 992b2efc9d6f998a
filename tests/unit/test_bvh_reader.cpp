// BVH reader: a literal CMU-style skeleton (centimetres, Y up) whose joint positions
// are worked out by hand (standing, translated, 90-degree elbow, 90-degree root
// turn), rotation-order permutations, position channels on a child joint, Mixamo /
// Bandai-Namco / Hip-Knee-Ankle name variants, units, writer round trip and broken
// MOTION sections that must name the frame.
#include <gtest/gtest.h>

#include <regex>

#include "lmm/core/atomic_file.h"
#include "lmm/core/error.h"
#include "lmm/io/bvh.h"
#include "lmm/io/reader.h"
#include "test_support.h"

using namespace lmm;
using namespace lmm::io;

namespace {

// CMU layout (as in the CMU BVH conversions) with round offsets; units are cm.
// Rest pose: hips at the origin, legs down (-Y), arms out (+-X), toes forward (+Z).
const char* kCmuHierarchy = R"(HIERARCHY
ROOT Hips
{
	OFFSET 0 0 0
	CHANNELS 6 Xposition Yposition Zposition Zrotation Yrotation Xrotation
	JOINT LHipJoint
	{
		OFFSET 0 0 0
		CHANNELS 3 Zrotation Yrotation Xrotation
		JOINT LeftUpLeg
		{
			OFFSET 10 -5 0
			CHANNELS 3 Zrotation Yrotation Xrotation
			JOINT LeftLeg
			{
				OFFSET 0 -45 0
				CHANNELS 3 Zrotation Yrotation Xrotation
				JOINT LeftFoot
				{
					OFFSET 0 -40 0
					CHANNELS 3 Zrotation Yrotation Xrotation
					JOINT LeftToeBase
					{
						OFFSET 0 -5 12
						CHANNELS 3 Zrotation Yrotation Xrotation
						End Site
						{
							OFFSET 0 0 5
						}
					}
				}
			}
		}
	}
	JOINT RHipJoint
	{
		OFFSET 0 0 0
		CHANNELS 3 Zrotation Yrotation Xrotation
		JOINT RightUpLeg
		{
			OFFSET -10 -5 0
			CHANNELS 3 Zrotation Yrotation Xrotation
			JOINT RightLeg
			{
				OFFSET 0 -45 0
				CHANNELS 3 Zrotation Yrotation Xrotation
				JOINT RightFoot
				{
					OFFSET 0 -40 0
					CHANNELS 3 Zrotation Yrotation Xrotation
					JOINT RightToeBase
					{
						OFFSET 0 -5 12
						CHANNELS 3 Zrotation Yrotation Xrotation
						End Site
						{
							OFFSET 0 0 5
						}
					}
				}
			}
		}
	}
	JOINT LowerBack
	{
		OFFSET 0 0 0
		CHANNELS 3 Zrotation Yrotation Xrotation
		JOINT Spine
		{
			OFFSET 0 10 0
			CHANNELS 3 Zrotation Yrotation Xrotation
			JOINT Spine1
			{
				OFFSET 0 20 0
				CHANNELS 3 Zrotation Yrotation Xrotation
				JOINT Neck
				{
					OFFSET 0 15 0
					CHANNELS 3 Zrotation Yrotation Xrotation
					JOINT Neck1
					{
						OFFSET 0 5 0
						CHANNELS 3 Zrotation Yrotation Xrotation
						JOINT Head
						{
							OFFSET 0 5 0
							CHANNELS 3 Zrotation Yrotation Xrotation
							End Site
							{
								OFFSET 0 15 0
							}
						}
					}
				}
				JOINT LeftShoulder
				{
					OFFSET 0 15 0
					CHANNELS 3 Zrotation Yrotation Xrotation
					JOINT LeftArm
					{
						OFFSET 18 0 0
						CHANNELS 3 Zrotation Yrotation Xrotation
						JOINT LeftForeArm
						{
							OFFSET 28 0 0
							CHANNELS 3 Zrotation Yrotation Xrotation
							JOINT LeftHand
							{
								OFFSET 25 0 0
								CHANNELS 3 Zrotation Yrotation Xrotation
								End Site
								{
									OFFSET 10 0 0
								}
							}
						}
					}
				}
				JOINT RightShoulder
				{
					OFFSET 0 15 0
					CHANNELS 3 Zrotation Yrotation Xrotation
					JOINT RightArm
					{
						OFFSET -18 0 0
						CHANNELS 3 Zrotation Yrotation Xrotation
						JOINT RightForeArm
						{
							OFFSET -28 0 0
							CHANNELS 3 Zrotation Yrotation Xrotation
							JOINT RightHand
							{
								OFFSET -25 0 0
								CHANNELS 3 Zrotation Yrotation Xrotation
								End Site
								{
									OFFSET -10 0 0
								}
							}
						}
					}
				}
			}
		}
	}
}
MOTION
)";

// Motion columns: Hips has 6 (position, then Z Y X rotation), the 24 other joints 3
// (Z Y X) each; LeftForeArm is the 19th joint after Hips -> columns 6 + 18*3.
constexpr int kChannels = 6 + 24 * 3;
constexpr int kLeftForeArmZ = 6 + 18 * 3;

std::string row(std::vector<std::pair<int, double>> set) {
  std::vector<double> v(kChannels, 0.0);
  for (auto& [c, x] : set) v[c] = x;
  std::string s;
  for (int c = 0; c < kChannels; ++c) s += (c ? " " : "") + std::to_string(v[c]);
  return s + "\n";
}

// Frame 0: standing with the hips 100 cm up. Frame 1: moved by (5, 0, -3) and the left
// elbow bent 90 degrees about Z. Frame 2: frame 1's elbow, no move, the hips turned
// 90 degrees about Y.
std::string cmu_motion() {
  return "Frames: 3\nFrame Time: 0.0083333\n" + row({{1, 100}}) +
         row({{0, 5}, {1, 100}, {2, -3}, {kLeftForeArmZ, 90}}) +
         row({{1, 100}, {4, 90}, {kLeftForeArmZ, 90}});
}

std::string cmu_bvh() { return kCmuHierarchy + cmu_motion(); }

RawClip read_text_bvh(const lmm::test::TempDir& dir, const std::string& text, const std::string& name = "c.bvh",
                      double fps = 0, View view = View::front) {
  write_text_atomic(dir / name, text);
  return read_bvh(dir / name, fps, view);
}

const float* j3(const RawClip& c, int t, int j) { return &c.pose3d[(static_cast<size_t>(t) * kNumJoints + j) * 4]; }

void expect_joint(const RawClip& c, int t, int j, float x, float y, float z) {
  const float* p = j3(c, t, j);
  EXPECT_NEAR(p[0], x, 1e-3) << joint_name(j) << " frame " << t;
  EXPECT_NEAR(p[1], y, 1e-3) << joint_name(j) << " frame " << t;
  EXPECT_NEAR(p[2], z, 1e-3) << joint_name(j) << " frame " << t;
  EXPECT_EQ(p[3], 1.f) << joint_name(j) << " frame " << t;
}

std::string rename_joints(std::string text, const std::vector<std::pair<std::string, std::string>>& names) {
  for (auto& [from, to] : names) text = std::regex_replace(text, std::regex("(ROOT|JOINT) " + from + "\n"), "$1 " + to + "\n");
  return text;
}

void expect_same_pose3d(const RawClip& a, const RawClip& b) {
  ASSERT_EQ(a.pose3d.size(), b.pose3d.size());
  for (size_t i = 0; i < a.pose3d.size(); ++i) EXPECT_EQ(a.pose3d[i], b.pose3d[i]) << "value " << i;
}

}  // namespace

TEST(BvhReader, CmuSkeletonJointPositionsByHand) {
  lmm::test::TempDir dir;
  const RawClip c = read_text_bvh(dir, cmu_bvh(), "walk.bvh");
  EXPECT_EQ(c.name, "walk");
  EXPECT_EQ(c.source_format, "bvh");
  EXPECT_EQ(c.fps, 120.0);  // 1 / 0.0083333, snapped
  ASSERT_EQ(c.frames, 3);
  // Frame 0 (mm): the sum of offsets from the hips at (0, 1000, 0).
  expect_joint(c, 0, Nose, 0, 1550, 0);  // Head joint
  expect_joint(c, 0, Neck, 0, 1450, 0);
  expect_joint(c, 0, LShoulder, 180, 1450, 0);  // LeftArm, not the LeftShoulder clavicle
  expect_joint(c, 0, LElbow, 460, 1450, 0);
  expect_joint(c, 0, LWrist, 710, 1450, 0);
  expect_joint(c, 0, RWrist, -710, 1450, 0);
  expect_joint(c, 0, LHip, 100, 950, 0);
  expect_joint(c, 0, RHip, -100, 950, 0);
  expect_joint(c, 0, MidHip, 0, 950, 0);
  expect_joint(c, 0, LKnee, 100, 500, 0);
  expect_joint(c, 0, LAnkle, 100, 100, 0);
  expect_joint(c, 0, LBigToe, 100, 50, 170);  // End Site of LeftToeBase
  for (int j : {LHeel, RHeel, LSmallToe, RSmallToe, LEye, REye, LEar, REar}) EXPECT_EQ(j3(c, 0, j)[3], 0.f) << j;
  // Frame 1: translated; the forearm turned +90 about Z points up: hand = elbow + (0, 250, 0).
  expect_joint(c, 1, LElbow, 510, 1450, -30);
  expect_joint(c, 1, LWrist, 510, 1700, -30);
  expect_joint(c, 1, RWrist, -660, 1450, -30);
  expect_joint(c, 1, LAnkle, 150, 100, -30);
  // Frame 2: Ry(90) maps (x, y, z) -> (z, y, -x) for everything below the hips.
  expect_joint(c, 2, LElbow, 0, 1450, -460);
  expect_joint(c, 2, LWrist, 0, 1700, -460);
  expect_joint(c, 2, RShoulder, 0, 1450, 180);
  expect_joint(c, 2, LBigToe, 170, 50, -100);
  // The 2D front view: x = X, y = -Y.
  EXPECT_NEAR(c.pose[(1 * kNumJoints + LWrist) * 3 + 0], 510, 1e-3);
  EXPECT_NEAR(c.pose[(1 * kNumJoints + LWrist) * 3 + 1], -1700, 1e-3);
}

TEST(BvhReader, RotationChannelOrderIsHonoured) {
  // One child at offset (1, 0, 0) under a rotating root, angles 90/90 on two axes.
  auto child_at = [](const std::string& order, const std::string& values) {
    const std::string text = "HIERARCHY\nROOT A\n{\nOFFSET 0 0 0\nCHANNELS 3 " + order +
                             "\nJOINT B\n{\nOFFSET 1 0 0\nCHANNELS 0\n}\n}\nMOTION\nFrames: 1\nFrame Time: 0.1\n" +
                             values + "\n";
    const BvhData d = parse_bvh(text, "order.bvh");
    const std::vector<double> p = bvh_forward_kinematics(d);  // (1, 2, 3)
    return std::array<double, 3>{p[3], p[4], p[5]};
  };
  using V = std::array<double, 3>;
  auto near = [](const V& a, const V& b) {
    for (int k = 0; k < 3; ++k)
      if (std::abs(a[k] - b[k]) > 1e-12) return false;
    return true;
  };
  // R = Rz(90) Rx(90): Rx leaves (1,0,0), Rz takes it to (0,1,0).
  EXPECT_TRUE(near(child_at("Zrotation Xrotation Yrotation", "90 90 0"), V{0, 1, 0}));
  EXPECT_TRUE(near(child_at("Yrotation Zrotation Xrotation", "0 90 90"), V{0, 1, 0}));
  // R = Rx(90) Rz(90): Rz takes (1,0,0) to (0,1,0), Rx takes that to (0,0,1).
  EXPECT_TRUE(near(child_at("Xrotation Zrotation Yrotation", "90 90 0"), V{0, 0, 1}));
  EXPECT_TRUE(near(child_at("Yrotation Xrotation Zrotation", "0 90 90"), V{0, 0, 1}));
  // R = Rx(90) Ry(90): Ry takes (1,0,0) to (0,0,-1), Rx takes that to (0,1,0).
  EXPECT_TRUE(near(child_at("Xrotation Yrotation Zrotation", "90 90 0"), V{0, 1, 0}));
  // R = Ry(90) Rx(90): (0,0,-1). Lower-case channel names are accepted.
  EXPECT_TRUE(near(child_at("yrotation xrotation zrotation", "90 90 0"), V{0, 0, -1}));
}

TEST(BvhReader, PositionChannelsOnAChildAddToItsOffset) {
  const std::string text =
      "HIERARCHY\nROOT A\n{\nOFFSET 0 0 0\nCHANNELS 6 Xposition Yposition Zposition Xrotation Yrotation Zrotation\n"
      "JOINT B\n{\nOFFSET 1 0 0\nCHANNELS 6 Zrotation Xposition Yposition Zposition Yrotation Xrotation\n"
      "End Site\n{\nOFFSET 0 2 0\n}\n}\n}\nMOTION\nFrames: 1\nFrame Time: 0.1\n"
      "10 20 30 0 0 0  90 1 2 3 0 0\n";
  const BvhData d = parse_bvh(text, "pos.bvh");
  ASSERT_EQ(d.joints.size(), 3u);
  EXPECT_EQ(d.joints[2].name, "B_End");
  EXPECT_TRUE(d.joints[2].end_site);
  const std::vector<double> p = bvh_forward_kinematics(d);
  // B = A + (1 + 1, 0 + 2, 0 + 3); its End Site = B + Rz(90) (0, 2, 0) = B + (-2, 0, 0).
  EXPECT_DOUBLE_EQ(p[3], 12);
  EXPECT_DOUBLE_EQ(p[4], 22);
  EXPECT_DOUBLE_EQ(p[5], 33);
  EXPECT_NEAR(p[6], 10, 1e-12);
  EXPECT_NEAR(p[7], 22, 1e-12);
  EXPECT_NEAR(p[8], 33, 1e-12);
}

TEST(BvhReader, NameVariantsMapToTheSamePose) {
  lmm::test::TempDir dir;
  const RawClip cmu = read_text_bvh(dir, cmu_bvh());
  // Mixamo: every joint carries "mixamorig:".
  std::string mixamo = std::regex_replace(cmu_bvh(), std::regex("(ROOT|JOINT) "), "$1 mixamorig:");
  expect_same_pose3d(cmu, read_text_bvh(dir, mixamo, "mixamo.bvh"));
  // Bandai-Namco style "_L/_R" names.
  const std::vector<std::pair<std::string, std::string>> bandai = {
      {"LeftUpLeg", "UpperLeg_L"}, {"LeftLeg", "LowerLeg_L"},    {"LeftFoot", "Foot_L"},     {"LeftToeBase", "Toes_L"},
      {"RightUpLeg", "UpperLeg_R"}, {"RightLeg", "LowerLeg_R"},  {"RightFoot", "Foot_R"},    {"RightToeBase", "Toes_R"},
      {"LeftShoulder", "Shoulder_L"}, {"LeftArm", "UpperArm_L"}, {"LeftForeArm", "LowerArm_L"}, {"LeftHand", "Hand_L"},
      {"RightShoulder", "Shoulder_R"}, {"RightArm", "UpperArm_R"}, {"RightForeArm", "LowerArm_R"}, {"RightHand", "Hand_R"}};
  expect_same_pose3d(cmu, read_text_bvh(dir, rename_joints(cmu_bvh(), bandai), "bandai.bvh"));
  // Hip/Knee/Ankle + Collar/Shoulder/Elbow/Wrist names: "LeftShoulder" is then the
  // shoulder joint (the parent of the elbow), not the clavicle.
  const std::vector<std::pair<std::string, std::string>> hka = {
      {"LeftShoulder", "LeftCollar"}, {"RightShoulder", "RightCollar"}, {"LeftArm", "LeftShoulder"},
      {"RightArm", "RightShoulder"},  {"LeftForeArm", "LeftElbow"},     {"RightForeArm", "RightElbow"},
      {"LeftHand", "LeftWrist"},      {"RightHand", "RightWrist"},      {"LeftUpLeg", "LeftHip"},
      {"RightUpLeg", "RightHip"},     {"LeftLeg", "LeftKnee"},          {"RightLeg", "RightKnee"},
      {"LeftFoot", "LeftAnkle"},      {"RightFoot", "RightAnkle"},      {"LeftToeBase", "LeftToe"},
      {"RightToeBase", "RightToe"}};
  std::string renamed = rename_joints(cmu_bvh(), {{"LeftShoulder", "LeftCollar"}, {"RightShoulder", "RightCollar"}});
  renamed = rename_joints(renamed, {hka.begin() + 2, hka.end()});
  expect_same_pose3d(cmu, read_text_bvh(dir, renamed, "hka.bvh"));
}

TEST(BvhReader, UnitsAreEstimatedOrGiven) {
  // The same skeleton in CMU/ASF units (1/0.45 inch = 56.444 mm) reads as the same mm.
  const BvhData cm = parse_bvh(cmu_bvh(), "cm.bvh");
  EXPECT_EQ(bvh_estimate_mm_per_unit(cm), 10.0);
  BvhData asf = cm;
  const double k = 10.0 / (25.4 / 0.45);
  for (auto& j : asf.joints)
    for (double& v : j.offset) v *= k;
  EXPECT_DOUBLE_EQ(bvh_estimate_mm_per_unit(asf), 25.4 / 0.45);
  BvhData metres = cm;
  for (auto& j : metres.joints)
    for (double& v : j.offset) v /= 100;
  EXPECT_EQ(bvh_estimate_mm_per_unit(metres), 1000.0);
  // An explicit unit wins: cm read as mm gives a tenth of the size.
  BvhOptions opt;
  opt.mm_per_unit = 1;
  lmm::test::TempDir dir;
  write_text_atomic(dir / "u.bvh", cmu_bvh());
  const RawClip c = read_bvh(dir / "u.bvh", 30, View::front, opt);
  EXPECT_EQ(c.fps, 30.0);
  EXPECT_NEAR(j3(c, 0, LWrist)[0], 71, 1e-4);
}

TEST(BvhReader, WriterRoundTrips) {
  const BvhData d = parse_bvh(cmu_bvh(), "a.bvh");
  const BvhData e = parse_bvh(format_bvh(d), "b.bvh");
  ASSERT_EQ(e.joints.size(), d.joints.size());
  for (size_t j = 0; j < d.joints.size(); ++j) {
    EXPECT_EQ(e.joints[j].name, d.joints[j].name);
    EXPECT_EQ(e.joints[j].parent, d.joints[j].parent);
    EXPECT_EQ(e.joints[j].offset, d.joints[j].offset);
    EXPECT_EQ(e.joints[j].channels, d.joints[j].channels);
  }
  EXPECT_EQ(e.motion, d.motion);
  EXPECT_EQ(e.frame_time, d.frame_time);
  EXPECT_EQ(bvh_frame_rate(0.0333667), 1 / 0.0333667);  // 29.97 stays 29.97
}

TEST(BvhReader, TruncatedMotionNamesTheFrame) {
  const std::string text = kCmuHierarchy + std::string("Frames: 3\nFrame Time: 0.01\n") + row({}) + row({});
  try {
    parse_bvh(text, "short.bvh");
    FAIL() << "expected FormatError";
  } catch (const FormatError& e) {
    EXPECT_EQ(e.frame(), 2);
    EXPECT_EQ(e.file(), "short.bvh");
    EXPECT_NE(std::string(e.what()).find("short.bvh: frame 2: MOTION section ends after 2 frames"), std::string::npos)
        << e.what();
  }
}

TEST(BvhReader, WrongValueCountOrNonNumbersNameTheFrame) {
  std::string bad = row({});
  bad = bad.substr(0, bad.rfind(' ')) + "\n";  // 77 values
  try {
    parse_bvh(kCmuHierarchy + std::string("Frames: 2\nFrame Time: 0.01\n") + row({}) + bad, "count.bvh");
    FAIL() << "expected FormatError";
  } catch (const FormatError& e) {
    EXPECT_EQ(e.frame(), 1);
    EXPECT_NE(e.reason().find("has 77 values, expected 78"), std::string::npos) << e.what();
  }
  std::string nan = row({});
  nan.replace(0, nan.find(' '), "nan");
  try {
    parse_bvh(kCmuHierarchy + std::string("Frames: 1\nFrame Time: 0.01\n") + nan, "nan.bvh");
    FAIL() << "expected FormatError";
  } catch (const FormatError& e) {
    EXPECT_EQ(e.frame(), 0);
    EXPECT_NE(e.reason().find("'nan' is not a finite number"), std::string::npos) << e.what();
  }
}

TEST(BvhReader, BrokenHierarchiesThrowWithTheLine) {
  auto reason = [](const std::string& text) {
    try {
      parse_bvh(text, "h.bvh");
    } catch (const FormatError& e) {
      EXPECT_EQ(e.frame(), -1);
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(reason("HIERARCHY\nROOT A\n{\nOFFSET 0 0 0\nCHANNELS 1 Wrotation\n}\nMOTION\n").find("line 5"),
            std::string::npos);
  EXPECT_NE(reason("HIERARCHY\nROOT A\n{\nOFFSET 0 0\n").find("OFFSET value"), std::string::npos);
  EXPECT_NE(reason("HIERARCHY\nROOT A\n{\nOFFSET 0 0 0\nCHANNELS 1 Xrotation\nMOTION\n").find("missing '}'"),
            std::string::npos);
  EXPECT_NE(reason("HIERARCHY\nJOINT A\n{\n}\nMOTION\n").find("JOINT outside a ROOT"), std::string::npos);
  EXPECT_NE(reason("HIER").find("expected 'HIERARCHY'"), std::string::npos);
}

TEST(BvhReader, SkeletonWithoutArmsListsTheMissingJoints) {
  lmm::test::TempDir dir;
  const std::string text = rename_joints(cmu_bvh(), {{"LeftForeArm", "LeftThing"}, {"RightHand", "RightPaw"}});
  try {
    read_text_bvh(dir, text, "noarm.bvh");
    FAIL() << "expected FormatError";
  } catch (const FormatError& e) {
    const std::string w = e.what();
    EXPECT_NE(w.find("noarm.bvh"), std::string::npos) << w;
    EXPECT_NE(w.find("RWrist (a joint named like RightHand"), std::string::npos) << w;
    EXPECT_NE(w.find("LElbow (a joint named like LeftForeArm"), std::string::npos) << w;
    EXPECT_NE(w.find("LeftThing"), std::string::npos) << w;  // the file's joints are listed
  }
}

TEST(BvhReader, RealFilesWhenAvailable) {
  const auto dir = lmm::test::shared_data("bvh");
  if (dir.empty()) GTEST_SKIP() << "no real BVH files under ../shared/data/bvh (absent on this machine)";
  int n = 0;
  for (auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (e.path().extension() != ".bvh" || n >= 3) continue;
    ++n;
    const RawClip c = read_bvh(e.path(), 0, View::front);
    EXPECT_GT(c.frames, 0) << e.path();
    EXPECT_EQ(j3(c, 0, Neck)[3], 1.f) << e.path();
  }
  if (n == 0) GTEST_SKIP() << dir << " holds no .bvh files";
}

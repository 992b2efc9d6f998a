// BVH reader on generated files: a literal CMU-style skeleton (centimetres, Y up) whose
// joint positions are worked out by hand (standing, translated, 90-degree elbow,
// 90-degree root turn), rotation-order permutations, position channels (replacing the
// OFFSET when they equal it, added when they are a displacement, root OFFSET = first
// frame), the rig tables (Mixamo, Bandai Namco, Biovision, iClone CC, Blender with the
// wrist as the forearm's End Site, Unreal, DAZ, Biped, a user's --joints table), units by
// anatomy, extra lines after the frames, the probe, writer round trip and broken files
// that must name the file and frame. Real files: test_bvh_real.cpp.
#include <gtest/gtest.h>

#include <fstream>
#include <functional>
#include <regex>

#include "lmm/core/atomic_file.h"
#include "lmm/core/error.h"
#include "lmm/io/bvh.h"
#include "lmm/io/convention.h"
#include "lmm/io/format_registry.h"
#include "lmm/io/reader.h"
#include "expect_format_error.h"
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

void expect_same_pose3d(const RawClip& a, const RawClip& b, float tol = 0) {
  ASSERT_EQ(a.pose3d.size(), b.pose3d.size());
  for (size_t i = 0; i < a.pose3d.size(); ++i)
    EXPECT_NEAR(a.pose3d[i], b.pose3d[i], tol) << joint_name(static_cast<int>(i / 4 % kNumJoints)) << " value " << i;
}

RawClip read_data_bvh(const lmm::test::TempDir& dir, const BvhData& d, const std::string& name,
                      const BvhOptions& opt = {}) {
  write_text_atomic(dir / name, format_bvh(d));
  return read_bvh(dir / name, 0, View::front, opt);
}

// d with Xposition Yposition Zposition prepended to every non-root joint's channels, set
// to value(joint) in every frame (motion rows rebuilt).
BvhData with_child_positions(const BvhData& d, const std::function<std::array<double, 3>(const BvhJoint&)>& value) {
  BvhData e = d;
  e.motion.clear();
  e.channels = 0;
  for (BvhJoint& j : e.joints) {
    if (j.parent >= 0 && !j.end_site)
      j.channels.insert(j.channels.begin(), {BvhChannel::Xposition, BvhChannel::Yposition, BvhChannel::Zposition});
    j.first_channel = e.channels;
    e.channels += static_cast<int>(j.channels.size());
  }
  for (int t = 0; t < d.frames; ++t)
    for (size_t k = 0; k < d.joints.size(); ++k) {
      const BvhJoint& j = d.joints[k];
      if (j.parent >= 0 && !j.end_site)
        for (double v : value(j)) e.motion.push_back(v);
      for (size_t c = 0; c < j.channels.size(); ++c) e.motion.push_back(d.motion[t * d.channels + j.first_channel + c]);
    }
  return e;
}

// d with every length (OFFSETs, position channels) multiplied by k.
BvhData scaled(BvhData d, double k) {
  for (BvhJoint& j : d.joints) {
    for (double& v : j.offset) v *= k;
    for (size_t c = 0; c < j.channels.size(); ++c)
      if (static_cast<int>(j.channels[c]) < 3)
        for (int t = 0; t < d.frames; ++t) d.motion[t * d.channels + j.first_channel + c] *= k;
  }
  return d;
}

// d without joint `name` (a joint whose only child is an End Site): the End Site moves to
// the joint's place under its parent, the joint's channels leave the rows. With zero
// rotations on the removed joint the End Site is where the joint was.
BvhData without_joint(const BvhData& d, const std::string& name) {
  BvhData e;
  e.frames = d.frames;
  e.frame_time = d.frame_time;
  int removed = -1;
  std::vector<int> new_index(d.joints.size(), -1);
  for (size_t k = 0; k < d.joints.size(); ++k) {
    BvhJoint j = d.joints[k];
    if (j.name == name) {
      removed = static_cast<int>(k);
      continue;
    }
    if (j.parent == removed && removed >= 0) {
      j.parent = d.joints[removed].parent;
      j.offset = d.joints[removed].offset;
      j.name = d.joints[j.parent].name + "_End";
    }
    if (j.parent >= 0) j.parent = new_index[j.parent];
    j.first_channel = e.channels;
    e.channels += static_cast<int>(j.channels.size());
    new_index[k] = static_cast<int>(e.joints.size());
    e.joints.push_back(std::move(j));
  }
  for (int t = 0; t < d.frames; ++t)
    for (size_t k = 0; k < d.joints.size(); ++k)
      if (static_cast<int>(k) != removed)
        for (size_t c = 0; c < d.joints[k].channels.size(); ++c)
          e.motion.push_back(d.motion[t * d.channels + d.joints[k].first_channel + c]);
  return e;
}

std::vector<std::pair<std::string, std::string>> sided(const std::vector<std::pair<std::string, std::string>>& left,
                                                      const std::string& from_l, const std::string& from_r,
                                                      const std::string& to_l, const std::string& to_r) {
  std::vector<std::pair<std::string, std::string>> out;
  for (auto& [from, to] : left) {
    out.push_back({from, to});
    std::string f = from, t = to;
    f.replace(f.find(from_l), from_l.size(), from_r);
    t.replace(t.find(to_l), to_l.size(), to_r);
    out.push_back({f, t});
  }
  return out;
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

TEST(BvhReader, PositionChannelsThatEqualTheOffsetReplaceIt) {
  // Bandai Namco style: every joint carries position channels equal to its OFFSET. Read as
  // the local translation (Blender, assimp), the skeleton is the plain one; added to the
  // OFFSET it would be twice as long.
  lmm::test::TempDir dir;
  const BvhData d = parse_bvh(cmu_bvh(), "cmu.bvh");
  const BvhData all6 = parse_bvh(format_bvh(with_child_positions(d, [](const BvhJoint& j) { return j.offset; })), "b.bvh");
  // Joints with OFFSET 0 (LHipJoint, RHipJoint, LowerBack) read the same either way.
  for (const BvhJoint& j : all6.joints)
    EXPECT_EQ(j.replaces_offset, (j.parent >= 0 && !j.end_site && j.offset != std::array<double, 3>{})) << j.name;
  expect_same_pose3d(read_text_bvh(dir, cmu_bvh()), read_data_bvh(dir, all6, "bandai_style.bvh"), 1e-3f);
  EXPECT_EQ(bvh_source_motion(all6, "b.bvh").warnings.size(), 1u);
  EXPECT_NE(bvh_source_motion(all6, "b.bvh").warnings[0].find("position channels of 21 joint(s) (LeftUpLeg, LeftLeg, LeftFoot, LeftToeBase, ...) start at their OFFSET"),
            std::string::npos);
}

TEST(BvhReader, PositionChannelsThatAreADisplacementAddToTheOffset) {
  // three.js style: (0, 1, 0) on every joint, far from its OFFSET: added, each bone 1 cm
  // longer along its parent's Y. LeftFoot has 4 such joints between it and the hips.
  const BvhData d = parse_bvh(cmu_bvh(), "cmu.bvh");
  const BvhData e = parse_bvh(format_bvh(with_child_positions(d, [](const BvhJoint&) {
                                return std::array<double, 3>{0, 1, 0};
                              })),
                              "add.bvh");
  for (const BvhJoint& j : e.joints) EXPECT_FALSE(j.replaces_offset) << j.name;
  const std::vector<double> p = bvh_forward_kinematics(e, 0, 1), q = bvh_forward_kinematics(d, 0, 1);
  const int foot = 4;  // Hips, LHipJoint, LeftUpLeg, LeftLeg, LeftFoot
  ASSERT_EQ(e.joints[foot].name, "LeftFoot");
  EXPECT_DOUBLE_EQ(p[foot * 3 + 1], q[foot * 3 + 1] + 4);
  EXPECT_DOUBLE_EQ(p[foot * 3 + 0], q[foot * 3 + 0]);
}

TEST(BvhReader, RootOffsetEqualToTheFirstFrameIsNotAddedTwice) {
  // LAFAN1 / PyMO: root OFFSET = frame 0's absolute root position. iClone CC: OFFSET =
  // rest height, channels a displacement from it. Both give the hips at 100 cm.
  lmm::test::TempDir dir;
  const RawClip plain = read_text_bvh(dir, cmu_bvh());
  BvhData lafan = parse_bvh(cmu_bvh(), "l.bvh");
  lafan.joints[0].offset = {0, 100, 0};
  lafan = parse_bvh(format_bvh(lafan), "lafan_style.bvh");
  EXPECT_TRUE(lafan.joints[0].replaces_offset);
  expect_same_pose3d(plain, read_data_bvh(dir, lafan, "lafan_style.bvh"), 1e-3f);
  BvhData cc = parse_bvh(cmu_bvh(), "c.bvh");
  cc.joints[0].offset = {0, 95, 0};
  for (int t = 0; t < cc.frames; ++t) cc.motion[t * cc.channels + 1] -= 95;  // Yposition 5
  cc = parse_bvh(format_bvh(cc), "cc_style.bvh");
  EXPECT_FALSE(cc.joints[0].replaces_offset);
  expect_same_pose3d(plain, read_data_bvh(dir, cc, "cc_style.bvh"), 1e-3f);
}

TEST(BvhReader, RigTablesMapToTheSamePose) {
  lmm::test::TempDir dir;
  const RawClip cmu = read_text_bvh(dir, cmu_bvh());
  // Mixamo: any "prefix:" on every joint.
  for (const char* prefix : {"mixamorig:", "Beta:"}) {
    const std::string text = std::regex_replace(cmu_bvh(), std::regex("(ROOT|JOINT) "), std::string("$1 ") + prefix);
    expect_same_pose3d(cmu, read_text_bvh(dir, text, "mixamo.bvh"));
  }
  using Names = std::vector<std::pair<std::string, std::string>>;
  auto same = [&](const std::string& rig, const Names& names, const Names& extra = {}) {
    SCOPED_TRACE(rig);
    std::string text = rename_joints(cmu_bvh(), names);
    text = rename_joints(text, extra);
    expect_same_pose3d(cmu, read_text_bvh(dir, text, rig + ".bvh"));
  };
  same("bandai", sided({{"LeftUpLeg", "UpperLeg_L"}, {"LeftLeg", "LowerLeg_L"}, {"LeftFoot", "Foot_L"},
                        {"LeftToeBase", "Toes_L"}, {"LeftShoulder", "Shoulder_L"}, {"LeftArm", "UpperArm_L"},
                        {"LeftForeArm", "LowerArm_L"}, {"LeftHand", "Hand_L"}},
                       "Left", "Right", "_L", "_R"));
  // Biovision Hip/Knee style: "LeftShoulder" is then the shoulder (the parent of the
  // elbow), not the clavicle; rename the clavicle first.
  std::string hka = rename_joints(cmu_bvh(), {{"LeftShoulder", "LeftCollar"}, {"RightShoulder", "RightCollar"}});
  hka = rename_joints(hka, sided({{"LeftArm", "LeftShoulder"}, {"LeftForeArm", "LeftElbow"}, {"LeftHand", "LeftWrist"},
                                  {"LeftUpLeg", "LeftHip"}, {"LeftLeg", "LeftKnee"}, {"LeftFoot", "LeftAnkle"},
                                  {"LeftToeBase", "LeftToe"}},
                                 "Left", "Right", "Left", "Right"));
  expect_same_pose3d(cmu, read_text_bvh(dir, hka, "hka.bvh"));
  same("unreal", sided({{"LeftArm", "upperarm_l"}, {"LeftForeArm", "lowerarm_l"}, {"LeftHand", "hand_l"},
                        {"LeftUpLeg", "thigh_l"}, {"LeftLeg", "calf_l"}, {"LeftFoot", "foot_l"}, {"LeftToeBase", "ball_l"}},
                       "Left", "Right", "_l", "_r"),
       {{"Neck", "neck_01"}, {"Head", "head"}});
  same("daz", sided({{"LeftArm", "lShldr"}, {"LeftForeArm", "lForeArm"}, {"LeftHand", "lHand"}, {"LeftUpLeg", "lThigh"},
                     {"LeftLeg", "lShin"}, {"LeftFoot", "lFoot"}, {"LeftToeBase", "lToe"}},
                    "Left", "Right", "l", "r"),
       {{"Neck", "neck"}, {"Head", "head"}});
  same("biped", sided({{"LeftArm", "Bip01 L UpperArm"}, {"LeftForeArm", "Bip01 L Forearm"}, {"LeftHand", "Bip01 L Hand"},
                       {"LeftUpLeg", "Bip01 L Thigh"}, {"LeftLeg", "Bip01 L Calf"}, {"LeftFoot", "Bip01 L Foot"},
                       {"LeftToeBase", "Bip01 L Toe0"}},
                      "Left", "Right", " L ", " R "),
       {{"Neck", "Bip01 Neck"}, {"Head", "Bip01 Head"}});
  same("xsens", sided({{"LeftArm", "LeftUpperArm"}, {"LeftUpLeg", "LeftUpperLeg"}, {"LeftLeg", "LeftLowerLeg"},
                       {"LeftToeBase", "LeftToe"}},
                      "Left", "Right", "Left", "Right"));
  same("rokoko", sided({{"LeftUpLeg", "LeftThigh"}, {"LeftLeg", "LeftShin"}}, "Left", "Right", "Left", "Right"));
  // Character Studio / three.js pirouette: Up/Low names, no toe joint (the foot's End Site).
  const BvhData cs = without_joint(
      without_joint(parse_bvh(rename_joints(rename_joints(cmu_bvh(), {{"LeftShoulder", "LeftCollar"},
                                                                      {"RightShoulder", "RightCollar"}}),
                                            sided({{"LeftArm", "LeftUpArm"}, {"LeftForeArm", "LeftLowArm"},
                                                   {"LeftLeg", "LeftLowLeg"}},
                                                  "Left", "Right", "Left", "Right")),
                              "cs.bvh"),
                    "LeftToeBase"),
      "RightToeBase");
  const RawClip csc = read_data_bvh(dir, parse_bvh(format_bvh(cs), "cs.bvh"), "cs.bvh");
  for (int t = 0; t < csc.frames; ++t)
    for (int j = 0; j < kNumJoints; ++j)
      if (j != LBigToe && j != RBigToe)
        for (int k = 0; k < 4; ++k) EXPECT_EQ(j3(csc, t, j)[k], j3(cmu, t, j)[k]) << joint_name(j) << " frame " << t;
  expect_joint(csc, 0, LBigToe, 100, 50, 120);  // LeftFoot's End Site, where the toe joint was
  // iClone CC: the big toe is a joint of its own, here the toe base.
  std::string cc = rename_joints(cmu_bvh(), sided({{"LeftArm", "CC_Base_L_Upperarm"}, {"LeftForeArm", "CC_Base_L_Forearm"},
                                                   {"LeftHand", "CC_Base_L_Hand"}, {"LeftUpLeg", "CC_Base_L_Thigh"},
                                                   {"LeftLeg", "CC_Base_L_Calf"}, {"LeftFoot", "CC_Base_L_Foot"},
                                                   {"LeftToeBase", "CC_Base_L_BigToe1"}},
                                                  "Left", "Right", "_L_", "_R_"));
  cc = rename_joints(cc, {{"Neck", "CC_Base_NeckTwist01"}, {"Head", "CC_Base_Head"}});
  const RawClip c = read_text_bvh(dir, cc, "cc.bvh");
  for (int t = 0; t < c.frames; ++t)
    for (int j = 0; j < kNumJoints; ++j)
      if (j != LBigToe && j != RBigToe)
        for (int k = 0; k < 4; ++k) EXPECT_EQ(j3(c, t, j)[k], j3(cmu, t, j)[k]) << joint_name(j) << " frame " << t;
  expect_joint(c, 0, LBigToe, 100, 50, 120);  // the toe joint, not its End Site
}

TEST(BvhReader, BlenderRigWristIsTheForearmEndSite) {
  // ReActIdle: no hand bones; forearm.L ends in an End Site at the wrist.
  lmm::test::TempDir dir;
  const RawClip cmu = read_text_bvh(dir, cmu_bvh());
  std::string text = rename_joints(cmu_bvh(), sided({{"LeftArm", "upper_arm.L"}, {"LeftForeArm", "forearm.L"},
                                                     {"LeftUpLeg", "thigh.L"}, {"LeftLeg", "shin.L"},
                                                     {"LeftFoot", "foot.L"}, {"LeftToeBase", "toe.L"}},
                                                    "Left", "Right", ".L", ".R"));
  text = rename_joints(text, {{"Neck", "neck"}, {"Head", "head"}});
  BvhData d = without_joint(without_joint(parse_bvh(text, "b.bvh"), "LeftHand"), "RightHand");
  ASSERT_EQ(d.joints.size() + 2, parse_bvh(text, "b.bvh").joints.size());
  d = parse_bvh(format_bvh(d), "blender.bvh");
  EXPECT_EQ(bvh_point_names(d)[23], "forearm.L_End");
  expect_same_pose3d(cmu, read_data_bvh(dir, d, "blender.bvh"));
}

TEST(BvhReader, UsersJointTable) {
  // Names no built-in rig knows: choose_convention lists them and says how to write a
  // table; the user's --joints table then maps them.
  lmm::test::TempDir dir;
  const std::string text = rename_joints(
      cmu_bvh(), sided({{"LeftShoulder", "L_clav"}, {"LeftArm", "L_uparm"}, {"LeftForeArm", "L_loarm"}, {"LeftHand", "L_paw"}, {"LeftUpLeg", "L_femur"},
                        {"LeftLeg", "L_tibia"}, {"LeftFoot", "L_talus"}},
                       "Left", "Right", "L_", "R_"));
  write_text_atomic(dir / "odd.bvh", text);
  EXPECT_TRUE(lmm::test::throws_format_error([&] { read_bvh(dir / "odd.bvh", 0, View::front); }, "odd.bvh", -1,
                                             {"no known bvh convention", "L_femur", "--joints"}));
  const SourceMotion m = bvh_source_motion(parse_bvh(text, "odd.bvh"), "odd.bvh");
  ASSERT_EQ(m.warnings.size(), 1u);  // units from the 1.7 m rest-pose extent: cm
  EXPECT_EQ(m.warnings[0], "units: no legs or arms recognised, cm guessed from the rest-pose size (pass the unit if wrong)");
  write_text_atomic(dir / "odd.json", R"({"id": "odd", "joints": {
      "Nose": "Head", "Neck": "Neck", "MidHip": "0.5*L_femur + 0.5*R_femur",
      "LShoulder": "L_uparm", "LElbow": "L_loarm", "LWrist": "L_paw", "LHip": "L_femur", "LKnee": "L_tibia",
      "LAnkle": "L_talus", "LBigToe": "LeftToeBase_End",
      "RShoulder": "R_uparm", "RElbow": "R_loarm", "RWrist": "R_paw", "RHip": "R_femur", "RKnee": "R_tibia",
      "RAnkle": "R_talus", "RBigToe": "RightToeBase_End"}})");
  BvhOptions opt;
  opt.joints = dir / "odd.json";
  const RawClip own = read_bvh(dir / "odd.bvh", 0, View::front, opt);
  expect_same_pose3d(read_text_bvh(dir, cmu_bvh()), own);
}

TEST(BvhReader, UnitsByAnatomy) {
  // The fixture's leg is 45 + 40 = 85 units: cm. The same skeleton in mm, inches, CMU/ASF
  // units (1/0.45 inch) and metres reads as the same millimetres.
  lmm::test::TempDir dir;
  const BvhData cm = parse_bvh(cmu_bvh(), "cm.bvh");
  const RawClip ref = read_text_bvh(dir, cmu_bvh());
  const BoundConvention conv = choose_convention(bvh_point_names(cm), "bvh", "cm.bvh");
  EXPECT_EQ(conv.convention().id, "bvh_humanik");
  EXPECT_EQ(bvh_mm_per_unit_by_anatomy(cm, conv), 10.0);
  for (double unit : {1.0, 25.4, 25.4 / 0.45, 1000.0}) {
    SCOPED_TRACE(unit);
    const BvhData d = scaled(cm, 10.0 / unit);
    EXPECT_DOUBLE_EQ(bvh_mm_per_unit_by_anatomy(d, conv), unit);
    expect_same_pose3d(ref, read_data_bvh(dir, d, "u.bvh"), 0.05f);
  }
  // PyMO style: inches with the root OFFSET at the first frame, far from the origin (the
  // rest pose then spans ~61 units, which an extent rule reads as CMU units).
  BvhData pymo = scaled(cm, 10.0 / 25.4);
  pymo.joints[0].offset = {5, 100 / 2.54, -20};
  for (int t = 0; t < pymo.frames; ++t) {
    pymo.motion[t * pymo.channels + 0] += 5;
    pymo.motion[t * pymo.channels + 2] -= 20;
  }
  const RawClip p = read_data_bvh(dir, parse_bvh(format_bvh(pymo), "p.bvh"), "pymo.bvh");
  expect_joint(p, 0, LKnee, 100 + 127, 500, -508);
  expect_joint(p, 0, LAnkle, 100 + 127, 100, -508);
  // An explicit unit wins: cm read as mm gives a tenth of the size.
  BvhOptions opt;
  opt.mm_per_unit = 1;
  write_text_atomic(dir / "u.bvh", cmu_bvh());
  const RawClip c = read_bvh(dir / "u.bvh", 30, View::front, opt);
  EXPECT_EQ(c.fps, 30.0);
  EXPECT_NEAR(j3(c, 0, LWrist)[0], 71, 1e-4);
  // Without a convention the extent rule guesses (1.7 m person): 170 units -> cm.
  EXPECT_EQ(bvh_estimate_mm_per_unit(cm), 10.0);
  EXPECT_EQ(bvh_nearest_unit(32.3, 860), 25.4);
}

TEST(BvhReader, ExtraLinesAfterTheFramesAreIgnoredWithAWarning) {
  // assimp's Boxing_Toes.bvh: "Frames: 3069" and 3070 data lines.
  const std::string text = kCmuHierarchy + cmu_motion() + row({{1, 999}}) + "\n";
  const BvhData d = parse_bvh(text, "extra.bvh");
  EXPECT_EQ(d.frames, 3);
  EXPECT_EQ(d.extra_lines, 1);
  const SourceMotion m = bvh_source_motion(d, "extra.bvh");
  ASSERT_EQ(m.warnings.size(), 1u);
  EXPECT_EQ(m.warnings[0], "1 data line(s) after the 3 frames that 'Frames:' announces were ignored");
  EXPECT_EQ(m.frames, 3);
  EXPECT_EQ(m.fps, 120.0);
  EXPECT_EQ(m.points.size(), d.joints.size());
  EXPECT_EQ(m.points[6], "LeftToeBase_End");
  EXPECT_NEAR(m.at(0, 0, 0)[1], 1000, 1e-3);  // Hips, mm
}

TEST(BvhReader, NoFramesIsAFormatError) {
  lmm::test::TempDir dir;
  write_text_atomic(dir / "empty.bvh", kCmuHierarchy + std::string("Frames: 0\nFrame Time: 0.01\n"));
  EXPECT_TRUE(lmm::test::throws_format_error([&] { read_bvh(dir / "empty.bvh", 0, View::front); }, "empty.bvh", -1,
                                             {"MOTION has 0 frames"}));
}

TEST(BvhReader, HugeValuesAreAFormatErrorNamingTheFrame) {
  const std::string text = kCmuHierarchy + std::string("Frames: 2\nFrame Time: 0.01\n") + row({}) + row({{0, 1e300}});
  EXPECT_TRUE(lmm::test::throws_format_error([&] { bvh_source_motion(parse_bvh(text, "huge.bvh"), "huge.bvh"); },
                                             "huge.bvh", 1, {"joint Hips lies beyond float range"}));
}

TEST(BvhReader, ProbeClaimsHierarchyText) {
  EXPECT_EQ(probe_bvh("a.bvh", "HIERARCHY\nROOT Hips\n"), 100);
  EXPECT_EQ(probe_bvh("a.bvh", "\xEF\xBB\xBF  \r\nHIERARCHY\n"), 100);
  EXPECT_EQ(probe_bvh("a.bvh", "# not a motion\n"), 10);  // a broken .bvh fails with a message
  const FormatSpec* f = find_format("bvh");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->extensions, std::vector<std::string>{".bvh"});
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

// BVH rigs -> BODY_25 (family "bvh"): one table per naming scheme of the field. Points are
// the BVH reader's joint names, End Sites "<parent>_End" (bvh.h); names match after
// normalize_label, so "Beta:LeftArm", "mixamorig:LeftArm" and "LeftArm" are one name, and
// "upper_arm.R" equals "UpperArm_R". Sided rows are written once with '%' for the side
// token (the rig's right and left spelling) and expanded for both sides (kMirror).
// Derived joints: MidHip = mean of the hip joints; Neck = the rig's neck-base joint, or the
// mean of the shoulders when the rig has none; Nose = the head joint (the base of the skull:
// BVH rigs have no nose). Choice between rigs: choose_convention (most BODY_25 joints).
#include <utility>

#include "conventions.h"

namespace lmm::io::convention_tables {
namespace {

struct Rig {
  const char* id;
  const char* title;
  const char* right;  // side token replacing '%' for the right-side joints, e.g. "Right", "R"
  const char* left;   // and for the left side
  std::vector<std::pair<Joint, const char*>> centre;  // recipes written out
  std::vector<std::pair<Joint, const char*>> sided;   // right-side joint, recipe with '%'
  const char* notes;
};

std::string expand(const char* pattern, const char* side) {
  std::string out;
  for (const char* p = pattern; *p; ++p) out += *p == '%' ? std::string(side) : std::string(1, *p);
  return out;
}

Convention make(const Rig& r) {
  Convention c;
  c.id = r.id;
  c.title = r.title;
  c.family = "bvh";
  c.notes = r.notes;
  for (const auto& [j, recipe] : r.centre) c.recipe[j] = recipe;
  for (const auto& [j, pattern] : r.sided) {
    c.recipe[j] = expand(pattern, r.right);
    c.recipe[kMirror[j]] = expand(pattern, r.left);
  }
  return c;
}

// The rigs in order of preference on equal coverage.
const std::vector<Rig>& rigs() {
  static const std::vector<Rig> all = {
      {"bvh_humanik", "MotionBuilder / HumanIK names (CMU cgspeed MotionBuilder-friendly, Xia, PFNN, Mixamo, PyMO, LAFAN1)",
       "Right", "Left",
       {{Nose, "Head"},
        {Neck, "Neck | 0.5*LeftArm + 0.5*RightArm"},
        {MidHip, "0.5*LeftUpLeg + 0.5*RightUpLeg"}},
       {{RShoulder, "%Arm"},
        {RElbow, "%ForeArm"},
        {RWrist, "%Hand"},
        {RHip, "%UpLeg"},
        {RKnee, "%Leg"},
        {RAnkle, "%Foot"},
        {RBigToe, "%ToeBase_End | %Toe_End | %ToeBase | %Toe"},
        {REye, "%Eye"}},
       "`LeftShoulder` is the clavicle here and is not used. The CMU cgspeed MotionBuilder-friendly "
       "conversion, the Xia et al. (2015) style clips and the Edinburgh PFNN captures share these names "
       "(they differ only in finger joints); Mixamo adds a `prefix:` (`mixamorig:`, `Beta:`), ignored. "
       "PyMO's affective walks have no `Neck`: the mean of the shoulders stands in. LAFAN1 names its toe "
       "`LeftToe`, Mixamo's tip is the joint `LeftToe_End`."},
      {"bvh_biovision", "Biovision Hip/Knee names (CMU cgspeed 3dsMax-friendly, Character Studio, assimp Boxing_Toes)",
       "Right", "Left",
       {{Nose, "Head"},
        {Neck, "lowerneck | Neck | 0.5*LeftShoulder + 0.5*RightShoulder"},
        {MidHip, "0.5*LeftHip + 0.5*RightHip | 0.5*LeftUpLeg + 0.5*RightUpLeg"}},
       {{RShoulder, "%Shoulder | %UpArm"},
        {RElbow, "%Elbow | %LowArm"},
        {RWrist, "%Wrist | %Hand"},
        {RHip, "%Hip | %UpLeg"},
        {RKnee, "%Knee | %LowLeg"},
        {RAnkle, "%Ankle | %Foot"},
        {RBigToe, "%Toe_End | %Toes_End | %Toe | %Toes"}},
       "`LeftShoulder` is the shoulder joint (parent of `LeftElbow`) and `LeftCollar` the clavicle. In the "
       "CMU 3dsMax-friendly files `lowerneck` is the base of the neck and `Neck` its middle. Character "
       "Studio's alternative names (`LeftUpArm`, `LeftLowArm`, `LeftUpLeg`, `LeftLowLeg`) are accepted."},
      {"bvh_bandai_namco", "Bandai Namco Research Motion Dataset", "R", "L",
       {{Nose, "Head"}, {Neck, "Neck"}, {MidHip, "0.5*UpperLeg_L + 0.5*UpperLeg_R"}},
       {{RShoulder, "UpperArm_%"},
        {RElbow, "LowerArm_%"},
        {RWrist, "Hand_%"},
        {RHip, "UpperLeg_%"},
        {RKnee, "LowerLeg_%"},
        {RAnkle, "Foot_%"},
        {RBigToe, "Toes_%_End | Toes_%"}},
       "`Shoulder_L` is the clavicle, `joint_Root` the ground projection; both unused. Every joint has "
       "position channels equal to its OFFSET (read as the local translation, see the BVH section)."},
      {"bvh_iclone_cc", "Reallusion iClone / Character Creator (CC_Base_*)", "R", "L",
       {{Nose, "CC_Base_Head"},
        {Neck, "CC_Base_NeckTwist01"},
        {MidHip, "0.5*CC_Base_L_Thigh + 0.5*CC_Base_R_Thigh"}},
       {{RShoulder, "CC_Base_%_Upperarm"},
        {RElbow, "CC_Base_%_Forearm"},
        {RWrist, "CC_Base_%_Hand"},
        {RHip, "CC_Base_%_Thigh"},
        {RKnee, "CC_Base_%_Calf"},
        {RAnkle, "CC_Base_%_Foot"},
        {RBigToe, "CC_Base_%_BigToe1"},
        {RSmallToe, "CC_Base_%_PinkyToe1"},
        {REye, "CC_Base_%_Eye"}},
       "Names are matched whole, so the twist and share helpers (`CC_Base_L_ThighTwist01`, "
       "`CC_Base_L_KneeShareBone`, `CC_Base_L_ForearmTwist01`, `CC_Base_L_ElbowShareBone`) are never taken "
       "for the joints they sit on. `CC_Base_NeckTwist01` is the base of the neck."},
      {"bvh_blender_rigify", "Blender metarig / Rigify names (ReActIdle)", "R", "L",
       {{Nose, "face | head"}, {Neck, "neck"}, {MidHip, "0.5*thigh.L + 0.5*thigh.R"}},
       {{RShoulder, "upper_arm.%"},
        {RElbow, "forearm.%"},
        {RWrist, "hand.% | forearm.%_End"},
        {RHip, "thigh.%"},
        {RKnee, "shin.%"},
        {RAnkle, "foot.%"},
        {RBigToe, "toe.%_End | toe.% | foot.%_End"}},
       "Rigs without hand or toe bones (ReActIdle) end the forearm and the foot in an End Site: the "
       "forearm's End Site is the wrist, the foot's the toe. `shoulder.L` is the clavicle, `pelvis.L` a "
       "pelvis bone; both unused."},
      {"bvh_unreal", "Unreal Engine mannequin names", "r", "l",
       {{Nose, "head"}, {Neck, "neck_01"}, {MidHip, "0.5*thigh_l + 0.5*thigh_r"}},
       {{RShoulder, "upperarm_%"},
        {RElbow, "lowerarm_%"},
        {RWrist, "hand_%"},
        {RHip, "thigh_%"},
        {RKnee, "calf_%"},
        {RAnkle, "foot_%"},
        {RBigToe, "ball_%_End | ball_%"}},
       "`clavicle_l` is unused."},
      {"bvh_daz_poser", "DAZ / Poser / Second Life names", "r", "l",
       {{Nose, "head"}, {Neck, "neck | neckLower"}, {MidHip, "0.5*lThigh + 0.5*rThigh | 0.5*lThighBend + 0.5*rThighBend"}},
       {{RShoulder, "%Shldr | %ShldrBend"},
        {RElbow, "%ForeArm | %ForearmBend"},
        {RWrist, "%Hand"},
        {RHip, "%Thigh | %ThighBend"},
        {RKnee, "%Shin"},
        {RAnkle, "%Foot"},
        {RBigToe, "%Toe_End | %Toe | %Foot_End"}},
       "`lCollar` is the clavicle, unused."},
      {"bvh_3dsmax_biped", "3ds Max Biped names (Bip01 / Bip001)", "R", "L",
       {{Nose, "Bip01_Head | Bip001_Head"},
        {Neck, "Bip01_Neck | Bip001_Neck"},
        {MidHip, "0.5*Bip01_L_Thigh + 0.5*Bip01_R_Thigh | 0.5*Bip001_L_Thigh + 0.5*Bip001_R_Thigh"}},
       {{RShoulder, "Bip01_%_UpperArm | Bip001_%_UpperArm"},
        {RElbow, "Bip01_%_Forearm | Bip001_%_Forearm"},
        {RWrist, "Bip01_%_Hand | Bip001_%_Hand"},
        {RHip, "Bip01_%_Thigh | Bip001_%_Thigh"},
        {RKnee, "Bip01_%_Calf | Bip001_%_Calf"},
        {RAnkle, "Bip01_%_Foot | Bip001_%_Foot"},
        {RBigToe, "Bip01_%_Toe0Nub | Bip01_%_Toe0_End | Bip01_%_Toe0 | Bip001_%_Toe0Nub | Bip001_%_Toe0_End | "
                  "Bip001_%_Toe0"}},
       "Spaces in names (`Bip01 L Thigh`) are ignored like other separators. `Bip01 L Clavicle` is unused."},
  };
  return all;
}

}  // namespace

void add_bvh_rigs(std::vector<Convention>& out) {
  for (const Rig& r : rigs()) out.push_back(make(r));
}

}  // namespace lmm::io::convention_tables

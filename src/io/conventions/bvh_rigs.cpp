// BVH rigs -> BODY_25 (family "bvh"): one table per naming scheme of the field. Points are
// the BVH reader's joint names, End Sites "<parent>_End" (bvh.h); names match after
// normalize_label, so "Beta:LeftArm", "mixamorig:LeftArm" and "LeftArm" are one name, and
// "upper_arm.R" equals "UpperArm_R". Sided rows are written once with '%' for the side
// token (the rig's right and left spelling) and expanded for both sides (kMirror).
// Derived joints: Neck = mean of the shoulder joints (OpenPose's neck), MidHip = mean of the
// hip joints, both built from the sided rows; Nose = the head joint (the base of the skull:
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
  std::vector<std::pair<Joint, const char*>> centre;  // recipes written out (Nose)
  std::vector<std::pair<Joint, const char*>> sided;   // right-side joint, recipe with '%'
  const char* notes;
};

std::string expand(const char* pattern, const char* side) {
  std::string out;
  for (const char* p = pattern; *p; ++p) out += *p == '%' ? std::string(side) : std::string(1, *p);
  return out;
}

// "0.5*<left> + 0.5*<right>" for each alternative of a sided pattern, e.g. "%Shoulder |
// %UpArm" -> "0.5*LeftShoulder + 0.5*RightShoulder | 0.5*LeftUpArm + 0.5*RightUpArm".
std::string midpoint(const Rig& r, const char* pattern) {
  std::string out, alt;
  const std::string p = pattern;
  for (size_t b = 0; b <= p.size();) {
    size_t e = p.find('|', b);
    if (e == std::string::npos) e = p.size();
    std::string a = p.substr(b, e - b);
    a.erase(0, a.find_first_not_of(' '));
    a.erase(a.find_last_not_of(' ') + 1);
    out += (out.empty() ? "" : " | ") + std::string("0.5*") + expand(a.c_str(), r.left) + " + 0.5*" +
           expand(a.c_str(), r.right);
    b = e + 1;
  }
  return out;
}

const char* sided_pattern(const Rig& r, Joint j) {
  for (const auto& [k, pattern] : r.sided)
    if (k == j) return pattern;
  return nullptr;
}

Convention make(const Rig& r) {
  Convention c;
  c.id = r.id;
  c.title = r.title;
  c.family = "bvh";
  c.notes = r.notes;
  for (const auto& [j, pattern] : r.sided) {
    c.recipe[j] = expand(pattern, r.right);
    c.recipe[kMirror[j]] = expand(pattern, r.left);
  }
  // OpenPose's neck is the midpoint of the shoulders (its COCO training data have no neck),
  // its MidHip that of the hips.
  c.recipe[Neck] = midpoint(r, sided_pattern(r, RShoulder));
  c.recipe[MidHip] = midpoint(r, sided_pattern(r, RHip));
  for (const auto& [j, recipe] : r.centre) c.recipe[j] = recipe;
  return c;
}

// The rigs in order of preference on equal coverage.
const std::vector<Rig>& rigs() {
  static const std::vector<Rig> all = {
      {"bvh_humanik", "MotionBuilder / HumanIK names (CMU cgspeed MotionBuilder-friendly, Xia, PFNN, Mixamo, PyMO, LAFAN1)",
       "Right", "Left",
       {{Nose, "Head"}},
       {{RShoulder, "%Arm"},
        {RElbow, "%ForeArm"},
        {RWrist, "%Hand"},
        {RHip, "%UpLeg | %Thigh"},
        {RKnee, "%Leg | %Shin"},
        {RAnkle, "%Foot"},
        {RBigToe, "%ToeBase_End | %Toe_End | %ToeBase | %Toe | %Foot_End"},
        {REye, "%Eye"}},
       "`LeftShoulder` is the clavicle here and is not used. The CMU cgspeed MotionBuilder-friendly "
       "conversion, the Xia et al. (2015) style clips and the Edinburgh PFNN captures share these names "
       "(they differ only in finger joints); Mixamo adds a `prefix:` (`mixamorig:`, `Beta:`), ignored. "
       "LAFAN1 names its toe "
       "`LeftToe`, Mixamo's tip is the joint `LeftToe_End`; Rokoko names the leg `LeftThigh`, `LeftShin`. "
       "A foot without a toe joint gives its End Site as the toe."},
      {"bvh_biovision", "Biovision Hip/Knee names (CMU cgspeed 3dsMax-friendly, Character Studio, assimp Boxing_Toes)",
       "Right", "Left",
       {{Nose, "Head"}},
       {{RShoulder, "%Shoulder | %UpArm"},
        {RElbow, "%Elbow | %LowArm"},
        {RWrist, "%Wrist | %Hand"},
        {RHip, "%Hip | %UpLeg"},
        {RKnee, "%Knee | %LowLeg"},
        {RAnkle, "%Ankle | %Foot"},
        {RBigToe, "%Toe_End | %Toes_End | %Toe | %Toes | %Foot_End | %Ankle_End"}},
       "`LeftShoulder` is the shoulder joint (parent of `LeftElbow`) and `LeftCollar` the clavicle. Character "
       "Studio's alternative names (`LeftUpArm`, `LeftLowArm`, `LeftUpLeg`, `LeftLowLeg`; three.js's "
       "`pirouette.bvh`) are accepted, a foot without a toe joint gives its End Site as the toe. Xsens "
       "MVN's older exports use these names too."},
      {"bvh_xsens_mvn", "Xsens MVN names", "Right", "Left",
       {{Nose, "Head"}},
       {{RShoulder, "%UpperArm"},
        {RElbow, "%ForeArm"},
        {RWrist, "%Hand"},
        {RHip, "%UpperLeg"},
        {RKnee, "%LowerLeg"},
        {RAnkle, "%Foot"},
        {RBigToe, "%Toe_End | %Toe"}},
       "`RightShoulder` is the clavicle; the spine is `Pelvis`, `L5`, `L3`, `T12`, `T8`, `Neck`, `Head`."},
      {"bvh_bandai_namco", "Bandai Namco Research Motion Dataset", "R", "L",
       {{Nose, "Head"}},
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
       {{Nose, "CC_Base_Head"}},
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
       "for the joints they sit on."},
      {"bvh_blender_rigify", "Blender metarig / Rigify names (ReActIdle)", "R", "L",
       {{Nose, "face | head"}},
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
       {{Nose, "head"}},
       {{RShoulder, "upperarm_%"},
        {RElbow, "lowerarm_%"},
        {RWrist, "hand_%"},
        {RHip, "thigh_%"},
        {RKnee, "calf_%"},
        {RAnkle, "foot_%"},
        {RBigToe, "ball_%_End | ball_%"}},
       "`clavicle_l` is unused."},
      {"bvh_daz_poser", "DAZ / Poser / Second Life names", "r", "l",
       {{Nose, "head"}},
       {{RShoulder, "%Shldr | %ShldrBend"},
        {RElbow, "%ForeArm | %ForearmBend"},
        {RWrist, "%Hand"},
        {RHip, "%Thigh | %ThighBend"},
        {RKnee, "%Shin"},
        {RAnkle, "%Foot"},
        {RBigToe, "%Toe_End | %Toe | %Foot_End"}},
       "`lCollar` is the clavicle, unused."},
      {"bvh_3dsmax_biped", "3ds Max Biped names (Bip01 / Bip001)", "R", "L",
       {{Nose, "Bip01_Head | Bip001_Head"}},
       {{RShoulder, "Bip01_%_UpperArm | Bip001_%_UpperArm"},
        {RElbow, "Bip01_%_Forearm | Bip001_%_Forearm"},
        {RWrist, "Bip01_%_Hand | Bip001_%_Hand"},
        {RHip, "Bip01_%_Thigh | Bip001_%_Thigh"},
        {RKnee, "Bip01_%_Calf | Bip001_%_Calf"},
        {RAnkle, "Bip01_%_Foot | Bip001_%_Foot"},
        {RBigToe, "Bip01_%_Toe0Nub | Bip01_%_Toe0_End | Bip01_%_Toe0 | Bip001_%_Toe0Nub | Bip001_%_Toe0_End | "
                  "Bip001_%_Toe0"}},
       "Spaces in names (`Bip01 L Thigh`) are ignored like other separators. `Bip01 L Clavicle` is unused."}};
  return all;
}

}  // namespace

void add_bvh_rigs(std::vector<Convention>& out) {
  for (const Rig& r : rigs()) out.push_back(make(r));
}

}  // namespace lmm::io::convention_tables

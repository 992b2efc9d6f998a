// BVH joint names -> BODY_25. A name is split into a side (left/right) and a base
// ("mixamorig:LeftForeArm" -> L "forearm", "UpperArm_L" -> L "upperarm", "Bip01 L
// Thigh" -> L "thigh", "lShldr" -> L "shldr") and the base is looked up in per-joint
// tables covering CMU, Mixamo, Truebones/SFU, Bandai-Namco, DAZ, 3ds Max and UE names.
// Output of bvh_to_body25: (T, 25, 4) X, Y(up), Z in mm, confidence.
#include <algorithm>
#include <cctype>

#include "lmm/core/body25.h"
#include "lmm/core/error.h"
#include "lmm/io/bvh.h"

namespace lmm::io {
namespace {

using Bases = std::vector<const char*>;

// Bases per role, in order of preference (normalized: lower case, letters/digits only).
const Bases kWrist = {"hand", "wrist"};
const Bases kElbow = {"forearm", "lowerarm", "lowarm", "elbow"};
const Bases kShoulder = {"arm", "upperarm", "uparm", "shldr", "humerus"};  // else parent of elbow
const Bases kHip = {"upleg", "upperleg", "thigh", "hip", "femur", "uprleg"};  // else parent of knee
const Bases kKnee = {"leg", "lowerleg", "lowleg", "knee", "shin", "calf", "tibia", "lowrleg"};
const Bases kAnkle = {"foot", "ankle"};
const Bases kToeTip = {"toeend", "toesend", "toebaseend", "bigtoe"};
const Bases kToe = {"toebase", "toe", "toes", "ball", "toe0"};
const Bases kHeel = {"heel"};
const Bases kSmallToe = {"smalltoe"};
const Bases kEye = {"eye"};
const Bases kEar = {"ear"};
const Bases kNeck = {"neck", "neck01", "neck0"};
const Bases kNose = {"nose", "head"};  // the head joint stands in for the nose

bool known_sided_base(const std::string& b) {
  for (const Bases* t : {&kWrist, &kElbow, &kShoulder, &kHip, &kKnee, &kAnkle, &kToeTip, &kToe,
                         &kHeel, &kSmallToe, &kEye, &kEar})
    for (const char* x : *t)
      if (b == x) return true;
  return b == "shoulder" || b == "collar" || b == "clavicle";
}

struct NameKey {
  char side = 0;  // 'L', 'R' or 0
  std::string base;
};

NameKey parse_name(const std::string& raw) {
  std::string s = raw.substr(raw.find_last_of(':') == std::string::npos ? 0 : raw.find_last_of(':') + 1);
  std::vector<std::string> tokens(1);
  for (char c : s) {
    if (std::isalnum(static_cast<unsigned char>(c))) {
      tokens.back() += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else if (!tokens.back().empty()) {
      tokens.emplace_back();
    }
  }
  if (tokens.back().empty()) tokens.pop_back();
  // Rig prefixes carry no meaning: "mixamorig", "mixamorig1", "bip01", "bip001".
  for (auto it = tokens.begin(); it != tokens.end();) {
    std::string& t = *it;
    for (const char* pre : {"mixamorig", "bip0"}) {
      if (t.rfind(pre, 0) == 0) {
        size_t n = std::string(pre).size();
        while (n < t.size() && std::isdigit(static_cast<unsigned char>(t[n]))) ++n;
        t.erase(0, n);
      }
    }
    it = t.empty() ? tokens.erase(it) : it + 1;
  }
  NameKey k;
  if (tokens.empty()) return k;
  auto strip_word = [&](std::string& t, const char* w, char side) {
    const std::string ws(w);
    if (t.size() > ws.size() && t.rfind(ws, 0) == 0) {
      t.erase(0, ws.size()), k.side = side;
    } else if (t.size() > ws.size() && t.compare(t.size() - ws.size(), ws.size(), ws) == 0) {
      t.erase(t.size() - ws.size()), k.side = side;
    } else if (t == ws && tokens.size() > 1) {
      t.clear(), k.side = side;
    }
  };
  for (auto* t : {&tokens.front(), &tokens.back()}) {
    if (k.side) break;
    strip_word(*t, "left", 'L');
    if (!k.side) strip_word(*t, "right", 'R');
  }
  if (!k.side && tokens.size() > 1) {
    for (auto* t : {&tokens.front(), &tokens.back()})
      if (!k.side && (*t == "l" || *t == "r")) {
        k.side = static_cast<char>(std::toupper(static_cast<unsigned char>((*t)[0])));
        t->clear();
      }
  }
  for (auto& t : tokens) k.base += t;
  // "lShldr", "RHand": a single side letter glued to a known base.
  if (!k.side && k.base.size() > 1 && (k.base[0] == 'l' || k.base[0] == 'r') &&
      known_sided_base(k.base.substr(1))) {
    k.side = static_cast<char>(std::toupper(static_cast<unsigned char>(k.base[0])));
    k.base.erase(0, 1);
  }
  return k;
}

}  // namespace

std::array<int, 25> bvh_body25_map(const BvhData& d, const std::string& file) {
  const int J = static_cast<int>(d.joints.size());
  std::vector<NameKey> keys(J);
  for (int j = 0; j < J; ++j) keys[j] = parse_name(d.joints[j].name);
  auto find = [&](char side, const Bases& bases) {
    for (const char* b : bases)
      for (int j = 0; j < J; ++j)
        if (keys[j].side == side && keys[j].base == b) return j;
    return -1;
  };
  auto only_end_child = [&](int j) {  // the single End Site child of j, or -1
    int found = -1, n = 0;
    for (int c = 0; c < J; ++c)
      if (d.joints[c].parent == j) ++n, found = d.joints[c].end_site ? c : -1;
    return n == 1 ? found : -1;
  };

  std::array<int, 25> map;
  map.fill(-1);
  for (char side : {'L', 'R'}) {
    const bool L = side == 'L';
    const int wrist = find(side, kWrist), elbow = find(side, kElbow);
    int shoulder = find(side, kShoulder);
    if (shoulder < 0 && elbow >= 0) shoulder = d.joints[elbow].parent;
    const int knee = find(side, kKnee), ankle = find(side, kAnkle);
    int hip = find(side, kHip);
    if (hip < 0 && knee >= 0) hip = d.joints[knee].parent;
    int toe = find(side, kToeTip);
    if (toe < 0) {
      toe = find(side, kToe);
      if (toe >= 0 && only_end_child(toe) >= 0) toe = only_end_child(toe);
    }
    if (toe < 0 && ankle >= 0) toe = only_end_child(ankle);
    map[L ? LWrist : RWrist] = wrist;
    map[L ? LElbow : RElbow] = elbow;
    map[L ? LShoulder : RShoulder] = shoulder;
    map[L ? LHip : RHip] = hip;
    map[L ? LKnee : RKnee] = knee;
    map[L ? LAnkle : RAnkle] = ankle;
    map[L ? LBigToe : RBigToe] = toe;
    map[L ? LHeel : RHeel] = find(side, kHeel);
    map[L ? LSmallToe : RSmallToe] = find(side, kSmallToe);
    map[L ? LEye : REye] = find(side, kEye);
    map[L ? LEar : REar] = find(side, kEar);
  }
  map[Neck] = find(0, kNeck);
  map[Nose] = find(0, kNose);

  static const std::pair<int, const char*> kRequired[] = {
      {RShoulder, "RightArm / UpperArm_R / RightUpperArm"}, {RElbow, "RightForeArm / LowerArm_R / RightElbow"},
      {RWrist, "RightHand / Hand_R / RightWrist"},          {LShoulder, "LeftArm / UpperArm_L / LeftUpperArm"},
      {LElbow, "LeftForeArm / LowerArm_L / LeftElbow"},     {LWrist, "LeftHand / Hand_L / LeftWrist"},
      {RHip, "RightUpLeg / UpperLeg_R / RightThigh"},       {RKnee, "RightLeg / LowerLeg_R / RightKnee"},
      {RAnkle, "RightFoot / Foot_R / RightAnkle"},          {LHip, "LeftUpLeg / UpperLeg_L / LeftThigh"},
      {LKnee, "LeftLeg / LowerLeg_L / LeftKnee"},           {LAnkle, "LeftFoot / Foot_L / LeftAnkle"}};
  std::string missing;
  for (auto& [j, names] : kRequired)
    if (map[j] < 0) missing += (missing.empty() ? "" : ", ") + std::string(joint_name(j)) + " (a joint named like " + names + ")";
  if (!missing.empty()) {
    std::string msg = "cannot map the skeleton to BODY_25: no joint for " + missing + "; the file has joints";
    int shown = 0;
    for (int j = 0; j < J && shown < 60; ++j)
      if (!d.joints[j].end_site) msg += (shown++ ? ", " : " ") + d.joints[j].name;
    throw FormatError(file, -1, msg);
  }
  return map;
}

std::vector<float> bvh_to_body25(const BvhData& d, const std::string& file, const BvhOptions& opt) {
  const std::array<int, 25> map = bvh_body25_map(d, file);
  const double mm = opt.mm_per_unit > 0 ? opt.mm_per_unit : bvh_estimate_mm_per_unit(d);
  const size_t J = d.joints.size(), T = static_cast<size_t>(d.frames);
  constexpr int kChunk = 512;  // frames per forward-kinematics call: bounded memory
  std::vector<float> out(T * kNumJoints * 4, 0.f);
  std::vector<double> pos;  // (chunk, J, 3)
  for (size_t t = 0; t < T; ++t) {
    if (t % kChunk == 0)
      pos = bvh_forward_kinematics(d, static_cast<int>(t), static_cast<int>(std::min<size_t>(kChunk, T - t)));
    const double* p = &pos[(t % kChunk) * J * 3];
    float* f = &out[t * kNumJoints * 4];
    auto put = [&](int joint, const double* xyz) {
      for (int k = 0; k < 3; ++k) f[joint * 4 + k] = static_cast<float>(xyz[k] * mm);
      f[joint * 4 + 3] = 1.f;
    };
    auto put_mid = [&](int joint, int a, int b) {
      const double m[3] = {(p[map[a] * 3] + p[map[b] * 3]) / 2, (p[map[a] * 3 + 1] + p[map[b] * 3 + 1]) / 2,
                           (p[map[a] * 3 + 2] + p[map[b] * 3 + 2]) / 2};
      put(joint, m);
    };
    for (int j = 0; j < kNumJoints; ++j)
      if (map[j] >= 0) put(j, p + map[j] * 3);
    if (map[Neck] < 0) put_mid(Neck, LShoulder, RShoulder);
    put_mid(MidHip, LHip, RHip);
  }
  return out;
}

}  // namespace lmm::io

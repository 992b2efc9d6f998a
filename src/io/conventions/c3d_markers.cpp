// C3D marker sets -> BODY_25 (family "c3d"): one table per marker set found in the field.
// Points are the C3D reader's labels (c3d.h), matched after normalize_label, so
// "Sub01:LASI", "L_ASI", "l asis" and "L.ASIS" compare as LASI / LASIS. Recipes (convention.h):
// weighted means of markers, '|' alternatives for the spellings of one set, and the hip
// rules of rules.cpp (@harrington_*: ASIS + sacrum; @waist_hip_*: CMU waist markers).
// Markers sit on the skin, so joints are approximations (docs/formats_mocap.md lists them):
// Nose = mid-forehead, eyes and ears from the head markers, knee/ankle = lateral marker or
// the mean of the lateral and medial ones. Order = preference on equal coverage.
#include <string>
#include <utility>

#include "conventions.h"

namespace lmm::io::convention_tables {
namespace {

struct MarkerSet {
  const char* id;
  const char* title;
  std::vector<std::pair<Joint, std::string>> rows;  // BODY_25 joint -> recipe
  const char* notes;
};

Convention make(const MarkerSet& s) {
  Convention c;
  c.id = s.id;
  c.title = s.title;
  c.family = "c3d";
  c.notes = s.notes;
  for (const auto& [j, recipe] : s.rows) c.recipe[j] = recipe;
  return c;
}

// Hip rows from a pelvis rule ("harrington" or "waist_hip") and its three arguments.
std::vector<std::pair<Joint, std::string>> hips(const std::string& rule, const std::string& args) {
  const std::string r = "@" + rule + "_right(" + args + ")", l = "@" + rule + "_left(" + args + ")";
  return {{RHip, r}, {LHip, l}, {MidHip, "0.5*" + r + " + 0.5*" + l}};
}

template <class... Rows>
std::vector<std::pair<Joint, std::string>> join(Rows... parts) {
  std::vector<std::pair<Joint, std::string>> out;
  (out.insert(out.end(), parts.begin(), parts.end()), ...);
  return out;
}

// Plug-in Gait pelvis: ASIS and mid-PSIS (or SACR).
const std::string kPigPelvis = "LASI, RASI, 0.5*LPSI + 0.5*RPSI | SACR";

// Plug-in Gait legs (knee, ankle, heel, toe markers), shared by the PiG and CMU sets.
const std::vector<std::pair<Joint, std::string>> kPigLegs = {
    {RKnee, "RKNE"}, {LKnee, "LKNE"}, {RAnkle, "RANK"}, {LAnkle, "LANK"},
    {RHeel, "RHEE | RHEL"}, {LHeel, "LHEE | LHEL"}, {RBigToe, "RTOE"}, {LBigToe, "LTOE"}};

// Plug-in Gait trunk axis (top, bottom) for the shoulder rule: neck markers over T10/STRN.
const std::string kPigTrunk = "0.5*C7 + 0.5*CLAV, 0.5*T10 + 0.5*STRN | T10 | STRN";

// Plug-in Gait head, trunk and arms, shared by the PiG and CMU sets. Shoulders: the
// acromion marker 45 mm down the trunk (@shoulder_centre), the marker itself without T10/STRN.
const std::vector<std::pair<Joint, std::string>> kPigUpper = {
    {Nose, "0.5*LFHD + 0.5*RFHD"},
    {REye, "0.75*RFHD + 0.25*LFHD"},
    {LEye, "0.75*LFHD + 0.25*RFHD"},
    {REar, "0.5*RFHD + 0.5*RBHD"},
    {LEar, "0.5*LFHD + 0.5*LBHD"},
    {Neck, "0.5*C7 + 0.5*CLAV | C7"},
    {RShoulder, "@shoulder_centre(RSHO | 0.5*RFSH + 0.5*RBSH, " + kPigTrunk + ") | RSHO | 0.5*RFSH + 0.5*RBSH"},
    {LShoulder, "@shoulder_centre(LSHO | 0.5*LFSH + 0.5*LBSH, " + kPigTrunk + ") | LSHO | 0.5*LFSH + 0.5*LBSH"},
    {RElbow, "RELB"},
    {LElbow, "LELB"},
    {RWrist, "0.5*RWRA + 0.5*RWRB | 0.5*RIWR + 0.5*ROWR | RWRA"},
    {LWrist, "0.5*LWRA + 0.5*LWRB | 0.5*LIWR + 0.5*LOWR | LWRA"}};

// ISB trunk axis (top, bottom): CV7 + jugular notch (SJN, SNJ or CLAV) over TV8/TV10 + xiphoid.
const std::string kIsbTrunk =
    "0.5*CV7 + 0.5*SJN | 0.5*CV7 + 0.5*SNJ | 0.5*CV7 + 0.5*CLAV, 0.5*TV8 + 0.5*SXS | 0.5*TV10 + 0.5*STRN | TV8 | TV10";

const std::vector<MarkerSet>& marker_sets() {
  static const std::vector<MarkerSet> all = {
      {"plugin_gait_lower", "Vicon Plug-in Gait, lower body (16 markers)", join(hips("harrington", kPigPelvis), kPigLegs),
       "Lower-body files give BODY_25 with the upper body at confidence 0. Hip joint centres: Harrington "
       "et al. (2007) from LASI, RASI and the mean of LPSI and RPSI (or SACR)."},
      {"plugin_gait", "Vicon Plug-in Gait, full body (35-39 markers)",
       join(kPigUpper, hips("harrington", kPigPelvis), kPigLegs),
       "Nose = mid-forehead (LFHD/RFHD, ~5 cm above the nose); eyes 3:1 blends of the forehead markers; ears = "
       "mean of front and back head markers; Neck = mean of C7 and CLAV. Plug-in Gait has no fifth-toe marker."},
      {"cmu41", "CMU / HDM05 41 markers (Plug-in Gait names, waist pelvis LFWT RFWT LBWT RBWT)",
       join(kPigUpper, hips("waist_hip", "LFWT, RFWT, 0.5*LBWT + 0.5*RBWT"), kPigLegs,
            std::vector<std::pair<Joint, std::string>>{{RSmallToe, "RMT5"}, {LSmallToe, "LMT5"}}),
       "The pelvis markers sit on the waist, higher and wider than the ASIS: hip centres by the waist rule "
       "(@waist_hip_*, fitted to functional hip centres of the CMU/HDM05 recordings). Also covers the "
       "nimblephysics squat set (LFSH/LBSH shoulders, LIWR/LOWR wrists, LHEL heels)."},
      {"helen_hayes", "Helen Hayes / Motion Analysis (EVaRT, Cortex: VSAC sacrum, RWRI wrists, trochanter hips)",
       join(std::vector<std::pair<Joint, std::string>>{
                {Neck, "0.5*C7 + 0.5*IJ | 0.5*LSHO + 0.5*RSHO"},
                {RShoulder, "@shoulder_centre(RSHO, 0.5*C7 + 0.5*IJ, PX) | RSHO"},
                {LShoulder, "@shoulder_centre(LSHO, 0.5*C7 + 0.5*IJ, PX) | LSHO"},
                {RElbow, "RELB"}, {LElbow, "LELB"},
                {RWrist, "RWRI | RWRA"}, {LWrist, "LWRI | LWRA"},
                {RHip, "@harrington_right(LASI, RASI, VSAC | SACR) | RHIP | RTRO"},
                {LHip, "@harrington_left(LASI, RASI, VSAC | SACR) | LHIP | LTRO"},
                {MidHip, "0.5*@harrington_right(LASI, RASI, VSAC | SACR) + 0.5*@harrington_left(LASI, RASI, VSAC | SACR)"
                         " | 0.5*RHIP + 0.5*LHIP | 0.5*RTRO + 0.5*LTRO"},
                {RKnee, "RKNE"}, {LKnee, "LKNE"}, {RAnkle, "RANK"}, {LAnkle, "LANK"},
                {RHeel, "RHEE"}, {LHeel, "LHEE"}, {RBigToe, "RTOE"}, {LBigToe, "LTOE"},
                {RSmallToe, "RMT5"}, {LSmallToe, "LMT5"}}),
       "No head markers: Nose, eyes and ears have confidence 0. Without ASIS markers the hip is the "
       "trochanter marker (RHIP, RTRO: lateral of the joint by a few cm)."},
      {"isb_qualisys", "ISB anatomical landmarks (Qualisys QTM: L_IAS, L_FLE, L_FAL, ...)",
       {{Nose, "0.5*L_HDF + 0.5*R_HDF | 0.5*LFHD + 0.5*RFHD"},
        {REye, "0.75*R_HDF + 0.25*L_HDF | 0.75*RFHD + 0.25*LFHD"},
        {LEye, "0.75*L_HDF + 0.25*R_HDF | 0.75*LFHD + 0.25*RFHD"},
        {REar, "0.5*R_HDF + 0.5*R_HDB | 0.5*RFHD + 0.5*RBHD"},
        {LEar, "0.5*L_HDF + 0.5*L_HDB | 0.5*LFHD + 0.5*LBHD"},
        {Neck, "0.5*CV7 + 0.5*SJN | 0.5*CV7 + 0.5*SNJ | 0.5*CV7 + 0.5*CLAV | CV7"},
        {RShoulder, "@shoulder_centre(R_SAJ | R_SAE | R_AC | RAC, " + kIsbTrunk + ") | R_SAJ | R_SAE | R_AC | RAC"},
        {LShoulder, "@shoulder_centre(L_SAJ | L_SAE | L_AC | LAC, " + kIsbTrunk + ") | L_SAJ | L_SAE | L_AC | LAC"},
        {RElbow, "0.5*R_HLE + 0.5*R_HME | R_HLE"},
        {LElbow, "0.5*L_HLE + 0.5*L_HME | L_HLE"},
        {RWrist, "0.5*R_RSP + 0.5*R_USP | 0.5*R_RSP + 0.5*R_UHE | R_RSP"},
        {LWrist, "0.5*L_RSP + 0.5*L_USP | 0.5*L_RSP + 0.5*L_UHE | L_RSP"},
        {RHip, "@harrington_right(L_IAS, R_IAS, 0.5*L_IPS + 0.5*R_IPS) | @harrington_right(LASIS, RASIS, 0.5*LPSIS + 0.5*RPSIS)"},
        {LHip, "@harrington_left(L_IAS, R_IAS, 0.5*L_IPS + 0.5*R_IPS) | @harrington_left(LASIS, RASIS, 0.5*LPSIS + 0.5*RPSIS)"},
        {MidHip, "0.5*@harrington_right(L_IAS, R_IAS, 0.5*L_IPS + 0.5*R_IPS) + 0.5*@harrington_left(L_IAS, R_IAS, 0.5*L_IPS + 0.5*R_IPS)"
                 " | 0.5*@harrington_right(LASIS, RASIS, 0.5*LPSIS + 0.5*RPSIS) + 0.5*@harrington_left(LASIS, RASIS, 0.5*LPSIS + 0.5*RPSIS)"},
        {RKnee, "0.5*R_FLE + 0.5*R_FME | R_FLE | 0.5*RKL + 0.5*RKM"},
        {LKnee, "0.5*L_FLE + 0.5*L_FME | L_FLE | 0.5*LKL + 0.5*LKM"},
        {RAnkle, "0.5*R_FAL + 0.5*R_TAM | R_FAL | 0.5*RAL + 0.5*RAM"},
        {LAnkle, "0.5*L_FAL + 0.5*L_TAM | L_FAL | 0.5*LAL + 0.5*LAM"},
        {RHeel, "R_FCC | RH"}, {LHeel, "L_FCC | LH"},
        {RBigToe, "R_FM1 | R_FM2 | RFM"}, {LBigToe, "L_FM1 | L_FM2 | LFM"},
        {RSmallToe, "R_FM5 | RFL"}, {LSmallToe, "L_FM5 | LFL"}},
       "ISB names (Wu et al. 2002, 2005) as Qualisys writes them: IAS/IPS iliac spines, FLE/FME femoral "
       "epicondyles, FAL/TAM malleoli, FCC calcaneus, FM1/FM5 metatarsal heads, HLE/HME humeral epicondyles, "
       "RSP/USP styloids, SAJ/AC acromion, CV7 + SJN/SNJ (jugular notch) for the neck. Also the mixed set of "
       "numediart's 03_rolling (PiG head markers, RAC/LAC) and QTM's LASIS/RKL/RAL gait set."},
      {"codamotion", "Codamotion gait (CODA: L.ASIS, L.Knee, L.Ankle, ...)",
       {{RHip, "R.Hip | @harrington_right(L.ASIS, R.ASIS, 0.5*L.PSIS + 0.5*R.PSIS)"},
        {LHip, "L.Hip | @harrington_left(L.ASIS, R.ASIS, 0.5*L.PSIS + 0.5*R.PSIS)"},
        {MidHip, "0.5*R.Hip + 0.5*L.Hip | 0.5*@harrington_right(L.ASIS, R.ASIS, 0.5*L.PSIS + 0.5*R.PSIS) + "
                 "0.5*@harrington_left(L.ASIS, R.ASIS, 0.5*L.PSIS + 0.5*R.PSIS)"},
        {RKnee, "R.Knee"}, {LKnee, "L.Knee"}, {RAnkle, "R.Ankle"}, {LAnkle, "L.Ankle"},
        {RHeel, "R.Heel"}, {LHeel, "L.Heel"}, {RBigToe, "R.Toe"}, {LBigToe, "L.Toe"}},
       "Lower body. The hip centres the CODA software exports (L.Hip, R.Hip) are used when present, else "
       "Harrington from the ASIS and PSIS markers."},
      {"optitrack_skeleton", "OptiTrack Arena/Motive numbered skeleton markers (Skeleton_Hip1 ... Skeleton_RFoot2)",
       {{Nose, "Head2"},
        {Neck, "0.5*LShoulder1 + 0.5*RShoulder1"},
        {RShoulder, "@shoulder_centre(RShoulder1, Chest1, 0.5*Hip3 + 0.5*Hip4)"},
        {LShoulder, "@shoulder_centre(LShoulder1, Chest1, 0.5*Hip3 + 0.5*Hip4)"},
        {RElbow, "RUArm1"}, {LElbow, "LUArm1"},
        {RWrist, "0.5*RHand2 + 0.5*RHand3"}, {LWrist, "0.5*LHand2 + 0.5*LHand3"},
        {RHip, "@harrington_right(Hip1, Hip2, Hip4)"},
        {LHip, "@harrington_left(Hip1, Hip2, Hip4)"},
        {MidHip, "0.5*@harrington_right(Hip1, Hip2, Hip4) + 0.5*@harrington_left(Hip1, Hip2, Hip4)"},
        {RKnee, "RThigh2"}, {LKnee, "LThigh2"}, {RAnkle, "RShin2"}, {LAnkle, "LShin2"},
        {RBigToe, "RFoot1"}, {LBigToe, "LFoot1"}, {RSmallToe, "RFoot2"}, {LSmallToe, "LFoot2"}},
       "Marker roles read from the T-pose of BTKData mocap36 (Hip1/Hip2 left/right waist, Hip3/Hip4 front/back, "
       "Head2 front of the head, UArm1 elbow, Hand2/Hand3 wrist, Thigh2 lateral knee, Shin2 ankle, Foot1/Foot2 "
       "toe tip/outer toe); hips by Harrington with the waist markers standing in for the ASIS (wider: the "
       "centres come out ~2 cm more lateral)."},
      {"motion_workshop", "Motion Workshop Shadow skeleton joints (Hips, RightThigh, RightLeg, ...)",
       {{Nose, "Head"}, {Neck, "Neck"}, {RShoulder, "RightArm"}, {LShoulder, "LeftArm"},
        {RElbow, "RightForearm"}, {LElbow, "LeftForearm"}, {RWrist, "RightHand"}, {LWrist, "LeftHand"},
        {MidHip, "Hips"}, {RHip, "RightThigh"}, {LHip, "LeftThigh"}, {RKnee, "RightLeg"}, {LKnee, "LeftLeg"},
        {RAnkle, "RightFoot"}, {LAnkle, "LeftFoot"}, {RHeel, "RightHeel"}, {LHeel, "LeftHeel"},
        {RBigToe, "RightToeEnd | RightToe"}, {LBigToe, "LeftToeEnd | LeftToe"}},
       "The IMU suit exports joint centres as points, named after the segment that starts there "
       "(RightThigh = hip joint, RightLeg = knee, RightFoot = ankle, RightArm = shoulder). Nose = the head joint."},
      {"bts_davis", "BTS / Davis protocol (c7, r should, r asis, sacrum, r knee 1, r mall, r met)",
       {{Neck, "0.5*RSHOULD + 0.5*LSHOULD | C7"},
        {RShoulder, "RSHOULD"}, {LShoulder, "LSHOULD"},
        {RHip, "RHIP | @harrington_right(LASIS, RASIS, SACRUM)"},
        {LHip, "LHIP | @harrington_left(LASIS, RASIS, SACRUM)"},
        {MidHip, "0.5*RHIP + 0.5*LHIP | 0.5*@harrington_right(LASIS, RASIS, SACRUM) + 0.5*@harrington_left(LASIS, RASIS, SACRUM)"},
        {RKnee, "RKNEE | RKNEE1"}, {LKnee, "LKNEE | LKNEE1"},
        {RAnkle, "RANKLE | RMALL"}, {LAnkle, "LANKLE | LMALL"},
        {RHeel, "RHEEL"}, {LHeel, "LHEEL"}, {RSmallToe, "RMET"}, {LSmallToe, "LMET"}},
       "Lower-case labels with spaces (\"r asis\") match as RASIS. BTS exports its computed joint centres "
       "(r hip, r knee, r ankle) when the protocol ran; else the markers (r knee 1, r mall). r met is the "
       "fifth metatarsal head; Neck = mid-shoulders."},
      {"cortex_french", "Motion Analysis Cortex, French anatomical names (EAS/EPS iliac spines, COU, MAI, CL/CM, ML/MM)",
       {{Nose, "0.5*RTET + 0.5*LTET"}, {REar, "RTET"}, {LEar, "LTET"},
        {Neck, "0.5*C7 + 0.5*STER"},
        {RShoulder, "@shoulder_centre(RACR, 0.5*C7 + 0.5*STER, 0.5*T8 + 0.5*PX) | RACR"},
        {LShoulder, "@shoulder_centre(LACR, 0.5*C7 + 0.5*STER, 0.5*T8 + 0.5*PX) | LACR"},
        {RElbow, "RCOU"}, {LElbow, "LCOU"},
        {RWrist, "RMAI"}, {LWrist, "LMAI"},
        {RHip, "@harrington_right(LEAS, REAS, 0.5*LEPS + 0.5*REPS)"},
        {LHip, "@harrington_left(LEAS, REAS, 0.5*LEPS + 0.5*REPS)"},
        {MidHip, "0.5*@harrington_right(LEAS, REAS, 0.5*LEPS + 0.5*REPS) + 0.5*@harrington_left(LEAS, REAS, 0.5*LEPS + 0.5*REPS)"},
        {RKnee, "0.5*RCL + 0.5*RCM"}, {LKnee, "0.5*LCL + 0.5*LCM"},
        {RAnkle, "0.5*RML + 0.5*RMM"}, {LAnkle, "0.5*LML + 0.5*LMM"},
        {RHeel, "RCAL"}, {LHeel, "LCAL"}, {RBigToe, "RHAL | RMT1"}, {LBigToe, "LHAL | LMT1"},
        {RSmallToe, "RMT5"}, {LSmallToe, "LMT5"}},
       "TET temple (Nose = mid-temples, ears = temples), STER sternum, ACR acromion, COU elbow (coude), MAI "
       "wrist/hand (main), EAS/EPS anterior/posterior superior iliac spines, CL/CM femoral condyles, ML/MM "
       "malleoli, CAL calcaneus, HAL hallux. Duplicate labels: the first column wins."},
  };
  return all;
}

}  // namespace

void add_c3d_markers(std::vector<Convention>& out) {
  for (const MarkerSet& s : marker_sets()) out.push_back(make(s));
}

}  // namespace lmm::io::convention_tables

// The COCO family of keypoint conventions (family "keypoints"), used by the readers of
// src/io/coco17.cpp, src/io/videopose3d.cpp and src/io/h36m.cpp, which set
// SourceMotion::skeleton to one of these ids and name their points as listed here:
//   coco17   COCO-17 (kCocoJointNames): nose, eyes, ears, shoulders, elbows, wrists, hips,
//            knees, ankles (AlphaPose COCO model, Detectron2, VideoPose3D 2D)
//   halpe26  AlphaPose Halpe-26 (kHalpeJointNames): COCO-17 then head, neck, hip and the six
//            foot points; Halpe-136 files give their first 26 points (the rest is face/hands)
//   h36m17   Human3.6M 17 joints in VideoPose3D / MotionBERT order (kH36mJointNames)
// Each table lists, per BODY_25 joint in BODY_25 order, the recipe over those names.
#include "conventions.h"
#include "lmm/io/coco17.h"
#include "lmm/io/h36m.h"

namespace lmm::io {

const char* const kHalpeJointNames[kHalpeJoints] = {
    "nose",           "left_eye",       "right_eye",       "left_ear",        "right_ear",
    "left_shoulder",  "right_shoulder", "left_elbow",      "right_elbow",     "left_wrist",
    "right_wrist",    "left_hip",       "right_hip",       "left_knee",       "right_knee",
    "left_ankle",     "right_ankle",    "head",            "neck",            "hip",
    "left_big_toe",   "right_big_toe",  "left_small_toe",  "right_small_toe", "left_heel",
    "right_heel"};

const char* const kH36mJointNames[kH36mJoints] = {
    "pelvis",    "right_hip",     "right_knee", "right_ankle", "left_hip",      "left_knee",
    "left_ankle", "spine",        "thorax",     "nose",        "head",          "left_shoulder",
    "left_elbow", "left_wrist",   "right_shoulder", "right_elbow", "right_wrist"};

namespace convention_tables {
namespace {

// BODY_25 order: Nose Neck RShoulder RElbow RWrist LShoulder LElbow LWrist MidHip RHip RKnee
// RAnkle LHip LKnee LAnkle REye LEye REar LEar LBigToe LSmallToe LHeel RBigToe RSmallToe RHeel.
const std::array<std::string, kNumJoints> kCoco17{
    "nose",
    "0.5*left_shoulder + 0.5*right_shoulder",  // Neck
    "right_shoulder", "right_elbow", "right_wrist",
    "left_shoulder",  "left_elbow",  "left_wrist",
    "0.5*left_hip + 0.5*right_hip",            // MidHip
    "right_hip", "right_knee", "right_ankle",
    "left_hip",  "left_knee",  "left_ankle",
    "right_eye", "left_eye", "right_ear", "left_ear",
    "", "", "", "", "", ""};                   // no feet

const std::array<std::string, kNumJoints> kHalpe26{
    "nose",
    "neck",                                    // Neck: Halpe's own neck point
    "right_shoulder", "right_elbow", "right_wrist",
    "left_shoulder",  "left_elbow",  "left_wrist",
    "hip",                                     // MidHip: Halpe's own hip (pelvis) point
    "right_hip", "right_knee", "right_ankle",
    "left_hip",  "left_knee",  "left_ankle",
    "right_eye", "left_eye", "right_ear", "left_ear",
    "left_big_toe", "left_small_toe", "left_heel",
    "right_big_toe", "right_small_toe", "right_heel"};

const std::array<std::string, kNumJoints> kH36m17{
    "nose",                                    // Nose: H36M's "neck/nose" point
    "thorax",                                  // Neck
    "right_shoulder", "right_elbow", "right_wrist",
    "left_shoulder",  "left_elbow",  "left_wrist",
    "pelvis",                                  // MidHip
    "right_hip", "right_knee", "right_ankle",
    "left_hip",  "left_knee",  "left_ankle",
    "", "", "", "",                            // no eyes, ears
    "", "", "", "", "", ""};                   // no feet

}  // namespace

void add_coco(std::vector<Convention>& out) {
  out.push_back({"coco17", "COCO-17 keypoints", "keypoints", kCoco17,
                 "COCO has no neck, mid-hip or feet: **Neck** is the mid-point of the shoulders and "
                 "**MidHip** of the hips (confidence = the lower of the two); toes and heels are "
                 "missing (confidence 0)."});
  out.push_back({"halpe26", "AlphaPose Halpe-26 (first 26 points of Halpe-136 too)", "keypoints", kHalpe26,
                 "Halpe-26 is COCO-17 followed by head, neck, hip and the feet (big toe, small toe, "
                 "heel per side), so all 25 BODY_25 joints are present: **Neck** and **MidHip** are "
                 "Halpe's own neck and hip points, not mid-points. The head-top point is not used."});
  out.push_back({"h36m17", "Human3.6M 17 joints (VideoPose3D / MotionBERT order)", "keypoints", kH36m17,
                 "H36M's joint 9 (\"neck/nose\", at the base of the nose) stands for **Nose** and the "
                 "thorax (joint 8, between the shoulders) for **Neck**; the spine (7) and head top "
                 "(10) are not used. There are no eyes, ears or feet (confidence 0)."});
}

}  // namespace convention_tables
}  // namespace lmm::io

// Kinect V2 skeleton conventions (family "kinect"), shared by the NTU .skeleton reader and the
// Kinect text exports (src/io/kinect_text.cpp):
//   kinect_v2      the 25 joints of the Kinect SDK 2.0 `JointType`, named as the SDK spells them
//                  ("SpineBase", ..., "ThumbRight"; order: kKinectJointNames)
//   kinect_gait18  the 18-joint subset of the UCalgary gait CSVs ("Foot Left X, Y, Z, ...",
//                  shoulders spelled "ShouldL"/"ShouldR", no SpineShoulder)
// Recipes are the table below, one string per BODY_25 joint (grammar in convention.h).
#include "conventions.h"
#include "lmm/io/kinect_text.h"

namespace lmm::io {

const char* const kKinectJointNames[kKinectJoints] = {
    "SpineBase",     "SpineMid",    "Neck",      "Head",          "ShoulderLeft",
    "ElbowLeft",     "WristLeft",   "HandLeft",  "ShoulderRight", "ElbowRight",
    "WristRight",    "HandRight",   "HipLeft",   "KneeLeft",      "AnkleLeft",
    "FootLeft",      "HipRight",    "KneeRight", "AnkleRight",    "FootRight",
    "SpineShoulder", "HandTipLeft", "ThumbLeft", "HandTipRight",  "ThumbRight"};

namespace convention_tables {
namespace {

// BODY_25 order: Nose Neck RShoulder RElbow RWrist LShoulder LElbow LWrist MidHip RHip RKnee
// RAnkle LHip LKnee LAnkle REye LEye REar LEar LBigToe LSmallToe LHeel RBigToe RSmallToe RHeel.
const std::array<std::string, kNumJoints> kKinectV2 = {
    "Head",           // Nose      (centre of the head, a few cm above and behind the nose)
    "SpineShoulder",  // Neck
    "ShoulderRight", "ElbowRight", "WristRight",
    "ShoulderLeft",  "ElbowLeft",  "WristLeft",
    "SpineBase",      // MidHip
    "HipRight", "KneeRight", "AnkleRight",
    "HipLeft",  "KneeLeft",  "AnkleLeft",
    "", "", "", "",   // eyes, ears: not tracked by Kinect
    "FootLeft",       // LBigToe   (front of the foot)
    "", "",           // LSmallToe, LHeel
    "FootRight",      // RBigToe   (front of the foot)
    "", ""};          // RSmallToe, RHeel

const std::array<std::string, kNumJoints> kGait18 = {
    "Head",
    "0.5*ShouldL + 0.5*ShouldR",  // Neck: no SpineShoulder in these files
    "ShouldR", "ElbowRight", "WristRight",
    "ShouldL", "ElbowLeft",  "WristLeft",
    "SpineBase",
    "HipRight", "KneeRight", "AnkleRight",
    "HipLeft",  "KneeLeft",  "AnkleLeft",
    "", "", "", "",
    "FootLeft",
    "", "",
    "FootRight",
    "", ""};

}  // namespace

void add_kinect(std::vector<Convention>& out) {
  out.push_back({"kinect_v2", "Kinect V2 (SDK 2.0 JointType, 25 joints)", "kinect", kKinectV2,
                 "Approximations: Kinect's **Head** (the centre of the head) stands for **Nose**; "
                 "**FootLeft/FootRight** (the front of the foot) for **LBigToe/RBigToe**. Kinect has "
                 "no eyes, ears, small toes or heels (confidence 0); SpineMid, Neck, the hands, hand "
                 "tips and thumbs are not used."});
  out.push_back({"kinect_gait18", "Kinect V2 18-joint gait subset (UCalgary gait CSV)", "kinect", kGait18,
                 "As Kinect V2, but the files lack SpineShoulder: **Neck** is the mid-point of the "
                 "shoulders. Names are matched without spaces (\"Foot Left\" = FootLeft)."});
}

}  // namespace convention_tables
}  // namespace lmm::io

// The OpenPose BODY_25 skeleton: joint indices and names, bones, left/right mirror
// pairs and the five anatomical regions used by the body-part tokens.
// A pose frame is (25, 3): x, y, confidence per joint; confidence 0 means "missing".
#pragma once
#include <array>
#include <string_view>
#include <utility>

namespace lmm {

constexpr int kNumJoints = 25;       // BODY_25
constexpr int kChannels = 3;         // x, y, confidence
constexpr int kFrameDim = kNumJoints * kChannels;  // 75: one frame token
constexpr double kStandardFps = 15.0;              // every normalized clip
constexpr float kStandardTorso = 1.0f;             // Neck-MidHip length after scaling

enum Joint : int {
  Nose = 0, Neck = 1, RShoulder = 2, RElbow = 3, RWrist = 4, LShoulder = 5, LElbow = 6,
  LWrist = 7, MidHip = 8, RHip = 9, RKnee = 10, RAnkle = 11, LHip = 12, LKnee = 13,
  LAnkle = 14, REye = 15, LEye = 16, REar = 17, LEar = 18, LBigToe = 19, LSmallToe = 20,
  LHeel = 21, RBigToe = 22, RSmallToe = 23, RHeel = 24
};

// Name of joint j as OpenPose spells it ("RShoulder"); "?" when out of range.
std::string_view joint_name(int j);
// Index of the joint named `name` (exact OpenPose spelling), or -1.
int joint_index(std::string_view name);

// The 24 bones OpenPose draws, parent first.
constexpr std::array<std::pair<int, int>, 24> kBones{{
    {Neck, MidHip}, {Neck, RShoulder}, {Neck, LShoulder}, {RShoulder, RElbow},
    {RElbow, RWrist}, {LShoulder, LElbow}, {LElbow, LWrist}, {MidHip, RHip},
    {RHip, RKnee}, {RKnee, RAnkle}, {MidHip, LHip}, {LHip, LKnee}, {LKnee, LAnkle},
    {Neck, Nose}, {Nose, REye}, {REye, REar}, {Nose, LEye}, {LEye, LEar},
    {LAnkle, LBigToe}, {LBigToe, LSmallToe}, {LAnkle, LHeel}, {RAnkle, RBigToe},
    {RBigToe, RSmallToe}, {RAnkle, RHeel}}};

// mirror[j] is the joint on the other side of the body (centre joints map to themselves).
constexpr std::array<int, kNumJoints> kMirror{
    Nose, Neck, LShoulder, LElbow, LWrist, RShoulder, RElbow, RWrist, MidHip, LHip, LKnee,
    LAnkle, RHip, RKnee, RAnkle, LEye, REye, LEar, REar, RBigToe, RSmallToe, RHeel,
    LBigToe, LSmallToe, LHeel};

// Body-part regions for the (T, 5, 21) tokens: each region lists up to 7 joints,
// -1 pads the rest (padded slots are zero in the tokens).
constexpr int kNumParts = 5;
constexpr int kPartJoints = 7;
constexpr int kPartDim = kPartJoints * kChannels;  // 21
constexpr std::array<std::string_view, kNumParts> kPartNames{"core", "right_arm", "left_arm",
                                                             "right_leg", "left_leg"};
constexpr std::array<std::array<int, kPartJoints>, kNumParts> kParts{{
    {Nose, Neck, MidHip, REye, LEye, REar, LEar},
    {RShoulder, RElbow, RWrist, -1, -1, -1, -1},
    {LShoulder, LElbow, LWrist, -1, -1, -1, -1},
    {RHip, RKnee, RAnkle, RBigToe, RSmallToe, RHeel, -1},
    {LHip, LKnee, LAnkle, LBigToe, LSmallToe, LHeel, -1},
}};

}  // namespace lmm

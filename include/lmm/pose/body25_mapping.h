// BlazePose (33 points) -> OpenPose BODY_25 correspondence. Each BODY_25 joint is one
// BlazePose point, the midpoint of two (Neck = mid(11, 12), MidHip = mid(23, 24); their
// confidence is the smaller of the two), or absent (LSmallToe, RSmallToe: BlazePose has
// only one toe point, the foot index, mapped to BigToe; absent joints get 0, 0, 0).
// Confidence = BlazePose visibility (sigmoid of the visibility logit). BlazePose always
// places all 33 points, also legs below a waist-up frame, so a point is missing (0, 0, 0)
// when it lies outside the image (beyond a margin), when it lies inside the image with a
// visibility below min_visibility (0.2: an occluded limb BlazePose still places, which
// OpenPose reports too), or when it lies in the margin beyond the border with a visibility
// below min_visibility_outside (0.5, MediaPipe's drawing threshold: OpenPose reports nothing
// outside the image). Table and measurements in docs/pose.md.
#pragma once
#include <array>
#include <utility>

#include "lmm/core/body25.h"
#include "lmm/pose/pose_landmarker.h"

namespace lmm::pose {

// kBody25FromBlazePose[j] = {a, b}: joint j is point a when b == -1, mid(a, b) otherwise,
// absent when a == -1.
constexpr std::array<std::pair<int, int>, kNumJoints> kBody25FromBlazePose{{
    {0, -1},   // Nose
    {11, 12},  // Neck = mid(left shoulder, right shoulder)
    {12, -1},  // RShoulder
    {14, -1},  // RElbow
    {16, -1},  // RWrist
    {11, -1},  // LShoulder
    {13, -1},  // LElbow
    {15, -1},  // LWrist
    {23, 24},  // MidHip = mid(left hip, right hip)
    {24, -1},  // RHip
    {26, -1},  // RKnee
    {28, -1},  // RAnkle
    {23, -1},  // LHip
    {25, -1},  // LKnee
    {27, -1},  // LAnkle
    {5, -1},   // REye
    {2, -1},   // LEye
    {8, -1},   // REar
    {7, -1},   // LEar
    {31, -1},  // LBigToe = left foot index
    {-1, -1},  // LSmallToe: no BlazePose point
    {29, -1},  // LHeel
    {32, -1},  // RBigToe = right foot index
    {-1, -1},  // RSmallToe: no BlazePose point
    {30, -1},  // RHeel
}};

struct Body25Visibility {
  float min_visibility = 0.2f;          // inside the image, below this a point is missing, e.g. 0.2
  int width = 0, height = 0;            // image size in pixels; points outside are missing; 0 = no check
  float margin = 0;                     // pixels beyond the border still counted, e.g. 48 ...
  float min_visibility_outside = 0.5f;  // ... when visibility >= this (and >= min_visibility)
};

// Writes one BODY_25 frame (25, 3) x, y, confidence from BlazePose landmarks.
void blazepose_to_body25(const std::array<Landmark, kBlazePoseOutputs>& points, float* frame75,
                         const Body25Visibility& vis = {});

}  // namespace lmm::pose

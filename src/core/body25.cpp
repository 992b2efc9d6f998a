#include "lmm/core/body25.h"

namespace lmm {

static constexpr std::array<std::string_view, kNumJoints> kNames{
    "Nose",  "Neck",  "RShoulder", "RElbow", "RWrist",  "LShoulder", "LElbow",
    "LWrist", "MidHip", "RHip",    "RKnee",  "RAnkle",  "LHip",      "LKnee",
    "LAnkle", "REye",  "LEye",     "REar",   "LEar",    "LBigToe",   "LSmallToe",
    "LHeel",  "RBigToe", "RSmallToe", "RHeel"};

std::string_view joint_name(int j) { return (j >= 0 && j < kNumJoints) ? kNames[j] : "?"; }

int joint_index(std::string_view name) {
  for (int j = 0; j < kNumJoints; ++j)
    if (kNames[j] == name) return j;
  return -1;
}

}  // namespace lmm

// Human3.6M 17-joint 3D sequences as written by VideoPose3D and MotionBERT (format
// "h36m17"): a float .npy (T, 17, 3) in metres, root-relative (joint 0, the pelvis, at the
// origin up to float noise), camera axes x right, y down, z away from the camera.
// Decoded: SourceMotion (skeleton "h36m17", points kH36mJointNames, dims 3, one person)
//   data (T, 1, 17, 4) X = 1000 x, Y = -1000 y (up), Z = -1000 z (toward the camera) mm,
//   confidence 1 (the model outputs every joint).
// Never taken for COCO-17 (coco17.h classify_keypoint_npy); an array that could be either
// needs --format.
#pragma once
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "lmm/io/source_motion.h"

namespace lmm::io {

struct ReadOptions;

constexpr int kH36mJoints = 17;
// 0 pelvis, 1-3 right hip/knee/ankle, 4-6 left hip/knee/ankle, 7 spine, 8 thorax,
// 9 nose ("neck/nose"), 10 head, 11-13 left shoulder/elbow/wrist, 14-16 right.
extern const char* const kH36mJointNames[kH36mJoints];

// Decodes a whole (T, 17, 3) float .npy held in memory; `file` names it in FormatErrors.
SourceMotion decode_h36m17_npy(std::string_view bytes, const std::string& file);

// The registry's probe (0..100) and reader of format "h36m17" (format_registry.cpp).
int probe_h36m17(const std::filesystem::path& file, std::string_view head);
std::vector<SourceMotion> read_h36m17_motion(const std::filesystem::path& file, const ReadOptions& opt);

}  // namespace lmm::io

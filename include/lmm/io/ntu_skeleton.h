// Kinect V2 skeletons in the NTU RGB+D ".skeleton" text format:
//   line 1: frame count; per frame: body count; per body: a line of 10 values
//   (bodyID clipedEdges handLeftConfidence handLeftState handRightConfidence
//   handRightState isResticted leanX leanY trackingState), the joint count (25), then
//   25 lines of 12 values (x y z depthX depthY colorX colorY orientationW X Y Z
//   trackingState). x, y, z are camera space in metres, Y up.
// The reader keeps one body (see docs/formats.md), maps Kinect joints to BODY_25 via
// kKinectToBody25 and fills pose3d (T, 25, 4) in mm and pose (T, 25, 3) by projection.
#pragma once
#include <filesystem>
#include <string>
#include <string_view>

#include "lmm/core/clip.h"

namespace lmm::io {

constexpr int kKinectJoints = 25;

// Kinect V2 joint names in SDK order ("SpineBase", "SpineMid", ...).
extern const char* const kKinectJointNames[kKinectJoints];

// Markdown correspondence table (docs/formats.md must contain it verbatim).
std::string ntu_table_markdown();

// Parses a whole .skeleton file held in memory; `file` names it in errors and
// clip.source_path. fps <= 0 means the default (30).
RawClip parse_ntu_skeleton(std::string_view text, const std::string& file, double fps, View view);

// Writes clip.pose3d (one body, bodyID 72057594037927936) as an NTU .skeleton file
// atomically: BODY_25 joints go back to their Kinect joint (mm -> m); Kinect joints
// without a BODY_25 source are written as zeros with trackingState 0; confidence
// >= 0.75 -> trackingState 2, > 0 -> 1, else 0. Frames with no joint get 0 bodies.
void write_ntu_skeleton(const std::filesystem::path& path, const RawClip& clip);

}  // namespace lmm::io

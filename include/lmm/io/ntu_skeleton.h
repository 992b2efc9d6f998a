// Kinect V2 skeletons in the NTU RGB+D ".skeleton" text format:
//   line 1: frame count; per frame: body count; per body: a line of 10 values
//   (bodyID clipedEdges handLeftConfidence handLeftState handRightConfidence
//   handRightState isResticted leanX leanY trackingState), the joint count (25), then
//   25 lines of 12 values (x y z depthX depthY colorX colorY orientationW X Y Z
//   trackingState). x, y, z are camera space in metres, Y up.
// The decoder keeps every body: SourceMotion (skeleton "kinect_v2", the Kinect joint names)
// with one person slot per bodyID, data (T, N, 25, 4) X, Y(up), Z mm (camera space turned
// to face +Z, kinect_text.h), confidence; track_ids (T, N) = the slot's rank where the
// body is present, else -1. Slots are ranked: most frames, then the largest sum of joint
// confidences, then first seen, so id 0 is the body read_clips follows. At most 8 slots:
// bodyIDs ranked lower are dropped (with a warning).
#pragma once
#include <filesystem>
#include <string>
#include <string_view>

#include "lmm/core/clip.h"
#include "lmm/io/kinect_text.h"
#include "lmm/io/source_motion.h"

namespace lmm::io {

// Decodes a whole .skeleton file held in memory; `file` names it in errors. fps = 30.
SourceMotion decode_ntu_skeleton(std::string_view text, const std::string& file);
SourceMotion read_ntu_motion(const std::filesystem::path& file);

// Content probe: 100 when the file starts with a frame count and a body count line, else 50.
int probe_ntu_skeleton(std::string_view head);

// decode_ntu_skeleton + read_clips' person selection and Kinect V2 convention: BODY_25
// with pose3d (T, 25, 4) mm and pose (T, 25, 3) by projection to `view`. fps <= 0 = 30.
RawClip parse_ntu_skeleton(std::string_view text, const std::string& file, double fps, View view);

// Writes clip.pose3d (one body, bodyID 72057594037927936) as an NTU .skeleton file
// atomically: BODY_25 joints go back to the Kinect joint the kinect_v2 convention takes
// them from (mm facing +Z -> camera metres); Kinect joints
// without a BODY_25 source are written as zeros with trackingState 0; confidence
// >= 0.75 -> trackingState 2, > 0 -> 1, else 0. Frames with no joint get 0 bodies.
void write_ntu_skeleton(const std::filesystem::path& path, const RawClip& clip);

}  // namespace lmm::io

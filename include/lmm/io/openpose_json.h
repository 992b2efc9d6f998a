// OpenPose per-frame JSON (OpenPose 1.7 layout), reading and writing.
//   {"version":1.3,"people":[{"person_id":[-1],"pose_keypoints_2d":[75 floats],
//    "face_keypoints_2d":[],"hand_left_keypoints_2d":[],...}]}
// One file per frame, named <name>_<12-digit frame>_keypoints.json. A person's
// pose_keypoints_2d is one BODY_25 frame (25, 3): x, y, confidence.
// The directory reader (read_openpose_dir in reader.h) follows one person across
// frames with track_person (person_tracker.h).
#pragma once
#include <array>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "lmm/core/body25.h"
#include "lmm/core/clip.h"

namespace lmm::io {

using PersonKeypoints = std::array<float, kFrameDim>;  // (25, 3) x, y, conf

// JSON text of one frame holding `people` (possibly none), as OpenPose writes it;
// floats are written in their shortest exact form so readers round-trip bit for bit.
std::string openpose_frame_json(const std::vector<PersonKeypoints>& people);

// Writes one frame file atomically (creates parent directories).
void write_openpose_frame(const std::filesystem::path& path,
                          const std::vector<PersonKeypoints>& people);

// Writes clip.pose as <dir>/<name>_<12-digit t>_keypoints.json, t = 0..T-1 (name is
// clip.name, "clip" when empty); frames whose confidences are all 0 get "people":[].
// Stale <name>_*_keypoints.json files with t >= T are removed.
void write_openpose_dir(const RawClip& clip, const std::filesystem::path& dir);

// File name of frame t: "<name>_000000000012_keypoints.json".
std::string openpose_frame_filename(const std::string& name, long t);

// Frame index in an OpenPose file name: the last run of digits before "_keypoints.json"
// ("video_000000000012_keypoints.json" -> 12), or -1 when there is none.
long openpose_frame_index(std::string_view filename);

// Parses one frame's JSON text into its people. Throws FormatError(file, frame, ...)
// on invalid JSON, missing "people", a pose_keypoints_2d that is not 75 numbers, or
// non-finite values.
std::vector<PersonKeypoints> parse_openpose_frame(std::string_view json, const std::string& file,
                                                  long frame);

}  // namespace lmm::io

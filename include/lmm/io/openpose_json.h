// OpenPose per-frame JSON (OpenPose 1.7 layout), reading and writing.
//   {"version":1.3,"people":[{"person_id":[-1],"pose_keypoints_2d":[75 floats],
//    "face_keypoints_2d":[],"hand_left_keypoints_2d":[],...}]}
// One file per frame, named <name>_<12-digit frame>_keypoints.json (or any .json file with
// a "people" array, e.g. Pose2Sim's cam01.0030.json). A person's pose_keypoints_2d is
// (P, 3) x, y, confidence: P = 25 (BODY_25, or BODY_25B with --keypoints body25b) or 18
// (COCO-18, 54 numbers); models in openpose_models.h.
// The frame-directory format ("openpose" in format_registry.cpp) reads a directory as one
// clip per file-name prefix (Kick_1_*, Kick_2_*) and follows one person across frames with
// PersonTracker (person_tracker.h) while the frames are parsed.
#pragma once
#include <array>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "lmm/core/body25.h"
#include "lmm/core/clip.h"
#include "lmm/io/source_motion.h"

namespace lmm::io {

struct ReadOptions;

using PersonKeypoints = std::array<float, kFrameDim>;  // (25, 3) x, y, conf

// JSON text of one frame holding `people` (possibly none), as OpenPose writes it;
// floats are written in their shortest exact form so readers round-trip bit for bit.
std::string openpose_frame_json(const std::vector<PersonKeypoints>& people);

// Writes one frame file atomically (creates parent directories).
void write_openpose_frame(const std::filesystem::path& path,
                          const std::vector<PersonKeypoints>& people);

// Writes clip.pose as <dir>/<name>_<12-digit t>_keypoints.json, t = 0..T-1 (name is
// clip.name, "clip" when empty); frames whose confidences are all 0 get "people":[].
// Stale <name>_*_keypoints.json files with t >= T are removed. When clip.fps > 0 the rate
// goes to <dir>/pose_meta.json ({"fps", "frames", "skeleton"}), which the reader takes.
// All or nothing: the files are written into a hidden temp folder in <dir> and moved in when
// all are written; on a failed write (full disk) <dir> is left as it was and IoError names it.
void write_openpose_dir(const RawClip& clip, const std::filesystem::path& dir);

// File name of frame t: "<name>_000000000012_keypoints.json".
std::string openpose_frame_filename(const std::string& name, long t);

// Frame index in an OpenPose file name: the last run of digits before "_keypoints.json" or
// ".json" ("video_000000000012_keypoints.json" -> 12, "cam01.0030.json" -> 30), or -1 when
// there is none.
long openpose_frame_index(std::string_view filename);

// Clip prefix of a frame file name: the name up to its last run of digits, separators
// trimmed ("Kick_1_000000000003_keypoints.json" -> "Kick_1", "cam01.0030.json" -> "cam01").
std::string openpose_clip_prefix(std::string_view filename);

// Parses one frame's JSON text into its people, each padded to (25, 3) (a COCO-18 person
// fills the first 18 points). Throws FormatError(file, frame, ...) on invalid JSON, missing
// "people", a pose_keypoints_2d that is not 75 or 54 numbers, non-finite values or a
// negative confidence; confidences above 1 become 1.
std::vector<PersonKeypoints> parse_openpose_frame(std::string_view json, const std::string& file,
                                                  long frame);

// ---- the frame-directory format ----

// A frame file of the format: a name ending in _keypoints.json, or a .json file whose
// first kProbeBytes hold a "people" key.
bool is_openpose_frame_file(const std::filesystem::path& file);
// Directory probe: 100 when it holds *_keypoints.json files, 90 when (some of its first 16)
// .json files hold "people", else 0.
int probe_openpose_dir(const std::filesystem::path& dir);
// One SourceMotion per clip (file-name prefix) of the directory, `part` = the prefix when
// there are several, "" otherwise. Each holds the tracked person only (people = 1), the
// model's points (skeleton "body25", "body25b" with opt.keypoints, or "coco18" for 54
// numbers), fps from opt.fps_in or pose_meta.json (0 = unknown), and the findings of
// check_openpose_motion (normalized units, possible BODY_25B). Throws FormatError naming the
// file and frame; IoError when the directory cannot be read.
std::vector<SourceMotion> read_openpose_frames(const std::filesystem::path& dir,
                                               const ReadOptions& opt);

}  // namespace lmm::io

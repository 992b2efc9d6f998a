// Input discovery and reading: turns a user's input paths into BODY_25 RawClips.
//   path --discover()--> InputItem --format.read--> SourceMotion (the source's own points)
//        --select_person--> one person --Convention (convention.h)--> BODY_25
//        --project (3D -> 2D view)--> RawClip
// Formats are registered in format_registry.h; conventions (correspondence tables) in
// convention.h; both are documented in docs/formats.md and docs/formats_mocap.md.
// Joints a source lacks get confidence 0; derived joints (Neck, MidHip) the min
// confidence of the points they use.
#pragma once
#include <filesystem>
#include <string>
#include <vector>

#include "lmm/core/clip.h"
#include "lmm/io/format_registry.h"

namespace lmm::io {

struct ReadOptions {
  std::string format = "auto";          // a registered format name or alias; "auto" = probe
  double fps_in = 0;                    // override the source rate; 0 = from the file or format default
  View view = View::front;              // projection of 3D sources
  double yaw = 0;                       // degrees the 3D body is turned about the vertical before it (clip.h)
  std::filesystem::path markers;        // --markers FILE.json: own C3D marker set ("" = built-in)
  std::filesystem::path joints;         // --joints FILE.json: own BVH joint table ("" = built-in)
  std::string keypoints;                // --keypoints: OpenPose model "body25" | "body25b" | "coco18"; "" = auto
  int frame_width = 0, frame_height = 0;  // --frame-size WxH: pixels of [0, 1] coordinates; 0 = unknown
};

// One unit of input: a file, or a directory of per-frame files.
struct InputItem {
  std::filesystem::path path;
  std::string format;  // registered format name; "" = unknown (read_clips reports it)
  std::string name;    // unique clip name from discover_inputs, e.g. "walk_01"; "" = from the path
};

// A file discovery passed over, with why ("not a recording: no format recognises it").
struct SkippedInput {
  std::filesystem::path path;
  std::string reason;
};

struct Discovery {
  std::vector<InputItem> items;
  std::vector<SkippedInput> skipped;
};

// Expands files and directories (recursively) into readable items. Directory formats
// (OpenPose frames) claim a directory by content; other files are probed by extension and
// content (format_registry.h) and skipped with a note when no format claims them. With an
// explicit format every file is given to it. An explicit file of unknown kind is kept so
// that read_clips reports it. Items come in input order, directory contents sorted by path;
// names are the file stem or directory name, made unique (see docs/formats.md).
// Throws IoError for a path that does not exist.
Discovery discover(const std::vector<std::filesystem::path>& inputs, const std::string& format = "auto");
std::vector<InputItem> discover_inputs(const std::vector<std::filesystem::path>& inputs,
                                       const std::string& format = "auto");

// Reads one item: one clip per sub-clip of the file (several people with their own prefix,
// several videos in one archive, several clips sharing one frame directory), named
// "<item name>_<part>". Throws FormatError (file, frame, reason) on bad input.
std::vector<RawClip> read_clips(const InputItem& item, const ReadOptions& opt);
// The only clip of an item (FormatError when the item holds several).
RawClip read_clip(const InputItem& item, const ReadOptions& opt);

// BODY_25 RawClip from one decoded sub-clip: person selection, convention (the fixed
// m.skeleton, else the user's --markers/--joints file, else the best of `family`), projection.
RawClip to_raw_clip(SourceMotion m, const ReadOptions& opt, const std::string& file,
                    const std::string& family);

// One-clip shortcuts of the readers (also usable directly); each returns BODY_25.
RawClip read_openpose_dir(const std::filesystem::path& dir, double fps);   // default fps 30
RawClip read_coco17(const std::filesystem::path& file, double fps);        // .json, .npy, .csv
RawClip read_ntu_skeleton(const std::filesystem::path& file, double fps, View view);  // 30 FPS
RawClip read_c3d(const std::filesystem::path& file, double fps, View view);
RawClip read_bvh(const std::filesystem::path& file, double fps, View view);

}  // namespace lmm::io

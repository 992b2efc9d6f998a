// Format detection and dispatch: turns a user's input path into BODY_25 RawClips.
// Every reader maps its joint schema to BODY_25 through a correspondence table kept
// in its source file and documented in docs/formats.md; joints a source lacks get
// confidence 0; synthesized joints (Neck, MidHip) get the min confidence of parents.
#pragma once
#include <filesystem>
#include <string>
#include <vector>

#include "lmm/core/clip.h"

namespace lmm::io {

enum class Format { auto_detect, openpose, coco17, ntu, c3d, bvh };
Format parse_format(const std::string& s);  // "auto" | "openpose" | ... else ConfigError
const char* format_name(Format f);

struct ReadOptions {
  Format format = Format::auto_detect;
  double fps_in = 0;           // override the source rate; 0 = from the file or format default
  View view = View::front;     // projection of 3D sources
};

// One unit of input: a file, or a directory of per-frame OpenPose JSON files.
struct InputItem {
  std::filesystem::path path;
  Format format;
  std::string name;  // unique clip name from discover_inputs, e.g. "walk_01"; "" = from the path
};

// Expands files and directories (recursively) into readable items. A directory that
// holds *_keypoints.json files is one OpenPose clip; other files are kept when their
// format is known (by extension or, with an explicit format, all regular files).
// Items come in input order, directory contents sorted by path; names are the file
// stem or directory name, made unique (see docs/formats.md).
// Throws IoError for a path that does not exist.
std::vector<InputItem> discover_inputs(const std::vector<std::filesystem::path>& inputs,
                                       Format format);

// Format of one path by extension / content; Format::auto_detect when unknown.
Format detect_format(const std::filesystem::path& p);

// Reads one item. Throws FormatError (file, frame, reason) on bad input.
RawClip read_clip(const InputItem& item, const ReadOptions& opt);

// Per-format readers (also usable directly).
RawClip read_openpose_dir(const std::filesystem::path& dir, double fps);   // default fps 30
RawClip read_coco17(const std::filesystem::path& file, double fps);        // .json, .npy, .csv
RawClip read_ntu_skeleton(const std::filesystem::path& file, double fps, View view);  // 30 FPS
RawClip read_c3d(const std::filesystem::path& file, double fps, View view);
RawClip read_bvh(const std::filesystem::path& file, double fps, View view);

}  // namespace lmm::io

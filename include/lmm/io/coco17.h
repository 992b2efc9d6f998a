// COCO-17 keypoint sequences: the correspondence table to BODY_25, in-memory parsers
// for the three file kinds read_coco17 (reader.h) accepts, and a .npy writer.
//   COCO joints (17, 3): x, y, v   (v: visibility flag 0/1/2 or a score in [0, 1])
//   .json  COCO annotation file {"images":[...],"annotations":[...]}, a result list
//          [{"image_id":..,"keypoints":[51],"score":..}], or a plain list
//          [{"keypoints":[51]}, ...] (one element per frame)
//   .npy   float32/float64, C order, shape (T, 17, 3)
//   .csv / .txt  T rows of 51 numbers, or 17*T rows of 3
#pragma once
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "lmm/core/clip.h"

namespace lmm::io {

constexpr int kCocoJoints = 17;
constexpr int kCocoFrameDim = kCocoJoints * 3;  // 51

// The COCO keypoint names in COCO order ("nose", "left_eye", ...).
extern const char* const kCocoJointNames[kCocoJoints];

// Markdown correspondence table (docs/formats.md must contain it verbatim).
std::string coco17_table_markdown();

// Builds a RawClip from T frames of COCO keypoints (T, 17, 3) whose third channel is
// already a confidence in [0, 1]. Checks finiteness (FormatError naming file and frame).
RawClip coco17_clip(const std::vector<float>& coco, const std::string& file, double fps);

// Parsers of whole files held in memory; `file` is used in error messages and as
// clip.source_path. fps <= 0 means the default (30).
RawClip parse_coco17_json(std::string_view text, const std::string& file, double fps);
RawClip parse_coco17_npy(std::string_view bytes, const std::string& file, double fps);
RawClip parse_coco17_csv(std::string_view text, const std::string& file, double fps);

// Writes (T, 17, 3) keypoints as a float32 .npy (format v1.0) atomically.
void write_coco17_npy(const std::filesystem::path& path, const std::vector<float>& coco,
                      int frames);

}  // namespace lmm::io

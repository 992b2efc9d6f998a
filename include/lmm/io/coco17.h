// COCO-family 2D keypoint files (format "coco17"): decoders into SourceMotion (skeleton
// "coco17" or "halpe26", points named as in kCocoJointNames / kHalpeJointNames; the
// correspondence to BODY_25 is data in src/io/conventions/coco.cpp), content probes, and a
// .npy writer for fixtures.
//   .json  COCO annotation file {"images":[...],"annotations":[...]}, a result list
//          [{"image_id":..,"keypoints":[3K],"score":..}, ...] (AlphaPose), or a plain list
//          [{"keypoints":[3K]}, ...] / [[3K numbers], ...] (one element per frame);
//          K = 17 (COCO), 26 (Halpe-26) or 136 (Halpe-136: its first 26 points are used)
//   .npy   float32/float64, C order, shape (T, 17, 3): x px, y px, score
//   .csv / .txt  T rows of 51 numbers, or 17*T rows of 3
// Decoded: data (T, N, K, 3) x, y px (y down), confidence in [0, 1]; N = the most people in
// one image; track_ids (T, N) from "track_id" when the file has them, else empty.
#pragma once
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "lmm/core/clip.h"
#include "lmm/io/source_motion.h"

namespace lmm::io {

struct ReadOptions;

constexpr int kCocoJoints = 17;
constexpr int kCocoFrameDim = kCocoJoints * 3;  // 51
constexpr int kHalpeJoints = 26;

// The keypoint names in file order ("nose", "left_eye", ...), used as SourceMotion::points.
extern const char* const kCocoJointNames[kCocoJoints];
extern const char* const kHalpeJointNames[kHalpeJoints];  // COCO-17, head, neck, hip, feet

// Decoders of whole files held in memory; `file` names the source in FormatErrors.
SourceMotion decode_coco_json(std::string_view text, const std::string& file);
SourceMotion decode_coco17_npy(std::string_view bytes, const std::string& file);
SourceMotion decode_coco17_csv(std::string_view text, const std::string& file);

// What a (T, 17, 3) float .npy holds, judged from its values:
//   coco17: third values are scores in [0, 1] (or visibility flags 0/1/2);
//   h36m17: root-relative metres: joint 0 within 1 mm of the origin in every frame, all
//           values within 10 m, some joint off the origin (VideoPose3D / MotionBERT 3D);
//   ambiguous: both or neither (the user must say --format coco17 or --format h36m17).
enum class KeypointNpyKind { not_17x3, coco17, h36m17, ambiguous };
// `bytes` may be just the head of the file: the complete frames in it are judged.
KeypointNpyKind classify_keypoint_npy(std::string_view bytes, const std::string& file);

// The registry's probe (0..100) and reader of format "coco17" (format_registry.cpp).
int probe_coco17(const std::filesystem::path& file, std::string_view head);
std::vector<SourceMotion> read_coco17_motion(const std::filesystem::path& file, const ReadOptions& opt);

// Decoder + read_clips' person selection and convention: BODY_25 RawClip (pose (T, 25, 3)).
// fps <= 0 = the file's rate or 30.
RawClip parse_coco17_json(std::string_view text, const std::string& file, double fps);
RawClip parse_coco17_npy(std::string_view bytes, const std::string& file, double fps);
RawClip parse_coco17_csv(std::string_view text, const std::string& file, double fps);

// Writes (T, 17, 3) keypoints as a float32 .npy (format v1.0) atomically.
void write_coco17_npy(const std::filesystem::path& path, const std::vector<float>& coco, int frames);

}  // namespace lmm::io

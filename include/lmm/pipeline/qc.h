// Quality control of a normalized clip: per-joint confidence statistics, artifact
// detection (jumps, frozen frames, bone-length outliers, left/right swaps) and a
// usability class. Thresholds are the constants below; docs/normalization.md explains them.
//   in: pose (T, 25, 3) normalized at `fps` (centred on MidHip, torso length 1,
//       missing joints have confidence 0)
#pragma once
#include <string>
#include <vector>

#include "lmm/core/clip.h"

namespace lmm::pipeline {

constexpr float kMinConfidence = 0.05f;  // default: a joint below this counts as missing
constexpr int kMainJoints = 15;          // joints 0..14 (Nose..LAnkle): the body without face/feet
constexpr size_t kMaxArtifacts = 256;    // QcRecord::artifacts keeps the earliest this many

// True when a joint with this confidence counts as seen (conf > 0 and >= min_confidence).
inline bool is_visible(float conf, float min_confidence) {
  return conf > 0.f && conf >= min_confidence;
}

struct QcThresholds {
  float min_confidence = kMinConfidence;  // joint counts as missing below this, 0.05
  float jump_speed = 15.0f;        // torso lengths per second between consecutive frames, 15
  int frozen_run = 8;              // >= this many identical consecutive frames is frozen, 8
  float frozen_tol = 1e-6f;        // |dx|, |dy| at most this counts as identical, 1e-6
  float bone_ref_quantile = 0.9f;  // reference length: this quantile of the bone's length, 0.9
  float bone_ratio = 0.5f;         // bone / reference - 1 above this is a stretch outlier, 0.5
  float bone_min_excess = 0.1f;    // ...and only when bone - reference exceeds this (torso), 0.1
  float swap_ratio = 0.5f;         // mirrored distance below this share of as-is distance, 0.5
  float swap_min_shift = 0.1f;     // ...and only when the as-is mean shift exceeds this, 0.1
  float degraded_missing = 0.2f;   // mean missing share of the 15 main joints, 0.2
  float unusable_missing = 0.6f;   // 0.6
  float degraded_artifacts = 0.05f;  // share of frames touched by an artifact, 0.05
  float unusable_artifacts = 0.25f;  // 0.25
  int min_frames = 2;              // clips shorter than this are unusable, 2
};

// Which part of the body a clip shows (normalize() decides; partial bodies are degraded
// with reason "lower body only" / "upper body only", and their missing-joint share is
// counted over the joints that part has).
enum class BodyCoverage { full, lower, upper };

// QC of one normalized clip; `fps` is its frame rate (15 after normalize()).
// Throws ConfigError when pose.size() != frames * 75 or fps <= 0.
QcRecord quality_control(const std::vector<float>& pose, int frames, double fps,
                         const QcThresholds& th = {}, BodyCoverage coverage = BodyCoverage::full);

// Human-body plausibility of a 3D clip (pose3d in mm; nothing for 2D clips): median thigh
// (hip-knee) outside kThighRangeMm or Neck-MidHip outside kTorsoRangeMm (wrong units or
// skeleton), and the neck below the hips in most frames (inverted up axis). One reason each.
constexpr float kThighRangeMm[2] = {300.f, 560.f};
constexpr float kTorsoRangeMm[2] = {350.f, 700.f};
std::vector<std::string> geometry_findings(const RawClip& raw);

// Marks r at least degraded for each reason (reader flags such as "truncated", geometry
// findings) and appends them to r.reason.
void add_findings(QcRecord& r, const std::vector<std::string>& reasons);

}  // namespace lmm::pipeline

// Skeleton clips as they move through the pipeline.
//   RawClip:        what a reader returns: BODY_25 at the source rate and units.
//                   pose   (T, 25, 3)  x, y, confidence   (2D view; image axes, y down)
//                   pose3d (T, 25, 4)  X, Y, Z, confidence (3D sources only; Y up, mm)
//   NormalizedClip: after normalize(): 15 FPS, centred on MidHip, torso length 1,
//                   with velocity/acceleration/jerk (T, 25, 2) and a QC record.
#pragma once
#include <array>
#include <cstddef>
#include <string>
#include <vector>

#include "lmm/core/body25.h"

namespace lmm {

// Orthographic view used to turn a 3D source into the 2D representation.
//   front: looks along -Z: (X, -Y);  side: looks along -X: (Z, -Y);  top: (X, Z).
enum class View { front, side, top };
View parse_view(const std::string& s);  // "front" | "side" | "top", else ConfigError

// Yaw (degrees): the body is turned about the vertical axis before the view's projection,
//   X' = X cos(a) + Z sin(a),  Z' = Z cos(a) - X sin(a),  Y unchanged
// (right-handed about +Y: a body facing +Z turns to face +X at a = 90, so front at yaw 90
// is the side view: image x = Z; at -90 image x = -Z). Multiples of 90 are exact; yaw 0
// leaves the projection bit for bit as without it.
// A clip stored at several angles (lmm ingest --yaw) is named "<recording>@yaw<a>", e.g.
// "walk_01@yaw30", "walk_01@yaw-30", "walk_01@yaw22.5".
std::vector<double> parse_yaws(const std::string& list);  // "0,30,-30": each in [-180, 180],
                                                           // no repeats, else ConfigError naming it
std::string yaw_clip_name(const std::string& recording, double yaw_deg);  // "walk_01@yaw30"
std::string recording_name(const std::string& clip);  // "walk_01@yaw30" -> "walk_01"; others as is

struct RawClip {
  std::string name;           // clip id, unique within a dataset, e.g. "walk_01"
  std::string source_path;    // the file or directory it was read from
  std::string source_format;  // "openpose" | "coco17" | "ntu" | "c3d" | "bvh" | "pose"
  double fps = 0;             // source frame rate, e.g. 30.0, 29.97, 120.0
  std::string units;          // unit of the 2D coordinates: "px" or "mm"
  int frames = 0;             // T
  std::vector<float> pose;    // (T, 25, 3) x, y, confidence in [0, 1]; 0 = missing
  std::vector<float> pose3d;  // (T, 25, 4) X, Y(up), Z, confidence in mm; empty for 2D
  std::vector<std::string> warnings;  // reader findings for the user, one line each
  std::vector<std::string> qc_flags;  // reasons QC reports as degraded, e.g. "truncated"

  float* frame(int t) { return pose.data() + static_cast<size_t>(t) * kFrameDim; }
  const float* frame(int t) const { return pose.data() + static_cast<size_t>(t) * kFrameDim; }
};

// Fills clip.pose (T, 25, 3) from clip.pose3d by orthographic projection to `view` of
// the body turned by yaw_deg about the vertical axis (see parse_yaws).
void project_orthographic(RawClip& clip, View view, double yaw_deg = 0);

enum class Usability { usable, degraded, unusable };
const char* usability_name(Usability u);  // "usable" | "degraded" | "unusable"

// One detected artifact: kind is "jump", "frozen", "bone_length" or "lr_swap".
struct Artifact {
  std::string kind;
  int frame = -1;     // first frame (normalized 15 FPS index) where it was seen
  int joint = -1;     // joint (or bone's child joint) involved, -1 for whole-frame artifacts
  float value = 0;    // the measured quantity that tripped the threshold
};

// Quality-control record written with every clip (thresholds in docs/normalization.md).
struct QcRecord {
  std::array<float, kNumJoints> conf_mean{};     // mean confidence over frames
  std::array<float, kNumJoints> conf_min{};      // min confidence over frames
  std::array<float, kNumJoints> missing_frac{};  // share of frames with confidence 0
  float frame_missing_frac = 0;                  // share of frames with no torso (Neck or MidHip)
  int n_jumps = 0, n_frozen = 0, n_bone_outliers = 0, n_lr_swaps = 0;
  std::vector<Artifact> artifacts;               // at most a few hundred, earliest first
  Usability usability = Usability::usable;
  std::string reason;                            // why not usable, "" when usable
};

struct NormalizedClip {
  std::string name, source_path, source_format, units;  // as in RawClip
  double source_fps = 0;        // rate of the source before resampling
  int source_frames = 0;        // T before resampling
  double fps = kStandardFps;    // always 15
  int frames = 0;               // T after resampling
  std::vector<float> pose;          // (T, 25, 3) x, y centred and scaled; confidence
  std::vector<float> velocity;      // (T, 25, 2) normalized units per second
  std::vector<float> acceleration;  // (T, 25, 2) per second^2
  std::vector<float> jerk;          // (T, 25, 2) per second^3
  std::vector<float> center;        // (T, 2) MidHip subtracted, source units
  float scale = 1;                  // source units per normalized unit (the torso length)
  std::vector<float> pose3d;        // (T, 25, 4) resampled 3D in source units, or empty
  QcRecord qc;
};

}  // namespace lmm

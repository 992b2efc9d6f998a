// Quality control of a normalized clip: per-joint confidence statistics, artifact
// detection (jumps, frozen frames, bone-length outliers, left/right swaps) and a
// usability class. Thresholds are the constants below; docs/normalization.md explains them.
//   in: pose (T, 25, 3) normalized at `fps` (torso length 1)
#pragma once
#include <vector>

#include "lmm/core/clip.h"

namespace lmm::pipeline {

struct QcThresholds {
  float min_confidence = 0.05f;   // joint counts as missing below this
  float jump_speed = 15.0f;       // torso lengths per second for a single-frame jump
  int frozen_run = 8;             // >= this many identical consecutive frames (at 15 FPS)
  float bone_ratio = 0.5f;        // |bone / median bone - 1| above this is an outlier
  float degraded_missing = 0.2f;  // mean missing share of the 15 main joints
  float unusable_missing = 0.6f;
  float degraded_artifacts = 0.05f;  // artifacts per frame
  float unusable_artifacts = 0.25f;
  int min_frames = 2;             // clips shorter than this are unusable
};

QcRecord quality_control(const std::vector<float>& pose, int frames, double fps,
                         const QcThresholds& th = {});

}  // namespace lmm::pipeline

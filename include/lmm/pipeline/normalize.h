// Per-clip normalization (spec 2.2): resample to 15 FPS with confidence-aware
// interpolation, centre every frame on MidHip, scale to the standard torso length
// (robust Neck-MidHip over the clip), derive velocity/acceleration/jerk, and run QC.
//   in:  RawClip pose (T0, 25, 3) at clip.fps      out: NormalizedClip pose (T, 25, 3) at 15 FPS
#pragma once
#include <vector>

#include "lmm/core/clip.h"

namespace lmm::pipeline {

struct NormalizeConfig {
  double fps_out = kStandardFps;   // target rate, 15
  float torso_length = kStandardTorso;  // Neck-MidHip after scaling, 1.0
  float min_confidence = 0.05f;    // below this a joint counts as missing
};

// Resamples (T0, 25, C) at fps_in to fps_out. Positions are linearly interpolated
// between the two bracketing source frames when both see the joint; when only one
// does and it is within half a source interval, that one is copied; else confidence 0.
// C is 3 (x, y, conf) or 4 (X, Y, Z, conf): the last channel is the confidence.
std::vector<float> resample(const std::vector<float>& x, int frames_in, int channels,
                            double fps_in, double fps_out, int* frames_out);

// Full normalization of one clip. Throws FormatError naming the clip when it has
// no frames, a non-finite value, or no frame where the torso is visible.
NormalizedClip normalize(const RawClip& raw, const NormalizeConfig& cfg = {});

}  // namespace lmm::pipeline

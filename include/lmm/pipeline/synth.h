// Procedural human motion: a 3D kinematic BODY_25 body (segment lengths from
// anthropometric ratios of stature) driven by periodic joint-angle patterns for
// walking, waving, squatting, jumping jacks and reaching, with randomized tempo,
// amplitude and proportions. Two capture domains:
//   video: orthographic camera at a random yaw, pixels, detection jitter, confidence noise,
//          occasional dropouts -> RawClip pose (T, 25, 3), units "px"
//   mocap: clean 3D in mm, confidence 1 -> RawClip pose3d (T, 25, 4) + frontal pose
// Used for the bundled default corpus, tests and benchmarks (real data stays preferred).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "lmm/core/clip.h"

namespace lmm::pipeline {

enum class SynthDomain { video, mocap };

struct SynthConfig {
  std::string motion = "mixed";   // walk | wave | squat | jumping_jack | reach | mixed (random per clip)
  SynthDomain domain = SynthDomain::video;
  double fps = 30.0;              // source frame rate, e.g. 30 (video) or 120 (mocap)
  int frames = 300;               // T at `fps`, e.g. 300 = 10 s at 30 FPS
  uint64_t seed = 1;              // everything is deterministic from the seed
  float jitter_px = 1.5f;         // video: std of Gaussian detection noise, pixels
  float dropout = 0.01f;          // video: chance a joint is missed in a frame
};

// One clip; name = "<motion>_<seed>".
RawClip synthesize(const SynthConfig& cfg);

// Motion names synthesize() accepts besides "mixed".
const std::vector<std::string>& synth_motions();

}  // namespace lmm::pipeline

namespace lmm::pipeline {

// A Plug-in Gait marker set that reproduces a mocap clip's BODY_25 joints through
// io::plugin_gait_to_body25 (head, trunk, limb markers placed on or around the joints;
// ASIS/PSIS placed by inverting the Harrington 2007 hip regression), so synthetic
// mocap can be written as a real C3D file.
//   clip.pose3d (T, 25, 4) canonical X, Y-up, Z mm  ->  markers (T, M, 4) lab X, Y, Z-up, residual
struct MarkerSet {
  std::vector<std::string> labels;  // M names, e.g. "LASI"
  std::vector<float> points;        // (T, M, 4)
};
MarkerSet plugin_gait_markers(const RawClip& mocap);

}  // namespace lmm::pipeline

// Per-clip normalization (spec 2.2): resample to 15 FPS with confidence-aware
// interpolation, centre every frame on MidHip, scale to the standard torso length
// (median Neck-MidHip over the clip), derive velocity/acceleration/jerk, and run QC.
//   in:  RawClip pose (T0, 25, 3) at clip.fps      out: NormalizedClip pose (T, 25, 3) at 15 FPS
//   x_src = x_norm * scale + center[t]   (source units; see docs/normalization.md)
#pragma once
#include <vector>

#include "lmm/core/clip.h"
#include "lmm/pipeline/qc.h"

namespace lmm::pipeline {

// Partial bodies (docs/normalization.md): the torso length is estimated from another segment
// with the adult proportions of Winter (2009, Biomechanics and Motor Control of Human
// Movement, segment lengths as fractions of height H): Neck-MidHip (shoulder height 0.818 H
// minus hip height 0.530 H) = 0.288 H, thigh 0.245 H, shoulder width 0.259 H.
constexpr double kTorsoPerThigh = 0.288 / 0.245;      // 1.18: lower-body sets (no Neck)
constexpr double kTorsoPerShoulders = 0.288 / 0.259;  // 1.11: upper-body videos (no hips)

struct NormalizeConfig {
  double fps_out = kStandardFps;        // target rate, 15
  float torso_length = kStandardTorso;  // Neck-MidHip after scaling, 1.0
  float min_confidence = kMinConfidence;  // below this a joint counts as missing, 0.05
  QcThresholds qc;                      // thresholds of the QC record (min_confidence is
                                        // raised to the value above when lower)
};

// Output frame count when resampling frames_in frames from fps_in to fps_out:
// floor((frames_in - 1) * fps_out / fps_in) + 1, or 0 for no frames.
int resampled_frames(int frames_in, double fps_in, double fps_out);

// Resamples (T0, 25, C) at fps_in to fps_out; output frame k is at time k / fps_out.
// A time that falls on a source frame copies it exactly. Otherwise positions and
// confidence are linearly interpolated between the two bracketing source frames when
// both see the joint; when only one does and it is within half a source interval, that
// one is copied; else the joint is zero with confidence 0.
// C is 3 (x, y, conf) or 4 (X, Y, Z, conf): the last channel is the confidence.
// Throws ConfigError for fps_in or fps_out <= 0, C < 2 or x.size() != T0 * 25 * C.
std::vector<float> resample(const std::vector<float>& x, int frames_in, int channels,
                            double fps_in, double fps_out, int* frames_out,
                            float min_confidence = kMinConfidence);

// One output frame of resample() (also used by the live forecaster, src/live): the pose at
// fraction a of the way from source frame u to the next one v, each (25, C), by the rule
// above (a within 1e-6 of 0 or 1 copies u or v). Writes (25, C) to out.
void interpolate_frame(const float* u, const float* v, double a, int channels, float min_confidence,
                       float* out);

// Time derivatives of a pose (T, 25, 3) at fps, each (T, 25, 2): finite differences
// (central inside, one-sided at the ends) applied once, twice and three times. A
// value is 0 where the joint has confidence 0 in any frame its stencil needs.
struct Derivatives {
  std::vector<float> velocity;      // (T, 25, 2) units per second
  std::vector<float> acceleration;  // (T, 25, 2) units per second^2
  std::vector<float> jerk;          // (T, 25, 2) units per second^3
};
Derivatives derivatives(const std::vector<float>& pose, int frames, double fps);

// Full normalization of one clip. Throws FormatError(source_path, frame, reason) when
// it has no frames, a pose of the wrong size, a non-finite value (naming frame and
// joint), a frame rate <= 0, or nothing to scale by: no frame with both Neck and MidHip,
// nor a hip with its knee (lower body), nor both shoulders and the Neck (upper body).
// QC adds the reader's qc_flags and the 3D geometry findings (qc.h) as reasons.
// Throws ConfigError for an invalid cfg.
NormalizedClip normalize(const RawClip& raw, const NormalizeConfig& cfg = {});

}  // namespace lmm::pipeline

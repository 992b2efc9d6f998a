// Per-clip normalization: validate, resample to 15 FPS, centre on MidHip, scale to the
// standard torso length, derive velocity/acceleration/jerk and run QC. Partial bodies (no
// Neck: lower body; no MidHip: upper body) use the leg- or shoulder-based reference below.
//   raw.pose (T0, 25, 3) source units at raw.fps -> out.pose (T, 25, 3) normalized at 15 FPS
//   out.center (T, 2) source units; out.scale = median Neck-MidHip / torso_length
//   x_norm = (x_src - center[t]) / scale; missing joints are (0, 0, 0).
// Procedure, formulas and fallbacks: docs/normalization.md.
#include <algorithm>
#include <cmath>
#include <string>

#include "lmm/core/error.h"
#include "lmm/pipeline/normalize.h"
#include "median.h"

namespace lmm::pipeline {
namespace {

// Throws FormatError for the first non-finite value of a (T, 25, C) array.
void check_finite(const std::vector<float>& a, int channels, const char* const* channel_names,
                  const char* array_name, const std::string& path) {
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::isfinite(a[i])) continue;
    const size_t per_frame = static_cast<size_t>(kNumJoints) * channels;
    const long t = static_cast<long>(i / per_frame);
    const int j = static_cast<int>(i % per_frame) / channels;
    const int c = static_cast<int>(i % channels);
    throw FormatError(path, t,
                      std::string("non-finite ") + channel_names[c] + " of joint " +
                          std::string(joint_name(j)) + " (" + std::to_string(j) + ") in " +
                          array_name);
  }
}

void validate(const RawClip& raw, const std::string& path) {
  if (raw.frames <= 0 || raw.pose.empty())
    throw FormatError(path, -1, "clip has no frames");
  const size_t want = static_cast<size_t>(raw.frames) * kFrameDim;
  if (raw.pose.size() != want)
    throw FormatError(path, -1,
                      "pose has " + std::to_string(raw.pose.size()) + " values, expected T*75 = " +
                          std::to_string(raw.frames) + "*75 = " + std::to_string(want));
  if (!raw.pose3d.empty() && raw.pose3d.size() != static_cast<size_t>(raw.frames) * kNumJoints * 4)
    throw FormatError(path, -1,
                      "pose3d has " + std::to_string(raw.pose3d.size()) +
                          " values, expected T*100 = " + std::to_string(raw.frames * 100L));
  static const char* const k2d[] = {"x", "y", "confidence"};
  static const char* const k3d[] = {"X", "Y", "Z", "confidence"};
  check_finite(raw.pose, 3, k2d, "pose", path);
  check_finite(raw.pose3d, 4, k3d, "pose3d", path);
  if (!std::isfinite(raw.fps) || raw.fps <= 0)
    throw FormatError(path, -1, "frame rate is " + std::to_string(raw.fps) + ", expected > 0");
}

// Median distance between joints a and b over the source frames where both are visible;
// 0 when there is no such frame.
double median_distance(const RawClip& raw, int a, int b, float min_conf) {
  std::vector<double> len;
  len.reserve(raw.frames);
  for (int t = 0; t < raw.frames; ++t) {
    const float* pa = raw.frame(t) + a * kChannels;
    const float* pb = raw.frame(t) + b * kChannels;
    if (is_visible(pa[2], min_conf) && is_visible(pb[2], min_conf))
      len.push_back(std::hypot(double(pa[0]) - pb[0], double(pa[1]) - pb[1]));
  }
  return len.empty() ? 0.0 : median_in_place(len);
}

// The body reference of the clip (docs/normalization.md, "Partial bodies"):
//  full:  torso = median Neck-MidHip, centre MidHip;
//  lower: no Neck seen: torso = kTorsoPerThigh * median thigh (hip-knee), centre MidHip;
//  upper: no MidHip seen: torso = kTorsoPerShoulders * median shoulder width, centre Neck.
struct BodyReference {
  BodyCoverage coverage = BodyCoverage::full;
  int centre_joint = MidHip;
  double torso = 0;  // source units
};

bool ever_visible(const RawClip& raw, int j, float min_conf) {
  for (int t = 0; t < raw.frames; ++t)
    if (is_visible(raw.frame(t)[j * kChannels + 2], min_conf)) return true;
  return false;
}

BodyReference body_reference(const RawClip& raw, float min_conf, const std::string& path) {
  BodyReference r;
  r.torso = median_distance(raw, Neck, MidHip, min_conf);
  if (r.torso > 0) return r;
  const bool neck = ever_visible(raw, Neck, min_conf), hips = ever_visible(raw, MidHip, min_conf);
  const double thigh = std::max(median_distance(raw, RHip, RKnee, min_conf),
                                median_distance(raw, LHip, LKnee, min_conf));
  const double shoulders = median_distance(raw, RShoulder, LShoulder, min_conf);
  if (!neck && hips && thigh > 0) {
    r.coverage = BodyCoverage::lower;
    r.torso = kTorsoPerThigh * thigh;
    return r;
  }
  if (neck && !hips && shoulders > 0) {
    r.coverage = BodyCoverage::upper;
    r.centre_joint = Neck;
    r.torso = kTorsoPerShoulders * shoulders;
    return r;
  }
  throw FormatError(path, -1,
                    "no frame where both Neck and MidHip are visible (confidence >= " +
                        std::to_string(min_conf) +
                        "), and not a partial body (lower: MidHip and a thigh, never a Neck; upper: "
                        "Neck and both shoulders, never a MidHip): cannot scale");
}

// Centre (T, 2) in source units. Anchors are the output frames whose centre joint (MidHip,
// or Neck for an upper body) is visible (centre = that joint, exactly); when there are none,
// the source frames where it is visible, placed at their time. Other frames interpolate linearly in time between the
// anchors around them and hold the nearest anchor before the first / after the last.
std::vector<float> centre_track(const RawClip& raw, const std::vector<float>& pose, int T,
                                double fps_out, float min_conf, int joint) {
  struct Anchor {
    double t;  // in output frames
    float x, y;
  };
  std::vector<Anchor> anchors;
  for (int k = 0; k < T; ++k) {
    const float* h = pose.data() + static_cast<size_t>(k) * kFrameDim + joint * kChannels;
    if (is_visible(h[2], min_conf)) anchors.push_back({double(k), h[0], h[1]});
  }
  if (anchors.empty())
    for (int i = 0; i < raw.frames; ++i) {
      const float* h = raw.frame(i) + joint * kChannels;
      if (is_visible(h[2], min_conf)) anchors.push_back({i * fps_out / raw.fps, h[0], h[1]});
    }
  // body_reference() guarantees the joint is visible in some source frame.
  std::vector<float> c(static_cast<size_t>(T) * 2);
  size_t n = 0;  // first anchor later than frame k
  for (int k = 0; k < T; ++k) {
    while (n < anchors.size() && anchors[n].t <= k) ++n;
    const Anchor& prev = anchors[n == 0 ? 0 : n - 1];
    if (n == 0 || n == anchors.size()) {
      c[2 * k] = (n == 0 ? anchors.front() : anchors.back()).x;
      c[2 * k + 1] = (n == 0 ? anchors.front() : anchors.back()).y;
      continue;
    }
    const Anchor& next = anchors[n];
    const double a = (k - prev.t) / (next.t - prev.t);
    c[2 * k] = static_cast<float>(prev.x + a * (double(next.x) - prev.x));
    c[2 * k + 1] = static_cast<float>(prev.y + a * (double(next.y) - prev.y));
  }
  return c;
}

// d/dt of x (T, 25, 2) with validity ok (T, 25): central difference inside, one-sided at
// the ends; 0 and invalid where the joint is invalid at t or at a stencil frame.
void differentiate(const std::vector<float>& x, const std::vector<unsigned char>& ok, int T,
                   double fps, std::vector<float>& dx, std::vector<unsigned char>& ok_out) {
  dx.assign(static_cast<size_t>(T) * kNumJoints * 2, 0.f);
  ok_out.assign(static_cast<size_t>(T) * kNumJoints, 0);
  for (int t = 0; t < T; ++t) {
    const int lo = t > 0 ? t - 1 : t;
    const int hi = t < T - 1 ? t + 1 : t;
    if (lo == hi) continue;  // a single frame has no derivative
    const double f = fps / (hi - lo);
    for (int j = 0; j < kNumJoints; ++j) {
      const size_t il = size_t(lo) * kNumJoints + j, it = size_t(t) * kNumJoints + j,
                   ih = size_t(hi) * kNumJoints + j;
      if (!ok[il] || !ok[it] || !ok[ih]) continue;
      ok_out[it] = 1;
      dx[2 * it] = static_cast<float>((double(x[2 * ih]) - x[2 * il]) * f);
      dx[2 * it + 1] = static_cast<float>((double(x[2 * ih + 1]) - x[2 * il + 1]) * f);
    }
  }
}

}  // namespace

Derivatives derivatives(const std::vector<float>& pose, int frames, double fps) {
  LMM_CHECK(frames >= 0 && pose.size() == static_cast<size_t>(frames) * kFrameDim,
            "derivatives: pose has " << pose.size() << " values, expected T*75 = "
                                     << static_cast<size_t>(frames) * kFrameDim);
  LMM_CHECK(fps > 0, "derivatives: frame rate is " << fps << ", expected > 0");
  const size_t n = static_cast<size_t>(frames) * kNumJoints;
  std::vector<float> xy(n * 2);
  std::vector<unsigned char> ok(n), ok1, ok2, ok3;
  for (size_t i = 0; i < n; ++i) {
    xy[2 * i] = pose[3 * i];
    xy[2 * i + 1] = pose[3 * i + 1];
    ok[i] = pose[3 * i + 2] > 0;
  }
  Derivatives d;
  differentiate(xy, ok, frames, fps, d.velocity, ok1);
  differentiate(d.velocity, ok1, frames, fps, d.acceleration, ok2);
  differentiate(d.acceleration, ok2, frames, fps, d.jerk, ok3);
  return d;
}

NormalizedClip normalize(const RawClip& raw, const NormalizeConfig& cfg) {
  LMM_CHECK(cfg.fps_out > 0, "normalize: fps_out is " << cfg.fps_out << ", expected > 0");
  LMM_CHECK(cfg.torso_length > 0,
            "normalize: torso_length is " << cfg.torso_length << ", expected > 0");
  LMM_CHECK(cfg.min_confidence >= 0 && cfg.min_confidence <= 1,
            "normalize: min_confidence is " << cfg.min_confidence << ", expected in [0, 1]");
  const std::string& path = raw.source_path.empty() ? raw.name : raw.source_path;
  validate(raw, path);
  const float minc = cfg.min_confidence;
  const BodyReference body = body_reference(raw, minc, path);
  const double torso = body.torso;

  NormalizedClip out;
  out.name = raw.name;
  out.source_path = raw.source_path;
  out.source_format = raw.source_format;
  out.units = raw.units;
  out.source_fps = raw.fps;
  out.source_frames = raw.frames;
  out.fps = cfg.fps_out;

  int T = 0;
  out.pose = resample(raw.pose, raw.frames, kChannels, raw.fps, cfg.fps_out, &T, minc);
  out.frames = T;
  if (!raw.pose3d.empty())
    out.pose3d = resample(raw.pose3d, raw.frames, 4, raw.fps, cfg.fps_out, nullptr, minc);
  out.center = centre_track(raw, out.pose, T, cfg.fps_out, minc, body.centre_joint);
  out.scale = static_cast<float>(torso / cfg.torso_length);

  const double scale = out.scale;
  for (int k = 0; k < T; ++k) {
    float* f = out.pose.data() + static_cast<size_t>(k) * kFrameDim;
    const double cx = out.center[2 * k], cy = out.center[2 * k + 1];
    for (int j = 0; j < kNumJoints; ++j) {
      float* p = f + j * kChannels;
      if (is_visible(p[2], minc)) {
        p[0] = static_cast<float>((p[0] - cx) / scale);
        p[1] = static_cast<float>((p[1] - cy) / scale);
      } else {
        p[0] = p[1] = p[2] = 0.f;
      }
    }
  }

  Derivatives d = derivatives(out.pose, T, cfg.fps_out);
  out.velocity = std::move(d.velocity);
  out.acceleration = std::move(d.acceleration);
  out.jerk = std::move(d.jerk);

  QcThresholds th = cfg.qc;
  th.min_confidence = std::max(th.min_confidence, minc);
  out.qc = quality_control(out.pose, T, cfg.fps_out, th, body.coverage);
  std::vector<std::string> findings = raw.qc_flags;
  for (auto& g : geometry_findings(raw)) findings.push_back(std::move(g));
  add_findings(out.qc, findings);
  return out;
}

}  // namespace lmm::pipeline

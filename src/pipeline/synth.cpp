// Procedural motion synthesizer (see include/lmm/pipeline/synth.h).
// Body frame: X to the subject's left, Y up, Z forward (the subject faces +Z, the
// frontal camera looks along -Z). Limb directions start pointing down (0,-1,0), are
// abducted sideways then flexed forward; child segments add their own flexion.
#include "lmm/pipeline/synth.h"

#include <algorithm>
#include <cmath>
#include <random>

#include "lmm/core/error.h"

namespace lmm::pipeline {
namespace {

constexpr double kPi = 3.14159265358979323846;

struct V3 {
  double x = 0, y = 0, z = 0;
};
V3 operator+(V3 a, V3 b) { return {a.x + b.x, a.y + b.y, a.z + b.z}; }
V3 operator*(double s, V3 a) { return {s * a.x, s * a.y, s * a.z}; }

// Unit direction of a segment hanging down, abducted by `abd` (radians, outward on
// `side` = -1 right / +1 left) then flexed forward by `flex` (radians).
V3 limb_dir(double flex, double abd, double side) {
  double x = side * std::sin(abd), y = -std::cos(abd);
  return {x, y * std::cos(flex), -y * std::sin(flex)};
}

// Joint angles (radians) and pelvis offset of one frame.
struct Pose {
  double hip_flex[2]{}, knee[2]{}, hip_abd[2]{};  // [0] right, [1] left
  double sh_flex[2]{}, elbow[2]{}, sh_abd[2]{};
  double pelvis_dy = 0, lean = 0, forward = 0;    // fractions of stature, lean radians
};

Pose motion_pose(const std::string& m, double ph, double amp) {
  Pose p;
  const double s = std::sin(ph), c = std::cos(ph);
  if (m == "walk") {
    for (int k = 0; k < 2; ++k) {
      double sg = k == 0 ? 1 : -1;
      p.hip_flex[k] = amp * 0.45 * sg * s;
      p.knee[k] = amp * 0.5 * std::max(0.0, sg * std::sin(ph + 1.2)) + 0.05;
      p.sh_flex[k] = -amp * 0.35 * sg * s;
      p.elbow[k] = 0.25 + 0.15 * amp * std::max(0.0, -sg * s);
      p.sh_abd[k] = 0.08;
    }
    p.pelvis_dy = 0.012 * std::cos(2 * ph);
  } else if (m == "wave") {
    p.sh_abd[0] = 0.1;
    p.elbow[0] = 0.2;
    p.sh_abd[1] = 2.2 + 0.1 * s;
    p.elbow[1] = 0.9 + amp * 0.5 * s;
    p.sh_flex[1] = 0.3;
    p.hip_abd[0] = p.hip_abd[1] = 0.05;
  } else if (m == "squat") {
    double d = amp * 0.5 * (1 - c);  // 0..amp
    for (int k = 0; k < 2; ++k) {
      p.hip_flex[k] = 1.1 * d;
      p.knee[k] = 2.0 * d;
      p.sh_flex[k] = 1.3 * d;
      p.elbow[k] = 0.1;
      p.hip_abd[k] = 0.12;
    }
    p.lean = 0.35 * d;
    p.pelvis_dy = -0.2 * d;
  } else if (m == "jumping_jack") {
    double d = 0.5 * (1 - c);
    for (int k = 0; k < 2; ++k) {
      p.sh_abd[k] = 0.15 + amp * 2.4 * d;
      p.hip_abd[k] = 0.03 + amp * 0.3 * d;
      p.elbow[k] = 0.15;
      p.knee[k] = 0.15 * std::sin(2 * ph) * std::sin(2 * ph);
    }
    p.pelvis_dy = 0.03 * std::sin(2 * ph) * std::sin(2 * ph);
  } else if (m == "reach") {
    for (int k = 0; k < 2; ++k) {
      double sg = k == 0 ? s : -s;
      double d = std::max(0.0, sg);
      p.sh_flex[k] = 0.2 + amp * 1.4 * d;
      p.elbow[k] = 1.2 * (1 - d) + 0.1;
      p.hip_abd[k] = 0.06;
    }
    p.lean = 0.15 * std::abs(s) * amp;
  } else {
    throw ConfigError("unknown synthetic motion '" + m + "': expected walk, wave, squat, jumping_jack, reach or mixed");
  }
  return p;
}

}  // namespace

const std::vector<std::string>& synth_motions() {
  static const std::vector<std::string> m{"walk", "wave", "squat", "jumping_jack", "reach"};
  return m;
}

RawClip synthesize(const SynthConfig& cfg) {
  LMM_CHECK(cfg.fps > 0 && cfg.frames > 0, "synthesize: fps " << cfg.fps << " and frames " << cfg.frames << " must be > 0");
  std::mt19937_64 rng(cfg.seed * 0x9E3779B97F4A7C15ull + 17);
  std::uniform_real_distribution<double> U(0, 1);
  auto uni = [&](double a, double b) { return a + (b - a) * U(rng); };
  std::string motion = cfg.motion;
  if (motion == "mixed") motion = synth_motions()[rng() % synth_motions().size()];
  const double H = uni(1550, 1900);               // stature, mm
  const double freq = motion == "walk" ? uni(0.8, 1.1) : motion == "wave" ? uni(1.2, 2.0) : uni(0.35, 0.8);
  const double amp = uni(0.7, 1.15), phase0 = uni(0, 2 * kPi);
  const double thigh = 0.245 * H * uni(0.95, 1.05), shank = 0.246 * H * uni(0.95, 1.05);
  const double upper = 0.186 * H * uni(0.95, 1.05), fore = 0.146 * H * uni(0.95, 1.05);
  const double torso = 0.29 * H, hip_w = 0.085 * H, sh_w = 0.13 * H;
  const double yaw = cfg.domain == SynthDomain::video ? uni(-0.6, 0.6) : uni(-0.15, 0.15);
  const double px_per_mm = uni(0.18, 0.3), cx = uni(250, 1000), cy = uni(250, 450);
  std::normal_distribution<double> N(0, 1);

  RawClip clip;
  clip.name = motion + "_" + std::to_string(cfg.seed);
  clip.source_path = "synth:" + clip.name;
  clip.source_format = "synth";
  clip.fps = cfg.fps;
  clip.frames = cfg.frames;
  clip.pose3d.assign(static_cast<size_t>(cfg.frames) * kNumJoints * 4, 0.f);
  const double cyaw = std::cos(yaw), syaw = std::sin(yaw);
  for (int t = 0; t < cfg.frames; ++t) {
    const double ph = phase0 + 2 * kPi * freq * t / cfg.fps;
    Pose p = motion_pose(motion, ph, amp);
    V3 J[kNumJoints];
    const double leg = thigh + shank;
    V3 pelvis{0, leg * std::cos(0.5 * (p.hip_flex[0] + p.hip_flex[1]) * 0.3) + p.pelvis_dy * H, p.forward * H};
    J[MidHip] = pelvis;
    V3 up{0, std::cos(p.lean), std::sin(p.lean)};
    J[Neck] = pelvis + torso * up;
    J[Nose] = J[Neck] + V3{0, 0.12 * H, 0.05 * H};
    J[REye] = J[Nose] + V3{-0.025 * H, 0.02 * H, -0.01 * H};
    J[LEye] = J[Nose] + V3{0.025 * H, 0.02 * H, -0.01 * H};
    J[REar] = J[Nose] + V3{-0.06 * H, 0.0, -0.06 * H};
    J[LEar] = J[Nose] + V3{0.06 * H, 0.0, -0.06 * H};
    const int hip[2] = {RHip, LHip}, knee[2] = {RKnee, LKnee}, ank[2] = {RAnkle, LAnkle};
    const int sho[2] = {RShoulder, LShoulder}, elb[2] = {RElbow, LElbow}, wri[2] = {RWrist, LWrist};
    const int heel[2] = {RHeel, LHeel}, btoe[2] = {RBigToe, LBigToe}, stoe[2] = {RSmallToe, LSmallToe};
    for (int k = 0; k < 2; ++k) {
      const double side = k == 0 ? -1 : 1;
      J[hip[k]] = pelvis + V3{side * hip_w, 0, 0};
      J[knee[k]] = J[hip[k]] + thigh * limb_dir(p.hip_flex[k], p.hip_abd[k], side);
      J[ank[k]] = J[knee[k]] + shank * limb_dir(p.hip_flex[k] - p.knee[k], p.hip_abd[k], side);
      J[heel[k]] = J[ank[k]] + V3{0, -0.035 * H, -0.04 * H};
      J[btoe[k]] = J[ank[k]] + V3{-side * 0.01 * H, -0.045 * H, 0.13 * H};
      J[stoe[k]] = J[ank[k]] + V3{side * 0.03 * H, -0.045 * H, 0.11 * H};
      J[sho[k]] = J[Neck] + V3{side * sh_w, -0.02 * H, 0};
      J[elb[k]] = J[sho[k]] + upper * limb_dir(p.sh_flex[k], p.sh_abd[k], side);
      J[wri[k]] = J[elb[k]] + fore * limb_dir(p.sh_flex[k] + p.elbow[k], p.sh_abd[k], side);
    }
    for (int j = 0; j < kNumJoints; ++j) {
      // yaw about the vertical axis, then store
      V3 q{cyaw * J[j].x + syaw * J[j].z, J[j].y, -syaw * J[j].x + cyaw * J[j].z};
      float* o = &clip.pose3d[(static_cast<size_t>(t) * kNumJoints + j) * 4];
      o[0] = static_cast<float>(q.x);
      o[1] = static_cast<float>(q.y);
      o[2] = static_cast<float>(q.z);
      o[3] = 1.f;
    }
  }
  project_orthographic(clip, View::front);
  if (cfg.domain == SynthDomain::mocap) return clip;

  // Video domain: pixels, jitter, confidence noise and dropouts; 2D only.
  clip.units = "px";
  for (int t = 0; t < cfg.frames; ++t) {
    for (int j = 0; j < kNumJoints; ++j) {
      float* q = &clip.pose[(static_cast<size_t>(t) * kNumJoints + j) * 3];
      bool face = j == Nose || (j >= REye && j <= LEar);
      if (U(rng) < cfg.dropout * (face ? 3 : 1)) {
        q[0] = q[1] = q[2] = 0;
        continue;
      }
      q[0] = static_cast<float>(cx + q[0] * px_per_mm + cfg.jitter_px * N(rng));
      q[1] = static_cast<float>(cy + 0.9 * H * px_per_mm + q[1] * px_per_mm + cfg.jitter_px * N(rng));
      q[2] = static_cast<float>(std::clamp(uni(0.55, 0.95) - (face ? 0.1 : 0.0), 0.05, 1.0));
    }
  }
  clip.pose3d.clear();
  return clip;
}

}  // namespace lmm::pipeline

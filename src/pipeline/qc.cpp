// Quality control of a normalized clip (pose (T, 25, 3), torso length 1, at fps).
// Per-joint confidence statistics; artifacts: left/right swaps (per limb group),
// jumps (joint speed), frozen runs (identical consecutive frames) and bone-length
// stretches (vs a high quantile of the bone's length); then the usability class from the missing
// share of the main joints and the share of frames touched by an artifact.
// Definitions and thresholds: docs/normalization.md and QcThresholds in qc.h.
#include <algorithm>
#include <array>
#include <cmath>

#include <fmt/format.h>

#include "lmm/core/error.h"
#include "lmm/pipeline/qc.h"
#include "geometry_tally.h"
#include "median.h"

namespace lmm::pipeline {
namespace {

// Limb groups checked for left/right swaps, by their right-side joints (the left side
// is kMirror). An lr_swap artifact names the group's first joint.
constexpr int kSwapGroups = 3;
constexpr std::array<std::array<int, 6>, kSwapGroups> kSwapGroupJoints{{
    {RShoulder, RElbow, RWrist, -1, -1, -1},
    {RHip, RKnee, RAnkle, RBigToe, RSmallToe, RHeel},
    {REye, REar, -1, -1, -1, -1},
}};

// Group of each joint (either side), -1 for centre joints.
constexpr std::array<int, kNumJoints> make_joint_group() {
  std::array<int, kNumJoints> g{};
  for (int j = 0; j < kNumJoints; ++j) g[j] = -1;
  for (int k = 0; k < kSwapGroups; ++k)
    for (int j : kSwapGroupJoints[k])
      if (j >= 0) g[j] = k, g[kMirror[j]] = k;
  return g;
}
constexpr std::array<int, kNumJoints> kJointGroup = make_joint_group();

class PoseView {
 public:
  PoseView(const std::vector<float>& pose, float min_conf) : p_(pose.data()), minc_(min_conf) {}
  const float* at(int t, int j) const {
    return p_ + (static_cast<size_t>(t) * kNumJoints + j) * kChannels;
  }
  bool seen(int t, int j) const { return is_visible(at(t, j)[2], minc_); }
  // Distance between joint ja at frame ta and joint jb at frame tb.
  double dist(int ta, int ja, int tb, int jb) const {
    const float* a = at(ta, ja);
    const float* b = at(tb, jb);
    return std::hypot(double(a[0]) - b[0], double(a[1]) - b[1]);
  }

 private:
  const float* p_;
  float minc_;
};

struct Scan {
  const PoseView& v;
  int T;
  double fps;
  const QcThresholds& th;
  QcRecord& r;
  std::vector<unsigned char> hit;      // (T) frame touched by an artifact
  std::vector<unsigned char> swapped;  // (T) bit g: group g's joints swapped at this frame

  void add(const char* kind, int frame, int joint, double value) {
    r.artifacts.push_back({kind, frame, joint, static_cast<float>(value)});
  }

  // Frame t is a swap transition of group g when mirroring the group's left/right
  // joints brings it much closer to frame t-1: d_mirror < swap_ratio * d_same with a
  // mean as-is shift above swap_min_shift. A transition right after another one of the
  // same group is the swap back of a one-frame swap and is not counted again.
  void swaps() {
    for (int g = 0; g < kSwapGroups; ++g) {
      bool prev_flag = false;
      for (int t = 1; t < T; ++t) {
        double same = 0, mirror = 0;
        int n = 0;
        for (int rj : kSwapGroupJoints[g]) {
          if (rj < 0) continue;
          const int lj = kMirror[rj];
          if (!v.seen(t, rj) || !v.seen(t, lj) || !v.seen(t - 1, rj) || !v.seen(t - 1, lj))
            continue;
          same += v.dist(t, rj, t - 1, rj) + v.dist(t, lj, t - 1, lj);
          mirror += v.dist(t, lj, t - 1, rj) + v.dist(t, rj, t - 1, lj);
          n += 2;
        }
        const bool flag = n > 0 && same / n > th.swap_min_shift && mirror < th.swap_ratio * same;
        if (flag) swapped[t] |= 1u << g;
        if (flag && prev_flag) {
          prev_flag = false;  // swap back of a one-frame swap
          continue;
        }
        if (flag) {
          add("lr_swap", t, kSwapGroupJoints[g][0], mirror / same);
          ++r.n_lr_swaps;
          hit[t] = 1;
        }
        prev_flag = flag;
      }
    }
  }

  // A jump at (t, j): speed |p_t - p_{t-1}| * fps above jump_speed (torso lengths/s),
  // both frames seeing j, not inside a swap of j's group. A one-frame spike (the next
  // frame jumps back to within jump_speed of frame t-1) counts once.
  void jumps() {
    for (int j = 0; j < kNumJoints; ++j) {
      const int g = kJointGroup[j];
      for (int t = 1; t < T; ++t) {
        if (!v.seen(t - 1, j) || !v.seen(t, j)) continue;
        if (g >= 0 && (swapped[t] >> g & 1u)) continue;
        const double speed = v.dist(t, j, t - 1, j) * fps;
        if (speed <= th.jump_speed) continue;
        add("jump", t, j, speed);
        ++r.n_jumps;
        hit[t] = 1;
        if (t + 1 < T && v.seen(t + 1, j) && v.dist(t + 1, j, t, j) * fps > th.jump_speed &&
            v.dist(t + 1, j, t - 1, j) * fps <= th.jump_speed)
          ++t;  // the spike's return
      }
    }
  }

  // Frames a and b are identical: same visible joints (at least one), each within
  // frozen_tol in x and y.
  bool identical(int a, int b) const {
    bool any = false;
    for (int j = 0; j < kNumJoints; ++j) {
      const bool sa = v.seen(a, j), sb = v.seen(b, j);
      if (sa != sb) return false;
      if (!sa) continue;
      any = true;
      const float* p = v.at(a, j);
      const float* q = v.at(b, j);
      if (std::fabs(p[0] - q[0]) > th.frozen_tol || std::fabs(p[1] - q[1]) > th.frozen_tol)
        return false;
    }
    return any;
  }

  // A frozen run: >= frozen_run consecutive identical frames; artifact at the run's first
  // frame, value = run length; the repeats (all but the first) count as touched.
  void frozen() {
    int start = 0;
    for (int t = 1; t <= T; ++t) {
      if (t < T && identical(t - 1, t)) continue;
      const int len = t - start;
      if (len >= th.frozen_run && len >= 2) {
        add("frozen", start, -1, len);
        ++r.n_frozen;
        std::fill(hit.begin() + start + 1, hit.begin() + t, 1);
      }
      start = t;
    }
  }

  // A bone outlier: length > (1 + bone_ratio) * ref and > ref + bone_min_excess, where
  // ref is the bone_ref_quantile (0.9) of the bone's length over the clip: in 2D,
  // foreshortening makes bones shorter much of the time, so the median would be too low.
  // Consecutive outlier frames of a bone form one artifact at the first, joint = the
  // bone's child, value = the largest length / ref.
  void bones() {
    std::vector<float> len(T), tmp;
    tmp.reserve(T);
    for (const auto& [a, b] : kBones) {
      tmp.clear();
      for (int t = 0; t < T; ++t) {
        len[t] = -1.f;
        if (v.seen(t, a) && v.seen(t, b)) {
          len[t] = static_cast<float>(v.dist(t, a, t, b));
          tmp.push_back(len[t]);
        }
      }
      const double ref = quantile_in_place(tmp, th.bone_ref_quantile);
      if (!(ref > 0)) continue;
      size_t open = 0;  // 1 + index of the current run's artifact, 0 outside a run
      for (int t = 0; t < T; ++t) {
        const bool out = len[t] >= 0 && len[t] > (1 + th.bone_ratio) * ref &&
                         len[t] - ref > th.bone_min_excess;
        if (!out) {
          open = 0;
          continue;
        }
        hit[t] = 1;
        const float ratio = static_cast<float>(len[t] / ref);
        if (open) {
          r.artifacts[open - 1].value = std::max(r.artifacts[open - 1].value, ratio);
        } else {
          add("bone_length", t, b, ratio);
          open = r.artifacts.size();
          ++r.n_bone_outliers;
        }
      }
    }
  }
};

}  // namespace

QcRecord quality_control(const std::vector<float>& pose, int frames, double fps,
                         const QcThresholds& th, BodyCoverage coverage) {
  LMM_CHECK(frames >= 0 && pose.size() == static_cast<size_t>(frames) * kFrameDim,
            "quality_control: pose has " << pose.size() << " values, expected T*75 = "
                                         << static_cast<size_t>(frames) * kFrameDim);
  LMM_CHECK(fps > 0, "quality_control: frame rate is " << fps << ", expected > 0");
  const int T = frames;
  const PoseView v(pose, th.min_confidence);
  QcRecord r;

  // Confidence statistics.
  for (int j = 0; j < kNumJoints; ++j) {
    double sum = 0;
    float mn = T > 0 ? 1e30f : 0.f;
    int miss = 0;
    for (int t = 0; t < T; ++t) {
      const float c = v.at(t, j)[2];
      sum += c;
      mn = std::min(mn, c);
      miss += !v.seen(t, j);
    }
    r.conf_mean[j] = T > 0 ? static_cast<float>(sum / T) : 0.f;
    r.conf_min[j] = mn;
    r.missing_frac[j] = T > 0 ? static_cast<float>(miss) / T : 1.f;
  }
  int no_torso = 0;
  for (int t = 0; t < T; ++t)
    no_torso += coverage == BodyCoverage::full ? !v.seen(t, Neck) || !v.seen(t, MidHip)
                                               : !v.seen(t, coverage == BodyCoverage::lower ? MidHip : Neck);
  r.frame_missing_frac = T > 0 ? static_cast<float>(no_torso) / T : 1.f;

  // Artifacts.
  Scan s{v, T, fps, th, r, std::vector<unsigned char>(T, 0), std::vector<unsigned char>(T, 0)};
  s.swaps();
  s.jumps();
  s.frozen();
  s.bones();
  std::stable_sort(r.artifacts.begin(), r.artifacts.end(),
                   [](const Artifact& a, const Artifact& b) { return a.frame < b.frame; });
  if (r.artifacts.size() > kMaxArtifacts) r.artifacts.resize(kMaxArtifacts);

  // Usability.
  // The main joints of the part of the body the clip shows.
  static constexpr int kLower[] = {MidHip, RHip, RKnee, RAnkle, LHip, LKnee, LAnkle};
  static constexpr int kUpper[] = {Nose, Neck, RShoulder, RElbow, RWrist, LShoulder, LElbow, LWrist};
  std::vector<int> main;
  if (coverage == BodyCoverage::lower) main.assign(std::begin(kLower), std::end(kLower));
  if (coverage == BodyCoverage::upper) main.assign(std::begin(kUpper), std::end(kUpper));
  if (coverage == BodyCoverage::full)
    for (int j = 0; j < kMainJoints; ++j) main.push_back(j);
  double main_missing = 0;
  for (int j : main) main_missing += r.missing_frac[j];
  main_missing /= static_cast<double>(main.size());
  const double artifact_frac =
      T > 0 ? static_cast<double>(std::count(s.hit.begin(), s.hit.end(), 1)) / T : 0.0;

  std::vector<std::string> reasons;
  auto worse = [&r](Usability u) {
    if (static_cast<int>(u) > static_cast<int>(r.usability)) r.usability = u;
  };
  if (coverage != BodyCoverage::full) {
    worse(Usability::degraded);
    reasons.push_back(coverage == BodyCoverage::lower ? "lower body only" : "upper body only");
  }
  if (T < th.min_frames) {
    worse(Usability::unusable);
    reasons.push_back(fmt::format("{} frame(s), need >= {}", T, th.min_frames));
  }
  if (T > 0 && main_missing > th.degraded_missing) {
    const bool bad = main_missing > th.unusable_missing;
    worse(bad ? Usability::unusable : Usability::degraded);
    reasons.push_back(fmt::format("main joints missing in {:.0f}% of detections ({} above {:.0f}%)",
                                  100 * main_missing, bad ? "unusable" : "degraded",
                                  100 * (bad ? th.unusable_missing : th.degraded_missing)));
  }
  if (artifact_frac > th.degraded_artifacts) {
    const bool bad = artifact_frac > th.unusable_artifacts;
    worse(bad ? Usability::unusable : Usability::degraded);
    reasons.push_back(fmt::format(
        "artifacts in {:.0f}% of frames ({} above {:.0f}%): {} jumps, {} frozen runs, "
        "{} bone-length outliers, {} left/right swaps",
        100 * artifact_frac, bad ? "unusable" : "degraded",
        100 * (bad ? th.unusable_artifacts : th.degraded_artifacts), r.n_jumps, r.n_frozen,
        r.n_bone_outliers, r.n_lr_swaps));
  }
  for (size_t i = 0; i < reasons.size(); ++i) r.reason += (i ? "; " : "") + reasons[i];
  return r;
}

void GeometryTally::add(const float* f) {
  auto at = [f](int j) { return f + j * 4; };
  auto length = [&](int a, int b, std::vector<double>& v) {
    const float *p = at(a), *q = at(b);
    if (p[3] > 0 && q[3] > 0)
      v.push_back(std::sqrt(double(p[0] - q[0]) * (p[0] - q[0]) + double(p[1] - q[1]) * (p[1] - q[1]) +
                            double(p[2] - q[2]) * (p[2] - q[2])));
  };
  length(RHip, RKnee, thigh_r_);
  length(LHip, LKnee, thigh_l_);
  length(Neck, MidHip, torso_);
  if (at(Neck)[3] > 0 && at(MidHip)[3] > 0) ++neck_pairs_, neck_below_ += at(Neck)[1] < at(MidHip)[1];
  if (at(MidHip)[3] > 0 && at(RAnkle)[3] > 0) ++hip_pairs_, hip_below_ += at(MidHip)[1] < at(RAnkle)[1];
}

std::vector<std::string> GeometryTally::findings() {
  std::vector<std::string> out;
  auto check = [&out](const char* what, double v, const float* range) {
    if (v > 0 && (v < range[0] || v > range[1]))
      out.push_back(fmt::format("{} {:.0f} mm outside the human range {:.0f}-{:.0f} mm (wrong units or skeleton?)",
                                what, v, range[0], range[1]));
  };
  check("thigh", std::max(median_in_place(thigh_r_), median_in_place(thigh_l_)), kThighRangeMm);
  const double neck_hip = median_in_place(torso_);
  check("Neck-MidHip", neck_hip, kTorsoRangeMm);
  // Up axis: Y up means the neck (or, for a lower body, the hips) above the ankles.
  const bool have_neck = neck_hip > 0;
  const int top = have_neck ? Neck : MidHip, bottom = have_neck ? MidHip : RAnkle;
  const long both = have_neck ? neck_pairs_ : hip_pairs_, below = have_neck ? neck_below_ : hip_below_;
  if (both > 0 && below * 2 > both)
    out.push_back(fmt::format("upside down? {} below {} in {:.0f}% of frames (inverted up axis?)",
                              joint_name(top), joint_name(bottom), 100.0 * below / both));
  return out;
}

void GeometryTally::release() {
  for (std::vector<double>* v : {&thigh_r_, &thigh_l_, &torso_}) std::vector<double>().swap(*v);
}

std::vector<std::string> geometry_findings(const RawClip& raw) {
  if (raw.pose3d.empty()) return {};
  GeometryTally tally;
  for (int t = 0; t < raw.frames; ++t) tally.add(raw.pose3d.data() + static_cast<size_t>(t) * kNumJoints * 4);
  return tally.findings();
}

void add_findings(QcRecord& r, const std::vector<std::string>& reasons) {
  for (const auto& why : reasons) {
    if (r.usability == Usability::usable) r.usability = Usability::degraded;
    r.reason += (r.reason.empty() ? "" : "; ") + why;
  }
}

}  // namespace lmm::pipeline

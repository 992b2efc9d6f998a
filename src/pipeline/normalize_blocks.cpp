// BlockNormalizer (normalize_blocks.h): normalization over consecutive blocks of source
// frames, and the only implementation of its steps: normalize() (normalize.cpp) is this with
// the whole clip as one block. The whole-clip rules (body reference, centre fallback,
// geometry findings through qc.cpp's GeometryTally) work on values gathered per source
// frame; the frame placement is resample()'s source_position(). The 15 FPS arrays:
//   out.pose (T, 25, 3), out.pose3d (T, 25, 4) filled as blocks arrive; T = resampled_frames
#include "lmm/pipeline/normalize_blocks.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>

#include "lmm/core/error.h"
#include "lmm/pipeline/qc.h"
#include "geometry_tally.h"
#include "median.h"
#include "resample_position.h"

namespace lmm::pipeline {
namespace {

// The first non-finite value of an array: (source frame, joint, channel), frame -1 = none.
struct NonFinite {
  long frame = -1;
  int joint = 0, channel = 0;
};

double distance_2d(const float* p, const float* q) { return std::hypot(double(p[0]) - q[0], double(p[1]) - q[1]); }

}  // namespace

struct BlockNormalizer::Impl {
  NormalizeConfig cfg;
  int expected = 0;
  bool started = false;
  NormalizedClip out;             // header fields, pose and pose3d at 15 FPS so far
  std::vector<std::string> qc_flags;
  std::string path;               // for errors: source path, else name
  bool has3d = false;
  long frames = 0;                // source frames added
  int next_out = 0;               // next 15 FPS frame to make
  std::vector<float> carry, carry3d;  // the last source frame added: (25, 3), (25, 4)
  NonFinite bad3d;                // the first non-finite pose3d value

  // body_reference(): visible 2D lengths per source frame, joints ever seen.
  std::vector<double> torso, thigh_r, thigh_l, shoulders;
  bool neck_seen = false, hips_seen = false;
  // centre_track()'s fallback: source anchors (time in output frames, x, y)
  // of MidHip [0] and Neck [1], kept while no output frame has that joint.
  struct Anchor {
    double t;
    float x, y;
  };
  std::vector<Anchor> src_anchors[2];
  bool out_anchor[2] = {false, false};
  // geometry_findings()' values (qc.h) per source frame.
  GeometryTally geometry;

  void start(const RawClip& b) {
    started = true;
    path = b.source_path.empty() ? b.name : b.source_path;
    out.name = b.name;
    out.source_path = b.source_path;
    out.source_format = b.source_format;
    out.units = b.units;
    out.source_fps = b.fps;
    out.fps = cfg.fps_out;
    qc_flags = b.qc_flags;
    has3d = !b.pose3d.empty();
  }

  // Room for the 15 FPS arrays of `expected` source frames (after check(): fps > 0).
  void reserve() {
    if (expected <= 0) return;
    const size_t T = static_cast<size_t>(resampled_frames(expected, out.source_fps, cfg.fps_out));
    out.pose.reserve(T * kFrameDim);
    if (has3d) out.pose3d.reserve(T * kNumJoints * 4);
  }

  // The input checks, for one block; on the first block (normalize(): the whole clip) in the
  // order a whole clip is checked: frames, array sizes, non-finite pose, non-finite pose3d,
  // frame rate. A non-finite pose3d value of an earlier block waits for the pose values of
  // the later ones (finish()), unless the rate is wrong.
  void check(const RawClip& b) {
    if (b.frames <= 0 || b.pose.empty())
      throw frames == 0 ? FormatError(path, -1, "clip has no frames") : FormatError(path, frames, "block has no frames");
    if (b.pose.size() != static_cast<size_t>(b.frames) * kFrameDim)
      throw FormatError(path, -1, "pose has " + std::to_string(b.pose.size()) + " values, expected T*75 = " +
                                      std::to_string(b.frames) + "*75 = " +
                                      std::to_string(static_cast<size_t>(b.frames) * kFrameDim));
    if (b.pose3d.empty() == has3d || (has3d && b.pose3d.size() != static_cast<size_t>(b.frames) * kNumJoints * 4))
      throw FormatError(path, -1, "pose3d has " + std::to_string(b.pose3d.size()) + " values, expected T*100 = " +
                                      std::to_string(b.frames * 100L));
    const NonFinite bad = first_non_finite(b.pose, 3);
    if (bad.frame >= 0) throw_non_finite(bad, "pose");
    if (bad3d.frame < 0) bad3d = first_non_finite(b.pose3d, 4);
    if (!std::isfinite(b.fps) || b.fps <= 0) {
      if (bad3d.frame >= 0) throw_non_finite(bad3d, "pose3d");
      throw FormatError(path, -1, "frame rate is " + std::to_string(b.fps) + ", expected > 0");
    }
  }

  NonFinite first_non_finite(const std::vector<float>& a, int channels) const {
    for (size_t i = 0; i < a.size(); ++i) {
      if (std::isfinite(a[i])) continue;
      const size_t per_frame = static_cast<size_t>(kNumJoints) * channels;
      return {frames + static_cast<long>(i / per_frame), static_cast<int>(i % per_frame) / channels,
              static_cast<int>(i % channels)};
    }
    return {};
  }

  [[noreturn]] void throw_non_finite(const NonFinite& n, const char* array) const {
    static const char* const k2d[] = {"x", "y", "confidence"};
    static const char* const k3d[] = {"X", "Y", "Z", "confidence"};
    const char* channel = std::string(array) == "pose" ? k2d[n.channel] : k3d[n.channel];
    throw FormatError(path, n.frame,
                      std::string("non-finite ") + channel + " of joint " + std::string(joint_name(n.joint)) + " (" +
                          std::to_string(n.joint) + ") in " + array);
  }

  // Per source frame values (f: (25, 3), f3: (25, 4) or null), frame index i.
  void gather(const float* f, const float* f3, long i) {
    const float minc = cfg.min_confidence;
    auto seen = [&](int j) { return is_visible(f[j * kChannels + 2], minc); };
    auto len = [&](int a, int b, std::vector<double>& v) {
      if (seen(a) && seen(b)) v.push_back(distance_2d(f + a * kChannels, f + b * kChannels));
    };
    len(Neck, MidHip, torso);
    neck_seen = neck_seen || seen(Neck);
    hips_seen = hips_seen || seen(MidHip);
    // The thigh (lower body) and shoulder (upper body) lengths count only when the Neck,
    // or the MidHip, is never seen: kept until it is.
    if (!neck_seen) len(RHip, RKnee, thigh_r), len(LHip, LKnee, thigh_l);
    else if (!thigh_r.empty() || !thigh_l.empty()) thigh_r = {}, thigh_l = {};
    if (!hips_seen) len(RShoulder, LShoulder, shoulders);
    else if (!shoulders.empty()) shoulders = {};
    const int centre[2] = {MidHip, Neck};
    for (int c = 0; c < 2; ++c)
      if (!out_anchor[c] && seen(centre[c]))
        src_anchors[c].push_back({i * cfg.fps_out / out.source_fps, f[centre[c] * kChannels], f[centre[c] * kChannels + 1]});
    if (f3) geometry.add(f3);
  }

  // resample(): output frames k while their source frames are in [first - 1, last]; with
  // `last_block`, all of them up to T (the end clamps to the last source frame).
  void emit(const RawClip& b, long first, int T, bool last_block) {
    const double step = out.source_fps / cfg.fps_out;
    auto frame = [&](long i, int c) -> const float* {
      const std::vector<float>& block = c == 3 ? b.pose : b.pose3d;
      const std::vector<float>& prev = c == 3 ? carry : carry3d;
      if (i >= first) return block.data() + static_cast<size_t>(i - first) * kNumJoints * c;
      return prev.data();  // i == first - 1
    };
    for (;; ++next_out) {
      if (last_block && next_out >= T) break;
      auto [i0, a] = source_position(next_out, step);
      if (!last_block && i0 + (a != 0) > frames - 1) break;
      if (i0 >= frames - 1) i0 = static_cast<int>(frames - 1), a = 0;
      for (int c : {3, 4}) {
        if (c == 4 && !has3d) continue;
        std::vector<float>& dst = c == 3 ? out.pose : out.pose3d;
        const size_t fd = static_cast<size_t>(kNumJoints) * c;
        dst.resize(dst.size() + fd);
        float* q = dst.data() + dst.size() - fd;
        const float* p0 = frame(i0, c);
        if (a == 0)
          std::memcpy(q, p0, fd * sizeof(float));
        else
          interpolate_frame(p0, frame(i0 + 1, c), a, c, cfg.min_confidence, q);
      }
      const float* o = out.pose.data() + out.pose.size() - kFrameDim;
      if (is_visible(o[MidHip * kChannels + 2], cfg.min_confidence)) out_anchor[0] = true, src_anchors[0] = {};
      if (is_visible(o[Neck * kChannels + 2], cfg.min_confidence)) out_anchor[1] = true, src_anchors[1] = {};
    }
  }

  // The body reference of the clip (docs/normalization.md, "Partial bodies"):
  //  full:  torso = median Neck-MidHip, centre MidHip;
  //  lower: no Neck seen: torso = kTorsoPerThigh * median thigh (hip-knee), centre MidHip;
  //  upper: no MidHip seen: torso = kTorsoPerShoulders * median shoulder width, centre Neck.
  struct Reference {
    BodyCoverage coverage = BodyCoverage::full;
    int centre_joint = MidHip;
    double torso = 0;
  };
  Reference body_reference() {
    Reference r;
    r.torso = median_in_place(torso);
    if (r.torso > 0) return r;
    const double thigh = std::max(median_in_place(thigh_r), median_in_place(thigh_l));
    const double shoulder = median_in_place(shoulders);
    if (!neck_seen && hips_seen && thigh > 0) {
      r.coverage = BodyCoverage::lower;
      r.torso = kTorsoPerThigh * thigh;
      return r;
    }
    if (neck_seen && !hips_seen && shoulder > 0) {
      r.coverage = BodyCoverage::upper;
      r.centre_joint = Neck;
      r.torso = kTorsoPerShoulders * shoulder;
      return r;
    }
    throw FormatError(path, -1,
                      "no frame where both Neck and MidHip are visible (confidence >= " +
                          std::to_string(cfg.min_confidence) +
                          "), and not a partial body (lower: MidHip and a thigh, never a Neck; upper: "
                          "Neck and both shoulders, never a MidHip): cannot scale");
  }

  // Centre (T, 2) in source units. Anchors are the output frames whose centre joint is
  // visible (centre = that joint, exactly); when there are none, the source frames where it
  // is visible, placed at their time. Other frames interpolate linearly in time between the
  // anchors around them and hold the nearest anchor before the first / after the last.
  // The source anchors are those gathered above; body_reference() guarantees one exists.
  std::vector<float> centre_track(const std::vector<float>& pose, int T, int joint) const {
    std::vector<Anchor> anchors;
    for (int k = 0; k < T; ++k) {
      const float* h = pose.data() + static_cast<size_t>(k) * kFrameDim + joint * kChannels;
      if (is_visible(h[2], cfg.min_confidence)) anchors.push_back({double(k), h[0], h[1]});
    }
    if (anchors.empty()) anchors = src_anchors[joint == MidHip ? 0 : 1];
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
};

BlockNormalizer::BlockNormalizer(const NormalizeConfig& cfg, int expected_frames) : impl_(std::make_unique<Impl>()) {
  LMM_CHECK(cfg.fps_out > 0, "normalize: fps_out is " << cfg.fps_out << ", expected > 0");
  LMM_CHECK(cfg.torso_length > 0, "normalize: torso_length is " << cfg.torso_length << ", expected > 0");
  LMM_CHECK(cfg.min_confidence >= 0 && cfg.min_confidence <= 1,
            "normalize: min_confidence is " << cfg.min_confidence << ", expected in [0, 1]");
  impl_->cfg = cfg;
  impl_->expected = expected_frames;
}

BlockNormalizer::~BlockNormalizer() = default;

void BlockNormalizer::add(const RawClip& b) {
  Impl& s = *impl_;
  const bool first_block = !s.started;
  if (first_block) s.start(b);
  s.check(b);
  if (first_block) s.reserve();
  const long first = s.frames;
  s.frames += b.frames;
  for (int t = 0; t < b.frames; ++t)
    s.gather(b.frame(t), s.has3d ? b.pose3d.data() + static_cast<size_t>(t) * kNumJoints * 4 : nullptr, first + t);
  s.emit(b, first, 0, /*last_block=*/false);
  s.carry.assign(b.pose.end() - kFrameDim, b.pose.end());
  if (s.has3d) s.carry3d.assign(b.pose3d.end() - kNumJoints * 4, b.pose3d.end());
}

NormalizedClip BlockNormalizer::finish() {
  Impl& s = *impl_;
  if (s.frames <= 0) throw FormatError(s.path, -1, "clip has no frames");
  if (s.bad3d.frame >= 0) s.throw_non_finite(s.bad3d, "pose3d");
  const Impl::Reference body = s.body_reference();
  std::vector<std::string> findings = s.qc_flags;
  if (s.has3d)
    for (auto& g : s.geometry.findings()) findings.push_back(std::move(g));
  s.geometry.release();
  for (std::vector<double>* v : {&s.torso, &s.thigh_r, &s.thigh_l, &s.shoulders}) std::vector<double>().swap(*v);  // done with: free before the derivatives and the write
  const int T = resampled_frames(static_cast<int>(s.frames), s.out.source_fps, s.cfg.fps_out);
  RawClip none;  // the frames after the last one are the carried last frame
  s.emit(none, s.frames, T, /*last_block=*/true);
  NormalizedClip out = std::move(s.out);
  out.pose.resize(static_cast<size_t>(T) * kFrameDim);
  if (s.has3d) out.pose3d.resize(static_cast<size_t>(T) * kNumJoints * 4);
  out.source_frames = static_cast<int>(s.frames);
  out.frames = T;
  out.center = s.centre_track(out.pose, T, body.centre_joint);
  out.scale = static_cast<float>(body.torso / s.cfg.torso_length);

  // Centre and scale: x_norm = (x_src - center[t]) / scale; missing joints (0, 0, 0).
  const double scale = out.scale;
  const float minc = s.cfg.min_confidence;
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
  Derivatives d = derivatives(out.pose, T, s.cfg.fps_out);
  out.velocity = std::move(d.velocity);
  out.acceleration = std::move(d.acceleration);
  out.jerk = std::move(d.jerk);
  QcThresholds th = s.cfg.qc;
  th.min_confidence = std::max(th.min_confidence, minc);
  out.qc = quality_control(out.pose, T, s.cfg.fps_out, th, body.coverage);
  add_findings(out.qc, findings);
  return out;
}

}  // namespace lmm::pipeline

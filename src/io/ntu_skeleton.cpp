// NTU RGB+D .skeleton decoder (Kinect V2, 25 joints) and writer. The decoder parses line by
// line and keeps every body as a person slot of a SourceMotion (ntu_skeleton.h); the mapping
// to BODY_25 is the kinect_v2 convention (src/io/conventions/kinect.cpp).
// Layout: one body (25, 4) X, Y, Z in mm (facing +Z), confidence.
#include "lmm/io/ntu_skeleton.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <vector>

#include "lmm/core/atomic_file.h"
#include "lmm/core/error.h"
#include "lmm/io/convention.h"
#include "lmm/io/joint_map.h"
#include "lmm/io/reader.h"
#include "text_numbers.h"

namespace lmm::io {
namespace fs = std::filesystem;

namespace {

constexpr int kBodyValues = 10;
constexpr int kJointValues = 12;
constexpr size_t kMaxPeople = 8;  // person slots kept (NTU has 1-2 performers; IDs may change)
constexpr const char* kDefaultBodyId = "72057594037927936";

// Line cursor over the file text that skips blank lines and splits on whitespace.
class Lines {
 public:
  Lines(std::string_view text, const std::string& file) : text_(text), file_(file) {}

  // Next non-blank line split into at most kMax tokens (count() tells how many were
  // on the line); false at end of text.
  bool next() {
    for (;;) {
      if (pos_ >= text_.size()) return false;
      size_t nl = text_.find('\n', pos_);
      if (nl == std::string_view::npos) nl = text_.size();
      std::string_view line = text_.substr(pos_, nl - pos_);
      cut_ = nl == text_.size();  // last line without a newline: maybe cut short
      pos_ = nl + 1;
      ++line_no_;
      n_ = 0;
      size_t p = 0;
      for (;;) {
        while (p < line.size() && is_space(line[p])) ++p;
        if (p >= line.size()) break;
        size_t e = p;
        while (e < line.size() && !is_space(line[e])) ++e;
        if (n_ < kMax) tok_[n_] = line.substr(p, e - p);
        ++n_;
        p = e;
      }
      if (n_ > 0) return true;
    }
  }
  // Next line, which must exist and hold `count` tokens; `what` describes it.
  void expect(int count, long frame, const char* what) {
    if (!next()) throw FormatError(file_, frame, std::string("truncated file: expected ") + what);
    if (n_ != count)
      throw FormatError(file_, frame,
                        std::string(cut_ && n_ < count ? "truncated file: " : "") + "line " +
                            std::to_string(line_no_) + " has " + std::to_string(n_) +
                            " values, expected " + what);
  }
  std::string_view tok(int i) const { return tok_[i]; }
  double number(int i, long frame, const char* what) const {
    double v;
    if (!parse_double(tok_[i], v))
      throw FormatError(file_, frame,
                        "line " + std::to_string(line_no_) + ": " + what + " '" +
                            std::string(tok_[i]) + "' is not a number");
    return v;
  }
  long integer(int i, long frame, const char* what) const {
    const double v = number(i, frame, what);
    if (!(v >= 0 && v <= 1e9) || v != std::floor(v))
      throw FormatError(file_, frame,
                        "line " + std::to_string(line_no_) + ": " + what + " " +
                            std::string(tok_[i]) + ", expected a whole count 0..1000000000");
    return static_cast<long>(v);
  }
  long line_no() const { return line_no_; }

 private:
  static bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r'; }
  static constexpr int kMax = kJointValues;
  std::string_view text_;
  const std::string& file_;
  size_t pos_ = 0;
  long line_no_ = 0;
  bool cut_ = false;
  int n_ = 0;
  std::array<std::string_view, kMax> tok_;
};

struct Body {
  std::string id;
  std::array<float, kKinectJoints * 4> joints;  // (25, 4) X, Y, Z mm, conf
};

Body read_body(Lines& in, long frame, const std::string& file) {
  Body b;
  in.expect(kBodyValues, frame, "a body line of 10 values (bodyID ... trackingState)");
  b.id = std::string(in.tok(0));
  in.expect(1, frame, "a joint count line");
  const long n = in.integer(0, frame, "joint count");
  if (n != kKinectJoints)
    throw FormatError(
        file, frame,
        "body " + b.id + " has " + std::to_string(n) + " joints, expected 25 (Kinect V2)");
  for (int k = 0; k < kKinectJoints; ++k) {
    in.expect(kJointValues, frame, "a joint line of 12 values (x y z depthX ... trackingState)");
    float* q = &b.joints[k * 4];
    double xyz[3];
    for (int c = 0; c < 3; ++c) {
      xyz[c] = in.number(c, frame, "coordinate");
      if (!std::isfinite(xyz[c]) || !std::isfinite(narrow_to_float(xyz[c] * 1000.0)))
        throw FormatError(file, frame,
                          std::string("non-finite ") + "xyz"[c] + " of joint " +
                              kKinectJointNames[k] + " (line " + std::to_string(in.line_no()) +
                              "), expected a finite number");
    }
    kinect_camera_to_mm(xyz[0], xyz[1], xyz[2], q);
    const double state = in.number(kJointValues - 1, frame, "trackingState");
    if (state != 0 && state != 1 && state != 2)
      throw FormatError(file, frame,
                        "trackingState " + std::string(in.tok(kJointValues - 1)) + " of joint " +
                            kKinectJointNames[k] + ", expected 0, 1 or 2");
    q[3] = static_cast<float>(state) * 0.5f;
    if (q[3] == 0) q[0] = q[1] = q[2] = 0;
  }
  return b;
}

}  // namespace

SourceMotion decode_ntu_skeleton(std::string_view text, const std::string& file) {
  Lines in(text, file);
  in.expect(1, -1, "the frame count on the first line");
  const long T = in.integer(0, -1, "frame count");
  if (T == 0) throw FormatError(file, -1, "the file declares 0 frames, expected at least one");
  std::vector<std::vector<Body>> frames;
  for (long t = 0; t < T; ++t) {
    in.expect(1, t, "a body count line");
    const long n = in.integer(0, t, "body count");
    frames.emplace_back();
    for (long b = 0; b < n; ++b) frames.back().push_back(read_body(in, t, file));
  }
  if (in.next())
    throw FormatError(file, T,
                      "unexpected data on line " + std::to_string(in.line_no()) +
                          " after the last of the " + std::to_string(T) + " declared frames");

  // Rank the bodies: most frames, then most tracked joints, then first seen.
  struct Stats {
    std::string id;
    long frames = 0;
    double conf = 0;
    long first = 0;
  };
  std::map<std::string, Stats> stats;
  long order = 0;
  for (const auto& bodies : frames)
    for (const auto& b : bodies) {
      auto [it, fresh] = stats.try_emplace(b.id);
      if (fresh) it->second.id = b.id, it->second.first = order++;
      ++it->second.frames;
      for (int k = 0; k < kKinectJoints; ++k) it->second.conf += b.joints[k * 4 + 3];
    }
  std::vector<const Stats*> ranked;
  for (const auto& kv : stats) ranked.push_back(&kv.second);
  std::sort(ranked.begin(), ranked.end(), [](const Stats* a, const Stats* b) {
    if (a->frames != b->frames) return a->frames > b->frames;
    if (a->conf != b->conf) return a->conf > b->conf;
    return a->first < b->first;
  });
  // At most kMaxPeople slots (memory is T x slots): lower-ranked bodyIDs are dropped.
  const size_t dropped = ranked.size() > kMaxPeople ? ranked.size() - kMaxPeople : 0;
  ranked.resize(ranked.size() - dropped);
  std::map<std::string, int> slot_of;
  for (size_t n = 0; n < ranked.size(); ++n) slot_of[ranked[n]->id] = static_cast<int>(n);

  SourceMotion m;
  m.skeleton = "kinect_v2";
  m.points.assign(kKinectJointNames, kKinectJointNames + kKinectJoints);
  m.dims = 3;
  m.units = "mm";
  m.fps = kKinectFps;
  const int N = std::max<int>(1, static_cast<int>(ranked.size()));
  m.resize(static_cast<int>(T), N);
  m.track_ids.assign(static_cast<size_t>(T) * N, -1);
  for (long t = 0; t < T; ++t)
    for (const auto& b : frames[t]) {
      const auto it = slot_of.find(b.id);
      if (it == slot_of.end()) continue;  // a dropped body
      const int n = it->second;
      std::copy(b.joints.begin(), b.joints.end(), m.at(static_cast<int>(t), n, 0));
      m.track_ids[static_cast<size_t>(t) * N + n] = n;
    }
  if (ranked.size() > 1)
    m.warnings.push_back(std::to_string(ranked.size() + dropped) + " bodies (bodyIDs): following the one in most frames (" +
                         std::to_string(ranked[0]->frames) + " of " + std::to_string(T) + ")" +
                         (dropped ? "; " + std::to_string(dropped) + " seen least were dropped" : ""));
  return m;
}

SourceMotion read_ntu_motion(const fs::path& file) { return decode_ntu_skeleton(read_text(file), file.string()); }

int probe_ntu_skeleton(std::string_view head) {
  const std::string none;
  Lines in(head, none);
  try {
    in.expect(1, -1, "");
    const long frames = in.integer(0, -1, "");
    in.expect(1, 0, "");
    in.integer(0, 0, "");
    return frames > 0 ? 100 : 50;
  } catch (const FormatError&) {
    return 50;  // the extension alone: the reader will say what is wrong
  }
}

RawClip parse_ntu_skeleton(std::string_view text, const std::string& file, double fps, View view) {
  ReadOptions opt;
  opt.fps_in = fps;
  opt.view = view;
  RawClip clip = to_raw_clip(decode_ntu_skeleton(text, file), opt, file, "ntu");
  clip.name = fs::path(file).stem().string();
  return clip;
}

RawClip read_ntu_skeleton(const fs::path& file, double fps, View view) {
  return parse_ntu_skeleton(read_text(file), file.string(), fps, view);
}

void write_ntu_skeleton(const fs::path& path, const RawClip& clip) {
  LMM_CHECK(clip.pose3d.size() == static_cast<size_t>(clip.frames) * kNumJoints * 4,
            "write_ntu_skeleton: clip '" << clip.name << "' has " << clip.pose3d.size()
                                         << " pose3d values, expected frames * 100");
  // Kinect joint of each BODY_25 joint whose kinect_v2 recipe is a single joint name, else -1.
  std::array<int, kNumJoints> kinect_of;
  kinect_of.fill(-1);
  const Convention* conv = find_convention("kinect_v2");
  for (int j = 0; conv && j < kNumJoints; ++j)
    for (int k = 0; k < kKinectJoints; ++k)
      if (conv->recipe[j] == kKinectJointNames[k]) kinect_of[j] = k;
  std::string s = std::to_string(clip.frames) + "\n";
  char line[256];
  for (int t = 0; t < clip.frames; ++t) {
    const float* f = &clip.pose3d[static_cast<size_t>(t) * kNumJoints * 4];
    std::array<double, kKinectJoints * 4> k{};  // Kinect joints (25, 4), camera metres
    bool any = false;
    for (int j = 0; j < kNumJoints; ++j) {
      const int src = kinect_of[j];
      if (src < 0 || f[j * 4 + 3] <= 0) continue;
      k[src * 4 + 0] = -static_cast<double>(f[j * 4 + 0]) / 1000.0;  // inverse of kinect_camera_to_mm
      k[src * 4 + 1] = static_cast<double>(f[j * 4 + 1]) / 1000.0;
      k[src * 4 + 2] = -static_cast<double>(f[j * 4 + 2]) / 1000.0;
      k[src * 4 + 3] = f[j * 4 + 3];
      any = true;
    }
    if (!any) {
      s += "0\n";
      continue;
    }
    s += std::string("1\n") + kDefaultBodyId + " 0 0 0 0 0 0 0 0 2\n25\n";
    for (int i = 0; i < kKinectJoints; ++i) {
      const double* q = &k[i * 4];
      const int state = q[3] >= 0.75f ? 2 : q[3] > 0 ? 1 : 0;
      std::snprintf(line, sizeof line, "%.12g %.12g %.12g 0 0 0 0 0 0 0 0 %d\n", q[0], q[1], q[2],
                    state);
      s += line;
    }
  }
  write_text_atomic(path, s);
}

}  // namespace lmm::io

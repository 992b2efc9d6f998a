// C3D file -> SourceMotion(s): the decoded markers (c3d_reader.cpp) in millimetres
// (POINT:UNITS) and Y-up axes, one SourceMotion per subject prefix.
//   SourceMotion::data (T, 1, P, 4) X, Y(up), Z in mm, confidence 1 (seen) or 0 (gap)
//   points = the file's labels ("Derrick:LASI"); a prefix shared by every label without a
//   ':' ("LRFHD", "LL_IAS" in Qualisys 03_rolling; "Skeleton_Hip1") becomes a subject
//   prefix ("L:RFHD") so that conventions match the marker names.
// Up axis: POINT:Y_SCREEN's axis; its sign (and without Y_SCREEN the axis) from the body (the
// chosen marker set's hips/shoulders/head above its ankles/heels/toes, upright in >= 70% of
// the frames), else from the floor (the markers lie above it). docs/formats_mocap.md.
// Every whole-clip decision (subjects, marker set, "all gaps", up axis) looks at frames
// through a FrameAt, so that the block path (C3dBlocks, c3d_blocks.h) makes the same
// decisions from the mapped file, decoding only the frames they look at.
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <functional>
#include <map>
#include <memory>

#include "c3d_mapped.h"
#include "lmm/core/error.h"
#include "lmm/io/c3d.h"
#include "lmm/io/c3d_blocks.h"
#include "lmm/io/convention.h"
#include "lmm/io/reader.h"

namespace lmm::io {
namespace fs = std::filesystem;
namespace {

// Millimetres per unit of POINT:UNITS; "" means mm (the C3D default).
double mm_per_unit(const C3dData& d, const std::string& file) {
  std::string u;
  for (char c : d.units)
    if (c != ' ' && c != '\t' && c != '\0') u += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  if (u.empty() || u == "mm") return 1;
  if (u == "cm") return 10;
  if (u == "m") return 1000;
  if (u == "in" || u == "inch" || u == "inches") return 25.4;
  throw FormatError(file, -1, "POINT:UNITS is '" + d.units + "', expected mm, cm, m or in");
}

// A signed lab axis: index 0..2 (X, Y, Z) and sign +-1.
struct Axis {
  int index = 2;
  float sign = 1;
  std::string name() const { return std::string(sign < 0 ? "-" : "+") + static_cast<char>('X' + index); }
};

bool parse_axis(const std::string& s, Axis& a) {
  if (s.size() == 2 && (s[0] == '+' || s[0] == '-') && s[1] >= 'X' && s[1] <= 'Z') {
    a = {s[1] - 'X', s[0] == '-' ? -1.f : 1.f};
    return true;
  }
  if (s.size() == 1 && s[0] >= 'X' && s[0] <= 'Z') {
    a = {s[0] - 'X', 1.f};
    return true;
  }
  return false;
}

// Point names: the labels, with a prefix that every label shares (and that is not a
// "Subject:" prefix) turned into one. Only when >= 4 labels and every rest starts with a
// letter ("Marker_1".."Marker_54" and "Channel101".. stay as they are).
std::vector<std::string> point_names(const std::vector<std::string>& labels) {
  if (labels.size() < 4) return labels;
  std::string common = labels[0];
  for (const std::string& l : labels) {
    if (l.find(':') != std::string::npos) return labels;
    size_t k = 0;
    while (k < common.size() && k < l.size() && common[k] == l[k]) ++k;
    common.resize(k);
  }
  if (common.empty()) return labels;
  std::vector<std::string> out;
  for (const std::string& l : labels) {
    const char c = l.size() > common.size() ? l[common.size()] : '\0';
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))) return labels;
    out.push_back(common + ":" + l.substr(common.size()));
  }
  return out;
}

std::string subject_of(const std::string& name) {
  const size_t colon = name.rfind(':');
  return colon == std::string::npos ? std::string() : name.substr(0, colon);
}

// Columns of each sub-clip: one per subject prefix when >= 2 prefixes each label >= 4
// points (the 2-player tennis file); else everything in one (unprefixed extras such as
// HDM05's "*0 *1 *2" go with the single subject).
std::vector<std::pair<std::string, std::vector<int>>> split_subjects(const std::vector<std::string>& names) {
  std::map<std::string, std::vector<int>> by;
  std::vector<std::string> order;
  for (size_t i = 0; i < names.size(); ++i) {
    const std::string s = subject_of(names[i]);
    if (s.empty()) continue;
    if (!by.count(s)) order.push_back(s);
    by[s].push_back(static_cast<int>(i));
  }
  size_t big = 0;
  for (auto& [s, cols] : by) big += cols.size() >= 4;
  std::vector<std::pair<std::string, std::vector<int>>> out;
  if (big >= 2) {
    for (const std::string& s : order)
      if (by[s].size() >= 4) out.push_back({s, by[s]});
    return out;
  }
  std::vector<int> all(names.size());
  for (size_t i = 0; i < all.size(); ++i) all[i] = static_cast<int>(i);
  out.push_back({"", all});
  return out;
}

// The points (P, 4) of frame t of one sub-clip: X, Y, Z mm in file axes, confidence.
using FrameAt = std::function<const float*(int t)>;

// Frames the up-axis choice samples: every body_step-th for the body, every floor_step-th
// for the floor (a few hundred suffice).
int body_step(int frames) { return std::max(1, frames / 500); }
int floor_step(int frames) { return std::max(1, frames / 200); }

// Per sampled frame, (upper body - lower body) in the motion's current axes, from the
// BODY_25 joints `conv` builds: upper = head, neck, shoulders, hips; lower = ankles, heels,
// toes. Frames without such a pair are left out.
std::vector<Vec3> body_up_vectors(int frames, const FrameAt& at, const BoundConvention& conv) {
  static const int kUpper[] = {Nose, Neck, RShoulder, LShoulder, MidHip, RHip, LHip};
  static const int kLower[] = {RAnkle, LAnkle, RHeel, LHeel, RBigToe, LBigToe};
  std::vector<Vec3> out;
  std::vector<float> body(static_cast<size_t>(kNumJoints) * 4);  // (25, 4)
  const int step = body_step(frames);
  for (int t = 0; t < frames; t += step) {
    conv.apply(at(t), 3, body.data());
    auto mean = [&](const auto& joints, Vec3& v) {
      int n = 0;
      v = {0, 0, 0};
      for (int j : joints)
        if (body[j * 4 + 3] > 0) {
          for (int k = 0; k < 3; ++k) v[k] += body[j * 4 + k];
          ++n;
        }
      if (n) for (double& x : v) x /= n;
      return n > 0;
    };
    Vec3 hi, lo;
    if (mean(kUpper, hi) && mean(kLower, lo)) out.push_back({hi[0] - lo[0], hi[1] - lo[1], hi[2] - lo[2]});
  }
  return out;
}

// The signed lab axis the body stands along (`axis` = -1: the dominant one; else that axis,
// for its sign only), when the body is upright along it (within 60 degrees) in at least 70%
// of the frames it can be measured in; false otherwise (a subject lying or rolling on the
// floor, 03_rolling, or no head/hip and foot joints).
bool body_axis(int frames, const FrameAt& at, const BoundConvention& conv, int axis, Axis& out) {
  const std::vector<Vec3> v = body_up_vectors(frames, at, conv);
  if (v.empty()) return false;
  Vec3 sum{};
  for (const Vec3& u : v)
    for (int k = 0; k < 3; ++k) sum[k] += u[k];
  int k = axis;
  if (k < 0) {
    k = 0;
    for (int i = 1; i < 3; ++i)
      if (std::fabs(sum[i]) > std::fabs(sum[k])) k = i;
  }
  const double sign = sum[k] < 0 ? -1 : 1;
  size_t upright = 0;
  for (const Vec3& u : v) upright += sign * u[k] > 0.5 * std::sqrt(u[0] * u[0] + u[1] * u[1] + u[2] * u[2]);
  if (upright < 0.7 * v.size()) return false;
  out = {k, static_cast<float>(sign)};
  return true;
}

// A sub-clip: its subject prefix, the file's columns it holds, their point names, and the
// marker set that maps them (null when none fits; read_clips then reports the labels).
struct Part {
  std::string subject;
  std::vector<int> cols;
  std::vector<std::string> points;
  std::unique_ptr<Convention> user;  // the --markers file's convention, which `conv` refers to
  std::unique_ptr<BoundConvention> conv;
};

// The description of part `part` as a 3D SourceMotion in mm at `rate` (no frames yet).
SourceMotion part_motion(const Part& part, double rate) {
  SourceMotion m;
  m.part = part.subject;
  m.dims = 3;
  m.units = "mm";
  m.fps = rate;
  m.points = part.points;
  return m;
}

// The convention the clip will use (the user's --markers file, else the best built-in).
void choose_convention_of(Part& part, const ReadOptions& opt, const std::string& file) {
  try {
    if (!opt.markers.empty()) {
      part.user = std::make_unique<Convention>(load_convention_json(opt.markers, "c3d"));
      part.conv = std::make_unique<BoundConvention>(*part.user, part.points);
      return;
    }
    part.conv = std::make_unique<BoundConvention>(choose_convention(part.points, "c3d", file));
  } catch (const FormatError&) {
    part.conv = nullptr;
  }
}

// The file's sub-clips with their marker sets (labels only) and its mm per unit;
// FormatError for no frames, no labels or unknown units.
std::vector<Part> parts_of(const C3dData& d, const ReadOptions& opt, const std::string& file, double& mm) {
  if (d.frames <= 0) throw FormatError(file, -1, "no point frames (POINT:FRAMES is 0)");
  if (std::all_of(d.labels.begin(), d.labels.end(), [](const std::string& l) { return l.empty(); }))
    throw FormatError(file, -1,
                      "no point labels (no POINT:LABELS parameter): " + std::to_string(d.labels.size()) +
                          " markers that cannot be told apart, so no marker set can map them to BODY_25");
  mm = mm_per_unit(d, file);
  const std::vector<std::string> names = point_names(d.labels);
  std::vector<Part> out;
  for (auto& [subject, cols] : split_subjects(names)) {
    Part part;
    part.subject = subject;
    part.cols = cols;
    for (int c : cols) part.points.push_back(names[c]);
    choose_convention_of(part, opt, file);
    out.push_back(std::move(part));
  }
  return out;
}

// A decoded point (x, y, z file units, residual) as a SourceMotion point: mm and confidence
// 1, or (0, 0, 0, 0) for a gap.
inline void to_source_point(const float* p, double mm, float* q) {
  if (p[3] < 0) {
    q[0] = q[1] = q[2] = q[3] = 0.f;
    return;
  }
  for (int k = 0; k < 3; ++k) q[k] = static_cast<float>(p[k] * mm);
  q[3] = 1.f;
}

// Frames (T, M, 4) of the decoded points -> the part's (T, 1, P, 4) in m (allocated).
void copy_part(const float* points, size_t M, int T, const Part& part, double mm, SourceMotion& m) {
  m.resize(T, 1);
  for (int t = 0; t < T; ++t)
    for (size_t i = 0; i < part.cols.size(); ++i)
      to_source_point(points + (static_cast<size_t>(t) * M + part.cols[i]) * 4, mm, m.at(t, 0, static_cast<int>(i)));
}

// Median coordinate of the seen points along a signed axis (file axes, mm).
float median_along(int frames, int points, const FrameAt& at, const Axis& a) {
  std::vector<float> v;
  const int step = floor_step(frames);
  for (int t = 0; t < frames; t += step)
    for (int p = 0; p < points; ++p) {
      const float* q = at(t) + p * 4;
      if (q[3] > 0) v.push_back(a.sign * q[a.index]);
    }
  if (v.empty()) return 0;
  std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
  return v[v.size() / 2];
}

// Throws when the convention's markers are gaps in every frame (BTK parameterOverflow:
// only model outputs such as LHipAngles are valid), naming what is valid instead. Looks at
// frames from the first on until one has a joint.
void require_seen(int frames, const FrameAt& at, const Part& part, const std::string& file) {
  std::vector<float> body(static_cast<size_t>(kNumJoints) * 4);  // (25, 4)
  for (int t = 0; t < frames; ++t) {
    part.conv->apply(at(t), 3, body.data());
    for (int j = 0; j < kNumJoints; ++j)
      if (body[j * 4 + 3] > 0) return;
  }
  const int P = static_cast<int>(part.points.size());
  std::vector<bool> seen(static_cast<size_t>(P), false);
  for (int t = 0, left = P; t < frames && left > 0; ++t) {
    const float* q = at(t);
    for (int p = 0; p < P; ++p)
      if (!seen[p] && q[p * 4 + 3] > 0) seen[p] = true, --left;
  }
  std::string valid;
  int n = 0;
  for (int p = 0; p < P; ++p)
    if (seen[p] && n++ < 8) valid += (valid.empty() ? "" : " ") + part.points[p];
  throw FormatError(file, -1,
                    "the " + part.conv->convention().id + " markers are gaps in all " + std::to_string(frames) +
                        " frames; valid points: " + (n ? valid + (n > 8 ? " ... (" + std::to_string(n) + ")" : "") : "none") +
                        " (model outputs, not markers)");
}

// The lab's up axis for this motion; conv = the marker set, or null. POINT:Y_SCREEN gives
// the axis (its sign is wrong in Qualisys files: "-Z" for a Z-up lab); the sign, or without
// Y_SCREEN the axis too, comes from the upright body, else from the floor (most markers lie
// on its positive side; Z when nothing else tells). Warns when the file's sign is overruled.
Axis choose_up(const C3dData& d, int frames, int points, const FrameAt& at, const BoundConvention* conv,
               std::vector<std::string>& warnings) {
  Axis screen;
  const bool has_screen = parse_axis(d.y_screen, screen);
  Axis up{2, 1.f};
  std::string why;
  if (conv && body_axis(frames, at, *conv, has_screen ? screen.index : -1, up)) {
    why = "the body (" + conv->convention().id + ": hips and head above the feet)";
  } else {
    up = has_screen ? screen : Axis{2, 1.f};
    if (median_along(frames, points, at, up) < 0) up.sign = -up.sign;
    why = "the floor (most markers lie above it)";
  }
  if (has_screen && up.sign != screen.sign)
    warnings.push_back("POINT:Y_SCREEN says " + screen.name() + " is up but " + why + " says " + up.name() +
                       "; using " + up.name());
  return up;
}

// Rotates the motion's points from lab axes to X (right), Y (up), Z = X x Y.
void to_y_up(const C3dData& d, SourceMotion& m, const Axis& up) {
  Axis right;
  if (!parse_axis(d.x_screen, right) || right.index == up.index) right = {up.index == 0 ? 1 : 0, 1.f};
  Vec3 r{}, u{};
  r[right.index] = right.sign;
  u[up.index] = up.sign;
  const Vec3 z = {r[1] * u[2] - r[2] * u[1], r[2] * u[0] - r[0] * u[2], r[0] * u[1] - r[1] * u[0]};
  for (int t = 0; t < m.frames; ++t)
    for (int p = 0; p < m.point_count(); ++p) {
      float* q = m.at(t, 0, p);
      const double v[3] = {q[0], q[1], q[2]};
      q[0] = static_cast<float>(v[0] * r[0] + v[1] * r[1] + v[2] * r[2]);
      q[1] = static_cast<float>(v[0] * u[0] + v[1] * u[1] + v[2] * u[2]);
      q[2] = static_cast<float>(v[0] * z[0] + v[1] * z[1] + v[2] * z[2]);
    }
}

// The clip-wide decisions for one part, from its frames seen through `at`: the reader's
// warnings and flags, the "all gaps" check (FormatError) and the up axis.
Axis decide(const C3dData& d, const Part& part, int frames, const FrameAt& at, const std::string& file,
            std::vector<std::string>& warnings, std::vector<std::string>& qc_flags) {
  warnings = d.warnings;
  if (d.truncated) qc_flags.push_back("truncated");
  if (part.conv) require_seen(frames, at, part, file);
  return choose_up(d, frames, static_cast<int>(part.points.size()), at, part.conv.get(), warnings);
}

// Several subjects: a prefix no marker set fits (a prop such as "Racket:") is left out,
// unless none fits (then read_clips reports the labels). Returns the indices kept and adds
// the "left out" warnings to `extra`.
std::vector<size_t> kept_parts(const std::vector<Part>& parts, std::vector<std::string>& extra) {
  std::vector<std::string> unmatched;  // "Racket (4 points)"
  for (const Part& p : parts)
    if (!p.conv && !p.subject.empty()) unmatched.push_back(p.subject + " (" + std::to_string(p.points.size()) + " points)");
  std::vector<size_t> kept;
  const bool drop = !unmatched.empty() && unmatched.size() < parts.size();
  for (size_t i = 0; i < parts.size(); ++i)
    if (!drop || parts[i].conv) kept.push_back(i);
  if (drop)
    for (const std::string& u : unmatched) extra.push_back("subject " + u + " matches no marker set: left out");
  return kept;
}

// c3d_source_motions; `steal` = d.points when the caller no longer needs them: a single
// subject holding every column then takes them over (converted in place, (T, M, 4) is
// (T, 1, P, 4)) instead of copying, which halves the peak memory of long recordings.
std::vector<SourceMotion> source_motions(const C3dData& d, std::vector<float>* steal, const std::string& file,
                                         const ReadOptions& opt) {
  double mm = 1;
  std::vector<Part> parts = parts_of(d, opt, file, mm);
  const size_t M = d.labels.size();
  std::vector<SourceMotion> out;
  for (const Part& part : parts) {
    SourceMotion m = part_motion(part, d.rate);
    if (steal && part.cols.size() == M && steal->size() == static_cast<size_t>(d.frames) * M * 4) {
      m.frames = d.frames;
      m.people = 1;
      m.data = std::move(*steal);
      steal = nullptr;
      for (size_t i = 0; i < m.data.size(); i += 4) to_source_point(&m.data[i], mm, &m.data[i]);
    } else {
      copy_part(d.points.data(), M, d.frames, part, mm, m);
    }
    const FrameAt at = [&m](int t) { return m.at(t, 0, 0); };
    to_y_up(d, m, decide(d, part, m.frames, at, file, m.warnings, m.qc_flags));
    out.push_back(std::move(m));
  }
  std::vector<std::string> extra;
  const std::vector<size_t> kept = kept_parts(parts, extra);
  if (kept.size() == out.size()) return out;
  std::vector<SourceMotion> result;
  for (size_t i : kept) {
    result.push_back(std::move(out[i]));
    for (const std::string& w : extra) result.back().warnings.push_back(w);
  }
  return result;
}

}  // namespace

std::vector<SourceMotion> c3d_source_motions(const C3dData& d, const std::string& file, const ReadOptions& opt) {
  return source_motions(d, nullptr, file, opt);
}

std::vector<SourceMotion> read_c3d_motions(const fs::path& file, const ReadOptions& opt) {
  C3dData d = read_c3d_data(file);
  return source_motions(d, &d.points, file.string(), opt);
}

int probe_c3d(const fs::path&, std::string_view head) {
  // Header byte 2 is the C3D key 0x50; byte 1 the parameter block (>= 1).
  return head.size() >= 2 && static_cast<unsigned char>(head[1]) == 0x50 && head[0] != 0 ? 100 : 10;
}

RawClip read_c3d(const fs::path& file, double fps, View view) {
  ReadOptions ro;
  ro.fps_in = fps;
  ro.view = view;
  std::vector<SourceMotion> parts = read_c3d_motions(file, ro);
  RawClip c = to_raw_clip(std::move(parts.front()), ro, file.string(), "c3d");
  c.name = file.stem().string();
  return c;
}

// ---- Block path (c3d_blocks.h) ----------------------------------------------------

bool c3d_block_path(const fs::path& file) {
  if (const char* env = std::getenv("LMM_C3D_BLOCKS"); env && *env) return std::string(env) != "0";
  try {
    const c3d_detail::C3dMappedFile f(file);
    const C3dData& d = f.data();
    return static_cast<size_t>(d.frames) * d.labels.size() * 4 * sizeof(float) > kC3dBlockPathBytes;
  } catch (const Error&) {
    return false;
  }
}

struct C3dBlocks::Impl {
  std::string file;
  ReadOptions opt;
  c3d_detail::C3dMappedFile mapped;
  double mm = 1;
  std::vector<Part> parts;           // all sub-clips of the file
  std::vector<size_t> kept;          // the ones read (indices into parts)
  std::vector<Axis> up;              // per part
  std::vector<std::vector<std::string>> warnings, qc_flags;  // per part, for the first block

  Impl(const fs::path& path, const ReadOptions& o) : file(path.string()), opt(o), mapped(path) {}

  // Part k of B decoded frames (B, M, 4) as the SourceMotion read_c3d_motions would hold
  // for them: mm, confidence, Y up.
  SourceMotion block(size_t k, const float* raw, int B) const {
    const Part& part = parts[k];
    const C3dData& d = mapped.data();
    SourceMotion m = part_motion(part, d.rate);
    copy_part(raw, d.labels.size(), B, part, mm, m);
    to_y_up(d, m, up[k]);
    return m;
  }
};

C3dBlocks::C3dBlocks(const fs::path& path, const ReadOptions& opt) : impl_(std::make_unique<Impl>(path, opt)) {
  Impl& s = *impl_;
  const C3dData& d = s.mapped.data();
  s.parts = parts_of(d, opt, s.file, s.mm);
  const size_t M = d.labels.size();
  for (const Part& part : s.parts) {
    // Frames read on demand, one at a time (the decisions look at a few hundred, or at the
    // first frames until a marker-set joint is seen), not through the mapping: see read_frame.
    std::vector<float> raw(M * 4), pts(part.cols.size() * 4);  // (M, 4) and (P, 4)
    const FrameAt at = [&](int t) {
      s.mapped.read_frame(t, raw.data());
      for (size_t i = 0; i < part.cols.size(); ++i) to_source_point(&raw[part.cols[i] * 4], s.mm, &pts[i * 4]);
      return static_cast<const float*>(pts.data());
    };
    s.warnings.emplace_back();
    s.qc_flags.emplace_back();
    s.up.push_back(decide(d, part, d.frames, at, s.file, s.warnings.back(), s.qc_flags.back()));
  }
  std::vector<std::string> extra;
  s.kept = kept_parts(s.parts, extra);
  for (size_t i : s.kept) s.warnings[i].insert(s.warnings[i].end(), extra.begin(), extra.end());
  // What to_raw_clip refuses (no marker set fits, a --markers file that builds no joint)
  // does not depend on the frames: refuse it now, as read_clips would, before any block.
  std::vector<float> raw(M * 4);
  s.mapped.read_frame(0, raw.data());
  for (size_t k : s.kept) to_raw_clip(s.block(k, raw.data(), 1), opt, s.file, "c3d");
}

C3dBlocks::~C3dBlocks() = default;

size_t C3dBlocks::parts() const { return impl_->kept.size(); }
const std::string& C3dBlocks::part(size_t i) const { return impl_->parts.at(impl_->kept.at(i)).subject; }
int C3dBlocks::frames() const { return impl_->mapped.data().frames; }

void C3dBlocks::read(size_t i, int block_frames, const std::function<void(RawClip&&, int)>& fn) const {
  LMM_CHECK(block_frames >= 1, "C3D blocks of " << block_frames << " frames, expected >= 1");
  const Impl& s = *impl_;
  const size_t k = s.kept.at(i);
  const C3dData& d = s.mapped.data();
  const size_t M = d.labels.size();
  std::vector<float> raw;  // (B, M, 4) decoded points of one block
  for (int t0 = 0; t0 < d.frames; t0 += block_frames) {
    const int B = std::min(block_frames, d.frames - t0);
    raw.resize(static_cast<size_t>(B) * M * 4);
    s.mapped.decode(t0, t0 + B, raw.data());
    s.mapped.release_before(t0 + B);
    SourceMotion m = s.block(k, raw.data(), B);
    if (t0 == 0) m.warnings = s.warnings[k], m.qc_flags = s.qc_flags[k];
    fn(to_raw_clip(std::move(m), s.opt, s.file, "c3d"), t0);
  }
}

}  // namespace lmm::io

// C3D file -> SourceMotion(s): the decoded markers (c3d_reader.cpp) in millimetres
// (POINT:UNITS) and Y-up axes, one SourceMotion per subject prefix.
//   SourceMotion::data (T, 1, P, 4) X, Y(up), Z in mm, confidence 1 (seen) or 0 (gap)
//   points = the file's labels ("Derrick:LASI"); a prefix shared by every label without a
//   ':' ("LRFHD", "LL_IAS" in Qualisys 03_rolling; "Skeleton_Hip1") becomes a subject
//   prefix ("L:RFHD") so that conventions match the marker names.
// Up axis: POINT:Y_SCREEN's axis; its sign (and without Y_SCREEN the axis) from the body (the
// chosen marker set's hips/shoulders/head above its ankles/heels/toes, upright in >= 70% of
// the frames), else from the floor (the markers lie above it). docs/formats_mocap.md.
#include <algorithm>
#include <cmath>
#include <map>
#include <memory>

#include "lmm/core/error.h"
#include "lmm/io/c3d.h"
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

// Per sampled frame, (upper body - lower body) in the motion's current axes, from the
// BODY_25 joints `conv` builds: upper = head, neck, shoulders, hips; lower = ankles, heels,
// toes. Frames without such a pair are left out.
std::vector<Vec3> body_up_vectors(const SourceMotion& m, const BoundConvention& conv) {
  static const int kUpper[] = {Nose, Neck, RShoulder, LShoulder, MidHip, RHip, LHip};
  static const int kLower[] = {RAnkle, LAnkle, RHeel, LHeel, RBigToe, LBigToe};
  std::vector<Vec3> out;
  std::vector<float> body(static_cast<size_t>(kNumJoints) * 4);  // (25, 4)
  const int step = std::max(1, m.frames / 500);                   // a few hundred frames suffice
  for (int t = 0; t < m.frames; t += step) {
    conv.apply(m.at(t, 0, 0), 3, body.data());
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
bool body_axis(const SourceMotion& m, const BoundConvention& conv, int axis, Axis& out) {
  const std::vector<Vec3> v = body_up_vectors(m, conv);
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

// The convention the clip will use (the user's --markers file, else the best built-in),
// or null when none fits (read_clips then reports the labels).
std::unique_ptr<BoundConvention> convention_of(const SourceMotion& m, const ReadOptions& opt,
                                               Convention& user, const std::string& file) {
  try {
    if (!opt.markers.empty()) {
      user = load_convention_json(opt.markers, "c3d");
      return std::make_unique<BoundConvention>(user, m.points);
    }
    return std::make_unique<BoundConvention>(choose_convention(m.points, "c3d", file));
  } catch (const FormatError&) {
    return nullptr;
  }
}

// Median coordinate of the seen points along a signed axis (file axes, mm).
float median_along(const SourceMotion& m, const Axis& a) {
  std::vector<float> v;
  const int step = std::max(1, m.frames / 200);
  for (int t = 0; t < m.frames; t += step)
    for (int p = 0; p < m.point_count(); ++p) {
      const float* q = m.at(t, 0, p);
      if (q[3] > 0) v.push_back(a.sign * q[a.index]);
    }
  if (v.empty()) return 0;
  std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
  return v[v.size() / 2];
}

// Throws when the convention's markers are gaps in every frame (BTK parameterOverflow:
// only model outputs such as LHipAngles are valid), naming what is valid instead.
void require_seen(const SourceMotion& m, const BoundConvention& conv, const std::string& file) {
  std::vector<float> body(static_cast<size_t>(kNumJoints) * 4);  // (25, 4)
  for (int t = 0; t < m.frames; ++t) {
    conv.apply(m.at(t, 0, 0), 3, body.data());
    for (int j = 0; j < kNumJoints; ++j)
      if (body[j * 4 + 3] > 0) return;
  }
  std::string valid;
  int n = 0;
  for (int p = 0; p < m.point_count(); ++p) {
    bool seen = false;
    for (int t = 0; t < m.frames && !seen; ++t) seen = m.at(t, 0, p)[3] > 0;
    if (seen && n++ < 8) valid += (valid.empty() ? "" : " ") + m.points[p];
  }
  throw FormatError(file, -1,
                    "the " + conv.convention().id + " markers are gaps in all " + std::to_string(m.frames) +
                        " frames; valid points: " + (n ? valid + (n > 8 ? " ... (" + std::to_string(n) + ")" : "") : "none") +
                        " (model outputs, not markers)");
}

// The lab's up axis for this motion; conv = the marker set, or null. POINT:Y_SCREEN gives
// the axis (its sign is wrong in Qualisys files: "-Z" for a Z-up lab); the sign, or without
// Y_SCREEN the axis too, comes from the upright body, else from the floor (most markers lie
// on its positive side; Z when nothing else tells). Warns when the file's sign is overruled.
Axis choose_up(const C3dData& d, SourceMotion& m, const BoundConvention* conv) {
  Axis screen;
  const bool has_screen = parse_axis(d.y_screen, screen);
  Axis up{2, 1.f};
  std::string why;
  if (conv && body_axis(m, *conv, has_screen ? screen.index : -1, up)) {
    why = "the body (" + conv->convention().id + ": hips and head above the feet)";
  } else {
    up = has_screen ? screen : Axis{2, 1.f};
    if (median_along(m, up) < 0) up.sign = -up.sign;
    why = "the floor (most markers lie above it)";
  }
  if (has_screen && up.sign != screen.sign)
    m.warnings.push_back("POINT:Y_SCREEN says " + screen.name() + " is up but " + why + " says " + up.name() +
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

// c3d_source_motions; `steal` = d.points when the caller no longer needs them: a single
// subject holding every column then takes them over (converted in place, (T, M, 4) is
// (T, 1, P, 4)) instead of copying, which halves the peak memory of long recordings.
std::vector<SourceMotion> source_motions(const C3dData& d, std::vector<float>* steal, const std::string& file,
                                         const ReadOptions& opt) {
  if (d.frames <= 0) throw FormatError(file, -1, "no point frames (POINT:FRAMES is 0)");
  if (std::all_of(d.labels.begin(), d.labels.end(), [](const std::string& l) { return l.empty(); }))
    throw FormatError(file, -1,
                      "no point labels (no POINT:LABELS parameter): " + std::to_string(d.labels.size()) +
                          " markers that cannot be told apart, so no marker set can map them to BODY_25");
  const double mm = mm_per_unit(d, file);
  const std::vector<std::string> names = point_names(d.labels);
  const size_t M = d.labels.size();
  std::vector<SourceMotion> out;
  std::vector<bool> matched;           // per part: a marker set fits
  std::vector<std::string> unmatched;  // "Racket (4 points)"
  for (const auto& [subject, cols] : split_subjects(names)) {
    SourceMotion m;
    m.part = subject;
    m.dims = 3;
    m.units = "mm";
    m.fps = d.rate;
    for (int c : cols) m.points.push_back(names[c]);
    if (steal && cols.size() == M && steal->size() == static_cast<size_t>(d.frames) * M * 4) {
      m.frames = d.frames;
      m.people = 1;
      m.data = std::move(*steal);
      steal = nullptr;
      for (size_t i = 0; i < m.data.size(); i += 4) {
        float* q = &m.data[i];
        if (q[3] < 0) {  // a gap: (0, 0, 0, 0)
          q[0] = q[1] = q[2] = q[3] = 0.f;
          continue;
        }
        for (int k = 0; k < 3; ++k) q[k] = static_cast<float>(q[k] * mm);
        q[3] = 1.f;
      }
    } else {
      m.resize(d.frames, 1);
      for (int t = 0; t < d.frames; ++t)
        for (size_t i = 0; i < cols.size(); ++i) {
          const float* p = &d.points[(static_cast<size_t>(t) * M + cols[i]) * 4];
          float* q = m.at(t, 0, static_cast<int>(i));
          if (p[3] < 0) continue;  // a gap: (0, 0, 0, 0)
          for (int k = 0; k < 3; ++k) q[k] = static_cast<float>(p[k] * mm);
          q[3] = 1.f;
        }
    }
    m.warnings = d.warnings;
    if (d.truncated) m.qc_flags.push_back("truncated");
    Convention user;
    const std::unique_ptr<BoundConvention> conv = convention_of(m, opt, user, file);
    if (conv) require_seen(m, *conv, file);
    to_y_up(d, m, choose_up(d, m, conv.get()));
    if (!conv && !subject.empty()) unmatched.push_back(subject + " (" + std::to_string(m.point_count()) + " points)");
    matched.push_back(conv != nullptr);
    out.push_back(std::move(m));
  }
  // Several subjects: a prefix no marker set fits (a prop such as "Racket:") is left out,
  // unless none fits (then read_clips reports the labels).
  if (!unmatched.empty() && unmatched.size() < out.size()) {
    std::vector<SourceMotion> kept;
    for (size_t i = 0; i < out.size(); ++i)
      if (matched[i]) kept.push_back(std::move(out[i]));
    for (SourceMotion& m : kept)
      for (const std::string& u : unmatched) m.warnings.push_back("subject " + u + " matches no marker set: left out");
    return kept;
  }
  return out;
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

}  // namespace lmm::io

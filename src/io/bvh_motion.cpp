// BVH -> SourceMotion (the format registry's "bvh" entry): forward kinematics gives one
// point per joint and End Site, data (T, 1, J, 4) X, Y(up), Z mm, confidence 1 (BVH is
// Y-up by convention and has no gaps). File units become mm by BvhOptions::mm_per_unit or
// by anatomy: the leg length of the skeleton convention (family "bvh", or the user's
// --joints table) that fits the joint names. The rate comes from "Frame Time".
// Mapping to BODY_25 is not done here: read_clips applies the convention.
#include <algorithm>
#include <cmath>
#include <map>
#include <memory>

#include "lmm/core/body25.h"
#include "lmm/core/error.h"
#include "lmm/io/bvh.h"
#include "lmm/io/convention.h"
#include "lmm/io/reader.h"

namespace lmm::io {
namespace {

constexpr double kLegMm = 860;  // hip-knee-ankle of an adult (0.49 x 1.75 m)
constexpr double kArmMm = 570;  // shoulder-elbow-wrist (0.33 x 1.75 m)
constexpr int kUnitFrames = 16;  // frames sampled for the limb length

// Appends |a-b| + |b-c| when the three joints are present; body (25, 4) BODY_25 joints of
// one frame in file units, as the convention gives them.
void chain_lengths(const float* body, int a, int b, int c, std::vector<double>& out) {
  auto dist = [&](int i, int j) {
    const float* p = body + i * 4;
    const float* q = body + j * 4;
    return std::sqrt(double(p[0] - q[0]) * (p[0] - q[0]) + double(p[1] - q[1]) * (p[1] - q[1]) +
                     double(p[2] - q[2]) * (p[2] - q[2]));
  };
  if (body[a * 4 + 3] > 0 && body[b * 4 + 3] > 0 && body[c * 4 + 3] > 0)
    out.push_back(dist(a, b) + dist(b, c));
}

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
  return v[v.size() / 2];
}

// (J, 4) file-unit points with confidence 1 for frame t.
std::vector<float> frame_points(const BvhData& d, int t) {
  const std::vector<double> p = bvh_forward_kinematics(d, t, 1);  // (1, J, 3)
  std::vector<float> out(d.joints.size() * 4);
  for (size_t j = 0; j < d.joints.size(); ++j) {
    for (int k = 0; k < 3; ++k) out[j * 4 + k] = static_cast<float>(p[j * 3 + k]);
    out[j * 4 + 3] = 1.f;
  }
  return out;
}

// The user's table or the best built-in of family "bvh", bound to the points; nullptr when
// none fits (the unit then comes from the extent heuristic, and read_clips reports the
// missing convention with the file's joint names).
std::unique_ptr<BoundConvention> convention_for_units(const std::vector<std::string>& points,
                                                      const std::string& file, const BvhOptions& opt,
                                                      Convention& user) {
  try {
    if (!opt.joints.empty()) {
      user = load_convention_json(opt.joints, "bvh");
      return std::make_unique<BoundConvention>(user, points);
    }
    return std::make_unique<BoundConvention>(choose_convention(points, "bvh", file));
  } catch (const FormatError&) {
    return nullptr;
  }
}

std::string unit_name(double mm) {
  if (mm == 1.0) return "mm";
  if (mm == 10.0) return "cm";
  if (mm == 25.4) return "inch";
  if (mm == 1000.0) return "m";
  return "CMU/ASF units (56.444 mm)";
}

}  // namespace

double bvh_frame_rate(double frame_time) {
  const double rate = 1.0 / frame_time, whole = std::round(rate);
  return whole > 0 && std::fabs(rate - whole) <= 2e-4 * whole ? whole : rate;
}

std::vector<std::string> bvh_point_names(const BvhData& d) {
  std::vector<std::string> names;
  std::map<std::string, int> used;  // normalized name -> count
  for (const BvhJoint& j : d.joints) {
    std::string n = j.name;
    if (j.end_site)
      for (int k = 2; used.count(normalize_label(n)); ++k) n = j.name + std::to_string(k);
    ++used[normalize_label(n)];
    names.push_back(std::move(n));
  }
  return names;
}

double bvh_mm_per_unit_by_anatomy(const BvhData& d, const BoundConvention& conv) {
  if (d.frames <= 0) return 0;
  std::vector<double> legs, arms;
  std::vector<float> body(kNumJoints * 4);
  const int n = std::min(d.frames, kUnitFrames);
  for (int i = 0; i < n; ++i) {
    const int t = n > 1 ? static_cast<int>(static_cast<long>(i) * (d.frames - 1) / (n - 1)) : 0;
    conv.apply(frame_points(d, t).data(), 3, body.data());
    chain_lengths(body.data(), RHip, RKnee, RAnkle, legs);
    chain_lengths(body.data(), LHip, LKnee, LAnkle, legs);
    chain_lengths(body.data(), RShoulder, RElbow, RWrist, arms);
    chain_lengths(body.data(), LShoulder, LElbow, LWrist, arms);
  }
  const double leg = median(legs), arm = median(arms);
  if (leg > 0) return bvh_nearest_unit(leg, kLegMm);
  if (arm > 0) return bvh_nearest_unit(arm, kArmMm);
  return 0;
}

namespace {

// What the decoding found worth telling: extra lines, OFFSETs replaced by position channels.
std::vector<std::string> decode_warnings(const BvhData& d) {
  std::vector<std::string> w;
  if (d.extra_lines > 0)
    w.push_back(std::to_string(d.extra_lines) + " data line(s) after the " + std::to_string(d.frames) +
                " frames that 'Frames:' announces were ignored");
  std::string replaced;  // the first few joints whose channels replace their OFFSET
  int n = 0;
  for (const BvhJoint& j : d.joints)
    if (j.replaces_offset && n++ < 4) replaced += (n > 1 ? ", " : "") + j.name;
  if (n > 4) replaced += ", ...";
  if (n > 0)
    w.push_back("position channels of " + std::to_string(n) + " joint(s) (" + replaced +
                ") start at their OFFSET: read as the local translation (replacing the OFFSET, as Blender and "
                "assimp do)");
  return w;
}

// mm per file unit: given, else by anatomy, else by the rest-pose extent (with a warning).
double unit_of(const BvhData& d, const std::vector<std::string>& points, const std::string& file,
               const BvhOptions& opt, std::vector<std::string>& warnings) {
  if (opt.mm_per_unit > 0) return opt.mm_per_unit;
  Convention user;
  const std::unique_ptr<BoundConvention> conv = convention_for_units(points, file, opt, user);
  const double mm = conv ? bvh_mm_per_unit_by_anatomy(d, *conv) : 0;
  if (mm > 0) return mm;
  const double guess = bvh_estimate_mm_per_unit(d);
  warnings.push_back("units: no legs or arms recognised, " + unit_name(guess) +
                     " guessed from the rest-pose size (pass the unit if wrong)");
  return guess;
}

// m.data (T, 1, J, 4) from forward kinematics, scaled to mm, confidence 1.
void fill_positions(const BvhData& d, double mm, const std::string& file, SourceMotion& m) {
  const size_t J = d.joints.size();
  m.resize(d.frames, 1);
  constexpr int kChunk = 512;  // frames per forward-kinematics call: bounded memory
  for (int t0 = 0; t0 < d.frames; t0 += kChunk) {
    const int n = std::min(kChunk, d.frames - t0);
    const std::vector<double> pos = bvh_forward_kinematics(d, t0, n);  // (n, J, 3)
    for (int i = 0; i < n; ++i)
      for (size_t j = 0; j < J; ++j) {
        float* o = m.at(t0 + i, 0, static_cast<int>(j));
        for (int k = 0; k < 3; ++k) o[k] = static_cast<float>(pos[(i * J + j) * 3 + k] * mm);
        if (!std::isfinite(o[0]) || !std::isfinite(o[1]) || !std::isfinite(o[2]))
          throw FormatError(file, t0 + i,
                            "joint " + d.joints[j].name + " lies beyond float range (OFFSETs or positions too large)");
        o[3] = 1.f;
      }
  }
}

}  // namespace

SourceMotion bvh_source_motion(const BvhData& d, const std::string& file, const BvhOptions& opt) {
  if (d.frames <= 0) throw FormatError(file, -1, "MOTION has 0 frames");
  SourceMotion m;
  m.points = bvh_point_names(d);
  m.dims = 3;
  m.units = "mm";
  m.fps = d.frame_time > 0 ? bvh_frame_rate(d.frame_time) : 0;
  m.warnings = decode_warnings(d);
  fill_positions(d, unit_of(d, m.points, file, opt, m.warnings), file, m);
  return m;
}

int probe_bvh(const std::filesystem::path&, std::string_view head) {
  size_t b = 0;
  if (head.substr(0, 3) == "\xEF\xBB\xBF") b = 3;  // UTF-8 byte order mark
  b = head.find_first_not_of(" \t\r\n", b);
  return b != std::string_view::npos && head.substr(b, 9) == "HIERARCHY" ? 100 : 10;
}

std::vector<SourceMotion> read_bvh_motions(const std::filesystem::path& file, const ReadOptions& opt) {
  BvhOptions bo;
  bo.joints = opt.joints;
  return {bvh_source_motion(read_bvh_data(file), file.string(), bo)};
}

RawClip read_bvh(const std::filesystem::path& file, double fps, View view, const BvhOptions& opt) {
  ReadOptions ro;
  ro.fps_in = fps;
  ro.view = view;
  ro.joints = opt.joints;
  RawClip c = to_raw_clip(bvh_source_motion(read_bvh_data(file), file.string(), opt), ro, file.string(), "bvh");
  c.name = file.stem().string();
  return c;
}

RawClip read_bvh(const std::filesystem::path& file, double fps, View view) {
  return read_bvh(file, fps, view, BvhOptions{});
}

}  // namespace lmm::io

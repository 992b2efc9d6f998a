// read_c3d: a C3D file -> RawClip. Markers are converted to millimetres (POINT:UNITS)
// and to a Y-up frame (from POINT:X_SCREEN / Y_SCREEN, else detected from the head
// and ankle markers, else Z-up is assumed), mapped from Plug-in Gait to BODY_25
// (pose3d (T, 25, 4) X, Y-up, Z mm, confidence) and projected to `view` (pose).
#include <algorithm>
#include <cctype>
#include <cmath>

#include "lmm/core/error.h"
#include "lmm/io/c3d.h"
#include "lmm/io/reader.h"

namespace lmm::io {
namespace {

// Millimetres per unit of POINT:UNITS; "" means mm (the C3D default).
double mm_per_unit(const C3dData& d, const std::string& file) {
  std::string u;
  for (char c : d.units)
    if (!std::isspace(static_cast<unsigned char>(c))) u += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (u.empty() || u == "mm") return 1;
  if (u == "cm") return 10;
  if (u == "m") return 1000;
  if (u == "in" || u == "inch" || u == "inches") return 25.4;
  throw FormatError(file, -1, "POINT:UNITS is '" + d.units + "', expected mm, cm, m or in");
}

// A signed lab axis: index 0..2 (X, Y, Z) and sign +-1.
struct Axis {
  int index = 0;
  double sign = 1;
};

bool parse_axis(const std::string& s, Axis& a) {
  if (s.size() == 2 && (s[0] == '+' || s[0] == '-') && s[1] >= 'X' && s[1] <= 'Z') {
    a = {s[1] - 'X', s[0] == '-' ? -1.0 : 1.0};
    return true;
  }
  if (s.size() == 1 && s[0] >= 'X' && s[0] <= 'Z') {
    a = {s[0] - 'X', 1.0};
    return true;
  }
  return false;
}

// Up axis from the data: the dominant component of (head - ankles) over valid frames.
bool detect_up(const C3dData& d, Axis& up) {
  int head[2] = {-1, -1}, feet[2] = {-1, -1};
  for (size_t m = 0; m < d.labels.size(); ++m) {
    const std::string n = marker_name(d.labels[m]);
    if (n == "LFHD") head[0] = int(m);
    if (n == "RFHD") head[1] = int(m);
    if (n == "LANK") feet[0] = int(m);
    if (n == "RANK") feet[1] = int(m);
  }
  if (std::min({head[0], head[1], feet[0], feet[1]}) < 0) return false;
  const size_t M = d.labels.size();
  double sum[3] = {0, 0, 0};
  for (int t = 0; t < d.frames; ++t) {
    const float* f = &d.points[static_cast<size_t>(t) * M * 4];
    bool ok = true;
    for (int m : {head[0], head[1], feet[0], feet[1]}) ok = ok && f[m * 4 + 3] >= 0;
    if (!ok) continue;
    for (int k = 0; k < 3; ++k)
      sum[k] += f[head[0] * 4 + k] + f[head[1] * 4 + k] - f[feet[0] * 4 + k] - f[feet[1] * 4 + k];
  }
  int best = 0;
  for (int k = 1; k < 3; ++k)
    if (std::fabs(sum[k]) > std::fabs(sum[best])) best = k;
  if (sum[best] == 0) return false;
  up = {best, sum[best] < 0 ? -1.0 : 1.0};
  return true;
}

}  // namespace

RawClip read_c3d(const std::filesystem::path& file, double fps, View view) {
  const std::string name = file.string();
  C3dData d = read_c3d_data(file);
  if (d.frames <= 0) throw FormatError(name, -1, "no point frames (POINT:FRAMES is 0)");
  const double scale = mm_per_unit(d, name);

  // Output axes: right = X_SCREEN, up = Y_SCREEN when both are valid and differ.
  Axis right, up{2, 1.0};
  const bool screen = parse_axis(d.x_screen, right) && parse_axis(d.y_screen, up) &&
                      right.index != up.index;
  if (!screen) {
    if (!detect_up(d, up)) up = {2, 1.0};  // Z-up: the usual lab convention
    right = {up.index == 0 ? 1 : 0, 1.0};
  }
  Vec3 r{}, u{};
  r[right.index] = right.sign;
  u[up.index] = up.sign;
  const Vec3 z = {r[1] * u[2] - r[2] * u[1], r[2] * u[0] - r[0] * u[2], r[0] * u[1] - r[1] * u[0]};

  const size_t M = d.labels.size();
  std::vector<float> markers(d.points.size());
  for (size_t i = 0; i < static_cast<size_t>(d.frames) * M; ++i) {
    const float* p = &d.points[i * 4];
    float* q = &markers[i * 4];
    const double v[3] = {p[0] * scale, p[1] * scale, p[2] * scale};
    q[0] = static_cast<float>(v[0] * r[0] + v[1] * r[1] + v[2] * r[2]);
    q[1] = static_cast<float>(v[0] * u[0] + v[1] * u[1] + v[2] * u[2]);
    q[2] = static_cast<float>(v[0] * z[0] + v[1] * z[1] + v[2] * z[2]);
    q[3] = p[3] >= 0 ? 1.f : 0.f;
  }

  RawClip clip;
  clip.name = file.stem().string();
  clip.source_path = name;
  clip.source_format = "c3d";
  clip.fps = fps > 0 ? fps : d.rate;
  clip.frames = d.frames;
  clip.pose3d = plugin_gait_to_body25(d.labels, markers, d.frames, name);
  project_orthographic(clip, view);
  return clip;
}

}  // namespace lmm::io

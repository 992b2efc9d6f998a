// Views of 3D clips (projection, yaw angles, per-angle clip names) and usability names.
#include "lmm/core/clip.h"

#include <fmt/core.h>

#include <cmath>
#include <cstdlib>
#include <set>

#include "lmm/core/error.h"

namespace lmm {
namespace {

constexpr const char* kYawTag = "@yaw";

// cos and sin of an angle in degrees, exact at multiples of 90.
void cos_sin_deg(double deg, double& c, double& s) {
  if (std::fmod(deg, 90.0) == 0) {
    static const double kCos[4] = {1, 0, -1, 0}, kSin[4] = {0, 1, 0, -1};
    const long k = ((std::lround(deg / 90.0) % 4) + 4) % 4;
    c = kCos[k], s = kSin[k];
    return;
  }
  const double r = deg * (M_PI / 180.0);
  c = std::cos(r), s = std::sin(r);
}

// The angle text of a clip name: "30", "-30", "22.5" (shortest form, no "-0").
std::string yaw_text(double deg) { return fmt::format("{:g}", deg == 0 ? 0.0 : deg); }

// A yaw angle in degrees, or false when `s` is not one number.
bool parse_angle(const std::string& s, double& deg) {
  if (s.empty()) return false;
  char* end = nullptr;
  deg = std::strtod(s.c_str(), &end);
  return end == s.c_str() + s.size() && std::isfinite(deg);
}

std::string trimmed(const std::string& s) {
  const size_t a = s.find_first_not_of(" \t"), b = s.find_last_not_of(" \t");
  return a == std::string::npos ? "" : s.substr(a, b - a + 1);
}

}  // namespace

View parse_view(const std::string& s) {
  if (s == "front") return View::front;
  if (s == "side") return View::side;
  if (s == "top") return View::top;
  throw ConfigError("unknown view '" + s + "': expected front, side or top");
}

std::vector<double> parse_yaws(const std::string& list) {
  std::vector<double> out;
  std::set<std::string> seen;
  size_t from = 0;
  while (true) {
    const size_t comma = list.find(',', from);
    const std::string item = trimmed(list.substr(from, comma == std::string::npos ? std::string::npos : comma - from));
    double deg = 0;
    if (!parse_angle(item, deg) || deg < -180 || deg > 180)
      throw ConfigError("yaw angle '" + item + "' in '" + list +
                        "': expected degrees in [-180, 180], a comma-separated list such as 0,30,-30");
    if (!seen.insert(yaw_text(deg)).second)
      throw ConfigError("yaw angle '" + item + "' in '" + list + "' is given twice");
    out.push_back(deg == 0 ? 0.0 : deg);
    if (comma == std::string::npos) break;
    from = comma + 1;
  }
  return out;
}

std::string yaw_clip_name(const std::string& recording, double yaw_deg) {
  return recording + kYawTag + yaw_text(yaw_deg);
}

std::string recording_name(const std::string& clip) {
  const size_t at = clip.rfind(kYawTag);
  double deg = 0;
  if (at == std::string::npos || !parse_angle(clip.substr(at + 4), deg)) return clip;
  return clip.substr(0, at);
}

const char* usability_name(Usability u) {
  switch (u) {
    case Usability::usable: return "usable";
    case Usability::degraded: return "degraded";
    case Usability::unusable: return "unusable";
  }
  return "?";
}

void project_orthographic(RawClip& clip, View view, double yaw_deg) {
  const size_t n = static_cast<size_t>(clip.frames) * kNumJoints;
  LMM_CHECK(clip.pose3d.size() == n * 4, clip.source_path << ": pose3d has " << clip.pose3d.size()
                                                          << " values, expected " << n * 4);
  LMM_CHECK(std::isfinite(yaw_deg), "yaw angle " << yaw_deg << ", expected a finite number of degrees");
  double c = 1, s = 0;
  cos_sin_deg(yaw_deg, c, s);
  const bool turn = yaw_deg != 0;  // yaw 0: the source values as they are, bit for bit
  clip.pose.assign(n * 3, 0.f);
  for (size_t i = 0; i < n; ++i) {
    const float* p = &clip.pose3d[i * 4];
    float* q = &clip.pose[i * 3];
    const float X = turn ? static_cast<float>(c * p[0] + s * p[2]) : p[0];
    const float Z = turn ? static_cast<float>(c * p[2] - s * p[0]) : p[2];
    switch (view) {
      case View::front: q[0] = X; q[1] = -p[1]; break;
      case View::side: q[0] = Z; q[1] = -p[1]; break;
      case View::top: q[0] = X; q[1] = Z; break;
    }
    q[2] = p[3];
    if (p[3] <= 0) q[0] = q[1] = 0;
  }
  clip.units = "mm";
}

}  // namespace lmm

// Plug-in Gait (Vicon full-body marker set) -> BODY_25.
//   in:  labels (M), markers (T, M, 4) X, Y(up), Z in mm, confidence (0 = gap)
//   out: (T, 25, 4) X, Y(up), Z in mm, confidence = min over the markers used
// Hip joint centres by the Harrington et al. (2007) regression; the correspondence
// table and the approximations (eyes, ears, toes) are in docs/formats_mocap.md.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <utility>

#include "lmm/core/body25.h"
#include "lmm/core/error.h"
#include "lmm/io/c3d.h"

namespace lmm::io {
namespace {

Vec3 sub(const Vec3& a, const Vec3& b) { return {a[0] - b[0], a[1] - b[1], a[2] - b[2]}; }
Vec3 add_scaled(const Vec3& a, const Vec3& v, double s) {
  return {a[0] + s * v[0], a[1] + s * v[1], a[2] + s * v[2]};
}
double dot(const Vec3& a, const Vec3& b) { return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]; }
double norm(const Vec3& a) { return std::sqrt(dot(a, a)); }
Vec3 cross(const Vec3& a, const Vec3& b) {
  return {a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]};
}

// Harrington et al. (2007) coefficients, mm: HJC = O + ax*PD + bx (anterior),
// ay*PW + by (superior), +-(az*PW + bz) (lateral).
constexpr double kAx = -0.24, kBx = -9.9, kAy = -0.30, kBy = -10.9, kAz = 0.33, kBz = 7.3;

// False when the pelvis markers do not span a frame (coincident or collinear).
bool hip_centres(const Vec3& lasi, const Vec3& rasi, const Vec3& sacrum, HipJointCentres& out) {
  const Vec3 origin = {(lasi[0] + rasi[0]) / 2, (lasi[1] + rasi[1]) / 2, (lasi[2] + rasi[2]) / 2};
  const Vec3 lat = sub(rasi, lasi), ant = sub(origin, sacrum);
  const double pw = norm(lat), pd = norm(ant);
  if (!(pw > 1e-6) || !(pd > 1e-6)) return false;
  const Vec3 z = {lat[0] / pw, lat[1] / pw, lat[2] / pw};
  Vec3 x = add_scaled(ant, z, -dot(ant, z));
  const double nx = norm(x);
  if (!(nx > 1e-6 * pd)) return false;
  x = {x[0] / nx, x[1] / nx, x[2] / nx};
  const Vec3 y = cross(z, x);
  const double cx = kAx * pd + kBx, cy = kAy * pw + kBy, cz = kAz * pw + kBz;
  Vec3 base = add_scaled(add_scaled(origin, x, cx), y, cy);
  out.right = add_scaled(base, z, cz);
  out.left = add_scaled(base, z, -cz);
  return true;
}

// Markers every BODY_25 joint needs (the pelvis is checked separately: LPSI + RPSI
// or SACR). Back-head markers are optional (ears get confidence 0 without them).
const char* const kRequired[] = {"LFHD", "RFHD", "C7",   "CLAV", "LSHO", "RSHO", "LELB", "RELB",
                                 "LWRA", "LWRB", "RWRA", "RWRB", "LASI", "RASI", "LKNE", "RKNE",
                                 "LANK", "RANK", "LHEE", "RHEE", "LTOE", "RTOE"};

struct Sample {
  Vec3 p{};
  float conf = 0;
};

}  // namespace

HipJointCentres harrington_hip_centres(const Vec3& lasi, const Vec3& rasi, const Vec3& sacrum) {
  HipJointCentres h;
  LMM_CHECK(hip_centres(lasi, rasi, sacrum, h),
            "hip joint centres: LASI, RASI and the sacrum do not span a pelvis frame");
  return h;
}

std::string marker_name(const std::string& label) {
  std::string s = label.substr(label.find_last_of(':') == std::string::npos ? 0 : label.find_last_of(':') + 1);
  const size_t b = s.find_first_not_of(" \t"), e = s.find_last_not_of(" \t");
  s = b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

std::vector<float> plugin_gait_to_body25(const std::vector<std::string>& labels,
                                         const std::vector<float>& markers, int frames,
                                         const std::string& file) {
  const size_t M = labels.size(), T = static_cast<size_t>(std::max(frames, 0));
  if (markers.size() != T * M * 4)
    throw FormatError(file, -1, "marker array has " + std::to_string(markers.size()) +
                                    " values, expected " + std::to_string(T * M * 4));
  std::map<std::string, size_t> index;  // first column of each marker name
  for (size_t m = 0; m < M; ++m) index.emplace(marker_name(labels[m]), m);
  auto has = [&](const char* n) { return index.count(n) > 0; };

  std::vector<std::string> missing;
  for (const char* n : kRequired)
    if (!has(n)) missing.push_back(n);
  const bool psis = has("LPSI") && has("RPSI"), sacr = has("SACR");
  if (!psis && !sacr) {
    std::string alt;
    for (const char* n : {"LPSI", "RPSI"})
      if (!has(n)) alt += std::string(alt.empty() ? "" : "+") + n;
    missing.push_back(alt + " (or SACR)");
  }
  if (!missing.empty()) {
    std::string msg = "marker set cannot give BODY_25 (Plug-in Gait): missing markers ";
    for (size_t i = 0; i < missing.size(); ++i) msg += (i ? ", " : "") + missing[i];
    msg += "; the file has " + std::to_string(M) + " labels";
    for (size_t i = 0; i < M && i < 40; ++i) msg += (i ? ", " : ": ") + labels[i];
    if (M > 40) msg += ", ...";
    throw FormatError(file, -1, msg);
  }

  std::vector<float> out(T * kNumJoints * 4, 0.f);
  for (size_t t = 0; t < T; ++t) {
    auto get = [&](const char* n) {
      Sample s;
      auto it = index.find(n);
      if (it == index.end()) return s;
      const float* q = &markers[(t * M + it->second) * 4];
      s.p = {q[0], q[1], q[2]};
      s.conf = std::isfinite(q[0]) && std::isfinite(q[1]) && std::isfinite(q[2]) ? q[3] : 0.f;
      return s;
    };
    // Weighted combination of markers; confidence = min of theirs.
    auto blend = [&](std::initializer_list<std::pair<const char*, double>> parts) {
      Sample s;
      s.conf = 1;
      for (auto& [n, w] : parts) {
        Sample m = get(n);
        s.conf = std::min(s.conf, m.conf);
        s.p = add_scaled(s.p, m.p, w);
      }
      return s;
    };
    float* f = &out[t * kNumJoints * 4];
    auto set = [&](int j, const Sample& s) {
      if (!(s.conf > 0)) return;  // stays (0, 0, 0, 0)
      for (int k = 0; k < 3; ++k) f[j * 4 + k] = static_cast<float>(s.p[k]);
      f[j * 4 + 3] = s.conf;
    };

    set(Nose, blend({{"LFHD", 0.5}, {"RFHD", 0.5}}));
    set(REye, blend({{"RFHD", 0.75}, {"LFHD", 0.25}}));
    set(LEye, blend({{"LFHD", 0.75}, {"RFHD", 0.25}}));
    if (has("RBHD")) set(REar, blend({{"RFHD", 0.5}, {"RBHD", 0.5}}));
    if (has("LBHD")) set(LEar, blend({{"LFHD", 0.5}, {"LBHD", 0.5}}));
    set(Neck, blend({{"C7", 0.5}, {"CLAV", 0.5}}));
    set(RShoulder, get("RSHO"));
    set(LShoulder, get("LSHO"));
    set(RElbow, get("RELB"));
    set(LElbow, get("LELB"));
    set(RWrist, blend({{"RWRA", 0.5}, {"RWRB", 0.5}}));
    set(LWrist, blend({{"LWRA", 0.5}, {"LWRB", 0.5}}));
    set(RKnee, get("RKNE"));
    set(LKnee, get("LKNE"));
    set(RAnkle, get("RANK"));
    set(LAnkle, get("LANK"));
    set(RHeel, get("RHEE"));
    set(LHeel, get("LHEE"));
    set(RBigToe, get("RTOE"));
    set(LBigToe, get("LTOE"));

    // Pelvis: the mean of the PSIS markers when both are seen, else SACR.
    Sample lasi = get("LASI"), rasi = get("RASI"), sacrum;
    if (psis) sacrum = blend({{"LPSI", 0.5}, {"RPSI", 0.5}});
    if (!(sacrum.conf > 0) && sacr) sacrum = get("SACR");
    HipJointCentres h;
    const float conf = std::min({lasi.conf, rasi.conf, sacrum.conf});
    if (conf > 0 && hip_centres(lasi.p, rasi.p, sacrum.p, h)) {
      set(RHip, Sample{h.right, conf});
      set(LHip, Sample{h.left, conf});
      Vec3 mid = {(h.left[0] + h.right[0]) / 2, (h.left[1] + h.right[1]) / 2, (h.left[2] + h.right[2]) / 2};
      set(MidHip, Sample{mid, conf});
    }
  }
  return out;
}

}  // namespace lmm::io

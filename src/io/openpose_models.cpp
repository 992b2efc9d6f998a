// OpenPose keypoint models (point-name lists), per-person value checks and the clip-level
// findings shared by the OpenPose-family readers (openpose_models.h).
#include "lmm/io/openpose_models.h"

#include <algorithm>
#include <array>
#include <cfloat>
#include <cmath>
#include <cstdio>

namespace lmm::io {
namespace {

constexpr std::array<std::string_view, 25> kBody25{
    "Nose",   "Neck",  "RShoulder", "RElbow", "RWrist",  "LShoulder", "LElbow",
    "LWrist", "MidHip", "RHip",     "RKnee",  "RAnkle",  "LHip",      "LKnee",
    "LAnkle", "REye",  "LEye",      "REar",   "LEar",    "LBigToe",   "LSmallToe",
    "LHeel",  "RBigToe", "RSmallToe", "RHeel"};
// OpenPose's poseParameters.cpp spelling; Pose2Sim calls 17/18 "Neck"/"Head".
constexpr std::array<std::string_view, 25> kBody25b{
    "Nose",   "LEye",   "REye",   "LEar",      "REar",  "LShoulder", "RShoulder",
    "LElbow", "RElbow", "LWrist", "RWrist",    "LHip",  "RHip",      "LKnee",
    "RKnee",  "LAnkle", "RAnkle", "UpperNeck", "HeadTop", "LBigToe", "LSmallToe",
    "LHeel",  "RBigToe", "RSmallToe", "RHeel"};
constexpr std::array<std::string_view, 18> kCoco18{
    "Nose", "Neck",   "RShoulder", "RElbow", "RWrist", "LShoulder", "LElbow", "LWrist", "RHip",
    "RKnee", "RAnkle", "LHip",     "LKnee",  "LAnkle", "REye",      "LEye",   "REar",   "LEar"};

const std::array<OpenPoseModel, 3> kModels{{
    {"body25", "OpenPose BODY_25", 25, kBody25.data()},
    {"body25b", "OpenPose BODY_25B", 25, kBody25b.data()},
    {"coco18", "OpenPose COCO-18", 18, kCoco18.data()},
}};

const char* channel_name(int k) { return k == 0 ? "x" : k == 1 ? "y" : "confidence"; }

// Index of a point name in BODY_25 order (the body25 model).
int body25_point(std::string_view name) {
  return static_cast<int>(std::find(kBody25.begin(), kBody25.end(), name) - kBody25.begin());
}

std::string format_number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g", v);
  return buf;
}

// What clean_person found wrong in a person (P, 3): the first non-finite value or negative
// confidence.
std::string describe_bad_person(const float* points, const OpenPoseModel& model) {
  for (int j = 0; j < model.points; ++j) {
    const float* q = points + j * 3;
    for (int k = 0; k < 3; ++k)
      if (!std::isfinite(q[k]))
        return "non-finite " + std::string(channel_name(k)) + " of point " +
               std::string(model.names[j]) + ", expected a finite number";
    if (q[2] < 0)
      return "confidence " + format_number(q[2]) + " of point " + std::string(model.names[j]) +
             ", expected a value >= 0";
  }
  return {};
}

}  // namespace

const OpenPoseModel* find_openpose_model(std::string_view id) {
  for (const OpenPoseModel& m : kModels)
    if (m.id == id) return &m;
  return nullptr;
}

const OpenPoseModel* openpose_model_for(int values, std::string_view requested) {
  if (!requested.empty()) {
    const OpenPoseModel* m = find_openpose_model(requested);
    return m && m->points * 3 == values ? m : nullptr;
  }
  if (values == 75) return &kModels[0];
  if (values == 54) return &kModels[2];
  return nullptr;
}

std::string openpose_expected_values(std::string_view requested) {
  if (const OpenPoseModel* m = find_openpose_model(requested))
    return "expected " + std::to_string(m->points * 3) + " (" + std::string(m->title) + ": " +
           std::to_string(m->points) + " points x, y, confidence)";
  return "expected 75 (BODY_25: 25 points x, y, confidence) or 54 (COCO-18)";
}

std::string clean_person(float* points, const OpenPoseModel& model) {
  const int n = model.points * 3;
  unsigned bad = 0;  // branch-free first pass: this runs for every person of every frame
  for (int i = 0; i < n; ++i) bad |= !(std::fabs(points[i]) <= FLT_MAX);  // NaN, inf
  for (int i = 2; i < n; i += 3) bad |= points[i] < 0;
  if (bad) return describe_bad_person(points, model);
  for (int j = 0; j < model.points; ++j) {
    float* q = points + j * 3;
    q[2] = std::min(q[2], 1.f);
    if (q[2] == 0) q[0] = q[1] = 0;
  }
  return {};
}

double neck_offset_ratio(const SourceMotion& m) {
  const int neck = body25_point("Neck"), rsho = body25_point("RShoulder"),
            lsho = body25_point("LShoulder");
  if (m.dims != 2 || m.point_count() != 25) return -1;
  std::vector<double> ratios;
  for (int t = 0; t < m.frames; ++t)
    for (int n = 0; n < m.people; ++n) {
      const float *a = m.at(t, n, neck), *r = m.at(t, n, rsho), *l = m.at(t, n, lsho);
      if (a[2] <= 0 || r[2] <= 0 || l[2] <= 0) continue;
      const double width = std::hypot(r[0] - l[0], r[1] - l[1]);
      if (width <= 0) continue;
      ratios.push_back(std::hypot(a[0] - 0.5 * (r[0] + l[0]), a[1] - 0.5 * (r[1] + l[1])) / width);
    }
  if (ratios.empty()) return -1;
  auto mid = ratios.begin() + ratios.size() / 2;
  std::nth_element(ratios.begin(), mid, ratios.end());
  return *mid;
}

void check_openpose_motion(SourceMotion& m, int frame_width, int frame_height) {
  if (m.dims != 2) return;
  // Normalized coordinates: every seen point inside the unit square.
  bool seen = false, unit = true;
  for (size_t i = 0; i + 2 < m.data.size() && unit; i += 3) {
    if (m.data[i + 2] <= 0) continue;
    seen = true;
    unit = m.data[i] >= 0 && m.data[i] <= 1 && m.data[i + 1] >= 0 && m.data[i + 1] <= 1;
  }
  if (seen && unit && m.units == "px") {
    if (frame_width > 0 && frame_height > 0) {
      for (size_t i = 0; i + 2 < m.data.size(); i += 3) {
        m.data[i] *= static_cast<float>(frame_width);
        m.data[i + 1] *= static_cast<float>(frame_height);
      }
    } else {
      m.units = "normalized";
      m.warnings.push_back("coordinates are normalized to [0, 1] and the frame size is "
                                  "unknown, so the aspect ratio is unknown (give --frame-size WxH)");
    }
  }
  if (m.skeleton == "body25") {
    const double r = neck_offset_ratio(m);
    if (r > 0.25)
      m.warnings.push_back("Neck lies " + format_number(100 * r) +
                           " % of shoulder width from the shoulders' midpoint (BODY_25: a few %): "
                           "this may be BODY_25B output (read it with --keypoints body25b)");
  }
}

}  // namespace lmm::io

// Every real 3D recording under ../shared/data (C3D, Kinect) that ingests comes out
// human-sized and upright (issue 11): median thigh 300-560 mm, Neck-MidHip 350-700 mm, the
// neck above the hips in >= 90% of frames (motions that are not upright are listed with
// why), and on optical mocap (C3D) limb lengths varying at most 6% (coefficient of variation).
// Skips with a message when the data is absent.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "lmm/core/error.h"
#include "lmm/io/reader.h"
#include "test_support.h"

using namespace lmm;
namespace fs = std::filesystem;

namespace {

// Clips whose motion is not upright most of the time (SOURCES.md says what they are).
const std::map<std::string, std::string> kNotUpright = {
    {"03_rolling", "Qualisys floor rolling"},
    {"85_12", "CMU subject 85: jumps, flips, breakdance"},
};

// Clips whose data breaks a check, with what the data shows (docs/formats_mocap.md lists
// them too). Checks: "size" (thigh/torso ranges), "cv" (limb-length variation).
struct Exception {
  const char* clip;
  const char* check;
  const char* why;
};
const Exception kExceptions[] = {
    {"MACsample", "size", "torso 183 mm, shoulders 0.58 m above the floor: a very small subject (not a units error)"},
    {"read_NOTworking2", "size", "upper-body Plug-in Gait without a sacrum: no torso, no thigh"},
    {"read_NOTworking2", "cv", "its right-elbow marker sits on the hand, 92 mm from the wrist"},
    {"03_rolling", "cv", "rolling on the floor hides the markers: hip and knee seen together in 4 frames"},
    {"tennis_serve_2players_Derrick", "cv", "the elbow marker slides ~27 mm during the serve (forearm 6.6%)"},
    {"JointPositionExercise2", "size", "Kinect V2 thigh 294 mm in the raw file (KIMORE)"},
    {"S003C001P015R001A034", "size", "Kinect V2 thigh 283 mm in the raw file (NTU)"},
};

bool excepted(const std::string& clip, const std::string& check) {
  for (const auto& e : kExceptions)
    if (clip.find(e.clip) != std::string::npos && check == e.check) return true;
  return false;
}

struct Stats {
  double thigh = 0, torso = 0, upright = 0, max_cv = 0;
  std::string worst_bone;
};

double dist(const float* a, const float* b) {
  return std::sqrt(double(a[0] - b[0]) * (a[0] - b[0]) + double(a[1] - b[1]) * (a[1] - b[1]) +
                   double(a[2] - b[2]) * (a[2] - b[2]));
}

Stats measure(const RawClip& c) {
  Stats s;
  auto at = [&c](int t, int j) { return c.pose3d.data() + (static_cast<size_t>(t) * kNumJoints + j) * 4; };
  auto lengths = [&](int a, int b) {
    std::vector<double> v;
    for (int t = 0; t < c.frames; ++t)
      if (at(t, a)[3] > 0 && at(t, b)[3] > 0) v.push_back(dist(at(t, a), at(t, b)));
    return v;
  };
  auto median = [](std::vector<double> v) {
    if (v.empty()) return 0.0;
    std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
    return v[v.size() / 2];
  };
  s.thigh = std::max(median(lengths(RHip, RKnee)), median(lengths(LHip, LKnee)));
  s.torso = median(lengths(Neck, MidHip));
  int both = 0, up = 0;
  const bool neck = s.torso > 0;
  for (int t = 0; t < c.frames; ++t) {
    const float *a = at(t, neck ? Neck : MidHip), *b = at(t, neck ? MidHip : RAnkle);
    if (a[3] > 0 && b[3] > 0) ++both, up += a[1] > b[1];
  }
  s.upright = both ? double(up) / both : 1.0;
  for (auto [a, b] : {std::pair{RHip, RKnee}, {LHip, LKnee}, {RKnee, RAnkle}, {LKnee, LAnkle},
                      {RShoulder, RElbow}, {LShoulder, LElbow}, {RElbow, RWrist}, {LElbow, LWrist}}) {
    const auto v = lengths(a, b);
    if (v.size() < 2) continue;
    double m = 0, q = 0;
    for (double x : v) m += x;
    m /= v.size();
    for (double x : v) q += (x - m) * (x - m);
    const double cv = std::sqrt(q / v.size()) / m;
    if (cv > s.max_cv) s.max_cv = cv, s.worst_bone = std::string(joint_name(a)) + "-" + std::string(joint_name(b));
  }
  return s;
}

void check_folder(const std::string& folder, bool optical) {
  const fs::path dir = test::shared_data(folder);
  if (dir.empty()) GTEST_SKIP() << "../shared/data/" << folder << " is absent: no real recordings to check";
  int clips = 0;
  for (const auto& item : io::discover_inputs({dir})) {
    std::vector<RawClip> read;
    try {
      read = io::read_clips(item, {});
    } catch (const Error&) {
      continue;  // failures are listed (and counted) by the readers' own tests and docs
    }
    for (const RawClip& c : read) {
      if (c.pose3d.empty()) continue;
      ++clips;
      const Stats s = measure(c);
      const std::string id = item.path.filename().string() + " (" + c.name + ")";
      if (!excepted(c.name, "size")) {
        if (s.thigh > 0) {
          EXPECT_GE(s.thigh, 300) << id;
          EXPECT_LE(s.thigh, 560) << id;
        }
        if (s.torso > 0) {
          EXPECT_GE(s.torso, 350) << id;
          EXPECT_LE(s.torso, 700) << id;
        }
        EXPECT_TRUE(s.thigh > 0 || s.torso > 0) << id << ": neither a thigh nor a torso";
      }
      bool listed = false;
      for (const auto& [name, why] : kNotUpright) listed = listed || c.name.find(name) != std::string::npos;
      if (!listed) EXPECT_GE(s.upright, 0.9) << id << ": neck above the hips in " << 100 * s.upright << "% of frames";
      if (optical && !excepted(c.name, "cv")) EXPECT_LE(s.max_cv, 0.06) << id << ": " << s.worst_bone << " varies " << 100 * s.max_cv << "%";
    }
  }
  EXPECT_GT(clips, 0) << "no 3D clip read from " << dir;
}

}  // namespace

TEST(RealGeometry, C3dClipsAreHumanSizedAndUpright) { check_folder("c3d", true); }
// BVH: BvhReal.EveryRecordingIsHumanSizedAndUpright (test_bvh_real.cpp) checks the same per rig.
TEST(RealGeometry, KinectClipsAreHumanSizedAndUpright) { check_folder("kinect", false); }

// `lmm pose` against OpenPose on the same frames: the real videos of ../shared/data/videos
// that come with OpenPose BODY_25 output. PCK@0.2 (torso): the share of OpenPose's joints
// (the 15 main ones, where OpenPose's confidence is >= 0.3) that lmm pose also reports
// within 0.2 torso lengths (Neck-MidHip of the OpenPose pose, or 1.11 x its shoulder width
// for the waist-up signers, as docs/normalization.md estimates a torso). Skips when the
// videos or the models are absent.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "lmm/core/body25.h"
#include "lmm/pose/video_pose.h"
#include "test_support.h"

using namespace lmm;
namespace fs = std::filesystem;

namespace {

using People = std::vector<std::vector<float>>;  // per person (75) x, y, conf

// Frame index -> people of the *_<12 digits>_keypoints.json files of a directory.
std::map<int, People> read_frames(const fs::path& dir) {
  std::map<int, People> out;
  for (const auto& e : fs::directory_iterator(dir)) {
    const std::string n = e.path().filename().string();
    const auto k = n.rfind("_keypoints.json");
    if (k == std::string::npos || k < 12) continue;
    const int frame = std::stoi(n.substr(k - 12, 12));
    std::ifstream in(e.path());
    const auto j = nlohmann::json::parse(in);
    People p;
    for (const auto& person : j.at("people")) p.push_back(person.at("pose_keypoints_2d").get<std::vector<float>>());
    out[frame] = p;
  }
  return out;
}

double dist(const std::vector<float>& a, int i, const std::vector<float>& b, int j) {
  return std::hypot(a[3 * i] - b[3 * j], a[3 * i + 1] - b[3 * j + 1]);
}

// PCK@0.2 of `ours` (one person per frame) against `ref` (the OpenPose person nearest ours).
double pck(const std::map<int, People>& ours, const std::map<int, People>& ref, int* joints) {
  int hit = 0, total = 0;
  for (const auto& [t, rp] : ref) {
    auto it = ours.find(t);
    if (it == ours.end() || it->second.empty() || rp.empty()) continue;
    const auto& o = it->second[0];
    const std::vector<float>* r = nullptr;
    double best = 1e30;
    for (const auto& cand : rp) {
      double s = 0;
      int n = 0;
      for (int j = 0; j < kNumJoints; ++j)
        if (o[3 * j + 2] > 0 && cand[3 * j + 2] > 0) s += dist(o, j, cand, j), ++n;
      if (n && s / n < best) best = s / n, r = &cand;
    }
    if (!r) continue;
    auto seen = [r](int j) { return (*r)[3 * j + 2] > 0; };
    double torso = seen(Neck) && seen(MidHip) ? dist(*r, Neck, *r, MidHip) : 0;
    if (torso <= 0 && seen(RShoulder) && seen(LShoulder)) torso = 1.11 * dist(*r, RShoulder, *r, LShoulder);
    if (torso <= 0) continue;
    for (int j = 0; j < 15; ++j) {
      if ((*r)[3 * j + 2] < 0.3f) continue;
      ++total;
      hit += o[3 * j + 2] > 0 && dist(o, j, *r, j) < 0.2 * torso;
    }
  }
  *joints = total;
  return total ? double(hit) / total : 0;
}

}  // namespace

TEST(PoseVsOpenPose, SignersWithinPck02OfOpenPose) {
  const fs::path videos = test::shared_data("videos"), op = test::shared_data("openpose");
  if (videos.empty() || op.empty()) GTEST_SKIP() << "../shared/data/videos or openpose is absent";
  if (pose::find_models_dir().empty()) GTEST_SKIP() << "BlazePose models absent (scripts/fetch_models.sh)";
  const std::vector<std::pair<fs::path, fs::path>> pairs = {
      {videos / "psychologie.mp4", op / "trettenbrein-OpenPoseR/psychologie"},
      {videos / "du_wohn_wo.mp4", op / "trettenbrein-OpenPoseR/du_wohn_wo"},
      {videos / "openposer/gebaerden.mp4", videos / "openposer/openpose_json/gebaerden"},
      {videos / "openposer/linguistik.mp4", videos / "openposer/openpose_json/linguistik"},
  };
  test::TempDir tmp;
  for (const auto& [video, ref_dir] : pairs) {
    std::string out;
    ASSERT_EQ(test::run_cli("pose '" + video.string() + "' -q -o '" + tmp.path().string() + "'", &out), 0) << out;
    int n = 0;
    const double p = pck(read_frames(tmp / video.stem().string()), read_frames(ref_dir), &n);
    EXPECT_GT(n, 1000) << video;
    EXPECT_GE(p, 0.9) << video << ": PCK@0.2 " << p << " over " << n << " joints";
    // Waist-up video: no legs where OpenPose has none (BlazePose puts them below the image).
    const auto ours = read_frames(tmp / video.stem().string());
    int legs = 0;
    for (const auto& [t, people] : ours)
      for (const auto& q : people) legs += q[3 * RAnkle + 2] > 0 || q[3 * LAnkle + 2] > 0;
    EXPECT_EQ(legs, 0) << video;
  }
}

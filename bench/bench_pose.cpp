// Benchmark of `lmm pose` inference through the TFLite -> OpenCV dnn nets.
// There is no Python TFLite / MediaPipe on Debian 12 to compare against, so every figure
// is given as absolute frames/s plus a ratio to the detector's cost measured in the same
// run: detector alone (224x224), each landmark model alone (256x256 crop), and the
// tracker end to end on vtest.avi (detector only when the track is lost).
//   build/bench/bench_pose [iterations=50] [threads=0 (OpenCV default)]
// (models from scripts/fetch_models.sh, media from Debian's opencv-doc).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/videoio.hpp>
#include <vector>

#include "lmm/pose/pose_detector.h"
#include "lmm/pose/pose_landmarker.h"
#include "lmm/pose/video_pose.h"

using namespace lmm::pose;
namespace fs = std::filesystem;

namespace {
// Median seconds per call of fn over `iters` calls (after 3 warm-up calls).
double median_seconds(int iters, const std::function<void()>& fn) {
  for (int i = 0; i < 3; ++i) fn();
  std::vector<double> t;
  for (int i = 0; i < iters; ++i) {
    auto a = std::chrono::steady_clock::now();
    fn();
    t.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - a).count());
  }
  std::nth_element(t.begin(), t.begin() + t.size() / 2, t.end());
  return t[t.size() / 2];
}
}  // namespace

int main(int argc, char** argv) {
  const int iters = argc > 1 ? std::max(1, std::atoi(argv[1])) : 50;
  if (argc > 2 && std::atoi(argv[2]) > 0) cv::setNumThreads(std::atoi(argv[2]));
  const fs::path models = find_models_dir();
  const fs::path data = "/usr/share/doc/opencv-doc/examples/data";
  if (models.empty()) {
    std::fprintf(stderr, "bench_pose: models absent; run scripts/fetch_models.sh\n");
    return 2;
  }
  cv::Mat img = cv::imread((data / "messi5.jpg").string());
  if (img.empty()) {
    std::fprintf(stderr, "bench_pose: %s/messi5.jpg absent (package opencv-doc)\n", data.c_str());
    return 2;
  }
  std::printf("bench_pose: %d iterations, OpenCV %s, %d threads, models %s\n", iters, CV_VERSION,
              cv::getNumThreads(), models.c_str());

  PoseDetector det(models / "pose_detection.tflite");
  const auto dets = det.detect(img);
  if (dets.empty()) {
    std::fprintf(stderr, "bench_pose: no person detected in messi5.jpg\n");
    return 1;
  }
  const RotatedRoi roi = roi_from_alignment(dets[0].keypoints[0], dets[0].keypoints[1]);
  const double t_det = median_seconds(iters, [&] { det.detect(img); });
  std::printf("%-34s %8.2f ms  %7.1f frames/s  ratio to detector 1.00\n", "detector (224x224, messi5)",
              t_det * 1e3, 1 / t_det);

  for (LandmarkModel m : {LandmarkModel::lite, LandmarkModel::full, LandmarkModel::heavy}) {
    PoseLandmarker lm(models / landmark_model_file(m));
    const double t = median_seconds(iters, [&] { lm.run(img, roi); });
    std::printf("landmark %-25s %8.2f ms  %7.1f frames/s  ratio to detector %.2f\n",
                (std::string(landmark_model_name(m)) + " (256x256 crop)").c_str(), t * 1e3, 1 / t, t / t_det);
  }

  // End to end on the first 100 frames of vtest.avi (decode + track + smooth).
  const fs::path video = data / "vtest.avi";
  std::vector<cv::Mat> frames;
  cv::VideoCapture cap(video.string());
  cv::Mat f;
  while (frames.size() < 100 && cap.read(f)) frames.push_back(f.clone());
  if (frames.empty()) return 0;
  for (LandmarkModel m : {LandmarkModel::lite, LandmarkModel::full, LandmarkModel::heavy}) {
    PoseConfig cfg;
    cfg.model = m;
    cfg.models_dir = models;
    PoseTracker tracker(cfg);
    auto a = std::chrono::steady_clock::now();
    for (size_t i = 0; i < frames.size(); ++i) tracker.process(frames[i], i / 10.0);
    const double t = std::chrono::duration<double>(std::chrono::steady_clock::now() - a).count() / frames.size();
    std::printf("tracker %-26s %8.2f ms  %7.1f frames/s  ratio to detector %.2f  (%ld detector runs)\n",
                (std::string(landmark_model_name(m)) + " (vtest, 100 frames)").c_str(), t * 1e3, 1 / t,
                t / t_det, tracker.detector_runs());
  }
  return 0;
}

// Overlay output of `lmm pose --overlay` and `lmm live --overlay`: BGR frames written as a
// video (.mp4 mp4v, .avi MJPG) under a temporary name, checked frame by frame
// (render::check_video_frames: OpenCV's writer hides a full disk) and renamed into place by
// finish(); or, for an image path (.png, .jpg, ...), the first frame only. Frames of another
// size than the first are resized to it. Destroyed before finish(), it leaves nothing behind.
#pragma once
#include <filesystem>

#include <opencv2/core.hpp>
#include <opencv2/videoio.hpp>

namespace lmm::pose {

class OverlayWriter {
 public:
  OverlayWriter(std::filesystem::path path, double fps);
  ~OverlayWriter();
  OverlayWriter(const OverlayWriter&) = delete;
  OverlayWriter& operator=(const OverlayWriter&) = delete;
  void add(const cv::Mat& frame);  // BGR 8-bit; throws IoError naming the path
  void finish();                   // checks and moves the video into place; throws IoError

 private:
  std::filesystem::path path_, tmp_;
  double fps_;
  bool as_image_ = false, finished_ = false;
  cv::VideoWriter writer_;
  cv::Size size_;
  long frames_ = 0;
};

}  // namespace lmm::pose

// Overlay video or image writer (see overlay_writer.h).
#include "lmm/pose/overlay_writer.h"

#include <unistd.h>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <string>
#include <vector>

#include "lmm/core/atomic_file.h"
#include "lmm/core/error.h"
#include "lmm/core/text.h"
#include "lmm/render/video.h"

namespace lmm::pose {
namespace fs = std::filesystem;

OverlayWriter::OverlayWriter(fs::path path, double fps) : path_(std::move(path)), fps_(fps) {
  as_image_ = is_image_extension(lower_extension(path_));
}
OverlayWriter::~OverlayWriter() {
  if (writer_.isOpened()) writer_.release();
  std::error_code ec;
  if (!tmp_.empty() && !finished_) fs::remove(tmp_, ec);
}
void OverlayWriter::add(const cv::Mat& frame) {
  if (as_image_) {
    if (frames_++ > 0) return;
    std::vector<uchar> buf;
    if (!cv::imencode(lower_extension(path_), frame, buf)) throw IoError(path_.string() + ": cannot encode overlay image");
    write_text_atomic(path_, std::string(buf.begin(), buf.end()));
    return;
  }
  if (!writer_.isOpened()) {
    if (path_.has_parent_path()) fs::create_directories(path_.parent_path());
    size_ = frame.size();
    tmp_ = path_.parent_path() / (path_.stem().string() + ".tmp." + std::to_string(::getpid()) +
                                  path_.extension().string());
    const int fourcc = lower_extension(path_) == ".avi" ? cv::VideoWriter::fourcc('M', 'J', 'P', 'G')
                                                  : cv::VideoWriter::fourcc('m', 'p', '4', 'v');
    if (!writer_.open(tmp_.string(), fourcc, fps_, size_))
      throw IoError(path_.string() + ": cannot open a video writer (extension .mp4 or .avi expected)");
  }
  if (frame.size() == size_) {
    writer_.write(frame);
  } else {
    cv::Mat r;
    cv::resize(frame, r, size_);
    writer_.write(r);
  }
  ++frames_;
}
void OverlayWriter::finish() {
  if (as_image_ || !writer_.isOpened()) return;
  writer_.release();
  render::check_video_frames(tmp_, static_cast<int>(frames_), path_);  // a full disk leaves a truncated file
  std::error_code ec;
  fs::rename(tmp_, path_, ec);
  if (ec) throw IoError(path_.string() + ": cannot move overlay into place: " + ec.message());
  finished_ = true;
}

}  // namespace lmm::pose

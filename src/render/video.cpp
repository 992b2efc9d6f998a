// MP4 writing/decoding with OpenCV's FFmpeg backend (include/lmm/render/video.h).
// FFmpeg picks the container from the file extension, so the atomic temp file is
// "<path>.tmp.<pid>.mp4", renamed into place when the writer has been released.
#include "lmm/render/video.h"

#include <opencv2/videoio.hpp>

#include "lmm/core/atomic_file.h"
#include "lmm/core/error.h"

namespace lmm::render {
namespace fs = std::filesystem;

std::string write_mp4(const fs::path& path, int count, const FrameSource& frame, double fps) {
  LMM_CHECK(count >= 1 && fps > 0, path.string() << ": video needs >= 1 frame and fps > 0, got "
                                                  << count << " frames at " << fps);
  std::string used;
  write_atomic(path, [&](const fs::path& tmp) {
    fs::path tmp_mp4 = tmp;
    tmp_mp4 += ".mp4";
    try {
      cv::Mat first = frame(0);
      LMM_CHECK(first.type() == CV_8UC3 && !first.empty(),
                path.string() << ": video frames must be non-empty BGR 8-bit images");
      cv::VideoWriter vw;
      for (const char* cc : {"avc1", "mp4v"}) {
        if (vw.open(tmp_mp4.string(), cv::CAP_FFMPEG, cv::VideoWriter::fourcc(cc[0], cc[1], cc[2], cc[3]),
                    fps, first.size(), true)) {
          used = cc;
          break;
        }
      }
      if (!vw.isOpened()) throw IoError(path.string() + ": no MP4 encoder (avc1, mp4v) could be opened");
      for (int i = 0; i < count; ++i) {
        cv::Mat img = i == 0 ? first : frame(i);
        LMM_CHECK(img.type() == CV_8UC3 && img.size() == first.size(),
                  path.string() << ": video frame " << i << " is " << img.cols << "x" << img.rows
                                << ", expected " << first.cols << "x" << first.rows);
        vw.write(img);
      }
      vw.release();
      check_video_frames(tmp_mp4, count, path);
      fs::rename(tmp_mp4, tmp);
    } catch (...) {
      std::error_code ec;
      fs::remove(tmp_mp4, ec);
      throw;
    }
  });
  return used;
}

void check_video_frames(const fs::path& file, int frames, const fs::path& named) {
  // OpenCV's VideoWriter reports no write errors: a full disk or a file-size limit leaves a
  // truncated file (an MP4 without its index, an AVI cut short) that only decoding reveals.
  int n = 0;
  cv::VideoCapture cap(file.string(), cv::CAP_FFMPEG);
  if (cap.isOpened())
    while (cap.grab()) ++n;
  if (n != frames)
    throw IoError(named.string() + ": the video encoder wrote " + std::to_string(n) + " of " +
                  std::to_string(frames) + " frames readably (disk full or file-size limit?)");
}

VideoInfo read_video_info(const fs::path& path) {
  cv::VideoCapture cap(path.string(), cv::CAP_FFMPEG);
  if (!cap.isOpened()) throw FormatError(path.string(), -1, "cannot open as a video");
  VideoInfo info;
  info.fps = cap.get(cv::CAP_PROP_FPS);
  cv::Mat img;
  while (cap.read(img)) {
    if (info.frames == 0) {
      info.width = img.cols;
      info.height = img.rows;
    }
    ++info.frames;
  }
  return info;
}

}  // namespace lmm::render

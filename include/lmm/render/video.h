// MP4 video through OpenCV's VideoWriter (FFmpeg backend): H.264 ("avc1") when this
// OpenCV/FFmpeg build can encode it, else MPEG-4 part 2 ("mp4v").
// Frames are BGR CV_8UC3 images of one size.
#pragma once
#include <filesystem>
#include <string>

#include "lmm/render/frame_source.h"

namespace lmm::render {

// Writes `count` frames at `fps` atomically; returns the fourcc used ("avc1" | "mp4v").
// Throws IoError when no MP4 encoder opens or the file cannot be written.
std::string write_mp4(const std::filesystem::path& path, int count, const FrameSource& frame,
                      double fps);

// Throws IoError naming `named` unless `file` decodes as exactly `frames` frames: the
// check behind every video write (OpenCV's writer reports no write errors, so a full disk
// or a file-size limit shows only as a truncated file). Decodes the whole file.
void check_video_frames(const std::filesystem::path& file, int frames, const std::filesystem::path& named);

struct VideoInfo {
  int frames = 0;             // frames decoded (counted, not the container's estimate)
  int width = 0, height = 0;
  double fps = 0;
};
// Decodes the whole file with cv::VideoCapture. Throws FormatError when it cannot be opened.
VideoInfo read_video_info(const std::filesystem::path& path);

}  // namespace lmm::render

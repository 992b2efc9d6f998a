// A lazily drawn image sequence for the animation writers (GIF, MP4), so long clips
// are never held in memory: frame(i) returns image i, BGR CV_8UC3, all the same size.
#pragma once
#include <functional>
#include <opencv2/core.hpp>

namespace lmm::render {

using FrameSource = std::function<cv::Mat(int i)>;

}  // namespace lmm::render

// Writes a skeleton rendering to a file chosen by extension:
//   .mp4  every timeline frame as video (render/video.h)
//   .gif  every timeline frame as an animated GIF (render/gif.h)
//   .png  one frame when the timeline has one, else a contact sheet of
//         RenderOptions::sheet_frames frames evenly spaced over the timeline
// Used by `lmm render` and the evaluation report.
#pragma once
#include <filesystem>
#include <vector>

#include "lmm/render/skeleton.h"

namespace lmm::render {

// Writes `out` atomically; throws ConfigError for an unknown extension or empty timeline.
void write_animation(const std::filesystem::path& out, const SkeletonRenderer& renderer);

// Encodes img as PNG and writes it atomically; throws IoError on failure.
void write_png(const std::filesystem::path& out, const cv::Mat& img);

}  // namespace lmm::render

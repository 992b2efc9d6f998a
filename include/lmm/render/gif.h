// Animated GIF files through giflib (OpenCV 4.6 has no GIF writer): frames are BGR
// CV_8UC3 images of one size, quantized to a fixed 252-colour palette (6 red x 7 green
// x 6 blue levels, nearest level per channel, no dithering), looping forever.
#pragma once
#include <filesystem>

#include "lmm/render/frame_source.h"

namespace lmm::render {

// Writes `count` frames at `fps` (frame delay rounded to 1/100 s) atomically.
// Throws IoError when the file cannot be written, ConfigError for bad frames.
void write_gif(const std::filesystem::path& path, int count, const FrameSource& frame, double fps);

struct GifInfo {
  int frames = 0;        // number of images
  int width = 0, height = 0;  // logical screen size
  int delay_cs = 0;      // delay of the first frame, 1/100 s
};
// Decodes the whole file (DGifSlurp). Throws FormatError when it is not a readable GIF.
GifInfo read_gif_info(const std::filesystem::path& path);

}  // namespace lmm::render

// Text helpers (text.h).
#include "lmm/core/text.h"

#include <algorithm>
#include <array>

namespace lmm {

std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

std::string lower_extension(const std::filesystem::path& p) { return ascii_lower(p.extension().string()); }

bool is_video_extension(std::string_view ext) {
  static constexpr std::array<std::string_view, 13> kVideo{".mp4", ".avi", ".mov", ".mkv", ".webm", ".m4v", ".mpg",
                                                           ".mpeg", ".wmv", ".flv", ".3gp", ".ts", ".mts"};
  return std::find(kVideo.begin(), kVideo.end(), ext) != kVideo.end();
}

bool is_image_extension(std::string_view ext) {
  static constexpr std::array<std::string_view, 10> kImage{".jpg", ".jpeg", ".png", ".bmp", ".tif",
                                                           ".tiff", ".webp", ".ppm", ".pgm", ".jp2"};
  return std::find(kImage.begin(), kImage.end(), ext) != kImage.end();
}

}  // namespace lmm

// Extension dispatch for skeleton renderings (include/lmm/render/animation.h).
#include "lmm/render/animation.h"

#include <algorithm>
#include <cctype>
#include <opencv2/imgcodecs.hpp>

#include "lmm/core/atomic_file.h"
#include "lmm/core/error.h"
#include "lmm/core/text.h"
#include "lmm/render/gif.h"
#include "lmm/render/video.h"

namespace lmm::render {

void write_png(const std::filesystem::path& out, const cv::Mat& img) {
  std::vector<unsigned char> bytes;
  if (img.empty() || !cv::imencode(".png", img, bytes))
    throw IoError(out.string() + ": PNG encoding failed");
  write_text_atomic(out, std::string(bytes.begin(), bytes.end()));
}

void write_animation(const std::filesystem::path& out, const SkeletonRenderer& r) {
  const std::string ext = lower_extension(out);
  LMM_CHECK(r.timeline() >= 1, out.string() << ": nothing to render (no frames)");
  auto frame = [&r](int i) { return r.frame(i); };
  if (ext == ".mp4") {
    write_mp4(out, r.timeline(), frame, r.options().fps);
  } else if (ext == ".gif") {
    write_gif(out, r.timeline(), frame, r.options().fps);
  } else if (ext == ".png") {
    write_png(out, r.timeline() == 1 ? r.frame(0) : r.sheet(r.spread(r.options().sheet_frames)));
  } else {
    LMM_CHECK(false, out.string() << ": unknown output type '" << ext << "', expected .mp4, .gif or .png");
  }
}

}  // namespace lmm::render

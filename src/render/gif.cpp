// Animated GIF writing and decoding with giflib (include/lmm/render/gif.h).
// Streaming encoder: screen descriptor with the global palette, NETSCAPE2.0 loop block,
// then per frame a graphics control block (delay) and the image rows as palette indices.
#include "lmm/render/gif.h"

#include <gif_lib.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "lmm/core/atomic_file.h"
#include "lmm/core/error.h"

namespace lmm::render {
namespace {

constexpr int kR = 6, kG = 7, kB = 6;  // palette levels per channel: 252 colours

int level(int v, int n) { return (v * (n - 1) + 127) / 255; }

ColorMapObject* make_palette() {
  std::vector<GifColorType> colors(256, GifColorType{255, 255, 255});
  for (int r = 0; r < kR; ++r)
    for (int g = 0; g < kG; ++g)
      for (int b = 0; b < kB; ++b) {
        auto& c = colors[(r * kG + g) * kB + b];
        c.Red = static_cast<GifByteType>(r * 255 / (kR - 1));
        c.Green = static_cast<GifByteType>(g * 255 / (kG - 1));
        c.Blue = static_cast<GifByteType>(b * 255 / (kB - 1));
      }
  return GifMakeMapObject(256, colors.data());
}

[[noreturn]] void fail(const std::filesystem::path& p, int err, const char* what) {
  const char* msg = GifErrorString(err);
  throw IoError(p.string() + ": " + what + ": " + (msg ? msg : "giflib error"));
}

}  // namespace

void write_gif(const std::filesystem::path& path, int count, const FrameSource& frame, double fps) {
  LMM_CHECK(count >= 1 && fps > 0, path.string() << ": GIF needs >= 1 frame and fps > 0, got "
                                                  << count << " frames at " << fps);
  write_atomic(path, [&](const std::filesystem::path& tmp) {
    int err = 0;
    GifFileType* gif = EGifOpenFileName(tmp.c_str(), false, &err);
    if (!gif) fail(path, err, "cannot open for writing");
    ColorMapObject* palette = make_palette();
    auto close = [&](bool ok) {
      GifFreeMapObject(palette);
      int cerr = 0;
      if (EGifCloseFile(gif, &cerr) != GIF_OK && ok) fail(path, cerr, "cannot finish the file");
    };
    try {
      cv::Mat first = frame(0);
      const int w = first.cols, h = first.rows;
      LMM_CHECK(first.type() == CV_8UC3 && w > 0 && h > 0,
                path.string() << ": GIF frames must be non-empty BGR 8-bit images");
      EGifSetGifVersion(gif, true);
      if (EGifPutScreenDesc(gif, w, h, 8, 0, palette) != GIF_OK) fail(path, gif->Error, "screen descriptor");
      const unsigned char loop[3] = {1, 0, 0};  // loop count 0 = forever
      if (EGifPutExtensionLeader(gif, APPLICATION_EXT_FUNC_CODE) != GIF_OK ||
          EGifPutExtensionBlock(gif, 11, "NETSCAPE2.0") != GIF_OK ||
          EGifPutExtensionBlock(gif, 3, loop) != GIF_OK || EGifPutExtensionTrailer(gif) != GIF_OK)
        fail(path, gif->Error, "loop extension");
      GraphicsControlBlock gcb{};
      gcb.DisposalMode = DISPOSE_DO_NOT;
      gcb.DelayTime = std::max(2, static_cast<int>(std::lround(100.0 / fps)));
      gcb.TransparentColor = NO_TRANSPARENT_COLOR;
      GifByteType ext[4];
      const size_t ext_len = EGifGCBToExtension(&gcb, ext);
      std::vector<GifPixelType> row(w);
      for (int i = 0; i < count; ++i) {
        cv::Mat img = i == 0 ? first : frame(i);
        LMM_CHECK(img.type() == CV_8UC3 && img.cols == w && img.rows == h,
                  path.string() << ": GIF frame " << i << " is " << img.cols << "x" << img.rows
                                << ", expected " << w << "x" << h << " BGR 8-bit");
        if (EGifPutExtension(gif, GRAPHICS_EXT_FUNC_CODE, static_cast<int>(ext_len), ext) != GIF_OK ||
            EGifPutImageDesc(gif, 0, 0, w, h, false, nullptr) != GIF_OK)
          fail(path, gif->Error, "image descriptor");
        for (int y = 0; y < h; ++y) {
          const auto* px = img.ptr<cv::Vec3b>(y);
          for (int x = 0; x < w; ++x)
            row[x] = static_cast<GifPixelType>(
                (level(px[x][2], kR) * kG + level(px[x][1], kG)) * kB + level(px[x][0], kB));
          if (EGifPutLine(gif, row.data(), w) != GIF_OK) fail(path, gif->Error, "writing pixels");
        }
      }
    } catch (...) {
      close(false);
      throw;
    }
    close(true);
    namespace fs = std::filesystem;  // giflib creates files 0600; make them readable like others
    fs::permissions(tmp, fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read |
                             fs::perms::others_read);
  });
}

GifInfo read_gif_info(const std::filesystem::path& path) {
  int err = 0;
  GifFileType* gif = DGifOpenFileName(path.c_str(), &err);
  if (!gif) throw FormatError(path.string(), -1, std::string("not a readable GIF: ") + GifErrorString(err));
  GifInfo info;
  if (DGifSlurp(gif) != GIF_OK) {
    const char* msg = GifErrorString(gif->Error);
    DGifCloseFile(gif, &err);
    throw FormatError(path.string(), -1, std::string("GIF decoding failed: ") + (msg ? msg : "?"));
  }
  info.frames = gif->ImageCount;
  info.width = gif->SWidth;
  info.height = gif->SHeight;
  GraphicsControlBlock gcb{};
  if (gif->ImageCount > 0 && DGifSavedExtensionToGCB(gif, 0, &gcb) == GIF_OK) info.delay_cs = gcb.DelayTime;
  DGifCloseFile(gif, &err);
  return info;
}

}  // namespace lmm::render

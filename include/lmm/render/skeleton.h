// Drawing BODY_25 skeletons with OpenCV: one or more pose tracks on a shared timeline
// (e.g. a ground-truth clip and a forecast starting at frame 120), auto-fitted to the
// extent of every visible joint over the whole timeline, with a legend and a time caption.
//   Track::pose (T, 25, 3): x, y, confidence per joint, image axes (y down), any units;
//   joints with confidence 0 and bones touching them are not drawn.
// Images are BGR CV_8UC3, height x width.
#pragma once
#include <opencv2/core.hpp>
#include <string>
#include <vector>

namespace lmm::render {

struct Rgb {
  unsigned char r = 0, g = 0, b = 0;
};

struct Track {
  std::string label;        // legend text, e.g. "ground truth", "forecast (flat)"
  std::vector<float> pose;  // (T, 25, 3)
  int frames = 0;           // T
  int start = 0;            // timeline frame of pose frame 0, e.g. 120 for a forecast
  bool sided = true;        // true: left/right/centre colours; false: one colour (overlays)
  Rgb color{0, 170, 70};    // the colour when !sided, e.g. green for forecasts
};

struct RenderOptions {
  int width = 480;          // pixels per frame image
  int height = 480;
  double fps = 15;          // timeline rate, for captions and animations
  std::string title;        // top-left caption, e.g. the clip name; "" for none
  bool legend = true;       // swatch + label per track, bottom-left
  int sheet_frames = 8;     // PNG of a multi-frame timeline: this many frames in a contact sheet
};

class SkeletonRenderer {
 public:
  // Throws ConfigError for tracks whose pose size is not frames * 75, or a size < 64 px.
  SkeletonRenderer(std::vector<Track> tracks, RenderOptions opt);

  int timeline() const { return timeline_; }  // max(start + frames) over tracks
  const RenderOptions& options() const { return opt_; }
  // Timeline frame t (0-based) with every track that has a pose at t.
  cv::Mat frame(int t) const;
  // Frames `ts` tiled `cols` per row (cols <= 0: about square); each tile width x height.
  cv::Mat sheet(const std::vector<int>& ts, int cols = 0) const;
  // `n` timeline frames evenly spaced from first to last (all when n >= timeline).
  std::vector<int> spread(int n) const;

 private:
  cv::Point2f map(float x, float y) const;
  void draw_track(cv::Mat& img, const Track& tr, int t) const;

  std::vector<Track> tracks_;
  RenderOptions opt_;
  int timeline_ = 0;
  float scale_ = 1, cx_ = 0, cy_ = 0;  // data centre and pixels per data unit
  int top_ = 0, bottom_ = 0;           // pixel rows reserved for captions
};

}  // namespace lmm::render

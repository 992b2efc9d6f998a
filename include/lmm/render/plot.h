// Small line plots drawn with OpenCV (loss curves, error-vs-horizon): several named
// series, axes with "nice" ticks, x/y labels, title, legend, optional log-scale y.
// Non-finite points (and, with log_y, points <= 0) are skipped and break the line.
//   plot_lines -> cv::Mat (height, width) CV_8UC3, white background
#pragma once
#include <filesystem>
#include <opencv2/core.hpp>
#include <string>
#include <vector>

namespace lmm::render {

struct Series {
  std::string name;        // legend entry, e.g. "val loss"
  std::vector<double> x;   // same length as y
  std::vector<double> y;
  cv::Scalar color{-1, -1, -1};  // BGR; negative = next colour of the default palette
  bool markers = false;    // draw a dot at every point
  bool dashed = false;     // dashed line
};

struct PlotOptions {
  std::string title;       // e.g. "flat: training loss"
  std::string x_label;     // e.g. "epoch"
  std::string y_label;     // e.g. "loss"
  bool log_y = false;      // logarithmic y axis (decades as ticks)
  int width = 800;         // image size in pixels
  int height = 500;
  bool legend = true;      // legend box in the corner hiding the fewest points
};

// Renders the series. Empty series (or none) give axes with a default range.
cv::Mat plot_lines(const std::vector<Series>& series, const PlotOptions& opt);

// Renders and writes a PNG atomically. Throws IoError when it cannot be written.
void write_plot_png(const std::filesystem::path& png, const std::vector<Series>& series,
                    const PlotOptions& opt);

// "Nice" tick positions covering [lo, hi] (about `target` ticks, steps 1/2/5 x 10^k).
std::vector<double> nice_ticks(double lo, double hi, int target = 6);

}  // namespace lmm::render

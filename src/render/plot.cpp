// Line plots with OpenCV: frame, grid, ticks, labels, legend and polylines in a
// tab10-like palette. Data -> pixel mapping is linear in x and in y (or log10 y).
//   image (height, width) CV_8UC3; plot area inside fixed margins
#include "lmm/render/plot.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "lmm/core/atomic_file.h"
#include "lmm/core/error.h"

namespace lmm::render {
namespace {

const cv::Scalar kPalette[] = {{180, 119, 31}, {14, 127, 255}, {44, 160, 44},  {40, 39, 214},
                               {189, 103, 148}, {75, 86, 140}, {194, 119, 227}, {127, 127, 127},
                               {34, 189, 188}, {207, 190, 23}};
const cv::Scalar kBlack{0, 0, 0}, kGrid{225, 225, 225}, kWhite{255, 255, 255};
constexpr int kFont = cv::FONT_HERSHEY_SIMPLEX;

struct Range {
  double lo = INFINITY, hi = -INFINITY;
  void add(double v) {
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  bool valid() const { return lo <= hi; }
};

// Widens an empty or degenerate range so that it has a positive extent.
void settle(Range& r, double pad_frac) {
  if (!r.valid()) {
    r.lo = 0;
    r.hi = 1;
  }
  if (r.hi - r.lo < 1e-12 * std::max(1.0, std::abs(r.hi))) {
    double d = std::max(std::abs(r.lo) * 0.1, 0.5);
    r.lo -= d;
    r.hi += d;
    return;
  }
  double pad = (r.hi - r.lo) * pad_frac;
  r.lo -= pad;
  r.hi += pad;
}

std::string tick_label(double v, double step) {
  char buf[32];
  double a = std::abs(v);
  if (v == 0) return "0";
  if (a >= 1e5 || a < 1e-3 || step < 1e-4) {
    std::snprintf(buf, sizeof buf, "%.3g", v);
  } else {
    int dec = std::max(0, static_cast<int>(std::ceil(-std::log10(step) - 1e-9)));
    std::snprintf(buf, sizeof buf, "%.*f", std::min(dec, 6), v);
  }
  return buf;
}

cv::Size text_size(const std::string& s, double scale, int thick = 1) {
  int base = 0;
  return cv::getTextSize(s, kFont, scale, thick, &base);
}

void put_text(cv::Mat& img, const std::string& s, cv::Point org, double scale,
              const cv::Scalar& c = kBlack, int thick = 1) {
  cv::putText(img, s, org, kFont, scale, c, thick, cv::LINE_AA);
}

void dashed_line(cv::Mat& img, cv::Point2d a, cv::Point2d b, const cv::Scalar& c, int thick) {
  double len = std::hypot(b.x - a.x, b.y - a.y);
  const double on = 8, off = 5;
  for (double s = 0; s < len; s += on + off) {
    double e = std::min(len, s + on);
    cv::Point2d p = a + (b - a) * (s / len), q = a + (b - a) * (e / len);
    cv::line(img, cv::Point(cvRound(p.x), cvRound(p.y)), cv::Point(cvRound(q.x), cvRound(q.y)), c,
             thick, cv::LINE_AA);
  }
}

}  // namespace

std::vector<double> nice_ticks(double lo, double hi, int target) {
  std::vector<double> out;
  if (!(hi > lo) || !std::isfinite(lo) || !std::isfinite(hi)) return out;
  double raw = (hi - lo) / std::max(1, target);
  double mag = std::pow(10.0, std::floor(std::log10(raw)));
  double step = mag;
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (m * mag >= raw) {
      step = m * mag;
      break;
    }
  const long k0 = static_cast<long>(std::ceil(lo / step - 1e-9));
  for (long k = k0; k * step <= hi + step * 1e-9; ++k) {
    char buf[40];  // snap to 12 significant digits: 3 * 0.2 -> 0.6, not 0.6000000000000001
    std::snprintf(buf, sizeof buf, "%.12g", k * step);
    out.push_back(k == 0 ? 0.0 : std::strtod(buf, nullptr));
  }
  return out;
}

cv::Mat plot_lines(const std::vector<Series>& series, const PlotOptions& opt) {
  LMM_CHECK(opt.width >= 200 && opt.height >= 150,
            "plot size " << opt.width << "x" << opt.height << " is too small, expected >= 200x150");
  cv::Mat img(opt.height, opt.width, CV_8UC3, kWhite);
  auto ok = [&](double x, double y) {
    return std::isfinite(x) && std::isfinite(y) && (!opt.log_y || y > 0);
  };
  auto ty = [&](double y) { return opt.log_y ? std::log10(y) : y; };

  Range rx, ry;
  for (const auto& s : series) {
    LMM_CHECK(s.x.size() == s.y.size(), "plot series \"" << s.name << "\" has " << s.x.size()
                                                          << " x values and " << s.y.size()
                                                          << " y values");
    for (size_t i = 0; i < s.x.size(); ++i)
      if (ok(s.x[i], s.y[i])) {
        rx.add(s.x[i]);
        ry.add(ty(s.y[i]));
      }
  }
  settle(rx, 0.0);
  settle(ry, 0.06);

  // y ticks (in transformed units) and their labels.
  std::vector<double> yt;
  std::vector<std::string> yl;
  if (opt.log_y) {
    int k0 = static_cast<int>(std::floor(ry.lo)), k1 = static_cast<int>(std::ceil(ry.hi));
    bool fine = (ry.hi - ry.lo) < 2.0;
    for (int k = k0; k <= k1; ++k)
      for (double m : fine ? std::vector<double>{1, 2, 5} : std::vector<double>{1}) {
        double v = std::log10(m) + k;
        if (v < ry.lo || v > ry.hi) continue;
        yt.push_back(v);
        char buf[32];
        std::snprintf(buf, sizeof buf, "%g", m * std::pow(10.0, k));
        yl.push_back(buf);
      }
    if (yt.size() < 3) {  // less than a decade: linear nice ticks placed on the log axis
      yt.clear();
      yl.clear();
      auto lin = nice_ticks(std::pow(10.0, ry.lo), std::pow(10.0, ry.hi), 5);
      double step = lin.size() > 1 ? lin[1] - lin[0] : 1.0;
      for (double v : lin)
        if (v > 0) {
          yt.push_back(std::log10(v));
          yl.push_back(tick_label(v, step));
        }
    }
  } else {
    yt = nice_ticks(ry.lo, ry.hi, 6);
    double step = yt.size() > 1 ? yt[1] - yt[0] : 1.0;
    for (double v : yt) yl.push_back(tick_label(v, step));
  }
  std::vector<double> xt = nice_ticks(rx.lo, rx.hi, 8);
  double xstep = xt.size() > 1 ? xt[1] - xt[0] : 1.0;

  // Margins from the text they hold.
  const double tick_scale = 0.42, label_scale = 0.5, title_scale = 0.6;
  int ylab_w = 0;
  for (const auto& s : yl) ylab_w = std::max(ylab_w, text_size(s, tick_scale).width);
  int label_h = text_size("Ag", label_scale).height;
  int left = 14 + label_h + 8 + ylab_w + 8;
  int right = 20;
  int top = opt.title.empty() ? 20 : 20 + text_size(opt.title, title_scale, 1).height + 12;
  int bottom = 10 + text_size("0", tick_scale).height + 10 + label_h + 12;
  cv::Rect area(left, top, opt.width - left - right, opt.height - top - bottom);
  LMM_CHECK(area.width > 20 && area.height > 20, "plot area too small for the labels");

  auto px = [&](double x) { return area.x + (x - rx.lo) / (rx.hi - rx.lo) * area.width; };
  auto py = [&](double yv) { return area.y + area.height - (yv - ry.lo) / (ry.hi - ry.lo) * area.height; };

  // Grid, ticks and tick labels.
  for (size_t i = 0; i < yt.size(); ++i) {
    int y = cvRound(py(yt[i]));
    cv::line(img, {area.x, y}, {area.x + area.width, y}, kGrid, 1);
    cv::line(img, {area.x - 5, y}, {area.x, y}, kBlack, 1);
    cv::Size ts = text_size(yl[i], tick_scale);
    put_text(img, yl[i], {area.x - 8 - ts.width, y + ts.height / 2}, tick_scale);
  }
  for (double v : xt) {
    int x = cvRound(px(v));
    cv::line(img, {x, area.y}, {x, area.y + area.height}, kGrid, 1);
    cv::line(img, {x, area.y + area.height}, {x, area.y + area.height + 5}, kBlack, 1);
    std::string s = tick_label(v, xstep);
    cv::Size ts = text_size(s, tick_scale);
    put_text(img, s, {x - ts.width / 2, area.y + area.height + 10 + ts.height}, tick_scale);
  }
  cv::rectangle(img, area, kBlack, 1);

  // Axis labels and title.
  if (!opt.x_label.empty()) {
    cv::Size ts = text_size(opt.x_label, label_scale);
    put_text(img, opt.x_label, {area.x + (area.width - ts.width) / 2, opt.height - 10}, label_scale);
  }
  if (!opt.y_label.empty()) {
    cv::Size ts = text_size(opt.y_label, label_scale);
    cv::Mat t(ts.height + 8, ts.width + 4, CV_8UC3, kWhite);
    put_text(t, opt.y_label, {2, ts.height + 2}, label_scale);
    cv::rotate(t, t, cv::ROTATE_90_COUNTERCLOCKWISE);
    int x0 = 10, y0 = area.y + (area.height - t.rows) / 2;
    if (y0 >= 0 && y0 + t.rows <= img.rows && x0 + t.cols <= img.cols)
      t.copyTo(img(cv::Rect(x0, y0, t.cols, t.rows)));
  }
  if (!opt.title.empty()) {
    cv::Size ts = text_size(opt.title, title_scale);
    put_text(img, opt.title, {(opt.width - ts.width) / 2, 14 + ts.height}, title_scale);
  }

  // Series, clipped to the plot area.
  cv::Mat plot_area = img(area);
  std::vector<cv::Scalar> colors;
  for (size_t k = 0; k < series.size(); ++k) {
    const auto& s = series[k];
    cv::Scalar c = s.color[0] < 0 ? kPalette[k % 10] : s.color;
    colors.push_back(c);
    bool have_prev = false;
    cv::Point2d prev;
    for (size_t i = 0; i < s.x.size(); ++i) {
      if (!ok(s.x[i], s.y[i])) {
        have_prev = false;
        continue;
      }
      cv::Point2d p(px(s.x[i]) - area.x, py(ty(s.y[i])) - area.y);
      if (have_prev) {
        if (s.dashed) dashed_line(plot_area, prev, p, c, 2);
        else cv::line(plot_area, cv::Point(cvRound(prev.x), cvRound(prev.y)),
                      cv::Point(cvRound(p.x), cvRound(p.y)), c, 2, cv::LINE_AA);
      }
      bool isolated = (i == 0 || !ok(s.x[i - 1], s.y[i - 1])) &&
                      (i + 1 == s.x.size() || !ok(s.x[i + 1], s.y[i + 1]));
      if (s.markers || isolated)
        cv::circle(plot_area, cv::Point(cvRound(p.x), cvRound(p.y)), 3, c, cv::FILLED, cv::LINE_AA);
      prev = p;
      have_prev = true;
    }
  }

  // Legend, in the corner of the plot area that hides the fewest data points.
  if (opt.legend && !series.empty()) {
    const double ls = 0.45;
    int row_h = text_size("Ag", ls).height + 10, w = 0;
    for (const auto& s : series) w = std::max(w, text_size(s.name, ls).width);
    const int bw = w + 50, bh = static_cast<int>(series.size()) * row_h + 8;
    cv::Rect best;
    long best_hidden = -1;
    for (int corner : {1, 0, 3, 2}) {  // top-right, top-left, bottom-right, bottom-left
      int x = corner % 2 ? area.x + area.width - bw - 8 : area.x + 8;
      int y = corner < 2 ? area.y + 8 : area.y + area.height - bh - 8;
      cv::Rect box(x, y, bw, bh);
      long hidden = 0;
      for (const auto& s : series)
        for (size_t i = 0; i < s.x.size(); ++i) {
          if (!ok(s.x[i], s.y[i])) continue;
          // Sample the segment to the next point too, so lines crossing the box count.
          size_t j = i + 1 < s.x.size() && ok(s.x[i + 1], s.y[i + 1]) ? i + 1 : i;
          for (int k = 0; k < 8; ++k) {
            double f = k / 8.0;
            cv::Point p(cvRound(px(s.x[i] + f * (s.x[j] - s.x[i]))),
                        cvRound(py(ty(s.y[i]) + f * (ty(s.y[j]) - ty(s.y[i])))));
            hidden += box.contains(p);
          }
        }
      if (best_hidden < 0 || hidden < best_hidden) {
        best_hidden = hidden;
        best = box;
      }
    }
    cv::rectangle(img, best, kWhite, cv::FILLED);
    cv::rectangle(img, best, {160, 160, 160}, 1);
    for (size_t k = 0; k < series.size(); ++k) {
      int y = best.y + 4 + static_cast<int>(k) * row_h + row_h / 2;
      cv::Point2d a(best.x + 8, y), b(best.x + 36, y);
      if (series[k].dashed) dashed_line(img, a, b, colors[k], 2);
      else cv::line(img, a, b, colors[k], 2, cv::LINE_AA);
      put_text(img, series[k].name, {best.x + 44, y + text_size("A", ls).height / 2}, ls);
    }
  }
  return img;
}

void write_plot_png(const std::filesystem::path& png, const std::vector<Series>& series,
                    const PlotOptions& opt) {
  cv::Mat img = plot_lines(series, opt);
  std::vector<uchar> buf;
  if (!cv::imencode(".png", img, buf)) throw IoError(png.string() + ": PNG encoding failed");
  write_text_atomic(png, std::string(buf.begin(), buf.end()));
}

}  // namespace lmm::render

// Skeleton drawing: fit, bones, joints, captions, legend and contact sheets
// (include/lmm/render/skeleton.h). Bones follow lmm::kBones; a bone is "left" or
// "right" by its child joint's name (LElbow, RKnee, ...), otherwise "centre".
#include "lmm/render/skeleton.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <opencv2/imgproc.hpp>

#include "lmm/core/body25.h"
#include "lmm/core/error.h"

namespace lmm::render {
namespace {

constexpr int kMargin = 12;
const cv::Scalar kBackground(255, 255, 255);
const cv::Scalar kText(40, 40, 40);

cv::Scalar bgr(Rgb c) { return cv::Scalar(c.b, c.g, c.r); }

// Colours of sided tracks.
const Rgb kRight{210, 50, 40}, kLeft{40, 100, 215}, kCentre{70, 70, 70};

Rgb side_color(int joint) {
  auto name = joint_name(joint);
  if (name[0] == 'R') return kRight;
  if (name[0] == 'L') return kLeft;
  return kCentre;
}

bool seen(const float* j) {
  return j[2] > 0 && std::isfinite(j[0]) && std::isfinite(j[1]);
}

}  // namespace

SkeletonRenderer::SkeletonRenderer(std::vector<Track> tracks, RenderOptions opt)
    : tracks_(std::move(tracks)), opt_(std::move(opt)) {
  LMM_CHECK(opt_.width >= 64 && opt_.height >= 64,
            "render size " << opt_.width << "x" << opt_.height << " is too small (min 64x64)");
  LMM_CHECK(opt_.fps > 0, "render fps must be > 0, got " << opt_.fps);
  float x0 = std::numeric_limits<float>::max(), y0 = x0, x1 = -x0, y1 = -x0;
  for (const auto& tr : tracks_) {
    LMM_CHECK(tr.frames >= 0 && tr.pose.size() == static_cast<size_t>(tr.frames) * kFrameDim,
              "track '" << tr.label << "' has " << tr.pose.size() << " values, expected "
                        << tr.frames << " x " << kFrameDim);
    LMM_CHECK(tr.start >= 0, "track '" << tr.label << "' starts at " << tr.start);
    timeline_ = std::max(timeline_, tr.start + tr.frames);
    for (int i = 0; i < tr.frames * kNumJoints; ++i) {
      const float* j = &tr.pose[static_cast<size_t>(i) * kChannels];
      if (!seen(j)) continue;
      x0 = std::min(x0, j[0]);
      x1 = std::max(x1, j[0]);
      y0 = std::min(y0, j[1]);
      y1 = std::max(y1, j[1]);
    }
  }
  if (x0 > x1) x0 = y0 = -1, x1 = y1 = 1;  // nothing visible
  const float font_px = 18.f * opt_.height / 480.f;
  top_ = static_cast<int>(font_px * (opt_.title.empty() ? 1.4f : 2.5f));
  bottom_ = opt_.legend ? static_cast<int>(font_px * 1.2f * tracks_.size()) + 4 : 0;
  const float w = std::max(x1 - x0, 1e-6f), h = std::max(y1 - y0, 1e-6f);
  const float avail_w = std::max(opt_.width - 2 * kMargin, 8);
  const float avail_h = std::max(opt_.height - top_ - bottom_ - 2 * kMargin, 8);
  scale_ = std::min(avail_w / w, avail_h / h);
  cx_ = (x0 + x1) / 2;
  cy_ = (y0 + y1) / 2;
}

cv::Point2f SkeletonRenderer::map(float x, float y) const {
  const float mid_y = top_ + kMargin + (opt_.height - top_ - bottom_ - 2 * kMargin) / 2.f;
  return {opt_.width / 2.f + (x - cx_) * scale_, mid_y + (y - cy_) * scale_};
}

void SkeletonRenderer::draw_track(cv::Mat& img, const Track& tr, int t) const {
  const int f = t - tr.start;
  if (f < 0 || f >= tr.frames) return;
  const float* p = &tr.pose[static_cast<size_t>(f) * kFrameDim];
  // Overlays (forecasts) are drawn thinner, so the ground truth stays visible beneath them.
  const double px = (tr.sided ? 3.0 : 2.0) * opt_.height / 480.0;
  const int thick = std::max(1, static_cast<int>(std::lround(px)));
  constexpr int kShift = 4;  // sub-pixel precision for anti-aliased drawing
  auto fixed = [&](int j) {
    auto q = map(p[j * 3], p[j * 3 + 1]);
    return cv::Point(static_cast<int>(std::lround(q.x * (1 << kShift))),
                     static_cast<int>(std::lround(q.y * (1 << kShift))));
  };
  for (auto [a, b] : kBones) {
    if (!seen(p + a * 3) || !seen(p + b * 3)) continue;
    Rgb c = tr.sided ? side_color(b) : tr.color;
    cv::line(img, fixed(a), fixed(b), bgr(c), thick, cv::LINE_AA, kShift);
  }
  for (int j = 0; j < kNumJoints; ++j) {
    if (!seen(p + j * 3)) continue;
    Rgb c = tr.sided ? side_color(j) : tr.color;
    cv::circle(img, fixed(j), (thick + 1) << kShift, bgr(c), cv::FILLED, cv::LINE_AA, kShift);
  }
}

cv::Mat SkeletonRenderer::frame(int t) const {
  LMM_CHECK(t >= 0 && t < std::max(timeline_, 1),
            "render frame " << t << " outside the timeline [0, " << timeline_ << ")");
  cv::Mat img(opt_.height, opt_.width, CV_8UC3, kBackground);
  for (const auto& tr : tracks_) draw_track(img, tr, t);

  const double fs = 0.5 * opt_.height / 480.0;
  const int line = static_cast<int>(18.0 * opt_.height / 480.0);
  int y = line;
  if (!opt_.title.empty()) {
    cv::putText(img, opt_.title, {6, y}, cv::FONT_HERSHEY_SIMPLEX, fs, kText, 1, cv::LINE_AA);
    y += line;
  }
  char buf[160];
  std::snprintf(buf, sizeof buf, "t = %.2f s  (frame %d/%d)", t / opt_.fps, t + 1, timeline_);
  std::string caption = buf;
  for (const auto& tr : tracks_) {
    const int k = t - tr.start + 1;
    if (tr.sided || tr.start == 0 || k < 1 || k > tr.frames) continue;
    std::snprintf(buf, sizeof buf, "   forecast +%d (%.2f s)", k, k / opt_.fps);
    caption += buf;
    break;
  }
  cv::putText(img, caption, {6, y}, cv::FONT_HERSHEY_SIMPLEX, fs, kText, 1, cv::LINE_AA);

  if (opt_.legend) {
    int ly = opt_.height - bottom_ + line - 4;
    for (const auto& tr : tracks_) {
      const int sw = line - 6;
      if (tr.sided) {  // right | left halves
        cv::rectangle(img, cv::Rect(6, ly - sw, sw / 2, sw), bgr(kRight), cv::FILLED);
        cv::rectangle(img, cv::Rect(6 + sw / 2, ly - sw, sw - sw / 2, sw), bgr(kLeft), cv::FILLED);
      } else {
        cv::rectangle(img, cv::Rect(6, ly - sw, sw, sw), bgr(tr.color), cv::FILLED);
      }
      std::string label = tr.label + (tr.sided ? "  (red: right, blue: left)" : "");
      cv::putText(img, label, {12 + sw, ly}, cv::FONT_HERSHEY_SIMPLEX, fs, kText, 1, cv::LINE_AA);
      ly += line;
    }
  }
  return img;
}

std::vector<int> SkeletonRenderer::spread(int n) const {
  std::vector<int> ts;
  const int T = std::max(timeline_, 1);
  if (n >= T) {
    for (int t = 0; t < T; ++t) ts.push_back(t);
  } else if (n == 1) {
    ts.push_back(T - 1);
  } else {
    for (int i = 0; i < n; ++i) ts.push_back(static_cast<int>(std::lround(double(i) * (T - 1) / (n - 1))));
  }
  return ts;
}

cv::Mat SkeletonRenderer::sheet(const std::vector<int>& ts, int cols) const {
  LMM_CHECK(!ts.empty(), "contact sheet needs at least one frame");
  const int n = static_cast<int>(ts.size());
  if (cols <= 0) cols = static_cast<int>(std::ceil(std::sqrt(double(n))));
  cols = std::min(cols, n);
  const int rows = (n + cols - 1) / cols;
  cv::Mat out(rows * opt_.height, cols * opt_.width, CV_8UC3, kBackground);
  for (int i = 0; i < n; ++i) {
    cv::Rect r((i % cols) * opt_.width, (i / cols) * opt_.height, opt_.width, opt_.height);
    frame(ts[i]).copyTo(out(r));
    cv::rectangle(out, r, cv::Scalar(200, 200, 200), 1);
  }
  return out;
}

}  // namespace lmm::render

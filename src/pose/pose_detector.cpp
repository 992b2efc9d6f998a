// BlazePose detector: SSD anchors, box/keypoint decoding, weighted NMS, letterboxing.
// Input tensor (1, 3, 224, 224) NCHW RGB in [-1, 1] (TFLite (1, 224, 224, 3)); outputs
// "Identity" (1, 2254, 12) regressions and "Identity_1" (1, 2254, 1) score logits.
#include "lmm/pose/pose_detector.h"

#include <algorithm>
#include <cmath>
#include <opencv2/imgproc.hpp>

#include "lmm/core/error.h"
#include "lmm/pose/tflite_to_opencv.h"

namespace lmm::pose {

std::vector<Anchor> ssd_anchors(const SsdAnchorOptions& o) {
  LMM_CHECK(static_cast<int>(o.strides.size()) == o.num_layers,
            "SSD anchors: " << o.strides.size() << " strides for " << o.num_layers << " layers");
  auto scale_of = [&](int layer) {
    return o.num_layers == 1 ? (o.min_scale + o.max_scale) * 0.5f
                             : o.min_scale + (o.max_scale - o.min_scale) * layer / (o.num_layers - 1.0f);
  };
  std::vector<Anchor> anchors;
  int layer = 0;
  while (layer < o.num_layers) {
    // Layers sharing a stride share one feature map: their anchors are interleaved per cell.
    std::vector<float> heights, widths;
    int last = layer;
    while (last < o.num_layers && o.strides[last] == o.strides[layer]) {
      const float scale = scale_of(last);
      for (float ar : o.aspect_ratios) {
        heights.push_back(scale / std::sqrt(ar));
        widths.push_back(scale * std::sqrt(ar));
      }
      if (o.interpolated_scale_aspect_ratio > 0) {
        const float next = last == o.num_layers - 1 ? 1.0f : scale_of(last + 1);
        const float s = std::sqrt(scale * next), ar = o.interpolated_scale_aspect_ratio;
        heights.push_back(s / std::sqrt(ar));
        widths.push_back(s * std::sqrt(ar));
      }
      ++last;
    }
    const int stride = o.strides[layer];
    const int fh = (o.input_height + stride - 1) / stride, fw = (o.input_width + stride - 1) / stride;
    for (int y = 0; y < fh; ++y)
      for (int x = 0; x < fw; ++x)
        for (size_t k = 0; k < heights.size(); ++k) {
          Anchor a;
          a.x = (x + o.offset_x) / fw;
          a.y = (y + o.offset_y) / fh;
          if (!o.fixed_anchor_size) a.w = widths[k], a.h = heights[k];
          anchors.push_back(a);
        }
    layer = last;
  }
  return anchors;
}

namespace {
float iou(const cv::Rect2f& a, const cv::Rect2f& b) {
  const float inter = (a & b).area();
  const float uni = a.area() + b.area() - inter;
  return uni > 0 ? inter / uni : 0.f;
}
}  // namespace

std::vector<PoseDetection> weighted_nms(std::vector<PoseDetection> dets, float iou_threshold) {
  std::stable_sort(dets.begin(), dets.end(),
                   [](const PoseDetection& a, const PoseDetection& b) { return a.score > b.score; });
  std::vector<PoseDetection> out;
  while (!dets.empty()) {
    const PoseDetection top = dets.front();
    std::vector<PoseDetection> group, rest;
    for (const auto& d : dets) (iou(top.box, d.box) > iou_threshold ? group : rest).push_back(d);
    PoseDetection merged = top;
    float wsum = 0, x0 = 0, y0 = 0, x1 = 0, y1 = 0;
    std::array<cv::Point2f, 4> kp{};
    for (const auto& d : group) {
      wsum += d.score;
      x0 += d.score * d.box.x, y0 += d.score * d.box.y;
      x1 += d.score * (d.box.x + d.box.width), y1 += d.score * (d.box.y + d.box.height);
      for (size_t k = 0; k < kp.size(); ++k) kp[k] += d.score * d.keypoints[k];
    }
    if (wsum > 0) {
      merged.box = cv::Rect2f(x0 / wsum, y0 / wsum, (x1 - x0) / wsum, (y1 - y0) / wsum);
      for (size_t k = 0; k < kp.size(); ++k) merged.keypoints[k] = kp[k] / wsum;
    }
    out.push_back(merged);
    if (group.empty()) rest.erase(rest.begin());  // NaN boxes: never loop forever
    dets = std::move(rest);
  }
  return out;
}

std::vector<PoseDetection> decode_detections(const float* boxes, const float* logits,
                                             const std::vector<Anchor>& anchors, float min_score,
                                             int input_size) {
  std::vector<PoseDetection> dets;
  const float s = static_cast<float>(input_size);
  for (size_t i = 0; i < anchors.size(); ++i) {
    const float logit = std::clamp(logits[i], -100.f, 100.f);
    const float score = 1.f / (1.f + std::exp(-logit));
    if (!(score >= min_score)) continue;
    const float* r = boxes + i * 12;
    const Anchor& a = anchors[i];
    const float cx = r[0] / s * a.w + a.x, cy = r[1] / s * a.h + a.y;
    const float w = r[2] / s * a.w, h = r[3] / s * a.h;
    PoseDetection d;
    d.score = score;
    d.box = cv::Rect2f(cx - w / 2, cy - h / 2, w, h);
    for (int k = 0; k < 4; ++k)
      d.keypoints[k] = {r[4 + 2 * k] / s * a.w + a.x, r[5 + 2 * k] / s * a.h + a.y};
    dets.push_back(d);
  }
  return dets;
}

struct PoseDetector::Impl {
  TfliteNet net;
  std::vector<Anchor> anchors;
  DetectorConfig cfg;
  int size = 224;
};

PoseDetector::PoseDetector(const std::filesystem::path& model, DetectorConfig cfg)
    : impl_(std::make_unique<Impl>()) {
  TfliteModel m = read_tflite(model);
  impl_->net = build_opencv_net(m, {"Identity", "Identity_1"});
  impl_->anchors = ssd_anchors();
  impl_->cfg = cfg;
  const auto& in = impl_->net.input_shape;
  if (in[1] != 224 || in[2] != 224 || in[3] != 3 ||
      impl_->net.output_shapes[0] != std::vector<int>{1, static_cast<int>(impl_->anchors.size()), 12})
    throw FormatError(model.string(), -1, "not a BlazePose detector: expected input (1,224,224,3) "
                                          "and output (1,2254,12)");
}
PoseDetector::~PoseDetector() = default;
PoseDetector::PoseDetector(PoseDetector&&) noexcept = default;
PoseDetector& PoseDetector::operator=(PoseDetector&&) noexcept = default;

std::vector<PoseDetection> PoseDetector::detect(const cv::Mat& bgr) {
  return detect(bgr, cv::Rect(0, 0, bgr.cols, bgr.rows));
}

std::vector<PoseDetection> PoseDetector::detect(const cv::Mat& bgr, const cv::Rect& region) {
  LMM_CHECK(!bgr.empty() && bgr.type() == CV_8UC3, "pose detector needs a BGR 8-bit image");
  LMM_CHECK(region.width > 0 && region.height > 0, "pose detector: empty region");
  const int S = impl_->size;
  // Letterbox the region: uniform scale, centred; outside the frame is black (-1).
  const float scale = std::min(S / static_cast<float>(region.width), S / static_cast<float>(region.height));
  const float tx = (S - region.width * scale) / 2 - region.x * scale;
  const float ty = (S - region.height * scale) / 2 - region.y * scale;
  cv::Mat affine = (cv::Mat_<double>(2, 3) << scale, 0, tx, 0, scale, ty);
  cv::Mat boxed;
  cv::warpAffine(bgr, boxed, affine, cv::Size(S, S), cv::INTER_LINEAR, cv::BORDER_CONSTANT, cv::Scalar::all(0));
  cv::Mat blob = cv::dnn::blobFromImage(boxed, 2.0 / 255.0, cv::Size(), cv::Scalar(127.5, 127.5, 127.5),
                                        /*swapRB=*/true, /*crop=*/false, CV_32F);
  auto outs = impl_->net.forward(blob);
  auto dets = decode_detections(outs[0].ptr<float>(), outs[1].ptr<float>(), impl_->anchors,
                                impl_->cfg.min_score, S);
  dets = weighted_nms(std::move(dets), impl_->cfg.nms_iou);
  // Letterbox removal: normalized model-input space -> frame pixels.
  auto to_px = [&](cv::Point2f p) { return cv::Point2f((p.x * S - tx) / scale, (p.y * S - ty) / scale); };
  for (auto& d : dets) {
    cv::Point2f a = to_px(d.box.tl()), b = to_px(d.box.br());
    d.box = cv::Rect2f(a, b);
    for (auto& k : d.keypoints) k = to_px(k);
  }
  return dets;
}

std::vector<PoseDetection> PoseDetector::detect_tiled(const cv::Mat& bgr) {
  auto dets = detect(bgr);
  if (!dets.empty()) return dets;
  const int side = (std::max(bgr.cols, bgr.rows) + 1) / 2;
  // Tile origins along one axis: evenly spaced, neighbours overlapping by >= 1/4 tile.
  auto origins = [&](int len) {
    std::vector<int> o;
    if (len <= side) return std::vector<int>{(len - side) / 2};  // one tile, centred
    const int n = static_cast<int>(std::ceil((len - side) / (0.75 * side))) + 1;
    for (int i = 0; i < n; ++i) o.push_back(static_cast<int>(std::lround(double(len - side) * i / (n - 1))));
    return o;
  };
  std::vector<PoseDetection> all;
  for (int y : origins(bgr.rows))
    for (int x : origins(bgr.cols)) {
      auto d = detect(bgr, cv::Rect(x, y, side, side));
      all.insert(all.end(), d.begin(), d.end());
    }
  return weighted_nms(std::move(all), impl_->cfg.nms_iou);
}

}  // namespace lmm::pose

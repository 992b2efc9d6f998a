// BlazePose landmarks on a rotated crop: ROI from two alignment points, the crop as a
// 256x256 RGB tensor in [0, 1] (border pixels replicated, as MediaPipe's default), the
// landmark model via the TFLite -> OpenCV net, and projection of crop points to frame
// pixels with the same affine map that made the crop.
#include "lmm/pose/pose_landmarker.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <opencv2/dnn.hpp>
#include <opencv2/imgproc.hpp>

#include "lmm/core/error.h"
#include "lmm/pose/tflite_to_opencv.h"

namespace lmm::pose {

LandmarkModel parse_landmark_model(const std::string& s) {
  if (s == "lite") return LandmarkModel::lite;
  if (s == "full") return LandmarkModel::full;
  if (s == "heavy") return LandmarkModel::heavy;
  throw ConfigError("unknown pose model '" + s + "', expected lite, full or heavy");
}

const char* landmark_model_name(LandmarkModel m) {
  switch (m) {
    case LandmarkModel::lite: return "lite";
    case LandmarkModel::full: return "full";
    case LandmarkModel::heavy: return "heavy";
  }
  return "?";
}

std::string landmark_model_file(LandmarkModel m) {
  return std::string("pose_landmark_") + landmark_model_name(m) + ".tflite";
}

RotatedRoi roi_from_alignment(cv::Point2f start, cv::Point2f end, float scale) {
  constexpr float kPi = 3.14159265358979f;
  RotatedRoi roi;
  roi.center = start;
  const cv::Point2f d = end - start;
  roi.size = 2.f * std::sqrt(d.dot(d)) * scale;
  // Rotation that brings start->end to "up" (MediaPipe: target 90 deg - atan2(-dy, dx)).
  float r = kPi / 2 - std::atan2(-d.y, d.x);
  roi.rotation = r - 2 * kPi * std::floor((r + kPi) / (2 * kPi));  // into [-pi, pi)
  return roi;
}

cv::Matx23f roi_to_frame(const RotatedRoi& roi, int n) {
  // frame = centre + size * R(rotation) * (u / n - 0.5, v / n - 0.5)
  const float c = std::cos(roi.rotation), s = std::sin(roi.rotation), k = roi.size / n;
  const float h = roi.size / 2;
  return {c * k, -s * k, roi.center.x - c * h + s * h,
          s * k, c * k, roi.center.y - s * h - c * h};
}

void refine_from_heatmap(float* xy, int n, const float* heatmap, int h, int w, int kernel, float min_confidence) {
  const int half = (kernel - 1) / 2;
  for (int i = 0; i < n; ++i) {
    const int col = static_cast<int>(std::floor(xy[2 * i] * w)), row = static_cast<int>(std::floor(xy[2 * i + 1] * h));
    if (col < 0 || col >= w || row < 0 || row >= h) continue;
    float sum = 0, sum_col = 0, sum_row = 0, peak = 0;
    for (int r = std::max(0, row - half); r < std::min(h, row + half + 1); ++r)
      for (int c = std::max(0, col - half); c < std::min(w, col + half + 1); ++c) {
        const float conf = 1.f / (1.f + std::exp(-heatmap[(r * w + c) * n + i]));
        sum += conf, sum_col += c * conf, sum_row += r * conf, peak = std::max(peak, conf);
      }
    if (peak >= min_confidence && sum > 0) xy[2 * i] = sum_col / sum / w, xy[2 * i + 1] = sum_row / sum / h;
  }
}

struct PoseLandmarker::Impl {
  TfliteNet net;
  int size = 256;
  bool refine = true;
};

PoseLandmarker::PoseLandmarker(const std::filesystem::path& model, bool refine) : impl_(std::make_unique<Impl>()) {
  TfliteModel m = read_tflite(model);
  impl_->refine = refine;
  std::vector<std::string> outputs{"Identity", "Identity_1"};
  if (refine) outputs.push_back("Identity_3");
  impl_->net = build_opencv_net(m, outputs);
  const auto& in = impl_->net.input_shape;
  if (in[1] != in[2] || in[3] != 3 || shape_size(impl_->net.output_shapes[0]) != 5 * kBlazePoseOutputs)
    throw FormatError(model.string(), -1, "not a BlazePose landmark model: expected input (1,N,N,3) "
                                          "and output 'Identity' of 195 values");
  if (refine) {
    const auto& hm = impl_->net.output_shapes[2];
    if (hm.size() != 4 || hm[0] != 1 || hm[3] != kBlazePoseOutputs)
      throw FormatError(model.string(), -1, "not a BlazePose landmark model: expected heatmap 'Identity_3' "
                                            "of shape (1, H, W, 39)");
  }
  impl_->size = in[1];
}
PoseLandmarker::~PoseLandmarker() = default;
PoseLandmarker::PoseLandmarker(PoseLandmarker&&) noexcept = default;
PoseLandmarker& PoseLandmarker::operator=(PoseLandmarker&&) noexcept = default;

PoseLandmarks PoseLandmarker::run(const cv::Mat& bgr, const RotatedRoi& roi) {
  LMM_CHECK(!bgr.empty() && bgr.type() == CV_8UC3, "pose landmarker needs a BGR 8-bit image");
  const int n = impl_->size;
  const cv::Matx23f m = roi_to_frame(roi, n);
  cv::Mat crop;
  cv::warpAffine(bgr, crop, cv::Mat(m), cv::Size(n, n), cv::INTER_LINEAR | cv::WARP_INVERSE_MAP,
                 cv::BORDER_REPLICATE);
  cv::Mat blob = cv::dnn::blobFromImage(crop, 1.0 / 255.0, cv::Size(), cv::Scalar(), /*swapRB=*/true,
                                        /*crop=*/false, CV_32F);
  auto outs = impl_->net.forward(blob);
  const float* raw = outs[0].ptr<float>();
  auto sigmoid = [](float x) { return 1.f / (1.f + std::exp(-x)); };
  // (39, 2) x, y in crop pixels, refined by the heatmap (in crop-normalized units) when on.
  std::array<float, 2 * kBlazePoseOutputs> xy;
  for (int i = 0; i < kBlazePoseOutputs; ++i) xy[2 * i] = raw[5 * i], xy[2 * i + 1] = raw[5 * i + 1];
  if (impl_->refine) {
    const auto& hm = impl_->net.output_shapes[2];
    for (float& v : xy) v /= n;
    refine_from_heatmap(xy.data(), kBlazePoseOutputs, outs[2].ptr<float>(), hm[1], hm[2]);
    for (float& v : xy) v *= n;
  }
  PoseLandmarks res;
  res.roi = roi;
  res.score = outs[1].ptr<float>()[0];
  for (int i = 0; i < kBlazePoseOutputs; ++i) {
    const float* r = raw + 5 * i;
    Landmark& l = res.points[i];
    l.x = m(0, 0) * xy[2 * i] + m(0, 1) * xy[2 * i + 1] + m(0, 2);
    l.y = m(1, 0) * xy[2 * i] + m(1, 1) * xy[2 * i + 1] + m(1, 2);
    l.z = r[2] * roi.size / n;
    l.visibility = sigmoid(r[3]);
    l.presence = sigmoid(r[4]);
  }
  return res;
}

}  // namespace lmm::pose

// BlazePose landmarks on a rotated crop: ROI from two alignment points, the crop as a
// 256x256 RGB tensor in [0, 1] (border pixels replicated, as MediaPipe's default), the
// landmark model via the TFLite -> OpenCV net, and projection of crop points to frame
// pixels with the same affine map that made the crop.
#include "lmm/pose/pose_landmarker.h"

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

struct PoseLandmarker::Impl {
  TfliteNet net;
  int size = 256;
};

PoseLandmarker::PoseLandmarker(const std::filesystem::path& model) : impl_(std::make_unique<Impl>()) {
  TfliteModel m = read_tflite(model);
  impl_->net = build_opencv_net(m, {"Identity", "Identity_1"});
  const auto& in = impl_->net.input_shape;
  if (in[1] != in[2] || in[3] != 3 || shape_size(impl_->net.output_shapes[0]) != 5 * kBlazePoseOutputs)
    throw FormatError(model.string(), -1, "not a BlazePose landmark model: expected input (1,N,N,3) "
                                          "and output 'Identity' of 195 values");
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
  PoseLandmarks res;
  res.roi = roi;
  res.score = outs[1].ptr<float>()[0];
  for (int i = 0; i < kBlazePoseOutputs; ++i) {
    const float* r = raw + 5 * i;
    Landmark& l = res.points[i];
    l.x = m(0, 0) * r[0] + m(0, 1) * r[1] + m(0, 2);
    l.y = m(1, 0) * r[0] + m(1, 1) * r[1] + m(1, 2);
    l.z = r[2] * roi.size / n;
    l.visibility = sigmoid(r[3]);
    l.presence = sigmoid(r[4]);
  }
  return res;
}

}  // namespace lmm::pose

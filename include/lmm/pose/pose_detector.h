// BlazePose person detector (MediaPipe pose_detection.tflite): the whole frame is
// letterboxed to 224x224 RGB in [-1, 1]; the SSD head gives, per anchor (2254), 12 values
// (box centre x, y, width, height, then 4 keypoints x, y; all in 224-pixel units relative
// to the anchor centre) and 1 score logit. Decoding, sigmoid scores, weighted non-maximum
// suppression and letterbox removal follow MediaPipe's pose_detection_cpu graph.
// Keypoints: 0 mid-hip centre, 1 full-body scale point, 2 mid-shoulder, 3 upper-body scale.
#pragma once
#include <array>
#include <filesystem>
#include <memory>
#include <vector>

#include <opencv2/core.hpp>

namespace lmm::pose {

// SSD anchor generation options (MediaPipe SsdAnchorsCalculatorOptions).
struct SsdAnchorOptions {
  int input_width = 224, input_height = 224;          // model input size
  int num_layers = 5;                                   // feature map layers
  float min_scale = 0.1484375f, max_scale = 0.75f;      // anchor scale range
  float offset_x = 0.5f, offset_y = 0.5f;               // anchor centre inside a cell
  std::vector<int> strides{8, 16, 32, 32, 32};          // per layer
  std::vector<float> aspect_ratios{1.0f};               // per layer
  float interpolated_scale_aspect_ratio = 1.0f;         // extra anchor per cell (<= 0: none)
  bool fixed_anchor_size = true;                        // anchor w = h = 1
};

// One anchor: centre and size in normalized [0, 1] input coordinates.
struct Anchor {
  float x = 0, y = 0, w = 1, h = 1;
};
// Anchors in the order the model emits them (2254 for the default options).
std::vector<Anchor> ssd_anchors(const SsdAnchorOptions& opt = {});

// One person: box and keypoints in image pixels, score in [0, 1].
struct PoseDetection {
  float score = 0;
  cv::Rect2f box;                       // axis-aligned box (x, y, w, h) in pixels
  std::array<cv::Point2f, 4> keypoints; // see the header comment
};

// Weighted NMS (MediaPipe WEIGHTED): the best-scoring detection absorbs all others with
// IoU > iou_threshold; box and keypoints become the score-weighted mean of the group.
// Returns detections sorted by score, best first.
std::vector<PoseDetection> weighted_nms(std::vector<PoseDetection> dets, float iou_threshold);

// Decodes raw model outputs (boxes (N, 12), score logits (N)) to detections in the
// normalized 224x224 input space (before letterbox removal), keeping score >= min_score.
std::vector<PoseDetection> decode_detections(const float* boxes, const float* logits,
                                             const std::vector<Anchor>& anchors, float min_score,
                                             int input_size = 224);

struct DetectorConfig {
  float min_score = 0.5f;      // detection score threshold, e.g. 0.5
  float nms_iou = 0.3f;        // weighted-NMS IoU threshold, e.g. 0.3
};

class PoseDetector {
 public:
  // Loads pose_detection.tflite; throws IoError / FormatError naming the file.
  explicit PoseDetector(const std::filesystem::path& model, DetectorConfig cfg = {});
  ~PoseDetector();
  PoseDetector(PoseDetector&&) noexcept;
  PoseDetector& operator=(PoseDetector&&) noexcept;

  // Detects people in a BGR 8-bit frame; best first, coordinates in frame pixels.
  std::vector<PoseDetection> detect(const cv::Mat& bgr);
  // Detects people inside `region` of the frame only (letterboxed to the model input,
  // neighbouring pixels fill the letterbox); coordinates in frame pixels.
  std::vector<PoseDetection> detect(const cv::Mat& bgr, const cv::Rect& region);
  // The whole frame first; when nobody is found there, overlapping square tiles with a
  // side of half the frame's longer side (finds people down to ~1/8 of the frame height
  // instead of ~1/4), merged by weighted NMS.
  std::vector<PoseDetection> detect_tiled(const cv::Mat& bgr);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace lmm::pose

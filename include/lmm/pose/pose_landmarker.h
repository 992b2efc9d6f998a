// BlazePose landmark model (pose_landmark_{lite,full,heavy}.tflite) on a rotated square
// person crop. The crop (RotatedRoi) comes from the detector's keypoints 0/1 or from the
// previous frame's helper landmarks 33/34: centre = first point, side = 2 * 1.25 *
// distance(first, second), rotated so the first->second vector points up (MediaPipe's
// AlignmentPointsRects + RectTransformation). The crop is resampled to 256x256 RGB in [0, 1].
// Output "Identity" (1, 195) = 39 points x (x, y, z, visibility logit, presence logit) in
// crop pixels; "Identity_1" (1, 1) the person score (already a probability); "Identity_3"
// (1, 64, 64, 39) per-point heatmap logits, NHWC, used to refine x, y as MediaPipe's pose
// graph does (refine_from_heatmap below).
#pragma once
#include <array>
#include <filesystem>
#include <memory>

#include <opencv2/core.hpp>

namespace lmm::pose {

constexpr int kBlazePosePoints = 33;    // body landmarks 0..32
constexpr int kBlazePoseOutputs = 39;   // incl. helper points 33 (hip centre), 34 (scale)

// A square crop in frame pixels: centre, side length and rotation (radians,
// counter-clockwise positive as in MediaPipe's NormalizedRect, applied in image axes).
struct RotatedRoi {
  cv::Point2f center;
  float size = 0;
  float rotation = 0;
};

// The crop for a person given the alignment points (detector keypoints 0/1 or
// landmarks 33/34): rotation makes start->end point up, side = 2 * scale * |end - start|.
RotatedRoi roi_from_alignment(cv::Point2f start, cv::Point2f end, float scale = 1.25f);

// 2x3 affine matrix mapping crop-tensor pixels (0..tensor_size) to frame pixels.
cv::Matx23f roi_to_frame(const RotatedRoi& roi, int tensor_size);

struct Landmark {
  float x = 0, y = 0;      // frame pixels
  float z = 0;             // depth relative to the hips, in crop-pixel units scaled like x
  float visibility = 0;    // sigmoid(visibility logit), in [0, 1]
  float presence = 0;      // sigmoid(presence logit), in [0, 1]
  cv::Point2f xy() const { return {x, y}; }
};

struct PoseLandmarks {
  std::array<Landmark, kBlazePoseOutputs> points;  // 0..32 body, 33..34 helpers
  float score = 0;                                 // person score in [0, 1]
  RotatedRoi roi;                                  // crop the landmarks came from
};

enum class LandmarkModel { lite, full, heavy };
LandmarkModel parse_landmark_model(const std::string& s);  // "lite" | "full" | "heavy"
const char* landmark_model_name(LandmarkModel m);
// File name inside the models directory, e.g. "pose_landmark_full.tflite".
std::string landmark_model_file(LandmarkModel m);

// MediaPipe's RefineLandmarksFromHeatmapCalculator (kernel 7, min confidence 0.5, as in
// its tensors_to_pose_landmarks_and_segmentation graph): for each point, the sigmoid of the
// heatmap in a kernel x kernel window around the point's cell; when its maximum is >=
// min_confidence, the point moves to the window's confidence-weighted mean cell index
// (index / heatmap size, in the crop's normalized units, as MediaPipe does). Points whose
// cell is outside the heatmap stay. xy: (n, 2) crop-normalized x, y in [0, 1], updated in
// place; heatmap: (h, w, n) logits, HWC.
void refine_from_heatmap(float* xy, int n, const float* heatmap, int h, int w, int kernel = 7,
                         float min_confidence = 0.5f);

class PoseLandmarker {
 public:
  // Loads a pose_landmark_*.tflite; throws IoError / FormatError naming the file.
  // refine: use the heatmap head to refine the points (MediaPipe's default); false skips
  // that head (faster, the points of the regression head only).
  explicit PoseLandmarker(const std::filesystem::path& model, bool refine = true);
  ~PoseLandmarker();
  PoseLandmarker(PoseLandmarker&&) noexcept;
  PoseLandmarker& operator=(PoseLandmarker&&) noexcept;

  // Runs the model on the crop `roi` of a BGR 8-bit frame; points in frame pixels.
  PoseLandmarks run(const cv::Mat& bgr, const RotatedRoi& roi);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace lmm::pose

// Builds a cv::dnn::Net from a parsed TFLite model, layer by layer (addLayer / connect),
// because OpenCV 4.6 cannot open .tflite files itself. Activations that are 4D in TFLite
// (NHWC) live as NCHW blobs inside OpenCV; weights are transposed accordingly
// (CONV_2D (O,H,W,I) -> (O,I,H,W), DEPTHWISE (1,H,W,O) -> (O,1,H,W) with group = C).
// Constant-only ops (DEQUANTIZE float16 -> float32, DENSIFY) are folded at build time.
// Two custom layers fill OpenCV's gaps: TFLite-exact bilinear resize (half_pixel_centers /
// align_corners) and DEPTH_TO_SPACE. Only ops the requested outputs depend on are built.
#pragma once
#include <opencv2/core.hpp>
#include <opencv2/dnn.hpp>
#include <string>
#include <vector>

#include "lmm/pose/tflite_model.h"

namespace lmm::pose {

struct TfliteNet {
  cv::dnn::Net net;
  std::vector<int> input_shape;                // TFLite NHWC, e.g. {1, 256, 256, 3}
  std::vector<std::string> output_names;       // TFLite tensor names, as requested
  std::vector<std::string> output_layers;      // OpenCV layer producing each output
  std::vector<std::vector<int>> output_shapes; // TFLite shapes, e.g. {1, 195}
  std::vector<bool> output_nchw;               // true when the OpenCV blob is NCHW (4D)
  int num_layers = 0;                          // OpenCV layers created (after pruning)
  int num_ops = 0;                             // TFLite operators that produced layers

  // Runs the net on one input blob, NCHW float (1, C, H, W) in the model's value range,
  // and returns each requested output in TFLite layout (4D outputs permuted to NHWC).
  std::vector<cv::Mat> forward(const cv::Mat& input_nchw);
};

// Builds the net for `outputs` (TFLite tensor names; empty = all subgraph outputs).
// Throws FormatError naming the model file and operator when an op or shape is unsupported.
TfliteNet build_opencv_net(const TfliteModel& model, const std::vector<std::string>& outputs = {});

// Registers the custom layer types below with cv::dnn::LayerFactory (idempotent;
// build_opencv_net calls it).
//   "LmmResizeBilinear": params height, width, align_corners, half_pixel_centers.
//   "LmmDepthToSpace":   param block_size; NCHW, TFLite's DCR channel order.
void register_tflite_layers();

}  // namespace lmm::pose

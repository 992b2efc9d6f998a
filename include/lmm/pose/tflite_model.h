// Reader for TensorFlow Lite model files (.tflite): the FlatBuffer described by the public
// schema tensorflow/lite/schema/schema.fbs, parsed with the flatbuffers runtime headers and
// hand-written accessors for the few tables lmm needs (Model, SubGraph, Tensor, Operator,
// Buffer, SparsityParameters and the builtin options of the ops listed in TfliteOp).
// Tensors keep TFLite's layout: activations NHWC, CONV_2D weights (O, H, W, I),
// DEPTHWISE_CONV_2D weights (1, H, W, O). Constant data is exposed as float32 after
// float16 conversion and, for sparse tensors, densification.
#pragma once
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace lmm::pose {

// BuiltinOperator codes from schema.fbs (only the ones lmm's builder knows by name).
enum class TfliteOp : int {
  add = 0, average_pool_2d = 1, concatenation = 2, conv_2d = 3, depthwise_conv_2d = 4,
  depth_to_space = 5, dequantize = 6, fully_connected = 9, logistic = 14, max_pool_2d = 17,
  mul = 18, relu = 19, relu6 = 21, reshape = 22, resize_bilinear = 23, pad = 34, sub = 41,
  densify = 124
};
// Upper-case schema name of a builtin code ("CONV_2D"), or "BUILTIN_<n>" when unknown.
std::string tflite_op_name(int builtin_code);

// TensorType codes from schema.fbs.
enum class TfliteType : int { float32 = 0, float16 = 1, int32 = 2, uint8 = 3, int64 = 4, int8 = 9 };

// Fused activation codes (ActivationFunctionType).
enum class TfliteActivation : int { none = 0, relu = 1, relu_n1_to_1 = 2, relu6 = 3, tanh = 4 };

// Sparse storage of a constant tensor (SparsityParameters): one entry per traversal level.
struct TfliteSparsity {
  struct Dim {
    bool sparse = false;        // SPARSE_CSR (true) or DENSE (false)
    int dense_size = 0;         // extent of a DENSE level, e.g. 3
    std::vector<int> segments;  // CSR row pointers of a SPARSE level
    std::vector<int> indices;   // CSR column indices of a SPARSE level
  };
  std::vector<int> traversal_order;  // e.g. {0, 1, 2, 3}
  std::vector<int> block_map;        // block dimension -> original dimension
  std::vector<Dim> dims;             // one per traversal level
};

struct TfliteTensor {
  std::string name;                    // e.g. "Identity"
  std::vector<int> shape;              // e.g. {1, 256, 256, 3}
  TfliteType type = TfliteType::float32;
  int buffer = 0;                      // index into the model's buffers; 0 = no data
  bool has_sparsity = false;
  TfliteSparsity sparsity;             // valid when has_sparsity
};

// Builtin options of the supported ops, flattened (fields unused by an op keep defaults).
struct TfliteOptions {
  bool same_padding = false;           // Padding SAME (true) or VALID (false)
  int stride_w = 1, stride_h = 1;      // conv / pool strides
  int dilation_w = 1, dilation_h = 1;  // conv dilations
  int depth_multiplier = 1;            // depthwise conv
  int filter_w = 1, filter_h = 1;      // pool window
  TfliteActivation activation = TfliteActivation::none;  // fused activation
  bool align_corners = false;          // RESIZE_BILINEAR
  bool half_pixel_centers = false;     // RESIZE_BILINEAR
  int block_size = 0;                  // DEPTH_TO_SPACE
  int axis = 0;                        // CONCATENATION
  std::vector<int> new_shape;          // RESHAPE (may be empty: then the shape input is used)
};

struct TfliteOperator {
  int builtin_code = 0;          // BuiltinOperator, compare with TfliteOp
  std::string custom_code;       // CUSTOM ops only
  std::vector<int> inputs;       // tensor indices, -1 = optional input absent
  std::vector<int> outputs;      // tensor indices
  TfliteOptions options;
};

// A parsed model (first subgraph). Buffer bytes point into `bytes`, which the model owns.
struct TfliteModel {
  std::string path;                    // file it was read from (for messages)
  int version = 0;                     // schema version, 3
  std::string description;             // e.g. "MLIR Converted."
  std::vector<TfliteTensor> tensors;
  std::vector<TfliteOperator> operators;  // in execution order
  std::vector<int> inputs, outputs;       // subgraph input / output tensor indices
  struct BufferRef { size_t offset = 0, size = 0; };
  std::vector<BufferRef> buffers;          // byte ranges inside `bytes`
  std::shared_ptr<const std::vector<uint8_t>> bytes;

  // Index of the tensor named `name`, or -1.
  int tensor_index(const std::string& name) const;
  // True when tensor t has constant data in the file.
  bool has_data(int t) const;
  // Raw constant bytes of tensor t (empty when it has none).
  const uint8_t* data(int t, size_t* size) const;
};

// Parses a .tflite file held in memory. Throws FormatError(path, -1, reason) when the
// bytes are not a valid TFLite FlatBuffer (bad identifier, offsets out of range, ...).
TfliteModel parse_tflite(std::vector<uint8_t> bytes, const std::string& path);
// Reads and parses a .tflite file; IoError when it cannot be read.
TfliteModel read_tflite(const std::filesystem::path& path);

// IEEE 754 binary16 -> binary32 (exact, including subnormals, inf and NaN).
float half_to_float(uint16_t h);

// Number of elements of a shape (1 for a scalar).
size_t shape_size(const std::vector<int>& shape);

// Expands sparse constant data to a dense row-major tensor of `dense_shape` (TFLite's
// FormatConverter::SparseToDense); values are float32 already.
std::vector<float> densify(const TfliteSparsity& sp, const std::vector<int>& dense_shape,
                           const std::vector<float>& values, const std::string& what);

// Constant data of tensor t as float32: float32 copied, float16 converted, int8/uint8/int32
// cast; sparse tensors densified. Throws FormatError when t has no data or a size mismatch.
std::vector<float> tensor_floats(const TfliteModel& m, int t);
// Constant data of an int32 tensor (e.g. PAD paddings, RESHAPE shape).
std::vector<int> tensor_ints(const TfliteModel& m, int t);

}  // namespace lmm::pose

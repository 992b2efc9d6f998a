// TFLite reader and TFLite -> OpenCV builder: tiny models built in the test with the
// flatbuffers builder (exact expected outputs computed by hand), broken files that must
// throw, and the real MediaPipe models (skipped when scripts/fetch_models.sh has not run)
// checked op by op against the plain-loop reference interpreter in tflite_reference.h.
#include <flatbuffers/flatbuffers.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <map>
#include <random>

#include "lmm/core/error.h"
#include "lmm/pose/tflite_model.h"
#include "lmm/pose/tflite_to_opencv.h"
#include "lmm/pose/video_pose.h"
#include "tflite_reference.h"

using namespace lmm::pose;

namespace {

// Minimal TFLite model writer (schema.fbs field ids) for test fixtures.
class TinyModel {
 public:
  struct Op {
    TfliteOp code;
    std::vector<int> inputs, outputs;
    uint8_t options_type = 0;                                   // BuiltinOptions union tag
    std::function<flatbuffers::Offset<flatbuffers::Table>(flatbuffers::FlatBufferBuilder&)> options;
  };

  // Adds a tensor; `data` (raw bytes) makes it constant. Returns its index.
  int tensor(const std::string& name, std::vector<int> shape, TfliteType type,
             std::vector<uint8_t> data = {}) {
    tensors_.push_back({name, std::move(shape), type, std::move(data)});
    return static_cast<int>(tensors_.size()) - 1;
  }
  int floats(const std::string& name, std::vector<int> shape, const std::vector<float>& v) {
    std::vector<uint8_t> b(v.size() * 4);
    std::memcpy(b.data(), v.data(), b.size());
    return tensor(name, std::move(shape), TfliteType::float32, b);
  }
  void op(Op o) { ops_.push_back(std::move(o)); }
  void io(std::vector<int> in, std::vector<int> out) { inputs_ = std::move(in), outputs_ = std::move(out); }

  std::vector<uint8_t> bytes() {
    flatbuffers::FlatBufferBuilder b;
    using flatbuffers::Offset;
    using flatbuffers::Table;
    auto vt = [](int id) { return static_cast<flatbuffers::voffset_t>(4 + 2 * id); };
    // Buffers: 0 is the empty sentinel, then one per constant tensor.
    std::vector<Offset<Table>> buffers;
    auto empty_buffer = [&] { auto s = b.StartTable(); return Offset<Table>(b.EndTable(s)); };
    buffers.push_back(empty_buffer());
    std::vector<int> buffer_of(tensors_.size(), 0);
    for (size_t i = 0; i < tensors_.size(); ++i) {
      if (tensors_[i].data.empty()) continue;
      b.ForceVectorAlignment(tensors_[i].data.size(), 1, 16);
      auto d = b.CreateVector(tensors_[i].data);
      auto s = b.StartTable();
      b.AddOffset(vt(0), d);
      buffers.push_back(Offset<Table>(b.EndTable(s)));
      buffer_of[i] = static_cast<int>(buffers.size()) - 1;
    }
    std::vector<Offset<Table>> tens;
    for (size_t i = 0; i < tensors_.size(); ++i) {
      auto shape = b.CreateVector(tensors_[i].shape);
      auto name = b.CreateString(tensors_[i].name);
      auto s = b.StartTable();
      b.AddOffset(vt(0), shape);
      b.AddElement<int8_t>(vt(1), static_cast<int8_t>(tensors_[i].type), 0);
      b.AddElement<uint32_t>(vt(2), buffer_of[i], 0);
      b.AddOffset(vt(3), name);
      tens.push_back(Offset<Table>(b.EndTable(s)));
    }
    std::map<int, int> code_index;
    std::vector<Offset<Table>> codes, ops;
    for (const auto& o : ops_) {
      const int code = static_cast<int>(o.code);
      if (!code_index.count(code)) {
        auto s = b.StartTable();
        b.AddElement<int8_t>(vt(0), static_cast<int8_t>(std::min(code, 127)), 0);
        b.AddElement<int32_t>(vt(3), code, 0);
        codes.push_back(Offset<Table>(b.EndTable(s)));
        code_index[code] = static_cast<int>(codes.size()) - 1;
      }
      auto in = b.CreateVector(o.inputs);
      auto out = b.CreateVector(o.outputs);
      Offset<Table> opt = o.options ? o.options(b) : Offset<Table>();
      auto s = b.StartTable();
      b.AddElement<uint32_t>(vt(0), code_index[code], 0);
      b.AddOffset(vt(1), in);
      b.AddOffset(vt(2), out);
      b.AddElement<uint8_t>(vt(3), o.options_type, 0);
      if (o.options) b.AddOffset(vt(4), opt);
      ops.push_back(Offset<Table>(b.EndTable(s)));
    }
    auto tv = b.CreateVector(tens);
    auto iv = b.CreateVector(inputs_);
    auto ov = b.CreateVector(outputs_);
    auto opv = b.CreateVector(ops);
    auto s = b.StartTable();
    b.AddOffset(vt(0), tv);
    b.AddOffset(vt(1), iv);
    b.AddOffset(vt(2), ov);
    b.AddOffset(vt(3), opv);
    auto sg = Offset<Table>(b.EndTable(s));
    auto codes_v = b.CreateVector(codes);
    auto sgs = b.CreateVector(std::vector<Offset<Table>>{sg});
    auto desc = b.CreateString("lmm test model");
    auto bufs = b.CreateVector(buffers);
    s = b.StartTable();
    b.AddElement<uint32_t>(vt(0), 3, 0);
    b.AddOffset(vt(1), codes_v);
    b.AddOffset(vt(2), sgs);
    b.AddOffset(vt(3), desc);
    b.AddOffset(vt(4), bufs);
    b.Finish(Offset<Table>(b.EndTable(s)), "TFL3");
    return {b.GetBufferPointer(), b.GetBufferPointer() + b.GetSize()};
  }

 private:
  struct T {
    std::string name;
    std::vector<int> shape;
    TfliteType type;
    std::vector<uint8_t> data;
  };
  std::vector<T> tensors_;
  std::vector<Op> ops_;
  std::vector<int> inputs_, outputs_;
};

// NHWC data -> NCHW blob for TfliteNet::forward.
cv::Mat nchw_blob(const std::vector<float>& nhwc, int h, int w, int c) {
  cv::Mat blob({1, c, h, w}, CV_32F);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      for (int ch = 0; ch < c; ++ch) blob.ptr<float>()[(ch * h + y) * w + x] = nhwc[(y * w + x) * c + ch];
  return blob;
}

std::vector<float> to_vec(const cv::Mat& m) { return {m.ptr<float>(), m.ptr<float>() + m.total()}; }

std::function<flatbuffers::Offset<flatbuffers::Table>(flatbuffers::FlatBufferBuilder&)> resize_options(
    bool half_pixel, bool align) {
  return [=](flatbuffers::FlatBufferBuilder& b) {
    auto s = b.StartTable();
    b.AddElement<uint8_t>(8, align, 0);       // align_corners (id 2)
    b.AddElement<uint8_t>(10, half_pixel, 0);  // half_pixel_centers (id 3)
    return flatbuffers::Offset<flatbuffers::Table>(b.EndTable(s));
  };
}

std::function<flatbuffers::Offset<flatbuffers::Table>(flatbuffers::FlatBufferBuilder&)> conv_options(
    bool same, int stride) {
  return [=](flatbuffers::FlatBufferBuilder& b) {
    auto s = b.StartTable();
    b.AddElement<int8_t>(4, same ? 0 : 1, 0);  // padding (id 0): SAME 0, VALID 1
    b.AddElement<int32_t>(6, stride, 0);        // stride_w (id 1)
    b.AddElement<int32_t>(8, stride, 0);        // stride_h (id 2)
    return flatbuffers::Offset<flatbuffers::Table>(b.EndTable(s));
  };
}

std::filesystem::path models_dir() {
  std::filesystem::path d = std::filesystem::path(LMM_SOURCE_DIR) / "models" / "mediapipe";
  return models_present(d, LandmarkModel::heavy) ? d : find_models_dir();
}

}  // namespace

TEST(Tflite, HalfToFloatExact) {
  EXPECT_EQ(half_to_float(0x3C00), 1.0f);
  EXPECT_EQ(half_to_float(0xC000), -2.0f);
  EXPECT_EQ(half_to_float(0x7BFF), 65504.0f);                 // largest half
  EXPECT_EQ(half_to_float(0x3555), 0.333251953125f);          // 1/3 rounded to half
  EXPECT_EQ(half_to_float(0x0400), std::ldexp(1.0f, -14));    // smallest normal
  EXPECT_EQ(half_to_float(0x0001), std::ldexp(1.0f, -24));    // smallest subnormal
  EXPECT_EQ(half_to_float(0x03FF), std::ldexp(1023.0f, -24)); // largest subnormal
  EXPECT_TRUE(std::signbit(half_to_float(0x8000)));
  EXPECT_EQ(half_to_float(0x8000), 0.0f);
  EXPECT_EQ(half_to_float(0x7C00), std::numeric_limits<float>::infinity());
  EXPECT_TRUE(std::isnan(half_to_float(0x7E00)));
}

TEST(Tflite, DequantizeFp16WeightsExactThroughNet) {
  // y = conv1x1(x = 1, w = DEQUANTIZE(fp16 constants)): output = the converted weights.
  const std::vector<uint16_t> half{0x3C00, 0xC000, 0x7BFF, 0x3555, 0x0001};
  const std::vector<float> expect{1.0f, -2.0f, 65504.0f, 0.333251953125f, std::ldexp(1.0f, -24)};
  TinyModel tm;
  int x = tm.tensor("x", {1, 1, 1, 1}, TfliteType::float32);
  std::vector<uint8_t> hb(half.size() * 2);
  std::memcpy(hb.data(), half.data(), hb.size());
  int wq = tm.tensor("w_fp16", {5, 1, 1, 1}, TfliteType::float16, hb);
  int w = tm.tensor("w", {5, 1, 1, 1}, TfliteType::float32);
  int y = tm.tensor("y", {1, 1, 1, 5}, TfliteType::float32);
  tm.op({TfliteOp::dequantize, {wq}, {w}});
  tm.op({TfliteOp::conv_2d, {x, w, -1}, {y}, 1, conv_options(false, 1)});
  tm.io({x}, {y});
  TfliteModel m = parse_tflite(tm.bytes(), "dequant.tflite");
  ASSERT_EQ(m.operators.size(), 2u);
  EXPECT_EQ(m.operators[0].builtin_code, static_cast<int>(TfliteOp::dequantize));
  EXPECT_EQ(m.tensors[wq].type, TfliteType::float16);
  EXPECT_EQ(tensor_floats(m, wq), expect);
  TfliteNet net = build_opencv_net(m);
  EXPECT_EQ(net.num_ops, 1);  // DEQUANTIZE folded into the constant
  auto out = net.forward(nchw_blob({1.0f}, 1, 1, 1));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(to_vec(out[0]), expect);
}

TEST(Tflite, ResizeBilinearHalfPixelMatchesHandComputed2x) {
  // 2x2 -> 4x4, two channels (channel 1 = 10 * channel 0), half_pixel_centers.
  // Along one axis, [a, b] -> [a, 0.75a + 0.25b, 0.25a + 0.75b, b] (src = (d+0.5)/2 - 0.5,
  // clamped to the edge), so [[1,2],[3,4]] gives the table below.
  TinyModel tm;
  int x = tm.tensor("x", {1, 2, 2, 2}, TfliteType::float32);
  int size = tm.tensor("size", {2}, TfliteType::int32, {4, 0, 0, 0, 4, 0, 0, 0});
  int y = tm.tensor("y", {1, 4, 4, 2}, TfliteType::float32);
  tm.op({TfliteOp::resize_bilinear, {x, size}, {y}, 15, resize_options(true, false)});
  tm.io({x}, {y});
  TfliteModel m = parse_tflite(tm.bytes(), "resize.tflite");
  EXPECT_TRUE(m.operators[0].options.half_pixel_centers);
  const std::vector<float> in{1, 10, 2, 20, 3, 30, 4, 40};  // NHWC
  const float e[4][4] = {{1, 1.25f, 1.75f, 2}, {1.5f, 1.75f, 2.25f, 2.5f},
                         {2.5f, 2.75f, 3.25f, 3.5f}, {3, 3.25f, 3.75f, 4}};
  TfliteNet net = build_opencv_net(m);
  std::vector<float> got = to_vec(net.forward(nchw_blob(in, 2, 2, 2))[0]);  // NHWC (1,4,4,2)
  ASSERT_EQ(got.size(), 32u);
  for (int yy = 0; yy < 4; ++yy)
    for (int xx = 0; xx < 4; ++xx) {
      EXPECT_FLOAT_EQ(got[(yy * 4 + xx) * 2], e[yy][xx]) << "y=" << yy << " x=" << xx;
      EXPECT_FLOAT_EQ(got[(yy * 4 + xx) * 2 + 1], 10 * e[yy][xx]) << "y=" << yy << " x=" << xx;
    }
  // align_corners instead: [a, b] -> [a, (2a+b)/3, (a+2b)/3, b].
  TinyModel ta;
  x = ta.tensor("x", {1, 2, 2, 1}, TfliteType::float32);
  size = ta.tensor("size", {2}, TfliteType::int32, {4, 0, 0, 0, 4, 0, 0, 0});
  y = ta.tensor("y", {1, 4, 4, 1}, TfliteType::float32);
  ta.op({TfliteOp::resize_bilinear, {x, size}, {y}, 15, resize_options(false, true)});
  ta.io({x}, {y});
  TfliteNet neta = build_opencv_net(parse_tflite(ta.bytes(), "resize_ac.tflite"));
  got = to_vec(neta.forward(nchw_blob({1, 2, 3, 4}, 2, 2, 1))[0]);
  EXPECT_NEAR(got[1], 4.f / 3, 1e-6);
  EXPECT_NEAR(got[4], 5.f / 3, 1e-6);  // (2*1 + 3) / 3 on the first column
  EXPECT_FLOAT_EQ(got[15], 4.f);
}

TEST(Tflite, DepthToSpaceUsesTfliteChannelOrder) {
  // (1,1,1,8) -> (1,2,2,2): out[y, x, c] = in[(y*2 + x)*2 + c].
  TinyModel tm;
  int x = tm.tensor("x", {1, 1, 1, 8}, TfliteType::float32);
  int y = tm.tensor("y", {1, 2, 2, 2}, TfliteType::float32);
  tm.op({TfliteOp::depth_to_space, {x}, {y}, 94, [](flatbuffers::FlatBufferBuilder& b) {
           auto s = b.StartTable();
           b.AddElement<int32_t>(4, 2, 0);  // block_size
           return flatbuffers::Offset<flatbuffers::Table>(b.EndTable(s));
         }});
  tm.io({x}, {y});
  TfliteNet net = build_opencv_net(parse_tflite(tm.bytes(), "d2s.tflite"));
  auto got = to_vec(net.forward(nchw_blob({0, 1, 2, 3, 4, 5, 6, 7}, 1, 1, 8))[0]);
  EXPECT_EQ(got, (std::vector<float>{0, 1, 2, 3, 4, 5, 6, 7}));  // NHWC flat order equals input
}

TEST(Tflite, StrideTwoSamePaddingMatchesReference) {
  // 3x3 stride-2 SAME conv on 6x6: TF pads 0 before and 1 after (asymmetric), which
  // OpenCV 4.6 cannot do in the conv itself; compare with the reference interpreter.
  TinyModel tm;
  int x = tm.tensor("x", {1, 6, 6, 2}, TfliteType::float32);
  std::vector<float> wv(3 * 3 * 3 * 2), bv{0.5f, -1.f, 2.f};
  for (size_t i = 0; i < wv.size(); ++i) wv[i] = std::sin(0.7f * i);
  int w = tm.floats("w", {3, 3, 3, 2}, wv);
  int b = tm.floats("b", {3}, bv);
  int y = tm.tensor("y", {1, 3, 3, 3}, TfliteType::float32);
  tm.op({TfliteOp::conv_2d, {x, w, b}, {y}, 1, conv_options(true, 2)});
  tm.io({x}, {y});
  TfliteModel m = parse_tflite(tm.bytes(), "conv.tflite");
  std::vector<float> in(6 * 6 * 2);
  for (size_t i = 0; i < in.size(); ++i) in[i] = std::cos(0.3f * i);
  auto ref = lmm::test::tflite_reference_run(m, in, {"y"})[0];
  TfliteNet net = build_opencv_net(m);
  auto got = to_vec(net.forward(nchw_blob(in, 6, 6, 2))[0]);
  ASSERT_EQ(got.size(), ref.size());
  for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], ref[i], 1e-5) << i;
  // Hand check of output (0, 0, 0): taps at rows/cols 0..2 (no padding before).
  float s = bv[0];
  for (int ky = 0; ky < 3; ++ky)
    for (int kx = 0; kx < 3; ++kx)
      for (int c = 0; c < 2; ++c) s += in[(ky * 6 + kx) * 2 + c] * wv[(ky * 3 + kx) * 2 + c];
  EXPECT_NEAR(got[0], s, 1e-5);
}

TEST(Tflite, DensifyCsr) {
  // Rows [0 0 5] and [6 7 0]: dim 0 dense (2), dim 1 CSR segments {0,1,3}, indices {2,0,1}.
  TfliteSparsity sp;
  sp.traversal_order = {0, 1};
  sp.dims.resize(2);
  sp.dims[0].dense_size = 2;
  sp.dims[1].sparse = true;
  sp.dims[1].segments = {0, 1, 3};
  sp.dims[1].indices = {2, 0, 1};
  EXPECT_EQ(densify(sp, {2, 3}, {5, 6, 7}, "t"), (std::vector<float>{0, 0, 5, 6, 7, 0}));
  // Column-major traversal (order {1, 0}): column 0 holds row 1's 6, column 2 row 0's 5.
  TfliteSparsity cm = sp;
  cm.traversal_order = {1, 0};
  cm.dims[0].dense_size = 3;
  cm.dims[1].segments = {0, 1, 1, 2};
  cm.dims[1].indices = {1, 0};
  EXPECT_EQ(densify(cm, {2, 3}, {6, 5}, "t"), (std::vector<float>{0, 0, 5, 6, 0, 0}));
  // Inconsistent metadata must throw, naming the tensor.
  sp.dims[1].indices = {2, 0, 9};
  try {
    densify(sp, {2, 3}, {5, 6, 7}, "model.tflite tensor 'w'");
    FAIL() << "expected FormatError";
  } catch (const lmm::FormatError& e) {
    EXPECT_NE(std::string(e.what()).find("tensor 'w'"), std::string::npos) << e.what();
  }
}

TEST(Tflite, BrokenFilesThrowFormatErrorNamingTheFile) {
  TinyModel tm;
  int x = tm.tensor("x", {1, 1, 1, 1}, TfliteType::float32);
  tm.io({x}, {x});
  std::vector<uint8_t> good = tm.bytes();
  EXPECT_NO_THROW(parse_tflite(good, "ok.tflite"));
  auto expect_error = [](std::vector<uint8_t> bytes, const std::string& needle) {
    try {
      parse_tflite(std::move(bytes), "broken.tflite");
      FAIL() << "expected FormatError containing " << needle;
    } catch (const lmm::FormatError& e) {
      EXPECT_EQ(e.file(), "broken.tflite");
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    }
  };
  std::vector<uint8_t> bad_id = good;
  bad_id[4] = 'X';
  expect_error(bad_id, "identifier");
  expect_error(std::vector<uint8_t>(good.begin(), good.begin() + good.size() / 2), "not a valid TFLite model");
  std::vector<uint8_t> bad_root = good;
  bad_root[0] = 0xF0, bad_root[1] = 0xFF, bad_root[2] = 0xFF, bad_root[3] = 0x7F;
  expect_error(bad_root, "not a valid TFLite model");
  expect_error({1, 2, 3}, "not a valid TFLite model");
  EXPECT_THROW(read_tflite("/nonexistent/model.tflite"), lmm::IoError);
}

TEST(Tflite, UnsupportedOpIsNamedWhenBuilding) {
  TinyModel tm;
  int x = tm.tensor("x", {1, 2, 2, 1}, TfliteType::float32);
  int y = tm.tensor("y", {1, 2, 2, 1}, TfliteType::float32);
  tm.op({static_cast<TfliteOp>(28), {x}, {y}});  // TANH: not supported by the builder
  tm.io({x}, {y});
  try {
    build_opencv_net(parse_tflite(tm.bytes(), "tanh.tflite"));
    FAIL() << "expected FormatError";
  } catch (const lmm::FormatError& e) {
    EXPECT_NE(std::string(e.what()).find("BUILTIN_28"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("tanh.tflite"), std::string::npos) << e.what();
  }
}

TEST(TfliteModels, ReaderParsesMediapipeModels) {
  const auto dir = models_dir();
  if (dir.empty()) GTEST_SKIP() << "MediaPipe models absent: run scripts/fetch_models.sh";
  TfliteModel lm = read_tflite(dir / "pose_landmark_lite.tflite");
  EXPECT_EQ(lm.version, 3);
  ASSERT_EQ(lm.inputs.size(), 1u);
  EXPECT_EQ(lm.tensors[lm.inputs[0]].shape, (std::vector<int>{1, 256, 256, 3}));
  EXPECT_EQ(lm.tensors[lm.tensor_index("Identity")].shape, (std::vector<int>{1, 195}));
  EXPECT_EQ(lm.tensors[lm.tensor_index("Identity_1")].shape, (std::vector<int>{1, 1}));
  std::map<std::string, int> ops;
  for (const auto& o : lm.operators) ops[tflite_op_name(o.builtin_code)]++;
  EXPECT_EQ(ops["CONV_2D"], 54);
  EXPECT_EQ(ops["DEPTHWISE_CONV_2D"], 34);
  EXPECT_EQ(ops["DEQUANTIZE"], 176);
  EXPECT_EQ(ops["RESIZE_BILINEAR"], 5);
  EXPECT_EQ(lm.operators.size(), 305u);

  TfliteModel det = read_tflite(dir / "pose_detection.tflite");
  EXPECT_EQ(det.tensors[det.inputs[0]].shape, (std::vector<int>{1, 224, 224, 3}));
  EXPECT_EQ(det.tensors[det.tensor_index("Identity")].shape, (std::vector<int>{1, 2254, 12}));
  int densify_ops = 0;
  for (const auto& o : det.operators) {
    if (o.builtin_code != static_cast<int>(TfliteOp::densify)) continue;
    ++densify_ops;
    const TfliteTensor& t = det.tensors[o.inputs[0]];
    ASSERT_TRUE(t.has_sparsity) << t.name;
    EXPECT_EQ(tensor_floats(det, o.inputs[0]).size(), shape_size(t.shape)) << t.name;
  }
  EXPECT_EQ(densify_ops, 38);
}

TEST(TfliteModels, OpenCvNetMatchesReferenceInterpreter) {
  const auto dir = models_dir();
  if (dir.empty()) GTEST_SKIP() << "MediaPipe models absent: run scripts/fetch_models.sh";
  struct Case { const char* file; std::vector<std::string> outputs; };
  for (const Case& c : {Case{"pose_detection.tflite", {"Identity", "Identity_1"}},
                        Case{"pose_landmark_lite.tflite", {"Identity", "Identity_1"}},
                        Case{"pose_landmark_full.tflite", {"Identity", "Identity_1"}}}) {
    SCOPED_TRACE(c.file);
    TfliteModel m = read_tflite(dir / c.file);
    TfliteNet net = build_opencv_net(m, c.outputs);
    const auto& s = net.input_shape;
    std::mt19937 rng(7);
    std::uniform_real_distribution<float> u(0.f, 1.f);
    std::vector<float> in(shape_size(s));
    for (auto& v : in) v = u(rng);
    auto got = net.forward(nchw_blob(in, s[1], s[2], s[3]));
    auto ref = lmm::test::tflite_reference_run(m, in, c.outputs);
    for (size_t k = 0; k < ref.size(); ++k) {
      ASSERT_EQ(got[k].total(), ref[k].size());
      double max_abs = 0, max_diff = 0;
      for (size_t i = 0; i < ref[k].size(); ++i) {
        max_abs = std::max(max_abs, std::abs(double(ref[k][i])));
        max_diff = std::max(max_diff, std::abs(double(got[k].ptr<float>()[i]) - ref[k][i]));
      }
      EXPECT_LE(max_diff, 1e-4 * std::max(max_abs, 1.0)) << c.outputs[k];
    }
  }
}

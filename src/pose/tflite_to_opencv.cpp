// TFLite -> cv::dnn::Net builder and the two custom layers it needs.
// Per TFLite tensor the builder tracks where OpenCV produces it (layer id, output index)
// and whether the blob is NCHW (every 4D activation) or in TFLite order (everything else).
// RESHAPE of an NCHW blob goes through Permute(0,2,3,1) so that the flat element order is
// TFLite's NHWC order. SAME padding is turned into explicit TF-style asymmetric pads
// (pad_t/pad_b/pad_l/pad_r), since OpenCV's own "SAME" mode pads symmetrically.
#include "lmm/pose/tflite_to_opencv.h"

#include <cmath>
#include <limits>
#include <map>
#include <mutex>
#include <set>

#include "lmm/core/error.h"

namespace lmm::pose {
namespace {

using cv::dnn::LayerParams;
using cv::dnn::MatShape;

// A custom layer with one 4D NCHW float input and one output: subclasses give the output
// shape and the computation.
class UnaryNchwLayer : public cv::dnn::Layer {
 public:
  using Layer::Layer;
  bool getMemoryShapes(const std::vector<MatShape>& in, const int, std::vector<MatShape>& out,
                       std::vector<MatShape>&) const override {
    CV_Assert(in.size() == 1 && in[0].size() == 4);
    out.assign(1, out_shape(in[0]));
    return false;
  }
  void forward(cv::InputArrayOfArrays in_arr, cv::OutputArrayOfArrays out_arr, cv::OutputArrayOfArrays) override {
    std::vector<cv::Mat> in, out;
    in_arr.getMatVector(in);
    out_arr.getMatVector(out);
    run(in[0], out[0]);
  }

 protected:
  virtual MatShape out_shape(MatShape in) const = 0;
  virtual void run(const cv::Mat& x, cv::Mat& y) const = 0;
};

// Bilinear resize with TFLite's exact sampling (reference_ops::ResizeBilinear):
//   src = (dst + 0.5) * scale - 0.5 (half_pixel_centers) or dst * scale, scale = in/out
//   (align_corners: (in-1)/(out-1)); low = max(floor(src), 0), high = min(ceil(src), in-1).
class ResizeBilinearLayer : public UnaryNchwLayer {
 public:
  explicit ResizeBilinearLayer(const LayerParams& p) : UnaryNchwLayer(p) {
    out_h_ = p.get<int>("height");
    out_w_ = p.get<int>("width");
    align_corners_ = p.get<bool>("align_corners", false);
    half_pixel_ = p.get<bool>("half_pixel_centers", false);
  }
  static cv::Ptr<cv::dnn::Layer> create(LayerParams& p) { return cv::makePtr<ResizeBilinearLayer>(p); }

 protected:
  MatShape out_shape(MatShape s) const override {
    s[2] = out_h_, s[3] = out_w_;
    return s;
  }

  void run(const cv::Mat& x, cv::Mat& y) const override {
    const int planes = x.size[0] * x.size[1], ih = x.size[2], iw = x.size[3];
    struct Tap { int lo, hi; float w_hi; };
    auto taps = [&](int in_size, int out_size) {
      float scale = (align_corners_ && out_size > 1) ? float(in_size - 1) / float(out_size - 1)
                                                     : float(in_size) / float(out_size);
      std::vector<Tap> t(out_size);
      for (int o = 0; o < out_size; ++o) {
        float s = half_pixel_ ? (o + 0.5f) * scale - 0.5f : o * scale;
        int lo = std::max(static_cast<int>(std::floor(s)), 0);
        int hi = std::min(static_cast<int>(std::ceil(s)), in_size - 1);
        t[o] = {lo, hi, s - lo};  // weight of `hi`; `lo` gets 1 - w (lo == hi sums to 1)
      }
      return t;
    };
    const auto ty = taps(ih, out_h_), tx = taps(iw, out_w_);
    cv::parallel_for_(cv::Range(0, planes), [&](const cv::Range& r) {
      for (int p = r.start; p < r.end; ++p) {
        const float* src = x.ptr<float>() + static_cast<size_t>(p) * ih * iw;
        float* dst = y.ptr<float>() + static_cast<size_t>(p) * out_h_ * out_w_;
        for (int oy = 0; oy < out_h_; ++oy) {
          const float* r0 = src + ty[oy].lo * iw;
          const float* r1 = src + ty[oy].hi * iw;
          const float wy = ty[oy].w_hi;
          for (int ox = 0; ox < out_w_; ++ox) {
            const Tap& t = tx[ox];
            float top = r0[t.lo] * (1 - t.w_hi) + r0[t.hi] * t.w_hi;
            float bot = r1[t.lo] * (1 - t.w_hi) + r1[t.hi] * t.w_hi;
            dst[oy * out_w_ + ox] = top * (1 - wy) + bot * wy;
          }
        }
      }
    });
  }

 private:
  int out_h_ = 0, out_w_ = 0;
  bool align_corners_ = false, half_pixel_ = false;
};

// DEPTH_TO_SPACE on NCHW: out[n, c, h*b+i, w*b+j] = in[n, (i*b + j)*C_out + c, h, w]
// (TFLite / TensorFlow "DCR" order).
class DepthToSpaceLayer : public UnaryNchwLayer {
 public:
  explicit DepthToSpaceLayer(const LayerParams& p) : UnaryNchwLayer(p) { b_ = p.get<int>("block_size"); }
  static cv::Ptr<cv::dnn::Layer> create(LayerParams& p) { return cv::makePtr<DepthToSpaceLayer>(p); }

 protected:
  MatShape out_shape(MatShape s) const override {
    CV_Assert(b_ > 0 && s[1] % (b_ * b_) == 0);
    s[1] /= b_ * b_, s[2] *= b_, s[3] *= b_;
    return s;
  }

  void run(const cv::Mat& x, cv::Mat& y) const override {
    const int n = x.size[0], cin = x.size[1], h = x.size[2], w = x.size[3], cout = cin / (b_ * b_);
    const int oh = h * b_, ow = w * b_;
    for (int bn = 0; bn < n; ++bn)
      for (int c = 0; c < cout; ++c)
        for (int yy = 0; yy < oh; ++yy)
          for (int xx = 0; xx < ow; ++xx) {
            int i = yy % b_, j = xx % b_;
            int ci = (i * b_ + j) * cout + c;
            y.ptr<float>()[((static_cast<size_t>(bn) * cout + c) * oh + yy) * ow + xx] =
                x.ptr<float>()[((static_cast<size_t>(bn) * cin + ci) * h + yy / b_) * w + xx / b_];
          }
  }

 private:
  int b_ = 0;
};

// TF SAME padding: total = max((out-1)*stride + (k-1)*dil + 1 - in, 0), extra on the end side.
std::pair<int, int> same_pads(int in, int out, int k, int stride, int dil) {
  int total = std::max((out - 1) * stride + (k - 1) * dil + 1 - in, 0);
  return {total / 2, total - total / 2};
}

class Builder {
 public:
  explicit Builder(const TfliteModel& m) : m_(m) {}

  TfliteNet build(std::vector<std::string> outputs) {
    register_tflite_layers();
    if (outputs.empty())
      for (int t : m_.outputs) outputs.push_back(m_.tensors[t].name);
    LMM_CHECK(m_.inputs.size() == 1, m_.path << ": expected one model input, found " << m_.inputs.size());
    const int in_t = m_.inputs[0];
    res_.input_shape = m_.tensors[in_t].shape;
    if (res_.input_shape.size() != 4)
      fail(-1, "model input must be 4D NHWC, got rank " + std::to_string(res_.input_shape.size()));
    res_.net.setInputsNames({"input"});
    ports_[in_t] = {0, 0, true};

    std::vector<int> out_t;
    for (const auto& name : outputs) {
      int t = m_.tensor_index(name);
      if (t < 0) fail(-1, "no tensor named '" + name + "'");
      out_t.push_back(t);
    }
    mark_needed(out_t);
    for (size_t i = 0; i < m_.operators.size(); ++i)
      if (needed_ops_.count(static_cast<int>(i))) add_op(static_cast<int>(i));

    for (size_t k = 0; k < out_t.size(); ++k) {
      auto it = ports_.find(out_t[k]);
      if (it == ports_.end()) fail(-1, "output '" + outputs[k] + "' is not produced by any operator");
      // Give every output its own named layer so forward() can ask for it by name.
      const Port p = it->second;
      LayerParams lp;
      const std::string name = "out_" + std::to_string(k);
      lp.name = name, lp.type = "Identity";
      int id = res_.net.addLayer(name, "Identity", lp);
      res_.net.connect(p.layer, p.out, id, 0);
      ++res_.num_layers;
      res_.output_names.push_back(outputs[k]);
      res_.output_layers.push_back(name);
      res_.output_shapes.push_back(m_.tensors[out_t[k]].shape);
      res_.output_nchw.push_back(p.nchw);
    }
    res_.net.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
    res_.net.setPreferableTarget(cv::dnn::DNN_TARGET_CPU);
    return std::move(res_);
  }

 private:
  struct Port { int layer = -1, out = 0; bool nchw = false; };

  [[noreturn]] void fail(int op, const std::string& what) const {
    std::string where = op >= 0 ? "operator " + std::to_string(op) + " (" +
                                      tflite_op_name(m_.operators[op].builtin_code) + "): " : "";
    throw FormatError(m_.path, -1, "cannot build OpenCV net: " + where + what);
  }

  // Backward reachability from the requested outputs over tensor producers.
  void mark_needed(const std::vector<int>& outs) {
    std::map<int, int> producer;
    for (size_t i = 0; i < m_.operators.size(); ++i)
      for (int t : m_.operators[i].outputs) producer[t] = static_cast<int>(i);
    std::vector<int> stack(outs.begin(), outs.end());
    std::set<int> seen;
    while (!stack.empty()) {
      int t = stack.back();
      stack.pop_back();
      if (t < 0 || !seen.insert(t).second) continue;
      auto it = producer.find(t);
      if (it == producer.end()) continue;
      if (needed_ops_.insert(it->second).second)
        for (int in : m_.operators[it->second].inputs) stack.push_back(in);
    }
  }

  const std::vector<int>& shape(int t) const { return m_.tensors[t].shape; }

  bool is_const(int t) const { return consts_.count(t) || m_.has_data(t); }
  const std::vector<float>& const_of(int op, int t) {
    auto it = consts_.find(t);
    if (it != consts_.end()) return it->second;
    if (!m_.has_data(t)) fail(op, "tensor '" + m_.tensors[t].name + "' must be constant");
    return consts_[t] = tensor_floats(m_, t);
  }
  Port port(int op, int t) {
    auto it = ports_.find(t);
    if (it == ports_.end()) fail(op, "input tensor '" + m_.tensors[t].name + "' is not computed");
    return it->second;
  }

  int add_layer(const std::string& type, LayerParams lp, const std::vector<Port>& inputs) {
    const std::string name = "l" + std::to_string(res_.num_layers) + "_" + type;
    lp.name = name, lp.type = type;
    int id = res_.net.addLayer(name, type, lp);
    for (size_t i = 0; i < inputs.size(); ++i)
      res_.net.connect(inputs[i].layer, inputs[i].out, id, static_cast<int>(i));
    ++res_.num_layers;
    return id;
  }
  Port add_simple(const std::string& type, const LayerParams& lp, Port in) {
    return {add_layer(type, lp, {in}), 0, in.nchw};
  }
  Port permute(Port in, std::vector<int> order, bool nchw_after) {
    LayerParams lp;
    lp.set("order", cv::dnn::DictValue::arrayInt(order.data(), static_cast<int>(order.size())));
    return {add_layer("Permute", lp, {in}), 0, nchw_after};
  }
  Port activation(int op, Port p, TfliteActivation act) {
    LayerParams lp;
    switch (act) {
      case TfliteActivation::none: return p;
      case TfliteActivation::relu: return add_simple("ReLU", lp, p);
      case TfliteActivation::relu6:
      case TfliteActivation::relu_n1_to_1:
        lp.set("min_value", act == TfliteActivation::relu6 ? 0.f : -1.f);
        lp.set("max_value", act == TfliteActivation::relu6 ? 6.f : 1.f);
        return add_simple("ReLU6", lp, p);
      case TfliteActivation::tanh: return add_simple("TanH", lp, p);
    }
    fail(op, "unsupported fused activation " + std::to_string(static_cast<int>(act)));
  }
  // Sets conv/pool strides and TF padding. OpenCV 4.6 rejects asymmetric pads, so those go
  // into an explicit Padding layer in front (filled with `fill`); returns the layer input.
  Port set_pads(LayerParams& lp, const TfliteOptions& o, int in_t, int out_t, int kh, int kw,
                Port in, float fill) {
    int pt = 0, pb = 0, pl = 0, pr = 0;
    if (o.same_padding) {
      std::tie(pt, pb) = same_pads(shape(in_t)[1], shape(out_t)[1], kh, o.stride_h, o.dilation_h);
      std::tie(pl, pr) = same_pads(shape(in_t)[2], shape(out_t)[2], kw, o.stride_w, o.dilation_w);
    }
    lp.set("stride_h", o.stride_h), lp.set("stride_w", o.stride_w);
    if (pt == pb && pl == pr) {
      lp.set("pad_h", pt), lp.set("pad_w", pl);
      return in;
    }
    lp.set("pad_h", 0), lp.set("pad_w", 0);
    LayerParams pp;
    const int pads[8] = {0, 0, 0, 0, pt, pb, pl, pr};
    pp.set("paddings", cv::dnn::DictValue::arrayInt(pads, 8));
    pp.set("value", fill);
    return add_simple("Padding", pp, in);
  }
  void require_rank(int op, int t, size_t rank) {
    if (shape(t).size() != rank)
      fail(op, "tensor '" + m_.tensors[t].name + "' has rank " + std::to_string(shape(t).size()) +
                   ", expected " + std::to_string(rank));
  }

  void add_conv(int op, bool depthwise) {
    const auto& o = m_.operators[op];
    const int x = o.inputs.at(0), w = o.inputs.at(1), y = o.outputs.at(0);
    const int b = o.inputs.size() > 2 ? o.inputs[2] : -1;
    require_rank(op, x, 4), require_rank(op, w, 4), require_rank(op, y, 4);
    const auto& ws = shape(w);  // conv (O,H,W,I); depthwise (1,H,W,O)
    const int kh = ws[1], kw = ws[2];
    const int cin = shape(x)[3], cout = shape(y)[3];
    const std::vector<float>& wv = const_of(op, w);
    const int wi = depthwise ? 1 : ws[3];
    if ((!depthwise && (ws[0] != cout || ws[3] != cin)) || (depthwise && ws[3] != cout))
      fail(op, "weight shape does not match input/output channels");
    cv::Mat wm({cout, wi, kh, kw}, CV_32F);
    float* dst = wm.ptr<float>();
    for (int oc = 0; oc < cout; ++oc)
      for (int ic = 0; ic < wi; ++ic)
        for (int yy = 0; yy < kh; ++yy)
          for (int xx = 0; xx < kw; ++xx) {
            size_t src = depthwise ? (static_cast<size_t>(yy) * kw + xx) * cout + oc
                                   : ((static_cast<size_t>(oc) * kh + yy) * kw + xx) * cin + ic;
            dst[((static_cast<size_t>(oc) * wi + ic) * kh + yy) * kw + xx] = wv[src];
          }
    LayerParams lp;
    lp.set("kernel_h", kh), lp.set("kernel_w", kw);
    lp.set("dilation_h", o.options.dilation_h), lp.set("dilation_w", o.options.dilation_w);
    Port in = set_pads(lp, o.options, x, y, kh, kw, port(op, x), 0.f);
    lp.set("num_output", cout);
    lp.set("group", depthwise ? cin : 1);
    lp.blobs.push_back(wm);
    if (b >= 0) {
      const std::vector<float>& bv = const_of(op, b);
      if (static_cast<int>(bv.size()) != cout) fail(op, "bias size mismatch");
      lp.blobs.push_back(cv::Mat(1, cout, CV_32F, const_cast<float*>(bv.data())).clone());
    }
    lp.set("bias_term", b >= 0);
    Port p{add_layer("Convolution", lp, {in}), 0, true};
    ports_[y] = activation(op, p, o.options.activation);
  }

  void add_op(int op) {
    const auto& o = m_.operators[op];
    const auto code = static_cast<TfliteOp>(o.builtin_code);
    if (o.outputs.empty()) fail(op, "operator without outputs");
    const int y = o.outputs[0];
    LayerParams lp;
    switch (code) {
      case TfliteOp::dequantize:
      case TfliteOp::densify:
        if (!is_const(o.inputs.at(0))) fail(op, "only constant inputs are supported");
        consts_[y] = const_of(op, o.inputs[0]);
        return;  // folded: no layer
      case TfliteOp::conv_2d: add_conv(op, false); break;
      case TfliteOp::depthwise_conv_2d: add_conv(op, true); break;
      case TfliteOp::add: {
        const int a = o.inputs.at(0), b = o.inputs.at(1);
        if (is_const(a) || is_const(b) || shape(a) != shape(b))
          fail(op, "only ADD of two computed tensors of equal shape is supported");
        lp.set("operation", "sum");
        Port pa = port(op, a), pb = port(op, b);
        Port p{add_layer("Eltwise", lp, {pa, pb}), 0, pa.nchw};
        ports_[y] = activation(op, p, o.options.activation);
        break;
      }
      case TfliteOp::logistic:
        ports_[y] = add_simple("Sigmoid", lp, port(op, o.inputs.at(0)));
        break;
      case TfliteOp::relu:
        ports_[y] = add_simple("ReLU", lp, port(op, o.inputs.at(0)));
        break;
      case TfliteOp::relu6:
        ports_[y] = activation(op, port(op, o.inputs.at(0)), TfliteActivation::relu6);
        break;
      case TfliteOp::pad: {
        const int x = o.inputs.at(0);
        require_rank(op, x, 4);
        std::vector<int> pads = tensor_ints(m_, o.inputs.at(1));  // (4, 2) NHWC
        if (pads.size() != 8) fail(op, "paddings must be (4, 2)");
        const int order[4] = {0, 3, 1, 2};                        // NCHW dims in NHWC terms
        std::vector<int> nchw;
        for (int d : order) nchw.push_back(pads[2 * d]), nchw.push_back(pads[2 * d + 1]);
        lp.set("paddings", cv::dnn::DictValue::arrayInt(nchw.data(), 8));
        lp.set("value", 0.f);
        ports_[y] = add_simple("Padding", lp, port(op, x));
        break;
      }
      case TfliteOp::max_pool_2d:
      case TfliteOp::average_pool_2d: {
        const int x = o.inputs.at(0);
        require_rank(op, x, 4);
        lp.set("pool", code == TfliteOp::max_pool_2d ? "max" : "ave");
        lp.set("kernel_h", o.options.filter_h), lp.set("kernel_w", o.options.filter_w);
        const bool is_max = code == TfliteOp::max_pool_2d;
        Port in = set_pads(lp, o.options, x, y, o.options.filter_h, o.options.filter_w, port(op, x),
                           is_max ? -std::numeric_limits<float>::max() : 0.f);
        if (!is_max && in.layer != port(op, x).layer) fail(op, "asymmetric SAME padding in AVERAGE_POOL_2D");
        lp.set("ceil_mode", false);
        lp.set("ave_pool_padded_area", false);  // TFLite averages over valid cells only
        Port p = add_simple("Pooling", lp, in);
        ports_[y] = activation(op, p, o.options.activation);
        break;
      }
      case TfliteOp::reshape: {
        Port p = port(op, o.inputs.at(0));
        if (p.nchw) p = permute(p, {0, 2, 3, 1}, false);  // to TFLite element order
        std::vector<int> dims = shape(y);
        lp.set("dim", cv::dnn::DictValue::arrayInt(dims.data(), static_cast<int>(dims.size())));
        p = add_simple("Reshape", lp, p);
        p.nchw = false;
        if (dims.size() == 4) p = permute(p, {0, 3, 1, 2}, true);
        ports_[y] = p;
        break;
      }
      case TfliteOp::concatenation: {
        std::vector<Port> in;
        for (int t : o.inputs) {
          if (is_const(t)) fail(op, "constant concatenation inputs are not supported");
          in.push_back(port(op, t));
        }
        const int rank = static_cast<int>(shape(y).size());
        int axis = o.options.axis < 0 ? o.options.axis + rank : o.options.axis;
        if (in[0].nchw) axis = std::vector<int>{0, 2, 3, 1}.at(axis);  // NHWC axis -> NCHW
        lp.set("axis", axis);
        Port p{add_layer("Concat", lp, in), 0, in[0].nchw};
        ports_[y] = activation(op, p, o.options.activation);
        break;
      }
      case TfliteOp::resize_bilinear: {
        const int x = o.inputs.at(0);
        require_rank(op, x, 4);
        lp.set("height", shape(y)[1]), lp.set("width", shape(y)[2]);
        lp.set("align_corners", o.options.align_corners);
        lp.set("half_pixel_centers", o.options.half_pixel_centers);
        ports_[y] = add_simple("LmmResizeBilinear", lp, port(op, x));
        break;
      }
      case TfliteOp::depth_to_space: {
        const int x = o.inputs.at(0);
        require_rank(op, x, 4);
        lp.set("block_size", o.options.block_size);
        ports_[y] = add_simple("LmmDepthToSpace", lp, port(op, x));
        break;
      }
      default:
        fail(op, "operator not supported by lmm's TFLite -> OpenCV builder");
    }
    ++res_.num_ops;
  }

  const TfliteModel& m_;
  TfliteNet res_;
  std::map<int, Port> ports_;
  std::map<int, std::vector<float>> consts_;
  std::set<int> needed_ops_;
};

}  // namespace

void register_tflite_layers() {
  static std::once_flag once;
  std::call_once(once, [] {
    cv::dnn::LayerFactory::registerLayer("LmmResizeBilinear", ResizeBilinearLayer::create);
    cv::dnn::LayerFactory::registerLayer("LmmDepthToSpace", DepthToSpaceLayer::create);
  });
}

TfliteNet build_opencv_net(const TfliteModel& model, const std::vector<std::string>& outputs) {
  return Builder(model).build(outputs);
}

std::vector<cv::Mat> TfliteNet::forward(const cv::Mat& input_nchw) {
  net.setInput(input_nchw, "input");
  std::vector<cv::Mat> outs;
  net.forward(outs, output_layers);
  for (size_t k = 0; k < outs.size(); ++k) {
    cv::Mat o = outs[k];
    if (output_nchw[k] && o.dims == 4) {  // NCHW -> NHWC
      const int n = o.size[0], c = o.size[1], h = o.size[2], w = o.size[3];
      cv::Mat t({n, h, w, c}, CV_32F);
      for (int bn = 0; bn < n; ++bn)
        for (int ch = 0; ch < c; ++ch)
          for (int i = 0; i < h * w; ++i)
            t.ptr<float>()[(static_cast<size_t>(bn) * h * w + i) * c + ch] =
                o.ptr<float>()[(static_cast<size_t>(bn) * c + ch) * h * w + i];
      o = t;
    } else {
      o = o.clone();
    }
    outs[k] = o;
  }
  return outs;
}

}  // namespace lmm::pose

// Test-only reference interpreter for the TFLite ops lmm's OpenCV builder supports: plain
// loops over TFLite's own NHWC layout with TFLite's padding/resize rules, no OpenCV. The
// tests run a model both ways on the same input and compare outputs, which checks the
// builder's layout conversions (NHWC <-> NCHW, weight transposes, asymmetric SAME pads).
// Tensors are flat std::vector<float> in TFLite order.
#pragma once
#include <algorithm>
#include <cmath>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "lmm/pose/tflite_model.h"

namespace lmm::test {

// Runs `m` on `input` (TFLite NHWC order) and returns the tensors named in `outputs`.
inline std::vector<std::vector<float>> tflite_reference_run(const pose::TfliteModel& m,
                                                            const std::vector<float>& input,
                                                            const std::vector<std::string>& outputs) {
  using pose::TfliteOp;
  std::map<int, std::vector<float>> v;
  v[m.inputs.at(0)] = input;
  auto val = [&](int t) -> const std::vector<float>& {
    auto it = v.find(t);
    if (it == v.end()) it = v.emplace(t, pose::tensor_floats(m, t)).first;
    return it->second;
  };
  auto act = [](float x, pose::TfliteActivation a) {
    switch (a) {
      case pose::TfliteActivation::relu: return std::max(x, 0.f);
      case pose::TfliteActivation::relu6: return std::min(std::max(x, 0.f), 6.f);
      case pose::TfliteActivation::relu_n1_to_1: return std::min(std::max(x, -1.f), 1.f);
      case pose::TfliteActivation::tanh: return std::tanh(x);
      default: return x;
    }
  };
  auto pad_begin = [](int in, int out, int k, int s, int d, bool same) {
    return same ? std::max((out - 1) * s + (k - 1) * d + 1 - in, 0) / 2 : 0;
  };
  for (const auto& o : m.operators) {
    const auto code = static_cast<TfliteOp>(o.builtin_code);
    const int y = o.outputs.at(0);
    const auto& ys = m.tensors[y].shape;
    std::vector<float> out(pose::shape_size(ys), 0.f);
    switch (code) {
      case TfliteOp::dequantize:
      case TfliteOp::densify:
        out = val(o.inputs[0]);
        break;
      case TfliteOp::conv_2d:
      case TfliteOp::depthwise_conv_2d: {
        const bool dw = code == TfliteOp::depthwise_conv_2d;
        const auto& x = val(o.inputs[0]);
        const auto& w = val(o.inputs[1]);
        const std::vector<float> zero(ys[3], 0.f);
        const auto& b = o.inputs.size() > 2 && o.inputs[2] >= 0 ? val(o.inputs[2]) : zero;
        const auto& xs = m.tensors[o.inputs[0]].shape;
        const auto& ws = m.tensors[o.inputs[1]].shape;
        const int H = xs[1], W = xs[2], C = xs[3], OH = ys[1], OW = ys[2], OC = ys[3], KH = ws[1], KW = ws[2];
        const auto& op = o.options;
        const int pt = pad_begin(H, OH, KH, op.stride_h, op.dilation_h, op.same_padding);
        const int pl = pad_begin(W, OW, KW, op.stride_w, op.dilation_w, op.same_padding);
        const int mult = dw ? OC / C : 1;
        for (int oy = 0; oy < OH; ++oy)
          for (int ox = 0; ox < OW; ++ox)
            for (int oc = 0; oc < OC; ++oc) {
              float s = b[oc];
              for (int ky = 0; ky < KH; ++ky)
                for (int kx = 0; kx < KW; ++kx) {
                  int iy = oy * op.stride_h - pt + ky * op.dilation_h;
                  int ix = ox * op.stride_w - pl + kx * op.dilation_w;
                  if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
                  const float* px = &x[(static_cast<size_t>(iy) * W + ix) * C];
                  if (dw) {
                    s += px[oc / mult] * w[(static_cast<size_t>(ky) * KW + kx) * OC + oc];
                  } else {
                    const float* pw = &w[((static_cast<size_t>(oc) * KH + ky) * KW + kx) * C];
                    for (int ic = 0; ic < C; ++ic) s += px[ic] * pw[ic];
                  }
                }
              out[(static_cast<size_t>(oy) * OW + ox) * OC + oc] = act(s, op.activation);
            }
        break;
      }
      case TfliteOp::add: {
        const auto& a = val(o.inputs[0]);
        const auto& b = val(o.inputs[1]);
        for (size_t i = 0; i < out.size(); ++i) out[i] = act(a[i] + b[i], o.options.activation);
        break;
      }
      case TfliteOp::logistic: {
        const auto& a = val(o.inputs[0]);
        for (size_t i = 0; i < out.size(); ++i) out[i] = 1.f / (1.f + std::exp(-a[i]));
        break;
      }
      case TfliteOp::reshape:
        out = val(o.inputs[0]);
        break;
      case TfliteOp::pad: {
        const auto& x = val(o.inputs[0]);
        const auto& xs = m.tensors[o.inputs[0]].shape;
        std::vector<int> p = pose::tensor_ints(m, o.inputs[1]);
        for (int yy = 0; yy < xs[1]; ++yy)
          for (int xx = 0; xx < xs[2]; ++xx)
            for (int c = 0; c < xs[3]; ++c)
              out[((static_cast<size_t>(yy + p[2]) * ys[2]) + xx + p[4]) * ys[3] + c + p[6]] =
                  x[(static_cast<size_t>(yy) * xs[2] + xx) * xs[3] + c];
        break;
      }
      case TfliteOp::max_pool_2d: {
        const auto& x = val(o.inputs[0]);
        const auto& xs = m.tensors[o.inputs[0]].shape;
        const auto& op = o.options;
        const int pt = pad_begin(xs[1], ys[1], op.filter_h, op.stride_h, 1, op.same_padding);
        const int pl = pad_begin(xs[2], ys[2], op.filter_w, op.stride_w, 1, op.same_padding);
        for (int oy = 0; oy < ys[1]; ++oy)
          for (int ox = 0; ox < ys[2]; ++ox)
            for (int c = 0; c < ys[3]; ++c) {
              float best = -1e30f;
              for (int ky = 0; ky < op.filter_h; ++ky)
                for (int kx = 0; kx < op.filter_w; ++kx) {
                  int iy = oy * op.stride_h - pt + ky, ix = ox * op.stride_w - pl + kx;
                  if (iy < 0 || iy >= xs[1] || ix < 0 || ix >= xs[2]) continue;
                  best = std::max(best, x[(static_cast<size_t>(iy) * xs[2] + ix) * xs[3] + c]);
                }
              out[(static_cast<size_t>(oy) * ys[2] + ox) * ys[3] + c] = act(best, op.activation);
            }
        break;
      }
      case TfliteOp::resize_bilinear: {
        const auto& x = val(o.inputs[0]);
        const auto& xs = m.tensors[o.inputs[0]].shape;
        const auto& op = o.options;
        auto src = [&](int d, int in, int outn, int* lo, int* hi) {
          float sc = op.align_corners && outn > 1 ? float(in - 1) / (outn - 1) : float(in) / outn;
          float s = op.half_pixel_centers ? (d + 0.5f) * sc - 0.5f : d * sc;
          *lo = std::max(int(std::floor(s)), 0);
          *hi = std::min(int(std::ceil(s)), in - 1);
          return s;
        };
        for (int oy = 0; oy < ys[1]; ++oy)
          for (int ox = 0; ox < ys[2]; ++ox) {
            int y0, y1, x0, x1;
            float sy = src(oy, xs[1], ys[1], &y0, &y1), sx = src(ox, xs[2], ys[2], &x0, &x1);
            for (int c = 0; c < ys[3]; ++c) {
              auto at = [&](int yy, int xx) { return x[(static_cast<size_t>(yy) * xs[2] + xx) * xs[3] + c]; };
              out[(static_cast<size_t>(oy) * ys[2] + ox) * ys[3] + c] =
                  at(y0, x0) * (1 - (sy - y0)) * (1 - (sx - x0)) + at(y1, x0) * (sy - y0) * (1 - (sx - x0)) +
                  at(y0, x1) * (1 - (sy - y0)) * (sx - x0) + at(y1, x1) * (sy - y0) * (sx - x0);
            }
          }
        break;
      }
      case TfliteOp::depth_to_space: {
        const auto& x = val(o.inputs[0]);
        const auto& xs = m.tensors[o.inputs[0]].shape;
        const int bs = o.options.block_size;
        for (int oy = 0; oy < ys[1]; ++oy)
          for (int ox = 0; ox < ys[2]; ++ox)
            for (int c = 0; c < ys[3]; ++c) {
              int ci = ((oy % bs) * bs + ox % bs) * ys[3] + c;
              out[(static_cast<size_t>(oy) * ys[2] + ox) * ys[3] + c] =
                  x[(static_cast<size_t>(oy / bs) * xs[2] + ox / bs) * xs[3] + ci];
            }
        break;
      }
      case TfliteOp::concatenation: {
        // Concatenation along `axis`: outer = product of dims before it.
        const int rank = static_cast<int>(ys.size());
        const int axis = o.options.axis < 0 ? o.options.axis + rank : o.options.axis;
        size_t outer = 1;
        for (int d = 0; d < axis; ++d) outer *= ys[d];
        size_t pos = 0;
        for (size_t k = 0; k < outer; ++k)
          for (int t : o.inputs) {
            const auto& x = val(t);
            size_t chunk = x.size() / outer;
            std::copy(x.begin() + k * chunk, x.begin() + (k + 1) * chunk, out.begin() + pos);
            pos += chunk;
          }
        break;
      }
      default:
        throw std::runtime_error("reference interpreter: unsupported op " + pose::tflite_op_name(o.builtin_code));
    }
    v[y] = std::move(out);
  }
  std::vector<std::vector<float>> res;
  for (const auto& name : outputs) res.push_back(v.at(m.tensor_index(name)));
  return res;
}

}  // namespace lmm::test

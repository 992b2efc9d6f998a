// Allocation-free decoding steps (see include/lmm/models/decode_session.h). Mirrors
// DecoderLayerImpl::step in eval mode: pre-LN self-attention over the cached steps,
// cross-attention over the memory, GELU FFN, residual adds, final LayerNorm.
#include "lmm/models/decode_session.h"

#include <algorithm>
#include <cmath>

#include "lmm/core/error.h"
#include "row_kernels.h"

extern "C" {
#include <cblas.h>
}

namespace lmm::models {
namespace {

// out[b] = LayerNorm(x[b]) over d, with the module's weight, bias and eps.

LMM_VECTOR_CLONES void layer_norm(const float* x, float* out, int64_t B, int64_t d, const torch::nn::LayerNorm& ln) {
  const float* w = ln->weight.data_ptr<float>();
  const float* b = ln->bias.data_ptr<float>();
  const double eps = ln->options.eps();
  for (int64_t r = 0; r < B; ++r, x += d, out += d) {
    double mean = 0, var = 0;
    for (int64_t i = 0; i < d; ++i) mean += x[i];
    mean /= d;
    for (int64_t i = 0; i < d; ++i) var += (x[i] - mean) * (x[i] - mean);
    const float inv = static_cast<float>(1.0 / std::sqrt(var / d + eps));
    const float m = static_cast<float>(mean);
    for (int64_t i = 0; i < d; ++i) out[i] = (x[i] - m) * inv * w[i] + b[i];
  }
}

// ctx (dh) = softmax(q . k_t * scale) . v_t over t < n. Keys are stored transposed,
// kt (dh, stride) with key t in column t, so the scores accumulate over contiguous
// columns (vectorized, no reduction); values v (n, dh) rows; s: n floats of scratch.
LMM_VECTOR_CLONES void attend_head(const float* __restrict q, const float* __restrict kt, int64_t stride,
                                   const float* __restrict v, int64_t n, int64_t dh, float scale,
                                   float* __restrict s, float* __restrict ctx) {
  std::fill(s, s + n, 0.f);
  for (int64_t i = 0; i < dh; ++i) {
    const float qi = q[i] * scale;
    const float* __restrict row = kt + i * stride;
    for (int64_t t = 0; t < n; ++t) s[t] += qi * row[t];
  }
  softmax_rows(s, nullptr, 1, n);
  std::fill(ctx, ctx + dh, 0.f);
  for (int64_t t = 0; t < n; ++t) {
    const float a = s[t];
    const float* __restrict vt = v + t * dh;
    for (int64_t i = 0; i < dh; ++i) ctx[i] += a * vt[i];
  }
}

}  // namespace

// y (B, n) = x (B, k) W^T + b, or y += x W^T + b when `accumulate` (a residual add).
// BLAS directly: at batch 1 a torch::addmm costs a few microseconds of dispatch on top
// of a GEMV of ~100 us, and a step runs 36 of them.
void DecodeSession::Gemv::operator()(const float* x, int64_t B, float* y, bool accumulate) const {
  for (int64_t r = 0; r < B; ++r)
    for (int64_t i = 0; i < n; ++i) y[r * n + i] = (accumulate ? y[r * n + i] : 0.f) + b[i];
  if (B == 1)
    cblas_sgemv(CblasRowMajor, CblasNoTrans, static_cast<int>(n), static_cast<int>(k), 1.f, w,
                static_cast<int>(k), x, 1, 1.f, y, 1);
  else
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, static_cast<int>(B), static_cast<int>(n),
                static_cast<int>(k), 1.f, x, static_cast<int>(k), w, static_cast<int>(k), 1.f, y,
                static_cast<int>(n));
}

DecodeSession::Gemv DecodeSession::Gemv::rows(const torch::nn::Linear& lin, int64_t first, int64_t count) {
  LMM_CHECK(lin->weight.is_contiguous() && lin->weight.scalar_type() == torch::kFloat,
            "DecodeSession: weights must be contiguous float, got " << lin->weight.scalar_type());
  const int64_t k = lin->weight.size(1);
  if (count < 0) count = lin->weight.size(0);
  return {lin->weight.data_ptr<float>() + first * k, lin->bias.data_ptr<float>() + first, count, k};
}

bool DecodeSession::supported(const torch::Tensor& memory) {
  return !torch::GradMode::is_enabled() && memory.device().is_cpu() && memory.scalar_type() == torch::kFloat;
}

DecodeSession::DecodeSession(DecoderImpl& decoder, const torch::Tensor& memory, int64_t max_steps)
    : dec_(decoder), max_steps_(max_steps) {
  LMM_CHECK(supported(memory), "DecodeSession needs float CPU memory with gradients off, got "
                                   << memory.scalar_type() << " on " << memory.device());
  LMM_CHECK(memory.dim() == 3 && max_steps >= 1,
            "DecodeSession: memory " << memory.sizes() << " must be (B, S, d), max_steps " << max_steps << " >= 1");
  B_ = memory.size(0), S_ = memory.size(1), d_ = memory.size(2);
  auto opt = memory.options();
  for (auto& mod : *decoder.layers) {
    auto* m = mod->as<DecoderLayerImpl>();
    heads_ = m->self_attn->heads, dh_ = d_ / heads_, ffn_ = m->ffn->up->weight.size(0);
    Layer L;
    L.m = m;
    L.self_kt = torch::empty({B_, heads_, dh_, max_steps}, opt);                    // (B, h, d/h, max)
    L.self_v = torch::empty({B_, heads_, max_steps, dh_}, opt);                     // (B, h, max, d/h)
    auto kv = m->cross_attn->keys_values(memory);                                     // (B, h, S, d/h)
    L.cross_kt = kv.k.transpose(2, 3).contiguous();                                   // (B, h, d/h, S)
    L.cross_v = kv.v.contiguous();                                                    // (B, h, S, d/h)
    L.qkv = Gemv::rows(m->self_attn->in_proj);          // d -> 3d
    L.o1 = Gemv::rows(m->self_attn->out);               // d -> d
    L.q2 = Gemv::rows(m->cross_attn->in_proj, 0, d_);   // d -> d (query rows)
    L.o2 = Gemv::rows(m->cross_attn->out);              // d -> d
    L.up = Gemv::rows(m->ffn->up);                      // d -> ffn
    L.down = Gemv::rows(m->ffn->down);                  // ffn -> d
    layers_.push_back(std::move(L));
  }
  x_ = torch::empty({B_, d_}, opt), h_ = torch::empty({B_, d_}, opt), ctx_ = torch::empty({B_, d_}, opt);
  qkv_ = torch::empty({B_, 3 * d_}, opt), q2_ = torch::empty({B_, d_}, opt), up_ = torch::empty({B_, ffn_}, opt);
  scores_.resize(static_cast<size_t>(std::max(max_steps, S_)));
}

torch::Tensor DecodeSession::step(const torch::Tensor& x) {
  LMM_CHECK(x.dim() == 2 && x.size(0) == B_ && x.size(1) == d_,
            "DecodeSession::step: x " << x.sizes() << " must be (" << B_ << ", " << d_ << ")");
  auto out = torch::empty({B_, d_}, x_.options());
  step(x.to(torch::kFloat).contiguous().data_ptr<float>(), out.data_ptr<float>());
  return out;  // (B, d)
}

void DecodeSession::step(const float* x, float* out) {
  LMM_CHECK(steps_ < max_steps_, "DecodeSession: all " << max_steps_ << " steps used");
  float* X = x_.data_ptr<float>();
  std::copy_n(x, B_ * d_, X);
  float* H = h_.data_ptr<float>();
  float* C = ctx_.data_ptr<float>();
  const float scale = static_cast<float>(1.0 / std::sqrt(static_cast<double>(dh_)));
  const int64_t n = steps_ + 1;
  float* w = scores_.data();
  for (auto& L : layers_) {
    auto* m = L.m;
    // Self-attention over the cached steps plus this one.
    layer_norm(X, H, B_, d_, m->norm1);
    L.qkv(H, B_, qkv_.data_ptr<float>(), false);  // (B, 3d): q, k, v
    const float* QKV = qkv_.data_ptr<float>();
    float* KT = L.self_kt.data_ptr<float>();
    float* V = L.self_v.data_ptr<float>();
    for (int64_t b = 0; b < B_; ++b)
      for (int64_t hd = 0; hd < heads_; ++hd) {
        const float* q = QKV + b * 3 * d_ + hd * dh_;
        float* kth = KT + (b * heads_ + hd) * dh_ * max_steps_;
        float* vh = V + (b * heads_ + hd) * max_steps_ * dh_;
        for (int64_t i = 0; i < dh_; ++i) kth[i * max_steps_ + steps_] = q[d_ + i];  // new key column
        std::copy_n(q + 2 * d_, dh_, vh + steps_ * dh_);
        attend_head(q, kth, max_steps_, vh, n, dh_, scale, w, C + b * d_ + hd * dh_);
      }
    L.o1(C, B_, X, true);  // x += ctx W_o^T + b
    // Cross-attention over the memory.
    layer_norm(X, H, B_, d_, m->norm2);
    L.q2(H, B_, q2_.data_ptr<float>(), false);  // (B, d)
    const float* Q2 = q2_.data_ptr<float>();
    const float* MKT = L.cross_kt.data_ptr<float>();
    const float* MV = L.cross_v.data_ptr<float>();
    for (int64_t b = 0; b < B_; ++b)
      for (int64_t hd = 0; hd < heads_; ++hd) {
        const int64_t off = (b * heads_ + hd) * S_ * dh_;
        attend_head(Q2 + b * d_ + hd * dh_, MKT + off, S_, MV + off, S_, dh_, scale, w, C + b * d_ + hd * dh_);
      }
    L.o2(C, B_, X, true);
    // Feed-forward.
    layer_norm(X, H, B_, d_, m->norm3);
    L.up(H, B_, up_.data_ptr<float>(), false);  // (B, ffn)
    at::gelu_(up_);                              // exact (erf) GELU, vectorized
    L.down(up_.data_ptr<float>(), B_, X, true);
  }
  ++steps_;
  layer_norm(X, out, B_, d_, dec_.norm);
}

}  // namespace lmm::models

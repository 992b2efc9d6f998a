// Fused CPU attention (see include/lmm/models/fused_attention.h). Per (batch, head) block:
//   forward   S = scale Q K^T + mask; P = softmax(S); O = drop(P) V
//   backward  dV = drop(P)^T dO; dP = drop(dO V^T); dS = P (dP - rowsum(dP P)); dQ = scale dS K;
//             dK = scale dS^T Q
// Heads are read from and written to their columns of the packed (B, L, width) tensors
// through the GEMM leading dimension, so nothing is permuted, copied or zero-filled.
#include "lmm/models/fused_attention.h"

#include <ATen/Parallel.h>

#include <cmath>
#include <vector>

#include "lmm/core/error.h"
#include "lmm/models/dropout.h"
#include "row_kernels.h"

extern "C" {
#include <cblas.h>
}

namespace lmm::models {
namespace {

// A packed operand: head j of batch b starts at p + b * batch + j * dh, rows `ld` apart.
template <class T>
struct Packed {
  T* p;
  int64_t batch, ld;
  T* at(int64_t b, int64_t j, int64_t dh) const { return p + b * batch + j * dh; }
};

struct Problem {
  int64_t B, H, Lq, Lk, dh;
  float scale;                  // 1 / sqrt(dh)
  Packed<const float> q, k, v;  // (B, Lq|Lk, width) inputs
  const float* mask;            // (Lq, Lk) additive, or nullptr
  bool drop;                    // attention dropout on
  DropoutMask mk;
  int64_t block() const { return Lq * Lk; }
};

// P (B*H, Lq, Lk) softmax weights; out (B, Lq, H*dh).
void forward_blocks(const Problem& pb, float* P, float* out) {
  const int64_t d = pb.H * pb.dh, n = pb.block();
  at::parallel_for(0, pb.B * pb.H, 1, [&](int64_t first, int64_t last) {
    std::vector<float> dropped(pb.drop ? n : 0);
    for (int64_t bh = first; bh < last; ++bh) {
      const int64_t b = bh / pb.H, j = bh % pb.H;
      float* S = P + bh * n;
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, pb.Lq, pb.Lk, pb.dh, pb.scale, pb.q.at(b, j, pb.dh),
                  pb.q.ld, pb.k.at(b, j, pb.dh), pb.k.ld, 0.0f, S, pb.Lk);                // (Lq, Lk)
      softmax_rows(S, pb.mask, pb.Lq, pb.Lk);                                            // (Lq, Lk)
      const float* W = S;
      if (pb.drop) pb.mk.apply(S, dropped.data(), n, bh * n), W = dropped.data();
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, pb.Lq, pb.dh, pb.Lk, 1.0f, W, pb.Lk,
                  pb.v.at(b, j, pb.dh), pb.v.ld, 0.0f, out + b * pb.Lq * d + j * pb.dh, d);  // (Lq, dh)
    }
  });
}

// Gradients of the packed inputs, written in full (every column of every head).
void backward_blocks(const Problem& pb, const float* P, const float* dout, const Packed<float>& dq,
                     const Packed<float>& dk, const Packed<float>& dv) {
  const int64_t d = pb.H * pb.dh, n = pb.block();
  at::parallel_for(0, pb.B * pb.H, 1, [&](int64_t first, int64_t last) {
    std::vector<float> dropped(pb.drop ? n : 0), g(n);
    for (int64_t bh = first; bh < last; ++bh) {
      const int64_t b = bh / pb.H, j = bh % pb.H, dh = pb.dh;
      const float* Pb = P + bh * n;
      const float* W = Pb;
      if (pb.drop) pb.mk.apply(Pb, dropped.data(), n, bh * n), W = dropped.data();
      const float* dO = dout + b * pb.Lq * d + j * dh;
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, pb.Lq, pb.Lk, dh, 1.0f, dO, d, pb.v.at(b, j, dh),
                  pb.v.ld, 0.0f, g.data(), pb.Lk);                                       // dW (Lq, Lk)
      cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, pb.Lk, dh, pb.Lq, 1.0f, W, pb.Lk, dO, d, 0.0f,
                  dv.at(b, j, dh), dv.ld);                                                // dV (Lk, dh)
      if (pb.drop) pb.mk.apply(g.data(), g.data(), n, bh * n);                          // dP (Lq, Lk)
      softmax_backward_rows(Pb, g.data(), pb.Lq, pb.Lk);                                 // dS (Lq, Lk)
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, pb.Lq, dh, pb.Lk, pb.scale, g.data(), pb.Lk,
                  pb.k.at(b, j, dh), pb.k.ld, 0.0f, dq.at(b, j, dh), dq.ld);              // dQ (Lq, dh)
      cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, pb.Lk, dh, pb.Lq, pb.scale, g.data(), pb.Lk,
                  pb.q.at(b, j, dh), pb.q.ld, 0.0f, dk.at(b, j, dh), dk.ld);              // dK (Lk, dh)
    }
  });
}

torch::Tensor checked_mask(const torch::Tensor& mask, int64_t Lq, int64_t Lk) {
  if (!mask.defined()) return mask;
  LMM_CHECK(mask.dim() == 2 && mask.size(0) == Lq && mask.size(1) == Lk,
            "attention mask " << mask.sizes() << " does not match " << Lq << " queries x " << Lk << " keys");
  return mask.to(torch::kFloat).contiguous();
}

// Attention dropout of one call: off, or on with the mask drawn for its weights.
struct Dropping {
  bool on = false;
  DropoutMask mk;
};

// The non-differentiable arguments, passed to the autograd functions as one value (an
// undefined mask may not be a tensor argument of torch::autograd::Function::apply).
struct Settings {
  int64_t heads;
  torch::Tensor mask;  // (Lq, Lk) or undefined
  Dropping dr;
};
Dropping draw_dropping(double p, bool train) {
  if (!train || p == 0) return {};
  return {true, DropoutMask::draw(p)};
}

// The problem for queries in columns [0, d) of `qs` and keys, values in columns
// [kcol, kcol + d), [kcol + d, kcol + 2d) of `kvs` (both (B, L, width), contiguous).
Problem make_problem(const torch::Tensor& qs, const torch::Tensor& kvs, int64_t kcol, int64_t d, const Settings& st) {
  const int64_t B = qs.size(0), Lq = qs.size(1), Lk = kvs.size(1), dh = d / st.heads;
  const float* qp = qs.data_ptr<float>();
  const float* kp = kvs.data_ptr<float>();
  const int64_t qw = qs.size(2), kw = kvs.size(2);
  return Problem{B, st.heads, Lq, Lk, dh, static_cast<float>(1.0 / std::sqrt(static_cast<double>(dh))),
                 {qp, Lq * qw, qw}, {kp + kcol, Lk * kw, kw}, {kp + kcol + d, Lk * kw, kw},
                 st.mask.defined() ? st.mask.data_ptr<float>() : nullptr, st.dr.on, st.dr.mk};
}

// Output (B, Lq, d) and softmax weights (B*h, Lq, Lk) of a forward pass.
struct Forward {
  torch::Tensor out, weights;
};
Forward run_forward(const Problem& pb, const torch::TensorOptions& opt) {
  Forward f{torch::empty({pb.B, pb.Lq, pb.H * pb.dh}, opt), torch::empty({pb.B * pb.H, pb.Lq, pb.Lk}, opt)};
  forward_blocks(pb, f.weights.data_ptr<float>(), f.out.data_ptr<float>());
  return f;
}

// Columns [col, col + d) of a contiguous (B, L, width) gradient as a packed operand.
Packed<float> columns(torch::Tensor& t, int64_t col) {
  return {t.data_ptr<float>() + col, t.size(1) * t.size(2), t.size(2)};
}

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

void save(AutogradContext* ctx, const Settings& st) {
  ctx->saved_data["heads"] = st.heads;
  if (st.mask.defined()) ctx->saved_data["mask"] = st.mask;
  ctx->saved_data["drop"] = st.dr.on;
  ctx->saved_data["seed"] = static_cast<int64_t>(st.dr.mk.seed);
  ctx->saved_data["threshold"] = static_cast<int64_t>(st.dr.mk.threshold);
}
Settings saved_settings(AutogradContext* ctx) {
  auto& sd = ctx->saved_data;
  return {sd["heads"].toInt(), sd.count("mask") ? sd["mask"].toTensor() : torch::Tensor(),
          {sd["drop"].toBool(),
           {static_cast<uint64_t>(sd["seed"].toInt()), static_cast<uint32_t>(sd["threshold"].toInt())}}};
}

class SelfAttentionFunction : public torch::autograd::Function<SelfAttentionFunction> {
 public:
  // qkv (B, L, 3d) -> (B, L, d)
  static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& qkv, const Settings& st) {
    const int64_t d = qkv.size(2) / 3;
    auto f = run_forward(make_problem(qkv, qkv, d, d, st), qkv.options());
    ctx->save_for_backward({qkv, f.weights});
    save(ctx, st);
    return f.out;
  }
  static variable_list backward(AutogradContext* ctx, variable_list grad) {
    const auto saved = ctx->get_saved_variables();
    const auto &qkv = saved[0], &weights = saved[1];
    const int64_t d = qkv.size(2) / 3;
    const auto pb = make_problem(qkv, qkv, d, d, saved_settings(ctx));
    auto dout = grad[0].contiguous();      // (B, L, d)
    auto dqkv = torch::empty_like(qkv);    // (B, L, 3d)
    backward_blocks(pb, weights.data_ptr<float>(), dout.data_ptr<float>(), columns(dqkv, 0), columns(dqkv, d),
                    columns(dqkv, 2 * d));
    return {dqkv, torch::Tensor()};
  }
};

class CrossAttentionFunction : public torch::autograd::Function<CrossAttentionFunction> {
 public:
  // q (B, Lq, d), kv (B, Lk, 2d) -> (B, Lq, d)
  static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& q, const torch::Tensor& kv,
                               const Settings& st) {
    auto f = run_forward(make_problem(q, kv, 0, q.size(2), st), q.options());
    ctx->save_for_backward({q, kv, f.weights});
    save(ctx, st);
    return f.out;
  }
  static variable_list backward(AutogradContext* ctx, variable_list grad) {
    const auto saved = ctx->get_saved_variables();
    const auto &q = saved[0], &kv = saved[1], &weights = saved[2];
    const int64_t d = q.size(2);
    const auto pb = make_problem(q, kv, 0, d, saved_settings(ctx));
    auto dout = grad[0].contiguous();   // (B, Lq, d)
    auto dq = torch::empty_like(q);     // (B, Lq, d)
    auto dkv = torch::empty_like(kv);   // (B, Lk, 2d)
    backward_blocks(pb, weights.data_ptr<float>(), dout.data_ptr<float>(), columns(dq, 0), columns(dkv, 0),
                    columns(dkv, d));
    return {dq, dkv, torch::Tensor()};
  }
};

// Common entry: validates, then runs the autograd function or (no gradient wanted) the kernel alone.
void check_inputs(const torch::Tensor& q, int64_t qwidth, const torch::Tensor& kv, int64_t kvwidth, int64_t d,
                  int64_t heads) {
  LMM_CHECK(q.dim() == 3 && kv.dim() == 3 && q.size(0) == kv.size(0) && q.size(2) == qwidth &&
                kv.size(2) == kvwidth && heads >= 1 && d % heads == 0 && q.size(1) >= 1 && kv.size(1) >= 1,
            "fused attention: queries " << q.sizes() << ", keys/values " << kv.sizes() << " and " << heads
                                        << " heads do not fit (B, Lq, d) / (B, Lk, 2d) packing");
}

}  // namespace

bool fused_attention_supported(const torch::Tensor& x, double dropout) {
  return x.device().is_cpu() && x.scalar_type() == torch::kFloat && DropoutMask::threshold_of(dropout) < 65536 &&
         x.numel() < (int64_t{1} << 31);
}

torch::Tensor fused_self_attention(const torch::Tensor& qkv_in, int64_t heads, const torch::Tensor& mask_in,
                                   double dropout, bool train) {
  auto qkv = qkv_in.contiguous();
  const int64_t d = qkv.size(2) / 3;
  check_inputs(qkv, 3 * d, qkv, 3 * d, d, heads);
  const Settings st{heads, checked_mask(mask_in, qkv.size(1), qkv.size(1)), draw_dropping(dropout, train)};
  if (torch::GradMode::is_enabled() && qkv.requires_grad()) return SelfAttentionFunction::apply(qkv, st);
  return run_forward(make_problem(qkv, qkv, d, d, st), qkv.options()).out;
}

torch::Tensor fused_cross_attention(const torch::Tensor& q_in, const torch::Tensor& kv_in, int64_t heads,
                                    const torch::Tensor& mask_in, double dropout, bool train) {
  auto q = q_in.contiguous(), kv = kv_in.contiguous();
  const int64_t d = q.size(2);
  check_inputs(q, d, kv, 2 * d, d, heads);
  const Settings st{heads, checked_mask(mask_in, q.size(1), kv.size(1)), draw_dropping(dropout, train)};
  if (torch::GradMode::is_enabled() && (q.requires_grad() || kv.requires_grad()))
    return CrossAttentionFunction::apply(q, kv, st);
  return run_forward(make_problem(q, kv, 0, d, st), q.options()).out;
}

}  // namespace lmm::models

// Inference-only autoregressive decoding of a Decoder on the CPU: the same arithmetic as
// DecoderImpl::start/step, without a tensor allocation or dispatch per small op. At batch 1
// a decoding step is six GEMVs per layer plus a few hundred flops of layer norm, attention
// and GELU; run as ~40 torch ops per layer, the op overhead cost as much as the GEMVs
// (flat paper: ~20 of 45 ms for 30 steps). Here the GEMVs go straight to CBLAS (the
// OpenBLAS libtorch uses) on preallocated buffers and everything else is plain loops.
//   memory (B, S, d) -> per-layer cross keys/values (B, h, S, d/h), computed once
//   self keys/values preallocated for max_steps; keys kept transposed (d/h, steps) so
//   attention scores accumulate over contiguous memory; step: x (B, d) -> (B, d)
#pragma once
#include <torch/torch.h>

#include <vector>

#include "lmm/models/layers.h"

namespace lmm::models {

class DecodeSession {
 public:
  // decoder must outlive the session; memory (B, S, d) float on the CPU.
  DecodeSession(DecoderImpl& decoder, const torch::Tensor& memory, int64_t max_steps);
  // One new position x (B, d) -> the decoder's output for it (B, d), final LayerNorm applied.
  torch::Tensor step(const torch::Tensor& x);
  // The same on raw rows: x (B, d) in, out (B, d) written; both contiguous floats.
  void step(const float* x, float* out);
  int64_t steps() const { return steps_; }

  // Whether a decoder and memory can use a session (CPU float, gradients off).
  static bool supported(const torch::Tensor& memory);

 private:
  // y = x W^T + b of one nn::Linear (or a block of its rows) on raw rows, through CBLAS.
  struct Gemv {
    const float* w = nullptr;  // (n, k) row-major
    const float* b = nullptr;  // (n)
    int64_t n = 0, k = 0;
    void operator()(const float* x, int64_t B, float* y, bool accumulate) const;
    static Gemv rows(const torch::nn::Linear& lin, int64_t first = 0, int64_t count = -1);
  };
  struct Layer {
    DecoderLayerImpl* m = nullptr;
    torch::Tensor self_kt, self_v;    // keys transposed (B, h, d/h, max_steps); values (B, h, max_steps, d/h)
    torch::Tensor cross_kt, cross_v;  // (B, h, d/h, S), (B, h, S, d/h)
    Gemv qkv, o1, q2, o2, up, down;  // self q/k/v, self out, cross query, cross out, FFN
  };
  DecoderImpl& dec_;
  int64_t B_, d_, heads_, dh_, S_, max_steps_, ffn_, steps_ = 0;
  std::vector<Layer> layers_;
  torch::Tensor x_, h_, qkv_, ctx_, q2_, up_;  // work buffers (B, d), (B, 3d), (B, ffn)
  std::vector<float> scores_;                  // attention scratch, max(max_steps, S)
};

}  // namespace lmm::models

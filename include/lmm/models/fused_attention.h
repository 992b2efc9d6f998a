// Scaled dot-product attention as one autograd node for the CPU: per (batch, head) the
// scores, masked softmax and weighted values run back to back on a block that stays in
// cache, through CBLAS on the packed projections, without the head split/merge copies,
// zero-filled gradient buffers and ~20 separate autograd ops of the composed version.
//   self:  qkv (B, L, 3d)  [q | k | v] columns, head j at columns j*d/h .. (j+1)*d/h of each
//   cross: q (B, Lq, d), kv (B, Lk, 2d) [k | v]
//   mask:  (Lq, Lk) additive (0 / -inf) or undefined      -> output (B, Lq, d), heads concatenated
// Backward stores only the softmax weights (B*h, Lq, Lk), as autograd would; attention dropout
// uses DropoutMask over the weights' flat index, the mask fast_dropout draws for that tensor.
#pragma once
#include <torch/torch.h>

namespace lmm::models {

// True when the fused kernels can run on these tensors (CPU float32, dropout < 1 - 2^-17).
bool fused_attention_supported(const torch::Tensor& x, double dropout);

// qkv (B, L, 3d) -> (B, L, d); dropout on the attention weights when train.
torch::Tensor fused_self_attention(const torch::Tensor& qkv, int64_t heads, const torch::Tensor& mask,
                                   double dropout, bool train);

// q (B, Lq, d) attends to kv (B, Lk, 2d) -> (B, Lq, d).
torch::Tensor fused_cross_attention(const torch::Tensor& q, const torch::Tensor& kv, int64_t heads,
                                    const torch::Tensor& mask, double dropout, bool train);

}  // namespace lmm::models

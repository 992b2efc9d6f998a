// Dropout with a counter-based mask: the same operation as torch::dropout (zero each
// element with probability p, scale the kept ones by 1/(1-p)), ~14x cheaper on the CPU.
// Debian's libtorch has no MKL, so its CPU bernoulli_ draws one double from the
// Mersenne twister per element (6 ns): 24% of a paper-size flat training step. Here
// element i keeps or drops by 16 bits of a hash of (i, seed), seed = one draw from
// torch's default generator, so masks follow torch::manual_seed, do not depend on the
// thread count, and a resumed run (generator state restored) continues the same stream;
// backward regenerates the mask instead of storing it. p is used at 1/65536 resolution
// (p' = round(p * 65536) / 65536; kept values scaled by 1/(1-p'), expectation exact). x: any shape.
#pragma once
#include <torch/torch.h>

#include <cmath>

namespace lmm::models {

// One dropout mask: element i of a flattened tensor is dropped when the low 16 bits of
// hash(i, seed) fall below `threshold` (p' = threshold / 65536) and kept values are scaled
// by keep() = 1 / (1 - p'). Fused kernels (fused_attention.h) apply the same mask on raw
// buffers, so their masks equal what fast_dropout would draw for the same tensor.
struct DropoutMask {
  uint64_t seed = 0;        // one draw from torch's default CPU generator
  uint32_t threshold = 0;   // round(p * 65536), in [1, 65535] when the mask drops anything
  static DropoutMask draw(double p);  // seeds from the default generator (p in (0, 1))
  // round(p * 65536); 65536 means "drop everything", which no mask can express.
  static uint32_t threshold_of(double p) { return static_cast<uint32_t>(std::lround(p * 65536.0)); }
  float keep() const { return static_cast<float>(65536.0 / (65536.0 - threshold)); }
  // y[i] = x[i] * mask(first + i) for i < n; x and y may not overlap partially (x == y is fine).
  void apply(const float* x, float* y, int64_t n, int64_t first) const;
};

// x when !train or p == 0; otherwise x * mask (autograd flows through the mask).
// Non-float or non-CPU tensors fall back to torch::dropout.
torch::Tensor fast_dropout(const torch::Tensor& x, double p, bool train);

// Drop-in for torch::nn::Dropout (no parameters, so checkpoints are unaffected).
class FastDropoutImpl : public torch::nn::Module {
 public:
  explicit FastDropoutImpl(double p = 0.1) : p(p) {}
  torch::Tensor forward(const torch::Tensor& x) { return fast_dropout(x, p, is_training()); }
  double p;  // drop probability, e.g. 0.1
};
TORCH_MODULE(FastDropout);

}  // namespace lmm::models

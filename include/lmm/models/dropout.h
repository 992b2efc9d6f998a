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

namespace lmm::models {

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

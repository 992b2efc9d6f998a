// Counter-based dropout (see include/lmm/models/dropout.h). The mask is never stored:
// forward and backward regenerate it from (seed, element index), so dropout costs one
// streaming pass each way and no mask tensor.
#include "lmm/models/dropout.h"

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Parallel.h>

#include <cmath>
#include <mutex>

#include "lmm/core/error.h"

namespace lmm::models {
namespace {

// y[i] = x[i] * (u(first + i) < threshold ? 0 : keep), u = low 16 bits of a 32-bit hash
// (Wellons' lowbias32, a bijection) of the element index: no control flow, so the
// compiler vectorizes it (AVX2 clone where the CPU has it: ~0.4 ns per element).
__attribute__((target_clones("avx2", "default"))) void mask_kernel(
    const float* x, float* y, int64_t n, uint32_t first, uint32_t seed_lo,
    uint32_t seed_hi, uint32_t threshold, float keep) {
  for (int64_t i = 0; i < n; ++i) {
    uint32_t h = (first + static_cast<uint32_t>(i)) * 0x9E3779B9u + seed_lo;
    h ^= h >> 16;
    h *= 0x7feb352du;
    h ^= h >> 15;
    h *= 0x846ca68bu;
    h ^= h >> 16;
    h ^= seed_hi;
    const float m = (h & 0xFFFFu) < threshold ? 0.f : keep;
    y[i] = x[i] * m;
  }
}

// One 64-bit draw from torch's default CPU generator (as torch's own samplers take it).
uint64_t draw_seed() {
  auto gen = at::detail::getDefaultCPUGenerator();
  std::lock_guard<std::mutex> lock(gen.mutex());
  return at::check_generator<at::CPUGeneratorImpl>(gen)->random64();
}

// out = in * mask, same size, contiguous.
torch::Tensor apply_mask(const torch::Tensor& in, const DropoutMask& mk) {
  auto src = in.contiguous();
  auto out = torch::empty_like(src);
  const float* x = src.data_ptr<float>();
  float* y = out.data_ptr<float>();
  at::parallel_for(0, src.numel(), 1 << 16, [&](int64_t b, int64_t e) { mk.apply(x + b, y + b, e - b, b); });
  return out;
}

class DropoutFunction : public torch::autograd::Function<DropoutFunction> {
 public:
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& x,
                               uint32_t threshold) {
    const DropoutMask mk{draw_seed(), threshold};
    ctx->saved_data["seed"] = static_cast<int64_t>(mk.seed);
    ctx->saved_data["threshold"] = static_cast<int64_t>(threshold);
    return apply_mask(x, mk);
  }
  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grad) {
    const DropoutMask mk{static_cast<uint64_t>(ctx->saved_data["seed"].toInt()),
                  static_cast<uint32_t>(ctx->saved_data["threshold"].toInt())};
    return {apply_mask(grad[0], mk), torch::Tensor()};
  }
};

}  // namespace

DropoutMask DropoutMask::draw(double p) {
  LMM_CHECK(p > 0 && p < 1, "dropout probability " << p << " outside (0, 1)");
  return {draw_seed(), threshold_of(p)};
}

void DropoutMask::apply(const float* x, float* y, int64_t n, int64_t first) const {
  mask_kernel(x, y, n, static_cast<uint32_t>(first), static_cast<uint32_t>(seed), static_cast<uint32_t>(seed >> 32),
              threshold, keep());
}

torch::Tensor fast_dropout(const torch::Tensor& x, double p, bool train) {
  LMM_CHECK(p >= 0 && p <= 1, "dropout probability " << p << " outside [0, 1]");
  if (!train || p == 0) return x;
  if (x.device().type() != torch::kCPU || x.scalar_type() != torch::kFloat ||
      x.numel() >= (int64_t{1} << 32))  // element indices are hashed as 32 bits
    return torch::dropout(x, p, train);
  const auto threshold = DropoutMask::threshold_of(p);
  if (threshold >= 65536) return x * 0;
  return DropoutFunction::apply(x, threshold);
}

}  // namespace lmm::models

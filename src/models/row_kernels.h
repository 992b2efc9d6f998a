// Row kernels shared by the CPU attention paths (fused_attention.cpp for training and
// encoding, decode_session.cpp for decoding steps): softmax over the rows of a
// row-major (rows, n) float block, forward and backward, in place. Private to src/models.
#pragma once
#include <cstdint>

// Loops compiled twice, for AVX2+FMA CPUs and for the x86-64 baseline (SSE2), and picked at
// load time: the library itself is built for the baseline.
#define LMM_VECTOR_CLONES __attribute__((target_clones("arch=x86-64-v3", "default")))

namespace lmm::models {

// s (rows, n) in place: add mask (rows, n) if not null, then softmax each row. Masked -inf
// scores get exactly 0; a NaN score makes its row NaN, as torch::softmax does.
void softmax_rows(float* s, const float* mask, int64_t rows, int64_t n);

// g (rows, n) = p * (g - rowsum(g * p)) in place: the gradient of the scores from the
// gradient g of the softmax weights p.
void softmax_backward_rows(const float* p, float* g, int64_t rows, int64_t n);

}  // namespace lmm::models

// Row kernels of the CPU attention paths (see row_kernels.h): softmax forward and backward
// as plain loops that GCC vectorizes, with a polynomial exp.
#include "row_kernels.h"

namespace lmm::models {

// Without trapping math GCC if-converts the clamps and selects below, so the loops vectorize
// (nothing from outside this region is called in it: it could not be inlined).
#pragma GCC push_options
#pragma GCC optimize("no-trapping-math")

namespace {

// exp(x) for x <= 0 to ~1 ulp (Cephes expf: x = n ln2 + r, degree-6 polynomial in r, 2^n
// through the exponent bits), exactly 0 below -87 (and for the -inf of masked scores);
// NaN stays NaN (both comparisons are false), so a NaN score poisons its row as in torch.
inline float exp_nonpositive(float x) {
  const float xc = x < -87.0f ? -87.0f : x;
  const float n = (xc * 1.44269504088896341f + 12582912.0f) - 12582912.0f;  // round(x / ln 2)
  const float r = (xc - n * 0.693359375f) + n * 2.12194440e-4f;               // x - n ln 2
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r * r + r + 1.0f;
  const int32_t bits = (static_cast<int32_t>(n) + 127) << 23;
  float two_n;
  __builtin_memcpy(&two_n, &bits, sizeof two_n);
  return x < -87.0f ? 0.0f : p * two_n;
}

constexpr int kLanes = 8;  // partial maxima / sums kept in 8 lanes, so reductions vectorize

}  // namespace

LMM_VECTOR_CLONES void softmax_rows(float* s, const float* mask, int64_t rows, int64_t n) {
  for (int64_t r = 0; r < rows; ++r) {
    float* __restrict x = s + r * n;
    if (mask)
      for (int64_t c = 0; c < n; ++c) x[c] += mask[r * n + c];
    float lane[kLanes];
    for (int l = 0; l < kLanes; ++l) lane[l] = -__builtin_inff();
    int64_t c = 0;
    for (; c + kLanes <= n; c += kLanes)
      for (int l = 0; l < kLanes; ++l) lane[l] = x[c + l] > lane[l] ? x[c + l] : lane[l];
    float top = lane[0];
    for (int l = 1; l < kLanes; ++l) top = lane[l] > top ? lane[l] : top;
    for (; c < n; ++c) top = x[c] > top ? x[c] : top;
    for (c = 0; c < n; ++c) x[c] = exp_nonpositive(x[c] - top);
    for (int l = 0; l < kLanes; ++l) lane[l] = 0.0f;
    for (c = 0; c + kLanes <= n; c += kLanes)
      for (int l = 0; l < kLanes; ++l) lane[l] += x[c + l];
    float sum = 0;
    for (; c < n; ++c) sum += x[c];
    for (int l = 0; l < kLanes; ++l) sum += lane[l];
    const float inv = 1.0f / sum;
    for (c = 0; c < n; ++c) x[c] *= inv;
  }
}

LMM_VECTOR_CLONES void softmax_backward_rows(const float* p, float* g, int64_t rows, int64_t n) {
  for (int64_t r = 0; r < rows; ++r) {
    const float* __restrict pr = p + r * n;
    float* __restrict gr = g + r * n;
    float lane[kLanes] = {};
    int64_t c = 0;
    for (; c + kLanes <= n; c += kLanes)
      for (int l = 0; l < kLanes; ++l) lane[l] += gr[c + l] * pr[c + l];
    float dot = 0;
    for (; c < n; ++c) dot += gr[c] * pr[c];
    for (int l = 0; l < kLanes; ++l) dot += lane[l];
    for (c = 0; c < n; ++c) gr[c] = pr[c] * (gr[c] - dot);
  }
}
#pragma GCC pop_options

}  // namespace lmm::models

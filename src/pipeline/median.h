// Median and quantile of a sample: the torso scale (normalize.cpp) and the bone-length
// reference (qc.cpp). Internal to src/pipeline.
//   in: values (N) in any order; they are reordered
#pragma once
#include <algorithm>
#include <vector>

namespace lmm::pipeline {

// Median of v (mean of the two middle values when N is even); 0 when v is empty.
template <typename T>
double median_in_place(std::vector<T>& v) {
  if (v.empty()) return 0;
  const size_t m = v.size() / 2;
  std::nth_element(v.begin(), v.begin() + m, v.end());
  double med = v[m];
  if (v.size() % 2 == 0) med = 0.5 * (med + *std::max_element(v.begin(), v.begin() + m));
  return med;
}

// The q-quantile of v (0 <= q <= 1) without interpolation: element floor(q * (N - 1))
// in sorted order; 0 when v is empty.
template <typename T>
double quantile_in_place(std::vector<T>& v, double q) {
  if (v.empty()) return 0;
  const size_t k = static_cast<size_t>(q * (v.size() - 1));
  std::nth_element(v.begin(), v.begin() + k, v.end());
  return v[k];
}

}  // namespace lmm::pipeline

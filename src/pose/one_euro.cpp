// One-euro filter: alpha(cutoff, dt) = 1 / (1 + tau / dt), tau = 1 / (2 pi cutoff);
// speed = low-pass(dx / dt, d_cutoff); cutoff = min_cutoff + beta * |speed|.
#include "lmm/pose/one_euro.h"

#include <cmath>

namespace lmm::pose {
namespace {
float alpha(float cutoff, double dt) {
  const double tau = 1.0 / (2.0 * 3.14159265358979323846 * cutoff);
  return static_cast<float>(1.0 / (1.0 + tau / dt));
}
}  // namespace

float OneEuroFilter::filter(float x, double t, float value_scale) {
  if (!initialized_) {
    initialized_ = true;
    t_prev_ = t, x_prev_ = x, x_raw_prev_ = x, dx_prev_ = 0;
    return x;
  }
  const double dt = t - t_prev_;
  if (!(dt > 0)) return x_prev_;
  const float scale = value_scale > 0 ? value_scale : 1.f;
  const float dx = static_cast<float>((x - x_raw_prev_) / scale / dt);
  const float a_d = alpha(cfg_.d_cutoff, dt);
  dx_prev_ = a_d * dx + (1 - a_d) * dx_prev_;
  const float cutoff = cfg_.min_cutoff + cfg_.beta * std::fabs(dx_prev_);
  const float a = alpha(cutoff, dt);
  x_prev_ = a * x + (1 - a) * x_prev_;
  x_raw_prev_ = x;
  t_prev_ = t;
  return x_prev_;
}

}  // namespace lmm::pose

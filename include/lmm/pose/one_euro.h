// One-euro filter (Casiez et al., CHI 2012) for smoothing keypoint tracks: a low-pass
// filter whose cutoff rises with the signal's speed, so slow jitter is removed while fast
// motion keeps little lag. Defaults are MediaPipe's pose landmark settings; values are
// divided by `value_scale` (the person's size in pixels) before the speed is measured, so
// beta does not depend on resolution or distance to the camera.
#pragma once

namespace lmm::pose {

struct OneEuroConfig {
  float min_cutoff = 0.05f;  // cutoff frequency (Hz) at zero speed, e.g. 0.05
  float beta = 80.f;         // cutoff increase per (object sizes / second) of speed, e.g. 80
  float d_cutoff = 1.f;      // cutoff (Hz) for the speed estimate, e.g. 1
};

class OneEuroFilter {
 public:
  explicit OneEuroFilter(OneEuroConfig cfg = {}) : cfg_(cfg) {}
  // Filters sample x taken at time t (seconds, increasing). value_scale: the size of the
  // tracked object in x's units (e.g. pixels), > 0. The first sample passes unchanged;
  // a sample whose t does not increase is returned as the last output.
  float filter(float x, double t, float value_scale = 1.f);
  void reset() { initialized_ = false; }
  bool initialized() const { return initialized_; }

 private:
  OneEuroConfig cfg_;
  bool initialized_ = false;
  double t_prev_ = 0;
  float x_prev_ = 0, dx_prev_ = 0, x_raw_prev_ = 0;
};

}  // namespace lmm::pose

// A tiny test-only forecaster for trainer/checkpoint tests: prediction k of the
// horizon is last + gain * k * (last - previous) + offset[k], with a learned scalar
// gain and offset (30, 75). In training its loss jitters the context with torch noise
// and flips scheduled-sampling coins, so resume tests exercise the torch RNG state.
//   context (B, 120, 75) -> forecast (B, 30, 75)
#pragma once
#include <algorithm>
#include <torch/torch.h>

#include "lmm/models/forecaster.h"

namespace lmm::test {

class TinyForecasterImpl : public models::ForecasterImpl {
 public:
  explicit TinyForecasterImpl(double jitter = 0.01) : jitter_(jitter) {
    gain = register_parameter("gain", torch::zeros({1}));
    offset = register_parameter("offset", torch::randn({models::kForecastFrames, 75}) * 0.01);
  }
  std::string kind() const override { return "tiny"; }
  nlohmann::json config_json() const override { return {{"jitter", jitter_}}; }

  torch::Tensor predict(const torch::Tensor& context, int horizon) {
    auto last = context.select(1, -1);                            // (B, 75)
    auto vel = last - context.select(1, -2);                      // (B, 75)
    auto k = torch::arange(1, horizon + 1, torch::kFloat32).view({1, horizon, 1});
    auto pred = last.unsqueeze(1) + gain * k * vel.unsqueeze(1) +
                offset.slice(0, 0, horizon).unsqueeze(0);         // (B, H, 75)
    // Confidence channels copy the last context frame.
    auto conf_mask = torch::zeros({75});
    conf_mask.slice(0, 2, 75, 3).fill_(1);
    return pred * (1 - conf_mask) + last.unsqueeze(1) * conf_mask;
  }

  models::LossOutput loss(const models::Batch& b, const models::StepOptions& opt) override {
    auto ctx = b.context;
    if (is_training() && jitter_ > 0) ctx = ctx + jitter_ * torch::randn_like(ctx);
    if (opt.sampling_prob > 0) {
      // A coin per sample: flipped samples see a slightly perturbed last frame.
      auto coin = (torch::rand({ctx.size(0), 1, 1}) < opt.sampling_prob).to(torch::kFloat32);
      ctx = ctx + coin * 0.001;
    }
    auto pred = predict(ctx, static_cast<int>(b.target.size(1)));
    auto mse = models::position_mse(pred, b.target);
    return {mse, mse.detach()};
  }

  torch::Tensor forecast_frames(const torch::Tensor& context, int horizon) override {
    return predict(context, horizon);
  }

  torch::Tensor gain, offset;

 private:
  double jitter_;
};
TORCH_MODULE(TinyForecaster);

// Largest absolute difference between two tiny models' parameters.
inline double max_param_diff(const TinyForecasterImpl& a, const TinyForecasterImpl& b) {
  return std::max((a.offset - b.offset).abs().max().item<double>(),
                  (a.gain - b.gain).abs().max().item<double>());
}

}  // namespace lmm::test

// Motion diffusion model (spec 3.3, 9): generates all forecast frames at once by denoising.
//   context (B, 120, 75) -> Linear + time encoding -> 6-layer encoder -> memory (B, 120, d)
//   motion x0 (B, H, 50): x,y offsets of the target from the last context frame (0 where the
//   target joint is invisible); x_t = sqrt(abar_t) x0 + sqrt(1 - abar_t) eps, t in 1..100,
//   cosine schedule (Nichol & Dhariwal 2021, s = 0.008, beta <= 0.999).
//   denoiser: Linear(x_t) + time encoding of the frame ((j+1)/15 s) + MLP(step encoding of t)
//   -> 6 layers (bidirectional self-attention, cross-attention to memory, FFN) -> Linear
//   -> x0_hat (B, H, 50): x0-prediction; loss = position_mse of the frames it implies.
//   sampling: DDIM (Song et al. 2021), eta = 0, 20 steps t = 100, 95, ..., 5 -> 0:
//   deterministic given the initial noise.
// forecast() = mean of `forecast_samples` samples; confidences copy the last context frame.
// Paper preset: 11,368,498 parameters (11.4M).
#pragma once
#include <ATen/core/Generator.h>
#include <nlohmann/json.hpp>

#include "lmm/models/forecaster.h"
#include "lmm/models/layers.h"

namespace lmm::models {

struct DiffusionConfig {
  int64_t d_model = 256;          // token width, e.g. 256
  int64_t heads = 8;              // attention heads, e.g. 8
  int64_t ffn = 1024;             // feed-forward width, e.g. 1024
  int64_t encoder_layers = 6;     // context encoder depth, e.g. 6
  int64_t denoiser_layers = 6;    // denoiser depth, e.g. 6
  int64_t step_hidden = 512;      // hidden width of the diffusion-step MLP, e.g. 512
  int64_t diffusion_steps = 100;  // training noise levels T, e.g. 100
  int64_t sampling_steps = 20;    // DDIM steps at inference, divides diffusion_steps, e.g. 20
  int64_t forecast_samples = 10;  // samples averaged by forecast(), e.g. 10 (spec 4.1)
  double dropout = 0.1;           // dropout rate, e.g. 0.1 (0 in the small preset)
  double pe_min_period_s = 0.2;   // shortest time-encoding period in seconds, e.g. 0.2
  double pe_max_period_s = 60.0;  // longest time-encoding period in seconds, e.g. 60

  static DiffusionConfig paper();  // 11.4M parameters
  static DiffusionConfig small();  // d=64, 2 heads, FFN 256, 2 + 2 layers
  Dims dims() const { return {d_model, heads, ffn, dropout, pe_min_period_s, pe_max_period_s}; }
  void validate() const;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(DiffusionConfig, d_model, heads, ffn, encoder_layers,
                                                denoiser_layers, step_hidden, diffusion_steps, sampling_steps,
                                                forecast_samples, dropout, pe_min_period_s, pe_max_period_s)

// abar_t for t = 0..steps of the cosine schedule (abar_0 = 1): (steps + 1).
torch::Tensor cosine_alpha_bar(int64_t steps, double s = 0.008);

class MotionDiffusionImpl : public ForecasterImpl {
 public:
  explicit MotionDiffusionImpl(const DiffusionConfig& config);
  std::string kind() const override { return "diffusion"; }
  nlohmann::json config_json() const override { return config; }
  LossOutput loss(const Batch& batch, const StepOptions& opt) override;  // ignores sampling_prob

  // k samples per context: (K, B, H, 75). Noise from `generator` (CPU) or the global one.
  torch::Tensor sample(const torch::Tensor& context, int horizon, int k,
                       c10::optional<at::Generator> generator = c10::nullopt);
  torch::Tensor sample(const torch::Tensor& context, int horizon, int k, uint64_t seed);

  torch::Tensor encode(const torch::Tensor& context);  // (B, T, 75) -> memory (B, T, d)
  // x_t (N, H, 50), steps t (N) in 1..T, memory (N, S, d) -> x0_hat (N, H, 50)
  torch::Tensor denoise(const torch::Tensor& x_t, const torch::Tensor& t, const torch::Tensor& memory);
  // DDIM from noise x_T (N, H, 50) -> x0 (N, H, 50)
  torch::Tensor ddim(const torch::Tensor& noise, const torch::Tensor& memory);

  DiffusionConfig config;
  torch::nn::Linear context_embed{nullptr};  // 75 -> d
  Encoder encoder{nullptr};
  torch::nn::Linear motion_embed{nullptr};   // 50 -> d
  torch::nn::Sequential step_mlp{nullptr};   // d -> step_hidden -> d
  Decoder denoiser{nullptr};                 // unmasked self-attention + cross-attention
  torch::nn::Linear head{nullptr};           // d -> 50
  FastDropout drop{nullptr};
  torch::Tensor alpha_bar;                   // (T + 1) buffer

 protected:
  torch::Tensor forecast_frames(const torch::Tensor& context, int horizon) override;  // (B, H, 75) sample mean
};
TORCH_MODULE(MotionDiffusion);

}  // namespace lmm::models

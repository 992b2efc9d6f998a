// Motion diffusion model (see diffusion.h).
#include "lmm/models/diffusion.h"

#include <ATen/CPUGeneratorImpl.h>

#include <cmath>

#include "lmm/core/body25.h"
#include "lmm/core/error.h"
#include "lmm/models/tokens.h"

namespace lmm::models {

DiffusionConfig DiffusionConfig::paper() { return {}; }

DiffusionConfig DiffusionConfig::small() {
  DiffusionConfig c;
  c.d_model = 64;
  c.heads = 2;
  c.ffn = 256;
  c.encoder_layers = 2;
  c.denoiser_layers = 2;
  c.step_hidden = 128;
  c.dropout = 0.0;
  return c;
}

void DiffusionConfig::validate() const {
  validate_dims(dims(), "diffusion");
  LMM_CHECK(encoder_layers >= 1 && denoiser_layers >= 1 && step_hidden >= 1,
            "diffusion: encoder_layers, denoiser_layers and step_hidden must be >= 1");
  LMM_CHECK(diffusion_steps >= 1 && sampling_steps >= 1 && diffusion_steps % sampling_steps == 0,
            "diffusion: sampling_steps " << sampling_steps << " must divide diffusion_steps " << diffusion_steps);
  LMM_CHECK(forecast_samples >= 1, "diffusion: forecast_samples must be >= 1");
}

torch::Tensor cosine_alpha_bar(int64_t steps, double s) {
  auto t = torch::arange(steps + 1, torch::kDouble) / steps;                  // (T+1) in [0, 1]
  auto f = torch::cos((t + s) / (1 + s) * M_PI / 2).square();                // (T+1)
  auto abar = f / f[0];                                                       // (T+1)
  auto beta = (1 - abar.slice(0, 1) / abar.slice(0, 0, steps)).clamp_max(0.999);  // (T)
  return torch::cat({torch::ones({1}, torch::kDouble), torch::cumprod(1 - beta, 0)}).to(torch::kFloat);  // (T+1)
}

MotionDiffusionImpl::MotionDiffusionImpl(const DiffusionConfig& c) : config(c) {
  config.validate();
  const auto dims = c.dims();
  context_embed = register_module("context_embed", torch::nn::Linear(kFrameDim, c.d_model));
  encoder = register_module("encoder", Encoder(dims, c.encoder_layers));
  motion_embed = register_module("motion_embed", torch::nn::Linear(2 * kNumJoints, c.d_model));
  step_mlp = register_module("step_mlp", torch::nn::Sequential(torch::nn::Linear(c.d_model, c.step_hidden),
                                                               torch::nn::SiLU(),
                                                               torch::nn::Linear(c.step_hidden, c.d_model)));
  denoiser = register_module("denoiser", Decoder(dims, c.denoiser_layers));
  head = register_module("head", torch::nn::Linear(c.d_model, 2 * kNumJoints));
  drop = register_module("drop", FastDropout(c.dropout));
  alpha_bar = register_buffer("alpha_bar", cosine_alpha_bar(c.diffusion_steps));
}

torch::Tensor MotionDiffusionImpl::encode(const torch::Tensor& context) {
  const int64_t T = context.size(1);
  auto times = frame_times(T, -(T - 1) / kStandardFps);                                     // (T) seconds
  return encoder(drop(context_embed(context) + time_encoding(times, config.dims()).to(context.device())));  // (B, T, d)
}

torch::Tensor MotionDiffusionImpl::denoise(const torch::Tensor& x_t, const torch::Tensor& t,
                                           const torch::Tensor& memory) {
  const int64_t H = x_t.size(1);
  auto frame_pe = time_encoding(frame_times(H, 1 / kStandardFps), config.dims()).to(x_t.device());  // (H, d)
  auto step = step_mlp->forward(time_encoding(t, config.d_model, 2 * M_PI, 2 * M_PI * 1e4));       // (N, d)
  auto h = drop(motion_embed(x_t) + frame_pe + step.unsqueeze(1));                                // (N, H, d)
  return head(denoiser(h, memory));                                                               // (N, H, 50)
}

LossOutput MotionDiffusionImpl::loss(const Batch& batch, const StepOptions&) {
  const int64_t B = batch.target.size(0);
  auto anchor = batch.context.select(1, -1).unsqueeze(1);                               // (B, 1, 75)
  auto visible = (frame_confidence(batch.target) > 0).repeat_interleave(2, -1);         // (B, H, 50)
  auto x0 = torch::where(visible, frame_positions(batch.target) - frame_positions(anchor),
                         torch::zeros_like(visible, batch.target.options()));            // (B, H, 50)
  auto t = torch::randint(1, config.diffusion_steps + 1, {B}, batch.target.options().dtype(torch::kLong));  // (B)
  auto abar = alpha_bar.index_select(0, t).view({B, 1, 1});                             // (B, 1, 1)
  auto x_t = abar.sqrt() * x0 + (1 - abar).sqrt() * torch::randn_like(x0);              // (B, H, 50)
  auto x0_hat = denoise(x_t, t, encode(batch.context));                                 // (B, H, 50)
  auto pred = add_position_offsets(anchor, x0_hat);                                    // (B, H, 75)
  auto mse = position_mse(pred, batch.target);                                          // ()
  return {mse, mse.detach()};
}

torch::Tensor MotionDiffusionImpl::ddim(const torch::Tensor& noise, const torch::Tensor& memory) {
  const int64_t N = noise.size(0), stride = config.diffusion_steps / config.sampling_steps;
  auto x = noise;                                                                       // (N, H, 50)
  for (int64_t t = config.diffusion_steps; t > 0; t -= stride) {
    auto steps = torch::full({N}, t, noise.options().dtype(torch::kLong));              // (N)
    auto x0_hat = denoise(x, steps, memory);                                            // (N, H, 50)
    auto abar = alpha_bar[t], abar_prev = alpha_bar[t - stride];                        // ()
    auto eps = (x - abar.sqrt() * x0_hat) / (1 - abar).sqrt();                          // (N, H, 50)
    x = abar_prev.sqrt() * x0_hat + (1 - abar_prev).sqrt() * eps;                       // (N, H, 50)
  }
  return x;                                                                             // (N, H, 50)
}

torch::Tensor MotionDiffusionImpl::sample(const torch::Tensor& context, int horizon, int k,
                                          c10::optional<at::Generator> generator) {
  const int64_t B = context.size(0);
  auto noise = torch::randn({k * B, horizon, 2 * kNumJoints}, generator, torch::kFloat).to(context.device());  // (K*B, H, 50)
  return run_inference([&] {
    auto memory = encode(context).repeat({k, 1, 1});                                    // (K*B, T, d)
    auto x0 = ddim(noise, memory).view({k, B, horizon, 2 * kNumJoints});                // (K, B, H, 50)
    return add_position_offsets(context.select(1, -1).unsqueeze(1), x0);                // (K, B, H, 75)
  });
}

torch::Tensor MotionDiffusionImpl::sample(const torch::Tensor& context, int horizon, int k, uint64_t seed) {
  return sample(context, horizon, k, at::detail::createCPUGenerator(seed));
}

torch::Tensor MotionDiffusionImpl::forecast_frames(const torch::Tensor& context, int horizon) {
  return sample(context, horizon, config.forecast_samples).mean(0);  // (B, H, 75)
}

}  // namespace lmm::models

// Flat transformer baseline (see flat_transformer.h).
#include "lmm/models/flat_transformer.h"

#include "lmm/core/body25.h"
#include "lmm/core/error.h"

namespace lmm::models {

FlatConfig FlatConfig::paper() { return {}; }

FlatConfig FlatConfig::small() {
  FlatConfig c;
  c.d_model = 64;
  c.heads = 2;
  c.ffn = 256;
  c.encoder_layers = 2;
  c.decoder_layers = 2;
  c.dropout = 0.0;
  return c;
}

void FlatConfig::validate() const {
  LMM_CHECK(d_model >= 4 && d_model % 2 == 0 && heads >= 1 && d_model % heads == 0,
            "flat: d_model " << d_model << " must be even and divisible by heads " << heads);
  LMM_CHECK(ffn >= 1 && encoder_layers >= 1 && decoder_layers >= 1,
            "flat: ffn, encoder_layers, decoder_layers must be >= 1");
  LMM_CHECK(dropout >= 0 && dropout < 1, "flat: dropout " << dropout << " outside [0, 1)");
  LMM_CHECK(pe_min_period_s > 0 && pe_max_period_s > pe_min_period_s,
            "flat: need 0 < pe_min_period_s < pe_max_period_s");
}

FlatTransformerImpl::FlatTransformerImpl(const FlatConfig& c) : config(c) {
  config.validate();
  embed = register_module("embed", torch::nn::Linear(kFrameDim, c.d_model));
  encoder = register_module("encoder", Encoder(c.dims(), c.encoder_layers));
  decoder = register_module("decoder", FrameDecoder(c.dims(), c.decoder_layers));
  drop = register_module("drop", torch::nn::Dropout(c.dropout));
}

torch::Tensor FlatTransformerImpl::encode(const torch::Tensor& context) {
  const int64_t T = context.size(1);
  auto times = frame_times(T, -(T - 1) / kStandardFps);                            // (T) seconds, last = 0
  auto x = drop(embed(context) + time_encoding(times, config.dims()).to(context.device()));  // (B, T, d)
  return encoder(x);                                                               // (B, T, d)
}

LossOutput FlatTransformerImpl::loss(const Batch& batch, const StepOptions& opt) {
  auto anchor = batch.context.select(1, -1);                                    // (B, 75)
  auto pred = decoder->scheduled(batch.target, encode(batch.context), anchor, opt.sampling_prob);  // (B, H, 75)
  auto mse = position_mse(pred, batch.target);                                  // ()
  return {mse, mse.detach()};
}

torch::Tensor FlatTransformerImpl::teacher_forced(const Batch& batch) {
  return decoder->scheduled(batch.target, encode(batch.context), batch.context.select(1, -1), 0.0);  // (B, H, 75)
}

torch::Tensor FlatTransformerImpl::forecast(const torch::Tensor& context, int horizon) {
  return decoder->generate(encode(context), context.select(1, -1), horizon);  // (B, H, 75)
}

torch::Tensor FlatTransformerImpl::forecast_uncached(const torch::Tensor& context, int horizon) {
  return decoder->generate_uncached(encode(context), context.select(1, -1), horizon);  // (B, H, 75)
}

}  // namespace lmm::models

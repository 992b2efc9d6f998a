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
  validate_dims(dims(), "flat");
  LMM_CHECK(encoder_layers >= 1 && decoder_layers >= 1, "flat: encoder_layers and decoder_layers must be >= 1");
}

FlatTransformerImpl::FlatTransformerImpl(const FlatConfig& c) : config(c) {
  config.validate();
  embed = register_module("embed", torch::nn::Linear(kFrameDim, c.d_model));
  encoder = register_module("encoder", Encoder(c.dims(), c.encoder_layers));
  decoder = register_module("decoder", FrameDecoder(c.dims(), c.decoder_layers));
  drop = register_module("drop", FastDropout(c.dropout));
}

torch::Tensor FlatTransformerImpl::encode(const torch::Tensor& context) {
  const int64_t T = context.size(1);
  auto times = frame_times(T, -(T - 1) / kStandardFps);                            // (T) seconds, last = 0
  auto x = drop(embed(context) + time_encoding(times, config.dims()).to(context.device()));  // (B, T, d)
  return encoder(x);                                                               // (B, T, d)
}

}  // namespace lmm::models

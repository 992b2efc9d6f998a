// Flat transformer baseline (spec 3.1): encoder-decoder over frame tokens.
//   context (B, 120, 75) -> Linear -> + time encoding (t = (i - 119)/15 s, last frame at 0)
//   -> 6 encoder layers -> memory (B, 120, d)
//   FrameDecoder (6 layers, causal, cross-attending to memory) -> (B, 30, 75), positions as
//   offsets from the last context frame, confidences copied from it.
// Paper preset: d=256, 8 heads, FFN 1024, 11,111,986 parameters (11.1M).
#pragma once
#include <nlohmann/json.hpp>

#include "lmm/models/forecaster.h"
#include "lmm/models/frame_decoder.h"
#include "lmm/models/layers.h"

namespace lmm::models {

struct FlatConfig {
  int64_t d_model = 256;          // token width, e.g. 256
  int64_t heads = 8;              // attention heads, e.g. 8
  int64_t ffn = 1024;             // feed-forward width, e.g. 1024
  int64_t encoder_layers = 6;     // context encoder depth, e.g. 6
  int64_t decoder_layers = 6;     // autoregressive decoder depth, e.g. 6
  double dropout = 0.1;           // dropout rate, e.g. 0.1 (0 in the small preset)
  double pe_min_period_s = 0.2;   // shortest time-encoding period in seconds, e.g. 0.2
  double pe_max_period_s = 60.0;  // longest time-encoding period in seconds, e.g. 60

  static FlatConfig paper();  // 11.1M parameters
  static FlatConfig small();  // d=64, 2 heads, FFN 256, 2+2 layers: minutes of CPU training
  Dims dims() const { return {d_model, heads, ffn, dropout, pe_min_period_s, pe_max_period_s}; }
  void validate() const;  // ConfigError when inconsistent
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(FlatConfig, d_model, heads, ffn, encoder_layers, decoder_layers,
                                                dropout, pe_min_period_s, pe_max_period_s)

class FlatTransformerImpl : public AutoregressiveForecasterImpl {
 public:
  explicit FlatTransformerImpl(const FlatConfig& config);
  std::string kind() const override { return "flat"; }
  nlohmann::json config_json() const override { return config; }
  torch::Tensor encode(const torch::Tensor& context) override;  // (B, T, 75) -> memory (B, T, d)

  FlatConfig config;
  torch::nn::Linear embed{nullptr};  // 75 -> d
  Encoder encoder{nullptr};
  FastDropout drop{nullptr};
};
TORCH_MODULE(FlatTransformer);

}  // namespace lmm::models

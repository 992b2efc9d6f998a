// Hierarchical Temporal Transformer (spec 3.2, 9): three encoder streams over the three token
// views, bidirectional cross-attention fusion, gated combination, autoregressive decoder.
//   frame  stream  (B, 120, d): Linear(75) + time encoding -> 4 self-attention layers
//   window stream  (B, 24, d):  Conv1d(75 -> d, kernel 5) over each 5-frame window + time of
//                               the window's centre frame -> 3 layers (24 tokens)
//   part   stream  (B, 120, d): Linear(21) + part-type embedding + time -> 3 layers of
//                               attention across the 5 regions of each frame, then the mean
//                               over regions
//   fusion (4 layers): frame tokens attend to [window; part] tokens and [window; part]
//                      tokens attend to frame tokens (both from the layer's inputs)
//   gate: g = softmax(Linear(3d -> 3)([f; w; p])) per frame (window tokens repeated x5),
//         memory = LN(g_f W_f f + g_w W_w w + g_p W_p p)   (B, 120, d)
//   FrameDecoder (4 layers) -> (B, 30, 75) offsets from the last context frame.
// Paper preset: 18,790,709 parameters (18.8M); breakdown in docs/models.md.
#pragma once
#include <nlohmann/json.hpp>

#include "lmm/models/frame_decoder.h"
#include "lmm/models/layers.h"

namespace lmm::models {

struct HttConfig {
  int64_t d_model = 256;          // token width, e.g. 256
  int64_t heads = 8;              // attention heads, e.g. 8
  int64_t ffn = 1024;             // feed-forward width, e.g. 1024
  int64_t frame_layers = 4;       // frame-stream encoder depth, e.g. 4
  int64_t window_layers = 3;      // window-stream encoder depth, e.g. 3
  int64_t part_layers = 3;        // body-part-stream encoder depth, e.g. 3
  int64_t fusion_layers = 4;      // bidirectional cross-attention fusion depth, e.g. 4
  int64_t decoder_layers = 4;     // autoregressive decoder depth, e.g. 4
  double dropout = 0.1;           // dropout rate, e.g. 0.1 (0 in the small preset)
  double pe_min_period_s = 0.2;   // shortest time-encoding period in seconds, e.g. 0.2
  double pe_max_period_s = 60.0;  // longest time-encoding period in seconds, e.g. 60

  static HttConfig paper();  // 18.8M parameters
  static HttConfig small();  // d=64, 2 heads, FFN 256, 2/1/1 streams, 1 fusion, 2 decoder layers
  Dims dims() const { return {d_model, heads, ffn, dropout, pe_min_period_s, pe_max_period_s}; }
  void validate() const;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(HttConfig, d_model, heads, ffn, frame_layers, window_layers,
                                                part_layers, fusion_layers, decoder_layers, dropout,
                                                pe_min_period_s, pe_max_period_s)

// One bidirectional fusion layer between the frame stream and the coarse (window + part) tokens.
class FusionLayerImpl : public torch::nn::Module {
 public:
  explicit FusionLayerImpl(const Dims& dims);

  CrossLayer frame_from_coarse{nullptr}, coarse_from_frame{nullptr};
};
TORCH_MODULE(FusionLayer);

// The three encoder outputs after fusion, aligned per stream.
struct HttStreams {
  torch::Tensor frame;   // (B, T, d)
  torch::Tensor window;  // (B, T/5, d)
  torch::Tensor part;    // (B, T, d)
};

class HierarchicalTransformerImpl : public AutoregressiveForecasterImpl {
 public:
  explicit HierarchicalTransformerImpl(const HttConfig& config);
  std::string kind() const override { return "htt"; }
  nlohmann::json config_json() const override { return config; }
  torch::Tensor encode(const torch::Tensor& context) override;  // (B, T, 75) -> memory (B, T, d)
  HttStreams streams(const torch::Tensor& context);              // encoders + fusion

  HttConfig config;
  torch::nn::Linear frame_embed{nullptr};    // 75 -> d
  torch::nn::Conv1d window_embed{nullptr};   // 75 channels x 5 frames -> d
  torch::nn::Linear part_embed{nullptr};     // 21 -> d
  torch::nn::Embedding part_type{nullptr};   // 5 regions -> d
  Encoder frame_encoder{nullptr}, window_encoder{nullptr}, part_encoder{nullptr};
  torch::nn::ModuleList fusion;              // FusionLayer x fusion_layers
  torch::nn::Linear gate{nullptr};           // 3d -> 3 stream weights
  torch::nn::Linear frame_proj{nullptr}, window_proj{nullptr}, part_proj{nullptr};  // d -> d
  torch::nn::LayerNorm memory_norm{nullptr};
  FastDropout drop{nullptr};
};
TORCH_MODULE(HierarchicalTransformer);

}  // namespace lmm::models

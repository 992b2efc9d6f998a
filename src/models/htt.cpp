// Hierarchical Temporal Transformer (see htt.h).
#include "lmm/models/htt.h"

#include "lmm/core/body25.h"
#include "lmm/core/error.h"
#include "lmm/models/tokens.h"

namespace lmm::models {

HttConfig HttConfig::paper() { return {}; }

HttConfig HttConfig::small() {
  HttConfig c;
  c.d_model = 64;
  c.heads = 2;
  c.ffn = 256;
  c.frame_layers = 2;
  c.window_layers = 1;
  c.part_layers = 1;
  c.fusion_layers = 1;
  c.decoder_layers = 2;
  c.dropout = 0.0;
  return c;
}

void HttConfig::validate() const {
  validate_dims(dims(), "htt");
  LMM_CHECK(frame_layers >= 1 && window_layers >= 1 && part_layers >= 1 && fusion_layers >= 0 &&
                decoder_layers >= 1,
            "htt: stream and decoder layer counts must be >= 1, fusion_layers >= 0");
}

FusionLayerImpl::FusionLayerImpl(const Dims& dims) {
  frame_from_coarse = register_module("frame_from_coarse", CrossLayer(dims));
  coarse_from_frame = register_module("coarse_from_frame", CrossLayer(dims));
}

HierarchicalTransformerImpl::HierarchicalTransformerImpl(const HttConfig& c) : config(c) {
  config.validate();
  const auto dims = c.dims();
  const int64_t d = c.d_model;
  frame_embed = register_module("frame_embed", torch::nn::Linear(kFrameDim, d));
  window_embed = register_module("window_embed", torch::nn::Conv1d(torch::nn::Conv1dOptions(kFrameDim, d, kWindowFrames)));
  part_embed = register_module("part_embed", torch::nn::Linear(kPartDim, d));
  part_type = register_module("part_type", torch::nn::Embedding(kNumParts, d));
  frame_encoder = register_module("frame_encoder", Encoder(dims, c.frame_layers));
  window_encoder = register_module("window_encoder", Encoder(dims, c.window_layers));
  part_encoder = register_module("part_encoder", Encoder(dims, c.part_layers));
  fusion = register_module("fusion", torch::nn::ModuleList());
  for (int i = 0; i < c.fusion_layers; ++i) fusion->push_back(FusionLayer(dims));
  gate = register_module("gate", torch::nn::Linear(3 * d, 3));
  frame_proj = register_module("frame_proj", torch::nn::Linear(d, d));
  window_proj = register_module("window_proj", torch::nn::Linear(d, d));
  part_proj = register_module("part_proj", torch::nn::Linear(d, d));
  memory_norm = register_module("memory_norm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({d})));
  decoder = register_module("decoder", FrameDecoder(dims, c.decoder_layers));
  drop = register_module("drop", FastDropout(c.dropout));
}

HttStreams HierarchicalTransformerImpl::streams(const torch::Tensor& context) {
  const int64_t B = context.size(0), T = context.size(1), d = config.d_model;
  const auto dims = config.dims();
  auto times = frame_times(T, -(T - 1) / kStandardFps).to(context.device());     // (T) seconds, last = 0
  auto pe = time_encoding(times, dims);                                           // (T, d)

  auto windows = to_window_tokens(context);                                       // (B, N, 5, 75)
  const int64_t N = windows.size(1);
  auto window_pe = time_encoding(times.view({N, kWindowFrames}).select(1, 2), dims);  // (N, d) centre frames
  auto w = window_embed(windows.flatten(0, 1).transpose(1, 2)).view({B, N, d});  // (B, N, d)
  auto parts = to_part_tokens(context);                                          // (B, T, 5, 21)
  auto p = part_embed(parts) + part_type->weight + pe.unsqueeze(1);              // (B, T, 5, d)

  auto f = frame_encoder(drop(frame_embed(context) + pe));                       // (B, T, d)
  w = window_encoder(drop(w + window_pe));                                       // (B, N, d)
  p = part_encoder(drop(p).flatten(0, 1)).view({B, T, kNumParts, d}).mean(2);    // (B, T, d)

  for (auto& m : *fusion) {
    auto layer = m->as<FusionLayer>();
    auto coarse = torch::cat({w, p}, 1);                                         // (B, N + T, d)
    auto f_next = layer->frame_from_coarse(f, coarse);                           // (B, T, d)
    coarse = layer->coarse_from_frame(coarse, f);                                // (B, N + T, d)
    f = f_next;
    w = coarse.narrow(1, 0, N);                                                  // (B, N, d)
    p = coarse.narrow(1, N, T);                                                  // (B, T, d)
  }
  return {f, w, p};
}

torch::Tensor HierarchicalTransformerImpl::encode(const torch::Tensor& context) {
  auto s = streams(context);
  auto w = s.window.repeat_interleave(kWindowFrames, 1);                         // (B, T, d)
  auto g = torch::softmax(gate(torch::cat({s.frame, w, s.part}, -1)), -1);       // (B, T, 3)
  auto fused = g.narrow(-1, 0, 1) * frame_proj(s.frame) + g.narrow(-1, 1, 1) * window_proj(w) +
               g.narrow(-1, 2, 1) * part_proj(s.part);                           // (B, T, d)
  return memory_norm(fused);                                                     // (B, T, d)
}

}  // namespace lmm::models

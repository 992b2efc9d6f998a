// Transformer building blocks shared by the flat, HTT and diffusion models, written out
// (instead of torch::nn::Transformer*) so autoregressive decoding can cache keys/values and
// the PyTorch reference (tests/ref/flat_reference.py) mirrors them name for name.
// Pre-LayerNorm residual blocks (x + f(LN(x))); every stack ends in a LayerNorm.
//   tokens (B, L, d); attention heads h, head size d/h; additive masks (Lq, Lk) with -inf.
#pragma once
#include <torch/torch.h>

#include "lmm/models/dropout.h"

#include <string>
#include <vector>

namespace lmm::models {

// Sizes and time encoding shared by every block of a model.
struct Dims {
  int64_t d_model = 256;          // token width, e.g. 256 (paper) or 64 (small)
  int64_t heads = 8;              // attention heads, divides d_model, e.g. 8
  int64_t ffn = 1024;             // feed-forward hidden width, e.g. 1024
  double dropout = 0.1;           // dropout after attention / FFN / embeddings, e.g. 0.1
  double pe_min_period_s = 0.2;   // shortest period of the time encoding, seconds, e.g. 0.2
  double pe_max_period_s = 60.0;  // longest period of the time encoding, seconds, e.g. 60
};
// ConfigError unless heads divide an even d_model >= 4, ffn >= 1, dropout in [0, 1) and
// 0 < pe_min_period_s < pe_max_period_s; `model` names the config in the message.
void validate_dims(const Dims& dims, const char* model);

// Sinusoidal encoding of physical time: times (..) in seconds -> (.., d), first half
// sin(2 pi t / P_i), second half cos(2 pi t / P_i), periods P_i geometric from
// min_period to max_period (seconds), so frame rate never enters the encoding.
torch::Tensor time_encoding(const torch::Tensor& times, int64_t d, double min_period, double max_period);
inline torch::Tensor time_encoding(const torch::Tensor& times, const Dims& dims) {
  return time_encoding(times, dims.d_model, dims.pe_min_period_s, dims.pe_max_period_s);
}
// Times in seconds of `n` frames at 15 FPS whose first frame is at `first` seconds: (n).
torch::Tensor frame_times(int64_t n, double first);

// Runs f() under c10::InferenceMode when gradients are off (less bookkeeping per op for
// step-by-step decoding) and returns its tensor as an ordinary tensor.
template <class F>
torch::Tensor run_inference(F&& f) {
  if (torch::GradMode::is_enabled()) return f();
  torch::Tensor out;
  {
    c10::InferenceMode guard;
    out = f();
  }
  return out.clone();
}

// Additive causal mask (L, L): 0 on and below the diagonal, -inf above.
torch::Tensor causal_mask(int64_t L, const torch::TensorOptions& opt = {});

// Keys and values of one attention source, split into heads.
struct KeyValues {
  torch::Tensor k;       // (B, h, Lk, d/h)
  torch::Tensor v;       // (B, h, Lk, d/h)
  torch::Tensor packed;  // (B, Lk, 2d) [k | v] projection that k and v view, when from keys_values
};

// Multi-head attention with a packed input projection in_proj (d -> 3d: q, k, v rows, as in
// torch.nn.MultiheadAttention; self-attention projects all three in one GEMM) and out (d -> d).
// Sequence calls take (B, L, d) tokens; decoding calls take one position as rows (B, d).
class MultiheadAttentionImpl : public torch::nn::Module {
 public:
  explicit MultiheadAttentionImpl(const Dims& dims);
  // x (B, L, d) attends to itself; mask (L, L) additive or undefined -> (B, L, d)
  torch::Tensor self_attention(const torch::Tensor& x, const torch::Tensor& mask = {});
  KeyValues keys_values(const torch::Tensor& source);  // (B, Lk, d) -> heads
  // query (B, Lq, d) attends to kv -> (B, Lq, d)
  torch::Tensor cross_attention(const torch::Tensor& query, const KeyValues& kv);
  torch::Tensor forward(const torch::Tensor& query, const torch::Tensor& source) {
    return cross_attention(query, keys_values(source));
  }
  // One decoding position x (B, d): appends its key/value to `cache`, attends to the cache.
  torch::Tensor self_step(const torch::Tensor& x, KeyValues& cache);
  torch::Tensor cross_step(const torch::Tensor& x, const KeyValues& kv);  // (B, d) -> (B, d)

  int64_t heads;
  double dropout;
  torch::nn::Linear in_proj{nullptr}, out{nullptr};

 private:
  // Float32 CPU calls with more than one query (training, encoding) run fused_attention.h,
  // one autograd node per call; the rest go through attend().
  bool fused(const torch::Tensor& x, int64_t Lq) const;
  // In attend(), sources with at most this many keys (the 5 body parts) and single queries
  // (decoding) use broadcast products instead of batched GEMMs, which libtorch runs one small
  // matrix at a time.
  static constexpr int64_t kFewKeys = 8;
  // q (B, h, Lq, d/h) -> (B, Lq, d) before the output projection
  torch::Tensor attend(const torch::Tensor& q, const KeyValues& kv, const torch::Tensor& mask);
};
TORCH_MODULE(MultiheadAttention);

// Position-wise feed-forward: Linear(d, ffn) -> GELU -> dropout -> Linear(ffn, d).
class FeedForwardImpl : public torch::nn::Module {
 public:
  explicit FeedForwardImpl(const Dims& dims);
  torch::Tensor forward(const torch::Tensor& x);  // (B, L, d) -> (B, L, d)

  torch::nn::Linear up{nullptr}, down{nullptr};
  FastDropout drop{nullptr};
};
TORCH_MODULE(FeedForward);

// Self-attention + FFN block. 789,760 parameters at d=256, ffn=1024.
class EncoderLayerImpl : public torch::nn::Module {
 public:
  explicit EncoderLayerImpl(const Dims& dims);
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& mask = {});  // (B, L, d)

  torch::nn::LayerNorm norm1{nullptr}, norm2{nullptr};
  MultiheadAttention self_attn{nullptr};
  FeedForward ffn{nullptr};
  FastDropout drop{nullptr};
};
TORCH_MODULE(EncoderLayer);

// A stack of encoder layers followed by a LayerNorm.
class EncoderImpl : public torch::nn::Module {
 public:
  EncoderImpl(const Dims& dims, int layers);
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& mask = {});  // (B, L, d)

  torch::nn::ModuleList layers;
  torch::nn::LayerNorm norm{nullptr};
};
TORCH_MODULE(Encoder);

// Self-attention keys/values of the decoder steps run so far (grows by one per step).
struct StepCache {
  std::vector<KeyValues> self;    // per layer: (B, h, steps, d/h)
  std::vector<KeyValues> memory;  // per layer: cross-attention keys/values, computed once
};

// Self-attention (causal or not) + cross-attention to a memory + FFN.
// 1,053,440 parameters at d=256, ffn=1024.
class DecoderLayerImpl : public torch::nn::Module {
 public:
  explicit DecoderLayerImpl(const Dims& dims);
  // Whole sequence: x (B, L, d), memory keys/values, self mask (L, L) or undefined.
  torch::Tensor forward(const torch::Tensor& x, const KeyValues& memory, const torch::Tensor& self_mask = {});
  // One new position x (B, d) attending to the cached steps plus itself; appends to `self`.
  torch::Tensor step(const torch::Tensor& x, KeyValues& self, const KeyValues& memory);  // (B, d)

  torch::nn::LayerNorm norm1{nullptr}, norm2{nullptr}, norm3{nullptr};
  MultiheadAttention self_attn{nullptr}, cross_attn{nullptr};
  FeedForward ffn{nullptr};
  FastDropout drop{nullptr};
};
TORCH_MODULE(DecoderLayer);

// A stack of decoder layers followed by a LayerNorm; whole-sequence and cached stepping.
class DecoderImpl : public torch::nn::Module {
 public:
  DecoderImpl(const Dims& dims, int layers);
  // x (B, L, d), memory (B, S, d), self mask (L, L) or undefined -> (B, L, d)
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& memory, const torch::Tensor& self_mask = {});
  StepCache start(const torch::Tensor& memory);                // projects memory once
  torch::Tensor step(const torch::Tensor& x, StepCache& cache);  // (B, d) -> (B, d), one position

  torch::nn::ModuleList layers;
  torch::nn::LayerNorm norm{nullptr};
};
TORCH_MODULE(Decoder);

// Cross-attention + FFN block for stream fusion: x attends to another stream.
// 790,272 parameters at d=256, ffn=1024 (LayerNorms on query, source and FFN input).
class CrossLayerImpl : public torch::nn::Module {
 public:
  explicit CrossLayerImpl(const Dims& dims);
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& source);  // (B, L, d), (B, S, d)

  torch::nn::LayerNorm norm_q{nullptr}, norm_kv{nullptr}, norm_ff{nullptr};
  MultiheadAttention attn{nullptr};
  FeedForward ffn{nullptr};
  FastDropout drop{nullptr};
};
TORCH_MODULE(CrossLayer);

}  // namespace lmm::models

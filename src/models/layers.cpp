// Transformer blocks (see layers.h): explicit multi-head attention with key/value caching,
// pre-LN encoder, decoder and cross-attention layers.
#include "lmm/models/layers.h"

#include <cmath>

#include "lmm/core/body25.h"
#include "lmm/core/error.h"

namespace lmm::models {

void validate_dims(const Dims& d, const char* model) {
  LMM_CHECK(d.d_model >= 4 && d.d_model % 2 == 0 && d.heads >= 1 && d.d_model % d.heads == 0,
            model << ": d_model " << d.d_model << " must be even and divisible by heads " << d.heads);
  LMM_CHECK(d.ffn >= 1, model << ": ffn " << d.ffn << " must be >= 1");
  LMM_CHECK(d.dropout >= 0 && d.dropout < 1, model << ": dropout " << d.dropout << " outside [0, 1)");
  LMM_CHECK(d.pe_min_period_s > 0 && d.pe_max_period_s > d.pe_min_period_s,
            model << ": need 0 < pe_min_period_s (" << d.pe_min_period_s << ") < pe_max_period_s ("
                  << d.pe_max_period_s << ")");
}

torch::Tensor time_encoding(const torch::Tensor& times, int64_t d, double min_period, double max_period) {
  LMM_CHECK(d % 2 == 0 && d >= 4, "time_encoding: width " << d << " must be even and >= 4");
  const int64_t half = d / 2;
  auto opt = times.options().dtype(torch::kFloat);
  auto i = torch::arange(half, opt) / static_cast<double>(half - 1);                  // (d/2) in [0, 1]
  auto omega = 2 * M_PI / (min_period * torch::pow(max_period / min_period, i));     // (d/2) rad/s
  auto angle = times.to(torch::kFloat).unsqueeze(-1) * omega;                         // (.., d/2)
  return torch::cat({torch::sin(angle), torch::cos(angle)}, -1);                     // (.., d)
}

torch::Tensor frame_times(int64_t n, double first) {
  return first + torch::arange(n, torch::kFloat) / kStandardFps;  // (n) seconds
}

torch::Tensor causal_mask(int64_t L, const torch::TensorOptions& opt) {
  auto full = torch::full({L, L}, -std::numeric_limits<float>::infinity(), opt.dtype(torch::kFloat));
  return torch::triu(full, 1);  // (L, L)
}

// ---- attention --------------------------------------------------------------------------

MultiheadAttentionImpl::MultiheadAttentionImpl(const Dims& dims) : heads(dims.heads), dropout(dims.dropout) {
  LMM_CHECK(dims.d_model % dims.heads == 0,
            "d_model " << dims.d_model << " is not divisible by heads " << dims.heads);
  q = register_module("q", torch::nn::Linear(dims.d_model, dims.d_model));
  kv = register_module("kv", torch::nn::Linear(dims.d_model, 2 * dims.d_model));
  out = register_module("out", torch::nn::Linear(dims.d_model, dims.d_model));
}

KeyValues MultiheadAttentionImpl::keys_values(const torch::Tensor& source) {
  const int64_t B = source.size(0), L = source.size(1);
  auto kvh = kv(source).view({B, L, 2, heads, -1}).permute({2, 0, 3, 1, 4});  // (2, B, h, Lk, d/h)
  return {kvh[0], kvh[1]};
}

torch::Tensor MultiheadAttentionImpl::attend(const torch::Tensor& query, const KeyValues& kvs,
                                             const torch::Tensor& mask) {
  const int64_t B = query.size(0), L = query.size(1), d = query.size(2);
  auto qh = q(query).view({B, L, heads, -1}).transpose(1, 2);          // (B, h, Lq, d/h)
  qh = qh * (1.0 / std::sqrt(static_cast<double>(d / heads)));         // (B, h, Lq, d/h)
  auto scores = torch::matmul(qh, kvs.k.transpose(-2, -1));            // (B, h, Lq, Lk)
  if (mask.defined()) scores = scores + mask;                          // (B, h, Lq, Lk)
  auto weights = torch::dropout(torch::softmax(scores, -1), dropout, is_training());  // (B, h, Lq, Lk)
  auto ctx = torch::matmul(weights, kvs.v).transpose(1, 2).reshape({B, L, d});       // (B, Lq, d)
  return out(ctx);                                                     // (B, Lq, d)
}

FeedForwardImpl::FeedForwardImpl(const Dims& dims) {
  up = register_module("up", torch::nn::Linear(dims.d_model, dims.ffn));
  down = register_module("down", torch::nn::Linear(dims.ffn, dims.d_model));
  drop = register_module("drop", torch::nn::Dropout(dims.dropout));
}

torch::Tensor FeedForwardImpl::forward(const torch::Tensor& x) {
  return down(drop(torch::gelu(up(x))));  // (B, L, d)
}

namespace {
torch::nn::LayerNorm layer_norm(int64_t d) { return torch::nn::LayerNorm(torch::nn::LayerNormOptions({d})); }
}  // namespace

// ---- encoder ----------------------------------------------------------------------------

EncoderLayerImpl::EncoderLayerImpl(const Dims& dims) {
  norm1 = register_module("norm1", layer_norm(dims.d_model));
  self_attn = register_module("self_attn", MultiheadAttention(dims));
  norm2 = register_module("norm2", layer_norm(dims.d_model));
  ffn = register_module("ffn", FeedForward(dims));
  drop = register_module("drop", torch::nn::Dropout(dims.dropout));
}

torch::Tensor EncoderLayerImpl::forward(const torch::Tensor& x, const torch::Tensor& mask) {
  auto h = norm1(x);                                 // (B, L, d)
  auto y = x + drop(self_attn(h, h, mask));          // (B, L, d)
  return y + drop(ffn(norm2(y)));                    // (B, L, d)
}

EncoderImpl::EncoderImpl(const Dims& dims, int n) {
  layers = register_module("layers", torch::nn::ModuleList());
  for (int i = 0; i < n; ++i) layers->push_back(EncoderLayer(dims));
  norm = register_module("norm", layer_norm(dims.d_model));
}

torch::Tensor EncoderImpl::forward(const torch::Tensor& x, const torch::Tensor& mask) {
  auto h = x;                                                         // (B, L, d)
  for (auto& layer : *layers) h = layer->as<EncoderLayer>()->forward(h, mask);  // (B, L, d)
  return norm(h);                                                     // (B, L, d)
}

// ---- decoder ----------------------------------------------------------------------------

DecoderLayerImpl::DecoderLayerImpl(const Dims& dims) {
  norm1 = register_module("norm1", layer_norm(dims.d_model));
  self_attn = register_module("self_attn", MultiheadAttention(dims));
  norm2 = register_module("norm2", layer_norm(dims.d_model));
  cross_attn = register_module("cross_attn", MultiheadAttention(dims));
  norm3 = register_module("norm3", layer_norm(dims.d_model));
  ffn = register_module("ffn", FeedForward(dims));
  drop = register_module("drop", torch::nn::Dropout(dims.dropout));
}

torch::Tensor DecoderLayerImpl::forward(const torch::Tensor& x, const KeyValues& memory,
                                        const torch::Tensor& self_mask) {
  auto h = norm1(x);                                               // (B, L, d)
  auto y = x + drop(self_attn(h, h, self_mask));                   // (B, L, d)
  y = y + drop(cross_attn->attend(norm2(y), memory));              // (B, L, d)
  return y + drop(ffn(norm3(y)));                                  // (B, L, d)
}

torch::Tensor DecoderLayerImpl::step(const torch::Tensor& x, KeyValues& self, const KeyValues& memory) {
  auto h = norm1(x);                                               // (B, 1, d)
  auto fresh = self_attn->keys_values(h);                          // (B, h, 1, d/h) each
  self.k = self.k.defined() ? torch::cat({self.k, fresh.k}, 2) : fresh.k;  // (B, h, steps, d/h)
  self.v = self.v.defined() ? torch::cat({self.v, fresh.v}, 2) : fresh.v;  // (B, h, steps, d/h)
  auto y = x + drop(self_attn->attend(h, self));                   // (B, 1, d)
  y = y + drop(cross_attn->attend(norm2(y), memory));              // (B, 1, d)
  return y + drop(ffn(norm3(y)));                                  // (B, 1, d)
}

DecoderImpl::DecoderImpl(const Dims& dims, int n) {
  layers = register_module("layers", torch::nn::ModuleList());
  for (int i = 0; i < n; ++i) layers->push_back(DecoderLayer(dims));
  norm = register_module("norm", layer_norm(dims.d_model));
}

torch::Tensor DecoderImpl::forward(const torch::Tensor& x, const torch::Tensor& memory,
                                   const torch::Tensor& self_mask) {
  auto h = x;                                                      // (B, L, d)
  for (auto& m : *layers) {
    auto layer = m->as<DecoderLayer>();
    h = layer->forward(h, layer->cross_attn->keys_values(memory), self_mask);  // (B, L, d)
  }
  return norm(h);                                                  // (B, L, d)
}

StepCache DecoderImpl::start(const torch::Tensor& memory) {
  StepCache cache;
  for (auto& m : *layers) {
    cache.memory.push_back(m->as<DecoderLayer>()->cross_attn->keys_values(memory));  // (B, h, S, d/h)
    cache.self.emplace_back();
  }
  return cache;
}

torch::Tensor DecoderImpl::step(const torch::Tensor& x, StepCache& cache) {
  auto h = x;                                                      // (B, 1, d)
  for (size_t i = 0; i < layers->size(); ++i)
    h = layers[i]->as<DecoderLayer>()->step(h, cache.self[i], cache.memory[i]);  // (B, 1, d)
  return norm(h);                                                  // (B, 1, d)
}

// ---- fusion -----------------------------------------------------------------------------

CrossLayerImpl::CrossLayerImpl(const Dims& dims) {
  norm_q = register_module("norm_q", layer_norm(dims.d_model));
  norm_kv = register_module("norm_kv", layer_norm(dims.d_model));
  attn = register_module("attn", MultiheadAttention(dims));
  norm_ff = register_module("norm_ff", layer_norm(dims.d_model));
  ffn = register_module("ffn", FeedForward(dims));
  drop = register_module("drop", torch::nn::Dropout(dims.dropout));
}

torch::Tensor CrossLayerImpl::forward(const torch::Tensor& x, const torch::Tensor& source) {
  auto y = x + drop(attn(norm_q(x), norm_kv(source)));             // (B, L, d)
  return y + drop(ffn(norm_ff(y)));                                // (B, L, d)
}

}  // namespace lmm::models

// Transformer blocks (see layers.h): explicit multi-head attention with key/value caching,
// pre-LN encoder, decoder and cross-attention layers.
#include "lmm/models/layers.h"

#include <cmath>

#include "lmm/core/body25.h"
#include "lmm/core/error.h"
#include "lmm/models/fused_attention.h"

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
  in_proj = register_module("in_proj", torch::nn::Linear(dims.d_model, 3 * dims.d_model));
  out = register_module("out", torch::nn::Linear(dims.d_model, dims.d_model));
}

torch::Tensor MultiheadAttentionImpl::attend(const torch::Tensor& q, const KeyValues& kv, const torch::Tensor& mask) {
  const int64_t B = q.size(0), Lq = q.size(2), Lk = kv.k.size(2), dh = q.size(3);
  const double scale = 1.0 / std::sqrt(static_cast<double>(dh));
  if (Lq == 1 || Lk <= kFewKeys) {  // decoding step or few keys: broadcast products, no per-head GEMMs
    auto scores = (q.unsqueeze(3) * kv.k.unsqueeze(2)).sum(-1) * scale;           // (B, h, Lq, Lk)
    if (mask.defined()) scores = scores + mask;                                    // (B, h, Lq, Lk)
    auto weights = fast_dropout(torch::softmax(scores, -1), dropout, is_training());  // (B, h, Lq, Lk)
    auto ctx = (weights.unsqueeze(-1) * kv.v.unsqueeze(2)).sum(3);                 // (B, h, Lq, d/h)
    return ctx.transpose(1, 2).reshape({B, Lq, heads * dh});                       // (B, Lq, d)
  }
  auto qb = q.reshape({B * heads, Lq, dh});                                       // (B*h, Lq, d/h)
  auto kb = kv.k.reshape({B * heads, Lk, dh});                                    // (B*h, Lk, d/h)
  auto bias = mask.defined() ? mask : torch::zeros({}, q.options());              // (Lq, Lk) or ()
  auto scores = torch::baddbmm(bias, qb, kb.transpose(1, 2), mask.defined() ? 1 : 0, scale);  // (B*h, Lq, Lk)
  auto weights = fast_dropout(torch::softmax(scores, -1), dropout, is_training());           // (B*h, Lq, Lk)
  auto ctx = torch::bmm(weights, kv.v.reshape({B * heads, Lk, dh}));              // (B*h, Lq, d/h)
  return ctx.view({B, heads, Lq, dh}).transpose(1, 2).reshape({B, Lq, heads * dh});  // (B, Lq, d)
}

bool MultiheadAttentionImpl::fused(const torch::Tensor& x, int64_t Lq) const {
  return Lq > 1 && fused_attention_supported(x, dropout);
}

torch::Tensor MultiheadAttentionImpl::self_attention(const torch::Tensor& x, const torch::Tensor& mask) {
  const int64_t B = x.size(0), L = x.size(1);
  auto qkv = in_proj(x);                                                          // (B, L, 3d)
  if (fused(qkv, L)) return out(fused_self_attention(qkv, heads, mask, dropout, is_training()));  // (B, L, d)
  auto split = qkv.view({B, L, 3, heads, -1}).permute({2, 0, 3, 1, 4});           // (3, B, h, L, d/h)
  return out(attend(split[0], {split[1], split[2], {}}, mask));                   // (B, L, d)
}

KeyValues MultiheadAttentionImpl::keys_values(const torch::Tensor& source) {
  const int64_t B = source.size(0), L = source.size(1), d = source.size(2);
  auto w = in_proj->weight.narrow(0, d, 2 * d), b = in_proj->bias.narrow(0, d, 2 * d);  // k, v rows
  auto packed = torch::linear(source, w, b);                                      // (B, Lk, 2d)
  auto kv = packed.view({B, L, 2, heads, -1}).permute({2, 0, 3, 1, 4});           // (2, B, h, Lk, d/h)
  return {kv[0], kv[1], packed};
}

torch::Tensor MultiheadAttentionImpl::cross_attention(const torch::Tensor& query, const KeyValues& kv) {
  const int64_t B = query.size(0), L = query.size(1), d = query.size(2);
  auto q = torch::linear(query, in_proj->weight.narrow(0, 0, d), in_proj->bias.narrow(0, 0, d));  // (B, Lq, d)
  if (kv.packed.defined() && fused(q, L))
    return out(fused_cross_attention(q, kv.packed, heads, {}, dropout, is_training()));  // (B, Lq, d)
  return out(attend(q.view({B, L, heads, -1}).transpose(1, 2), kv, {}));          // (B, Lq, d)
}

torch::Tensor MultiheadAttentionImpl::self_step(const torch::Tensor& x, KeyValues& cache) {
  auto qkv = in_proj(x).view({x.size(0), 3, heads, 1, -1});                       // (B, 3, h, 1, d/h)
  auto k = qkv.select(1, 1), v = qkv.select(1, 2);                                // (B, h, 1, d/h)
  cache.k = cache.k.defined() ? torch::cat({cache.k, k}, 2) : k;                  // (B, h, steps, d/h)
  cache.v = cache.v.defined() ? torch::cat({cache.v, v}, 2) : v;                  // (B, h, steps, d/h)
  return out(attend(qkv.select(1, 0), cache, {}).squeeze(1));                     // (B, d)
}

torch::Tensor MultiheadAttentionImpl::cross_step(const torch::Tensor& x, const KeyValues& kv) {
  const int64_t d = x.size(1);
  auto q = torch::addmm(in_proj->bias.narrow(0, 0, d), x, in_proj->weight.narrow(0, 0, d).t());  // (B, d)
  return out(attend(q.view({x.size(0), heads, 1, -1}), kv, {}).squeeze(1));      // (B, d)
}

FeedForwardImpl::FeedForwardImpl(const Dims& dims) {
  up = register_module("up", torch::nn::Linear(dims.d_model, dims.ffn));
  down = register_module("down", torch::nn::Linear(dims.ffn, dims.d_model));
  drop = register_module("drop", FastDropout(dims.dropout));
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
  drop = register_module("drop", FastDropout(dims.dropout));
}

torch::Tensor EncoderLayerImpl::forward(const torch::Tensor& x, const torch::Tensor& mask) {
  auto h = norm1(x);                                 // (B, L, d)
  auto y = x + drop(self_attn->self_attention(h, mask));  // (B, L, d)
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
  drop = register_module("drop", FastDropout(dims.dropout));
}

torch::Tensor DecoderLayerImpl::forward(const torch::Tensor& x, const KeyValues& memory,
                                        const torch::Tensor& self_mask) {
  auto y = x + drop(self_attn->self_attention(norm1(x), self_mask));  // (B, L, d)
  y = y + drop(cross_attn->cross_attention(norm2(y), memory));     // (B, L, d)
  return y + drop(ffn(norm3(y)));                                  // (B, L, d)
}

torch::Tensor DecoderLayerImpl::step(const torch::Tensor& x, KeyValues& self, const KeyValues& memory) {
  auto y = x + drop(self_attn->self_step(norm1(x), self));        // (B, d)
  y = y + drop(cross_attn->cross_step(norm2(y), memory));          // (B, d)
  return y + drop(ffn(norm3(y)));                                  // (B, d)
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
  auto h = x;                                                      // (B, d)
  for (size_t i = 0; i < layers->size(); ++i)
    h = layers[i]->as<DecoderLayer>()->step(h, cache.self[i], cache.memory[i]);  // (B, d)
  return norm(h);                                                  // (B, d)
}

// ---- fusion -----------------------------------------------------------------------------

CrossLayerImpl::CrossLayerImpl(const Dims& dims) {
  norm_q = register_module("norm_q", layer_norm(dims.d_model));
  norm_kv = register_module("norm_kv", layer_norm(dims.d_model));
  attn = register_module("attn", MultiheadAttention(dims));
  norm_ff = register_module("norm_ff", layer_norm(dims.d_model));
  ffn = register_module("ffn", FeedForward(dims));
  drop = register_module("drop", FastDropout(dims.dropout));
}

torch::Tensor CrossLayerImpl::forward(const torch::Tensor& x, const torch::Tensor& source) {
  auto y = x + drop(attn(norm_q(x), norm_kv(source)));             // (B, L, d)
  return y + drop(ffn(norm_ff(y)));                                // (B, L, d)
}

}  // namespace lmm::models

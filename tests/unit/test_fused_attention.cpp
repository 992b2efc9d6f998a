// Fused CPU attention (include/lmm/models/fused_attention.h) against attention composed of
// torch ops: outputs and gradients of self-attention (causal mask) and cross-attention,
// attention dropout drawing the same mask as fast_dropout on the weights, 1 vs 2 threads,
// extreme scores, and inputs that do not fit the packing.
#include <gtest/gtest.h>

#include <cmath>

#include "lmm/core/error.h"
#include "lmm/models/dropout.h"
#include "lmm/models/fused_attention.h"
#include "lmm/models/layers.h"

namespace {
using namespace lmm::models;

// softmax(q k^T / sqrt(dh) + mask) v per head, as the composed reference.
// q (B, Lq, d), k and v (B, Lk, d) -> (B, Lq, d)
torch::Tensor reference(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v, int64_t heads,
                        const torch::Tensor& mask, double dropout = 0, bool train = false) {
  const int64_t B = q.size(0), Lq = q.size(1), Lk = k.size(1), d = q.size(2), dh = d / heads;
  auto split = [&](const torch::Tensor& t, int64_t L) {
    return t.reshape({B, L, heads, dh}).transpose(1, 2).reshape({B * heads, L, dh});  // (B*h, L, dh)
  };
  auto s = torch::bmm(split(q, Lq), split(k, Lk).transpose(1, 2)) / std::sqrt(double(dh));  // (B*h, Lq, Lk)
  if (mask.defined()) s = s + mask;
  auto w = fast_dropout(torch::softmax(s, -1), dropout, train);                                // (B*h, Lq, Lk)
  return torch::bmm(w, split(v, Lk)).view({B, heads, Lq, dh}).transpose(1, 2).reshape({B, Lq, d});
}

struct Grads {
  torch::Tensor out, gq, gk, gv;
};

// Fused self-attention on packed [q | k | v] and the reference on the same numbers,
// both differentiated against the same upstream gradient.
std::pair<Grads, Grads> run_self(int64_t B, int64_t L, int64_t d, int64_t heads, const torch::Tensor& mask,
                                 double dropout, bool train, uint64_t seed) {
  auto qkv = torch::randn({B, L, 3 * d}).requires_grad_();
  auto up = torch::randn({B, L, d});
  torch::manual_seed(seed);
  auto fused = fused_self_attention(qkv, heads, mask, dropout, train);
  auto g = torch::autograd::grad({fused}, {qkv}, {up})[0];
  Grads a{fused.detach(), g.narrow(2, 0, d), g.narrow(2, d, d), g.narrow(2, 2 * d, d)};

  auto q = qkv.detach().narrow(2, 0, d).clone().requires_grad_();
  auto k = qkv.detach().narrow(2, d, d).clone().requires_grad_();
  auto v = qkv.detach().narrow(2, 2 * d, d).clone().requires_grad_();
  torch::manual_seed(seed);
  auto ref = reference(q, k, v, heads, mask, dropout, train);
  auto gr = torch::autograd::grad({ref}, {q, k, v}, {up});
  return {a, Grads{ref.detach(), gr[0], gr[1], gr[2]}};
}

void expect_close(const Grads& a, const Grads& b, double tol) {
  EXPECT_LT((a.out - b.out).abs().max().item<double>(), tol);
  EXPECT_LT((a.gq - b.gq).abs().max().item<double>(), tol);
  EXPECT_LT((a.gk - b.gk).abs().max().item<double>(), tol);
  EXPECT_LT((a.gv - b.gv).abs().max().item<double>(), tol);
}

TEST(FusedAttention, SelfAttentionWithCausalMaskMatchesComposedOps) {
  torch::manual_seed(0);
  auto [fused, ref] = run_self(3, 37, 24, 3, causal_mask(37), 0, false, 5);
  expect_close(fused, ref, 1e-5);
}

TEST(FusedAttention, FiveKeyBodyPartBlocksMatchComposedOps) {
  // The HTT body-part stream: one 5-token sequence per frame, many frames.
  torch::manual_seed(3);
  auto [fused, ref] = run_self(240, 5, 32, 4, {}, 0.1, true, 12);
  expect_close(fused, ref, 1e-5);
}

TEST(FusedAttention, CausalMaskHidesLaterFramesExactly) {
  torch::manual_seed(6);
  auto qkv = torch::randn({2, 40, 3 * 32});
  auto a = fused_self_attention(qkv, 2, causal_mask(40), 0, false);  // (2, 40, 32)
  auto changed = qkv.clone();
  changed.narrow(1, 11, 29).narrow(2, 32, 64).normal_();  // new keys and values after frame 10
  auto b = fused_self_attention(changed, 2, causal_mask(40), 0, false);
  EXPECT_TRUE(torch::equal(a.narrow(1, 0, 11), b.narrow(1, 0, 11)));
  EXPECT_GT((a.narrow(1, 11, 29) - b.narrow(1, 11, 29)).abs().max().item<double>(), 0.1);
}

TEST(FusedAttention, CrossAttentionMatchesComposedOps) {
  torch::manual_seed(1);
  const int64_t B = 2, Lq = 30, Lk = 120, d = 64, heads = 2;
  auto q = torch::randn({B, Lq, d}).requires_grad_();
  auto kv = torch::randn({B, Lk, 2 * d}).requires_grad_();
  auto up = torch::randn({B, Lq, d});
  auto out = fused_cross_attention(q, kv, heads, {}, 0, false);
  auto g = torch::autograd::grad({out}, {q, kv}, {up});

  auto q2 = q.detach().clone().requires_grad_();
  auto k2 = kv.detach().narrow(2, 0, d).clone().requires_grad_();
  auto v2 = kv.detach().narrow(2, d, d).clone().requires_grad_();
  auto ref = reference(q2, k2, v2, heads, {});
  auto gr = torch::autograd::grad({ref}, {q2, k2, v2}, {up});
  expect_close({out.detach(), g[0], g[1].narrow(2, 0, d), g[1].narrow(2, d, d)}, {ref.detach(), gr[0], gr[1], gr[2]},
               1e-5);
}

TEST(FusedAttention, DropoutDrawsTheMaskFastDropoutDrawsForTheWeights) {
  torch::manual_seed(2);
  auto [fused, ref] = run_self(2, 25, 16, 2, causal_mask(25), 0.3, true, 77);
  expect_close(fused, ref, 1e-5);
  // Dropout really acted: the same call without it gives another output.
  torch::manual_seed(2);
  auto [plain, unused] = run_self(2, 25, 16, 2, causal_mask(25), 0, false, 77);
  (void)unused;
  EXPECT_GT((plain.out - fused.out).abs().max().item<double>(), 1e-3);
}

TEST(FusedAttention, SameResultOnOneAndTwoThreads) {
  const int threads = torch::get_num_threads();
  auto qkv = torch::randn({4, 50, 96});
  torch::set_num_threads(1);
  torch::manual_seed(9);
  auto a = fused_self_attention(qkv, 4, causal_mask(50), 0.1, true);
  torch::set_num_threads(2);
  torch::manual_seed(9);
  auto b = fused_self_attention(qkv, 4, causal_mask(50), 0.1, true);
  torch::set_num_threads(threads);
  EXPECT_TRUE(torch::equal(a, b));
}

TEST(FusedAttention, LargeScoresStayFinite) {
  // Scores of +-1e4 underflow most weights to exactly 0; softmax must still sum to 1.
  torch::manual_seed(4);
  auto qkv = torch::randn({1, 20, 3 * 8}) * 300;
  auto out = fused_self_attention(qkv, 1, {}, 0, false);
  auto ref = reference(qkv.narrow(2, 0, 8), qkv.narrow(2, 8, 8), qkv.narrow(2, 16, 8), 1, {});
  EXPECT_TRUE(torch::isfinite(out).all().item<bool>());
  EXPECT_LT((out - ref).abs().max().item<double>(), 1e-3);
}

TEST(FusedAttention, NanKeyPoisonsItsHeadAsInTorch) {
  torch::manual_seed(8);
  auto qkv = torch::randn({1, 12, 3 * 16});
  qkv[0][5][16 + 3] = std::nan("");  // one component of key 5, head 0
  auto out = fused_self_attention(qkv, 2, causal_mask(12), 0, false);
  auto ref = reference(qkv.narrow(2, 0, 16), qkv.narrow(2, 16, 16), qkv.narrow(2, 32, 16), 2, causal_mask(12));
  EXPECT_TRUE(torch::equal(torch::isnan(out), torch::isnan(ref)));
  // Every query of head 0 (8 columns): masking does not hide it, NaN + -inf is NaN.
  EXPECT_EQ(torch::isnan(out).sum().item<int64_t>(), 12 * 8);
}

TEST(FusedAttention, InputsThatDoNotFitThrow) {
  auto qkv = torch::randn({2, 10, 24});
  EXPECT_THROW(fused_self_attention(qkv, 5, {}, 0, false), lmm::Error);             // 8 not divisible by 5
  EXPECT_THROW(fused_self_attention(qkv, 2, causal_mask(9), 0, false), lmm::Error);  // mask 9x9 for 10 tokens
  EXPECT_THROW(fused_cross_attention(torch::randn({2, 10, 8}), torch::randn({3, 12, 16}), 2, {}, 0, false),
               lmm::Error);                                                        // batch 2 vs 3
  EXPECT_THROW(fused_cross_attention(torch::randn({2, 10, 8}), torch::randn({2, 12, 8}), 2, {}, 0, false),
               lmm::Error);                                                        // kv not 2d wide
}

}  // namespace

// Counter-based dropout (include/lmm/models/dropout.h): drop rate, scaling, independence
// of neighbouring elements, determinism under torch::manual_seed and across thread
// counts, the backward pass using the forward's mask, and identity in eval mode.
#include <gtest/gtest.h>

#include "lmm/core/error.h"
#include "lmm/models/dropout.h"

using lmm::models::fast_dropout;
using lmm::models::FastDropout;

TEST(FastDropout, DropsAboutPAndScalesTheRestExactly) {
  const int64_t n = 1 << 20;
  auto x = torch::rand({n}) + 0.5;  // no zeros of its own
  torch::manual_seed(3);
  auto y = fast_dropout(x, 0.1, true);
  auto dropped = (y == 0);
  // Binomial(2^20, 0.1): standard deviation 0.0003 of the share.
  EXPECT_NEAR(dropped.to(torch::kDouble).mean().item<double>(), 0.1, 0.002);
  const double keep = 65536.0 / (65536.0 - 6554.0);  // p' = round(0.1 * 65536) / 65536
  auto kept = ~dropped;
  EXPECT_TRUE(torch::allclose(y.masked_select(kept), x.masked_select(kept) * keep, 1e-6, 0));
  // Neighbours are independent: both dropped about p^2 of the time.
  auto both = dropped.narrow(0, 1, n - 1) & dropped.narrow(0, 0, n - 1);
  EXPECT_NEAR(both.to(torch::kDouble).mean().item<double>(), 0.01, 0.001);
  // The expectation is kept.
  EXPECT_NEAR(fast_dropout(torch::ones({n}), 0.3, true).mean().item<double>(), 1.0, 0.005);
}

TEST(FastDropout, MasksFollowTheSeedNotTheThreadCount) {
  auto x = torch::ones({64, 120, 256});
  const int threads = torch::get_num_threads();
  torch::set_num_threads(1);
  torch::manual_seed(11);
  auto a = fast_dropout(x, 0.1, true);
  auto a2 = fast_dropout(x, 0.1, true);
  torch::set_num_threads(2);
  torch::manual_seed(11);
  auto b = fast_dropout(x, 0.1, true);
  torch::set_num_threads(threads);
  EXPECT_TRUE(torch::equal(a, b));
  EXPECT_FALSE(torch::equal(a, a2));  // the next call draws a new seed
}

TEST(FastDropout, BackwardUsesTheForwardMask) {
  auto x = torch::randn({4096}).requires_grad_(true);
  auto y = fast_dropout(x, 0.25, true);
  (y * 3).sum().backward();
  const double keep = 65536.0 / (65536.0 - 16384.0);
  auto expected = torch::where(y == 0, torch::zeros_like(y), torch::full_like(y, 3 * keep));
  EXPECT_TRUE(torch::allclose(x.grad(), expected.detach(), 1e-6, 0));
}

TEST(FastDropout, IdentityInEvalModeOrAtZeroAndModuleSwitches) {
  auto x = torch::randn({100});
  EXPECT_TRUE(fast_dropout(x, 0.5, false).is_same(x));
  EXPECT_TRUE(fast_dropout(x, 0.0, true).is_same(x));
  EXPECT_TRUE(torch::equal(fast_dropout(x, 1.0, true), torch::zeros_like(x)));
  FastDropout drop(0.5);
  drop->eval();
  EXPECT_TRUE(drop(x).is_same(x));
  drop->train();
  EXPECT_GT((drop(x) == 0).sum().item<int64_t>(), 20);
  EXPECT_THROW(fast_dropout(x, 1.5, true), lmm::Error);
}
